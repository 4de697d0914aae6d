"""A turn frees its session's lease with its last write: the commit carries the holder
(CommitTurn's release_turn_lease), so a chat turn makes no release call of its own; a turn
that writes after its commit, or whose commit fails, releases the lease separately (issue 16)."""

from __future__ import annotations

import pytest

from docmesh_common.model.invoice import DocumentKind
from tests.agent.test_turn import ACME, GENERATED, edited, make_rig, question


async def test_a_turn_frees_its_session_with_its_commit_and_no_release_call() -> None:
    rig = make_rig(GENERATED, edited())
    first = await rig.chat(ACME)
    await rig.chat("edit", first.session_id)

    assert rig.session(first).lease_holder == ""
    assert rig.store.calls.count("commit") == 2
    assert "release" not in rig.store.calls


async def test_a_question_turn_frees_its_session_with_its_commit_too() -> None:
    rig = make_rig(question(), GENERATED)
    first = await rig.chat("hello")

    assert rig.session(first).lease_holder == ""
    assert "release" not in rig.store.calls
    assert (await rig.chat(ACME, first.session_id)).action == "generate"


async def test_a_turn_that_changes_the_document_kind_after_its_commit_releases_the_lease_after_that() -> None:
    rig = make_rig(GENERATED, edited(kind=DocumentKind.QUOTE))
    first = await rig.chat(ACME)
    await rig.chat("make it a quote", first.session_id)

    assert rig.session(first).lease_holder == ""
    assert rig.store.calls.count("release") == 1


async def test_a_turn_whose_answer_fails_still_frees_its_session() -> None:
    rig = make_rig(GENERATED, RuntimeError("provider down"), edited())
    first = await rig.chat(ACME)
    with pytest.raises(RuntimeError):
        await rig.chat("edit", first.session_id)

    assert rig.session(first).lease_holder == ""
    assert rig.store.calls.count("release") == 1
    assert (await rig.chat("edit", first.session_id)).action == "edit"
