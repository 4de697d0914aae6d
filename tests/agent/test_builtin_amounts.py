"""Never a silently wrong amount (issue 13): numbers that are dates, periods, payment terms, time
spans, e-mails, phone numbers or ids are never read as prices or discounts. Each test is a wrong
amount the built-in interpreter once produced; the document is right, or the reply is one question
naming the phrase.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docmesh_agent.builtin import interpret
from docmesh_agent.builtin.not_amounts import price_moneys
from docmesh_common.model.invoice import Invoice, LineItem, Party, Tax
from docmesh_common.model.totals import compute_totals

TODAY = dt.date(2026, 3, 12)  # a Thursday


def _current() -> Invoice:
    return Invoice(
        buyer=Party(name="Acme Corp"),
        line_items=[
            LineItem(description="Consulting", quantity=Decimal(10), unit="hours", unit_price=Decimal(150)),
            LineItem(description="Desk", quantity=Decimal(1), unit_price=Decimal(300)),
        ],
        taxes=[Tax(name="Tax", rate_percent=Decimal(8))],
    )


def _lines(invoice: Invoice) -> list[tuple[str, Decimal, Decimal]]:
    return [(i.description, i.quantity, i.unit_price) for i in invoice.line_items]


# --- the not-an-amount rule on its own -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "the delivery date is March 20",
        "for the period March 1-15",
        "covering January 1 to March 31",
        "service period February 2026",
        "due 20/04/2026",
        "Lieferung 20.03.2026",
        "payment in 30 days",
        "with 1 day off",
        "email billing@acme.example",
        "call 555-1234",
        "phone +1 555 123 4567",
        "VAT ID DE123456789",
        "www.acme2026.example",
    ],
)
def test_a_date_span_contact_or_id_holds_no_price(text: str) -> None:
    assert price_moneys(text) == []


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("hosting 240 on March 20", Decimal(240)),
        ("5 days of work at 500", Decimal(500)),
        ("widgets at 4.50", Decimal("4.50")),
        ("support at 75 for the period March 1-15", Decimal(75)),
    ],
)
def test_the_price_next_to_a_date_or_a_span_is_still_found(text: str, price: Decimal) -> None:
    assert [m.amount for m in price_moneys(text)] == [price]


# --- requests ------------------------------------------------------------------------------


def test_a_service_period_of_days_in_a_month_is_the_period_not_a_price_of_one() -> None:
    result = interpret(
        "Invoice Globex for 20 hours of support at 75 for the period March 1-15", None, today=TODAY
    )
    assert result.invoice is not None
    assert _lines(result.invoice) == [("Support", Decimal(20), Decimal(75))]
    assert (result.invoice.service_period_start, result.invoice.service_period_end) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 15),
    )


def test_covering_a_range_of_dates_is_the_service_period_not_a_line_priced_31() -> None:
    result = interpret(
        "Invoice Umbrella Corp for hosting 240, covering January 1 to March 31", None, today=TODAY
    )
    assert result.invoice is not None
    assert _lines(result.invoice) == [("Hosting", Decimal(1), Decimal(240))]
    assert result.invoice.service_period_end == dt.date(2026, 3, 31)


def test_payment_in_thirty_days_is_the_due_date_not_a_line_priced_30() -> None:
    result = interpret("Invoice Acme for hosting 240, payment in 30 days", None, today=TODAY)
    assert result.invoice is not None
    assert _lines(result.invoice) == [("Hosting", Decimal(1), Decimal(240))]
    assert result.invoice.due_date == dt.date(2026, 4, 11)


@pytest.mark.parametrize(
    "message",
    [
        "Facture pour Moreau SA : support à 80 €, paiement à 30 jours",
        "Factura para Acme: soporte 80 €, 30 días netos",
        "Rechnung an Huber AG: Beratung 80 €, 30 Tage netto",
        "Invoice Acme: support 80, 30 days net",
    ],
)
def test_payment_terms_in_days_are_never_a_line(message: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert [i.unit_price for i in result.invoice.line_items] == [Decimal(80)]
    assert result.invoice.due_date == dt.date(2026, 4, 11)


def test_a_date_after_a_price_stays_with_the_line_and_is_not_the_price() -> None:
    result = interpret("Invoice Acme for hosting 240 on March 20", None, today=TODAY)
    assert result.invoice is not None
    assert _lines(result.invoice) == [("Hosting on March 20", Decimal(1), Decimal(240))]


def test_a_day_off_is_asked_about_never_a_discount_of_one() -> None:
    result = interpret("Invoice Acme for 5 days of work at 500 with 1 day off", None, today=TODAY)
    assert result.action == "question" and result.invoice is None
    assert "“1 day off”" in result.reply


def test_the_answer_to_the_day_off_question_is_the_discount() -> None:
    first = "Invoice Acme for 5 days of work at 500 with 1 day off"
    result = interpret("500 off", None, today=TODAY, history=[first])
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("2000.00")


def test_minus_a_percentage_after_a_lines_price_is_that_lines_discount() -> None:
    result = interpret(
        "Invoice Acme for 20 hours of development at 120 minus 10%, and 5 hours of testing at 90",
        None,
        today=TODAY,
    )
    assert result.invoice is not None
    first, second = result.invoice.line_items
    assert first.discount is not None and first.discount.percent == Decimal(10)
    assert second.discount is None and result.invoice.discounts == []


def test_a_discount_in_brackets_naming_a_line_is_that_lines_discount() -> None:
    result = interpret(
        "Quote Wayne Enterprises for 100 mugs at 4.50 each (bulk discount 10% on the mugs) and 1 design proof at 50",
        None,
        today=TODAY,
    )
    assert result.invoice is not None
    mugs, proof = result.invoice.line_items
    assert mugs.discount is not None and mugs.discount.percent == Decimal(10)
    assert proof.discount is None and result.invoice.discounts == []


def test_a_tax_in_brackets_after_a_line_is_not_dropped() -> None:
    result = interpret("Quote Wayne for 100 mugs at 4.50 each (VAT 20%)", None, today=TODAY)
    assert result.invoice is not None
    assert [(t.name, t.rate_percent) for t in result.invoice.taxes] == [("VAT", Decimal(20))]


@pytest.mark.parametrize(
    "message",
    [
        "Invoice Acme for 2 hours at 150, call 555-1234",
        "Invoice Acme for 2 hours at 150, phone +1 555 123 4567",
        "Invoice Acme for 2 hours at 150, VAT ID DE123456789",
    ],
)
def test_a_phone_number_or_an_id_is_never_a_line(message: str) -> None:
    result = interpret(message, None, today=TODAY)
    if result.invoice is None:
        assert "?" in result.reply
        return
    assert _lines(result.invoice) == [("Services", Decimal(2), Decimal(150))]


# --- edits ---------------------------------------------------------------------------------


def test_the_delivery_date_said_as_an_edit_is_the_field_not_a_line_priced_20() -> None:
    result = interpret("the delivery date is March 20", _current(), today=TODAY)
    assert result.invoice is not None
    assert _lines(result.invoice) == _lines(_current())
    assert result.invoice.delivery_date == dt.date(2026, 3, 20)


def test_the_service_period_said_as_an_edit_is_the_field() -> None:
    result = interpret("the service period is March 1-15", _current(), today=TODAY)
    assert result.invoice is not None
    assert _lines(result.invoice) == _lines(_current())
    assert result.invoice.service_period_start == dt.date(2026, 3, 1)


def test_a_day_off_said_as_an_edit_is_asked_about() -> None:
    result = interpret("with 1 day off", _current(), today=TODAY)
    assert result.action == "question" and result.invoice is None
    assert "“1 day off”" in result.reply


# --- answers to a question -------------------------------------------------------------------


def test_paid_by_card_in_an_answer_keeps_the_lines_it_answers() -> None:
    # Was: "paid by card" made the answer a request of its own; 2 pizzas and 3 beers became one
    # of each, paid 20.00 instead of 46.00.
    result = interpret(
        "pizzas 14 each, beers 6 each, paid by card",
        None,
        today=TODAY,
        history=["Receipt for 2 pizzas and 3 beers"],
    )
    assert result.invoice is not None
    assert [(i.quantity, i.unit_price) for i in result.invoice.line_items] == [
        (Decimal(2), Decimal(14)),
        (Decimal(3), Decimal(6)),
    ]
    assert result.invoice.amount_paid == Decimal("46.00")


def test_a_buyer_and_a_price_in_one_answer_are_both_read() -> None:
    result = interpret("Hooli, 1200", None, today=TODAY, history=["Invoice for web design"])
    assert result.invoice is not None
    assert result.invoice.buyer.name == "Hooli"
    assert _lines(result.invoice) == [("Web design", Decimal(1), Decimal(1200))]


@pytest.mark.parametrize(
    ("message", "price", "currency"),
    [
        ("Rechnung an Huber AG: 4 Stunden Beratung à CHF 150", Decimal(150), "CHF"),
        ("Rechnung an Huber AG: 2 Stühle zu je CHF 1'000.00", Decimal(1000), "CHF"),
        ("Facture pour Dupont : 3 jours de formation à CHF 800", Decimal(800), "CHF"),
    ],
)
def test_a_currency_code_before_the_amount_after_a_or_je_is_the_price(
    message: str, price: Decimal, currency: str
) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None
    assert [i.unit_price for i in result.invoice.line_items] == [price]
    assert result.invoice.currency_code == currency


# --- corrections and bare numbers ------------------------------------------------------------


def test_a_correction_naming_the_old_quantity_changes_the_quantity() -> None:
    result = interpret("the desk should be 2, not 1", _current(), today=TODAY)
    assert result.invoice is not None
    assert _lines(result.invoice)[1] == ("Desk", Decimal(2), Decimal(300))


def test_a_correction_naming_the_old_price_changes_the_price() -> None:
    result = interpret("the desk should be 250, not 300", _current(), today=TODAY)
    assert result.invoice is not None
    assert _lines(result.invoice)[1] == ("Desk", Decimal(1), Decimal(250))


def test_a_correction_whose_old_value_is_neither_is_asked_about() -> None:
    result = interpret("the desk should be 2, not 7", _current(), today=TODAY)
    assert result.action == "question" and "quantity or the price" in result.reply


def test_a_bare_number_with_several_lines_asks_which_line_and_what() -> None:
    # Was: "I didn't understand", with no question; never a guess at which line or field.
    result = interpret("make it 4", _current(), today=TODAY)
    assert result.action == "question" and result.invoice is None
    assert "Which line" in result.reply and "?" in result.reply


def test_also_make_a_purchase_order_mid_session_is_a_new_document() -> None:
    result = interpret(
        "Also make a purchase order to Staples for 10 boxes of paper at 32.99", _current(), today=TODAY
    )
    assert result.action == "generate" and result.new_document
    assert result.invoice is not None and result.invoice.buyer.name == "Staples"


@pytest.mark.parametrize(
    ("message", "asks"),
    [
        ("Factura para Acme: 5 días de trabajo a 500 €, con 1 día de descuento", "¿Cuánto debe descontar"),
        ("Rechnung an Acme: 5 Tage Arbeit je 500 €, 1 Tag Rabatt", "Wie viel soll"),
        ("Facture pour Acme : 5 jours de travail à 500 €, remise de 1 jour", "Combien"),
    ],
)
def test_a_day_off_in_another_language_is_asked_about_in_that_language(message: str, asks: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.action == "question" and result.invoice is None
    assert result.reply.startswith(asks) or asks in result.reply, result.reply


# --- found by probing other phrasings ------------------------------------------------------


def test_an_order_number_before_the_items_is_the_reference_and_the_quantity_is_kept() -> None:
    # Was: one line "Order #4521: 3 widgets" at 10 (total 10 instead of 30).
    result = interpret("Invoice Acme for order #4521: 3 widgets at 10", None, today=TODAY)
    assert result.invoice is not None
    assert _lines(result.invoice) == [("Widgets", Decimal(3), Decimal(10))]
    assert result.invoice.reference == "4521"


def test_a_zip_code_is_the_buyers_postal_code_not_a_line() -> None:
    # Was: a line "Zip" priced 90,210.
    result = interpret("Invoice Acme: 3 widgets at 10, zip 90210", None, today=TODAY)
    assert result.invoice is not None
    assert _lines(result.invoice) == [("Widgets", Decimal(3), Decimal(10))]
    assert result.invoice.buyer.postal_code == "90210"


def test_a_discount_on_condition_of_early_payment_is_a_term_not_deducted_now() -> None:
    # Was: 2% off the total, as if the buyer had already paid within 10 days.
    result = interpret(
        "Invoice Acme for 5 chairs at 80, 2% discount if paid within 10 days", None, today=TODAY
    )
    assert result.invoice is not None
    assert result.invoice.discounts == []
    assert compute_totals(result.invoice).total == Decimal("400.00")
    assert "10 days" in result.invoice.payment_terms


@pytest.mark.parametrize(
    "message",
    [
        "Rechnung an Acme: Beratung 500 €, Leistung vom 1. bis 15. März",
        "Facture pour Acme : conseil 500 €, prestation du 1er au 15 mars",
        "Factura para Acme: consultoría 500 €, del 1 al 15 de marzo",
        "Facture pour Acme : conseil du 1er au 15 mars à 500 €",
    ],
)
def test_a_range_of_days_in_another_language_is_the_service_period(message: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert [i.unit_price for i in result.invoice.line_items] == [Decimal(500)]
    assert (result.invoice.service_period_start, result.invoice.service_period_end) == (
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 15),
    )


def test_a_date_said_as_a_lines_new_value_is_never_its_price() -> None:
    # Was: "change the desk to March 20" set the desk's price to 20.
    result = interpret("change the desk to March 20", _current(), today=TODAY)
    assert result.invoice is None or _lines(result.invoice) == _lines(_current())


def test_a_fraction_or_24_7_is_never_a_quantity() -> None:
    # Was: "24/7 support at 500" billed 24 x 500.
    result = interpret("Invoice Acme for 24/7 support at 500", None, today=TODAY)
    assert result.invoice is not None
    assert _lines(result.invoice) == [("24/7 support", Decimal(1), Decimal(500))]


def test_part_of_a_count_is_never_a_line_priced_with_it() -> None:
    # Was: a line "Them on site" priced 5.
    result = interpret("Invoice Acme for 10 hours at 150, 5 of them on site", None, today=TODAY)
    assert result.invoice is None or compute_totals(result.invoice).total == Decimal("1500.00")


def test_a_po_number_is_the_reference_not_a_line() -> None:
    # Was: a line "PO" priced 4,411.
    result = interpret("Invoice Acme: 10 hours at $150, Net 30, PO 4411", None, today=TODAY)
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("1500.00")
    assert result.invoice.reference == "4411"


@pytest.mark.parametrize(
    ("message", "price"),
    [
        ("Invoice Acme for 50% deposit on 4000", Decimal(2000)),
        ("Invoice Acme for a deposit of 30% of 5000", Decimal(1500)),
    ],
)
def test_a_share_of_an_amount_is_that_share_never_the_whole_amount(message: str, price: Decimal) -> None:
    # Was: the whole 4,000 / 5,000.
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None
    assert [i.unit_price for i in result.invoice.line_items] == [price]


def test_a_count_of_counted_things_asks_what_the_price_is_for() -> None:
    result = interpret("Invoice Acme for 3 x 2 hours of coaching at 100", None, today=TODAY)
    assert result.action == "question"
    assert "per hour" in result.reply


@pytest.mark.parametrize(("answer", "total"), [("per hour", Decimal("600.00")), ("each", Decimal("300.00"))])
def test_the_answer_about_a_count_of_counted_things_decides_the_total(answer: str, total: Decimal) -> None:
    result = interpret(answer, None, today=TODAY, history=["Invoice Acme for 3 x 2 hours of coaching at 100"])
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == total


@pytest.mark.parametrize(
    "message",
    [
        "Factura para Acme: 10 horas a 40 €, pedido nº 4521",
        "Facture pour Acme : 10 heures à 40 €, bon de commande n° 4521",
        "Rechnung an Acme: 10 Stunden je 40 €, Bestellnummer 4521",
    ],
)
def test_an_order_number_in_another_language_is_never_a_line(message: str) -> None:
    # Was: a line "Pedido nº" / "Bon de commande n°" priced 4,521.
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("400.00")


@pytest.mark.parametrize(
    "message",
    [
        "Pedido nº 4521 a Staples: 10 cajas de papel a 32,99 €",
        "Bon de commande n° 4521 pour Staples : 10 boîtes de papier à 32,99 €",
        "Bestellung Nr. 4521 an Staples: 10 Kartons Papier je 32,99 €",
    ],
)
def test_a_document_number_after_the_kind_word_is_never_a_quantity(message: str) -> None:
    # Was: "Pedido nº 4521 a Staples" billed 4,521 x 32.99 to a buyer "Nº".
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None
    assert result.invoice.buyer.name == "Staples"
    assert compute_totals(result.invoice).total == Decimal("329.90")


@pytest.mark.parametrize(
    "message",
    [
        "Invoice Acme for 10 hours at 150, account 12345678",
        "Invoice Acme for 10 hours at 150, IBAN DE89 3704 0044 0532 0130 00",
    ],
)
def test_a_bank_account_is_never_a_line(message: str) -> None:
    # Was: a line "Account" priced 12,345,678; a line "IBAN ..." priced 0.
    result = interpret(message, None, today=TODAY)
    assert result.invoice is None or compute_totals(result.invoice).total == Decimal("1500.00")


def test_payment_terms_glued_to_a_period_are_two_terms_not_a_line() -> None:
    # Found by the property test: "net 81 for the period March 8-20" was a line "Net" priced 81.
    result = interpret(
        "Invoice Initech for 38 licences at 24.63, net 81 for the period March 8-20", None, today=TODAY
    )
    assert result.invoice is not None
    assert _lines(result.invoice) == [("Licences", Decimal(38), Decimal("24.63"))]
    assert result.invoice.payment_terms == "Net 81"
    assert result.invoice.service_period_end == dt.date(2026, 3, 20)


def test_an_existing_line_priced_again_without_add_asks_new_price_or_new_line() -> None:
    # Was: "desk 250" added a second desk (a total 250 too high if a new price was meant).
    result = interpret("desk 250", _current(), today=TODAY)
    assert result.action == "question" and result.invoice is None
    assert "instead of 300" in result.reply


def test_a_common_plural_then_a_bare_count_is_the_quantity() -> None:
    # Was: "chairs 3 at 85" was one "Chairs 3" at 85 (85 instead of 255); then it was asked. A
    # common noun in the plural followed by a count is how many, as a clerk reads it.
    result = interpret("Invoice Acme for chairs 3 at 85", None, today=TODAY)
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("255.00")


def test_a_capitalised_plural_then_a_bare_count_asks_whether_it_is_the_quantity() -> None:
    # "Windows 11" is a name; "Windows 11 at 85" may also be 11 windows: asked.
    result = interpret("Invoice Acme for Windows 11 at 85", None, today=TODAY)
    assert result.action == "question" and "number of windows" in result.reply


@pytest.mark.parametrize(
    ("answer", "total"), [("the number", Decimal("935.00")), ("it's the name", Decimal("85.00"))]
)
def test_the_answer_about_a_bare_count_decides_the_quantity(answer: str, total: Decimal) -> None:
    result = interpret(answer, None, today=TODAY, history=["Invoice Acme for Windows 11 at 85"])
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == total


@pytest.mark.parametrize(
    ("first", "answer"),
    [
        ("Factura para Acme: 3 x 2 horas de coaching a 100 €", "por hora"),
        ("Rechnung an Acme: 3 x 2 Stunden Coaching je 100 €", "pro Stunde"),
        ("Facture pour Acme : 3 x 2 heures de coaching à 100 €", "par heure"),
    ],
)
def test_per_hour_answered_in_another_language_makes_six_hours(first: str, answer: str) -> None:
    asked = interpret(first, None, today=TODAY)
    assert asked.action == "question" and "100" in asked.reply and "hour" not in asked.reply
    result = interpret(answer, None, today=TODAY, history=[first])
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("600.00")


@pytest.mark.parametrize(
    "message",
    [
        "Invoice Acme for consulting at 10:30 on March 3, 2 hours at 150",
        "Invoice Acme for consulting 2 hours at 150, between 9:00 and 11:00",
    ],
)
def test_a_time_of_day_is_never_a_price(message: str) -> None:
    # Was: a line priced 30 ("10:30"), a line "Between 9" priced 0.
    result = interpret(message, None, today=TODAY)
    assert result.invoice is None or compute_totals(result.invoice).total == Decimal("300.00")


@pytest.mark.parametrize(
    "message", ["Invoice Acme for design at 100-150", "Invoice Acme for design at 100 to 150"]
)
def test_a_price_range_is_asked_about_never_one_end_picked(message: str) -> None:
    # Was: 100 (the first end) or 150 (the second end).
    result = interpret(message, None, today=TODAY)
    assert result.action == "question" and "100 or 150" in result.reply


def test_a_count_after_an_unpriced_line_is_that_lines_count_and_rate() -> None:
    # Was: "2 hours at 150" after the line gave it the price 150 alone (150 instead of 300).
    result = interpret("Invoice Acme for consulting on March 3, 2 hours at 150", None, today=TODAY)
    assert result.invoice is not None
    assert compute_totals(result.invoice).total == Decimal("300.00")


def test_grams_at_a_price_ask_whether_the_price_is_per_gram() -> None:
    # Was: 500 x 12 = 6,000 for "500 g of coffee at 12".
    result = interpret("Invoice Acme for 500 g of coffee at 12", None, today=TODAY)
    assert result.action == "question" and "per g" in result.reply
    answered = interpret(
        "for the 500 g", None, today=TODAY, history=["Invoice Acme for 500 g of coffee at 12"]
    )
    assert answered.invoice is not None
    assert compute_totals(answered.invoice).total == Decimal("12.00")


def test_a_count_inside_a_description_asks_for_the_quantity_until_answered() -> None:
    # Was: "travel 2 x 35 km at 0.50" was 1 x 0.50.
    first = "Invoice Acme for travel 2 x 35 km at 0.50"
    assert interpret(first, None, today=TODAY).action == "question"
    unanswered = interpret("not sure", None, today=TODAY, history=[first])
    assert unanswered.action == "question"
    answered = interpret("70", None, today=TODAY, history=[first])
    assert answered.invoice is not None
    assert compute_totals(answered.invoice).total == Decimal("35.00")


def test_net_terms_with_a_date_after_them_are_never_a_price() -> None:
    # Found by a random property run: "net 76 on January 8" was a line priced 76.
    result = interpret(
        "Quote for Initech: 165 boxes of paper at 2891.44, net 76 on January 8", None, today=TODAY
    )
    assert result.invoice is None or compute_totals(result.invoice).total == Decimal("477087.60")


@pytest.mark.parametrize(
    ("message", "quantity", "unit_price"),
    [
        ("receipt for Nina Ford: $75 for 500 business cards", Decimal(500), Decimal("0.15")),
        ("Invoice Acme: 120 for 4 planters", Decimal(4), Decimal(30)),
    ],
)
def test_an_amount_for_a_count_of_things_is_the_lines_total(
    message: str, quantity: Decimal, unit_price: Decimal
) -> None:
    # '$75 for 500 business cards' was one line '$75' priced 500.
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    [line] = result.invoice.line_items
    assert (line.quantity, line.unit_price) == (quantity, unit_price)
    assert compute_totals(result.invoice).total == quantity * unit_price


@pytest.mark.parametrize(
    "message",
    [
        "quote for Lindon Partners: lunch buffet 25 ppl at 18 per person",
        "quote for Lindon Partners: 25 guests lunch buffet at 18 a head",
    ],
)
def test_a_head_count_is_the_quantity_of_a_catered_line(message: str) -> None:
    # 'lunch buffet 25 ppl at 18 per person' was one 'Lunch buffet 25 ppl' at 18 (a total of 18, not 450).
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    [line] = result.invoice.line_items
    assert (line.description, line.quantity, line.unit_price) == ("Lunch buffet", Decimal(25), Decimal(18))


def test_a_number_after_a_short_one_is_never_its_thousands_group() -> None:
    # 'sprint 9 5200' was a line 'Sprint 9 520' priced 0: '9 520' read as 9,520 with a space
    # between the groups, and the last 0 as the price.
    result = interpret("invoice Tessellate Ltd: sprint 9 5200", None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert [(i.description, i.unit_price) for i in result.invoice.line_items] == [("Sprint 9", Decimal(5200))]


@pytest.mark.parametrize(
    ("message", "lines"),
    [
        ("Invoice Quantix for sprint 7, 6400 flat", [("Sprint 7", Decimal(6400))]),
        (
            "invoice Northwind Labs sprint 3 - 4800, hosting setup 200",
            [("Sprint 3", Decimal(4800)), ("Hosting setup", Decimal(200))],
        ),
        ("Invoice Acme: website phase 2 1500", [("Website phase 2", Decimal(1500))]),
    ],
)
def test_a_number_naming_a_sprint_or_phase_is_part_of_the_name_never_a_price(
    message: str, lines: list[tuple[str, Decimal]]
) -> None:
    # 'for sprint 7, ..., 6400 flat' was a line 'Sprint' priced 7 (and 6400 asked about).
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert [(i.description, i.unit_price) for i in result.invoice.line_items] == lines


def test_a_lower_case_word_and_its_number_after_for_is_what_is_sold_not_the_buyer() -> None:
    result = interpret("invoice for sprint 11, 80 hrs at 95", None, today=TODAY)
    assert result.action == "question"
    assert "bill" in result.reply


def test_the_word_leading_to_a_count_after_the_description_is_not_part_of_it() -> None:
    result = interpret("invoice Sarah Lee: full groom for 2 dogs 60 each", None, today=TODAY)
    assert result.invoice is not None, result.reply
    [line] = result.invoice.line_items
    assert (line.description, line.quantity, line.unit_price) == ("Full groom", Decimal(2), Decimal(60))
