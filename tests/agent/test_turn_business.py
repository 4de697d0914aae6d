"""The turn and the business around the document, on in-memory ports: the seller and defaults
from the profile, the buyer from the customers, finalizing in chat and what follows it."""

from __future__ import annotations

import dataclasses
import datetime as dt

from docmesh_agent.domain import Customer, Profile
from docmesh_agent.providers.base import ProviderAnswer
from docmesh_common.model.invoice import Party
from tests.agent.memory import MemoryCustomerBook
from tests.agent.test_turn import ACME, ACME_INVOICE, GENERATED, Rig, edited, make_rig

SELLER = Party(name="Initech GmbH", city="Berlin", country_code="DE")
PROFILE = Profile(
    seller=SELLER,
    default_currency_code="EUR",
    default_payment_terms="Net 14",
    default_payment_days=14,
    default_notes="Thank you!",
    language="de",
)
ACME_CUSTOMER = Customer(
    party=Party(name="Acme Corp", email="billing@acme.test", city="Springfield"),
    default_currency_code="GBP",
    default_payment_days=30,
)


def generated_for(buyer: str) -> ProviderAnswer:
    """The provider's new document, billed to `buyer`."""
    invoice = ACME_INVOICE.model_copy(update={"buyer": Party(name=buyer)})
    return dataclasses.replace(GENERATED, invoice=invoice)


def business_rig(*steps: object, customers: tuple[Customer, ...] = (), names: bool = True) -> Rig:
    rig = make_rig(*steps)
    # The turn's ProfileBook and the profile BeginTurn returns are one, so are its
    # CustomerBook and the customers' names BeginTurn returns (unless `names` is False).
    rig.store.profiles.profile = PROFILE
    book = MemoryCustomerBook(*customers)
    rig.turns.customers = book
    rig.store.customers = book if names else None
    return rig


async def test_a_new_document_takes_the_seller_and_defaults_from_the_profile() -> None:
    rig = business_rig(GENERATED)
    result = await rig.chat("Invoice Acme Corp for 10 hours of consulting at 150")
    assert result.document is not None
    invoice = result.document.invoice
    assert invoice.seller == SELLER
    assert invoice.currency_code == "EUR"
    assert invoice.payment_terms == "Net 14" and invoice.notes == "Thank you!"
    assert invoice.due_date == dt.datetime.now(dt.UTC).date() + dt.timedelta(days=14)
    assert invoice.language == "de"


async def test_a_currency_the_message_names_wins_over_the_profiles() -> None:
    rig = business_rig(GENERATED)
    result = await rig.chat(ACME)  # "$150/h"
    assert result.document is not None and result.document.invoice.currency_code == "USD"


async def test_a_buyer_matching_a_customer_gets_their_details_and_defaults() -> None:
    rig = business_rig(GENERATED, customers=(ACME_CUSTOMER,))
    result = await rig.chat("Invoice Acme Corp for 10 hours of consulting at 150")
    assert result.document is not None
    invoice = result.document.invoice
    assert invoice.buyer.email == "billing@acme.test" and invoice.buyer.city == "Springfield"
    assert invoice.currency_code == "GBP"
    assert invoice.due_date == dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)


async def test_a_buyer_is_matched_among_the_names_the_turn_began_with_and_only_a_match_is_read() -> None:
    rig = business_rig(generated_for("Acme Corporation"), generated_for("Globex"), customers=(ACME_CUSTOMER,))
    book = rig.turns.customers
    assert isinstance(book, MemoryCustomerBook)

    # MatchCustomer's fuzzy rule ("Acme Corporation" is Acme Corp), then one read of it.
    matched = await rig.chat("Invoice Acme Corporation for 10 hours of consulting at 150")
    calls_after_match = list(book.calls)
    other = await rig.chat("Invoice Globex for 10 hours of consulting at 150")

    assert matched.document is not None and matched.document.invoice.buyer.email == "billing@acme.test"
    assert calls_after_match == ["get"]
    assert other.document is not None and other.document.invoice.buyer.email == ""
    assert book.calls == ["get"]  # no customer matched Globex: nothing more was asked


