"""Focused specifications of the builtin interpreter's pieces: money, currencies, dates, totals, turns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docmesh_agent.builtin import interpret
from docmesh_agent.builtin.clauses import split_clauses
from docmesh_agent.builtin.dates import parse_date
from docmesh_agent.builtin.labels import clean_name, tax_label, unit_label
from docmesh_agent.builtin.money import (
    currency_from_word,
    find_money,
    format_money,
    parse_number,
)
from docmesh_common.model.invoice import Discount, Invoice, LineItem, Party, Tax
from docmesh_common.model.totals import compute_totals

TODAY = dt.date(2026, 3, 10)  # a Tuesday


# --- numbers and money --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.50", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1,234", "1234"),
        ("1.234.567", "1234567"),
        ("12,5", "12.5"),
        ("1234,50", "1234.50"),
        ("0.15", "0.15"),
        ("1'000", "1000"),
        ("1 000,25", "1000.25"),
    ],
)
def test_parse_number_reads_both_separator_conventions(text: str, value: str) -> None:
    assert parse_number(text) == Decimal(value)


def test_parse_number_never_goes_through_float() -> None:
    assert parse_number("0.1") + parse_number("0.2") == Decimal("0.3")


def test_parse_number_rejects_words() -> None:
    with pytest.raises(ValueError):
        parse_number("ten")


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("$150", "150", "USD"),
        ("€ 99", "99", "EUR"),
        ("£1,200.00", "1200.00", "GBP"),
        ("¥50,000", "50000", "JPY"),
        ("400 EUR", "400", "EUR"),
        ("EUR 1,234.50", "1234.50", "EUR"),
        ("1.234,50 €", "1234.50", "EUR"),
        ("C$40", "40", "CAD"),
        ("A$65", "65", "AUD"),
        ("99 euros", "99", "EUR"),
        ("5 Kuwaiti dinars", "5", "KWD"),
        ("12 pounds", "12", "GBP"),
        ("$1.5k", "1500", "USD"),
        ("₹2,000", "2000", "INR"),
        ("CHF 3,500", "3500", "CHF"),
        ("250", "250", None),
    ],
)
def test_find_money_reads_amount_and_currency(text: str, amount: str, currency: str | None) -> None:
    found = find_money(text)
    assert len(found) == 1
    assert found[0].amount == Decimal(amount)
    assert found[0].currency == currency


def test_find_money_skips_percentages_and_codes_glued_to_letters() -> None:
    assert find_money("8% tax") == []
    assert find_money("number INV-7") == []


def test_find_money_does_not_read_metres_as_millions() -> None:
    assert [m.amount for m in find_money("5 m of cable")] == [Decimal(5)]


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("eur", "EUR"),
        ("USD", "USD"),
        ("euros", "EUR"),
        ("yen", "JPY"),
        ("Kuwaiti dinar", "KWD"),
        ("Swiss francs", "CHF"),
        ("£", "GBP"),
        ("C$", "CAD"),
        ("RMB", "CNY"),
        ("doubloons", None),
        ("THE", None),
    ],
)
def test_currency_from_word_knows_codes_symbols_and_names(word: str, code: str | None) -> None:
    assert currency_from_word(word) == code


def test_format_money_uses_the_currency_minor_units() -> None:
    assert format_money(Decimal("1620"), "USD") == "USD 1,620.00"
    assert format_money(Decimal("1500"), "JPY") == "JPY 1,500"
    assert format_money(Decimal("1.25"), "KWD") == "KWD 1.250"


# --- dates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", dt.date(2026, 12, 1)),
        ("March 5", dt.date(2027, 3, 5)),  # already past this year: the next one
        ("April 1", dt.date(2026, 4, 1)),
        ("5 March 2026", dt.date(2026, 3, 5)),
        ("5th of March", dt.date(2027, 3, 5)),
        ("Dec 1st", dt.date(2026, 12, 1)),
        ("12/01/2026", dt.date(2026, 12, 1)),  # month first when ambiguous
        ("15/04/2026", dt.date(2026, 4, 15)),  # unless the first number cannot be a month
        ("tomorrow", dt.date(2026, 3, 11)),
        ("yesterday", dt.date(2026, 3, 9)),
        ("next Friday", dt.date(2026, 3, 13)),
        ("Tuesday", dt.date(2026, 3, 17)),
        ("in 2 weeks", dt.date(2026, 3, 24)),
        ("in 3 business days", dt.date(2026, 3, 13)),
        ("in a month", dt.date(2026, 4, 10)),
        ("end of month", dt.date(2026, 3, 31)),
    ],
)
def test_parse_date_reads_absolute_and_relative_dates(text: str, expected: dt.date) -> None:
    assert parse_date(text, TODAY) == expected


def test_parse_date_past_mode_picks_the_most_recent_occurrence() -> None:
    assert parse_date("December 20", TODAY, future=False) == dt.date(2025, 12, 20)


@pytest.mark.parametrize("text", ["soon", "whenever", "the 45th", ""])
def test_parse_date_returns_none_for_non_dates(text: str) -> None:
    assert parse_date(text, TODAY) is None


# --- totals ------------------------------------------------------------------------------


def test_total_applies_line_discount_document_discount_tax_and_untaxed_shipping() -> None:
    inv = Invoice(
        buyer=Party(name="Acme"),
        line_items=[
            LineItem(
                description="A",
                quantity=Decimal(2),
                unit_price=Decimal(100),
                discount=Discount(percent=Decimal(10)),
            ),
            LineItem(description="B", quantity=Decimal(1), unit_price=Decimal(20), tax_exempt=True),
        ],
        taxes=[Tax(name="VAT", rate_percent=Decimal(20))],
        discounts=[Discount(amount=Decimal(20))],
        shipping=Decimal(5),
    )
    # lines 180 + 20 = 200; less 20 = 180; VAT on A's share: (180 - 20*180/200) * 20% = 32.40; + 5
    assert compute_totals(inv).total == Decimal("217.40")


# --- turns ---------------------------------------------------------------------------------


def test_generate_reply_names_buyer_lines_and_total() -> None:
    result = interpret("Invoice Acme Corp for 10 hours of consulting at $150, 8% tax", None, today=TODAY)
    assert result.action == "generate"
    assert result.reply == "Here is your invoice for Acme Corp: 1 line, total USD 1,620.00."


def test_issue_date_defaults_to_today() -> None:
    result = interpret("Invoice Acme for a logo at $400", None, today=TODAY)
    assert result.invoice is not None
    assert result.invoice.issue_date == TODAY


def test_question_lists_every_missing_field_but_asks_one_thing() -> None:
    result = interpret("Make me an invoice", None, today=TODAY)
    assert result.action == "question"
    assert result.missing == ("buyer", "line_items")
    assert result.reply == "Who should I bill?"


def test_receipt_does_not_need_a_buyer() -> None:
    result = interpret("Receipt: 2 coffees at $3.50", None, today=TODAY)
    assert result.action == "generate"
    assert result.invoice is not None
    assert result.invoice.buyer.name == ""


def test_edit_does_not_modify_the_current_invoice() -> None:
    current = interpret("Invoice Acme for 10 hours of consulting at $150", None, today=TODAY).invoice
    assert current is not None
    before = current.model_dump()
    interpret("add 2 hours of QA at $80", current, today=TODAY)
    assert current.model_dump() == before


def test_edit_reports_the_change_and_new_total() -> None:
    current = interpret("Invoice Acme for 10 hours of consulting at $150", None, today=TODAY).invoice
    result = interpret("add 2 hours of QA at $80", current, today=TODAY)
    assert result.changes == ("added 2 hours of QA at 80.00",)
    assert result.reply == "Done: added 2 hours of QA at 80.00. New total: USD 1,660.00."


def test_unrecognised_edit_returns_no_invoice_and_gives_examples() -> None:
    current = interpret("Invoice Acme for 10 hours of consulting at $150", None, today=TODAY).invoice
    result = interpret("make it pop", current, today=TODAY)
    assert result.action == "question"
    assert result.invoice is None
    assert "make it EUR" in result.reply


def test_undo_without_a_document_is_a_question() -> None:
    result = interpret("undo", None, today=TODAY)
    assert result.action == "question"


def test_currency_change_keeps_the_amounts() -> None:
    current = interpret("Invoice Acme for a logo at $400", None, today=TODAY).invoice
    result = interpret("make it EUR", current, today=TODAY)
    assert result.invoice is not None
    assert result.invoice.currency_code == "EUR"
    assert result.invoice.line_items[0].unit_price == Decimal(400)


def test_invalid_result_is_a_question_not_an_exception() -> None:
    current = interpret("Invoice Acme for a logo at $400", None, today=TODAY).invoice
    result = interpret("change the tax to 150%", current, today=TODAY)
    assert result.action == "question"
    assert result.invoice is None


def test_same_inputs_same_answer() -> None:
    message = "Quote Globex for 200 t-shirts at $7.50 each, valid for 30 days"
    assert interpret(message, None, today=TODAY) == interpret(message, None, today=TODAY)


def test_history_before_the_first_document_is_read_again() -> None:
    result = interpret(
        "400", None, today=TODAY, history=["Invoice Acme for logo design", "actually make it in euros"]
    )
    assert result.action == "generate"
    assert result.invoice is not None
    assert result.invoice.currency_code == "EUR"
    assert result.invoice.line_items[0].unit_price == Decimal(400)


# --- robustness ---------------------------------------------------------------------------

_VOCABULARY = (
    "invoice bill quote receipt Acme for to from at @ x each per hour hours days 10 2.5 1,234.50 "
    "$150 €99 £20 ¥500 EUR USD euros 8% VAT GST tax discount off shipping delivery due in net 30 "
    "March 5 2026-12-01 note: add remove change set make it item 2 quantity price rename undo the "
    "and , ; \n - : # INV-7 client Initech instead"
).split(" ")


@settings(max_examples=300, deadline=None)
@given(words=st.lists(st.sampled_from(_VOCABULARY), max_size=25), edit=st.booleans())
def test_interpret_never_raises_and_answers_consistently(words: list[str], edit: bool) -> None:
    current = (
        Invoice(
            buyer=Party(name="Acme"), line_items=[LineItem(description="Consulting", unit_price=Decimal(150))]
        )
        if edit
        else None
    )
    result = interpret(" ".join(words), current, today=TODAY)
    assert result.action in ("generate", "edit", "undo", "question")
    assert (result.invoice is not None) == (result.action in ("generate", "edit"))
    assert result.reply
    if result.action == "question":
        assert current is None or result.invoice is None


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=400))
def test_interpret_survives_arbitrary_text(text: str) -> None:
    result = interpret(text, None, today=TODAY)
    assert result.action in ("generate", "question")


def test_very_long_message_is_refused_politely() -> None:
    result = interpret("Invoice Acme for consulting at $150. " * 500, None, today=TODAY)
    assert result.action == "question"
    assert "too long" in result.reply


def test_a_name_longer_than_the_model_allows_is_a_question() -> None:
    result = interpret("Invoice " + "Acme " * 60 + "for a logo at $400", None, today=TODAY)
    assert result.action == "question"
    assert result.invoice is None


def test_tax_inclusive_prices_are_flagged_not_taxed_again() -> None:
    result = interpret("Invoice Acme for a logo at 400 USD incl. 20% VAT", None, today=TODAY)
    assert result.invoice is not None
    assert result.invoice.taxes == []
    assert "include tax are not supported" in result.reply


def test_day_of_month_is_this_month_or_the_next() -> None:
    assert parse_date("the 15th", TODAY) == dt.date(2026, 3, 15)
    assert parse_date("the 5th", TODAY) == dt.date(2026, 4, 5)


# --- reading helpers -----------------------------------------------------------------------


def test_split_clauses_keeps_thousands_and_cuts_at_commas_semicolons_and_lines() -> None:
    assert split_clauses("2 licences at 1,200, VAT 20%; net 30\nnote") == [
        "2 licences at 1,200",
        "VAT 20%",
        "net 30",
        "note",
    ]


def test_split_clauses_cuts_and_only_before_something_new() -> None:
    assert split_clauses("Johnson and Johnson") == ["Johnson and Johnson"]
    assert split_clauses("GST 5% and PST 7%") == ["GST 5%", "PST 7%"]
    assert split_clauses("logo $400 and cards $150") == ["logo $400", "cards $150"]


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("acme corp", "Acme Corp"),
        ("acme llc", "Acme LLC"),
        ("ACME", "ACME"),
        ("Tim Hortons Ltd.", "Tim Hortons Ltd."),
        ("Globex.", "Globex"),
    ],
)
def test_clean_name_capitalises_only_all_lower_case_names(raw: str, name: str) -> None:
    assert clean_name(raw) == name


@pytest.mark.parametrize(
    ("raw", "label"),
    [("vat", "VAT"), ("sales tax", "Sales tax"), ("GST", "GST"), ("tax", "Tax"), ("mwst", "MwSt")],
)
def test_tax_label_prints_tax_names_as_people_expect(raw: str, label: str) -> None:
    assert tax_label(raw) == label


@pytest.mark.parametrize(
    ("raw", "qty", "label"),
    [
        ("hrs", "10", "hours"),
        ("h", "1", "hour"),
        ("days", "2", "days"),
        ("pcs", "5", "pcs"),
        ("boxes", "3", "boxes"),
    ],
)
def test_unit_label_normalises_known_units(raw: str, qty: str, label: str) -> None:
    assert unit_label(raw, Decimal(qty)) == label


def test_two_currencies_in_one_request_are_flagged() -> None:
    result = interpret("Invoice Acme for a logo at $400 and a banner at €50", None, today=TODAY)
    assert result.invoice is not None
    assert result.invoice.currency_code == "USD"
    assert "written in USD and EUR" in result.reply
