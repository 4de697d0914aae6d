"""Properties of the Decimal totals and of the rendered formulas, over generated invoices.

The renderer's formulas are recalculated by docmesh's engine, which computes in IEEE doubles
exactly as SocialCalc does (the oracle tests hold it to that); here hypothesis searches for
an invoice whose formulas would drift from the Decimal totals.
"""

from __future__ import annotations

import copy
from decimal import Decimal

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from docmesh_common.model.invoice import Invoice
from docmesh_common.model.totals import compute_totals
from docmesh_document.msc import recalculate
from docmesh_document.render import precision_findings, render_invoice


def _decimal(max_whole: int, places: int) -> st.SearchStrategy[str]:
    return st.integers(0, max_whole * 10**places).map(lambda n: str(Decimal(n).scaleb(-places)))


_places = st.sampled_from([0, 1, 2, 3, 4])
_quantity = _places.flatmap(lambda p: _decimal(500, p)).filter(lambda q: Decimal(q) > 0)
_price = _places.flatmap(lambda p: _decimal(20_000, p))
_percent = st.sampled_from([0, 1, 2]).flatmap(lambda p: _decimal(100, p))
_discount = st.one_of(
    st.builds(lambda p: {"percent": p}, _percent),
    st.builds(lambda a: {"amount": a}, _decimal(5_000, 2)),
)
_TAX_NAMES = ["GST", "PST", "VAT"]


@st.composite
def invoices(draw: st.DrawFn) -> Invoice:
    taxes = [
        {
            "name": name,
            "rate_percent": draw(st.sampled_from(["0", "5", "7", "8.25", "9.975", "12.5", "19", "20"])),
        }
        for name in draw(st.lists(st.sampled_from(_TAX_NAMES), unique=True, max_size=3))
    ]
    lines = []
    for i in range(draw(st.integers(1, 8))):
        line: dict[str, object] = {
            "description": f"L{i}",
            "quantity": draw(_quantity),
            "unit_price": draw(_price),
        }
        if taxes and draw(st.booleans()):
            line["tax_names"] = draw(
                st.lists(st.sampled_from([t["name"] for t in taxes]), unique=True, min_size=1)
            )
        line["tax_exempt"] = draw(st.booleans()) and draw(st.booleans())
        if draw(st.booleans()):
            line["discount"] = draw(_discount)
        lines.append(line)
    data: dict[str, object] = {
        "currency_code": draw(st.sampled_from(["USD", "JPY", "KWD", "EUR", "CLF"])),
        "rounding_mode": draw(st.sampled_from(["half_up", "half_even"])),
        "line_items": lines,
        "taxes": taxes,
        "discounts": draw(st.lists(_discount, max_size=3)),
    }
    if draw(st.booleans()):
        data["shipping"] = draw(_decimal(200, 2))
    if draw(st.booleans()):
        data["amount_paid"] = draw(_decimal(50_000, 2))
    return Invoice.model_validate(data)


PROPERTY_SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(invoices())
def test_every_amount_has_exactly_the_currency_minor_units(invoice: Invoice) -> None:
    t = compute_totals(invoice)
    amounts = [t.subtotal, t.discount_total, t.tax_total, t.shipping, t.total, t.amount_paid, t.balance_due]
    amounts += [x for line in t.lines for x in (line.gross, line.discount, line.amount)]
    amounts += [x for tax in t.taxes for x in (tax.taxable, tax.base, tax.amount)]
    assert {-a.as_tuple().exponent for a in amounts} == {t.minor_units}  # type: ignore[operator]


@PROPERTY_SETTINGS
@given(invoices())
def test_totals_add_up(invoice: Invoice) -> None:
    t = compute_totals(invoice)
    assert t.subtotal == sum(t.line_amounts, Decimal(0))
    assert t.total == t.subtotal - t.discount_total + t.tax_total + t.shipping
    assert t.balance_due == t.total - t.amount_paid
    assert t.tax_total == sum((x.amount for x in t.taxes), Decimal(0))


@PROPERTY_SETTINGS
@given(invoices())
def test_nothing_is_negative_and_discounts_never_exceed_what_they_reduce(invoice: Invoice) -> None:
    t = compute_totals(invoice)
    assert all(Decimal(0) <= line.discount <= line.gross for line in t.lines)
    assert Decimal(0) <= t.discount_total <= t.subtotal
    assert all(Decimal(0) <= tax.base <= tax.taxable <= t.subtotal for tax in t.taxes)
    assert t.total >= 0


@PROPERTY_SETTINGS
@given(invoices())
def test_rendered_formulas_recalculate_to_the_decimal_totals(invoice: Invoice) -> None:
    rendered = render_invoice(invoice)
    assume(not precision_findings(rendered))  # beyond those limits the sheet says it may drift
    sheet = copy.deepcopy(rendered.document.sheet)
    result = recalculate(sheet)
    assert (result.errors, result.cycles) == ({}, [])
    got = {coord: Decimal(repr(sheet.cells[coord].value)) for coord in rendered.expected_values()}
    assert got == rendered.expected_values()
