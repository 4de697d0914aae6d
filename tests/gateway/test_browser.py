"""The web page in a real headless Chromium (Debian's, driven by Playwright) against the real mesh."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from playwright.async_api import Page, async_playwright, expect

from tests.gateway.browser import CHROMIUM, CHROMIUM_ARGS, needs_chromium, send
from tests.gateway.conftest import Backends, Gateway, StartGateway, require

pytestmark = pytest.mark.browser


async def sheet_total(page: Page) -> Decimal:
    """The number in the rendered sheet's row labelled "Total"."""
    value = await page.evaluate(
        """() => {
          for (const row of document.querySelectorAll('#sheet tbody tr')) {
            const cells = [...row.querySelectorAll('td')];
            if (cells.some((c) => /^total\\b/i.test(c.textContent.trim()))) {
              const numbers = cells.filter((c) => c.classList.contains('num'));
              if (numbers.length) return numbers[numbers.length - 1].textContent.trim();
            }
          }
          return null;
        }"""
    )
    assert value is not None, "no Total row in the rendered sheet"
    return Decimal(re.sub(r"[^0-9.\-]", "", value))


async def test_chat_renders_the_sheet_edits_it_and_downloads_the_xlsx(
    start_gateway: StartGateway, backends: Backends, tmp_path: Path
) -> None:
    require(backends, "session", "agent", "document")
    needs_chromium()
    gateway = await start_gateway(dev_mode=True, dev_api_key="browser-dev-key")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await (await browser.new_context(accept_downloads=True)).new_page()
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.on(
                "console", lambda message: problems.append(message.text) if message.type == "error" else None
            )
            await page.goto(gateway.url + "/")

            await send(page, "Invoice Acme for 10 hours of consulting at $150, 8% tax, due in 30 days")
            await expect(page.locator("#sheet table")).to_be_visible()
            assert await sheet_total(page) == Decimal("1620")
            await expect(page.locator('#totals dd[data-total="total"]')).to_have_text("1620.00 USD")

            await send(page, "add a 5% discount")
            await expect(page.locator('#totals dd[data-total="total"]')).to_have_text("1539.00 USD")
            assert await sheet_total(page) == Decimal("1539")
            await expect(page.locator("#revisions li")).to_have_count(2)

            async with page.expect_download() as waiting:
                await page.click('[data-download="document.xlsx"]')
            download = await waiting.value
            saved = tmp_path / download.suggested_filename
            await download.save_as(saved)
        finally:
            await browser.close()
    assert not problems, problems  # no script errors, no CSP violations
    assert saved.suffix == ".xlsx"
    workbook = openpyxl.load_workbook(saved)
    assert workbook.active.max_row > 1


async def test_undo_in_the_page_restores_the_previous_total(
    start_gateway: StartGateway, backends: Backends
) -> None:
    require(backends, "session", "agent", "document")
    needs_chromium()
    gateway = await start_gateway(dev_mode=True, dev_api_key="browser-dev-key")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await (await browser.new_context()).new_page()
            await page.goto(gateway.url + "/")
            await send(page, "Invoice Acme for 10 hours of consulting at $150, 8% tax, due in 30 days")
            await send(page, "add a 5% discount")
            await expect(page.locator('#totals dd[data-total="total"]')).to_have_text("1539.00 USD")
            await page.click("#undo")
            await expect(page.locator('#totals dd[data-total="total"]')).to_have_text("1620.00 USD")
            await expect(page.locator("#revisions li")).to_have_count(3)
        finally:
            await browser.close()


async def test_the_docs_page_lists_every_operation(gateway: Gateway) -> None:
    needs_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            await page.goto(gateway.url + "/docs")
            await expect(page.locator("details.op#SessionService_GetSession")).to_be_attached()
            operations = await page.locator("section.tag details.op[id*='_']").count()
        finally:
            await browser.close()
    assert not errors
    assert operations >= len(gateway.server.gateway.router.routes)
