"""Screens → Telegram messages, in the reader's locale, as Telegram-flavoured HTML."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.flow.screens import Msg, Screen
from bot.formatting import Money, duration, money, when
from bot.i18n import translations


@dataclass(frozen=True)
class RenderedMessage:
    text: str
    reply_markup: InlineKeyboardMarkup | None


MSGID_PREVIEW = 60  # characters of each msgid shown to testers


def render(
    screen: Screen, locale: str, *, callback_prefix: str = "", show_msgids: bool = False
) -> RenderedMessage:
    """Translate the text and labels; escape parameter values, never the translated markup.

    `callback_prefix` goes in front of every button's action (the adapter's stale-button
    check). `show_msgids` adds, for localization testers, the msgids the text came from.
    """
    text = render_text(Msg(screen.text, screen.params), locale)
    for notice in reversed(screen.notices):
        text = render_text(notice, locale) + "\n\n" + text
    if show_msgids:
        text += "\n\n" + "\n".join(
            f"<code>{escape(_preview(msg.text))}</code>"
            for msg in (*screen.notices, Msg(screen.text))
        )
    rows = [
        [
            InlineKeyboardButton(
                render_text(Msg(button.label, button.params), locale),
                callback_data=callback_prefix + button.action if button.action else None,
                url=button.url,
            )
            for button in row
        ]
        for row in screen.buttons
    ]
    return RenderedMessage(text=text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)


def _preview(msgid: str) -> str:
    flat = " ".join(msgid.split())
    return flat if len(flat) <= MSGID_PREVIEW else flat[: MSGID_PREVIEW - 1] + "…"


def render_text(message: Msg, locale: str) -> str:
    """The translation of `message` with each parameter formatted for `locale`."""
    gettext = translations(locale).gettext
    values = {key: _value(value, locale) for key, value in message.params.items()}
    return gettext(message.text).format(**values)


def _value(value: object, locale: str) -> str:
    if isinstance(value, Msg):
        return render_text(value, locale)
    if isinstance(value, list | tuple):
        return "\n".join("• " + _value(item, locale) for item in value)
    if isinstance(value, timedelta):
        return escape(duration(value, locale), quote=False)
    if isinstance(value, datetime):
        return escape(when(value, locale), quote=False)
    if isinstance(value, Money):
        return escape(money(value, locale), quote=False)
    if isinstance(value, Mapping):
        raise TypeError("a screen parameter must be text, a number, a Msg or a list of Msg")
    return escape(str(value), quote=False)
