"""The offline interpreter: a message (+ the current invoice and earlier messages) to an Interpretation.

This module only decides what kind of message it is (undo, a new document, small talk, the answer
to a question, an edit) and hands it to the part that does that job.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from pydantic import ValidationError

from docmesh_agent.builtin.chat import chat_reply
from docmesh_agent.builtin.drafts import Draft
from docmesh_agent.builtin.edits.op import EditError
from docmesh_agent.builtin.generate import fold, generate
from docmesh_agent.builtin.interpretation import Interpretation
from docmesh_agent.builtin.read_edit import answer_pending, edit
from docmesh_agent.builtin.read_parties import LEAD_RE
from docmesh_agent.builtin.read_request import read_request
from docmesh_agent.builtin.replies import EXAMPLES, why
from docmesh_agent.builtin.spelling import correct_keywords
from docmesh_agent.builtin.translate import ENGLISH, detected_language, localize, to_english
from docmesh_agent.builtin.words import KIND_WORDS, plain_counts
from docmesh_common.model.invoice import Invoice

__all__ = ["Interpretation", "interpret"]


_UNDO_RE = re.compile(
    r"^(?:please\s+)?(?:undo|revert|go\s+back|take\s+(?:that|it)\s+back|undo\s+(?:that|the\s+last\s+(?:change|edit))|"
    r"revert\s+(?:that|the\s+last\s+(?:change|edit))|cancel\s+(?:that|the\s+last\s+(?:change|edit))|"
    r"scratch\s+that|never\s*mind)(?:\s+(?:that|it|please))?[.!]*$",
    re.IGNORECASE,
)
_NEW_DOC_RE = re.compile(
    r"^(?:(?:please|pls|now|ok|okay|great|thanks)[,!.]?\s+)*(?:(?:create|make|generate|draft|prepare|start|write|issue|raise|do|i\s+need|"
    r"let's\s+do|give\s+me)\s+)?(?:me\s+)?(?:a\s+|an\s+)?(?:new|another|second|separate|fresh)\s+"
    r"(?:invoice|quote|quotation|estimate|receipt|purchase\s+order|bill|po)\b",
    re.IGNORECASE,
)
# "and a quote for the Hendersons too", "also an invoice for Globex": a document of a kind for
# someone, said with its article, is another document (it changed the current one's buyer).
_A_KIND_FOR = re.compile(
    r"^(?:(?:i|we)\s+(?:also\s+)?(?:need|want)\s+|i'd\s+like\s+|also\s+need\s+)?"
    r"an?\s+(?:invoice|quote|quotation|estimate|receipt|purchase\s+order|po)\s+(?:for|to)\s+\S",
    re.IGNORECASE,
)
MAX_MESSAGE_CHARS = 4000


def interpret(
    message: str, current: Invoice | None, *, today: dt.date, history: Sequence[str] = ()
) -> Interpretation:
    """Interpret one message. Pure: same inputs, same answer; no I/O; never raises on any text."""
    if len(message) > MAX_MESSAGE_CHARS:
        return Interpretation.question(
            f"That message is too long for me ({len(message)} characters; at most {MAX_MESSAGE_CHARS}). "
            "Please send the request in shorter parts."
        )
    language = _language(message, current, history)
    # Before the first document every earlier message is read again; after it, only the last one
    # is (what it left waiting), so only that one is translated.
    earlier = history if current is None else history[-1:]
    try:
        after_remark = _after_remark(message, current, language, today)
        if after_remark is not None:
            return localize(generate(read_request(after_remark, today), today, replacing=True), language)
        result = _interpret(
            plain_counts(correct_keywords(to_english(message, language))),
            current,
            today,
            [plain_counts(correct_keywords(to_english(h[:MAX_MESSAGE_CHARS], language))) for h in earlier],
        )
        return localize(result, language)
    except EditError as exc:
        # An edit understood but impossible that escaped its handler: still an answer, not a crash.
        return Interpretation.question(f"{exc} What should I change instead?")
    except (ValidationError, ValueError, ArithmeticError) as exc:
        # A value read from the text that the Invoice model rejects (a 300-character name, an
        # absurd amount): say so instead of failing the turn.
        return Interpretation.question(f"I could not use that: {why(exc)}")


def _language(message: str, current: Invoice | None, history: Sequence[str]) -> str:
    """The language of the conversation: the message's own words, else the latest earlier
    message whose words say, else the current document's, else English."""
    for text in (message, *reversed(history)):
        found = detected_language(text[:MAX_MESSAGE_CHARS])
        if found is not None:
            return found
    return current.language if current is not None else ENGLISH


