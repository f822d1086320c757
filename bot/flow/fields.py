"""The business details and billing info collected, one field at a time, for a new Ads Manager
account; their specs, validators and how a stored value is shown on the review. No I/O.

Texts are msgids marked with `N_()`; the renderer translates them and fills the placeholders with
`gettext(msgid).format(**params)`, escaping the params. Nothing a user typed is ever put inside a
msgid: it only travels in `Invalid.params`.

Stored values (`Valid.value`):
- free text: trimmed, runs of whitespace (line breaks included) collapsed to one space;
- a choice field (`industry`, `timezone`, `province`): the chosen `Choice.key`; for `province` the
  key is the official province name, so the stored value is that name;
- `postal_code`: 5 digits; `npwp`: 15 or 16 digits, nothing else (a 15-digit NPWP is kept as
  given, not padded to 16: for individuals the 16-digit NPWP is the NIK, not derived from it);
- `billing_email`: the local part as typed, the domain lower-cased;
- `contact_phone`: E.164, `+62` and 8 to 12 digits;
- `website` (the optional field): an `http(s)://` URL, `https://` added when missing, the host
  lower-cased; `""` when skipped;
- fixed fields: `registered_area` is always `"ID"`, `currency` always `"IDR"`.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from bot.flow import regions
from bot.i18n import N_

__all__ = [
    "ASKED",
    "FIELDS",
    "REASONS",
    "SECTION_LABELS",
    "SKIP_WORDS",
    "Choice",
    "FieldSpec",
    "Invalid",
    "Valid",
    "display_is_msgid",
    "display_value",
    "field",
    "mask_npwp",
    "msgids",
    "normalize_phone",
    "validate",
]

Section = Literal["business", "billing"]


@dataclass(frozen=True)
class Choice:
    key: str
    label: str  # msgid


@dataclass(frozen=True)
class FieldSpec:
    key: str
    section: Section
    label: str  # msgid, short: the review and the edit buttons use it
    prompt: str  # msgid asking for the value; may use {example}
    example: str  # a valid value, shown as is (not translated)
    optional: bool = False
    choices: tuple[Choice, ...] = ()  # shown as buttons; free text matching a choice is accepted
    fixed: str | None = None  # a value that is not asked
    immutable: bool = False  # can't be changed once the account exists
    default: str | None = None  # the suggested choice (timezone: WIB)


@dataclass(frozen=True)
class Valid:
    value: str


@dataclass(frozen=True)
class Invalid:
    reason: str  # msgid saying what is wrong; its placeholders are all in params
    params: Mapping[str, object]  # always has "example"


SECTION_LABELS: Mapping[Section, str] = {
    # NOTE: Title of the first group of fields on the review, as in TikTok's own wording.
    "business": N_("Business details"),
    # NOTE: Title of the second group of fields on the review, as in TikTok's own wording.
    "billing": N_("Billing information"),
}

# What an optional field accepts, besides an empty message, as "nothing to give".
SKIP_WORDS = frozenset({"-", "–", "—"})

# --- reasons ---------------------------------------------------------------------------------
# Each reason says what is wrong; the renderer adds the field's example after it.

REQUIRED = N_("This detail is required, so it can't be left empty.")
# NOTE: {limit} is the maximum number of characters, {length} how many the user sent.
TOO_LONG = N_("That is too long: at most {limit} characters are allowed, and yours has {length}.")
NEEDS_LETTER_OR_DIGIT = N_("That has no letters or digits in it.")
NEEDS_LETTER = N_("A name must contain at least one letter.")
# NOTE: {value} is the fixed value, e.g. "Indonesia" or "IDR".
FIXED = N_("This detail is always {value} and can't be changed.")
# NOTE: "Other" is the label of the last industry button.
INDUSTRY_UNKNOWN = N_(
    "That is not one of the industries in the list. Please tap a button; if none fits, "
    "choose Other."
)
TIMEZONE_UNKNOWN = N_("That is not one of Indonesia's time zones. Please tap WIB, WITA or WIT.")
PROVINCE_UNKNOWN = N_(
    "That is not one of Indonesia's 38 provinces. Please check the spelling or tap a button."
)
# NOTE: {suggestion} is the official name of a province, e.g. "Jawa Barat".
PROVINCE_SUGGEST = N_("That is not one of Indonesia's 38 provinces. Did you mean {suggestion}?")
# NOTE: {matches} is a comma-separated list of official province names.
PROVINCE_AMBIGUOUS = N_(
    "That matches more than one province: {matches}. Please send the full name or tap a button."
)
POSTAL_NOT_DIGITS = N_("A postal code has digits only; yours has other characters in it.")
# NOTE: {length} is the number of digits the user sent.
POSTAL_LENGTH = N_("The postal code must be exactly 5 digits; you sent {length}.")
POSTAL_ZERO = N_("Indonesian postal codes don't start with 0.")
NPWP_NOT_DIGITS = N_("An NPWP may contain only digits, spaces, dots and dashes.")
# NOTE: {count} is the number of digits the user sent.
NPWP_LENGTH = N_("An NPWP has 15 or 16 digits; yours has {count}.")
NPWP_ZEROS = N_("An NPWP can't be all zeros. Please send the number on your tax registration.")
EMAIL_NO_AT = N_("An email address needs an @ between the name and the domain.")
# NOTE: {count} is how many @ signs the user sent (2 or more).
EMAIL_MANY_AT = N_("An email address has exactly one @; yours has {count}.")
EMAIL_SPACES = N_("An email address can't contain spaces.")
EMAIL_LOCAL = N_("The part before the @ is not valid in an email address.")
EMAIL_DOMAIN = N_(
    "The part after the @ must be a domain name, such as gmail.com or yourcompany.co.id."
)
PHONE_CHARACTERS = N_(
    "A phone number may contain only digits, spaces, dashes, dots, brackets and a + at the start."
)
PHONE_NOT_INDONESIAN = N_("Only Indonesian phone numbers (+62) are accepted.")
# NOTE: {count} is the number of digits after +62 (or after the leading 0) that the user sent.
PHONE_LENGTH = N_(
    "An Indonesian phone number has 8 to 12 digits after +62 or the leading 0; yours has {count}."
)
PHONE_START = N_(
    "After +62 or the leading 0, an Indonesian phone number starts with a digit from 2 to 9."
)
WEBSITE_SCHEME = N_("A website address must start with http:// or https://.")
WEBSITE_SPACES = N_("A website address can't contain spaces.")
WEBSITE_INVALID = N_("That doesn't look like a website address.")

REASONS: tuple[str, ...] = (
    REQUIRED,
    TOO_LONG,
    NEEDS_LETTER_OR_DIGIT,
    NEEDS_LETTER,
    FIXED,
    INDUSTRY_UNKNOWN,
    TIMEZONE_UNKNOWN,
    PROVINCE_UNKNOWN,
    PROVINCE_SUGGEST,
    PROVINCE_AMBIGUOUS,
    POSTAL_NOT_DIGITS,
    POSTAL_LENGTH,
    POSTAL_ZERO,
    NPWP_NOT_DIGITS,
    NPWP_LENGTH,
    NPWP_ZEROS,
    EMAIL_NO_AT,
    EMAIL_MANY_AT,
    EMAIL_SPACES,
    EMAIL_LOCAL,
    EMAIL_DOMAIN,
    PHONE_CHARACTERS,
    PHONE_NOT_INDONESIAN,
    PHONE_LENGTH,
    PHONE_START,
    WEBSITE_SCHEME,
    WEBSITE_SPACES,
    WEBSITE_INVALID,
)

# Shown on the review for values that are not the user's own text.
# NOTE: On the review, for an optional detail the user skipped.
NOT_PROVIDED = N_("Not provided")
INDONESIA = N_("Indonesia")
IDR = N_("IDR (Indonesian rupiah)")

# --- the fields ------------------------------------------------------------------------------

_INDUSTRY_CHOICES = tuple(Choice(i.key, i.label) for i in regions.INDUSTRIES)
_TIMEZONE_CHOICES = tuple(Choice(z.key, z.label) for z in regions.TIMEZONES)
_PROVINCE_CHOICES = tuple(Choice(p.name, p.name) for p in regions.PROVINCES)

FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        key="business_name",
        section="business",
        label=N_("Business name"),
        # NOTE: {example} is a sample business name. The ⚠️ line is TikTok's rule.
        prompt=N_(
            "What is your <b>business name</b>? It becomes the name of your TikTok Ads Manager "
            "account (up to 100 characters).\n"
            "\n"
            "⚠️ It can't be changed after the account is created.\n"
            "\n"
            "Example: <code>{example}</code>"
        ),
        example="Batik Sekar Ayu",
        immutable=True,
    ),
    FieldSpec(
        key="industry",
        section="business",
        label=N_("Industry"),
        prompt=N_("Which <b>industry</b> is your business in? Tap the one that fits best."),
        example="E-commerce",
        choices=_INDUSTRY_CHOICES,
    ),
    FieldSpec(
        key="website",
        section="business",
        label=N_("Website"),
        # NOTE: {example} is a sample web address. This detail is optional and can be skipped.
        prompt=N_(
            "What is your business's <b>website</b>? This is optional: you can skip it if you "
            "don't have one.\n"
            "\n"
            "Example: <code>{example}</code>"
        ),
        example="https://batiksekarayu.co.id",
        optional=True,
    ),
    FieldSpec(
        key="registered_area",
        section="business",
        label=N_("Registered region"),
        # NOTE: Not a question: the region is always Indonesia for this bot.
        prompt=N_(
            "Your account's <b>registered region</b> is Indonesia. It can't be changed after the "
            "account is created."
        ),
        example="ID",
        fixed="ID",
        immutable=True,
    ),
    FieldSpec(
        key="timezone",
        section="business",
        label=N_("Time zone"),
        # NOTE: WIB, WITA and WIT are Indonesia's three time zones; the buttons name them.
        prompt=N_(
            "Which <b>time zone</b> should the account use? Your ad reports and schedules follow "
            "it. Most businesses in Java and Sumatra use WIB.\n"
            "\n"
            "⚠️ It can't be changed after the account is created."
        ),
        example="WIB",
        choices=_TIMEZONE_CHOICES,
        immutable=True,
        default=regions.DEFAULT_TIMEZONE,
    ),
    FieldSpec(
        key="currency",
        section="business",
        label=N_("Currency"),
        # NOTE: Not a question: the currency is always IDR for this bot.
        prompt=N_(
            "Your account's <b>currency</b> is IDR (Indonesian rupiah). It can't be changed after "
            "the account is created."
        ),
        example="IDR",
        fixed="IDR",
        immutable=True,
    ),
    FieldSpec(
        key="company_legal_name",
        section="billing",
        label=N_("Company legal name"),
        # NOTE: {example} is a sample company name (PT = perseroan terbatas).
        prompt=N_(
            "What is your company's <b>legal name</b>, as registered (for example on your NPWP)? "
            "It appears on your invoices.\n"
            "\n"
            "Example: <code>{example}</code>"
        ),
        example="PT Batik Sekar Ayu Nusantara",
    ),
    FieldSpec(
        key="street",
        section="billing",
        label=N_("Street address"),
        # NOTE: {example} is a sample street address. RT/RW and kelurahan are Indonesian address
        # parts; keep them as they are.
        prompt=N_(
            "What is the <b>street address</b> for billing? Include the street and number and, if "
            "you have them, RT/RW and kelurahan.\n"
            "\n"
            "Example: <code>{example}</code>"
        ),
        example="Jl. Braga No. 12, RT 03/RW 05, Braga",
    ),
    FieldSpec(
        key="city",
        section="billing",
        label=N_("City or regency"),
        # NOTE: {example} is a sample city. Regency = kabupaten.
        prompt=N_(
            "In which <b>city or regency</b> (kota/kabupaten) is the billing address?\n"
            "\n"
            "Example: <code>{example}</code>"
        ),
        example="Bandung",
    ),
    FieldSpec(
        key="province",
        section="billing",
        label=N_("Province"),
        # NOTE: {example} is a sample province name.
        prompt=N_(
            "In which <b>province</b> is the billing address? Type its name or tap a button.\n"
            "\n"
            "Example: <code>{example}</code>"
        ),
        example="Jawa Barat",
        choices=_PROVINCE_CHOICES,
    ),
    FieldSpec(
        key="postal_code",
        section="billing",
        label=N_("Postal code"),
        # NOTE: {example} is a sample postal code.
        prompt=N_(
            "What is the <b>postal code</b> of the billing address? It has 5 digits.\n"
            "\n"
            "Example: <code>{example}</code>"
        ),
        example="40111",
    ),
    FieldSpec(
        key="npwp",
        section="billing",
        label=N_("NPWP (tax ID)"),
        # NOTE: NPWP = Nomor Pokok Wajib Pajak. {example} is a sample 16-digit NPWP.
        prompt=N_(
            "What is your business's <b>NPWP</b> (tax ID number)? Send the 16-digit NPWP, or the "
            "older 15-digit one; spaces, dots and dashes are fine. After this we only show its "
            "last 4 digits.\n"
            "\n"
            "Example: <code>{example}</code>"
        ),
        example="0312345678901000",
    ),
    FieldSpec(
        key="billing_email",
        section="billing",
        label=N_("Billing email"),
        # NOTE: {example} is a sample email address.
        prompt=N_(
            "Which <b>email address</b> should receive invoices and billing messages?\n"
            "\n"
            "Example: <code>{example}</code>"
        ),
        example="keuangan@batiksekarayu.co.id",
    ),
    FieldSpec(
        key="contact_name",
        section="billing",
        label=N_("Contact name"),
        # NOTE: {example} is a sample person's name.
        prompt=N_(
            "Who is the <b>contact person</b> for this account? Send their full name.\n"
            "\n"
            "Example: <code>{example}</code>"
        ),
        example="Sekar Ayu Lestari",
    ),
    FieldSpec(
        key="contact_phone",
        section="billing",
        label=N_("Contact phone"),
        # NOTE: {example} is a sample Indonesian mobile number.
        prompt=N_(
            "What is the contact person's <b>phone number</b>? Send an Indonesian number, with +62 "
            "or starting with 0.\n"
            "\n"
            "Example: <code>{example}</code>"
        ),
        example="0812-3456-7890",
    ),
)

ASKED: tuple[FieldSpec, ...] = tuple(spec for spec in FIELDS if spec.fixed is None)

_BY_KEY: dict[str, FieldSpec] = {spec.key: spec for spec in FIELDS}


def field(key: str) -> FieldSpec:
    """The spec for `key`; KeyError for a key that is not a field (a programming error)."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"no such field: {key!r}") from None


