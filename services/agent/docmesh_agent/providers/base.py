"""The one interface every provider implements, and the answer format models are asked for."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from docmesh_agent.usage import TurnUsage
from docmesh_common.model.invoice import DocumentKind, Invoice

Action = Literal["generate", "edit", "undo", "question"]
Role = Literal["user", "assistant"]

# Receives each piece of the reply text as it is produced.
DeltaSink = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class HistoryMessage:
    """One earlier message of the conversation."""

    role: Role
    content: str
    token_count: int = 0


@dataclass(frozen=True)
class TurnRequest:
    """Everything a provider needs to answer one message."""

    message: str
    current: Invoice | None
    today: dt.date
    history: Sequence[HistoryMessage] = ()
    document_kind: DocumentKind | None = None
    # A previous answer's document that the document service rejected, and why: the
    # provider is asked to fix it.
    rejected: Invoice | None = None
    feedback: Sequence[str] = ()


@dataclass(frozen=True)
class ProviderAnswer:
    """What the provider made of the message."""

    action: Action
    invoice: Invoice | None
    reply: str
    summary: str = ""
    missing: tuple[str, ...] = ()
    # True when `reply` was already sent through the delta sink, piece by piece.
    streamed: bool = False


class Provider(Protocol):
    """An invoice-making brain: the offline interpreter or an OpenAI-compatible model."""

    name: str
    model: str
    # Whether a rejected document is worth sending back (a deterministic provider would
    # give the same answer again).
    can_fix: bool

    async def answer(
        self,
        request: TurnRequest,
        usage: TurnUsage,
        *,
        on_delta: DeltaSink | None = None,
        deadline: float | None = None,
    ) -> ProviderAnswer:
        """Answer one message; every call made is added to `usage` as it happens.

        `deadline` is a time.monotonic() instant after which no call may run. Failures are
        raised as docmesh_common.errors domain errors.
        """
        ...

    async def close(self) -> None: ...


class AgentAnswer(BaseModel):
    """The JSON object an LLM answers with. `reply` comes first so that it streams first."""

    model_config = ConfigDict(extra="ignore")

    reply: str = Field(description="What to tell the person, in their language; one or two sentences.")
    action: Action = Field(
        description="generate: first document; edit: changed document; undo: go back one "
        "revision; question: a required fact is missing, ask for it (invoice stays null)."
    )
    invoice: Invoice | None = Field(
        default=None, description="The complete document after this message; null for undo and question."
    )
    summary: str = Field(
        default="", description="A short description of the change, e.g. 'Added 2 hours of QA'."
    )

    @model_validator(mode="after")
    def _invoice_when_needed(self) -> AgentAnswer:
        if self.action in ("generate", "edit") and self.invoice is None:
            raise ValueError(f"action {self.action!r} needs the complete invoice object")
        return self


@functools.cache
def answer_schema() -> dict[str, Any]:
    """The JSON schema of AgentAnswer (built once: generating it costs tens of milliseconds)."""
    return AgentAnswer.model_json_schema()
