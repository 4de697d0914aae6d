"""Every number of a request has a role, or it is asked about (builtin/accounting.py).

A wording no reader rule was written for must not become a document that silently leaves a
number out: the number is named in one question. Each interpret-level test is a wrong amount the
built-in interpreter once produced on a phrasing it was not tuned on.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from docmesh_agent.builtin import interpret
from docmesh_agent.builtin.accounting import said_numbers, unaccounted
from docmesh_agent.builtin.drafts import Draft, DraftItem, DueSpec
from docmesh_agent.builtin.generate import fold
from docmesh_common.model.invoice import Party, Tax

TODAY = dt.date(2026, 3, 12)  # a Thursday


def _draft(clause: str, **fields: object) -> Draft:
    draft = Draft(**{"buyer": Party(name="Acme"), **fields})  # type: ignore[arg-type]
    draft.said_numbers = said_numbers(clause)
    return draft


def test_a_number_no_part_of_the_document_uses_is_unaccounted() -> None:
    draft = _draft("logo 400, 3 rounds", items=[DraftItem("Logo", unit_price=Decimal(400))])
    assert [n.text for n in unaccounted(draft, TODAY)] == ["3"]


def test_quantities_prices_line_totals_and_rates_are_roles() -> None:
    draft = _draft(
        "3 chairs at 85 (255), VAT 20%",
        items=[DraftItem("Chairs", quantity=Decimal(3), unit_price=Decimal(85))],
        taxes=[Tax(name="VAT", rate_percent=Decimal(20))],
    )
    assert unaccounted(draft, TODAY) == []


def test_the_count_of_a_term_in_weeks_is_its_role() -> None:
    draft = _draft(
        "logo 400, due in 2 weeks",
        items=[DraftItem("Logo", unit_price=Decimal(400))],
        due=DueSpec(days=14),
    )
    assert unaccounted(draft, TODAY) == []


def test_dates_and_contact_details_need_no_other_role() -> None:
    assert said_numbers("delivered March 20, call 555-1234, PO 4411") == []


def test_a_number_written_in_a_name_or_an_address_is_its_role() -> None:
    draft = _draft(
        "Acme, 12 Elm Rd: logo 400",
        buyer=Party(name="Acme", address_lines=["12 Elm Rd"]),
        items=[DraftItem("Logo", unit_price=Decimal(400))],
    )
    assert unaccounted(draft, TODAY) == []


def test_a_tax_after_a_plus_sign_is_read_not_dropped() -> None:
    # Was a receipt of 110 paid in full, the 5% GST dropped (amount paid 110.00, not 115.50).
    result = interpret("Receipt for Emma Stone, piano tuning 110 + 5% GST, paid by cheque", None, today=TODAY)
    assert result.invoice is not None
    assert [(t.name, t.rate_percent) for t in result.invoice.taxes] == [("GST", Decimal(5))]
    assert result.invoice.amount_paid == Decimal("115.50")


def test_an_unpriced_thing_after_a_plus_sign_is_asked_about() -> None:
    # Was an invoice of 95, "+ materials" silently dropped.
    result = interpret("Invoice Miller Plumbing: emergency callout 95 + materials", None, today=TODAY)
    assert result.action == "question"
    assert "materials" in result.reply


def test_a_currency_code_is_never_the_end_of_a_word() -> None:
    # "2 valves 12" was a document in VES (Venezuelan bolívar), "12 cupcakes" in KES.
    result = interpret("Invoice Acme: 2 shelves 40, 12 cupcakes 3.25", None, today=TODAY)
    assert result.invoice is not None
    assert result.invoice.currency_code == "USD"
    assert [li.description for li in result.invoice.line_items] == ["Shelves", "Cupcakes"]


def test_the_answer_to_a_number_question_accounts_for_that_number() -> None:
    draft = _draft("logo 400, 3 rounds", items=[DraftItem("Logo", unit_price=Decimal(400))])
    assert unaccounted(draft, TODAY)
    answered = fold(draft, "the 3 rounds of revisions are included", TODAY)
    assert unaccounted(answered, TODAY) == []
