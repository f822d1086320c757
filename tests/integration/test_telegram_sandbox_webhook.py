"""Webhook delivery from the sandbox to a small Starlette receiver on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram.error import BadRequest

from bot.serve import serve_asgi
from tests.integration.test_telegram_sandbox import Harness, running_sandbox

WAIT = 5.0


@dataclass
class Receiver:
    """Answers with the queued statuses (then 200) and hands each delivery to the test."""

    statuses: list[int] = field(default_factory=list)
    deliveries: asyncio.Queue[tuple[dict[str, str], dict[str, Any]]] = field(
        default_factory=asyncio.Queue
    )

    async def hook(self, request: Request) -> Response:
        await self.deliveries.put((dict(request.headers), await request.json()))
        return Response(status_code=self.statuses.pop(0) if self.statuses else 200)

    async def next(self) -> tuple[dict[str, str], dict[str, Any]]:
        return await asyncio.wait_for(self.deliveries.get(), WAIT)


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    async with running_sandbox(webhook_retry_delays=(0.05, 0.1)) as running:
        yield running


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver()
    app = Starlette(routes=[Route("/hook", receiver.hook, methods=["POST"])])
    async with serve_asgi(app) as url:
        yield receiver, f"{url}/hook"


async def test_delivery_with_secret_and_redelivery_after_500(
    harness: Harness, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    hook.statuses = [500]
    early = await harness.say(7, "before the webhook")
    assert await harness.bot.set_webhook(url, secret_token="s3cr3t_-X")

    headers, body = await hook.next()
    assert headers["x-telegram-bot-api-secret-token"] == "s3cr3t_-X"
    assert body["update_id"] == early["update_id"]
    info = await harness.bot.get_webhook_info()
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert info.last_error_date is not None and info.pending_update_count == 1

    _, again = await hook.next()  # the same update, redelivered
    assert again == body
    late = await harness.say(7, "after")
    _, body = await hook.next()
    assert body["update_id"] == late["update_id"]
    assert body["message"]["text"] == "after"

    info = await harness.bot.get_webhook_info()
    assert info.url == url and info.pending_update_count == 0 and info.max_connections == 40


async def test_unreachable_webhook_keeps_updates(harness: Harness) -> None:
    await harness.bot.set_webhook("http://localhost:9/nowhere")
    await harness.say(7, "hi")
    await harness.say(7, "again")
    info = await harness.bot.get_webhook_info()
    for _ in range(50):
        if info.last_error_message:
            break
        await asyncio.sleep(0.05)
        info = await harness.bot.get_webhook_info()
    assert info.last_error_message == "Connection refused"
    assert info.pending_update_count == 2
    assert await harness.bot.delete_webhook(drop_pending_updates=True)
    info = await harness.bot.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("", 0)


@pytest.mark.parametrize(
    ("url", "secret", "error"),
    [
        ("https://example.com/hook", None, "Bad webhook: the sandbox delivers only to loopback"),
        ("http://10.0.0.1/hook", None, "Bad webhook"),
        ("ftp://127.0.0.1/hook", None, "Bad webhook"),
        ("http://127.0.0.1:1/hook", "no spaces!", "Secret token contains unallowed characters"),
        ("http://127.0.0.1:1/hook", "x" * 257, "Secret token contains unallowed characters"),
    ],
)
async def test_set_webhook_refusals(
    harness: Harness, url: str, secret: str | None, error: str
) -> None:
    with pytest.raises(BadRequest, match=error):
        await harness.bot.set_webhook(url, secret_token=secret)
    assert (await harness.bot.get_webhook_info()).url == ""


async def test_webhook_allowed_updates_and_drop(harness: Harness) -> None:
    await harness.say(7, "old")
    await harness.bot.set_webhook(
        "http://[::1]:9/hook", allowed_updates=["callback_query"], drop_pending_updates=True
    )
    await harness.say(7, "not wanted")
    info = await harness.bot.get_webhook_info()
    assert info.pending_update_count == 0 and info.allowed_updates == ("callback_query",)
