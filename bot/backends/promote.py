"""The Promote integration API (docs/promote-api.openapi.json): eligibility, terms, payment
match, starting an integration and following it, and whether Promote orders are blocked.

Authenticated with the advertiser's TikTok access token, in the same envelope as TikTok's API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import MISSING, asdict, dataclass, fields
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from bot.backends.envelope import EnvelopeCaller
from bot.backends.parsing import boolean, optional_string, optional_time, string, strings, time
from bot.backends.retry import RetryPolicy
from bot.backends.tiktok import ACCESS_TOKEN_HEADER, DEFAULT_TIMEOUT

IDEMPOTENCY_HEADER = "Idempotency-Key"
T = TypeVar("T")
R = TypeVar("R")


class Reason(StrEnum):
    """Why an account may not integrate; `Eligibility.reasons` may hold codes newer than these."""

    already_integrated = "already_integrated"
    integration_in_progress = "integration_in_progress"
    account_restricted = "account_restricted"
    region_not_supported = "region_not_supported"


class IntegrationState(StrEnum):
    in_progress = "in_progress"
    succeeded = "succeeded"
    failed = "failed"


@dataclass(frozen=True)
class PromoteAccount:
    id: str
    name: str
    region: str


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]  # every reason, not just the first
    promote_account: PromoteAccount


@dataclass(frozen=True)
class Terms:
    version: str
    url: str
    summary: str
    locale: str


@dataclass(frozen=True)
class BusinessDetails:
    """Time zone, region, name and currency can't change once an Ads Manager account exists."""

    name: str
    industry: str
    registered_area: str
    timezone: str
    currency: str
    website: str = ""  # optional: empty, or an http(s) URL


@dataclass(frozen=True)
class BillingInfo:
    company_legal_name: str
    street: str
    city: str
    province: str
    postal_code: str
    npwp: str  # digits only, 15 or 16
    email: str
    contact_name: str
    phone: str  # +62…


@dataclass(frozen=True)
class PaymentSide:
    business: BusinessDetails
    billing: BillingInfo


@dataclass(frozen=True)
class Difference:
    field: str  # "business.currency" or "billing.<field>"
    promote: str
    ads_manager: str


@dataclass(frozen=True)
class PaymentComparison:
    matches: bool
    differences: tuple[Difference, ...]
    promote: PaymentSide
    ads_manager: PaymentSide


@dataclass(frozen=True)
class SyncIntegration:
    """Link Promote to an Ads Manager account the person already has."""

    advertiser_id: str

    def to_json(self) -> dict[str, Any]:
        return {"mode": "sync", "advertiser_id": self.advertiser_id}


@dataclass(frozen=True)
class CreateIntegration:
    """Create a new Ads Manager account from these details and link Promote to it."""

    business: BusinessDetails
    billing: BillingInfo

    def to_json(self) -> dict[str, Any]:
        business = asdict(self.business)
        if not business["website"]:  # optional: left out rather than sent empty
            del business["website"]
        return {"mode": "create", "business": business, "billing": asdict(self.billing)}


IntegrationRequest = SyncIntegration | CreateIntegration


@dataclass(frozen=True)
class IntegrationStatus:
    integration_id: str
    status: IntegrationState
    mode: str
    advertiser_id: str | None  # None while a new account is still being created
    advertiser_name: str
    started_at: datetime
    finished_at: datetime | None
    failure_reason: str | None
    estimated_seconds: float | None


@dataclass(frozen=True)
class OrdersBlocked:
    blocked: bool
    reason: str | None
    until: datetime | None  # the expected end; the integration may take longer


def _record(kind: type[R], data: dict[str, Any]) -> R:
    """A dataclass of strings, from the answer's fields of the same names; a field with a
    default (such as `BusinessDetails.website`) may be missing from the answer."""
    values = {
        f.name: string(data[f.name])
        for f in fields(kind)  # type: ignore[arg-type]
        if f.name in data or f.default is MISSING
    }
    return kind(**values)


