"""The one place that runs an event for a user: load, decide, save, answer with screens.

Every entry point (a Telegram update, the OAuth callback, the status poller, later an agent) comes
through here. An event runs in two phases so that no network call happens inside a database
transaction: (1) under the per-user lock, load the integration, run the flow, save, and collect
its effects; (2) outside the transaction, perform each effect (a backend call) and run its
outcome as a new event, again under the lock. The store is synchronous, so each transaction runs
in a worker thread.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.backends import (
    BackendError,
    BillingInfo,
    BusinessDetails,
    CreateIntegration,
    IntegrationRequest,
    PromoteClient,
    RequestRejected,
    SyncIntegration,
    TikTokClient,
)
from bot.config import SUPPORTED_LOCALES
from bot.crypto import TokenCipher
from bot.flow import events as ev
from bot.flow import machine, screens
from bot.flow.machine import ENDED, State, Step, Transition
from bot.flow.samples import samples
from bot.flow.screens import AUTH_URL, Msg, Screen
from bot.i18n import N_, PSEUDO_LOCALE, babel_locale, choose_locale
from bot.privacy import mask_personal
from models import store
from models.db import transaction
from models.errors import AgentLinkError, OAuthStateError, OAuthStateExpired, OAuthStateUsed
from models.tables import AgentLink, Integration, OutboxMessage, TelegramUser

log = logging.getLogger(__name__)

# What an agent's deep-link token looks like (secrets.token_urlsafe(24): 32 characters).
AGENT_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")

STATUS_BY_STEP = {
    Step.submitted: "in_progress",
    Step.completed: "completed",
    Step.failed: "failed",
    Step.cancelled: "cancelled",
}


@dataclass(frozen=True)
class Profile:
    """Who sent the event, as the chat platform told us."""

    telegram_id: int
    chat_id: int
    first_name: str
    username: str | None = None
    language_code: str | None = None


@dataclass(frozen=True)
class AgentPost:
    """A line for the support agent who sent this user in with a link (in their topic)."""

    chat_id: int
    thread_id: int | None
    screen: Screen


@dataclass(frozen=True)
class Reply:
    """Screens to show one user, in their locale. Buttons carry `callback_prefix` so that a
    press can be matched to the integration and version it was shown for."""

    chat_id: int
    locale: str
    screens: tuple[Screen, ...]
    callback_prefix: str = ""
    stale: bool = False  # the answer to a button of an earlier screen
    show_msgids: bool = False  # a localization tester asked to see them
    agent_posts: tuple[AgentPost, ...] = ()

    def then(self, other: Reply | None) -> Reply:
        if other is None:
            return self
        return replace(
            other,
            screens=self.screens + other.screens,
            agent_posts=self.agent_posts + other.agent_posts,
        )


@dataclass(frozen=True)
class ButtonToken:
    """What a button's callback data says about when it was shown."""

    integration_id: int
    version: int

    def prefix(self) -> str:
        return f"{self.integration_id}.{self.version}|"

    @staticmethod
    def parse(data: str) -> tuple[ButtonToken | None, str]:
        head, sep, action = data.partition("|")
        integration_id, dot, version = head.partition(".")
        if not (sep and dot and integration_id.isdigit() and version.isdigit()):
            return None, data
        return ButtonToken(int(integration_id), int(version)), action


@dataclass(frozen=True)
class CallbackPage:
    """What the OAuth callback tells the browser, and what it pushes to the chat."""

    outcome: str  # authorized | denied | invalid | expired | used | failed
    locale: str | None  # None: no user is known (a forged or truncated link)
    reply: Reply | None = None


@dataclass
class _Applied:
    reply: Reply | None
    effects: tuple[ev.Effect, ...] = ()
    user_id: int = 0
    integration_id: int | None = None
    locale: str = "id"
    token: str | None = field(default=None, repr=False)


