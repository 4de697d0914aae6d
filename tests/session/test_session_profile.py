"""ProfileService: one business profile and one logo per owner, every field checked."""

from __future__ import annotations

import io

import grpc
import pytest
from google.api import httpbody_pb2
from google.protobuf import field_mask_pb2
from PIL import Image

from docmesh.session.v1 import profile_service_pb2 as pb
from docmesh.session.v1 import profile_service_pb2_grpc
from docmesh.type.v1 import invoice_pb2
from docmesh_common.errors import error_from_rpc
from tests.session.conftest import Instance, Owner

IBAN = "DE89 3704 0044 0532 0130 00"


@pytest.fixture
def profiles(instance: Instance) -> profile_service_pb2_grpc.ProfileServiceStub:
    return profile_service_pb2_grpc.ProfileServiceStub(instance.channel)


async def get(stub: profile_service_pb2_grpc.ProfileServiceStub, owner: Owner) -> pb.Profile:
    return (await stub.GetProfile(pb.GetProfileRequest(), metadata=owner.md)).profile


async def update(
    stub: profile_service_pb2_grpc.ProfileServiceStub, owner: Owner, profile: pb.Profile, *paths: str
) -> pb.Profile:
    request = pb.UpdateProfileRequest(
        profile=profile, update_mask=field_mask_pb2.FieldMask(paths=list(paths))
    )
    return (await stub.UpdateProfile(request, metadata=owner.md)).profile


def image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "red").save(buffer, format=kind)
    return buffer.getvalue()


async def set_logo(
    stub: profile_service_pb2_grpc.ProfileServiceStub, owner: Owner, content_type: str, data: bytes
) -> pb.LogoInfo:
    request = pb.SetLogoRequest(image=httpbody_pb2.HttpBody(content_type=content_type, data=data))
    return (await stub.SetLogo(request, metadata=owner.md)).logo


async def refused_field(call: object) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call  # type: ignore[misc]
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    violations = error_from_rpc(raised.value).violations
    assert len(violations) == 1, violations
    return next(iter(violations))


async def test_an_owner_without_a_profile_gets_the_empty_one_with_default_patterns(profiles, alice) -> None:
    profile = await get(profiles, alice)

    assert profile.seller.name == ""
    assert profile.numbering == pb.NumberingPatterns(
        invoice="INV-{YYYY}-{seq:04}",
        quote="QUO-{YYYY}-{seq:04}",
        receipt="REC-{YYYY}-{seq:04}",
        purchase_order="PO-{YYYY}-{seq:04}",
        credit_note="CN-{YYYY}-{seq:04}",
    )
    assert not profile.HasField("update_time")


async def test_an_update_with_no_mask_sets_every_field(profiles, alice) -> None:
    sent = pb.Profile(
        seller=invoice_pb2.Party(name="Studio Nord", country_code="DE", city="Hamburg"),
        bank=pb.BankDetails(iban=IBAN, bic="DEUTDEFF", account_holder="Studio Nord"),
        default_currency_code="EUR",
        default_payment_days=14,
        language="de",
        footer="Thank you",
    )

    updated = await update(profiles, alice, sent)

    assert updated.seller.name == "Studio Nord"
    assert updated.bank.iban == IBAN
    assert (updated.default_currency_code, updated.language, updated.default_payment_days) == (
        "EUR",
        "de",
        14,
    )
    assert updated.HasField("update_time")
    assert await get(profiles, alice) == updated


async def test_a_masked_update_changes_only_the_named_fields(profiles, alice) -> None:
    await update(profiles, alice, pb.Profile(footer="Old footer", language="fr"))

    updated = await update(profiles, alice, pb.Profile(footer="New footer", language="es"), "footer")

    assert (updated.footer, updated.language) == ("New footer", "fr")


async def test_a_nested_mask_path_changes_one_field_of_a_part(profiles, alice) -> None:
    await update(profiles, alice, pb.Profile(bank=pb.BankDetails(iban=IBAN, account_holder="Nord")))

    updated = await update(
        profiles, alice, pb.Profile(bank=pb.BankDetails(account_holder="Studio Nord")), "bank.account_holder"
    )

    assert (updated.bank.iban, updated.bank.account_holder) == (IBAN, "Studio Nord")


