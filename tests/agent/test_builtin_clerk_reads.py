"""Needless questions found on the visible sets in session 6 (T2, English): each message says what
a clerk needs to write the document, and the interpreter now writes it (with examples other than
the phrasings)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from docmesh_agent.builtin import interpret
from docmesh_agent.builtin.spelling import correct_keywords
from tests.agent.builtin_totals import TODAY


def _written(message: str):  # noqa: ANN202 - the Invoice, or the test fails
    result = interpret(message, None, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    return result.invoice


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("deliverry next tuesday", "delivery next tuesday"),
        ("Invoicce for Acme", "Invoice for Acme"),
        ("paymennt due in 30 days", "payment due in 30 days"),
    ],
)
def test_a_keyword_with_a_letter_typed_twice_is_the_keyword(typed: str, meant: str) -> None:
    assert correct_keywords(typed) == meant


@pytest.mark.parametrize("kept", ["deliver by Friday", "delivered on the 27th", "invoices for March"])
def test_an_inflection_of_a_keyword_stays_as_typed(kept: str) -> None:
    assert correct_keywords(kept) == kept


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("paid csh", "paid cash"), ("paid by crd", "paid by card"), ("paid w/ chek", "paid w/ check")],
)
def test_a_way_to_pay_one_slip_away_after_paid_is_that_way(typed: str, meant: str) -> None:
    assert correct_keywords(typed) == meant


@pytest.mark.parametrize(
    ("message", "kind"),
    [("rcpt Jenna Brooks yoga pass $120", "receipt"), ("inv Acme Corp logo design 400", "invoice")],
)
def test_a_kind_written_short_as_the_first_word_is_that_kind(message: str, kind: str) -> None:
    invoice = _written(message)
    assert invoice.kind.value == kind
    assert invoice.line_items[0].description in ("Yoga pass", "Logo design")


@pytest.mark.parametrize(
    ("message", "price", "method"),
    [
        ("receipt for Tom Hardy: oil change 65 paid cash", Decimal(65), "Cash"),
        ("receipt for Ana Ruiz: haircut 40 paid by card", Decimal(40), "Card"),
    ],
)
def test_paid_and_how_right_after_a_price_is_the_payment(message: str, price: Decimal, method: str) -> None:
    invoice = _written(message)
    assert [i.unit_price for i in invoice.line_items] == [price]
    assert invoice.payment_method == method
