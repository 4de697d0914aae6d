"""Spanish, German and French edits and labels the language tables read (session 6): another kind
of document, another currency or client, "N more", notes kept in the client's words, and the
buyer's label on a form. The replies are in the request's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docmesh_agent.builtin import interpret
from docmesh_common.model.invoice import Invoice
from docmesh_common.model.totals import compute_totals

TODAY = dt.date(2026, 3, 12)  # a Thursday

_REQUESTS = {
    "es": "Factura para Muebles Sur: 6 sillas a 85 €, 1 mesa a 400 €",
    "de": "Rechnung an Möbel Süd: 6 Stühle à 85 €, 1 Tisch à 400 €",
    "fr": "Facture pour Meubles Sud : 6 chaises à 85 €, 1 table à 400 €",
}


def _doc(message: str) -> Invoice:
    result = interpret(message, None, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    return result.invoice


def _edit(lang: str, message: str) -> tuple[Invoice, str]:
    result = interpret(message, _doc(_REQUESTS[lang]), today=TODAY)
    assert result.action == "edit", result.reply
    assert result.invoice is not None
    return result.invoice, result.reply


@pytest.mark.parametrize(
    ("lang", "message", "kind", "said"),
    [
        ("es", "conviértelo en presupuesto", "quote", "ahora es un presupuesto"),
        ("es", "que sea un recibo", "receipt", "ahora es un recibo"),
        ("de", "mach ein Angebot daraus", "quote", "jetzt ein Angebot"),
        ("de", "mach daraus eine Quittung", "receipt", "jetzt eine Quittung"),
        ("fr", "transforme-la en devis", "quote", "c'est maintenant un devis"),
        ("fr", "fais-en un reçu", "receipt", "c'est maintenant un reçu"),
    ],
)
def test_another_kind_of_document_is_said_in_the_language(
    lang: str, message: str, kind: str, said: str
) -> None:
    invoice, reply = _edit(lang, message)
    assert invoice.kind.value == kind
    assert said in reply


@pytest.mark.parametrize(
    ("lang", "message", "currency"),
    [
        ("es", "en dólares", "USD"),
        ("es", "pásalo a libras", "GBP"),
        ("de", "in Franken", "CHF"),
        ("de", "bitte in Dollar", "USD"),
        ("fr", "en francs suisses", "CHF"),
        ("fr", "passe en dollars canadiens", "CAD"),
    ],
)
def test_another_currency_keeps_the_amounts(lang: str, message: str, currency: str) -> None:
    invoice, reply = _edit(lang, message)
    assert invoice.currency_code == currency
    assert [i.unit_price for i in invoice.line_items] == [Decimal(85), Decimal(400)]
    assert "currency" not in reply


@pytest.mark.parametrize(
    ("lang", "message"),
    [("es", "el cliente es Hotel Mar"), ("de", "der Kunde ist Hotel Mar"), ("fr", "le client est Hotel Mar")],
)
def test_the_client_is_said_to_be_another(lang: str, message: str) -> None:
    invoice, reply = _edit(lang, message)
    assert invoice.buyer.name == "Hotel Mar"
    assert "buyer" not in reply


@pytest.mark.parametrize(("lang", "message"), [("de", "zwei Stühle mehr"), ("de", "noch 2 Stühle mehr")])
def test_german_n_more_of_a_line_adds_to_it(lang: str, message: str) -> None:
    invoice, _ = _edit(lang, message)
    assert [i.quantity for i in invoice.line_items] == [Decimal(8), Decimal(1)]


@pytest.mark.parametrize(
    ("lang", "message", "note"),
    [
        ("es", "añade una nota: gracias por su compra", "Gracias por su compra"),
        ("de", "Notiz: Danke für Ihren Auftrag", "Danke für Ihren Auftrag"),
        ("fr", "ajoute une note : merci pour votre confiance", "Merci pour votre confiance"),
    ],
)
def test_a_note_is_kept_in_the_clients_words(lang: str, message: str, note: str) -> None:
    invoice, _ = _edit(lang, message)
    assert invoice.notes == note


def test_a_note_in_a_request_is_kept_as_typed() -> None:
    invoice = _doc("Factura para Muebles Sur: 6 sillas a 85 €, nota: entregar por la tarde")
    assert invoice.notes == "Entregar por la tarde"
    assert [(i.quantity, i.unit_price) for i in invoice.line_items] == [(Decimal(6), Decimal(85))]


@pytest.mark.parametrize(
    "message",
    [
        "Factura\nCliente: Hotel Mar\nCalle Mayor 5, 28013 Madrid\n- limpieza 12 horas a 20 €\n- productos 45 €",
        "Rechnung\nKunde: Hotel Mar\nHauptstraße 5, 10115 Berlin\n- Reinigung 12 Std. à 20 €\n- Material 45 €",
        "Facture\nClient : Hotel Mar\n5 rue de la Paix, 75002 Paris\n- ménage 12 h à 20 €\n- produits 45 €",
    ],
)
def test_the_buyers_label_on_a_form_names_the_buyer(message: str) -> None:
    invoice = _doc(message)
    assert invoice.buyer.name == "Hotel Mar"
    assert [(i.quantity, i.unit_price) for i in invoice.line_items] == [
        (Decimal(12), Decimal(20)),
        (Decimal(1), Decimal(45)),
    ]


def test_a_german_count_on_the_next_line_is_not_joined_to_the_buyer() -> None:
    # The count-of-a-plural rule crossed the line break: "6 Stühle of Invoice an Möbel Süd".
    invoice = _doc("Rechnung an Möbel Süd\n6 Stühle à 85 €")
    assert invoice.buyer.name == "Möbel Süd"
    assert [(i.description, i.quantity) for i in invoice.line_items] == [("Stühle", Decimal(6))]


@pytest.mark.parametrize(
    ("request_text", "answer"),
    [
        ("Factura: 10 horas de consultoría a 80 €", "a Hotel Mar"),
        ("Facture : 10 heures de conseil à 80 €", "à l'Hotel Mar"),
        ("Rechnung: 10 Stunden Beratung à 80 €", "an Hotel Mar"),
    ],
)
def test_an_answer_naming_the_buyer_after_a_to_is_the_buyer(request_text: str, answer: str) -> None:
    result = interpret(answer, None, today=TODAY, history=[request_text])
    assert result.invoice is not None, result.reply
    assert result.invoice.buyer.name == "Hotel Mar"


@pytest.mark.parametrize(
    ("request_text", "answer", "total"),
    [
        ("Factura para Hotel Sol: 10 horas de consultoría", "80 € la hora", Decimal("800.00")),
        ("Rechnung an Hotel Sonne: 10 Stunden Beratung", "80 € pro Stunde", Decimal("800.00")),
        ("Facture pour Hôtel Soleil : 10 heures de conseil", "80 € de l'heure", Decimal("800.00")),
        ("Factura para Hotel Sol: 3 días de montaje", "600 € el día", Decimal("1800.00")),
        ("Facture pour Hôtel Soleil : 3 jours de montage", "600 € par jour", Decimal("1800.00")),
    ],
)
def test_an_answer_with_its_rate_prices_the_line_asked(
    request_text: str, answer: str, total: Decimal
) -> None:
    result = interpret(answer, None, today=TODAY, history=[request_text])
    assert result.invoice is not None, result.reply
    assert compute_totals(result.invoice).total == total


@pytest.mark.parametrize(
    ("message", "method"),
    [
        ("Quittung für Frau Keller: Massage 90 CHF, bezahlt mit TWINT", "TWINT"),
        ("Quittung für Frau Keller: Massage 90 CHF, per PayPal bezahlt", "PayPal"),
    ],
)
def test_german_paid_with_any_method_is_the_payment(message: str, method: str) -> None:
    invoice = _doc(message)
    assert (invoice.payment_method, invoice.amount_paid) == (method, Decimal(90))


@pytest.mark.parametrize(
    "message",
    [
        "Facture pour Dépanneur Tremblay : 10 caisses à 24 $, 5 % de rabais, TPS 5 %, TVQ 9,975 %",
        "Facture pour Dépanneur Tremblay : 10 caisses à 24 $, rabais de 5 %, TPS 5 %, TVQ 9,975 %",
    ],
)
def test_a_quebec_rabais_is_a_discount(message: str) -> None:
    invoice = _doc(message)
    assert [d.percent for d in invoice.discounts] == [Decimal(5)]
    assert invoice.currency_code == "CAD"


@pytest.mark.parametrize(
    ("request_text", "edit"),
    [
        ("Invoice Sur: 5 hours of assembly at 30, 6 chairs at 85", "it was 7 hours, not 5"),
        ("Factura para Muebles Sur: 5 horas de montaje a 30 €, 6 sillas a 85 €", "eran 7 horas, no 5"),
        ("Rechnung an Möbel Süd: 5 Stunden Montage à 30 €, 6 Stühle à 85 €", "es waren 7 Stunden, nicht 5"),
        (
            "Facture pour Meubles Sud : 5 heures de montage à 30 €, 6 chaises à 85 €",
            "c'était 7 heures, pas 5",
        ),
    ],
)
def test_it_was_n_hours_changes_the_one_line_counted_in_hours(request_text: str, edit: str) -> None:
    result = interpret(edit, _doc(request_text), today=TODAY)
    assert result.invoice is not None, result.reply
    assert [i.quantity for i in result.invoice.line_items] == [Decimal(7), Decimal(6)]


@pytest.mark.parametrize(
    ("lang", "message", "said"),
    [
        ("es", "10 % de descuento en las sillas", "10% de descuento en la línea 1 (Sillas)"),
        ("de", "10 % Rabatt auf die Stühle", "10% Rabatt auf Position 1 (Stühle)"),
        ("fr", "10 % de remise sur les chaises", "remise de 10% sur la ligne 1 (Chaises)"),
    ],
)
def test_a_line_discount_is_said_in_the_language(lang: str, message: str, said: str) -> None:
    _, reply = _edit(lang, message)
    assert said in reply


@pytest.mark.parametrize(
    ("lang", "undo", "said"),
    [("es", "deshaz", "Deshecho"), ("de", "rückgängig", "Rückgängig gemacht"), ("fr", "annule", "Annulé")],
)
def test_undo_is_said_in_the_language(lang: str, undo: str, said: str) -> None:
    result = interpret(undo, _doc(_REQUESTS[lang]), today=TODAY, history=[_REQUESTS[lang]])
    assert result.action == "undo" and result.reply.startswith(said)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("es", "No he entendido qué cambiar"),
        ("de", "Ich habe nicht verstanden"),
        ("fr", "Je n'ai pas compris"),
    ],
)
def test_an_edit_not_understood_is_said_in_the_language_with_examples_in_it(lang: str, said: str) -> None:
    result = interpret("xyzzy plugh", _doc(_REQUESTS[lang]), today=TODAY)
    assert result.action == "question" and result.reply.startswith(said)
    assert "add 2 hours" not in result.reply  # the English examples are gone


@pytest.mark.parametrize(
    ("message", "description"),
    [
        ("Factura para Hotel Sol\nConcepto: diseño web\nImporte: 1.200 €", "Diseño web"),
        ("Rechnung an Hotel Sonne\nLeistung: Webdesign\nBetrag: 1.200 €", "Webdesign"),
        ("Facture pour Hôtel Soleil\nDésignation : création du site\nMontant : 1 200 €", "Création du site"),
    ],
)
def test_a_forms_description_and_amount_labels_make_the_line(message: str, description: str) -> None:
    invoice = _doc(message)
    assert [(i.description, i.quantity, i.unit_price) for i in invoice.line_items] == [
        (description, Decimal(1), Decimal(1200))
    ]


@pytest.mark.parametrize(
    "message",
    [
        "Rechnung an Hotel Sonne\nWebdesign; 1; 1.200 €\nHosting; 12; 9,90 €",
        "Facture pour Hôtel Soleil\ncréation du site; 1; 1 200 €\nhébergement; 12; 9,90 €",
    ],
)
def test_a_spreadsheet_row_with_semicolons_is_a_line(message: str) -> None:
    invoice = _doc(message)
    assert [(i.quantity, i.unit_price) for i in invoice.line_items] == [
        (Decimal(1), Decimal(1200)),
        (Decimal(12), Decimal("9.90")),
    ]


@pytest.mark.parametrize(
    ("message", "kind", "buyer"),
    [
        ("Hola, necesito una factura para Marta Ruiz: 3 clases de piano a 30 €", "invoice", "Marta Ruiz"),
        ("Quiero facturar a Clínica Vet Sol: 4 consultas a 35 €", "invoice", "Clínica Vet Sol"),
        (
            "Hallo, bitte eine Rechnung an Familie Schmidt: 3 Klavierstunden à 30 €",
            "invoice",
            "Familie Schmidt",
        ),
        (
            "Kannst du mir ein Angebot für Bäckerei Krause machen? 200 Flyer à 0,25 €",
            "quote",
            "Bäckerei Krause",
        ),
        (
            "Ich brauche eine Rechnung an Tierarztpraxis Sonne: 4 Beratungen à 35 €",
            "invoice",
            "Tierarztpraxis Sonne",
        ),
        (
            "Bonjour, il me faut une facture pour Marie Dubois : 3 cours de piano à 30 €",
            "invoice",
            "Marie Dubois",
        ),
        ("Je dois facturer la Clinique Soleil : 4 consultations à 35 €", "invoice", "Clinique Soleil"),
    ],
)
def test_a_greeting_or_an_asking_sentence_before_the_kind_is_the_request(
    message: str, kind: str, buyer: str
) -> None:
    invoice = _doc(message)
    assert (invoice.kind.value, invoice.buyer.name, len(invoice.line_items)) == (kind, buyer, 1)


@pytest.mark.parametrize(
    ("message", "description"),
    [
        ("Factura para Marta Ruiz: 3 clases de piano de 1 hora a 30 € cada una", "Piano de 1 hora"),
        ("Facture pour Marie Dubois : 3 cours de piano d'une heure à 30 € chacun", "Piano d'une heure"),
    ],
)
def test_a_duration_inside_a_description_keeps_its_words(message: str, description: str) -> None:
    assert _doc(message).line_items[0].description == description


@pytest.mark.parametrize(
    "message",
    [
        "Facture pour mon client Initech : 32 heures de refonte à 95 €",
        "Factura para mi cliente Initech: 32 horas de rediseño a 95 €",
    ],
)
def test_my_client_before_the_name_is_not_part_of_it(message: str) -> None:
    assert _doc(message).buyer.name == "Initech"


def test_a_french_price_with_the_accent_left_out_is_a_price() -> None:
    line = _doc("Facture pour Hôtel Soleil : 3 nuits a 90 euros").line_items[0]
    assert (line.quantity, line.unit_price) == (Decimal(3), Decimal(90))


@pytest.mark.parametrize(
    "message",
    [
        "Bestellung bei Papier Klein: 30 Pakete à 4,20 €, Lieferung frei Haus",
        "Pedido a Papelería Sol: 30 cajas a 4,20 €, envío gratis",
        "Bon de commande pour Papeterie Soleil : 30 cartons à 4,20 €, livraison gratuite",
    ],
)
def test_free_delivery_is_free_shipping(message: str) -> None:
    invoice = _doc(message)
    assert (invoice.shipping, len(invoice.line_items)) == (Decimal(0), 1)


@pytest.mark.parametrize(
    ("lang", "message", "description"),
    [
        ("es", "añade también el transporte, 50 €", "Transporte"),
        ("de", "und noch die Anfahrt, 50 €", "Anfahrt"),
        ("fr", "ajoute aussi le montage, 50 €", "Montage"),
    ],
)
def test_the_words_before_what_is_added_are_not_its_name(lang: str, message: str, description: str) -> None:
    invoice, _ = _edit(lang, message)
    assert [(i.description, i.unit_price) for i in invoice.line_items][-1] == (description, Decimal(50))


def test_german_jetzt_noch_eine_rechnung_after_a_remark_is_a_new_document() -> None:
    result = interpret(
        "super, danke! Jetzt noch eine Rechnung an Hotel Meer: 3 Tische à 200 €",
        _doc(_REQUESTS["de"]),
        today=TODAY,
        history=[_REQUESTS["de"]],
    )
    assert result.action == "generate" and result.invoice is not None, result.reply
    assert (result.invoice.buyer.name, compute_totals(result.invoice).total) == (
        "Hotel Meer",
        Decimal("600.00"),
    )


@pytest.mark.parametrize(
    ("message", "tax"),
    [
        ("Factura para Hotel Sol: limpieza 300 € más el 21 % de IVA", ("IVA", Decimal(21))),
        ("Rechnung an Hotel Sonne: Reinigung 300 € plus 19 % Mehrwertsteuer", ("MwSt", Decimal(19))),
        ("Rechnung an Hotel Sonne: Reinigung 300 €, Umsatzsteuer 19 %", ("USt", Decimal(19))),
    ],
)
def test_a_tax_said_in_full_with_its_rate_is_that_tax(message: str, tax: tuple[str, Decimal]) -> None:
    invoice = _doc(message)
    assert [(t.name, t.rate_percent) for t in invoice.taxes] == [tax]


@pytest.mark.parametrize(
    ("message", "buyer", "method"),
    [
        ("Recibí de Juan Pérez la cantidad de 300 € en concepto de alquiler de marzo", "Juan Pérez", ""),
        (
            "Recibo: recibí de Juan Pérez 300 € por el alquiler de marzo, en efectivo",
            "Juan Pérez",
            "Efectivo",
        ),
        ("Quittung: Von Herrn Meier 300 € für die Miete März bar erhalten", "Herrn Meier", "Bar"),
        ("Reçu de M. Dupont la somme de 300 € pour le loyer de mars", "M. Dupont", ""),
        ("Reçu : reçu de M. Dupont 300 € pour le loyer de mars, en espèces", "M. Dupont", "Espèces"),
    ],
)
def test_a_receipt_worded_received_from_names_the_buyer(message: str, buyer: str, method: str) -> None:
    invoice = _doc(message)
    assert (invoice.kind.value, invoice.buyer.name, invoice.payment_method) == ("receipt", buyer, method)
    assert [i.unit_price for i in invoice.line_items] == [Decimal(300)]


@pytest.mark.parametrize(
    ("request_text", "question", "answer", "lines"),
    [
        (
            "Factura para Hotel Sol por la limpieza y la lavandería",
            "«limpieza y lavandería»",
            "limpieza 300 €, lavandería 120 €",
            ["Limpieza", "Lavandería"],
        ),
        (
            "Facture pour Hôtel Soleil pour le ménage et la blanchisserie",
            "« ménage et blanchisserie »",
            "ménage 300 €, blanchisserie 120 €",
            ["Ménage", "Blanchisserie"],
        ),
    ],
)
def test_two_things_asked_about_are_quoted_and_answered_in_the_clients_words(
    request_text: str, question: str, answer: str, lines: list[str]
) -> None:
    asked = interpret(request_text, None, today=TODAY)
    assert asked.action == "question" and question in asked.reply
    result = interpret(answer, None, today=TODAY, history=[request_text])
    assert result.invoice is not None, result.reply
    assert [i.description for i in result.invoice.line_items] == lines


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Factura proforma para Hotel Sol: limpieza 300 €", "invoice"),
        ("Proforma-Rechnung an Hotel Sol: Reinigung 300 €", "invoice"),
        ("Facture pro forma pour Hotel Sol : ménage 300 €", "invoice"),
        ("Offre pour Hotel Sol : ménage 300 €", "quote"),
        ("Oferta para Hotel Sol: limpieza 300 €", "quote"),
    ],
)
def test_proforma_and_offer_are_kinds_never_the_buyer(message: str, kind: str) -> None:
    invoice = _doc(message)
    assert (invoice.kind.value, invoice.buyer.name) == (kind, "Hotel Sol")


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("Factura para Hotel Sol: limpieza entre 300 y 400 €", "300 o 400"),
        ("Rechnung an Hotel Sonne: Reinigung zwischen 300 und 400 €", "300 oder 400"),
        ("Facture pour Hôtel Soleil : ménage entre 300 et 400 €", "300 ou 400"),
    ],
)
def test_a_range_of_prices_asks_which(message: str, said: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.action == "question" and said in result.reply


@pytest.mark.parametrize(
    ("message", "description"),
    [
        ("Factura para Sol: limpieza en enero de 2026, 300 €", "Limpieza"),
        ("Facture pour Soleil : ménage en janvier 2026, 300 €", "Ménage"),
        ("Rechnung an Sonne: Reinigung im Jänner 2026, 300 €", "Reinigung"),
    ],
)
def test_the_month_the_work_was_in_is_the_service_period(message: str, description: str) -> None:
    invoice = _doc(message)
    assert [i.description for i in invoice.line_items] == [description]
    assert invoice.service_period_start == dt.date(2026, 1, 1)
