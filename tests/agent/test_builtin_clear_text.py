"""Clear text is written, not asked about (issue 13): numbers whose role is plain from the words
around them (a count in a plural, a cost never counted, how many times a service was given, a day
range before its month), a buyer named with "the", typos in kind and unit words. Each of these
asked a question a clerk would not have asked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docmesh_agent.builtin import interpret
from docmesh_common.model.invoice import DocumentKind, Invoice, LineItem, Party
from docmesh_common.model.totals import compute_totals

TODAY = dt.date(2026, 3, 12)  # a Thursday


def _written(message: str) -> Invoice:
    result = interpret(message, None, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    return result.invoice


def _lines(invoice: Invoice) -> list[tuple[str, Decimal, str, Decimal]]:
    return [(i.description, i.quantity, i.unit, i.unit_price) for i in invoice.line_items]


def test_a_cost_that_is_never_counted_takes_the_amount_before_it() -> None:
    invoice = _written("Invoice Lakeview Golf Club, 4 hours at 125 and 60 travel")
    assert _lines(invoice)[1] == ("Travel", Decimal(1), "", Decimal(60))
    assert compute_totals(invoice).total == Decimal("560.00")


def test_how_many_sessions_of_the_unpriced_service_before_prices_it() -> None:
    invoice = _written("Invoice Calm Co. for corporate yoga classes, 8 sessions at 90")
    assert _lines(invoice) == [("Corporate yoga classes", Decimal(8), "sessions", Decimal(90))]


def test_a_counted_thing_after_an_unpriced_line_is_not_its_count() -> None:
    # "mugs" name a thing of their own: the logo design stays unpriced and is asked about.
    result = interpret("Invoice Acme: logo design, 5 mugs at 10", None, today=TODAY)
    assert result.action == "question"
    assert "logo design" in result.reply


def test_a_day_range_before_its_month_is_the_service_period() -> None:
    invoice = _written("Invoice Calm Co. for yoga classes, 8 sessions at 90, for the period 2-27 March")
    assert (invoice.service_period_start, invoice.service_period_end) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 27),
    )


@pytest.mark.parametrize(
    ("message", "buyer", "kind"),
    [
        (
            "qutoe for the Carter wedding: 12 bridesmaid bouquets @ 65 ea, 1 bridal bouqet 180",
            "Carter wedding",
            "quote",
        ),
        ("estimte for the Kowalski family, 10 maths tutoring sesions at 45 each", "Kowalski family", "quote"),
    ],
)
def test_the_and_a_capitalised_name_after_for_is_the_buyer(message: str, buyer: str, kind: str) -> None:
    invoice = _written(message)
    assert invoice.buyer.name.casefold() == buyer.casefold()
    assert invoice.kind == DocumentKind(kind)


def test_a_walk_in_customer_is_whom_a_receipt_is_for() -> None:
    invoice = _written("new receipt: walk-in customer, hand-tied bouquet 35, cash")
    assert invoice.buyer.name.casefold() == "walk-in customer"
    assert invoice.payment_method == "Cash"
    assert invoice.amount_paid == Decimal(35)


@pytest.mark.parametrize(
    ("message", "unit"),
    [
        ("invoice Dr. Hana Sato: translation 2,400 wrods at 0.12", "words"),
        ("invoice Acme: 4 sesions of coaching at 50", "sessions"),
    ],
)
def test_a_unit_word_with_one_careful_slip_is_read_as_meant(message: str, unit: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert unit in (result.invoice.line_items[0].unit if result.invoice else result.reply)


def test_a_slip_in_order_after_purchase_is_a_purchase_order() -> None:
    invoice = _written("purchace ordr to Timberline Supply: 50 2x4 boards 8ft @ 4.75, delivry 40")
    assert invoice.kind == DocumentKind.PURCHASE_ORDER
    assert _lines(invoice) == [("2x4 boards 8ft", Decimal(50), "", Decimal("4.75"))]
    assert invoice.shipping == Decimal(40)


def test_a_common_plural_then_a_count_beside_a_name_with_a_number() -> None:
    invoice = _written("Invoice Pike & Co: Microsoft 365 licences 5 @ £10.30, VAT 20%")
    assert _lines(invoice) == [("Microsoft 365 licences", Decimal(5), "", Decimal("10.30"))]


# --- answers of several facts ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "answer", "lines"),
    [
        (
            "invoice Mrs Alvarez for the boiler service",
            "95, and 2 hrs extra labour at 60, due in 7 days",
            [
                ("Boiler service", Decimal(1), "", Decimal(95)),
                ("Extra labour", Decimal(2), "hours", Decimal(60)),
            ],
        ),
        (
            "Invoice Kite Studio for the landing page build",
            "1.8k + 2 rounds of revisions at 150 each, net 30",
            [
                ("Landing page build", Decimal(1), "", Decimal(1800)),
                ("Revisions", Decimal(2), "rounds", Decimal(150)),
            ],
        ),
        (
            "Invoice Vertex Legal for the contract translation",
            "3,500 words at 0.10 per word, plus 40 for certification, due March 31",
            [
                ("Contract translation", Decimal(3500), "words", Decimal("0.10")),
                ("Certification", Decimal(1), "", Decimal(40)),
            ],
        ),
    ],
)
def test_an_answer_prices_the_asked_line_and_adds_its_other_lines(
    first: str, answer: str, lines: list[tuple[str, Decimal, str, Decimal]]
) -> None:
    result = interpret(answer, None, today=TODAY, history=[first])
    assert result.invoice is not None, result.reply
    assert _lines(result.invoice) == lines


# --- a tax on some lines only ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "exempt"),
    [
        (
            "Invoice Harbor Tech for 6 yoga sessions at 95, mat rental 40, GST 5% on the mats only",
            [True, False],
        ),
        ("Invoice Lakeside HOA: lawn care 300, plants 180, 7% sales tax only on the plants", [True, False]),
        (
            "invoice Dunmore Hall: dinner for 80 at 40 a head, service charge 600, 10% tax but no tax on the service charge",
            [False, True],
        ),
    ],
)
def test_a_tax_said_of_some_lines_leaves_the_others_untaxed(message: str, exempt: list[bool]) -> None:
    invoice = _written(message)
    assert [i.tax_exempt for i in invoice.line_items] == exempt
    assert len(invoice.taxes) == 1


def test_a_tax_only_on_a_line_that_is_not_there_is_not_written() -> None:
    result = interpret("Invoice Acme: lawn care 300, 7% sales tax on the plants only", None, today=TODAY)
    assert result.action == "question" and result.invoice is None


# --- lists as people type them -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "line"),
    [
        (
            "Estimate Mrs Patel: deep clean at 80.50; catering, 20 guests at 40 each",
            ("Catering", Decimal(20), "guests", Decimal(40)),
        ),
        ("Invoice Acme: mulch, 3 bags at 15 each", ("Mulch", Decimal(3), "bags", Decimal(15))),
        (
            "invoice for Hooli Ltd, photo editing, 20 images at USD 12 each",
            ("Photo editing", Decimal(20), "images", Decimal(12)),
        ),
        ("Quote for Dr. Chen, tiling, 8 m2 at 40", ("Tiling", Decimal(8), "m2", Decimal(40))),
    ],
)
def test_a_count_in_what_the_unpriced_line_before_is_counted_in_prices_it(
    message: str, line: tuple[str, Decimal, str, Decimal]
) -> None:
    assert _lines(_written(message))[-1] == line


def test_a_polite_word_after_a_dash_is_not_part_of_the_clause() -> None:
    invoice = _written("Quote for Dr. Chen, 8 m2 tiling at 80 per m2, 10% tax - thanks!")
    assert [(t.rate_percent) for t in invoice.taxes] == [Decimal(10)]
    assert _lines(invoice) == [("Tiling", Decimal(8), "m2", Decimal(80))]


def test_a_dash_after_and_belongs_to_its_own_item() -> None:
    # "... $90 ea and boiler service - USD 60.50": the 60.50 is the boiler service's price.
    invoice = _written("invoice Acme Corp: 10 printer toner $90 ea and boiler service - USD 60.50")
    assert _lines(invoice)[-1] == ("Boiler service", Decimal(1), "", Decimal("60.50"))


# --- sentences that name the buyer another way --------------------------------------------------


@pytest.mark.parametrize(
    ("message", "buyer", "total"),
    [
        ("Acme Corp owes me 450 for the logo", "Acme Corp", Decimal("450.00")),
        ("Sunrise Cafe needs an invoice: 4 portraits, 120 each", "Sunrise Cafe", Decimal("480.00")),
        (
            "Send Mr. Grant an invoice for 4 days of on-site support at 600 per day",
            "Mr. Grant",
            Decimal("2400.00"),
        ),
        ("I did 4 hours of consulting for Hooli this week, charge 150 an hour", "Hooli", Decimal("600.00")),
        ("Invoice Hooli\nDescription: bathroom repair\nAmount: 450", "Hooli", Decimal("450.00")),
        ("Bill to: Mr. Grant\nItems:\n- Consulting, 5 hrs, 150/hr", "Mr. Grant", Decimal("750.00")),
        ("Bill to: Mr. Grant\nItems:\n- Consulting, 5 hrs, 150/hr, 10% tax", "Mr. Grant", Decimal("825.00")),
        ("Bitte eine Rechnung für Müller GmbH, 3 Stück Tische je 45 €", "Müller GmbH", Decimal("135.00")),
    ],
)
def test_a_request_worded_as_a_sentence_or_a_form_is_written(
    message: str, buyer: str, total: Decimal
) -> None:
    invoice = _written(message)
    assert invoice.buyer.name == buyer
    assert compute_totals(invoice).total == total


# --- es/de/fr lists -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "total"),
    [
        # "Büroreinigung: 120,50 EUR" after a line was taken for the buyer's address ("a place").
        ("Rechnung an Bäckerei Nowak: 10 Stühle für je 15 EUR; Büroreinigung: 120,50 EUR", Decimal("270.50")),
        # "Logodesign 1.450,50 EUR" was an address line too (its 1450 looked like a postal code).
        ("Rechnung für Praxis Dr. Roth: 10 Fotos zu je 14,50€\nLogodesign 1.450,50 EUR", Decimal("1595.50")),
        # "por ... c/u" is the price of each ("por" alone is "for": the total).
        ("Presupuesto para Lucía Romero: 5 fotografías por 80,50 € c/u", Decimal("402.50")),
        ("Presupuesto para Lucía Romero: 5 fotografías por 80,50 €", Decimal("80.50")),
        ("Rechnung an Herr Weber: 2 Stunden Beratung für je 350 EUR", Decimal("700.00")),
    ],
)
def test_lists_in_other_languages_total_what_was_said(message: str, total: Decimal) -> None:
    assert compute_totals(_written(message)).total == total


@pytest.mark.parametrize(
    ("first", "answer", "total"),
    [
        # "75 per hour" was a line of one hour of "Services" and the consulting asked again.
        ("Invoice Acme for 8 hours of consulting", "75 per hour", Decimal("600.00")),
        ("Invoice Acme for 8 hours of consulting", "120/hr", Decimal("960.00")),
        # "400 for all of them" was a line "All of them" at 400.
        ("Invoice Globex for 5 chairs", "400 for all of them", Decimal("400.00")),
    ],
)
def test_an_answer_with_a_rate_or_a_total_prices_the_asked_line(
    first: str, answer: str, total: Decimal
) -> None:
    result = interpret(answer, None, today=TODAY, history=[first])
    assert result.invoice is not None, result.reply
    assert len(result.invoice.line_items) == 1
    assert compute_totals(result.invoice).total == total


@pytest.mark.parametrize("message", ["can you do 25% off the chairs", "put 25% off the chairs"])
def test_a_verb_before_a_line_discount_is_read(message: str) -> None:
    current = Invoice(
        buyer=Party(name="Acme"),
        line_items=[LineItem(description="Chairs", quantity=Decimal(6), unit_price=Decimal(85))],
    )
    result = interpret(message, current, today=TODAY)
    assert result.invoice is not None, result.reply
    discount = result.invoice.line_items[0].discount
    assert discount is not None and discount.percent == Decimal(25)


def test_an_answer_naming_a_joined_line_with_a_count_splits_and_counts_it() -> None:
    result = interpret(
        "cleanup 640, mulch 12 yards at 45, tax 7%",
        None,
        today=TODAY,
        history=["quote for Birchwood HOA: spring cleanup and mulch"],
    )
    assert result.invoice is not None, result.reply
    assert _lines(result.invoice) == [
        ("Spring cleanup", Decimal(1), "", Decimal(640)),
        ("Mulch", Decimal(12), "yards", Decimal(45)),
    ]


@pytest.mark.parametrize(
    "message",
    [
        "PO Harbor Dental: plywood sheets x5 @ 95",
        "PO\nHarbor Dental\n730 Elm Ave\nDenver CO 80203\n5 plywood sheets @ 95 ea",
    ],
)
def test_a_bare_po_before_a_name_is_a_purchase_order_to_it(message: str) -> None:
    invoice = _written(message)
    assert invoice.kind == DocumentKind.PURCHASE_ORDER
    assert invoice.buyer.name == "Harbor Dental"
    assert compute_totals(invoice).total == Decimal("475.00")


@pytest.mark.parametrize(
    ("typed", "kind"), [("estimat", "quote"), ("invoic", "invoice"), ("receip", "receipt")]
)
def test_a_kind_word_missing_its_last_letter_is_read_as_meant(typed: str, kind: str) -> None:
    assert _written(f"{typed} for Acme Corp: 3 chairs at 40").kind == DocumentKind(kind)


@pytest.mark.parametrize(
    ("message", "line"),
    [
        # "15 centros de mesa" was 15 "centros" of "Mesa"; "10 cartouches d'encre" 10 "cartouches" of "Encre".
        (
            "Factura a Hotel Las Palmeras: 15 centros de mesa a 28 €",
            ("Centros de mesa", Decimal(15), "", Decimal(28)),
        ),
        (
            "Facture pour Encres du Sud : 10 cartouches d'encre à 42 €",
            ("Cartouches d'encre", Decimal(10), "", Decimal(42)),
        ),
        (
            "Factura para Acme: 10 horas de consultoría a 50 €",
            ("Consultoría", Decimal(10), "horas", Decimal(50)),
        ),
    ],
)
def test_of_after_a_count_makes_a_unit_only_of_a_word_that_counts(
    message: str, line: tuple[str, Decimal, str, Decimal]
) -> None:
    assert _lines(_written(message)) == [line]


def test_a_unit_said_after_what_it_counts_is_the_unit() -> None:
    invoice = _written("Receipt to Mrs. Obi, 4 chemistry tutoring hours at 40, paid via PayPal")
    assert _lines(invoice) == [("Chemistry tutoring", Decimal(4), "hours", Decimal(40))]
