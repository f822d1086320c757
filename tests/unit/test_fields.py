"""Field specs, validators and display of the new-account details (bot/flow/fields.py)."""

from __future__ import annotations

import re
import string

import pytest

from bot.flow import fields, regions
from bot.flow.fields import (
    ASKED,
    FIELDS,
    REASONS,
    Invalid,
    Valid,
    display_is_msgid,
    display_value,
    field,
    mask_npwp,
    normalize_phone,
    validate,
)

_FORMATTER = string.Formatter()


def placeholders(msgid: str) -> set[str]:
    return {name for _, name, _, _ in _FORMATTER.parse(msgid) if name is not None}


def check_invalid(key: str, raw: object, reason: str) -> Invalid:
    result = validate(key, raw)  # type: ignore[arg-type]
    assert isinstance(result, Invalid), (key, raw, result)
    assert result.reason == reason, (key, raw, result)
    assert "example" in result.params
    assert result.params["example"] == field(key).example
    assert placeholders(result.reason) <= set(result.params)
    result.reason.format(**result.params)
    return result


def check_valid(key: str, raw: str, expected: str) -> None:
    assert validate(key, raw) == Valid(expected), (key, raw)


# --- the specs -------------------------------------------------------------------------------


def test_asked_order_and_count() -> None:
    assert [spec.key for spec in ASKED] == [
        "business_name",
        "industry",
        "website",
        "timezone",
        "company_legal_name",
        "street",
        "city",
        "province",
        "postal_code",
        "npwp",
        "billing_email",
        "contact_name",
        "contact_phone",
    ]
    assert len(ASKED) == 13
    assert all(spec.fixed is None for spec in ASKED)


def test_fields_include_the_fixed_ones_in_order() -> None:
    keys = [spec.key for spec in FIELDS]
    assert keys[:6] == [
        "business_name",
        "industry",
        "website",
        "registered_area",
        "timezone",
        "currency",
    ]
    assert len(keys) == len(set(keys)) == 15
    assert [s.key for s in FIELDS if s.fixed is not None] == ["registered_area", "currency"]
    assert field("registered_area").fixed == "ID"
    assert field("currency").fixed == "IDR"
    assert {s.section for s in FIELDS[:6]} == {"business"}
    assert {s.section for s in FIELDS[6:]} == {"billing"}


def test_immutable_fields_are_exactly_tiktoks_four() -> None:
    immutable = {spec.key for spec in FIELDS if spec.immutable}
    assert immutable == {"business_name", "registered_area", "timezone", "currency"}


def test_only_the_website_is_optional() -> None:
    assert [spec.key for spec in FIELDS if spec.optional] == ["website"]


def test_unknown_field_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        field("nope")
    with pytest.raises(KeyError):
        validate("nope", "x")


@pytest.mark.parametrize("spec", FIELDS, ids=lambda spec: spec.key)
def test_each_spec_example_validates(spec: fields.FieldSpec) -> None:
    result = validate(spec.key, spec.example)
    assert isinstance(result, Valid), result
    # The normalized example is itself stable.
    assert validate(spec.key, result.value) == result


@pytest.mark.parametrize("spec", FIELDS, ids=lambda spec: spec.key)
def test_labels_are_short_and_prompts_format(spec: fields.FieldSpec) -> None:
    assert 0 < len(spec.label) <= 24
    assert placeholders(spec.label) == set()
    assert placeholders(spec.prompt) <= {"example"}
    spec.prompt.format(example=spec.example)
    for choice in spec.choices:
        assert placeholders(choice.label) == set()


@pytest.mark.parametrize("spec", [s for s in FIELDS if s.choices], ids=lambda s: s.key)
def test_every_choice_key_and_label_validates_to_the_key(spec: fields.FieldSpec) -> None:
    keys = [choice.key for choice in spec.choices]
    assert len(keys) == len(set(keys))
    for choice in spec.choices:
        check_valid(spec.key, choice.key, choice.key)
        check_valid(spec.key, choice.label.upper(), choice.key)


def test_timezone_defaults_to_wib_listed_first() -> None:
    spec = field("timezone")
    assert spec.default == "Asia/Jakarta"
    assert [c.key for c in spec.choices] == ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"]


def test_industries_have_stable_keys() -> None:
    assert [c.key for c in field("industry").choices] == [
        "ecommerce",
        "fashion",
        "food_beverage",
        "beauty",
        "education",
        "travel",
        "games",
        "finance",
        "health",
        "property",
        "automotive",
        "other",
    ]


