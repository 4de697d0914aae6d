"""Spanish, German and French dates, totals and slips the language tables read (session 6):
numeric dates day first, a date after its label is that field, a total restated with its tax is
never a line, slips in units and kinds, where to deliver. Split from test_builtin_languages_words.py
(same helpers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docmesh_agent.builtin import interpret
from docmesh_common.model.totals import compute_totals
from tests.agent.test_builtin_languages_words import TODAY, _doc


@pytest.mark.parametrize(
    ("message", "field", "date"),
    [
        # Day first: read month first, the 1st of April was January 4th.
        ("Rechnung an Sonne: Reinigung 300 €, fällig am 01.04.2026", "due_date", dt.date(2026, 4, 1)),
        ("Factura para Sol: limpieza 300 €, vence el 01/04/2026", "due_date", dt.date(2026, 4, 1)),
        ("Facture pour Soleil : ménage 300 €, échéance le 01/04/2026", "due_date", dt.date(2026, 4, 1)),
        ("Factura para Sol: limpieza 300 €, vence el 1/4", "due_date", dt.date(2026, 4, 1)),
        ("Factura para Sol: limpieza 300 €, vence el 01-04-26", "due_date", dt.date(2026, 4, 1)),
        ("Angebot für Sonne: Reinigung 300 €, gültig bis 05.04.2026", "valid_until", dt.date(2026, 4, 5)),
        (
            "Bestellung bei Sonne: Reinigung 300 €, Lieferung am 02.04.2026",
            "delivery_date",
            dt.date(2026, 4, 2),
        ),
    ],
)
def test_a_numeric_date_is_day_first(message: str, field: str, date: dt.date) -> None:
    assert getattr(_doc(message), field) == date


@pytest.mark.parametrize(
    ("message", "field", "date"),
    [
        (
            "Factura para Sol: limpieza 300 €, fecha de vencimiento 15.04.2026",
            "due_date",
            dt.date(2026, 4, 15),
        ),
        ("Factura para Sol: limpieza 300 €, vencimiento: 15/04/2026", "due_date", dt.date(2026, 4, 15)),
        ("Factura para Sol: limpieza 300 €, fecha de emisión 1 de marzo", "issue_date", dt.date(2026, 3, 1)),
        ("Rechnung an Sonne: Reinigung 300 €, Zahlungsziel: 15.04.2026", "due_date", dt.date(2026, 4, 15)),
        ("Rechnung an Sonne: Reinigung 300 €, Fälligkeit 15.4.2026", "due_date", dt.date(2026, 4, 15)),
        ("Rechnung an Sonne: Reinigung 300 €, Rechnungsdatum 01.03.2026", "issue_date", dt.date(2026, 3, 1)),
        ("Facture pour Soleil : ménage 300 €, à payer avant le 15 avril", "due_date", dt.date(2026, 4, 15)),
        (
            "Facture pour Soleil : ménage 300 €, date d'échéance : 15 avril 2026",
            "due_date",
            dt.date(2026, 4, 15),
        ),
        (
            "Facture pour Soleil : ménage 300 €, date de facture 1er mars 2026",
            "issue_date",
            dt.date(2026, 3, 1),
        ),
        (
            "Angebot für Sonne: Reinigung 300 €, Angebot gilt bis 30.04.2026",
            "valid_until",
            dt.date(2026, 4, 30),
        ),
        ("Presupuesto para Sol: limpieza 300 €, validez 30 días", "valid_until", dt.date(2026, 4, 11)),
        ("Devis pour Soleil : ménage 300 €, validité 30 jours", "valid_until", dt.date(2026, 4, 11)),
        ("Angebot für Sonne: Reinigung 300 €, Gültigkeit 30 Tage", "valid_until", dt.date(2026, 4, 11)),
        (
            "Bon de commande pour Soleil : ménage 300 €, livraison prévue le 20 mars",
            "delivery_date",
            dt.date(2026, 3, 20),
        ),
        (
            "Bon de commande pour Soleil : ménage 300 €, à livrer le 20 mars",
            "delivery_date",
            dt.date(2026, 3, 20),
        ),
        (
            "Bestellung bei Sonne: Reinigung 300 €, bitte liefern bis 20. März",
            "delivery_date",
            dt.date(2026, 3, 20),
        ),
        (
            "Pedido a Sol: limpieza 300 €, fecha de entrega: 20 de marzo",
            "delivery_date",
            dt.date(2026, 3, 20),
        ),
    ],
)
def test_a_date_after_its_label_is_that_field_never_a_line(message: str, field: str, date: dt.date) -> None:
    invoice = _doc(message)
    assert getattr(invoice, field) == date
    assert [(i.quantity, i.unit_price) for i in invoice.line_items] == [(Decimal(1), Decimal(300))]


@pytest.mark.parametrize(
    ("message", "price"),
    [
        ("Factura para Sol: soporte 24/7 300 €", Decimal(300)),
        ("Facture pour Soleil : support 24/7 1 200 €", Decimal(1200)),
    ],
)
def test_a_number_after_a_slash_is_never_grouped_with_the_price(message: str, price: Decimal) -> None:
    # "24/7 300 €" was read as 24 at "7 300": one line at 24, a wrong total.
    assert [line.unit_price for line in _doc(message).line_items] == [price]


@pytest.mark.parametrize(
    ("message", "total"),
    [
        # The restated gross total was a line ("Soit", "19% MwSt") on top of the lines: 2,640 / 2,190.
        (
            "Facture pour Agence Soleil : conception 1 000 € HT, TVA 20 %, soit 1 200 € TTC",
            Decimal("1200.00"),
        ),
        (
            "Rechnung an Agentur Sonne: Webdesign 1.000 € netto zzgl. 19 % MwSt = 1.190 € brutto",
            Decimal("1190.00"),
        ),
        (
            "Factura para Agencia Sol: diseño web 1.000 € + IVA 21 %, es decir 1.210 € con IVA",
            Decimal("1210.00"),
        ),
    ],
)
def test_a_total_restated_with_its_tax_is_never_a_line(message: str, total: Decimal) -> None:
    invoice = _doc(message)
    assert [(i.quantity, i.unit_price) for i in invoice.line_items] == [(Decimal(1), Decimal(1000))]
    assert compute_totals(invoice).total == total


def test_a_restated_total_that_does_not_add_up_is_asked_about() -> None:
    result = interpret(
        "Facture pour Agence Soleil : conception 1 000 € HT, TVA 20 %, soit 1 300 € TTC", None, today=TODAY
    )
    assert result.action == "question" and "1300" in result.reply


@pytest.mark.parametrize(
    ("message", "unit"),
    [
        ("Factura para Hotel Sol: 10 hroas de limpieza a 20 €", "horas"),
        ("Factura para Hotel Sol: 10 diass de limpieza a 20 €", "días"),
        ("Rechnung an Hotel Sonne: 10 Stunen Reinigung à 20 €", "Stunden"),
        ("Facture pour Hôtel Soleil : 10 heurs de ménage à 20 €", "heures"),
    ],
)
def test_a_slip_in_the_unit_after_a_count_is_the_unit(message: str, unit: str) -> None:
    line = _doc(message).line_items[0]
    assert (line.quantity, line.unit, line.unit_price) == (Decimal(10), unit, Decimal(20))


def test_a_word_a_letter_away_from_a_unit_stays_itself() -> None:
    # "hojas" (sheets) is a word, not a slip of "horas".
    line = _doc("Factura para Hotel Sol: 10 hojas a 0,10 €").line_items[0]
    assert (line.description, line.unit) == ("Hojas", "")


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Orden de compar para Hotel Sol: 10 cajas a 30 €", "purchase_order"),
        ("Bon de comande pour Hôtel Soleil : 10 cartons à 30 €", "purchase_order"),
    ],
)
def test_a_slip_in_a_kind_said_in_several_words_is_the_kind(message: str, kind: str) -> None:
    invoice = _doc(message)
    assert (invoice.kind.value, [i.quantity for i in invoice.line_items]) == (kind, [Decimal(10)])


@pytest.mark.parametrize(
    ("message", "notes"),
    [
        (
            "Pedido a Distribuciones Sur: 200 cajas a 1,20 €, entregar en nuestro almacén de Getafe el 20 de marzo",
            "Entregar en: nuestro almacén de Getafe",
        ),
        (
            "Bestellung bei Großhandel Nord: 200 Kartons à 1,20 €, Lieferadresse: Lager Hamburg, Lieferung bis 20.03.",
            "Lieferadresse: Lager Hamburg",
        ),
        (
            "Bon de commande pour Papeterie Lenoir : 200 cartons à 1,20 €, livrer à notre entrepôt de Lyon avant le 20 mars",
            "Livrer à : notre entrepôt de Lyon",
        ),
    ],
)
def test_where_to_deliver_is_a_note_in_the_language_and_when_the_delivery_date(
    message: str, notes: str
) -> None:
    invoice = _doc(message)
    assert (invoice.notes, invoice.delivery_date) == (notes, dt.date(2026, 3, 20))
    assert [(i.quantity, i.unit_price) for i in invoice.line_items] == [(Decimal(200), Decimal("1.20"))]


@pytest.mark.parametrize(
    "message",
    [
        "Orden de compra para el proveedor Papelería Sol: 50 resmas a 3,50 €",
        "Bon de commande pour le fournisseur Papelería Sol : 50 ramettes à 3,50 €",
        "Bestellung beim Lieferanten Papelería Sol: 50 Pakete à 3,50 €",
    ],
)
def test_the_word_supplier_before_the_name_is_not_part_of_it(message: str) -> None:
    assert _doc(message).buyer.name == "Papelería Sol"


@pytest.mark.parametrize(
    ("message", "description"),
    [
        # The whole 4.000 was the line: a wrong total.
        ("Factura para Reformas Gil: 30 % de anticipo sobre 4.000 €", "Anticipo (30% de 4000)"),
        ("Factura para Reformas Gil: anticipo del 30 % sobre 4.000 €", "Anticipo (30% de 4000)"),
        ("Rechnung an Bau Gil: 30 % Anzahlung auf 4.000 €", "Anzahlung (30% von 4000)"),
        ("Rechnung an Bau Gil: Anzahlung von 30 % auf 4.000 €", "Anzahlung (30% von 4000)"),
        ("Facture pour Rénov Gil : acompte de 30 % sur 4 000 €", "Acompte (30% de 4000)"),
        ("Facture pour Rénov Gil : 30 % d'acompte sur 4 000 €", "Acompte (30% de 4000)"),
    ],
)
def test_a_deposit_share_of_an_amount_is_that_share(message: str, description: str) -> None:
    invoice = _doc(message)
    assert [(i.description, i.unit_price) for i in invoice.line_items] == [(description, Decimal(1200))]
    assert compute_totals(invoice).total == Decimal("1200.00")


@pytest.mark.parametrize(
    ("message", "kind", "number"),
    [
        ("Rechnung an Müller GmbH, Rechnungsnummer 2026-017: Beratung 500 €", "invoice", "2026-017"),
        ("Angebot für Müller GmbH: Beratung 500 €, Angebotsnummer A-17", "quote", "A-17"),
        ("Factura para Hotel Sol, número de factura 2026-017: limpieza 500 €", "invoice", "2026-017"),
        ("Presupuesto para Hotel Sol, número de presupuesto 17: limpieza 500 €", "quote", "17"),
        ("Facture pour Hôtel Soleil, numéro de facture 2026-017 : ménage 500 €", "invoice", "2026-017"),
        ("Devis pour Hôtel Soleil : ménage 500 €, n° de devis 17", "quote", "17"),
    ],
)
def test_the_documents_number_said_with_its_label_is_its_number(message: str, kind: str, number: str) -> None:
    invoice = _doc(message)
    assert (invoice.kind.value, invoice.number, invoice.reference) == (kind, number, "")
    assert [(i.quantity, i.unit_price) for i in invoice.line_items] == [(Decimal(1), Decimal(500))]


@pytest.mark.parametrize(
    "message",
    [
        "Rechnung an Müller GmbH: Beratung 500 €, Ihre Bestellnummer 4521",
        "Factura para Hotel Sol: limpieza 500 €, su pedido nº 4521",
        "Facture pour Hôtel Soleil : ménage 500 €, votre commande n° 4521",
    ],
)
def test_the_clients_own_order_number_is_the_reference(message: str) -> None:
    invoice = _doc(message)
    assert (invoice.number, invoice.reference) == ("", "4521")


@pytest.mark.parametrize(
    ("message", "tax_id"),
    [
        ("Factura a Taquería El Sol, RFC TES850101AB1: 3 horas de limpieza a $450 MXN", "TES850101AB1"),
        ("Factura a Estudio Sur, CUIT 20-12345678-9: diseño 50.000 ARS", "20-12345678-9"),
        ("Rechnung an Müller AG, UID CHE-123.456.789: Beratung CHF 500", "CHE-123.456.789"),
        ("Facture pour Dupont SA, TVA intracommunautaire FR12345678901 : conseil 500 €", "FR12345678901"),
    ],
)
def test_a_tax_id_named_in_the_language_is_the_buyers_as_written(message: str, tax_id: str) -> None:
    invoice = _doc(message)
    assert (invoice.buyer.tax_id, invoice.buyer.address_lines) == (tax_id, [])
    assert len(invoice.line_items) == 1


@pytest.mark.parametrize(
    ("message", "total"),
    [
        # A half hour priced per hour was one hour; an hour and a half one hour; a half day one day.
        ("Factura para Ana: media hora de clase a 30 € la hora", Decimal("15.00")),
        ("Factura para Ana: hora y media de clase a 30 € la hora", Decimal("45.00")),
        ("Factura para Ana: dos horas y media de clase a 30 € la hora", Decimal("75.00")),
        ("Factura para Ana: medio día de formación a 600 € el día", Decimal("300.00")),
        ("Rechnung an Ana: eine halbe Stunde Unterricht à 30 € pro Stunde", Decimal("15.00")),
        ("Rechnung an Ana: anderthalb Stunden Unterricht à 30 € pro Stunde", Decimal("45.00")),
        ("Rechnung an Ana: ein halber Tag Schulung à 600 € pro Tag", Decimal("300.00")),
        ("Facture pour Ana : une demi-heure de cours à 30 € de l'heure", Decimal("15.00")),
        ("Facture pour Ana : une heure et demie de cours à 30 € de l'heure", Decimal("45.00")),
        ("Facture pour Ana : 1h30 de cours à 30 € de l'heure", Decimal("45.00")),
        ("Facture pour Ana : une demi-journée de formation à 600 € la journée", Decimal("300.00")),
        # Priced as a whole, the half is the thing sold.
        ("Factura para Ana: media hora de clase a 15 €", Decimal("15.00")),
        ("Factura para Ana: media jornada de formación a 600 €", Decimal("600.00")),
    ],
)
def test_a_fraction_of_an_hour_or_a_day_priced_per_unit_is_that_fraction(
    message: str, total: Decimal
) -> None:
    # A wrong total before (one hour or one day billed).
    assert compute_totals(_doc(message)).total == total


@pytest.mark.parametrize(
    ("message", "total"),
    [
        ("Rechnung an Müller: Beratung 10 Stunden, Stundensatz 95 €", Decimal("950.00")),
        ("Rechnung an Müller: Schulung 3 Tage, Tagessatz 800 €", Decimal("2400.00")),
        ("Factura para Sol: consultoría 10 horas, tarifa 95 €/hora", Decimal("950.00")),
        ("Factura para Sol: consultoría 10 horas, tarifa por hora 95 €", Decimal("950.00")),
        ("Facture pour Soleil : conseil 10 heures, taux horaire 95 €", Decimal("950.00")),
        ("Facture pour Soleil : formation 3 jours, tarif journalier 800 €", Decimal("2400.00")),
    ],
)
def test_an_hourly_or_day_rate_named_after_the_count_prices_it(message: str, total: Decimal) -> None:
    assert compute_totals(_doc(message)).total == total


@pytest.mark.parametrize(
    "message",
    [
        # "= 400 €" ran into "Gesamt: 910 €" on the next line: a line "Total 400 €" at 910 (1,820).
        "Rechnung an Möbel Süd\n- 6 Stühle x 85 € = 510 €\n- 1 Tisch x 400 € = 400 €\nGesamt: 910 €",
        "Factura para Muebles Sur\n- 6 sillas x 85 € = 510 €\n- 1 mesa x 400 € = 400 €\nTotal: 910 €",
        "Facture pour Meubles Sud\n- 6 chaises x 85 € = 510 €\n- 1 table x 400 € = 400 €\nTotal : 910 €",
    ],
)
def test_line_totals_and_the_total_on_their_own_lines_are_never_lines(message: str) -> None:
    invoice = _doc(message)
    assert [(i.quantity, i.unit_price) for i in invoice.line_items] == [
        (Decimal(6), Decimal(85)),
        (Decimal(1), Decimal(400)),
    ]
    assert compute_totals(invoice).total == Decimal("910.00")
