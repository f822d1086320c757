"""The sandbox's own API under /sandbox: knobs, what happened, and consent without a browser.

JSON in and out; a refusal is `{"error": ...}` with HTTP 400, like the Telegram sandbox's user API.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.tiktok.knobs import KnobError
from bot.sandbox.tiktok.world import ConsentRefused, World


class _BadRequest(Exception):
    pass


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise _BadRequest("the body must be a JSON object")
    return body


def _string(body: dict[str, Any], name: str, default: str | None = None) -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise _BadRequest(f"{name} is required and must be a string")
    return value


def control_routes(world: World) -> list[Route]:
    async def knobs(request: Request) -> Response:
        try:
            world.knobs.update(await _body(request))
        except (_BadRequest, KnobError) as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        return JSONResponse(world.knobs.to_api())

    async def state(request: Request) -> Response:
        world.settle()
        return JSONResponse(world.state())

    async def approve(request: Request) -> Response:
        """What the consent page does on a decision, for a terminal or a test."""
        try:
            body = await _body(request)
            location = world.decide(
                app_id=_string(body, "app_id", world.config.app_id),
                redirect_uri=_string(body, "redirect_uri"),
                state=_string(body, "state", ""),
                account_key=_string(body, "account", ""),
                decision=_string(body, "decision", "authorize"),
            )
        except _BadRequest as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        except ConsentRefused as refused:
            return JSONResponse({"error": refused.message}, status_code=400)
        return JSONResponse({"location": location})

    async def accounts(request: Request) -> Response:
        return JSONResponse(
            {
                "accounts": [
                    {
                        "key": account.key,
                        "display_name": account.seed.display_name,
                        "username": account.seed.username,
                        "branch": account.seed.branch,
                        "description": account.seed.description,
                        "promote_account_id": account.seed.promote_account_id,
                        "promote_region": account.seed.promote_region,
                        "advertiser_ids": list(account.advertiser_ids),
                    }
                    for account in world.accounts.values()
                ]
            }
        )

    return [
        Route("/sandbox/knobs", knobs, methods=["POST"]),
        Route("/sandbox/state", state, methods=["GET"]),
        Route("/sandbox/approve", approve, methods=["POST"]),
        Route("/sandbox/accounts", accounts, methods=["GET"]),
    ]