# --- msgids ----------------------------------------------------------------------------------

_TAG = re.compile(r"</?(b|i|code)>")


@pytest.mark.parametrize("msgid", fields.msgids())
def test_msgids_are_safe_telegram_html(msgid: str) -> None:
    bare = _TAG.sub("", msgid)
    assert "<" not in bare
    assert ">" not in bare
    assert "&" not in bare
    for tag in ("b", "i", "code"):
        assert msgid.count(f"<{tag}>") == msgid.count(f"</{tag}>")
    assert msgid == msgid.strip()


def test_msgids_cover_every_label_prompt_reason_and_choice() -> None:
    ids = set(fields.msgids())
    assert set(REASONS) <= ids
    assert set(fields.SECTION_LABELS.values()) <= ids
    for spec in FIELDS:
        assert {spec.label, spec.prompt, *(c.label for c in spec.choices)} <= ids
    assert {p.name for p in regions.PROVINCES} <= ids


# --- free text -------------------------------------------------------------------------------


def test_business_name() -> None:
    check_valid("business_name", "  Batik   Sekar\nAyu  ", "Batik Sekar Ayu")
    check_valid("business_name", "7-Eleven", "7-Eleven")
    check_valid("business_name", "x" * 100, "x" * 100)
    check_invalid("business_name", "", fields.REQUIRED)
    check_invalid("business_name", " \n\t ", fields.REQUIRED)
    check_invalid("business_name", "...", fields.NEEDS_LETTER_OR_DIGIT)
    too_long = check_invalid("business_name", "x" * 101, fields.TOO_LONG)
    assert too_long.params["limit"] == 100
    assert too_long.params["length"] == 101


def test_control_characters_are_dropped() -> None:
    check_valid("business_name", "Batik\x00 Sekar\x07", "Batik Sekar")


@pytest.mark.parametrize(
    ("key", "limit"),
    [("company_legal_name", 255), ("street", 255), ("city", 100), ("contact_name", 100)],
)
def test_text_limits(key: str, limit: int) -> None:
    check_valid(key, "a" * limit, "a" * limit)
    result = check_invalid(key, "a" * (limit + 1), fields.TOO_LONG)
    assert result.params["limit"] == limit
    assert result.params["length"] == limit + 1
    check_invalid(key, "", fields.REQUIRED)


def test_names_need_a_letter() -> None:
    check_valid("contact_name", "Sekar Ayu Lestari", "Sekar Ayu Lestari")
    check_valid("city", "Kota Bandung", "Kota Bandung")
    check_invalid("contact_name", "12345", fields.NEEDS_LETTER)
    check_invalid("city", "???", fields.NEEDS_LETTER)
    check_valid("street", "Jl. Braga No. 12", "Jl. Braga No. 12")
    check_invalid("street", "-- / --", fields.NEEDS_LETTER_OR_DIGIT)
    check_valid("company_legal_name", "PT Batik Sekar Ayu", "PT Batik Sekar Ayu")


# --- choices ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ecommerce", "ecommerce"),
        ("E-Commerce", "ecommerce"),
        ("toko online", "ecommerce"),
        ("Fesyen", "fashion"),
        ("Food and beverage", "food_beverage"),
        ("F&B", "food_beverage"),
        ("Kuliner", "food_beverage"),
        ("kecantikan", "beauty"),
        ("Pendidikan", "education"),
        ("Perjalanan dan pariwisata", "travel"),
        ("gim", "games"),
        ("Layanan keuangan", "finance"),
        ("kesehatan", "health"),
        ("Properti", "property"),
        ("Otomotif", "automotive"),
        ("Lainnya", "other"),
        ("food_beverage", "food_beverage"),
    ],
)
def test_industry_free_text(raw: str, expected: str) -> None:
    check_valid("industry", raw, expected)


