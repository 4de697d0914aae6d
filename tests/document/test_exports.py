"""Exports: XLSX with live formulas and formats, CSV without formula injection, escaped HTML, MSC."""

from __future__ import annotations

import csv
import html.parser
import io

import openpyxl
import pytest

from docmesh_document.exports import (
    ExportFormat,
    display_text,
    excel_formula,
    export_document,
    to_csv,
    to_html,
    to_msc,
    to_xlsx,
)
from docmesh_document.msc import parse
from docmesh_document.render import RenderedInvoice, render_invoice
from tests.document.invoice_shapes import HOSTILE_TEXTS, invoice, named_shapes


@pytest.fixture(scope="module")
def hostile() -> RenderedInvoice:
    return render_invoice(named_shapes()["hostile-text"])


@pytest.fixture(scope="module")
def gst_pst() -> RenderedInvoice:
    return render_invoice(named_shapes()["gst-pst"])


def _workbook(r: RenderedInvoice) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(to_xlsx(r.document)))


def _csv_rows(r: RenderedInvoice) -> list[list[str]]:
    return list(csv.reader(io.StringIO(to_csv(r.document).decode("utf-8"))))


# --- XLSX ---------------------------------------------------------------------------------


def test_xlsx_carries_the_live_formulas(gst_pst: RenderedInvoice) -> None:
    ws = _workbook(gst_pst).active
    for coord in (*gst_pst.cells.line_amounts, gst_pst.cells.subtotal, gst_pst.cells.total):
        cell = ws[coord]
        assert cell.data_type == "f"
        assert cell.value == "=" + gst_pst.document.sheet.cells[coord].formula


def test_xlsx_formula_ranges_use_colons(gst_pst: RenderedInvoice) -> None:
    ws = _workbook(gst_pst).active
    first, last = gst_pst.cells.line_amounts[0], gst_pst.cells.line_amounts[-1]
    assert ws[gst_pst.cells.subtotal].value == f"=ROUND(SUM({first}:{last}),2)"


def test_xlsx_text_starting_with_formula_characters_is_a_string_cell(hostile: RenderedInvoice) -> None:
    ws = _workbook(hostile).active
    found = {}
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value in HOSTILE_TEXTS:
                found[cell.value] = cell.data_type
    assert set(found) == set(HOSTILE_TEXTS)
    assert set(found.values()) == {"s"}


def test_xlsx_has_number_formats_widths_bold_and_hidden_helpers() -> None:
    r = render_invoice(named_shapes()["several-whole-discounts-pro-rata"])
    ws = _workbook(r).active
    assert ws[r.cells.total].number_format == "#,##0.00"
    assert ws[r.cells.total].font.b
    assert ws["A1"].font.b and ws["A1"].font.sz == 18
    assert ws.column_dimensions["B"].width == pytest.approx(260 / 7, abs=0.01)
    hidden = [key for key, dim in ws.column_dimensions.items() if dim.hidden]
    assert len(hidden) == 5


def test_xlsx_dates_are_dates_with_a_date_format(gst_pst: RenderedInvoice) -> None:
    ws = _workbook(gst_pst).active
    dates = [c for row in ws.iter_rows() for c in row if getattr(c, "is_date", False)]
    assert [d.value.date().isoformat() for d in dates] == ["2026-03-15", "2026-04-14"]
    assert {d.number_format for d in dates} == {"yyyy-mm-dd"}


def test_xlsx_keeps_merged_title(gst_pst: RenderedInvoice) -> None:
    ws = _workbook(gst_pst).active
    assert "A1:B1" in {str(m) for m in ws.merged_cells.ranges}


def test_xlsx_kwd_amounts_have_three_decimals() -> None:
    r = render_invoice(named_shapes()["kwd"])
    assert _workbook(r).active[r.cells.total].number_format == "#,##0.000"


def test_excel_formula_is_the_socialcalc_formula_with_an_equals_sign() -> None:
    assert excel_formula("ROUND(SUM(G7:G9),2)") == "=ROUND(SUM(G7:G9),2)"


# --- CSV ----------------------------------------------------------------------------------


def test_csv_has_the_recalculated_totals(gst_pst: RenderedInvoice) -> None:
    rows = _csv_rows(gst_pst)
    total_row = next(row for row in rows if "Total" in row)
    assert f"{gst_pst.totals.total}" in total_row


def test_csv_neutralises_formula_injection(hostile: RenderedInvoice) -> None:
    values = [v for row in _csv_rows(hostile) for v in row]
    dangerous = [v for v in values if v[:1] in ("=", "+", "-", "@", "\t", "\r")]
    # Only numbers we computed may start with "-" (negative discounts).
    assert all(_is_number(v) for v in dangerous), dangerous
    assert "'=cmd|' /C calc'!A0" in values
    assert "'@SUM(A1:A2)" in values


