"""The support desk: a person takes a user over in the user's own forum topic of the support
group, then hands the user back to the bot.

Cases live in the database (`support_case`), so who is being helped survives restarts and is
checked before every automated reply. The desk talks to the support group through a
`SupportChannel` port; the python-telegram-bot adapter implements it (bot/telegram/support.py).
"""

from __future__ import annotations

import asyncio
import json
import logging
import shlex
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import SUPPORTED_LOCALES
from bot.flow import fields, screens
from bot.flow.screens import Screen
from bot.i18n import normalize_locale
from bot.service import Profile, Reply, Service
from models import store
from models.db import transaction
from models.tables import Integration, SupportCase, TelegramUser

log = logging.getLogger(__name__)


class TopicGone(Exception):
    """The user's topic was deleted in the support group."""


class NoTopics(Exception):
    """The support group has no forum topics: cases are anchored to their card instead."""


class UserUnreachable(Exception):
    """The user blocked the bot."""


class SupportChannel(Protocol):
    """What the desk needs from the chat platform."""

    async def create_topic(self, chat_id: int, name: str) -> int: ...

    async def post(
        self,
        chat_id: int,
        thread_id: int | None,
        screen: Screen,
        locale: str,
        reply_to: int | None = None,
    ) -> int: ...

    async def copy_to_topic(
        self,
        chat_id: int,
        thread_id: int | None,
        from_chat_id: int,
        message_id: int,
        reply_to: int | None = None,
    ) -> int: ...

    async def copy_to_user(self, chat_id: int, from_chat_id: int, message_id: int) -> None: ...

    async def send(self, reply: Reply) -> None: ...

    def deep_link(self, payload: str) -> str: ...


@dataclass(frozen=True)
class Agent:
    telegram_id: int
    name: str
    language_code: str | None


@dataclass(frozen=True)
class _Case:
    """What the desk needs of a case outside the transaction that loaded it."""

    id: int
    user_id: int
    user_chat_id: int
    chat_id: int
    thread_id: int | None
    card_message_id: int | None
    status: str
    topic_name: str