def test_industry_unknown() -> None:
    check_invalid("industry", "pertambangan", fields.INDUSTRY_UNKNOWN)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Asia/Jakarta", "Asia/Jakarta"),
        ("wib", "Asia/Jakarta"),
        ("UTC+7", "Asia/Jakarta"),
        ("GMT +07:00", "Asia/Jakarta"),
        ("Waktu Indonesia Barat", "Asia/Jakarta"),
        ("WITA", "Asia/Makassar"),
        ("+8", "Asia/Makassar"),
        ("Makassar", "Asia/Makassar"),
        ("WIT", "Asia/Jayapura"),
        ("utc+9", "Asia/Jayapura"),
        ("Waktu Indonesia Timur", "Asia/Jayapura"),
        ("WIB (UTC+7), Indonesia bagian barat", "Asia/Jakarta"),
        ("WITA (UTC+8), Indonesia bagian tengah", "Asia/Makassar"),
        ("wit - indonesia timur", "Asia/Jayapura"),
    ],
)
def test_timezone_free_text(raw: str, expected: str) -> None:
    check_valid("timezone", raw, expected)


def test_timezone_unknown() -> None:
    check_invalid("timezone", "Asia/Singapore", fields.TIMEZONE_UNKNOWN)
    check_invalid("timezone", "UTC+10", fields.TIMEZONE_UNKNOWN)
    check_invalid("timezone", "witb", fields.TIMEZONE_UNKNOWN)
    check_invalid("timezone", "waktu", fields.TIMEZONE_UNKNOWN)


# --- provinces -------------------------------------------------------------------------------

_OFFICIAL = [
    "Aceh",
    "Sumatera Utara",
    "Sumatera Barat",
    "Riau",
    "Kepulauan Riau",
    "Jambi",
    "Bengkulu",
    "Sumatera Selatan",
    "Kepulauan Bangka Belitung",
    "Lampung",
    "DKI Jakarta",
    "Jawa Barat",
    "Banten",
    "Jawa Tengah",
    "Daerah Istimewa Yogyakarta",
    "Jawa Timur",
    "Bali",
    "Nusa Tenggara Barat",
    "Nusa Tenggara Timur",
    "Kalimantan Barat",
    "Kalimantan Tengah",
    "Kalimantan Selatan",
    "Kalimantan Timur",
    "Kalimantan Utara",
    "Sulawesi Utara",
    "Gorontalo",
    "Sulawesi Tengah",
    "Sulawesi Barat",
    "Sulawesi Selatan",
    "Sulawesi Tenggara",
    "Maluku",
    "Maluku Utara",
    "Papua",
    "Papua Barat",
    "Papua Barat Daya",
    "Papua Tengah",
    "Papua Pegunungan",
    "Papua Selatan",
]


def test_all_38_provinces_exactly_once() -> None:
    names = [p.name for p in regions.PROVINCES]
    assert len(names) == 38
    assert sorted(names) == sorted(_OFFICIAL)
    assert len({p.iso for p in regions.PROVINCES}) == 38
    assert [c.key for c in field("province").choices] == names
    assert all(c.key == c.label for c in field("province").choices)


@pytest.mark.parametrize("name", _OFFICIAL)
def test_each_official_name_is_accepted_in_any_case(name: str) -> None:
    check_valid("province", name, name)
    check_valid("province", name.lower(), name)
    check_valid("province", f"Provinsi {name.upper()}", name)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("DKI Jakarta", "DKI Jakarta"),
        ("Jakarta", "DKI Jakarta"),
        ("dki", "DKI Jakarta"),
        ("Daerah Khusus Ibukota Jakarta", "DKI Jakarta"),
        ("DIY", "Daerah Istimewa Yogyakarta"),
        ("D.I. Yogyakarta", "Daerah Istimewa Yogyakarta"),
        ("Yogyakarta", "Daerah Istimewa Yogyakarta"),
        ("jogja", "Daerah Istimewa Yogyakarta"),
        ("Jabar", "Jawa Barat"),
        ("West Java", "Jawa Barat"),
        ("Prov. Jawa Barat", "Jawa Barat"),
        ("jawa-barat", "Jawa Barat"),
        ("Jateng", "Jawa Tengah"),
        ("Jatim", "Jawa Timur"),
        ("Sumut", "Sumatera Utara"),
        ("Sumatra Utara", "Sumatera Utara"),
        ("North Sumatra", "Sumatera Utara"),
        ("Kepri", "Kepulauan Riau"),
        ("Babel", "Kepulauan Bangka Belitung"),
        ("Bangka Belitung", "Kepulauan Bangka Belitung"),
        ("NTB", "Nusa Tenggara Barat"),
        ("ntt", "Nusa Tenggara Timur"),
        ("Kaltara", "Kalimantan Utara"),
        ("Sulsel", "Sulawesi Selatan"),
        ("Sultra", "Sulawesi Tenggara"),
        ("Malut", "Maluku Utara"),
        ("NAD", "Aceh"),
        ("PBD", "Papua Barat Daya"),
        ("Southwest Papua", "Papua Barat Daya"),
        ("Highland Papua", "Papua Pegunungan"),
        ("ID-JB", "Jawa Barat"),
        ("Bali Province", "Bali"),
        ("sulawesi sel", "Sulawesi Selatan"),
    ],
)
def test_province_aliases(raw: str, expected: str) -> None:
    check_valid("province", raw, expected)


