"""A typed `CallbackContext` that hands handlers the service instead of a bare dict."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.service import Profile, Service
from bot.support import SupportDesk

SERVICE_KEY = "service"
SUPPORT_KEY = "support"


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[str, Any]]):
    """Handlers read `context.service`; conversation state lives in the database, not here."""

    @property
    def service(self) -> Service:
        return self.bot_data[SERVICE_KEY]

    @property
    def support(self) -> SupportDesk:
        return self.bot_data[SUPPORT_KEY]


def profile_of(update: Update) -> Profile:
    """Who sent an update, as the service needs it."""
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None, "handlers here only take updates with a sender"
    return Profile(
        telegram_id=user.id,
        chat_id=chat.id,
        first_name=user.first_name,
        username=user.username,
        language_code=user.language_code,
    )


BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[str, Any], Any
]
