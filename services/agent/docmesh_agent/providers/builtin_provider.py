"""The offline provider: the built-in interpreter behind the Provider interface.

No network and no model: token counts are tiktoken estimates of the message and the reply
(so usage views are comparable), and the cost is zero.
"""

from __future__ import annotations

import re
import time
from decimal import Decimal

from docmesh_agent.builtin import interpret
from docmesh_agent.providers.base import DeltaSink, ProviderAnswer, TurnRequest
from docmesh_agent.usage import CallUsage, TurnUsage, count_tokens

# The reply is sent as a few deltas of whole words, like a model would stream it.
_WORDS_PER_DELTA = 4
_WORD = re.compile(r"\S+\s*")
_ZERO = Decimal(0)


def reply_pieces(reply: str, words_per_piece: int = _WORDS_PER_DELTA) -> list[str]:
    """`reply` cut into pieces of a few words; joined they give the reply back exactly."""
    leading = reply[: len(reply) - len(reply.lstrip())]
    words = _WORD.findall(reply)
    pieces = ["".join(words[i : i + words_per_piece]) for i in range(0, len(words), words_per_piece)]
    if pieces:
        pieces[0] = leading + pieces[0]
    elif reply:
        pieces = [reply]
    return pieces


class BuiltinProvider:
    """The Provider that runs the built-in interpreter in-process."""

    name = "builtin"
    model = "builtin"
    can_fix = False

    async def answer(
        self,
        request: TurnRequest,
        usage: TurnUsage,
        *,
        on_delta: DeltaSink | None = None,
        deadline: float | None = None,
    ) -> ProviderAnswer:
        started = time.monotonic()
        history = [m.content for m in request.history if m.role == "user"]
        # Pure CPU work of well under a millisecond per message: no thread needed.
        result = interpret(request.message, request.current, today=request.today, history=history)
        latency_ms = int((time.monotonic() - started) * 1000)
        usage.add(
            CallUsage(
                provider=self.name,
                model=self.model,
                prompt_tokens=count_tokens(request.message),
                completion_tokens=count_tokens(result.reply),
                cost_usd=_ZERO,
                latency_ms=latency_ms,
                estimated=True,
            )
        )
        if on_delta is not None:
            for piece in reply_pieces(result.reply):
                await on_delta(piece)
        return ProviderAnswer(
            action=result.action,
            invoice=result.invoice,
            reply=result.reply,
            summary="; ".join(result.changes),
            missing=tuple(result.missing),
            streamed=on_delta is not None,
        )

    async def close(self) -> None:
        return None