def test_every_alias_names_one_province() -> None:
    seen: dict[str, str] = {}
    for province in regions.PROVINCES:
        for spelling in (province.name, province.iso, *province.aliases):
            assert regions.match_province(spelling).province == province, spelling
            key = regions.compact(spelling)
            assert seen.setdefault(key, province.name) == province.name, spelling


def test_province_ambiguous_unknown_and_suggested() -> None:
    ambiguous = check_invalid("province", "Kalimantan", fields.PROVINCE_AMBIGUOUS)
    assert ambiguous.params["matches"] == (
        "Kalimantan Barat, Kalimantan Tengah, Kalimantan Selatan, Kalimantan Timur, "
        "Kalimantan Utara"
    )
    assert (
        "Jawa Barat"
        in check_invalid("province", "Jawa", fields.PROVINCE_AMBIGUOUS).params["matches"]
    )
    suggested = check_invalid("province", "Jawa Barar", fields.PROVINCE_SUGGEST)
    assert suggested.params["suggestion"] == "Jawa Barat"
    check_invalid("province", "Selangor", fields.PROVINCE_UNKNOWN)
    check_invalid("province", "xy", fields.PROVINCE_UNKNOWN)
    check_invalid("province", "Provinsi", fields.PROVINCE_UNKNOWN)


def test_province_timezones() -> None:
    zones = {p.name: p.timezone for p in regions.PROVINCES}
    assert zones["DKI Jakarta"] == regions.WIB
    assert zones["Bali"] == regions.WITA
    assert zones["Kalimantan Barat"] == regions.WIB
    assert zones["Kalimantan Timur"] == regions.WITA
    assert zones["Papua Selatan"] == regions.WIT
    assert set(zones.values()) == {regions.WIB, regions.WITA, regions.WIT}


# --- codes -----------------------------------------------------------------------------------


def test_postal_code() -> None:
    check_valid("postal_code", "40111", "40111")
    check_valid("postal_code", " 40 111 ", "40111")
    check_valid("postal_code", "４０１１１", "40111")  # full-width digits
    check_valid("postal_code", "99976", "99976")
    short = check_invalid("postal_code", "4011", fields.POSTAL_LENGTH)
    assert short.params["length"] == 4
    assert check_invalid("postal_code", "401110", fields.POSTAL_LENGTH).params["length"] == 6
    check_invalid("postal_code", "01234", fields.POSTAL_ZERO)
    check_invalid("postal_code", "4011a", fields.POSTAL_NOT_DIGITS)
    check_invalid("postal_code", "40-111", fields.POSTAL_NOT_DIGITS)
    check_invalid("postal_code", "", fields.REQUIRED)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("01.234.567.8-901.000", "012345678901000"),
        ("012345678901000", "012345678901000"),
        ("01 234 567 8 901 000", "012345678901000"),
        ("0312345678901000", "0312345678901000"),
        ("0312 3456 7890 1000", "0312345678901000"),
        ("0312.3456.7890.1000", "0312345678901000"),
        ("0312-3456-7890-1000", "0312345678901000"),
        ("3273-0101-0190-0001", "3273010101900001"),
    ],
)
def test_npwp_valid(raw: str, expected: str) -> None:
    check_valid("npwp", raw, expected)


def test_npwp_invalid() -> None:
    assert check_invalid("npwp", "01.234.567.8-901", fields.NPWP_LENGTH).params["count"] == 12
    assert check_invalid("npwp", "1" * 17, fields.NPWP_LENGTH).params["count"] == 17
    assert check_invalid("npwp", "1" * 14, fields.NPWP_LENGTH).params["count"] == 14
    check_invalid("npwp", "01.234.567.8/901.000", fields.NPWP_NOT_DIGITS)
    check_invalid("npwp", "NPWP 012345678901000", fields.NPWP_NOT_DIGITS)
    check_invalid("npwp", "00.000.000.0-000.000", fields.NPWP_ZEROS)
    check_invalid("npwp", "", fields.REQUIRED)


