"""The one place that runs an event for a user: load, decide, save, answer with screens.

Every entry point (a Telegram update, later the OAuth callback, a backend status change, an agent)
comes through here. The store is synchronous, so each event runs its unit of work in a worker
thread; the per-user lock (a row lock on PostgreSQL) serializes events of one user.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import Engine

from bot.flow import screens
from bot.flow.screens import Screen
from bot.i18n import choose_locale
from models import store
from models.db import transaction


@dataclass(frozen=True)
class Profile:
    """Who sent the event, as the chat platform told us."""

    telegram_id: int
    chat_id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True)
class Reply:
    """Screens to show one user, in their locale."""

    chat_id: int
    locale: str
    screens: tuple[Screen, ...]


class Service:
    def __init__(self, engine: Engine, *, default_locale: str = "id") -> None:
        self._engine = engine
        self.default_locale = default_locale

    async def start(self, *, update_id: int, profile: Profile, payload: str | None) -> Reply | None:
        """`/start` (optionally with a deep-link payload). None: the update was seen before."""
        return await asyncio.to_thread(self._start, update_id, profile, payload)

    def _start(self, update_id: int, profile: Profile, payload: str | None) -> Reply | None:
        with transaction(self._engine) as session:
            if not store.claim_update(session=session, update_id=update_id):
                return None
            user = store.upsert_user(
                session=session,
                telegram_id=profile.telegram_id,
                chat_id=profile.chat_id,
                username=profile.username,
                first_name=profile.first_name,
                language_code=profile.language_code,
            )
            store.append_audit(
                session=session,
                kind="start",
                user_id=user.id,
                detail={"deep_link": payload is not None},
            )
            locale = choose_locale(
                chosen=user.locale, language_code=user.language_code, default=self.default_locale
            )
            return Reply(
                chat_id=user.chat_id,
                locale=locale,
                screens=(screens.welcome(name=profile.first_name),),
            )
