"""gRPC DocumentService: proto ↔ domain translation only; the rules live in service.py."""

from __future__ import annotations

from typing import NoReturn

import grpc
import pydantic
from reportlab.lib.pagesizes import LETTER

from docmesh.document.v1 import document_service_pb2 as pb
from docmesh.document.v1 import document_service_pb2_grpc
from docmesh.type.v1 import invoice_pb2, money_pb2
from docmesh_common.errors import InvalidArgument
from docmesh_common.model.currency import is_currency
from docmesh_common.model.invoice import LANGUAGES, Invoice, from_proto, to_proto
from docmesh_document.einvoice.terms import Profile
from docmesh_document.exports import ExportedFile, ExportFormat, XlsxProperties
from docmesh_document.labels import labels
from docmesh_document.msc import Finding, Fix, ParseIssue
from docmesh_document.pdf import Letterhead
from docmesh_document.pdf.pages import page_size
from docmesh_document.service import CellValue, DocumentService

__all__ = ["DocumentServicer", "invoice_from_request"]

_LEVELS = {
    "syntax": pb.VALIDATION_LEVEL_SYNTAX,
    "semantic": pb.VALIDATION_LEVEL_SEMANTIC,
    "logic": pb.VALIDATION_LEVEL_LOGIC,
}
_SEVERITIES = {"error": pb.SEVERITY_ERROR, "warning": pb.SEVERITY_WARNING, "info": pb.SEVERITY_INFO}
_FORMATS = {
    pb.EXPORT_FORMAT_XLSX: ExportFormat.XLSX,
    pb.EXPORT_FORMAT_CSV: ExportFormat.CSV,
    pb.EXPORT_FORMAT_HTML: ExportFormat.HTML,
    pb.EXPORT_FORMAT_MSC: ExportFormat.MSC,
    pb.EXPORT_FORMAT_PDF: ExportFormat.PDF,
    pb.EXPORT_FORMAT_UBL: ExportFormat.UBL,
    pb.EXPORT_FORMAT_CII: ExportFormat.CII,
}
_PROFILES = {
    pb.E_INVOICE_PROFILE_UNSPECIFIED: Profile.EN16931,
    pb.E_INVOICE_PROFILE_EN16931: Profile.EN16931,
    pb.E_INVOICE_PROFILE_PEPPOL_BIS_3: Profile.PEPPOL,
    pb.E_INVOICE_PROFILE_XRECHNUNG_3: Profile.XRECHNUNG,
}


def _path(prefix: str, loc: tuple[int | str, ...]) -> str:
    out = prefix
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _money_fields(msg: invoice_pb2.Invoice) -> list[tuple[str, money_pb2.Money]]:
    """Every set Money field of the invoice with its field path."""
    found = []
    for i, line in enumerate(msg.line_items):
        if line.HasField("unit_price"):
            found.append((f"invoice.line_items[{i}].unit_price", line.unit_price))
        if line.HasField("discount") and line.discount.WhichOneof("value") == "amount":
            found.append((f"invoice.line_items[{i}].discount.amount", line.discount.amount))
    for i, discount in enumerate(msg.discounts):
        if discount.WhichOneof("value") == "amount":
            found.append((f"invoice.discounts[{i}].amount", discount.amount))
    for name in ("shipping", "amount_paid"):
        if msg.HasField(name):
            found.append((f"invoice.{name}", getattr(msg, name)))
    return found


def invoice_from_request(msg: invoice_pb2.Invoice) -> Invoice:
    """The domain invoice, or InvalidArgument naming every bad field (``invoice.line_items[0].unit_price``)."""
    # Nearly every request has no amount in another currency: it is converted once, as it came.
    # from_proto raises a plain ValueError (not pydantic's) at the first such amount, without
    # naming it; only then are all the amounts walked, to name each (before: every request's
    # amounts were walked first, and from_proto checked each currency again).
    try:
        return from_proto(msg)
    except pydantic.ValidationError as error:
        _reject(_violations(error))
    except ValueError:  # an amount in another currency: walk them all to name each
        return _invoice_from_mixed_currencies(msg)