# --- helpers ---------------------------------------------------------------------------------


def _clean(raw: object) -> str:
    """Trimmed, control characters dropped, every run of whitespace made one space."""
    if not isinstance(raw, str):
        return ""
    kept = "".join(ch for ch in raw if ch.isspace() or unicodedata.category(ch) != "Cc")
    return " ".join(kept.split())


def _invalid(spec: FieldSpec, reason: str, **params: object) -> Invalid:
    return Invalid(reason=reason, params={**params, "example": spec.example})


def _length_error(spec: FieldSpec, text: str, limit: int) -> Invalid | None:
    if len(text) > limit:
        return _invalid(spec, TOO_LONG, limit=limit, length=len(text))
    return None


def _text(limit: int, *, need_letter: bool) -> Callable[[FieldSpec, str], Valid | Invalid]:
    def check(spec: FieldSpec, text: str) -> Valid | Invalid:
        too_long = _length_error(spec, text, limit)
        if too_long is not None:
            return too_long
        if need_letter and not any(ch.isalpha() for ch in text):
            return _invalid(spec, NEEDS_LETTER)
        if not any(ch.isalnum() for ch in text):
            return _invalid(spec, NEEDS_LETTER_OR_DIGIT)
        return Valid(text)

    return check


def _ascii_digits(text: str) -> str:
    """Full-width and other compatibility digits made ASCII (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def _industry(spec: FieldSpec, text: str) -> Valid | Invalid:
    found = regions.match_industry(text)
    return Valid(found.key) if found else _invalid(spec, INDUSTRY_UNKNOWN)


def _timezone(spec: FieldSpec, text: str) -> Valid | Invalid:
    found = regions.match_timezone(text)
    return Valid(found.key) if found else _invalid(spec, TIMEZONE_UNKNOWN)


def _province(spec: FieldSpec, text: str) -> Valid | Invalid:
    match = regions.match_province(text)
    if match.province is not None:
        return Valid(match.province.name)
    if match.candidates:
        names = ", ".join(p.name for p in match.candidates)
        return _invalid(spec, PROVINCE_AMBIGUOUS, matches=names)
    if match.suggestion is not None:
        return _invalid(spec, PROVINCE_SUGGEST, suggestion=match.suggestion.name)
    return _invalid(spec, PROVINCE_UNKNOWN)


def _postal_code(spec: FieldSpec, text: str) -> Valid | Invalid:
    code = _ascii_digits(text).replace(" ", "")
    if not re.fullmatch(r"[0-9]+", code):
        return _invalid(spec, POSTAL_NOT_DIGITS)
    if len(code) != 5:
        return _invalid(spec, POSTAL_LENGTH, length=len(code))
    if code[0] == "0":
        return _invalid(spec, POSTAL_ZERO)
    return Valid(code)


_NPWP_SEPARATORS = re.compile(r"[\s.\-‐‑–—]")


def _npwp(spec: FieldSpec, text: str) -> Valid | Invalid:
    digits = _NPWP_SEPARATORS.sub("", _ascii_digits(text))
    if not re.fullmatch(r"[0-9]*", digits):
        return _invalid(spec, NPWP_NOT_DIGITS)
    if len(digits) not in (15, 16):
        return _invalid(spec, NPWP_LENGTH, count=len(digits))
    if set(digits) == {"0"}:
        return _invalid(spec, NPWP_ZEROS)
    return Valid(digits)


_EMAIL_LOCAL_CHARS = set(string.ascii_letters + string.digits + "!#$%&'*+/=?^_`{|}~-.")
_DOMAIN_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_TOP_LEVEL = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")


def _is_domain(host: str) -> bool:
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2:
        return False
    return all(_DOMAIN_LABEL.fullmatch(label) for label in labels) and bool(
        _TOP_LEVEL.fullmatch(labels[-1])
    )


def _email(spec: FieldSpec, text: str) -> Valid | Invalid:
    if text[:7].lower() == "mailto:":
        text = text[7:].strip()
    too_long = _length_error(spec, text, 254)
    if too_long is not None:
        return too_long
    if " " in text:
        return _invalid(spec, EMAIL_SPACES)
    count = text.count("@")
    if count == 0:
        return _invalid(spec, EMAIL_NO_AT)
    if count > 1:
        return _invalid(spec, EMAIL_MANY_AT, count=count)
    local, domain = text.split("@")
    if (
        not local
        or len(local) > 64
        or not set(local) <= _EMAIL_LOCAL_CHARS
        or local.startswith(".")
        or local.endswith(".")
        or ".." in local
    ):
        return _invalid(spec, EMAIL_LOCAL)
    domain = domain.lower().rstrip(".")
    if not _is_domain(domain):
        return _invalid(spec, EMAIL_DOMAIN)
    return Valid(f"{local}@{domain}")


_PHONE_SEPARATORS = re.compile(r"[\s.\-‐‑–—()/]")


def _phone_digits(raw: str) -> tuple[str | None, str | None, int]:
    """(national significant number, None, 0) or (None, reason, digit count)."""
    text = _PHONE_SEPARATORS.sub("", _ascii_digits(raw))
    plus = text.startswith("+")
    body = text[1:] if plus else text
    if not re.fullmatch(r"[0-9]+", body):
        return None, PHONE_CHARACTERS, 0
    if plus or body.startswith("00"):
        body = body if plus else body[2:]
        if not body.startswith("62"):
            return None, PHONE_NOT_INDONESIAN, 0
        national = body[2:]
    elif body.startswith("62"):
        national = body[2:]
    else:
        national = body
    # "0812…" and the common "+62 0812…" both carry a trunk 0 that E.164 drops.
    if national.startswith("0"):
        national = national[1:]
    if not 8 <= len(national) <= 12:
        return None, PHONE_LENGTH, len(national)
    if national[0] not in "23456789":
        return None, PHONE_START, 0
    return national, None, 0


def normalize_phone(raw: str) -> str | None:
    """An Indonesian number in E.164 (`+62` and 8 to 12 digits), or None if it is not one.

    Accepts `0812-3456-7890`, `+62 812 3456 7890`, `62812…`, `0062…`, `812…` and landlines such
    as `(021) 5555-1234`; spaces, dashes, dots, slashes and brackets are ignored. A leading `62`
    is always read as the country code, and a trunk 0 after it (`+62 0812…`) is dropped.
    """
    national, _, _ = _phone_digits(_clean(raw))
    return None if national is None else f"+62{national}"


def _contact_phone(spec: FieldSpec, text: str) -> Valid | Invalid:
    national, reason, count = _phone_digits(text)
    if national is not None:
        return Valid(f"+62{national}")
    assert reason is not None
    if reason == PHONE_LENGTH:
        return _invalid(spec, reason, count=count)
    return _invalid(spec, reason)


def _website(spec: FieldSpec, text: str) -> Valid | Invalid:
    too_long = _length_error(spec, text, 255)
    if too_long is not None:
        return too_long
    if " " in text:
        return _invalid(spec, WEBSITE_SPACES)
    candidate = text if "://" in text else f"https://{text}"
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError:
        return _invalid(spec, WEBSITE_INVALID)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        return _invalid(spec, WEBSITE_SCHEME)
    host = (parts.hostname or "").rstrip(".")
    if "@" in parts.netloc or not _is_domain(host):
        return _invalid(spec, WEBSITE_INVALID)
    netloc = host if port is None else f"{host}:{port}"
    path = "" if parts.path == "/" else parts.path
    url = urlunsplit((scheme, netloc, path, parts.query, parts.fragment))
    return _length_error(spec, url, 255) or Valid(url)


_VALIDATORS: dict[str, Callable[[FieldSpec, str], Valid | Invalid]] = {
    "business_name": _text(100, need_letter=False),
    "industry": _industry,
    "website": _website,
    "timezone": _timezone,
    "company_legal_name": _text(255, need_letter=False),
    "street": _text(255, need_letter=False),
    "city": _text(100, need_letter=True),
    "province": _province,
    "postal_code": _postal_code,
    "npwp": _npwp,
    "billing_email": _email,
    "contact_name": _text(100, need_letter=True),
    "contact_phone": _contact_phone,
}

_FIXED_DISPLAY = {"registered_area": INDONESIA, "currency": IDR}
# The same in every language, so safe as an (untranslated) parameter of FIXED.
_FIXED_SHOWN = {"registered_area": "Indonesia", "currency": "IDR"}


def validate(key: str, raw: str) -> Valid | Invalid:
    """Check and normalize what the user sent for field `key`; never raises on user input.

    `raw` is trimmed and its whitespace collapsed first. A choice field accepts a choice's key
    (what a button sends) or free text matching its key, its English label or a known alias
    (Indonesian words, abbreviations). An optional field given "" (or "-") is Valid(""), i.e.
    skipped. A fixed field accepts "" or its own value and returns the fixed value. Only an
    unknown `key` raises (KeyError): that is a programming error, not user input.
    """
    spec = field(key)
    text = _clean(raw)
    if spec.fixed is not None:
        allowed = {"", regions.compact(spec.fixed), regions.compact(_FIXED_DISPLAY[key])}
        if regions.compact(text) in allowed:
            return Valid(spec.fixed)
        return _invalid(spec, FIXED, value=_FIXED_SHOWN[key])
    if not text or (spec.optional and text in SKIP_WORDS):
        return Valid("") if spec.optional else _invalid(spec, REQUIRED)
    return _VALIDATORS[key](spec, text)


def mask_npwp(digits: str) -> str:
    """The NPWP with every digit but the last 4 replaced by "•", keeping its length.

    "0312345678901000" → "••••••••••••1000". The length stays visible, so the user can tell a
    15-digit NPWP from a 16-digit one, and no separators are invented for the 16-digit format
    (which has none). Anything that is not a digit is dropped first; with fewer than 8 digits
    everything is masked, so a short value never shows most of itself.
    """
    only = "".join(ch for ch in str(digits) if ch in string.digits)
    if len(only) < 8:
        return "•" * len(only)
    return "•" * (len(only) - 4) + only[-4:]


def _display_phone(value: str) -> str:
    """`+6281234567890` → `+62 812-3456-7890`; other numbers as stored."""
    national = value.removeprefix("+62")
    if value.startswith("+628") and 9 <= len(national) <= 12:
        return f"+62 {national[:3]}-{national[3:7]}-{national[7:]}"
    return value


def display_value(key: str, value: str) -> str:
    """How a stored value appears on the review, before translation.

    A choice field (industry, timezone, province) returns the chosen choice's label msgid, and a
    fixed field returns its display msgid ("Indonesia", "IDR (Indonesian rupiah)"); a skipped
    optional field returns the msgid "Not provided". Those must be translated by the renderer
    (`display_is_msgid` tells which). Everything else is the user's own text, shown as is (and
    escaped): the NPWP masked by `mask_npwp`, the phone grouped as `+62 812-3456-7890`.
    An unknown choice value (from an older version) is shown as stored.
    """
    spec = field(key)
    if spec.fixed is not None:
        return _FIXED_DISPLAY[key]
    if spec.optional and not value:
        return NOT_PROVIDED
    for choice in spec.choices:
        if choice.key == value:
            return choice.label
    if key == "npwp":
        return mask_npwp(value)
    if key == "contact_phone":
        return _display_phone(value)
    return value


def display_is_msgid(key: str, value: str) -> bool:
    """True when `display_value(key, value)` is a msgid to translate, not text to show as is."""
    spec = field(key)
    if spec.fixed is not None or (spec.optional and not value):
        return True
    return any(choice.key == value for choice in spec.choices)


def msgids() -> tuple[str, ...]:
    """Every msgid this module and `regions` can put on screen, without duplicates, in order."""
    found: list[str] = [*SECTION_LABELS.values()]
    for spec in FIELDS:
        found += [spec.label, spec.prompt, *(choice.label for choice in spec.choices)]
    found += [*REASONS, NOT_PROVIDED, *_FIXED_DISPLAY.values()]
    return tuple(dict.fromkeys(found))
