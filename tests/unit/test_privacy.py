"""Personal data is masked before support agents see a user's recent messages."""

import pytest

from bot.privacy import mask_personal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NPWP saya 01.234.567.8-901.234", "NPWP saya •••••••••••1234"),
        ("0123456789012345", "••••••••••••2345"),
        ("hubungi +62 812-3456-7890 ya", "hubungi •••••••••7890 ya"),
        ("email keuangan@kopi.co.id", "email k•••@kopi.co.id"),
        ("kode pos 40111, Jl. Braga No. 45", "kode pos 40111, Jl. Braga No. 45"),
        ("tanggal 17-08-2024", "tanggal 17-08-2024"),
    ],
)
def test_mask_personal(text: str, expected: str) -> None:
    assert mask_personal(text) == expected
