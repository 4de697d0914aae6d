"""A small business's day in the page, in Chromium on a desktop and on a phone, against the real mesh:
draft by chat, edit, finalize (the number appears), download the PDF, edit the profile, add a
customer, and reopen a past document after a reload."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Page, expect

from tests.document.pdf_reader import pdf_text
from tests.gateway.browser import DESKTOP, PHONE, chromium, collect_problems, needs_chromium, send
from tests.gateway.conftest import Backends, Gateway, StartGateway, require

pytestmark = pytest.mark.browser

DEV_KEY = "browser-dev-key"
NUMBER = re.compile(r"INV-\d{4}-\d{4}")
FIRST_TURN = "Invoice Acme for 10 hours of consulting at $150, 8% tax, due in 30 days"


@pytest.fixture
async def page_gateway(start_gateway: StartGateway, backends: Backends) -> Gateway:
    require(backends, "session", "agent", "document")
    needs_chromium()
    return await start_gateway(dev_mode=True, dev_api_key=DEV_KEY)


async def finalize_in_the_page(page: Page) -> str:
    await page.click("#finalize")
    await expect(page.locator("#doc-state")).to_have_text(NUMBER)
    return (await page.locator("#doc-state").text_content() or "").strip()


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_draft_edit_finalize_and_download_the_pdf(
    page_gateway: Gateway, device: dict[str, Any], tmp_path: Path
) -> None:
    async with chromium() as browser:
        page = await (await browser.new_context(accept_downloads=True, **device)).new_page()
        problems = collect_problems(page)
        await page.goto(page_gateway.url + "/")

        await send(page, FIRST_TURN)
        preview = page.locator("#preview .paper")
        await expect(preview).to_be_visible()
        await expect(preview.locator('[data-field="number"]')).to_have_text("DRAFT")
        await expect(preview.locator('[data-preview="total"]')).to_have_text("$1,620.00")
        await expect(page.locator("#doc-state")).to_have_text("Draft")

        await send(page, "add a 5% discount")
        await expect(preview.locator('[data-preview="total"]')).to_have_text("$1,539.00")

        number = await finalize_in_the_page(page)
        await expect(preview.locator('[data-field="number"]')).to_have_text(number)
        await expect(page.locator("#finalize")).to_be_disabled()

        async with page.expect_download() as waiting:
            await page.click('[data-download="document.pdf"]')
        download = await waiting.value
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
    assert not problems, problems
    assert saved.suffix == ".pdf" and number in saved.name
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert number in pdf_text(pdf)


async def test_the_grid_shows_number_formats_and_hides_helper_columns(page_gateway: Gateway) -> None:
    async with chromium() as browser:
        page = await (await browser.new_context(**DESKTOP)).new_page()
        await page.goto(page_gateway.url + "/")
        await send(page, FIRST_TURN)
        await expect(page.locator("#sheet table")).to_be_visible()
        texts = await page.locator("#sheet td.num").all_text_contents()
        headers = await page.locator("#sheet thead th").all_text_contents()
    assert "1,500.00" in texts and "1,620.00" in texts  # "#,##0.00", not 1500
    assert "8%" in texts
    assert "H" not in headers  # the hidden taxable-base helper column


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_the_profile_is_edited_in_the_page_and_a_bad_iban_is_named(
    page_gateway: Gateway, device: dict[str, Any]
) -> None:
    name = f"Docmesh Studio {uuid.uuid4().hex[:6]}"
    async with chromium() as browser:
        page = await (await browser.new_context(**device)).new_page()
        await page.goto(page_gateway.url + "/")
        await page.click("#open-profile")
        dialog = page.locator("#profile-dialog")
        await expect(dialog).to_be_visible()
        await dialog.get_by_label("Name", exact=True).fill(name)
        await dialog.get_by_label("City").fill("Berlin")
        await dialog.get_by_label("Country code (ISO, e.g. DE, US)").fill("de")
        await dialog.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 01")
        await dialog.get_by_role("button", name="Save profile").click()
        await expect(dialog.get_by_label("IBAN")).to_have_attribute("aria-invalid", "true")
        await expect(dialog.locator(".form-error")).to_contain_text("iban", ignore_case=True)

        await dialog.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 00")
        await dialog.get_by_role("button", name="Save profile").click()
        await expect(dialog).to_be_hidden()
    async with httpx.AsyncClient(base_url=page_gateway.url, headers={"X-API-Key": DEV_KEY}) as client:
        profile = (await client.get("/api/v1/profile")).json()["profile"]
    assert profile["seller"]["name"] == name
    assert profile["seller"]["country_code"] == "DE"
    assert profile["bank"]["iban"].replace(" ", "") == "DE89370400440532013000"


async def test_what_is_typed_while_the_profile_loads_is_what_is_saved(page_gateway: Gateway) -> None:
    """The dialog opens before the stored profile arrives; typing then must not be overwritten by
    the stored values when they land (a slow answer made the saved name empty)."""
    name = f"Docmesh Studio {uuid.uuid4().hex[:6]}"
    async with chromium() as browser:
        page = await (await browser.new_context(**DESKTOP)).new_page()

        async def slow_profile(route: Any) -> None:
            if route.request.method == "GET":
                await asyncio.sleep(1.0)
            await route.continue_()

        await page.goto(page_gateway.url + "/")
        await page.route("**/api/v1/profile", slow_profile)
        dialog = page.locator("#profile-dialog")
        # The person types while the stored profile is on its way, and saves after it arrived.
        async with page.expect_response(
            lambda r: r.url.endswith("/api/v1/profile") and r.request.method == "GET"
        ):
            await page.click("#open-profile")
            await dialog.get_by_label("Name", exact=True).fill(name)
        await page.wait_for_load_state("networkidle")
        await dialog.get_by_role("button", name="Save profile").click()
        await expect(dialog).to_be_hidden()
    async with httpx.AsyncClient(base_url=page_gateway.url, headers={"X-API-Key": DEV_KEY}) as client:
        profile = (await client.get("/api/v1/profile")).json()["profile"]
    assert profile["seller"]["name"] == name


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_a_customer_is_added_in_the_page(page_gateway: Gateway, device: dict[str, Any]) -> None:
    name = f"Globex {uuid.uuid4().hex[:6]}"
    async with chromium() as browser:
        page = await (await browser.new_context(**device)).new_page()
        problems = collect_problems(page)
        await page.goto(page_gateway.url + "/")
        await page.click("#open-customers")
        dialog = page.locator("#customers-dialog")
        await dialog.get_by_label("Name", exact=True).fill(name)
        await dialog.get_by_label("City").fill("Springfield")
        await dialog.get_by_role("button", name="Save customer").click()
        await expect(dialog.locator("#customer-list")).to_contain_text(name)
        await dialog.get_by_label("Search").fill(name)
        await expect(dialog.locator("#customer-list li")).to_have_count(1)
    assert not problems, problems


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_a_past_document_is_reopened_after_a_reload(
    page_gateway: Gateway, device: dict[str, Any]
) -> None:
    async with chromium() as browser:
        page = await (await browser.new_context(**device)).new_page()
        problems = collect_problems(page)
        await page.goto(page_gateway.url + "/")
        await send(page, FIRST_TURN)
        number = await finalize_in_the_page(page)

        await page.reload()  # the session id is in the URL
        await expect(page.locator("#doc-state")).to_have_text(number)
        await expect(page.locator('#preview [data-field="number"]')).to_have_text(number)

        await page.click("#new-session")
        await expect(page.locator("#preview .paper")).to_have_count(0)
        await page.click("#open-documents")
        dialog = page.locator("#documents-dialog")
        await dialog.get_by_label("Search").fill(number)
        await dialog.get_by_label("Status").select_option("SESSION_STAGE_FINALIZED")
        await expect(dialog.locator("#document-list li")).to_have_count(1)
        await dialog.get_by_role("button", name=f"Open {number}").click()
        await expect(page.locator('#preview [data-field="number"]')).to_have_text(number)
        await expect(page.locator("#chat-log li.user").first).to_have_text(FIRST_TURN)
    assert not problems, problems


async def test_a_new_document_after_a_finalized_one_starts_a_new_session(page_gateway: Gateway) -> None:
    async with chromium() as browser:
        page = await (await browser.new_context(**DESKTOP)).new_page()
        await page.goto(page_gateway.url + "/")
        await send(page, FIRST_TURN)
        number = await finalize_in_the_page(page)
        first_url = page.url
        await page.click("#new-session")
        await send(page, "Quote for Globex: 3 x Widget @ 12.50")
        await expect(page.locator("#preview .paper h2")).to_have_text("Quote")
        await expect(page.locator('#preview [data-field="number"]')).to_have_text("DRAFT")
    assert page.url != first_url
    assert number


async def test_a_customer_is_edited_and_deleted_in_the_page(page_gateway: Gateway) -> None:
    name = f"Initech {uuid.uuid4().hex[:6]}"
    async with chromium() as browser:
        page = await (await browser.new_context(**DESKTOP)).new_page()
        page.on("dialog", lambda dialog: dialog.accept())  # "Delete …?"
        await page.goto(page_gateway.url + "/")
        await page.click("#open-customers")
        dialog = page.locator("#customers-dialog")
        await dialog.get_by_label("Name", exact=True).fill(name)
        await dialog.get_by_role("button", name="Save customer").click()
        await dialog.get_by_label("Search").fill(name)
        await dialog.get_by_role("button", name=f"Edit {name}").click()
        await dialog.get_by_label("City").fill("Austin")
        await dialog.get_by_role("button", name="Save customer").click()
        await expect(dialog.locator("#customer-list")).to_contain_text("Austin")
        await dialog.get_by_role("button", name=f"Delete {name}").click()
        await expect(dialog.locator("#customer-list")).not_to_contain_text(name)
