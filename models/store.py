"""Load and save the bot's state.

Every function is keyword-only, takes the `session` of the caller's `db.transaction()`,
and never commits: the transaction around it is the unit of work, so a handler's reads,
writes and audit events land together or not at all.
"""

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Text, cast, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from models.errors import (
    AgentLinkExpired,
    AgentLinkUnknown,
    AgentLinkUsed,
    OAuthStateExpired,
    OAuthStateUnknown,
    OAuthStateUsed,
    StaleIntegration,
)
from models.tables import (
    AgentLink,
    AuditEvent,
    ChatLine,
    Integration,
    OAuthState,
    OutboxMessage,
    ProcessedUpdate,
    SupportCase,
    SupportMessage,
    TelegramUser,
    redact,
    scrub_text,
    utcnow,
)

OAUTH_STATE_TTL = timedelta(minutes=15)
AGENT_LINK_TTL = timedelta(hours=24)
MAX_ERROR_LENGTH = 2000


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which has ON CONFLICT (SQLite and PostgreSQL spell it alike)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql_insert
    return sqlite_insert


# --- Users ---------------------------------------------------------------------------------


def upsert_user(
    *,
    session: Session,
    telegram_id: int,
    chat_id: int,
    username: str | None = None,
    first_name: str | None = None,
    language_code: str | None = None,
    now: datetime | None = None,
) -> TelegramUser:
    """Record that the user was seen (creating them the first time); return them locked.

    One INSERT ... ON CONFLICT DO UPDATE, so two first messages racing can't both insert.
    """
    now = now or utcnow()
    insert = _insert(session)(TelegramUser).values(
        id=telegram_id,
        chat_id=chat_id,
        username=username,
        first_name=first_name,
        language_code=language_code,
        first_seen_at=now,
        last_seen_at=now,
    )
    refreshed = ("chat_id", "username", "first_name", "language_code", "last_seen_at")
    session.exec(
        insert.on_conflict_do_update(
            index_elements=["id"], set_={name: insert.excluded[name] for name in refreshed}
        )
    )
    return session.exec(_select_user_for_update(telegram_id)).one()


def lock_user(*, session: Session, telegram_id: int) -> TelegramUser | None:
    """Load the user and hold their lock until the transaction ends: one event per user.

    PostgreSQL: SELECT ... FOR UPDATE, a row lock, so other users are not held up.
    SQLite: FOR UPDATE is not rendered; the transaction's BEGIN IMMEDIATE already holds
    the database's write lock.
    """
    return session.exec(_select_user_for_update(telegram_id)).one_or_none()


def _select_user_for_update(telegram_id: int) -> Any:
    return (
        select(TelegramUser)
        .where(TelegramUser.id == telegram_id)
        .with_for_update()
        .execution_options(populate_existing=True)  # what the lock protects, not a cached copy
    )


def set_locale(*, session: Session, user: TelegramUser, locale: str) -> None:
    user.locale = locale
    session.add(user)


# --- Integrations --------------------------------------------------------------------------


