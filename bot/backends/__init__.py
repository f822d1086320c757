"""Clients for the outside services: TikTok's Marketing API and the Promote integration API.

Each client takes the application's shared `httpx.AsyncClient` and keeps no state of its own;
it knows nothing of the conversation. Failures are `BackendError`s (see `errors`).
"""

from bot.backends.errors import (
    AuthCodeInvalid,
    BackendError,
    BackendUnavailable,
    IdempotencyConflict,
    RateLimited,
    RequestRejected,
    TokenInvalid,
)
from bot.backends.promote import (
    BillingInfo,
    BusinessDetails,
    CreateIntegration,
    Difference,
    Eligibility,
    IntegrationRequest,
    IntegrationState,
    IntegrationStatus,
    OrdersBlocked,
    PaymentComparison,
    PaymentSide,
    PromoteAccount,
    PromoteClient,
    Reason,
    SyncIntegration,
    Terms,
)
from bot.backends.retry import RetryPolicy
from bot.backends.tiktok import AccessGrant, Advertiser, AdvertiserInfo, TikTokClient

__all__ = [
    "AccessGrant",
    "Advertiser",
    "AdvertiserInfo",
    "AuthCodeInvalid",
    "BackendError",
    "BackendUnavailable",
    "BillingInfo",
    "BusinessDetails",
    "CreateIntegration",
    "Difference",
    "Eligibility",
    "IdempotencyConflict",
    "IntegrationRequest",
    "IntegrationState",
    "IntegrationStatus",
    "OrdersBlocked",
    "PaymentComparison",
    "PaymentSide",
    "PromoteAccount",
    "PromoteClient",
    "RateLimited",
    "Reason",
    "RequestRejected",
    "RetryPolicy",
    "SyncIntegration",
    "Terms",
    "TikTokClient",
    "TokenInvalid",
]
