"""SessionService over gRPC: proto messages in, domain values to the service, protos out.

Nothing here decides anything; it only converts, and rejects values that cannot be
converted (bad UUIDs, unknown enum numbers) with INVALID_ARGUMENT naming the field.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import grpc
from google.protobuf import duration_pb2, timestamp_pb2

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh.session.v1 import session_service_pb2_grpc
from docmesh.type.v1 import invoice_pb2
from docmesh_common.context import owner_id as context_owner_id
from docmesh_common.errors import InvalidArgument
from docmesh_common.model.invoice import DocumentKind, kind_from_proto, kind_to_proto
from docmesh_session.domain import (
    MessageRecord,
    NewMessage,
    NewRevision,
    NewUsage,
    RevisionRecord,
    Role,
    SessionFilter,
    SessionOrder,
    SessionRecord,
    Stage,
    Status,
    TurnLease,
    UsageRecord,
    UsageTotals,
)
from docmesh_session.profile_output import profile_reply
from docmesh_session.revision_input import accept_invoice, accept_totals
from docmesh_session.service import SessionChanges, SessionService
from docmesh_session.service.turns import NewTurnSession, TurnRequest
from docmesh_session.validation import parse_uuid, validate_owner

_STATUS_TO_PROTO = {
    Status.ACTIVE: pb.SESSION_STATUS_ACTIVE,
    Status.COMPLETED: pb.SESSION_STATUS_COMPLETED,
    Status.ABANDONED: pb.SESSION_STATUS_ABANDONED,
}
_STATUS_FROM_PROTO = {v: k for k, v in _STATUS_TO_PROTO.items()}
_STAGE_TO_PROTO = {
    Stage.COLLECTING: pb.SESSION_STAGE_COLLECTING,
    Stage.DRAFTED: pb.SESSION_STAGE_DRAFTED,
    Stage.FINALIZED: pb.SESSION_STAGE_FINALIZED,
}
_STAGE_FROM_PROTO = {
    **{v: k for k, v in _STAGE_TO_PROTO.items()},
    pb.SESSION_STAGE_UNSPECIFIED: Stage.COLLECTING,
}
_ROLE_TO_PROTO = {
    Role.USER: pb.MESSAGE_ROLE_USER,
    Role.ASSISTANT: pb.MESSAGE_ROLE_ASSISTANT,
    Role.SYSTEM: pb.MESSAGE_ROLE_SYSTEM,
}
_ROLE_FROM_PROTO = {v: k for k, v in _ROLE_TO_PROTO.items()}
_KNOWN_KINDS = frozenset(invoice_pb2.DocumentKind.values())
# `EnumTypeWrapper.values()` builds a new list on every call.
_KNOWN_VIEWS = frozenset(pb.SessionView.values())
_ORDERS = {order.value: order for order in SessionOrder}


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _ts(value: dt.datetime | None) -> timestamp_pb2.Timestamp | None:
    # Timestamp.FromDatetime is pure Python and showed up in GetSession profiles; the
    # timedelta arithmetic is exact (microseconds) and several times cheaper.
    if value is None:
        return None
    since = value - _EPOCH
    return timestamp_pb2.Timestamp(
        seconds=since.days * 86_400 + since.seconds, nanos=since.microseconds * 1000
    )


def _from_ts(message: Any, field: str) -> dt.datetime | None:
    if not message.HasField(field):
        return None
    stamp: timestamp_pb2.Timestamp = getattr(message, field)
    try:
        return stamp.ToDatetime(tzinfo=dt.UTC)
    except (ValueError, OverflowError):
        raise InvalidArgument(f"{field} is not a valid timestamp", field=field) from None


def _status(value: int, field: str, *, allow_unspecified: bool) -> Status | None:
    if value == pb.SESSION_STATUS_UNSPECIFIED and allow_unspecified:
        return None
    if value not in _STATUS_FROM_PROTO:
        raise InvalidArgument(f"{field} has no known value {value}", field=field)
    return _STATUS_FROM_PROTO[value]  # type: ignore[index]


def _stage(value: int, field: str) -> Stage:
    if value not in _STAGE_FROM_PROTO:
        raise InvalidArgument(f"{field} has no known value {value}", field=field)
    return _STAGE_FROM_PROTO[value]  # type: ignore[index]


def _kind(value: int, field: str) -> str:
    if value not in _KNOWN_KINDS:
        raise InvalidArgument(f"{field} has no known value {value}", field=field)
    return kind_from_proto(value).value


def session_to_proto(s: SessionRecord) -> pb.Session:
    return pb.Session(
        id=str(s.id),
        owner_id=s.owner_id,
        title=s.title,
        status=_STATUS_TO_PROTO[s.status],
        metadata=s.metadata,
        document_kind=kind_to_proto(DocumentKind(s.document_kind)),
        stage=_STAGE_TO_PROTO[s.stage],
        token_count=s.token_count,
        version=s.version,
        message_count=s.message_count,
        latest_revision_number=s.latest_revision_number,
        create_time=_ts(s.create_time),
        update_time=_ts(s.update_time),
        last_activity_time=_ts(s.last_activity_time),
        expire_time=_ts(s.expire_time),
        complete_time=_ts(s.complete_time),
        delete_time=_ts(s.delete_time),
        document_number=s.document_number or "",
        finalize_time=_ts(s.finalize_time),
    )


def message_to_proto(m: MessageRecord) -> pb.Message:
    return pb.Message(
        id=str(m.id),
        session_id=str(m.session_id),
        sequence=m.sequence,
        role=_ROLE_TO_PROTO[m.role],
        content=m.content,
        token_count=m.token_count,
        create_time=_ts(m.create_time),
    )


def revision_to_proto(
    r: RevisionRecord, sent: pb.SaveRevisionRequest | pb.NewRevision | None = None
) -> pb.Revision:
    """The revision as a reply; its invoice and totals parsed once from their stored wire
    bytes, or, for the revision a request has just saved (`sent`), copied from the request's
    own messages, which hold the same."""
    out = pb.Revision(
        session_id=str(r.session_id),
        number=r.number,
        msc=r.msc,
        message_id=r.message_id,
        summary=r.summary,
        create_time=_ts(r.create_time),
    )
    if sent is not None:
        out.invoice.CopyFrom(sent.invoice)
        if sent.HasField("totals"):
            out.totals.CopyFrom(sent.totals)
        return out
    out.invoice.MergeFromString(r.invoice)
    if r.totals is not None:
        out.totals.MergeFromString(r.totals)
    return out


def usage_to_proto(u: UsageRecord) -> pb.UsageRecord:
    return pb.UsageRecord(
        id=str(u.id),
        session_id=str(u.session_id),
        provider=u.provider,
        model=u.model,
        prompt_tokens=u.prompt_tokens,
        completion_tokens=u.completion_tokens,
        cost_usd=_decimal_text(u.cost_usd),
        latency_ms=u.latency_ms,
        estimated=u.estimated,
        create_time=_ts(u.create_time),
    )


def totals_to_proto(t: UsageTotals) -> pb.UsageTotals:
    return pb.UsageTotals(
        call_count=t.call_count,
        prompt_tokens=t.prompt_tokens,
        completion_tokens=t.completion_tokens,
        total_tokens=t.total_tokens,
        cost_usd=_decimal_text(t.cost_usd),
    )


def _decimal_text(value: Decimal) -> str:
    """Plain notation without trailing zeros: "0.000375", "12", never "3.75E-4"."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def owner_id() -> str:
    """The caller from x-owner-id (UNAUTHENTICATED when missing), checked for size."""
    return validate_owner(context_owner_id())


