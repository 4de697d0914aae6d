"""Spanish, German and French words the language tables read (session 6): units and counts, the
document's number, delivery dates said with a verb, lines outside VAT, and descriptions that keep
the client's own words. Each varies the words, the order and the language; wrong totals found on
the way are in test_builtin_wrong_amounts.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docmesh_agent.builtin import interpret
from docmesh_common.model.invoice import Invoice

TODAY = dt.date(2026, 3, 12)  # a Thursday


def _doc(message: str) -> Invoice:
    result = interpret(message, None, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    return result.invoice


@pytest.mark.parametrize(
    ("message", "quantity", "unit"),
    [
        ("Rechnung an Café Lindner: Website-Pflege 6 Monate à 45 €", Decimal(6), "Monate"),
        ("Rechnung an Café Lindner: 6 Monate Website-Pflege à 45 €", Decimal(6), "Monate"),
        ("Rechnung an Café Lindner: Hosting 1 Monat zu 45 €", Decimal(1), "Monat"),
        ("Rechnung an Café Lindner: Betreuung 3 Wochen je 45 €", Decimal(3), "Wochen"),
    ],
)
def test_german_months_and_weeks_after_a_count_are_its_unit(message: str, quantity: Decimal, unit: str) -> None:
    line = _doc(message).line_items[0]
    assert (line.quantity, line.unit, line.unit_price) == (quantity, unit, Decimal(45))


@pytest.mark.parametrize(
    "message",
    [
        "Bestellung bei Holzhandel Brandt: 25 Stk. Dachlatten à 3,90 €",
        "Bestellung bei Holzhandel Brandt: 25 Stück Dachlatten zu je 3,90 €",
        "Bestellung bei Holzhandel Brandt: Dachlatten 25 Stk. à 3,90 €",
    ],
)
def test_german_pieces_are_the_counts_unit_not_the_description(message: str) -> None:
    line = _doc(message).line_items[0]
    assert (line.description, line.quantity, line.unit_price) == ("Dachlatten", Decimal(25), Decimal("3.90"))
    assert line.unit in ("", "Stück")


@pytest.mark.parametrize(
    ("message", "number", "reference"),
    [
        ("Bestellung bei Holz Krämer GmbH, Bestell-Nr. 7781: 25 Latten à 6,90 €", "7781", ""),
        ("Rechnung an Holz Krämer GmbH, Bestell-Nr. 7781: 25 Latten à 6,90 €", "", "7781"),
        ("Rechnung an Holz Krämer GmbH, Nr. 7781: 25 Latten à 6,90 €", "7781", ""),
        ("Factura a Maderas Soto, nº 7781: 25 listones a 6,90 €", "7781", ""),
        ("Facture pour Bois Girard, n° 7781 : 25 lattes à 6,90 €", "7781", ""),
    ],
)
def test_a_number_said_after_the_buyer_is_the_documents_or_the_orders(
    message: str, number: str, reference: str
) -> None:
    invoice = _doc(message)
    assert (invoice.number, invoice.reference) == (number, reference)
    assert (invoice.line_items[0].quantity, invoice.line_items[0].unit_price) == (Decimal(25), Decimal("6.90"))


@pytest.mark.parametrize(
    "message",
    [
        "Orden de compra para Ferretería El Clavo: 30 sacos de cemento a 21 €, entregar el lunes 16 de marzo",
        "Orden de compra para Ferretería El Clavo: 30 sacos de cemento a 21 €, a entregar antes del 16 de marzo",
        "Pedido a Ferretería El Clavo: 30 sacos de cemento a 21 €, para entregar el 16 de marzo",
    ],
)
def test_spanish_delivery_said_with_the_verb_is_the_delivery_date(message: str) -> None:
    invoice = _doc(message)
    assert invoice.delivery_date == dt.date(2026, 3, 16)
    assert [(i.quantity, i.unit_price) for i in invoice.line_items] == [(Decimal(30), Decimal(21))]


@pytest.mark.parametrize(
    ("message", "line"),
    [
        (
            "Orden de compra para Ferretería El Clavo: 30 bultos de cemento a $215 MXN",
            ("Bultos de cemento", Decimal(30), Decimal(215)),
        ),
        ("Factura para Taller Ruiz: 4 llantas a $1,850 MXN", ("Llantas", Decimal(4), Decimal(1850))),
        ("Factura para Taller Ruiz: cambio de aceite a $650 MXN", ("Cambio de aceite", Decimal(1), Decimal(650))),
    ],
)
def test_spanish_a_before_a_dollar_price_is_at_not_part_of_the_description(
    message: str, line: tuple[str, Decimal, Decimal]
) -> None:
    invoice = _doc(message)
    assert invoice.currency_code == "MXN"
    assert [(i.description, i.quantity, i.unit_price) for i in invoice.line_items] == [line]


@pytest.mark.parametrize(
    ("message", "description"),
    [
        ("Factura a Construcciones López S.L.: gestión de nóminas de febrero 180 €", "Gestión de nóminas de febrero"),
        ("Factura a Gimnasio Sol: cuotas de enero 300 €", "Cuotas de enero"),
        ("Facture pour Atelier Blanc : paie de janvier 180 €", "Paie de janvier"),
    ],
)
def test_a_month_inside_a_description_stays_in_the_clients_language(message: str, description: str) -> None:
    assert _doc(message).line_items[0].description == description


@pytest.mark.parametrize(
    ("message", "description"),
    [
        ("Recibo para Nuria Campos, bono de 10 clases de yoga 90 €, pagado por Bizum", "Bono de 10 clases de yoga"),
        ("Reçu pour Camille Roux, carte de 10 séances d'aquagym 90 €, payé par carte", "Carte de 10 séances d’aquagym"),
    ],
)
def test_a_count_inside_a_description_keeps_the_clients_de(message: str, description: str) -> None:
    line = _doc(message).line_items[0]
    assert (line.description, line.quantity, line.unit_price) == (description, Decimal(1), Decimal(90))


@pytest.mark.parametrize(
    ("message", "buyer", "description"),
    [
        ("Factura al Hotel Mirador: alquiler de equipo 360 €", "Hotel Mirador", "Alquiler de equipo"),
        ("Factura para Eventos Luna por el DJ de la fiesta 600 €", "Eventos Luna", "DJ de la fiesta"),
    ],
)
def test_spanish_articles_joined_to_the_connective_are_not_part_of_a_name(
    message: str, buyer: str, description: str
) -> None:
    invoice = _doc(message)
    assert (invoice.buyer.name, invoice.line_items[0].description) == (buyer, description)