def test_mask_npwp() -> None:
    assert mask_npwp("0312345678901000") == "••••••••••••1000"
    assert mask_npwp("012345678901000") == "•••••••••••1000"
    assert len(mask_npwp("0312345678901000")) == 16
    assert mask_npwp("01.234.567.8-901.000") == "•••••••••••1000"
    assert mask_npwp("123") == "•••"
    assert mask_npwp("1234567") == "•••••••"
    assert mask_npwp("") == ""


# --- email -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("keuangan@batiksekarayu.co.id", "keuangan@batiksekarayu.co.id"),
        ("Sekar.Ayu@Gmail.COM", "Sekar.Ayu@gmail.com"),
        ("  finance+tiktok@example.id ", "finance+tiktok@example.id"),
        ("mailto:a_b@mail.example.com", "a_b@mail.example.com"),
        ("a@b-c.xn--p1ai", "a@b-c.xn--p1ai"),
    ],
)
def test_email_valid(raw: str, expected: str) -> None:
    check_valid("billing_email", raw, expected)


def test_email_invalid() -> None:
    check_invalid("billing_email", "keuangan.batiksekarayu.co.id", fields.EMAIL_NO_AT)
    assert check_invalid("billing_email", "a@b@c.id", fields.EMAIL_MANY_AT).params["count"] == 2
    check_invalid("billing_email", "sekar ayu@gmail.com", fields.EMAIL_SPACES)
    check_invalid("billing_email", "@gmail.com", fields.EMAIL_LOCAL)
    check_invalid("billing_email", ".a@gmail.com", fields.EMAIL_LOCAL)
    check_invalid("billing_email", "a..b@gmail.com", fields.EMAIL_LOCAL)
    check_invalid("billing_email", "a<b>@gmail.com", fields.EMAIL_LOCAL)
    check_invalid("billing_email", "a" * 65 + "@gmail.com", fields.EMAIL_LOCAL)
    check_invalid("billing_email", "a@gmail", fields.EMAIL_DOMAIN)
    check_invalid("billing_email", "a@", fields.EMAIL_DOMAIN)
    check_invalid("billing_email", "a@-gmail.com", fields.EMAIL_DOMAIN)
    check_invalid("billing_email", "a@gmail.c0m", fields.EMAIL_DOMAIN)
    check_invalid("billing_email", "a@gmail..com", fields.EMAIL_DOMAIN)
    check_invalid("billing_email", "a@" + "b" * 250 + ".com", fields.TOO_LONG)


# --- phone -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("081234567890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("+62-812-3456-7890", "+6281234567890"),
        ("+62 (0) 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("62 812 3456 7890", "+6281234567890"),
        ("81234567890", "+6281234567890"),
        ("812 3456 7890", "+6281234567890"),
        ("0062 812 3456 7890", "+6281234567890"),
        ("0812.3456.7890", "+6281234567890"),
        ("０８１２３４５６７８９０", "+6281234567890"),  # full-width digits
        ("(021) 5555-1234", "+622155551234"),
        ("+62 21 5555 1234", "+622155551234"),
        ("0274 123456", "+62274123456"),  # 9 digits, a smaller city's landline
        ("0751 12345", "+6275112345"),  # 8 digits, the shortest
        ("0812 3456 78901", "+62812345678901"),  # 12 digits after the country code
    ],
)
def test_phone_valid(raw: str, expected: str) -> None:
    check_valid("contact_phone", raw, expected)
    assert normalize_phone(raw) == expected


def test_phone_invalid() -> None:
    cases = [
        ("0812", fields.PHONE_LENGTH),
        ("0812 345", fields.PHONE_LENGTH),
        ("+62 812 3456 7890 123", fields.PHONE_LENGTH),
        ("+65 9123 4567", fields.PHONE_NOT_INDONESIAN),
        ("0065 9123 4567", fields.PHONE_NOT_INDONESIAN),
        ("+1 415 555 0100", fields.PHONE_NOT_INDONESIAN),
        ("0812-3456-789O", fields.PHONE_CHARACTERS),
        ("0812 3456 7890 ext 2", fields.PHONE_CHARACTERS),
        ("62+81234567890", fields.PHONE_CHARACTERS),
        ("+", fields.PHONE_CHARACTERS),
        ("0112345678", fields.PHONE_START),
        ("+62 112 3456 789", fields.PHONE_START),
        ("", fields.REQUIRED),
    ]
    for raw, reason in cases:
        check_invalid("contact_phone", raw, reason)
        assert normalize_phone(raw) is None
    assert check_invalid("contact_phone", "0812 345", fields.PHONE_LENGTH).params["count"] == 6
    assert (
        check_invalid("contact_phone", "+62 812 3456 7890 12", fields.PHONE_LENGTH).params["count"]
        == 13
    )


