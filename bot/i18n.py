"""Catalogs and locale choice.

Strings are written in English as gettext msgids and translated through the compiled catalogs in
`locales/`; Bahasa Indonesia (`id`) is the default. `N_()` marks a string for extraction where it
is declared, and the adapter translates it when it renders, in the reader's locale.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

from bot.config import SUPPORTED_LOCALES
from bot.pseudo import PSEUDO_LOCALE  # testers only: anything not pseudo-localized was missed

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
DEFAULT_LOCALE = "id"

# Telegram sends IETF tags ("id", "id-ID", "en-GB"); "in" is the legacy ISO code for Indonesian.
_ALIASES = {"in": "id"}


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it yet."""
    return message


class CatalogMissing(RuntimeError):
    """A compiled catalog (.mo) is missing: the install step (`make`) compiles them."""


def normalize_locale(language_code: str | None, default: str = DEFAULT_LOCALE) -> str:
    """Map a Telegram `language_code` to one of our locales, else `default`."""
    if not language_code:
        return default
    base = language_code.replace("_", "-").split("-", 1)[0].lower()
    base = _ALIASES.get(base, base)
    return base if base in SUPPORTED_LOCALES else default


def choose_locale(
    *, chosen: str | None, language_code: str | None, default: str = DEFAULT_LOCALE
) -> str:
    """The user's own choice wins, then Telegram's language, then the default."""
    if chosen in SUPPORTED_LOCALES or chosen == PSEUDO_LOCALE:
        return chosen
    return normalize_locale(language_code, default)


@cache
def translations(locale: str) -> gettext.GNUTranslations:
    """The compiled catalog for `locale`; no silent fallback to untranslated msgids."""
    try:
        return gettext.translation(DOMAIN, LOCALES_DIR, languages=[locale])  # type: ignore[return-value]
    except FileNotFoundError:
        raise CatalogMissing(
            f"no compiled catalog for {locale!r} in {LOCALES_DIR}; run `make` to compile them"
        ) from None


def babel_locale(locale: str) -> str:
    """The CLDR locale that formats numbers and dates for `locale` (the pseudo-locale has none)."""
    return "en" if locale == PSEUDO_LOCALE else locale


def check_catalogs(*, pseudo: bool = False) -> None:
    """Fail early at start-up rather than on the first message."""
    for locale in (*SUPPORTED_LOCALES, *((PSEUDO_LOCALE,) if pseudo else ())):
        translations(locale)
