"""A gallery of every screen in every language, for translators and testers.

`build_gallery(out)` writes `out/index.html`: each sample of `bot.flow.samples` rendered by the
real `render()` in each locale, side by side, drawn like a Telegram chat bubble with its inline
keyboard, and (with `png=True`) one PNG per screen per locale made by headless Chromium. The text
goes through the Telegram sandbox's HTML parser, so the bubble shows what Telegram would store:
the plain text and its entities (bold, italic, code, links), trimmed as Telegram trims it. The
page is self-contained (inline CSS, no scripts, no external assets); nothing is fetched.

    python -m bot.gallery /tmp/gallery            # index.html and png/<locale>/<key>.png
    python -m bot.gallery /tmp/gallery --no-png   # index.html only
"""

from __future__ import annotations

from base64 import b64decode
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardMarkup

from bot.config import SUPPORTED_LOCALES
from bot.flow.samples import Sample, samples
from bot.sandbox.telegram.errors import BotApiError
from bot.sandbox.telegram.texts import MAX_TEXT_LENGTH, prepare_text
from bot.service import ButtonToken, CallbackPage
from bot.telegram.render import render
from bot.web import PAGES, page

__all__ = ["CHROMIUM_ARGS", "build_gallery", "message_html"]

# What this machine's closed network needs: no sandbox (root), no background traffic at all.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# The prefix the service puts in front of every action, for the buttons' tooltips.
SAMPLE_PREFIX = ButtonToken(123456, 42).prefix()
BOT_USERNAME = "PromoteIntegrasiBot"
# Pixels per CSS pixel in the PNGs: sharp on a high-density screen, still small files.
PNG_SCALE = 2

# Entity type → (opening tag, closing tag) in the gallery's HTML.
_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
    "custom_emoji": ("", ""),
}

_CSS = """
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; background: #f4f4f5; color: #1f2329;
  font: 14px/1.4 system-ui, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", sans-serif; }
h1 { margin: 0 0 4px; font-size: 22px; }
h2 { margin: 0 0 2px; font-size: 16px; }
h2 code { background: #e4e6eb; padding: 1px 6px; border-radius: 4px; }
.lead, .meta { color: #5f6670; margin: 0 0 12px; }
nav ol { columns: 3; margin: 8px 0 24px; padding-left: 20px; }
nav a { color: #2a6fb0; }
section.sample { margin: 0 0 28px; padding-top: 8px; border-top: 1px solid #d9dce1; }
.locales { display: flex; gap: 20px; align-items: flex-start; flex-wrap: wrap; }
figure.cell { margin: 0; width: 360px; }
figure.cell > figcaption { font-weight: 600; margin-bottom: 4px; text-transform: uppercase;
  letter-spacing: .05em; color: #5f6670; }
.count { margin: 4px 0 0; font-size: 12px; color: #5f6670; }
.count.over { color: #c62828; font-weight: 600; }
/* The chat: what each PNG shows. 360 px wide, like a narrow phone. */
.chat { width: 360px; padding: 10px 12px; background: #cfdcc4;
  background-image: linear-gradient(160deg, #d6e2c8 0%, #b9cfae 100%); }
.message { width: 100%; }
.bubble { display: inline-block; max-width: 100%; background: #fff; border-radius: 14px;
  border-bottom-left-radius: 4px; padding: 7px 11px 8px; color: #000;
  box-shadow: 0 1px 1px rgba(0, 0, 0, .15);
  font: 15px/1.35 Roboto, "Liberation Sans", "DejaVu Sans", sans-serif;
  white-space: pre-wrap; overflow-wrap: anywhere; }
.message.with-keyboard .bubble { display: block; }
.bubble code, .bubble pre { font: 14px/1.35 "Liberation Mono", "DejaVu Sans Mono", monospace;
  color: #b0306a; }
.bubble pre { margin: 4px 0; padding: 6px 8px; background: #f1f3f5; border-radius: 6px; }
.bubble a { color: #2481cc; text-decoration: none; }
.bubble blockquote { margin: 2px 0; padding-left: 8px; border-left: 3px solid #2481cc; }
.bubble .spoiler { background: #c9ccd1; color: transparent; border-radius: 3px; }
.bubble.invalid { background: #ffebee; color: #b71c1c; font-family: monospace; font-size: 12px; }
.keyboard { margin-top: 3px; }
.row { display: flex; gap: 3px; margin-top: 3px; }
.button { position: relative; flex: 1 1 0; min-width: 0; min-height: 38px; padding: 8px 14px;
  border: 0; border-radius: 8px; background: rgba(56, 86, 52, .46); color: #fff;
  font: 500 14px/1.2 Roboto, "Liberation Sans", "DejaVu Sans", sans-serif; cursor: default; }
.button .label { display: block; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; text-align: center; }
.button .arrow { position: absolute; top: 2px; right: 5px; font-size: 11px; }
iframe.callback { width: 360px; height: 300px; border: 1px solid #d9dce1; background: #fff; }
"""


