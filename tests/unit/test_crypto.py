"""Tokens at rest: encrypted with a key that is generated once and kept private."""

import stat
from pathlib import Path

import pytest

from bot.crypto import DecryptionError, TokenCipher, load_or_create_key, new_key


def test_key_is_created_once_and_readable_by_the_owner_only(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "data")
    again = load_or_create_key(tmp_path / "data")
    assert key == again
    mode = (tmp_path / "data" / "token-encryption.key").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_round_trip_and_no_plaintext_in_ciphertext() -> None:
    cipher = TokenCipher(new_key())
    secret = "act.1234567890abcdef"
    stored = cipher.encrypt(secret)
    assert secret not in stored
    assert cipher.decrypt(stored) == secret


def test_another_key_cannot_decrypt() -> None:
    stored = TokenCipher(new_key()).encrypt("act.secret")
    with pytest.raises(DecryptionError):
        TokenCipher(new_key()).decrypt(stored)
    assert "key" not in repr(TokenCipher(new_key())).replace("<key hidden>", "")
