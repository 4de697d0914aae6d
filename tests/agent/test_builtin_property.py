"""A property of the builtin interpreter: for generated requests ("{qty} {item} at {price}" in
random phrasings, numbers, currencies and the four languages, with dates, periods, payment terms,
e-mails, phone numbers, ids and addresses mixed in), the document's total is the one computed
from the generator's own values, or the reply is a question. Never a wrong amount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from docmesh_agent.builtin import interpret
from docmesh_common.model.invoice import Invoice, LineItem, Party
from docmesh_common.model.totals import compute_totals

TODAY = dt.date(2026, 3, 12)
BUYERS = ("Acme", "Globex Corporation", "Initech", "Hooli")
ITEMS = {
    "en": ("widgets", "chairs", "licences", "boxes of paper", "hours of consulting"),
    "es": ("sillas", "licencias", "cajas de papel", "horas de consultoría"),
    "de": ("Stühle", "Lizenzen", "Kisten Papier", "Stunden Beratung"),
    "fr": ("chaises", "licences", "boîtes de papier", "heures de conseil"),
}
TEMPLATES = {
    "en": (
        "Invoice {buyer} for {qty} {item} at {price}",
        "Invoice {buyer}: {qty} {item} @ {price} each",
        "Quote for {buyer}: {qty} {item} at {price} per unit",
        "Bill {buyer} for {qty} {item} at {price} each",
    ),
    "es": (
        "Factura para {buyer}: {qty} {item} a {price}",
        "Presupuesto para {buyer}: {qty} {item} a {price} cada una",
    ),
    "de": ("Rechnung an {buyer}: {qty} {item} zu je {price}", "Angebot für {buyer}: {qty} {item} je {price}"),
    "fr": (
        "Facture pour {buyer} : {qty} {item} à {price}",
        "Devis pour {buyer} : {qty} {item} à {price} l'unité",
    ),
}
# How an amount is written: (before, after, thousands separator, decimal separator).
MONEY = {
    "en": (("$", "", ",", "."), ("", " USD", ",", "."), ("€", "", ",", "."), ("£", "", ",", ".")),
    "es": (("", " €", ".", ","), ("", " EUR", ".", ","), ("", " MXN", ",", ".")),
    "de": (("", " €", ".", ","), ("€ ", "", ".", ","), ("CHF ", "", "'", ".")),
    "fr": (("", " €", " ", ","), ("", " $ CA", " ", ",")),
}


def _written(amount: Decimal, before: str, after: str, thousands: str, point: str) -> str:
    whole, cents = f"{amount:.2f}".split(".")
    groups = f"{int(whole):,}".replace(",", thousands)
    return f"{before}{groups}{point}{cents}{after}"


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, Decimal, Decimal]:
    lang = draw(st.sampled_from(sorted(TEMPLATES)))
    qty = Decimal(draw(st.integers(min_value=2, max_value=250)))
    price = Decimal(draw(st.integers(min_value=1, max_value=999_999))) / 100
    money = _written(price, *draw(st.sampled_from(MONEY[lang])))
    text = draw(st.sampled_from(TEMPLATES[lang])).format(
        buyer=draw(st.sampled_from(BUYERS)), qty=qty, item=draw(st.sampled_from(ITEMS[lang])), price=money
    )
    return text, qty, price


@settings(max_examples=300, deadline=None, derandomize=True)
@given(requests())
def test_a_generated_request_totals_the_generators_values_or_asks(
    request: tuple[str, Decimal, Decimal],
) -> None:
    text, qty, price = request
    result = interpret(text, None, today=TODAY)
    if result.action == "question":
        assert "?" in result.reply, (text, result.reply)
        return
    assert result.invoice is not None
    expected = Invoice(
        buyer=Party(name="x"), line_items=[LineItem(description="x", quantity=qty, unit_price=price)]
    )
    assert compute_totals(result.invoice).total == compute_totals(expected).total, (text, result.reply)


# Facts around the line whose numbers are never amounts charged: dates, periods, payment terms,
# contact details, ids, deposits paid and trade-ins (the total stays what was sold), in each language ({d} a day, {d2} a later day, {n} a number of days).
EXTRAS = {
    "en": (
        ", due {month} {d}",
        ", due in {n} days",
        ", net {n}",
        ", {n} days net",
        ", payment in {n} days",
        " for the period {month} {d}-{d2}",
        ", covering {month} {d} to {month} {d2}",
        ", delivered {month} {d}",
        ", the delivery date is {month} {d}",
        ", service period {month} 2026",
        " on {month} {d}",
        ", email billing{n}@acme.example",
        ", phone +1 555 {n}{d} 4567",
        ", VAT ID DE{n}{d}123456",
        ", valid until {month} {d}",
        ", PO {n}{d}",
        ", zip 9{n}0",
        ", order #{n}{d}",
        ", IBAN DE89 3704 0044 0532 0130 {d}",
        ", already paid {n}",
        ", trade-in {n}",
        ", at 10:{d:02d} on {month} {d}",
    ),
    "es": (
        ", vence el {d} de {month}",
        ", a {n} días",
        ", {n} días netos",
        ", periodo de servicio {month} de 2026",
        ", entrega el {d} de {month}",
        ", email facturas{n}@acme.example",
        ", pedido nº {n}{d}",
        ", CIF B{n}{d}12345",
        ", anticipo de {n} recibido",
    ),
    "de": (
        ", fällig am {d}. {month}",
        ", zahlbar innerhalb von {n} Tagen",
        ", {n} Tage netto",
        ", Lieferung am {d}. {month}",
        ", Leistungszeitraum {month} 2026",
        ", E-Mail rechnung{n}@acme.example",
        ", Bestellnummer {n}{d}",
        ", PLZ 1{n}0",
        ", Anzahlung {n} erhalten",
    ),
    "fr": (
        ", échéance le {d} {month}",
        ", paiement à {n} jours",
        ", {n} jours net",
        ", livraison le {d} {month}",
        ", période {month} 2026",
        ", email factures{n}@acme.example",
        ", bon de commande n° {n}{d}",
        ", SIRET 123 456 789 {n}{d}",
        ", acompte de {n} reçu",
    ),
}
MONTHS = {
    "en": ("January", "March", "April", "June", "September", "December"),
    "es": ("enero", "marzo", "abril", "junio", "septiembre", "diciembre"),
    "de": ("Januar", "März", "April", "Juni", "September", "Dezember"),
    "fr": ("janvier", "mars", "avril", "juin", "septembre", "décembre"),
}
# The buyer with an address, as people write it before the items.
ADDRESSED = {
    "en": "Invoice {buyer}, {d} Elm Road, Springfield, for {qty} {item} at {price}",
    "es": "Factura a {buyer}, Calle Mayor {d}, 28013 Madrid: {qty} {item} a {price}",
    "de": "Rechnung an {buyer}, Hauptstraße {d}, 10115 Berlin: {qty} {item} zu je {price}",
    "fr": "Facture pour {buyer}, {d} rue de la Paix, 75002 Paris : {qty} {item} à {price}",
}


@st.composite
def requests_with_facts(draw: st.DrawFn) -> tuple[str, Decimal, Decimal]:
    lang = draw(st.sampled_from(sorted(TEMPLATES)))
    qty = Decimal(draw(st.integers(min_value=2, max_value=250)))
    price = Decimal(draw(st.integers(min_value=1, max_value=999_999))) / 100
    money = _written(price, *draw(st.sampled_from(MONEY[lang])))
    template = draw(st.sampled_from([*TEMPLATES[lang], ADDRESSED[lang]]))
    d = draw(st.integers(min_value=1, max_value=14))
    facts = draw(st.lists(st.sampled_from(EXTRAS[lang]), min_size=1, max_size=2, unique=True))
    extra = "".join(facts).format(
        d=d,
        d2=d + draw(st.integers(min_value=1, max_value=14)),
        n=draw(st.integers(min_value=1, max_value=90)),
        month=draw(st.sampled_from(MONTHS[lang])),
    )
    text = template.format(
        buyer=draw(st.sampled_from(BUYERS)),
        qty=qty,
        item=draw(st.sampled_from(ITEMS[lang])),
        price=money,
        d=d,
    )
    return text + extra, qty, price


@settings(max_examples=400, deadline=None, derandomize=True)
@given(requests_with_facts())
def test_dates_terms_and_contacts_around_a_request_never_change_its_total(
    request: tuple[str, Decimal, Decimal],
) -> None:
    text, qty, price = request
    result = interpret(text, None, today=TODAY)
    if result.action == "question":
        assert "?" in result.reply, (text, result.reply)
        return
    assert result.invoice is not None
    expected = Invoice(
        buyer=Party(name="x"), line_items=[LineItem(description="x", quantity=qty, unit_price=price)]
    )
    assert compute_totals(result.invoice).total == compute_totals(expected).total, (text, result.reply)


# Things whose names hold a number ("2x4 boards", "16GB RAM sticks", "Windows 11 licences",
# "5-litre paint tins"), in the ways people list them: the number in the name is never the count or
# the price.
NAMED_ITEMS = (
    "A4 paper reams",
    "2x4 boards",
    "iPhone 15 cases",
    "USB-C 3.1 cables",
    "10-class passes",
    "M8 bolts",
    "Cat6 cables",
    "size 10 shoes",
    "4K monitors",
    "3-course dinners",
    "2-hour lessons",
    "Windows 11 licences",
    "Model 3 mats",
    "1TB SSDs",
    "5-litre paint tins",
    "24-pack water bottles",
    "16GB RAM sticks",
    "12V batteries",
)
NAMED_TEMPLATES = (
    "Invoice {buyer} for {qty} {item} at {price}",
    "Invoice {buyer}: {qty} {item} @ {price} each",
    "Quote for {buyer}: {item} x {qty} at {price}",
    "Invoice {buyer}: {item}, {qty} @ {price}",
    "invoice {buyer} - {qty} {item} {price} ea",
    "Invoice {buyer}: {qty} x {item} @ {price}",
    "Bill {buyer} for {qty} {item}, {price} each",
    "Receipt for {buyer}: {qty} {item} at {price}, paid cash",
    "invoice {buyer}: {qty}x {item} {price} each",
    "Invoice {buyer}: {item} {qty} x {price} = {total}",
)


@st.composite
def named_requests(draw: st.DrawFn) -> tuple[str, Decimal, Decimal]:
    qty = Decimal(draw(st.integers(min_value=2, max_value=60)))
    price = Decimal(draw(st.integers(min_value=100, max_value=99_999))) / 100
    money = _written(price, *draw(st.sampled_from(MONEY["en"])))
    text = draw(st.sampled_from(NAMED_TEMPLATES)).format(
        buyer=draw(st.sampled_from(BUYERS)),
        qty=qty,
        item=draw(st.sampled_from(NAMED_ITEMS)),
        price=money,
        total=f"{qty * price:.2f}",
    )
    return text, qty, price


@settings(max_examples=300, deadline=None, derandomize=True)
@given(named_requests())
def test_a_number_in_a_things_name_never_changes_the_total(request: tuple[str, Decimal, Decimal]) -> None:
    text, qty, price = request
    result = interpret(text, None, today=TODAY)
    if result.action == "question":
        assert "?" in result.reply, (text, result.reply)
        return
    assert result.invoice is not None
    expected = Invoice(
        buyer=Party(name="x"), line_items=[LineItem(description="x", quantity=qty, unit_price=price)]
    )
    assert compute_totals(result.invoice).total == compute_totals(expected).total, (text, result.reply)
