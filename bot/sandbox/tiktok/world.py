"""Everything the TikTok sandbox knows, in memory: accounts, auth codes, tokens, integrations.

Handlers never await between reading and changing this state, so one event loop needs no lock.
Time comes from the config's clock; integrations finish lazily, on the next request after their
time is up (`settle`), so nothing runs in the background.
"""

from __future__ import annotations

import hmac
import ipaddress
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.i18n import N_
from bot.sandbox.tiktok.codes import (
    AUTH_CODE_INVALID,
    DUPLICATED_REQUEST,
    INVALID_AUTH_PARAMS,
    NO_PERMISSION,
    TOKEN_EMPTY,
    TOKEN_INVALID,
    ApiError,
)
from bot.sandbox.tiktok.config import TikTokSandboxConfig
from bot.sandbox.tiktok.knobs import Knobs
from bot.sandbox.tiktok.records import AdsAccount, Billing, Business
from bot.sandbox.tiktok.seed import SEEDED_ACCOUNTS, SeedAccount

SCOPE = (4, 5, 9)  # TikTok's scopes are numeric permission ids chosen on the developer app
SUPPORTED_REGION = "ID"
SEEDED_INTEGRATION_SECONDS = 24 * 3600.0  # the seeded in-progress integration stays in progress
FIRST_CREATED_ADVERTISER_ID = 7_309_000_000_000_000_001
FIRST_INTEGRATION_ID = 7_400_000_000_000_000_001


