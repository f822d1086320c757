"""The current terms of service for the integration, and the page that shows them.

Sandbox copy: made up for testing, and the page says so.
"""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.i18n import N_, translations
from bot.sandbox.tiktok.pages import error_page, html_page, language_links, page_locale

VERSION = "2025-02-01"
PAGE_PATH = "/promote/terms/{version}"
TITLE = N_("Terms of service for integrating Promote with TikTok Ads Manager")
SUMMARY = N_(
    "Your Promote account will be linked to TikTok Ads Manager, and your business details and "
    "billing info will be shared between them. You can't place Promote orders while the "
    "integration is in progress. Later changes to billing info must follow TikTok Ads "
    "Manager's policies."
)
PARAGRAPHS = (
    N_(
        "Once integrated, your Promote account and your TikTok Ads Manager account share one "
        "set of business details and billing info."
    ),
    N_(
        "Billing info is used for top-ups, withdrawals and invoices. Please check that it is "
        "correct before you submit it."
    ),
    N_(
        "The integration usually takes a few minutes. Until it is finished you can't place "
        "Promote orders."
    ),
    N_(
        "The time zone, region, business name and currency of a new Ads Manager account can't "
        "be changed after it is created."
    ),
)
VERSION_LINE = N_("Version {version}")
SANDBOX_NOTE = N_("Sandbox copy for testing: these are not TikTok's actual terms.")
NOT_FOUND = N_("Page not found")
UNKNOWN_VERSION = N_("There are no terms with this version.")


def terms_path(version: str = VERSION) -> str:
    return PAGE_PATH.format(version=version)


def terms_page_routes() -> list[Route]:
    async def page(request: Request) -> Response:
        locale = page_locale(request)
        if request.path_params["version"] != VERSION:
            return error_page(locale, NOT_FOUND, UNKNOWN_VERSION, status_code=404)
        gettext = translations(locale).gettext
        paragraphs = "".join(f"<p>{escape(gettext(p))}</p>" for p in PARAGRAPHS)
        body = (
            f"{language_links(request.url, locale)}<h1>{escape(gettext(TITLE))}</h1>"
            f'<p class="note">{escape(gettext(VERSION_LINE).format(version=VERSION))}</p>'
            f'{paragraphs}<p class="note">{escape(gettext(SANDBOX_NOTE))}</p>'
        )
        return html_page(locale, gettext(TITLE), body)

    return [Route(PAGE_PATH, page, methods=["GET"])]
