"""The original app's routes (InvoiceAppService): generating and sending are chat turns with
the app's own required fields; a session is shown and deleted the app's way."""

from __future__ import annotations

from docmesh_agent.domain import AppSession
from docmesh_agent.ports import SessionStore
from docmesh_agent.rules import parse_session_id
from docmesh_agent.turn import ChatTurns, TurnResult
from docmesh_common.errors import InvalidArgument, NotFound


class LegacyApp:
    def __init__(self, turns: ChatTurns, sessions: SessionStore) -> None:
        self.turns = turns
        self.sessions = sessions

    async def generate(self, initial_prompt: str, session_id: str = "") -> TurnResult:
        if not initial_prompt.strip():
            raise InvalidArgument("initial_prompt is required", field="initial_prompt")
        return await self.turns.chat(session_id=session_id, message=initial_prompt)

    async def send(self, session_id: str, message: str) -> TurnResult:
        if not session_id:
            raise InvalidArgument("session_id is required", field="session_id")
        return await self.turns.chat(session_id=session_id, message=message)

    async def get(self, session_id: str) -> AppSession:
        view = await self.sessions.get(parse_session_id(session_id))
        if view.session.deleted:
            # The original app forgets a deleted session (it stays restorable via the v1 API).
            raise NotFound(f"session {view.session.id} not found")
        messages = tuple((m.role, m.content, m.create_time) for m in view.messages if m.role != "system")
        last_reply = next((content for role, content, _ in reversed(messages) if role == "assistant"), "")
        return AppSession(
            session_id=view.session.id,
            last_reply=last_reply,
            msc=view.latest_revision.msc if view.latest_revision is not None else "",
            token_count=view.session.token_count,
            last_activity=view.session.last_activity,
            messages=messages,
        )

    async def delete(self, session_id: str) -> int:
        """Soft-deletes the session; returns its token count."""
        return await self.sessions.delete(parse_session_id(session_id))
