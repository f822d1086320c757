"""Handlers: turn an update into a service call and its reply into messages."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler

from bot.service import Profile, Reply
from bot.telegram.context import BotContext
from bot.telegram.render import render


def profile_of(update: Update) -> Profile:
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


async def send_reply(context: BotContext, reply: Reply) -> None:
    for screen in reply.screens:
        message = render(screen, reply.locale)
        await context.bot.send_message(
            chat_id=reply.chat_id,
            text=message.text,
            parse_mode="HTML",
            reply_markup=message.reply_markup,
        )


async def start(update: Update, context: BotContext) -> None:
    """`/start`, also `/start <payload>` from a deep link (the payload arrives in `args`)."""
    payload = context.args[0] if context.args else None
    reply = await context.service.start(
        update_id=update.update_id, profile=profile_of(update), payload=payload
    )
    if reply is not None:
        await send_reply(context, reply)


def all_handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [CommandHandler("start", start)]
