"""The TikTok and Promote clients against the TikTok sandbox, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from bot.backends import (
    AuthCodeInvalid,
    BackendUnavailable,
    BillingInfo,
    BusinessDetails,
    CreateIntegration,
    IdempotencyConflict,
    IntegrationState,
    IntegrationStatus,
    RateLimited,
    RequestRejected,
    RetryPolicy,
    SyncIntegration,
    TikTokClient,
    TokenInvalid,
)
from bot.backends.promote import PromoteClient
from bot.i18n import translations
from bot.sandbox.tiktok import TikTokSandbox, TikTokSandboxConfig, terms
from bot.serve import serve_asgi

APP_ID, APP_SECRET = "sandbox-app", "sandbox-secret"
NOWHERE = "http://127.0.0.1:9/oauth/callback"  # a redirect_uri nothing needs to follow
FAST = RetryPolicy(attempts=3, base_delay=0.001, max_delay=0.005)
SEKAR_OFFICIAL, SEKAR_GROSIR = "7301234567890120001", "7301234567890120002"
KOPI = CreateIntegration(
    BusinessDetails("Kopi Nusantara", "food_beverage", "ID", "Asia/Jakarta", "IDR"),
    BillingInfo(
        company_legal_name="PT Kopi Nusantara Jaya",
        street="Jl. Braga No. 45",
        city="Bandung",
        province="Jawa Barat",
        postal_code="40111",
        npwp="0123456789012345",
        email="admin@kopinusantara.example",
        contact_name="Dimas Pratama",
        phone="+6281234567802",
    ),
)


class SkippableClock:
    """Real time, plus however far a test has skipped ahead."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class Env:
    url: str
    http: httpx.AsyncClient
    clock: SkippableClock

    def tiktok(self, *, app_secret: str = APP_SECRET, timeout: float = 5.0) -> TikTokClient:
        return TikTokClient(
            self.http,
            base_url=self.url,
            auth_url=f"{self.url}/portal/auth",
            app_id=APP_ID,
            app_secret=app_secret,
            timeout=timeout,
            retry=FAST,
        )

    def promote(self, *, timeout: float = 5.0) -> PromoteClient:
        return PromoteClient(
            self.http, base_url=f"{self.url}/promote/v1", timeout=timeout, retry=FAST
        )

    async def knobs(self, **knobs: Any) -> None:
        answer = await self.http.post(f"{self.url}/sandbox/knobs", json=knobs)
        assert answer.status_code == 200, answer.text

    async def state(self) -> dict[str, Any]:
        return (await self.http.get(f"{self.url}/sandbox/state")).json()

    async def requests_to(self, path: str) -> list[dict[str, Any]]:
        return [r for r in (await self.state())["requests"] if r["path"].endswith(path)]

    async def auth_code(self, account: str, state: str = "st") -> str:
        """Approve as `account` the way the terminal chat does, without a browser."""
        answer = await self.http.post(
            f"{self.url}/sandbox/approve",
            json={"state": state, "redirect_uri": NOWHERE, "account": account},
        )
        return httpx.URL(answer.json()["location"]).params["auth_code"]

    async def token(self, account: str) -> str:
        return (await self.tiktok().exchange_code(await self.auth_code(account))).access_token


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    clock = SkippableClock()
    sandbox = TikTokSandbox(TikTokSandboxConfig(app_id=APP_ID, app_secret=APP_SECRET, clock=clock))
    async with serve_asgi(sandbox.asgi_app()) as url, httpx.AsyncClient() as http:
        yield Env(url, http, clock)


@dataclass
class Callback:
    url: str
    received: list[dict[str, str]]


@pytest.fixture
async def callback() -> AsyncIterator[Callback]:
    """A stand-in for the bot's OAuth callback page, on loopback."""
    received: list[dict[str, str]] = []

    async def page(request: Request) -> PlainTextResponse:
        received.append(dict(request.query_params))
        return PlainTextResponse("back to the chat")

    async with serve_asgi(Starlette(routes=[Route("/oauth/callback", page)])) as url:
        yield Callback(f"{url}/oauth/callback", received)


