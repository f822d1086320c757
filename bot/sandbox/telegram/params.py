"""Bot API parameters: read from any encoding Telegram accepts, typed on the way out.

PTB sends `application/x-www-form-urlencoded` with nested values (reply_markup, entities,
commands, scope, allowed_updates) as JSON strings, and multipart when it uploads files.
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from bot.sandbox.telegram.errors import BotApiError, bad_request

_JSON_NAMES = {"reply_markup": "reply keyboard markup"}


class Params:
    """One call's parameters; the accessors raise Bad Request for values of the wrong type."""

    def __init__(self, values: dict[str, Any], request: Request | None = None) -> None:
        self.values = values
        self.request = request

    @classmethod
    async def read(cls, request: Request) -> Params:
        values: dict[str, Any] = dict(request.query_params)
        body = await request.body()
        if body:
            values.update(_decode_body(request.headers.get("content-type", ""), body))
        return cls(values, request)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, dict | list):
            raise bad_request(f'field "{name}" must be of type String')
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    def integer(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                pass
        raise bad_request(f'field "{name}" must be a valid Number')

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise bad_request(f'field "{name}" must be a valid Number')
        try:
            return float(value)
        except ValueError:
            raise bad_request(f'field "{name}" must be a valid Number') from None

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1")
        return bool(value)

    def json(self, name: str) -> Any:
        """A nested value, sent either as JSON text (forms) or as-is (JSON bodies)."""
        value = self.values.get(name)
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except ValueError:
            label = _JSON_NAMES.get(name, name.replace("_", " "))
            raise bad_request(f"can't parse {label} JSON object") from None

    def chat_ref(self, name: str = "chat_id") -> int | str | None:
        """A chat id, or a public chat's "@username"."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str) and value.strip().startswith("@"):
            return value.strip()
        try:
            return self.integer(name)
        except BotApiError:
            raise bad_request("chat not found") from None


def _decode_body(content_type: str, body: bytes) -> dict[str, Any]:
    media_type = content_type.split(";", 1)[0].strip().lower()
    try:
        if media_type == "application/json":
            values = json.loads(body)
            if not isinstance(values, dict):
                raise ValueError("the JSON body must be an object")
            return values
        if media_type == "application/x-www-form-urlencoded":
            return dict(parse_qsl(body.decode(), keep_blank_values=True))
        if media_type == "multipart/form-data":
            return _multipart_fields(content_type, body)
    except ValueError as error:
        raise bad_request(f"can't parse request body: {error}") from None
    return {}


def _multipart_fields(content_type: str, body: bytes) -> dict[str, str]:
    """The text fields of a multipart body; uploaded files are ignored (no media here)."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise ValueError("malformed multipart body")
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str) or part.get_filename() is not None:
            continue
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            fields[name] = payload.decode(part.get_content_charset() or "utf-8")
    return fields
