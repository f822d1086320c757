"""Encryption of secrets at rest (TikTok access tokens), with Fernet (AES-128-CBC + HMAC)."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

KEY_FILE_NAME = "token-encryption.key"


def validate_key(key: str) -> None:
    """Raise ValueError unless `key` is a Fernet key (32 url-safe base64-encoded bytes)."""
    try:
        Fernet(key.encode())
    except (ValueError, TypeError):
        raise ValueError(
            "must be a Fernet key: 32 random bytes, url-safe base64 (44 characters); "
            "make one with `promote-bot keygen`"
        ) from None


def new_key() -> str:
    return Fernet.generate_key().decode()


def load_or_create_key(data_dir: Path) -> str:
    """The key kept under `data_dir`, created (readable by the owner only) on first use."""
    path = data_dir / KEY_FILE_NAME
    if path.exists():
        key = path.read_text().strip()
        validate_key(key)
        return key
    data_dir.mkdir(parents=True, exist_ok=True)
    key = new_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


class DecryptionError(Exception):
    """The ciphertext was not made with this key, or was altered."""


class TokenCipher:
    """Encrypts and decrypts short secrets; the ciphertext is safe to store in the database."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(key.encode())

    def encrypt(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode()

    def decrypt(self, ciphertext: str) -> str:
        try:
            return self._fernet.decrypt(ciphertext.encode()).decode()
        except InvalidToken:
            raise DecryptionError("ciphertext does not match the token-encryption key") from None

    def __repr__(self) -> str:
        return "TokenCipher(<key hidden>)"