def build_gallery(
    out: Path,
    *,
    locales: Sequence[str] = SUPPORTED_LOCALES,
    png: bool = True,
    chromium: str | None = "/usr/bin/chromium",
) -> Path:
    """Write `out/index.html` (and, with `png`, `out/png/<locale>/<key>.png`); return the index.

    The PNGs need Chromium at `chromium` (driven by Playwright, one browser and one page for
    all of them). Nothing is fetched from anywhere: the page loads from disk and every other
    request is refused.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    items = samples()
    index = out / "index.html"
    index.write_text(_index_html(items, tuple(locales)), encoding="utf-8")
    if png:
        if chromium is None or not Path(chromium).exists():
            raise FileNotFoundError(
                f"the PNGs need Chromium, not found at {chromium!r} (or pass png=False)"
            )
        _screenshots(index, out / "png", items, tuple(locales), chromium)
    return index


# --- HTML --------------------------------------------------------------------------------------


def message_html(text: str, markup: InlineKeyboardMarkup | None) -> str:
    """One message as the gallery draws it: the bubble, then the inline keyboard's rows."""
    keyboard = markup.inline_keyboard if markup else ()
    parts = [f'<div class="message{" with-keyboard" if keyboard else ""}">', _bubble(text)]
    if keyboard:
        parts.append('<div class="keyboard">')
        for row in keyboard:
            parts.append('<div class="row">')
            for button in row:
                parts.append(_button(button.text, button.callback_data, button.url))
            parts.append("</div>")
        parts.append("</div>")
    parts.append("</div>")
    return "".join(parts)


def _bubble(source: str) -> str:
    try:
        stored = prepare_text(source, "HTML", None)
    except BotApiError as error:
        return (
            f'<div class="bubble invalid">Telegram would refuse this text: '
            f"{escape(error.description)}\n\n{escape(source)}</div>"
        )
    return f'<div class="bubble">{_entities_html(stored.text, stored.entities)}</div>'


def _entities_html(text: str, entities: list[dict[str, Any]]) -> str:
    """Plain text plus Telegram entities (UTF-16 offsets, properly nested) → HTML."""
    index_at: dict[int, int] = {}
    units = 0
    for index, char in enumerate(text):
        index_at[units] = index
        units += 2 if ord(char) > 0xFFFF else 1
    index_at[units] = len(text)
    starting: dict[int, list[tuple[int, str, str]]] = {}
    # Sorted by offset, longest first: an outer entity opens before the ones inside it.
    for entity in sorted(entities, key=lambda e: (e["offset"], -e["length"])):
        start = index_at[entity["offset"]]
        end = index_at[entity["offset"] + entity["length"]]
        if entity["type"] == "text_link":
            tags = (f'<a href="{escape(entity["url"])}">', "</a>")
        else:
            tags = _TAGS.get(entity["type"], ("", ""))
        starting.setdefault(start, []).append((end, *tags))
    out: list[str] = []
    open_ends: list[tuple[int, str]] = []
    for index in range(len(text) + 1):
        while open_ends and open_ends[-1][0] <= index:
            out.append(open_ends.pop()[1])
        for end, opening, closing in starting.get(index, ()):
            out.append(opening)
            open_ends.append((end, closing))
        if index < len(text):
            char = text[index]
            out.append("<br>" if char == "\n" else escape(char, quote=False))
    return "".join(out)


def _button(label: str, callback_data: str | None, url: str | None) -> str:
    tip = f"URL: {url}" if url else f"callback data: {callback_data}"
    arrow = '<span class="arrow" aria-hidden="true">↗</span>' if url else ""
    kind = "button url" if url else "button"
    return (
        f'<button type="button" class="{kind}" title="{escape(tip)}">'
        f'<span class="label">{escape(label, quote=False)}</span>{arrow}</button>'
    )


