"""TikTok's reply envelope, and the one wrapper every API route goes through.

The wrapper is where the knobs act: a fault is taken before the handler runs (so a faulted
request changes nothing), the delay after it (so a timed-out client can't know the server acted).
Every reply is HTTP 200 `{"code", "message", "request_id", "data"}`, as TikTok's are.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.sandbox.tiktok.codes import INVALID_PARAMS, OK, RATE_LIMITED, ApiError
from bot.sandbox.tiktok.world import RequestRecord, World

Handler = Callable[[Request], Awaitable[dict[str, Any]]]
IDEMPOTENCY_HEADER = "Idempotency-Key"
LOGID_HEADER = "X-Tt-Logid"


def _fault_message(code: int) -> str:
    if code == RATE_LIMITED:
        return "Too many requests: the app's QPS limit was reached."
    if code >= 50000:
        return "Internal service error, please retry later."
    return f"Sandbox fault {code}."


async def json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or 40002."""
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        raise ApiError(INVALID_PARAMS, "The body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise ApiError(INVALID_PARAMS, "The body must be a JSON object.")
    return body


def api_route(world: World, path: str, handler: Handler, methods: list[str]) -> Route:
    """A route whose handler returns `data` or raises `ApiError`."""

    async def endpoint(request: Request) -> Response:
        request_id = world.new_request_id()
        await request.body()  # read first: from here on nothing awaits until the work is done
        fault = world.knobs.take_fault()
        response: Response
        code: int | None
        if fault is not None and fault.http_status != 200:
            code = None
            response = PlainTextResponse("503 Service Unavailable", status_code=fault.http_status)
        else:
            data: dict[str, Any] = {}
            if fault is not None:
                code, message = fault.code, _fault_message(fault.code)
            else:
                world.settle()
                try:
                    data = await handler(request)
                    code, message = OK, "OK"
                except ApiError as error:
                    code, message = error.code, error.message
            response = JSONResponse(
                {"code": code, "message": message, "request_id": request_id, "data": data}
            )
        response.headers[LOGID_HEADER] = request_id
        world.record(
            RequestRecord(
                method=request.method,
                path=request.url.path,
                http_status=response.status_code,
                code=code,
                request_id=request_id,
                idempotency_key=request.headers.get(IDEMPOTENCY_HEADER),
            )
        )
        if world.knobs.delay_seconds:
            await asyncio.sleep(world.knobs.delay_seconds)
        return response

    return Route(path, endpoint, methods=methods)