def test_csv_quotes_every_field(gst_pst: RenderedInvoice) -> None:
    first_line = to_csv(gst_pst.document).decode("utf-8").split("\r\n")[0]
    assert first_line.startswith('"Invoice"')


def test_csv_leaves_out_hidden_helper_columns() -> None:
    r = render_invoice(named_shapes()["several-whole-discounts-pro-rata"])
    values = {v for row in _csv_rows(r) for v in row}
    assert "Pro-rata share" not in values


def test_csv_shows_dates_percentages_and_tax_flags(gst_pst: RenderedInvoice) -> None:
    values = {v for row in _csv_rows(gst_pst) for v in row}
    assert {"2026-03-15", "5%", "7%", "✓"} <= values


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# --- HTML ---------------------------------------------------------------------------------


class _Collector(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _collect(content: bytes) -> _Collector:
    collector = _Collector()
    collector.feed(content.decode("utf-8"))
    return collector


def test_html_escapes_markup_in_user_text(hostile: RenderedInvoice) -> None:
    page = to_html(hostile.document)
    collected = _collect(page)
    assert "script" not in collected.tags and "b" not in collected.tags
    assert set(collected.tags) <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "table",
        "colgroup",
        "col",
        "tbody",
        "tr",
        "td",
        "br",
    }
    assert "<script>alert('x')</script> & <b>bold</b>" in "".join(collected.text)


def test_html_style_values_from_the_sheet_cannot_break_out() -> None:
    r = render_invoice(invoice())
    sheet = r.document.sheet
    sheet.colors[1] = 'red" onmouseover="alert(1)'
    sheet.fonts[1] = 'normal bold 10pt "><script>x</script>'
    page = to_html(r.document).decode("utf-8")
    assert "onmouseover" not in page and "<script>" not in page


def test_html_title_is_escaped(gst_pst: RenderedInvoice) -> None:
    page = to_html(gst_pst.document, title="</title><script>").decode("utf-8")
    assert "<title>&lt;/title&gt;&lt;script&gt;</title>" in page


def test_html_shows_formatted_amounts_and_styles(gst_pst: RenderedInvoice) -> None:
    page = to_html(gst_pst.document).decode("utf-8")
    assert f">{gst_pst.totals.total:,}<" in page
    assert "font-weight:bold" in page and "background:#2C3E50" in page
    assert 'colspan="2"' in page


# --- MSC and the dispatcher ---------------------------------------------------------------


def test_msc_export_is_the_multipart_wrapper_even_for_a_bare_document() -> None:
    bare = render_invoice(invoice(), multipart=False)
    text = to_msc(bare.document).decode("utf-8")
    assert text.startswith("socialcalc:version:1.0\n")
    assert parse(text).sheet == bare.document.sheet


@pytest.mark.parametrize(
    ("fmt", "content_type", "file_name"),
    [
        (
            ExportFormat.XLSX,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "inv-1.xlsx",
        ),
        (ExportFormat.CSV, "text/csv; charset=utf-8", "inv-1.csv"),
        (ExportFormat.HTML, "text/html; charset=utf-8", "inv-1.html"),
        (ExportFormat.MSC, "text/x-socialcalc; charset=utf-8", "inv-1.msc"),
    ],
)
def test_export_document_names_the_file_and_type(
    gst_pst: RenderedInvoice, fmt: ExportFormat, content_type: str, file_name: str
) -> None:
    exported = export_document(gst_pst.document, fmt, "inv-1")
    assert (exported.content_type, exported.file_name) == (content_type, file_name)
    assert exported.content


def test_display_text_of_an_error_is_its_code() -> None:
    doc = parse("version:1.5\ncell:A1:vtf:e#DIV/0!:#DIV/0!:1/0:e:Division by zero\nsheet:c:1:r:1\n")
    assert display_text(doc.sheet, doc.sheet.cells["A1"]) == "#DIV/0!"


def test_xlsx_formulas_tokenize_and_use_only_excel_functions() -> None:
    from openpyxl.formula import Tokenizer
    from openpyxl.utils import FORMULAE

    r = render_invoice(named_shapes()["half-even-ties"])  # the richest formulas: MOD, IF, comparisons
    ws = _workbook(r).active
    functions = set()
    for row in ws.iter_rows():
        for cell in row:
            if getattr(cell, "data_type", "") == "f":
                tokens = Tokenizer(cell.value).items
                functions |= {t.value.rstrip("(") for t in tokens if t.type == "FUNC" and t.subtype == "OPEN"}
    assert {"ROUND", "SUM", "MOD", "IF", "SUMPRODUCT", "MIN"} <= functions
    assert functions <= FORMULAE


def test_xlsx_asks_for_calculation_on_load(gst_pst: RenderedInvoice) -> None:
    assert _workbook(gst_pst).calculation.fullCalcOnLoad
