"""A property of the builtin interpreter: for generated requests ("{qty} {item} at {price}" in
random phrasings, numbers, currencies and the four languages), the document's total is the one
computed from the generator's own values, or the reply is a question. Never a wrong amount."""

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
