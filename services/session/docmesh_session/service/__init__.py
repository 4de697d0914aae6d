"""The rules of the session service, by job: `sessions`, `messages` (appends and turn commits),
`revisions`, `usage`, `numbering` (document numbers), `profiles` (business profile, logo), `customers`, `leases` (turn leases) and `turns`
(BeginTurn: a chat turn opened in one call).

The servicer hands in domain values; the repository runs the queries; Redis is consulted
first for reads and written through after every change, but never decides anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from docmesh_session.cache import SessionCache
from docmesh_session.paging import PageTokens
from docmesh_session.repository import SessionRepository
from docmesh_session.service.customers import CustomerRules
from docmesh_session.service.leases import LeaseRules
from docmesh_session.service.messages import MessageRules
from docmesh_session.service.numbering import NumberingRules
from docmesh_session.service.profiles import ProfileRules
from docmesh_session.service.revisions import RevisionRules
from docmesh_session.service.sessions import SessionChanges, SessionRules
from docmesh_session.service.shared import SessionLookup, run_to_completion, utcnow
from docmesh_session.service.turns import TurnRules
from docmesh_session.service.usage import UsageRules
from docmesh_session.settings import SessionSettings

__all__ = ["SessionChanges", "SessionService", "run_to_completion", "utcnow"]


class SessionService:
    def __init__(
        self,
        repository: SessionRepository,
        cache: SessionCache,
        settings: SessionSettings,
        *,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        lookup = SessionLookup(repository, cache)
        tokens = PageTokens(settings.page_token_secret)
        ttl = dt.timedelta(seconds=settings.session_ttl_seconds)
        self.sessions = SessionRules(repository, cache, lookup, tokens, ttl=ttl, clock=clock)
        self.messages = MessageRules(repository, cache, lookup, tokens, settings, clock=clock)
        self.revisions = RevisionRules(repository, cache, lookup, tokens, ttl=ttl, clock=clock)
        self.usage = UsageRules(repository, lookup, clock=clock)
        self.numbering = NumberingRules(repository, cache, clock=clock)
        self.profiles = ProfileRules(repository, clock=clock)
        self.customers = CustomerRules(repository, tokens, clock=clock)
        self.leases = LeaseRules(repository, lookup, clock=clock)
        self.turns = TurnRules(
            repository, self.sessions, self.messages, self.leases, self.profiles, lookup, clock=clock
        )
