"""A typed `CallbackContext` that hands handlers the service instead of a bare dict."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.service import Service

SERVICE_KEY = "service"


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[str, Any]]):
    """Handlers read `context.service`; conversation state lives in the database, not here."""

    @property
    def service(self) -> Service:
        return self.bot_data[SERVICE_KEY]


BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[str, Any], Any
]