def current_integration(*, session: Session, user_id: int) -> Integration | None:
    """The user's newest integration (older ones are finished attempts), or None."""
    statement = (
        select(Integration)
        .where(Integration.user_id == user_id)
        .order_by(col(Integration.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def start_integration(
    *, session: Session, user_id: int, step: str = "eligibility", now: datetime | None = None
) -> Integration:
    now = now or utcnow()
    integration = Integration(
        user_id=user_id, step=step, status="active", created_at=now, updated_at=now
    )
    session.add(integration)
    session.flush()  # assigns the id the audit event refers to
    append_audit(
        session=session,
        kind="integration_started",
        user_id=user_id,
        integration_id=integration.id,
        detail={"step": step},
        now=now,
    )
    return integration


def save_integration(
    *,
    session: Session,
    integration: Integration,
    event: str,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Integration:
    """Write the integration if nobody else saved it since it was read, and audit `event`.

    The ORM's version counter makes the write `UPDATE ... WHERE id = ? AND version = ?`
    and raises when no row matched; that becomes StaleIntegration and the caller's
    transaction rolls back. On success `integration.version` is one higher.
    """
    now = now or utcnow()
    # Read before the flush: a failed flush expires the object.
    integration_id, read_version = integration.id, integration.version
    session.add(integration)
    integration.updated_at = now
    # In-place edits of the JSON dict are invisible to the ORM; always write it.
    flag_modified(integration, "data")
    try:
        session.flush()
    except StaleDataError as exc:
        raise StaleIntegration(integration_id, read_version) from exc
    append_audit(
        session=session,
        kind=event,
        user_id=integration.user_id,
        integration_id=integration.id,
        detail={"step": integration.step, "version": integration.version, **(detail or {})},
        now=now,
    )
    return integration


# --- Audit ---------------------------------------------------------------------------------


def append_audit(
    *,
    session: Session,
    kind: str,
    user_id: int | None = None,
    integration_id: int | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEvent:
    """Add an audit event; secret-looking keys in `detail` are redacted (see tables.redact)."""
    event = AuditEvent(
        kind=kind,
        user_id=user_id,
        integration_id=integration_id,
        detail=redact(detail or {}),
        created_at=now or utcnow(),
    )
    session.add(event)
    return event


def audit_trail(*, session: Session, user_id: int, limit: int = 100) -> list[AuditEvent]:
    """The user's latest audit events, newest first."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.user_id == user_id)
        .order_by(col(AuditEvent.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement).all())


# --- Telegram updates ----------------------------------------------------------------------


def claim_update(*, session: Session, update_id: int, now: datetime | None = None) -> bool:
    """True the first time `update_id` is claimed, False for a redelivery.

    INSERT ... ON CONFLICT DO NOTHING: on PostgreSQL a racing claim of the same id waits
    for the first transaction and then finds the row, so exactly one claim wins.
    """
    statement = (
        _insert(session)(ProcessedUpdate)
        .values(update_id=update_id, processed_at=now or utcnow())
        .on_conflict_do_nothing(index_elements=["update_id"])
        .returning(ProcessedUpdate.update_id)
    )
    return session.exec(statement).first() is not None


# --- OAuth state ---------------------------------------------------------------------------


def _hash_state(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def create_oauth_state(
    *,
    session: Session,
    user_id: int,
    integration_id: int,
    ttl: timedelta = OAUTH_STATE_TTL,
    now: datetime | None = None,
) -> str:
    """Issue a single-use `state` for the authorization URL; only its hash is stored."""
    now = now or utcnow()
    state = secrets.token_urlsafe(32)
    session.add(
        OAuthState(
            state_hash=_hash_state(state),
            user_id=user_id,
            integration_id=integration_id,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    return state


def consume_oauth_state(*, session: Session, state: str, now: datetime | None = None) -> OAuthState:
    """Accept a callback's `state` once; raise OAuthStateUnknown, ...Used or ...Expired.

    The row is locked, so two racing callbacks with the same state can't both succeed.
    """
    now = now or utcnow()
    statement = (
        select(OAuthState)
        .where(OAuthState.state_hash == _hash_state(state))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    oauth_state = session.exec(statement).one_or_none()
    if oauth_state is None:
        raise OAuthStateUnknown("unknown oauth state")
    owner = {"user_id": oauth_state.user_id, "integration_id": oauth_state.integration_id}
    if oauth_state.used_at is not None:
        raise OAuthStateUsed(f"oauth state already used at {oauth_state.used_at}", **owner)
    if oauth_state.expires_at <= now:
        raise OAuthStateExpired(f"oauth state expired at {oauth_state.expires_at}", **owner)
    oauth_state.used_at = now
    session.add(oauth_state)
    return oauth_state


# --- Outbox --------------------------------------------------------------------------------


def enqueue_outbox(
    *,
    session: Session,
    user_id: int,
    chat_id: int,
    kind: str,
    payload: dict[str, Any],
    dedupe_key: str,
    not_before: datetime | None = None,
    now: datetime | None = None,
) -> OutboxMessage | None:
    """Queue a push; None when `dedupe_key` was already queued (sent or not).

    INSERT ... ON CONFLICT DO NOTHING, safe when two processes queue the same push.
    """
    now = now or utcnow()
    statement = (
        _insert(session)(OutboxMessage)
        .values(
            user_id=user_id,
            chat_id=chat_id,
            kind=kind,
            payload=payload,
            dedupe_key=dedupe_key,
            created_at=now,
            not_before=not_before or now,
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(OutboxMessage)
    )
    return session.exec(statement).scalars().one_or_none()


def due_outbox(
    *, session: Session, now: datetime | None = None, limit: int = 50
) -> list[OutboxMessage]:
    """Unsent messages whose time has come, oldest first.

    On PostgreSQL the rows stay locked until the transaction ends and rows another sender
    holds are skipped (FOR UPDATE SKIP LOCKED), so two senders never push the same message.
    """
    now = now or utcnow()
    statement = (
        select(OutboxMessage)
        .where(col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.not_before) <= now)
        .order_by(col(OutboxMessage.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.exec(statement).all())


def mark_outbox_sent(
    *, session: Session, message: OutboxMessage, now: datetime | None = None
) -> None:
    message.sent_at = now or utcnow()
    message.attempts += 1
    session.add(message)


def mark_outbox_failed(
    *, session: Session, message: OutboxMessage, error: str, retry_at: datetime
) -> None:
    """Count the failed attempt and try again at `retry_at`; the error is kept, minus secrets."""
    message.attempts += 1
    message.last_error = scrub_text(error)[:MAX_ERROR_LENGTH]
    message.not_before = retry_at
    session.add(message)


# --- Support desk --------------------------------------------------------------------------
#
# A case's status goes open -> claimed -> closed (or open -> closed). Callers hold the
# user's lock (lock_user) around request_case, so one user can't open two cases at once.


def open_case(*, session: Session, user_id: int) -> SupportCase | None:
    """The user's newest case that is not closed, or None."""
    statement = (
        select(SupportCase)
        .where(SupportCase.user_id == user_id, SupportCase.status != "closed")
        .order_by(col(SupportCase.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def request_case(
    *, session: Session, user_id: int, chat_id: int, reason: str, now: datetime | None = None
) -> tuple[SupportCase, bool]:
    """The user's open case and False, or a new open case and True.

    A new case reuses the forum topic of the user's newest earlier case in the same
    support group (one topic per user); its `thread_id` is None when there was none.
    """
    existing = open_case(session=session, user_id=user_id)
    if existing is not None:
        return existing, False
    now = now or utcnow()
    earlier_topic = (
        select(SupportCase.thread_id)
        .where(
            SupportCase.user_id == user_id,
            SupportCase.chat_id == chat_id,
            col(SupportCase.thread_id).is_not(None),
        )
        .order_by(col(SupportCase.id).desc())
        .limit(1)
    )
    case = SupportCase(
        user_id=user_id,
        status="open",
        reason=reason,
        chat_id=chat_id,
        thread_id=session.exec(earlier_topic).first(),
        requested_at=now,
    )
    session.add(case)
    session.flush()  # assigns the id the audit event refers to
    append_audit(
        session=session,
        kind="support_requested",
        user_id=user_id,
        detail={"case_id": case.id, "reason": reason},
        now=now,
    )
    return case, True


def set_case_thread(*, session: Session, case: SupportCase, thread_id: int) -> None:
    """Record the case's forum topic (a new one, or one recreated after a deletion)."""
    case.thread_id = thread_id
    session.add(case)


def claim_case(
    *,
    session: Session,
    case: SupportCase,
    agent_id: int,
    agent_name: str | None,
    now: datetime | None = None,
) -> None:
    """The agent takes the user over; a re-claim by another agent keeps the first claimed_at."""
    now = now or utcnow()
    previous_agent_id = case.agent_id
    case.status = "claimed"
    case.agent_id = agent_id
    case.agent_name = agent_name
    if case.claimed_at is None:
        case.claimed_at = now
    session.add(case)
    detail: dict[str, Any] = {"case_id": case.id, "agent_id": agent_id}
    if previous_agent_id is not None and previous_agent_id != agent_id:
        detail["previous_agent_id"] = previous_agent_id
    append_audit(
        session=session, kind="support_claimed", user_id=case.user_id, detail=detail, now=now
    )


def note_agent_reply(*, session: Session, case: SupportCase, now: datetime | None = None) -> None:
    """Record when an agent first answered the user; later replies change nothing."""
    if case.first_agent_reply_at is None:
        case.first_agent_reply_at = now or utcnow()
        session.add(case)


def close_case(
    *,
    session: Session,
    case: SupportCase,
    now: datetime | None = None,
    handed_back_at: str | None = None,
) -> None:
    """Close the case; `handed_back_at` is the flow step the user was handed back to.

    Closing a closed case changes nothing and is not audited again.
    """
    if case.status == "closed":
        return
    now = now or utcnow()
    case.status = "closed"
    case.closed_at = now
    session.add(case)
    detail: dict[str, Any] = {"case_id": case.id}
    if handed_back_at is not None:
        detail["handed_back_at"] = handed_back_at
    append_audit(
        session=session, kind="support_closed", user_id=case.user_id, detail=detail, now=now
    )


def case_by_thread(*, session: Session, chat_id: int, thread_id: int) -> SupportCase | None:
    """The newest case, of any status, in that forum topic."""
    statement = (
        select(SupportCase)
        .where(SupportCase.chat_id == chat_id, SupportCase.thread_id == thread_id)
        .order_by(col(SupportCase.id).desc())
        .limit(1)
    )
    return session.exec(statement).first()


def cases_for_user(*, session: Session, user_id: int, limit: int = 10) -> list[SupportCase]:
    """The user's latest cases, newest first."""
    statement = (
        select(SupportCase)
        .where(SupportCase.user_id == user_id)
        .order_by(col(SupportCase.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement).all())


def cases_waiting(*, session: Session, older_than: datetime) -> list[SupportCase]:
    """Unclaimed cases requested before `older_than` whose user wasn't told they wait yet.

    Oldest first; mark_queued_notice takes a case off this list.
    """
    statement = (
        select(SupportCase)
        .where(
            SupportCase.status == "open",
            col(SupportCase.requested_at) < older_than,
            col(SupportCase.queued_notice_at).is_(None),
        )
        .order_by(col(SupportCase.id))
    )
    return list(session.exec(statement).all())


def mark_queued_notice(*, session: Session, case: SupportCase, now: datetime | None = None) -> None:
    """The user was told they are in the queue; cases_waiting won't return the case again."""
    case.queued_notice_at = now or utcnow()
    session.add(case)


# --- Agent links ---------------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_agent_link(
    *,
    session: Session,
    agent_id: int,
    chat_id: int,
    thread_id: int | None,
    payload: dict[str, Any],
    ttl: timedelta = AGENT_LINK_TTL,
    now: datetime | None = None,
) -> str:
    """Make a one-time deep-link token; only its hash is stored.

    32 characters of A-Za-z0-9_-, within the 64 a Telegram `start` parameter allows.
    """
    now = now or utcnow()
    token = secrets.token_urlsafe(24)
    link = AgentLink(
        token_hash=_hash_token(token),
        agent_id=agent_id,
        chat_id=chat_id,
        thread_id=thread_id,
        payload=payload,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(link)
    append_audit(
        session=session,
        kind="agent_link_created",
        detail={"agent_id": agent_id, "chat_id": chat_id, "thread_id": thread_id},
        now=now,
    )
    return token


def consume_agent_link(
    *, session: Session, token: str, user_id: int, now: datetime | None = None
) -> AgentLink:
    """Use a link once; raise AgentLinkUnknown, ...Used or ...Expired.

    The row is locked, so two users racing with the same link can't both succeed.
    """
    now = now or utcnow()
    statement = (
        select(AgentLink)
        .where(AgentLink.token_hash == _hash_token(token))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    link = session.exec(statement).one_or_none()
    if link is None:
        raise AgentLinkUnknown("unknown agent link")
    owner = {"agent_id": link.agent_id, "chat_id": link.chat_id, "thread_id": link.thread_id}
    if link.used_at is not None:
        raise AgentLinkUsed(
            f"agent link already used at {link.used_at}", used_by=link.used_by, **owner
        )
    if link.expires_at <= now:
        raise AgentLinkExpired(f"agent link expired at {link.expires_at}", **owner)
    link.used_at = now
    link.used_by = user_id
    session.add(link)
    append_audit(
        session=session,
        kind="agent_link_used",
        user_id=user_id,
        detail={"agent_id": link.agent_id, "chat_id": link.chat_id, "thread_id": link.thread_id},
        now=now,
    )
    return link


# --- Lookup --------------------------------------------------------------------------------

# An id made only of these is written verbatim in the JSON text on both databases, so a
# substring match on that text can narrow the candidates without missing one.
_PLAIN_ID = re.compile(r"[A-Za-z0-9._-]+")


def user_by_advertiser(*, session: Session, advertiser_id: str) -> TelegramUser | None:
    """The user whose newest matching integration has that advertiser, or None.

    Looks at `Integration.advertiser_id` and, in `data`, at `advertiser.id` (the account
    being synced) and `result.advertiser_id` (what the submission produced). The JSON is
    checked in Python, so SQLite and PostgreSQL agree; a text match narrows the rows first.
    An empty id matches nobody (a submission without an id stores "").
    """
    if not advertiser_id:
        return None
    statement = select(Integration).order_by(col(Integration.id).desc())
    if _PLAIN_ID.fullmatch(advertiser_id):
        statement = statement.where(
            or_(
                Integration.advertiser_id == advertiser_id,
                cast(col(Integration.data), Text).contains(advertiser_id, autoescape=True),
            )
        )
    for integration in session.exec(statement):
        if _has_advertiser(integration, advertiser_id):
            return session.get(TelegramUser, integration.user_id)
    return None


def _has_advertiser(integration: Integration, advertiser_id: str) -> bool:
    data = integration.data if isinstance(integration.data, dict) else {}
    advertiser = data.get("advertiser")
    result = data.get("result")
    found = (
        integration.advertiser_id,
        advertiser.get("id") if isinstance(advertiser, dict) else None,
        result.get("advertiser_id") if isinstance(result, dict) else None,
    )
    return any(value is not None and str(value) == advertiser_id for value in found)


# --- Chat lines (what support sees of a user's latest messages) ---------------------------


def record_line(
    *, session: Session, user_id: int, sender: str, text: str, now: datetime | None = None
) -> None:
    """Keep one line of the chat; the caller masks personal data first."""
    session.add(ChatLine(user_id=user_id, sender=sender, text=text[:500], at=now or utcnow()))


def recent_lines(*, session: Session, user_id: int, limit: int = 10) -> list[ChatLine]:
    """The user's latest `limit` lines, oldest first."""
    statement = (
        select(ChatLine)
        .where(ChatLine.user_id == user_id)
        .order_by(col(ChatLine.id).desc())
        .limit(limit)
    )
    return list(reversed(session.exec(statement).all()))


# --- Support groups without topics ----------------------------------------------------------


def remember_support_message(
    *, session: Session, case: SupportCase, chat_id: int, message_id: int
) -> None:
    """A message posted for the case (in a group without topics); the first is its card."""
    assert case.id is not None
    if case.card_message_id is None:
        case.card_message_id = message_id
        session.add(case)
    session.add(SupportMessage(chat_id=chat_id, message_id=message_id, case_id=case.id))


def case_by_message(*, session: Session, chat_id: int, message_id: int) -> SupportCase | None:
    """The case a message of the support group belongs to (what an agent replied to)."""
    link = session.get(SupportMessage, (chat_id, message_id))
    return session.get(SupportCase, link.case_id) if link else None
