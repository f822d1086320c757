"""Screens: what the bot shows, as msgids and parameters; the adapter renders them.

A screen names its text by msgid (marked with `N_` so Babel extracts it) and keeps the values for
its placeholders apart, so it can be rendered in any locale, escaped for Telegram's HTML, and
checked by the localization tests without a chat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.i18n import N_


@dataclass(frozen=True)
class Button:
    """An inline button: `action` comes back as callback data; `url` opens a page."""

    label: str
    action: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Screen:
    key: str
    text: str
    params: Mapping[str, object] = field(default_factory=dict)
    buttons: tuple[tuple[Button, ...], ...] = ()


def welcome(*, name: str) -> Screen:
    """The greeting for /start: what the bot will do, in TikTok's own words."""
    return Screen(
        key="welcome",
        # NOTE: Shown on /start. {name} is the user's Telegram first name. Keep TikTok's
        # terms: Fitur Promosi, TikTok Ads Manager, Otorisasikan akses, menyinkronkan.
        text=N_(
            "Hello, {name}! 👋\n"
            "\n"
            "I will guide you through linking your TikTok <b>Promote</b> account "
            "to <b>TikTok Ads Manager</b>:\n"
            "1. check that you are eligible\n"
            "2. confirm the latest terms of service\n"
            "3. authorize access to your TikTok account\n"
            "4. sync an existing TikTok Ads Manager account or create a new one\n"
            "\n"
            "Your progress is saved, so you can stop and come back at any time."
        ),
        params={"name": name},
    )