def _side(data: dict[str, Any]) -> PaymentSide:
    return PaymentSide(
        _record(BusinessDetails, data["business"]), _record(BillingInfo, data["billing"])
    )


def _eligibility(data: dict[str, Any]) -> Eligibility:
    account = data["promote_account"]
    return Eligibility(
        eligible=boolean(data["eligible"]),
        reasons=strings(data["reasons"]),
        promote_account=_record(PromoteAccount, account),
    )


def _terms(data: dict[str, Any]) -> Terms:
    return _record(Terms, data)


def _comparison(data: dict[str, Any]) -> PaymentComparison:
    return PaymentComparison(
        matches=boolean(data["matches"]),
        differences=tuple(_record(Difference, d) for d in data["differences"]),
        promote=_side(data["promote"]),
        ads_manager=_side(data["ads_manager"]),
    )


def _status(data: dict[str, Any]) -> IntegrationStatus:
    estimate = data.get("estimated_seconds")
    if estimate is not None and (
        isinstance(estimate, bool) or not isinstance(estimate, int | float)
    ):
        raise TypeError("estimated_seconds must be a number")
    return IntegrationStatus(
        integration_id=string(data["integration_id"]),
        status=IntegrationState(data["status"]),
        mode=string(data["mode"]),
        advertiser_id=optional_string(data.get("advertiser_id")),
        advertiser_name=string(data["advertiser_name"]),
        started_at=time(data["started_at"]),
        finished_at=optional_time(data.get("finished_at")),
        failure_reason=optional_string(data.get("failure_reason")),
        estimated_seconds=None if estimate is None else float(estimate),
    )


def _orders_blocked(data: dict[str, Any]) -> OrdersBlocked:
    return OrdersBlocked(
        blocked=boolean(data["blocked"]),
        reason=optional_string(data.get("reason")),
        until=optional_time(data.get("until")),
    )


class PromoteClient:
    """`base_url` includes the version, e.g. http://127.0.0.1:8082/promote/v1."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._api = base_url.rstrip("/")
        self._caller = EnvelopeCaller(http, timeout=timeout, retry=retry or RetryPolicy())

    async def _get(
        self,
        path: str,
        parse: Callable[[dict[str, Any]], T],
        access_token: str | None,
        params: dict[str, str] | None = None,
    ) -> T:
        headers = {} if access_token is None else {ACCESS_TOKEN_HEADER: access_token}
        return await self._caller.call(
            "GET", f"{self._api}{path}", parse, idempotent=True, params=params, headers=headers
        )

    async def eligibility(self, access_token: str) -> Eligibility:
        return await self._get("/eligibility/", _eligibility, access_token)

    async def current_terms(self, *, locale: str, access_token: str | None = None) -> Terms:
        """Public: the terms step comes before authorization, so the token is optional."""
        return await self._get("/terms/current/", _terms, access_token, {"locale": locale})

    async def compare_payment(self, access_token: str, advertiser_id: str) -> PaymentComparison:
        return await self._get(
            "/payment_info/compare/", _comparison, access_token, {"advertiser_id": advertiser_id}
        )

    async def start_integration(
        self, access_token: str, request: IntegrationRequest, *, idempotency_key: str
    ) -> IntegrationStatus:
        """Safe to call again with the same key and request: the server starts at most one.

        Keep the key with the submission (in the database) so a retry after a crash reuses it.
        """
        if not idempotency_key:
            raise ValueError("an Idempotency-Key is required")
        return await self._caller.call(
            "POST",
            f"{self._api}/integrations/",
            _status,
            idempotent=True,
            json=request.to_json(),
            headers={ACCESS_TOKEN_HEADER: access_token, IDEMPOTENCY_HEADER: idempotency_key},
        )

    async def integration_status(self, access_token: str, integration_id: str) -> IntegrationStatus:
        path = f"/integrations/{quote(integration_id, safe='')}/"
        return await self._get(path, _status, access_token)

    async def orders_blocked(self, access_token: str) -> OrdersBlocked:
        return await self._get("/orders/blocked/", _orders_blocked, access_token)
