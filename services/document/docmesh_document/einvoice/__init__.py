"""EN 16931 e-invoices from the shared model: `terms` maps the model to business terms (and
lists the missing ones), `ubl` writes UBL 2.1 and `cii` UN/CEFACT CII D16B."""
