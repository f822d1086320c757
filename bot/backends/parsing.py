"""Strict readers for fields of an answer: a wrong type is a malformed answer (TypeError, which
the caller turns into `BackendUnavailable`), never a silent coercion such as bool("false")."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {type(value).__name__}")
    return value


def optional_string(value: Any) -> str | None:
    return None if value is None else string(value)


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {type(value).__name__}")
    return value


def strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return tuple(string(v) for v in value)


def optional_time(value: Any) -> datetime | None:
    """RFC 3339 ("…Z" included) to an aware datetime."""
    if value is None:
        return None
    moment = datetime.fromisoformat(string(value))
    if moment.tzinfo is None:
        raise ValueError("a time without a UTC offset")
    return moment


def time(value: Any) -> datetime:
    moment = optional_time(value)
    if moment is None:
        raise TypeError("expected a time, got null")
    return moment
