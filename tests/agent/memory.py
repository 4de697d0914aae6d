"""In-memory implementations of the agent's ports (SessionStore, DocumentEngine) and a scripted
provider: the turn's rules run against them in milliseconds.

They keep the contract the gRPC services keep for the turn: the version compare-and-set of
an appended message, idempotent writes by key, one revision per committed document, a token
limit, soft deletion (test_ports.py runs the same contract against them and the gRPC
adapters over the real services). They are ports, not infrastructure: the end-to-end tests
run the real services.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from docmesh_agent.domain import (
    Appended,
    Begun,
    Committed,
    Customer,
    Document,
    ExportedFile,
    ExportFormat,
    Finding,
    Letterhead,
    Logo,
    Message,
    NewSession,
    Profile,
    Revision,
    Role,
    Session,
    SessionView,
    TurnCommit,
    TurnOpening,
    Validation,
)
from docmesh_agent.providers.base import DeltaSink, InvalidAnswer, ProviderAnswer, TurnRequest
from docmesh_agent.providers.prompt import invoice_json
from docmesh_agent.usage import CallUsage, TurnUsage
from docmesh_common.errors import (
    Aborted,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
    Unavailable,
)
from docmesh_common.model.invoice import DocumentKind, Invoice, Party


@dataclass
class StoredSession:
    id: str
    title: str
    document_kind: DocumentKind | None
    turn_key: str
    version: int = 1
    abandoned: bool = False
    deleted: bool = False
    messages: list[Message] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    usage: list[CallUsage] = field(default_factory=list)
    # Answers of the keyed writes already made, replayed for a retry.
    appended: dict[str, Message] = field(default_factory=dict)
    committed: dict[str, Committed] = field(default_factory=dict)
    last_activity: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    document_number: str = ""
    completed: bool = False
    language: str = ""
    received_from: str | None = None
    # The invoice number mark_credit_note recorded ("" when none).
    credits: str = ""
    # The turn lease: its holder's token ("" when free) and its expiry.
    lease_holder: str = ""
    lease_until: dt.datetime | None = None
    # How many times a turn's heartbeat renewed the lease.
    lease_renewals: int = 0

    @property
    def token_count(self) -> int:
        return sum(m.token_count for m in self.messages)


def tokens(text: str) -> int:
    return len(text.split())


class MemorySessionStore:
    """A SessionStore in a dict. `now` is the clock of new messages; `max_tokens` the limit of a
    session's messages (a commit beyond it is refused with RESOURCE_EXHAUSTED); `profiles` the
    owner's profile begin_turn returns (share it with the turn's ProfileBook)."""

    def __init__(self, *, max_tokens: int | None = None, profiles: MemoryProfileBook | None = None) -> None:
        self.sessions: dict[str, StoredSession] = {}
        # The owner's profile, as BeginTurn returns it with a first document's turn.
        self.profiles = profiles if profiles is not None else MemoryProfileBook()
        # The owner's customers, whose names BeginTurn returns with a first document's turn
        # (None: it returns none, as for an owner with more than it carries).
        self.customers: MemoryCustomerBook | None = None
        self.max_tokens = max_tokens
        self.now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
        self.calls: list[str] = []
        # The last number given per numbering pattern; `fail_next_save` makes the next
        # save_revision fail (a crash between finalizing steps).
        self.series: dict[str, int] = {}
        self.fail_next_save = False

    def stored(self, session_id: str) -> StoredSession:
        found = self.sessions.get(session_id)
        if found is None:
            raise NotFound(f"session {session_id} not found")
        return found

    def add_message(self, session_id: str, role: Role, content: str, *, age_seconds: float = 0) -> Message:
        """A message written by someone else (another replica, an earlier version)."""
        stored = self.stored(session_id)
        message = Message(
            id=str(uuid.uuid4()),
            role=role,
            content=content,
            token_count=tokens(content),
            create_time=self.now() - dt.timedelta(seconds=age_seconds),
        )
        stored.messages.append(message)
        stored.version += 1
        return message

    async def get(self, session_id: str, *, full: bool = True) -> SessionView:
        self.calls.append("get")
        return await self._view(session_id, full=full)

    async def _view(self, session_id: str, *, full: bool = True) -> SessionView:
        stored = self.stored(session_id)
        view = SessionView(
            session=Session(
                id=stored.id,
                version=stored.version,
                abandoned=stored.abandoned,
                deleted=stored.deleted,
                document_kind=stored.document_kind,
                latest_revision_number=len(stored.revisions),
                token_count=stored.token_count,
                last_activity=stored.last_activity,
                document_number=stored.document_number,
                completed=stored.completed,
                language=stored.language,
                received_from=stored.received_from,
            ),
            messages=tuple(stored.messages) if full else (),
            latest_revision=stored.revisions[-1] if stored.revisions else None,
        )
        # A real store answers after a round trip: turns running at once read the same state.
        await asyncio.sleep(0)
        return view

    async def resume(self, session_id: str) -> None:
        self.calls.append("resume")
        stored = self.stored(session_id)
        stored.abandoned = stored.completed = False

    async def find_by_turn_key(self, turn_key: str) -> str | None:
        return next((s.id for s in self.sessions.values() if s.turn_key == turn_key), None)

    async def find_finalized(self, number: str) -> SessionView | None:
        wanted = number.casefold()
        found = next(
            (
                s
                for s in self.sessions.values()
                if not s.deleted and s.document_number and s.document_number.casefold() == wanted
            ),
            None,
        )
        return None if found is None else await self.get(found.id, full=False)

    async def find_credit_notes(self, invoice_number: str) -> list[SessionView]:
        marked = [
            s.id
            for s in self.sessions.values()
            if not s.deleted and s.document_number and s.credits == invoice_number
        ]
        return [await self.get(session_id, full=False) for session_id in marked]

    async def mark_credit_note(self, session_id: str, invoice_number: str) -> None:
        self.stored(session_id).credits = invoice_number

    async def create(self, new: NewSession) -> SessionView:
        stored = StoredSession(
            id=str(uuid.uuid4()),
            title=new.title,
            # As the session service: an unset kind is stored as an invoice.
            document_kind=new.document_kind or DocumentKind.INVOICE,
            turn_key=new.turn_key,
            received_from=new.received_from,
        )
        self.sessions[stored.id] = stored
        return await self._view(stored.id, full=False)

    async def append_user_message(
        self, session_id: str, content: str, idempotency_key: str, *, expected_version: int
    ) -> Appended:
        self.calls.append("append")
        stored = self.stored(session_id)
        if idempotency_key in stored.appended:
            return Appended(message=stored.appended[idempotency_key], replayed=True)
        if stored.completed:
            raise FailedPrecondition("the session is completed; resume it before appending")
        if stored.version != expected_version:
            raise Aborted("the session changed", reason="VERSION_MISMATCH")
        message = self.add_message(session_id, "user", content)
        stored.appended[idempotency_key] = message
        return Appended(message=message, replayed=False)

    async def begin_turn(self, opening: TurnOpening) -> Begun:
        self.calls.append("begin")
        session_id = opening.session_id
        new = opening.new_session
        if not session_id and new is not None:
            found = await self.find_by_turn_key(new.turn_key) if new.turn_key else None
            session_id = found or (await self.create(new)).session.id
        stored = self.stored(session_id)
        if stored.deleted:
            raise NotFound(f"session {session_id} is deleted; restore it first", reason="SESSION_DELETED")
        if stored.completed or stored.abandoned:
            raise FailedPrecondition(
                "the session is not active; resume it before appending", reason="SESSION_NOT_ACTIVE"
            )
        if opening.refuse_finalized and stored.document_number:
            raise FailedPrecondition("the document is finalized", reason="DOCUMENT_FINALIZED")
        await self.acquire_turn_lease(session_id, opening.holder, opening.lease_seconds)
        if opening.idempotency_key in stored.appended:
            appended = Appended(message=stored.appended[opening.idempotency_key], replayed=True)
        else:
            message = self.add_message(session_id, "user", opening.content)
            stored.appended[opening.idempotency_key] = message
            appended = Appended(message=message, replayed=False)
        view = await self._view(session_id)
        profile = names = None
        if view.latest_revision is None:
            if opening.include_profile:
                profile = await self.profiles.get()
            if opening.include_customer_names and self.customers is not None:
                names = self.customers.names()
        return Begun(view=view, appended=appended, profile=profile, customer_names=names)

    async def commit_turn(self, commit: TurnCommit) -> Committed:
        self.calls.append("commit")
        stored = self.stored(commit.session_id)
        if commit.idempotency_key in stored.committed:
            return stored.committed[commit.idempotency_key]
        if self.max_tokens is not None and stored.token_count + tokens(commit.reply) > self.max_tokens:
            raise ResourceExhausted("the session is full", reason="SESSION_FULL")
        number = 0
        if commit.document is not None:
            number = len(stored.revisions) + 1
            stored.revisions.append(
                Revision(
                    session_id=stored.id,
                    number=number,
                    invoice=commit.document.invoice,
                    msc=commit.document.msc,
                    message_id=commit.message_id,
                    summary=commit.summary,
                    create_time=self.now(),
                )
            )
        if commit.title is not None:
            stored.title = commit.title
        stored.usage.extend(commit.usage)
        if commit.release_lease and stored.lease_holder == commit.release_lease:
            stored.lease_holder, stored.lease_until = "", None
        reply = self.add_message(stored.id, "assistant", commit.reply)
        committed = Committed(
            assistant_message_id=reply.id, session_token_count=stored.token_count, revision_number=number
        )
        stored.committed[commit.idempotency_key] = committed
        return committed

    def hold_lease(self, session_id: str, seconds: float, holder: str = "another-turn") -> None:
        """Another turn (another replica, one that died) holds the session for `seconds`."""
        stored = self.stored(session_id)
        stored.lease_holder, stored.lease_until = holder, self.now() + dt.timedelta(seconds=seconds)

    async def acquire_turn_lease(self, session_id: str, holder: str, seconds: float) -> None:
        stored = self.stored(session_id)
        now = self.now()
        held = stored.lease_holder not in ("", holder) and stored.lease_until is not None
        if held and stored.lease_until is not None and stored.lease_until > now:
            raise Aborted(
                "another turn is still running on this session; wait for its answer and try again",
                reason="TURN_IN_PROGRESS",
                retry_after_seconds=(stored.lease_until - now).total_seconds(),
            )
        stored.lease_holder, stored.lease_until = holder, now + dt.timedelta(seconds=seconds)

    async def renew_turn_lease(self, session_id: str, holder: str, seconds: float) -> None:
        stored = self.stored(session_id)
        if stored.lease_holder != holder:
            raise Aborted("this turn no longer holds the session", reason="TURN_LEASE_LOST")
        stored.lease_until = self.now() + dt.timedelta(seconds=seconds)
        stored.lease_renewals += 1

    async def release_turn_lease(self, session_id: str, holder: str) -> None:
        self.calls.append("release")
        stored = self.stored(session_id)
        if stored.lease_holder == holder:
            stored.lease_holder, stored.lease_until = "", None

    async def record_usage(self, session_id: str, calls: Sequence[CallUsage]) -> None:
        self.stored(session_id).usage.extend(calls)

    async def revision_for_message(self, view: SessionView, message_id: str) -> Revision | None:
        stored = self.stored(view.session.id)
        return next((r for r in stored.revisions if r.message_id == message_id), None)

    async def get_revision(self, session_id: str, number: int) -> Revision:
        revisions = self.stored(session_id).revisions
        if not 1 <= number <= len(revisions):
            raise NotFound(f"revision {number} not found")
        return revisions[number - 1]

    async def copy_revision(self, session_id: str, number: int, summary: str) -> Revision:
        stored = self.stored(session_id)
        earlier = await self.get_revision(session_id, number)
        copy = replace(earlier, number=len(stored.revisions) + 1, summary=summary, message_id="")
        stored.revisions.append(copy)
        return copy

    async def set_document_kind(self, session_id: str, kind: DocumentKind) -> None:
        stored = self.stored(session_id)
        stored.document_kind = kind
        stored.version += 1

    async def save_revision(self, session_id: str, document: Document, summary: str) -> Revision:
        stored = self.stored(session_id)
        if self.fail_next_save:
            self.fail_next_save = False
            raise Unavailable("the session service went away")
        revision = Revision(
            session_id=session_id,
            number=len(stored.revisions) + 1,
            invoice=document.invoice,
            msc=document.msc,
            message_id="",
            summary=summary,
        )
        stored.revisions.append(revision)
        return revision

    async def finalize(self, session_id: str, numbering_pattern: str, issue_date: dt.date | None) -> Session:
        """A gap-free series per pattern: "{YYYY}" and "{seq:04}" only, as the tests use them."""
        self.calls.append("finalize")
        stored = self.stored(session_id)
        if not stored.revisions:
            raise FailedPrecondition("the session has no document to finalize", reason="NO_DOCUMENT")
        if not stored.document_number:
            self.series[numbering_pattern] = self.series.get(numbering_pattern, 0) + 1
            year = (issue_date or dt.datetime.now(dt.UTC).date()).year
            stored.document_number = numbering_pattern.replace("{YYYY}", str(year)).replace(
                "{seq:04}", f"{self.series[numbering_pattern]:04}"
            )
        return (await self.get(session_id, full=False)).session

    async def complete(self, session_id: str) -> Session:
        self.calls.append("complete")
        self.stored(session_id).completed = True
        return (await self.get(session_id, full=False)).session

    async def delete(self, session_id: str) -> int:
        stored = self.stored(session_id)
        stored.deleted = True
        return stored.token_count


class MemoryDocumentEngine:
    """A DocumentEngine that 'renders' an invoice to its JSON. `refuse` makes render refuse
    those fields; `invalid_sheets` makes the next renders' sheets invalid, and `uncorrectable`
    keeps them invalid after correction."""

    def __init__(self) -> None:
        self.refuse: dict[str, str] = {}
        self.invalid_sheets = 0
        self.uncorrectable = False
        self.rendered: list[Invoice] = []
        self.corrected = 0
        # What each export was asked: format, invoice, letterhead, language.
        self.exports: list[tuple[ExportFormat, Invoice | None, Letterhead | None, str]] = []

    async def render(self, invoice: Invoice) -> Document:
        self.rendered.append(invoice)
        if self.refuse:
            raise InvalidArgument("the document service refused the invoice", violations=dict(self.refuse))
        valid = self.invalid_sheets == 0
        self.invalid_sheets = max(0, self.invalid_sheets - 1)
        return Document(
            invoice=invoice, msc=f"socialcalc:{invoice_json(invoice)}", validation=_verdict(valid)
        )

    async def correct(self, document: Document) -> Document:
        self.corrected += 1
        return replace(document, validation=_verdict(not self.uncorrectable))

    async def validate(self, msc: str) -> Validation:
        return _verdict(True)

    async def export(
        self,
        msc: str,
        export_format: ExportFormat,
        base_name: str,
        *,
        invoice: Invoice | None = None,
        letterhead: Letterhead | None = None,
        language: str = "",
        profile: str = "",
    ) -> ExportedFile:
        self.exports.append((export_format, invoice, letterhead, language))
        return ExportedFile(
            content=msc.encode(), content_type="text/plain", file_name=f"{base_name}.{export_format}"
        )


def _verdict(valid: bool) -> Validation:
    if valid:
        return Validation(valid=True)
    return Validation(
        valid=False,
        error_count=1,
        findings=(Finding(severity="error", message="total is stale", cell="D11"),),
    )


Step = ProviderAnswer | InvalidAnswer | Exception | asyncio.Event


class ScriptedProvider:
    """A Provider answering from a script, one step per ask; an asyncio.Event step waits for
    the event and then answers with the next step. Every ask is one recorded call."""

    name = "scripted"
    model = "scripted-model"

    def __init__(self, *steps: Step, can_fix: bool = True) -> None:
        self.script: list[Step] = list(steps)
        self.can_fix = can_fix
        self.requests: list[TurnRequest] = []
        # Set while an ask waits on an asyncio.Event step.
        self.waiting = asyncio.Event()

    def push(self, *steps: Step) -> None:
        self.script.extend(steps)

    async def answer(
        self,
        request: TurnRequest,
        usage: TurnUsage,
        *,
        on_delta: DeltaSink | None = None,
        deadline: float | None = None,
    ) -> ProviderAnswer:
        self.requests.append(request)
        usage.add(
            CallUsage(
                provider=self.name,
                model=self.model,
                prompt_tokens=100,
                completion_tokens=20,
                cost_usd=Decimal("0.001"),
                latency_ms=5,
                estimated=False,
            )
        )
        step = self.script.pop(0)
        if isinstance(step, asyncio.Event):
            self.waiting.set()
            await step.wait()
            step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        if on_delta is not None:
            for word in step.reply.split(" "):
                await on_delta(word + " ")
        return step

    async def close(self) -> None:
        return None


class MemoryProfileBook:
    """A ProfileBook holding one owner's profile and logo."""

    def __init__(self, profile: Profile | None = None, logo: Logo | None = None) -> None:
        self.profile = profile if profile is not None else Profile()
        self.stored_logo = logo

    async def get(self) -> Profile:
        return self.profile

    async def logo(self) -> Logo | None:
        return self.stored_logo


