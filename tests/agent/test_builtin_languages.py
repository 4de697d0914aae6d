"""Spanish, German and French requests and edits (issue 13): each class of reading with examples
other than the phrasing cases. The document and the reply follow the request's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docmesh_agent.builtin import interpret
from docmesh_agent.builtin.interpretation import Interpretation
from docmesh_agent.builtin.translate import detect_language
from docmesh_common.model.invoice import DocumentKind, Invoice, LineItem, Party, Tax

TODAY = dt.date(2026, 3, 12)


def _doc(message: str, current: Invoice | None = None, history: tuple[str, ...] = ()) -> Invoice:
    result = interpret(message, current, today=TODAY, history=history)
    assert result.invoice is not None, result.reply
    return result.invoice


def _lines(invoice: Invoice) -> list[tuple[str, Decimal, str, Decimal]]:
    return [(i.description, i.quantity, i.unit, i.unit_price) for i in invoice.line_items]


# --- which language -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Factura para Bodegas Ruiz: 4 cajas de vino a 60 €", "es"),
        ("Pedido a Suministros García: 10 sillas a 30 €", "es"),
        ("Rechnung an Bäckerei Huber: 3 Tage Montage je 500 €", "de"),
        ("Bestellung bei Holz Meier: 5 Bretter zu je 12 €", "de"),
        ("Facture pour Atelier Blanc : 2 jours de peinture à 300 €", "fr"),
        ("Bon de commande pour Papeterie Lenoir : 10 ramettes à 5 €", "fr"),
        ("Invoice Acme for 3 hours of design at 90", "en"),
        ("Acme 400", "en"),  # no word of any language: English
    ],
)
def test_the_language_is_read_from_the_words(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Presupuesto para Vidal: 2 días de pintura a 200 €", DocumentKind.QUOTE),
        ("Recibo para Vidal: masaje 40 €, pagado", DocumentKind.RECEIPT),
        ("Pedido a Vidal: 10 sillas a 30 €", DocumentKind.PURCHASE_ORDER),
        ("Angebot für Vogel KG: 2 Tage Schulung je 700 €", DocumentKind.QUOTE),
        ("Quittung für Vogel: Massage 40 €, bezahlt", DocumentKind.RECEIPT),
        ("Devis pour Morel : 2 jours de peinture à 200 €", DocumentKind.QUOTE),
        ("Reçu pour Morel : massage 40 €, payé", DocumentKind.RECEIPT),
        ("Fatcura para Vidal: 2 horas de clases a 30 €", DocumentKind.INVOICE),  # a typo
    ],
)
def test_each_language_names_the_document_kinds(message: str, kind: DocumentKind) -> None:
    assert _doc(message).kind == kind


# --- rates, units and locale numbers ------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "line"),
    [
        ("Factura para Vidal: 6 horas de jardinería a 25 € la hora", ("Jardinería", "6", "horas", "25")),
        ("Rechnung an Vogel: 6 Stunden Gartenarbeit je 25 €", ("Gartenarbeit", "6", "Stunden", "25")),
        ("Facture pour Morel : 6 heures de jardinage à 25 € l'heure", ("Jardinage", "6", "heures", "25")),
        ("Facture pour Morel : 12 pots de peinture à 8,90 € l'unité", ("Peinture", "12", "pots", "8.90")),
        ("Rechnung an Vogel: 2 Tage Schulung zu 700 € pro Tag", ("Schulung", "2", "Tage", "700")),
    ],
)
def test_a_rate_is_read_with_its_unit_in_the_language(message: str, line: tuple[str, ...]) -> None:
    description, qty, unit, price = line
    assert _lines(_doc(message)) == [(description, Decimal(qty), unit, Decimal(price))]


@pytest.mark.parametrize(
    ("message", "price"),
    [
        ("Factura para Vidal: reforma 3.480,50 €", "3480.50"),
        ("Rechnung an Vogel: Dachreparatur 12.000 €", "12000"),
        ("Facture pour Morel : rénovation 3 480,50 €", "3480.50"),
        ("Facture pour Morel : conseil 0,75 €", "0.75"),
    ],
)
def test_decimal_commas_and_thousands_points_or_spaces_are_read(message: str, price: str) -> None:
    assert _doc(message).line_items[0].unit_price == Decimal(price)


@pytest.mark.parametrize(
    ("message", "tax"),
    [
        ("Factura para Vidal: reforma 500 €, IVA 10%", ("IVA", "10")),
        ("Rechnung an Vogel: Reparatur 500 €, zzgl. 7% USt.", ("USt", "7")),
        ("Facture pour Morel : réparation 500 €, TVA 5,5 %", ("TVA", "5.5")),
    ],
)
def test_the_language_tax_names_are_taxes(message: str, tax: tuple[str, str]) -> None:
    taxes = _doc(message).taxes
    assert [(t.name, t.rate_percent) for t in taxes] == [(tax[0], Decimal(tax[1]))]


# --- dates, discounts, shipping, payment ---------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "due"),
    [
        ("Rechnung an Vogel: Reparatur 500 €, fällig in 21 Tagen", dt.date(2026, 4, 2)),
        ("Factura para Vidal: reforma 500 €, vence el 15 de abril", dt.date(2026, 4, 15)),
        ("Facture pour Morel : réparation 500 €, à régler avant le 5 avril", dt.date(2026, 4, 5)),
    ],
)
def test_due_dates_are_read_in_each_language(message: str, due: dt.date) -> None:
    assert _doc(message).due_date == due


@pytest.mark.parametrize(
    "message",
    [
        "Factura para Vidal: 2 sillas a 50 € y una mesa a 100 €, 10% de descuento",
        "Rechnung an Vogel: 2 Stühle à 50 € und ein Tisch à 100 €, 10% Rabatt",
        "Facture pour Morel : 2 chaises à 50 € et une table à 100 €, remise de 10 %",
    ],
)
def test_a_discount_on_the_whole_document(message: str) -> None:
    invoice = _doc(message)
    assert len(invoice.line_items) == 2
    assert [d.percent for d in invoice.discounts] == [Decimal(10)]


@pytest.mark.parametrize(
    "message",
    [
        "Presupuesto para Vidal: 50 tazas a 3 €, envío 12 €",
        "Angebot für Vogel: 50 Tassen à 3 €, Versand 12 €",
        "Devis pour Morel : 50 tasses à 3 €, frais de port 12 €",
    ],
)
def test_shipping_is_read_in_each_language(message: str) -> None:
    assert _doc(message).shipping == Decimal(12)


@pytest.mark.parametrize(
    ("message", "method"),
    [
        ("Recibo para Vidal: masaje 40 €, pagado con tarjeta", "Tarjeta"),
        ("Quittung für Vogel: Massage 40 €, bar bezahlt", "Bar"),
        ("Reçu pour Morel : massage 40 €, payé en espèces", "Espèces"),
    ],
)
def test_a_paid_receipt_is_paid_in_full_by_the_method_named(message: str, method: str) -> None:
    invoice = _doc(message)
    assert invoice.payment_method == method
    assert invoice.amount_paid == Decimal(40)


# --- edits ------------------------------------------------------------------------------------


def _office(language: str) -> Invoice:
    return Invoice(
        buyer=Party(name="Acme"),
        currency_code="EUR",
        language=language,
        line_items=[
            LineItem(description="Sillas", quantity=Decimal(6), unit_price=Decimal(85)),
            LineItem(description="Mesa", quantity=Decimal(1), unit_price=Decimal(450)),
        ],
        taxes=[Tax(name="IVA", rate_percent=Decimal(21))],
    )


@pytest.mark.parametrize(
    ("message", "language", "added"),
    [
        ("añade 2 horas de montaje a 30 €", "es", ("Montaje", Decimal(2), "horas", Decimal(30))),
        ("füge 2 Stunden Montage je 30 € hinzu", "de", ("Montage", Decimal(2), "Stunden", Decimal(30))),
        ("ajoute 2 heures de montage à 30 €", "fr", ("Montage", Decimal(2), "heures", Decimal(30))),
    ],
)
def test_an_added_line_in_each_language(message: str, language: str, added: tuple[str, ...]) -> None:
    result = interpret(message, _office(language), today=TODAY)
    assert result.action == "edit" and result.invoice is not None
    assert _lines(result.invoice)[-1] == added
    assert result.invoice.language == language


@pytest.mark.parametrize(
    ("message", "language"),
    [("elimina la línea 2", "es"), ("entferne Position 2", "de"), ("supprime la ligne 2", "fr")],
)
def test_a_line_is_removed_in_each_language(message: str, language: str) -> None:
    result = interpret(message, _office(language), today=TODAY)
    assert result.invoice is not None, result.reply
    assert [i.description for i in result.invoice.line_items] == ["Sillas"]


# --- the document and the reply in the language ---------------------------------------------------


@pytest.mark.parametrize(
    ("message", "language", "said"),
    [
        ("Factura para Vidal: reforma 500 €", "es", "Aquí tienes tu factura"),
        ("Rechnung an Vogel: Reparatur 500 €", "de", "Hier ist Ihre Rechnung"),
        ("Facture pour Morel : réparation 500 €", "fr", "Voici votre facture"),
        ("Invoice Acme for repairs at 500", "en", "Here is your invoice"),
    ],
)
def test_the_document_and_reply_are_in_the_request_language(message: str, language: str, said: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None
    assert result.invoice.language == language
    assert result.reply.startswith(said)


@pytest.mark.parametrize(
    ("message", "word"),
    [
        ("Factura para Vidal por la reforma del baño", "precio"),
        ("Rechnung an Vogel für die Dachreparatur", "Preis"),
        ("Facture pour Morel pour la rénovation", "prix"),
    ],
)
def test_a_missing_price_is_asked_in_the_language(message: str, word: str) -> None:
    result: Interpretation = interpret(message, None, today=TODAY)
    assert result.action == "question"
    assert word in result.reply and "?" in result.reply


@pytest.mark.parametrize(
    ("message", "lines"),
    [
        (
            "Factura para Talleres Gómez, Calle Mayor 5, 28013 Madrid: revisión 120 €",
            ["Calle Mayor 5", "28013 Madrid"],
        ),
        (
            "Rechnung an Bäckerei Huber, Hauptstraße 5, 80331 München: Wartung 300 €",
            ["Hauptstraße 5", "80331 München"],
        ),
        (
            "Facture pour Atelier Blanc, 8 rue des Lilas, 69003 Lyon : peinture 300 €",
            ["8 rue des Lilas", "69003 Lyon"],
        ),
    ],
)
def test_a_street_named_before_or_in_one_word_with_its_number_is_the_address(
    message: str, lines: list[str]
) -> None:
    invoice = _doc(message)
    assert invoice.buyer.address_lines == lines
    assert len(invoice.line_items) == 1


@pytest.mark.parametrize(
    ("message", "language", "said"),
    [
        ("elimina la línea 2", "es", "Hecho: eliminada la línea 2"),
        ("entferne Position 2", "de", "Erledigt: Position 2 entfernt"),
        ("supprime la ligne 2", "fr", "C'est fait : supprimé la ligne 2"),
    ],
)
def test_an_edit_is_answered_in_the_document_language(message: str, language: str, said: str) -> None:
    result = interpret(message, _office(language), today=TODAY)
    assert result.reply.startswith(said)


def test_an_english_edit_of_a_spanish_document_keeps_the_document_spanish() -> None:
    result = interpret("add 2 hours of QA at 30", _office("es"), today=TODAY)
    assert result.invoice is not None
    assert result.invoice.language == "es"


@pytest.mark.parametrize(
    ("message", "due"),
    [
        ("Factura para Soler: asesoría 480 €, a pagar en 15 días", dt.date(2026, 3, 27)),
        ("Factura para Soler: asesoría 480 €, plazo de pago 15 días", dt.date(2026, 3, 27)),
    ],
)
def test_a_payment_period_is_the_due_date_never_a_line(message: str, due: dt.date) -> None:
    invoice = _doc(message)
    assert invoice.due_date == due
    assert [i.unit_price for i in invoice.line_items] == [Decimal(480)]


@pytest.mark.parametrize(
    "message",
    [
        "Factura para Soler: mantenimiento 400 €, periodo de servicio abril 2026",
        "Rechnung an Vogel: Wartung 400 €, Leistungszeitraum April 2026",
        "Facture pour Blanc : maintenance 400 €, période de prestation avril 2026",
    ],
)
def test_a_service_period_named_by_its_month_is_a_field(message: str) -> None:
    invoice = _doc(message)
    assert (invoice.service_period_start, invoice.service_period_end) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 30),
    )
    assert [i.unit_price for i in invoice.line_items] == [Decimal(400)]


@pytest.mark.parametrize(
    "message",
    [
        "Factura para Soler: diseño 300 € y fianza 200 € (sin IVA), IVA 21%",
        "Rechnung an Vogel: Design 300 € und Kaution 200 € (ohne MwSt), 19% MwSt",
        "Facture pour Blanc : design 300 € et caution 200 € (sans TVA), TVA 20 %",
    ],
)
def test_a_line_marked_without_tax_in_brackets_is_exempt(message: str) -> None:
    assert [i.tax_exempt for i in _doc(message).line_items] == [False, True]


@pytest.mark.parametrize(
    "message",
    [
        "Angebot an Vogel: Umbau 8.000 €, 30 Tage gültig",
        "Presupuesto para Soler: reforma 8.000 €, válido durante 30 días",
        "Devis pour Blanc : rénovation 8 000 €, valable 30 jours",
    ],
)
def test_a_validity_in_days_is_the_quotes_valid_until(message: str) -> None:
    invoice = _doc(message)
    assert invoice.valid_until == dt.date(2026, 4, 11)
    assert [i.unit_price for i in invoice.line_items] == [Decimal(8000)]


def test_a_unit_with_an_accent_before_de_is_the_unit() -> None:
    invoice = _doc("Bon de commande pour Leroy : 30 boîtes de vis à 6,20 € pièce")
    assert _lines(invoice) == [("Vis", Decimal(30), "boîtes", Decimal("6.20"))]


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("Factura para Acme: diseño 150 o 175 €", "es"),
        ("Rechnung an Vogel: Design 150 oder 175 €", "de"),
        ("Facture pour Blanc : design 150 ou 175 €", "fr"),
        ("Invoice Acme: design 150 or 175 €", "en"),
    ],
)
def test_two_prices_for_one_line_are_asked_about_never_picked(message: str, language: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.action == "question"
    assert "150" in result.reply and "175" in result.reply


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("cambia el precio de las sillas a 90", "es"),
        ("cambia las sillas a 90 €", "es"),
        ("ändere den Preis der Sillas auf 90 €", "de"),
        ("le prix des sillas passe à 90 €", "fr"),
        ("passe les sillas à 90 €", "fr"),
    ],
)
def test_a_new_price_for_a_line_changes_its_price_not_its_quantity(message: str, language: str) -> None:
    result = interpret(message, _office(language), today=TODAY)
    assert result.invoice is not None, result.reply
    assert _lines(result.invoice)[0] == ("Sillas", Decimal(6), "", Decimal(90))
    assert len(result.invoice.line_items) == 2


@pytest.mark.parametrize(
    ("message", "language", "quantity"),
    [("pon 4 sillas", "es", 4), ("añade 2 sillas más", "es", 8), ("ajoute 2 sillas de plus", "fr", 8)],
)
def test_a_count_of_an_existing_line_changes_its_quantity(message: str, language: str, quantity: int) -> None:
    result = interpret(message, _office(language), today=TODAY)
    assert result.invoice is not None, result.reply
    assert _lines(result.invoice)[0] == ("Sillas", Decimal(quantity), "", Decimal(85))
    assert len(result.invoice.line_items) == 2


@pytest.mark.parametrize(
    ("message", "language"),
    [("quita el IVA", "es"), ("entferne die IVA", "de"), ("supprime l'IVA", "fr")],
)
def test_removing_the_tax_by_name_removes_it(message: str, language: str) -> None:
    result = interpret(message, _office(language), today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.taxes == []


@pytest.mark.parametrize(
    ("message", "language"),
    [("el IVA es del 10%", "es"), ("IVA auf 10%", "de"), ("IVA à 10 %", "fr")],
)
def test_a_new_tax_rate_changes_the_rate(message: str, language: str) -> None:
    result = interpret(message, _office(language), today=TODAY)
    assert result.invoice is not None, result.reply
    assert [(t.name, t.rate_percent) for t in result.invoice.taxes] == [("IVA", Decimal(10))]


@pytest.mark.parametrize(
    ("first", "answer", "buyer"),
    [
        ("Factura por diseño de folleto 650 €", "para Hooli", "Hooli"),
        ("Rechnung: Broschüre 650 €", "an Hooli", "Hooli"),
        ("Facture : brochure 650 €", "pour Hooli", "Hooli"),
    ],
)
def test_the_buyer_answered_in_the_language_completes_the_document(
    first: str, answer: str, buyer: str
) -> None:
    result = interpret(answer, None, today=TODAY, history=[first])
    assert result.invoice is not None, result.reply
    assert result.invoice.buyer.name == buyer
    assert [i.unit_price for i in result.invoice.line_items] == [Decimal(650)]


@pytest.mark.parametrize(
    ("message", "word"),
    [
        ("Factura para Soler: diseño 500 € más IVA", "IVA"),
        ("Rechnung an Huber: Beratung 500 € zzgl. MwSt", "MwSt"),
        ("Facture pour Blanc : conseil 500 € plus TVA", "TVA"),
    ],
)
def test_a_tax_without_a_rate_is_asked_in_the_language(message: str, word: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.action == "question"
    assert word in result.reply and "?" in result.reply
    assert not result.reply.startswith("What")


@pytest.mark.parametrize(
    ("message", "due"),
    [
        ("Factura para Soler: diseño 500 €, vence en dos semanas", dt.date(2026, 3, 26)),
        ("Rechnung an Huber: Beratung 500 €, zahlbar in zwei Wochen", dt.date(2026, 3, 26)),
        ("Facture pour Blanc : conseil 500 €, payable dans deux semaines", dt.date(2026, 3, 26)),
        ("Factura para Soler: diseño 500 €, vence a fin de mes", dt.date(2026, 3, 31)),
        ("Rechnung an Huber: Beratung 500 €, fällig Ende des Monats", dt.date(2026, 3, 31)),
        ("Facture pour Blanc : conseil 500 €, échéance fin du mois", dt.date(2026, 3, 31)),
        ("Facture pour Blanc : conseil 500 €, échéance vendredi", dt.date(2026, 3, 13)),
    ],
)
def test_due_in_weeks_and_at_the_end_of_the_month_never_a_line(message: str, due: dt.date) -> None:
    invoice = _doc(message)
    assert invoice.due_date == due
    assert [i.unit_price for i in invoice.line_items] == [Decimal(500)]


@pytest.mark.parametrize(
    "message",
    [
        "Factura para Soler: diseño 500 € con 50 € de descuento",
        "Rechnung an Huber: Beratung 500 €, 50 € Rabatt",
        "Facture pour Blanc : conseil 500 €, remise de 50 €",
    ],
)
def test_an_amount_off_is_a_discount_never_a_line(message: str) -> None:
    invoice = _doc(message)
    assert [i.unit_price for i in invoice.line_items] == [Decimal(500)]
    discounts = [d.amount for d in invoice.discounts] + [
        i.discount.amount for i in invoice.line_items if i.discount
    ]
    assert discounts == [Decimal(50)]


@pytest.mark.parametrize(
    ("message", "method"),
    [
        ("Recibo: 2 cafés a 2,50 €, pago con tarjeta", "Tarjeta"),
        ("Reçu : 2 cafés à 2,50 €, payé en liquide", "Espèces"),
        ("Quittung: 2 Kaffee à 2,50 €, in bar bezahlt", "Bar"),
    ],
)
def test_other_wordings_of_payment_are_read(message: str, method: str) -> None:
    invoice = _doc(message)
    assert invoice.payment_method == method
    assert invoice.amount_paid == Decimal(5)


@pytest.mark.parametrize(
    ("message", "line"),
    [
        ("Facture pour Blanc : 1 250 € de conseil", ("Conseil", Decimal(1250))),
        ("Factura para Soler: 1.250 € de materiales", ("Materiales", Decimal(1250))),
    ],
)
def test_an_amount_of_what_is_sold_is_its_price(message: str, line: tuple[str, Decimal]) -> None:
    assert [(i.description, i.unit_price) for i in _doc(message).line_items] == [line]


def test_a_three_letter_word_after_a_number_is_not_a_currency() -> None:
    invoice = _doc("Facture pour Blanc, 8 rue des Lilas : peinture 300 €")
    assert invoice.buyer.address_lines == ["8 rue des Lilas"]
    assert invoice.currency_code == "EUR"


@pytest.mark.parametrize(
    ("message", "language", "kind"),
    [
        ("ahora un presupuesto para Initech: 3 días de formación a 500 €", "es", DocumentKind.QUOTE),
        ("jetzt ein Angebot für Initech: 3 Tage Schulung je 500 €", "de", DocumentKind.QUOTE),
        ("nouvelle facture pour Initech : design 300 €", "fr", DocumentKind.INVOICE),
    ],
)
def test_a_new_request_mid_session_is_a_new_document(message: str, language: str, kind: DocumentKind) -> None:
    result = interpret(message, _office(language), today=TODAY)
    assert result.action == "generate" and result.invoice is not None, result.reply
    assert result.invoice.kind == kind
    assert result.invoice.buyer.name == "Initech"


@pytest.mark.parametrize(
    ("message", "language"),
    [
        ("sin IVA en las sillas", "es"),
        ("keine IVA auf die Sillas", "de"),
        ("pas de TVA sur les sillas", "fr"),
    ],
)
def test_no_tax_on_a_line_makes_it_exempt_and_keeps_it(message: str, language: str) -> None:
    result = interpret(message, _office(language), today=TODAY)
    assert result.invoice is not None, result.reply
    assert [(i.description, i.tax_exempt) for i in result.invoice.line_items] == [
        ("Sillas", True),
        ("Mesa", False),
    ]


def test_no_tax_named_in_any_language_on_a_line_makes_it_exempt_in_english_too() -> None:
    result = interpret("no IVA on the mesa", _office("en"), today=TODAY)
    assert result.invoice is not None, result.reply
    assert [i.tax_exempt for i in result.invoice.line_items] == [False, True]


@pytest.mark.parametrize(
    ("message", "language"), [("deshacer", "es"), ("rückgängig", "de"), ("annuler", "fr")]
)
def test_undo_in_each_language(message: str, language: str) -> None:
    assert interpret(message, _office(language), today=TODAY).action == "undo"


@pytest.mark.parametrize(
    ("message", "language"),
    [("eran 7 horas, no 5", "es"), ("es waren 7 Stunden, nicht 5", "de"), ("c'était 7 heures, pas 5", "fr")],
)
def test_a_corrected_count_never_becomes_new_lines(message: str, language: str) -> None:
    result = interpret(message, _office(language), today=TODAY)
    if result.invoice is not None:
        assert len(result.invoice.line_items) == 2
    else:
        assert "?" in result.reply


@pytest.mark.parametrize(("message", "language"), [("cambia el cliente a Initech", "es")])
def test_the_client_is_changed_in_the_language(message: str, language: str) -> None:
    result = interpret(message, _office(language), today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.buyer.name == "Initech"


@pytest.mark.parametrize(
    "message",
    [
        "Invoice Banco de la Nación y Cía: consulting 500",
        "Receipt for María de la Cruz: haircut 25, paid cash",
        "Quote Café de la Paix: 3 days of catering at 500",
    ],
)
def test_an_english_request_for_a_spanish_or_french_name_stays_english(message: str) -> None:
    assert detect_language(message) == "en"
    assert _doc(message).language == "en"


@pytest.mark.parametrize(
    "message",
    [
        "Factura para Soler: consultoría 500 €, IVA incluido",
        "Rechnung an Huber: Beratung 500 € inkl. MwSt",
        "Facture pour Blanc : conseil 500 € TTC",
    ],
)
def test_a_price_including_tax_adds_no_tax_and_says_so_in_the_language(message: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.taxes == []
    assert result.invoice.line_items[0].unit_price == Decimal(500)
    assert "Note:" not in result.reply


@pytest.mark.parametrize(
    "message", ["Rechnung an Huber AG: Beratung Fr. 1.200.–", "Facture pour Blanc SA : conseil 1200 Fr."]
)
def test_swiss_francs_written_fr(message: str) -> None:
    invoice = _doc(message)
    assert invoice.currency_code == "CHF"
    assert [i.unit_price for i in invoice.line_items] == [Decimal(1200)]


@pytest.mark.parametrize(
    ("message", "method"),
    [
        ("Recibo para Ana: masaje 40 €, pagó 20 € en efectivo", "Efectivo"),
        ("Quittung für Anna: Massage 40 €, 20 € bar bezahlt", "Bar"),
        ("Reçu pour Claire : massage 40 €, a payé 20 € en espèces", "Espèces"),
    ],
)
def test_an_amount_paid_is_the_amount_paid_never_a_line(message: str, method: str) -> None:
    invoice = _doc(message)
    assert [i.unit_price for i in invoice.line_items] == [Decimal(40)]
    assert invoice.amount_paid == Decimal(20)
    assert invoice.payment_method == method
