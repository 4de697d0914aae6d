"""Helpers of the browser tests: Debian's Chromium driven by Playwright, and the page's chat box."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from docmesh_dev import testenv

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP: dict[str, Any] = {"viewport": {"width": 1440, "height": 900}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def needs_chromium() -> None:
    if shutil.which(CHROMIUM) is None:
        message = "chromium is not installed: run tests/gateway/ensure_chromium.sh"
        if testenv.in_ci():
            pytest.fail(message)
        pytest.skip(message)


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


def collect_problems(page: Page) -> list[str]:
    """Script errors and console errors (CSP violations, failed requests) of the page, as they happen."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    return problems


async def send(page: Page, text: str) -> None:
    await page.fill("#chat-input", text)
    await page.click("#chat-send")
    await expect(page.locator("#chat-send")).to_be_enabled(timeout=30_000)
