"""The bot process stopped and started again mid-flow, and TikTok failing during submission:
nothing typed is lost, the success message arrives exactly once, no account is made twice."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from sqlalchemy import Engine

from bot.config import Settings
from bot.runner import running_bot
from bot.sandbox.driver import ChatDriver
from tests.e2e.flow_helpers import authorize_as, press_action, to_authorize

SYNC_ACCOUNT = "sekar-ayu"
CREATE_ACCOUNT = "kopi-nusantara"
SUCCESS = "🎉"


async def no_more_messages(user: ChatDriver, seconds: float) -> None:
    """The chat stays quiet for `seconds` (what 'exactly once' needs after the first)."""
    try:
        extra = await user.next_message(timeout=seconds)
    except AssertionError:
        return
    raise AssertionError(f"an unexpected message: {extra.text!r}")


async def test_restart_in_the_middle_of_the_details_keeps_every_value(
    make_settings: Callable[..., Settings],
    sandbox_url: str,
    engine: Engine,
    chat: Callable[..., ChatDriver],
) -> None:
    settings = make_settings()
    user = chat(user_id=5001, language_code="en")
    async with running_bot(settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine):
        async with httpx.AsyncClient(timeout=30) as http:
            await authorize_as(http, await to_authorize(user), CREATE_ACCOUNT)
        await user.next_message()
        await user.send("Kopi Nusantara Jaya")
        assert "Step 2 of 13" in (await user.next_message()).text

    async with running_bot(settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine):
        await user.send("/start")
        resumed = await user.next_message()
        assert resumed.text.startswith("Welcome back!")
        assert "Step 2 of 13" in resumed.text
        await press_action(user, resumed, "f:c:ecommerce")
        assert "Step 3 of 13" in (await user.next_message()).text


async def test_restart_during_the_integration_pushes_success_exactly_once(
    make_settings: Callable[..., Settings],
    sandbox_url: str,
    engine: Engine,
    chat: Callable[..., ChatDriver],
) -> None:
    settings = make_settings()
    user = chat(user_id=5002, language_code="id")
    async with running_bot(settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine):
        async with httpx.AsyncClient(timeout=30) as http:
            await authorize_as(http, await to_authorize(user), SYNC_ACCOUNT)
        accounts = await user.next_message()
        await press_action(user, accounts, "acct:0")
        await press_action(user, await user.next_message(), "sync:confirm")
        assert (await user.next_message()).text.startswith("⏳")
    # The bot is down while TikTok finishes the integration (it takes 1 s in the sandbox).
    await asyncio.sleep(1.5)
    async with running_bot(settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine):
        done = await user.next_message(timeout=20)
        assert done.text.startswith(SUCCESS)
        await no_more_messages(user, 2.0)
    transcript = await user.transcript()
    assert sum(text.startswith(SUCCESS) for text in transcript.bot_texts) == 1


async def test_backend_errors_during_submission_never_create_two_accounts(
    make_settings: Callable[..., Settings],
    sandbox_url: str,
    tiktok_url: str,
    engine: Engine,
    chat: Callable[..., ChatDriver],
) -> None:
    """HTTP 5xx are retried at once; a timeout leaves it to the poller, with the same key."""
    settings = make_settings(backend_timeout_seconds=0.5)
    user = chat(user_id=5003, language_code="en")
    async with (
        running_bot(settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine),
        httpx.AsyncClient(timeout=30) as http,
    ):
        await authorize_as(http, await to_authorize(user), SYNC_ACCOUNT)
        accounts = await user.next_message()
        await press_action(user, accounts, "acct:0")
        review = await user.next_message()
        knobs = f"{tiktok_url}/sandbox/knobs"
        await http.post(knobs, json={"http_5xx": 1, "delay_seconds": 1.0})
        await press_action(user, review, "sync:confirm")
        assert (await user.next_message()).text.startswith("⏳")
        await http.post(knobs, json={"delay_seconds": 0})
        done = await user.next_message(timeout=20)
        assert done.text.startswith(SUCCESS)
        state = (await http.get(f"{tiktok_url}/sandbox/state")).json()
    mine = [i for i in state["integrations"] if i["account"] == SYNC_ACCOUNT]
    assert len(mine) == 1
    assert mine[0]["requests"] >= 2  # it was asked again, and answered with the same one
