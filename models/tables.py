"""The database tables, and the two rules the audit log enforces on itself.

Timestamps use SQLModel's `UTCDateTime`: it refuses naive datetimes and always returns
aware UTC ones, also on SQLite, which has no time zone support of its own.
"""

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, String, Text, event, false
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, declared_attr
from sqlmodel import Field, SQLModel, UTCDateTime

from models.errors import AuditImmutable

# Stable constraint names, so later migrations (and SQLite batch mode) can refer to them.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# JSONB on PostgreSQL (indexable, compact); plain JSON text elsewhere.
JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class TelegramUser(SQLModel, table=True):
    """A Telegram user who has talked to the bot; `id` is Telegram's own user id."""

    __tablename__ = "telegram_user"

    id: int = Field(primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False})
    chat_id: int = Field(sa_type=BigInteger)
    username: str | None = None
    first_name: str | None = None
    # What Telegram last reported; `locale` is the user's explicit choice and wins over it.
    language_code: str | None = None
    locale: str | None = None
    # A localization tester's switch: show each message's msgid beneath it.
    show_msgids: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    first_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class Integration(SQLModel, table=True):
    """One attempt to link a Promote account to Ads Manager; a user's newest one is current.

    `step` is one of eligibility, terms, authorize, account, sync_review, details, submitted,
    completed, failed, cancelled; `status` one of active, in_progress, completed, failed,
    cancelled. The flow owns those names, so the database does not constrain them.
    `version` is SQLAlchemy's version counter: every flush of a change runs
    `UPDATE ... WHERE id = ? AND version = ?` and fails if someone else saved first.
    """

    __tablename__ = "integration"

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="telegram_user.id", index=True, sa_type=BigInteger)
    step: str = "eligibility"
    status: str = "active"
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    advertiser_id: str | None = None
    terms_version: str | None = None
    terms_accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    # Ciphertext only: the caller encrypts before it gets here.
    access_token_encrypted: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    version: int = 1


class OAuthState(SQLModel, table=True):
    """An issued OAuth `state`, stored as its SHA-256 so a database leak can't replay it."""

    __tablename__ = "oauth_state"

    state_hash: str = Field(primary_key=True, sa_type=String(64))
    user_id: int = Field(foreign_key="telegram_user.id", sa_type=BigInteger)
    integration_id: int = Field(foreign_key="integration.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    expires_at: datetime = Field(sa_type=UTCDateTime())
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class AuditEvent(SQLModel, table=True):
    """Append-only record of what happened; `detail` is redacted before it is written.

    No foreign keys on purpose: the log records ids as facts, must not block erasing a
    user's other rows, and must not be rewritten by an ON DELETE SET NULL.
    """

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, index=True, sa_type=BigInteger)
    integration_id: int | None = Field(default=None, index=True)
    kind: str
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class ProcessedUpdate(SQLModel, table=True):
    """A Telegram `update_id` already handled, so a redelivery is ignored."""

    __tablename__ = "processed_update"

    update_id: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    processed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


class OutboxMessage(SQLModel, table=True):
    """A message to push to a user later; `payload` names a screen and its parameters."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_due", "sent_at", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="telegram_user.id", sa_type=BigInteger)
    chat_id: int = Field(sa_type=BigInteger)
    kind: str
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    dedupe_key: str = Field(unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    not_before: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    attempts: int = 0
    last_error: str | None = Field(default=None, sa_type=Text)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class SupportCase(SQLModel, table=True):
    """A user's request for a human, worked in the user's forum topic of a support group.

    `status` is open (waiting for an agent), claimed (an agent has taken the user over) or
    closed; `reason` says why the user asked (user_request, ineligible, failed, error). A
    user keeps one topic per support group: a new case reuses the last case's `thread_id`.
    """

    __tablename__ = "support_case"
    __table_args__ = (Index("ix_support_case_chat_id_thread_id", "chat_id", "thread_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="telegram_user.id", index=True, sa_type=BigInteger)
    status: str = "open"
    reason: str = "user_request"
    chat_id: int = Field(sa_type=BigInteger)  # the support group
    thread_id: int | None = None  # the user's forum topic in it
    # In a group without topics: the card's message, which relayed messages reply to.
    card_message_id: int | None = None
    agent_id: int | None = Field(default=None, sa_type=BigInteger)
    agent_name: str | None = None
    requested_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    first_agent_reply_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    queued_notice_at: datetime | None = Field(default=None, sa_type=UTCDateTime())


class SupportMessage(SQLModel, table=True):
    """A message the bot posted for a case in a support group without topics: an agent's
    reply to it finds the case."""

    __tablename__ = "support_message"

    chat_id: int = Field(
        primary_key=True, sa_type=BigInteger, sa_column_kwargs={"autoincrement": False}
    )
    message_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    case_id: int = Field(foreign_key="support_case.id")


class AgentLink(SQLModel, table=True):
    """A one-time deep link an agent made to send a user into the bot.

    Stored as the SHA-256 of its token, so a database leak can't replay it. `payload` holds
    what the link starts the user with (locale, note, prefilled fields, start step);
    `thread_id` is where to tell the agent the link was used.
    """

    __tablename__ = "agent_link"

    token_hash: str = Field(primary_key=True, sa_type=String(64))
    agent_id: int = Field(sa_type=BigInteger)
    chat_id: int = Field(sa_type=BigInteger)
    thread_id: int | None = None
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())
    expires_at: datetime = Field(sa_type=UTCDateTime())
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime())
    used_by: int | None = Field(default=None, sa_type=BigInteger)


class ChatLine(SQLModel, table=True):
    """A line of a user's chat, masked (bot/privacy.py), so support sees the latest ones."""

    __tablename__ = "chat_line"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="telegram_user.id", index=True, sa_type=BigInteger)
    sender: str  # "user" or "bot"
    text: str = Field(sa_type=Text)
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime())


