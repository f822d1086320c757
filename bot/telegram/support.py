"""The support-group relay: python-telegram-bot's side of the support desk.

Users' messages go to their forum topic with `copyMessage`; agents' messages in a topic go back
to the user the same way; the context card's buttons claim, hand back or close.
"""

from __future__ import annotations

from telegram import Bot, ReplyParameters, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)
from telegram.helpers import create_deep_linked_url

from bot.flow.screens import Screen
from bot.service import Reply
from bot.support import Agent, NoTopics, TopicGone, UserUnreachable
from bot.telegram.context import BotContext, profile_of
from bot.telegram.render import render
from bot.telegram.sender import send_reply

CARD_PREFIX = "H|"  # callback data of the card's buttons


class TelegramSupportChannel:
    """`bot.support.SupportChannel` over the Bot API."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def create_topic(self, chat_id: int, name: str) -> int:
        try:
            topic = await self._bot.create_forum_topic(chat_id=chat_id, name=name)
        except BadRequest as exc:
            if "not a forum" in exc.message.lower():
                raise NoTopics from exc
            raise
        return topic.message_thread_id

    async def post(
        self,
        chat_id: int,
        thread_id: int | None,
        screen: Screen,
        locale: str,
        reply_to: int | None = None,
    ) -> int:
        message = render(screen, locale, callback_prefix=CARD_PREFIX)
        try:
            sent = await self._bot.send_message(
                chat_id=chat_id,
                message_thread_id=thread_id,
                text=message.text,
                parse_mode="HTML",
                reply_markup=message.reply_markup,
                reply_parameters=_reply(reply_to),
            )
        except BadRequest as exc:
            raise _topic_error(exc) from exc
        return sent.message_id

    async def copy_to_topic(
        self,
        chat_id: int,
        thread_id: int | None,
        from_chat_id: int,
        message_id: int,
        reply_to: int | None = None,
    ) -> int:
        try:
            copied = await self._bot.copy_message(
                chat_id=chat_id,
                message_thread_id=thread_id,
                from_chat_id=from_chat_id,
                message_id=message_id,
                reply_parameters=_reply(reply_to),
            )
        except BadRequest as exc:
            raise _topic_error(exc) from exc
        return copied.message_id

    async def copy_to_user(self, chat_id: int, from_chat_id: int, message_id: int) -> None:
        try:
            await self._bot.copy_message(
                chat_id=chat_id, from_chat_id=from_chat_id, message_id=message_id
            )
        except Forbidden as exc:
            raise UserUnreachable from exc

    async def send(self, reply: Reply) -> None:
        try:
            await send_reply(self._bot, reply)
        except Forbidden as exc:
            raise UserUnreachable from exc

    def deep_link(self, payload: str) -> str:
        return create_deep_linked_url(self._bot.username, payload)


def _reply(message_id: int | None) -> ReplyParameters | None:
    return ReplyParameters(message_id=message_id) if message_id is not None else None


def _topic_error(exc: BadRequest) -> Exception:
    return TopicGone() if "thread not found" in exc.message.lower() else exc


def agent_of(update: Update) -> Agent:
    user = update.effective_user
    assert user is not None
    return Agent(telegram_id=user.id, name=user.full_name, language_code=user.language_code)


async def ignore(update: Update, context: BotContext) -> None:
    """Everything else said in the support group is between people."""


async def support_command(update: Update, context: BotContext) -> None:
    await context.support.request(profile_of(update), update_id=update.update_id, reason="command")


async def agent_message(update: Update, context: BotContext) -> None:
    """An agent wrote in a user's topic (or replied to a case's message): it goes to the user."""
    message = update.effective_message
    assert message is not None
    replied = message.reply_to_message
    await context.support.relay_from_agent(
        agent_of(update),
        thread_id=message.message_thread_id if message.is_topic_message else None,
        replied_to=replied.message_id if replied else None,
        message_id=message.message_id,
    )


async def link_command(update: Update, context: BotContext) -> None:
    """`/link …`: a one-time deep link into the bot, only in the support group."""
    message = update.effective_message
    assert message is not None and message.text is not None
    words = message.text.partition(" ")[2]
    await context.support.create_link(
        agent_of(update),
        thread_id=message.message_thread_id if message.is_topic_message else None,
        words=words,
    )


async def handback_command(update: Update, context: BotContext) -> None:
    """`/handback [current|eligibility|authorize]` in a user's topic: as the card's buttons."""
    message = update.effective_message
    assert message is not None
    to = (context.args or ["current"])[0]
    await context.support.card_action(
        agent_of(update),
        thread_id=message.message_thread_id if message.is_topic_message else None,
        message_id=message.reply_to_message.message_id if message.reply_to_message else 0,
        action=f"back:{to}",
    )


async def lookup_command(update: Update, context: BotContext) -> None:
    """`/lookup <id>`: only in the support group (its members are the agents)."""
    message = update.effective_message
    assert message is not None
    await context.support.lookup(
        agent_of(update),
        thread_id=message.message_thread_id if message.is_topic_message else None,
        query=" ".join(context.args or []),
    )


async def card_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.message is not None
    await query.answer()
    card = query.message
    thread_id = card.message_thread_id if getattr(card, "is_topic_message", False) else None
    action = (query.data or "").removeprefix(CARD_PREFIX)
    await context.support.card_action(
        agent_of(update), thread_id=thread_id, message_id=card.message_id, action=action
    )


def support_handlers(support_chat_id: int) -> list[BaseHandler[Update, BotContext, None]]:
    """Registered before the conversation's handlers, so the support group never reaches them."""
    in_support_group = filters.Chat(chat_id=support_chat_id)
    return [
        CommandHandler("lookup", lookup_command, filters=in_support_group),
        CommandHandler("link", link_command, filters=in_support_group),
        CommandHandler("handback", handback_command, filters=in_support_group),
        CallbackQueryHandler(card_button, pattern=r"^H\|"),
        MessageHandler(
            in_support_group
            & (filters.IS_TOPIC_MESSAGE | filters.REPLY)
            & ~filters.COMMAND
            & ~filters.StatusUpdate.ALL,
            agent_message,
        ),
        MessageHandler(in_support_group, ignore),  # the bot has nothing else to do there
    ]
