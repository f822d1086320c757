"""Telegram's flood limits on sending, as sliding windows, so a bot's retry logic can be tested."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from bot.sandbox.telegram.errors import BotApiError

Window = tuple[int, float]  # (how many sends, in how many seconds)


@dataclass(frozen=True)
class RateLimits:
    """Per chat (any chat), per group (on top of per chat), and across the whole bot."""

    per_chat: Window = (1, 1.0)
    per_group: Window = (20, 60.0)
    overall: Window = (30, 1.0)

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> RateLimits:
        defaults = cls()
        windows = {
            name: _window(body.get(name, getattr(defaults, name)))
            for name in ("per_chat", "per_group", "overall")
        }
        return cls(**windows)

    def to_json(self) -> dict[str, list[float]]:
        return {name: list(window) for name, window in asdict(self).items()}


def _window(value: Any) -> Window:
    count, seconds = value
    if int(count) < 1 or float(seconds) <= 0:
        raise ValueError("a rate window needs a count >= 1 and a positive number of seconds")
    return int(count), float(seconds)


class RateLimiter:
    """Counts accepted sends; refuses one that would overfill any of its windows."""

    def __init__(
        self, limits: RateLimits | None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._clock = clock
        self._sent: dict[tuple[str, int], deque[float]] = {}
        self.limits = limits

    @property
    def limits(self) -> RateLimits | None:
        return self._limits

    @limits.setter
    def limits(self, limits: RateLimits | None) -> None:
        self._limits = limits
        self._sent.clear()

    def acquire(self, chat_id: int, is_group: bool) -> None:
        """Records one send to `chat_id`, or raises 429 with the seconds until a slot frees."""
        if self._limits is None:
            return
        windows = [(("chat", chat_id), self._limits.per_chat), (("all", 0), self._limits.overall)]
        if is_group:
            windows.append((("group", chat_id), self._limits.per_group))
        now = self._clock()
        wait = 0.0
        for key, (count, seconds) in windows:
            sent = self._sent.setdefault(key, deque())
            while sent and sent[0] <= now - seconds:
                sent.popleft()
            if len(sent) >= count:
                wait = max(wait, sent[-count] + seconds - now)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            raise BotApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        for key, _ in windows:
            self._sent[key].append(now)
