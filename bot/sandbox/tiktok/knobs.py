"""Knobs that tests turn to make the sandbox slow, failing or rate limited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sandbox.tiktok.codes import RATE_LIMITED, SERVICE_ERROR

DEFAULT_FAILURE_REASON = "billing_info_rejected"


class KnobError(ValueError):
    """A knob update the sandbox refuses; nothing of that update was applied."""


@dataclass(frozen=True)
class Fault:
    """What one request gets instead of its real answer: an HTTP status or an envelope code."""

    http_status: int = 200
    code: int = 0


def _count(body: dict[str, Any], name: str) -> int:
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise KnobError(f"{name} must be a whole number ≥ 0")
    return value


def _seconds(body: dict[str, Any], name: str) -> float:
    value = body[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise KnobError(f"{name} must be a number of seconds ≥ 0")
    return float(value)


@dataclass
class Knobs:
    """Counters count down one per faulted request to /open_api or /promote/v1.

    Faults are taken before a request does anything (so a faulted request changed nothing);
    `delay_seconds` holds every answer back *after* the work is done, so a client that times out
    cannot know whether the server acted. Integrations snapshot `integration_seconds`,
    `fail_integrations` and `failure_reason` when they start.
    """

    integration_seconds: float
    delay_seconds: float = 0.0
    http_5xx: int = 0
    envelope_error_code: int = SERVICE_ERROR
    envelope_error_count: int = 0
    rate_limit: int = 0
    fail_integrations: bool = False
    failure_reason: str = DEFAULT_FAILURE_REASON

    def update(self, body: dict[str, Any]) -> None:
        """Apply a partial update, all or nothing."""
        changes: dict[str, Any] = {}
        unknown = set(body) - {
            "delay_seconds",
            "http_5xx",
            "envelope_error",
            "rate_limit",
            "integration_seconds",
            "fail_integrations",
            "failure_reason",
        }
        if unknown:
            raise KnobError(f"unknown knobs: {', '.join(sorted(unknown))}")
        for name in ("delay_seconds", "integration_seconds"):
            if name in body:
                changes[name] = _seconds(body, name)
        for name in ("http_5xx", "rate_limit"):
            if name in body:
                changes[name] = _count(body, name)
        if "envelope_error" in body:
            error = body["envelope_error"]
            if not isinstance(error, dict) or set(error) - {"code", "count"}:
                raise KnobError('envelope_error must be {"code": int, "count": int}')
            code = error.get("code", SERVICE_ERROR)
            if isinstance(code, bool) or not isinstance(code, int) or not 1 <= code <= 59999:
                raise KnobError("envelope_error.code must be a non-zero envelope code")
            changes["envelope_error_code"] = code
            changes["envelope_error_count"] = _count({"count": error.get("count", 1)}, "count")
        if "fail_integrations" in body:
            if not isinstance(body["fail_integrations"], bool):
                raise KnobError("fail_integrations must be true or false")
            changes["fail_integrations"] = body["fail_integrations"]
        if "failure_reason" in body:
            reason = body["failure_reason"]
            if not isinstance(reason, str) or not reason:
                raise KnobError("failure_reason must be a non-empty string")
            changes["failure_reason"] = reason
        for name, value in changes.items():
            setattr(self, name, value)

    def take_fault(self) -> Fault | None:
        """The fault the next request gets, if any; HTTP 5xx first, then rate limit, then code."""
        if self.http_5xx:
            self.http_5xx -= 1
            return Fault(http_status=503)
        if self.rate_limit:
            self.rate_limit -= 1
            return Fault(code=RATE_LIMITED)
        if self.envelope_error_count:
            self.envelope_error_count -= 1
            return Fault(code=self.envelope_error_code)
        return None

    def to_api(self) -> dict[str, Any]:
        return {
            "delay_seconds": self.delay_seconds,
            "http_5xx": self.http_5xx,
            "envelope_error": {
                "code": self.envelope_error_code,
                "count": self.envelope_error_count,
            },
            "rate_limit": self.rate_limit,
            "integration_seconds": self.integration_seconds,
            "fail_integrations": self.fail_integrations,
            "failure_reason": self.failure_reason,
        }
