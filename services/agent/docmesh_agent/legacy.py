"""The original app's session routes (GetAppSession, DeleteAppSession); its generate and
send routes are plain chat turns."""

from __future__ import annotations

from docmesh_agent.domain import AppSession
from docmesh_agent.ports import SessionStore
from docmesh_agent.rules import parse_session_id
from docmesh_common.errors import NotFound


class AppSessions:
    def __init__(self, sessions: SessionStore) -> None:
        self.sessions = sessions

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
