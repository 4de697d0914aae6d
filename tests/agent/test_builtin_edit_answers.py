"""Answers to the questions an edit asks (builtin/read_edit.py pending_count / answer_count): the
answer completes the line the earlier edit added, exactly as it would in a new request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docmesh_agent.builtin import interpret, read_edit
from docmesh_agent.builtin.drafts import Draft
from docmesh_common.model.invoice import Invoice, LineItem, Party

TODAY = dt.date(2026, 3, 12)  # a Thursday


def _current() -> Invoice:
    return Invoice(
        buyer=Party(name="Acme Corp"),
        line_items=[LineItem(description="Desk", quantity=Decimal(1), unit_price=Decimal(300))],
    )


def _answer(edit: str, answer: str) -> Invoice | None:
    asked = interpret(edit, _current(), today=TODAY)
    assert asked.action == "question", asked.reply
    return interpret(answer, _current(), today=TODAY, history=[edit]).invoice


def _added(invoice: Invoice | None) -> tuple[str, Decimal, str, Decimal]:
    assert invoice is not None
    line = invoice.line_items[-1]
    return line.description, line.quantity, line.unit, line.unit_price


def test_per_hour_keeps_the_price_as_the_hourly_rate() -> None:
    assert _added(_answer("add coaching 10 hours 1500", "per hour")) == ("Coaching", 10, "hours", 1500)


def test_total_divides_the_price_over_the_hours() -> None:
    # "total" after the question is the answer, not "what's the total?".
    assert _added(_answer("add coaching 10 hours 1500", "total")) == ("Coaching", 10, "hours", 150)


def test_a_number_answers_the_quantity_question() -> None:
    assert _added(_answer("add travel 2 x 35 km at 0.50", "70"))[1:] == (70, "", Decimal("0.50"))


def test_per_hour_answers_the_count_inside_the_description() -> None:
    assert _added(_answer("add 3 x 2 hours of coaching at 100", "per hour")) == ("Coaching", 6, "hours", 100)


def test_por_hora_answers_it_in_spanish() -> None:
    invoice = _answer("añade 3 x 2 horas de coaching a 100 €", "por hora")
    assert invoice is not None
    assert invoice.line_items[-1].quantity == 6


def test_another_edit_instead_of_an_answer_is_that_edit() -> None:
    invoice = _answer("add coaching 10 hours 1500", "due in 30 days")
    assert invoice is not None
    assert invoice.due_date == TODAY + dt.timedelta(days=30)
    assert [line.description for line in invoice.line_items] == ["Desk"]


# --- counts said of a line in every language (edits/quantity.py op_count_said) -------------------


def _base(lang: str, chairs: str) -> Invoice:
    return Invoice(
        buyer=Party(name="Acme"),
        currency_code="EUR",
        language=lang,
        line_items=[
            LineItem(description=chairs, quantity=Decimal(6), unit_price=Decimal(85)),
            LineItem(description="Desk", quantity=Decimal(1), unit_price=Decimal(450)),
        ],
    )


@pytest.mark.parametrize(
    ("lang", "chairs", "message", "count"),
    [
        ("de", "Stühle", "doch nur 5 Stühle", 5),
        ("de", "Stühle", "10 Stühle statt 6", 10),
        ("fr", "Chaises", "seulement 5 chaises", 5),
        ("fr", "Chaises", "mets 10 chaises au lieu de 6", 10),
        ("es", "Sillas", "solo 5 sillas", 5),
        ("es", "Sillas", "pon 10 sillas en vez de 6", 10),
    ],
)
def test_a_count_of_a_line_said_in_its_language_is_its_quantity(
    lang: str, chairs: str, message: str, count: int
) -> None:
    # "nur 5 Stühle", "seulement 5 chaises", "solo 5 sillas" were new lines "Nur" / "Seulement" /
    # "Solo" at 5 (the total up by 5 instead of down by 85).
    result = interpret(message, _base(lang, chairs), today=TODAY)
    assert result.invoice is not None, result.reply
    assert [(li.description, li.quantity) for li in result.invoice.line_items] == [
        (chairs, count),
        ("Desk", 1),
    ]


def test_a_number_said_with_a_line_it_cannot_place_is_asked_about_not_a_new_line() -> None:
    result = interpret("eigentlich bitte 5 Stühle", _base("de", "Stühle"), today=TODAY)
    assert result.action == "question"
    assert "stühle" in result.reply.casefold()


def test_can_you_also_do_an_invoice_for_starts_a_new_document() -> None:
    # Was "I didn't understand how to change the invoice ..." (an edit of the current one).
    result = interpret(
        "can you also do an invoice for Brookside Vet, for the website", _current(), today=TODAY
    )
    assert result.action == "question"
    assert result.new_document
    assert "website" in result.reply.lower()


@pytest.mark.parametrize(
    "message",
    [
        "remove tax from the desk",
        "take the tax off the desk",
        "the desk isn't taxable",
        "desk is not taxable",
    ],
)
def test_a_line_made_untaxed_in_other_words(message: str) -> None:
    result = interpret(message, _current(), today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.line_items[0].tax_exempt


def test_knock_a_percentage_off_a_line_is_its_discount() -> None:
    result = interpret("knock 10% off the desk", _current(), today=TODAY)
    assert result.invoice is not None, result.reply
    discount = result.invoice.line_items[0].discount
    assert discount is not None and discount.percent == Decimal(10)


def test_auf_den_tisch_keine_mwst_leaves_that_line_untaxed() -> None:
    result = interpret("auf den Tisch keine MwSt.", _base("de", "Tisch"), today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.line_items[0].tax_exempt


def test_que_venza_a_final_de_mes_is_the_due_date() -> None:
    result = interpret("que venza a final de mes", _base("es", "Sillas"), today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.due_date == dt.date(2026, 3, 31)


def test_la_livraison_with_an_amount_is_the_shipping() -> None:
    result = interpret("ajoute la livraison : 45 €", _base("fr", "Chaises"), today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.shipping == Decimal(45)
    assert len(result.invoice.line_items) == 2


def test_remove_one_of_a_counted_line_lowers_its_count() -> None:
    # Was the whole line removed (six chairs off the total for "one chair").
    result = interpret("remove one chair", _base("en", "Chairs"), today=TODAY)
    assert result.invoice is not None, result.reply
    assert [(li.description, li.quantity) for li in result.invoice.line_items] == [("Chairs", 5), ("Desk", 1)]


def test_an_edit_does_not_read_again_the_request_before_it_when_it_left_nothing_waiting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Whether the request left a price or a question waiting was noted when its turn read it:
    # reading it again was half an edit's time (issue 16).
    request = "Invoice Acme Corp for 10 hours of consulting at $150/h, 8% tax, due in 30 days"
    made = interpret(request, None, today=TODAY)
    assert made.invoice is not None
    texts: list[str] = []
    read = read_edit.read_request

    def counted(text: str, today: dt.date) -> Draft:
        texts.append(text)
        return read(text, today)

    monkeypatch.setattr(read_edit, "read_request", counted)
    edited = interpret("add 2 hours of QA at $80", made.invoice, today=TODAY, history=[request])
    assert edited.action == "edit", edited.reply
    assert request not in texts