class ConsentRefused(Exception):
    """The consent step can't go on; `message` is a msgid the page translates."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def iso_time(timestamp: float) -> str:
    """RFC 3339 in UTC with milliseconds, e.g. "2025-02-01T03:30:00.000Z"."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def is_loopback_url(url: str) -> bool:
    """http(s) to 127.0.0.0/8, ::1 or localhost: the sandbox never sends anyone off the machine."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def with_query(url: str, params: dict[str, str]) -> str:
    """`url` with `params` added to whatever query it already has."""
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query), fragment=""))


@dataclass
class AuthCode:
    value: str
    account_key: str
    issued_at: float
    used: bool = False


@dataclass
class Token:
    value: str
    account_key: str
    issued_at: float
    revoked: bool = False


@dataclass
class AccountState:
    """A seeded TikTok account as it is now: integrations add and link advertisers."""

    seed: SeedAccount
    advertiser_ids: list[str]
    integrated_with: str | None

    @property
    def key(self) -> str:
        return self.seed.key


@dataclass(frozen=True)
class SyncRequest:
    advertiser_id: str


@dataclass(frozen=True)
class CreateRequest:
    business: Business
    billing: Billing


IntegrationRequest = SyncRequest | CreateRequest


@dataclass
class Integration:
    integration_id: str
    account_key: str
    request: IntegrationRequest
    advertiser_id: str | None  # for "create": None until the new account exists
    advertiser_name: str
    started_at: float
    seconds: float
    will_fail: bool
    planned_failure_reason: str
    idempotency_key: str | None  # None only for the seeded integration
    fingerprint: str | None
    status: str = "in_progress"
    finished_at: float | None = None
    requests: int = 1  # POSTs answered with this integration (its key and its body)

    @property
    def mode(self) -> str:
        return "sync" if isinstance(self.request, SyncRequest) else "create"

    @property
    def ends_at(self) -> float:
        return self.started_at + self.seconds

    @property
    def failure_reason(self) -> str | None:
        return self.planned_failure_reason if self.status == "failed" else None


@dataclass(frozen=True)
class RequestRecord:
    method: str
    path: str
    http_status: int
    code: int | None  # None: no envelope (an HTTP 5xx fault)
    request_id: str
    idempotency_key: str | None


@dataclass
class World:
    config: TikTokSandboxConfig
    knobs: Knobs = field(init=False)
    accounts: dict[str, AccountState] = field(init=False)
    advertisers: dict[str, AdsAccount] = field(init=False)
    auth_codes: dict[str, AuthCode] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    integrations: dict[str, Integration] = field(default_factory=dict)
    created_advertisers: dict[str, str] = field(default_factory=dict)  # advertiser → integration
    requests: list[RequestRecord] = field(default_factory=list)
    _by_key: dict[tuple[str, str], Integration] = field(default_factory=dict)
    _advertiser_ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(FIRST_CREATED_ADVERTISER_ID)
    )
    _integration_ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(FIRST_INTEGRATION_ID)
    )

    def __post_init__(self) -> None:
        self.knobs = Knobs(integration_seconds=self.config.integration_seconds)
        self.accounts = {
            seed.key: AccountState(
                seed=seed,
                advertiser_ids=[a.advertiser_id for a in seed.advertisers],
                integrated_with=seed.integrated_with,
            )
            for seed in SEEDED_ACCOUNTS
        }
        self.advertisers = {
            advertiser.advertiser_id: advertiser
            for seed in SEEDED_ACCOUNTS
            for advertiser in seed.advertisers
        }
        for seed in SEEDED_ACCOUNTS:
            if seed.integration_in_progress_with is not None:
                self._seed_running_integration(seed, seed.integration_in_progress_with)

    def now(self) -> float:
        return self.config.clock()

    def new_request_id(self) -> str:
        """TikTok's request ids are opaque strings; these sort by time like theirs do."""
        return f"{datetime.fromtimestamp(self.now(), UTC):%Y%m%d%H%M%S}{secrets.token_hex(8)}"

    # --- consent and OAuth ---------------------------------------------------------------

    def check_consent(self, *, app_id: str, redirect_uri: str) -> None:
        """A consent request the sandbox can serve: its app, and a redirect to this machine."""
        if app_id != self.config.app_id:
            raise ConsentRefused(N_("This app is not registered with the TikTok sandbox."))
        if not is_loopback_url(redirect_uri):
            raise ConsentRefused(
                N_("The redirect address must be an http(s) address on this computer.")
            )

    def decide(
        self, *, app_id: str, redirect_uri: str, state: str, account_key: str, decision: str
    ) -> str:
        """What the consent page does when a person decides: the URL to redirect them to."""
        self.check_consent(app_id=app_id, redirect_uri=redirect_uri)
        extra = {"state": state} if state else {}
        if decision == "deny":
            return with_query(
                redirect_uri,
                {
                    "error": "access_denied",
                    "error_description": "The user denied the authorization.",
                    **extra,
                },
            )
        if decision != "authorize":
            raise ConsentRefused(N_("Choose Authorize or Deny."))
        if account_key not in self.accounts:
            raise ConsentRefused(N_("Choose one of the sandbox TikTok accounts."))
        code = AuthCode(secrets.token_urlsafe(24), account_key, self.now())
        self.auth_codes[code.value] = code
        return with_query(redirect_uri, {"auth_code": code.value, **extra})

    def check_app(self, app_id: object, secret: object) -> None:
        if not (
            isinstance(app_id, str)
            and isinstance(secret, str)
            and hmac.compare_digest(app_id.encode(), self.config.app_id.encode())
            and hmac.compare_digest(secret.encode(), self.config.app_secret.encode())
        ):
            raise ApiError(INVALID_AUTH_PARAMS, "Invalid auth params: app_id or secret is wrong.")

    def exchange(self, auth_code: str) -> Token:
        """An auth code buys one long-term token, once, within its validity."""
        code = self.auth_codes.get(auth_code)
        if code is None or code.used or self.now() - code.issued_at > self.config.auth_code_seconds:
            raise ApiError(AUTH_CODE_INVALID, "Invalid auth_code: it was used, expired or unknown.")
        code.used = True
        token = Token(secrets.token_hex(20), code.account_key, self.now())
        self.tokens[token.value] = token
        return token

    def account_for(self, access_token: str | None) -> AccountState:
        """The account behind an Access-Token header value."""
        if not access_token:
            raise ApiError(
                TOKEN_EMPTY, "Access token is null, set it in http header with key Access-Token."
            )
        token = self.tokens.get(access_token)
        if token is None or token.revoked:
            raise ApiError(TOKEN_INVALID, "Access token is invalid or revoked.")
        return self.accounts[token.account_key]

    def revoke(self, access_token: str) -> AccountState:
        account = self.account_for(access_token)
        self.tokens[access_token].revoked = True
        return account

    def advertiser_for(self, account: AccountState, advertiser_id: str) -> AdsAccount:
        if advertiser_id not in account.advertiser_ids:
            raise ApiError(NO_PERMISSION, f"No permission to operate advertiser {advertiser_id}.")
        return self.advertisers[advertiser_id]

    # --- Promote -------------------------------------------------------------------------

    def running_integration(self, account: AccountState) -> Integration | None:
        return next(
            (
                i
                for i in self.integrations.values()
                if i.account_key == account.key and i.status == "in_progress"
            ),
            None,
        )

    def ineligibility(self, account: AccountState) -> list[str]:
        """Every reason this account may not start an integration; empty means eligible."""
        reasons = []
        if account.integrated_with is not None:
            reasons.append("already_integrated")
        if self.running_integration(account) is not None:
            reasons.append("integration_in_progress")
        if account.seed.restricted:
            reasons.append("account_restricted")
        if account.seed.promote_region != SUPPORTED_REGION:
            reasons.append("region_not_supported")
        return reasons

    def replay(self, account: AccountState, key: str, fingerprint: str) -> Integration | None:
        """The integration an earlier POST with this key started; a different body is refused."""
        integration = self._by_key.get((account.key, key))
        if integration is None:
            return None
        if integration.fingerprint != fingerprint:
            raise ApiError(
                DUPLICATED_REQUEST,
                "Duplicated request: this Idempotency-Key was used with a different body.",
            )
        integration.requests += 1
        return integration

    def start(
        self, account: AccountState, request: IntegrationRequest, *, key: str, fingerprint: str
    ) -> Integration:
        reasons = self.ineligibility(account)
        if reasons:
            raise ApiError(NO_PERMISSION, f"Not eligible to integrate: {', '.join(reasons)}.")
        if isinstance(request, SyncRequest):
            advertiser = self.advertiser_for(account, request.advertiser_id)
            advertiser_id: str | None = advertiser.advertiser_id
            name = advertiser.business.name
        else:
            advertiser_id, name = None, request.business.name
        integration = Integration(
            integration_id=str(next(self._integration_ids)),
            account_key=account.key,
            request=request,
            advertiser_id=advertiser_id,
            advertiser_name=name,
            started_at=self.now(),
            seconds=self.knobs.integration_seconds,
            will_fail=self.knobs.fail_integrations,
            planned_failure_reason=self.knobs.failure_reason,
            idempotency_key=key,
            fingerprint=fingerprint,
        )
        self.integrations[integration.integration_id] = integration
        self._by_key[(account.key, key)] = integration
        return integration

    def integration_for(self, account: AccountState, integration_id: str) -> Integration:
        integration = self.integrations.get(integration_id)
        if integration is None or integration.account_key != account.key:
            raise ApiError(NO_PERMISSION, f"No permission to read integration {integration_id}.")
        return integration

    def settle(self) -> None:
        """Finish every integration whose time is up, as if the backend had worked meanwhile."""
        now = self.now()
        for integration in self.integrations.values():
            if integration.status == "in_progress" and now >= integration.ends_at:
                self._finish(integration)

    def _finish(self, integration: Integration) -> None:
        integration.finished_at = integration.ends_at
        if integration.will_fail:
            integration.status = "failed"
            return
        account = self.accounts[integration.account_key]
        if isinstance(integration.request, CreateRequest):
            advertiser = AdsAccount(
                advertiser_id=str(next(self._advertiser_ids)),
                business=integration.request.business,
                billing=integration.request.billing,
                create_time=int(integration.ends_at),
            )
            self.advertisers[advertiser.advertiser_id] = advertiser
            self.created_advertisers[advertiser.advertiser_id] = integration.integration_id
            account.advertiser_ids.append(advertiser.advertiser_id)
            integration.advertiser_id = advertiser.advertiser_id
        account.integrated_with = integration.advertiser_id
        integration.status = "succeeded"

    def _seed_running_integration(self, seed: SeedAccount, advertiser_id: str) -> None:
        integration = Integration(
            integration_id=str(next(self._integration_ids)),
            account_key=seed.key,
            request=SyncRequest(advertiser_id),
            advertiser_id=advertiser_id,
            advertiser_name=self.advertisers[advertiser_id].business.name,
            started_at=self.now() - 120,
            seconds=SEEDED_INTEGRATION_SECONDS,
            will_fail=False,
            planned_failure_reason="",
            idempotency_key=None,
            fingerprint=None,
            requests=0,
        )
        self.integrations[integration.integration_id] = integration

    # --- what happened, for tests --------------------------------------------------------

    def record(self, record: RequestRecord) -> None:
        self.requests.append(record)

    def state(self) -> dict[str, Any]:
        """No auth code or token values: tests prove behaviour from counts and flags."""
        now = self.now()
        return {
            "auth_codes": [
                {
                    "account": code.account_key,
                    "issued_at": iso_time(code.issued_at),
                    "used": code.used,
                    "expired": now - code.issued_at > self.config.auth_code_seconds,
                }
                for code in self.auth_codes.values()
            ],
            "tokens": [
                {
                    "account": token.account_key,
                    "issued_at": iso_time(token.issued_at),
                    "revoked": token.revoked,
                }
                for token in self.tokens.values()
            ],
            "integrations": [
                {
                    "integration_id": i.integration_id,
                    "account": i.account_key,
                    "mode": i.mode,
                    "status": i.status,
                    "idempotency_key": i.idempotency_key,
                    "requests": i.requests,
                    "advertiser_id": i.advertiser_id,
                }
                for i in self.integrations.values()
            ],
            "created_advertisers": [
                {"advertiser_id": advertiser_id, "integration_id": integration_id}
                for advertiser_id, integration_id in self.created_advertisers.items()
            ],
            "accounts": [
                {
                    "key": account.key,
                    "advertiser_ids": list(account.advertiser_ids),
                    "integrated_with": account.integrated_with,
                }
                for account in self.accounts.values()
            ],
            "requests": [
                {
                    "method": r.method,
                    "path": r.path,
                    "http_status": r.http_status,
                    "code": r.code,
                    "request_id": r.request_id,
                    "idempotency_key": r.idempotency_key,
                }
                for r in self.requests
            ],
            "knobs": self.knobs.to_api(),
        }
