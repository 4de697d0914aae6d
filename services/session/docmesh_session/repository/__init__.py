"""Every query of the session service, on one SQLAlchemy Core code path for PostgreSQL and
SQLite, by job: `sessions`, `messages` (appends and turn commits), `revisions`, `usage`, `numbering`,
`profiles`, `customers`, `leases` (turn leases), `turns` (a turn's opening read)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from docmesh_session.database import Database
from docmesh_session.repository.customers import CustomerQueries
from docmesh_session.repository.leases import LeaseQueries
from docmesh_session.repository.messages import MessageQueries
from docmesh_session.repository.numbering import NumberingQueries
from docmesh_session.repository.profiles import ProfileQueries
from docmesh_session.repository.revisions import RevisionQueries
from docmesh_session.repository.sessions import SessionQueries
from docmesh_session.repository.turns import TurnQueries
from docmesh_session.repository.usage import UsageQueries

__all__ = ["SessionRepository"]


class SessionRepository:
    def __init__(self, engine: AsyncEngine) -> None:
        self.database = Database(engine)
        self.sessions = SessionQueries(self.database)
        self.messages = MessageQueries(self.database)
        self.revisions = RevisionQueries(self.database)
        self.usage = UsageQueries(self.database)
        self.numbering = NumberingQueries(self.database)
        self.profiles = ProfileQueries(self.database)
        self.customers = CustomerQueries(self.database)
        self.leases = LeaseQueries(self.database)
        self.turns = TurnQueries(self.database)

    @property
    def engine(self) -> AsyncEngine:
        return self.database.engine

    async def ping(self) -> bool:
        return await self.database.ping()
