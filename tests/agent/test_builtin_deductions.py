"""Amounts that are paid already or taken away are never charged (issue 13, I13): "already paid
500" is the amount paid (the total stays what was sold); "trade-in 300", "credit 100", "refund
100", "cap at 1200", "max 1200", "round down to 1400", "but charge only 8" are asked about, never
added as lines. Each was a line that raised the total."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docmesh_agent.builtin import interpret
from docmesh_common.model.totals import compute_totals

TODAY = dt.date(2026, 3, 12)


@pytest.mark.parametrize(
    "message",
    [
        "Invoice Acme: 2 laptops at 1200, deposit paid 500",
        "Invoice Acme: 2 laptops at 1200, already paid 500",
        "Invoice Acme: 2 laptops at 1200, deposit 500 received",
        "Factura para Acme: 2 portátiles a 1200, anticipo de 500 recibido",
        "Rechnung an Acme: 2 Laptops je 1200, Anzahlung 500 erhalten",
        "Facture pour Acme : 2 portables à 1200, acompte de 500 reçu",
    ],
)
def test_a_deposit_already_paid_is_the_amount_paid_not_a_line(message: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    totals = compute_totals(result.invoice)
    assert totals.total == Decimal("2400.00")
    assert totals.balance_due == Decimal("1900.00")


@pytest.mark.parametrize(
    "message",
    [
        "Invoice Acme: 2 laptops at 1200, trade-in 300",
        "Invoice Acme: 2 laptops at 1200, credit 100",
        "Invoice Acme: 2 laptops at 1200, refund 100",
        "Invoice Acme: 10 hours at 150, cap at 1200",
        "Invoice Acme: 10 hours at 150, max 1200",
        "Invoice Acme: 10 hours at 150, round down to 1400",
        "Invoice Acme: 10 hours at 150 but charge only 8",
        "Rechnung an Acme: 2 Laptops je 1200 €, Gutschrift 100 €",
        "Factura para Acme: 2 portátiles a 1200 €, reembolso 100 €",
    ],
)
def test_an_amount_taken_away_or_capped_is_asked_about_never_a_line(message: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.action == "question" and result.invoice is None, result.reply


def test_the_answer_to_a_taken_away_amount_is_the_discount() -> None:
    first = "Invoice Acme: 2 laptops at 1200, trade-in 300"
    result = interpret("300 off", None, today=TODAY, history=[first])
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("2100.00")


def test_no_as_the_answer_leaves_the_amount_out() -> None:
    first = "Invoice Acme: 10 hours at 150 but charge only 8"
    result = interpret("no", None, today=TODAY, history=[first])
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("1500.00")


def test_a_credit_card_fee_is_still_a_line() -> None:
    result = interpret("Invoice Acme: 10 hours at 150, credit card fee 3", None, today=TODAY)
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("1503.00")


@pytest.mark.parametrize(
    "message", ["Invoice Acme: buy 2 get 1 free, widgets at 10", "Invoice Acme: 6 widgets at 10, 2 for 1"]
)
def test_a_free_item_offer_is_asked_about_never_a_line(message: str) -> None:
    # Was: a line "Buy 2 get 1" priced 1; a line "2" priced 1.
    result = interpret(message, None, today=TODAY)
    assert result.action == "question" and result.invoice is None


def test_a_count_in_another_unit_does_not_price_the_line_before() -> None:
    # Was: "2 weeks of work, 10 hours at 150" billed 2 weeks at 150 (the 10 hours dropped).
    result = interpret("Invoice Acme: 2 weeks of work, 10 hours at 150", None, today=TODAY)
    assert result.invoice is None or compute_totals(result.invoice).total != Decimal("300.00")
    assert result.action == "question"


@pytest.mark.parametrize(
    "message", ["Invoice Acme: consulting 1500 for 10 hours", "Invoice Acme: consulting 10 hours 1500"]
)
def test_an_amount_for_several_hours_without_at_or_per_asks_total_or_rate(message: str) -> None:
    # Was: 10 x 1,500 = 15,000.
    result = interpret(message, None, today=TODAY)
    assert result.action == "question" and "total" in result.reply and "per hour" in result.reply


@pytest.mark.parametrize(
    ("answer", "total"), [("total", Decimal("1500.00")), ("per hour", Decimal("15000.00"))]
)
def test_the_answer_total_or_per_hour_decides(answer: str, total: Decimal) -> None:
    result = interpret(answer, None, today=TODAY, history=["Invoice Acme: consulting 1500 for 10 hours"])
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == total


def test_at_before_the_amount_says_it_is_the_rate() -> None:
    result = interpret("Invoice Acme: consulting at 150 for 10 hours", None, today=TODAY)
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("1500.00")


@pytest.mark.parametrize(
    ("message", "asks"),
    [
        ("Factura para Acme: consultoría 10 horas 1500 €", "por hora"),
        ("Rechnung an Acme: Beratung 10 Stunden 1500 €", "pro Stunde"),
        ("Facture pour Acme : conseil 10 heures 1500 €", "par heure"),
    ],
)
def test_total_or_rate_is_asked_in_the_requests_language(message: str, asks: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.action == "question" and asks in result.reply, result.reply


# --- counts and places that are not prices -----------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "Purchase order to Staples: 10 boxes of paper at 32.99, deliver to warehouse 3 by March 5",
        "Purchase order to Staples: 10 boxes of paper at 32.99, deliver to dock 4",
        "Purchase order to Staples: 10 boxes of paper at 32.99, ship to 12 Main St",
    ],
)
def test_where_the_goods_go_is_a_note_never_a_line_or_the_buyer(message: str) -> None:
    # Was: a line "Deliver to warehouse" priced 3 / "Deliver to dock" priced 4; "ship to 12 Main
    # St" replaced the supplier.
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("329.90")
    assert result.invoice.buyer.name == "Staples"
    assert "Deliver to:" in result.invoice.notes


def test_payment_in_installments_is_a_term_not_a_line() -> None:
    # Was: a line "Payment in" priced 3.
    result = interpret("Quote Acme: website 4500, payment in 3 installments", None, today=TODAY)
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("4500.00")
    assert result.invoice.payment_terms == "Payment in 3 installments"


def test_n_of_m_is_never_a_price_and_a_bare_amount_after_it_prices_the_line() -> None:
    # Was: "milestone 2 of 3, 1500" was "Milestone 2" priced 3 (the 1,500 read as a postal code).
    result = interpret("Invoice Acme: milestone 2 of 3, 1500", None, today=TODAY)
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("1500.00")
    assert result.invoice.buyer.address_lines == []


def test_months_then_an_amount_asks_total_or_per_month() -> None:
    # Was: "12 months hosting 240" billed 12 x 240 = 2,880.
    result = interpret("Invoice Acme: 12 months hosting 240", None, today=TODAY)
    assert result.action == "question" and "per month" in result.reply


@pytest.mark.parametrize(
    "message",
    [
        "Factura para Acme: 10 horas a 40 €, ya pagado 100 €",
        "Rechnung an Acme: 10 Stunden je 40 €, bereits bezahlt 100 €",
        "Facture pour Acme : 10 heures à 40 €, déjà payé 100 €",
    ],
)
def test_already_paid_in_another_language_is_the_amount_paid(message: str) -> None:
    # Was: a line "Ya paid" adding 100.
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("400.00")
    assert result.invoice.amount_paid == Decimal(100)


@pytest.mark.parametrize(
    "message",
    [
        "Factura para Acme: 10 horas a 40 €, pago en 3 plazos",
        "Rechnung an Acme: 10 Stunden je 40 €, Zahlung in 2 Raten",
        "Facture pour Acme : 10 heures à 40 €, paiement en 3 fois",
    ],
)
def test_installments_in_another_language_are_terms_not_a_line(message: str) -> None:
    # Was: a line "Zahlung in" / "Paiement en" priced 2 / 3.
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("400.00")


def test_who_paid_said_before_the_amount_is_the_amount_paid_not_a_line() -> None:
    # 'il a payé 100 € en espèces' was a second line 'Il paid' at 100 (a total of 280, not 180).
    result = interpret(
        "reçu pour Karim Benali, remplacement plaquettes 180 €, il a payé 100 € en espèces",
        None,
        today=dt.date(2026, 3, 12),
    )
    assert result.invoice is not None, result.reply
    assert [(i.description, i.unit_price) for i in result.invoice.line_items] == [
        ("Remplacement plaquettes", Decimal(180))
    ]
    assert result.invoice.amount_paid == Decimal(100)


def test_he_paid_on_an_app_is_how_the_receipt_was_paid() -> None:
    result = interpret("receipt for Ryan Cole: move-out clean 260, he paid on venmo", None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.amount_paid == Decimal(260)
    assert result.invoice.payment_method == "Venmo"
