"""Tables of the session service: one SQLAlchemy 2 model for PostgreSQL and SQLite.

`sessions` and their `messages`; `idempotency_keys` (one per idempotent append or turn
commit); `document_revisions` (each revision of a session's invoice); `llm_usage` (one row
per LLM call); `document_counters` (the last number of each of an owner's document series);
`profiles` and `logos` (an owner's business profile and its logo); `customers`; `turn_leases`
(who runs a chat turn on a session).

Alembic migrations in `docmesh_session/alembic/versions` create exactly these tables; keep
both in step.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL keeps the zone (timestamptz); SQLite keeps none, so values are normalised to
    UTC on the way in and get their zone back on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; docmesh stores timezone-aware UTC only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# JSONB on PostgreSQL (indexable, compact), JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    stage: Mapped[str] = mapped_column(String(16), nullable=False)
    document_kind: Mapped[str] = mapped_column(String(32), nullable=False)
    # `metadata` is reserved by SQLAlchemy's declarative base, hence `labels`.
    labels: Mapped[dict[str, Any]] = mapped_column("metadata", JSONType, nullable=False, default=dict)
    token_count: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    message_count: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    latest_revision_number: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=1)
    create_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    update_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    last_activity_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    expire_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    complete_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    delete_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Given once by FinalizeSession (see DocumentCounterRow); None for a draft.
    document_number: Mapped[str | None] = mapped_column(String(64), nullable=True)
    finalize_time: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, nullable=True)

    __table_args__ = (
        # The backstop of gap-free numbering: one number names one document of an owner.
        Index("uq_sessions_owner_document_number", "owner_id", "document_number", unique=True),
        # ListSessions: owner + keyset on (create_time, id) or (update_time, id).
        Index("ix_sessions_owner_create", "owner_id", "create_time", "id"),
        Index("ix_sessions_owner_update", "owner_id", "update_time", "id"),
        # Sweeper: active sessions by expiry; soft-deleted sessions by delete time.
        Index("ix_sessions_status_expire", "status", "expire_time"),
        Index("ix_sessions_delete_time", "delete_time"),
    )


class MessageRow(Base):
    __tablename__ = "messages"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False
    )
    sequence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    token_count: Mapped[int] = mapped_column(Integer, nullable=False)
    create_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    # The append request that wrote it (see IdempotencyKeyRow); kept for auditing.
    idempotency_key: Mapped[str | None] = mapped_column(String(128), nullable=True)

    __table_args__ = (UniqueConstraint("session_id", "sequence", name="uq_messages_session_sequence"),)


class IdempotencyKeyRow(Base):
    """One idempotent append: the key is unique per session and names the messages it wrote."""

    __tablename__ = "idempotency_keys"

    session_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    idempotency_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    first_sequence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    message_count: Mapped[int] = mapped_column(Integer, nullable=False)
    # Digest of the request's messages: a key reused for different messages is refused.
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    create_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    # The revision a CommitTurn saved with these messages (its retry returns it); None otherwise.
    revision_number: Mapped[int | None] = mapped_column(Integer, nullable=True)


class RevisionRow(Base):
    """A revision of the session's document."""

    __tablename__ = "document_revisions"

    session_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The protobuf wire encoding of the docmesh.type.v1.Invoice / InvoiceTotals the session was
    # sent, kept as it came: the session never looks inside (see revision_input.py).
    invoice: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    totals: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    msc: Mapped[str] = mapped_column(Text, nullable=False)
    message_id: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    summary: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    create_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class DocumentCounterRow(Base):
    """The last number given in one of an owner's series (e.g. "INV-2026-"): incremented in the
    transaction that stores the number on the session, so numbers are gap-free and unique."""

    __tablename__ = "document_counters"

    owner_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    series_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, nullable=False)


class ProfileRow(Base):
    """An owner's business profile: the protobuf wire encoding of docmesh.session.v1.Profile
    (without the logo, which has a table of its own so this often-read row stays small)."""

    __tablename__ = "profiles"

    owner_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    profile: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    update_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class LogoRow(Base):
    """An owner's logo image, checked where it entered (logo_input.py)."""

    __tablename__ = "logos"

    owner_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32), nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    update_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class CustomerRow(Base):
    """One of an owner's customers: its party as protobuf wire bytes (docmesh.type.v1.Party,
    checked where it entered) and its name folded for ordering and search."""

    __tablename__ = "customers"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    owner_id: Mapped[str] = mapped_column(String(128), nullable=False)
    # party.name casefolded: ListCustomers orders and searches by it.
    sort_name: Mapped[str] = mapped_column(String(200), nullable=False)
    party: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    default_currency_code: Mapped[str] = mapped_column(String(3), nullable=False, default="")
    default_payment_terms: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    default_payment_days: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    create_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    update_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (Index("ix_customers_owner_name", "owner_id", "sort_name", "id"),)


class TurnLeaseRow(Base):
    """Who runs a chat turn on a session, until when (repository/leases.py). Its own table: no
    change to the session's fields can overwrite it, and a turn's renewals leave the session's
    version alone."""

    __tablename__ = "turn_leases"

    session_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    holder: Mapped[str] = mapped_column(String(64), nullable=False)
    expire_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class UsageRow(Base):
    """What one LLM call cost."""

    __tablename__ = "llm_usage"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False
    )
    # Denormalised from the session so per-owner totals need no join.
    owner_id: Mapped[str] = mapped_column(String(128), nullable=False)
    provider: Mapped[str] = mapped_column(String(64), nullable=False)
    model: Mapped[str] = mapped_column(String(128), nullable=False)
    prompt_tokens: Mapped[int] = mapped_column(BigInteger, nullable=False)
    completion_tokens: Mapped[int] = mapped_column(BigInteger, nullable=False)
    cost_usd: Mapped[Decimal] = mapped_column(Numeric(20, 10), nullable=False)
    latency_ms: Mapped[int] = mapped_column(BigInteger, nullable=False)
    estimated: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    create_time: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)

    __table_args__ = (
        Index("ix_usage_session", "session_id", "model"),
        Index("ix_usage_owner", "owner_id", "model"),
    )


# Core handles of the tables: the repository's queries are Core statements (no ORM identity
# map or unit of work on the hot paths).
SESSIONS = cast(Table, SessionRow.__table__)
MESSAGES = cast(Table, MessageRow.__table__)
IDEMPOTENCY_KEYS = cast(Table, IdempotencyKeyRow.__table__)
REVISIONS = cast(Table, RevisionRow.__table__)
USAGE = cast(Table, UsageRow.__table__)
DOCUMENT_COUNTERS = cast(Table, DocumentCounterRow.__table__)
PROFILES = cast(Table, ProfileRow.__table__)
LOGOS = cast(Table, LogoRow.__table__)
CUSTOMERS = cast(Table, CustomerRow.__table__)
TURN_LEASES = cast(Table, TurnLeaseRow.__table__)