class MemoryCustomerBook:
    """A CustomerBook in a list; a name matches a customer whose name it equals ignoring case.
    `calls` names the reads made (match, get)."""

    def __init__(self, *customers: Customer) -> None:
        self.customers = [c if c.id else replace(c, id=str(uuid.uuid4())) for c in customers]
        self.calls: list[str] = []

    async def match(self, name: str) -> Customer | None:
        self.calls.append("match")
        return next((c for c in self.customers if c.party.name.lower() == name.strip().lower()), None)

    async def get(self, customer_id: str) -> Customer:
        self.calls.append("get")
        found = next((c for c in self.customers if c.id == customer_id), None)
        if found is None:
            raise NotFound(f"customer {customer_id} not found")
        return found

    def names(self) -> tuple[tuple[str, str], ...]:
        """Every customer's id and name as BeginTurn returns them (the session's sort name)."""
        return tuple((c.id, c.party.name.strip().casefold()) for c in self.customers)

    async def create(self, customer: Customer) -> Customer:
        created = replace(customer, id=str(uuid.uuid4()))
        self.customers.append(created)
        return created

    async def update_party(self, customer_id: str, party: Party) -> Customer:
        index = next(i for i, c in enumerate(self.customers) if c.id == customer_id)
        self.customers[index] = replace(self.customers[index], party=party)
        return self.customers[index]
