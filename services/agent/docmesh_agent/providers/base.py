"""The one interface every provider implements, and the answer format models are asked for."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field, model_validator

from docmesh_agent.usage import TurnUsage
from docmesh_common.errors import Unavailable
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
    # The previous answer of this turn as the model saw it (its text, or the JSON of its
    # document) and why it was rejected: the provider is asked to fix it.
    rejected: str = ""
    feedback: Sequence[str] = ()
    # The model that wrote `rejected`: the re-ask goes back to it (its own answer to fix)
    # rather than starting again from the first model.
    model: str = ""


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
    # The model that answered.
    model: str = ""


class InvalidAnswer(Exception):
    """The model's text is not a usable answer; `errors` are sent back to it with `text`."""

    def __init__(self, errors: list[str], *, text: str = "", model: str = "") -> None:
        super().__init__("; ".join(errors))
        self.errors = errors
        self.text = text
        self.model = model

    def as_error(self) -> Unavailable:
        """The error a client sees when no re-ask is left."""
        return Unavailable(
            f"the language model did not produce a valid answer: {self.model}: invalid answer: "
            + "; ".join(self.errors[:5]),
            reason="LLM_INVALID_OUTPUT",
        )


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
        """Answer one message with one completion; every call made is added to `usage` as it
        happens (retries of a failed call and fallback models included).

        `deadline` is a time.monotonic() instant after which no call may run. An answer that
        is not usable raises InvalidAnswer (the turn decides whether to ask again); other
        failures are raised as docmesh_common.errors domain errors.
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
