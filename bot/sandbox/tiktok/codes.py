"""TikTok's envelope codes the sandbox answers with, and the error that carries one."""

from __future__ import annotations

OK = 0
NO_PERMISSION = 40001
INVALID_PARAMS = 40002
DUPLICATED_REQUEST = 40050
RATE_LIMITED = 40100
INVALID_AUTH_PARAMS = 40101
TOKEN_EMPTY = 40104
TOKEN_INVALID = 40105
AUTH_CODE_INVALID = 40110
SERVICE_ERROR = 51000


class ApiError(Exception):
    """Raised anywhere below a route; the route answers `{"code": code, "message": message}`."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
