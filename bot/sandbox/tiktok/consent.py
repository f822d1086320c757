"""TikTok's authorization page (`/portal/auth`): pick a sandbox account, Authorize or Deny.

A form POST to the same path redirects (303) to the app's redirect_uri with `auth_code` and
`state`, or with `error=access_denied`, exactly as TikTok's portal sends the browser back.
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.i18n import N_, translations
from bot.sandbox.tiktok.pages import error_page, html_page, language_links, page_locale
from bot.sandbox.tiktok.world import ConsentRefused, World

PATH = "/portal/auth"
TITLE = N_("Authorize access to your TikTok account")
INTRO = N_("{app} wants to access your TikTok For Business account. It will be able to:")
PERMISSIONS = (
    N_("See the names and IDs of your TikTok Ads Manager accounts"),
    N_("See the business details and billing info of those accounts"),
    N_("Link your Promote account to TikTok Ads Manager"),
)
CHOOSE = N_("Choose the TikTok account to authorize")
AUTHORIZE = N_("Authorize")
DENY = N_("Deny")
SANDBOX_NOTE = N_("TikTok sandbox: these are test accounts, and nothing leaves this computer.")
REFUSED = N_("The authorization can't continue")
REFUSED_HINT = N_("Go back to the chat and ask for a new link.")


def _hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{name}" value="{escape(value)}">'


def consent_form(
    world: World, request: Request, locale: str, *, app_id: str, redirect_uri: str, state: str
) -> Response:
    gettext = translations(locale).gettext
    app = f"<strong>{escape(world.config.app_name)}</strong>"
    accounts = "".join(
        '<label class="account">'
        f'<input type="radio" name="account" value="{escape(a.key)}" required>'
        f"<span><strong>{escape(a.seed.display_name)}</strong>"
        f'<span class="handle">@{escape(a.seed.username)}</span>'
        f'<span class="hint">{escape(gettext(a.seed.description))}</span></span></label>'
        for a in world.accounts.values()
    )
    permissions = "".join(f"<li>{escape(gettext(p))}</li>" for p in PERMISSIONS)
    body = (
        f"{language_links(request.url, locale)}"
        f"<h1>{escape(gettext(TITLE))}</h1>"
        f"<p>{escape(gettext(INTRO)).format(app=app)}</p><ul>{permissions}</ul>"
        f'<form method="post" action="{PATH}">'
        f"{_hidden('app_id', app_id)}{_hidden('redirect_uri', redirect_uri)}"
        f"{_hidden('state', state)}{_hidden('lang', locale)}"
        f"<fieldset><legend>{escape(gettext(CHOOSE))}</legend>{accounts}</fieldset>"
        '<div class="actions">'
        f'<button type="submit" name="decision" value="deny" formnovalidate>'
        f"{escape(gettext(DENY))}</button>"
        f'<button class="primary" type="submit" name="decision" value="authorize">'
        f"{escape(gettext(AUTHORIZE))}</button></div></form>"
        f'<p class="note">{escape(gettext(SANDBOX_NOTE))}</p>'
    )
    return html_page(locale, gettext(TITLE), body)


def consent_routes(world: World) -> list[Route]:
    async def show(request: Request) -> Response:
        locale = page_locale(request)
        params = request.query_params
        app_id, redirect_uri = params.get("app_id", ""), params.get("redirect_uri", "")
        try:
            world.check_consent(app_id=app_id, redirect_uri=redirect_uri)
        except ConsentRefused as refused:
            return error_page(locale, REFUSED, refused.message, hint=REFUSED_HINT)
        return consent_form(
            world,
            request,
            locale,
            app_id=app_id,
            redirect_uri=redirect_uri,
            state=params.get("state", ""),
        )

    async def decide(request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
        locale = page_locale(request, form.get("lang"))
        try:
            location = world.decide(
                app_id=form.get("app_id", ""),
                redirect_uri=form.get("redirect_uri", ""),
                state=form.get("state", ""),
                account_key=form.get("account", ""),
                decision=form.get("decision", ""),
            )
        except ConsentRefused as refused:
            return error_page(locale, REFUSED, refused.message, hint=REFUSED_HINT)
        return RedirectResponse(location, status_code=303)

    return [Route(PATH, show, methods=["GET"]), Route(PATH, decide, methods=["POST"])]
