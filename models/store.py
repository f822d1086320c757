"""Load and save the bot's state.

Every function is keyword-only, takes the `session` of the caller's `db.transaction()`,
and never commits: the transaction around it is the unit of work, so a handler's reads,
writes and audit events land together or not at all.
"""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from models.errors import OAuthStateExpired, OAuthStateUnknown, OAuthStateUsed, StaleIntegration
from models.tables import (
    AuditEvent,
    Integration,
    OAuthState,
    OutboxMessage,
    ProcessedUpdate,
    TelegramUser,
    redact,
    scrub_text,
    utcnow,
)

OAUTH_STATE_TTL = timedelta(minutes=15)
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
