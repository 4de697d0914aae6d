"""The EN 16931 VAT breakdown (BG-23) and document totals (BG-22) derived in totals.py."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from docmesh_common.model.invoice import Discount, Invoice, LineItem, Tax
from docmesh_common.model.totals import compute_totals, vat_breakdown
from docmesh_common.model.vat import VatCategory

D = Decimal


def _line(price: str, **fields: object) -> LineItem:
    return LineItem(description="Item", unit_price=D(price), **fields)  # type: ignore[arg-type]


def test_lines_are_grouped_by_category_and_rate() -> None:
    invoice = Invoice(
        currency_code="EUR",
        taxes=[Tax(name="VAT", rate_percent=D(19)), Tax(name="Reduced", rate_percent=D(7))],
        line_items=[
            _line("100", tax_names=["VAT"]),
            _line("50", tax_names=["Reduced"]),
            _line("30", tax_exempt=True),
        ],
    )
    groups = {(g.category, g.rate_percent): g for g in vat_breakdown(invoice).groups}
    assert groups[(VatCategory.STANDARD, D(19))].amount == D("19.00")
    assert groups[(VatCategory.STANDARD, D(7))].amount == D("3.50")
    assert groups[(VatCategory.EXEMPT, D(0))].exemption_reason == "Exempt from VAT"


def test_untaxed_shipping_is_an_exempt_charge() -> None:
    invoice = Invoice(
        currency_code="EUR",
        taxes=[Tax(name="VAT", rate_percent=D(19))],
        line_items=[_line("100")],
        shipping=D("4.90"),
    )
    breakdown = vat_breakdown(invoice)
    assert breakdown.shipping_category is VatCategory.EXEMPT
    assert breakdown.charge_total == D("4.90")
    assert breakdown.tax_inclusive == compute_totals(invoice).total == D("123.90")


def test_a_kwd_e_invoice_is_computed_in_two_decimals() -> None:
    invoice = Invoice(currency_code="KWD", line_items=[_line("1.005")])
    assert compute_totals(invoice).subtotal == D("1.005")
    assert vat_breakdown(invoice).line_total == D("1.01")


def test_split_document_discounts_add_up_to_the_discount_total() -> None:
    invoice = Invoice(
        currency_code="EUR",
        taxes=[Tax(name="A", rate_percent=D(19)), Tax(name="B", rate_percent=D(7))],
        line_items=[_line("1", tax_names=["A"]), _line("1", tax_names=["B"]), _line("1", tax_exempt=True)],
        discounts=[Discount(amount=D(1))],
    )
    breakdown = vat_breakdown(invoice)
    assert sum(g.allowance for g in breakdown.groups) == breakdown.allowance_total == D("1.00")


_prices = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)


@st.composite
def _baskets(draw: st.DrawFn) -> Invoice:
    taxes = [Tax(name="VAT", rate_percent=D(19)), Tax(name="Reduced", rate_percent=D(7))]
    lines = [
        LineItem(
            description="Item",
            quantity=draw(st.decimals(min_value=D("0.5"), max_value=D(20), places=1)),
            unit_price=draw(_prices),
            **draw(
                st.sampled_from([{"tax_names": ["VAT"]}, {"tax_names": ["Reduced"]}, {"tax_exempt": True}])
            ),
        )
        for _ in range(draw(st.integers(1, 6)))
    ]
    percent = draw(st.none() | st.decimals(min_value=D(0), max_value=D(30), places=1))
    return Invoice(
        currency_code=draw(st.sampled_from(["EUR", "JPY", "KWD"])),
        taxes=taxes,
        line_items=lines,
        discounts=[] if percent is None else [Discount(percent=percent)],
        shipping=draw(st.none() | _prices),
    )


@settings(max_examples=150, deadline=None)
@given(_baskets())
def test_br_co_10_to_16_hold_exactly(invoice: Invoice) -> None:
    b = vat_breakdown(invoice)
    assert b.line_total == sum(line.amount for line in b.lines)  # BR-CO-10
    assert b.allowance_total == sum(g.allowance for g in b.groups)  # BR-CO-11
    assert b.charge_total == sum(g.charge for g in b.groups)  # BR-CO-12
    assert b.tax_exclusive == b.line_total - b.allowance_total + b.charge_total  # BR-CO-13
    assert b.tax_total == sum(g.amount for g in b.groups)  # BR-CO-14
    assert b.tax_inclusive == b.tax_exclusive + b.tax_total  # BR-CO-15
    assert b.payable == b.tax_inclusive - b.prepaid  # BR-CO-16
    assert sum(g.taxable for g in b.groups) == b.tax_exclusive  # BR-S-08 summed over the groups


@settings(max_examples=100, deadline=None)
@given(_baskets())
def test_without_whole_document_discounts_the_e_invoice_total_is_the_sheet_total(invoice: Invoice) -> None:
    invoice = invoice.model_copy(update={"discounts": [], "currency_code": "EUR"})
    assert vat_breakdown(invoice).tax_inclusive == compute_totals(invoice).total
