"""The bot's pending updates and webhook settings, kept the way the Bot API server keeps them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

# A fresh sandbox starts its update_ids at a random point in this range, as Telegram does
# after a quiet week, so a bot that remembers handled ids across runs sees no repeats.
FIRST_UPDATE_IDS = range(100_000, 1_000_000_000)
# Telegram leaves these out unless allowed_updates names them.
NOT_SENT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass(frozen=True)
class PendingUpdate:
    update_id: int
    kind: str
    body: dict[str, Any]  # the Update as JSON, frozen at the moment it happened


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


class UpdateQueue:
    """Updates stay pending until confirmed by a later getUpdates offset or a webhook 2xx."""

    def __init__(self, first_update_id: int | None = None) -> None:
        self.pending: list[PendingUpdate] = []
        self.allowed_updates: list[str] | None = None  # None: Telegram's default set
        self.poll_generation = 0
        if first_update_id is None:
            first_update_id = FIRST_UPDATE_IDS.start + secrets.randbelow(len(FIRST_UPDATE_IDS))
        self._next_id = first_update_id

    def accepts(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in NOT_SENT_BY_DEFAULT

    def push(self, kind: str, payload: dict[str, Any]) -> int:
        """Assigns the next update_id; the update is kept only if the bot asked for its kind."""
        update_id = self._next_id
        self._next_id += 1
        if self.accepts(kind):
            self.pending.append(PendingUpdate(update_id, kind, {"update_id": update_id, **payload}))
        return update_id

    def confirm(self, offset: int) -> None:
        """A positive offset forgets older updates; a negative one keeps only the last -offset."""
        if offset > 0:
            self.pending = [update for update in self.pending if update.update_id >= offset]
        elif offset < 0:
            self.pending = self.pending[offset:]

    def remove(self, update_id: int) -> None:
        self.pending = [update for update in self.pending if update.update_id != update_id]

    def drop_all(self) -> None:
        self.pending = []

    def begin_poll(self) -> int:
        """A new getUpdates supersedes any older one still waiting."""
        self.poll_generation += 1
        return self.poll_generation