async def test_without_the_names_the_buyer_is_matched_by_the_customer_book() -> None:
    rig = business_rig(GENERATED, customers=(ACME_CUSTOMER,), names=False)
    book = rig.turns.customers
    assert isinstance(book, MemoryCustomerBook)

    result = await rig.chat("Invoice Acme Corp for 10 hours of consulting at 150")

    assert result.document is not None and result.document.invoice.buyer.city == "Springfield"
    assert book.calls == ["match"]


async def test_an_edit_keeps_the_document_as_it_is_without_profile_defaults() -> None:
    rig = business_rig(GENERATED, edited(notes=""))
    first = await rig.chat(ACME)
    second = await rig.chat("remove the notes", first.session_id)
    assert second.document is not None and second.document.invoice.notes == ""


async def test_save_as_customer_saves_the_current_buyer_and_says_so() -> None:
    rig = business_rig(GENERATED)
    first = await rig.chat(ACME)
    saved = await rig.chat("save Acme as a customer", first.session_id)
    assert saved.reply == "Saved Acme Corp as a customer."
    assert saved.document is None
    customers = rig.turns.customers
    assert isinstance(customers, MemoryCustomerBook)
    assert [c.party.name for c in customers.customers] == ["Acme Corp"]
    assert len(rig.provider.requests) == 1


async def test_save_as_customer_without_a_document_asks_for_the_buyer() -> None:
    rig = business_rig()
    result = await rig.chat("add this customer")
    assert "no buyer" in result.reply


async def test_finalize_in_chat_numbers_the_document_and_completes_the_session() -> None:
    rig = business_rig(GENERATED)
    first = await rig.chat(ACME)
    done = await rig.chat("finalise it", first.session_id)
    assert done.document is not None and done.revision_number == 2
    number = done.document.invoice.number
    assert number.startswith("INV-") and done.reply == f"Finalized as {number}."
    stored = rig.session(done)
    assert stored.document_number == number and stored.completed
    assert len(rig.provider.requests) == 1


async def test_an_edit_after_finalizing_is_answered_with_the_new_version_question() -> None:
    rig = business_rig(GENERATED)
    first = await rig.chat(ACME)
    await rig.chat("finalize it", first.session_id)
    asked = await rig.chat("add 2 hours of QA at 80", first.session_id)
    assert "Start a new version?" in asked.reply
    assert asked.document is None and len(rig.session(first).revisions) == 2
    assert rig.session(first).completed


async def test_yes_after_the_question_starts_a_new_session_with_the_draft_without_number() -> None:
    rig = business_rig(GENERATED)
    first = await rig.chat(ACME)
    await rig.chat("finalize it", first.session_id)
    await rig.chat("add 2 hours of QA at 80", first.session_id)
    version = await rig.chat("yes", first.session_id)
    assert version.session_id != first.session_id
    assert version.document is not None and version.document.invoice.number == ""
    assert version.revision_number == 1
    assert rig.store.stored(version.session_id).revisions[0].invoice.number == ""
    old = rig.session(first)
    assert old.document_number and len(old.revisions) == 2 and old.completed


async def test_a_new_request_in_a_finalized_session_starts_a_new_session() -> None:
    globex = ACME_INVOICE.model_copy(update={"buyer": Party(name="Globex")})
    rig = business_rig(GENERATED, dataclasses.replace(GENERATED, invoice=globex))
    first = await rig.chat(ACME)
    await rig.chat("finalize it", first.session_id)
    second = await rig.chat("Invoice Globex for 3 x Widget @ 12.50", first.session_id)
    assert second.session_id != first.session_id
    assert second.document is not None and second.document.invoice.buyer.name == "Globex"
    assert second.revision_number == 1
    assert rig.provider.requests[-1].current is None


async def test_the_sessions_language_overrides_the_profiles() -> None:
    rig = business_rig(GENERATED, edited())
    first = await rig.chat(ACME)
    rig.session(first).language = "fr"
    second = await rig.chat("add a line", first.session_id)
    assert second.document is not None and second.document.invoice.language == "fr"