def _invoice_from_mixed_currencies(msg: invoice_pb2.Invoice) -> Invoice:
    """A request with an amount in another currency than the invoice's: InvalidArgument naming
    each such amount's ``currency_code`` and every other bad field (or the invoice, when the
    invoice's own currency is unknown and its amounts are its only other fault)."""
    violations: dict[str, str] = {}
    currency = (msg.currency_code or "USD").upper()
    # Convert a copy without the per-amount codes so every other field is named too.
    source = invoice_pb2.Invoice()
    source.CopyFrom(msg)
    for path, money in _money_fields(source):
        if money.currency_code and money.currency_code.upper() != currency and is_currency(currency):
            violations[f"{path}.currency_code"] = f"{money.currency_code} on an invoice in {currency}"
        money.currency_code = ""
    try:
        result = from_proto(source)
    except pydantic.ValidationError as error:
        for field, message in _violations(error).items():
            violations.setdefault(field, message)
    if not violations:
        return result
    _reject(violations)


def _violations(error: pydantic.ValidationError) -> dict[str, str]:
    """Each field pydantic refused, by its request path, with the first reason given for it."""
    violations: dict[str, str] = {}
    for item in error.errors():
        field = _path("invoice", tuple(item.get("loc", ())))
        message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        violations.setdefault(field, message)
    return violations


def _reject(violations: dict[str, str]) -> NoReturn:
    summary = "; ".join(f"{f}: {d}" for f, d in list(violations.items())[:3])
    more = f" (and {len(violations) - 3} more)" if len(violations) > 3 else ""
    raise InvalidArgument(
        f"invalid invoice: {summary}{more}", violations=violations, reason="INVALID_INVOICE"
    )


def letterhead_from_request(msg: pb.Letterhead) -> Letterhead:
    return Letterhead(
        logo=msg.logo or None,
        logo_content_type=msg.logo_content_type,
        iban=msg.iban,
        bic=msg.bic,
        bank_text=msg.bank_text,
        footer=msg.footer,
    )


def _language(requested: str, invoice: Invoice) -> str:
    """The request's language, else the invoice's own."""
    if not requested:
        return invoice.language
    language = requested.lower()
    if language not in LANGUAGES:
        raise InvalidArgument(
            f"language {requested!r} is not one of {', '.join(LANGUAGES)}", field="language"
        )
    return language


def xlsx_properties(invoice: Invoice, language: str) -> XlsxProperties:
    """The sheet named by kind and number ("Invoice INV-2026-0007", "Invoice DRAFT"), the
    seller as author, the paper the PDF would use."""
    words = labels(language)
    title = f"{words.titles[invoice.kind]} {invoice.number or words.draft}"
    return XlsxProperties(
        sheet_name=title,
        title=title,
        author=invoice.seller.name,
        letter=page_size(invoice.seller.country_code) == LETTER,
    )


def _finding(f: Finding) -> pb.Finding:
    return pb.Finding(
        level=_LEVELS.get(f.level, pb.VALIDATION_LEVEL_UNSPECIFIED),
        code=f.code,
        line=f.line,
        cell=f.cell,
        severity=_SEVERITIES.get(f.severity, pb.SEVERITY_UNSPECIFIED),
        message=f.message,
    )


def _issue(i: ParseIssue) -> pb.Finding:
    return _finding(Finding("syntax", i.code, i.line, i.cell, i.severity, i.message))


def report(findings: list[Finding]) -> pb.ValidationReport:
    """Findings in line order (whole-document findings, line 0, first)."""
    ordered = sorted(findings, key=lambda f: f.line)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    return pb.ValidationReport(
        valid=errors == 0,
        error_count=errors,
        warning_count=warnings,
        findings=[_finding(f) for f in ordered],
    )


def _cell(cell: CellValue) -> pb.Cell:
    return pb.Cell(
        coord=cell.coord, value_type=cell.value_type, value=cell.value, formula=cell.formula, error=cell.error
    )


def _fix(f: Fix) -> pb.Fix:
    return pb.Fix(code=f.code, line=f.line, cell=f.cell, description=f.description)


