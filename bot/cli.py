"""`promote-bot`: run the bot, the sandboxes, the terminal chat, and database chores."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import httpx

from bot.config import (
    SANDBOX_BOT_TOKEN,
    SUPPORTED_LOCALES,
    ConfigError,
    Settings,
    load_settings,
)
from bot.crypto import load_or_create_key, new_key
from bot.gallery import build_gallery
from bot.i18n import CatalogMissing
from bot.logs import configure_logging
from bot.runner import running_bot
from bot.sandbox.driver import ChatDriver
from bot.sandbox.telegram import RateLimits, SandboxConfig, TelegramSandbox
from bot.sandbox.terminal import TerminalChat, stdin_reader
from bot.sandbox.tiktok import TikTokSandbox, TikTokSandboxConfig
from bot.serve import serve_asgi
from models.db import upgrade

log = logging.getLogger("promote-bot")

# The embedded default's support desk: a forum supergroup in the Telegram sandbox and its agent.
SANDBOX_SUPPORT_CHAT_ID = -1009000000001
SANDBOX_AGENT_ID = 9000
SANDBOX_AGENT_NAME = "Rina (support)"


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        args.func(args, settings)
    except ConfigError as exc:
        print(f"promote-bot: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except CatalogMissing as exc:
        print(f"promote-bot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="promote-bot", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the bot (with no TELEGRAM_BOT_TOKEN: the sandbox and a terminal chat)",
    )
    run.add_argument("--no-chat", action="store_true", help="embedded default without the chat")
    _chat_user_options(run)
    run.set_defaults(func=_run)

    sandbox = commands.add_parser("sandbox", help="run an offline stand-in for an outside service")
    sandboxes = sandbox.add_subparsers(required=True, metavar="SERVICE")
    telegram = sandboxes.add_parser("telegram", help="the Telegram Bot API sandbox")
    telegram.add_argument("--host", default="127.0.0.1")
    telegram.add_argument("--port", type=int, default=None, help="default: SANDBOX_TELEGRAM_PORT")
    telegram.add_argument("--rate-limits", action="store_true", help="answer 429 like Telegram")
    telegram.set_defaults(func=_sandbox_telegram)
    tiktok = sandboxes.add_parser(
        "tiktok", help="TikTok's Marketing API, Promote API, consent page"
    )
    tiktok.add_argument("--host", default="127.0.0.1")
    tiktok.add_argument("--port", type=int, default=None, help="default: SANDBOX_TIKTOK_PORT")
    tiktok.set_defaults(func=_sandbox_tiktok)

    chat = commands.add_parser("chat", help="a terminal chat with a running Telegram sandbox")
    chat.add_argument("--sandbox-url", default=None, help="default: http://127.0.0.1:<port>")
    _chat_user_options(chat)
    chat.add_argument(
        "--agent",
        action="store_true",
        help="be the support agent in the sandbox's support group (run beside `make run`)",
    )
    chat.set_defaults(func=_chat)

    db = commands.add_parser("db", help="database migrations")
    db_commands = db.add_subparsers(required=True, metavar="ACTION")
    db_commands.add_parser(
        "upgrade", help="migrate DATABASE_URL to the newest schema"
    ).set_defaults(func=_db_upgrade)

    gallery = commands.add_parser(
        "screens", help="render every screen in every language into an HTML gallery with PNGs"
    )
    gallery.add_argument("--out", type=Path, required=True, help="folder for index.html, png/")
    gallery.add_argument("--no-png", action="store_true", help="write index.html only")
    gallery.add_argument("--locale", action="append", help="a locale (repeatable; default: all)")
    gallery.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium's executable")
    gallery.set_defaults(func=_screens)

    keygen = commands.add_parser("keygen", help="print a new TOKEN_ENCRYPTION_KEY")
    keygen.set_defaults(func=lambda args, settings: print(new_key()))
    return parser


def _chat_user_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user-id", type=int, default=1001, help="your Telegram user id")
    parser.add_argument("--name", default="Budi", help="your first name")
    parser.add_argument("--language", default="id", help="your language_code ('none': absent)")


def _run(args: argparse.Namespace, settings: Settings) -> None:
    chat = settings.embedded and not args.no_chat
    configure_logging(
        level=settings.log_level,
        secrets=_secrets(settings),
        file=settings.data_dir / "promote-bot.log" if chat else None,
    )
    if settings.token_encryption_key is None:
        load_or_create_key(settings.data_dir)
        if not settings.embedded:
            log.warning(
                "TOKEN_ENCRYPTION_KEY is not set: using the key kept in %s", settings.data_dir
            )
    if settings.embedded:
        upgrade(settings.db_url)
        asyncio.run(_run_embedded(settings, args if chat else None))
    else:
        asyncio.run(_run_until_stopped(settings))


async def _run_until_stopped(settings: Settings) -> None:
    async with _tiktok_sandbox_if_needed(settings), running_bot(settings):
        await asyncio.Event().wait()


@contextlib.asynccontextmanager
async def _tiktok_sandbox_if_needed(settings: Settings) -> AsyncIterator[None]:
    """With no TikTok address configured, the TikTok sandbox runs beside the bot."""
    if not settings.tiktok_sandboxed:
        yield
        return
    sandbox = TikTokSandbox(
        TikTokSandboxConfig(integration_seconds=settings.sandbox_integration_seconds)
    )
    async with serve_asgi(sandbox.asgi_app(), port=settings.sandbox_tiktok_port):
        yield


async def _run_embedded(settings: Settings, chat_args: argparse.Namespace | None) -> None:
    """The Telegram sandbox on loopback, the bot polling it, and (optionally) the terminal chat."""
    sandbox = TelegramSandbox(SandboxConfig(bot_token=SANDBOX_BOT_TOKEN))
    if settings.support_chat_id is None:
        settings = settings.model_copy(update={"support_chat_id": SANDBOX_SUPPORT_CHAT_ID})
    async with (
        serve_asgi(sandbox.asgi_app(), port=settings.sandbox_telegram_port) as sandbox_url,
        _tiktok_sandbox_if_needed(settings),
    ):
        await _support_group(sandbox_url)
        await _run_bot_with_chat(settings, sandbox_url, chat_args)


async def _run_bot_with_chat(
    settings: Settings, sandbox_url: str, chat_args: argparse.Namespace | None
) -> None:
    async with running_bot(settings, bot_api_base_url=f"{sandbox_url}/bot") as bot:
        print(
            f"Telegram sandbox at {sandbox_url}, TikTok at {settings.tiktok_api_url}, "
            f"bot @{bot.application.bot.username}, database {settings.db_url}, "
            f"log in {settings.data_dir / 'promote-bot.log'}",
            flush=True,
        )
        if chat_args is None:
            await asyncio.Event().wait()
        else:
            await _terminal_chat(sandbox_url, chat_args)


async def _terminal_chat(sandbox_url: str, args: argparse.Namespace) -> None:
    agent = getattr(args, "agent", False)
    async with httpx.AsyncClient(base_url=sandbox_url) as client:
        driver = ChatDriver(
            client,
            user_id=SANDBOX_AGENT_ID if agent else args.user_id,
            first_name=SANDBOX_AGENT_NAME if agent else args.name,
            language_code=None if args.language == "none" else args.language,
            chat_id=SANDBOX_SUPPORT_CHAT_ID if agent else None,
        )
        chat = TerminalChat(driver, interactive=sys.stdin.isatty(), agent=agent)
        await chat.run(await stdin_reader())


async def _support_group(sandbox_url: str) -> None:
    """The sandbox's support desk: a forum supergroup whose member is the sandbox agent."""
    async with httpx.AsyncClient(base_url=sandbox_url) as client:
        await client.post(
            "/sandbox/users",
            json={"id": SANDBOX_AGENT_ID, "first_name": SANDBOX_AGENT_NAME, "language_code": "id"},
        )
        answer = await client.post(
            "/sandbox/groups",
            json={
                "id": SANDBOX_SUPPORT_CHAT_ID,
                "title": "Promote Support",
                "is_forum": True,
                "member_ids": [SANDBOX_AGENT_ID],
            },
        )
        answer.raise_for_status()