# --- Audit redaction -------------------------------------------------------------------

REDACTED = "[redacted]"

# A key is secret when its normalized form (camelCase and dashes become snake_case, lower
# case) contains one of these ...
SECRET_KEY_PARTS = (
    "token",  # access_token, refresh_token, bot_token, Access-Token
    "secret",  # app secret, client_secret
    "password",
    "passwd",
    "authorization",  # HTTP Authorization header
    "cookie",
    "credential",
    "signature",
    "auth_code",  # TikTok's one-time OAuth code
    "authcode",
    "api_key",
    "apikey",
    "private_key",
    "access_key",
    "card_number",
    "account_number",  # bank account
    "npwp",  # Indonesian tax id
    "phone",
    "email",
)
# ... or is exactly one of these (whole-key only: `postal_code`, `language_code` and
# `dedupe_key` are not secrets, but a bare `code`, `state` or `key` may well be).
SECRET_KEY_NAMES = frozenset({"code", "state", "key", "pin", "otp", "cvv"})

# Secrets that hide inside free text, e.g. an error message that quotes a URL.
_SECRET_TEXT = (
    (re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}"), REDACTED),  # Telegram bot token
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), f"Bearer {REDACTED}"),
    (
        # name=value or "name": "value", as in URLs, form bodies and JSON.
        re.compile(
            r"""(?i)\b((?:access_token|auth_code|client_secret|secret|token|password|state)"""
            r"""["']?\s*[:=]\s*["']?)[^&\s"',;)}\]]+"""
        ),
        rf"\1{REDACTED}",
    ),
)
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def is_secret_key(key: object) -> bool:
    normalized = _NON_ALNUM.sub("_", _CAMEL_BOUNDARY.sub("_", str(key)).lower()).strip("_")
    return normalized in SECRET_KEY_NAMES or any(part in normalized for part in SECRET_KEY_PARTS)


def scrub_text(text: str) -> str:
    """Mask secrets embedded in free text (bot tokens, bearer tokens, secret query params)."""
    for pattern, replacement in _SECRET_TEXT:
        text = pattern.sub(replacement, text)
    return text


def redact(value: Any) -> Any:
    """Return a copy of `value` with every secret-looking key's value replaced, at any depth."""
    if isinstance(value, dict):
        return {k: REDACTED if is_secret_key(k) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if isinstance(value, str):
        return scrub_text(value)
    return value


@event.listens_for(AuditEvent, "before_insert")
def _redact_audit_detail(_mapper: Any, _connection: Any, target: AuditEvent) -> None:
    """Redact at write time, so no code path can store a secret in the audit log."""
    target.detail = redact(target.detail or {})


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, AuditEvent):
            raise AuditImmutable(f"audit event {obj.id} can't be deleted")
    for obj in session.dirty:
        if isinstance(obj, AuditEvent) and session.is_modified(obj):
            raise AuditImmutable(f"audit event {obj.id} can't be changed")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_audit_changes(state: ORMExecuteState) -> None:
    """Also refuse `session.execute(update(AuditEvent))` / `delete(...)`, which skip the flush."""
    table = getattr(state.statement, "table", None)  # an annotated copy when ORM-enabled
    if (state.is_update or state.is_delete) and getattr(table, "name", None) == "audit_event":
        raise AuditImmutable("audit events can't be updated or deleted")
