"""Masking personal data (NPWP, phone numbers, e-mail addresses) in text shown to people who
don't need it whole, such as support agents reading a user's recent messages."""

from __future__ import annotations

import re

# A run of digits with the separators people type in NPWPs and phone numbers (+62 812-3456-7890,
# 01.234.567.8-901.234), long enough to identify someone.
_NUMBER = re.compile(r"\+?\d[\d .\-()]{6,}\d")
_EMAIL = re.compile(r"\b([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})\b")
MIN_DIGITS = 9  # phones have 10 or more, NPWPs 15-16; a date (17-08-2024) has 8


def _mask_number(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if len(digits) < MIN_DIGITS:
        return match.group(0)
    return "•" * (len(digits) - 4) + digits[-4:]


def mask_personal(text: str) -> str:
    """Long numbers keep their last 4 digits; e-mail addresses their first letter and domain."""
    text = _EMAIL.sub(lambda m: f"{m.group(1)}•••@{m.group(2)}", text)
    return _NUMBER.sub(_mask_number, text)
