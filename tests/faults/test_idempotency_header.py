"""The gateway carries the client's Idempotency-Key header into the turn, its one retry layer's key."""

from __future__ import annotations

from docmesh.agent.v1 import agent_service_pb2 as agent_pb
from docmesh.session.v1 import session_service_pb2 as session_pb
from docmesh_gateway.app import carry_idempotency_key


def test_the_header_becomes_the_turns_idempotency_key() -> None:
    request = agent_pb.ChatRequest(message="invoice Acme")
    carry_idempotency_key(request, {"idempotency-key": "turn-7"})
    assert request.idempotency_key == "turn-7"


def test_a_key_in_the_body_wins_over_the_header() -> None:
    request = agent_pb.ChatRequest(message="invoice Acme", idempotency_key="from-body")
    carry_idempotency_key(request, {"idempotency-key": "from-header"})
    assert request.idempotency_key == "from-body"


def test_a_request_without_an_idempotency_key_field_is_left_alone() -> None:
    request = session_pb.GetSessionRequest(session_id="s")
    carry_idempotency_key(request, {"idempotency-key": "k"})
    assert request == session_pb.GetSessionRequest(session_id="s")
