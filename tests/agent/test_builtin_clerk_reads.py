"""Needless questions found on the visible sets in session 6 (T2, English): each message says what
a clerk needs to write the document, and the interpreter now writes it (with examples other than
the phrasings)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from docmesh_agent.builtin import interpret
from docmesh_agent.builtin.spelling import correct_keywords
from docmesh_common.model.invoice import Invoice
from docmesh_common.model.totals import compute_totals
from tests.agent.builtin_totals import TODAY


def _written(message: str) -> Invoice:
    """The document the request writes; the test fails if it asks instead."""
    result = interpret(message, None, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    return result.invoice


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("deliverry next tuesday", "delivery next tuesday"),
        ("Invoicce for Acme", "Invoice for Acme"),
        ("paymennt due in 30 days", "payment due in 30 days"),
    ],
)
def test_a_keyword_with_a_letter_typed_twice_is_the_keyword(typed: str, meant: str) -> None:
    assert correct_keywords(typed) == meant


@pytest.mark.parametrize("kept", ["deliver by Friday", "delivered on the 27th", "invoices for March"])
def test_an_inflection_of_a_keyword_stays_as_typed(kept: str) -> None:
    assert correct_keywords(kept) == kept


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("paid csh", "paid cash"), ("paid by crd", "paid by card"), ("paid w/ chek", "paid w/ check")],
)
def test_a_way_to_pay_one_slip_away_after_paid_is_that_way(typed: str, meant: str) -> None:
    assert correct_keywords(typed) == meant


@pytest.mark.parametrize(
    ("message", "kind"),
    [("rcpt Jenna Brooks yoga pass $120", "receipt"), ("inv Acme Corp logo design 400", "invoice")],
)
def test_a_kind_written_short_as_the_first_word_is_that_kind(message: str, kind: str) -> None:
    invoice = _written(message)
    assert invoice.kind.value == kind
    assert invoice.line_items[0].description in ("Yoga pass", "Logo design")


@pytest.mark.parametrize(
    ("message", "price", "method"),
    [
        ("receipt for Tom Hardy: oil change 65 paid cash", Decimal(65), "Cash"),
        ("receipt for Ana Ruiz: haircut 40 paid by card", Decimal(40), "Card"),
    ],
)
def test_paid_and_how_right_after_a_price_is_the_payment(message: str, price: Decimal, method: str) -> None:
    invoice = _written(message)
    assert [i.unit_price for i in invoice.line_items] == [price]
    assert invoice.payment_method == method


@pytest.mark.parametrize(
    ("message", "total"),
    [
        # 900 x 1.2 + 120 untaxed
        (
            "Invoice Acme Legal\nTax return prep 900\nCourt filing fee 120 - exempt\nVAT 20%",
            Decimal("1200.00"),
        ),
        (
            "Invoice Acme Legal: tax return prep 900, court filing fee 120 — VAT exempt, VAT 20%",
            Decimal("1200.00"),
        ),
        (
            "Invoice Acme: framing 1,000, permit fee 200 - pass-through, don't charge tax on it - tax 5%",
            Decimal("1250.00"),
        ),
        ("Invoice Acme: design 900, hosting 100, no VAT on that, VAT 20%", Decimal("1180.00")),
    ],
)
def test_a_remark_after_a_line_that_exempts_it_is_said_of_that_line(message: str, total: Decimal) -> None:
    # They were asked the price of a line "Exempt", "Pass-through", "Don't charge tax on it".
    invoice = _written(message)
    assert len(invoice.line_items) == 2
    assert compute_totals(invoice).total == total


@pytest.mark.parametrize(
    "message",
    [
        "quote for Fairview Dental: chairs 630, foam disposal 45 — GST 5% on everything except the disposal",
        "quote for Fairview Dental: chairs 630, foam disposal 45, GST 5% on all items except the disposal",
    ],
)
def test_a_tax_on_everything_except_a_line_leaves_that_line_untaxed(message: str) -> None:
    invoice = _written(message)
    assert [i.tax_exempt for i in invoice.line_items] == [False, True]
    assert compute_totals(invoice).total == Decimal("706.50")


@pytest.mark.parametrize(
    "message",
    [
        "Quote for the Delgados: cabinets 6,400, install 1,150 - they're repeat customers so 5 percent off the cabinets only",
        "Quote for the Delgados: cabinets 6,400, install 1,150, long-time clients so 5% off the cabinets",
    ],
)
def test_a_reason_then_so_then_a_discount_is_the_discount(message: str) -> None:
    invoice = _written(message)
    assert compute_totals(invoice).total == Decimal("7230.00")


def test_a_bare_method_word_starting_a_line_is_the_line_not_the_payment() -> None:
    # "method book 22" was read as a payment method "book 22", and its 22 asked about.
    invoice = _written("Invoice Ava Price: 6 cello lessons at 50, method book 22")
    assert [i.description for i in invoice.line_items] == ["Cello lessons", "Method book"]
    assert invoice.payment_method == ""


@pytest.mark.parametrize(
    ("message", "description"),
    [
        ("bill Mrs Delgado 6 @ 14.50 for fittings and 110 in labour", "Fittings"),
        ("Invoice Acme: 12 at 3.50 for the napkins", "Napkins"),
    ],
)
def test_a_count_at_a_price_for_something_is_that_line(message: str, description: str) -> None:
    invoice = _written(message)
    assert invoice.line_items[0].description == description
    assert invoice.line_items[0].quantity in (Decimal(6), Decimal(12))


@pytest.mark.parametrize(
    "message",
    [
        "Invoice Pinecrest Motel for carpet shampoo, 14 rooms x 35",
        "Invoice Pinecrest Motel for carpet shampoo, 14 rooms at 35",
    ],
)
def test_rooms_after_an_unpriced_service_count_that_service(message: str) -> None:
    invoice = _written(message)
    assert [(i.description, i.quantity) for i in invoice.line_items] == [("Carpet shampoo", Decimal(14))]
    assert compute_totals(invoice).total == Decimal("490.00")


@pytest.mark.parametrize(
    ("said", "due"),
    [("payment due next fri", "2026-03-20"), ("due thurs", "2026-03-19"), ("due Tue.", "2026-03-17")],
)
def test_a_weekday_written_short_is_that_weekday(said: str, due: str) -> None:
    invoice = _written(f"Invoice Acme for window cleaning 120, {said}")
    assert str(invoice.due_date) == due


@pytest.mark.parametrize(
    "said",
    [
        "Need them delivered on the 27th",
        "we want it delivered by March 27",
        "I need these delivered on the 27th",
    ],
)
def test_who_needs_the_goods_delivered_then_when_is_the_delivery_date(said: str) -> None:
    invoice = _written(f"PO for Coastal Packaging Ltd - 5,000 mailer boxes @ 0.38 ea. {said}")
    assert str(invoice.delivery_date) == "2026-03-27"
    assert len(invoice.line_items) == 1


@pytest.mark.parametrize(
    "message",
    [
        "Invoice Mills Dental for IT support 6 hrs at 90 and a new SSD 120, 8.25% tax, no tax on the labor",
        "Invoice Mills Dental: IT support 6 hrs at 90, new SSD 120, 8.25% tax, no tax on the labour",
    ],
)
def test_no_tax_on_the_labour_is_the_one_line_billed_by_the_hour(message: str) -> None:
    invoice = _written(message)
    assert [i.tax_exempt for i in invoice.line_items] == [True, False]


def test_the_labour_is_asked_about_when_two_lines_are_billed_by_the_hour() -> None:
    result = interpret(
        "Invoice Mills Dental: IT support 6 hrs at 90, training 2 hrs at 60, 8.25% tax, no tax on the labor",
        None,
        today=TODAY,
    )
    assert result.action == "question"


@pytest.mark.parametrize("lead", ["great, thanks! now a separate invoice for", "now another invoice for"])
def test_a_separate_or_another_document_mid_session_is_a_new_document(lead: str) -> None:
    current = _written("Invoice Pemberton Books for logo design 600")
    result = interpret(f"{lead} Carver Street Deli: menu board design 350", current, today=TODAY)
    assert result.action == "generate", result.reply
    assert result.invoice is not None
    assert result.invoice.buyer.name == "Carver Street Deli"
    assert [i.description for i in result.invoice.line_items] == ["Menu board design"]


def _edited(message: str, current: Invoice) -> Invoice:
    result = interpret(message, current, today=TODAY)
    assert result.action == "edit", result.reply
    assert result.invoice is not None
    return result.invoice


@pytest.mark.parametrize(
    ("message", "due"),
    [
        ("they asked for more time, push the due date back a week", "2026-04-18"),
        ("extend the due date by 10 days", "2026-04-21"),
        ("push the due date out two weeks", "2026-04-25"),
    ],
)
def test_moving_the_due_date_by_a_span_counts_from_the_one_it_has(message: str, due: str) -> None:
    current = _written("Invoice Acme Corp for 10 hours of consulting at 150, due April 11")
    result = interpret(message, current, today=TODAY)
    assert result.invoice is not None, result.reply
    assert str(result.invoice.due_date) == due
    assert due in result.reply


@pytest.mark.parametrize(
    ("message", "quantity"),
    [
        ("they want 8 platters now", Decimal(8)),
        ("she wants 8 platters", Decimal(8)),
        ("sorry my mistake, should be 4 and a half platters not 6", Decimal("4.5")),
        ("make it two and a half platters", Decimal("2.5")),
    ],
)
def test_a_count_said_of_a_line_in_plain_words_changes_its_quantity(message: str, quantity: Decimal) -> None:
    current = _written("Invoice Willow Creek Church: 6 sandwich platters at 45, 2 coffee urns at 30")
    edited = _edited(message, current)
    assert [i.quantity for i in edited.line_items] == [quantity, Decimal(2)]


@pytest.mark.parametrize(
    "message",
    [
        "workbooks are zero-rated, take the VAT off them",
        "the workbooks are zero rated",
        "the workbooks are VAT exempt",
    ],
)
def test_a_line_said_to_be_zero_rated_is_exempt(message: str) -> None:
    current = _written("Invoice Glenwood School: workshop 2 days at 800, workbooks 30 at 12, VAT 20%")
    edited = _edited(message, current)
    assert [i.tax_exempt for i in edited.line_items] == [False, True]


@pytest.mark.parametrize(
    ("message", "description", "method"),
    [
        (
            "receipt for Grace Lin: wedding catering deposit 1,500 received by cheque",
            "Wedding catering deposit",
            "Cheque",
        ),
        ("receipt for Tom Hardy: deposit 500 paid by card", "Deposit", "Card"),
    ],
)
def test_a_receipt_with_nothing_but_a_payment_is_for_that_payment(
    message: str, description: str, method: str
) -> None:
    invoice = _written(message)
    assert [i.description for i in invoice.line_items] == [description]
    assert invoice.amount_paid == compute_totals(invoice).total
    assert invoice.payment_method == method


def test_an_invoice_with_nothing_but_a_payment_is_still_asked_what_it_is_for() -> None:
    result = interpret("invoice for Grace Lin: deposit 1,500 received by cheque", None, today=TODAY)
    assert result.action == "question"


@pytest.mark.parametrize("address", ["14 Oak St", "221 Baker Street", "9 Canal Rd"])
def test_a_street_address_after_at_is_never_a_price(address: str) -> None:
    # 'the move-out clean at 14 Oak St' was priced 14 (260 then asked about).
    invoice = _written(
        f"Need a receipt for the move-out clean at {address} for Ryan Cole, 260, he paid on venmo"
    )
    assert [i.unit_price for i in invoice.line_items] == [Decimal(260)]
    assert invoice.buyer.name == "Ryan Cole"
    assert invoice.payment_method == "Venmo"


@pytest.mark.parametrize(
    ("message", "address"),
    [
        (
            "Invoice Blue Fern Design - 9 Canal Rd, London N1 8BX - brand guidelines £1,200",
            ["9 Canal Rd", "London N1 8BX"],
        ),
        ("Invoice Oak & Co - 221 Baker Street, London - site survey £400", ["221 Baker Street", "London"]),
    ],
)
def test_a_street_after_the_buyers_name_and_a_dash_is_its_address(message: str, address: list[str]) -> None:
    invoice = _written(message)
    assert invoice.buyer.address_lines == address
    assert len(invoice.line_items) == 1


def test_a_phone_number_said_alone_after_the_address_is_the_buyers_phone() -> None:
    invoice = _written(
        "Invoice Rosa Martinez, 415 Birch St Apt 3B, Tucson AZ 85719, (520) 555-0187: tutoring 6 sessions at 40"
    )
    assert invoice.buyer.phone == "(520) 555-0187"
    assert [(i.description, i.quantity) for i in invoice.line_items] == [("Tutoring", Decimal(6))]


def test_an_email_in_brackets_after_the_town_is_the_buyers() -> None:
    invoice = _written(
        "purchase order — Hillcrest Paper Co., 9 Depot Lane, Burlington (orders@hillcrestpaper.com): "
        "40 reams A4 paper at 4.75, 6 boxes of staples at 3.20"
    )
    assert invoice.buyer.name == "Hillcrest Paper Co."
    assert invoice.buyer.email == "orders@hillcrestpaper.com"
    assert invoice.buyer.address_lines == ["9 Depot Lane", "Burlington"]
    assert compute_totals(invoice).total == Decimal("209.20")


@pytest.mark.parametrize(
    ("message", "description"),
    [
        ("Quote for Pawsome Kennels - 10 bath & tidy at 30 each", "Bath & tidy"),
        ("Invoice Acme: 4 fish & chips at 12", "Fish & chips"),
    ],
)
def test_a_count_then_two_words_joined_by_an_ampersand_is_one_things_name(
    message: str, description: str
) -> None:
    invoice = _written(message)
    assert [i.description for i in invoice.line_items] == [description]


def test_a_family_with_its_address_in_brackets_is_the_buyer_and_its_address() -> None:
    invoice = _written("invoice the Nguyen family (12 Willow Ct, Eugene OR 97401) for 4 violin lessons at 45")
    assert invoice.buyer.name == "Nguyen family"
    assert invoice.buyer.address_lines == ["12 Willow Ct", "Eugene OR 97401"]


def test_a_kind_of_work_said_exempt_right_after_a_line_is_that_line() -> None:
    # 'tutoring is tax exempt' names no line: it was asked the price of 'tutoring is tax exempt —'.
    invoice = _written(
        "Invoice Dana Ruiz: 8 SAT prep sessions @ 60 — tutoring is tax exempt — and a workbook 25, sales tax 8.25%"
    )
    assert [i.tax_exempt for i in invoice.line_items] == [True, False]


@pytest.mark.parametrize(
    "message",
    [
        "Invoice Acme: consulting 500, no tax on the deposit, tax 10%",
        "Invoice Acme: consulting 500, the deposit is tax exempt, tax 10%",
    ],
)
def test_a_thing_said_exempt_that_is_no_line_is_asked_about(message: str) -> None:
    # Never the line before: the deposit is another thing.
    result = interpret(message, None, today=TODAY)
    assert result.action == "question"


def test_ship_by_a_date_is_the_delivery_date() -> None:
    invoice = _written(
        "PO to Office Depot: 10 boxes of pens at 4.99, 5 reams of paper at 6.49, ship by Friday"
    )
    assert str(invoice.delivery_date) == "2026-03-13"
    assert len(invoice.line_items) == 2


@pytest.mark.parametrize("said", ["50% upfront", "30% deposit", "50% up front"])
def test_a_share_paid_first_is_the_payment_terms(said: str) -> None:
    invoice = _written(f"invoice Acme 1500 for the website, {said}")
    assert compute_totals(invoice).total == Decimal("1500.00")
    assert invoice.payment_terms.lower() == said.lower()


@pytest.mark.parametrize(
    "message",
    ["Invoice ACME: consulting services (March) 4,500", "Invoice ACME: consulting services March 4,500"],
)
def test_a_month_then_a_grouped_amount_is_the_period_and_the_price(message: str) -> None:
    # 'March 4,500' was read as the date March 4, and the line asked its price.
    invoice = _written(message)
    assert [(i.description, i.unit_price) for i in invoice.line_items] == [
        ("Consulting services", Decimal(4500))
    ]
    assert str(invoice.service_period_start) == "2026-03-01"


@pytest.mark.parametrize(
    ("message", "total"),
    [
        ("Invoice Acme: design work 20 hrs, rate 75/hr", Decimal("1500.00")),
        ("Invoice Acme: consulting 10 hours, hourly rate 120", Decimal("1200.00")),
        ("Invoice Acme: consulting 10 hours, 150 an hour", Decimal("1500.00")),
        ("Invoice Acme: consulting 10 hours, 1500 total", Decimal("1500.00")),
    ],
)
def test_hours_after_a_name_then_the_rate_in_the_next_clause(message: str, total: Decimal) -> None:
    assert compute_totals(_written(message)).total == total


def test_hours_after_a_name_then_a_bare_amount_asks_whether_it_is_the_total() -> None:
    result = interpret("Invoice Acme: consulting 10 hours, 1500", None, today=TODAY)
    assert result.action == "question"
    assert "total" in result.reply


def test_a_dash_between_what_is_sold_and_how_many_is_read_through() -> None:
    invoice = _written("Invoice Acme: window cleaning - 24 windows @ 6")
    assert [(i.description, i.quantity) for i in invoice.line_items] == [("Window cleaning", Decimal(24))]


def test_for_the_month_and_a_thing_is_what_is_sold_not_the_buyer() -> None:
    result = interpret("Invoice for the March retainer, 2,000", None, today=TODAY)
    assert result.action == "question"
    assert "bill" in result.reply.lower()  # who, not what


@pytest.mark.parametrize(
    ("edit", "price"),
    [("bump it to 110 an hour", Decimal(110)), ("raise it to 120/hr", Decimal(120))],
)
def test_bump_it_to_a_rate_changes_the_price(edit: str, price: Decimal) -> None:
    edited = _edited(edit, _written("Invoice Acme for 10 hours consulting at 100"))
    assert [i.unit_price for i in edited.line_items] == [price]


def test_they_paid_an_amount_already_is_the_amount_paid() -> None:
    edited = _edited("they paid 500 already", _written("Invoice Acme for 10 hours consulting at 100"))
    assert edited.amount_paid == Decimal(500)
    assert compute_totals(edited).total == Decimal("1000.00")


@pytest.mark.parametrize(
    ("message", "hours"),
    [
        ("Invoice Acme: 1 hr 30 min of tutoring at 40/hr", Decimal("1.5")),
        ("Invoice Acme: tutoring 4 hrs 15 mins at 80/hr", Decimal("4.25")),
        ("Invoice Acme: tutoring 2 hours and 45 minutes at 40 an hour", Decimal("2.75")),
    ],
)
def test_hours_and_minutes_are_hours(message: str, hours: Decimal) -> None:
    invoice = _written(message)
    assert [i.quantity for i in invoice.line_items] == [hours]


@pytest.mark.parametrize(
    "message",
    [
        "Quote for Acme Corp: logo design 400; business cards 100, 10% discount",
        "Invoice Acme Corp:\n- logo design 400\n- business cards 100, 10% discount",
    ],
)
def test_a_discount_after_the_last_line_of_a_list_is_the_documents(message: str) -> None:
    invoice = _written(message)
    assert compute_totals(invoice).total == Decimal("450.00")


def _conversation(*messages: str) -> Invoice | None:
    current: Invoice | None = None
    for index, message in enumerate(messages):
        result = interpret(message, current, today=TODAY, history=list(messages[:index]))
        current = result.invoice or current
    return current


def test_hours_answering_the_price_question_are_the_lines_count() -> None:
    # "10 hours" was a line of its own, asked what it was for.
    invoice = _conversation("Invoice Acme for consulting", "10 hours", "150 an hour")
    assert invoice is not None
    assert [(i.description, i.quantity, i.unit_price) for i in invoice.line_items] == [
        ("Consulting", Decimal(10), Decimal(150))
    ]


@pytest.mark.parametrize("answer", ["2 at 45, paid cash", "2 x 45, paid cash"])
def test_a_count_and_a_price_answering_the_price_question_are_the_lines(answer: str) -> None:
    invoice = _conversation("receipt for Ken: guitar lessons", answer)
    assert invoice is not None
    assert [(i.description, i.quantity, i.unit_price) for i in invoice.line_items] == [
        ("Guitar lessons", Decimal(2), Decimal(45))
    ]


def test_the_parts_of_a_jobs_cost_answering_its_price_are_its_lines() -> None:
    # It was the clutch job at 410 and a line "Labour".
    invoice = _conversation("Invoice Paul Grant for the clutch job", "parts 410, labour 3 hrs at 80")
    assert invoice is not None
    assert [(i.description, i.quantity) for i in invoice.line_items] == [("Parts", 1), ("Labour", 3)]


def test_lines_named_together_lose_their_articles_when_priced_apart() -> None:
    invoice = _conversation(
        "Invoice Tidewater Marina for the hull cleaning and the bottom paint",
        "hull cleaning 380, paint 2 gallons at 95",
    )
    assert invoice is not None
    assert [i.description for i in invoice.line_items] == ["Hull cleaning", "Bottom paint"]


@pytest.mark.parametrize(
    ("answer", "method"),
    [("rotation 40 alignment 89.95 he paid by debit", "Debit"), ("rotation 40 alignment 89.95", "")],
)
def test_prices_named_one_after_the_other_in_an_answer_price_each_line(answer: str, method: str) -> None:
    invoice = _conversation("receipt for Omar Haddad, tire rotation and alignment", answer)
    assert invoice is not None
    assert [i.unit_price for i in invoice.line_items] == [Decimal(40), Decimal("89.95")]
    assert invoice.payment_method == method


def test_a_street_abbreviation_keeps_its_full_stop() -> None:
    invoice = _written(
        "Invoice Harbor Light Café, 301 Pier Ave., Hermosa Beach, CA 90254 — espresso machine service 110"
    )
    assert invoice.buyer.address_lines[0] == "301 Pier Ave."


def test_a_size_after_the_container_is_part_of_what_is_sold() -> None:
    invoice = _written('PO to Northern Hardwoods: 30 sheets 3/4" birch plywood at 68')
    assert [(i.description, i.quantity, i.unit) for i in invoice.line_items] == [
        ('3/4" birch plywood', Decimal(30), "sheets")
    ]


@pytest.mark.parametrize(
    ("edit", "quantity", "price"),
    [
        ("hours should be 9.5", Decimal("9.5"), Decimal(100)),
        ("rate is 110 not 100", Decimal(10), Decimal(110)),
        ("the rate should be 110, not 100", Decimal(10), Decimal(110)),
    ],
)
def test_the_hours_or_the_rate_said_again_change_that_line(
    edit: str, quantity: Decimal, price: Decimal
) -> None:
    edited = _edited(edit, _written("Invoice Acme: consulting 10 hours at 100, travel 50, 8% tax"))
    assert (edited.line_items[0].quantity, edited.line_items[0].unit_price) == (quantity, price)
    assert edited.line_items[1].unit_price == Decimal(50)


@pytest.mark.parametrize(
    ("message", "description"),
    [
        ("Quote for Lee: bathroom 6,200 inc. materials", "Bathroom"),
        ("Quote for Lee: bathroom 6,200 (materials included)", "Bathroom (materials included)"),
    ],
)
def test_what_a_price_includes_said_after_it_is_no_question(message: str, description: str) -> None:
    invoice = _written(message)
    assert [(i.description, i.unit_price) for i in invoice.line_items] == [(description, Decimal(6200))]


def test_a_share_as_a_deposit_to_book_is_the_payment_terms() -> None:
    invoice = _written("Quote for Lee: kitchen install 4,500, valid 30 days, 50% deposit to book")
    assert invoice.payment_terms == "50% deposit to book"
    assert compute_totals(invoice).total == Decimal("4500.00")
