"""Spanish, German and French words the language tables read (session 6): units and counts, the
document's number, delivery dates said with a verb, lines outside VAT, and descriptions that keep
the client's own words. Each varies the words, the order and the language; wrong totals found on
the way are in test_builtin_wrong_amounts.py; dates, totals and slips in
test_builtin_languages_dates_totals.py."""

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
def test_german_months_and_weeks_after_a_count_are_its_unit(
    message: str, quantity: Decimal, unit: str
) -> None:
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
    assert (invoice.line_items[0].quantity, invoice.line_items[0].unit_price) == (
        Decimal(25),
        Decimal("6.90"),
    )


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
        (
            "Factura para Taller Ruiz: cambio de aceite a $650 MXN",
            ("Cambio de aceite", Decimal(1), Decimal(650)),
        ),
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
        (
            "Factura a Construcciones López S.L.: gestión de nóminas de febrero 180 €",
            "Gestión de nóminas de febrero",
        ),
        ("Factura a Gimnasio Sol: cuotas de enero 300 €", "Cuotas de enero"),
        ("Facture pour Atelier Blanc : paie de janvier 180 €", "Paie de janvier"),
    ],
)
def test_a_month_inside_a_description_stays_in_the_clients_language(message: str, description: str) -> None:
    assert _doc(message).line_items[0].description == description


