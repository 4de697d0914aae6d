"""The session service's domain errors, each written once; `docmesh_common.errors` maps
them to gRPC status codes (the one mapping of the whole mesh)."""

from __future__ import annotations

import uuid

from docmesh_common.errors import (
    Aborted,
    DomainError,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
)
from docmesh_session.domain import AppendAttempt, AppendOutcome, SessionRecord


def not_found(session_id: uuid.UUID) -> NotFound:
    return NotFound(f"session {session_id} not found", reason="SESSION_NOT_FOUND")


def deleted(session_id: uuid.UUID) -> NotFound:
    return NotFound(f"session {session_id} is deleted; restore it first", reason="SESSION_DELETED")


def revision_not_found(session_id: uuid.UUID, number: int) -> NotFound:
    return NotFound(f"session {session_id} has no revision {number}", reason="REVISION_NOT_FOUND")


def unknown_message(field: str) -> InvalidArgument:
    """A revision's message_id (named `field`) that is no message of its session."""
    return InvalidArgument(f"{field} names no message of this session", field=field)


def not_active(session: SessionRecord, action: str) -> FailedPrecondition:
    """`action` (e.g. "appending") on a completed or abandoned session."""
    return FailedPrecondition(
        f"the session is {session.status.value}; resume it before {action}",
        reason="SESSION_NOT_ACTIVE",
        metadata={"status": session.status.value},
    )


def finalized(session: SessionRecord) -> FailedPrecondition:
    """A change of a document that is finalized."""
    return FailedPrecondition(
        f"the document is finalized as {session.document_number}; start a new version",
        reason="DOCUMENT_FINALIZED",
        metadata={"document_number": session.document_number or ""},
    )


def refusal(
    attempt: AppendAttempt,
    session_id: uuid.UUID,
    *,
    action: str,
    requested_tokens: int = 0,
    token_limit: int = 0,
    expected_version: int | None = None,
    message_field: str = "revision.message_id",
) -> DomainError:
    """The error that says why a change counted on the session's row (an append, a turn's
    commit, a revision: `action` names it, e.g. "appending") wrote nothing."""
    outcome = attempt.outcome
    session = attempt.session
    if outcome is AppendOutcome.NOT_FOUND or session is None:
        return not_found(session_id)
    if outcome is AppendOutcome.DELETED:
        return deleted(session_id)
    if outcome is AppendOutcome.INACTIVE:
        return not_active(session, action)
    if outcome is AppendOutcome.KEY_REUSED:
        return InvalidArgument(
            "idempotency_key was already used for different messages", field="idempotency_key"
        )
    if outcome is AppendOutcome.FINALIZED:
        return finalized(session)
    if outcome is AppendOutcome.UNKNOWN_MESSAGE:
        return unknown_message(message_field)
    if outcome is AppendOutcome.VERSION_CONFLICT:
        return Aborted(
            f"the session is at version {session.version}, not {expected_version}; reload and retry",
            reason="VERSION_CONFLICT",
            metadata={"current_version": str(session.version)},
        )
    return ResourceExhausted(
        f"the session's token limit is {token_limit}; it holds {session.token_count} tokens and this "
        f"append needs {requested_tokens}",
        reason="SESSION_TOKEN_LIMIT",
        metadata={
            "limit": str(token_limit),
            "token_count": str(session.token_count),
            "requested": str(requested_tokens),
        },
    )