# --- website (the optional field) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://batiksekarayu.co.id", "https://batiksekarayu.co.id"),
        ("batiksekarayu.co.id", "https://batiksekarayu.co.id"),
        ("WWW.BatikSekarAyu.co.id/", "https://www.batiksekarayu.co.id"),
        ("http://toko.example.com/Katalog?id=7", "http://toko.example.com/Katalog?id=7"),
        ("HTTPS://example.id:8443/a", "https://example.id:8443/a"),
        ("www.tiktok.com/@batiksekarayu", "https://www.tiktok.com/@batiksekarayu"),
    ],
)
def test_website_valid(raw: str, expected: str) -> None:
    check_valid("website", raw, expected)


@pytest.mark.parametrize("raw", ["", "   ", "-", "—"])
def test_website_can_be_skipped(raw: str) -> None:
    check_valid("website", raw, "")


def test_website_invalid() -> None:
    check_invalid("website", "ftp://example.com", fields.WEBSITE_SCHEME)
    check_invalid("website", "javascript://example.com", fields.WEBSITE_SCHEME)
    check_invalid("website", "batik sekar ayu", fields.WEBSITE_SPACES)
    check_invalid("website", "batiksekarayu", fields.WEBSITE_INVALID)
    check_invalid("website", "https://", fields.WEBSITE_INVALID)
    check_invalid("website", "https://user:pass@example.com", fields.WEBSITE_INVALID)
    check_invalid("website", "example.com:99999", fields.WEBSITE_INVALID)
    check_invalid("website", "javascript:alert(1)", fields.WEBSITE_INVALID)
    check_invalid("website", "https://example.com/" + "a" * 250, fields.TOO_LONG)


# --- fixed fields ----------------------------------------------------------------------------


def test_fixed_fields() -> None:
    for raw in ("", "ID", "indonesia"):
        check_valid("registered_area", raw, "ID")
    for raw in ("", "IDR", "idr"):
        check_valid("currency", raw, "IDR")
    assert check_invalid("currency", "USD", fields.FIXED).params["value"] == "IDR"
    assert check_invalid("registered_area", "MY", fields.FIXED).params["value"] == "Indonesia"


def test_skip_words_only_skip_optional_fields() -> None:
    check_invalid("business_name", "-", fields.NEEDS_LETTER_OR_DIGIT)
    check_invalid("contact_phone", "-", fields.PHONE_CHARACTERS)


# --- display ---------------------------------------------------------------------------------


def test_display_values() -> None:
    assert display_value("npwp", "0312345678901000") == "••••••••••••1000"
    assert display_value("industry", "food_beverage") == "Food and beverage"
    assert display_value("timezone", "Asia/Makassar") == "WITA (UTC+8), central Indonesia"
    assert display_value("province", "Jawa Barat") == "Jawa Barat"
    assert display_value("registered_area", "ID") == "Indonesia"
    assert display_value("currency", "IDR") == "IDR (Indonesian rupiah)"
    assert display_value("website", "") == fields.NOT_PROVIDED
    assert display_value("website", "https://a.id") == "https://a.id"
    assert display_value("contact_phone", "+6281234567890") == "+62 812-3456-7890"
    assert display_value("contact_phone", "+622155551234") == "+622155551234"
    assert display_value("business_name", "Batik & Co") == "Batik & Co"
    assert display_value("industry", "retired_key") == "retired_key"


def test_display_is_msgid() -> None:
    assert display_is_msgid("industry", "ecommerce")
    assert display_is_msgid("timezone", "Asia/Jakarta")
    assert display_is_msgid("province", "Bali")
    assert display_is_msgid("currency", "IDR")
    assert display_is_msgid("registered_area", "ID")
    assert display_is_msgid("website", "")
    assert not display_is_msgid("website", "https://a.id")
    assert not display_is_msgid("business_name", "Other")
    assert not display_is_msgid("npwp", "0312345678901000")
    assert not display_is_msgid("industry", "retired_key")


