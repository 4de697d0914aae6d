"""The business profile as a reply (GetProfile, UpdateProfile, BeginTurn's first-turn profile):
the stored profile with when it was saved and what its logo is."""

from __future__ import annotations

import datetime as dt

from google.protobuf import timestamp_pb2

from docmesh.session.v1 import profile_service_pb2 as pb
from docmesh_session.repository.profiles import LogoInfo


def profile_reply(profile: pb.Profile, update_time: dt.datetime | None, logo: LogoInfo | None) -> pb.Profile:
    reply = pb.Profile()
    reply.CopyFrom(profile)
    if update_time is not None:
        stamp = timestamp_pb2.Timestamp()
        stamp.FromDatetime(update_time)
        reply.update_time.CopyFrom(stamp)
    if logo is not None:
        reply.logo.CopyFrom(logo_info(logo))
    return reply


def logo_info(logo: LogoInfo) -> pb.LogoInfo:
    return pb.LogoInfo(
        content_type=logo.content_type, size_bytes=logo.size_bytes, width=logo.width, height=logo.height
    )
