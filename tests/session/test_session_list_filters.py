"""ListSessions narrows by document kind, stage and a text in the title or document number."""

from __future__ import annotations

import grpc
import pytest

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh.type.v1 import invoice_pb2
from tests.session.conftest import Owner


async def listed(owner: Owner, **filters: object) -> list[str]:
    response = await owner.stub.ListSessions(pb.ListSessionsRequest(**filters), metadata=owner.md)  # type: ignore[arg-type]
    return sorted(s.title for s in response.sessions)


async def finalized(owner: Owner, title: str) -> pb.Session:
    session = await owner.create(title)
    await owner.save_revision(session.id)
    response = await owner.stub.FinalizeSession(
        pb.FinalizeSessionRequest(
            session_id=session.id, numbering_pattern="INV-{YYYY}-{seq:04}", issue_date="2026-05-01"
        ),
        metadata=owner.md,
    )
    return response.session


async def test_document_kind_lists_only_that_kind(alice: Owner) -> None:
    await alice.create("an invoice", document_kind=invoice_pb2.DOCUMENT_KIND_INVOICE)
    await alice.create("a quote", document_kind=invoice_pb2.DOCUMENT_KIND_QUOTE)

    assert await listed(alice, document_kind=invoice_pb2.DOCUMENT_KIND_QUOTE) == ["a quote"]


async def test_stage_lists_only_that_stage(alice: Owner) -> None:
    await alice.create("still collecting")
    await finalized(alice, "sent")

    assert await listed(alice, stage=pb.SESSION_STAGE_FINALIZED) == ["sent"]
    assert await listed(alice, stage=pb.SESSION_STAGE_COLLECTING) == ["still collecting"]


async def test_query_matches_the_title_case_insensitively(alice: Owner) -> None:
    await alice.create("Website for ACME")
    await alice.create("Logo for Apex")

    assert await listed(alice, query="acme") == ["Website for ACME"]


async def test_query_matches_the_document_number(alice: Owner) -> None:
    await finalized(alice, "numbered")
    await alice.create("draft")

    assert await listed(alice, query="inv-2026-0001") == ["numbered"]


async def test_query_wildcards_are_plain_text(alice: Owner) -> None:
    await alice.create("100% done")
    await alice.create("1000 done")

    assert await listed(alice, query="0%") == ["100% done"]


async def test_filters_never_show_another_owners_sessions(alice: Owner, bob: Owner) -> None:
    await bob.create("Website for ACME")

    assert await listed(alice, query="acme") == []


async def test_an_overlong_query_is_refused_naming_the_field(alice: Owner) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await listed(alice, query="x" * 201)

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "query" in raised.value.details()


async def test_an_unknown_stage_is_refused_naming_the_field(alice: Owner) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await listed(alice, stage=99)

    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "stage" in raised.value.details()
