"""Messages about the document that change nothing: thanks, "what's the total?", "send it"."""

from __future__ import annotations

import re

from docmesh_agent.builtin.interpretation import Interpretation
from docmesh_agent.builtin.replies import EXAMPLES, KIND_NAMES, total
from docmesh_common.model.invoice import Invoice

_THANKS_RE = re.compile(
    r"^(?:thanks|thank\s+you|thx|ty|cheers|great|perfect|ok|okay|cool|awesome|nice|looks\s+good|lgtm|"
    r"that'?s\s+(?:great|perfect|fine|good|it)|all\s+good|done)(?:\s+(?:so\s+much|a\s+lot|thanks))?[!. ]*$",
    re.IGNORECASE,
)
_TOTAL_QUESTION_RE = re.compile(
    r"^(?:what'?s|what\s+is|how\s+much\s+is|tell\s+me)\s+(?:the\s+)?(?:total|amount\s+due|balance|grand\s+total)"
    r"(?:\s+now)?\??$|^(?:how\s+much\s+(?:is\s+it|do\s+they\s+owe|does\s+it\s+come\s+to)|total)\??$",
    re.IGNORECASE,
)
_SEND_RE = re.compile(
    r"^(?:please\s+|can\s+you\s+|could\s+you\s+)?(?:send|email|e-mail|mail|fax|share)(?:\s+(?:it|this|the\s+\w+))?"
    r"(?:\s+(?:to\s+(?:them|him|her|the\s+client|the\s+customer|the\s+buyer)|now|over|out))*[.!?]*$",
    re.IGNORECASE,
)


def chat_reply(text: str, current: Invoice) -> Interpretation | None:
    """Thanks, "what's the total?", "send it": answered without touching the document."""
    kind = KIND_NAMES[current.kind]
    if _THANKS_RE.match(text):
        return Interpretation.question(
            f"Glad to help. Tell me if the {kind} should change, for example {EXAMPLES}."
        )
    if _TOTAL_QUESTION_RE.match(text):
        return Interpretation.question(f"The total is {total(current)}.")
    if _SEND_RE.match(text):
        return Interpretation.question(
            f"I can only write and change the {kind}; to send it, download it (XLSX, CSV, HTML or MSC) and "
            "attach it to your message."
        )
    return None
