"""The rules of an owner's business profile and logo: one of each per owner; an owner who
never saved a profile has the empty one with the default numbering patterns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from google.protobuf import field_mask_pb2

from docmesh.session.v1 import profile_service_pb2 as pb
from docmesh_common.errors import NotFound
from docmesh_session.logo_input import accept_logo
from docmesh_session.profile_input import accept_profile, merge, with_defaults
from docmesh_session.repository import SessionRepository
from docmesh_session.repository.profiles import Logo, LogoInfo, StoredProfile
from docmesh_session.service.shared import run_to_completion


def _logo_not_found() -> NotFound:
    return NotFound("the profile has no logo", reason="LOGO_NOT_FOUND")


def described(
    stored: StoredProfile | None, logo: LogoInfo | None
) -> tuple[pb.Profile, dt.datetime | None, LogoInfo | None]:
    """A stored profile as GetProfile answers it: defaults filled in, when it was last saved,
    its logo's description."""
    profile = pb.Profile()
    if stored is not None:
        profile.ParseFromString(stored.profile)
    return with_defaults(profile), stored.update_time if stored else None, logo


class ProfileRules:
    def __init__(self, repository: SessionRepository, *, clock: Callable[[], dt.datetime]) -> None:
        self._repository = repository
        self._clock = clock

    async def get(self, owner_id: str) -> tuple[pb.Profile, dt.datetime | None, LogoInfo | None]:
        """The profile (defaults filled in), when it was last saved, and its logo's description."""
        return described(*await self._repository.profiles.get(owner_id))

    @run_to_completion
    async def update(
        self, owner_id: str, sent: pb.Profile, mask: field_mask_pb2.FieldMask
    ) -> tuple[pb.Profile, dt.datetime | None, LogoInfo | None]:
        current, _, _ = await self.get(owner_id)
        merged = merge(current, sent, mask)
        await self._repository.profiles.put(owner_id, accept_profile(merged), self._clock())
        return await self.get(owner_id)

    @run_to_completion
    async def set_logo(self, owner_id: str, content_type: str, data: bytes) -> Logo:
        logo = accept_logo(content_type, data)
        await self._repository.profiles.put_logo(owner_id, logo, self._clock())
        return logo

    async def get_logo(self, owner_id: str) -> Logo:
        logo = await self._repository.profiles.get_logo(owner_id)
        if logo is None:
            raise _logo_not_found()
        return logo

    @run_to_completion
    async def delete_logo(self, owner_id: str) -> None:
        if not await self._repository.profiles.delete_logo(owner_id):
            raise _logo_not_found()
