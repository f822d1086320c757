"""The Bot API endpoint, `/bot<token>/<method>`: token check, dispatch, Telegram's envelopes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.sandbox.telegram import api_chats, api_messages, api_profile, api_updates
from bot.sandbox.telegram.errors import BotApiError
from bot.sandbox.telegram.params import Params
from bot.sandbox.telegram.world import World

Method = Callable[[World, Params], Awaitable[Any]]

# Telegram matches method names case-insensitively.
METHODS: dict[str, Method] = {
    name.lower(): method
    for module in (api_profile, api_updates, api_messages, api_chats)
    for name, method in module.METHODS.items()
}
UNAUTHORIZED = BotApiError(401, "Unauthorized")
NOT_FOUND = BotApiError(404, "Not Found")


def _error(error: BotApiError) -> JSONResponse:
    return JSONResponse(error.to_json(), status_code=error.error_code)


def bot_api_routes(world: World, token: str) -> list[Route]:
    async def call(request: Request) -> JSONResponse:
        if request.path_params["token"] != token:
            return _error(UNAUTHORIZED)
        method = METHODS.get(request.path_params["method"].lower())
        if method is None:
            return _error(NOT_FOUND)
        try:
            result = await method(world, await Params.read(request))
        except BotApiError as error:
            return _error(error)
        return JSONResponse({"ok": True, "result": result})

    return [Route("/bot{token}/{method}", call, methods=["GET", "POST"])]
