"""Edits that say a line's new count in words ("labour should be 2.5 hours", "make it 10 lessons",
"finalement ce sera 90 personnes pour le cocktail"): the count of the line they name, never a new
line priced at the count (a wrong total)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docmesh_agent.builtin import interpret
from docmesh_common.model.invoice import Invoice, LineItem, Party

TODAY = dt.date(2026, 3, 12)  # a Thursday


def _current(unit: str = "hours", language: str = "en") -> Invoice:
    return Invoice(
        buyer=Party(name="Acme Corp"),
        language=language,
        line_items=[
            LineItem(description="Piano lessons", quantity=Decimal(8), unit_price=Decimal(40)),
            LineItem(description="Labour", quantity=Decimal(2), unit=unit, unit_price=Decimal(70)),
        ],
    )


def _counts(message: str, current: Invoice) -> list[tuple[str, Decimal]]:
    result = interpret(message, current, today=TODAY)
    assert result.invoice is not None, result.reply
    return [(i.description, i.quantity) for i in result.invoice.line_items]


@pytest.mark.parametrize(
    ("message", "lessons", "labour"),
    [
        ("actually labour should be 2.5 hours", 8, Decimal("2.5")),
        ("make it 10 lessons", 10, 2),
        ("3 hours for the labour", 8, 3),
    ],
)
def test_a_count_said_of_a_named_or_counted_line_is_its_new_count(
    message: str, lessons: int, labour: Decimal
) -> None:
    assert _counts(message, _current()) == [("Piano lessons", Decimal(lessons)), ("Labour", Decimal(labour))]


def test_a_count_in_another_language_finds_the_line_by_its_unit_in_that_language() -> None:
    # 'es waren doch 5 Stunden, nicht 4' was not understood: the line's unit is 'Std.'.
    assert _counts("es waren doch 5 Stunden, nicht 2", _current("Std.", "de"))[1] == ("Labour", Decimal(5))


def test_a_count_for_a_named_line_is_never_a_new_line() -> None:
    # 'finalement ce sera 90 personnes pour le cocktail' was a third line priced 90.
    current = Invoice(
        buyer=Party(name="Mairie de Vernon"),
        language="fr",
        currency_code="EUR",
        line_items=[LineItem(description="Cocktail dînatoire", quantity=Decimal(80), unit_price=Decimal(28))],
    )
    assert _counts("finalement ce sera 90 personnes pour le cocktail", current) == [
        ("Cocktail dînatoire", Decimal(90))
    ]
