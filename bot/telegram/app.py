"""Building the python-telegram-bot `Application`, the same for the sandbox and for Telegram."""

from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, ContextTypes

from bot.config import SUPPORTED_LOCALES, Settings
from bot.i18n import N_, translations
from bot.service import Service
from bot.telegram.context import SERVICE_KEY, BotApplication, BotContext
from bot.telegram.handlers import all_handlers
from bot.telegram.support import support_handlers

log = logging.getLogger(__name__)

# NOTE: Telegram's command menu, next to each command; keep each short (≤ 256 characters).
COMMANDS = (
    ("start", N_("Start linking Fitur Promosi to TikTok Ads Manager")),
    ("status", N_("Where you are, and how the integration is going")),
    ("help", N_("What I can do")),
    ("cancel", N_("Stop before submitting")),
    ("language", N_("Choose the language")),
    ("support", N_("Talk to a person from support")),
)
# NOTE: The bot's description, shown in an empty chat before the user presses Start (≤ 512).
DESCRIPTION = N_(
    "I help you link your TikTok Promote account (Fitur Promosi) to TikTok Ads Manager, "
    "step by step, in Bahasa Indonesia or English."
)


def build_application(
    settings: Settings, service: Service, *, bot_api_base_url: str, polling: bool
) -> BotApplication:
    """The bot: handlers, typed context, rate limiting; an updater only when polling."""
    builder = (
        Application.builder()
        .token(settings.bot_token)
        .base_url(bot_api_base_url)
        .context_types(ContextTypes(context=BotContext))
        .rate_limiter(AIORateLimiter(max_retries=2))
    )
    if not polling:
        builder = builder.updater(None)
    application: BotApplication = builder.build()  # type: ignore[assignment]
    application.bot_data[SERVICE_KEY] = service
    if settings.support_chat_id is not None:
        application.add_handlers(support_handlers(settings.support_chat_id))
    application.add_handlers(all_handlers())
    application.add_error_handler(log_error)
    return application


async def set_menus(application: Application) -> None:  # type: ignore[type-arg]
    """The command menu and description in every language, the default locale for the rest.

    Called by the runner after `initialize()`: PTB runs `post_init` only from `run_polling`.
    """
    bot = application.bot
    for locale in SUPPORTED_LOCALES:
        gettext = translations(locale).gettext
        commands = [BotCommand(name, gettext(text)) for name, text in COMMANDS]
        await bot.set_my_commands(commands, language_code=locale)
        await bot.set_my_description(gettext(DESCRIPTION), language_code=locale)
    gettext = translations(service_of(application).default_locale).gettext
    await bot.set_my_commands([BotCommand(name, gettext(text)) for name, text in COMMANDS])
    await bot.set_my_description(gettext(DESCRIPTION))


def service_of(application: Application) -> Service:  # type: ignore[type-arg]
    return application.bot_data[SERVICE_KEY]


async def log_error(update: object, context: BotContext) -> None:
    """Log the failure without the update's contents (they may hold personal data)."""
    update_id = getattr(update, "update_id", None)
    log.error("update %s failed", update_id, exc_info=context.error)
