"""Running the bot: database, service, python-telegram-bot and the web app, started and stopped
together. The CLI and the end-to-end tests both use `running_bot`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import Engine
from telegram import Update

from bot.config import Settings, TelegramMode
from bot.i18n import check_catalogs
from bot.sandbox.serve import serve_asgi
from bot.service import Service
from bot.telegram.app import build_application, set_menus
from bot.telegram.context import BotApplication
from bot.web import WEBHOOK_PATH, create_web_app
from models.db import create_db_engine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunningBot:
    application: BotApplication
    web_url: str
    engine: Engine


@asynccontextmanager
async def running_bot(
    settings: Settings, *, bot_api_base_url: str | None = None, engine: Engine | None = None
) -> AsyncIterator[RunningBot]:
    """Start everything, yield while it runs, stop it in reverse order."""
    check_catalogs()
    engine = engine or create_db_engine(settings.db_url)
    service = Service(engine, default_locale=settings.default_locale)
    polling = settings.telegram_mode is TelegramMode.polling
    application = build_application(
        settings,
        service,
        bot_api_base_url=bot_api_base_url or settings.bot_api_base_url,
        polling=polling,
    )
    web_app = create_web_app(
        application, webhook_secret=None if polling else settings.webhook_secret
    )
    async with (
        application,
        serve_asgi(web_app, host=settings.web_host, port=settings.web_port) as web_url,
    ):
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
        log.info(
            "bot @%s running (%s), web app at %s",
            application.bot.username,
            settings.telegram_mode,
            web_url,
        )
        try:
            yield RunningBot(application=application, web_url=web_url, engine=engine)
        finally:
            if application.updater is not None and application.updater.running:
                await application.updater.stop()
            await application.stop()
