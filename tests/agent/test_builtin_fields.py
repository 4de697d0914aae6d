"""The built-in interpreter reads fields said around the lines (issue 13): e-mails and ids after
the items, service periods and validity in Spanish, exempt lines named without a verb, names that
end in an abbreviation, and lower-case words after "for" that are what is sold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from docmesh_agent.builtin import interpret

TODAY = dt.date(2026, 3, 12)


def test_an_email_after_the_items_is_the_buyers_email_not_a_line() -> None:
    result = interpret(
        "Invoice Umbrella Corp, 1 Raccoon Way, for 2 hours of consulting at 150, email billing@umbrella.example",
        None,
        today=TODAY,
    )
    assert result.invoice is not None
    assert result.invoice.buyer.email == "billing@umbrella.example"
    assert len(result.invoice.line_items) == 1


def test_a_phone_number_after_the_items_is_the_buyers_phone() -> None:
    result = interpret("Invoice Acme for 2 hours at 150, phone +1 555 123 4567", None, today=TODAY)
    assert result.invoice is not None
    assert result.invoice.buyer.phone == "+1 555 123 4567"


def test_a_spanish_service_period_month_of_year_is_the_period() -> None:
    result = interpret(
        "Factura para Acme: mantenimiento mensual 600 €, periodo de servicio febrero de 2026",
        None,
        today=TODAY,
    )
    assert result.invoice is not None
    assert (result.invoice.service_period_start, result.invoice.service_period_end) == (
        dt.date(2026, 2, 1),
        dt.date(2026, 2, 28),
    )
    assert [i.unit_price for i in result.invoice.line_items] == [Decimal(600)]


def test_valido_treinta_dias_is_the_quotes_validity() -> None:
    result = interpret(
        "Presupuesto para Stark Industries: prototipo 12.000 €, válido 30 días", None, today=TODAY
    )
    assert result.invoice is not None
    assert result.invoice.valid_until == dt.date(2026, 4, 11)
    assert [i.unit_price for i in result.invoice.line_items] == [Decimal(12000)]


def test_a_line_exempt_from_the_tax_without_a_verb_is_exempt() -> None:
    result = interpret(
        "Invoice Stark Industries for equipment 3000 and insurance 200, GST 5%, insurance exempt from GST",
        None,
        today=TODAY,
    )
    assert result.invoice is not None
    assert [i.tax_exempt for i in result.invoice.line_items] == [False, True]


def test_a_name_ending_in_an_abbreviation_keeps_its_full_stop() -> None:
    result = interpret(
        "Factura a Acme S.A., Calle Mayor 5, 28013 Madrid: diseño web 2.000 €", None, today=TODAY
    )
    assert result.invoice is not None
    assert result.invoice.buyer.name == "Acme S.A."


def test_lower_case_words_after_for_are_what_is_sold_and_the_buyer_is_asked() -> None:
    result = interpret("Invoice for web design", None, today=TODAY)
    assert result.action == "question"
    assert result.missing[0] == "buyer"
