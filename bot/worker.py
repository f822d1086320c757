"""Background work that must survive restarts: following submitted integrations and pushing
queued messages. What to do is read from the database each round; only the pacing (when to look
at an integration next) lives in memory, and starts afresh after a restart."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from telegram.error import Forbidden, TelegramError

from bot.service import Reply, Service
from bot.support import SupportDesk

log = logging.getLogger(__name__)

Send = Callable[[Reply], Awaitable[None]]


class Worker:
    def __init__(
        self,
        service: Service,
        send: Send,
        *,
        desk: SupportDesk | None = None,
        interval: float = 1.0,
        first_delay: float = 1.0,
        max_delay: float = 30.0,
    ) -> None:
        self._service = service
        self._send = send
        self._desk = desk
        self._interval = interval
        self._first_delay = first_delay
        self._max_delay = max_delay
        # integration id → (next look, current delay): backoff while it keeps running.
        self._pace: dict[int, tuple[float, float]] = {}

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:  # a round that fails must not end the loop
                log.exception("worker round failed")
            await asyncio.sleep(self._interval)

    async def tick(self) -> None:
        await self._follow()
        await self._push()
        if self._desk is not None:
            await self._desk.remind_waiting()

    async def _follow(self) -> None:
        now = time.monotonic()
        waiting = await asyncio.to_thread(self._service.submitted_integrations)
        for integration_id, submission, token in waiting:
            due, delay = self._pace.get(integration_id, (0.0, self._first_delay))
            if due > now:
                continue
            if await self._service.follow(integration_id, submission, token):
                self._pace[integration_id] = (now + delay, min(delay * 2, self._max_delay))
            else:
                self._pace.pop(integration_id, None)

    async def _push(self) -> None:
        for outbox_id, integration_id in await asyncio.to_thread(self._service.due_pushes):
            reply = await asyncio.to_thread(self._service.current_reply, integration_id)
            try:
                await self._send(reply)
            except Forbidden as exc:  # the user blocked the bot: try again much later
                await asyncio.to_thread(
                    self._service.pushed, outbox_id, error=exc.message, retry_in=3600
                )
            except TelegramError as exc:
                await asyncio.to_thread(self._service.pushed, outbox_id, error=exc.message)
            else:
                await asyncio.to_thread(self._service.pushed, outbox_id)