def test_every_example_displays() -> None:
    for spec in FIELDS:
        value = validate(spec.key, spec.example)
        assert isinstance(value, Valid)
        shown = display_value(spec.key, value.value)
        assert shown
        assert placeholders(shown) == set()


# --- robustness ------------------------------------------------------------------------------

_ODD_INPUTS = [
    "",
    " ",
    "\n",
    "\x00",
    "{}",
    "{example}",
    "{0}",
    "<b>x</b>",
    "&amp;",
    "😀" * 300,
    "٣٤٥٦٧",  # Arabic-Indic digits
    "１２３４５",
    "@",
    "@@",
    "+",
    "62",
    "0",
    "http://",
    "://",
    "https://[::1",
    "x" * 10_000,
    "\u200b",
    "-",
    None,
    42,
]


@pytest.mark.parametrize("raw", _ODD_INPUTS, ids=repr)
def test_odd_input_never_raises_and_reasons_format(raw: object) -> None:
    for spec in FIELDS:
        result = validate(spec.key, raw)  # type: ignore[arg-type]
        assert isinstance(result, Valid | Invalid)
        if isinstance(result, Invalid):
            assert result.reason in REASONS
            assert "example" in result.params
            result.reason.format(**result.params)
        else:
            assert isinstance(result.value, str)
            assert validate(spec.key, result.value) == result


# One input that produces each reason, so every reason is known to be reachable and to format.
_REASON_SAMPLES = {
    fields.REQUIRED: ("business_name", " "),
    fields.TOO_LONG: ("city", "a" * 101),
    fields.NEEDS_LETTER_OR_DIGIT: ("street", "..."),
    fields.NEEDS_LETTER: ("contact_name", "007"),
    fields.FIXED: ("currency", "USD"),
    fields.INDUSTRY_UNKNOWN: ("industry", "tambang"),
    fields.TIMEZONE_UNKNOWN: ("timezone", "UTC"),
    fields.PROVINCE_UNKNOWN: ("province", "Johor"),
    fields.PROVINCE_SUGGEST: ("province", "Jawa Timor"),
    fields.PROVINCE_AMBIGUOUS: ("province", "Sulawesi"),
    fields.POSTAL_NOT_DIGITS: ("postal_code", "ABCDE"),
    fields.POSTAL_LENGTH: ("postal_code", "123"),
    fields.POSTAL_ZERO: ("postal_code", "01234"),
    fields.NPWP_NOT_DIGITS: ("npwp", "12.345.678.9-O12.345"),
    fields.NPWP_LENGTH: ("npwp", "1234"),
    fields.NPWP_ZEROS: ("npwp", "0" * 16),
    fields.EMAIL_NO_AT: ("billing_email", "gmail.com"),
    fields.EMAIL_MANY_AT: ("billing_email", "a@@b.id"),
    fields.EMAIL_SPACES: ("billing_email", "a b@c.id"),
    fields.EMAIL_LOCAL: ("billing_email", "a.@c.id"),
    fields.EMAIL_DOMAIN: ("billing_email", "a@c"),
    fields.PHONE_CHARACTERS: ("contact_phone", "0812-CALL-ME"),
    fields.PHONE_NOT_INDONESIAN: ("contact_phone", "+60 12 345 6789"),
    fields.PHONE_LENGTH: ("contact_phone", "0812 34"),
    fields.PHONE_START: ("contact_phone", "0123 4567 89"),
    fields.WEBSITE_SCHEME: ("website", "mailto://a.id"),
    fields.WEBSITE_SPACES: ("website", "www. a.id"),
    fields.WEBSITE_INVALID: ("website", "localhost"),
}


def test_every_reason_has_a_sample() -> None:
    assert set(_REASON_SAMPLES) == set(REASONS)
    assert len(REASONS) == len(set(REASONS))


@pytest.mark.parametrize(("reason", "sample"), _REASON_SAMPLES.items(), ids=lambda x: str(x)[:30])
def test_every_reason_is_reachable_and_formats(reason: str, sample: tuple[str, str]) -> None:
    key, raw = sample
    result = check_invalid(key, raw, reason)
    assert placeholders(reason) == set(result.params) - {"example"}


@pytest.mark.parametrize("reason", REASONS)
def test_reason_placeholders_are_known(reason: str) -> None:
    allowed = {"limit", "length", "count", "value", "suggestion", "matches", "example"}
    assert placeholders(reason) <= allowed
