"""Running the bot: database, backends, service, python-telegram-bot, the web app and the
worker, started and stopped together. The CLI and the end-to-end tests both use `running_bot`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import Engine
from telegram import Update

from bot.backends import PromoteClient, TikTokClient
from bot.config import Settings, TelegramMode
from bot.crypto import TokenCipher, load_or_create_key
from bot.i18n import check_catalogs
from bot.serve import serve_asgi
from bot.service import Reply, Service
from bot.support import SupportDesk
from bot.telegram.app import build_application, set_menus
from bot.telegram.context import SUPPORT_KEY, BotApplication
from bot.telegram.sender import send_reply
from bot.telegram.support import TelegramSupportChannel
from bot.web import OAUTH_CALLBACK_PATH, WEBHOOK_PATH, create_web_app
from bot.worker import Worker
from models.db import create_db_engine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunningBot:
    application: BotApplication
    web_url: str
    engine: Engine
    service: Service
    worker: Worker


def token_cipher(settings: Settings) -> TokenCipher:
    """The configured key, else the one kept (and on first use made) under DATA_DIR."""
    key = settings.token_encryption_key
    return TokenCipher(key.get_secret_value() if key else load_or_create_key(settings.data_dir))


@asynccontextmanager
async def running_bot(
    settings: Settings, *, bot_api_base_url: str | None = None, engine: Engine | None = None
) -> AsyncIterator[RunningBot]:
    """Start everything, yield while it runs, stop it in reverse order."""
    check_catalogs(pseudo=bool(settings.tester_user_ids))
    own_engine = engine is None
    engine = engine or create_db_engine(settings.db_url)
    polling = settings.telegram_mode is TelegramMode.polling
    async with httpx.AsyncClient() as http:
        service = Service(
            engine,
            tiktok=TikTokClient(
                http,
                base_url=settings.tiktok_api_url,
                auth_url=settings.tiktok_authorize_url,
                app_id=settings.tiktok_app_id,
                app_secret=settings.tiktok_app_secret.get_secret_value(),
                timeout=settings.backend_timeout_seconds,
            ),
            promote=PromoteClient(
                http, base_url=settings.promote_api_url, timeout=settings.backend_timeout_seconds
            ),
            cipher=token_cipher(settings),
            redirect_uri=f"{settings.web_base_url}{OAUTH_CALLBACK_PATH}",
            default_locale=settings.default_locale,
            testers=frozenset(settings.tester_user_ids),
        )
        application = build_application(
            settings,
            service,
            bot_api_base_url=bot_api_base_url or settings.bot_api_base_url,
            polling=polling,
        )
        desk = SupportDesk(
            engine,
            service,
            TelegramSupportChannel(application.bot),
            chat_id=settings.support_chat_id,
            answer_minutes=settings.support_answer_minutes,
            queue_notice_after=timedelta(seconds=settings.support_queue_notice_seconds),
        )
        application.bot_data[SUPPORT_KEY] = desk
        web_app = create_web_app(
            application, webhook_secret=None if polling else settings.webhook_secret
        )

        async def send(reply: Reply) -> None:
            await send_reply(application.bot, reply)
            await desk.tell_agents(reply)

        worker = Worker(service, send, desk=desk, interval=settings.poll_interval_seconds)
        async with (
            application,
            serve_asgi(web_app, host=settings.web_host, port=settings.web_port) as web_url,
        ):
            if not settings.public_base_url:  # the port may have been chosen just now
                service.redirect_uri = f"{web_url}{OAUTH_CALLBACK_PATH}"
            await set_menus(application)
            await application.start()
            if polling:
                assert application.updater is not None
                await application.bot.delete_webhook()
                await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
            else:
                await application.bot.set_webhook(
                    url=f"{settings.web_base_url}{WEBHOOK_PATH}",
                    secret_token=settings.webhook_secret,
                    allowed_updates=Update.ALL_TYPES,
                )
            worker_task = asyncio.create_task(worker.run(), name="worker")
            log.info(
                "bot @%s running (%s), web app at %s",
                application.bot.username,
                settings.telegram_mode,
                web_url,
            )
            try:
                yield RunningBot(application, web_url, engine, service, worker)
            finally:
                worker_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker_task
                if application.updater is not None and application.updater.running:
                    await application.updater.stop()
                await application.stop()
    if own_engine:
        engine.dispose()
