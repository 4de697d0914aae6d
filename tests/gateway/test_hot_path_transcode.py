"""Requests made of strings skip json_format's walk: the message is the one json_format builds,
and what it refuses is still refused with the same field named."""

from __future__ import annotations

import json
from typing import Any

import pytest
from google.protobuf import json_format
from hypothesis import given, settings
from hypothesis import strategies as st

from docmesh_gateway.routes import Route, build_routes, generated_modules, services
from docmesh_gateway.transcode import RequestError, build_request

ROUTES = {r.operation_id: r for r in build_routes(services(generated_modules()))}
CREATE = ROUTES["SessionService_CreateSession"]
GET = ROUTES["SessionService_GetSession"]
CHAT = ROUTES["AgentService_Chat"]

texts = st.text(max_size=40)  # any code point, unpaired surrogates included


def json_format_message(route: Route, data: dict[str, Any]) -> Any:
    message = route.request_class()
    json_format.ParseDict(data, message)
    return message


def outcome(route: Route, path: dict[str, str], body: bytes) -> Any:
    try:
        return build_request(route, path, [], body)
    except RequestError as error:
        return ("refused", error.field)


@settings(max_examples=200, deadline=None)
@given(title=texts)
def test_a_create_is_the_message_json_format_builds(title: str) -> None:
    body = json.dumps({"title": title}).encode()
    try:
        expected: Any = json_format_message(CREATE, {"session": {"title": title}})
    except json_format.ParseError:
        expected = ("refused", "session.title")
    assert outcome(CREATE, {}, body) == expected


@settings(max_examples=200, deadline=None)
@given(session_id=st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_a_get_by_id_is_the_message_json_format_builds(session_id: str) -> None:
    path = {"v0": session_id.replace("%", "%25").replace("/", "%2F")}
    assert outcome(GET, path, b"") == json_format_message(GET, {"session_id": session_id})


@settings(max_examples=100, deadline=None)
@given(
    fields=st.dictionaries(st.sampled_from(["message", "session_id", "idempotency_key"]), texts, max_size=3)
)
def test_a_chat_body_of_strings_is_the_message_json_format_builds(fields: dict[str, str]) -> None:
    try:
        expected: Any = json_format_message(CHAT, fields)
    except json_format.ParseError:
        expected = None
    result = outcome(CHAT, {}, json.dumps(fields).encode())
    if expected is None:
        assert result[0] == "refused"
    else:
        assert result == expected


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"title": 3}', "session.title"),
        (b'{"title": "a", "colour": "red"}', "session.colour"),
        (b'{"title": "\\ud800"}', "session.title"),
        (b'{"metadata": {"k": 1}}', "session.metadata"),
    ],
)
def test_what_json_format_refuses_is_refused_naming_the_field(body: bytes, field: str) -> None:
    with pytest.raises(RequestError) as refused:
        build_request(CREATE, {}, [], body)
    assert refused.value.field == field
