"""The chat turn and the session-document operations of the agent.

One turn: load (or create) the session; take the turn lock; save the person's message;
decide undo / ask the provider (generate, edit, question); render and validate the document
in the document service (correct it there, and with an LLM re-ask with the errors, bounded);
then one CommitTurn writes the reply, the revision, the usage and the first document's title
in one transaction of the session service.

One turn at a time per session, across every agent replica
-----------------------------------------------------------
A second turn on a session while one is running is refused with ABORTED. The lock lives in
the session service, so it holds across processes with no extra store:

* a turn is *running* while the session's last message is a user message without a reply
  that is younger than DOCMESH_AGENT_TURN_LEASE_SECONDS (a turn whose replica died stops
  blocking after that lease);
* a turn starts by appending its user message with `expected_version` = the version it read.
  Two turns that read the same version race on that compare-and-set: the session service
  lets one append and answers ABORTED to the other. The winner's unanswered message then
  refuses every later turn until the reply (or an error reply) is appended.

Idempotency: the turn's key (the client's, or a fresh one) derives the keys of its writes
("<key>:user", "<key>:reply"), so a retried turn writes nothing twice; a retry of a finished
turn returns the stored result without calling the LLM; a retry of a turn that failed runs it
again. A new session made by a keyed turn carries the key in its metadata, so a retry
without a session id finds it instead of creating another one.

If the provider fails, the user's message stays saved, an assistant message says what went
wrong (it also releases the lock) and the calls made so far are recorded, in one CommitTurn,
and the error goes to the caller.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pydantic

from docmesh.document.v1 import document_service_pb2 as doc_pb2
from docmesh.document.v1 import document_service_pb2_grpc as doc_grpc
from docmesh.session.v1 import session_service_pb2 as ses_pb2
from docmesh.session.v1 import session_service_pb2_grpc as ses_grpc
from docmesh.type.v1 import invoice_pb2
from docmesh_agent.providers.base import Action, HistoryMessage, Provider, TurnRequest
from docmesh_agent.settings import AgentSettings
from docmesh_agent.usage import CallUsage, TurnUsage
from docmesh_common import context
from docmesh_common.clients import Upstream
from docmesh_common.errors import (
    Aborted,
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
)
from docmesh_common.model.invoice import DocumentKind, Invoice, from_proto, kind_from_proto, kind_to_proto, to_proto

log = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY = 100  # the session service allows 128; the derived keys add a suffix
TURN_KEY_METADATA = "docmesh.agent.turn_key"
TITLE_CHARS = 80
# Error replies start with this, so that a retried failed turn runs again and the prompt
# history leaves them out.
ERROR_REPLY_PREFIX = "Sorry, I could not finish this: "
# Time kept back from the caller's deadline for saving the outcome after the LLM call.
SAVE_RESERVE_SECONDS = 2.0
# Budget for writing the outcome of a failed turn, whatever was left of its deadline.
CLEANUP_SECONDS = 5.0
_UNDO = re.compile(
    r"^\s*(?:please\s+)?(?:undo|revert|go\s+back|undo\s+(?:that|it|the\s+last\s+(?:change|edit)))"
    r"(?:\s+(?:that|it|the\s+last\s+(?:change|edit)))?\s*(?:please)?\s*[.!]*\s*$",
    re.IGNORECASE,
)
_UNDO_SUMMARY = re.compile(r"^Undo: back to revision (\d+)")
EXPORT_FORMATS = {
    "document.xlsx": doc_pb2.EXPORT_FORMAT_XLSX,
    "document.csv": doc_pb2.EXPORT_FORMAT_CSV,
    "document.html": doc_pb2.EXPORT_FORMAT_HTML,
    "document.msc": doc_pb2.EXPORT_FORMAT_MSC,
}
_ROLES = {ses_pb2.MESSAGE_ROLE_USER: "user", ses_pb2.MESSAGE_ROLE_ASSISTANT: "assistant"}


class TurnEvents(Protocol):
    """Receives the progress of a turn (ChatStream turns it into stream events)."""

    async def started(self, session_id: str, user_message_id: str) -> None: ...
    async def delta(self, text: str) -> None: ...
    async def document_ready(self, document: RenderedDocument, revision_number: int) -> None: ...
    async def usage(self, result: TurnResult) -> None: ...


@dataclass(frozen=True)
class RenderedDocument:
    """A typed document with its sheet, as the document service rendered and checked it."""

    invoice: Invoice
    # `invoice` in wire form, converted once: the render request, the revision and the
    # response all carry it.
    invoice_proto: invoice_pb2.Invoice
    msc: str
    totals: invoice_pb2.InvoiceTotals
    validation: doc_pb2.ValidationReport


@dataclass
class TurnResult:
    """Everything a turn produced."""

    session_id: str
    reply: str
    action: Action
    provider: str
    model: str
    usage: TurnUsage = field(default_factory=TurnUsage)
    document: RenderedDocument | None = None
    revision_number: int = 0
    session_token_count: int = 0
    user_message_id: str = ""
    assistant_message_id: str = ""
    replayed: bool = False
    # The summary of `document`'s revision, until the turn's commit saves it.
    revision_summary: str = ""


@dataclass(frozen=True)
class AppSession:
    """A session as the original app's routes show it."""

    session_id: str
    last_reply: str
    msc: str
    token_count: int
    last_activity: dt.datetime
    messages: tuple[tuple[str, str, dt.datetime], ...]


