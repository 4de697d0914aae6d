"""The XLSX a business prints or forwards: cached values, number formats, page setup, names.

Read back by openpyxl (``data_only=True``: a reader that does not recalculate) and by
LibreOffice, which lays it out to PDF; poppler counts the pages. LibreOffice takes seconds to
start, so every workbook of this module is converted in one run.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from docmesh.document.v1 import document_service_pb2 as pb
from docmesh.document.v1 import document_service_pb2_grpc
from docmesh_common.model.invoice import Invoice, to_proto
from docmesh_document.exports import XlsxProperties, sheet_title, to_xlsx
from docmesh_document.msc import parse, recalculate
from docmesh_document.render import RenderedInvoice, render_invoice
from tests.document.invoice_shapes import invoice
from tests.document.pdf_reader import page_count, page_texts

Stub = document_service_pb2_grpc.DocumentServiceStub
ENSURE_LIBREOFFICE = Path(__file__).with_name("ensure_libreoffice.sh")


def _lines(count: int) -> list[dict[str, Any]]:
    return [
        {
            "description": f"Item {i + 1}",
            "quantity": str(1 + i % 4),
            "unit": "pcs",
            "unit_price": f"{10 + i}.50",
            "discount": {"percent": "10"} if i % 5 == 0 else None,
        }
        for i in range(count)
    ]


def busy_invoice(lines: int, **changes: Any) -> Invoice:
    """Every section filled: discounts per line and overall, two taxes, shipping, notes."""
    fields: dict[str, Any] = {
        "line_items": _lines(lines),
        "taxes": [{"name": "GST", "rate_percent": "5"}, {"name": "PST", "rate_percent": "7"}],
        "discounts": [{"description": "Loyalty", "percent": "5"}],
        "shipping": "12.50",
        "notes": "Thank you for your business.",
    }
    fields.update(changes)
    return invoice(**fields)


def xlsx_of(inv: Invoice, properties: XlsxProperties | None = None) -> tuple[RenderedInvoice, bytes]:
    rendered = render_invoice(inv)
    doc = parse(rendered.text())
    recalculate(doc.sheet)
    return rendered, to_xlsx(doc, properties)


def _values(xlsx: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(xlsx), data_only=True).active


def _sheet(xlsx: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(xlsx)).active


# --- cached values ----------------------------------------------------------------------


def test_a_reader_that_does_not_recalculate_sees_every_total() -> None:
    rendered, xlsx = xlsx_of(busy_invoice(12))
    ws = _values(xlsx)
    for cell, expected in rendered.expected_values().items():
        assert Decimal(repr(ws[cell].value)) == expected, cell


def test_the_formulas_stay_live_beside_their_cached_values() -> None:
    rendered, xlsx = xlsx_of(busy_invoice(3))
    assert str(_sheet(xlsx)[rendered.cells.total].value).startswith("=ROUND(")


# --- number formats, hidden helpers -----------------------------------------------------


@pytest.mark.parametrize(("currency", "fmt"), [("JPY", "#,##0"), ("USD", "#,##0.00"), ("KWD", "#,##0.000")])
def test_amounts_carry_the_currency_s_number_format(currency: str, fmt: str) -> None:
    rendered, xlsx = xlsx_of(busy_invoice(2, currency_code=currency))
    assert _sheet(xlsx)[rendered.cells.total].number_format == fmt


def test_the_helper_columns_are_hidden() -> None:
    rendered, xlsx = xlsx_of(busy_invoice(3))
    hidden = {name for name, attrs in rendered.document.sheet.cols.items() if attrs.hide}
    ws = _sheet(xlsx)
    assert hidden and all(ws.column_dimensions[name].hidden for name in hidden)


# --- page setup -------------------------------------------------------------------------


def test_the_sheet_prints_one_page_wide_as_tall_as_it_needs() -> None:
    ws = _sheet(xlsx_of(busy_invoice(3))[1])
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)


def test_the_line_table_header_repeats_on_every_printed_page() -> None:
    rendered, xlsx = xlsx_of(busy_invoice(3))
    ws = _sheet(xlsx)
    header_row = int(rendered.cells.line_amounts[0][1:]) - 1
    assert ws.print_title_rows == f"${header_row}:${header_row}"


@pytest.mark.parametrize(("letter", "paper"), [(False, "9"), (True, "1")])
def test_the_paper_is_a4_or_letter(letter: bool, paper: str) -> None:
    ws = _sheet(xlsx_of(busy_invoice(1), XlsxProperties(letter=letter))[1])
    assert str(ws.page_setup.paperSize) == paper


# --- names and properties ---------------------------------------------------------------


def test_the_workbook_carries_its_title_author_and_sheet_name() -> None:
    props = XlsxProperties(
        sheet_name="Invoice INV-2026-0007", title="Invoice INV-2026-0007", author="Acme Ltd"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_of(busy_invoice(1), props)[1]))
    assert workbook.active.title == "Invoice INV-2026-0007"
    assert (workbook.properties.title, workbook.properties.creator) == ("Invoice INV-2026-0007", "Acme Ltd")


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("Invoice INV/2026:7", "Invoice INV-2026-7"),
        ("Quote [draft] *?\\", "Quote -draft- ---"),
        ("Purchase Order PO-2026-000000000001", "Purchase Order PO-2026-00000000"),  # 31 characters
        ("'Receipt'", "Receipt"),
        ("History", "Sheet1"),
        ("", "Sheet1"),
    ],
)
def test_a_sheet_name_follows_excel_s_rules(name: str, title: str) -> None:
    assert sheet_title(name) == title


async def test_an_export_with_the_invoice_names_the_sheet_by_kind_and_number(document_stub: Stub) -> None:
    inv = invoice()
    msc = render_invoice(inv).text()
    response = await document_stub.Export(
        pb.ExportRequest(msc=msc, format=pb.EXPORT_FORMAT_XLSX, invoice=to_proto(inv))
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.active.title == "Invoice INV-2026-0042"
    assert workbook.properties.creator == "Docmesh Consulting"


async def test_a_draft_s_sheet_says_draft_in_the_document_s_language(document_stub: Stub) -> None:
    inv = invoice(number="", language="de")
    response = await document_stub.Export(
        pb.ExportRequest(msc=render_invoice(inv).text(), format=pb.EXPORT_FORMAT_XLSX, invoice=to_proto(inv))
    )
    assert openpyxl.load_workbook(io.BytesIO(response.content)).active.title.startswith("Rechnung ")


# --- LibreOffice prints it --------------------------------------------------------------


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """name → the PDF LibreOffice prints of the workbook, all converted in one run."""
    done = subprocess.run(["bash", str(ENSURE_LIBREOFFICE)], capture_output=True, text=True, check=False)
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if done.returncode != 0 or office is None:
        pytest.fail(
            f"LibreOffice is needed to print the XLSX and could not be installed: {done.stderr.strip()}"
        )
    folder = tmp_path_factory.mktemp("xlsx-print")
    books = {"lines-25": busy_invoice(25), "lines-80": busy_invoice(80)}
    for name, inv in books.items():
        (folder / f"{name}.xlsx").write_bytes(xlsx_of(inv)[1])
    subprocess.run(
        [
            office,
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *(str(folder / f"{name}.xlsx") for name in books),
        ],
        capture_output=True,
        timeout=180,
        check=True,
    )
    return {name: (folder / f"{name}.pdf").read_bytes() for name in books}


def test_libreoffice_prints_25_lines_on_one_page(printed: dict[str, bytes]) -> None:
    assert page_count(printed["lines-25"]) == 1


def test_libreoffice_prints_the_totals(printed: dict[str, bytes]) -> None:
    total = render_invoice(busy_invoice(25)).totals.total
    assert f"{total:,.2f}" in page_texts(printed["lines-25"])[0]


def test_a_long_sheet_repeats_the_table_header_on_every_printed_page(printed: dict[str, bytes]) -> None:
    pages = page_texts(printed["lines-80"])
    assert len(pages) > 1 and all("Description" in page for page in pages)


def test_text_and_error_results_are_cached_as_text_and_errors() -> None:
    doc = parse('version:1.5\ncell:A1:v:1\ncell:A2:vtf:t:0:"x"&A1\ncell:A3:vtf:n:0:A1/0\nsheet:c:1:r:3\n')
    recalculate(doc.sheet)
    ws = _values(to_xlsx(doc))
    assert (ws["A2"].value, ws["A3"].value) == ("x1", "#DIV/0!")
