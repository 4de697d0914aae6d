"""A chat turn opens with ONE session call (SessionStore.begin_turn: the session, its lease, the
person's message and, for a first document, the owner's profile) and ends with its commit: no
read, append, lease, release or profile call of its own on an active draft (issue 16)."""

from __future__ import annotations

from docmesh_agent.domain import Profile
from docmesh_common.model.invoice import Party
from tests.agent.test_turn import ACME, GENERATED, edited, make_rig

NORTHWIND = Profile(seller=Party(name="Northwind Design Studio", city="San Francisco"))


class UnreadProfileBook:
    """A ProfileBook the turn must not read: the profile came with the turn's opening."""

    async def get(self) -> Profile:
        raise AssertionError("the turn read the profile although BeginTurn returned it")

    async def logo(self) -> None:
        return None


async def test_a_first_turn_and_an_edit_each_make_one_begin_and_one_commit() -> None:
    rig = make_rig(GENERATED, edited())
    first = await rig.chat(ACME)
    await rig.chat("add QA", first.session_id)

    assert rig.store.calls == ["begin", "commit", "begin", "commit"]


async def test_a_first_document_takes_its_seller_from_the_profile_the_turn_opened_with() -> None:
    rig = make_rig(GENERATED)
    rig.store.profiles.profile = NORTHWIND
    rig.turns.profiles = UnreadProfileBook()

    result = await rig.chat(ACME)

    assert result.document is not None
    assert result.document.invoice.seller.name == "Northwind Design Studio"