def parse_session_id(value: str, field_name: str = "session_id") -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidArgument(f"{field_name} must be a UUID, got {value[:64]!r}", field=field_name) from None


def _utc(timestamp: object) -> dt.datetime:
    return timestamp.ToDatetime(tzinfo=dt.UTC)  # type: ignore[attr-defined]


def is_undo(message: str) -> bool:
    return _UNDO.match(message) is not None


class AgentService:
    """Rules of the agent; talks to the session and document services and a provider."""

    def __init__(
        self,
        settings: AgentSettings,
        sessions: Upstream[ses_grpc.SessionServiceStub],
        documents: Upstream[doc_grpc.DocumentServiceStub],
        provider: Provider,
    ) -> None:
        self.settings = settings
        self.sessions = sessions
        self.documents = documents
        self.provider = provider
        # Error replies still being written for turns whose caller has gone.
        self._cleanups: set[asyncio.Task[None]] = set()

    # ---- the chat turn ---------------------------------------------------------------

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
        session = view.session
        self._refuse_if_running(view.messages)
        appended = await self._append_user(session, message, key)
        user = appended.messages[0]
        history = self._history_before(view.messages, user.id)
        if events is not None:
            await events.started(session.id, user.id)
        if appended.replayed:
            stored = await self._stored_result(view, user)
            if stored is not None:
                return stored

        current = from_proto(view.latest_revision.invoice) if view.HasField("latest_revision") else None
        kind = document_kind
        if kind is None and current is None and session.document_kind:
            kind = kind_from_proto(session.document_kind)
        usage = TurnUsage()
        result = TurnResult(
            session_id=session.id,
            reply="",
            action="question",
            provider=self.provider.name,
            model=self.provider.model,
            usage=usage,
            user_message_id=user.id,
        )
        try:
            if is_undo(message):
                await self._undo(result, view)
            else:
                request = TurnRequest(
                    message=message,
                    current=current,
                    today=dt.datetime.now(dt.UTC).date(),
                    history=history,
                    document_kind=kind,
                )
                await self._answer(result, request, view, events, deadline)
        except DomainError as error:
            await self._fail_detached(result, key, error)
            raise
        except asyncio.CancelledError as error:
            # The caller went away or its deadline passed: still release the session.
            await self._fail_detached(result, key, error)
            raise
        except Exception as error:
            log.exception("chat turn failed")
            await self._fail_detached(result, key, error)
            raise
        # One write for the turn's whole outcome, so a crash cannot keep a revision without its
        # reply. The session's first document also names the session (its stage moves to
        # drafted with that first revision).
        title = None
        if result.document is not None and view.session.latest_revision_number == 0:
            title = _draft_title(result.document.invoice)
        committed = await self._commit(result, result.reply or "Done.", f"{key}:reply", title=title)
        result.assistant_message_id = committed.messages[0].id
        result.session_token_count = committed.session.token_count
        if committed.HasField("revision"):
            result.revision_number = committed.revision.number
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
    ) -> ses_pb2.GetSessionResponse:
        if session_id:
            view = await self._get_full(parse_session_id(session_id))
            if view.session.status == ses_pb2.SESSION_STATUS_ABANDONED:
                # An idle session comes back to life when the person writes again.
                await self.sessions.call(
                    self.sessions.stub.ResumeSession, ses_pb2.ResumeSessionRequest(session_id=view.session.id)
                )
                view = await self._get_full(view.session.id)
            return view
        if idempotency_key:
            found = await self.sessions.call(
                self.sessions.stub.ListSessions,
                ses_pb2.ListSessionsRequest(
                    page_size=1, metadata_key=TURN_KEY_METADATA, metadata_value=idempotency_key
                ),
            )
            if found.sessions:
                return await self._get_full(found.sessions[0].id)
        new = ses_pb2.Session(title=_title(message))
        if kind is not None:
            new.document_kind = kind_to_proto(kind)
        if idempotency_key:
            new.metadata[TURN_KEY_METADATA] = idempotency_key
        created = await self.sessions.call(
            self.sessions.stub.CreateSession, ses_pb2.CreateSessionRequest(session=new)
        )
        return ses_pb2.GetSessionResponse(session=created.session)

    async def _get_full(self, session_id: str) -> ses_pb2.GetSessionResponse:
        return await self.sessions.call(
            self.sessions.stub.GetSession,
            ses_pb2.GetSessionRequest(session_id=session_id, view=ses_pb2.SESSION_VIEW_FULL),
        )

    def _refuse_if_running(self, messages: Sequence[ses_pb2.Message]) -> None:
        if not messages or messages[-1].role != ses_pb2.MESSAGE_ROLE_USER:
            return
        age = (dt.datetime.now(dt.UTC) - _utc(messages[-1].create_time)).total_seconds()
        lease = self.settings.turn_lease_seconds
        if age < lease:
            raise Aborted(
                "another turn is still running on this session; wait for its answer and try again",
                reason="TURN_IN_PROGRESS",
                retry_after_seconds=min(5.0, lease - age),
            )

    async def _append_user(
        self, session: ses_pb2.Session, message: str, key: str
    ) -> ses_pb2.AppendMessagesResponse:
        try:
            return await self._append(
                session.id,
                ses_pb2.MESSAGE_ROLE_USER,
                message,
                f"{key}:user",
                expected_version=session.version,
            )
        except Aborted as error:
            raise Aborted(
                "another turn started on this session at the same moment; try again",
                reason="TURN_IN_PROGRESS",
                retry_after_seconds=1.0,
                metadata=error.metadata,
            ) from None

    async def _append(
        self,
        session_id: str,
        role: ses_pb2.MessageRole.ValueType,
        content: str,
        key: str,
        *,
        expected_version: int | None = None,
    ) -> ses_pb2.AppendMessagesResponse:
        request = ses_pb2.AppendMessagesRequest(
            session_id=session_id,
            messages=[ses_pb2.NewMessage(role=role, content=content)],
            idempotency_key=key,
        )
        if expected_version is not None:
            request.expected_version = expected_version
        return await self.sessions.call(self.sessions.stub.AppendMessages, request)

    @staticmethod
    def _history_before(messages: Sequence[ses_pb2.Message], user_message_id: str) -> list[HistoryMessage]:
        history = []
        for stored in messages:
            if stored.id == user_message_id:
                break
            role = _ROLES.get(stored.role)
            if role is None or (role == "assistant" and stored.content.startswith(ERROR_REPLY_PREFIX)):
                continue
            history.append(HistoryMessage(role=role, content=stored.content, token_count=stored.token_count))  # type: ignore[arg-type]
        return history

    async def _stored_result(
        self, view: ses_pb2.GetSessionResponse, user: ses_pb2.Message
    ) -> TurnResult | None:
        """The result of an earlier run of this turn, or None when it must run (again)."""
        messages = list(view.messages)
        index = next((i for i, m in enumerate(messages) if m.id == user.id), None)
        if index is None:
            return None
        following = messages[index + 1 :]
        reply = next((m for m in following if m.role == ses_pb2.MESSAGE_ROLE_ASSISTANT), None)
        later_user = any(m.role == ses_pb2.MESSAGE_ROLE_USER for m in following)
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
            user_message_id=user.id,
            assistant_message_id=reply.id,
            replayed=True,
        )
        revision = await self._revision_of_message(view, user.id)
        if revision is not None:
            validation = await self.documents.call(
                self.documents.stub.Validate, doc_pb2.ValidateRequest(msc=revision.msc, invoice_checks=True)
            )
            invoice = from_proto(revision.invoice)
            result.document = RenderedDocument(
                invoice=invoice,
                invoice_proto=to_proto(invoice),
                msc=revision.msc,
                totals=revision.totals,
                validation=validation.report,
            )
            result.revision_number = revision.number
            if _UNDO_SUMMARY.match(revision.summary):
                result.action = "undo"
            else:
                result.action = "generate" if revision.number == 1 else "edit"
        return result

    async def _revision_of_message(
        self, view: ses_pb2.GetSessionResponse, message_id: str
    ) -> ses_pb2.Revision | None:
        if view.HasField("latest_revision") and view.latest_revision.message_id == message_id:
            return view.latest_revision
        page = await self.sessions.call(
            self.sessions.stub.ListRevisions,
            ses_pb2.ListRevisionsRequest(session_id=view.session.id, page_size=100),
        )
        for revision in page.revisions:
            if revision.message_id == message_id:
                return await self._get_revision(view.session.id, revision.number)
        return None

    async def _get_revision(self, session_id: str, number: int) -> ses_pb2.Revision:
        got = await self.sessions.call(
            self.sessions.stub.GetRevision,
            ses_pb2.GetRevisionRequest(session_id=session_id, revision_number=number),
        )
        return got.revision

    async def _undo(self, result: TurnResult, view: ses_pb2.GetSessionResponse) -> None:
        latest = view.latest_revision if view.HasField("latest_revision") else None
        target = 0
        if latest is not None:
            chained = _UNDO_SUMMARY.match(latest.summary)
            target = (int(chained.group(1)) if chained else latest.number) - 1
        if target < 1:
            result.action = "question"
            result.reply = "There is no earlier version to go back to."
            return
        earlier = await self._get_revision(view.session.id, target)
        document = await self._render(from_proto(earlier.invoice))
        self._save(result, document, f"Undo: back to revision {target}")
        result.action = "undo"
        result.reply = f"Undone: the document is back to revision {target}."

    async def _answer(
        self,
        result: TurnResult,
        request: TurnRequest,
        view: ses_pb2.GetSessionResponse,
        events: TurnEvents | None,
        deadline: float | None,
    ) -> None:
        llm_deadline = (
            None
            if deadline is None
            else deadline - min(SAVE_RESERVE_SECONDS, 0.2 * (deadline - time.monotonic()))
        )
        on_delta = events.delta if events is not None else None
        answer = await self.provider.answer(request, result.usage, on_delta=on_delta, deadline=llm_deadline)
        fixes_left = self.settings.llm_reask_limit if self.provider.can_fix else 0
        while True:
            result.reply = answer.reply
            result.action = answer.action
            if answer.action == "undo":
                await self._undo(result, view)
                return
            if answer.action == "question" or answer.invoice is None:
                result.action = "question"
                return
            invoice = answer.invoice
            if request.document_kind is not None and request.current is None:
                invoice = invoice.model_copy(update={"kind": request.document_kind})
            document: RenderedDocument | None = None
            problems = incomplete(invoice)
            if problems and not self.provider.can_fix:
                # A deterministic provider would answer the same again: ask the person.
                fixes_left = 0
            elif not problems:
                try:
                    document = await self._render(invoice)
                except InvalidArgument as error:
                    problems = [f"{f}: {d}" for f, d in error.violations.items()] or [error.message]
                else:
                    if document.validation.valid:
                        problems = []
                    else:
                        document = await self._correct(document)
                        problems = [
                            f"{f.cell or 'sheet'}: {f.message}"
                            for f in document.validation.findings
                            if f.severity == doc_pb2.SEVERITY_ERROR
                        ]
            if document is not None and (not problems or fixes_left == 0):
                summary = answer.summary or ("New document" if request.current is None else "Edited")
                self._save(result, document, summary)
                return
            if fixes_left == 0:
                result.action = "question"
                result.reply = _question_for(invoice, problems)
                return
            fixes_left -= 1
            log.info("document rejected, asking the provider to fix it: %s", problems)
            request = TurnRequest(
                message=request.message,
                current=request.current,
                today=request.today,
                history=request.history,
                document_kind=request.document_kind,
                rejected=invoice,
                feedback=tuple(problems),
            )
            answer = await self.provider.answer(request, result.usage, deadline=llm_deadline)

    async def _render(self, invoice: Invoice) -> RenderedDocument:
        wire = to_proto(invoice)
        rendered = await self.documents.call(
            self.documents.stub.RenderInvoice, doc_pb2.RenderInvoiceRequest(invoice=wire)
        )
        return RenderedDocument(
            invoice=invoice,
            invoice_proto=wire,
            msc=rendered.msc,
            totals=rendered.totals,
            validation=rendered.validation,
        )

    async def _correct(self, document: RenderedDocument) -> RenderedDocument:
        corrected = await self.documents.call(
            self.documents.stub.Correct, doc_pb2.CorrectRequest(msc=document.msc)
        )
        log.warning("rendered sheet was invalid; %d fix(es) applied", len(corrected.fixes))
        return RenderedDocument(
            invoice=document.invoice,
            invoice_proto=document.invoice_proto,
            msc=corrected.msc,
            totals=document.totals,
            validation=corrected.report,
        )

    @staticmethod
    def _save(result: TurnResult, document: RenderedDocument, summary: str) -> None:
        """Keep the turn's document; CommitTurn saves it as a revision with the reply."""
        result.document = document
        result.revision_summary = summary[:200]

    async def _commit(
        self, result: TurnResult, reply: str, key: str, *, title: str | None = None
    ) -> ses_pb2.CommitTurnResponse:
        """Write the turn's outcome in one CommitTurn: the reply, the revision (when the turn
        produced a document), one usage record per LLM call and the title, all or nothing."""
        request = ses_pb2.CommitTurnRequest(
            session_id=result.session_id,
            messages=[ses_pb2.NewMessage(role=ses_pb2.MESSAGE_ROLE_ASSISTANT, content=reply)],
            idempotency_key=key,
            usage=[_usage_record(result.session_id, call) for call in result.usage.calls],
        )
        if result.document is not None:
            document = result.document
            request.revision.CopyFrom(
                ses_pb2.NewRevision(
                    invoice=document.invoice_proto,
                    msc=document.msc,
                    message_id=result.user_message_id,
                    totals=document.totals,
                    summary=result.revision_summary,
                )
            )
        if title is not None:
            request.title = title
        try:
            return await self.sessions.call(self.sessions.stub.CommitTurn, request)
        except (ResourceExhausted, FailedPrecondition):
            # The session is full or no longer active: the reply, and with it the revision,
            # cannot be stored. The LLM calls were made and paid for all the same, so they
            # are recorded on their own (RecordUsage only needs the session to exist).
            try:
                await self._record_usage(result)
            except DomainError as second:
                log.warning(
                    "could not record the usage of a turn whose commit was refused: %s", second.message
                )
            raise

    async def _record_usage(self, result: TurnResult) -> None:
        if not result.usage.calls:
            return
        await asyncio.gather(
            *(
                self.sessions.call(
                    self.sessions.stub.RecordUsage,
                    ses_pb2.RecordUsageRequest(usage=_usage_record(result.session_id, call)),
                )
                for call in result.usage.calls
            )
        )

    async def _fail_detached(self, result: TurnResult, key: str, error: BaseException) -> None:
        """Run `_fail` in a task of its own, with a fresh deadline and shielded from cancellation.

        The failed turn's deadline may be spent (that may be why it failed), and its task may
        be cancelled; the error reply must still be written or the session stays locked
        until the lease runs out.
        """

        async def cleanup() -> None:
            context.bind(timeout=CLEANUP_SECONDS)  # this task's own copy of the context
            await self._fail(result, key, error)

        task = asyncio.create_task(cleanup())
        self._cleanups.add(task)
        task.add_done_callback(self._cleanups.discard)
        await asyncio.shield(task)

    async def _fail(self, result: TurnResult, key: str, error: BaseException) -> None:
        """Keep what the failed turn did: its usage, and a reply saying what happened."""
        if isinstance(error, DomainError):
            what = error.message
        elif isinstance(error, asyncio.CancelledError):
            what = "the request was cancelled or ran out of time before the answer was ready"
        else:
            what = "an internal error"
        # Whatever the turn produced before failing is not saved: only its usage, with the reply.
        result.document = None
        try:
            await self._commit(
                result,
                f"{ERROR_REPLY_PREFIX}{what}. Your message is saved; please try again.",
                f"{key}:error:{uuid.uuid4().hex[:8]}",
            )
        except DomainError as second:
            log.warning("could not save the outcome of a failed turn: %s", second.message)

    # ---- session documents ------------------------------------------------------------

    async def export_document(
        self, session_id: str, file_name: str, revision_number: int
    ) -> doc_pb2.ExportResponse:
        session_id = parse_session_id(session_id)
        export_format = EXPORT_FORMATS.get(file_name)
        if export_format is None:
            raise InvalidArgument(
                f"file_name must be one of {', '.join(sorted(EXPORT_FORMATS))}", field="file_name"
            )
        if revision_number < 0:
            raise InvalidArgument(
                "revision_number must be 0 (latest) or a revision number", field="revision_number"
            )
        if revision_number:
            revision = await self._get_revision(session_id, revision_number)
        else:
            view = await self.sessions.call(
                self.sessions.stub.GetSession, ses_pb2.GetSessionRequest(session_id=session_id)
            )
            if not view.HasField("latest_revision"):
                raise FailedPrecondition("the session has no document yet", reason="NO_DOCUMENT")
            revision = view.latest_revision
        return await self.documents.call(
            self.documents.stub.Export,
            doc_pb2.ExportRequest(
                msc=revision.msc, format=export_format, base_name=_base_name(revision.invoice)
            ),
        )

    async def revert_revision(self, session_id: str, revision_number: int) -> ses_pb2.Revision:
        session_id = parse_session_id(session_id)
        if revision_number < 1:
            raise InvalidArgument("revision_number must be at least 1", field="revision_number")
        earlier = await self._get_revision(session_id, revision_number)
        saved = await self.sessions.call(
            self.sessions.stub.SaveRevision,
            ses_pb2.SaveRevisionRequest(
                session_id=session_id,
                invoice=earlier.invoice,
                msc=earlier.msc,
                totals=earlier.totals,
                summary=f"Reverted to revision {revision_number}",
            ),
        )
        return saved.revision

    # ---- the original app's routes ----------------------------------------------------

    async def app_session(self, session_id: str) -> AppSession:
        view = await self._get_full(parse_session_id(session_id))
        if view.session.HasField("delete_time"):
            # The original app forgets a deleted session (it stays restorable via the v1 API).
            raise NotFound(f"session {view.session.id} not found")
        messages = tuple(
            (_ROLES[m.role], m.content, _utc(m.create_time)) for m in view.messages if m.role in _ROLES
        )
        last_reply = next((content for role, content, _ in reversed(messages) if role == "assistant"), "")
        return AppSession(
            session_id=view.session.id,
            last_reply=last_reply,
            msc=view.latest_revision.msc if view.HasField("latest_revision") else "",
            token_count=view.session.token_count,
            last_activity=_utc(view.session.last_activity_time)
            if view.session.HasField("last_activity_time")
            else _utc(view.session.update_time),
            messages=messages,
        )

    async def delete_session(self, session_id: str) -> int:
        """Soft-deletes the session; returns its token count."""
        session_id = parse_session_id(session_id)
        deleted = await self.sessions.call(
            self.sessions.stub.DeleteSession, ses_pb2.DeleteSessionRequest(session_id=session_id)
        )
        return deleted.session.token_count


