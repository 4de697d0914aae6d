"""What a chat turn produces and reports while it runs (turn.py runs it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from docmesh_agent.domain import Document
from docmesh_agent.providers.base import Action
from docmesh_agent.usage import TurnUsage


class TurnEvents(Protocol):
    """Receives the progress of a turn (ChatStream turns it into stream events)."""

    async def started(self, session_id: str, user_message_id: str) -> None: ...
    async def delta(self, text: str) -> None: ...
    async def document_ready(self, document: Document, revision_number: int) -> None: ...
    async def usage(self, result: TurnResult) -> None: ...


@dataclass
class TurnResult:
    """Everything a turn produced."""

    session_id: str
    reply: str
    action: Action
    provider: str
    model: str
    usage: TurnUsage = field(default_factory=TurnUsage)
    document: Document | None = None
    revision_number: int = 0
    session_token_count: int = 0
    user_message_id: str = ""
    assistant_message_id: str = ""
    replayed: bool = False
    # The summary of `document`'s revision, until the turn's commit saves it.
    revision_summary: str = ""
    # A revision the turn saved itself, shown once the reply is committed.
    saved: SavedElsewhere | None = None


@dataclass
class SavedElsewhere:
    """A document a command saved itself (not through the turn's commit): the numbered revision
    of a finalized session, or the first revision of a new version's session."""

    session_id: str
    document: Document
    revision_number: int


def save(result: TurnResult, document: Document, summary: str) -> None:
    """Keep the turn's document; the commit saves it as a revision with the reply."""
    result.document = document
    result.revision_summary = summary[:200]
