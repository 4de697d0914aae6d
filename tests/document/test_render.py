"""Invoice rendering: layout, fields per kind, formats, and agreement with docmesh's own engine.

The oracle tests (test_render_oracle.py) judge the same documents in the real SocialCalc.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal

import pytest

from docmesh_common.model.invoice import DocumentKind, RoundingMode
from docmesh_document.invoice_checks import check_invoice_document, validate_invoice
from docmesh_document.labels import labels
from docmesh_document.msc import CellKind, parse, recalculate
from docmesh_document.render import (
    RenderedInvoice,
    precision_findings,
    precision_limit,
    render_invoice,
    rounding_formula,
)
from docmesh_document.sheet_layout import money_format
from tests.document.invoice_shapes import HOSTILE_TEXTS, invoice, named_shapes, random_invoice

SHAPES = {**named_shapes(), **{f"random-{s}": random_invoice(s) for s in range(24)}}


def _texts(r: RenderedInvoice) -> list[str]:
    return [c.value for c in r.document.sheet.cells.values() if c.kind is CellKind.TEXT]  # type: ignore[misc]


@pytest.mark.parametrize("name", list(SHAPES))
def test_docmesh_recalculation_changes_no_cached_value(name: str) -> None:
    r = render_invoice(SHAPES[name])
    sheet = copy.deepcopy(r.document.sheet)
    result = recalculate(sheet)
    assert (result.changed, result.errors, result.cycles) == ([], {}, [])


@pytest.mark.parametrize("name", list(SHAPES))
def test_rendered_text_validates_with_invoice_checks(name: str) -> None:
    findings = validate_invoice(render_invoice(SHAPES[name]).text())
    assert findings == []


@pytest.mark.parametrize("name", ["gst-pst", "hostile-text", "two-hundred-lines", "receipt-partial"])
def test_both_containers_parse_back_to_the_rendered_sheet(name: str) -> None:
    r = render_invoice(SHAPES[name])
    assert parse(r.text()).sheet == r.document.sheet
    assert parse(r.text(multipart=False)).sheet == r.document.sheet


def test_multipart_is_the_default_container() -> None:
    r = render_invoice(invoice())
    assert r.text().startswith("socialcalc:version:1.0\n")
    assert r.text(multipart=False).startswith("version:1.5\n")
    assert render_invoice(invoice(), multipart=False).text().startswith("version:1.5\n")


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        (DocumentKind.INVOICE, "Invoice"),
        (DocumentKind.QUOTE, "Quote"),
        (DocumentKind.RECEIPT, "Receipt"),
        (DocumentKind.PURCHASE_ORDER, "Purchase Order"),
    ],
)
def test_title_follows_the_kind(kind: DocumentKind, title: str) -> None:
    assert render_invoice(invoice(kind=kind)).document.sheet.cells["A1"].value == title


def test_explicit_title_overrides_the_kind() -> None:
    assert render_invoice(invoice(title="Pro forma")).document.sheet.cells["A1"].value == "Pro forma"


def test_invoice_shows_number_dates_terms_parties_and_currency() -> None:
    r = render_invoice(invoice(reference="PO-77"))
    texts = _texts(r)
    for expected in (
        "Invoice no.",
        "INV-2026-0042",
        "Issue date",
        "Due date",
        "Net 30",
        "Reference",
        "PO-77",
    ):
        assert expected in texts
    for expected in ("From", "Docmesh Consulting", "Bill to", "Acme Corp", "Tax ID GB123", "Currency", "USD"):
        assert expected in texts


def test_dates_are_typed_date_constants_with_a_date_format() -> None:
    sheet = render_invoice(invoice()).document.sheet
    dates = [c for c in sheet.cells.values() if c.valuetype == "nd"]
    assert [(c.source, c.value) for c in dates] == [("2026-03-15", 46096.0), ("2026-04-14", 46126.0)]
    assert {sheet.valueformats[c.nontextvalueformat] for c in dates} == {"yyyy-mm-dd"}


def test_quote_shows_valid_until() -> None:
    texts = _texts(render_invoice(SHAPES["quote"]))
    assert {"Quote no.", "Q-7", "Valid until", "Prepared for"} <= set(texts)


def test_delivery_date_and_service_period_are_printed_with_their_labels() -> None:
    shown = invoice().model_copy(
        update={
            "delivery_date": dt.date(2026, 4, 1),
            "service_period_start": dt.date(2026, 3, 1),
            "service_period_end": dt.date(2026, 3, 31),
        }
    )
    r = render_invoice(shown)
    assert {"Delivery date", "Service period", "2026-03-01 – 2026-03-31"} <= set(_texts(r))
    dates = [c.source for c in r.document.sheet.cells.values() if c.valuetype == "nd"]
    assert "2026-04-01" in dates


def test_a_purchase_order_prints_its_delivery_date_as_deliver_by() -> None:
    order = invoice().model_copy(
        update={"kind": DocumentKind.PURCHASE_ORDER, "due_date": None, "delivery_date": dt.date(2026, 3, 5)}
    )
    assert "Deliver by" in _texts(render_invoice(order))


def test_receipt_shows_amount_paid_balance_and_payment_method() -> None:
    r = render_invoice(SHAPES["receipt-partial"])
    assert {"Amount paid", "Balance due", "Payment method", "Cash", "Received from"} <= set(_texts(r))
    assert r.cells.balance_due is not None and r.cells.amount_paid is not None


def test_purchase_order_names_vendor_and_buyer() -> None:
    texts = _texts(render_invoice(SHAPES["purchase-order"]))
    assert {"Purchase Order", "PO number", "PO-9", "Vendor", "Buyer", "Deliver by", "Shipping"} <= set(texts)


def test_plain_invoice_has_no_payment_rows() -> None:
    r = render_invoice(invoice())
    assert (r.cells.amount_paid, r.cells.balance_due) == (None, None)
    assert "Balance due" not in _texts(r)


def test_each_tax_gets_a_row_with_its_rate_and_a_line_flag_column() -> None:
    r = render_invoice(SHAPES["gst-pst"])
    sheet = r.document.sheet
    rates = sorted(c.source for c in sheet.cells.values() if c.valuetype == "n%")
    assert rates == ["5%", "7%"]
    assert {"GST", "PST", "Total tax"} <= set(_texts(r))
    assert len(r.cells.tax_amounts) == 2 and r.cells.tax_total not in r.cells.tax_amounts


@pytest.mark.parametrize(("currency", "fmt"), [("JPY", "#,##0"), ("USD", "#,##0.00"), ("KWD", "#,##0.000")])
def test_amounts_use_the_currency_minor_units(currency: str, fmt: str) -> None:
    r = render_invoice(invoice(currency_code=currency))
    sheet = r.document.sheet
    total = sheet.cells[r.cells.total]
    assert sheet.valueformats[total.nontextvalueformat] == fmt
    assert f"Amount ({currency})" in _texts(r)
    assert total.formula == f"ROUND({r.cells.subtotal}+{r.cells.tax_total},{len(fmt.partition('.')[2])})"


def test_money_format_counts_the_minor_unit_digits() -> None:
    assert [money_format(d) for d in (0, 2, 3, 4)] == ["#,##0", "#,##0.00", "#,##0.000", "#,##0.0000"]


def test_rounding_formula_snaps_the_scaled_value_before_rounding() -> None:
    assert rounding_formula("B7*C7", 2, RoundingMode.HALF_UP) == "ROUND(ROUND(B7*C7*100,6),0)/100"
    assert rounding_formula("B7*C7", 0, RoundingMode.HALF_UP) == "ROUND(ROUND(B7*C7,8),0)"


def test_half_even_formula_subtracts_one_on_an_even_tie() -> None:
    formula = rounding_formula("X", 2, RoundingMode.HALF_EVEN)
    assert formula == "(ROUND(ROUND(X*100,6),0)-(MOD(ROUND(X*100,6),2)=0.5))/100"


def test_line_amounts_are_formulas_over_quantity_and_unit_price() -> None:
    r = render_invoice(invoice())
    cell = r.document.sheet.cells[r.cells.line_amounts[0]]
    assert cell.kind is CellKind.FORMULA
    row = r.cells.line_amounts[0][1:]
    assert f"C{row}*E{row}" in cell.formula or f"C{row}*D{row}" in cell.formula
    assert cell.value == 1500.0


def test_text_that_looks_like_a_formula_is_stored_as_text() -> None:
    r = render_invoice(SHAPES["hostile-text"])
    cells = r.document.sheet.cells.values()
    hostile = [c for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert hostile and all(c.kind is CellKind.TEXT and c.valuetype == "t" for c in hostile)
    assert not any(c.formula.startswith(tuple(HOSTILE_TEXTS)) for c in cells)


def test_user_text_is_escaped_in_the_saved_text() -> None:
    text = render_invoice(invoice(notes="a:b\\c\nd")).text()
    assert "t:a\\cb\\bc\\nd:" in text


def test_carriage_returns_in_user_text_become_newlines() -> None:
    r = render_invoice(invoice(notes="one\r\ntwo\rthree"))
    assert "one\ntwo\nthree" in _texts(r)


def test_columns_have_widths_and_helpers_are_hidden() -> None:
    sheet = render_invoice(SHAPES["several-whole-discounts-pro-rata"]).document.sheet
    assert all(attrs.width for attrs in sheet.cols.values())
    hidden = [name for name, attrs in sheet.cols.items() if attrs.hide]
    assert len(hidden) == 5  # taxable, partial remainder, remainder, share, base


def test_header_row_is_bold_white_on_a_dark_background() -> None:
    sheet = render_invoice(invoice()).document.sheet
    header = next(c for c in sheet.cells.values() if c.value == "Description")
    assert "bold" in sheet.fonts[header.font]
    assert sheet.colors[header.color] == "rgb(255,255,255)"
    assert header.bgcolor


def test_render_validation_of_the_model_is_clean() -> None:
    r = render_invoice(SHAPES["two-hundred-lines"])
    assert check_invoice_document(r.document) == []


def test_expected_values_cover_every_total() -> None:
    r = render_invoice(SHAPES["receipt-partial"])
    expected = r.expected_values()
    assert expected[r.cells.total] == r.totals.total == Decimal("1620.00")
    assert expected[r.cells.balance_due] == Decimal("1519.54")  # type: ignore[index]


def test_amounts_beyond_double_precision_are_flagged() -> None:
    huge = render_invoice(
        invoice(line_items=[{"description": "x", "quantity": "999999999", "unit_price": "99999.99"}])
    )
    assert [f.code for f in precision_findings(huge)] == ["float-precision"]
    assert precision_findings(render_invoice(SHAPES["large-amounts"])) == []


def test_precision_limit_follows_the_minor_units() -> None:
    assert precision_limit(2) == Decimal(2**53).scaleb(-8)
    assert precision_limit(3) == Decimal(2**53).scaleb(-9)
    assert precision_limit(0) == Decimal(2**53).scaleb(-8)


# --- printed words: the sheet's and the PDF's come from one table (labels.py) ----------------


def test_a_draft_shows_draft_where_the_number_goes() -> None:
    texts = _texts(render_invoice(invoice(number="")))
    assert texts[texts.index("Invoice no.") + 1] == "DRAFT"


@pytest.mark.parametrize("language", ["en", "es", "de", "fr"])
def test_the_sheet_prints_the_words_of_the_document_s_language(language: str) -> None:
    words = labels(language)
    inv = invoice(language=language, notes="n", shipping="5", discounts=[{"percent": "5"}, {"amount": "1"}])
    texts = _texts(render_invoice(inv))
    for word in (
        words.titles[DocumentKind.INVOICE],
        words.number[DocumentKind.INVOICE],
        words.issue_date[DocumentKind.INVOICE],
        words.description,
        words.subtotal,
        words.total_discount,
        words.shipping,
        words.total,
        words.notes,
        words.currency,
    ):
        assert word in texts, word


def test_a_party_block_shows_postal_code_and_city_country_and_company_id() -> None:
    buyer = {
        "name": "Muster GmbH",
        "postal_code": "10115",
        "city": "Berlin",
        "country_code": "DE",
        "company_id": "HRB 12345",
        "website": "muster.example",
    }
    texts = _texts(render_invoice(invoice(buyer=buyer, language="de")))
    for line in ("Muster GmbH", "10115 Berlin", "Deutschland", "Handelsregister HRB 12345", "muster.example"):
        assert line in texts, line
