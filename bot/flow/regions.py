"""Indonesia's provinces, the industries and the time zones offered for a new Ads Manager account.

Pure data plus the matching rules that turn what a user types ("jabar", "DIY", "Prov. Jawa
Barat", "West Java") into one stored value. No I/O.

Province names are the official Indonesian names (Kemendagri); the official name is both the
stored value and the msgid of the province's label, so a catalog may render it differently (the
English catalog can keep it or say "West Java"), while the billing address always stores the
official name. Aliases are matching data only, never shown, so they are not marked for
translation; they include the usual abbreviations, the English names and the ISO 3166-2 codes.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from bot.i18n import N_

WIB = "Asia/Jakarta"
WITA = "Asia/Makassar"
WIT = "Asia/Jayapura"


@dataclass(frozen=True)
class Province:
    name: str  # official name: the stored value and the label's msgid
    iso: str  # ISO 3166-2 code
    timezone: str  # the IANA zone the province uses
    aliases: tuple[str, ...] = ()


# The 38 provinces, west to east, as listed by Kemendagri (Papua's four newest since 2022).
PROVINCES: tuple[Province, ...] = (
    Province(N_("Aceh"), "ID-AC", WIB, ("NAD", "Nanggroe Aceh Darussalam")),
    Province(N_("Sumatera Utara"), "ID-SU", WIB, ("Sumut", "North Sumatra")),
    Province(N_("Sumatera Barat"), "ID-SB", WIB, ("Sumbar", "West Sumatra")),
    Province(N_("Riau"), "ID-RI", WIB),
    Province(N_("Kepulauan Riau"), "ID-KR", WIB, ("Kepri", "Riau Islands")),
    Province(N_("Jambi"), "ID-JA", WIB),
    Province(N_("Bengkulu"), "ID-BE", WIB),
    Province(N_("Sumatera Selatan"), "ID-SS", WIB, ("Sumsel", "South Sumatra")),
    Province(
        N_("Kepulauan Bangka Belitung"),
        "ID-BB",
        WIB,
        ("Babel", "Bangka Belitung", "Bangka Belitung Islands"),
    ),
    Province(N_("Lampung"), "ID-LA", WIB),
    Province(
        N_("DKI Jakarta"),
        "ID-JK",
        WIB,
        (
            "Jakarta",
            "DKI",
            "DKJ",
            "Daerah Khusus Ibukota Jakarta",
            "Daerah Khusus Ibu Kota Jakarta",
            "Daerah Khusus Jakarta",
            "Jakarta Raya",
        ),
    ),
    Province(N_("Jawa Barat"), "ID-JB", WIB, ("Jabar", "West Java")),
    Province(N_("Banten"), "ID-BT", WIB),
    Province(N_("Jawa Tengah"), "ID-JT", WIB, ("Jateng", "Central Java")),
    Province(
        N_("Daerah Istimewa Yogyakarta"),
        "ID-YO",
        WIB,
        (
            "DIY",
            "DI Yogyakarta",
            "Yogyakarta",
            "Jogjakarta",
            "Jogja",
            "Yogya",
            "Special Region of Yogyakarta",
        ),
    ),
    Province(N_("Jawa Timur"), "ID-JI", WIB, ("Jatim", "East Java")),
    Province(N_("Bali"), "ID-BA", WITA),
    Province(N_("Nusa Tenggara Barat"), "ID-NB", WITA, ("NTB", "West Nusa Tenggara")),
    Province(N_("Nusa Tenggara Timur"), "ID-NT", WITA, ("NTT", "East Nusa Tenggara")),
    Province(N_("Kalimantan Barat"), "ID-KB", WIB, ("Kalbar", "West Kalimantan")),
    Province(N_("Kalimantan Tengah"), "ID-KT", WIB, ("Kalteng", "Central Kalimantan")),
    Province(N_("Kalimantan Selatan"), "ID-KS", WITA, ("Kalsel", "South Kalimantan")),
    Province(N_("Kalimantan Timur"), "ID-KI", WITA, ("Kaltim", "East Kalimantan")),
    Province(N_("Kalimantan Utara"), "ID-KU", WITA, ("Kaltara", "North Kalimantan")),
    Province(N_("Sulawesi Utara"), "ID-SA", WITA, ("Sulut", "North Sulawesi")),
    Province(N_("Gorontalo"), "ID-GO", WITA),
    Province(N_("Sulawesi Tengah"), "ID-ST", WITA, ("Sulteng", "Central Sulawesi")),
    Province(N_("Sulawesi Barat"), "ID-SR", WITA, ("Sulbar", "West Sulawesi")),
    Province(N_("Sulawesi Selatan"), "ID-SN", WITA, ("Sulsel", "South Sulawesi")),
    Province(N_("Sulawesi Tenggara"), "ID-SG", WITA, ("Sultra", "Southeast Sulawesi")),
    Province(N_("Maluku"), "ID-MA", WIT),
    Province(N_("Maluku Utara"), "ID-MU", WIT, ("Malut", "North Maluku")),
    Province(N_("Papua"), "ID-PA", WIT),
    Province(N_("Papua Barat"), "ID-PB", WIT, ("Pabar", "West Papua")),
    Province(N_("Papua Barat Daya"), "ID-PD", WIT, ("PBD", "Southwest Papua")),
    Province(N_("Papua Tengah"), "ID-PT", WIT, ("Central Papua",)),
    Province(N_("Papua Pegunungan"), "ID-PE", WIT, ("Highland Papua", "Papua Highlands")),
    Province(N_("Papua Selatan"), "ID-PS", WIT, ("South Papua",)),
)


@dataclass(frozen=True)
class Industry:
    key: str  # stable key, stored as the value
    label: str  # msgid
    aliases: tuple[str, ...] = ()  # matching only: Indonesian and common words


INDUSTRIES: tuple[Industry, ...] = (
    Industry(
        "ecommerce",
        N_("E-commerce"),
        ("ecommerce", "online shop", "toko online", "olshop", "marketplace", "jualan online"),
    ),
    Industry("fashion", N_("Fashion"), ("fesyen", "busana", "pakaian", "apparel", "clothing")),
    Industry(
        "food_beverage",
        N_("Food and beverage"),
        (
            "makanan dan minuman",
            "makanan minuman",
            "makanan",
            "minuman",
            "kuliner",
            "F&B",
            "food",
            "restoran",
            "restaurant",
        ),
    ),
    Industry(
        "beauty",
        N_("Beauty and personal care"),
        ("kecantikan dan perawatan diri", "kecantikan", "kosmetik", "skincare", "beauty"),
    ),
    Industry("education", N_("Education"), ("pendidikan", "edukasi", "kursus")),
    Industry(
        "travel",
        N_("Travel and tourism"),
        ("perjalanan dan pariwisata", "perjalanan", "pariwisata", "wisata", "travel"),
    ),
    Industry("games", N_("Games"), ("game", "gim", "gaming", "permainan")),
    Industry(
        "finance",
        N_("Financial services"),
        ("layanan keuangan", "keuangan", "finance", "fintech"),
    ),
    Industry("health", N_("Health"), ("kesehatan", "healthcare", "medis")),
    Industry("property", N_("Property"), ("properti", "real estate", "real estat")),
    Industry("automotive", N_("Automotive"), ("otomotif",)),
    Industry("other", N_("Other"), ("lainnya", "lain-lain", "lain", "others")),
)


@dataclass(frozen=True)
class TimeZone:
    key: str  # IANA name, as TikTok's timezone codes appear to be; stored as the value
    label: str  # msgid
    aliases: tuple[str, ...] = ()  # the first is the abbreviation: WIB, WITA, WIT


def _utc_aliases(hours: int) -> tuple[str, ...]:
    offsets = (f"+{hours}", f"+0{hours}", f"+0{hours}00", f"+0{hours}:00")
    return tuple(prefix + offset for prefix in ("", "UTC", "GMT") for offset in offsets)


TIMEZONES: tuple[TimeZone, ...] = (
    TimeZone(
        WIB,
        # NOTE: A time-zone button. WIB = Waktu Indonesia Barat.
        N_("WIB (UTC+7), western Indonesia"),
        (
            "WIB",
            "Waktu Indonesia Barat",
            "Indonesia Barat",
            "Western Indonesia Time",
            "Jakarta",
            "Asia/Pontianak",
            *_utc_aliases(7),
        ),
    ),
    TimeZone(
        WITA,
        # NOTE: A time-zone button. WITA = Waktu Indonesia Tengah.
        N_("WITA (UTC+8), central Indonesia"),
        (
            "WITA",
            "Waktu Indonesia Tengah",
            "Indonesia Tengah",
            "Central Indonesia Time",
            "Makassar",
            *_utc_aliases(8),
        ),
    ),
    TimeZone(
        WIT,
        # NOTE: A time-zone button. WIT = Waktu Indonesia Timur.
        N_("WIT (UTC+9), eastern Indonesia"),
        (
            "WIT",
            "Waktu Indonesia Timur",
            "Indonesia Timur",
            "Eastern Indonesia Time",
            "Jayapura",
            *_utc_aliases(9),
        ),
    ),
)
DEFAULT_TIMEZONE = WIB


# --- matching -------------------------------------------------------------------------------

_NOT_COMPACT = re.compile(r"[^a-z0-9+]")
_PROVINCE_PREFIXES = ("provinsi", "propinsi", "province", "prov")


def compact(text: str) -> str:
    """A form for matching: NFKC, case-folded, letters, digits and "+" only ("F&B" → "fb")."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NOT_COMPACT.sub("", folded)


