"""`TelegramSandbox`: one fake bot's Bot API plus the user API, as one Starlette app."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.applications import Starlette

from bot.sandbox.telegram.bot_api import bot_api_routes
from bot.sandbox.telegram.limits import RateLimits
from bot.sandbox.telegram.user_api import UserApi
from bot.sandbox.telegram.webhook import WebhookDelivery
from bot.sandbox.telegram.world import SandboxUser, World


@dataclass(frozen=True)
class SandboxConfig:
    bot_token: str  # the only token accepted; the bot's id is the number before ":"
    bot_username: str = "promote_sandbox_bot"
    bot_first_name: str = "Promote Sandbox"
    rate_limits: RateLimits | None = None  # None: no flood limits
    webhook_retry_delays: tuple[float, ...] = (0.2, 0.5, 1.0, 2.0, 5.0)  # the last one repeats
    webhook_timeout: float = 10.0  # seconds the bot's webhook has to answer
    first_update_id: int | None = None  # None: random, so ids don't repeat across runs

    def __post_init__(self) -> None:
        bot_id, _, secret = self.bot_token.partition(":")
        if not bot_id.isdigit() or not secret:
            raise ValueError("bot_token must look like '<bot id>:<secret>'")
        if not self.webhook_retry_delays:
            raise ValueError("webhook_retry_delays needs at least one delay")

    @property
    def bot_id(self) -> int:
        return int(self.bot_token.partition(":")[0])


class TelegramSandbox:
    """All state lives in `world`, in memory; every app from `asgi_app()` shares it."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        bot = SandboxUser(
            id=config.bot_id,
            first_name=config.bot_first_name,
            is_bot=True,
            username=config.bot_username,
        )
        self.world = World(bot, config.rate_limits, config.first_update_id)

    def asgi_app(self) -> Starlette:
        """The Starlette app; its lifespan runs webhook delivery in the background."""
        delivery = WebhookDelivery(
            self.world, self.config.webhook_retry_delays, self.config.webhook_timeout
        )

        @contextlib.asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            task = asyncio.create_task(delivery.run(), name="telegram-sandbox-webhook")
            try:
                yield
            finally:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

        routes = bot_api_routes(self.world, self.config.bot_token) + UserApi(self.world).routes()
        return Starlette(routes=routes, lifespan=lifespan)
