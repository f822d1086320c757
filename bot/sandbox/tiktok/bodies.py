"""The body of `POST /promote/v1/integrations/`, checked field by field (40002 names the field).

The bot validates what a person types; this is the server's own line, so a bot bug surfaces
as a clear refusal instead of a broken account.
"""

from __future__ import annotations

import re
from typing import Any

from bot.sandbox.tiktok.codes import INVALID_PARAMS, ApiError
from bot.sandbox.tiktok.records import (
    BILLING_FIELDS,
    BUSINESS_FIELDS,
    OPTIONAL_BUSINESS_FIELDS,
    Billing,
    Business,
)
from bot.sandbox.tiktok.world import CreateRequest, IntegrationRequest, SyncRequest

TIMEZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
MAX_NAME = 100
MAX_COMPANY = 255
MAX_WEBSITE = 255
WEBSITE = re.compile(r"https?://[^\s/]+\S*")
_PATTERNS = {
    "npwp": (re.compile(r"\d{15}|\d{16}"), "15 or 16 digits"),
    "postal_code": (re.compile(r"\d{5}"), "5 digits"),
    "email": (re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"), "an e-mail address"),
    "phone": (re.compile(r"\+62\d{8,13}"), "+62 followed by 8 to 13 digits"),
}


def _invalid(message: str) -> ApiError:
    return ApiError(INVALID_PARAMS, message)


def _object(
    body: dict[str, Any], name: str, allowed: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, str]:
    """A nested object with only the allowed fields: non-empty strings, except the optional
    ones, which the caller checks."""
    value = body.get(name)
    if not isinstance(value, dict):
        raise _invalid(f"{name} is required and must be an object.")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise _invalid(f"{name} has unknown fields: {', '.join(unknown)}.")
    for field in allowed:
        if field in optional:
            continue
        if not isinstance(value.get(field), str) or not value[field].strip():
            raise _invalid(f"{name}.{field} is required and must be a non-empty string.")
    return value


def _website(value: Any) -> str:
    """Optional: absent means ""; otherwise "" or an http(s) URL."""
    if (
        not isinstance(value, str)
        or len(value) > MAX_WEBSITE
        or (value and not WEBSITE.fullmatch(value))
    ):
        raise _invalid(
            f"business.website must be empty or an http(s) URL of at most {MAX_WEBSITE} characters."
        )
    return value


def _business(body: dict[str, Any]) -> Business:
    value = _object(body, "business", BUSINESS_FIELDS, OPTIONAL_BUSINESS_FIELDS)
    business = Business(**{**value, "website": _website(value.get("website", ""))})
    if len(business.name) > MAX_NAME:
        raise _invalid(f"business.name must be at most {MAX_NAME} characters.")
    if business.registered_area != "ID":
        raise _invalid("business.registered_area must be ID.")
    if business.currency != "IDR":
        raise _invalid("business.currency must be IDR.")
    if business.timezone not in TIMEZONES:
        raise _invalid(f"business.timezone must be one of {', '.join(TIMEZONES)}.")
    return business


def _billing(body: dict[str, Any]) -> Billing:
    billing = Billing(**_object(body, "billing", BILLING_FIELDS))
    if len(billing.company_legal_name) > MAX_COMPANY:
        raise _invalid(f"billing.company_legal_name must be at most {MAX_COMPANY} characters.")
    for field, (pattern, meaning) in _PATTERNS.items():
        if not pattern.fullmatch(getattr(billing, field)):
            raise _invalid(f"billing.{field} must be {meaning}.")
    return billing


def integration_request(body: dict[str, Any]) -> IntegrationRequest:
    mode = body.get("mode")
    if mode == "sync":
        if set(body) != {"mode", "advertiser_id"}:
            raise _invalid('A "sync" integration takes exactly mode and advertiser_id.')
        advertiser_id = body["advertiser_id"]
        if not isinstance(advertiser_id, str) or not advertiser_id:
            raise _invalid("advertiser_id must be a non-empty string.")
        return SyncRequest(advertiser_id)
    if mode == "create":
        if set(body) != {"mode", "business", "billing"}:
            raise _invalid('A "create" integration takes exactly mode, business and billing.')
        return CreateRequest(_business(body), _billing(body))
    raise _invalid('mode must be "sync" or "create".')
