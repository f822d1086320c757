"""Business details and billing info: the two records both sides of an integration hold."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class Business:
    name: str
    industry: str
    registered_area: str
    timezone: str
    currency: str
    website: str = ""  # optional: empty, or an http(s) URL

    def to_api(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Billing:
    company_legal_name: str
    street: str
    city: str
    province: str
    postal_code: str
    npwp: str
    email: str
    contact_name: str
    phone: str

    def to_api(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def address(self) -> str:
        return f"{self.street}, {self.city}, {self.province} {self.postal_code}"


@dataclass(frozen=True)
class AdsAccount:
    """An Ads Manager account (an advertiser); `business.name` is its advertiser name."""

    advertiser_id: str
    business: Business
    billing: Billing
    create_time: int  # Unix seconds, as TikTok's advertiser/info gives it
    status: str = "STATUS_ENABLE"


BUSINESS_FIELDS = tuple(f.name for f in fields(Business))
OPTIONAL_BUSINESS_FIELDS = ("website",)
BILLING_FIELDS = tuple(f.name for f in fields(Billing))