class SupportDesk:
    def __init__(
        self,
        engine: Engine,
        service: Service,
        channel: SupportChannel,
        *,
        chat_id: int | None,
        answer_minutes: int = 15,
        queue_notice_after: timedelta = timedelta(minutes=15),
    ) -> None:
        self._engine = engine
        self._service = service
        self._channel = channel
        self.chat_id = chat_id
        self._answer_minutes = answer_minutes
        self._queue_notice_after = queue_notice_after

    # --- the user's side ---------------------------------------------------------------------

    async def request(self, profile: Profile, *, update_id: int | None, reason: str) -> None:
        """`/support` or a "talk to support" button: open (or reuse) the case and the topic."""
        if self.chat_id is None:
            await self._channel.send(self._to_user(profile, screens.support_unavailable()))
            return
        opened = await asyncio.to_thread(self._open, profile, update_id, reason)
        if opened is None:
            return
        case, created, card, sent_by = opened
        if sent_by is not None:
            notice = screens.agent_notice(screens.AGENT_LINK_HELP, telegram_id=profile.telegram_id)
            await self._channel.post(
                sent_by["chat_id"], sent_by["thread_id"], notice, self._service.default_locale
            )
        if created:
            await self._post(case, card, self._service.default_locale)
            shown = screens.support_requested(minutes=self._answer_minutes)
        else:
            shown = screens.help_screen().with_notice(screens.SUPPORT_ALREADY)
        await self._channel.send(self._to_user(profile, shown))

    def is_helping(self, user_id: int) -> bool:
        """A person has (or is about to have) this user: the bot stays silent."""
        return self._case_of_user(user_id) is not None

    async def relay_from_user(self, profile: Profile, message_id: int) -> bool:
        """Pass the user's message to their topic; False when no person has the user."""
        case = await asyncio.to_thread(self._case_of_user, profile.telegram_id)
        if case is None:
            return False
        await self._copy_to_topic(case, profile.chat_id, message_id)
        return True

    async def remind_waiting(self) -> None:
        """Tell each user whose request nobody claimed in time that they are still queued."""
        for reply in await asyncio.to_thread(self._waiting):
            try:
                await self._channel.send(reply)
            except UserUnreachable:
                log.info("a queued user blocked the bot")

    def _waiting(self) -> list[Reply]:
        """The reminders to send; each case is marked in the same transaction (told once)."""
        older_than = datetime.now(UTC) - self._queue_notice_after
        replies = []
        with transaction(self._engine) as session:
            for case in store.cases_waiting(session=session, older_than=older_than):
                user = session.get(TelegramUser, case.user_id)
                if user is None:
                    continue
                store.mark_queued_notice(session=session, case=case)
                locale = self._service.locale_for(user)
                queued = screens.agent_notice(screens.SUPPORT_QUEUED)
                replies.append(Reply(user.chat_id, locale, (queued,)))
        return replies

    # --- the agents' side ----------------------------------------------------------------------

    async def relay_from_agent(
        self, agent: Agent, *, thread_id: int | None, replied_to: int | None, message_id: int
    ) -> None:
        """An agent's message in a user's topic (or, without topics, a reply to one of the
        case's messages) goes to the user."""
        assert self.chat_id is not None
        case = await asyncio.to_thread(self._case_at, thread_id, replied_to)
        if case is None or case.status == "closed":
            return
        try:
            await self._channel.copy_to_user(case.user_chat_id, self.chat_id, message_id)
        except UserUnreachable:
            await self._notice(case, agent, screens.AGENT_USER_BLOCKED)
            return
        await asyncio.to_thread(self._agent_replied, case.id)

    async def card_action(
        self, agent: Agent, *, thread_id: int | None, message_id: int, action: str
    ) -> None:
        """Claim, hand back (at a step) or close, from the card's buttons."""
        case = await asyncio.to_thread(self._case_at, thread_id, message_id)
        if case is None or case.status == "closed":
            if case is not None:
                await self._notice(case, agent, screens.AGENT_NOT_OPEN)
            return
        if action == "claim":
            await asyncio.to_thread(self._claim, case.id, agent)
            await self._notice(case, agent, screens.AGENT_CLAIMED, agent=agent.name)
            claimed = screens.support_claimed(agent=agent.name)
            await self._channel.send(await asyncio.to_thread(self._user_reply, case, claimed))
            return
        to = action.removeprefix("back:") if action.startswith("back:") else "current"
        if to not in screens.AGENT_STEPS:
            to = "current"
        await asyncio.to_thread(self._close, case.id, to)
        step_name = screens.AGENT_STEPS.get(to, screens.AGENT_STEPS["current"])
        if action == "close":
            await self._notice(case, agent, screens.AGENT_CLOSED, agent=agent.name)
        else:
            step = screens.Msg(step_name)
            await self._notice(case, agent, screens.AGENT_HANDED_BACK, agent=agent.name, step=step)
        reply = await self._service.hand_back(user_id=case.user_id, to=to)
        try:
            await self._channel.send(reply)
        except UserUnreachable:
            await self._notice(case, agent, screens.AGENT_USER_BLOCKED)

    async def create_link(self, agent: Agent, *, thread_id: int | None, words: str) -> None:
        """`/link [eligibility|terms] [id|en] [field=value …] [note]`: a one-time deep link
        that starts the user where the agent says, with the details the agent knows."""
        assert self.chat_id is not None
        locale = normalize_locale(agent.language_code)
        try:
            payload = parse_link_request(words)
        except LinkRequestError as problem:
            notice = screens.agent_notice(screens.AGENT_LINK_USAGE, problem=problem.message)
            await self._channel.post(self.chat_id, thread_id, notice, locale)
            return
        token = await asyncio.to_thread(self._new_link, agent, thread_id, payload)
        url = self._channel.deep_link(token)
        notice = screens.agent_notice(screens.AGENT_LINK_CREATED, url=url)
        await self._channel.post(self.chat_id, thread_id, notice, locale)

    async def tell_agents(self, reply: Reply) -> None:
        """Post a reply's lines for the agent who sent the user in (their language: default)."""
        for post in reply.agent_posts:
            await self._channel.post(
                post.chat_id, post.thread_id, post.screen, self._service.default_locale
            )

    def _new_link(self, agent: Agent, thread_id: int | None, payload: dict[str, object]) -> str:
        assert self.chat_id is not None
        with transaction(self._engine) as session:
            return store.create_agent_link(
                session=session,
                agent_id=agent.telegram_id,
                chat_id=self.chat_id,
                thread_id=thread_id,
                payload=payload,
            )

    async def lookup(self, agent: Agent, *, thread_id: int | None, query: str) -> None:
        """`/lookup <telegram id | advertiser id>` in the support group: answered where asked."""
        assert self.chat_id is not None
        locale = normalize_locale(agent.language_code)
        shown = await asyncio.to_thread(self._lookup, query.strip())
        await self._channel.post(self.chat_id, thread_id, shown, locale)

    # --- helpers -----------------------------------------------------------------------------

    def _lookup(self, query: str) -> Screen:
        if not query.isdigit():
            return screens.agent_notice(screens.LOOKUP_USAGE)
        with transaction(self._engine) as session:
            user = session.get(TelegramUser, int(query)) or store.user_by_advertiser(
                session=session, advertiser_id=query
            )
            if user is None:
                return screens.agent_notice(screens.LOOKUP_NOT_FOUND, query=query)
            integration = store.current_integration(session=session, user_id=user.id)
            cases = store.cases_for_user(session=session, user_id=user.id, limit=5)
            events = store.audit_trail(session=session, user_id=user.id, limit=10)
            data = integration.data if integration else {}
            advertiser = data.get("advertiser") or {}
            result = data.get("result") or {}
            advertiser_id = (
                (integration.advertiser_id if integration else None)
                or advertiser.get("id")
                or result.get("advertiser_id")
            )
            return screens.lookup(
                name=user.first_name or "–",
                telegram_id=user.id,
                status=integration.status if integration else "–",
                step=integration.step if integration else "–",
                started=_or_dash(integration.created_at if integration else None),
                updated=_or_dash(integration.updated_at if integration else None),
                submitted=_or_dash(integration.submitted_at if integration else None),
                finished=_or_dash(integration.completed_at if integration else None),
                advertiser=advertiser_id or "–",
                cases=[
                    screens.Msg(
                        screens.LOOKUP_CASE,
                        {
                            "requested": case.requested_at,
                            "claimed": _or_dash(case.claimed_at),
                            "replied": _or_dash(case.first_agent_reply_at),
                            "closed": _or_dash(case.closed_at),
                        },
                    )
                    for case in cases
                ],
                events=[
                    screens.Msg(
                        screens.LOOKUP_EVENT,
                        {
                            "when": event.created_at,
                            "kind": event.kind,
                            "detail": json.dumps(event.detail, ensure_ascii=False)
                            if event.detail
                            else "",
                        },
                    )
                    for event in events
                ],
            )

    async def _post(self, case: _Case, screen: Screen, locale: str) -> None:
        await self._in_topic(
            case,
            lambda thread, reply_to: self._channel.post(
                case.chat_id, thread, screen, locale, reply_to
            ),
        )

    async def _copy_to_topic(self, case: _Case, from_chat_id: int, message_id: int) -> None:
        await self._in_topic(
            case,
            lambda thread, reply_to: self._channel.copy_to_topic(
                case.chat_id, thread, from_chat_id, message_id, reply_to
            ),
        )

    async def _in_topic(
        self, case: _Case, act: Callable[[int | None, int | None], Awaitable[int]]
    ) -> None:
        """Do `act` in the user's topic; a missing or deleted topic is made (again) first. In a
        group without topics, `act` replies to the case's card and its message is remembered,
        so that an agent's reply to it finds the case."""
        thread_id = case.thread_id
        no_topics = thread_id is None and case.card_message_id is not None
        for _ in range(2):
            if thread_id is None and not no_topics:
                try:
                    thread_id = await self._channel.create_topic(case.chat_id, case.topic_name)
                    await asyncio.to_thread(self._set_thread, case.id, thread_id)
                except NoTopics:
                    no_topics = True
            try:
                message_id = await act(thread_id, case.card_message_id if no_topics else None)
            except TopicGone:
                log.warning("support topic of case %s was deleted; making a new one", case.id)
                thread_id = None
                continue
            if no_topics:
                await asyncio.to_thread(self._remember, case.id, message_id)
            return

    async def _notice(self, case: _Case, by: Agent | None, text: str, **params: object) -> None:
        """A line for the agents in the user's topic, in the language of the agent who acted."""
        locale = normalize_locale(by.language_code if by else None)
        await self._post(case, screens.agent_notice(text, **params), locale)

    def _to_user(self, profile: Profile, screen: Screen) -> Reply:
        locale = self._service.locale_of(profile.telegram_id, profile.language_code)
        return Reply(profile.chat_id, locale, (screen,))

    def _user_reply(self, case: _Case, screen: Screen) -> Reply:
        locale = self._service.locale_of(case.user_id, None)
        return Reply(case.user_chat_id, locale, (screen,))

    def _open(
        self, profile: Profile, update_id: int | None, reason: str
    ) -> tuple[_Case, bool, Screen, dict[str, int] | None] | None:
        assert self.chat_id is not None
        with transaction(self._engine) as session:
            user = self._service.touch_user(session, profile, update_id)
            if user is None:
                return None
            case, created = store.request_case(
                session=session, user_id=user.id, chat_id=self.chat_id, reason=reason
            )
            integration = store.current_integration(session=session, user_id=user.id)
            card = self._card(session, user, integration, reason)
            sent_by = integration.data.get("agent") if integration else None
            return _snapshot(case, user), created, card, sent_by

    def _card(
        self,
        session: Session,
        user: TelegramUser,
        integration: Integration | None,
        reason: str,
    ) -> Screen:
        """The context card, read in the caller's transaction (a second one would wait on it)."""
        data = integration.data if integration else {}
        ineligible = data.get("ineligible")
        if ineligible:
            eligibility = ", ".join(ineligible)
        elif integration and integration.step not in ("eligibility",):
            eligibility = "eligible"
        else:
            eligibility = "–"
        advertiser = data.get("advertiser") or {}
        result = data.get("result") or {}
        account_name = advertiser.get("name") or result.get("advertiser_name")
        account_id = advertiser.get("id") or result.get("advertiser_id")
        account = f"{account_name} (ID {account_id})" if account_id else "–"
        errors = sorted({e["field"] for e in data.get("errors", [])})
        lines = store.recent_lines(session=session, user_id=user.id, limit=10)
        history = [f"{line.sender}: {line.text}" for line in lines]
        return screens.support_card(
            name=user.first_name or "–",
            username=f"@{user.username}" if user.username else "–",
            telegram_id=user.id,
            locale=self._service.locale_for(user),  # no second session: it would wait on ours
            step=integration.step if integration else "–",
            eligibility=eligibility,
            account=account,
            errors=", ".join(errors) if errors else "–",
            reason=reason,
            history=history,
        )

    def _case_of_user(self, user_id: int) -> _Case | None:
        with transaction(self._engine) as session:
            case = store.open_case(session=session, user_id=user_id)
            user = session.get(TelegramUser, user_id)
            return _snapshot(case, user) if case and user else None

    def _case_at(self, thread_id: int | None, message_id: int | None) -> _Case | None:
        """The case of a topic, or (without topics) of a message the bot posted for it."""
        assert self.chat_id is not None
        with transaction(self._engine) as session:
            if thread_id is not None:
                case = store.case_by_thread(
                    session=session, chat_id=self.chat_id, thread_id=thread_id
                )
            elif message_id is not None:
                case = store.case_by_message(
                    session=session, chat_id=self.chat_id, message_id=message_id
                )
            else:
                return None
            user = session.get(TelegramUser, case.user_id) if case else None
            return _snapshot(case, user) if case and user else None

    def _remember(self, case_id: int, message_id: int) -> None:
        with transaction(self._engine) as session:
            case = session.get(SupportCase, case_id)
            assert case is not None
            store.remember_support_message(
                session=session, case=case, chat_id=case.chat_id, message_id=message_id
            )

    def _set_thread(self, case_id: int, thread_id: int) -> None:
        with transaction(self._engine) as session:
            case = session.get(SupportCase, case_id)
            assert case is not None
            store.set_case_thread(session=session, case=case, thread_id=thread_id)

    def _claim(self, case_id: int, agent: Agent) -> None:
        with transaction(self._engine) as session:
            case = session.get(SupportCase, case_id)
            assert case is not None
            store.claim_case(
                session=session, case=case, agent_id=agent.telegram_id, agent_name=agent.name
            )

    def _agent_replied(self, case_id: int) -> None:
        with transaction(self._engine) as session:
            case = session.get(SupportCase, case_id)
            assert case is not None
            store.note_agent_reply(session=session, case=case)

    def _close(self, case_id: int, to: str) -> None:
        with transaction(self._engine) as session:
            case = session.get(SupportCase, case_id)
            assert case is not None
            store.close_case(session=session, case=case, handed_back_at=to)


