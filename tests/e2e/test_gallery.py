"""The screen gallery in a real browser (headless Chromium): every screen in Indonesian and
English, drawn as chat bubbles with their buttons, and a PNG of each."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.flow.samples import samples
from bot.gallery import CHROMIUM_ARGS, PNG_SCALE, build_gallery

CHROMIUM = "/usr/bin/chromium"
LOCALES = ("id", "en")
CHAT_WIDTH = 360  # CSS pixels: the gallery's phone-sized chat
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        if os.environ.get("PROMOTE_BOT_REQUIRE_CHROMIUM") == "1":
            pytest.fail(
                f"Chromium is required here (PROMOTE_BOT_REQUIRE_CHROMIUM=1): no {CHROMIUM}"
            )
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium); .ci/run installs it")
    return CHROMIUM


@pytest.fixture(scope="module")
def gallery(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gallery")
    index = build_gallery(out, locales=LOCALES, png=True, chromium=chromium)
    assert index == out / "index.html"
    return out


@pytest.fixture(scope="module")
def page(chromium: str, gallery: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
        try:
            tab = browser.new_page()
            outside: list[str] = []
            tab.on(
                "request",
                lambda request: (
                    None if request.url.startswith("file:") else outside.append(request.url)
                ),
            )
            tab.goto((gallery / "index.html").as_uri())
            yield tab
            assert not outside, f"the gallery asked the network for {outside}"
        finally:
            browser.close()


def _chat(page: Any, key: str, locale: str) -> Any:
    return page.locator(f'.chat[data-key="{key}"][data-locale="{locale}"]')


def test_one_bubble_per_screen_and_language(page: Any) -> None:
    keys = [item.key for item in samples()]
    assert page.locator(".bubble").count() == len(keys) * len(LOCALES)
    assert page.locator(".bubble.invalid").count() == 0
    for locale in LOCALES:
        shown = page.locator(f'.chat[data-locale="{locale}"]').evaluate_all(
            "chats => chats.map(chat => chat.dataset.key)"
        )
        assert shown == keys


def test_the_terms_screen_in_each_language(page: Any) -> None:
    indonesian = _chat(page, "terms", "id")
    english = _chat(page, "terms", "en")
    assert "Selanjutnya" in indonesian.locator(".bubble").inner_text()
    assert "Next" in english.locator(".bubble").inner_text()
    assert indonesian.get_by_role("button", name="Selanjutnya").count() == 1
    assert english.get_by_role("button", name="Next", exact=True).count() == 1
    # Telegram's formatting is drawn as formatting, and line breaks as line breaks.
    title = english.locator(".bubble b").first
    assert title.inner_text() == "Latest terms of service"
    assert english.locator(".bubble br").count() >= 4


def test_buttons_are_drawn_as_buttons_under_the_bubble(page: Any) -> None:
    expected = sum(len(row) * len(LOCALES) for item in samples() for row in item.screen.buttons)
    assert page.locator(".chat button").count() == expected

    terms = _chat(page, "terms", "en")
    bubble = terms.locator(".bubble").bounding_box()
    read, next_ = (terms.get_by_role("button").nth(i).bounding_box() for i in (0, 1))
    assert read["y"] >= bubble["y"] + bubble["height"]  # the keyboard is below the text
    assert next_["y"] >= read["y"] + read["height"]  # one button per row here
    assert read["height"] >= 30 and read["width"] > CHAT_WIDTH / 2
    # A link button is marked ↗; a callback button is not.
    assert "↗" in terms.get_by_role("button").nth(0).inner_text()
    assert "↗" not in terms.get_by_role("button").nth(1).inner_text()
    colour = terms.get_by_role("button").nth(1).evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour not in ("rgba(0, 0, 0, 0)", "transparent")

    yes, no = (
        _chat(page, "eligibility_registered", "id").get_by_role("button").nth(i).bounding_box()
        for i in (0, 1)
    )
    assert yes["y"] == no["y"] and no["x"] >= yes["x"] + yes["width"]  # side by side


def test_the_callback_pages_are_included(page: Any) -> None:
    assert page.locator("iframe.callback").count() >= 2 * len(LOCALES)


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert head[12:16] == b"IHDR", f"{path} has no IHDR chunk first"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_a_png_of_every_screen_in_every_language(gallery: Path) -> None:
    for locale in LOCALES:
        for item in samples():
            path = gallery / "png" / locale / f"{item.key}.png"
            assert path.is_file(), f"missing {path}"
            width, height = _png_size(path)
            assert width == CHAT_WIDTH * PNG_SCALE, (path, width)
            assert 40 * PNG_SCALE <= height <= 3000 * PNG_SCALE, (path, height)
    # A screen with a long text and 20 rows of buttons is much taller than a one-liner.
    tall = _png_size(gallery / "png" / "id" / "field_province.png")[1]
    short = _png_size(gallery / "png" / "id" / "cancelled.png")[1]
    assert tall > 4 * short
