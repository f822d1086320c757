"""Webhook delivery: POSTs pending updates in order, keeping each until the bot answers 2xx."""

from __future__ import annotations

from collections.abc import Sequence

import httpx

from bot.sandbox.telegram.updates import PendingUpdate, Webhook
from bot.sandbox.telegram.waiting import wait_until
from bot.sandbox.telegram.world import World, now

VERIFICATION_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookDelivery:
    """Runs for the app's lifetime; idle while no webhook is set or nothing is pending."""

    def __init__(self, world: World, retry_delays: Sequence[float], timeout: float) -> None:
        self.world = world
        self.retry_delays = tuple(retry_delays)
        self.timeout = timeout

    async def run(self) -> None:
        # trust_env=False: no proxy from the environment; the URL was checked to be loopback.
        async with httpx.AsyncClient(timeout=self.timeout, trust_env=False) as client:
            failures = 0
            while True:
                hook = self.world.webhook
                pending = self.world.updates.pending
                if hook is None or not pending:
                    failures = 0
                    await self.world.changed.wait()
                    continue
                error = await self._post(client, hook, pending[0])
                if error is None:
                    self.world.updates.remove(pending[0].update_id)
                    self.world.changed.fire()
                    failures = 0
                    continue
                hook.last_error_date, hook.last_error_message = now(), error
                delay = self.retry_delays[min(failures, len(self.retry_delays) - 1)]
                failures += 1
                # Retry after the delay, or at once if the webhook is set again or removed.
                await wait_until(
                    lambda h=hook: self.world.webhook is not h, self.world.changed, delay
                )

    @staticmethod
    async def _post(client: httpx.AsyncClient, hook: Webhook, update: PendingUpdate) -> str | None:
        """Delivers one update; returns the error getWebhookInfo should show, or None."""
        headers = {VERIFICATION_HEADER: hook.secret_token} if hook.secret_token else {}
        try:
            response = await client.post(hook.url, json=update.body, headers=headers)
        except httpx.TimeoutException:
            return "Read timeout expired"
        except httpx.ConnectError:
            return "Connection refused"
        except httpx.HTTPError as error:
            return f"Connection failed: {error.__class__.__name__}"
        if response.is_success:
            return None
        return f"Wrong response from the webhook: {response.status_code} {response.reason_phrase}"
