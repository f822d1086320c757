"""Settings: one object, read from environment variables and an optional `.env` file.

Without `TELEGRAM_BOT_TOKEN` the bot runs in the *embedded default*: the Telegram sandbox on
loopback, SQLite under `./data/`, and a generated token-encryption key kept under `./data/`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SUPPORTED_LOCALES = ("id", "en")
SANDBOX_BOT_TOKEN = "7000000001:SANDBOX-promote-bot-not-a-secret"  # noqa: S105 - offline only
_TOKEN_RE = re.compile(r"^\d{5,16}:[A-Za-z0-9_-]{20,}$")


class TelegramMode(StrEnum):
    polling = "polling"
    webhook = "webhook"


class Settings(BaseSettings):
    """Everything configurable, with the embedded default for each value."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    telegram_bot_token: SecretStr | None = None
    telegram_api_base_url: str | None = None
    telegram_mode: TelegramMode = TelegramMode.polling
    telegram_webhook_secret: SecretStr | None = None

    data_dir: Path = Path("data")
    database_url: str | None = None

    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    public_base_url: str | None = None

    sandbox_telegram_port: int = Field(default=8081, ge=0, le=65535)
    sandbox_tiktok_port: int = Field(default=8082, ge=0, le=65535)
    sandbox_integration_seconds: float = Field(default=60.0, ge=0)

    tiktok_app_id: str = "sandbox-app"
    tiktok_app_secret: SecretStr = SecretStr("sandbox-secret")
    tiktok_api_base_url: str | None = None
    tiktok_auth_url: str | None = None
    promote_api_base_url: str | None = None

    token_encryption_key: SecretStr | None = None
    poll_interval_seconds: float = Field(default=2.0, gt=0, le=300)
    backend_timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    support_chat_id: int | None = None
    support_answer_minutes: int = Field(default=15, ge=1, le=24 * 60)
    support_queue_notice_seconds: float = Field(default=900.0, gt=0)
    tester_user_ids: Annotated[tuple[int, ...], NoDecode] = ()
    default_locale: str = "id"
    log_level: str = "INFO"

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _TOKEN_RE.match(value.get_secret_value()):
            raise ValueError("must look like 123456789:AAE… (the token @BotFather gives)")
        return value

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator(
        "telegram_api_base_url",
        "public_base_url",
        "tiktok_api_base_url",
        "tiktok_auth_url",
        "promote_api_base_url",
    )
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/") if value else value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^(sqlite|postgres|postgresql)(\+\w+)?://", value):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in SUPPORTED_LOCALES:
            raise ValueError(f"must be one of {', '.join(SUPPORTED_LOCALES)}")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @field_validator("tester_user_ids", mode="before")
    @classmethod
    def _id_list(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value) if p]
            if not all(re.fullmatch(r"-?\d+", p) for p in parts):
                raise ValueError("must be Telegram user ids separated by commas")
            return tuple(int(p) for p in parts)
        return value

    @field_validator("token_encryption_key")
    @classmethod
    def _fernet_key(cls, value: SecretStr | None) -> SecretStr | None:
        from bot.crypto import validate_key

        if value is not None:
            validate_key(value.get_secret_value())
        return value

    @model_validator(mode="after")
    def _webhook_needs_public_url(self) -> Settings:
        if self.telegram_mode is TelegramMode.webhook and not self.public_base_url:
            raise ValueError("PUBLIC_BASE_URL: is required when TELEGRAM_MODE=webhook")
        return self

    # Derived values: computed, never stored twice.

    @property
    def embedded(self) -> bool:
        """True when no real bot token is configured: talk to the local Telegram sandbox."""
        return self.telegram_bot_token is None

    @property
    def bot_token(self) -> str:
        token = self.telegram_bot_token
        return token.get_secret_value() if token else SANDBOX_BOT_TOKEN

    @property
    def bot_api_base_url(self) -> str:
        """python-telegram-bot's `base_url`: the token is appended to it."""
        if self.telegram_api_base_url:
            return self.telegram_api_base_url
        if self.embedded:
            return f"http://127.0.0.1:{self.sandbox_telegram_port}/bot"
        return "https://api.telegram.org/bot"

    @property
    def tiktok_sandboxed(self) -> bool:
        """True when no TikTok address is configured: `run` starts the TikTok sandbox."""
        return not (self.tiktok_api_base_url or self.tiktok_auth_url or self.promote_api_base_url)

    @property
    def _tiktok_sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.sandbox_tiktok_port}"

    @property
    def tiktok_api_url(self) -> str:
        return self.tiktok_api_base_url or self._tiktok_sandbox_url

    @property
    def tiktok_authorize_url(self) -> str:
        return self.tiktok_auth_url or f"{self._tiktok_sandbox_url}/portal/auth"

    @property
    def promote_api_url(self) -> str:
        return self.promote_api_base_url or f"{self._tiktok_sandbox_url}/promote/v1"

    @property
    def db_url(self) -> str:
        return (
            self.database_url or f"sqlite:///{(self.data_dir / 'promote-bot.sqlite3').as_posix()}"
        )

    @property
    def web_base_url(self) -> str:
        return self.public_base_url or f"http://{self.web_host}:{self.web_port}"

    @property
    def webhook_secret(self) -> str:
        """The secret Telegram echoes in `X-Telegram-Bot-Api-Secret-Token`.

        Derived from the bot token unless configured, so a deployment needs no extra secret.
        """
        if self.telegram_webhook_secret:
            return self.telegram_webhook_secret.get_secret_value()
        digest = hmac.new(self.bot_token.encode(), b"promote-bot webhook", hashlib.sha256)
        return digest.hexdigest()


class ConfigError(Exception):
    """A bad setting; its message is one line naming the variable."""


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning pydantic's report into one line that names the variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if field:
            raise ConfigError(f"{field.upper()}: {message}") from None
        raise ConfigError(message) from None
