"""One call to an API that answers in TikTok's envelope: timeout, retries, logging, errors.

Both TikTok's Marketing API and the Promote integration API answer
`{"code", "message", "request_id", "data"}`; `code` 0 is success and anything else becomes a
`BackendError`. What may be retried depends on whether the request may have had an effect:

- always: failures that prove the server never got the request (connection refused, connect
  timeout, no free connection) and rate-limit codes (the server refused it unprocessed);
- only for idempotent calls (reads, and POSTs with an Idempotency-Key): 5xxxx codes, HTTP 5xx,
  read/write timeouts and broken connections, since the server may have acted on them;
- never: any other 4xxxx.

Logs name the method, the path (never the query: advertiser/get carries the app secret there),
the HTTP status, the envelope code and the request_id; never headers or bodies.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from bot.backends.errors import BackendUnavailable, RateLimited, RequestRejected, error_for
from bot.backends.retry import RetryPolicy

log = logging.getLogger(__name__)

T = TypeVar("T")
LOGID_HEADER = "X-Tt-Logid"  # TikTok's request id, also sent as a header
# The request never reached the server: safe to send again, whatever it does.
UNSENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# The server may have received (and acted on) the request.
MAYBE_SENT = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


class EnvelopeCaller:
    """Sends requests through a shared `httpx.AsyncClient`; holds no state between calls."""

    def __init__(self, http: httpx.AsyncClient, *, timeout: float, retry: RetryPolicy) -> None:
        self._http = http
        self._timeout = httpx.Timeout(timeout)
        self._retry = retry

    async def call(
        self,
        method: str,
        url: str,
        parse: Callable[[dict[str, Any]], T],
        *,
        idempotent: bool,
        params: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> T:
        """`parse` turns the envelope's `data` into the result; a malformed one is an error."""
        path = urlsplit(url).path
        attempts = self._retry.attempts
        for attempt in range(1, attempts + 1):
            try:
                response = await self._http.request(
                    method, url, params=params, json=json, headers=headers, timeout=self._timeout
                )
                data, request_id = _unwrap(method, path, response, attempt, attempts)
            except httpx.TransportError as exc:
                failure = type(exc).__name__
                log.warning("%s %s -> %s (attempt %d/%d)", method, path, failure, attempt, attempts)
                safe = isinstance(exc, UNSENT) or (idempotent and isinstance(exc, MAYBE_SENT))
                if not safe or attempt == attempts:
                    raise BackendUnavailable(f"{method} {path} failed: {failure}") from exc
            except (RateLimited, BackendUnavailable) as error:
                # A rate limit refused the request unprocessed; anything else may have acted.
                if attempt == attempts or not (idempotent or isinstance(error, RateLimited)):
                    raise
            else:
                return _parsed(parse, data, request_id, f"{method} {path}")
            await asyncio.sleep(self._retry.delay(attempt))
        raise AssertionError("unreachable: the last attempt returns or raises")


def _unwrap(
    method: str, path: str, response: httpx.Response, attempt: int, attempts: int
) -> tuple[dict[str, Any], str | None]:
    """The envelope's data and request_id; raises the error the code (or HTTP status) means."""
    request_id = response.headers.get(LOGID_HEADER)
    code: int | None = None
    try:
        body = response.json()
        if isinstance(body["code"], int) and not isinstance(body["code"], bool):
            code, request_id = body["code"], body.get("request_id", request_id)
    except (ValueError, TypeError, KeyError):
        pass
    status = response.status_code
    log.info(
        "%s %s -> HTTP %d code %s request_id %s (attempt %d/%d)",
        method,
        path,
        status,
        code,
        request_id,
        attempt,
        attempts,
    )
    if code is None:
        message = f"{method} {path}: HTTP {status} without an envelope"
        if status == 429:
            raise RateLimited(message, request_id=request_id)
        if 400 <= status < 500:
            raise RequestRejected(message, request_id=request_id)
        raise BackendUnavailable(message, request_id=request_id)
    if code != 0:
        raise error_for(code, str(body.get("message", "")), request_id)
    data = body.get("data") or {}
    if not isinstance(data, dict):
        raise BackendUnavailable(f"{method} {path}: data is not an object", request_id=request_id)
    return data, request_id


def _parsed(
    parse: Callable[[dict[str, Any]], T], data: dict[str, Any], request_id: str | None, call: str
) -> T:
    """Not retried: the server answered success, so it acted; the answer is what's wrong."""
    try:
        return parse(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise BackendUnavailable(
            f"{call}: malformed data ({type(exc).__name__})", code=0, request_id=request_id
        ) from exc
