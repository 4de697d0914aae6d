"""The document service's rules: size limits, what each operation computes, where it runs.

The MSC work itself is pure and CPU-bound (parse, recalc, validate, render, export). The
functions at the top of this module are that work, one per RPC, as plain module-level
functions of picklable arguments, so that they can run in a worker process.

Where heavy work runs — measured, not guessed (2 cores, CPython 3.11; the server in its own
process, a 10,000-cell recalculation (~0.3 s) or a 200-line render+validate in flight, and a
small Parse sent meanwhile; the probe is ``test_heavy_recalculation_does_not_stall_a_small_call``):

* on the event loop: the small call waits for the heavy one, 225–310 ms;
* ``asyncio.to_thread``: the GIL is handed over only every ``sys.getswitchinterval()`` (5 ms)
  and the loop needs it many times per call, so the small call takes 8–35 ms and the heavy
  one gets no faster;
* a process pool: the small call takes 2–10 ms while the heavy call runs on the other core;
  the cost is pickling the input and the result (cells travel as tuples, see ``CellValue``)
  and the workers' start-up, paid once at server start.

So requests whose input exceeds ``offload_min_bytes`` (or invoices with many lines) go to a
``ProcessPoolExecutor`` (spawn context: forking a process that runs gRPC's threads is unsafe);
small ones are computed inline, where a hop would cost more than the work. ``workers = 0``
falls back to a thread, for environments that forbid extra processes.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import re
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

import pydantic

from docmesh_common.errors import FailedPrecondition, InvalidArgument, Precondition, Unavailable
from docmesh_common.model.invoice import Invoice, PaymentMeans
from docmesh_common.model.totals import InvoiceTotals
from docmesh_document.einvoice.cii import to_cii
from docmesh_document.einvoice.read_einvoice import read_einvoice
from docmesh_document.einvoice.read_xml import MAX_EINVOICE_BYTES, EInvoiceError
from docmesh_document.einvoice.terms import NotAnEInvoice, Profile, check_kind, missing_terms
from docmesh_document.einvoice.ubl import to_ubl
from docmesh_document.exports import (
    INVOICE_FORMATS,
    ExportedFile,
    ExportFormat,
    XlsxProperties,
    export_document,
    exported,
)
from docmesh_document.invoice_checks import check_rendered_invoice, validate_invoice
from docmesh_document.msc import (
    COORD_RE,
    CellKind,
    CorrectionResult,
    Document,
    Finding,
    MscParseError,
    ParseIssue,
    correct,
    format_number,
    parse,
    parse_coord,
    parse_lenient,
    recalculate,
    serialize,
    validate,
)
from docmesh_document.pdf import Letterhead, render_pdf
from docmesh_document.pdf.factur_x import factur_x
from docmesh_document.render import render_invoice
from docmesh_document.settings import DocumentSettings

__all__ = [
    "CellValue",
    "DocumentService",
    "ParseOutcome",
    "RecalcOutcome",
    "RenderOutcome",
    "do_correct",
    "do_export",
    "do_export_einvoice",
    "do_export_pdf",
    "do_parse",
    "do_recalculate",
    "do_render",
    "do_validate",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

# Invoices with at least this many lines are rendered in a worker: render + validation
# (``do_render``) costs ~3 ms of CPU at 50 lines, ~6 ms at 100 and ~10 ms at 200, while the hop
# to a worker (pickling the invoice and the result, IPC, a busy machine's scheduling) costs
# 10–40 ms, so smaller ones stay inline.
_OFFLOAD_MIN_LINES = 100
_BASE_NAME_RE = re.compile(r"^[\w][\w .-]{0,99}$")
_MAX_REPORTED_ERRORS = 5


@dataclass(frozen=True)
class RenderOutcome:
    msc: str
    totals: InvoiceTotals
    findings: list[Finding]


@dataclass(frozen=True)
class ParseOutcome:
    form: str
    last_col: int
    last_row: int
    cells: list[CellValue]
    issues: list[ParseIssue]


@dataclass(frozen=True)
class RecalcOutcome:
    msc: str
    cells: list[CellValue]
    circular_cells: list[str] = field(default_factory=list)


# --- the work (pure, picklable; runs inline or in a worker process) -----------------------


class CellValue(NamedTuple):
    """A cell as the RPCs report it. A tuple, not the model's dataclass: 10,000 of them cross
    the process boundary in ~10 ms instead of ~200 ms of pickling."""

    coord: str
    value_type: str
    value: str  # a number in JavaScript's String(x) form, or the text
    formula: str  # without "=", decoded; "" for constants
    error: str


def _cell_order(coord: str) -> tuple[int, int]:
    if COORD_RE.match(coord):
        col, row = parse_coord(coord)
        return (row, col)
    return (1 << 30, 0)


def _content_cells(doc: Document) -> list[CellValue]:
    cells = doc.sheet.cells
    out = []
    for coord in sorted(cells, key=_cell_order):
        cell = cells[coord]
        if not cell.has_content:
            continue
        value = cell.value
        out.append(
            CellValue(
                coord,
                cell.valuetype,
                format_number(value) if isinstance(value, float) else str(value),
                cell.formula if cell.kind is CellKind.FORMULA else "",
                cell.error,
            )
        )
    return out


def do_render(invoice: Invoice, multipart: bool) -> RenderOutcome:
    rendered = render_invoice(invoice, multipart=multipart)
    text = rendered.text(multipart=multipart)
    # Validate the rendered model directly (no re-parse of our own output), with invoice checks.
    findings = check_rendered_invoice(rendered)
    return RenderOutcome(msc=text, totals=rendered.totals, findings=findings)


def do_parse(text: str) -> ParseOutcome:
    result = parse_lenient(text)
    doc = result.document
    return ParseOutcome(
        form="multipart" if doc.multipart else "bare-sheet",
        last_col=doc.sheet.attribs.lastcol,
        last_row=doc.sheet.attribs.lastrow,
        cells=_content_cells(doc),
        issues=result.issues,
    )


def do_validate(text: str, invoice_checks: bool) -> list[Finding]:
    return validate_invoice(text) if invoice_checks else validate(text)


def do_correct(text: str) -> CorrectionResult:
    return correct(text)


class UnparsableMsc(Exception):
    """The text does not parse. Carries only its message, so it survives a worker's pickling
    (a DomainError's field violations would not); the service turns it into InvalidArgument."""


def _parse_strict(text: str) -> Document:
    try:
        return parse(text)
    except MscParseError as error:
        shown = "; ".join(f"line {e.line}: {e.message}" for e in error.errors[:_MAX_REPORTED_ERRORS])
        more = len(error.errors) - _MAX_REPORTED_ERRORS
        if more > 0:
            shown += f" (and {more} more)"
        raise UnparsableMsc(f"msc is not a valid MSC document: {shown}") from None


def do_recalculate(text: str) -> RecalcOutcome:
    doc = _parse_strict(text)
    result = recalculate(doc.sheet)
    return RecalcOutcome(msc=serialize(doc), cells=_content_cells(doc), circular_cells=result.circular_cells)


def do_export(
    text: str, fmt: ExportFormat, base_name: str, properties: XlsxProperties | None = None
) -> ExportedFile:
    doc = _parse_strict(text)
    # Values come from a recalculation, never from whatever the text had cached (the parsed
    # document is ours alone, so it is recalculated in place).
    recalculate(doc.sheet)
    return export_document(doc, fmt, base_name, properties)


def paid_to_letterhead(invoice: Invoice, letterhead: Letterhead) -> Invoice:
    """The invoice, paid by credit transfer to the letterhead's account when it names no payment
    means of its own: the account the PDF prints is the e-invoice's BG-16/BG-17 too."""
    if invoice.payment_means is not None or not letterhead.iban:
        return invoice
    try:
        means = PaymentMeans(iban=letterhead.iban, bic=letterhead.bic)
    except pydantic.ValidationError:
        return invoice  # an account the profile did not check: printed, not an e-invoice term
    return invoice.model_copy(update={"payment_means": means})


def do_export_pdf(invoice: Invoice, letterhead: Letterhead, language: str, base_name: str) -> ExportedFile:
    pdf = render_pdf(invoice, letterhead, language=language)
    invoice = paid_to_letterhead(invoice, letterhead)
    if _einvoice_gaps(invoice, Profile.EN16931) == []:
        # An invoice or credit note with every EN 16931 term is also its own e-invoice; the
        # embedding adds ~25-30 ms to the 80-260 ms layout (bench/bench_einvoice.py).
        pdf = factur_x(pdf, invoice)
    return exported(pdf, ExportFormat.PDF, base_name)


def do_export_einvoice(invoice: Invoice, fmt: ExportFormat, profile: Profile, base_name: str) -> ExportedFile:
    write = to_ubl if fmt is ExportFormat.UBL else to_cii
    return exported(write(invoice, profile), fmt, base_name)


def _einvoice_gaps(invoice: Invoice, profile: Profile) -> list[tuple[str, str]] | str:
    """The business terms the invoice lacks under ``profile``, or why it cannot be an e-invoice."""
    try:
        check_kind(invoice)
        return missing_terms(invoice, profile=profile)
    except (NotAnEInvoice, ValueError) as error:  # another kind, or a line under two taxes
        return str(error)


def require_einvoice(invoice: Invoice, profile: Profile) -> None:
    """FailedPrecondition unless the invoice is an EN 16931-complete invoice or credit note;
    the error lists every missing business term (message and PreconditionFailure details)."""
    gaps = _einvoice_gaps(invoice, profile)
    if isinstance(gaps, str):
        raise FailedPrecondition(gaps, reason="NOT_AN_E_INVOICE")
    if gaps:
        listed = "; ".join(f"{term} {name}" for term, name in gaps)
        raise FailedPrecondition(
            f"the e-invoice ({profile.value}) lacks {len(gaps)} required business term(s): {listed}",
            reason="EN16931_INCOMPLETE",
            preconditions=[Precondition("EN16931", term, name) for term, name in gaps],
        )


# --- the service ---------------------------------------------------------------------------


class DocumentService:
    """Checks limits, then runs each operation inline or in a worker (see module docstring)."""

    def __init__(self, settings: DocumentSettings) -> None:
        self.settings = settings
        self.max_input_bytes = settings.max_input_bytes
        self._executor: Executor | None = self._new_pool() if settings.workers > 0 else None

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.settings.workers, mp_context=multiprocessing.get_context("spawn")
        )

    async def start(self) -> None:
        """Start the worker processes now, so the first heavy request does not pay for it."""
        if isinstance(self._executor, ProcessPoolExecutor):
            loop = asyncio.get_running_loop()
            warm = [
                loop.run_in_executor(self._executor, do_parse, "version:1.5\n")
                for _ in range(self.settings.workers)
            ]
            await asyncio.gather(*warm)

    async def close(self) -> None:
        if self._executor is not None:
            executor, self._executor = self._executor, None
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)

    # -- limits

    def check_text(self, field_name: str, text: str) -> int:
        """Reject empty or oversized MSC input; return its size in bytes."""
        if not text:
            raise InvalidArgument(f"{field_name} is required", field=field_name)
        # Cheap bound first: a str of n code points has at most 4n UTF-8 bytes.
        size = len(text) if len(text) * 4 <= self.max_input_bytes else len(text.encode("utf-8"))
        if size > self.max_input_bytes:
            raise InvalidArgument(
                f"{field_name} is {size} bytes; the limit is {self.max_input_bytes} bytes (DOCMESH_MAX_INPUT_BYTES)",
                field=field_name,
                reason="INPUT_TOO_LARGE",
            )
        return size

    def check_size(self, field_name: str, size: int) -> None:
        if size > self.max_input_bytes:
            raise InvalidArgument(
                f"{field_name} is {size} bytes; the limit is {self.max_input_bytes} bytes (DOCMESH_MAX_INPUT_BYTES)",
                field=field_name,
                reason="INPUT_TOO_LARGE",
            )

    # -- where work runs

    async def _run(self, heavy: bool, fn: Callable[..., T], *args: Any) -> T:
        try:
            if not heavy:
                return fn(*args)
            if self._executor is None:
                return await asyncio.to_thread(fn, *args)
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, fn, *args)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): replace the pool so later calls work.
            log.error("document worker process died; restarting the pool")
            broken, self._executor = self._executor, self._new_pool()
            if broken is not None:
                broken.shutdown(wait=False, cancel_futures=True)
            raise Unavailable(
                "a document worker stopped unexpectedly; retry the call", retry_after_seconds=1
            ) from None
        except UnparsableMsc as error:
            raise InvalidArgument(str(error), field="msc", reason="MSC_PARSE_ERROR") from None

    def _heavy(self, size: int) -> bool:
        return size >= self.settings.offload_min_bytes

    # -- operations

    async def render_invoice(self, invoice: Invoice, *, multipart: bool, size: int) -> RenderOutcome:
        self.check_size("invoice", size)
        heavy = len(invoice.line_items) >= _OFFLOAD_MIN_LINES or self._heavy(size)
        return await self._run(heavy, do_render, invoice, multipart)

    async def parse(self, text: str) -> ParseOutcome:
        size = self.check_text("msc", text)
        return await self._run(self._heavy(size), do_parse, text)

    async def validate(self, text: str, *, invoice_checks: bool) -> list[Finding]:
        size = self.check_text("msc", text)
        return await self._run(self._heavy(size), do_validate, text, invoice_checks)

    async def correct(self, text: str) -> CorrectionResult:
        size = self.check_text("msc", text)
        return await self._run(self._heavy(size), do_correct, text)

    async def recalculate(self, text: str) -> RecalcOutcome:
        size = self.check_text("msc", text)
        return await self._run(self._heavy(size), do_recalculate, text)

    async def export(
        self,
        text: str,
        fmt: ExportFormat | None,
        base_name: str,
        properties: XlsxProperties | None = None,
    ) -> ExportedFile:
        """XLSX, CSV, HTML or MSC of the sheet ``text``; ``properties`` name an XLSX's sheet."""
        if fmt in INVOICE_FORMATS:
            raise ValueError("export_pdf and export_einvoice write a PDF, UBL or CII from the invoice")
        size = self.check_text("msc", text)
        if fmt is None:
            raise InvalidArgument("format is required: XLSX, CSV, HTML, MSC, PDF, UBL or CII", field="format")
        name = _checked_base_name(base_name)
        return await self._run(self._heavy(size), do_export, text, fmt, name, properties)

    async def export_pdf(
        self, invoice: Invoice, letterhead: Letterhead, *, language: str, base_name: str, size: int
    ) -> ExportedFile:
        """The PDF of ``invoice``, always in a worker: a one-page layout costs tens of
        milliseconds of CPU, more than the hop (see the module docstring)."""
        self.check_size("invoice", size)
        name = _checked_base_name(base_name)
        return await self._run(True, do_export_pdf, invoice, letterhead, language, name)

    async def export_einvoice(
        self,
        invoice: Invoice,
        fmt: ExportFormat,
        profile: Profile,
        *,
        letterhead: Letterhead,
        base_name: str,
        size: int,
    ) -> ExportedFile:
        """The UBL or CII e-invoice of ``invoice`` under ``profile``; FailedPrecondition lists
        every business term it lacks. Inline below _OFFLOAD_MIN_LINES lines, like a render: the XML
        of 50 lines takes ~7 ms, of 200 ~10 ms (bench/bench_einvoice.py, one loaded run)."""
        self.check_size("invoice", size)
        name = _checked_base_name(base_name)
        invoice = paid_to_letterhead(invoice, letterhead)
        require_einvoice(invoice, profile)
        heavy = len(invoice.line_items) >= _OFFLOAD_MIN_LINES or self._heavy(size)
        return await self._run(heavy, do_export_einvoice, invoice, fmt, profile, name)

    async def read_einvoice(self, content: bytes, content_type: str) -> tuple[Invoice, str]:
        """A received e-invoice in the invoice model, and its syntax ("ubl", "cii" or "factur-x").
        Its own limit (10 MB, not DOCMESH_MAX_INPUT_BYTES): received PDFs are larger than sheets."""
        if not content:
            raise InvalidArgument("content is required", field="content")
        if len(content) > MAX_EINVOICE_BYTES:
            raise InvalidArgument(
                f"content is {len(content)} bytes; the limit is {MAX_EINVOICE_BYTES} bytes (10 MB)",
                field="content",
                reason="INPUT_TOO_LARGE",
            )
        try:
            return await self._run(self._heavy(len(content)), read_einvoice, content, content_type)
        except EInvoiceError as error:
            raise InvalidArgument(
                f"content: {error}", field="content", reason="EINVOICE_UNREADABLE"
            ) from None


def _checked_base_name(base_name: str) -> str:
    name = base_name or "document"
    if not _BASE_NAME_RE.match(name):
        raise InvalidArgument(
            "base_name may hold letters, digits, spaces, '.', '_' and '-' (at most 100), "
            "and starts with a letter or digit",
            field="base_name",
        )
    return name
