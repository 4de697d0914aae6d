"""SessionStore over the session service's gRPC API."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence

from google.protobuf import field_mask_pb2
from google.protobuf.duration_pb2 import Duration
from google.protobuf.timestamp_pb2 import Timestamp

from docmesh.session.v1 import session_service_pb2 as ses_pb2
from docmesh.session.v1 import session_service_pb2_grpc as ses_grpc
from docmesh_agent.adapters import wire
from docmesh_agent.adapters.profile_grpc import profile_from_wire
from docmesh_agent.domain import (
    Appended,
    Begun,
    Committed,
    Document,
    Message,
    NewSession,
    Revision,
    Role,
    Session,
    SessionView,
    TurnCommit,
    TurnOpening,
)
from docmesh_agent.settings import AgentSettings
from docmesh_agent.usage import CallUsage
from docmesh_common.clients import Upstream
from docmesh_common.model.invoice import DocumentKind, from_proto, kind_from_proto, kind_to_proto

# The session's metadata entry naming the idempotency key of the turn that created it.
TURN_KEY_METADATA = "docmesh.agent.turn_key"
# How many pages of 100 sessions a document number is looked for in (bounds one lookup's cost).
FIND_PAGES = 10
# The session's metadata entry setting its documents' language.
LANGUAGE_METADATA = "language"
# The session's metadata entry naming the seller of a received (imported) document.
RECEIVED_METADATA = "docmesh.agent.received_from"
# The session's metadata entry naming the invoice its credit note corrects (set before the
# credit note is numbered, so every finalized credit note is found by its invoice's number).
CREDITS_METADATA = "docmesh.agent.credits"
# The longest metadata value the session service takes.
MAX_METADATA_VALUE = 512

_ROLES: dict[int, Role] = {
    ses_pb2.MESSAGE_ROLE_USER: "user",
    ses_pb2.MESSAGE_ROLE_ASSISTANT: "assistant",
    ses_pb2.MESSAGE_ROLE_SYSTEM: "system",
}


class GrpcSessionStore:
    def __init__(self, upstream: Upstream[ses_grpc.SessionServiceStub]) -> None:
        self._upstream = upstream

    @classmethod
    def connect(cls, settings: AgentSettings) -> GrpcSessionStore:
        """Over a breaker-protected client of the session service the settings name."""
        return cls(Upstream("session", settings.session_target, ses_grpc.SessionServiceStub, settings))

    async def is_serving(self) -> bool:
        return await self._upstream.is_serving()

    async def close(self) -> None:
        await self._upstream.close()

    @property
    def _stub(self) -> ses_grpc.SessionServiceStub:
        return self._upstream.stub

    async def get(self, session_id: str, *, full: bool = True) -> SessionView:
        view = await self._upstream.call(
            self._stub.GetSession,
            ses_pb2.GetSessionRequest(
                session_id=session_id,
                view=ses_pb2.SESSION_VIEW_FULL if full else ses_pb2.SESSION_VIEW_UNSPECIFIED,
            ),
        )
        return SessionView(
            session=_session(view.session),
            messages=tuple(_message(m) for m in view.messages),
            latest_revision=_revision(view.latest_revision) if view.HasField("latest_revision") else None,
        )

    async def resume(self, session_id: str) -> None:
        await self._upstream.call(
            self._stub.ResumeSession, ses_pb2.ResumeSessionRequest(session_id=session_id)
        )

    async def find_by_turn_key(self, turn_key: str) -> str | None:
        found = await self._upstream.call(
            self._stub.ListSessions,
            ses_pb2.ListSessionsRequest(page_size=1, metadata_key=TURN_KEY_METADATA, metadata_value=turn_key),
        )
        return found.sessions[0].id if found.sessions else None

    async def find_finalized(self, number: str) -> SessionView | None:
        # The listing's query matches titles too and any part of a number ("credit note for
        # INV-2026-0007" names sessions after it): the exact number is picked from the pages.
        # Only a finalized document has a number.
        wanted, token = number.casefold(), ""
        for _ in range(FIND_PAGES):
            found = await self._upstream.call(
                self._stub.ListSessions,
                ses_pb2.ListSessionsRequest(page_size=100, query=number, page_token=token),
            )
            match = next((s for s in found.sessions if s.document_number.casefold() == wanted), None)
            if match is not None:
                return await self.get(match.id, full=False)
            token = found.next_page_token
            if not token:
                break
        return None

    async def find_credit_notes(self, invoice_number: str) -> list[SessionView]:
        # Exact on the marker, whatever the credit note's title; every page, so none is missed
        # (an invoice has a handful of credit notes, not thousands). Only a finalized one has
        # a number (a marked one whose finalizing was refused has none).
        found: list[SessionView] = []
        token = ""
        while True:
            page = await self._upstream.call(
                self._stub.ListSessions,
                ses_pb2.ListSessionsRequest(
                    page_size=100,
                    page_token=token,
                    metadata_key=CREDITS_METADATA,
                    metadata_value=invoice_number,
                ),
            )
            found.extend(
                await asyncio.gather(
                    *(self.get(s.id, full=False) for s in page.sessions if s.document_number)
                )
            )
            token = page.next_page_token
            if not token:
                return found

    async def mark_credit_note(self, session_id: str, invoice_number: str) -> None:
        # UpdateSession replaces the whole map: the session's other entries are sent back.
        current = await self._upstream.call(
            self._stub.GetSession, ses_pb2.GetSessionRequest(session_id=session_id)
        )
        metadata = dict(current.session.metadata)
        if metadata.get(CREDITS_METADATA) == invoice_number:
            return
        metadata[CREDITS_METADATA] = invoice_number
        await self._upstream.call(
            self._stub.UpdateSession,
            ses_pb2.UpdateSessionRequest(
                session=ses_pb2.Session(id=session_id, metadata=metadata),
                update_mask=field_mask_pb2.FieldMask(paths=["metadata"]),
            ),
        )

    async def create(self, new: NewSession) -> SessionView:
        created = await self._upstream.call(
            self._stub.CreateSession, ses_pb2.CreateSessionRequest(session=_new_session(new))
        )
        return SessionView(session=_session(created.session))

    async def begin_turn(self, opening: TurnOpening) -> Begun:
        request = ses_pb2.BeginTurnRequest(
            session_id=opening.session_id,
            content=opening.content,
            idempotency_key=opening.idempotency_key,
            holder=opening.holder,
            lease_duration=_duration(opening.lease_seconds),
            include_profile=opening.include_profile,
            refuse_finalized=opening.refuse_finalized,
            include_customer_names=opening.include_customer_names,
        )
        if opening.new_session is not None:
            request.new_session.CopyFrom(_new_session(opening.new_session))
            if opening.new_session.turn_key:
                request.reuse_metadata_key = TURN_KEY_METADATA
        begun = await self._upstream.call(self._stub.BeginTurn, request)
        view = SessionView(
            session=_session(begun.session),
            messages=tuple(_message(m) for m in begun.messages),
            latest_revision=_revision(begun.latest_revision) if begun.HasField("latest_revision") else None,
        )
        return Begun(
            view=view,
            appended=Appended(message=_message(begun.message), replayed=begun.replayed),
            profile=profile_from_wire(begun.profile) if begun.HasField("profile") else None,
            customer_names=(
                tuple((c.id, c.name) for c in begun.customer_names) if begun.customer_names_complete else None
            ),
        )

    async def append_user_message(
        self, session_id: str, content: str, idempotency_key: str, *, expected_version: int
    ) -> Appended:
        appended = await self._upstream.call(
            self._stub.AppendMessages,
            ses_pb2.AppendMessagesRequest(
                session_id=session_id,
                messages=[ses_pb2.NewMessage(role=ses_pb2.MESSAGE_ROLE_USER, content=content)],
                idempotency_key=idempotency_key,
                expected_version=expected_version,
            ),
        )
        return Appended(message=_message(appended.messages[0]), replayed=appended.replayed)

    async def commit_turn(self, commit: TurnCommit) -> Committed:
        request = ses_pb2.CommitTurnRequest(
            session_id=commit.session_id,
            messages=[ses_pb2.NewMessage(role=ses_pb2.MESSAGE_ROLE_ASSISTANT, content=commit.reply)],
            idempotency_key=commit.idempotency_key,
            usage=[_usage(commit.session_id, call) for call in commit.usage],
            release_turn_lease=commit.release_lease,
        )
        if commit.document is not None:
            request.revision.CopyFrom(
                ses_pb2.NewRevision(
                    invoice=wire.invoice_wire(commit.document),
                    msc=commit.document.msc,
                    message_id=commit.message_id,
                    totals=wire.totals_wire(commit.document),
                    summary=commit.summary,
                )
            )
        if commit.title is not None:
            request.title = commit.title
        committed = await self._upstream.call(self._stub.CommitTurn, request)
        return Committed(
            assistant_message_id=committed.messages[0].id,
            session_token_count=committed.session.token_count,
            revision_number=committed.revision.number if committed.HasField("revision") else 0,
        )

    async def acquire_turn_lease(self, session_id: str, holder: str, seconds: float) -> None:
        await self._upstream.call(
            self._stub.AcquireTurnLease,
            ses_pb2.AcquireTurnLeaseRequest(
                session_id=session_id, holder=holder, lease_duration=_duration(seconds)
            ),
        )

    async def renew_turn_lease(self, session_id: str, holder: str, seconds: float) -> None:
        await self._upstream.call(
            self._stub.RenewTurnLease,
            ses_pb2.RenewTurnLeaseRequest(
                session_id=session_id, holder=holder, lease_duration=_duration(seconds)
            ),
        )

    async def release_turn_lease(self, session_id: str, holder: str) -> None:
        await self._upstream.call(
            self._stub.ReleaseTurnLease, ses_pb2.ReleaseTurnLeaseRequest(session_id=session_id, holder=holder)
        )

    async def record_usage(self, session_id: str, calls: Sequence[CallUsage]) -> None:
        await asyncio.gather(
            *(
                self._upstream.call(
                    self._stub.RecordUsage, ses_pb2.RecordUsageRequest(usage=_usage(session_id, call))
                )
                for call in calls
            )
        )

    async def revision_for_message(self, view: SessionView, message_id: str) -> Revision | None:
        latest = view.latest_revision
        if latest is not None and latest.message_id == message_id:
            return latest
        page = await self._upstream.call(
            self._stub.ListRevisions,
            ses_pb2.ListRevisionsRequest(session_id=view.session.id, page_size=100),
        )
        for listed in page.revisions:
            if listed.message_id == message_id:
                return await self.get_revision(view.session.id, listed.number)
        return None

    async def get_revision(self, session_id: str, number: int) -> Revision:
        got = await self._get_revision(session_id, number)
        return _revision(got)

    async def copy_revision(self, session_id: str, number: int, summary: str) -> Revision:
        # The stored invoice and totals are sent back as they were read: nothing to convert.
        earlier = await self._get_revision(session_id, number)
        saved = await self._upstream.call(
            self._stub.SaveRevision,
            ses_pb2.SaveRevisionRequest(
                session_id=session_id,
                invoice=earlier.invoice,
                msc=earlier.msc,
                totals=earlier.totals,
                summary=summary,
            ),
        )
        return _revision(saved.revision)

    async def set_document_kind(self, session_id: str, kind: DocumentKind) -> None:
        await self._upstream.call(
            self._stub.UpdateSession,
            ses_pb2.UpdateSessionRequest(
                session=ses_pb2.Session(id=session_id, document_kind=kind_to_proto(kind)),
                update_mask=field_mask_pb2.FieldMask(paths=["document_kind"]),
            ),
        )

    async def save_revision(self, session_id: str, document: Document, summary: str) -> Revision:
        saved = await self._upstream.call(
            self._stub.SaveRevision,
            ses_pb2.SaveRevisionRequest(
                session_id=session_id,
                invoice=wire.invoice_wire(document),
                msc=document.msc,
                totals=wire.totals_wire(document),
                summary=summary,
            ),
        )
        return _revision(saved.revision)

    async def finalize(self, session_id: str, numbering_pattern: str, issue_date: dt.date | None) -> Session:
        finalized = await self._upstream.call(
            self._stub.FinalizeSession,
            ses_pb2.FinalizeSessionRequest(
                session_id=session_id,
                numbering_pattern=numbering_pattern,
                issue_date=issue_date.isoformat() if issue_date is not None else "",
            ),
        )
        return _session(finalized.session)

    async def complete(self, session_id: str) -> Session:
        completed = await self._upstream.call(
            self._stub.CompleteSession, ses_pb2.CompleteSessionRequest(session_id=session_id)
        )
        return _session(completed.session)

    async def delete(self, session_id: str) -> int:
        deleted = await self._upstream.call(
            self._stub.DeleteSession, ses_pb2.DeleteSessionRequest(session_id=session_id)
        )
        return deleted.session.token_count

    async def _get_revision(self, session_id: str, number: int) -> ses_pb2.Revision:
        got = await self._upstream.call(
            self._stub.GetRevision, ses_pb2.GetRevisionRequest(session_id=session_id, revision_number=number)
        )
        return got.revision


def _utc(timestamp: Timestamp) -> dt.datetime:
    return timestamp.ToDatetime(tzinfo=dt.UTC)


def _session(session: ses_pb2.Session) -> Session:
    converted = Session(
        id=session.id,
        version=session.version,
        abandoned=session.status == ses_pb2.SESSION_STATUS_ABANDONED,
        deleted=session.HasField("delete_time"),
        document_kind=kind_from_proto(session.document_kind) if session.document_kind else None,
        latest_revision_number=session.latest_revision_number,
        token_count=session.token_count,
        last_activity=_utc(
            session.last_activity_time if session.HasField("last_activity_time") else session.update_time
        ),
        document_number=session.document_number,
        completed=session.status == ses_pb2.SESSION_STATUS_COMPLETED,
        language=session.metadata.get(LANGUAGE_METADATA, ""),
        received_from=session.metadata.get(RECEIVED_METADATA),
    )
    wire.remember_session(converted, session)
    return converted


def _new_session(new: NewSession) -> ses_pb2.Session:
    session = ses_pb2.Session(title=new.title)
    if new.document_kind is not None:
        session.document_kind = kind_to_proto(new.document_kind)
    if new.turn_key:
        session.metadata[TURN_KEY_METADATA] = new.turn_key
    if new.received_from is not None:
        session.metadata[RECEIVED_METADATA] = new.received_from.replace("\0", "")[:MAX_METADATA_VALUE]
    return session


def _duration(seconds: float) -> Duration:
    duration = Duration()
    duration.FromTimedelta(dt.timedelta(seconds=seconds))
    return duration


def _message(message: ses_pb2.Message) -> Message:
    return Message(
        id=message.id,
        role=_ROLES.get(message.role, "system"),
        content=message.content,
        token_count=message.token_count,
        create_time=_utc(message.create_time),
    )


def _revision(revision: ses_pb2.Revision) -> Revision:
    converted = Revision(
        session_id=revision.session_id,
        number=revision.number,
        invoice=from_proto(revision.invoice),
        msc=revision.msc,
        message_id=revision.message_id,
        summary=revision.summary,
        create_time=_utc(revision.create_time) if revision.HasField("create_time") else None,
    )
    wire.remember_revision(converted, revision)
    return converted


def _usage(session_id: str, call: CallUsage) -> ses_pb2.UsageRecord:
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
