"""TikTok Marketing API v1.3, the part the bot uses: OAuth, advertisers, revoking a token."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from bot.sandbox.tiktok.codes import INVALID_PARAMS, ApiError
from bot.sandbox.tiktok.envelope import api_route, json_object
from bot.sandbox.tiktok.records import AdsAccount
from bot.sandbox.tiktok.world import SCOPE, World

PREFIX = "/open_api/v1.3"
ACCESS_TOKEN_HEADER = "Access-Token"  # noqa: S105 - a header name
MAX_ADVERTISER_IDS = 100


def required_strings(source: dict[str, Any], *names: str) -> list[str]:
    """Each named value as a non-empty string, or 40002 naming the first one that isn't."""
    values = []
    for name in names:
        value = source.get(name)
        if not isinstance(value, str) or not value:
            raise ApiError(INVALID_PARAMS, f"{name} is required and must be a non-empty string.")
        values.append(value)
    return values


def advertiser_info(advertiser: AdsAccount) -> dict[str, Any]:
    business, billing = advertiser.business, advertiser.billing
    return {
        "advertiser_id": advertiser.advertiser_id,
        "name": business.name,
        "company": billing.company_legal_name,
        "status": advertiser.status,
        "currency": business.currency,
        "timezone": business.timezone,
        "display_timezone": business.timezone,
        "country": business.registered_area,
        "industry": business.industry,
        "address": billing.address,
        "contacter": billing.contact_name,
        "email": billing.email,
        "telephone_number": billing.phone,
        "create_time": advertiser.create_time,
    }


def _advertiser_ids(request: Request) -> list[str]:
    """`advertiser_ids` is a JSON-encoded list in the query string, as TikTok takes it."""
    raw = request.query_params.get("advertiser_ids", "")
    try:
        ids = json.loads(raw)
    except ValueError:
        ids = None
    if (
        not isinstance(ids, list)
        or not 1 <= len(ids) <= MAX_ADVERTISER_IDS
        or not all(isinstance(i, str) and i for i in ids)
    ):
        raise ApiError(
            INVALID_PARAMS,
            f"advertiser_ids must be a JSON list of 1 to {MAX_ADVERTISER_IDS} id strings, "
            'e.g. ["7301234567890120001"].',
        )
    return ids


def marketing_routes(world: World) -> list[Route]:
    async def access_token(request: Request) -> dict[str, Any]:
        body = await json_object(request)
        app_id, secret, auth_code = required_strings(body, "app_id", "secret", "auth_code")
        world.check_app(app_id, secret)
        token = world.exchange(auth_code)
        return {
            "access_token": token.value,
            "advertiser_ids": list(world.accounts[token.account_key].advertiser_ids),
            "scope": list(SCOPE),
        }

    async def advertiser_get(request: Request) -> dict[str, Any]:
        app_id, secret = required_strings(dict(request.query_params), "app_id", "secret")
        world.check_app(app_id, secret)
        account = world.account_for(request.headers.get(ACCESS_TOKEN_HEADER))
        return {
            "list": [
                {"advertiser_id": a, "advertiser_name": world.advertisers[a].business.name}
                for a in account.advertiser_ids
            ]
        }

    async def info(request: Request) -> dict[str, Any]:
        account = world.account_for(request.headers.get(ACCESS_TOKEN_HEADER))
        ids = _advertiser_ids(request)
        return {"list": [advertiser_info(world.advertiser_for(account, i)) for i in ids]}

    async def revoke_token(request: Request) -> dict[str, Any]:
        body = await json_object(request)
        app_id, secret, token = required_strings(body, "app_id", "secret", "access_token")
        world.check_app(app_id, secret)
        account = world.revoke(token)
        return {"app_id": app_id, "advertiser_ids": list(account.advertiser_ids)}

    return [
        api_route(world, f"{PREFIX}/oauth2/access_token/", access_token, ["POST"]),
        api_route(world, f"{PREFIX}/oauth2/advertiser/get/", advertiser_get, ["GET"]),
        api_route(world, f"{PREFIX}/advertiser/info/", info, ["GET"]),
        api_route(world, f"{PREFIX}/oauth2/revoke_token/", revoke_token, ["POST"]),
    ]
