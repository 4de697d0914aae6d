"""The checks of what callers send, and their limits: each rule once, raising
INVALID_ARGUMENT that names the offending field."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

from docmesh_common.errors import InvalidArgument
from docmesh_session.domain import NewMessage, NewRevision, NewUsage

NUL = "\x00"
MAX_OWNER_ID = 128
MAX_METADATA_KEYS = 16
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 512
MAX_TITLE = 200
MAX_IDEMPOTENCY_KEY = 128
MAX_SUMMARY = 500
MAX_MSC_CHARS = 5_000_000
MAX_COST_USD = Decimal("1000000000")
# Usage costs are stored with 10 decimal places.
COST_QUANTUM = Decimal("1e-10")
# A turn makes a handful of LLM calls (answer, re-asks, fallbacks); far more is a bug.
MAX_USAGE_PER_COMMIT = 100


def parse_uuid(value: str, field: str) -> uuid.UUID:
    """A UUID from request text; INVALID_ARGUMENT naming `field` otherwise."""
    if not value:
        raise InvalidArgument(f"{field} is required", field=field)
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidArgument(f"{field} must be a UUID, got {value[:80]!r}", field=field) from None


def no_nul(value: str, field: str) -> str:
    """PostgreSQL text and JSONB cannot hold NUL characters: refuse them as bad input."""
    if NUL in value:
        raise InvalidArgument(f"{field} must not contain NUL characters", field=field)
    return value


def validate_owner(owner_id: str) -> str:
    if len(owner_id) > MAX_OWNER_ID or NUL in owner_id:
        raise InvalidArgument(
            f"the x-owner-id metadata must be at most {MAX_OWNER_ID} characters without NUL",
            field="x-owner-id",
        )
    return owner_id


def validate_metadata(metadata: Mapping[str, str], field: str) -> dict[str, str]:
    violations: dict[str, str] = {}
    if len(metadata) > MAX_METADATA_KEYS:
        violations[field] = f"at most {MAX_METADATA_KEYS} keys, got {len(metadata)}"
    for key, value in metadata.items():
        if not key:
            violations[field] = "keys must not be empty"
        elif NUL in key or NUL in value:
            violations[field] = "keys and values must not contain NUL characters"
        elif len(key) > MAX_METADATA_KEY:
            violations[f"{field}[{key[:20]}]"] = f"key longer than {MAX_METADATA_KEY} characters"
        elif len(value) > MAX_METADATA_VALUE:
            violations[f"{field}[{key}]"] = f"value longer than {MAX_METADATA_VALUE} characters"
    if violations:
        raise InvalidArgument("metadata is over its limits", violations=violations)
    return dict(metadata)


def validate_title(title: str, field: str) -> str:
    no_nul(title, field)
    if len(title) > MAX_TITLE:
        raise InvalidArgument(f"{field} is longer than {MAX_TITLE} characters", field=field)
    return title


def page_size(value: int, *, default: int, maximum: int, field: str = "page_size") -> int:
    if value == 0:
        return default
    if not 1 <= value <= maximum:
        raise InvalidArgument(f"{field} must be between 1 and {maximum}, got {value}", field=field)
    return value


def check_idempotency_key(key: str) -> None:
    no_nul(key, "idempotency_key")
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise InvalidArgument(
            f"idempotency_key is longer than {MAX_IDEMPOTENCY_KEY} characters", field="idempotency_key"
        )


def check_messages(messages: Sequence[NewMessage], *, max_messages: int, max_chars: int) -> None:
    if not messages:
        raise InvalidArgument("messages must hold at least one message", field="messages")
    if len(messages) > max_messages:
        raise InvalidArgument(f"at most {max_messages} messages per append", field="messages")
    violations: dict[str, str] = {}
    for i, message in enumerate(messages):
        if not message.content.strip():
            violations[f"messages[{i}].content"] = "must not be empty"
        elif NUL in message.content:
            violations[f"messages[{i}].content"] = "must not contain NUL characters"
        elif len(message.content) > max_chars:
            violations[f"messages[{i}].content"] = (
                f"is {len(message.content)} characters; the limit is {max_chars}"
            )
    if violations:
        raise InvalidArgument("messages are invalid", violations=violations)


def check_revision(revision: NewRevision, prefix: str) -> uuid.UUID | None:
    """The checks of a revision's own fields; its message id (parsed) or None. Field names
    are prefixed with `prefix` ("revision." inside a CommitTurn). Its invoice and totals were
    checked where they entered (the servicer's conversion)."""
    if not revision.msc.strip():
        raise InvalidArgument(f"{prefix}msc is required", field=f"{prefix}msc")
    if len(revision.msc) > MAX_MSC_CHARS:
        raise InvalidArgument(f"{prefix}msc is longer than {MAX_MSC_CHARS} characters", field=f"{prefix}msc")
    no_nul(revision.msc, f"{prefix}msc")
    no_nul(revision.summary, f"{prefix}summary")
    if len(revision.summary) > MAX_SUMMARY:
        raise InvalidArgument(
            f"{prefix}summary is longer than {MAX_SUMMARY} characters", field=f"{prefix}summary"
        )
    if not revision.message_id:
        return None
    return parse_uuid(revision.message_id, f"{prefix}message_id")


def check_usage(usage: NewUsage, field: str) -> NewUsage:
    """The checks of one usage record named `field`; returns it with its cost rounded to
    what is stored (10 decimal places: finer fractions of a dollar are rounded, not refused)."""
    violations = {
        f"{field}.{name}": "must not be negative"
        for name, value in (
            ("prompt_tokens", usage.prompt_tokens),
            ("completion_tokens", usage.completion_tokens),
            ("latency_ms", usage.latency_ms),
        )
        if value < 0
    }
    if usage.cost_usd < 0:
        violations[f"{field}.cost_usd"] = "must not be negative"
    elif usage.cost_usd >= MAX_COST_USD:
        violations[f"{field}.cost_usd"] = "must be below 1000000000"
    if NUL in usage.model or NUL in usage.provider:
        violations[f"{field}.model"] = "model and provider must not contain NUL characters"
    if not usage.model:
        violations[f"{field}.model"] = "is required"
    elif len(usage.model) > 128:
        violations[f"{field}.model"] = "is longer than 128 characters"
    if len(usage.provider) > 64:
        violations[f"{field}.provider"] = "is longer than 64 characters"
    if violations:
        raise InvalidArgument("usage is invalid", violations=violations)
    return dataclasses.replace(usage, cost_usd=usage.cost_usd.quantize(COST_QUANTUM, ROUND_HALF_UP))
