"""A chat turn's statements on the pooled asyncpg connection (Database.fetch): compiled once from
the same SQLAlchemy statements, bound as SQLAlchemy binds them, committed before the answer."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlsplit

import asyncpg
import pytest

from docmesh.session.v1 import session_service_pb2 as pb
from docmesh_session.database import compile_for_driver, create_engine
from docmesh_session.repository.messages import one_statement
from tests.session.conftest import Instance, Owner, statements_naming
from tests.session.test_session_begin_turn import begin, first
from tests.session.test_session_commit_turn import commit, llm_call, new_revision

# A commit with a revision, its key, one usage record, freeing the lease.
COMMIT_SHAPE = ((False, True, False, True), 1, True, 1, True)
NOW = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


@pytest.fixture
def compiled() -> Any:
    engine = create_engine("postgresql+asyncpg://127.0.0.1/unused")  # compiles; never connects
    return compile_for_driver(one_statement(*COMMIT_SHAPE), engine)


def parameters(compiled: Any, **given: Any) -> dict[str, Any]:
    """Every name the statement needs (None), `given` over them."""
    return {**dict.fromkeys(n for n in compiled.names if n not in compiled.defaults), **given}


def test_the_values_sqlalchemy_bound_itself_are_bound_in_their_place(compiled: Any) -> None:
    values = compiled.arguments(parameters(compiled))

    # The UPDATE's "status = 'active'" and "version + 1" are bound by the statement itself.
    assert values[compiled.names.index("status_1")] == "active"
    assert values[compiled.names.index("version_1")] == 1
    assert "$" in compiled.sql and ":p_id" not in compiled.sql


def test_a_name_the_statement_needs_and_nobody_gave_is_an_error(compiled: Any) -> None:
    given = parameters(compiled)
    del given["p_owner"]

    with pytest.raises(KeyError, match="p_owner"):
        compiled.arguments(given)


def test_a_timestamp_is_checked_as_sqlalchemy_checks_it(compiled: Any) -> None:
    aware = compiled.arguments(parameters(compiled, p_now=NOW))
    naive = parameters(compiled, p_now=NOW.replace(tzinfo=None))

    assert aware[compiled.names.index("p_now")] == NOW
    with pytest.raises(ValueError, match="naive datetime"):
        compiled.arguments(naive)


@pytest.mark.parametrize("backend", ["postgres+redis"], indirect=True)
async def test_an_acknowledged_turn_is_committed_in_postgresql(
    alice: Owner, backend_settings: tuple[str, dict[str, object]]
) -> None:
    begun = await first(alice, "Invoice Acme", idempotency_key="k:user")
    await commit(
        alice,
        begun.session.id,
        "Here it is",
        idempotency_key="k:reply",
        revision=new_revision(begun.message.id),
        usage=[llm_call()],
        release_turn_lease="turn-a",
    )
    edit = await begin(alice, "add 2 hours", session_id=begun.session.id, idempotency_key="k2:user")
    parts = urlsplit(backend_settings[0])
    # Another connection, as another process would see it: only committed rows are visible.
    conn = await asyncpg.connect(f"postgresql://{parts.netloc}{parts.path}")
    try:
        session_id = uuid.UUID(begun.session.id)
        contents = await conn.fetch(
            "SELECT content FROM messages WHERE session_id = $1 ORDER BY sequence", session_id
        )
        revisions = await conn.fetchval(
            "SELECT count(*) FROM document_revisions WHERE session_id = $1", session_id
        )
        holder = await conn.fetchval("SELECT holder FROM turn_leases WHERE session_id = $1", session_id)
    finally:
        await conn.close()
    assert [r["content"] for r in contents] == ["Invoice Acme", "Here it is", "add 2 hours"]
    assert revisions == 1 and holder == "turn-a" == edit.lease.holder


@pytest.mark.parametrize("backend", ["postgres+redis"], indirect=True)
async def test_a_turns_commit_is_one_statement(alice: Owner, instance: Instance) -> None:
    begun = await first(alice, "Invoice Acme")

    with statements_naming(instance, uuid.UUID(begun.session.id)) as statements:
        committed = await commit(
            alice,
            begun.session.id,
            "Here it is",
            idempotency_key="k:reply",
            revision=new_revision(begun.message.id),
            usage=[llm_call()],
            release_turn_lease="turn-a",
        )

    assert committed.revision.number == 1 and committed.session.message_count == 2
    assert len(statements) == 1 and "document_revisions" in statements[0]


@pytest.mark.parametrize("backend", ["postgres+redis"], indirect=True)
async def test_a_retried_commit_on_the_driver_path_replays_and_writes_nothing(alice: Owner) -> None:
    begun = await first(alice, "Invoice Acme")
    fields: dict[str, Any] = {"idempotency_key": "k:reply", "revision": new_revision(begun.message.id)}

    once = await commit(alice, begun.session.id, "Here it is", **fields)
    again = await commit(alice, begun.session.id, "Here it is", **fields)

    assert again.replayed and not once.replayed
    assert again.revision.number == once.revision.number == 1
    assert again.messages[0].id == once.messages[0].id
    full = await alice.get(begun.session.id, pb.SESSION_VIEW_FULL)
    assert full.session.message_count == 2 and full.session.latest_revision_number == 1


@pytest.mark.parametrize("backend", ["postgres+redis"], indirect=True)
async def test_an_edit_that_waited_for_another_append_still_reads_every_message(
    alice: Owner, backend_settings: tuple[str, dict[str, object]]
) -> None:
    # The edit's one statement reads the history as its snapshot holds it; an append committed
    # while it waited for the session's row lock is not in that snapshot but is counted by the
    # UPDATE: the edit then reads the history again instead of answering without it.
    begun = await first(alice, "Invoice Acme")
    await commit(alice, begun.session.id, "Here it is", release_turn_lease="turn-a")
    session_id = uuid.UUID(begun.session.id)
    parts = urlsplit(backend_settings[0])
    other = await asyncpg.connect(f"postgresql://{parts.netloc}{parts.path}")
    try:
        transaction = other.transaction()
        await transaction.start()
        # Another append, as AppendMessages writes one, holding the row lock until it commits.
        await other.execute(
            "UPDATE sessions SET message_count = 3, version = version + 1 WHERE id = $1", session_id
        )
        await other.execute(
            "INSERT INTO messages (id, session_id, sequence, role, content, token_count, create_time) "
            "VALUES ($1, $2, 3, 'user', 'meanwhile', 1, now())",
            uuid.uuid4(),
            session_id,
        )
        edit = asyncio.ensure_future(begin(alice, "add 2 hours", session_id=begun.session.id))
        await asyncio.sleep(0.5)  # the edit's statement has started and waits for the lock
        assert not edit.done()
        await transaction.commit()
        edited = await edit
    finally:
        await other.close()

    assert [m.content for m in edited.messages] == ["Invoice Acme", "Here it is", "meanwhile", "add 2 hours"]
    assert edited.message.sequence == 4 and edited.session.message_count == 4


@pytest.mark.parametrize("backend", ["postgres+redis"], indirect=True)
async def test_an_edit_that_waited_for_a_revision_still_reads_it(
    alice: Owner, backend_settings: tuple[str, dict[str, object]]
) -> None:
    # As above, for a revision saved while the edit waited: it answers with that revision.
    begun = await first(alice, "Invoice Acme")
    await commit(
        alice,
        begun.session.id,
        "Here it is",
        revision=new_revision(begun.message.id),
        release_turn_lease="turn-a",
    )
    session_id = uuid.UUID(begun.session.id)
    parts = urlsplit(backend_settings[0])
    other = await asyncpg.connect(f"postgresql://{parts.netloc}{parts.path}")
    try:
        transaction = other.transaction()
        await transaction.start()
        # A second revision, as SaveRevision writes one, holding the row lock until it commits.
        await other.execute(
            "UPDATE sessions SET latest_revision_number = 2, version = version + 1 WHERE id = $1", session_id
        )
        await other.execute(
            "INSERT INTO document_revisions (session_id, number, invoice, totals, msc, message_id, summary, "
            "create_time) SELECT session_id, 2, invoice, totals, msc, message_id, 'meanwhile', now() "
            "FROM document_revisions WHERE session_id = $1 AND number = 1",
            session_id,
        )
        edit = asyncio.ensure_future(begin(alice, "add 2 hours", session_id=begun.session.id))
        await asyncio.sleep(0.5)  # the edit's statement has started and waits for the lock
        assert not edit.done()
        await transaction.commit()
        edited = await edit
    finally:
        await other.close()

    assert edited.latest_revision.number == 2 and edited.latest_revision.summary == "meanwhile"
    assert [m.content for m in edited.messages] == ["Invoice Acme", "Here it is", "add 2 hours"]