@pytest.mark.parametrize(
    ("message", "description"),
    [
        (
            "Recibo para Nuria Campos, bono de 10 clases de yoga 90 €, pagado por Bizum",
            "Bono de 10 clases de yoga",
        ),
        (
            "Reçu pour Camille Roux, carte de 10 séances d'aquagym 90 €, payé par carte",
            "Carte de 10 séances d’aquagym",
        ),
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


@pytest.mark.parametrize(
    ("message", "delivery"),
    [
        ("Bestellung bei Metallbau Krause: 40 m Stahlrohr à 7,50 €, Lieferung am Freitag nächster Woche", 20),
        ("Bestellung bei Metallbau Krause: 40 m Stahlrohr à 7,50 €, Lieferung Dienstag kommender Woche", 17),
        (
            "Bon de commande pour Cave Laurent : 40 m de tuyau à 7,50 €, livraison mardi de la semaine prochaine",
            17,
        ),
        ("Bon de commande pour Cave Laurent : 40 m de tuyau à 7,50 €, livraison vendredi prochain", 20),
        ("Pedido a Papelería Sol: 40 m de tubo a 7,50 €, entrega el viernes de la semana que viene", 20),
    ],
)
def test_a_weekday_of_next_week_after_the_delivery_word_is_the_delivery_date(
    message: str, delivery: int
) -> None:
    invoice = _doc(message)
    assert invoice.delivery_date == dt.date(2026, 3, delivery)
    assert [(i.quantity, i.unit, i.unit_price) for i in invoice.line_items] == [
        (Decimal(40), "m", Decimal("7.50"))
    ]


@pytest.mark.parametrize(
    ("message", "valid_until"),
    [
        ("Devis pour M. Dubois : parquet 1 250,00 €, devis valable jusqu'au 30 avril", dt.date(2026, 4, 30)),
        ("Devis pour M. Dubois : parquet 1 250,00 €, offre valable 30 jours", dt.date(2026, 4, 11)),
        ("Presupuesto para Ana Ruiz: parquet 1.250,00 €, presupuesto válido 30 días", dt.date(2026, 4, 11)),
        ("Angebot für Familie Koch: Parkett 1.250,00 €, Angebot gültig bis 30.04.2026", dt.date(2026, 4, 30)),
    ],
)
def test_the_document_named_before_its_validity_is_no_line(message: str, valid_until: dt.date) -> None:
    invoice = _doc(message)
    assert invoice.valid_until == valid_until
    assert [(i.quantity, i.unit_price) for i in invoice.line_items] == [(Decimal(1), Decimal(1250))]


@pytest.mark.parametrize(
    ("message", "month"),
    [
        ("Rechnung an Gemeinde Uster\nLeistungszeitraum: Januar 2026\nSchneeräumung 1.200 €", 1),
        ("Factura a Gimnasio Sol\nPeriodo de servicio: febrero 2026\nlimpieza 1.200 €", 2),
        ("Facture pour Atelier Blanc\nPériode de prestation : mars 2026\nménage 1 200 €", 3),
    ],
)
def test_a_service_period_label_with_a_colon_is_the_service_period(message: str, month: int) -> None:
    invoice = _doc(message)
    assert invoice.service_period_start == dt.date(2026, month, 1)
    assert [(i.quantity, i.unit_price) for i in invoice.line_items] == [(Decimal(1), Decimal(1200))]
    assert invoice.buyer.address_lines == []


@pytest.mark.parametrize(
    ("message", "description"),
    [
        ("Facture pour Menuiserie Girard : pose de 6 fenêtres à 420 € pièce", "Pose de fenêtres"),
        ("Facture pour Atelier Vélo : location de 6 vélos à 420 €", "Location de vélos"),
    ],
)
def test_a_french_count_inside_what_is_sold_is_its_quantity(message: str, description: str) -> None:
    line = _doc(message).line_items[0]
    assert (line.description, line.quantity, line.unit, line.unit_price) == (description, 6, "", 420)


def test_a_german_unit_read_from_the_request_keeps_its_capital() -> None:
    line = _doc("Rechnung an Gemeinde Uster: Streusalz 8 Säcke à 24,50 €").line_items[0]
    assert (line.description, line.quantity, line.unit) == ("Streusalz", 8, "Säcke")


@pytest.mark.parametrize(
    ("message", "buyer"),
    [
        ("Devis pour M. et Mme Girard : peinture 600 €", "M. et Mme Girard"),
        ("Presupuesto para Ana y Luis Ruiz: pintura 600 €", "Ana y Luis Ruiz"),
    ],
)
def test_the_and_inside_a_buyers_name_stays_in_the_clients_words(message: str, buyer: str) -> None:
    assert _doc(message).buyer.name == buyer


def _edited(current: Invoice, message: str) -> Invoice:
    result = interpret(message, current, today=TODAY)
    assert result.action == "edit", result.reply
    assert result.invoice is not None
    return result.invoice


def _german_base() -> Invoice:
    return _doc("Rechnung an Praxis Dr. Lang: 6 Steckdosen montieren à 35 €, Gerichtskosten 98 €, MwSt 19 %")


@pytest.mark.parametrize(
    "message", ["noch 2 Steckdosen dazu, also 8", "noch 2 Steckdosen dazu", "bitte noch 2 Steckdosen hinzu"]
)
def test_german_noch_n_dazu_without_a_price_adds_to_the_line_so_named(message: str) -> None:
    lines = _edited(_german_base(), message).line_items
    assert [(i.quantity, i.unit_price) for i in lines] == [
        (Decimal(8), Decimal(35)),
        (Decimal(1), Decimal(98)),
    ]


@pytest.mark.parametrize(
    "message",
    [
        "auf die Gerichtskosten bitte keine MwSt., das ist ein durchlaufender Posten",
        "auf die Gerichtskosten keine MwSt",
    ],
)
def test_german_no_vat_on_a_line_with_a_reason_after_it_exempts_the_line(message: str) -> None:
    lines = _edited(_german_base(), message).line_items
    assert [i.tax_exempt for i in lines] == [False, True]


@pytest.mark.parametrize(
    "message",
    ["Die Gerichtskosten waren 140 €, nicht 98", "Die Gerichtskosten sind eigentlich 140, nicht 98"],
)
def test_german_a_line_was_another_price_not_the_one_written(message: str) -> None:
    lines = _edited(_german_base(), message).line_items
    assert [(i.description, i.unit_price) for i in lines][1] == ("Gerichtskosten", Decimal(140))


def test_french_rajoute_a_dozen_priced_each_adds_twelve() -> None:
    current = _doc("Facture pour Papeterie Lenoir : 10 ramettes de papier à 5,20 €")
    added = _edited(current, "rajoute une douzaine de stylos à 1,20 € pièce").line_items[-1]
    assert (added.description, added.quantity, added.unit_price) == ("Stylos", Decimal(12), Decimal("1.20"))


def test_french_a_dozen_priced_by_the_dozen_is_not_twelve_at_that_price() -> None:
    result = interpret(
        "Facture pour Ferme Morel : une douzaine d'œufs à 3,60 € la douzaine", None, today=TODAY
    )
    if result.invoice is not None:  # one dozen at 3,60, or asked; never 12 eggs at 3,60
        assert sum(i.quantity * i.unit_price for i in result.invoice.line_items) == Decimal("3.60")


@pytest.mark.parametrize(
    ("message", "line", "paid"),
    [
        (
            "Reçu pour Camille Roux : cours de guitare, 4 séances à 35 €, payé 100 € par chèque",
            ("Cours de guitare", Decimal(4), "séances", Decimal(35)),
            Decimal(100),
        ),
        (
            "Recibo para Nuria Campos: curso de yoga, 8 sesiones a 12 €, pagado en efectivo",
            ("Curso de yoga", Decimal(8), "sesiones", Decimal(12)),
            Decimal(96),
        ),
        (
            "Factura para Academia Luz: inglés, 8 clases a 25 €",
            ("Inglés", Decimal(8), "clases", Decimal(25)),
            None,
        ),
    ],
)
def test_what_a_service_is_counted_in_counts_the_unpriced_line_before(
    message: str, line: tuple[str, Decimal, str, Decimal], paid: Decimal | None
) -> None:
    invoice = _doc(message)
    assert [(i.description, i.quantity, i.unit, i.unit_price) for i in invoice.line_items] == [line]
    assert invoice.amount_paid == paid


@pytest.mark.parametrize(
    "message",
    [
        "450 € por cambiar el calentador, factura a nombre de Lucía Romero",
        "Factura a nombre de Lucía Romero: cambio del calentador 450 €",
        "450 € pour le remplacement du chauffe-eau, facture au nom de Lucía Romero",
        "Facture au nom de Lucía Romero : remplacement du chauffe-eau 450 €",
    ],
)
def test_the_kind_said_with_a_nombre_de_or_au_nom_de_names_the_buyer(message: str) -> None:
    invoice = _doc(message)
    assert invoice.buyer.name == "Lucía Romero"
    assert [(i.quantity, i.unit_price) for i in invoice.line_items] == [(Decimal(1), Decimal(450))]


@pytest.mark.parametrize(
    ("message", "method"),
    [
        ("Recibo para Pablo Díaz: corte de pelo 18 €, pagó en efectivo", "Efectivo"),
        ("Recibo para Pablo Díaz: corte de pelo 18 €, ha pagado con tarjeta", "Tarjeta"),
    ],
)
def test_spanish_paid_said_in_the_past_tense_is_the_payment(message: str, method: str) -> None:
    invoice = _doc(message)
    assert (invoice.payment_method, invoice.amount_paid) == (method, Decimal(18))
    assert len(invoice.line_items) == 1


def test_photos_counted_after_an_unpriced_line_count_it() -> None:
    line = _doc("Factura para Estudio Alba: fotografía de producto, 40 fotos a 12 € cada una").line_items
    assert [(i.description, i.quantity, i.unit, i.unit_price) for i in line] == [
        ("Fotografía de producto", Decimal(40), "fotos", Decimal(12))
    ]


@pytest.mark.parametrize(
    "message",
    [
        "Factura para Lucía Gómez: clases particulares 6 horas a 20 €/h, exentas de IVA, material 15 €, IVA 21 %",
        "Facture pour Lucía Gómez : cours particuliers 6 h à 20 €/h, exonérés de TVA, matériel 15 €, TVA 21 %",
        "Rechnung an Lucía Gómez: Nachhilfe 6 Std. à 20 €, steuerfrei, Material 15 €, MwSt 21 %",
    ],
)
def test_exempt_said_as_a_clause_of_its_own_is_said_of_the_line_before(message: str) -> None:
    lines = _doc(message).line_items
    assert [(i.quantity, i.unit_price, i.tax_exempt) for i in lines] == [
        (Decimal(6), Decimal(20), True),
        (Decimal(1), Decimal(15), False),
    ]


@pytest.mark.parametrize(
    ("message", "amount"),
    [
        ("Rechnung an Café Mond: 12 Kuchen à 18,50 €, Lieferung 15 €", Decimal(15)),
        ("Factura para Café Luna: 12 tartas a 18,50 €, entrega 15 €", Decimal(15)),
    ],
)
def test_a_delivery_word_with_an_amount_is_the_shipping(message: str, amount: Decimal) -> None:
    invoice = _doc(message)
    assert invoice.shipping == amount
    assert len(invoice.line_items) == 1


def test_the_reply_names_the_buyer_in_the_clients_words() -> None:
    result = interpret("Presupuesto para Ana y Luis: boda 2.500 €", None, today=TODAY)
    assert "Ana y Luis" in result.reply and "Ana and Luis" not in result.reply


def test_a_plural_kind_word_is_the_kind() -> None:
    invoice = _doc("Reçus pour Mme Roy : coupe 30 €, payé par carte")
    assert (invoice.kind.value, invoice.buyer.name) == ("receipt", "Mme Roy")


def test_a_french_amount_of_something_starting_with_de_keeps_the_word() -> None:
    # "30 € dessert" was read "30 € of ssert" (the "de" of "dessert" taken for "of").
    lines = _doc("Facture pour Resto Lune : 30 € dessert du chef, 20 € d'essence").line_items
    assert [(i.description, i.unit_price) for i in lines] == [
        ("Dessert du chef", Decimal(30)),
        ("Essence", Decimal(20)),
    ]


@pytest.mark.parametrize(
    ("request_text", "edit", "prices"),
    [
        ("Factura para Muebles Sur: 6 sillas a 85 €, 1 mesa a 400 €", "las sillas cuestan 90 €", [90, 400]),
        ("Factura para Muebles Sur: 6 sillas a 85 €, 1 mesa a 400 €", "la mesa sale a 450 €", [85, 450]),
        ("Rechnung an Möbel Süd: 6 Stühle à 85 €, 1 Tisch à 400 €", "die Stühle kosten 90 €", [90, 400]),
        (
            "Rechnung an Möbel Süd: 6 Stühle à 85 €, 1 Tisch à 400 €",
            "der Tisch kostet jetzt 450 €",
            [85, 450],
        ),
        (
            "Facture pour Meubles Sud : 6 chaises à 85 €, 1 table à 400 €",
            "les chaises sont à 90 €",
            [90, 400],
        ),
        ("Facture pour Meubles Sud : 6 chaises à 85 €, 1 table à 400 €", "la table coûte 450 €", [85, 450]),
    ],
)
def test_a_line_said_to_cost_an_amount_is_repriced(request_text: str, edit: str, prices: list[int]) -> None:
    lines = _edited(_doc(request_text), edit).line_items
    assert [i.unit_price for i in lines] == [Decimal(p) for p in prices]
    assert [i.quantity for i in lines] == [Decimal(6), Decimal(1)]


@pytest.mark.parametrize("edit", ["pon el IVA al 10 %", "deja el IVA en 10 %", "cambia el IVA al 10 %"])
def test_spanish_putting_the_vat_at_a_rate_changes_it(edit: str) -> None:
    invoice = _edited(_doc("Factura para Muebles Sur: 6 sillas a 85 €, IVA 21 %"), edit)
    assert [(t.name, t.rate_percent) for t in invoice.taxes] == [("IVA", Decimal(10))]


@pytest.mark.parametrize(
    ("message", "address"),
    [
        (
            "Rechnung an Praxis Nord (Lindenweg 7, 10115 Berlin): Wartung 180 €",
            ["Lindenweg 7", "10115 Berlin"],
        ),
        (
            "Facture pour Cabinet Nord (rue de la Paix 3, Paris) : maintenance 180 €",
            ["rue de la Paix 3", "Paris"],
        ),
        ("Factura para Clínica Norte (Calle Mayor 5, Madrid): revisión 180 €", ["Calle Mayor 5", "Madrid"]),
    ],
)
def test_an_address_in_brackets_with_the_street_first_is_the_buyers(message: str, address: list[str]) -> None:
    invoice = _doc(message)
    assert invoice.buyer.address_lines == address
    assert [(i.quantity, i.unit_price) for i in invoice.line_items] == [(Decimal(1), Decimal(180))]


def test_a_german_vat_id_with_its_full_stop_is_the_buyers_tax_id() -> None:
    buyer = _doc(
        "Rechnung an Praxis Nord, Lindenweg 7, 10115 Berlin, USt-IdNr. DE123456789: Wartung 180 €"
    ).buyer
    assert (buyer.tax_id, buyer.address_lines) == ("DE123456789", ["Lindenweg 7", "10115 Berlin"])


@pytest.mark.parametrize(
    "message",
    ["Factura para Taller Sol: 4 neumáticos de 80 €", "Facture pour Garage Soleil : 4 pneus de 80 €"],
)
def test_a_count_of_things_de_an_amount_is_priced_each(message: str) -> None:
    line = _doc(message).line_items[0]
    assert (line.description, line.quantity, line.unit_price) == (
        line.description.split()[0],
        Decimal(4),
        Decimal(80),
    )
    assert " de" not in line.description


@pytest.mark.parametrize(
    ("message", "question"),
    [
        ("Rechnung an Autohaus Sonne: 80 € pro Reifen, 4 Stück", "Wofür sind die 4 Stück?"),
        ("Factura para Ana: 10 horas", "¿A qué corresponden las 10 horas?"),
        ("Facture pour Ana : 3 jours", "À quoi correspondent les 3 jours ?"),
    ],
)
def test_what_a_bare_count_is_for_is_asked_in_the_language(message: str, question: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert (result.action, result.reply) == ("question", question)