def incomplete(invoice: Invoice) -> list[str]:
    """What a finished document still lacks (the schema allows drafts without them)."""
    problems = []
    if not invoice.line_items:
        problems.append("invoice.line_items: at least one line item (description and unit price) is required")
    if invoice.kind != DocumentKind.RECEIPT and not invoice.buyer.name:
        problems.append("invoice.buyer.name: the buyer is required; ask the person if it is unknown")
    return problems


def _question_for(invoice: Invoice, problems: list[str]) -> str:
    """One specific question instead of a guess."""
    if not invoice.buyer.name and invoice.kind != DocumentKind.RECEIPT:
        return "Who is the document for? Please tell me the buyer's name."
    if not invoice.line_items:
        return "What should the document list? Please give at least one item with its price."
    return (
        "I could not build that document: " + "; ".join(problems[:5]) + ". Could you rephrase or correct it?"
    )


def _draft_title(invoice: Invoice) -> str:
    """The session's title once its first document exists, e.g. "Invoice for Acme Corp"."""
    title = invoice.title or invoice.kind.value.replace("_", " ").capitalize()
    if invoice.buyer.name:
        title = f"{title} for {invoice.buyer.name}"
    return title[:TITLE_CHARS]


def _usage_record(session_id: str, call: CallUsage) -> ses_pb2.UsageRecord:
    return ses_pb2.UsageRecord(
        session_id=session_id,
        provider=call.provider,
        model=call.model,
        prompt_tokens=call.prompt_tokens,
        completion_tokens=call.completion_tokens,
        cost_usd=format(call.cost_usd, "f"),
        latency_ms=call.latency_ms,
        estimated=call.estimated,
    )


def _title(message: str) -> str:
    first = " ".join(message.split())
    return first if len(first) <= TITLE_CHARS else first[: TITLE_CHARS - 1] + "…"


def _base_name(invoice: invoice_pb2.Invoice) -> str:
    try:
        kind = from_proto(invoice).kind.value.replace("_", "-")
    except (pydantic.ValidationError, ValueError):
        kind = "document"
    number = re.sub(r"[^A-Za-z0-9._-]+", "-", invoice.number).strip("-.")
    return f"{kind}-{number}"[:100] if number else kind