class LinkRequestError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


LINK_STEPS = ("eligibility", "terms")


def parse_link_request(words: str) -> dict[str, object]:
    """`[step] [locale] [field=value …] [note …]` (quotes group words) → the link's payload.

    Field values are checked with the same validators the user meets, and stored normalized.
    """
    try:
        parts = shlex.split(words)
    except ValueError as exc:
        raise LinkRequestError(str(exc)) from None
    payload: dict[str, object] = {"step": "eligibility", "fields": {}}
    note: list[str] = []
    for part in parts:
        key, sep, value = part.partition("=")
        if not sep and part in LINK_STEPS:
            payload["step"] = part
        elif not sep and part in SUPPORTED_LOCALES:
            payload["locale"] = part
        elif sep:
            if key not in {spec.key for spec in fields.ASKED}:
                raise LinkRequestError(f"unknown field {key!r}")
            checked = fields.validate(key, value)
            if isinstance(checked, fields.Invalid):
                raise LinkRequestError(f"{key}: {value!r} is not valid")
            payload["fields"][key] = checked.value  # type: ignore[index]
        else:
            note.append(part)
    if note:
        payload["note"] = " ".join(note)
    return payload


def _or_dash(moment: datetime | None) -> datetime | str:
    return moment if moment is not None else "–"


def _snapshot(case: SupportCase, user: TelegramUser) -> _Case:
    assert case.id is not None
    return _Case(
        id=case.id,
        user_id=case.user_id,
        user_chat_id=user.chat_id,
        chat_id=case.chat_id,
        thread_id=case.thread_id,
        card_message_id=case.card_message_id,
        status=case.status,
        topic_name=f"{user.first_name or 'User'} · {user.id}"[:128],
    )
