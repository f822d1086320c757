"""The bot's own web app (Starlette): health, and the Telegram webhook in webhook mode.

Later the OAuth callback page lives here too.
"""

from __future__ import annotations

import hmac
import logging

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update

from bot.telegram.context import BotApplication

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
WEBHOOK_PATH = "/telegram"


def create_web_app(application: BotApplication, *, webhook_secret: str | None) -> Starlette:
    """`webhook_secret=None` serves no webhook (polling mode)."""

    async def health(_: Request) -> Response:
        return JSONResponse({"ok": True})

    async def telegram_webhook(request: Request) -> Response:
        sent = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(sent.encode(), (webhook_secret or "").encode()):
            log.warning("webhook delivery refused: wrong or missing secret token")
            return PlainTextResponse("forbidden", status_code=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except (ValueError, TypeError, KeyError):
            return PlainTextResponse("bad update", status_code=400)
        # Processed before answering: if the process dies first, Telegram delivers it again,
        # and the store's processed-update ids keep a redelivery from running twice.
        await application.process_update(update)
        return Response(status_code=200)

    routes = [Route("/healthz", health)]
    if webhook_secret is not None:
        routes.append(Route(WEBHOOK_PATH, telegram_webhook, methods=["POST"]))
    return Starlette(routes=routes)
