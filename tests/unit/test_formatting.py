"""Money, dates, durations and lists in the reader's locale (Babel/CLDR)."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.formatting import Money, ago, duration, listing, money, when

AUGUST_17 = datetime(2024, 8, 17, 3, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "expected"), [("id", "Rp1.500.000"), ("en", "IDR1,500,000"), ("xa", "IDR1,500,000")]
)
def test_money(locale: str, expected: str) -> None:
    assert money(Money(1_500_000), locale) == expected


def test_dates_are_shown_in_indonesian_time() -> None:
    assert when(AUGUST_17, "id") == "17 Agustus 2024 10.30 WIB"
    assert when(AUGUST_17, "en") == "17 August 2024, 10:30 WIB"
    assert when(AUGUST_17, "id", "Asia/Makassar") == "17 Agustus 2024 11.30 WITA"
    assert when(AUGUST_17, "id", "Asia/Jayapura") == "17 Agustus 2024 12.30 WIT"


def test_durations_and_lists() -> None:
    assert ago(timedelta(minutes=5), "id") == "5 menit yang lalu"
    assert ago(timedelta(minutes=5), "en") == "5 minutes ago"
    assert duration(timedelta(seconds=90), "id") == "2 menit"
    assert listing(["a", "b", "c"], "id") == "a, b, dan c"
    assert listing(["a", "b", "c"], "en") == "a, b, and c"
