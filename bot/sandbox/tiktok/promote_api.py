"""The Promote integration API under /promote/v1 (ours: see docs/promote-api.openapi.json).

Same envelope and Access-Token header as TikTok's Marketing API, so one client layer serves both.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from bot.config import SUPPORTED_LOCALES
from bot.i18n import translations
from bot.sandbox.tiktok import terms
from bot.sandbox.tiktok.bodies import integration_request
from bot.sandbox.tiktok.codes import INVALID_PARAMS, ApiError
from bot.sandbox.tiktok.envelope import IDEMPOTENCY_HEADER, api_route, json_object
from bot.sandbox.tiktok.marketing_api import ACCESS_TOKEN_HEADER, required_strings
from bot.sandbox.tiktok.records import BILLING_FIELDS, AdsAccount
from bot.sandbox.tiktok.world import AccountState, Integration, World, iso_time

PREFIX = "/promote/v1"
MAX_IDEMPOTENCY_KEY = 255
# "Payment info" that must match on both sides: the currency and every billing field.
COMPARED_FIELDS = (("business", "currency"), *(("billing", f) for f in BILLING_FIELDS))


def integration_json(integration: Integration) -> dict[str, Any]:
    return {
        "integration_id": integration.integration_id,
        "status": integration.status,
        "mode": integration.mode,
        "advertiser_id": integration.advertiser_id,
        "advertiser_name": integration.advertiser_name,
        "started_at": iso_time(integration.started_at),
        "finished_at": None
        if integration.finished_at is None
        else iso_time(integration.finished_at),
        "estimated_seconds": integration.seconds,
        "failure_reason": integration.failure_reason,
    }


def payment_comparison(account: AccountState, advertiser: AdsAccount) -> dict[str, Any]:
    seed = account.seed
    promote = {"business": seed.promote_business.to_api(), "billing": seed.promote_billing.to_api()}
    ads_manager = {"business": advertiser.business.to_api(), "billing": advertiser.billing.to_api()}
    differences = [
        {
            "field": f"{part}.{name}",
            "promote": promote[part][name],
            "ads_manager": ads_manager[part][name],
        }
        for part, name in COMPARED_FIELDS
        if promote[part][name] != ads_manager[part][name]
    ]
    return {
        "matches": not differences,
        "differences": differences,
        "promote": promote,
        "ads_manager": ads_manager,
    }


def _idempotency_key(request: Request) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "")
    if not key or len(key) > MAX_IDEMPOTENCY_KEY or not key.isprintable():
        raise ApiError(
            INVALID_PARAMS,
            f"The {IDEMPOTENCY_HEADER} header is required: 1 to {MAX_IDEMPOTENCY_KEY} "
            "printable characters.",
        )
    return key


def promote_routes(world: World) -> list[Route]:
    def account(request: Request) -> AccountState:
        return world.account_for(request.headers.get(ACCESS_TOKEN_HEADER))

    async def eligibility(request: Request) -> dict[str, Any]:
        owner = account(request)
        seed, reasons = owner.seed, world.ineligibility(owner)
        return {
            "eligible": not reasons,
            "reasons": reasons,
            "promote_account": {
                "id": seed.promote_account_id,
                "name": seed.promote_business.name,
                "region": seed.promote_region,
            },
        }

    async def current_terms(request: Request) -> dict[str, Any]:
        if ACCESS_TOKEN_HEADER in request.headers:  # optional, but checked when sent
            account(request)
        locale = request.query_params.get("locale", "id")
        if locale not in SUPPORTED_LOCALES:
            raise ApiError(INVALID_PARAMS, f"locale must be one of {', '.join(SUPPORTED_LOCALES)}.")
        url = request.url.replace(path=terms.terms_path(), query=f"lang={locale}")
        return {
            "version": terms.VERSION,
            "url": str(url),
            "summary": translations(locale).gettext(terms.SUMMARY),
            "locale": locale,
        }

    async def compare(request: Request) -> dict[str, Any]:
        owner = account(request)
        (advertiser_id,) = required_strings(dict(request.query_params), "advertiser_id")
        return payment_comparison(owner, world.advertiser_for(owner, advertiser_id))

    async def start(request: Request) -> dict[str, Any]:
        owner = account(request)
        key = _idempotency_key(request)
        body = await json_object(request)
        fingerprint = json.dumps(body, sort_keys=True, separators=(",", ":"))
        integration = world.replay(owner, key, fingerprint)
        if integration is None:
            integration = world.start(
                owner, integration_request(body), key=key, fingerprint=fingerprint
            )
        return integration_json(integration)

    async def status(request: Request) -> dict[str, Any]:
        integration_id = request.path_params["integration_id"]
        return integration_json(world.integration_for(account(request), integration_id))

    async def orders_blocked(request: Request) -> dict[str, Any]:
        running = world.running_integration(account(request))
        return {
            "blocked": running is not None,
            "reason": None if running is None else "integration_in_progress",
            "until": None if running is None else iso_time(running.ends_at),
        }

    return [
        api_route(world, f"{PREFIX}/eligibility/", eligibility, ["GET"]),
        api_route(world, f"{PREFIX}/terms/current/", current_terms, ["GET"]),
        api_route(world, f"{PREFIX}/payment_info/compare/", compare, ["GET"]),
        api_route(world, f"{PREFIX}/integrations/", start, ["POST"]),
        api_route(world, f"{PREFIX}/integrations/{{integration_id}}/", status, ["GET"]),
        api_route(world, f"{PREFIX}/orders/blocked/", orders_blocked, ["GET"]),
    ]
