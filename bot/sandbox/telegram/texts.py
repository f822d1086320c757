"""Turns the text parameters of a send or edit into what Telegram stores: text, entities."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sandbox.telegram.errors import bad_request
from bot.sandbox.telegram.html import HtmlParseError, parse_html, utf16_len

MAX_TEXT_LENGTH = 4096
# Telegram trims these from both ends of every message text.
_TRIMMED = " \t\r\n\f\v\u00a0\u200b\u200c\u200d\u2060\ufeff"


@dataclass(frozen=True)
class MessageText:
    text: str
    entities: list[dict[str, Any]]
    html: str | None  # the markup as the bot wrote it, when parse_mode was HTML


def prepare_text(text: Any, parse_mode: str | None, entities: Any) -> MessageText:
    """Parses, trims and checks a message text the way the Bot API does (HTML only)."""
    if not isinstance(text, str) or not text:
        raise bad_request("message text is empty")
    mode = (parse_mode or "").lower()
    html: str | None = None
    if mode == "html":
        try:
            parsed = parse_html(text)
        except HtmlParseError as error:
            raise bad_request(f"can't parse entities: {error}") from error
        plain, found = parsed.text, parsed.entities
        html = text
    elif mode in ("markdown", "markdownv2"):
        plain, found = text, []
    elif mode in ("", "none"):
        plain, found = text, _checked_entities(entities)
    else:
        raise bad_request("unsupported parse_mode")
    plain, found = _trim(plain, found)
    if not plain:
        raise bad_request("message text is empty")
    if len(plain) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return MessageText(plain, found, html)


def _checked_entities(entities: Any) -> list[dict[str, Any]]:
    if entities is None:
        return []
    if not isinstance(entities, list) or not all(_is_entity(entity) for entity in entities):
        raise bad_request("can't parse entities JSON object")
    return sorted(entities, key=lambda entity: (entity["offset"], -entity["length"]))


def _is_entity(entity: Any) -> bool:
    return (
        isinstance(entity, dict)
        and isinstance(entity.get("type"), str)
        and isinstance(entity.get("offset"), int)
        and isinstance(entity.get("length"), int)
        and entity["offset"] >= 0
        and entity["length"] > 0
    )


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strips the ends of `text` and moves or clips the entities to match."""
    stripped = text.lstrip(_TRIMMED)
    shift = utf16_len(text) - utf16_len(stripped)
    stripped = stripped.rstrip(_TRIMMED)
    end = utf16_len(stripped)
    kept: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return stripped, kept
