"""TikTok Marketing API v1.3: advertiser authorization (OAuth), advertisers, revoking a token."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx

from bot.backends.envelope import EnvelopeCaller
from bot.backends.errors import TOKEN_CODES, TOKEN_EMPTY, TokenInvalid
from bot.backends.parsing import optional_string, string, strings
from bot.backends.retry import RetryPolicy

API_PREFIX = "/open_api/v1.3"
ACCESS_TOKEN_HEADER = "Access-Token"  # noqa: S105 - a header name
DEFAULT_TIMEOUT = 10.0
_REVOKED_CODES = TOKEN_CODES - {TOKEN_EMPTY}  # the token no longer works: nothing to revoke


@dataclass(frozen=True)
class AccessGrant:
    """What an auth code buys: a long-term token (no refresh) and the advertisers it reaches."""

    access_token: str = field(repr=False)
    advertiser_ids: tuple[str, ...]
    scope: tuple[int, ...]


@dataclass(frozen=True)
class Advertiser:
    advertiser_id: str
    advertiser_name: str


@dataclass(frozen=True)
class AdvertiserInfo:
    """An Ads Manager account's details; TikTok may mask or omit the contact fields."""

    advertiser_id: str
    name: str
    company: str
    currency: str
    timezone: str
    country: str
    status: str
    industry: str | None = None
    address: str | None = None
    contact_name: str | None = None
    email: str | None = None
    phone: str | None = None
    created_at: datetime | None = None


def _grant(data: dict[str, Any]) -> AccessGrant:
    return AccessGrant(
        access_token=string(data["access_token"]),
        advertiser_ids=strings(data.get("advertiser_ids") or []),
        scope=tuple(int(s) for s in data.get("scope") or ()),
    )


def _advertisers(data: dict[str, Any]) -> list[Advertiser]:
    return [
        Advertiser(string(a["advertiser_id"]), string(a["advertiser_name"]))
        for a in data.get("list") or ()
    ]


def _info(item: dict[str, Any]) -> AdvertiserInfo:
    created = item.get("create_time")
    return AdvertiserInfo(
        advertiser_id=string(item["advertiser_id"]),
        name=string(item["name"]),
        company=string(item.get("company") or ""),
        currency=string(item["currency"]),
        timezone=string(item["timezone"]),
        country=string(item.get("country") or ""),
        status=string(item["status"]),
        industry=optional_string(item.get("industry")),
        address=optional_string(item.get("address")),
        contact_name=optional_string(item.get("contacter")),
        email=optional_string(item.get("email")),
        phone=optional_string(item.get("telephone_number")),
        created_at=None if created is None else datetime.fromtimestamp(int(created), UTC),
    )


def _advertiser_infos(data: dict[str, Any]) -> list[AdvertiserInfo]:
    return [_info(item) for item in data.get("list") or ()]


class TikTokClient:
    """One developer app's view of the Marketing API, over a shared `httpx.AsyncClient`.

    `base_url` is the API host (e.g. https://business-api.tiktok.com); `auth_url` is the
    app's advertiser authorization URL as TikTok's portal shows it (e.g.
    https://business-api.tiktok.com/portal/auth?app_id=…); its own query is kept.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        auth_url: str,
        app_id: str,
        app_secret: str,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._api = base_url.rstrip("/") + API_PREFIX
        self._auth_url = auth_url
        self._app_id = app_id
        self._app_secret = app_secret
        self._caller = EnvelopeCaller(http, timeout=timeout, retry=retry or RetryPolicy())

    def authorization_url(self, *, state: str, redirect_uri: str) -> str:
        """Where to send the advertiser; TikTok sends them back with `auth_code` and `state`."""
        parts = urlsplit(self._auth_url)
        query = {
            **dict(parse_qsl(parts.query, keep_blank_values=True)),
            "app_id": self._app_id,
            "redirect_uri": redirect_uri,
            "state": state,
        }
        return urlunsplit(parts._replace(query=urlencode(query)))

    async def exchange_code(self, auth_code: str) -> AccessGrant:
        """Not idempotent: a code works once, so only a request that never left is resent."""
        return await self._caller.call(
            "POST",
            f"{self._api}/oauth2/access_token/",
            _grant,
            idempotent=False,
            json={"app_id": self._app_id, "secret": self._app_secret, "auth_code": auth_code},
        )

    async def advertisers(self, access_token: str) -> list[Advertiser]:
        return await self._caller.call(
            "GET",
            f"{self._api}/oauth2/advertiser/get/",
            _advertisers,
            idempotent=True,
            params={"app_id": self._app_id, "secret": self._app_secret},
            headers={ACCESS_TOKEN_HEADER: access_token},
        )

    async def advertiser_info(
        self, access_token: str, advertiser_ids: Sequence[str]
    ) -> list[AdvertiserInfo]:
        if not advertiser_ids:
            return []
        return await self._caller.call(
            "GET",
            f"{self._api}/advertiser/info/",
            _advertiser_infos,
            idempotent=True,
            params={"advertiser_ids": json.dumps(list(advertiser_ids))},
            headers={ACCESS_TOKEN_HEADER: access_token},
        )

    async def revoke(self, access_token: str) -> None:
        """Revoking twice is harmless, so this retries; a token TikTok no longer accepts
        (40102, 40105, 40106) counts as revoked."""
        try:
            await self._caller.call(
                "POST",
                f"{self._api}/oauth2/revoke_token/",
                lambda data: None,
                idempotent=True,
                json={
                    "app_id": self._app_id,
                    "secret": self._app_secret,
                    "access_token": access_token,
                },
                headers={ACCESS_TOKEN_HEADER: access_token},
            )
        except TokenInvalid as error:
            if error.code not in _REVOKED_CODES:
                raise
