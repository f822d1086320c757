"""The bot's own web app (Starlette): health, the TikTok OAuth callback, and the Telegram
webhook in webhook mode."""

from __future__ import annotations

import hmac
import logging
from html import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.error import TelegramError

from bot.i18n import N_, normalize_locale, translations
from bot.service import CallbackPage
from bot.telegram.context import SERVICE_KEY, BotApplication
from bot.telegram.sender import send_reply

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
WEBHOOK_PATH = "/telegram"
OAUTH_CALLBACK_PATH = "/oauth/tiktok/callback"

# What the browser shows after TikTok sends it back: (title, text, HTTP status).
PAGES = {
    "authorized": (
        N_("Access authorized"),
        N_("Your TikTok account is connected. Go back to Telegram: the chat continues there."),
        200,
    ),
    "denied": (
        N_("Access not authorized"),
        N_(
            "You did not authorize access. Go back to Telegram for a new link if you change "
            "your mind."
        ),
        200,
    ),
    "failed": (
        N_("Something went wrong"),
        N_("TikTok did not confirm the authorization. Go back to Telegram for a new link."),
        502,
    ),
    "expired": (
        N_("This link has expired"),
        N_("Authorization links work for 15 minutes. Go back to Telegram and ask for a new link."),
        400,
    ),
    "used": (
        N_("This link was already used"),
        N_("Each authorization link works once. Go back to Telegram and ask for a new link."),
        400,
    ),
    "invalid": (
        N_("This link is not valid"),
        N_("The link is incomplete or was not made by this bot. Start again from Telegram."),
        400,
    ),
}


def page(outcome: CallbackPage, *, bot_username: str, browser_locale: str) -> HTMLResponse:
    """A small self-contained page in the user's language (or the browser's, for a link that
    names no user), linking back to the bot."""
    title, text, status = PAGES[outcome.outcome]
    locale = outcome.locale or browser_locale
    gettext = translations(locale).gettext
    back = gettext(N_("Back to Telegram"))
    body = f"""<!doctype html>
<html lang="{locale}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(gettext(title))}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;
color:#161823}}a{{display:inline-block;margin-top:1rem;padding:.6rem 1.2rem;border-radius:.4rem;
background:#fe2c55;color:#fff;text-decoration:none}}</style></head>
<body><h1>{escape(gettext(title))}</h1><p>{escape(gettext(text))}</p>
<a href="https://t.me/{escape(bot_username)}">{escape(back)}</a></body></html>"""
    return HTMLResponse(body, status_code=status)


def browser_locale(request: Request, application: BotApplication) -> str:
    """The first supported language the browser asks for, else the bot's default."""
    default = application.bot_data[SERVICE_KEY].default_locale
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip()
        if tag and tag != "*":
            return normalize_locale(tag, default)
    return default


def create_web_app(application: BotApplication, *, webhook_secret: str | None) -> Starlette:
    """`webhook_secret=None` serves no webhook (polling mode)."""

    async def health(_: Request) -> Response:
        return JSONResponse({"ok": True})

    async def oauth_callback(request: Request) -> Response:
        query = request.query_params
        service = application.bot_data[SERVICE_KEY]
        outcome = await service.authorization_callback(
            state=query.get("state"),
            auth_code=query.get("auth_code") or query.get("code"),
            error=query.get("error"),
        )
        if outcome.reply is not None:
            try:
                await send_reply(application.bot, outcome.reply)
            except TelegramError:
                log.exception("could not tell the chat about the authorization")
        return page(
            outcome,
            bot_username=application.bot.username,
            browser_locale=browser_locale(request, application),
        )

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

    routes = [Route("/healthz", health), Route(OAUTH_CALLBACK_PATH, oauth_callback)]
    if webhook_secret is not None:
        routes.append(Route(WEBHOOK_PATH, telegram_webhook, methods=["POST"]))
    return Starlette(routes=routes)
