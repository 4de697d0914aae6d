"""docmesh.session.v1.ProfileService: proto ↔ the profile rules (thin)."""

from __future__ import annotations

import grpc
from google.api import httpbody_pb2

from docmesh.session.v1 import profile_service_pb2 as pb
from docmesh.session.v1 import profile_service_pb2_grpc
from docmesh_session.profile_output import logo_info, profile_reply
from docmesh_session.repository.profiles import LogoInfo
from docmesh_session.service.profiles import ProfileRules
from docmesh_session.servicer import owner_id


class ProfileServicer(profile_service_pb2_grpc.ProfileServiceServicer):
    def __init__(self, rules: ProfileRules) -> None:
        self.rules = rules

    async def GetProfile(
        self, request: pb.GetProfileRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetProfileResponse:
        return pb.GetProfileResponse(profile=profile_reply(*await self.rules.get(owner_id())))

    async def UpdateProfile(
        self, request: pb.UpdateProfileRequest, context: grpc.aio.ServicerContext
    ) -> pb.UpdateProfileResponse:
        updated = await self.rules.update(owner_id(), request.profile, request.update_mask)
        return pb.UpdateProfileResponse(profile=profile_reply(*updated))

    async def SetLogo(
        self, request: pb.SetLogoRequest, context: grpc.aio.ServicerContext
    ) -> pb.SetLogoResponse:
        logo = await self.rules.set_logo(owner_id(), request.image.content_type, request.image.data)
        info = LogoInfo(logo.content_type, len(logo.data), logo.width, logo.height)
        return pb.SetLogoResponse(logo=logo_info(info))

    async def GetLogo(
        self, request: pb.GetLogoRequest, context: grpc.aio.ServicerContext
    ) -> pb.GetLogoResponse:
        logo = await self.rules.get_logo(owner_id())
        return pb.GetLogoResponse(image=httpbody_pb2.HttpBody(content_type=logo.content_type, data=logo.data))

    async def DeleteLogo(
        self, request: pb.DeleteLogoRequest, context: grpc.aio.ServicerContext
    ) -> pb.DeleteLogoResponse:
        await self.rules.delete_logo(owner_id())
        return pb.DeleteLogoResponse()
