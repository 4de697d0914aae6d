"""The chat turn: one message in, one reply (and perhaps a new revision) out.

One turn: load (or create) the session; take the turn lock; save the person's message;
decide undo / ask the provider (generate, edit, question); render and check the document
(correct its sheet, and ask the provider again with the problems, in one bounded loop);
then one commit writes the reply, the revision, the usage and the first document's title
at once. The turn reaches the other services only through its two ports (ports.py).

One turn at a time per session, across every agent replica
-----------------------------------------------------------
A second turn on a session while one is running is refused with ABORTED. The lock lives in
the session store, so it holds across processes with no extra store:

* a turn is *running* while it holds the session's turn lease (lease.py): acquired before
  anything is written, renewed by the turn's heartbeat, released when the turn ends; short
  (DOCMESH_AGENT_TURN_LEASE_SECONDS), so a turn whose replica died frees the session within
  seconds;
* the user message is appended with `expected_version` = the version the turn read: a turn
  that read the session before another one ended is refused ABORTED rather than answering
  a conversation it has not seen.

Idempotency: the turn's key (the client's, or a fresh one) derives the keys of its writes
("<key>:user", "<key>:reply", "<key>:error"), so a retried turn writes nothing twice; a retry
of a finished turn returns the stored result without calling the LLM; a retry of a turn that
failed, or whose holder died, runs it again against the same user message (one user message,
at most one error reply, one answer). A new session made by a keyed turn carries the key, so a retry without a session id
finds it instead of creating another one.

Re-asking: an answer the provider could not parse, an incomplete document, one the document
service refused and a sheet still wrong after correction are all sent back to the provider
with the problems, in ONE loop bounded by DOCMESH_LLM_REASK_LIMIT: a turn makes at most
1 + limit asks (each ask is one completion, plus the retries and fallback models of a failing
endpoint). A deterministic provider (can_fix False) is never asked again.

If the provider fails, the user's message stays saved, an assistant message says what went
wrong and the calls made so far are recorded, in one commit, and
the error goes to the caller.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from docmesh_agent.commands import Command, read_command, starts_new_document
from docmesh_agent.credit_notes import CreditNotes, CreditRequest, read_credit_request
from docmesh_agent.defaults import with_defaults
from docmesh_agent.domain import (
    Appended,
    Committed,
    Customer,
    Document,
    Message,
    NewSession,
    SessionView,
    TurnCommit,
)
from docmesh_agent.einvoice_chat import EInvoiceChat
from docmesh_agent.finalize import SAID_IN_CHAT, Finalizer, check_issued
from docmesh_agent.lease import Lease, hold
from docmesh_agent.ports import CustomerBook, DocumentEngine, ProfileBook, SessionStore
from docmesh_agent.providers.base import Action, HistoryMessage, InvalidAnswer, Provider, TurnRequest
from docmesh_agent.providers.prompt import invoice_json
from docmesh_agent.resilience import LLM_DEPENDENCY
from docmesh_agent.rules import (
    draft_title,
    first_document_kind,
    in_language,
    incomplete,
    is_undo,
    parse_session_id,
    question_for,
    session_title,
    settled,
    undo_summary,
    undone_revision,
)
from docmesh_agent.settings import AgentSettings
from docmesh_agent.usage import LLM_REASKS, TurnUsage
from docmesh_common import context
from docmesh_common.errors import (
    Aborted,
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    ResourceExhausted,
    blame_dependency,
)
from docmesh_common.model.invoice import DocumentKind, Invoice

log = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY = 100  # the session service allows 128; the derived keys add a suffix
# Error replies start with this, so that a retried failed turn runs again and the prompt
# history leaves them out.
ERROR_REPLY_PREFIX = "Sorry, I could not finish this: "
# Time kept back from the caller's deadline for saving the outcome after the LLM call.
SAVE_RESERVE_SECONDS = 2.0
# Budget for writing the outcome of a failed turn, whatever was left of its deadline.
CLEANUP_SECONDS = 5.0


class TurnEvents(Protocol):
    """Receives the progress of a turn (ChatStream turns it into stream events)."""

    async def started(self, session_id: str, user_message_id: str) -> None: ...
    async def delta(self, text: str) -> None: ...
    async def document_ready(self, document: Document, revision_number: int) -> None: ...
    async def usage(self, result: TurnResult) -> None: ...


@dataclass
class TurnResult:
    """Everything a turn produced."""

    session_id: str
    reply: str
    action: Action
    provider: str
    model: str
    usage: TurnUsage = field(default_factory=TurnUsage)
    document: Document | None = None
    revision_number: int = 0
    session_token_count: int = 0
    user_message_id: str = ""
    assistant_message_id: str = ""
    replayed: bool = False
    # The summary of `document`'s revision, until the turn's commit saves it.
    revision_summary: str = ""
    # A revision the turn saved itself, shown once the reply is committed.
    saved: SavedElsewhere | None = None


@dataclass
class SavedElsewhere:
    """A document a command saved itself (not through the turn's commit): the numbered revision
    of a finalized session, or the first revision of a new version's session."""

    session_id: str
    document: Document
    revision_number: int


class ChatTurns:
    """Runs chat turns against a session store, a document engine and a provider."""

    def __init__(
        self,
        settings: AgentSettings,
        sessions: SessionStore,
        documents: DocumentEngine,
        provider: Provider,
        *,
        profiles: ProfileBook,
        customers: CustomerBook,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.documents = documents
        self.provider = provider
        self.profiles = profiles
        self.customers = customers
        self.finalizer = Finalizer(sessions, documents, profiles)
        self.credit_notes = CreditNotes(sessions, documents)
        self.einvoice = EInvoiceChat(documents, customers)
        # Error replies still being written for turns whose caller has gone.
        self._cleanups: set[asyncio.Task[None]] = set()

    async def chat(
        self,
        *,
        session_id: str,
        message: str,
        idempotency_key: str = "",
        document_kind: DocumentKind | None = None,
        events: TurnEvents | None = None,
    ) -> TurnResult:
        message = self._check_message(message)
        if len(idempotency_key) > MAX_IDEMPOTENCY_KEY:
            raise InvalidArgument(
                f"idempotency_key is longer than {MAX_IDEMPOTENCY_KEY} characters", field="idempotency_key"
            )
        context.owner_id()  # UNAUTHENTICATED before anything is written
        remaining = context.deadline_remaining()
        deadline = None if remaining is None else time.monotonic() + remaining
        key = idempotency_key or uuid.uuid4().hex

        view = await self._load_or_create(session_id, message, idempotency_key, document_kind)
        if view.session.finalized and starts_new_document(message):
            # A new request in a finalized session makes a new session and document; the
            # finalized one stays as it was. The response carries the new session's id.
            view = await self._load_or_create("", message, f"{key}:new", document_kind)
        if view.session.completed:
            # A completed session takes messages only once resumed; a finalized one is completed
            # again after the turn (its document stays as it is).
            await self.sessions.resume(view.session.id)
            view = await self.sessions.get(view.session.id)
        session = view.session
        # The session's turn lease (lease.py) is held from before the user message is written
        # until the turn's outcome is: one turn at a time, freed within seconds if we die.
        async with hold(self.sessions, session.id, self.settings.turn_lease_seconds) as lease:
            appended = await self._append_user(session.id, session.version, message, key)
            user = appended.message
            if events is not None:
                await events.started(session.id, user.id)
            failed_before = False
            if appended.replayed:
                stored = await self._stored_result(view, user.id)
                if stored is not None:
                    return stored
                failed_before = _answered_with_error(view.messages, user.id)
            return await self._run(
                view, user, message, key, document_kind, events, deadline, failed_before, lease
            )

    async def _run(
        self,
        view: SessionView,
        user: Message,
        message: str,
        key: str,
        document_kind: DocumentKind | None,
        events: TurnEvents | None,
        deadline: float | None,
        failed_before: bool,
        lease: Lease | None = None,
    ) -> TurnResult:
        """The turn after its user message is saved: answer, then commit (or fail) once."""
        session = view.session

        current = view.latest_revision.invoice if view.latest_revision is not None else None
        kind = (
            document_kind
            if current is not None
            else first_document_kind(document_kind, session.document_kind)
        )
        result = TurnResult(
            session_id=session.id,
            reply="",
            action="question",
            provider=self.provider.name,
            model=self.provider.model,
            user_message_id=user.id,
        )
        command = read_command(message)
        credit = read_credit_request(message) if command is None else None
        try:
            if command is Command.SAVE_CUSTOMER:
                await self._save_customer(result, view)
            elif credit is not None:
                await self._credit_note(result, view, credit, key)
            elif command is None and (einvoice := await self.einvoice.answer(view, message)) is not None:
                # An e-invoice request (one question for what it lacks) or an answer filling the buyer.
                result.reply = einvoice.reply
                if einvoice.document is not None:
                    result.action = "edit"
                    _save(result, einvoice.document, einvoice.summary)
            elif session.finalized:
                await self._after_finalizing(result, view, command, key)
            elif command is Command.FINALIZE:
                await self._finalize(result, view, message)
            elif is_undo(message):
                await self._undo(result, view)
            else:
                request = TurnRequest(
                    message=message,
                    current=current,
                    today=dt.datetime.now(dt.UTC).date(),
                    history=_history_before(view.messages, user.id),
                    document_kind=kind,
                )
                await self._answer(result, request, view, events, deadline)
        except DomainError as error:
            await self._fail_detached(result, key, error, failed_before)
            raise
        except asyncio.CancelledError as error:
            # The caller went away or its deadline passed: still release the session.
            await self._fail_detached(result, key, error, failed_before)
            raise
        except Exception as error:
            log.exception("chat turn failed")
            await self._fail_detached(result, key, error, failed_before)
            raise
        # One write for the turn's whole outcome, so a crash cannot keep a revision without its
        # reply. The session's first document also names the session (its stage moves to
        # drafted with that first revision).
        title = None
        if result.document is not None and session.latest_revision_number == 0:
            title = draft_title(result.document.invoice)
        kind_changes = result.document is not None and result.document.invoice.kind != session.document_kind
        # When nothing is written after it, the commit also frees the session's lease (no
        # release call of its own).
        last_write = not (kind_changes or result.saved is not None or session.finalized)
        committed = await self._commit(
            result, result.reply or "Done.", f"{key}:reply", title=title, lease=lease if last_write else None
        )
        result.assistant_message_id = committed.assistant_message_id
        result.session_token_count = committed.session_token_count
        result.revision_number = committed.revision_number
        if kind_changes:
            assert result.document is not None
            # The session makes the kind its document is ("make it a quote" included), so that
            # lists filtered by kind find it.
            await self.sessions.set_document_kind(session.id, result.document.invoice.kind)
        finalized_now = result.saved is not None and result.saved.session_id == session.id
        if result.saved is not None:
            # A revision saved outside the commit (finalizing, a new version in a new session).
            saved, result.saved = result.saved, None
            result.document, result.revision_number = saved.document, saved.revision_number
            result.session_id = saved.session_id
        if finalized_now or session.finalized:
            # Completed only now (the reply had to be written first), or again.
            await self.sessions.complete(session.id)
        if events is not None and result.document is not None:
            await events.document_ready(result.document, result.revision_number)
        if result.usage.calls:
            result.model = result.usage.calls[-1].model
        if events is not None:
            await events.usage(result)
        return result

    def _check_message(self, message: str) -> str:
        text = message.strip()
        if not text:
            raise InvalidArgument("message is required", field="message")
        if len(text) > self.settings.max_message_chars:
            raise InvalidArgument(
                f"message is longer than {self.settings.max_message_chars} characters", field="message"
            )
        return text

    async def _load_or_create(
        self, session_id: str, message: str, idempotency_key: str, kind: DocumentKind | None
    ) -> SessionView:
        if session_id:
            view = await self.sessions.get(parse_session_id(session_id))
            if view.session.abandoned:
                # An idle session comes back to life when the person writes again.
                await self.sessions.resume(view.session.id)
                view = await self.sessions.get(view.session.id)
            return view
        if idempotency_key:
            found = await self.sessions.find_by_turn_key(idempotency_key)
            if found is not None:
                return await self.sessions.get(found)
        return await self.sessions.create(
            NewSession(title=session_title(message), document_kind=kind, turn_key=idempotency_key)
        )

    async def _append_user(self, session_id: str, version: int, message: str, key: str) -> Appended:
        try:
            return await self.sessions.append_user_message(
                session_id, message, f"{key}:user", expected_version=version
            )
        except Aborted as error:
            raise Aborted(
                "another turn started on this session at the same moment; try again",
                reason="TURN_IN_PROGRESS",
                retry_after_seconds=1.0,
                metadata=error.metadata,
            ) from None

    async def _stored_result(self, view: SessionView, user_message_id: str) -> TurnResult | None:
        """The result of an earlier run of this turn, or None when it must run (again)."""
        messages = view.messages
        index = next((i for i, m in enumerate(messages) if m.id == user_message_id), None)
        if index is None:
            return None
        following = messages[index + 1 :]
        reply = next((m for m in following if m.role == "assistant"), None)
        later_user = any(m.role == "user" for m in following)
        if reply is None or reply.content.startswith(ERROR_REPLY_PREFIX):
            if later_user:
                raise FailedPrecondition(
                    "this turn failed and the conversation has moved on; send the message again with a new key",
                    reason="TURN_SUPERSEDED",
                )
            return None
        result = TurnResult(
            session_id=view.session.id,
            reply=reply.content,
            action="question",
            provider=self.provider.name,
            model=self.provider.model,
            session_token_count=view.session.token_count,
            user_message_id=user_message_id,
            assistant_message_id=reply.id,
            replayed=True,
        )
        revision = await self.sessions.revision_for_message(view, user_message_id)
        if revision is not None:
            validation = await self.documents.validate(revision.msc)
            result.document = Document(invoice=revision.invoice, msc=revision.msc, validation=validation)
            result.revision_number = revision.number
            if undone_revision(revision.summary) is not None:
                result.action = "undo"
            else:
                result.action = "generate" if revision.number == 1 else "edit"
        return result

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
        _save(result, document, undo_summary(target))
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
        created = await self._load_or_create("", draft_title(draft), f"{key}:version", draft.kind)
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
            _save(result, outcome.document, outcome.summary)
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
    ) -> None:
        """Ask the provider, and ask again with the problems while re-asks are left."""
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
                    invoice = await self._with_defaults(invoice, request)
                invoice = in_language(settled(invoice, request.current), view.session.language)
                document, problems = await self._check(invoice)
                if document is not None and (not problems or asks_left == 0):
                    summary = answer.summary or ("New document" if request.current is None else "Edited")
                    _save(result, document, summary)
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

    async def _with_defaults(self, invoice: Invoice, request: TurnRequest) -> Invoice:
        """A new document's seller from the profile, its buyer from the matching customer."""
        profile = await self.profiles.get()
        customer = await self.customers.match(invoice.buyer.name) if invoice.buyer.name else None
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

    async def _commit(
        self,
        result: TurnResult,
        reply: str,
        key: str,
        *,
        title: str | None = None,
        lease: Lease | None = None,
    ) -> Committed:
        """Write the turn's outcome at once: the reply, the revision (when the turn produced a
        document), one usage record per LLM call and the title, all or nothing; with `lease`,
        the commit also frees it."""
        commit = TurnCommit(
            session_id=result.session_id,
            reply=reply,
            idempotency_key=key,
            usage=tuple(result.usage.calls),
            document=result.document,
            message_id=result.user_message_id,
            summary=result.revision_summary,
            title=title,
            release_lease=lease.holder if lease is not None else "",
        )
        try:
            committed = await self.sessions.commit_turn(commit)
        except (ResourceExhausted, FailedPrecondition):
            # The session is full or no longer active: the reply, and with it the revision,
            # cannot be stored. The LLM calls were made and paid for all the same, so they
            # are recorded on their own (that only needs the session to exist).
            if result.usage.calls:
                try:
                    await self.sessions.record_usage(result.session_id, result.usage.calls)
                except DomainError as second:
                    log.warning(
                        "could not record the usage of a turn whose commit was refused: %s", second.message
                    )
            raise
        if lease is not None:
            lease.released = True
        return committed

    async def _fail_detached(
        self, result: TurnResult, key: str, error: BaseException, failed_before: bool
    ) -> None:
        """Run `_fail` in a task of its own, with a fresh deadline and shielded from cancellation.

        The failed turn's deadline may be spent (that may be why it failed), and its task may
        be cancelled; the error reply must still be written, before the lease is released, or a
        retry would not know the turn failed.
        """

        async def cleanup() -> None:
            context.bind(timeout=CLEANUP_SECONDS)  # this task's own copy of the context
            await self._fail(result, key, error, failed_before)

        task = asyncio.create_task(cleanup())
        self._cleanups.add(task)
        task.add_done_callback(self._cleanups.discard)
        await asyncio.shield(task)

    async def _fail(self, result: TurnResult, key: str, error: BaseException, failed_before: bool) -> None:
        """Keep what the failed turn did: its usage, and ONE reply saying what happened.

        The error reply is keyed by the turn ("<key>:error"), and a retry of a turn that
        already failed (`failed_before`: its user message has an error reply) records its
        usage alone: however often a client retries a failing turn, its message gets one
        error reply. The reply's words are ours (DomainError messages never carry an
        upstream's text; see providers/openai_provider._final_error).
        """
        if isinstance(error, DomainError):
            what = error.message
        elif isinstance(error, asyncio.CancelledError):
            what = "the request was cancelled or ran out of time before the answer was ready"
        else:
            what = "an internal error"
        # Whatever the turn produced before failing is not saved: only its usage, with the reply.
        result.document = None
        try:
            if failed_before:
                if result.usage.calls:
                    await self.sessions.record_usage(result.session_id, result.usage.calls)
                return
            await self._commit(
                result,
                f"{ERROR_REPLY_PREFIX}{what}. Your message is saved; please try again.",
                f"{key}:error",
            )
        except DomainError as second:
            log.warning("could not save the outcome of a failed turn: %s", second.message)


def _answered_with_error(messages: Sequence[Message], user_message_id: str) -> bool:
    """True when the first reply to `user_message_id` is an error reply (an earlier run failed)."""
    index = next((i for i, m in enumerate(messages) if m.id == user_message_id), None)
    if index is None:
        return False
    reply = next((m for m in messages[index + 1 :] if m.role == "assistant"), None)
    return reply is not None and reply.content.startswith(ERROR_REPLY_PREFIX)


def _history_before(messages: Sequence[Message], user_message_id: str) -> list[HistoryMessage]:
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


def _save(result: TurnResult, document: Document, summary: str) -> None:
    """Keep the turn's document; the commit saves it as a revision with the reply."""
    result.document = document
    result.revision_summary = summary[:200]
