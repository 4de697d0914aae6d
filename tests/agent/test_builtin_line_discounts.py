"""Issue 13 reading rules of the builtin interpreter: a discount said of one line (amounts off in
brackets or after "with", a number before a bracket), split from test_builtin_reading.py by job."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docmesh_agent.builtin import interpret
from docmesh_common.model.invoice import Discount, Invoice
from docmesh_common.model.totals import compute_totals

# --- discounts said of one line -------------------------------------------------------------

DEC_3 = dt.date(2026, 12, 3)


def _discounted_lines(invoice: Invoice | None) -> list[tuple[str, Decimal, Decimal, Discount | None]]:
    assert invoice is not None
    return [(li.description, li.quantity, li.unit_price, li.discount) for li in invoice.line_items]


def test_an_amount_off_in_brackets_is_that_lines_discount_not_part_of_its_price() -> None:
    result = interpret("Invoice Acme: widget at 60 (100 off), 2 hours of QA at 50", None, today=DEC_3)
    assert result.action == "generate"
    assert result.invoice is not None
    assert _discounted_lines(result.invoice) == [
        ("Widget", Decimal(1), Decimal(60), Discount(amount=Decimal(100))),
        ("QA", Decimal(2), Decimal(50), None),
    ]
    assert result.invoice.discounts == []
    # The one arithmetic caps a line's discount at the line: 0 + 100.
    assert compute_totals(result.invoice).total == Decimal("100.00")


def test_a_currency_amount_off_in_brackets_is_that_lines_discount() -> None:
    result = interpret("Invoice Globex: 3 chairs at 40 ($25 discount), setup for 90", None, today=DEC_3)
    assert _discounted_lines(result.invoice) == [
        ("Chairs", Decimal(3), Decimal(40), Discount(amount=Decimal(25))),
        ("Setup", Decimal(1), Decimal(90), None),
    ]


@pytest.mark.parametrize(
    ("message", "first", "second"),
    [
        ("Invoice Acme: widget at 60 (100 pcs)", "60", "100"),
        ("Invoice Acme: QA at 50 (2 hours)", "50", "2"),
    ],
)
def test_a_number_before_an_opening_bracket_is_never_thousands_grouped_with_the_next(
    message: str, first: str, second: str
) -> None:
    # What the bracketed number is cannot be told, so it is asked, never read as 60100.
    result = interpret(message, None, today=DEC_3)
    assert result.action == "question"
    assert result.missing == ("line_items[0].unit_price",)
    assert f"{first} or {second}?" in result.reply


def test_an_amount_off_after_with_is_that_lines_discount_not_the_documents() -> None:
    result = interpret(
        "Invoice Acme for a widget at 60 with 100 off, and 2 hours of QA at 50", None, today=DEC_3
    )
    assert result.invoice is not None
    assert _discounted_lines(result.invoice) == [
        ("Widget", Decimal(1), Decimal(60), Discount(amount=Decimal(100))),
        ("QA", Decimal(2), Decimal(50), None),
    ]
    assert result.invoice.discounts == []


def test_a_currency_amount_off_after_with_is_that_lines_discount_also_with_another_line_after() -> None:
    result = interpret(
        "Invoice Initech: logo design at $400 with a $50 discount and 3 hours of support at $80",
        None,
        today=DEC_3,
    )
    assert result.invoice is not None
    assert _discounted_lines(result.invoice) == [
        ("Logo design", Decimal(1), Decimal(400), Discount(amount=Decimal(50))),
        ("Support", Decimal(3), Decimal(80), None),
    ]
    assert result.invoice.discounts == []


def _widget_and_qa() -> Invoice:
    result = interpret("Invoice Acme: widget at 60, 2 hours of QA at 50", None, today=DEC_3)
    assert result.invoice is not None
    return result.invoice


@pytest.mark.parametrize(
    ("message", "index", "discount"),
    [
        ("discount the widget by 100", 0, Discount(amount=Decimal(100))),
        ("discount the widget by 10%", 0, Discount(percent=Decimal(10))),
        ("discount line 2 by $20", 1, Discount(amount=Decimal(20))),
        ("discount the QA by 15 percent", 1, Discount(percent=Decimal(15))),
    ],
)
def test_discount_a_line_by_an_amount_or_percent_is_that_lines_discount(
    message: str, index: int, discount: Discount
) -> None:
    current = _widget_and_qa()
    result = interpret(message, current, today=DEC_3)
    assert result.action == "edit"
    assert result.invoice is not None
    assert [li.discount for li in result.invoice.line_items] == [
        discount if i == index else None for i in range(2)
    ]
    assert [li.unit_price for li in result.invoice.line_items] == [Decimal(60), Decimal(50)]
    assert result.invoice.discounts == []


def test_discount_a_line_that_is_not_there_asks_and_leaves_the_document() -> None:
    result = interpret("discount the gizmo by 10", _widget_and_qa(), today=DEC_3)
    assert result.action == "question"
    assert result.invoice is None


def test_time_off_after_with_is_asked_about_never_a_discount_of_one() -> None:
    # "1 day off" has a unit: it is neither the line's discount nor a document discount of 1;
    # what it takes off is asked.
    result = interpret("Invoice Acme: cleaning at 60 with 1 day off", None, today=DEC_3)
    assert result.action == "question" and result.invoice is None
    assert "“1 day off”" in result.reply and "?" in result.reply
