"""Bot API methods that hand updates to the bot: getUpdates and the webhook settings."""

from __future__ import annotations

import ipaddress
import re
from typing import Any
from urllib.parse import urlsplit

from bot.sandbox.telegram.errors import bad_request, conflict
from bot.sandbox.telegram.params import Params
from bot.sandbox.telegram.updates import Webhook
from bot.sandbox.telegram.waiting import wait_until
from bot.sandbox.telegram.world import World

MAX_LIMIT = 100
MAX_POLL_TIMEOUT = 50.0
DEFAULT_MAX_CONNECTIONS = 40
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
WEBHOOK_ACTIVE = (
    "can't use getUpdates method while webhook is active; use deleteWebhook to delete the "
    "webhook first"
)
SUPERSEDED = (
    "terminated by other getUpdates request; make sure that only one bot instance is running"
)


def _set_allowed_updates(world: World, params: Params) -> None:
    """When given, allowed_updates replaces the stored filter (an empty list: the default)."""
    allowed = params.json("allowed_updates")
    if allowed is None:
        return
    if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
        raise bad_request("can't parse allowed updates JSON object")
    world.updates.allowed_updates = allowed or None


async def get_updates(world: World, params: Params) -> list[dict[str, Any]]:
    if world.webhook is not None:
        raise conflict(WEBHOOK_ACTIVE)
    offset = params.integer("offset") or 0
    limit = min(max(params.integer("limit") or MAX_LIMIT, 1), MAX_LIMIT)
    timeout = min(max(params.number("timeout") or 0.0, 0.0), MAX_POLL_TIMEOUT)
    _set_allowed_updates(world, params)
    updates = world.updates
    updates.confirm(offset)
    poll = updates.begin_poll()
    world.changed.fire()  # ends an older long poll, which now answers 409

    def over() -> bool:
        return bool(updates.pending) or updates.poll_generation != poll or world.webhook is not None

    await wait_until(over, world.changed, timeout, params.request)
    if updates.poll_generation != poll:
        raise conflict(SUPERSEDED)
    if world.webhook is not None:
        raise conflict(WEBHOOK_ACTIVE)
    return [update.body for update in updates.pending[:limit]]


def _checked_webhook_url(url: str) -> str:
    """Only loopback URLs: the sandbox never sends anything off the machine."""
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        raise bad_request("bad webhook: invalid webhook URL specified") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("bad webhook: invalid webhook URL specified")
    if not _is_loopback(parts.hostname):
        raise bad_request(
            "bad webhook: the sandbox delivers only to loopback hosts (127.0.0.0/8, localhost, ::1)"
        )
    return url


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def set_webhook(world: World, params: Params) -> bool:
    url = params.text("url") or ""
    if not url:
        return await delete_webhook(world, params)
    _checked_webhook_url(url)
    secret_token = params.text("secret_token") or None
    if secret_token is not None and not _SECRET_TOKEN.fullmatch(secret_token):
        raise bad_request("secret token contains unallowed characters")
    _set_allowed_updates(world, params)
    if params.flag("drop_pending_updates"):
        world.updates.drop_all()
    max_connections = params.integer("max_connections") or DEFAULT_MAX_CONNECTIONS
    world.webhook = Webhook(url, secret_token, min(max(max_connections, 1), 100))
    world.changed.fire()
    return True


async def delete_webhook(world: World, params: Params) -> bool:
    if params.flag("drop_pending_updates"):
        world.updates.drop_all()
    world.webhook = None
    world.changed.fire()
    return True


def webhook_info(world: World) -> dict[str, Any]:
    """getWebhookInfo's WebhookInfo (also shown by the user API's state)."""
    hook = world.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates.pending),
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        if hook.last_error_date is not None:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    if world.updates.allowed_updates is not None:
        info["allowed_updates"] = world.updates.allowed_updates
    return info


async def get_webhook_info(world: World, params: Params) -> dict[str, Any]:
    return webhook_info(world)


METHODS = {
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}
