"""The TikTok sandbox over real HTTP on loopback, spoken to as TikTok's clients speak to TikTok."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from bot.i18n import translations
from bot.sandbox.tiktok import SEEDED_ACCOUNTS, TikTokSandbox, TikTokSandboxConfig, consent, terms
from bot.serve import serve_asgi

CALLBACK = "http://127.0.0.1:8080/oauth/callback"
APP = {"app_id": "sandbox-app", "secret": "sandbox-secret"}
API = "/open_api/v1.3"
NEW_BUSINESS = {
    "name": "Kopi Nusantara",
    "industry": "food_beverage",
    "registered_area": "ID",
    "timezone": "Asia/Jakarta",
    "currency": "IDR",
}
NEW_BILLING = {
    "company_legal_name": "PT Kopi Nusantara Jaya",
    "street": "Jl. Braga No. 45",
    "city": "Bandung",
    "province": "Jawa Barat",
    "postal_code": "40111",
    "npwp": "012345678901234",
    "email": "admin@kopinusantara.example",
    "contact_name": "Dimas Pratama",
    "phone": "+6281234567802",
}
CREATE = {"mode": "create", "business": NEW_BUSINESS, "billing": NEW_BILLING}


class FakeClock:
    """Unix seconds that move only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_740_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def api(clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    sandbox = TikTokSandbox(TikTokSandboxConfig(clock=clock))
    async with (
        serve_asgi(sandbox.asgi_app()) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
    ):
        yield client


def _consent_query(**overrides: str) -> dict[str, str]:
    return {"app_id": "sandbox-app", "redirect_uri": CALLBACK, "state": "st-1", **overrides}


async def _auth_code(api: httpx.AsyncClient, account: str) -> str:
    answer = await api.post(
        "/sandbox/approve", json={"redirect_uri": CALLBACK, "account": account, "state": "s"}
    )
    return httpx.URL(answer.json()["location"]).params["auth_code"]


async def _token(api: httpx.AsyncClient, account: str) -> str:
    code = await _auth_code(api, account)
    answer = await api.post(f"{API}/oauth2/access_token/", json={**APP, "auth_code": code})
    return answer.json()["data"]["access_token"]


async def _envelope(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"code", "message", "request_id", "data"}
    return body


async def test_the_consent_page_is_indonesian_and_lists_every_seeded_account(
    api: httpx.AsyncClient,
) -> None:
    page = await api.get("/portal/auth", params=_consent_query())
    assert page.status_code == 200
    assert '<html lang="id">' in page.text
    gettext = translations("id").gettext
    for msgid in (consent.TITLE, consent.AUTHORIZE, consent.DENY, consent.CHOOSE):
        assert gettext(msgid).replace("'", "&#x27;") in page.text
    for seed in SEEDED_ACCOUNTS:
        assert f'type="radio" name="account" value="{seed.key}"' in page.text
        assert seed.display_name in page.text
    assert 'name="state" value="st-1"' in page.text
    assert f'name="redirect_uri" value="{CALLBACK}"' in page.text
    # Self-contained: nothing is fetched from anywhere, and it can't be framed.
    for external in ("<script", "<link", "src=", "url("):
        assert external not in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


@pytest.mark.parametrize(
    ("query", "accept_language", "locale"),
    [
        ({"lang": "en"}, None, "en"),
        ({}, "en-US,en;q=0.9", "en"),
        ({}, "fr, en;q=0.5, id;q=0.8", "id"),
        ({}, "de", "id"),
        ({"lang": "id"}, "en", "id"),
    ],
)
async def test_the_consent_page_language(
    api: httpx.AsyncClient, query: dict[str, str], accept_language: str | None, locale: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    page = await api.get("/portal/auth", params=_consent_query(**query), headers=headers)
    assert f'<html lang="{locale}">' in page.text
    assert f'name="lang" value="{locale}"' in page.text


@pytest.mark.parametrize(
    "overrides",
    [
        {"app_id": "someone-elses-app"},
        {"redirect_uri": "https://bot.example/oauth/callback"},
        {"redirect_uri": "http://127.0.0.1@evil.example/callback"},
        {"redirect_uri": "javascript:alert(1)"},
        {"redirect_uri": ""},
    ],
)
async def test_unknown_apps_and_off_machine_redirects_get_an_error_page(
    api: httpx.AsyncClient, overrides: dict[str, str]
) -> None:
    page = await api.get("/portal/auth", params=_consent_query(**overrides))
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    posted = await api.post(
        "/portal/auth",
        data={**_consent_query(**overrides), "account": "sekar-ayu", "decision": "authorize"},
    )
    assert posted.status_code == 400
    assert "location" not in posted.headers


async def test_authorizing_redirects_with_a_code_and_the_state(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        "/portal/auth",
        data={
            **_consent_query(redirect_uri=f"{CALLBACK}?chat=7"),
            "account": "sekar-ayu",
            "decision": "authorize",
        },
    )
    assert answer.status_code == 303
    location = httpx.URL(answer.headers["location"])
    assert str(location).startswith(CALLBACK)
    assert location.params["chat"] == "7"
    assert location.params["state"] == "st-1"
    assert location.params["auth_code"]


async def test_denying_redirects_with_access_denied(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        "/portal/auth", data={**_consent_query(), "decision": "deny", "lang": "en"}
    )
    assert answer.status_code == 303
    params = httpx.URL(answer.headers["location"]).params
    assert params["error"] == "access_denied"
    assert params["state"] == "st-1"
    assert "auth_code" not in params
    assert (await api.get("/sandbox/state")).json()["auth_codes"] == []


async def test_errors_are_http_200_with_a_code(api: httpx.AsyncClient) -> None:
    answer = await api.post(
        f"{API}/oauth2/access_token/", json={**APP, "auth_code": "never-issued"}
    )
    body = await _envelope(answer)
    assert body["code"] == 40110
    assert body["data"] == {}
    assert answer.headers["X-Tt-Logid"] == body["request_id"]


async def test_a_path_without_its_trailing_slash_is_not_found(api: httpx.AsyncClient) -> None:
    answer = await api.post(f"{API}/oauth2/access_token", json={**APP, "auth_code": "x"})
    assert answer.status_code == 404


async def test_the_access_token_header_and_the_app_credentials(api: httpx.AsyncClient) -> None:
    token = await _token(api, "sekar-ayu")
    path = f"{API}/oauth2/advertiser/get/"
    cases = [
        (APP, {}, 40104),
        (APP, {"Access-Token": "wrong"}, 40105),
        ({"app_id": "sandbox-app"}, {"Access-Token": token}, 40002),
        ({**APP, "secret": "wrong"}, {"Access-Token": token}, 40101),
        (APP, {"Access-Token": token}, 0),
    ]
    for params, headers, code in cases:
        body = await _envelope(await api.get(path, params=params, headers=headers))
        assert body["code"] == code, (params, headers, body)
    assert [a["advertiser_name"] for a in body["data"]["list"]] == [
        "Batik Sekar Ayu Official",
        "Sekar Ayu Grosir",
    ]


async def test_advertiser_info_takes_a_json_encoded_list(api: httpx.AsyncClient) -> None:
    token = await _token(api, "sekar-ayu")
    headers = {"Access-Token": token}

    async def info(raw: str) -> dict[str, Any]:
        path = f"{API}/advertiser/info/"
        return await _envelope(await api.get(path, params={"advertiser_ids": raw}, headers=headers))

    assert (await info("7301234567890120001"))["code"] == 40002  # not a JSON list
    assert (await info("[]"))["code"] == 40002
    assert (await info('["7301234567890120003"]'))["code"] == 40001  # someone else's
    body = await info(json.dumps(["7301234567890120002"]))
    (advertiser,) = body["data"]["list"]
    assert advertiser["advertiser_id"] == "7301234567890120002"
    assert advertiser["currency"] == "IDR"
    assert advertiser["company"] == "CV Sekar Ayu Batik"


async def test_starting_an_integration_is_checked_before_anything_is_created(
    api: httpx.AsyncClient,
) -> None:
    kopi, darmi = await _token(api, "kopi-nusantara"), await _token(api, "sambal-mbok-darmi")
    path = "/promote/v1/integrations/"

    async def start(token: str, body: Any, key: str | None = "k") -> dict[str, Any]:
        headers = {"Access-Token": token, **({"Idempotency-Key": key} if key else {})}
        return await _envelope(await api.post(path, json=body, headers=headers))

    missing_key = await start(kopi, CREATE, key=None)
    assert missing_key["code"] == 40002
    assert "Idempotency-Key" in missing_key["message"]
    bad_npwp = await start(kopi, {**CREATE, "billing": {**NEW_BILLING, "npwp": "12.345"}})
    assert (bad_npwp["code"], "billing.npwp" in bad_npwp["message"]) == (40002, True)
    usd = await start(kopi, {**CREATE, "business": {**NEW_BUSINESS, "currency": "USD"}})
    assert (usd["code"], "business.currency" in usd["message"]) == (40002, True)
    assert (await start(kopi, {"mode": "merge"}))["code"] == 40002
    assert (await start(kopi, [1, 2]))["code"] == 40002
    foreign = await start(kopi, {"mode": "sync", "advertiser_id": "7301234567890120001"})
    assert foreign["code"] == 40001
    busy = await start(darmi, {"mode": "sync", "advertiser_id": "7301234567890120004"})
    assert busy["code"] == 40001
    assert "integration_in_progress" in busy["message"]
    state = (await api.get("/sandbox/state")).json()
    assert [i["account"] for i in state["integrations"]] == ["sambal-mbok-darmi"]  # the seeded one
    # A refused request isn't remembered: the corrected body may reuse its key.
    assert (await start(kopi, CREATE))["code"] == 0


@pytest.mark.parametrize(
    ("website", "accepted"),
    [
        ("", True),
        ("https://kopinusantara.example", True),
        ("http://kopinusantara.example/menu?lang=id", True),
        ("https://" + "a" * 247, True),  # 255 characters
        ("https://" + "a" * 248, False),  # 256
        ("not a url", False),
        ("kopinusantara.example", False),
        ("ftp://kopinusantara.example", False),
        ("https://", False),
        ("https:///path", False),
        ("https://kopi nusantara.example", False),
        (None, False),
        (42, False),
    ],
)
async def test_the_business_website_is_optional_and_checked(
    api: httpx.AsyncClient, website: Any, accepted: bool
) -> None:
    kopi = await _token(api, "kopi-nusantara")
    body = {**CREATE, "business": {**NEW_BUSINESS, "website": website}}
    headers = {"Access-Token": kopi, "Idempotency-Key": "k"}
    answer = await _envelope(
        await api.post("/promote/v1/integrations/", json=body, headers=headers)
    )
    if accepted:
        assert answer["code"] == 0
    else:
        assert (answer["code"], "business.website" in answer["message"]) == (40002, True)


async def test_the_other_business_fields_stay_required_and_unknown_ones_refused(
    api: httpx.AsyncClient,
) -> None:
    kopi = await _token(api, "kopi-nusantara")
    headers = {"Access-Token": kopi, "Idempotency-Key": "k"}
    site = "https://kopinusantara.example"
    missing = {k: v for k, v in NEW_BUSINESS.items() if k != "industry"}
    for business, named in (
        ({**missing, "website": site}, "business.industry"),
        ({**NEW_BUSINESS, "industry": " ", "website": site}, "business.industry"),
        ({**NEW_BUSINESS, "site": site}, "unknown fields: site"),
    ):
        body = {**CREATE, "business": business}
        refused = await _envelope(
            await api.post("/promote/v1/integrations/", json=body, headers=headers)
        )
        assert (refused["code"], named in refused["message"]) == (40002, True)
    state = (await api.get("/sandbox/state")).json()
    assert [i["account"] for i in state["integrations"]] == ["sambal-mbok-darmi"]  # the seeded one


async def test_an_integration_finishes_when_its_time_is_up(
    api: httpx.AsyncClient, clock: FakeClock
) -> None:
    token = await _token(api, "kopi-nusantara")
    headers = {"Access-Token": token}
    started = await _envelope(
        await api.post(
            "/promote/v1/integrations/", json=CREATE, headers={**headers, "Idempotency-Key": "k"}
        )
    )
    integration = started["data"]
    assert (integration["status"], integration["advertiser_id"]) == ("in_progress", None)
    assert integration["estimated_seconds"] == 60.0
    status_path = f"/promote/v1/integrations/{integration['integration_id']}/"

    async def status() -> dict[str, Any]:
        return (await _envelope(await api.get(status_path, headers=headers)))["data"]

    blocked = await _envelope(await api.get("/promote/v1/orders/blocked/", headers=headers))
    assert blocked["data"]["blocked"] is True
    assert blocked["data"]["reason"] == "integration_in_progress"
    clock.advance(59.9)
    assert (await status())["status"] == "in_progress"
    clock.advance(0.1)
    done = await status()
    assert done["status"] == "succeeded"
    assert done["finished_at"] is not None
    assert done["advertiser_id"]
    listed = await _envelope(
        await api.get(f"{API}/oauth2/advertiser/get/", params=APP, headers=headers)
    )
    assert listed["data"]["list"] == [
        {"advertiser_id": done["advertiser_id"], "advertiser_name": "Kopi Nusantara"}
    ]
    eligibility = await _envelope(await api.get("/promote/v1/eligibility/", headers=headers))
    assert eligibility["data"]["reasons"] == ["already_integrated"]
    unblocked = await _envelope(await api.get("/promote/v1/orders/blocked/", headers=headers))
    assert unblocked["data"] == {"blocked": False, "reason": None, "until": None}


async def test_a_failing_integration_leaves_the_account_eligible(
    api: httpx.AsyncClient, clock: FakeClock
) -> None:
    knobs = {"fail_integrations": True, "failure_reason": "npwp_rejected"}
    assert (await api.post("/sandbox/knobs", json=knobs)).status_code == 200
    token = await _token(api, "sekar-ayu")
    headers = {"Access-Token": token, "Idempotency-Key": "k"}
    sync = {"mode": "sync", "advertiser_id": "7301234567890120001"}
    started = await _envelope(
        await api.post("/promote/v1/integrations/", json=sync, headers=headers)
    )
    clock.advance(60)
    path = f"/promote/v1/integrations/{started['data']['integration_id']}/"
    failed = (await _envelope(await api.get(path, headers=headers)))["data"]
    assert (failed["status"], failed["failure_reason"]) == ("failed", "npwp_rejected")
    eligibility = await _envelope(await api.get("/promote/v1/eligibility/", headers=headers))
    assert eligibility["data"]["eligible"] is True


async def test_the_seeded_integration_in_progress_blocks_orders(api: httpx.AsyncClient) -> None:
    token = await _token(api, "sambal-mbok-darmi")
    blocked = await _envelope(
        await api.get("/promote/v1/orders/blocked/", headers={"Access-Token": token})
    )
    assert blocked["data"]["blocked"] is True
    assert blocked["data"]["until"].endswith("Z")


async def test_knobs_are_validated_all_or_nothing(api: httpx.AsyncClient) -> None:
    for bad in (
        {"http_5xx": -1},
        {"rate_limit": True},
        {"delay_seconds": "slow"},
        {"envelope_error": {"code": 0, "count": 1}},
        {"failure_reason": ""},
        {"volume": 11},
        [],
    ):
        answer = await api.post("/sandbox/knobs", json=bad)
        assert answer.status_code == 400, bad
        assert "error" in answer.json()
    refused = await api.post("/sandbox/knobs", json={"http_5xx": 2, "rate_limit": "x"})
    assert refused.status_code == 400
    assert (await api.get("/sandbox/state")).json()["knobs"]["http_5xx"] == 0


async def test_faults_hit_the_apis_only_and_change_nothing(api: httpx.AsyncClient) -> None:
    code = await _auth_code(api, "sekar-ayu")
    await api.post("/sandbox/knobs", json={"http_5xx": 1, "envelope_error": {"count": 1}})
    assert (await api.get("/portal/auth", params=_consent_query())).status_code == 200
    exchange = {"json": {**APP, "auth_code": code}}
    first = await api.post(f"{API}/oauth2/access_token/", **exchange)
    assert first.status_code == 503
    second = await _envelope(await api.post(f"{API}/oauth2/access_token/", **exchange))
    assert second["code"] == 51000
    third = await _envelope(await api.post(f"{API}/oauth2/access_token/", **exchange))
    assert third["code"] == 0  # the faulted requests did not use the code up
    requests = (await api.get("/sandbox/state")).json()["requests"]
    assert [(r["http_status"], r["code"]) for r in requests] == [
        (503, None),
        (200, 51000),
        (200, 0),
    ]


async def test_the_state_shows_what_happened_without_secrets(api: httpx.AsyncClient) -> None:
    code = await _auth_code(api, "kopi-nusantara")
    answer = await api.post(f"{API}/oauth2/access_token/", json={**APP, "auth_code": code})
    token = answer.json()["data"]["access_token"]
    await api.post(f"{API}/oauth2/revoke_token/", json={**APP, "access_token": token})
    state = (await api.get("/sandbox/state")).json()
    assert state["auth_codes"][0]["used"] is True
    assert state["tokens"] == [
        {"account": "kopi-nusantara", "issued_at": state["tokens"][0]["issued_at"], "revoked": True}
    ]
    text = json.dumps(state)
    for secret in (code, token, "sandbox-secret"):
        assert secret not in text


async def test_the_seeded_accounts_cover_every_branch(api: httpx.AsyncClient) -> None:
    accounts = (await api.get("/sandbox/accounts")).json()["accounts"]
    assert {a["key"]: a["branch"] for a in accounts} == {
        "sekar-ayu": "sync",
        "kopi-nusantara": "create",
        "warung-bu-tini": "already_integrated",
        "sambal-mbok-darmi": "integration_in_progress",
        "toko-jaya-abadi": "account_restricted",
        "rempah-melaka": "region_not_supported",
    }


async def test_approve_refuses_what_the_consent_page_refuses(api: httpx.AsyncClient) -> None:
    for body in (
        {"redirect_uri": CALLBACK, "account": "nobody"},
        {"redirect_uri": "https://bot.example/cb", "account": "sekar-ayu"},
        {"redirect_uri": CALLBACK, "account": "sekar-ayu", "decision": "maybe"},
        {"account": "sekar-ayu"},
    ):
        answer = await api.post("/sandbox/approve", json=body)
        assert answer.status_code == 400, body
    denied = await api.post(
        "/sandbox/approve", json={"redirect_uri": CALLBACK, "decision": "deny", "state": "x"}
    )
    assert httpx.URL(denied.json()["location"]).params["error"] == "access_denied"


async def test_the_terms_page(api: httpx.AsyncClient) -> None:
    answer = await _envelope(await api.get("/promote/v1/terms/current/", params={"locale": "en"}))
    page = await api.get(answer["data"]["url"])
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert terms.VERSION in page.text
    assert (await api.get(terms.terms_path("1999-01-01"))).status_code == 404
