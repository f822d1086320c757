"""Sending a service `Reply` as Telegram messages (from handlers, the web app and the worker)."""

from __future__ import annotations

from telegram import Bot

from bot.service import Reply
from bot.telegram.render import render


async def send_reply(bot: Bot, reply: Reply) -> None:
    for screen in reply.screens:
        message = render(
            screen,
            reply.locale,
            callback_prefix=reply.callback_prefix,
            show_msgids=reply.show_msgids,
        )
        await bot.send_message(
            chat_id=reply.chat_id,
            text=message.text,
            parse_mode="HTML",
            reply_markup=message.reply_markup,
            link_preview_options=None,
        )