def _sandbox_telegram(args: argparse.Namespace, settings: Settings) -> None:
    configure_logging(level=settings.log_level, secrets=())
    port = args.port if args.port is not None else settings.sandbox_telegram_port
    config = SandboxConfig(
        bot_token=SANDBOX_BOT_TOKEN, rate_limits=RateLimits() if args.rate_limits else None
    )

    async def serve() -> None:
        async with serve_asgi(TelegramSandbox(config).asgi_app(), host=args.host, port=port) as url:
            print(f"Telegram sandbox at {url}; bot token {SANDBOX_BOT_TOKEN}", flush=True)
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


def _sandbox_tiktok(args: argparse.Namespace, settings: Settings) -> None:
    configure_logging(level=settings.log_level, secrets=())
    port = args.port if args.port is not None else settings.sandbox_tiktok_port
    config = TikTokSandboxConfig(integration_seconds=settings.sandbox_integration_seconds)

    async def serve() -> None:
        async with serve_asgi(TikTokSandbox(config).asgi_app(), host=args.host, port=port) as url:
            print(f"TikTok sandbox at {url} (consent page {url}/portal/auth)", flush=True)
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())


def _chat(args: argparse.Namespace, settings: Settings) -> None:
    url = args.sandbox_url or f"http://127.0.0.1:{settings.sandbox_telegram_port}"
    asyncio.run(_terminal_chat(url, args))


def _screens(args: argparse.Namespace, settings: Settings) -> None:
    index = build_gallery(
        args.out,
        locales=args.locale or SUPPORTED_LOCALES,
        png=not args.no_png,
        chromium=args.chromium,
    )
    print(f"gallery: {index}")


def _db_upgrade(args: argparse.Namespace, settings: Settings) -> None:
    upgrade(settings.db_url)
    print(f"database at the newest schema: {settings.db_url.split('@')[-1]}")


def _secrets(settings: Settings) -> list[str]:
    values = [
        settings.bot_token,
        settings.webhook_secret,
        settings.tiktok_app_secret.get_secret_value(),
    ]
    if settings.token_encryption_key:
        values.append(settings.token_encryption_key.get_secret_value())
    return values
