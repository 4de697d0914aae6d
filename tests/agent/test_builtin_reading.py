"""Issue 13 reading rules of the builtin interpreter: typos in keywords, receipts paid in full,
dashes between clauses, and asking instead of failing (each with examples other than the phrasings)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from docmesh_agent.builtin import interpret
from docmesh_agent.builtin.clauses import split_clauses
from docmesh_agent.builtin.spelling import correct_keywords
from docmesh_common.model.invoice import DocumentKind, Invoice

TODAY = dt.date(2026, 3, 12)


# --- misspelled keywords ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("Invoise", "Invoice"),
        ("qoutation", "quotation"),
        ("Reciept", "Receipt"),
        ("estmate", "estimate"),
        ("purchace", "purchase"),
        ("discunt", "discount"),
        ("shippng", "shipping"),
        ("delivry", "delivery"),
        ("txa", "tax"),
        ("hoursz", "hoursz"),  # two slips: left as typed
        ("dyas", "days"),
        ("cahs", "cash"),
    ],
)
def test_a_keyword_one_slip_away_is_read_as_the_keyword(typed: str, meant: str) -> None:
    assert correct_keywords(typed) == meant


@pytest.mark.parametrize(
    "word",
    [
        "quite",
        "quota",
        "estimated",
        "invoices",
        "receipts",
        "taxi",
        "tan",
        "our",
        "four",
        "cart",
        "daze",
        "voice",
    ],
)
def test_real_words_near_a_keyword_are_left_as_typed(word: str) -> None:
    assert correct_keywords(word) == word


def test_a_typo_in_the_kind_word_still_gives_that_kind() -> None:
    result = interpret("Qoutation for Hooli: 2 widgets at 7.50", None, today=TODAY)
    assert result.invoice is not None
    assert result.invoice.kind == DocumentKind.QUOTE
    assert result.invoice.buyer.name == "Hooli"
    assert [(i.description, i.quantity, i.unit_price) for i in result.invoice.line_items] == [
        ("Widgets", Decimal(2), Decimal("7.50"))
    ]


def test_a_typo_in_the_tax_word_is_a_tax_not_a_line() -> None:
    result = interpret("Invoice Acme for 3 hours of repair at 60, 5% txa", None, today=TODAY)
    assert result.invoice is not None
    assert [(t.name, t.rate_percent) for t in result.invoice.taxes] == [("Tax", Decimal(5))]
    assert len(result.invoice.line_items) == 1


# --- receipts paid ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "method"),
    [
        ("paid by card", "Card"),
        ("paid cash", "Cash"),
        ("paid with Mastercard", "Mastercard"),
        ("cash payment", "Cash"),
    ],
)
def test_a_receipt_paid_without_an_amount_is_paid_in_full(said: str, method: str) -> None:
    result = interpret(f"Receipt for Ken Lo: 2 lamps at 19.50, 10% tax, {said}", None, today=TODAY)
    assert result.invoice is not None
    assert result.invoice.amount_paid == Decimal("42.90")
    assert result.invoice.payment_method == method


def test_a_receipt_that_just_says_paid_is_paid_in_full_with_no_method() -> None:
    result = interpret("Receipt for Ken Lo: gutter cleaning 75, paid", None, today=TODAY)
    assert result.invoice is not None
    assert result.invoice.amount_paid == Decimal("75.00")
    assert result.invoice.payment_method == ""


def test_a_receipt_paid_with_an_amount_is_paid_that_amount() -> None:
    result = interpret("Receipt for Ken Lo: 3 lessons at 40, he paid 50 by cheque", None, today=TODAY)
    assert result.invoice is not None
    assert result.invoice.amount_paid == Decimal(50)
    assert result.invoice.payment_method == "Cheque"
    assert len(result.invoice.line_items) == 1


# --- dashes between clauses ---------------------------------------------------------------


def test_a_spaced_dash_after_an_amount_separates_clauses() -> None:
    assert split_clauses("lawn mowing 45 - paid by card") == ["lawn mowing 45", "paid by card"]


def test_a_spaced_dash_before_the_amount_joins_a_description_to_its_price() -> None:
    assert split_clauses("Consulting - 10 hrs @ $200") == ["Consulting - 10 hrs @ $200"]


# --- never raises ---------------------------------------------------------------------------


def test_a_line_discount_naming_a_missing_line_asks_which_line() -> None:
    result = interpret("Invoice Acme for 2 hours of QA at 80, 10% off item 5", None, today=TODAY)
    assert result.action == "question"
    assert result.invoice is None
    assert "item 5" in result.reply
    assert "?" in result.reply


# --- dates that are fields, not lines -------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "when"),
    [
        ("delivery by April 9", dt.date(2026, 4, 9)),
        ("delivered on February 27", dt.date(2026, 2, 27)),
        ("deliver tomorrow", dt.date(2026, 3, 13)),
    ],
)
def test_a_delivery_date_is_the_documents_field_not_a_line(said: str, when: dt.date) -> None:
    result = interpret(f"Purchase order to Uline: 12 crates at 30, {said}", None, today=TODAY)
    assert result.invoice is not None
    assert result.invoice.delivery_date == when
    assert len(result.invoice.line_items) == 1


@pytest.mark.parametrize(
    ("said", "start", "end"),
    [
        ("service period January 2026", dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        ("period: February 2-20", dt.date(2026, 2, 2), dt.date(2026, 2, 20)),
        ("service period January 15 to February 14", dt.date(2026, 1, 15), dt.date(2026, 2, 14)),
    ],
)
def test_a_service_period_is_the_documents_field_not_a_line(said: str, start: dt.date, end: dt.date) -> None:
    result = interpret(f"Invoice Acme for cleaning 450, {said}", None, today=TODAY)
    assert result.invoice is not None
    assert (result.invoice.service_period_start, result.invoice.service_period_end) == (start, end)
    assert len(result.invoice.line_items) == 1


def test_valid_through_the_end_of_a_month_is_its_last_day() -> None:
    result = interpret("Quote Hooli for a mural 3000, valid through the end of June", None, today=TODAY)
    assert result.invoice is not None
    assert result.invoice.valid_until == dt.date(2026, 6, 30)


def test_next_weekday_a_day_or_two_away_is_the_week_after_and_the_reply_says_so() -> None:
    result = interpret("Invoice Acme for a repair 90, due next Saturday", None, today=TODAY)  # a Thursday
    assert result.invoice is not None
    assert result.invoice.due_date == dt.date(2026, 3, 21)
    assert "2026-03-21" in result.reply


# --- quantities and amounts without an item word ---------------------------------------------


def _lines(message: str) -> list[tuple[str, Decimal, str, Decimal | None]]:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    return [(i.description, i.quantity, i.unit, i.unit_price) for i in result.invoice.line_items]


def test_hours_at_a_rate_with_no_description_are_services() -> None:
    assert _lines("Invoice Acme for 3 hours at 70") == [("Services", Decimal(3), "hours", Decimal(70))]


def test_an_amount_in_or_for_something_is_a_line_of_that_thing() -> None:
    assert _lines("Invoice Acme: 2 hours of fitting at 40, plus 85 in hardware, 12 for travel") == [
        ("Fitting", Decimal(2), "hours", Decimal(40)),
        ("Hardware", Decimal(1), "", Decimal(85)),
        ("Travel", Decimal(1), "", Decimal(12)),
    ]


@pytest.mark.parametrize("message", ["Invoice Acme for 10 x $100", "Invoice Umbrella Corp: 4 x 75"])
def test_a_bare_count_times_a_price_is_asked_about_never_billed_once(message: str) -> None:
    # Wrong amount found: "10 x $100" was one line "10" at 100.00.
    result = interpret(message, None, today=TODAY)
    assert result.action == "question"
    assert result.missing == ("line_items[0].description",)
    assert "?" in result.reply


# --- a new document mid-session ------------------------------------------------------------


def _current() -> Invoice:
    result = interpret("Invoice Acme Corp for 10 hours of consulting at 150", None, today=TODAY)
    assert result.invoice is not None
    return result.invoice


@pytest.mark.parametrize(
    "message",
    [
        "and now an estimate for Dunder Mifflin: 200 reams of paper at 4",
        "Another quote, for Dunder Mifflin: 200 reams of paper at 4",
        "ok, the next one: quote to Dunder Mifflin, 200 reams of paper at 4",
    ],
)
def test_a_new_request_mid_session_is_a_new_document(message: str) -> None:
    result = interpret(message, _current(), today=TODAY)
    assert result.action == "generate"
    assert result.new_document
    assert result.invoice is not None
    assert result.invoice.kind == DocumentKind.QUOTE
    assert result.invoice.buyer.name == "Dunder Mifflin"
    assert [(i.quantity, i.unit_price) for i in result.invoice.line_items] == [(Decimal(200), Decimal(4))]


def test_a_new_request_without_a_price_asks_about_the_new_document() -> None:
    result = interpret("Invoice Initech for a website audit", _current(), today=TODAY)
    assert result.action == "question"
    assert result.new_document
    assert result.invoice is None  # the current document stays as it is
    assert "website audit" in result.reply.lower()


# --- lines not taxed -----------------------------------------------------------------------


def _exempt(message: str) -> list[bool]:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    return [i.tax_exempt for i in result.invoice.line_items]


@pytest.mark.parametrize(
    "message",
    [
        "Invoice Acme: rent 900 (VAT-exempt), cleaning 120, VAT 20%",
        "Invoice Acme: rent 900 exempt from GST, cleaning 120, GST 5%",
        "Invoice Acme: rent 900 (no tax), cleaning 120, 8% tax",
        "Invoice Acme: rent 900, cleaning 120, 8% tax, no tax on the rent",
        "Invoice Acme: rent 900, cleaning 120, 8% tax except on the rent",
        "Invoice Acme: rent 900, cleaning 120, 8% tax, the rent is not taxable",
    ],
)
def test_a_line_said_to_be_untaxed_is_exempt_and_the_others_are_not(message: str) -> None:
    assert _exempt(message) == [True, False]


def test_an_exemption_naming_no_line_asks() -> None:
    result = interpret("Invoice Acme: rent 900, 8% tax, no tax on the parking", None, today=TODAY)
    assert result.action == "question"
    assert "parking" in result.reply


# --- wrong amounts found ---------------------------------------------------------------------


def test_two_prices_for_one_line_are_asked_about_never_picked() -> None:
    # Wrong amount found: "at 150 or 175" was billed at 175.
    result = interpret("Invoice Hooli for 3 days of setup at 900 or 950", None, today=TODAY)
    assert result.action == "question"
    assert "900" in result.reply and "950" in result.reply


def test_the_answer_to_two_prices_completes_the_line() -> None:
    first = "Invoice Hooli for 3 days of setup at 900 or 950"
    result = interpret("950", None, today=TODAY, history=[first])
    assert result.invoice is not None, result.reply
    assert [(i.quantity, i.unit_price) for i in result.invoice.line_items] == [(Decimal(3), Decimal(950))]


def test_a_description_then_count_times_price_is_that_count_at_that_price() -> None:
    # Wrong line found: "piano lessons 4 x 60" was 60 lessons at 4.00.
    assert _lines("Invoice Acme: guitar lessons 6 x 45") == [("Guitar lessons", Decimal(6), "", Decimal(45))]


# --- a discount said of one line -------------------------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "Invoice Acme: 12 hours of editing at 60 with 20% off, 3 hours of layout at 40",
        "Invoice Acme: editing 720 (20% off), layout 120",
        "Invoice Acme: editing 720 with a 20% discount, layout 120",
        "Invoice Acme: 12 hours of editing at 60 with 20% off and 3 hours of layout at 40",
    ],
)
def test_a_percentage_off_said_of_a_line_is_that_lines_discount(message: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert [i.discount.percent if i.discount else None for i in result.invoice.line_items] == [
        Decimal(20),
        None,
    ]
    assert result.invoice.discounts == []


def test_a_percentage_off_in_a_clause_of_its_own_is_the_documents() -> None:
    result = interpret("Invoice Acme: editing 720, layout 120, 20% off", None, today=TODAY)
    assert result.invoice is not None
    assert [d.percent for d in result.invoice.discounts] == [Decimal(20)]


# --- quantity edits in plain words -------------------------------------------------------------


def _chairs_and_desk() -> Invoice:
    result = interpret("Invoice Globex for 6 chairs at 85 and a desk at 450", None, today=TODAY)
    assert result.invoice is not None
    return result.invoice


def test_changing_a_counted_line_to_a_whole_number_changes_its_count() -> None:
    result = interpret("change the chairs to 8", _chairs_and_desk(), today=TODAY)
    assert result.invoice is not None, result.reply
    first = result.invoice.line_items[0]
    assert (first.description, first.quantity, first.unit_price) == (
        "Chairs",
        Decimal(8),
        Decimal(85),
    )


def test_throw_in_adds_a_line_with_its_count_in_words() -> None:
    result = interpret("throw in two lamps at 30", _chairs_and_desk(), today=TODAY)
    assert result.invoice is not None, result.reply
    assert [(i.description, i.quantity, i.unit_price) for i in result.invoice.line_items][-1] == (
        "Lamps",
        Decimal(2),
        Decimal(30),
    )


@pytest.mark.parametrize(
    ("said", "count"),
    [
        ("make that 9 chairs", 9),
        ("we need a dozen chairs", 12),
        ("add three more chairs", 9),
        ("it was 5 chairs, not 6", 5),
    ],
)
def test_a_count_of_what_a_line_is_counted_in_sets_that_lines_count(said: str, count: int) -> None:
    result = interpret(said, _chairs_and_desk(), today=TODAY)
    assert result.invoice is not None, result.reply
    assert [i.quantity for i in result.invoice.line_items] == [Decimal(count), Decimal(1)]


def test_a_count_of_hours_sets_the_hours_line() -> None:
    current = interpret("Invoice Acme for 5 hours of consulting at 150", None, today=TODAY).invoice
    result = interpret("actually 7.5 hours", current, today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.line_items[0].quantity == Decimal("7.5")


# --- an address after the buyer ----------------------------------------------------------------


def test_the_last_address_line_before_a_colon_is_the_address_and_the_items_follow() -> None:
    result = interpret(
        "Invoice Initrode LLC, 77 Pine St, Portland OR 97201: 2 site visits at 180", None, today=TODAY
    )
    assert result.invoice is not None, result.reply
    assert result.invoice.buyer.name == "Initrode LLC"
    assert "Portland" in " ".join([*result.invoice.buyer.address_lines, result.invoice.buyer.city])
    assert [(i.description, i.quantity, i.unit_price) for i in result.invoice.line_items] == [
        ("Site visits", Decimal(2), Decimal(180))
    ]


def test_change_the_price_without_a_value_asks_which_line_and_what() -> None:
    current = interpret(
        "Invoice Acme for 5 hours of consulting at 150 and 2 chairs at 80", None, today=TODAY
    ).invoice
    result = interpret("update the price", current, today=TODAY)
    assert result.action == "question"
    assert result.reply == "Which line's price should change, and to what?"


# --- answers that carry several facts ------------------------------------------------------------


def test_a_price_answer_with_a_due_date_prices_the_line_and_sets_the_due_date() -> None:
    # Wrong amount found: "400, due in 30 days" priced the line at 30.
    result = interpret("650, due in 14 days", None, today=TODAY, history=["Invoice Acme for a brochure"])
    assert result.invoice is not None, result.reply
    assert result.invoice.line_items[0].unit_price == Decimal(650)
    assert result.invoice.due_date == dt.date(2026, 3, 26)


def test_a_price_answer_with_a_currency_and_validity_prices_the_line() -> None:
    # Wrong amount found: "12,000 EUR, valid for 30 days" priced the line at 30.
    result = interpret("8,500 EUR, valid for 60 days", None, today=TODAY, history=["Quote Hooli for a kiosk"])
    assert result.invoice is not None, result.reply
    assert result.invoice.line_items[0].unit_price == Decimal(8500)
    assert result.invoice.currency_code == "EUR"
    assert result.invoice.valid_until == dt.date(2026, 5, 11)


def test_an_answer_naming_each_unpriced_line_prices_each() -> None:
    first = "Invoice Acme for a poster and 4 hours of setup"
    result = interpret("poster 120, setup 50 an hour", None, today=TODAY, history=[first])
    assert result.invoice is not None, result.reply
    assert [(i.description, i.quantity, i.unit_price) for i in result.invoice.line_items] == [
        ("Poster", Decimal(1), Decimal(120)),
        ("Setup", Decimal(4), Decimal(50)),
    ]


def test_an_edit_is_not_a_new_document() -> None:
    result = interpret("add 2 hours of QA at 80", _current(), today=TODAY)
    assert result.action == "edit"
    assert not result.new_document


def test_an_answer_of_hours_at_a_rate_gives_the_unpriced_line_its_count_and_rate() -> None:
    result = interpret("3 days at 400", None, today=TODAY, history=["Invoice Acme for an audit"])
    assert result.invoice is not None, result.reply
    assert [(i.description, i.quantity, i.unit, i.unit_price) for i in result.invoice.line_items] == [
        ("Audit", Decimal(3), "days", Decimal(400))
    ]


def test_a_street_before_a_colon_is_the_address_even_when_the_items_say_for() -> None:
    result = interpret(
        "Invoice to Vandelay Industries, 9 Oak Ave: import consulting for 700", None, today=TODAY
    )
    assert result.invoice is not None, result.reply
    assert result.invoice.buyer.name == "Vandelay Industries"
    assert result.invoice.buyer.address_lines == ["9 Oak Ave"]
    assert [(i.description, i.unit_price) for i in result.invoice.line_items] == [
        ("Import consulting", Decimal(700))
    ]


def test_an_address_in_brackets_after_the_name_is_the_address() -> None:
    result = interpret("Invoice Soylent (12 Green Way, Springfield) for 5 crates at 20", None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.buyer.name == "Soylent"
    assert result.invoice.buyer.address_lines == ["12 Green Way", "Springfield"]
    assert [(i.quantity, i.unit_price) for i in result.invoice.line_items] == [(Decimal(5), Decimal(20))]


def test_a_number_and_capitalised_words_after_at_are_the_buyers_address() -> None:
    result = interpret(
        "Invoice Wayne Enterprises at 1007 Mountain Drive, Gotham: 3 hours of repairs at 90",
        None,
        today=TODAY,
    )
    assert result.invoice is not None, result.reply
    assert result.invoice.buyer.name == "Wayne Enterprises"
    assert result.invoice.buyer.address_lines == ["1007 Mountain Drive", "Gotham"]
    assert [(i.quantity, i.unit_price) for i in result.invoice.line_items] == [(Decimal(3), Decimal(90))]


def test_an_unpriced_line_of_two_things_answered_with_two_prices_is_two_lines() -> None:
    first = "Invoice Acme for flyers and posters"
    result = interpret("flyers 80 and posters 120", None, today=TODAY, history=[first])
    assert result.invoice is not None, result.reply
    assert [(i.description, i.unit_price) for i in result.invoice.line_items] == [
        ("Flyers", Decimal(80)),
        ("Posters", Decimal(120)),
    ]


def test_an_unpriced_line_of_two_things_answered_with_one_price_stays_one_line() -> None:
    result = interpret("45", None, today=TODAY, history=["Invoice Acme for fish and chips"])
    assert result.invoice is not None, result.reply
    assert [(i.description, i.unit_price) for i in result.invoice.line_items] == [
        ("Fish and chips", Decimal(45))
    ]


def test_words_then_an_amount_after_a_colon_are_an_item_and_the_buyer_is_asked() -> None:
    result = interpret("Invoice: brochure design 650", None, today=TODAY)
    assert result.action == "question"
    assert result.reply == "Who should I bill?"


def test_the_buyer_answered_after_an_item_with_a_colon_completes_the_document() -> None:
    result = interpret("Hooli", None, today=TODAY, history=["Invoice: brochure design 650"])
    assert result.invoice is not None, result.reply
    assert result.invoice.buyer.name == "Hooli"
    assert [(i.description, i.unit_price) for i in result.invoice.line_items] == [
        ("Brochure design", Decimal(650))
    ]


@pytest.mark.parametrize(
    ("message", "question"),
    [
        ("Invoice Acme: consulting 500 plus VAT", "What rate of VAT should I apply?"),
        ("Invoice Acme: consulting 500, plus tax", "What tax rate should I apply?"),
    ],
)
def test_a_tax_named_without_a_rate_is_asked_about_never_dropped(message: str, question: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.action == "question"
    assert result.reply == question


def test_a_rate_answered_after_the_tax_question_is_that_taxs_rate() -> None:
    result = interpret("20%", None, today=TODAY, history=["Invoice Acme: consulting 500 plus VAT"])
    assert result.invoice is not None, result.reply
    assert [(t.name, t.rate_percent) for t in result.invoice.taxes] == [("VAT", Decimal(20))]
    assert result.invoice.discounts == []


@pytest.mark.parametrize(
    "message", ["Invoice Acme: consulting 500 incl. VAT", "Invoice Acme: consulting 500, incl. VAT"]
)
def test_a_price_including_a_tax_without_a_rate_adds_no_tax_and_asks_nothing(message: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.taxes == []
    assert "include tax" in result.reply


@pytest.mark.parametrize(
    ("message", "buyer"),
    [
        ("invoice for Mrs Patel deep clean 180", "Mrs Patel"),
        ("quote for Lindon Partners lunch buffet 450", "Lindon Partners"),
        ("invoice Brightloop dev work 950", "Brightloop"),
        ("invoice for Bank of America consulting 500", "Bank of America"),
    ],
)
def test_a_capitalised_buyer_ends_where_the_lower_case_item_words_start(message: str, buyer: str) -> None:
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.buyer.name == buyer
    assert len(result.invoice.line_items) == 1
    assert result.invoice.line_items[0].description[0].isupper()
    assert result.invoice.line_items[0].description.lower() not in buyer.lower()


def test_an_answers_count_of_them_is_the_count_of_the_line_asked_about() -> None:
    # '8 of them at 22.50 each' priced one banner at 22.50 (a total of 22.50, not 180).
    result = interpret(
        "8 of them at 22.50 each", None, today=TODAY, history=["PO to Signco for vinyl banners"]
    )
    assert result.invoice is not None, result.reply
    assert [(i.description, i.quantity, i.unit_price) for i in result.invoice.line_items] == [
        ("Vinyl banners", Decimal(8), Decimal("22.50"))
    ]


def test_a_name_then_a_dash_then_a_counted_line_is_the_buyer_and_the_line() -> None:
    # 'Harbor Dental - 4 office cleans at 120' was one line at 120 (a total of 120, not 480) and
    # 'invoice due next Friday pls' a buyer 'due next Friday'.
    result = interpret(
        "Harbor Dental - 4 office cleans at 120, invoice due next Friday pls", None, today=TODAY
    )
    assert result.invoice is not None, result.reply
    assert result.invoice.buyer.name == "Harbor Dental"
    assert [(i.description, i.quantity, i.unit_price) for i in result.invoice.line_items] == [
        ("Office cleans", Decimal(4), Decimal(120))
    ]
    assert result.invoice.due_date == dt.date(2026, 3, 20)


@pytest.mark.parametrize(
    "message",
    [
        "receipt\nKaren Mills\ntire rotation 40\npaid zelle",
        "Receipt, Karen Mills, tire rotation 40, paid zelle",
    ],
)
def test_a_name_alone_after_the_kind_word_is_the_buyer(message: str) -> None:
    # It was asked about as a line: 'What is the price of the karen Mills?'
    result = interpret(message, None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.buyer.name == "Karen Mills"
    assert [i.description for i in result.invoice.line_items] == ["Tire rotation"]


@pytest.mark.parametrize("name", ["M. Petit", "Mrs. Patel", "Hr. Braun"])
def test_a_title_with_a_full_stop_does_not_end_the_sentence(name: str) -> None:
    result = interpret(f"Receipt for {name}: oil change 89, paid by card", None, today=TODAY)
    assert result.invoice is not None, result.reply
    assert result.invoice.buyer.name == name