class Service:
    def __init__(
        self,
        engine: Engine,
        *,
        tiktok: TikTokClient,
        promote: PromoteClient,
        cipher: TokenCipher,
        redirect_uri: str,
        default_locale: str = "id",
        testers: frozenset[int] = frozenset(),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._engine = engine
        self.tiktok = tiktok
        self._promote = promote
        self._cipher = cipher
        # Where TikTok sends the browser back; the runner sets it once the web app is bound.
        self.redirect_uri = redirect_uri
        self.default_locale = default_locale
        self.testers = testers
        self._now = clock

    # --- entry points ---------------------------------------------------------------------

    async def user_event(
        self,
        *,
        profile: Profile,
        event: ev.Event,
        update_id: int | None = None,
        button: ButtonToken | None = None,
    ) -> Reply | None:
        """A user's command, button or text. None: the update was seen before."""
        applied = await asyncio.to_thread(self._apply_user, profile, event, update_id, button)
        if applied is None:
            return None
        return await self._perform(applied)

    async def authorization_callback(
        self, *, state: str | None, auth_code: str | None, error: str | None
    ) -> CallbackPage:
        """TikTok sent the browser back: check the state, exchange the code, move the chat on."""
        try:
            claimed = await asyncio.to_thread(self._claim_state, state or "")
        except OAuthStateError as exc:
            kind = (
                "expired"
                if isinstance(exc, OAuthStateExpired)
                else "used"
                if isinstance(exc, OAuthStateUsed)
                else "invalid"
            )
            await asyncio.to_thread(self._audit_rejected_state, kind, exc)
            return CallbackPage(kind, await asyncio.to_thread(self._locale_of, exc))
        user_id, integration_id, locale = claimed
        if error or not auth_code:
            applied = await asyncio.to_thread(
                self._apply_outcome, user_id, integration_id, ev.AuthDenied(), None
            )
            return CallbackPage("denied", locale, applied.reply if applied else None)
        try:
            grant = await self.tiktok.exchange_code(auth_code)
            advertisers = await self.tiktok.advertisers(grant.access_token)
            eligibility = await self._promote.eligibility(grant.access_token)
        except BackendError as exc:
            log.warning("authorization for integration %s failed: %s", integration_id, exc)
            applied = await asyncio.to_thread(
                self._apply_outcome, user_id, integration_id, ev.Pressed("auth:link"), None
            )
            reply = applied.reply if applied else None
            if reply is not None:
                notice = Msg(N_("Linking with TikTok did not work. Please try again."))
                reply = replace(
                    reply, screens=(reply.screens[0].with_notice(notice), *reply.screens[1:])
                )
            return CallbackPage("failed", locale, reply)
        authorized = ev.Authorized(
            promote_account=eligibility.promote_account.name,
            accounts=tuple(ev.Account(a.advertiser_id, a.advertiser_name) for a in advertisers),
            eligible=eligibility.eligible,
            reasons=tuple(eligibility.reasons),
        )
        applied = await asyncio.to_thread(
            self._apply_outcome,
            user_id,
            integration_id,
            authorized,
            self._cipher.encrypt(grant.access_token),
        )
        reply = await self._perform(applied) if applied else None
        return CallbackPage("authorized", locale, reply)

    async def language(
        self, *, profile: Profile, update_id: int | None, choice: str | None
    ) -> Reply | None:
        """`/language` (no choice: the picker) or a press of one of its buttons."""
        return await asyncio.to_thread(self._language, profile, update_id, choice)

    async def tester(
        self, *, profile: Profile, update_id: int | None, command: str, argument: str | None
    ) -> Reply | None:
        """`/screens [key]` and `/msgids` for localization testers; others get the current
        screen, as for any command the bot doesn't know."""
        if profile.telegram_id not in self.testers:
            return await self.user_event(
                profile=profile, event=ev.Text(f"/{command}"), update_id=update_id
            )
        return await asyncio.to_thread(self._tester, profile, update_id, command, argument)

    async def hand_back(self, *, user_id: int, to: str) -> Reply:
        """A support agent gives the user back to the bot (at `to`, see `ev.HandBack`)."""
        return await asyncio.to_thread(self._hand_back, user_id, to)

    def locale_of(self, user_id: int, language_code: str | None) -> str:
        """The user's locale (their choice, else Telegram's language, else the default)."""
        with Session(self._engine) as session:
            user = session.get(TelegramUser, user_id)
            if user is None:
                return choose_locale(
                    chosen=None, language_code=language_code, default=self.default_locale
                )
            return self.locale_for(user)

    async def outside_event(self, *, integration_id: int, event: ev.Event) -> None:
        """News from a backend for one integration (the status poller).

        What the user should see is queued in the outbox in the same transaction as the state
        change, and pushed from there: once, even if the process dies before the send.
        """
        user_id = await asyncio.to_thread(self._owner_of, integration_id)
        await asyncio.to_thread(
            self._apply_outcome, user_id, integration_id, event, None, push=True
        )

    def current_reply(self, integration_id: int) -> Reply:
        """The integration's own current screen for its user (what a push shows)."""
        with transaction(self._engine) as session:
            integration = session.get(Integration, integration_id)
            assert integration is not None
            user = session.get(TelegramUser, integration.user_id)
            assert user is not None
            state = _state(integration)
            shown = machine.current_screens(state, now=self._now())
            reply = self._reply(session, user, integration, shown)
            agent = integration.data.get("agent")
            if agent and state.step in (Step.completed, Step.failed):
                text = (
                    screens.AGENT_LINK_SUCCEEDED
                    if state.step is Step.completed
                    else screens.AGENT_LINK_FAILED
                )
                notice = screens.agent_notice(text, telegram_id=user.id)
                post = AgentPost(agent["chat_id"], agent["thread_id"], notice)
                reply = replace(reply, agent_posts=(post,))
            return reply

    # --- phase 1: under the lock ----------------------------------------------------------

    def _language(
        self, profile: Profile, update_id: int | None, choice: str | None
    ) -> Reply | None:
        with transaction(self._engine) as session:
            user = self.touch_user(session, profile, update_id)
            if user is None:
                return None
            options = (*SUPPORTED_LOCALES, *((PSEUDO_LOCALE,) if user.id in self.testers else ()))
            if choice not in options:
                picker = screens.language_picker(options=options, current=self.locale_for(user))
                return Reply(
                    user.chat_id, self.locale_for(user), (picker,), show_msgids=user.show_msgids
                )
            store.set_locale(session=session, user=user, locale=choice)
            store.append_audit(
                session=session, kind="locale_chosen", user_id=user.id, detail={"locale": choice}
            )
            notice = screens.language_set(choice)
            integration = store.current_integration(session=session, user_id=user.id)
            if integration is None:
                shown: tuple[Screen, ...] = (screens.help_screen().with_notice(notice),)
                return Reply(user.chat_id, choice, shown, show_msgids=user.show_msgids)
            first, *rest = machine.current_screens(_state(integration), now=self._now())
            return self._reply(session, user, integration, (first.with_notice(notice), *rest))

    def _agent_link(
        self, session: Session, user: TelegramUser, payload: str | None
    ) -> AgentLink | None:
        """The support agent's link this /start payload names, used up now; else None."""
        if not payload or not AGENT_TOKEN.fullmatch(payload):
            return None
        try:
            return store.consume_agent_link(session=session, token=payload, user_id=user.id)
        except AgentLinkError as exc:
            store.append_audit(
                session=session,
                kind="agent_link_rejected",
                user_id=user.id,
                detail={"reason": type(exc).__name__},
            )
            return None

    def _start_from_link(
        self,
        session: Session,
        user: TelegramUser,
        current: Integration | None,
        link: AgentLink,
    ) -> tuple[Integration, tuple[Screen, ...], tuple[AgentPost, ...]]:
        """A fresh integration the way the agent prepared it: language, details, step."""
        payload = dict(link.payload)
        if payload.get("locale"):
            store.set_locale(session=session, user=user, locale=payload["locale"])
        if current is not None and Step(current.step) not in ENDED | {Step.submitted}:
            current.step, current.status = Step.cancelled.value, "cancelled"
            store.save_integration(session=session, integration=current, event="replaced_by_link")
        integration = store.start_integration(session=session, user_id=user.id)
        agent = {"chat_id": link.chat_id, "thread_id": link.thread_id, "agent_id": link.agent_id}
        data: dict[str, object] = {"agent": agent, "fields": payload.get("fields", {})}
        if payload.get("step") == "terms":
            data["registered"] = True
        integration.data = data
        store.save_integration(session=session, integration=integration, event="from_agent_link")
        post = AgentPost(
            link.chat_id,
            link.thread_id,
            screens.agent_notice(screens.AGENT_LINK_OPENED, telegram_id=user.id),
        )
        welcome = screens.welcome(name=user.first_name or "")
        if payload.get("note"):
            welcome = welcome.with_notice(screens.support_note(str(payload["note"])))
        return integration, (welcome,), (post,)

    def _hand_back(self, user_id: int, to: str) -> Reply:
        with transaction(self._engine) as session:
            user = store.lock_user(session=session, telegram_id=user_id)
            assert user is not None
            integration = store.current_integration(session=session, user_id=user.id)
            if integration is None:
                shown = (screens.help_screen().with_notice(screens.SUPPORT_HANDED_BACK),)
                return Reply(user.chat_id, self.locale_for(user), shown)
            transition = machine.handle(_state(integration), ev.HandBack(to), now=self._now())
            applied = self._save(session, user, integration, transition, ())
            assert applied.reply is not None
            return applied.reply

    def _tester(
        self, profile: Profile, update_id: int | None, command: str, argument: str | None
    ) -> Reply | None:
        with transaction(self._engine) as session:
            user = self.touch_user(session, profile, update_id)
            if user is None:
                return None
            locale = self.locale_for(user)
            if command == "msgids":
                user.show_msgids = not user.show_msgids
                session.add(user)
                shown = (screens.msgids_switched(on=user.show_msgids),)
                return Reply(user.chat_id, locale, shown, show_msgids=user.show_msgids)
            known = {s.key: s for s in samples()}
            if argument in known:
                shown = (known[argument].screen,)
                return Reply(
                    user.chat_id, locale, shown, callback_prefix="S|", show_msgids=user.show_msgids
                )
            shown = (screens.tester_screens(keys=list(known)),)
            return Reply(user.chat_id, locale, shown, show_msgids=user.show_msgids)

    def touch_user(
        self, session: Session, profile: Profile, update_id: int | None
    ) -> TelegramUser | None:
        """The sender, locked and up to date; None when this update was handled before."""
        if update_id is not None and not store.claim_update(session=session, update_id=update_id):
            return None
        return store.upsert_user(
            session=session,
            telegram_id=profile.telegram_id,
            chat_id=profile.chat_id,
            username=profile.username,
            first_name=profile.first_name,
            language_code=profile.language_code,
        )

    def _apply_user(
        self,
        profile: Profile,
        event: ev.Event,
        update_id: int | None,
        button: ButtonToken | None,
    ) -> _Applied | None:
        """One user event under the lock; the chat's latest lines are kept for support."""
        with transaction(self._engine) as session:
            applied = self._decide(session, profile, event, update_id, button)
            if applied is not None:
                self._record(session, applied.user_id, event, applied.reply)
            return applied

    def _record(self, session: Session, user_id: int, event: ev.Event, reply: Reply | None) -> None:
        """What support agents see of the chat: the user's words (masked), the bot's screens."""
        said = {
            ev.Text: lambda e: mask_personal(e.text),
            ev.Pressed: lambda e: f"▸ {e.action}",
            ev.Start: lambda e: "/start",
            ev.Help: lambda e: "/help",
            ev.Status: lambda e: "/status",
            ev.Cancel: lambda e: "/cancel",
        }.get(type(event))
        if said is not None:
            store.record_line(session=session, user_id=user_id, sender="user", text=said(event))
        for screen in reply.screens if reply else ():
            store.record_line(
                session=session, user_id=user_id, sender="bot", text=f"[{screen.key}]"
            )

    def _decide(
        self,
        session: Session,
        profile: Profile,
        event: ev.Event,
        update_id: int | None,
        button: ButtonToken | None,
    ) -> _Applied | None:
        user = self.touch_user(session, profile, update_id)
        if user is None:
            return None
        integration = store.current_integration(session=session, user_id=user.id)
        opening: tuple[Screen, ...] = ()
        posts: tuple[AgentPost, ...] = ()
        fresh = False
        if isinstance(event, ev.Start):
            store.append_audit(
                session=session,
                kind="start",
                user_id=user.id,
                detail={"deep_link": event.payload is not None},
            )
            link = self._agent_link(session, user, event.payload)
            if link is not None:
                integration, opening, posts = self._start_from_link(
                    session, user, integration, link
                )
                fresh = link.payload.get("step") != "terms"
                event = ev.Pressed("pre:age:yes")  # the agent vouched for the pre-check
            elif integration is None or Step(integration.step) in ENDED:
                integration = store.start_integration(session=session, user_id=user.id)
                opening = (screens.welcome(name=profile.first_name),)
                fresh = True
        if integration is None:
            shown = (screens.help_screen(),)
            reply = Reply(user.chat_id, self.locale_for(user), shown, show_msgids=user.show_msgids)
            return _Applied(reply, user_id=user.id)
        state = _state(integration)
        now = self._now()
        if fresh or posts:
            transition = (
                machine.stay(state, now=now) if fresh else machine.handle(state, event, now=now)
            )
            applied = self._save(session, user, integration, transition, opening)
            if applied.reply is not None and posts:
                applied.reply = replace(applied.reply, agent_posts=posts)
            elif posts:
                applied.reply = Reply(user.chat_id, self.locale_for(user), (), agent_posts=posts)
            return applied
        if isinstance(event, ev.Pressed) and button != ButtonToken(
            integration.id, integration.version
        ):
            stale = machine.stay(state, screens.STALE_BUTTON, now=now)
            applied = self._save(session, user, integration, stale, opening)
            applied.reply = replace(applied.reply, stale=True) if applied.reply else None
            return applied
        return self._save(
            session, user, integration, machine.handle(state, event, now=now), opening
        )

    def _apply_outcome(
        self,
        user_id: int,
        integration_id: int,
        event: ev.Event,
        token: str | None,
        *,
        push: bool = False,
    ) -> _Applied | None:
        """An outcome for one integration (the flow ignores what no longer fits its step)."""
        with transaction(self._engine) as session:
            user = store.lock_user(session=session, telegram_id=user_id)
            integration = session.get(Integration, integration_id)
            if user is None or integration is None:
                return None
            transition = machine.handle(_state(integration), event, now=self._now())
            if token is not None and transition.audit is not None:
                integration.access_token_encrypted = token
            applied = self._save(session, user, integration, transition, ())
            if push and transition.screens and transition.audit is not None:
                store.enqueue_outbox(
                    session=session,
                    user_id=user.id,
                    chat_id=user.chat_id,
                    kind=transition.audit,
                    payload={"integration_id": integration_id},
                    dedupe_key=f"{transition.audit}:{integration_id}",
                )
                applied.reply = None
            return applied

    def _save(
        self,
        session: Session,
        user: TelegramUser,
        integration: Integration,
        transition: Transition,
        opening: tuple[Screen, ...],
    ) -> _Applied:
        changed = (
            transition.state.step.value != integration.step
            or dict(transition.state.data) != integration.data
        )
        if changed or transition.audit is not None:
            integration.step = transition.state.step.value
            integration.data = dict(transition.state.data)
            integration.status = STATUS_BY_STEP.get(transition.state.step, "active")
            now = self._now()
            if transition.state.step is Step.submitted and integration.submitted_at is None:
                integration.submitted_at = now
            if transition.state.step in ENDED:
                integration.completed_at = now
            accepted = transition.state.data.get("terms_accepted")
            if accepted and integration.terms_version is None:
                integration.terms_version = accepted["version"]
                integration.terms_accepted_at = datetime.fromisoformat(accepted["at"])
            store.save_integration(
                session=session,
                integration=integration,
                event=transition.audit or "updated",
                detail=dict(transition.audit_detail or {}),
            )
        shown = opening + transition.screens
        return _Applied(
            reply=self._reply(session, user, integration, shown) if shown else None,
            effects=transition.effects,
            user_id=user.id,
            integration_id=integration.id,
            locale=self.locale_for(user),
            token=integration.access_token_encrypted,
        )

    def _reply(
        self,
        session: Session,
        user: TelegramUser,
        integration: Integration,
        shown: tuple[Screen, ...],
    ) -> Reply:
        assert integration.id is not None
        return Reply(
            chat_id=user.chat_id,
            locale=self.locale_for(user),
            screens=tuple(self._with_links(session, user, integration, s) for s in shown),
            callback_prefix=ButtonToken(integration.id, integration.version).prefix(),
            show_msgids=user.show_msgids,
        )

    def _with_links(
        self, session: Session, user: TelegramUser, integration: Integration, screen: Screen
    ) -> Screen:
        """Put a fresh single-use authorization link on every authorization button."""
        if not any(b.url == AUTH_URL for row in screen.buttons for b in row):
            return screen
        assert integration.id is not None
        state = store.create_oauth_state(
            session=session, user_id=user.id, integration_id=integration.id
        )
        url = self.tiktok.authorization_url(state=state, redirect_uri=self.redirect_uri)
        rows = tuple(
            tuple(replace(b, url=url) if b.url == AUTH_URL else b for b in row)
            for row in screen.buttons
        )
        return replace(screen, buttons=rows)

    def locale_for(self, user: TelegramUser) -> str:
        """The user's locale: their choice, else Telegram's language, else the default."""
        return choose_locale(
            chosen=user.locale, language_code=user.language_code, default=self.default_locale
        )

    def _claim_state(self, state: str) -> tuple[int, int, str]:
        with transaction(self._engine) as session:
            claimed = store.consume_oauth_state(session=session, state=state, now=self._now())
            user = session.get(TelegramUser, claimed.user_id)
            store.append_audit(
                session=session,
                kind="oauth_callback",
                user_id=claimed.user_id,
                integration_id=claimed.integration_id,
            )
            locale = self.locale_for(user) if user else self.default_locale
            return claimed.user_id, claimed.integration_id, locale

    def _audit_rejected_state(self, kind: str, exc: OAuthStateError) -> None:
        with transaction(self._engine) as session:
            store.append_audit(
                session=session,
                kind="oauth_state_rejected",
                user_id=getattr(exc, "user_id", None),
                integration_id=getattr(exc, "integration_id", None),
                detail={"reason": kind},
            )

    def _locale_of(self, exc: OAuthStateError) -> str | None:
        user_id = getattr(exc, "user_id", None)
        if user_id is None:
            return None
        with Session(self._engine) as session:
            user = session.get(TelegramUser, user_id)
            return self.locale_for(user) if user else None

    def _owner_of(self, integration_id: int) -> int:
        with Session(self._engine) as session:
            integration = session.get(Integration, integration_id)
            assert integration is not None
            return integration.user_id

    # --- phase 2: effects, outside the transaction ----------------------------------------

    async def _perform(self, applied: _Applied) -> Reply | None:
        reply = applied.reply
        for effect in applied.effects:
            outcome = await self._outcome_of(effect, applied)
            assert applied.integration_id is not None
            if outcome is None:
                if isinstance(effect, ev.Submit):
                    continue  # it stays submitted; the status poller sends it again
                shown = await asyncio.to_thread(self.current_reply, applied.integration_id)
                reply = reply.then(shown) if reply else shown
                continue
            following = await asyncio.to_thread(
                self._apply_outcome, applied.user_id, applied.integration_id, outcome, None
            )
            if following is None:
                continue
            more = await self._perform(following)
            if more is not None:
                reply = reply.then(more) if reply else more
        return reply

    async def _outcome_of(self, effect: ev.Effect, applied: _Applied) -> ev.Event | None:
        """The event an effect's backend call produced; None when the backend can't answer."""
        token = self._cipher.decrypt(applied.token) if applied.token else None
        try:
            match effect:
                case ev.FetchTerms():
                    # The backend writes terms in real languages only (English for pseudo).
                    terms = await self._promote.current_terms(
                        locale=babel_locale(applied.locale), access_token=token
                    )
                    return ev.TermsFetched(terms.version, terms.url, terms.summary)
                case ev.ComparePayment(advertiser_id=advertiser_id):
                    assert token is not None
                    comparison = await self._promote.compare_payment(token, advertiser_id)
                    differences = tuple(
                        {"field": d.field, "promote": d.promote, "ads_manager": d.ads_manager}
                        for d in comparison.differences
                    )
                    return ev.PaymentCompared(comparison.matches, differences)
                case ev.Submit(request=request):
                    return await self.submit(applied.integration_id, applied.token, request)
        except BackendError as exc:
            log.warning(
                "%s for integration %s: %s", type(effect).__name__, applied.integration_id, exc
            )
        return None

    async def submit(
        self, integration_id: int | None, token: str | None, request: dict[str, Any]
    ) -> ev.Event | None:
        """Start the integration; safe to repeat (the idempotency key names this attempt).

        `token` is the stored (encrypted) access token. A temporary failure raises
        BackendUnavailable: the poller submits again later.
        """
        assert integration_id is not None and token is not None
        attempt = await asyncio.to_thread(self._attempt_of, integration_id)
        key = f"promote-bot-{integration_id}-{attempt}"
        access_token = self._cipher.decrypt(token)
        try:
            status = await self._promote.start_integration(
                access_token, integration_request(request), idempotency_key=key
            )
        except RequestRejected as exc:
            log.warning("integration %s refused: %s", integration_id, exc)
            return ev.SubmitRejected("request_rejected")
        return ev.Submitted(
            status.integration_id, status.started_at, int(status.estimated_seconds or 0)
        )

    def _attempt_of(self, integration_id: int) -> int:
        with Session(self._engine) as session:
            integration = session.get(Integration, integration_id)
            assert integration is not None
            return int(integration.data.get("attempt", 1))

    # --- for the status poller and the outbox --------------------------------------------

    def submitted_integrations(self) -> list[tuple[int, dict[str, Any], str | None]]:
        """(id, submission, encrypted token) of every integration waiting for the backend."""
        with Session(self._engine) as session:
            rows = session.exec(
                select(Integration).where(Integration.step == Step.submitted.value)
            ).all()
            return [
                (row.id, dict(row.data["submission"]), row.access_token_encrypted)
                for row in rows
                if row.id is not None
            ]

    async def follow(
        self, integration_id: int, submission: dict[str, Any], token: str | None
    ) -> bool:
        """One look at a submitted integration; True when it is still running.

        A submission that never reached the backend (the process died, or the backend was
        down) is sent again with the same idempotency key, so no second account is created.
        """
        if token is None:
            return True
        access_token = self._cipher.decrypt(token)
        try:
            remote_id = submission.get("remote_id")
            if remote_id is None:
                outcome = await self.submit(integration_id, token, submission["request"])
                if outcome is not None:
                    await self.outside_event(integration_id=integration_id, event=outcome)
                return not isinstance(outcome, ev.SubmitRejected)
            status = await self._promote.integration_status(access_token, remote_id)
        except BackendError as exc:
            log.warning("following integration %s: %s", integration_id, exc)
            return True
        if status.status == "in_progress":
            return True
        finished = ev.Finished(
            succeeded=status.status == "succeeded",
            advertiser_id=status.advertiser_id,
            advertiser_name=status.advertiser_name,
            reason=status.failure_reason,
        )
        await self.outside_event(integration_id=integration_id, event=finished)
        return False

    def decrypt(self, token: str) -> str:
        return self._cipher.decrypt(token)

    def due_pushes(self) -> list[tuple[int, int]]:
        """(outbox id, integration id) of the messages to push now."""
        with transaction(self._engine) as session:
            due = store.due_outbox(session=session, now=self._now())
            return [(m.id, m.payload["integration_id"]) for m in due if m.id is not None]

    def pushed(self, outbox_id: int, *, error: str | None = None, retry_in: float = 30) -> None:
        with transaction(self._engine) as session:
            message = session.get(OutboxMessage, outbox_id)
            assert message is not None
            if error is None:
                store.mark_outbox_sent(session=session, message=message, now=self._now())
            else:
                retry_at = self._now() + timedelta(seconds=retry_in)
                store.mark_outbox_failed(
                    session=session, message=message, error=error, retry_at=retry_at
                )


def integration_request(request: dict[str, Any]) -> IntegrationRequest:
    """The flow's request (plain data, as stored) as the Promote client's type."""
    if request["mode"] == "sync":
        return SyncIntegration(advertiser_id=request["advertiser_id"])
    return CreateIntegration(
        business=BusinessDetails(**request["business"]), billing=BillingInfo(**request["billing"])
    )


def _state(integration: Integration) -> State:
    return State(Step(integration.step), dict(integration.data))
