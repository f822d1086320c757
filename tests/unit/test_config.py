"""Settings: defaults for the embedded run, and one clear line for every bad value."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SANDBOX_BOT_TOKEN, ConfigError, TelegramMode, load_settings

REAL_LOOKING_TOKEN = "123456789:AAEabcdefghijklmnopqrstuvwxyz012345"


def settings(**overrides):
    return load_settings(_env_file=None, **overrides)


def test_embedded_default_needs_no_configuration(tmp_path: Path) -> None:
    s = settings(data_dir=tmp_path)
    assert s.embedded
    assert s.bot_token == SANDBOX_BOT_TOKEN
    assert s.bot_api_base_url == "http://127.0.0.1:8081/bot"
    assert s.db_url == f"sqlite:///{tmp_path.as_posix()}/promote-bot.sqlite3"
    assert s.default_locale == "id"
    assert s.telegram_mode is TelegramMode.polling


def test_a_real_token_means_real_telegram() -> None:
    s = settings(telegram_bot_token=REAL_LOOKING_TOKEN)
    assert not s.embedded
    assert s.bot_api_base_url == "https://api.telegram.org/bot"


def test_webhook_secret_is_derived_from_the_token_and_fits_telegram_rules() -> None:
    one = settings(telegram_bot_token=REAL_LOOKING_TOKEN).webhook_secret
    other = settings().webhook_secret
    assert one != other
    assert len(one) == 64 and one.isalnum()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("telegram_bot_token", "not-a-token", "TELEGRAM_BOT_TOKEN: must look like"),
        ("database_url", "mysql://x", "DATABASE_URL: must start with"),
        ("default_locale", "fr", "DEFAULT_LOCALE: must be one of id, en"),
        ("web_port", "eighty", "WEB_PORT: Input should be a valid integer"),
        ("support_chat_id", "the desk", "SUPPORT_CHAT_ID: Input should be a valid integer"),
        ("token_encryption_key", "short", "TOKEN_ENCRYPTION_KEY: must be a Fernet key"),
        ("public_base_url", "example.org", "PUBLIC_BASE_URL: must be an http"),
        (
            "telegram_mode",
            "carrier-pigeon",
            "TELEGRAM_MODE: Input should be 'polling' or 'webhook'",
        ),
    ],
)
def test_a_bad_value_names_its_variable(field: str, value: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        settings(**{field: value})
    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)


def test_webhook_mode_needs_a_public_url() -> None:
    with pytest.raises(ConfigError, match="PUBLIC_BASE_URL: is required"):
        settings(telegram_mode="webhook")


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORT_CHAT_ID", "-1001234567890")
    monkeypatch.setenv("TESTER_USER_IDS", "11, 22")
    s = settings()
    assert s.support_chat_id == -1001234567890
    assert s.tester_user_ids == (11, 22)


def test_start_up_stops_with_one_line_and_exit_code_2(tmp_path: Path) -> None:
    env = {**os.environ, "DEFAULT_LOCALE": "fr", "DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--no-chat"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "promote-bot: configuration error: DEFAULT_LOCALE: must be one of id, en"
    ]
    assert "Traceback" not in done.stderr


def test_a_bad_token_is_never_echoed(tmp_path: Path) -> None:
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": "secret-value-123", "DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in done.stderr
    assert "secret-value-123" not in done.stderr + done.stdout