def _interpret(
    message: str, current: Invoice | None, today: dt.date, history: Sequence[str]
) -> Interpretation:
    """Route the message to the part that handles its kind."""
    text = message.strip()
    if not text:
        return _question_empty(current, today)
    if _UNDO_RE.match(text):
        if current is None:
            return Interpretation.question("There is nothing to undo yet.")
        return Interpretation(
            "undo", None, "Undone: back to the previous version.", (), ("undid the last change",)
        )
    if current is None:
        draft: Draft | None = None
        for past in history:
            if _UNDO_RE.match(past.strip()):
                continue
            draft = fold(draft, past, today)
        return generate(fold(draft, text, today), today)
    request = _as_new_request(text)
    if _is_new_request(request, today):
        # A new document while one is current: the action is "generate" (or a question about
        # the NEW document, the current one left as it is); the caller starts a new document.
        return generate(read_request(request, today), today, replacing=True)
    if history:
        # "400", "per hour", "total" answering what the previous message left waiting.
        answered = answer_pending(history[-1], text, current, today)
        if answered is not None:
            return answered
    chat = chat_reply(text, current)
    if chat is not None:
        return chat
    return edit(text, current, today)


def _question_empty(current: Invoice | None, today: dt.date) -> Interpretation:
    """An empty message: what a request looks like, or what an edit looks like."""
    if current is None:
        return generate(Draft(), today)
    return Interpretation.question(f"What should I change? For example {EXAMPLES}.")


# Words before a new request that only say "the next one": "ok, next one: receipt for ...",
# "now a quote for ...".
_NEXT_ONE_RE = re.compile(
    r"^(?:(?:ok(?:ay)?|now|so|and|also|then|great|thanks|next(?:\s+one)?|(?:and\s+)?the\s+next\s+one|"
    # "can you also do an invoice for ...": a polite way to ask for the next document.
    r"(?:can|could|would)\s+you(?:\s+please)?(?:\s+also)?\s+(?:do|make|create|write|prepare|draft)(?:\s+me)?)"
    r"\s*[,:!.]?\s+)+",
    re.IGNORECASE,
)
# "ok perfect. now invoice ...", "great, that one's done. Now I need a PO for ...": a remark
# ending in a full stop or "!", without a number or a document kind, said before a request.
_REMARK_RE = re.compile(
    rf"^(?:(?![^.!?]*\b(?:{KIND_WORDS})\b)[^.!?\d\n]{{1,60}}[.!]+\s+)+(?=\S)", re.IGNORECASE
)
_KIND_COMMA_RE = re.compile(rf"\b({KIND_WORDS})\s*,\s+(?=(?:for|to)\s)", re.IGNORECASE)


def _as_new_request(text: str) -> str:
    """The text as a request if it is one: without "ok, next one:", and "Another invoice, for
    Hooli" as "Another invoice for Hooli"."""
    stripped = _NEXT_ONE_RE.sub("", _REMARK_RE.sub("", _NEXT_ONE_RE.sub("", text)))
    return _KIND_COMMA_RE.sub(r"\1 ", stripped)


def _is_new_request(request: str, today: dt.date) -> bool:
    return bool(
        _NEW_DOC_RE.match(request) or _A_KIND_FOR.match(request) or _looks_like_new_request(request, today)
    )


def _after_remark(message: str, current: Invoice | None, language: str, today: dt.date) -> str | None:
    """ "Danke, passt so. Rechnung an ...", "super, merci. Facture pour ...": a new request
    after a remark, in a language whose words for the kind are read only leading a message, so
    what follows the remark is translated on its own. None when there is no such request."""
    if current is None or language == ENGLISH:
        return None
    rest = _REMARK_RE.sub("", message.strip())
    if rest == message.strip():
        return None
    request = _as_new_request(correct_keywords(to_english(rest, language)))
    return request if _is_new_request(request, today) else None


def _looks_like_new_request(text: str, today: dt.date) -> bool:
    """A message that starts a whole new document ("Quote Globex for 5 widgets at 10",
    "Invoice Acme for logo design") even mid-session: a kind word, a buyer and what is sold."""
    match = LEAD_RE.match(text)
    if not match or (match.group("kind").lower() == "bill" and not match.group("art")):
        return False
    draft = read_request(text, today)
    return bool(draft.buyer and draft.items and all(i.description for i in draft.items))
