"""The chat turn: one message in, one reply (and perhaps a new revision) out.

One turn: open it (turn_open.py: in ONE session call, create or read the session, take the
turn lock and save the person's message); decide undo / ask the provider (generate, edit,
question); render and check the document (turn_answer.py: correct its sheet, and ask the
provider again with the problems, in one bounded loop); then one commit writes the reply, the
revision, the usage and the first document's title at once, and frees the lock
(turn_outcome.py). The turn reaches the other services only through its ports (ports.py).
A turn of the built-in provider is two session calls (BeginTurn, CommitTurn); a first document
whose buyer matches a saved customer (among the names BeginTurn returned) reads it (GetCustomer).

One turn at a time per session, across every agent replica
-----------------------------------------------------------
A second turn on a session while one is running is refused with ABORTED. The lock lives in
the session store, so it holds across processes with no extra store:

* a turn is *running* while it holds the session's turn lease (lease.py): acquired before
  anything is written (in the call that writes the message), renewed by the turn's
  heartbeat, released when the turn ends (by its commit, when nothing is written after); short
  (DOCMESH_AGENT_TURN_LEASE_SECONDS), so a turn whose replica died frees the session within
  seconds;
* the session is read after the user message is appended, under the lease, so a turn never
  answers a conversation it has not seen (a turn that ended before it is in what it reads).

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
import datetime as dt
import logging
import time
import uuid
from collections.abc import Sequence

from docmesh_agent.commands import Command, read_command
from docmesh_agent.credit_notes import CreditNotes, read_credit_request
from docmesh_agent.domain import Message, Profile, SessionView
from docmesh_agent.einvoice_chat import EInvoiceChat
from docmesh_agent.finalize import Finalizer
from docmesh_agent.lease import Lease, keep, new_lease
from docmesh_agent.ports import CustomerBook, DocumentEngine, ProfileBook, SessionStore
from docmesh_agent.providers.base import Provider, TurnRequest
from docmesh_agent.rules import draft_title, first_document_kind, is_undo
from docmesh_agent.settings import AgentSettings
from docmesh_agent.turn_answer import TurnAnswers, history_before
from docmesh_agent.turn_open import TurnOpener, answered_with_error
from docmesh_agent.turn_outcome import ERROR_REPLY_PREFIX, TurnOutcomes
from docmesh_agent.turn_result import SavedElsewhere, TurnEvents, TurnResult, save
from docmesh_common import context
from docmesh_common.errors import DomainError, InvalidArgument
from docmesh_common.model.invoice import DocumentKind

__all__ = [
    "ERROR_REPLY_PREFIX",
    "MAX_IDEMPOTENCY_KEY",
    "ChatTurns",
    "SavedElsewhere",
    "TurnEvents",
    "TurnResult",
]

log = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY = 100  # the session service allows 128; the derived keys add a suffix


class ChatTurns(TurnOpener, TurnAnswers, TurnOutcomes):
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

        # The session's turn lease (lease.py) is taken with the user message and held until
        # the turn's outcome is written: one turn at a time, freed within seconds if we die.
        lease = new_lease()
        begun = await self._begin(session_id, message, idempotency_key, key, document_kind, lease)
        view, user = begun.view, begun.appended.message
        async with keep(self.sessions, view.session.id, self.settings.turn_lease_seconds, lease):
            if events is not None:
                await events.started(view.session.id, user.id)
            failed_before = False
            if begun.appended.replayed:
                stored = await self._stored_result(view, user.id)
                if stored is not None:
                    return stored
                failed_before = answered_with_error(view.messages, user.id)
            return await self._run(
                view,
                user,
                message,
                key,
                document_kind,
                events,
                deadline,
                failed_before,
                lease,
                begun.profile,
                begun.customer_names,
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
        profile: Profile | None = None,
        customer_names: Sequence[tuple[str, str]] | None = None,
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
                    save(result, einvoice.document, einvoice.summary)
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
                    history=history_before(view.messages, user.id),
                    document_kind=kind,
                )
                await self._answer(result, request, view, events, deadline, profile, customer_names)
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
