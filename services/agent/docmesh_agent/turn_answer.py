"""The turn's answer: the commands (undo, finalize, a new version of a finalized document,
a credit note, saving a customer) and the provider's answer, rendered and checked, with the
problems sent back to the provider in ONE loop bounded by DOCMESH_LLM_REASK_LIMIT."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence

from docmesh_agent.commands import Command
from docmesh_agent.credit_notes import CreditNotes, CreditRequest
from docmesh_agent.defaults import with_defaults
from docmesh_agent.domain import Customer, Document, Message, Profile, SessionView
from docmesh_agent.einvoice_chat import EInvoiceChat
from docmesh_agent.finalize import SAID_IN_CHAT, Finalizer, check_issued
from docmesh_agent.ports import CustomerBook, DocumentEngine, ProfileBook, SessionStore
from docmesh_agent.providers.base import HistoryMessage, InvalidAnswer, Provider, TurnRequest
from docmesh_agent.providers.prompt import invoice_json
from docmesh_agent.resilience import LLM_DEPENDENCY
from docmesh_agent.rules import (
    draft_title,
    in_language,
    incomplete,
    question_for,
    settled,
    undo_summary,
    undone_revision,
)
from docmesh_agent.settings import AgentSettings
from docmesh_agent.turn_open import load_or_create
from docmesh_agent.turn_outcome import ERROR_REPLY_PREFIX
from docmesh_agent.turn_result import SavedElsewhere, TurnEvents, TurnResult, save
from docmesh_agent.usage import LLM_REASKS
from docmesh_common.customer_match import best_match
from docmesh_common.errors import DomainError, FailedPrecondition, InvalidArgument, blame_dependency
from docmesh_common.model.invoice import Invoice

log = logging.getLogger(__name__)

# Time kept back from the caller's deadline for saving the outcome after the LLM call.
SAVE_RESERVE_SECONDS = 2.0


class TurnAnswers:
    """ChatTurns' part that answers the message."""

    settings: AgentSettings
    sessions: SessionStore
    documents: DocumentEngine
    provider: Provider
    profiles: ProfileBook
    customers: CustomerBook
    finalizer: Finalizer
    credit_notes: CreditNotes
    einvoice: EInvoiceChat

    async def _undo(self, result: TurnResult, view: SessionView) -> None:
        latest = view.latest_revision
        target = 0
        if latest is not None:
            chained = undone_revision(latest.summary)
            target = (chained if chained is not None else latest.number) - 1
        if target < 1:
            result.action = "question"
            result.reply = "There is no earlier version to go back to."
            return
        earlier = await self.sessions.get_revision(view.session.id, target)
        document = await self.documents.render(earlier.invoice)
        save(result, document, undo_summary(target))
        result.action = "undo"
        result.reply = f"Undone: the document is back to revision {target}."

    async def _finalize(self, result: TurnResult, view: SessionView, message: str = "") -> None:
        """ "finalize it": the document gets its number in a new revision; the session is
        completed once the reply is written."""
        if view.latest_revision is None:
            result.reply = "There is no document to finalize yet."
            return
        latest, profile = view.latest_revision, await self.profiles.get()
        try:
            # A received document is refused before any e-invoice question about it.
            check_issued(view)
            question = await self.einvoice.before_finalizing(
                latest.invoice, latest.msc, profile.seller.vat_id, message
            )
            if question:
                result.reply = question
                return
            numbered = await self.finalizer.number(view)
        except FailedPrecondition as refused:
            # Why the document is not numbered (received, or more credited than invoiced) is
            # an answer to the person, not a failed turn.
            if refused.reason not in SAID_IN_CHAT:
                raise
            result.reply = refused.message[:1].upper() + refused.message[1:] + "."
            return
        if numbered.document is None or numbered.revision is None:
            raise FailedPrecondition("the document could not be numbered", reason="NO_DOCUMENT")
        result.action = "edit"
        result.reply = f"Finalized as {numbered.session.document_number}."
        result.saved = SavedElsewhere(result.session_id, numbered.document, numbered.revision.number)

    async def _after_finalizing(
        self, result: TurnResult, view: SessionView, command: Command | None, key: str
    ) -> None:
        """A finalized document is not changed: "yes"/"new version" copies it as a draft into a
        new session; anything else is answered with that question."""
        number = view.session.document_number
        latest = view.latest_revision
        if command is Command.FINALIZE or latest is None:
            result.reply = f"This document is already finalized as {number}."
            return
        if command is not Command.NEW_VERSION:
            result.reply = (
                f"This document is finalized as {number} and stays as it is. "
                'Start a new version? Answer "yes" or "new version".'
            )
            return
        draft = latest.invoice.model_copy(update={"number": ""})
        document = await self.documents.render(draft)
        # Keyed by the turn, so a retry finds the session (and its draft) the first try made.
        created = await load_or_create(self.sessions, "", draft_title(draft), f"{key}:version", draft.kind)
        revision = created.latest_revision or await self.sessions.save_revision(
            created.session.id, document, f"New version of {number}"
        )
        result.action = "generate"
        result.reply = f"Started a new version of {number} as a draft without a number, in a new session."
        result.saved = SavedElsewhere(created.session.id, document, revision.number)

    async def _credit_note(
        self, result: TurnResult, view: SessionView, request: CreditRequest, key: str
    ) -> None:
        """ "credit note for INV-2026-0007": in this session when it has no document yet, else in a new one."""
        outcome = await self.credit_notes.answer(view, request, key)
        result.reply = outcome.reply
        if outcome.document is None:
            return
        result.action = "generate"
        if outcome.revision_number == 0:
            save(result, outcome.document, outcome.summary)
        else:
            result.saved = SavedElsewhere(outcome.session_id, outcome.document, outcome.revision_number)

    async def _save_customer(self, result: TurnResult, view: SessionView) -> None:
        """ "save Acme as a customer": the current document's buyer becomes a customer."""
        latest = view.latest_revision
        if latest is None or not latest.invoice.buyer.name:
            result.reply = "There is no buyer to save yet: tell me who the document is for first."
            return
        invoice = latest.invoice
        saved = await self.customers.create(
            Customer(party=invoice.buyer, default_currency_code=invoice.currency_code)
        )
        result.reply = f"Saved {saved.party.name} as a customer."

    async def _answer(
        self,
        result: TurnResult,
        request: TurnRequest,
        view: SessionView,
        events: TurnEvents | None,
        deadline: float | None,
        profile: Profile | None = None,
        customer_names: Sequence[tuple[str, str]] | None = None,
    ) -> None:
        """Ask the provider, and ask again with the problems while re-asks are left; a new
        document's seller comes from `profile` (the one the turn began with, else read), its
        buyer's details from the customer its name matches (among `customer_names`, every
        customer's id and name as the turn began with them, else asked of the customer book)."""
        llm_deadline = (
            None
            if deadline is None
            else deadline - min(SAVE_RESERVE_SECONDS, 0.2 * (deadline - time.monotonic()))
        )
        # Only the first answer streams: a re-asked answer's reply would repeat it.
        on_delta = events.delta if events is not None else None
        asks_left = self.settings.llm_reask_limit if self.provider.can_fix else 0
        while True:
            try:
                answer = await self.provider.answer(
                    request, result.usage, on_delta=on_delta, deadline=llm_deadline
                )
            except InvalidAnswer as invalid:
                if asks_left == 0:
                    raise blame_dependency(invalid.as_error(), LLM_DEPENDENCY) from None
                problems, rejected, model = invalid.errors, invalid.text, invalid.model
            except DomainError as error:
                # The language model failed, not this service: callers' breakers must not count it.
                raise blame_dependency(error, LLM_DEPENDENCY) from None
            else:
                result.reply = answer.reply
                result.action = answer.action
                if answer.action == "undo":
                    await self._undo(result, view)
                    return
                if answer.action == "question" or answer.invoice is None:
                    result.action = "question"
                    return
                invoice = answer.invoice
                if request.current is None:
                    if request.document_kind is not None:
                        invoice = invoice.model_copy(update={"kind": request.document_kind})
                    invoice = await self._with_defaults(invoice, request, profile, customer_names)
                invoice = in_language(settled(invoice, request.current), view.session.language)
                document, problems = await self._check(invoice)
                if document is not None and (not problems or asks_left == 0):
                    summary = answer.summary or ("New document" if request.current is None else "Edited")
                    save(result, document, summary)
                    return
                if asks_left == 0:
                    result.action = "question"
                    result.reply = question_for(invoice, problems)
                    return
                rejected, model = invoice_json(invoice), answer.model
            asks_left -= 1
            LLM_REASKS.labels(self.provider.name).inc()
            log.info("answer rejected, asking the provider again: %s", problems)
            on_delta = None
            request = dataclasses.replace(request, rejected=rejected, feedback=tuple(problems), model=model)

    async def _with_defaults(
        self,
        invoice: Invoice,
        request: TurnRequest,
        profile: Profile | None,
        customer_names: Sequence[tuple[str, str]] | None = None,
    ) -> Invoice:
        """A new document's seller from the profile, its buyer from the matching customer."""
        if profile is None:
            profile = await self.profiles.get()
        customer = None
        if invoice.buyer.name:
            if customer_names is None:
                customer = await self.customers.match(invoice.buyer.name)
            elif (found := best_match(invoice.buyer.name, customer_names)) is not None:
                # MatchCustomer's rule on the names the turn began with: a call only for a match.
                customer = await self.customers.get(found.customer_id)
        return with_defaults(invoice, request.message, profile, customer, request.today)

    async def _check(self, invoice: Invoice) -> tuple[Document | None, list[str]]:
        """The rendered document (None when it cannot be rendered) and its problems."""
        problems = incomplete(invoice)
        if problems:
            return None, problems
        try:
            document = await self.documents.render(invoice)
        except InvalidArgument as error:
            return None, [f"{f}: {d}" for f, d in error.violations.items()] or [error.message]
        if document.validation.valid:
            return document, []
        document = await self.documents.correct(document)
        return document, document.validation.errors()


def history_before(messages: Sequence[Message], user_message_id: str) -> list[HistoryMessage]:
    """The conversation before the turn's message, without system messages and error replies."""
    history = []
    for stored in messages:
        if stored.id == user_message_id:
            break
        if stored.role == "system" or (
            stored.role == "assistant" and stored.content.startswith(ERROR_REPLY_PREFIX)
        ):
            continue
        history.append(
            HistoryMessage(role=stored.role, content=stored.content, token_count=stored.token_count)
        )
    return history