class DocumentServicer(document_service_pb2_grpc.DocumentServiceServicer):
    def __init__(self, service: DocumentService) -> None:
        self._service = service

    async def RenderInvoice(
        self, request: pb.RenderInvoiceRequest, context: grpc.aio.ServicerContext
    ) -> pb.RenderInvoiceResponse:
        if not request.HasField("invoice"):
            raise InvalidArgument("invoice is required", field="invoice")
        size = request.invoice.ByteSize()
        self._service.check_size("invoice", size)
        invoice = invoice_from_request(request.invoice)
        outcome = await self._service.render_invoice(
            invoice, multipart=request.container != pb.CONTAINER_BARE, size=size
        )
        return pb.RenderInvoiceResponse(
            msc=outcome.msc, totals=outcome.totals.to_proto(), validation=report(outcome.findings)
        )

    async def Parse(self, request: pb.ParseRequest, context: grpc.aio.ServicerContext) -> pb.ParseResponse:
        outcome = await self._service.parse(request.msc)
        return pb.ParseResponse(
            form=outcome.form,
            last_col=outcome.last_col,
            last_row=outcome.last_row,
            cells=[_cell(c) for c in outcome.cells],
            errors=[_issue(i) for i in outcome.issues],
        )

    async def Validate(
        self, request: pb.ValidateRequest, context: grpc.aio.ServicerContext
    ) -> pb.ValidateResponse:
        findings = await self._service.validate(request.msc, invoice_checks=request.invoice_checks)
        return pb.ValidateResponse(report=report(findings))

    async def Correct(
        self, request: pb.CorrectRequest, context: grpc.aio.ServicerContext
    ) -> pb.CorrectResponse:
        result = await self._service.correct(request.msc)
        return pb.CorrectResponse(
            msc=result.text, fixes=[_fix(f) for f in result.fixes], report=report(result.findings)
        )

    async def Recalculate(
        self, request: pb.RecalculateRequest, context: grpc.aio.ServicerContext
    ) -> pb.RecalculateResponse:
        outcome = await self._service.recalculate(request.msc)
        return pb.RecalculateResponse(
            msc=outcome.msc, cells=[_cell(c) for c in outcome.cells], circular_cells=outcome.circular_cells
        )

    async def ReadEInvoice(
        self, request: pb.ReadEInvoiceRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReadEInvoiceResponse:
        invoice, syntax = await self._service.read_einvoice(request.content, request.content_type)
        return pb.ReadEInvoiceResponse(invoice=to_proto(invoice), syntax=syntax)

    async def Export(self, request: pb.ExportRequest, context: grpc.aio.ServicerContext) -> pb.ExportResponse:
        fmt = _FORMATS.get(request.format)
        if fmt is ExportFormat.PDF:
            exported = await self._export_pdf(request)
        elif fmt is ExportFormat.UBL or fmt is ExportFormat.CII:
            exported = await self._export_einvoice(request, fmt)
        else:
            properties = None
            if fmt is ExportFormat.XLSX and request.HasField("invoice"):
                invoice = invoice_from_request(request.invoice)
                properties = xlsx_properties(invoice, _language(request.language, invoice))
            exported = await self._service.export(request.msc, fmt, request.base_name, properties)
        return pb.ExportResponse(
            content=exported.content, content_type=exported.content_type, file_name=exported.file_name
        )

    async def _export_einvoice(self, request: pb.ExportRequest, fmt: ExportFormat) -> ExportedFile:
        # The e-invoice is written from the invoice; the sheet (msc) is not needed.
        if not request.HasField("invoice"):
            raise InvalidArgument(f"invoice is required for a {fmt.name} export", field="invoice")
        profile = _PROFILES.get(request.e_invoice_profile)
        if profile is None:
            raise InvalidArgument("e_invoice_profile is not a known profile", field="e_invoice_profile")
        size = request.invoice.ByteSize() + request.letterhead.ByteSize()
        self._service.check_size("invoice", size)
        return await self._service.export_einvoice(
            invoice_from_request(request.invoice),
            fmt,
            profile,
            letterhead=letterhead_from_request(request.letterhead),
            base_name=request.base_name,
            size=size,
        )

    async def _export_pdf(self, request: pb.ExportRequest) -> ExportedFile:
        # The PDF is laid out from the invoice; the sheet (msc) is not needed.
        if not request.HasField("invoice"):
            raise InvalidArgument("invoice is required for a PDF export", field="invoice")
        size = request.invoice.ByteSize() + request.letterhead.ByteSize()
        self._service.check_size("invoice", size)
        invoice = invoice_from_request(request.invoice)
        return await self._service.export_pdf(
            invoice,
            letterhead_from_request(request.letterhead),
            language=_language(request.language, invoice),
            base_name=request.base_name,
            size=size,
        )