def _cell(item: Sample, locale: str) -> str:
    rendered = render(item.screen, locale, callback_prefix=SAMPLE_PREFIX)
    try:
        length = len(prepare_text(rendered.text, "HTML", None).text)
        count = f"{length} / {MAX_TEXT_LENGTH} characters"
        over = length > MAX_TEXT_LENGTH
    except BotApiError:
        count, over = "not valid Telegram HTML", True
    return (
        f'<figure class="cell"><figcaption>{escape(locale)}</figcaption>'
        f'<div class="chat" data-key="{escape(item.key)}" data-locale="{escape(locale)}">'
        f"{message_html(rendered.text, rendered.reply_markup)}</div>"
        f'<p class="count{" over" if over else ""}">{count}</p></figure>'
    )


def _callback_pages(locales: Sequence[str]) -> str:
    rows = []
    for outcome in PAGES:
        cells = []
        for locale in locales:
            response = page(
                CallbackPage(outcome=outcome, locale=locale),
                bot_username=BOT_USERNAME,
                browser_locale=locale,
            )
            body = bytes(response.body).decode("utf-8")
            cells.append(
                f'<figure class="cell"><figcaption>{escape(locale)} · HTTP '
                f"{response.status_code}</figcaption>"
                f'<iframe class="callback" sandbox title="{escape(outcome)} ({escape(locale)})" '
                f'srcdoc="{escape(body, quote=True)}"></iframe></figure>'
            )
        rows.append(
            f'<section class="sample page" id="page-{escape(outcome)}">'
            f"<h2><code>{escape(outcome)}</code> OAuth callback page</h2>"
            f'<div class="locales">{"".join(cells)}</div></section>'
        )
    return "".join(rows)


def _index_html(items: Sequence[Sample], locales: Sequence[str]) -> str:
    toc = "".join(
        f'<li><a href="#{escape(item.key)}">{escape(item.key)}</a></li>' for item in items
    )
    sections = "".join(
        f'<section class="sample" id="{escape(item.key)}">'
        f"<h2><code>{escape(item.key)}</code> {escape(item.title)}</h2>"
        f'<p class="meta">screen <code>{escape(item.screen.key)}</code></p>'
        f'<div class="locales">{"".join(_cell(item, locale) for locale in locales)}</div>'
        f"</section>"
        for item in items
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>promote-bot screens</title>
<style>{_CSS}</style></head>
<body>
<h1>promote-bot: every screen</h1>
<p class="lead">{len(items)} screens × {len(locales)} languages ({escape(", ".join(locales))}),
rendered as Telegram would store them; ↗ marks a link button. Ask the bot for one with
<code>/screens KEY</code>.</p>
<nav><ol>{toc}</ol></nav>
<h1>Screens</h1>
{sections}
<h1 id="callback-pages">OAuth callback pages</h1>
<p class="lead">What the browser shows when TikTok sends the user back.</p>
{_callback_pages(locales)}
</body></html>
"""


# --- PNGs --------------------------------------------------------------------------------------


def _screenshots(
    index: Path, folder: Path, items: Sequence[Sample], locales: Sequence[str], chromium: str
) -> None:
    """One PNG per chat; Chromium's own capture of a clip, about twice as fast as Playwright's
    element screenshots (which wait and re-check before each one)."""
    from playwright.sync_api import Route, sync_playwright

    def local_only(route: Route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=list(CHROMIUM_ARGS))
        try:
            tab = browser.new_page(viewport={"width": 1200, "height": _VIEWPORT_HEIGHT})
            tab.route("**/*", local_only)
            tab.goto(index.as_uri())
            cdp = tab.context.new_cdp_session(tab)
            for locale in locales:
                (folder / locale).mkdir(parents=True, exist_ok=True)
                for item in items:
                    box = tab.evaluate(_PLACE_CHAT, [item.key, locale])
                    shot = cdp.send(
                        "Page.captureScreenshot",
                        {
                            "format": "png",
                            "clip": {**box, "scale": PNG_SCALE},
                            "captureBeyondViewport": box["height"] > _VIEWPORT_HEIGHT,
                        },
                    )
                    (folder / locale / f"{item.key}.png").write_bytes(b64decode(shot["data"]))
        finally:
            browser.close()


_VIEWPORT_HEIGHT = 1600
# Scrolls one chat to the top of the viewport; returns its box in page coordinates.
_PLACE_CHAT = """([key, locale]) => {
  const chat = [...document.querySelectorAll(".chat")]
    .find((e) => e.dataset.key === key && e.dataset.locale === locale);
  chat.scrollIntoView({block: "start"});
  const box = chat.getBoundingClientRect();
  return {x: box.left + window.scrollX, y: box.top + window.scrollY,
          width: box.width, height: box.height};
}"""
