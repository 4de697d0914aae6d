"""Opening a chat turn: the session (created for a first turn), its turn lease and the person's
message, in ONE call to the session service (SessionStore.begin_turn, BeginTurn), with the
owner's profile when the session has no document yet; and the answer of a retried turn that
already finished.

A session that is not active (completed, abandoned) or whose document is finalized is refused
by that call before anything is written; then the turn reads it and decides as before the call
existed: a request for a new document in a finalized session makes a new session, an idle or
completed one is resumed, and the turn opens again there. Those are rare; a turn on an active
draft never reads its session twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from docmesh_agent.commands import starts_new_document
from docmesh_agent.domain import Begun, Document, Message, NewSession, SessionView, TurnOpening
from docmesh_agent.lease import Lease, release_quietly
from docmesh_agent.ports import DocumentEngine, SessionStore
from docmesh_agent.providers.base import Provider
from docmesh_agent.rules import parse_session_id, session_title, undone_revision
from docmesh_agent.settings import AgentSettings
from docmesh_agent.turn_outcome import ERROR_REPLY_PREFIX
from docmesh_agent.turn_result import TurnResult
from docmesh_common.errors import (
    Aborted,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    ResourceExhausted,
)
from docmesh_common.model.invoice import DocumentKind

# Refusals of BeginTurn after which the turn reads the session and decides (module docstring).
_READ_FIRST = frozenset({"SESSION_NOT_ACTIVE", "DOCUMENT_FINALIZED"})


class TurnOpener:
    """ChatTurns' part that opens the turn."""

    settings: AgentSettings
    sessions: SessionStore
    documents: DocumentEngine
    provider: Provider

    async def _begin(
        self,
        session_id: str,
        message: str,
        client_key: str,
        key: str,
        kind: DocumentKind | None,
        lease: Lease,
    ) -> Begun:
        """The turn opened for `lease`: its message appended with the key "<key>:user"."""
        opening = TurnOpening(
            content=message,
            idempotency_key=f"{key}:user",
            holder=lease.holder,
            lease_seconds=self.settings.turn_lease_seconds,
            include_profile=True,
            refuse_finalized=True,
            include_customer_names=True,
        )
        if session_id:
            opening = dataclasses.replace(opening, session_id=parse_session_id(session_id))
        else:
            # A keyed first turn names its session after the key, so a retry finds it.
            new = NewSession(title=session_title(message), document_kind=kind, turn_key=client_key)
            opening = dataclasses.replace(opening, new_session=new)
        try:
            return await self._open(opening, lease)
        except FailedPrecondition as refused:
            if refused.reason not in _READ_FIRST:
                raise
        view = await load_or_create(self.sessions, session_id, message, client_key, kind)
        if view.session.finalized and starts_new_document(message):
            # A new request in a finalized session makes a new session and document; the
            # finalized one stays as it was. The response carries the new session's id.
            view = await load_or_create(self.sessions, "", message, f"{key}:new", kind)
        if view.session.completed:
            # A completed session takes messages only once resumed; a finalized one is completed
            # again after the turn (its document stays as it is).
            await self.sessions.resume(view.session.id)
        return await self._open(
            dataclasses.replace(
                opening, session_id=view.session.id, new_session=None, refuse_finalized=False
            ),
            lease,
        )

    async def _open(self, opening: TurnOpening, lease: Lease) -> Begun:
        try:
            return await self.sessions.begin_turn(opening)
        except (Aborted, NotFound, InvalidArgument, FailedPrecondition, ResourceExhausted):
            raise  # refused by the session service, which then holds no lease for us
        except BaseException:
            # Failed in transit (unreachable, cancelled, out of time): the lease may have been
            # taken; free it rather than leave the session locked for the lease's duration. (A
            # first turn's session id is not known: its lease runs out on its own.)
            if opening.session_id:
                await release_quietly(self.sessions, opening.session_id, lease)
            raise

    async def _stored_result(self, view: SessionView, user_message_id: str) -> TurnResult | None:
        """The result of an earlier run of this turn, or None when it must run (again)."""
        messages = view.messages
        index = next((i for i, m in enumerate(messages) if m.id == user_message_id), None)
        if index is None:
            return None
        following = messages[index + 1 :]
        reply = next((m for m in following if m.role == "assistant"), None)
        later_user = any(m.role == "user" for m in following)
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
            user_message_id=user_message_id,
            assistant_message_id=reply.id,
            replayed=True,
        )
        revision = await self.sessions.revision_for_message(view, user_message_id)
        if revision is not None:
            validation = await self.documents.validate(revision.msc)
            result.document = Document(invoice=revision.invoice, msc=revision.msc, validation=validation)
            result.revision_number = revision.number
            if undone_revision(revision.summary) is not None:
                result.action = "undo"
            else:
                result.action = "generate" if revision.number == 1 else "edit"
        return result


async def load_or_create(
    sessions: SessionStore, session_id: str, message: str, idempotency_key: str, kind: DocumentKind | None
) -> SessionView:
    """The session read (resumed when idle), or the one a keyed first turn made, or a new one."""
    if session_id:
        view = await sessions.get(parse_session_id(session_id))
        if view.session.abandoned:
            # An idle session comes back to life when the person writes again.
            await sessions.resume(view.session.id)
            view = await sessions.get(view.session.id)
        return view
    if idempotency_key:
        found = await sessions.find_by_turn_key(idempotency_key)
        if found is not None:
            return await sessions.get(found)
    return await sessions.create(
        NewSession(title=session_title(message), document_kind=kind, turn_key=idempotency_key)
    )


def answered_with_error(messages: Sequence[Message], user_message_id: str) -> bool:
    """True when the first reply to `user_message_id` is an error reply (an earlier run failed)."""
    index = next((i for i, m in enumerate(messages) if m.id == user_message_id), None)
    if index is None:
        return False
    reply = next((m for m in messages[index + 1 :] if m.role == "assistant"), None)
    return reply is not None and reply.content.startswith(ERROR_REPLY_PREFIX)
