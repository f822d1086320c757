"""Numbers, money, dates and durations in the reader's locale, through Babel (CLDR).

Indonesian writes `Rp1.500.000` and `10.30` (a dot between hours and minutes); English writes
`IDR1,500,000` and `10:30`. Times are shown in the user's Indonesian time zone (Asia/Jakarta by
default) with the abbreviation Indonesians use (WIB, WITA, WIT) in every language.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_timedelta
from babel.lists import format_list
from babel.numbers import format_currency

from bot.i18n import babel_locale

DEFAULT_TIMEZONE = "Asia/Jakarta"
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
# Day, month name, year and time; CLDR has no ready-made "long date + short time" in `id`.
DATETIME_PATTERNS = {"id": "d MMMM y HH.mm", "en": "d MMMM y, HH:mm"}


@dataclass(frozen=True)
class Money:
    amount: Decimal | int
    currency: str = "IDR"


def money(value: Money, locale: str) -> str:
    """`Rp1.500.000` (id), `IDR1,500,000` (en): IDR has no minor unit, so no decimals."""
    return format_currency(value.amount, value.currency, locale=babel_locale(locale))


def when(moment: datetime, locale: str, timezone: str = DEFAULT_TIMEZONE) -> str:
    """`17 Agustus 2024 10.30 WIB` (id), `17 August 2024, 10:30 WIB` (en)."""
    cldr = babel_locale(locale)
    pattern = DATETIME_PATTERNS.get(cldr, DATETIME_PATTERNS["en"])
    shown = format_datetime(moment, pattern, tzinfo=ZoneInfo(timezone), locale=cldr)
    return f"{shown} {ZONE_NAMES.get(timezone, timezone)}"


def duration(delta: timedelta, locale: str) -> str:
    """`5 menit` / `5 minutes` (rounded to the largest sensible unit)."""
    return format_timedelta(delta, threshold=1.0, locale=babel_locale(locale))


def ago(delta: timedelta, locale: str) -> str:
    """`5 menit yang lalu` / `5 minutes ago`."""
    return format_timedelta(-delta, threshold=1.0, add_direction=True, locale=babel_locale(locale))


def listing(items: Sequence[str], locale: str) -> str:
    """`a, b, dan c` / `a, b, and c`."""
    return format_list(list(items), locale=babel_locale(locale))
