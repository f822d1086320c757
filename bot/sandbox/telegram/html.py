"""Telegram's HTML parse mode: markup in, plain text plus entities (UTF-16 offsets) out.

The grammar and the error wording follow the Bot API server, which reports positions as
UTF-8 byte offsets. One deliberate difference: a bare `&` that starts no valid entity is an
error here (Telegram lets it through), so a missing `html.escape` fails loudly in tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
SUPPORTED_TAGS = frozenset(SIMPLE_TAGS) | {"span", "a", "blockquote", "tg-emoji"}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_SPACE = " \t\r\n\f"


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; the message is what follows "can't parse entities: "."""


@dataclass(frozen=True)
class ParsedText:
    text: str
    entities: list[dict[str, Any]]


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Bot API entity offsets."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    offset: int
    byte_offset: int


@dataclass
class _Entity:
    type: str
    offset: int
    length: int
    extra: dict[str, Any] = field(default_factory=dict)
    code_language: str | None = None

    def to_api(self) -> dict[str, Any]:
        return {"type": self.type, "offset": self.offset, "length": self.length, **self.extra}


def _decode_entity(source: str, index: int) -> tuple[str, int] | None:
    """The character an `&...;` at `index` stands for, and the index after it."""
    match = _ENTITY.match(source, index)
    if match is None:
        return None
    named, decimal, hexadecimal = match.groups()
    if named:
        return NAMED_ENTITIES[named], match.end()
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def _unescape_match(match: re.Match[str]) -> str:
    """Attribute values decode valid entities and keep anything else as written."""
    decoded = _decode_entity(match.group(0), 0)
    return decoded[0] if decoded else match.group(0)


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.index = 0
        self.out: list[str] = []
        self.offset = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[_Entity] = []

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode())

    def peek(self) -> str:
        return self.source[self.index] if self.index < len(self.source) else ""

    def skip_spaces(self) -> None:
        while self.peek() and self.peek() in _SPACE:
            self.index += 1

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.offset += utf16_len(text)

    def parse(self) -> ParsedText:
        while self.index < len(self.source):
            char = self.source[self.index]
            if char == "&":
                decoded = _decode_entity(self.source, self.index)
                if decoded is None:
                    raise HtmlParseError(
                        f'Character "&" at byte offset {self.byte_offset(self.index)} must be '
                        'escaped as "&amp;"'
                    )
                self.emit(decoded[0])
                self.index = decoded[1]
            elif char == "<":
                if self.source.startswith("</", self.index):
                    self.end_tag()
                else:
                    self.start_tag()
            else:
                self.emit(char)
                self.index += 1
        if self.stack:
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        entities = sorted(self.entities, key=lambda e: (e.offset, -e.length))
        return ParsedText("".join(self.out), [entity.to_api() for entity in entities])

    def start_tag(self) -> None:
        begin = self.index
        self.index += 1
        while self.peek() and self.peek() not in _SPACE + ">":
            self.index += 1
        if not self.peek():
            raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        name = self.source[begin + 1 : self.index].lower()
        if name not in SUPPORTED_TAGS:
            raise HtmlParseError(
                f'Unsupported start tag "{name}" at byte offset {self.byte_offset(begin)}'
            )
        attributes = self.attributes(name, begin)
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise HtmlParseError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(begin)}'
            )
        if name == "tg-emoji" and not attributes.get("emoji-id"):
            raise HtmlParseError(
                'Tag "tg-emoji" must have attribute "emoji-id" at byte offset '
                f"{self.byte_offset(begin)}"
            )
        self.stack.append(_OpenTag(name, attributes, self.offset, self.byte_offset(begin)))

    def attributes(self, tag: str, begin: int) -> dict[str, str]:
        """Reads `name="value"`, `name='value'`, `name=value` and bare `name` up to `>`."""
        attributes: dict[str, str] = {}
        while True:
            self.skip_spaces()
            if not self.peek():
                raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if self.peek() == ">":
                self.index += 1
                return attributes
            name_start = self.index
            while self.peek() and (self.peek().isalnum() or self.peek() in "-_"):
                self.index += 1
            name = self.source[name_start : self.index].lower()
            if not name:
                raise HtmlParseError(
                    f'Empty attribute name in the tag "{tag}" at byte offset '
                    f"{self.byte_offset(begin)}"
                )
            self.skip_spaces()
            if self.peek() != "=":
                attributes[name] = ""
                continue
            self.index += 1
            self.skip_spaces()
            attributes[name] = self.attribute_value(begin)

    def attribute_value(self, begin: int) -> str:
        quote = self.peek()
        if quote in ("'", '"'):
            end = self.source.find(quote, self.index + 1)
            if end < 0:
                raise HtmlParseError(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            raw = self.source[self.index + 1 : end]
            self.index = end + 1
        else:
            start = self.index
            while self.peek() and self.peek() not in _SPACE + ">":
                self.index += 1
            raw = self.source[start : self.index]
        return _ENTITY.sub(_unescape_match, raw)

    def end_tag(self) -> None:
        begin = self.index
        if not self.stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {self.byte_offset(begin)}")
        self.index += 2
        name_start = self.index
        while self.peek() and self.peek() not in _SPACE + ">":
            self.index += 1
        name = self.source[name_start : self.index].lower()
        self.skip_spaces()
        if self.peek() != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        self.index += 1
        tag = self.stack.pop()
        if name and name != tag.name:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {self.byte_offset(begin)}, "
                f'expected "</{tag.name}>", found "</{name}>"'
            )
        self.close(tag)

    def close(self, tag: _OpenTag) -> None:
        length = self.offset - tag.offset
        if length == 0:
            return
        entity = _Entity(self.entity_type(tag), tag.offset, length)
        if tag.name == "a":
            href = tag.attributes.get("href")
            if not href:
                return
            entity.extra["url"] = href
        elif tag.name == "tg-emoji":
            entity.extra["custom_emoji_id"] = tag.attributes["emoji-id"]
        elif tag.name == "code":
            language = tag.attributes.get("class", "")
            if language.startswith("language-") and len(language) > len("language-"):
                entity.code_language = language.removeprefix("language-")
        elif tag.name == "pre" and self.entities:
            inner = self.entities[-1]
            # <pre><code class="language-x">...</code></pre> is one pre entity with a language.
            if inner.type == "code" and (inner.offset, inner.length) == (tag.offset, length):
                self.entities.pop()
                if inner.code_language:
                    entity.extra["language"] = inner.code_language
        self.entities.append(entity)

    @staticmethod
    def entity_type(tag: _OpenTag) -> str:
        if tag.name in SIMPLE_TAGS:
            return SIMPLE_TAGS[tag.name]
        if tag.name == "span":
            return "spoiler"
        if tag.name == "a":
            return "text_link"
        if tag.name == "tg-emoji":
            return "custom_emoji"
        return "expandable_blockquote" if "expandable" in tag.attributes else "blockquote"


def parse_html(source: str) -> ParsedText:
    """Parses Telegram HTML; raises HtmlParseError with the server's wording."""
    return _Parser(source).parse()
