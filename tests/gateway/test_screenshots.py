"""The README's pictures, made by the running mesh: a finalized invoice's PDF (page 1, drawn by
pdftoppm) and the web page showing it. `make screenshot` sets DOCMESH_SCREENSHOTS=1 so they are
written to tests/gateway/screenshots/; otherwise they go to a temporary folder and are only checked."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.gateway.browser import DESKTOP, chromium, collect_problems, needs_chromium
from tests.gateway.conftest import Backends, StartGateway, require

pytestmark = pytest.mark.browser

DEV_KEY = "screenshot-dev-key"
SCREENSHOTS = Path(__file__).parent / "screenshots"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PROFILE = {
    "seller": {
        "name": "Northwind Design Studio",
        "address_lines": ["500 Market Street, Suite 12"],
        "postal_code": "94105",
        "city": "San Francisco",
        "country_code": "US",
        "email": "billing@northwind.example",
        "website": "northwind.example",
        "tax_id": "94-1234567",
    },
    "bank": {"text": "ACH routing 011000015, account 0042 1337"},
    "default_payment_terms": "Net 30",
    "footer": "Northwind Design Studio LLC · San Francisco, CA",
}
FIRST_TURN = (
    "Invoice Acme Corp for 10 hours of consulting at $150 and 2 workshops at $400, 8% tax, due in 30 days"
)


def output_folder(tmp_path: Path) -> Path:
    folder = SCREENSHOTS if os.environ.get("DOCMESH_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def test_the_readme_screenshots_are_made_by_the_mesh(
    start_gateway: StartGateway, backends: Backends, tmp_path: Path
) -> None:
    require(backends, "session", "agent", "document")
    needs_chromium()
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (poppler-utils) is needed: tests/document/ensure_poppler.sh"
    gateway = await start_gateway(dev_mode=True, dev_api_key=DEV_KEY)
    folder = output_folder(tmp_path)
    async with httpx.AsyncClient(base_url=gateway.url, headers={"X-API-Key": DEV_KEY}, timeout=60) as client:
        assert (await client.patch("/api/v1/profile", json=PROFILE)).status_code == 200
        chat = await client.post("/api/v1/chat", json={"message": FIRST_TURN})
        assert chat.status_code == 200, chat.text
        session_id = chat.json()["session_id"]
        finalized = await client.post(f"/api/v1/sessions/{session_id}:complete", json={})
        assert finalized.status_code == 200, finalized.text
        pdf = await client.get(f"/api/v1/sessions/{session_id}/document.pdf")
        assert pdf.status_code == 200, pdf.text
    pdf_file = tmp_path / "document.pdf"
    pdf_file.write_bytes(pdf.content)
    await asyncio.to_thread(
        subprocess.run,
        [
            pdftoppm,
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf_file),
            str(folder / "document-pdf"),
        ],
        check=True,
        timeout=60,
    )

    async with chromium() as browser:
        page = await (await browser.new_context(**DESKTOP)).new_page()
        problems = collect_problems(page)
        await page.goto(f"{gateway.url}/#session={session_id}")
        await page.locator("#preview .paper").wait_for()
        await page.locator("#sheet table").wait_for()
        await page.screenshot(path=str(folder / "web-page.png"))
    assert not problems, problems
    for name in ("document-pdf.png", "web-page.png"):
        assert (folder / name).read_bytes().startswith(PNG_SIGNATURE), name
