"""Document routes through the gateway to the real document service."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

import pytest

from tests.gateway.conftest import Backends, Gateway, error_of, require

INVOICE: dict[str, Any] = {
    "kind": "DOCUMENT_KIND_INVOICE",
    "currency_code": "USD",
    "issue_date": "2025-03-01",
    "due_date": "2025-03-31",
    "buyer": {"name": "Acme"},
    "line_items": [
        {
            "description": "Consulting",
            "quantity": "10",
            "unit_price": {"amount": "150", "currency_code": "USD"},
        }
    ],
    "taxes": [{"name": "VAT", "rate_percent": "8"}],
}


@pytest.fixture(autouse=True)
def _needs_document(backends: Backends) -> None:
    require(backends, "document")


@pytest.fixture
async def rendered(gateway: Gateway) -> dict[str, Any]:
    async with gateway.client() as client:
        response = await client.post("/api/v1/documents:render", json={"invoice": INVOICE})
    assert response.status_code == 200, response.text
    return response.json()


async def test_render_returns_the_sheet_totals_and_a_clean_report(rendered: dict[str, Any]) -> None:
    assert rendered["msc"].startswith("socialcalc:version:1.0")
    assert Decimal(rendered["totals"]["total"]["amount"]) == Decimal("1620.00")
    assert rendered["validation"]["valid"] is True


async def test_validate_a_good_and_a_broken_sheet(gateway: Gateway, rendered: dict[str, Any]) -> None:
    async with gateway.client() as client:
        good = await client.post(
            "/api/v1/documents:validate", json={"msc": rendered["msc"], "invoice_checks": True}
        )
        broken = await client.post(
            "/api/v1/documents:validate", json={"msc": "version:1.5\ncell:A1:v:notanumber\n"}
        )
    assert good.status_code == 200 and good.json()["report"]["valid"] is True
    assert broken.status_code == 200
    report = broken.json()["report"]
    assert report["valid"] is False and report["error_count"] >= 1 and report["findings"]


async def test_correct_reports_its_fixes(gateway: Gateway, rendered: dict[str, Any]) -> None:
    async with gateway.client() as client:
        response = await client.post("/api/v1/documents:correct", json={"msc": rendered["msc"]})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"msc", "fixes", "report"}


async def test_parse_and_recalculate_list_the_cells(gateway: Gateway, rendered: dict[str, Any]) -> None:
    async with gateway.client() as client:
        parsed = await client.post("/api/v1/documents:parse", json={"msc": rendered["msc"]})
        recalculated = await client.post("/api/v1/documents:recalculate", json={"msc": rendered["msc"]})
    assert parsed.status_code == 200 and parsed.json()["cells"]
    cells = recalculated.json()["cells"]
    assert any(
        c["formula"] and Decimal(c["value"] or "0") == Decimal("1620")
        for c in cells
        if c["value_type"].startswith("n")
    )


async def test_export_returns_the_file_as_base64_json(gateway: Gateway, rendered: dict[str, Any]) -> None:
    async with gateway.client() as client:
        response = await client.post(
            "/api/v1/documents:export",
            json={"msc": rendered["msc"], "format": "EXPORT_FORMAT_CSV", "base_name": "inv"},
        )
    assert response.status_code == 200
    body = response.json()
    assert body["file_name"] == "inv.csv"
    assert "1620" in base64.b64decode(body["content"]).decode()


async def test_export_without_a_format_is_400(gateway: Gateway, rendered: dict[str, Any]) -> None:
    async with gateway.client() as client:
        response = await client.post("/api/v1/documents:export", json={"msc": rendered["msc"]})
    assert response.status_code == 400
    assert error_of(response)["status"] == "INVALID_ARGUMENT"


async def test_render_with_a_bad_enum_names_the_field(gateway: Gateway) -> None:
    async with gateway.client() as client:
        response = await client.post(
            "/api/v1/documents:render", json={"invoice": INVOICE, "container": "CONTAINER_ZIP"}
        )
    assert response.status_code == 400
    assert "container" in error_of(response)["message"]
