"""Screens → Telegram messages, in the reader's locale, as Telegram-flavoured HTML."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.flow.screens import Screen
from bot.i18n import translations


@dataclass(frozen=True)
class RenderedMessage:
    text: str
    reply_markup: InlineKeyboardMarkup | None


def render(screen: Screen, locale: str) -> RenderedMessage:
    """Translate the text and labels; escape parameter values, never the translated markup."""
    gettext = translations(locale).gettext
    values = {key: escape(str(value), quote=False) for key, value in screen.params.items()}
    text = gettext(screen.text).format(**values)
    rows = [
        [
            InlineKeyboardButton(gettext(button.label), callback_data=button.action, url=button.url)
            for button in row
        ]
        for row in screen.buttons
    ]
    return RenderedMessage(text=text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)
