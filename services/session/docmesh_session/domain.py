"""Domain records of the session service: what the repository returns and the service rules on."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


class Status(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


class Stage(StrEnum):
    COLLECTING = "collecting"
    DRAFTED = "drafted"
    FINALIZED = "finalized"


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"


class SessionOrder(StrEnum):
    CREATE_DESC = "create_time desc"
    CREATE_ASC = "create_time"
    UPDATE_DESC = "update_time desc"
    UPDATE_ASC = "update_time"


@dataclass(slots=True)
class SessionRecord:
    id: uuid.UUID
    owner_id: str
    title: str
    status: Status
    stage: Stage
    document_kind: str
    metadata: dict[str, str]
    token_count: int
    message_count: int
    latest_revision_number: int
    version: int
    create_time: dt.datetime
    update_time: dt.datetime
    last_activity_time: dt.datetime
    expire_time: dt.datetime
    complete_time: dt.datetime | None = None
    delete_time: dt.datetime | None = None
    # Given once by FinalizeSession; None while the document is a draft.
    document_number: str | None = None
    finalize_time: dt.datetime | None = None


@dataclass(slots=True)
class MessageRecord:
    id: uuid.UUID
    session_id: uuid.UUID
    sequence: int
    role: Role
    content: str
    token_count: int
    create_time: dt.datetime


@dataclass(slots=True, frozen=True)
class NewMessage:
    role: Role
    content: str


@dataclass(slots=True)
class RevisionRecord:
    session_id: uuid.UUID
    number: int
    # The protobuf wire encoding of the docmesh.type.v1.Invoice and InvoiceTotals the session
    # was sent: stored and cached as they are, parsed only into a reply.
    invoice: bytes
    totals: bytes | None
    msc: str
    message_id: str
    summary: str
    create_time: dt.datetime


@dataclass(slots=True)
class NewRevision:
    # Wire encodings, as in RevisionRecord (checked where they entered: revision_input).
    invoice: bytes
    totals: bytes | None
    msc: str
    message_id: str
    summary: str
    # The invoice's own number ("" for none): once the session has a document number, only a
    # revision carrying that number is accepted (a finalized document is not edited).
    document_number: str = ""


@dataclass(slots=True)
class UsageRecord:
    id: uuid.UUID
    session_id: uuid.UUID
    provider: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal
    latency_ms: int
    estimated: bool
    create_time: dt.datetime


@dataclass(slots=True)
class NewUsage:
    session_id: uuid.UUID
    provider: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: Decimal
    latency_ms: int
    estimated: bool


@dataclass(slots=True)
class UsageTotals:
    call_count: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: Decimal = Decimal(0)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(slots=True)
class UsageReport:
    totals: UsageTotals
    by_model: dict[str, UsageTotals] = field(default_factory=dict)


@dataclass(slots=True)
class SessionView:
    """A session with its latest revision: what GetSession returns and Redis caches."""

    session: SessionRecord
    latest_revision: RevisionRecord | None


@dataclass(slots=True)
class AppendResult:
    session: SessionRecord
    messages: list[MessageRecord]
    replayed: bool


@dataclass(slots=True)
class CommitResult:
    """The outcome of one agent turn's commit: an append plus the revision it saved."""

    session: SessionRecord
    messages: list[MessageRecord]
    revision: RevisionRecord | None
    replayed: bool


@dataclass(slots=True, frozen=True)
class SessionFilter:
    status: Status | None = None
    metadata_key: str = ""
    metadata_value: str = ""
    create_time_after: dt.datetime | None = None
    create_time_before: dt.datetime | None = None
    show_deleted: bool = False
    order: SessionOrder = SessionOrder.CREATE_DESC
    document_kind: str | None = None
    stage: Stage | None = None
    # Text the title or the document number contains, case-insensitively ("" for any).
    query: str = ""


@dataclass(slots=True)
class Page(Generic[T]):
    items: list[T]
    next_page_token: str = ""


class AppendOutcome(StrEnum):
    """What became of a change that allocates from the session's counters (an append, a
    turn's commit, a revision)."""

    STORED = "stored"
    REPLAYED = "replayed"
    NOT_FOUND = "not_found"
    DELETED = "deleted"
    INACTIVE = "inactive"
    VERSION_CONFLICT = "version_conflict"
    TOKEN_LIMIT = "token_limit"
    KEY_REUSED = "key_reused"
    # A commit's revision names a message the session does not have.
    UNKNOWN_MESSAGE = "unknown_message"
    # A revision whose invoice number is not the finalized session's document number.
    FINALIZED = "finalized"


@dataclass(slots=True)
class AppendAttempt:
    outcome: AppendOutcome
    result: AppendResult | None = None
    session: SessionRecord | None = None
    # The revision a commit saved (or, replayed, had saved) with the messages.
    revision: RevisionRecord | None = None


@dataclass(slots=True, frozen=True)
class TurnExtras:
    """What a turn's commit writes besides its messages, in the same transaction."""

    revision: NewRevision | None = None
    # The revision's message_id, parsed; it must name a message of the session.
    revision_message_id: uuid.UUID | None = None
    usage: Sequence[NewUsage] = ()
    title: str | None = None
    # The holder whose turn lease the commit frees (None: the lease is left as it is).
    release_lease: str | None = None


@dataclass(slots=True)
class CustomerRecord:
    id: uuid.UUID
    owner_id: str
    # The wire encoding of the docmesh.type.v1.Party, checked where it entered.
    party: bytes
    # The party's name, casefolded: the listing's order and what its query searches.
    sort_name: str
    default_currency_code: str
    default_payment_terms: str
    default_payment_days: int
    create_time: dt.datetime
    update_time: dt.datetime


@dataclass(slots=True, frozen=True)
class TurnLease:
    """Who runs a chat turn on a session, until when (the service's clock)."""

    session_id: uuid.UUID
    holder: str
    expire_time: dt.datetime