def _province_compact(text: str) -> str:
    key = compact(text).replace("sumatra", "sumatera")
    for prefix in _PROVINCE_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            key = key.removeprefix(prefix)
            break
    if key.endswith("province") and len(key) > len("province"):
        key = key.removesuffix("province")
    return key


def _province_index() -> dict[str, Province]:
    index: dict[str, Province] = {}
    for province in PROVINCES:
        for spelling in (province.name, province.iso, *province.aliases):
            key = _province_compact(spelling)
            other = index.setdefault(key, province)
            if other is not province:  # pragma: no cover - guarded by the tests
                raise ValueError(f"{spelling!r} names both {other.name} and {province.name}")
    return index


_PROVINCE_INDEX = _province_index()
_MIN_PREFIX = 4


@dataclass(frozen=True)
class ProvinceMatch:
    """The outcome of matching free text: one province, several candidates, or a suggestion."""

    province: Province | None = None
    candidates: tuple[Province, ...] = ()
    suggestion: Province | None = None


def match_province(text: str) -> ProvinceMatch:
    """Match free text against names, aliases and ISO codes, case- and punctuation-blind.

    An exact match wins; else a prefix of at least 4 characters that fits one province only
    ("Sulawesi Sel"); a prefix that fits several returns them as candidates ("Kalimantan");
    else a close spelling ("Jawa Barar") is offered as a suggestion, never accepted silently.
    """
    key = _province_compact(text)
    if not key:
        return ProvinceMatch()
    exact = _PROVINCE_INDEX.get(key)
    if exact is not None:
        return ProvinceMatch(province=exact)
    if len(key) >= _MIN_PREFIX:
        found = {p.name: p for k, p in _PROVINCE_INDEX.items() if k.startswith(key)}
        if len(found) == 1:
            return ProvinceMatch(province=next(iter(found.values())))
        if found:
            ordered = tuple(p for p in PROVINCES if p.name in found)
            return ProvinceMatch(candidates=ordered)
        close = difflib.get_close_matches(key, list(_PROVINCE_INDEX), n=1, cutoff=0.8)
        if close:
            return ProvinceMatch(suggestion=_PROVINCE_INDEX[close[0]])
    return ProvinceMatch()


def province(name: str) -> Province:
    """The province with this official name; KeyError otherwise."""
    for candidate in PROVINCES:
        if candidate.name == name:
            return candidate
    raise KeyError(name)


def match_industry(text: str) -> Industry | None:
    """The industry whose key, English label or alias equals `text` (compared compactly)."""
    key = compact(text)
    if not key:
        return None
    for industry in INDUSTRIES:
        spellings = (industry.key, industry.label, *industry.aliases)
        if key in {compact(spelling) for spelling in spellings}:
            return industry
    return None


def match_timezone(text: str) -> TimeZone | None:
    """The time zone whose IANA name, label or alias ("WITA", "UTC+8") equals `text`, or whose
    abbreviation is the first word of `text` (so a translated label, "WITA (UTC+8), Indonesia
    bagian tengah", is accepted too)."""
    key = compact(text)
    if not key:
        return None
    words = re.findall(r"[a-z]+", unicodedata.normalize("NFKC", text).casefold())
    for zone in TIMEZONES:
        if key in {compact(spelling) for spelling in (zone.key, zone.label, *zone.aliases)}:
            return zone
        if words and words[0] == compact(zone.aliases[0]):
            return zone
    return None
