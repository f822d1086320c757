"""TikTok's consent page in a real browser (headless Chromium): pick an account, press
Authorize, land on the bot's callback page, and the chat moves on by itself."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.runner import RunningBot
from bot.sandbox.driver import ChatDriver
from tests.e2e.flow_helpers import authorization_url, to_authorize

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# What this machine's closed network needs (see the machine notes): no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    if CHROMIUM is None:
        if os.environ.get("PROMOTE_BOT_REQUIRE_CHROMIUM") == "1":
            pytest.fail("Chromium is required here (PROMOTE_BOT_REQUIRE_CHROMIUM=1) but missing")
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


async def test_authorize_in_the_browser_and_the_chat_continues(
    polling_bot: RunningBot,
    chat: Callable[..., ChatDriver],
    browser: object,
    tmp_path: Path,
) -> None:
    user = chat(user_id=6001, first_name="Ayu", language_code="id")
    link = authorization_url(await to_authorize(user))

    page = await browser.new_page(locale="id-ID")  # type: ignore[attr-defined]
    await page.goto(link)
    assert "Otorisasikan akses ke akun TikTok Anda" in await page.content()
    await page.get_by_text("Batik Sekar Ayu", exact=True).click()
    await page.get_by_role("button", name="Otorisasikan").click()
    await page.wait_for_url(f"{polling_bot.web_url}/oauth/tiktok/callback*")
    assert await page.locator("h1").inner_text() == "Akses diotorisasikan"
    await page.screenshot(path=str(tmp_path / "callback.png"))

    accounts = await user.next_message()
    assert "Batik Sekar Ayu Official (ID 7301234567890120001)" in accounts.text


async def test_deny_in_the_browser_is_told_in_the_chat(
    polling_bot: RunningBot, chat: Callable[..., ChatDriver], browser: object
) -> None:
    user = chat(user_id=6002, language_code="en")
    link = authorization_url(await to_authorize(user))
    page = await browser.new_page(locale="en-US")  # type: ignore[attr-defined]
    await page.goto(link)
    await page.get_by_role("button", name="Deny").click()
    await page.wait_for_url(f"{polling_bot.web_url}/oauth/tiktok/callback*")
    assert await page.locator("h1").inner_text() == "Access not authorized"
    assert (await user.next_message()).text.startswith("You did not authorize access")
