"""docmesh document service: MSC (SocialCalc) documents from typed invoices, and the RPCs on them.

Modules:

* ``msc`` — the pure MSC library (model, parse/serialize, formulas, recalc, validate, correct).
* ``totals`` — ``compute_totals(invoice) -> InvoiceTotals``: the Decimal invoice arithmetic.
* ``render`` — ``render_invoice(invoice, multipart=True) -> RenderedInvoice``: a live-formula
  sheet whose formulas recalculate (in SocialCalc's doubles) to exactly those totals.
* ``exports`` — ``export_document(doc, ExportFormat, base_name) -> ExportedFile``: XLSX, CSV,
  HTML, MSC.
* ``service`` / ``servicer`` / ``server`` / ``settings`` / ``main`` — the gRPC DocumentService.
"""
