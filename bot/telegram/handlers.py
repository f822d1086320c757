"""Handlers: turn an update into an event for the service, and its reply into messages."""

from __future__ import annotations

import asyncio
import contextlib

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.flow import events as ev
from bot.flow.screens import SAMPLE_BUTTON, SUPPORT_ACTION, SUPPORT_PERSON_ANSWERING
from bot.i18n import N_, translations
from bot.service import ButtonToken
from bot.telegram.context import BotContext, profile_of
from bot.telegram.sender import send_reply
from bot.telegram.support import support_command

# NOTE: A short pop-up when someone taps a button of a screen that is no longer current.
STALE_ANSWER = N_("This button is no longer valid.")


async def _run(
    update: Update, context: BotContext, event: ev.Event, button: ButtonToken | None = None
) -> None:
    """One event for the conversation, unless a person from support has the user: then the
    message goes to them and the bot says nothing."""
    profile = profile_of(update)
    message = update.effective_message
    if message is not None and await context.support.relay_from_user(profile, message.message_id):
        return
    reply = await context.service.user_event(
        profile=profile, event=event, update_id=update.update_id, button=button
    )
    if reply is not None:
        await send_reply(context.bot, reply)
        await context.support.tell_agents(reply)


async def start(update: Update, context: BotContext) -> None:
    """`/start`, also `/start <payload>` from a deep link (the payload arrives in `args`)."""
    await _run(update, context, ev.Start(context.args[0] if context.args else None))


async def help_command(update: Update, context: BotContext) -> None:
    await _run(update, context, ev.Help())


async def status(update: Update, context: BotContext) -> None:
    await _run(update, context, ev.Status())


async def cancel(update: Update, context: BotContext) -> None:
    await _run(update, context, ev.Cancel())


async def text(update: Update, context: BotContext) -> None:
    assert update.effective_message is not None
    await _run(update, context, ev.Text(update.effective_message.text or ""))


async def button(update: Update, context: BotContext) -> None:
    """A button press: answered at once; the pressed message loses its keyboard, since the
    answer is a new message with the buttons that are valid now."""
    query = update.callback_query
    assert query is not None
    token, action = ButtonToken.parse(query.data or "")
    profile = profile_of(update)
    if action == SUPPORT_ACTION:
        await query.answer()
        await context.support.request(profile, update_id=update.update_id, reason="button")
        return
    if await asyncio.to_thread(context.support.is_helping, profile.telegram_id):
        locale = context.service.locale_of(profile.telegram_id, profile.language_code)
        await query.answer(translations(locale).gettext(SUPPORT_PERSON_ANSWERING))
        return
    reply = await context.service.user_event(
        profile=profile, event=ev.Pressed(action), update_id=update.update_id, button=token
    )
    if reply is None:
        await query.answer()
        return
    await query.answer(translations(reply.locale).gettext(STALE_ANSWER) if reply.stale else None)
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(reply_markup=None)
    await send_reply(context.bot, reply)


async def language(update: Update, context: BotContext) -> None:
    reply = await context.service.language(
        profile=profile_of(update), update_id=update.update_id, choice=None
    )
    if reply is not None:
        await send_reply(context.bot, reply)


async def language_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    choice = (query.data or "").removeprefix("L|")
    reply = await context.service.language(
        profile=profile_of(update), update_id=update.update_id, choice=choice
    )
    await query.answer()
    if reply is not None:
        with contextlib.suppress(BadRequest):
            await query.edit_message_reply_markup(reply_markup=None)
        await send_reply(context.bot, reply)


async def tester_command(update: Update, context: BotContext) -> None:
    """`/screens [key]`, `/msgids`: localization testers' tools (others: an unknown command)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    command = message.text.split()[0].lstrip("/").split("@")[0]
    reply = await context.service.tester(
        profile=profile_of(update),
        update_id=update.update_id,
        command=command,
        argument=context.args[0] if context.args else None,
    )
    if reply is not None:
        await send_reply(context.bot, reply)


async def sample_button(update: Update, context: BotContext) -> None:
    """A button of a sample screen shown to a tester: it only says so."""
    query = update.callback_query
    assert query is not None
    profile = profile_of(update)
    locale = context.service.locale_of(profile.telegram_id, profile.language_code)
    await query.answer(translations(locale).gettext(SAMPLE_BUTTON), show_alert=True)


def all_handlers() -> list[BaseHandler[Update, BotContext, None]]:
    return [
        CommandHandler("start", start),
        CommandHandler("help", help_command),
        CommandHandler("status", status),
        CommandHandler("cancel", cancel),
        CommandHandler("language", language),
        CommandHandler("support", support_command, filters=filters.ChatType.PRIVATE),
        CommandHandler(["screens", "msgids"], tester_command),
        CallbackQueryHandler(language_button, pattern=r"^L\|"),
        CallbackQueryHandler(sample_button, pattern=r"^S\|"),
        CallbackQueryHandler(button),
        MessageHandler(filters.TEXT & ~filters.COMMAND, text),
        MessageHandler(filters.COMMAND, text),
    ]
