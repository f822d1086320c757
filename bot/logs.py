"""Logging set-up: secrets never reach a log line."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

REDACTED = "[redacted]"


class RedactSecrets(logging.Filter):
    """Replaces every known secret in a record's final message (and traceback) with a marker.

    httpx logs request URLs at INFO, and a Bot API URL carries the bot token; this filter is the
    net under that and any other slip.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = self._clean(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info:
            record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def configure_logging(*, level: str, secrets: Iterable[str], file: Path | None = None) -> None:
    """Log to `file` when given (the terminal chat owns the screen), else to stderr."""
    handler: logging.Handler
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(file, encoding="utf-8")
    else:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Request lines carry the bot token in the URL; keep them out even at INFO.
    logging.getLogger("httpx").setLevel(logging.WARNING)