async def test_each_owner_has_a_profile_of_their_own(profiles, alice, bob) -> None:
    await update(profiles, alice, pb.Profile(footer="Alice's"))

    assert (await get(profiles, bob)).footer == ""


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        (pb.Profile(bank=pb.BankDetails(iban="DE89 3704 0044 0532 0130 01")), "profile.bank.iban"),
        (pb.Profile(bank=pb.BankDetails(bic="NOTABIC")), "profile.bank.bic"),
        (pb.Profile(seller=invoice_pb2.Party(country_code="XX")), "profile.seller.country_code"),
        (pb.Profile(seller=invoice_pb2.Party(name="x" * 201)), "profile.seller.name"),
        (pb.Profile(seller=invoice_pb2.Party(vat_id="QQ123456789")), "profile.seller.vat_id"),
        (pb.Profile(default_currency_code="XYZ"), "profile.default_currency_code"),
        (pb.Profile(language="it"), "profile.language"),
        (pb.Profile(default_payment_days=-1), "profile.default_payment_days"),
        (pb.Profile(footer="x" * 2001), "profile.footer"),
        (pb.Profile(numbering=pb.NumberingPatterns(invoice="INV-{YYYY}")), "profile.numbering.invoice"),
        (pb.Profile(numbering=pb.NumberingPatterns(quote="Q-{DD}-{seq}")), "profile.numbering.quote"),
    ],
)
async def test_an_invalid_field_is_refused_by_name_and_nothing_is_written(
    profiles, alice, profile, field
) -> None:
    await update(profiles, alice, pb.Profile(footer="kept"))

    assert await refused_field(update(profiles, alice, profile)) == field
    assert (await get(profiles, alice)).footer == "kept"


async def test_a_mask_naming_an_output_only_field_is_refused(profiles, alice) -> None:
    assert await refused_field(update(profiles, alice, pb.Profile(), "update_time")) == "update_mask"


async def test_a_mask_naming_no_field_of_a_profile_is_refused(profiles, alice) -> None:
    assert await refused_field(update(profiles, alice, pb.Profile(), "colour")) == "update_mask"


# ---- logo --------------------------------------------------------------------------------


@pytest.mark.parametrize(("content_type", "kind"), [("image/png", "PNG"), ("image/jpeg", "JPEG")])
async def test_a_png_or_jpeg_logo_is_stored_and_returned_as_sent(profiles, alice, content_type, kind) -> None:
    data = image(kind)

    info = await set_logo(profiles, alice, content_type, data)
    back = (await profiles.GetLogo(pb.GetLogoRequest(), metadata=alice.md)).image

    assert (info.content_type, info.size_bytes, info.width, info.height) == (content_type, len(data), 40, 20)
    assert (back.content_type, back.data) == (content_type, data)
    assert (await get(profiles, alice)).logo == info


async def test_a_safe_svg_logo_is_stored(profiles, alice) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="10" height="10"/></svg>'

    info = await set_logo(profiles, alice, "image/svg+xml", svg)

    assert (info.width, info.height) == (120, 40)


@pytest.mark.parametrize(
    ("content_type", "data", "field"),
    [
        ("image/png", image("JPEG"), "image.content_type"),
        ("image/png", b"not an image", "image.data"),
        ("image/png", image("PNG")[:40], "image.data"),
        ("image/gif", image("GIF"), "image.content_type"),
        ("image/png", b"", "image.data"),
        ("image/png", b"\x89PNG" + b"\x00" * 262_141, "image.data"),
        (
            "image/svg+xml",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image.data",
        ),
        ("image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>', "image.data"),
        (
            "image/svg+xml",
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<image xlink:href="http://example.invalid/a.png"/></svg>',
            "image.data",
        ),
        (
            "image/svg+xml",
            b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
            "image.data",
        ),
        ("image/svg+xml", b"<html/>", "image.data"),
        ("image/svg+xml", b"<svg", "image.data"),
    ],
)
async def test_a_logo_that_is_not_what_it_says_or_unsafe_is_refused(
    profiles, alice, content_type, data, field
) -> None:
    assert await refused_field(set_logo(profiles, alice, content_type, data)) == field
    assert not (await get(profiles, alice)).HasField("logo")


async def test_a_logo_of_256_kb_exactly_is_accepted_as_far_as_size_goes(profiles, alice) -> None:
    head, tail = b'<svg xmlns="http://www.w3.org/2000/svg">', b"</svg>"
    svg = head + b" " * (262_144 - len(head) - len(tail)) + tail

    info = await set_logo(profiles, alice, "image/svg+xml", svg)

    assert info.size_bytes == 262_144


async def test_no_logo_is_not_found_and_a_deleted_logo_is_gone(profiles, alice) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as before:
        await profiles.GetLogo(pb.GetLogoRequest(), metadata=alice.md)
    await set_logo(profiles, alice, "image/png", image("PNG"))
    await profiles.DeleteLogo(pb.DeleteLogoRequest(), metadata=alice.md)
    with pytest.raises(grpc.aio.AioRpcError) as after:
        await profiles.GetLogo(pb.GetLogoRequest(), metadata=alice.md)

    assert before.value.code() == after.value.code() == grpc.StatusCode.NOT_FOUND


async def test_another_owners_logo_is_not_found(profiles, alice, bob) -> None:
    await set_logo(profiles, alice, "image/png", image("PNG"))

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await profiles.GetLogo(pb.GetLogoRequest(), metadata=bob.md)

    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_logo_one_byte_over_256_kb_is_refused(profiles, alice) -> None:
    head, tail = b'<svg xmlns="http://www.w3.org/2000/svg">', b"</svg>"
    svg = head + b" " * (262_145 - len(head) - len(tail)) + tail

    assert await refused_field(set_logo(profiles, alice, "image/svg+xml", svg)) == "image.data"