class ConsentForm(HTMLParser):
    """What a browser sees of the consent page's form."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.action = ""
        self.hidden: dict[str, str] = {}
        self.accounts: list[str] = []
        self.decisions: list[str] = []
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = attributes["action"]
        elif tag == "input" and attributes.get("type") == "hidden":
            self.hidden[attributes["name"]] = attributes["value"]
        elif tag == "input" and attributes.get("type") == "radio":
            self.accounts.append(attributes["value"])
        elif tag == "button" and attributes.get("name") == "decision":
            self.decisions.append(attributes["value"])


async def browse_consent(env: Env, url: str, *, account: str, decision: str) -> httpx.Response:
    """Open the authorization URL, pick an account, press a button, follow the redirect."""
    page = await env.http.get(url)
    form = ConsentForm(page.text)
    assert account in form.accounts
    assert sorted(form.decisions) == ["authorize", "deny"]
    return await env.http.post(
        page.url.join(form.action),
        data={**form.hidden, "account": account, "decision": decision},
        follow_redirects=True,
    )


async def until_finished(
    status: Callable[[], Awaitable[IntegrationStatus]], deadline: float = 5.0
) -> IntegrationStatus:
    """Poll a status; the deadline is about behaviour, not speed."""
    give_up = time.monotonic() + deadline
    while (current := await status()).status is IntegrationState.in_progress:
        assert time.monotonic() < give_up, "the integration never finished"
        await asyncio.sleep(0.02)
    return current


# --- OAuth --------------------------------------------------------------------------------


async def test_the_oauth_round_trip_through_the_consent_page(env: Env, callback: Callback) -> None:
    tiktok = env.tiktok()
    url = tiktok.authorization_url(state="state-123", redirect_uri=callback.url)
    landed = await browse_consent(env, url, account="sekar-ayu", decision="authorize")
    assert (landed.status_code, landed.text) == (200, "back to the chat")
    (query,) = callback.received
    assert query["state"] == "state-123"

    grant = await tiktok.exchange_code(query["auth_code"])
    assert grant.advertiser_ids == (SEKAR_OFFICIAL, SEKAR_GROSIR)
    assert grant.scope
    assert grant.access_token not in repr(grant)
    advertisers = await tiktok.advertisers(grant.access_token)
    assert [(a.advertiser_id, a.advertiser_name) for a in advertisers] == [
        (SEKAR_OFFICIAL, "Batik Sekar Ayu Official"),
        (SEKAR_GROSIR, "Sekar Ayu Grosir"),
    ]
    infos = await tiktok.advertiser_info(grant.access_token, grant.advertiser_ids)
    assert [(i.name, i.currency, i.timezone, i.country) for i in infos] == [
        ("Batik Sekar Ayu Official", "IDR", "Asia/Jakarta", "ID"),
        ("Sekar Ayu Grosir", "IDR", "Asia/Jakarta", "ID"),
    ]
    assert infos[0].created_at is not None
    assert await tiktok.advertiser_info(grant.access_token, []) == []


async def test_the_authorization_url_keeps_the_portals_own_query(env: Env) -> None:
    tiktok = TikTokClient(
        env.http,
        base_url=env.url,
        auth_url="https://business-api.tiktok.com/portal/auth?app_id=old&rid=r1d",
        app_id=APP_ID,
        app_secret=APP_SECRET,
    )
    url = httpx.URL(tiktok.authorization_url(state="s t", redirect_uri="https://bot.example/cb"))
    assert dict(url.params) == {
        "app_id": APP_ID,
        "rid": "r1d",
        "redirect_uri": "https://bot.example/cb",
        "state": "s t",
    }


async def test_denying_sends_the_browser_back_with_access_denied(
    env: Env, callback: Callback
) -> None:
    url = env.tiktok().authorization_url(state="state-9", redirect_uri=callback.url)
    await browse_consent(env, url, account="sekar-ayu", decision="deny")
    (query,) = callback.received
    assert query["error"] == "access_denied"
    assert query["state"] == "state-9"
    assert "auth_code" not in query
    assert (await env.state())["auth_codes"] == []


async def test_an_auth_code_works_once(env: Env) -> None:
    code = await env.auth_code("kopi-nusantara")
    tiktok = env.tiktok()
    grant = await tiktok.exchange_code(code)
    assert grant.advertiser_ids == ()
    with pytest.raises(AuthCodeInvalid) as raised:
        await tiktok.exchange_code(code)
    assert raised.value.code == 40110
    assert raised.value.request_id


async def test_an_auth_code_is_valid_for_one_hour(env: Env) -> None:
    fresh, stale = await env.auth_code("sekar-ayu"), await env.auth_code("sekar-ayu")
    env.clock.advance(3599)
    await env.tiktok().exchange_code(fresh)
    env.clock.advance(2)
    with pytest.raises(AuthCodeInvalid) as raised:
        await env.tiktok().exchange_code(stale)
    assert raised.value.code == 40110


async def test_a_wrong_app_secret_is_refused_and_uses_nothing_up(env: Env) -> None:
    code = await env.auth_code("sekar-ayu")
    impostor = env.tiktok(app_secret="not-the-secret")
    with pytest.raises(AuthCodeInvalid) as raised:
        await impostor.exchange_code(code)
    assert raised.value.code == 40101
    grant = await env.tiktok().exchange_code(code)
    with pytest.raises(AuthCodeInvalid):
        await impostor.advertisers(grant.access_token)


async def test_a_revoked_token_stops_working(env: Env) -> None:
    tiktok = env.tiktok()
    token = await env.token("sekar-ayu")
    await tiktok.revoke(token)
    with pytest.raises(TokenInvalid) as raised:
        await tiktok.advertisers(token)
    assert raised.value.code == 40105
    with pytest.raises(TokenInvalid):
        await env.promote().eligibility(token)
    await tiktok.revoke(token)  # revoking again is not an error: the goal is met
    assert [t["revoked"] for t in (await env.state())["tokens"]] == [True]


# --- Promote ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "reasons"),
    [
        ("sekar-ayu", ()),
        ("kopi-nusantara", ()),
        ("warung-bu-tini", ("already_integrated",)),
        ("sambal-mbok-darmi", ("integration_in_progress",)),
        ("toko-jaya-abadi", ("account_restricted",)),
        ("rempah-melaka", ("region_not_supported",)),
    ],
)
async def test_the_eligibility_of_every_seeded_account(
    env: Env, account: str, reasons: tuple[str, ...]
) -> None:
    eligibility = await env.promote().eligibility(await env.token(account))
    assert eligibility.eligible is (reasons == ())
    assert eligibility.reasons == reasons
    assert eligibility.promote_account.region == ("MY" if account == "rempah-melaka" else "ID")


@pytest.mark.parametrize("locale", ["id", "en"])
async def test_the_current_terms(env: Env, locale: str) -> None:
    current = await env.promote().current_terms(locale=locale)
    assert current.version == terms.VERSION
    assert current.locale == locale
    assert current.summary == translations(locale).gettext(terms.SUMMARY)
    page = await env.http.get(current.url)
    assert page.status_code == 200
    assert f'<html lang="{locale}">' in page.text
    with pytest.raises(RequestRejected) as raised:
        await env.promote().current_terms(locale="fr")
    assert raised.value.code == 40002


async def test_comparing_payment_info(env: Env) -> None:
    promote, token = env.promote(), await env.token("sekar-ayu")
    same = await promote.compare_payment(token, SEKAR_OFFICIAL)
    assert (same.matches, same.differences) == (True, ())
    assert same.promote.billing == same.ads_manager.billing
    different = await promote.compare_payment(token, SEKAR_GROSIR)
    assert different.matches is False
    assert {d.field: (d.promote, d.ads_manager) for d in different.differences} == {
        "billing.street": ("Jl. Malioboro No. 12", "Jl. Parangtritis No. 88"),
        "billing.postal_code": ("55271", "55143"),
        "billing.email": ("keuangan@sekarayu.example", "grosir@sekarayu.example"),
    }
    assert different.ads_manager.business.name == "Sekar Ayu Grosir"
    with pytest.raises(RequestRejected) as raised:
        await promote.compare_payment(token, "7301234567890120003")  # someone else's
    assert raised.value.code == 40001


async def test_creating_an_account_runs_and_the_new_account_is_listed(env: Env) -> None:
    await env.knobs(integration_seconds=0.05)
    promote, token = env.promote(), await env.token("kopi-nusantara")
    started = await promote.start_integration(token, KOPI, idempotency_key="submit-1")
    assert (started.status, started.mode, started.advertiser_id) == (
        IntegrationState.in_progress,
        "create",
        None,
    )
    assert started.started_at.tzinfo is not None
    blocked = await promote.orders_blocked(token)
    assert (blocked.blocked, blocked.reason) == (True, "integration_in_progress")

    done = await until_finished(lambda: promote.integration_status(token, started.integration_id))
    assert done.status is IntegrationState.succeeded
    assert done.finished_at is not None
    advertisers = await env.tiktok().advertisers(token)
    assert [(a.advertiser_id, a.advertiser_name) for a in advertisers] == [
        (done.advertiser_id, "Kopi Nusantara")
    ]
    assert (await promote.eligibility(token)).reasons == ("already_integrated",)
    assert (await promote.orders_blocked(token)).blocked is False


def _with_website(website: str) -> CreateIntegration:
    return replace(KOPI, business=replace(KOPI.business, website=website))


async def test_a_website_goes_with_a_new_account_and_a_bad_one_is_refused(env: Env) -> None:
    await env.knobs(integration_seconds=0.01)
    promote, token = env.promote(), await env.token("kopi-nusantara")
    assert "website" not in KOPI.to_json()["business"]  # empty: not sent at all
    with pytest.raises(RequestRejected) as raised:
        await promote.start_integration(token, _with_website("not a url"), idempotency_key="k1")
    assert raised.value.code == 40002
    assert "business.website" in raised.value.message
    assert len(await env.requests_to("/integrations/")) == 1  # a client error: never retried
    assert not [i for i in (await env.state())["integrations"] if i["account"] == "kopi-nusantara"]

    site = _with_website("https://kopinusantara.example/toko?ref=promote")
    assert site.to_json()["business"]["website"] == "https://kopinusantara.example/toko?ref=promote"
    started = await promote.start_integration(token, site, idempotency_key="k2")
    done = await until_finished(lambda: promote.integration_status(token, started.integration_id))
    assert done.status is IntegrationState.succeeded and done.advertiser_id is not None
    compared = await promote.compare_payment(token, done.advertiser_id)
    assert compared.ads_manager.business == site.business  # the new account carries it
    assert compared.promote.business.website == ""
    # A website never counts as a payment difference (KOPI's NPWP differs on purpose).
    assert [d.field for d in compared.differences] == ["billing.npwp"]


async def test_a_business_without_a_website_is_read_as_an_empty_one() -> None:
    """An older server leaves `website` out of business objects."""
    business = {
        "name": "Kopi Nusantara",
        "industry": "food_beverage",
        "registered_area": "ID",
        "timezone": "Asia/Jakarta",
        "currency": "IDR",
    }
    side = {"business": business, "billing": {**vars(KOPI.billing)}}

    async def compare(request: Request) -> JSONResponse:
        data = {"matches": True, "differences": [], "promote": side, "ads_manager": side}
        return JSONResponse({"code": 0, "message": "OK", "request_id": "r", "data": data})

    app = Starlette(routes=[Route("/promote/v1/payment_info/compare/", compare)])
    async with serve_asgi(app) as url, httpx.AsyncClient() as http:
        promote = PromoteClient(http, base_url=f"{url}/promote/v1", retry=FAST)
        compared = await promote.compare_payment("token", SEKAR_OFFICIAL)
    assert compared.promote.business == KOPI.business
    assert compared.ads_manager.business.website == ""


async def test_a_failed_integration_reports_its_reason(env: Env) -> None:
    await env.knobs(integration_seconds=0.01, fail_integrations=True)
    promote, token = env.promote(), await env.token("sekar-ayu")
    started = await promote.start_integration(
        token, SyncIntegration(SEKAR_OFFICIAL), idempotency_key="k"
    )
    done = await until_finished(lambda: promote.integration_status(token, started.integration_id))
    assert (done.status, done.failure_reason) == (IntegrationState.failed, "billing_info_rejected")


async def test_the_same_idempotency_key_starts_one_integration(env: Env) -> None:
    promote, token = env.promote(), await env.token("sekar-ayu")
    first = await promote.start_integration(
        token, SyncIntegration(SEKAR_OFFICIAL), idempotency_key="k"
    )
    again = await promote.start_integration(
        token, SyncIntegration(SEKAR_OFFICIAL), idempotency_key="k"
    )
    assert again.integration_id == first.integration_id
    with pytest.raises(IdempotencyConflict) as raised:
        await promote.start_integration(token, SyncIntegration(SEKAR_GROSIR), idempotency_key="k")
    assert raised.value.code == 40050
    with pytest.raises(RequestRejected) as refused:  # another key: still one at a time
        await promote.start_integration(token, SyncIntegration(SEKAR_GROSIR), idempotency_key="k2")
    assert refused.value.code == 40001
    ours = [i for i in (await env.state())["integrations"] if i["account"] == "sekar-ayu"]
    assert [(i["idempotency_key"], i["requests"]) for i in ours] == [("k", 2)]


# --- retries and failures -----------------------------------------------------------------


@pytest.mark.parametrize(
    "knobs",
    [{"http_5xx": 2}, {"envelope_error": {"code": 51000, "count": 2}}, {"rate_limit": 2}],
)
async def test_a_read_is_retried_until_it_succeeds(env: Env, knobs: dict[str, Any]) -> None:
    token = await env.token("sekar-ayu")
    await env.knobs(**knobs)
    assert (await env.promote().eligibility(token)).eligible
    assert len(await env.requests_to("/eligibility/")) == 3


@pytest.mark.parametrize(
    ("knobs", "error", "code"),
    [
        ({"http_5xx": 3}, BackendUnavailable, None),
        ({"envelope_error": {"code": 50002, "count": 3}}, BackendUnavailable, 50002),
        ({"rate_limit": 3}, RateLimited, 40100),
    ],
)
async def test_retries_end_with_a_typed_error(
    env: Env, knobs: dict[str, Any], error: type[Exception], code: int | None
) -> None:
    token = await env.token("sekar-ayu")
    await env.knobs(**knobs)
    with pytest.raises(error) as raised:
        await env.tiktok().advertisers(token)
    assert raised.value.code == code  # type: ignore[attr-defined]
    assert len(await env.requests_to("/advertiser/get/")) == FAST.attempts


async def test_a_client_error_is_never_retried(env: Env) -> None:
    token = await env.token("sekar-ayu")
    await env.knobs(envelope_error={"code": 40002, "count": 3})
    with pytest.raises(RequestRejected) as raised:
        await env.promote().eligibility(token)
    assert raised.value.code == 40002
    assert len(await env.requests_to("/eligibility/")) == 1


async def test_exchange_code_is_not_resent_after_it_may_have_arrived(env: Env) -> None:
    code = await env.auth_code("sekar-ayu")
    await env.knobs(http_5xx=1)
    with pytest.raises(BackendUnavailable):
        await env.tiktok().exchange_code(code)
    assert len(await env.requests_to("/access_token/")) == 1
    # Here the sandbox refused before acting, so the code still works; a caller can't know that.
    await env.knobs(rate_limit=1)  # a rate limit refuses unprocessed: that one is retried
    await env.tiktok().exchange_code(code)
    assert len(await env.requests_to("/access_token/")) == 3


async def test_exchange_code_after_a_read_timeout_is_not_retried(env: Env) -> None:
    code = await env.auth_code("sekar-ayu")
    await env.knobs(delay_seconds=0.3)
    with pytest.raises(BackendUnavailable):
        await env.tiktok(timeout=0.05).exchange_code(code)
    await env.knobs(delay_seconds=0)
    assert len(await env.requests_to("/access_token/")) == 1
    with pytest.raises(AuthCodeInvalid):  # the slow answer did use the code up
        await env.tiktok().exchange_code(code)


async def test_a_refused_connection_is_retried_even_for_exchange_code() -> None:
    attempts: list[httpx.Request] = []

    async def count(request: httpx.Request) -> None:
        attempts.append(request)

    with socket.socket() as closed:  # bound, never listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{closed.getsockname()[1]}"
        async with httpx.AsyncClient(event_hooks={"request": [count]}) as http:
            tiktok = TikTokClient(
                http,
                base_url=url,
                auth_url=f"{url}/portal/auth",
                app_id=APP_ID,
                app_secret=APP_SECRET,
                retry=FAST,
            )
            with pytest.raises(BackendUnavailable) as raised:
                await tiktok.exchange_code("some-code")
    assert "ConnectError" in str(raised.value)
    assert len(attempts) == FAST.attempts


async def test_a_slow_read_times_out(env: Env) -> None:
    token = await env.token("sekar-ayu")
    await env.knobs(delay_seconds=0.3)
    with pytest.raises(BackendUnavailable):
        await env.promote(timeout=0.05).orders_blocked(token)
    assert len(await env.requests_to("/orders/blocked/")) == FAST.attempts


async def test_a_timed_out_submission_retried_with_its_key_creates_one_account(env: Env) -> None:
    token = await env.token("kopi-nusantara")
    await env.knobs(delay_seconds=0.3, integration_seconds=0.05)
    slow = env.promote(timeout=0.05)
    with pytest.raises(BackendUnavailable):
        await slow.start_integration(token, KOPI, idempotency_key="submit-1")
    await env.knobs(delay_seconds=0, envelope_error={"code": 51000, "count": 1})
    # Later (say, after a restart) the same submission is sent again with its stored key.
    promote = env.promote()
    again = await promote.start_integration(token, KOPI, idempotency_key="submit-1")
    await until_finished(lambda: promote.integration_status(token, again.integration_id))

    state = await env.state()
    ours = [i for i in state["integrations"] if i["account"] == "kopi-nusantara"]
    assert len(ours) == 1
    assert ours[0]["requests"] == FAST.attempts + 1  # the 51000 answer acted on nothing
    assert len(state["created_advertisers"]) == 1
    assert len(await env.tiktok().advertisers(token)) == 1


# --- logs ---------------------------------------------------------------------------------


async def test_logs_name_calls_but_never_secrets(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.backends")
    tiktok, promote = env.tiktok(), env.promote()
    code = await env.auth_code("kopi-nusantara")
    grant = await tiktok.exchange_code(code)
    await tiktok.advertisers(grant.access_token)
    await promote.eligibility(grant.access_token)
    await promote.start_integration(grant.access_token, KOPI, idempotency_key="submit-1")
    await env.knobs(rate_limit=1)
    await promote.orders_blocked(grant.access_token)
    with pytest.raises(AuthCodeInvalid) as raised:
        await tiktok.exchange_code(code)
    await tiktok.revoke(grant.access_token)

    lines = [r.getMessage() for r in caplog.records if r.name.startswith("bot.backends")]
    assert any(
        "GET /open_api/v1.3/oauth2/advertiser/get/ -> HTTP 200 code 0 request_id " in line
        for line in lines
    )
    assert any("code 40100" in line for line in lines)
    assert len(lines) >= 8
    everything = "\n".join([*lines, caplog.text, str(raised.value)])
    for secret in (APP_SECRET, grant.access_token, code, "secret="):
        assert secret not in everything
