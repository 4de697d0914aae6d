"""The business profile and its logo through the real gateway to the real session service."""

from __future__ import annotations

import io
import uuid
from typing import Any

import httpx
import pytest
from PIL import Image

from tests.gateway.conftest import Backends, Gateway, error_of, require


@pytest.fixture(autouse=True)
def _needs_session(backends: Backends) -> None:
    require(backends, "session")


def png(width: int = 40, height: int = 20) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (29, 53, 87)).save(buffer, format="PNG")
    return buffer.getvalue()


def violation_field(response: httpx.Response) -> str:
    error = error_of(response)
    bad = next(d for d in error["details"] if d["@type"].endswith("BadRequest"))
    return str(bad["field_violations"][0]["field"])


async def profile_of(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/api/v1/profile")
    assert response.status_code == 200, response.text
    return dict(response.json()["profile"])


async def test_a_profile_never_saved_reads_with_the_default_numbering(gateway: Gateway) -> None:
    async with gateway.client("bob") as client:
        profile = await profile_of(client)
    numbering = profile["numbering"]
    assert numbering["invoice"] == "INV-{YYYY}-{seq:04}"
    assert numbering["quote"] == "QUO-{YYYY}-{seq:04}"


async def test_a_patch_changes_exactly_the_fields_in_its_body(gateway: Gateway) -> None:
    name = f"Docmesh GmbH {uuid.uuid4().hex[:6]}"
    async with gateway.client() as client:
        first = await client.patch(
            "/api/v1/profile", json={"seller": {"name": name, "country_code": "DE"}, "footer": "Berlin HRB 1"}
        )
        assert first.status_code == 200, first.text
        second = await client.patch("/api/v1/profile", json={"default_payment_terms": "Net 14"})
        assert second.status_code == 200, second.text
        profile = await profile_of(client)
    assert profile["seller"]["name"] == name
    assert profile["seller"]["country_code"] == "DE"
    assert profile["footer"] == "Berlin HRB 1"
    assert profile["default_payment_terms"] == "Net 14"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bank": {"iban": "DE89 3704 0044 0532 0130 01"}}, "iban"),  # checksum off by one
        ({"seller": {"country_code": "XY"}}, "country_code"),
        ({"numbering": {"invoice": "INV-{YYYY}"}}, "numbering.invoice"),
    ],
)
async def test_bad_profile_input_is_400_naming_the_field_and_writes_nothing(
    gateway: Gateway, body: dict[str, Any], field: str
) -> None:
    async with gateway.client() as client:
        before = await profile_of(client)
        response = await client.patch("/api/v1/profile", json={**body, "footer": "must not be written"})
        after = await profile_of(client)
    assert response.status_code == 400
    assert field in violation_field(response)
    assert after == before


async def test_an_unknown_profile_field_is_400_naming_it(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.patch("/api/v1/profile", json={"slogan": "fast"})
    assert response.status_code == 400
    assert violation_field(response) == "profile.slogan"


async def test_a_logo_is_uploaded_as_raw_bytes_and_downloaded_with_its_type(gateway: Gateway) -> None:
    image = png(40, 20)
    async with gateway.client() as client:
        stored = await client.put(
            "/api/v1/profile/logo", content=image, headers={"Content-Type": "image/png"}
        )
        assert stored.status_code == 200, stored.text
        downloaded = await client.get("/api/v1/profile/logo")
        profile = await profile_of(client)
    assert stored.json()["logo"]["content_type"] == "image/png"
    assert (stored.json()["logo"]["width"], stored.json()["logo"]["height"]) == (40, 20)
    assert downloaded.status_code == 200
    assert downloaded.headers["content-type"] == "image/png"
    assert downloaded.content == image
    assert profile["logo"]["size_bytes"] == len(image)


async def test_a_deleted_logo_is_404(gateway: Gateway) -> None:
    async with gateway.client() as client:
        await client.put("/api/v1/profile/logo", content=png(), headers={"Content-Type": "image/png"})
        deleted = await client.delete("/api/v1/profile/logo")
        missing = await client.get("/api/v1/profile/logo")
    assert deleted.status_code == 200
    assert missing.status_code == 404
    assert error_of(missing)["status"] == "NOT_FOUND"


async def test_a_logo_that_is_not_an_image_is_400_naming_the_image(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.put(
            "/api/v1/profile/logo", content=b"%PDF-1.4 not an image", headers={"Content-Type": "image/png"}
        )
    assert response.status_code == 400
    assert "image" in violation_field(response)


async def test_a_logo_over_256_kb_is_refused_with_a_json_error(gateway: Gateway) -> None:
    oversized = png() + b"\0" * (256 * 1024)
    async with gateway.client() as client:
        response = await client.put(
            "/api/v1/profile/logo", content=oversized, headers={"Content-Type": "image/png"}
        )
    assert response.status_code in (400, 413)
    assert error_of(response)["status"] == "INVALID_ARGUMENT"


async def test_another_owners_profile_and_logo_are_not_visible(gateway: Gateway) -> None:
    name = f"Alice Only {uuid.uuid4().hex[:6]}"
    async with gateway.client() as alice:
        await alice.patch("/api/v1/profile", json={"seller": {"name": name}})
        await alice.put("/api/v1/profile/logo", content=png(), headers={"Content-Type": "image/png"})
    async with gateway.client("bob") as bob:
        profile = await profile_of(bob)
        logo = await bob.get("/api/v1/profile/logo")
    assert profile.get("seller", {}).get("name", "") != name
    assert logo.status_code == 404
