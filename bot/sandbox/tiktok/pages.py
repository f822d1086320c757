"""The sandbox's HTML pages: one self-contained layout, in the reader's language.

Indonesian unless `?lang=en` or the browser's Accept-Language prefers English. No external
assets, no scripts; the CSP says so, and forbids framing (a consent page must not be framed).
"""

from __future__ import annotations

from html import escape
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.config import SUPPORTED_LOCALES
from bot.i18n import DEFAULT_LOCALE, normalize_locale, translations

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}  # endonyms: never translated
# No form-action: browsers apply it to the redirect after the form, which goes to the bot.
_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f1f1f2;
color:#161823;margin:0;padding:24px 12px;line-height:1.45}
main{max-width:460px;margin:0 auto;background:#fff;border-radius:12px;padding:24px;
box-shadow:0 1px 4px rgba(0,0,0,.08)}
h1{font-size:1.25rem;margin:0 0 12px}
.brand{font-weight:700;letter-spacing:.02em;margin-bottom:16px}
.brand span{color:#fe2c55}
.note{font-size:.85rem;color:#6b6d75;background:#f8f8f8;border-radius:8px;padding:8px 10px}
fieldset{border:0;padding:0;margin:16px 0}
legend{font-weight:600;margin-bottom:8px}
label.account{display:flex;gap:10px;align-items:flex-start;border:1px solid #e3e3e4;
border-radius:8px;padding:10px;margin-bottom:8px;cursor:pointer}
label.account:hover{border-color:#fe2c55}
.handle,.hint{display:block;font-size:.85rem;color:#6b6d75}
.actions{display:flex;gap:8px;margin-top:16px}
button{flex:1;font-size:1rem;border-radius:6px;padding:10px;cursor:pointer;border:1px solid #e3e3e4;
background:#fff}
button.primary{background:#fe2c55;border-color:#fe2c55;color:#fff;font-weight:600}
.languages{font-size:.85rem;text-align:right;margin-bottom:8px}
.languages a{color:#161823}
"""


def accept_language(header: str | None) -> str:
    """The supported locale the browser likes best (q-values respected), else Indonesian."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        locale = normalize_locale(tag.strip(), default="")
        if locale and quality > 0:
            ranked.append((-quality, position, locale))
    return min(ranked)[2] if ranked else DEFAULT_LOCALE


def page_locale(request: Request, chosen: str | None = None) -> str:
    lang = chosen or request.query_params.get("lang")
    if lang in SUPPORTED_LOCALES:
        return lang
    return accept_language(request.headers.get("accept-language"))


def language_links(url: URL, locale: str) -> str:
    """Links to this page in the other languages, keeping its query."""
    query = dict(parse_qsl(url.query, keep_blank_values=True))
    links = []
    for other, name in LANGUAGE_NAMES.items():
        if other == locale:
            links.append(f"<strong>{escape(name)}</strong>")
        else:
            href = escape(f"?{urlencode({**query, 'lang': other})}")
            links.append(f'<a href="{href}" hreflang="{other}">{escape(name)}</a>')
    return f'<nav class="languages">{" · ".join(links)}</nav>'


def html_page(locale: str, title: str, body: str, *, status_code: int = 200) -> HTMLResponse:
    """`title` is plain text (escaped here); `body` is HTML the caller escaped."""
    document = (
        f'<!doctype html><html lang="{locale}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body><main>"
        '<div class="brand">TikTok <span>for Business</span></div>'
        f"{body}</main></body></html>"
    )
    return HTMLResponse(
        document,
        status_code=status_code,
        headers={"Content-Security-Policy": _CSP, "Referrer-Policy": "no-referrer"},
    )


def error_page(
    locale: str, title: str, message: str, *, hint: str | None = None, status_code: int = 400
) -> HTMLResponse:
    """`title`, `message` and `hint` are msgids, translated here with the rest of the page."""
    gettext = translations(locale).gettext
    body = f"<h1>{escape(gettext(title))}</h1><p>{escape(gettext(message))}</p>"
    if hint is not None:
        body += f'<p class="note">{escape(gettext(hint))}</p>'
    return html_page(locale, gettext(title), body, status_code=status_code)
