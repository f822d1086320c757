"""Failures of the two APIs, raised deep inside and turned into responses at the edge."""

from __future__ import annotations

from typing import Any


class BotApiError(Exception):
    """A Bot API refusal: `{"ok": false, ...}` with the HTTP status equal to `error_code`."""

    def __init__(
        self, error_code: int, description: str, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description
        self.parameters = parameters

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> BotApiError:
    return BotApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> BotApiError:
    return BotApiError(403, f"Forbidden: {detail}")


def conflict(detail: str) -> BotApiError:
    return BotApiError(409, f"Conflict: {detail}")


class UserApiError(Exception):
    """A user API refusal: `{"error": ..., **extra}` with `status`."""

    def __init__(self, status: int, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.status = status
        self.body: dict[str, Any] = {"error": error, **extra}
