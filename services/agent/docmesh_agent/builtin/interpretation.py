"""What the interpreter made of one message (the public result of `interpret`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from docmesh_common.model.invoice import Invoice

Action = Literal["generate", "edit", "undo", "question"]


@dataclass(frozen=True)
class Interpretation:
    """What the interpreter made of one message. See the package docstring."""

    action: Action
    invoice: Invoice | None
    reply: str
    missing: tuple[str, ...] = ()
    changes: tuple[str, ...] = field(default_factory=tuple)
    # True when the message starts a NEW document while one is current ("now a quote for
    # Initech: ..."): with "generate" the caller starts a new document; with "question" the
    # question is about that new document and the current one is left as it is.
    new_document: bool = False

    @classmethod
    def question(cls, reply: str, missing: tuple[str, ...] = ()) -> Interpretation:
        """An answer that leaves the document as it is: a question, an explanation, small talk."""
        return cls("question", None, reply, missing, ())
