"""Needless questions found on former_heldout_v2 (session 5, round 2): each message says what a
clerk needs to write the document, and the interpreter now writes it (with examples other than the
phrasings)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docmesh_agent.builtin import interpret
from docmesh_agent.builtin.spelling import correct_keywords
from docmesh_common.model.invoice import Invoice
from docmesh_common.model.totals import compute_totals
from tests.agent.builtin_totals import TODAY
from tests.agent.builtin_totals import written_total as _total


@pytest.mark.parametrize(
    ("message", "total"),
    [
        ("Invoice Acme: paint job 480", Decimal("480.00")),
        ("Invoice Redline Auto for a brake job 480 and 2 tires at 135, net 15", Decimal("750.00")),
    ],
)
def test_a_small_number_after_job_is_its_price_not_a_job_number(message: str, total: Decimal) -> None:
    assert _total(message) == total


@pytest.mark.parametrize("said", ["job #48", "job no. 48", "order 20417", "PO 12"])
def test_a_marked_or_long_number_after_job_or_order_is_still_an_id(said: str) -> None:
    result = interpret(f"Invoice Acme: {said}, widgets 3 at 5", None, today=TODAY)
    assert result.invoice is None or compute_totals(result.invoice).total == Decimal("15.00")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("delivery wendsday", "delivery wednesday"),
        ("thrusday", "thursday"),
        ("Satruday", "Saturday"),
        ("vaild for 30 days", "valid for 30 days"),
    ],
)
def test_a_misspelled_weekday_or_valid_is_read_as_meant(typed: str, meant: str) -> None:
    assert correct_keywords(typed) == meant


@pytest.mark.parametrize("word", ["saturdays", "Wednesdays", "satisfy", "vapid", "validated"])
def test_words_near_a_weekday_or_valid_stay_as_typed(word: str) -> None:
    assert correct_keywords(word) == word


def test_a_quote_valid_for_a_misspelled_span_is_written() -> None:
    result = interpret("quote for Harbor Dental: painting 3,200, vaild for 30 days", None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.valid_until == TODAY + dt.timedelta(days=30)


@pytest.mark.parametrize(
    "answer",
    [
        "12 mugs at 8 each, send it to orders@brightcafe.example",
        "12 mugs at 8 each, and mail it over to orders@brightcafe.example",
    ],
)
def test_an_email_said_in_an_answer_before_any_buyer_is_the_buyers(answer: str) -> None:
    # It was a line "Orders@brightcafe.example" whose price was asked.
    result = interpret(answer, None, today=TODAY, history=["Invoice Bright Cafe for the branded mugs"])
    assert result.invoice is not None, result.reply
    assert result.invoice.buyer.email == "orders@brightcafe.example"
    assert compute_totals(result.invoice).total == Decimal("96.00")


def test_an_email_said_before_the_buyer_in_one_message_is_the_buyers() -> None:
    result = interpret("send it to ap@acme.example, invoice Acme for 2 widgets at 5", None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.buyer.email == "ap@acme.example"


@pytest.mark.parametrize(
    ("message", "method"),
    [
        ("Receipt for Marco: beard trim $12, pd w/ card", "Card"),
        ("Receipt for Mr Vogel: bike repair 64.90, per EC card paid", "EC card"),
        ("Receipt for Ana: yoga class 12, paid with Bizum", "Bizum"),
        ("Reçu pour Mme Petit : 2 séances à 50 €, réglé par chèque", "Cheque"),
    ],
)
def test_how_a_receipt_was_paid_is_read_in_its_short_and_reversed_forms(message: str, method: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert (result.invoice.payment_method or "").casefold() == method.casefold()


@pytest.mark.parametrize(
    ("typed", "meant"), [("reciet for Marco", "receipt for Marco"), ("Invocie Acme", "Invoice Acme")]
)
def test_a_kind_word_two_slips_away_leading_the_message_is_that_kind(typed: str, meant: str) -> None:
    assert correct_keywords(typed) == meant


@pytest.mark.parametrize("typed", ["recent work for Acme", "Recipe book 12", "the reciet for Marco"])
def test_two_slips_away_is_corrected_only_as_the_first_word_and_never_a_real_word(typed: str) -> None:
    assert correct_keywords(typed) == typed


def _platters_and_trays() -> Invoice:
    result = interpret(
        "Invoice Lindqvist Events for 4 sandwich platters at 65, 2 fruit trays at 48", None, today=TODAY
    )
    assert result.invoice is not None
    return result.invoice


@pytest.mark.parametrize(
    ("edit", "line", "count"),
    [
        ("one less sandwich platter", 0, Decimal(3)),
        ("1 less tray", 1, Decimal(1)),
        ("make the platters five", 0, Decimal(5)),
        ("set the fruit trays to three", 1, Decimal(3)),
    ],
)
def test_a_count_said_in_words_or_as_less_changes_that_line(edit: str, line: int, count: Decimal) -> None:
    result = interpret(edit, _platters_and_trays(), today=TODAY, history=["add 2 fruit trays at 48"])
    assert result.invoice is not None, result.reply
    assert result.invoice.line_items[line].quantity == count
    assert len(result.invoice.line_items) == 2


@pytest.mark.parametrize(
    "message",
    [
        "and a quote for the Hendersons' anniversary party too",
        "a quote for Initech",
        "also an invoice for Globex",
    ],
)
def test_a_document_of_a_kind_for_someone_mid_session_is_a_new_document(message: str) -> None:
    # It changed the current document's buyer (a wrong document).
    result = interpret(message, _platters_and_trays(), today=TODAY, history=["add 2 fruit trays at 48"])
    assert result.new_document
    assert result.action == "question"


def test_changing_the_kind_of_the_current_document_is_still_an_edit() -> None:
    result = interpret("make it a quote", _platters_and_trays(), today=TODAY, history=["x"])
    assert result.action == "edit" and not result.new_document


@pytest.mark.parametrize(
    ("edit", "line", "count"),
    [("double the fruit trays", 1, Decimal(4)), ("triple the platters", 0, Decimal(12))],
)
def test_double_or_triple_a_line_multiplies_its_count(edit: str, line: int, count: Decimal) -> None:
    result = interpret(edit, _platters_and_trays(), today=TODAY, history=["x"])
    assert result.invoice is not None, result.reply
    assert result.invoice.line_items[line].quantity == count


def test_take_one_off_with_two_counted_lines_asks_which() -> None:
    result = interpret("take one off", _platters_and_trays(), today=TODAY, history=["x"])
    assert result.action == "question" and "Which line" in result.reply


@pytest.mark.parametrize(
    ("said", "terms"),
    [
        ("balance due on delivery", "Balance due on delivery"),
        ("rest payable on completion", "Rest due on completion"),
    ],
)
def test_when_the_balance_is_due_is_the_payment_terms(said: str, terms: str) -> None:
    result = interpret(f"Invoice Acme: kitchen install 4,000, {said}", None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.payment_terms == terms


@pytest.mark.parametrize(
    ("message", "name"),
    [
        ("Factura a Talleres Ruiz S.L.: reparación 2.340,50 €, más 21 % de IVA", "IVA"),
        ("Invoice Acme: repair 100, plus 5% of GST", "GST"),
    ],
)
def test_a_tax_said_as_rate_of_name_is_named_without_the_of(message: str, name: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert [t.name for t in result.invoice.taxes] == [name]


def test_why_said_after_an_edit_is_not_part_of_it() -> None:
    result = interpret(
        "knock 15% off the fruit trays, they're a regular", _platters_and_trays(), today=TODAY, history=["x"]
    )
    assert result.invoice is not None, result.reply
    assert result.invoice.line_items[1].discount is not None


@pytest.mark.parametrize(
    ("message", "buyer", "total"),
    [
        ("ok perfect. now invoice Mark Dunn, puppy trim 35", "Mark Dunn", Decimal("35.00")),
        ("Looks great! Invoice Mark Dunn for a puppy trim at 35", "Mark Dunn", Decimal("35.00")),
        ("thanks, all good. Quote Ana Silva: 3 hours of tutoring at 40", "Ana Silva", Decimal("120.00")),
        (
            "great, that one's done. Now I need a PO for Baker's Supply Co, 10 bags of flour at 24.90",
            "Baker's Supply Co",
            Decimal("249.00"),
        ),
        ("Perfect. We need a receipt for Tom Hardy, oil change 65", "Tom Hardy", Decimal("65.00")),
        (
            "super, merci. Facture pour Marc Dupont : 2 heures de cours à 40 €",
            "Marc Dupont",
            Decimal("80.00"),
        ),
        ("Danke, passt so. Rechnung an Max Weber: 3 Stunden Beratung à 90 €", "Max Weber", Decimal("270.00")),
        ("perfecto, gracias. Factura para Lucía Romero: 2 horas a 50 €", "Lucía Romero", Decimal("100.00")),
    ],
)
def test_a_remark_before_a_new_request_mid_session_is_not_part_of_it(
    message: str, buyer: str, total: Decimal
) -> None:
    # It was an edit of the current document that could not be read ("I didn't understand ...").
    result = interpret(message, _platters_and_trays(), today=TODAY, history=["add 2 fruit trays at 48"])
    assert result.new_document and result.action == "generate", result.reply
    assert result.invoice is not None and result.invoice.buyer is not None
    assert result.invoice.buyer.name == buyer
    assert compute_totals(result.invoice).total == total


def test_a_remark_before_an_edit_does_not_start_a_new_document() -> None:
    result = interpret("ok thanks. remove the fruit trays", _platters_and_trays(), today=TODAY, history=["x"])
    assert not result.new_document


@pytest.mark.parametrize(
    ("message", "when"),
    [
        ("PO to Acme: 25 boards at 21.40, delivery Tuesday, March 24", dt.date(2026, 3, 24)),
        ("PO to Acme: 25 boards at 21.40, deliver on Friday, 3/27", dt.date(2026, 3, 27)),
        ("PO to Acme: 25 boards at 21.40, delivery on Tue, 24 March", dt.date(2026, 3, 24)),
        (
            "Bestellung bei Holzhandel Krüger: 25 Platten à 21,40 €, Lieferung Dienstag, 24.03.",
            dt.date(2026, 3, 24),
        ),
    ],
)
def test_a_weekday_then_a_comma_then_a_date_is_one_date(message: str, when: dt.date) -> None:
    # The comma cut the date off as a clause of its own, and its price was asked.
    result = interpret(message, None, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    assert result.invoice.delivery_date == when
    assert compute_totals(result.invoice).total == Decimal("535.00")


def test_a_due_date_said_with_its_weekday_and_a_comma_is_the_due_date() -> None:
    result = interpret("Invoice Acme: design 500, due Friday, April 3", None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.due_date == dt.date(2026, 4, 3)


@pytest.mark.parametrize(
    ("message", "days"),
    [
        ("Invoice Acme: design 500, due in 14 days without deduction", 14),
        ("Invoice Acme: design 500, payable within 30 days strictly net", 30),
        ("Invoice Acme: design 500, due in 14 days, without deduction", 14),
        ("Invoice Acme: design 500, net 30, without deduction", 30),
        ("Invoice Acme: design 500, due in 2 weeks without any deductions", 14),
        ("Rechnung an Braun GmbH: Montage 500,00 €, zahlbar in 14 Tagen ohne Abzug", 14),
        ("Facture pour Dupont SARL : pose 500 €, paiement à 30 jours sans escompte", 30),
        ("Factura para Lucía Romero: reparación 500 €, a pagar en 30 días sin deducciones", 30),
    ],
)
def test_without_deduction_after_the_terms_is_a_remark_on_them(message: str, days: int) -> None:
    # It made the terms an unpriced line, and its price was asked.
    result = interpret(message, None, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    assert result.invoice.payment_terms == f"Net {days}"
    assert compute_totals(result.invoice).total == Decimal("500.00")
    assert len(result.invoice.line_items) == 1


@pytest.mark.parametrize(
    ("message", "valid_until"),
    [
        (
            "Angebot für Praxis Kaya: 2 Klimageräte à 250 € inkl. Montage, gültig bis Ende April",
            dt.date(2026, 4, 30),
        ),
        (
            "Angebot für Praxis Kaya: Klimagerät 500 € inkl. Lieferung, gültig bis Monatsende",
            dt.date(2026, 3, 31),
        ),
        ("Angebot für Praxis Kaya: Fotos 500 €, gültig bis Ende des Monats", dt.date(2026, 3, 31)),
        ("Devis pour Cabinet Martin : photos 500 €, valable jusqu'à fin avril", dt.date(2026, 4, 30)),
        ("Devis pour Cabinet Martin : photos 500 €, valable jusqu'à la fin du mois", dt.date(2026, 3, 31)),
        ("Presupuesto para Ana Gil: fotos 500 €, válido hasta finales de mayo", dt.date(2026, 5, 31)),
        ("Presupuesto para Ana Gil: fotos 500 €, válido hasta fin de mes", dt.date(2026, 3, 31)),
    ],
)
def test_incl_and_the_end_of_a_month_are_read_in_each_language(message: str, valid_until: dt.date) -> None:
    # 'inkl.' ended a sentence ('Montage' was asked its price); 'Ende April', 'fin avril',
    # 'finales de mayo' were a line asked its price.
    result = interpret(message, None, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    assert result.invoice.valid_until == valid_until
    assert compute_totals(result.invoice).total == Decimal("500.00")


@pytest.mark.parametrize(
    ("message", "start", "end"),
    [
        ("Invoice Greenway: snow removal, 6 visits @ 85 (work done 2/2 thru 2/27)", (2, 2), (2, 27)),
        ("Invoice Greenway: 6 snow removal visits @ 85, work done 2/2 thru 2/27", (2, 2), (2, 27)),
        ("Invoice Greenway: 6 snow removal visits @ 85 (services rendered February 2-27)", (2, 2), (2, 27)),
        (
            "Invoice Greenway: 6 snow removal visits @ 85 (work performed Feb 2 through Feb 27)",
            (2, 2),
            (2, 27),
        ),
        ("Invoice Greenway: 6 snow removal visits @ 85, service period 2/2 thru 2/27", (2, 2), (2, 27)),
    ],
)
def test_when_the_work_was_done_in_brackets_or_said_as_done_is_the_service_period(
    message: str, start: tuple[int, int], end: tuple[int, int]
) -> None:
    # The bracket made the line unreadable (its price was asked) or was written into the description.
    result = interpret(message, None, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    assert (result.invoice.service_period_start, result.invoice.service_period_end) == (
        dt.date(2026, *start),
        dt.date(2026, *end),
    )
    assert [line.description for line in result.invoice.line_items] in (
        ["Snow removal"],
        ["Snow removal visits"],
    )
    assert compute_totals(result.invoice).total == Decimal("510.00")


@pytest.mark.parametrize(
    ("message", "description"),
    [
        ("Invoice Greenway: lawn care (front yard) 80", "Lawn care front yard"),
        ("Invoice Greenway: 10 bags of flour (50 lb) at 8", "Flour 50 lb"),
    ],
)
def test_a_bracket_that_is_no_date_or_term_stays_in_the_line(message: str, description: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.line_items[0].description == description
    assert compute_totals(result.invoice).total == Decimal("80.00")


@pytest.mark.parametrize(
    ("message", "start", "end"),
    [
        (
            "Facture pour SCI Beaulieu : gestion locative du 1er janvier au 31 mars 2026, 900 €",
            (1, 1),
            (3, 31),
        ),
        ("Facture pour Dupont SARL : entretien du 15 février au 14 mars, 900 €", (2, 15), (3, 14)),
        ("Factura para Ana Gil: mantenimiento del 1 de enero al 31 de marzo, 900 €", (1, 1), (3, 31)),
        ("Rechnung an Max Weber: Wartung vom 1. Januar bis 31. März, 900 €", (1, 1), (3, 31)),
        ("Facture pour Dupont SARL : entretien du 1er au 31 mars, 900 €", (3, 1), (3, 31)),
    ],
)
def test_a_service_period_across_months_is_read_in_each_language(
    message: str, start: tuple[int, int], end: tuple[int, int]
) -> None:
    # 'du 1er janvier au 31 mars' was 'January March 1 to March 31', and the period was asked.
    result = interpret(message, None, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    assert (result.invoice.service_period_start, result.invoice.service_period_end) == (
        dt.date(2026, *start),
        dt.date(2026, *end),
    )
    assert compute_totals(result.invoice).total == Decimal("900.00")


@pytest.mark.parametrize(
    ("message", "description"),
    [
        ("Invoice Becker for office cleaning, flat 940", "Office cleaning"),
        ("Invoice Becker for office cleaning, flat rate of 940", "Office cleaning"),
        ("Invoice Becker for office cleaning, lump sum 940", "Office cleaning"),
        ("Invoice Becker for office cleaning, the price is 940", "Office cleaning"),
        ("Rechnung an Autohaus Becker für Unterhaltsreinigung, pauschal 940 €", "Unterhaltsreinigung"),
        ("Facture pour Garage Martin : nettoyage des bureaux, forfait 940 €", "Nettoyage des bureaux"),
        ("Factura para Taller Ruiz: limpieza de oficinas, precio cerrado 940 €", "Limpieza de oficinas"),
    ],
)
def test_a_flat_price_after_an_unpriced_line_is_its_price(message: str, description: str) -> None:
    # It was a line "Flat" at 940, and the line before was asked its price.
    result = interpret(message, None, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    assert [line.description for line in result.invoice.line_items] == [description]
    assert compute_totals(result.invoice).total == Decimal("940.00")


@pytest.mark.parametrize(
    ("message", "description", "month"),
    [
        ("Invoice Becker for office cleaning February 2026, flat 940", "Office cleaning", 2),
        ("Invoice Becker: office cleaning (March) 940", "Office cleaning", 3),
        ("Invoice Becker: lawn care - April, 940", "Lawn care", 4),
        (
            "Rechnung an Autohaus Becker für Unterhaltsreinigung Februar 2026, pauschal 940 €",
            "Unterhaltsreinigung",
            2,
        ),
    ],
)
def test_a_month_ending_a_line_is_the_service_period(message: str, description: str, month: int) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    assert [line.description for line in result.invoice.line_items] == [description]
    assert result.invoice.service_period_start == dt.date(2026, month, 1)
    assert compute_totals(result.invoice).total == Decimal("940.00")


@pytest.mark.parametrize(
    ("message", "description"),
    [
        ("Invoice Becker: payroll of March 940", "Payroll of March"),
        (
            "Factura a Construcciones López: gestión de nóminas de febrero 940 €",
            "Gestión de nóminas de febrero",
        ),
    ],
)
def test_a_month_said_with_of_names_the_thing_sold_and_is_no_period(message: str, description: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.line_items[0].description == description
    assert result.invoice.service_period_start is None


@pytest.mark.parametrize(
    ("message", "description", "unit", "total"),
    [
        ("Invoice Pat Okafor: 2.5 hrs at 70, plus 38 miles at 0.67", "Mileage", "miles", Decimal("200.46")),
        ("Invoice Pat Okafor: 120 mi at 0.50", "Mileage", "miles", Decimal("60.00")),
        ("Invoice Pat Okafor: travel 1 mile at 2", "Travel", "mile", Decimal("2.00")),
        (
            "PO to Valley Farms: 30 dozen eggs at 3.20 a dozen, deliver on the 19th",
            "Eggs",
            "dozen",
            Decimal("96.00"),
        ),
        ("PO to Valley Farms: 12 doz bagels at 9", "Bagels", "dozen", Decimal("108.00")),
    ],
)
def test_miles_and_dozens_said_in_words_are_units(
    message: str, description: str, unit: str, total: Decimal
) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    last = result.invoice.line_items[-1]
    assert (last.description, last.unit) == (description, unit)
    assert compute_totals(result.invoice).total == total
