"""What can go wrong calling TikTok or the Promote API, as types a caller can act on.

TikTok answers HTTP 200 even on errors, so the envelope's `code` decides the type, not the
HTTP status. `code` is None when there was no envelope (a timeout, a refused connection, an
HTTP 5xx from a proxy).
"""

from __future__ import annotations

AUTH_CODE_CODES = frozenset({40101, 40110})  # bad app credentials; used, expired or unknown code
TOKEN_EMPTY = 40104  # no Access-Token header: a bug on our side, not a revoked token
TOKEN_CODES = frozenset({40102, TOKEN_EMPTY, 40105, 40106})  # expired, empty, invalid, wrong user
RATE_LIMIT_CODES = frozenset({40016, 40100, 40133})  # app and advertiser QPS limits
DUPLICATED_REQUEST = 40050


class BackendError(Exception):
    """Base of every backend failure; never carries tokens, secrets or auth codes."""

    def __init__(
        self, message: str, *, code: int | None = None, request_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id

    def __str__(self) -> str:
        details = ", ".join(
            f"{name} {value}"
            for name, value in (("code", self.code), ("request_id", self.request_id))
            if value is not None
        )
        return f"{self.message} ({details})" if details else self.message


class AuthCodeInvalid(BackendError):
    """The auth code was used, expired or unknown, or the app credentials were refused:
    the person must authorize again (or the app's configuration is wrong)."""


class TokenInvalid(BackendError):
    """The access token is missing, expired, revoked or not this advertiser's: re-authorize."""


class RateLimited(BackendError):
    """Still rate limited after the retries: back off and try later."""


class BackendUnavailable(BackendError):
    """A 5xxxx code, HTTP 5xx, a timeout, a connection failure or a malformed answer, after
    whatever retries were safe: try again later."""


class RequestRejected(BackendError):
    """Any other 4xxxx: the request itself is wrong (parameters, permissions, eligibility)."""


class IdempotencyConflict(RequestRejected):
    """40050: this Idempotency-Key was already used with a different request body."""


def error_for(code: int, message: str, request_id: str | None) -> BackendError:
    """The error type for a non-zero envelope code."""
    kind: type[BackendError]
    if code in AUTH_CODE_CODES:
        kind = AuthCodeInvalid
    elif code in TOKEN_CODES:
        kind = TokenInvalid
    elif code in RATE_LIMIT_CODES:
        kind = RateLimited
    elif code == DUPLICATED_REQUEST:
        kind = IdempotencyConflict
    elif 50000 <= code < 60000:
        kind = BackendUnavailable
    else:
        kind = RequestRejected
    return kind(message, code=code, request_id=request_id)
