"""Decimal invoice totals: each rule of the team brief's invoice semantics, one per test."""

from __future__ import annotations

from decimal import Decimal

from docmesh.type.v1 import invoice_pb2
from docmesh_common.model.invoice import DocumentKind, RoundingMode
from docmesh_common.model.totals import compute_totals, round_money
from tests.document.invoice_shapes import invoice

D = Decimal


def _lines(*lines: dict[str, object]) -> list[dict[str, object]]:
    return [{"description": f"L{i}", **line} for i, line in enumerate(lines)]


def test_line_amount_is_quantity_times_unit_price_rounded_half_up() -> None:
    t = compute_totals(invoice(taxes=[], line_items=_lines({"quantity": "3", "unit_price": "0.335"})))
    assert t.line_amounts == (D("1.01"),)


def test_half_even_rounds_exact_halves_to_the_even_neighbour() -> None:
    inv = invoice(
        taxes=[],
        rounding_mode="half_even",
        line_items=_lines({"unit_price": "0.125"}, {"unit_price": "0.135"}),
    )
    assert compute_totals(inv).line_amounts == (D("0.12"), D("0.14"))


def test_percent_line_discount_comes_off_the_rounded_gross() -> None:
    inv = invoice(
        taxes=[], line_items=_lines({"quantity": "3", "unit_price": "33.33", "discount": {"percent": "15"}})
    )
    line = compute_totals(inv).lines[0]
    assert (line.gross, line.discount, line.amount) == (D("99.99"), D("15.00"), D("84.99"))


def test_amount_line_discount_never_makes_a_line_negative() -> None:
    inv = invoice(taxes=[], line_items=_lines({"unit_price": "5", "discount": {"amount": "9"}}))
    assert compute_totals(inv).line_amounts == (D("0.00"),)


def test_subtotal_is_the_sum_of_line_amounts() -> None:
    inv = invoice(taxes=[], line_items=_lines({"unit_price": "0.10"}, {"unit_price": "0.20"}))
    assert compute_totals(inv).subtotal == D("0.30")


def test_whole_document_percent_discount_is_taken_from_the_subtotal() -> None:
    t = compute_totals(invoice(taxes=[], discounts=[{"percent": "10"}]))
    assert (t.subtotal, t.discount_total, t.total) == (D("1500.00"), D("150.00"), D("1350.00"))


def test_discount_total_is_capped_at_the_subtotal() -> None:
    t = compute_totals(invoice(taxes=[], discounts=[{"amount": "5000"}, {"percent": "50"}]))
    assert t.discounts == (D("5000.00"), D("750.00"))
    assert (t.discount_total, t.total) == (D("1500.00"), D("0.00"))


def test_tax_applies_to_every_line_when_a_line_names_no_tax() -> None:
    inv = invoice(
        taxes=[{"name": "GST", "rate_percent": "5"}, {"name": "PST", "rate_percent": "7"}],
        line_items=_lines({"unit_price": "100"}),
    )
    t = compute_totals(inv)
    assert [(x.name, x.base, x.amount) for x in t.taxes] == [
        ("GST", D("100.00"), D("5.00")),
        ("PST", D("100.00"), D("7.00")),
    ]
    assert t.tax_total == D("12.00")


def test_tax_applies_only_to_lines_naming_it_case_insensitively() -> None:
    inv = invoice(
        taxes=[{"name": "GST", "rate_percent": "5"}, {"name": "PST", "rate_percent": "7"}],
        line_items=_lines(
            {"unit_price": "100", "tax_names": ["gst"]}, {"unit_price": "10", "tax_names": ["PST"]}
        ),
    )
    t = compute_totals(inv)
    assert [x.base for x in t.taxes] == [D("100.00"), D("10.00")]


def test_exempt_lines_carry_no_tax() -> None:
    inv = invoice(line_items=_lines({"unit_price": "100", "tax_exempt": True}, {"unit_price": "50"}))
    assert compute_totals(inv).taxes[0].base == D("50.00")


def test_tax_base_is_reduced_pro_rata_by_whole_document_discounts() -> None:
    inv = invoice(
        taxes=[{"name": "VAT", "rate_percent": "10"}],
        discounts=[{"amount": "30"}],
        line_items=_lines({"unit_price": "100"}, {"unit_price": "200", "tax_exempt": True}),
    )
    tax = compute_totals(inv).taxes[0]
    assert (tax.taxable, tax.base, tax.amount) == (D("100.00"), D("90.00"), D("9.00"))


def test_pro_rata_base_rounds_an_exact_tie_with_the_rounding_mode() -> None:
    shape = {
        "taxes": [{"name": "VAT", "rate_percent": "10"}],
        "discounts": [{"amount": "0.03"}],
        "line_items": _lines({"unit_price": "100"}, {"unit_price": "100", "tax_exempt": True}),
    }
    assert compute_totals(invoice(**shape)).taxes[0].base == D("99.99")  # 99.985 half up
    assert compute_totals(invoice(rounding_mode="half_even", **shape)).taxes[0].base == D("99.98")


def test_shipping_is_added_after_tax_and_not_taxed() -> None:
    t = compute_totals(invoice(shipping="25"))
    assert (t.tax_total, t.shipping, t.total) == (D("120.00"), D("25.00"), D("1645.00"))


def test_balance_due_is_total_less_amount_paid() -> None:
    t = compute_totals(invoice(kind=DocumentKind.RECEIPT, amount_paid="620.004"))
    assert (t.total, t.amount_paid, t.balance_due) == (D("1620.00"), D("620.00"), D("1000.00"))


def test_balance_due_is_the_total_when_nothing_was_paid() -> None:
    t = compute_totals(invoice(kind=DocumentKind.RECEIPT))
    assert (t.amount_paid, t.balance_due) == (D("0.00"), t.total)


def test_amounts_have_the_currency_minor_units() -> None:
    jpy = compute_totals(
        invoice(currency_code="JPY", line_items=_lines({"quantity": "3", "unit_price": "333.5"}))
    )
    kwd = compute_totals(
        invoice(currency_code="KWD", line_items=_lines({"quantity": "3", "unit_price": "0.1235"}))
    )
    assert (jpy.subtotal, jpy.tax_total, jpy.total) == (D("1001"), D("80"), D("1081"))
    assert (kwd.subtotal, kwd.total) == (D("0.371"), D("0.401"))


def test_round_money_uses_the_currency_and_mode() -> None:
    assert round_money(D("2.5"), "JPY") == D("3")
    assert round_money(D("2.5"), "JPY", RoundingMode.HALF_EVEN) == D("2")
    assert round_money(D("0.0005"), "KWD") == D("0.001")


def test_totals_convert_to_the_proto_message() -> None:
    t = compute_totals(invoice(taxes=[{"name": "GST", "rate_percent": "5"}], discounts=[{"percent": "10"}]))
    msg = t.to_proto()
    assert isinstance(msg, invoice_pb2.InvoiceTotals)
    assert (msg.subtotal.amount, msg.subtotal.currency_code) == ("1500.00", "USD")
    assert msg.discount_total.amount == "150.00"
    assert [(x.name, x.rate_percent, x.base.amount, x.amount.amount) for x in msg.taxes] == [
        ("GST", "5", "1350.00", "67.50")
    ]
    assert (msg.total.amount, msg.balance_due.amount) == ("1417.50", "1417.50")
    assert [m.amount for m in msg.line_amounts] == ["1500.00"]
