"""docmesh document service: MSC (SocialCalc) documents from typed invoices, and the RPCs on them.

Modules:

* ``msc`` — the pure MSC spreadsheet library (model, parse/serialize, formula compiler,
  evaluator and function families, recalc, validate, correct); import it from the package.
* ``render`` — ``render_invoice(invoice, multipart=True) -> RenderedInvoice``: a live-formula
  sheet whose formulas recalculate (in SocialCalc's doubles) to exactly the Decimal totals of
  ``docmesh_common.model.totals``; ``sheet_layout`` is how that sheet looks (styles, columns).
* ``invoice_checks`` — the invoice arithmetic of a sheet (``validate_invoice``,
  ``check_invoice_document``) and every check of a rendered invoice (``check_rendered_invoice``).
* ``exports`` — ``export_document(doc, ExportFormat, base_name) -> ExportedFile``: XLSX, CSV,
  HTML, MSC.
* ``service`` / ``servicer`` / ``server`` / ``settings`` / ``main`` — the gRPC DocumentService.
"""
