"""The rules of a session's messages: appends, a turn's commit, and reading the history."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Sequence

from docmesh_common.errors import DomainError, InvalidArgument
from docmesh_session.cache import SessionCache
from docmesh_session.domain import (
    AppendAttempt,
    AppendOutcome,
    AppendResult,
    CommitResult,
    MessageRecord,
    NewMessage,
    NewRevision,
    NewUsage,
    Page,
    Role,
    SessionRecord,
    TurnExtras,
    TurnLease,
)
from docmesh_session.errors import refusal
from docmesh_session.paging import Keyset, PageTokens, filter_hash, int_key
from docmesh_session.repository import SessionRepository
from docmesh_session.repository.turns import FirstTurnReads, History, LeaseTake
from docmesh_session.service.leases import check_holder
from docmesh_session.service.shared import SessionLookup, run_to_completion
from docmesh_session.settings import SessionSettings
from docmesh_session.tokens import count_tokens
from docmesh_session.validation import (
    MAX_USAGE_PER_COMMIT,
    check_idempotency_key,
    check_messages,
    check_revision,
    check_usage,
    page_size,
    validate_title,
)

# Above this many characters, tokenising moves off the event loop.
_TOKENIZE_INLINE_CHARS = 16_000
# Messages page by sequence, oldest first.
_MESSAGES: Keyset[MessageRecord, int] = Keyset("messages", key_of=lambda m: [m.sequence], parse=int_key)


class MessageRules:
    def __init__(
        self,
        repository: SessionRepository,
        cache: SessionCache,
        lookup: SessionLookup,
        tokens: PageTokens,
        settings: SessionSettings,
        *,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self._repository = repository
        self._cache = cache
        self._lookup = lookup
        self._tokens = tokens
        self._settings = settings
        self._ttl = dt.timedelta(seconds=settings.session_ttl_seconds)
        self._clock = clock

    @run_to_completion
    async def append(
        self,
        owner_id: str,
        session_id: uuid.UUID,
        messages: Sequence[NewMessage],
        *,
        idempotency_key: str = "",
        expected_version: int | None = None,
    ) -> AppendResult:
        self.check_messages(messages)
        check_idempotency_key(idempotency_key)
        if expected_version is not None and expected_version < 1:
            raise InvalidArgument("expected_version must be at least 1", field="expected_version")
        counts = await _count_all(messages)
        now = self._clock()
        attempt = await self._repository.messages.append(
            owner_id,
            session_id,
            messages,
            counts,
            idempotency_key=idempotency_key,
            fingerprint=_fingerprint(messages),
            expected_version=expected_version,
            token_limit=self._settings.max_session_tokens,
            now=now,
            expire_time=now + self._ttl,
        )
        if attempt.outcome in (AppendOutcome.STORED, AppendOutcome.REPLAYED):
            assert attempt.result is not None
            await self._cache.put_session(attempt.result.session)
            return attempt.result
        raise self._refusal(attempt, session_id, counts, expected_version)

    @run_to_completion
    async def commit_turn(
        self,
        owner_id: str,
        session_id: uuid.UUID,
        messages: Sequence[NewMessage],
        *,
        idempotency_key: str = "",
        revision: NewRevision | None = None,
        usage: Sequence[NewUsage] = (),
        title: str | None = None,
        release_lease: str | None = None,
    ) -> CommitResult:
        """An agent turn's outcome in one transaction: what AppendMessages, SaveRevision,
        RecordUsage and UpdateSession(title) would write, checked by the same rules, all or
        nothing."""
        self.check_messages(messages)
        check_idempotency_key(idempotency_key)
        message_id = check_revision(revision, "revision.") if revision is not None else None
        if len(usage) > MAX_USAGE_PER_COMMIT:
            raise InvalidArgument(f"at most {MAX_USAGE_PER_COMMIT} usage records per commit", field="usage")
        checked = [check_usage(u, f"usage[{i}]") for i, u in enumerate(usage)]
        if title is not None:
            validate_title(title, "title")
        if release_lease is not None:
            check_holder(release_lease, "release_turn_lease")
        counts = await _count_all(messages)
        now = self._clock()
        attempt = await self._repository.messages.append(
            owner_id,
            session_id,
            messages,
            counts,
            extras=TurnExtras(
                revision=revision,
                revision_message_id=message_id,
                usage=checked,
                title=title,
                release_lease=release_lease,
            ),
            idempotency_key=idempotency_key,
            fingerprint=_turn_fingerprint(messages, revision, checked, title),
            token_limit=self._settings.max_session_tokens,
            now=now,
            expire_time=now + self._ttl,
        )
        if attempt.outcome not in (AppendOutcome.STORED, AppendOutcome.REPLAYED):
            raise self._refusal(attempt, session_id, counts, None)
        assert attempt.result is not None
        session = attempt.result.session
        if attempt.outcome is AppendOutcome.REPLAYED and release_lease is not None:
            # The first attempt freed the lease with its write; a retry frees it (again) here.
            await self._repository.leases.release(session_id, release_lease)
        if attempt.outcome is AppendOutcome.STORED and attempt.revision is not None:
            await self._cache.put_revision_and_session(attempt.revision, session)
        else:
            await self._cache.put_session(session)
        return CommitResult(
            session=session,
            messages=attempt.result.messages,
            revision=attempt.revision,
            replayed=attempt.result.replayed,
        )

    @run_to_completion
    async def append_leased(
        self,
        owner_id: str,
        session_id: uuid.UUID,
        content: str,
        *,
        idempotency_key: str,
        holder: str,
        duration: dt.timedelta,
        refuse_finalized: bool,
    ) -> tuple[TurnLease, AppendResult, History | None] | None:
        """An edit's opening in one write (repository TurnQueries.append_leased): the turn lease
        for `holder` taken and the person's message appended, by the rules of
        AcquireTurnLease and AppendMessages, with the history the statement read (None: read
        it). None when nothing was written: the caller takes the steps one by one, which say
        why (or replay a retry)."""
        messages = [NewMessage(role=Role.USER, content=content)]
        self.check_messages(messages)
        check_idempotency_key(idempotency_key)
        tokens = (await _count_all(messages))[0]
        now = self._clock()
        lease = TurnLease(session_id, holder, now + duration)
        appended = await self._repository.turns.append_leased(
            owner_id,
            session_id,
            messages[0],
            tokens,
            LeaseTake(holder=holder, until=lease.expire_time, now=now, refuse_finalized=refuse_finalized),
            idempotency_key=idempotency_key,
            fingerprint=_fingerprint(messages),
            token_limit=self._settings.max_session_tokens,
            now=now,
            expire_time=now + self._ttl,
        )
        if appended is None:
            return None
        await self._cache.put_session(appended[0].session)
        return lease, *appended

    async def first_turn(
        self,
        session: SessionRecord,
        content: str,
        *,
        idempotency_key: str,
        holder: str,
        lease_until: dt.datetime,
        read_profile: bool = False,
        read_names: int | None = None,
    ) -> tuple[AppendResult, FirstTurnReads | None]:
        """A new `session` stored with its first message (the person's) and its turn lease for
        `holder`, at once: what CreateSession, AcquireTurnLease and AppendMessages would write,
        by the same rules (the token limit, the key). Not run_to_completion, like a create: a
        cancelled one wrote the session with everything or nothing, and its cache entry, if
        missed, is a miss. With the reads the statement made on PostgreSQL (`read_profile`,
        `read_names`: see TurnQueries.first_turn)."""
        messages = [NewMessage(role=Role.USER, content=content)]
        self.check_messages(messages)
        check_idempotency_key(idempotency_key)
        tokens = (await _count_all(messages))[0]
        limit = self._settings.max_session_tokens
        if tokens > limit:
            raise self._refusal(
                AppendAttempt(AppendOutcome.TOKEN_LIMIT, session=session), session.id, [tokens], None
            )
        now = self._clock()
        stored = dataclasses.replace(
            session,
            token_count=tokens,
            message_count=1,
            version=session.version + 1,  # created, then appended to
            update_time=now,
            last_activity_time=now,
            expire_time=now + self._ttl,
        )
        message = MessageRecord(
            id=uuid.uuid4(),
            session_id=session.id,
            sequence=1,
            role=Role.USER,
            content=content,
            token_count=tokens,
            create_time=now,
        )
        reads = await self._repository.turns.first_turn(
            stored,
            message,
            holder=holder,
            lease_until=lease_until,
            idempotency_key=idempotency_key,
            fingerprint=_fingerprint(messages),
            read_profile=read_profile,
            read_names=read_names,
        )
        await self._cache.put_session(stored)
        return AppendResult(stored, [message], replayed=False), reads

    async def list(
        self, owner_id: str, session_id: uuid.UUID, *, size: int, token: str
    ) -> Page[MessageRecord]:
        size = page_size(size, default=100, maximum=500)
        digest = filter_hash("messages", str(session_id))
        after = self._tokens.after(_MESSAGES, token, digest)
        await self._lookup.visible(owner_id, session_id)
        rows = await self._repository.messages.page(session_id, after_sequence=after, limit=size + 1)
        return self._tokens.page(_MESSAGES, rows, size, digest)

    def check_messages(self, messages: Sequence[NewMessage]) -> None:
        check_messages(
            messages,
            max_messages=self._settings.max_messages_per_append,
            max_chars=self._settings.max_message_chars,
        )

    def _refusal(
        self,
        attempt: AppendAttempt,
        session_id: uuid.UUID,
        counts: Sequence[int],
        expected_version: int | None,
    ) -> DomainError:
        return refusal(
            attempt,
            session_id,
            action="appending",
            requested_tokens=sum(counts),
            token_limit=self._settings.max_session_tokens,
            expected_version=expected_version,
        )


def _fingerprint(messages: Sequence[NewMessage]) -> str:
    digest = hashlib.sha256()
    for message in messages:
        encoded = message.content.encode()
        digest.update(f"{message.role.value}:{len(encoded)}:".encode())
        digest.update(encoded)
    return digest.hexdigest()


def _turn_fingerprint(
    messages: Sequence[NewMessage], revision: NewRevision | None, usage: Sequence[NewUsage], title: str | None
) -> str:
    """The digest a commit's idempotency key is checked against: everything it writes, so a
    key reused for another revision or other usage is refused like one reused for other
    messages. A commit of messages alone writes what an append does and digests the same."""
    messages_digest = _fingerprint(messages)
    if revision is None and not usage and title is None:
        return messages_digest
    digest = hashlib.sha256(messages_digest.encode())
    if revision is not None:
        for part in (
            revision.msc.encode(),
            revision.invoice,
            b"-" if revision.totals is None else b"+" + revision.totals,
            revision.message_id.encode(),
            revision.summary.encode(),
        ):
            # Length-prefixed, so no two different revisions digest the same.
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    for u in usage:
        digest.update(
            json.dumps(
                [
                    u.provider,
                    u.model,
                    u.prompt_tokens,
                    u.completion_tokens,
                    str(u.cost_usd),
                    u.latency_ms,
                    u.estimated,
                ]
            ).encode()
        )
    digest.update(json.dumps(title).encode())
    return digest.hexdigest()


async def _count_all(messages: Sequence[NewMessage]) -> list[int]:
    """Each message counted once, here; stored with it and never recounted."""
    if sum(len(m.content) for m in messages) <= _TOKENIZE_INLINE_CHARS:
        return [count_tokens(m.content) for m in messages]
    return await asyncio.to_thread(lambda: [count_tokens(m.content) for m in messages])
