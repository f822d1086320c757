"""No secret reaches a log line, even through httpx's request lines or a traceback."""

import logging
from pathlib import Path

from bot.logs import configure_logging

TOKEN = "123456789:AAEabcdefghijklmnopqrstuvwxyz012345"


def test_secrets_are_redacted_from_messages_and_tracebacks(tmp_path: Path) -> None:
    log_file = tmp_path / "bot.log"
    configure_logging(level="DEBUG", secrets=[TOKEN], file=log_file)
    try:
        logging.getLogger("bot.test").warning("calling https://api.telegram.org/bot%s/getMe", TOKEN)
        try:
            raise RuntimeError(f"failed with {TOKEN}")
        except RuntimeError:
            logging.getLogger("bot.test").exception("boom")
        logging.getLogger("httpx").info("HTTP Request: POST .../bot%s/getUpdates", TOKEN)
    finally:
        for handler in logging.getLogger().handlers:
            handler.close()
        logging.getLogger().handlers.clear()
    written = log_file.read_text()
    assert TOKEN not in written
    assert written.count("[redacted]") == 2
    assert "RuntimeError: failed with [redacted]" in written
    assert "getUpdates" not in written  # httpx request lines are not logged at INFO
