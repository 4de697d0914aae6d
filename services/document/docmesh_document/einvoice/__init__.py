"""EN 16931 e-invoices from the shared model: `terms` maps the model to business terms (and
lists the missing ones), `ubl` writes UBL 2.1 and `cii` UN/CEFACT CII D16B. Received files go
the other way: `read_einvoice` reads UBL, CII or a Factur-X PDF (`read_xml` parses safely,
`read_ubl` / `read_cii` / `read_facturx` per syntax, `read_model` builds the invoice)."""
