"""The builtin provider behind the Provider interface (the interpreter itself is tested elsewhere)."""

from __future__ import annotations

from decimal import Decimal

from docmesh_agent.providers.base import HistoryMessage, TurnRequest
from docmesh_agent.providers.builtin_provider import BuiltinProvider, reply_pieces
from docmesh_agent.usage import TurnUsage
from tests.agent.conftest import TODAY


async def test_a_complete_request_generates_a_typed_invoice() -> None:
    usage = TurnUsage()
    answer = await BuiltinProvider().answer(
        TurnRequest(
            message="Invoice Acme Corp for 10 hours of consulting at $150, 8% tax", current=None, today=TODAY
        ),
        usage,
    )
    assert answer.action == "generate"
    assert answer.invoice is not None
    assert answer.invoice.buyer.name == "Acme Corp"
    assert answer.invoice.line_items[0].unit_price == Decimal("150")


async def test_usage_is_an_estimate_that_costs_nothing() -> None:
    usage = TurnUsage()
    await BuiltinProvider().answer(
        TurnRequest(message="Invoice Acme for 2 widgets at $5", current=None, today=TODAY), usage
    )
    (call,) = usage.calls
    assert call.provider == "builtin" and call.estimated
    assert call.cost_usd == Decimal(0)
    assert call.prompt_tokens > 0 and call.completion_tokens > 0


async def test_the_reply_is_streamed_as_a_few_deltas() -> None:
    deltas: list[str] = []

    async def sink(text: str) -> None:
        deltas.append(text)

    answer = await BuiltinProvider().answer(
        TurnRequest(
            message="Invoice Acme Corp for 10 hours of consulting at $150", current=None, today=TODAY
        ),
        TurnUsage(),
        on_delta=sink,
    )
    assert len(deltas) >= 2
    assert "".join(deltas) == answer.reply
    assert answer.streamed


async def test_earlier_user_messages_answer_its_question() -> None:
    provider = BuiltinProvider()
    first = await provider.answer(
        TurnRequest(message="Invoice for 3 widgets at $12.50", current=None, today=TODAY), TurnUsage()
    )
    assert first.action == "question"
    second = await provider.answer(
        TurnRequest(
            message="Bill Globex Corporation",
            current=None,
            today=TODAY,
            history=[
                HistoryMessage("user", "Invoice for 3 widgets at $12.50"),
                HistoryMessage("assistant", first.reply),
            ],
        ),
        TurnUsage(),
    )
    assert second.action == "generate"
    assert second.invoice is not None and second.invoice.buyer.name.startswith("Globex")


def test_reply_pieces_join_back_to_the_reply() -> None:
    reply = "  Here is your invoice for Acme Corp: 10 hours of consulting.\nTotal 1,620.00 USD."
    pieces = reply_pieces(reply)
    assert "".join(pieces) == reply
    assert len(pieces) == 4  # 14 words, 4 per piece