def _duration(value: duration_pb2.Duration) -> dt.timedelta:
    return dt.timedelta(seconds=value.seconds, microseconds=value.nanos // 1000)


def lease_to_proto(lease: TurnLease) -> pb.TurnLease:
    return pb.TurnLease(
        session_id=str(lease.session_id), holder=lease.holder, expire_time=_ts(lease.expire_time)
    )


def _metadata(values: Mapping[str, str]) -> dict[str, str]:
    return dict(values)


def _new_messages(messages: Sequence[pb.NewMessage]) -> list[NewMessage]:
    converted = []
    for i, message in enumerate(messages):
        if message.role not in _ROLE_FROM_PROTO:
            raise InvalidArgument(
                f"messages[{i}].role must be user, assistant or system", field=f"messages[{i}].role"
            )
        converted.append(NewMessage(role=_ROLE_FROM_PROTO[message.role], content=message.content))
    return converted


def _new_revision(revision: pb.SaveRevisionRequest | pb.NewRevision, prefix: str) -> NewRevision:
    """The revision fields of SaveRevisionRequest or of a NewRevision; field names in errors
    are prefixed with `prefix`."""
    if not revision.HasField("invoice"):
        raise InvalidArgument(f"{prefix}invoice is required", field=f"{prefix}invoice")
    return NewRevision(
        invoice=accept_invoice(revision.invoice, f"{prefix}invoice"),
        totals=accept_totals(revision.totals, f"{prefix}totals") if revision.HasField("totals") else None,
        msc=revision.msc,
        message_id=revision.message_id,
        summary=revision.summary,
        document_number=revision.invoice.number,
    )


def _new_usage(u: pb.UsageRecord, session_id: uuid.UUID, field: str) -> NewUsage:
    try:
        cost = Decimal(u.cost_usd or "0")
    except InvalidOperation:
        raise InvalidArgument(
            f"{field}.cost_usd must be a decimal string", field=f"{field}.cost_usd"
        ) from None
    if not cost.is_finite():
        raise InvalidArgument(f"{field}.cost_usd must be a finite decimal", field=f"{field}.cost_usd")
    return NewUsage(
        session_id=session_id,
        provider=u.provider,
        model=u.model,
        prompt_tokens=u.prompt_tokens,
        completion_tokens=u.completion_tokens,
        cost_usd=cost,
        latency_ms=u.latency_ms,
        estimated=u.estimated,
    )


class SessionServicer(session_service_pb2_grpc.SessionServiceServicer):
    def __init__(self, service: SessionService) -> None:
        self.service = service

    async def CreateSession(
        self, request: pb.CreateSessionRequest, context: grpc.aio.ServicerContext
    ) -> pb.CreateSessionResponse:
        s = request.session
        created = await self.service.sessions.create(
            owner_id(),
            title=s.title,
            metadata=_metadata(s.metadata),
            document_kind=_kind(s.document_kind, "session.document_kind"),
        )
        return pb.CreateSessionResponse(session=session_to_proto(created))

    async def GetSession(
        self, request: pb.GetSessionRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetSessionResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        if request.view not in _KNOWN_VIEWS:
            raise InvalidArgument(f"view has no known value {request.view}", field="view")
        full = request.view == pb.SESSION_VIEW_FULL
        view, messages = await self.service.sessions.get(owner_id(), session_id, with_messages=full)
        response = pb.GetSessionResponse(
            session=session_to_proto(view.session), messages=[message_to_proto(m) for m in messages]
        )
        if view.latest_revision is not None:
            response.latest_revision.CopyFrom(revision_to_proto(view.latest_revision))
        return response

    async def ListSessions(
        self, request: pb.ListSessionsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListSessionsResponse:
        order_text = " ".join(request.order_by.split()).lower() or SessionOrder.CREATE_DESC.value
        if order_text.endswith(" asc"):
            order_text = order_text.removesuffix(" asc")
        if order_text not in _ORDERS:
            raise InvalidArgument(
                f"order_by must be one of {', '.join(repr(o) for o in _ORDERS)}", field="order_by"
            )
        filters = SessionFilter(
            status=_status(request.status, "status", allow_unspecified=True),
            metadata_key=request.metadata_key,
            metadata_value=request.metadata_value,
            create_time_after=_from_ts(request, "create_time_after"),
            create_time_before=_from_ts(request, "create_time_before"),
            show_deleted=request.show_deleted,
            order=_ORDERS[order_text],
            document_kind=_kind(request.document_kind, "document_kind")
            if request.document_kind != invoice_pb2.DOCUMENT_KIND_UNSPECIFIED
            else None,
            stage=_stage(request.stage, "stage") if request.stage != pb.SESSION_STAGE_UNSPECIFIED else None,
            query=request.query.strip(),
        )
        page = await self.service.sessions.list(
            owner_id(), filters, size=request.page_size, token=request.page_token
        )
        return pb.ListSessionsResponse(
            sessions=[session_to_proto(s) for s in page.items], next_page_token=page.next_page_token
        )

    async def UpdateSession(
        self, request: pb.UpdateSessionRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpdateSessionResponse:
        session_id = parse_uuid(request.session.id, "session.id")
        fields = frozenset(request.update_mask.paths)
        s = request.session
        changes = SessionChanges(
            fields=fields,
            title=s.title,
            metadata=_metadata(s.metadata),
            status=_status(s.status, "session.status", allow_unspecified=True)
            if "status" in fields
            else None,
            document_kind=_kind(s.document_kind, "session.document_kind")
            if "document_kind" in fields
            else "",
            stage=_stage(s.stage, "session.stage") if "stage" in fields else None,
        )
        updated = await self.service.sessions.update(owner_id(), session_id, changes)
        return pb.UpdateSessionResponse(session=session_to_proto(updated))

    async def DeleteSession(
        self, request: pb.DeleteSessionRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteSessionResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        deleted = await self.service.sessions.delete(owner_id(), session_id, hard=request.hard)
        if deleted is None:
            return pb.DeleteSessionResponse()
        return pb.DeleteSessionResponse(session=session_to_proto(deleted))

    async def RestoreSession(
        self, request: pb.RestoreSessionRequest, context: grpc.aio.ServicerContext
    ) -> pb.RestoreSessionResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        restored = await self.service.sessions.restore(owner_id(), session_id)
        return pb.RestoreSessionResponse(session=session_to_proto(restored))

    async def AppendMessages(
        self, request: pb.AppendMessagesRequest, context: grpc.aio.ServicerContext
    ) -> pb.AppendMessagesResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        result = await self.service.messages.append(
            owner_id(),
            session_id,
            _new_messages(request.messages),
            idempotency_key=request.idempotency_key,
            expected_version=request.expected_version if request.HasField("expected_version") else None,
        )
        return pb.AppendMessagesResponse(
            session=session_to_proto(result.session),
            messages=[message_to_proto(m) for m in result.messages],
            replayed=result.replayed,
        )

    async def ListMessages(
        self, request: pb.ListMessagesRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListMessagesResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        page = await self.service.messages.list(
            owner_id(), session_id, size=request.page_size, token=request.page_token
        )
        return pb.ListMessagesResponse(
            messages=[message_to_proto(m) for m in page.items], next_page_token=page.next_page_token
        )

    async def SaveRevision(
        self, request: pb.SaveRevisionRequest, context: grpc.aio.ServicerContext
    ) -> pb.SaveRevisionResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        saved = await self.service.revisions.save(owner_id(), session_id, _new_revision(request, ""))
        return pb.SaveRevisionResponse(revision=revision_to_proto(saved, request))

    async def GetRevision(
        self, request: pb.GetRevisionRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetRevisionResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        found = await self.service.revisions.get(owner_id(), session_id, request.revision_number)
        return pb.GetRevisionResponse(revision=revision_to_proto(found))

    async def ListRevisions(
        self, request: pb.ListRevisionsRequest, context: grpc.aio.ServicerContext
    ) -> pb.ListRevisionsResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        page = await self.service.revisions.list(
            owner_id(), session_id, size=request.page_size, token=request.page_token
        )
        return pb.ListRevisionsResponse(
            revisions=[revision_to_proto(r) for r in page.items], next_page_token=page.next_page_token
        )

    async def RecordUsage(
        self, request: pb.RecordUsageRequest, context: grpc.aio.ServicerContext
    ) -> pb.RecordUsageResponse:
        session_id = parse_uuid(request.usage.session_id, "usage.session_id")
        stored = await self.service.usage.record(owner_id(), _new_usage(request.usage, session_id, "usage"))
        return pb.RecordUsageResponse(usage=usage_to_proto(stored))

    async def CommitTurn(
        self, request: pb.CommitTurnRequest, context: grpc.aio.ServicerContext
    ) -> pb.CommitTurnResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        usage = []
        for i, u in enumerate(request.usage):
            field = f"usage[{i}]"
            if u.session_id and parse_uuid(u.session_id, f"{field}.session_id") != session_id:
                raise InvalidArgument(
                    f"{field}.session_id must be empty or the request's session_id",
                    field=f"{field}.session_id",
                )
            usage.append(_new_usage(u, session_id, field))
        result = await self.service.messages.commit_turn(
            owner_id(),
            session_id,
            _new_messages(request.messages),
            idempotency_key=request.idempotency_key,
            revision=_new_revision(request.revision, "revision.") if request.HasField("revision") else None,
            usage=usage,
            title=request.title if request.HasField("title") else None,
            release_lease=request.release_turn_lease or None,
        )
        revision = None
        if result.revision is not None:
            # A replay returns the revision its first attempt saved, from the database.
            sent = None if result.replayed else request.revision
            revision = revision_to_proto(result.revision, sent)
        return pb.CommitTurnResponse(
            session=session_to_proto(result.session),
            messages=[message_to_proto(m) for m in result.messages],
            revision=revision,
            replayed=result.replayed,
        )

    async def GetUsage(
        self, request: pb.GetUsageRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetUsageResponse:
        session_id = parse_uuid(request.session_id, "session_id") if request.session_id else None
        report = await self.service.usage.report(owner_id(), session_id)
        return pb.GetUsageResponse(
            totals=totals_to_proto(report.totals),
            by_model=[pb.ModelUsage(model=m, totals=totals_to_proto(t)) for m, t in report.by_model.items()],
        )

    async def CompleteSession(
        self, request: pb.CompleteSessionRequest, context: grpc.aio.ServicerContext
    ) -> pb.CompleteSessionResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        done = await self.service.sessions.complete(owner_id(), session_id)
        return pb.CompleteSessionResponse(session=session_to_proto(done))

    async def FinalizeSession(
        self, request: pb.FinalizeSessionRequest, context: grpc.aio.ServicerContext
    ) -> pb.FinalizeSessionResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        done = await self.service.numbering.finalize(
            owner_id(), session_id, request.numbering_pattern, request.issue_date
        )
        return pb.FinalizeSessionResponse(
            session=session_to_proto(done.session), newly_numbered=done.newly_numbered
        )

    async def ResumeSession(
        self, request: pb.ResumeSessionRequest, context: grpc.aio.ServicerContext
    ) -> pb.ResumeSessionResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        resumed = await self.service.sessions.resume(owner_id(), session_id)
        return pb.ResumeSessionResponse(session=session_to_proto(resumed))

    async def AcquireTurnLease(
        self, request: pb.AcquireTurnLeaseRequest, context: grpc.aio.ServicerContext
    ) -> pb.AcquireTurnLeaseResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        duration = _duration(request.lease_duration)
        lease = await self.service.leases.acquire(owner_id(), session_id, request.holder, duration)
        return pb.AcquireTurnLeaseResponse(lease=lease_to_proto(lease))

    async def RenewTurnLease(
        self, request: pb.RenewTurnLeaseRequest, context: grpc.aio.ServicerContext
    ) -> pb.RenewTurnLeaseResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        duration = _duration(request.lease_duration)
        lease = await self.service.leases.renew(owner_id(), session_id, request.holder, duration)
        return pb.RenewTurnLeaseResponse(lease=lease_to_proto(lease))

    async def ReleaseTurnLease(
        self, request: pb.ReleaseTurnLeaseRequest, context: grpc.aio.ServicerContext
    ) -> pb.ReleaseTurnLeaseResponse:
        session_id = parse_uuid(request.session_id, "session_id")
        released = await self.service.leases.release(owner_id(), session_id, request.holder)
        return pb.ReleaseTurnLeaseResponse(released=released)

    async def BeginTurn(
        self, request: pb.BeginTurnRequest, context: grpc.aio.ServicerContext
    ) -> pb.BeginTurnResponse:
        session_id = parse_uuid(request.session_id, "session_id") if request.session_id else None
        new = None
        if session_id is None:
            s = request.new_session
            new = NewTurnSession(
                title=s.title,
                metadata=_metadata(s.metadata),
                document_kind=_kind(s.document_kind, "new_session.document_kind"),
                reuse_metadata_key=request.reuse_metadata_key,
            )
        turn = TurnRequest(
            content=request.content,
            idempotency_key=request.idempotency_key,
            holder=request.holder,
            lease_duration=_duration(request.lease_duration),
            include_profile=request.include_profile,
            refuse_finalized=request.refuse_finalized,
            include_customer_names=request.include_customer_names,
        )
        start = await self.service.turns.begin(owner_id(), session_id, new, turn)
        response = pb.BeginTurnResponse(
            session=session_to_proto(start.view.session),
            messages=[message_to_proto(m) for m in start.messages],
            message=message_to_proto(start.message),
            replayed=start.replayed,
            lease=lease_to_proto(start.lease),
        )
        if start.view.latest_revision is not None:
            response.latest_revision.CopyFrom(revision_to_proto(start.view.latest_revision))
        if start.profile is not None:
            response.profile.CopyFrom(profile_reply(*start.profile))
        if start.customer_names is not None:
            response.customer_names_complete = True
            response.customer_names.extend(
                pb.CustomerName(id=str(customer_id), name=name) for customer_id, name in start.customer_names
            )
        return response
