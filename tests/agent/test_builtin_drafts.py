"""Specifications of the builtin interpreter's draft (what was read before it is a document) and labels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docmesh_agent.builtin.drafts import Draft, DraftItem, DueSpec, line_of
from docmesh_agent.builtin.labels import capitalised, plain_number, relabel_unit, singular, uncapitalised
from docmesh_agent.builtin.money import Money
from docmesh_common.model.invoice import DocumentKind, Party, Tax

ISSUE = dt.date(2026, 1, 30)  # a Friday


def test_days_and_weeks_are_net_terms() -> None:
    assert DueSpec.after(2, "weeks") == DueSpec(days=14)
    assert DueSpec.after(30, "days") == DueSpec(days=30)


def test_months_and_business_days_are_calendar_spans() -> None:
    assert DueSpec.after(1, "month") == DueSpec(span=(1, "month"))
    assert DueSpec.after(3, "business days") == DueSpec(span=(3, "business days"))


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (DueSpec(days=30), dt.date(2026, 3, 1)),
        (DueSpec(span=(1, "month")), dt.date(2026, 2, 28)),
        (DueSpec(span=(1, "year")), dt.date(2027, 1, 30)),
        (DueSpec(span=(1, "business day")), dt.date(2026, 2, 2)),
        (DueSpec(on_receipt=True), ISSUE),
        (DueSpec(date=dt.date(2026, 4, 1)), dt.date(2026, 4, 1)),
    ],
)
def test_a_due_date_counts_from_the_issue_date(due: DueSpec, expected: dt.date) -> None:
    assert due.due_date(ISSUE) == expected


def test_missing_fields_are_listed_in_the_order_they_are_asked() -> None:
    draft = Draft(items=[DraftItem(description=""), DraftItem(description="Logo", unit_price=Decimal(400))])
    assert draft.missing() == ("buyer", "line_items[0].description", "line_items[0].unit_price")


def test_a_receipt_needs_no_buyer() -> None:
    draft = Draft(kind=DocumentKind.RECEIPT, items=[DraftItem(description="Coffee", unit_price=Decimal(3))])
    assert draft.missing() == ()


def test_a_draft_without_lines_asks_for_them() -> None:
    assert Draft(buyer=Party(name="Acme")).missing() == ("line_items",)


def test_line_of_reads_the_line_a_missing_field_is_on() -> None:
    assert line_of("line_items[12].unit_price") == 12


def test_a_tax_said_twice_keeps_the_last_rate() -> None:
    draft = Draft()
    draft.set_tax("VAT", Decimal(20))
    draft.set_tax("vat", Decimal(21))
    assert draft.taxes == [Tax(name="vat", rate_percent=Decimal(21))]


def test_amounts_in_two_currencies_warn_once() -> None:
    draft = Draft()
    for currency in ("EUR", "GBP", "GBP", None):
        draft.note_currency(Money(Decimal(1), currency, 0, 1))
    assert draft.currency_hint == "EUR"
    assert len(draft.warnings) == 1
    assert "EUR and GBP" in draft.warnings[0]


def test_a_draft_line_is_a_plain_invoice_line() -> None:
    data = DraftItem(description="QA", quantity=Decimal(2), unit="hours", unit_price=Decimal(80)).line_data()
    assert data == {
        "description": "QA",
        "quantity": Decimal(2),
        "unit": "hours",
        "unit_price": Decimal(80),
        "tax_names": [],
        "tax_exempt": False,
        "discount": None,
        "sku": "",
    }


def test_capitalised_and_uncapitalised_change_only_the_first_letter() -> None:
    assert capitalised("thanks for your business") == "Thanks for your business"
    assert uncapitalised("Logo Design") == "logo Design"
    assert capitalised("") == uncapitalised("") == ""


def test_plain_number_drops_trailing_zeros() -> None:
    assert plain_number(Decimal("10.00")) == "10"
    assert plain_number(Decimal("12.50")) == "12.5"


@pytest.mark.parametrize(
    ("unit", "one"), [("hours", "hour"), ("boxes", "box"), ("pcs", "pc"), ("glass", "glass")]
)
def test_singular_names_one_unit(unit: str, one: str) -> None:
    assert singular(unit) == one


def test_relabel_unit_follows_the_quantity_and_keeps_unknown_units() -> None:
    assert relabel_unit("hours", Decimal(1)) == "hour"
    assert relabel_unit("hour", Decimal(3)) == "hours"
    assert relabel_unit("boxes", Decimal(1)) == "boxes"
