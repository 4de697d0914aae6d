"""ProfileBook over the session process's ProfileService gRPC API."""

from __future__ import annotations

from docmesh.session.v1 import profile_service_pb2 as prof_pb2
from docmesh.session.v1 import profile_service_pb2_grpc as prof_grpc
from docmesh_agent.domain import Logo, Profile
from docmesh_agent.settings import AgentSettings
from docmesh_common.clients import Upstream
from docmesh_common.errors import NotFound
from docmesh_common.model.invoice import DocumentKind, party_from_proto


class GrpcProfileBook:
    def __init__(self, upstream: Upstream[prof_grpc.ProfileServiceStub]) -> None:
        self._upstream = upstream

    @classmethod
    def connect(cls, settings: AgentSettings) -> GrpcProfileBook:
        """The session process serves the profiles, so this client goes to the session target."""
        return cls(Upstream("profile", settings.session_target, prof_grpc.ProfileServiceStub, settings))

    async def close(self) -> None:
        await self._upstream.close()

    async def get(self) -> Profile:
        found = await self._upstream.call(self._upstream.stub.GetProfile, prof_pb2.GetProfileRequest())
        return profile_from_wire(found.profile)

    async def logo(self) -> Logo | None:
        try:
            found = await self._upstream.call(self._upstream.stub.GetLogo, prof_pb2.GetLogoRequest())
        except NotFound:
            return None
        if not found.image.data:
            return None
        return Logo(content=found.image.data, content_type=found.image.content_type)


def profile_from_wire(profile: prof_pb2.Profile) -> Profile:
    return Profile(
        # The invoice model's own conversion of a party, so the two never differ.
        seller=party_from_proto(profile.seller),
        iban=profile.bank.iban,
        bic=profile.bank.bic,
        bank_text=profile.bank.text,
        footer=profile.footer,
        default_currency_code=profile.default_currency_code,
        default_payment_terms=profile.default_payment_terms,
        default_payment_days=profile.default_payment_days,
        default_notes=profile.default_notes,
        language=profile.language,
        has_logo=profile.HasField("logo") and profile.logo.size_bytes > 0,
        numbering={
            kind: pattern
            for kind, pattern in (
                (DocumentKind.INVOICE, profile.numbering.invoice),
                (DocumentKind.QUOTE, profile.numbering.quote),
                (DocumentKind.RECEIPT, profile.numbering.receipt),
                (DocumentKind.PURCHASE_ORDER, profile.numbering.purchase_order),
                (DocumentKind.CREDIT_NOTE, profile.numbering.credit_note),
            )
            if pattern
        },
    )
