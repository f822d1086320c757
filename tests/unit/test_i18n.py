"""Locale choice and the compiled catalogs."""

import pytest

from bot.flow.screens import welcome
from bot.i18n import choose_locale, normalize_locale, translations
from bot.telegram.render import render


@pytest.mark.parametrize(
    ("language_code", "expected"),
    [
        ("id", "id"),
        ("id-ID", "id"),
        ("in", "id"),
        ("en", "en"),
        ("en-GB", "en"),
        ("EN-us", "en"),
        ("pt-br", "id"),
        ("", "id"),
        (None, "id"),
    ],
)
def test_telegram_language_codes_are_normalized(language_code: str | None, expected: str) -> None:
    assert normalize_locale(language_code) == expected


def test_the_users_own_choice_wins_over_telegram() -> None:
    assert choose_locale(chosen="en", language_code="id") == "en"
    assert choose_locale(chosen=None, language_code="en-US") == "en"
    assert choose_locale(chosen=None, language_code=None) == "id"


def test_catalogs_translate_into_indonesian() -> None:
    text = render(welcome(name="Budi"), "id").text
    assert text.startswith("Halo, Budi!")
    assert "Fitur Promosi" in text
    assert translations("en").gettext("Start linking Fitur Promosi to TikTok Ads Manager") != ""


def test_parameters_are_escaped_but_markup_is_kept() -> None:
    text = render(welcome(name="<Ani & Co>"), "en").text
    assert "Hello, &lt;Ani &amp; Co&gt;!" in text
    assert "<b>TikTok Ads Manager</b>" in text
