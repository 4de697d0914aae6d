"""A turn's outcome, written once: the commit of its reply, revision, usage and title (freeing
its lease when nothing is written after it), or, when it failed, ONE error reply with the usage
of the calls it made, written even when its caller went away."""

from __future__ import annotations

import asyncio
import logging

from docmesh_agent.domain import Committed, TurnCommit
from docmesh_agent.lease import Lease
from docmesh_agent.ports import SessionStore
from docmesh_agent.turn_result import TurnResult
from docmesh_common import context
from docmesh_common.errors import DomainError, FailedPrecondition, ResourceExhausted

log = logging.getLogger(__name__)

# Error replies start with this, so that a retried failed turn runs again and the prompt
# history leaves them out.
ERROR_REPLY_PREFIX = "Sorry, I could not finish this: "
# Time kept back from the caller's deadline for saving the outcome after the LLM call.
# Budget for writing the outcome of a failed turn, whatever was left of its deadline.
CLEANUP_SECONDS = 5.0


class TurnOutcomes:
    """ChatTurns' part that writes the outcome."""

    sessions: SessionStore
    _cleanups: set[asyncio.Task[None]]

    async def _commit(
        self,
        result: TurnResult,
        reply: str,
        key: str,
        *,
        title: str | None = None,
        lease: Lease | None = None,
    ) -> Committed:
        """Write the turn's outcome at once: the reply, the revision (when the turn produced a
        document), one usage record per LLM call and the title, all or nothing; with `lease`,
        the commit also frees it."""
        commit = TurnCommit(
            session_id=result.session_id,
            reply=reply,
            idempotency_key=key,
            usage=tuple(result.usage.calls),
            document=result.document,
            message_id=result.user_message_id,
            summary=result.revision_summary,
            title=title,
            release_lease=lease.holder if lease is not None else "",
        )
        try:
            committed = await self.sessions.commit_turn(commit)
        except (ResourceExhausted, FailedPrecondition):
            # The session is full or no longer active: the reply, and with it the revision,
            # cannot be stored. The LLM calls were made and paid for all the same, so they
            # are recorded on their own (that only needs the session to exist).
            if result.usage.calls:
                try:
                    await self.sessions.record_usage(result.session_id, result.usage.calls)
                except DomainError as second:
                    log.warning(
                        "could not record the usage of a turn whose commit was refused: %s", second.message
                    )
            raise
        if lease is not None:
            lease.released = True
        return committed

    async def _fail_detached(
        self, result: TurnResult, key: str, error: BaseException, failed_before: bool
    ) -> None:
        """Run `_fail` in a task of its own, with a fresh deadline and shielded from cancellation.

        The failed turn's deadline may be spent (that may be why it failed), and its task may
        be cancelled; the error reply must still be written, before the lease is released, or a
        retry would not know the turn failed.
        """

        async def cleanup() -> None:
            context.bind(timeout=CLEANUP_SECONDS)  # this task's own copy of the context
            await self._fail(result, key, error, failed_before)

        task = asyncio.create_task(cleanup())
        self._cleanups.add(task)
        task.add_done_callback(self._cleanups.discard)
        await asyncio.shield(task)

    async def _fail(self, result: TurnResult, key: str, error: BaseException, failed_before: bool) -> None:
        """Keep what the failed turn did: its usage, and ONE reply saying what happened.

        The error reply is keyed by the turn ("<key>:error"), and a retry of a turn that
        already failed (`failed_before`: its user message has an error reply) records its
        usage alone: however often a client retries a failing turn, its message gets one
        error reply. The reply's words are ours (DomainError messages never carry an
        upstream's text; see providers/openai_provider._final_error).
        """
        if isinstance(error, DomainError):
            what = error.message
        elif isinstance(error, asyncio.CancelledError):
            what = "the request was cancelled or ran out of time before the answer was ready"
        else:
            what = "an internal error"
        # Whatever the turn produced before failing is not saved: only its usage, with the reply.
        result.document = None
        try:
            if failed_before:
                if result.usage.calls:
                    await self.sessions.record_usage(result.session_id, result.usage.calls)
                return
            await self._commit(
                result,
                f"{ERROR_REPLY_PREFIX}{what}. Your message is saved; please try again.",
                f"{key}:error",
            )
        except DomainError as second:
            log.warning("could not save the outcome of a failed turn: %s", second.message)
