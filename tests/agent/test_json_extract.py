"""Finding the JSON object in a model's free text, and streaming its reply field."""

from __future__ import annotations

import json

import pytest

from docmesh_agent.providers.jsonextract import (
    NoJsonFound,
    ReplyStreamer,
    extract_json,
    remove_trailing_commas,
)
from docmesh_agent.providers.openai_provider import InvalidAnswer, parse_answer
from tests.agent.conftest import ANSWER, INVOICE


def test_plain_json_object_is_returned() -> None:
    assert extract_json('{"a": 1}') == {"a": 1}


def test_json_in_a_markdown_fence_with_prose_around_it() -> None:
    text = 'Here you go:\n```json\n{"a": {"b": [1, 2]}}\n```\nAnything else?'
    assert extract_json(text) == {"a": {"b": [1, 2]}}


def test_json_in_an_unlabelled_fence() -> None:
    assert extract_json('```\n{"a": 1}\n```') == {"a": 1}


def test_json_embedded_in_prose_without_a_fence() -> None:
    text = 'I made this: {"reply": "ok", "n": "{not a brace}"} -- hope it helps {really}'
    assert extract_json(text) == {"reply": "ok", "n": "{not a brace}"}


def test_trailing_commas_are_removed_outside_strings() -> None:
    assert remove_trailing_commas('{"a": [1, 2,], "b": "x,]",}') == '{"a": [1, 2], "b": "x,]"}'
    assert extract_json('{"a": [1, 2, ], }') == {"a": [1, 2]}


def test_the_largest_object_wins_over_a_small_one_in_the_prose() -> None:
    text = 'Use {"x": 1} style. Answer: {"reply": "hi", "action": "question"}'
    assert extract_json(text) == {"reply": "hi", "action": "question"}


def test_text_without_json_is_refused_with_a_reason() -> None:
    with pytest.raises(NoJsonFound, match="no valid JSON object"):
        extract_json("I'm sorry, I can't help with that.")


def test_a_json_array_is_not_an_answer() -> None:
    with pytest.raises(NoJsonFound, match="not an object"):
        extract_json("[1, 2, 3]")


def test_empty_text_is_refused() -> None:
    with pytest.raises(NoJsonFound, match="empty"):
        extract_json("   ")


def test_parse_answer_names_the_invalid_field() -> None:
    bad = {**ANSWER, "invoice": {**INVOICE, "line_items": [{"description": "x", "unit_price": "-5"}]}}
    with pytest.raises(InvalidAnswer) as caught:
        parse_answer(json.dumps(bad), has_document=False)
    assert any(e.startswith("invoice.line_items.0.unit_price") for e in caught.value.errors)


def test_parse_answer_requires_an_invoice_for_generate() -> None:
    with pytest.raises(InvalidAnswer, match="needs the complete invoice"):
        parse_answer(json.dumps({"reply": "here", "action": "generate"}), has_document=False)


def test_a_bare_invoice_edits_an_existing_document() -> None:
    answer = parse_answer(json.dumps(INVOICE), has_document=True)
    assert answer.action == "edit"


def test_reply_streamer_decodes_the_reply_across_chunk_boundaries() -> None:
    text = json.dumps({"reply": 'Done: "quoted", line\nnext \u00e9 \U0001f600 end', "action": "question"})
    streamer = ReplyStreamer()
    pieces = [streamer.feed(text[i : i + 3]) for i in range(0, len(text), 3)]
    assert "".join(pieces) == 'Done: "quoted", line\nnext é 😀 end'
    assert streamer.done
    assert sum(1 for p in pieces if p) > 5


def test_reply_streamer_stays_silent_without_a_reply_field() -> None:
    streamer = ReplyStreamer()
    assert streamer.feed('{"action": "edit", "invoice": {}}') == ""
