"""The seeded sandbox TikTok accounts: one per branch of the bot's conversation.

A person picks one on the consent page (or through `POST /sandbox/approve`); what the bot then
meets (eligible or not, which Ads Manager accounts, matching billing or not) follows from here.
Names and addresses are made up; e-mail domains are `.example`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_
from bot.sandbox.tiktok.records import AdsAccount, Billing, Business


@dataclass(frozen=True)
class SeedAccount:
    """A TikTok account with its Promote account and the Ads Manager accounts it can authorize."""

    key: str  # what tests and the terminal chat name it by
    display_name: str
    username: str
    branch: str  # a short code for the branch it covers
    description: str  # msgid: the branch in words, shown on the consent page
    promote_account_id: str
    promote_region: str
    promote_business: Business
    promote_billing: Billing
    advertisers: tuple[AdsAccount, ...] = ()
    integrated_with: str | None = None  # an advertiser id: integrated before the sandbox began
    integration_in_progress_with: str | None = None  # an advertiser id being synced right now
    restricted: bool = False


def _business(name: str, industry: str, timezone: str = "Asia/Jakarta") -> Business:
    return Business(
        name=name, industry=industry, registered_area="ID", timezone=timezone, currency="IDR"
    )


_SEKAR_AYU_BILLING = Billing(
    company_legal_name="CV Sekar Ayu Batik",
    street="Jl. Malioboro No. 12",
    city="Yogyakarta",
    province="DI Yogyakarta",
    postal_code="55271",
    npwp="3471012345670001",
    email="keuangan@sekarayu.example",
    contact_name="Ayu Lestari",
    phone="+6281234567801",
)
_KOPI_NUSANTARA_BILLING = Billing(
    company_legal_name="PT Kopi Nusantara Jaya",
    street="Jl. Braga No. 45",
    city="Bandung",
    province="Jawa Barat",
    postal_code="40111",
    npwp="012345678901234",
    email="admin@kopinusantara.example",
    contact_name="Dimas Pratama",
    phone="+6281234567802",
)
_WARUNG_BU_TINI_BILLING = Billing(
    company_legal_name="UD Warung Bu Tini",
    street="Jl. Somba Opu No. 7",
    city="Makassar",
    province="Sulawesi Selatan",
    postal_code="90111",
    npwp="7371012345670003",
    email="butini@warungbutini.example",
    contact_name="Sutini",
    phone="+6281234567803",
)
_SAMBAL_BILLING = Billing(
    company_legal_name="CV Sambal Mbok Darmi",
    street="Jl. Tunjungan No. 30",
    city="Surabaya",
    province="Jawa Timur",
    postal_code="60261",
    npwp="3578012345670004",
    email="order@sambaldarmi.example",
    contact_name="Darmi Wulandari",
    phone="+6281234567804",
)
_JAYA_ABADI_BILLING = Billing(
    company_legal_name="PT Toko Jaya Abadi",
    street="Jl. Mangga Dua Raya No. 5",
    city="Jakarta Utara",
    province="DKI Jakarta",
    postal_code="14430",
    npwp="3172012345670005",
    email="toko@jayaabadi.example",
    contact_name="Hendra Wijaya",
    phone="+6281234567805",
)

SEEDED_ACCOUNTS: tuple[SeedAccount, ...] = (
    SeedAccount(
        key="sekar-ayu",
        display_name="Batik Sekar Ayu",
        username="batiksekarayu",
        branch="sync",
        description=N_(
            "Eligible. Two Ads Manager accounts; the second one's billing info differs from "
            "Promote's."
        ),
        promote_account_id="6851000000000000001",
        promote_region="ID",
        promote_business=_business("Batik Sekar Ayu", "apparel_accessories"),
        promote_billing=_SEKAR_AYU_BILLING,
        advertisers=(
            AdsAccount(
                advertiser_id="7301234567890120001",
                business=_business("Batik Sekar Ayu Official", "apparel_accessories"),
                billing=_SEKAR_AYU_BILLING,
                create_time=1_704_067_200,
            ),
            AdsAccount(
                advertiser_id="7301234567890120002",
                business=_business("Sekar Ayu Grosir", "apparel_accessories"),
                billing=Billing(
                    company_legal_name="CV Sekar Ayu Batik",
                    street="Jl. Parangtritis No. 88",
                    city="Yogyakarta",
                    province="DI Yogyakarta",
                    postal_code="55143",
                    npwp="3471012345670001",
                    email="grosir@sekarayu.example",
                    contact_name="Ayu Lestari",
                    phone="+6281234567801",
                ),
                create_time=1_714_521_600,
            ),
        ),
    ),
    SeedAccount(
        key="kopi-nusantara",
        display_name="Kopi Nusantara",
        username="kopinusantara",
        branch="create",
        description=N_("Eligible. No Ads Manager account yet: a new one must be created."),
        promote_account_id="6851000000000000002",
        promote_region="ID",
        promote_business=_business("Kopi Nusantara", "food_beverage"),
        promote_billing=_KOPI_NUSANTARA_BILLING,
    ),
    SeedAccount(
        key="warung-bu-tini",
        display_name="Warung Bu Tini",
        username="warungbutini",
        branch="already_integrated",
        description=N_("Not eligible: already integrated with TikTok Ads Manager."),
        promote_account_id="6851000000000000003",
        promote_region="ID",
        promote_business=_business("Warung Bu Tini", "food_beverage", "Asia/Makassar"),
        promote_billing=_WARUNG_BU_TINI_BILLING,
        advertisers=(
            AdsAccount(
                advertiser_id="7301234567890120003",
                business=_business("Warung Bu Tini", "food_beverage", "Asia/Makassar"),
                billing=_WARUNG_BU_TINI_BILLING,
                create_time=1_709_251_200,
            ),
        ),
        integrated_with="7301234567890120003",
    ),
    SeedAccount(
        key="sambal-mbok-darmi",
        display_name="Sambal Mbok Darmi",
        username="sambalmbokdarmi",
        branch="integration_in_progress",
        description=N_(
            "Not eligible: an integration is already in progress, so Promote orders are blocked."
        ),
        promote_account_id="6851000000000000004",
        promote_region="ID",
        promote_business=_business("Sambal Mbok Darmi", "food_beverage"),
        promote_billing=_SAMBAL_BILLING,
        advertisers=(
            AdsAccount(
                advertiser_id="7301234567890120004",
                business=_business("Sambal Mbok Darmi", "food_beverage"),
                billing=_SAMBAL_BILLING,
                create_time=1_711_929_600,
            ),
        ),
        integration_in_progress_with="7301234567890120004",
    ),
    SeedAccount(
        key="toko-jaya-abadi",
        display_name="Toko Jaya Abadi",
        username="tokojayaabadi",
        branch="account_restricted",
        description=N_("Not eligible: the Promote account is restricted."),
        promote_account_id="6851000000000000005",
        promote_region="ID",
        promote_business=_business("Toko Jaya Abadi", "retail"),
        promote_billing=_JAYA_ABADI_BILLING,
        advertisers=(
            AdsAccount(
                advertiser_id="7301234567890120005",
                business=_business("Toko Jaya Abadi", "retail"),
                billing=_JAYA_ABADI_BILLING,
                create_time=1_717_200_000,
                status="STATUS_LIMIT",
            ),
        ),
        restricted=True,
    ),
    SeedAccount(
        key="rempah-melaka",
        display_name="Rempah Melaka",
        username="rempahmelaka",
        branch="region_not_supported",
        description=N_("Not eligible: the Promote account is registered outside Indonesia."),
        promote_account_id="6851000000000000006",
        promote_region="MY",
        promote_business=Business(
            name="Rempah Melaka",
            industry="food_beverage",
            registered_area="MY",
            timezone="Asia/Kuala_Lumpur",
            currency="MYR",
        ),
        promote_billing=Billing(
            company_legal_name="Rempah Melaka Sdn. Bhd.",
            street="Jalan Hang Jebat 21",
            city="Melaka",
            province="Melaka",
            postal_code="75200",
            npwp="",
            email="hello@rempahmelaka.example",
            contact_name="Siti Aminah",
            phone="+60123456789",
        ),
    ),
)
