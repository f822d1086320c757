"""The store against real SQLite and PostgreSQL databases."""

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, text, update
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from models import (
    AuditEvent,
    AuditImmutable,
    Integration,
    OAuthState,
    OAuthStateExpired,
    OAuthStateUnknown,
    OAuthStateUsed,
    StaleIntegration,
    append_audit,
    audit_trail,
    claim_update,
    consume_oauth_state,
    create_oauth_state,
    current_integration,
    due_outbox,
    enqueue_outbox,
    lock_user,
    mark_outbox_failed,
    mark_outbox_sent,
    save_integration,
    set_locale,
    start_integration,
    transaction,
    upsert_user,
)

T0 = datetime(2025, 8, 17, 3, 30, tzinfo=UTC)
USER = 5_000_000_001  # beyond 32 bits, as real Telegram ids are
OTHER_USER = 5_000_000_002
BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"


class Boom(Exception):
    pass


def seed(engine: Engine, user_id: int = USER) -> int:
    """A user with one fresh integration; returns the integration id."""
    with transaction(engine) as session:
        upsert_user(session=session, telegram_id=user_id, chat_id=user_id)
        integration = start_integration(session=session, user_id=user_id)
    assert integration.id is not None
    return integration.id


def load(engine: Engine, integration_id: int) -> Integration:
    with transaction(engine) as session:
        integration = session.get(Integration, integration_id)
    assert integration is not None
    return integration


def kinds(engine: Engine, user_id: int = USER) -> list[str]:
    with transaction(engine) as session:
        return [event.kind for event in audit_trail(session=session, user_id=user_id)]


# --- Users -----------------------------------------------------------------------------------


def test_upsert_user_keeps_first_seen_and_refreshes_the_rest(engine: Engine) -> None:
    later = T0 + timedelta(days=3)
    with transaction(engine) as session:
        created = upsert_user(
            session=session,
            telegram_id=USER,
            chat_id=111,
            username="toko_batik",
            first_name="Sari",
            language_code="id",
            now=T0,
        )
        assert (created.first_seen_at, created.last_seen_at) == (T0, T0)
        set_locale(session=session, user=created, locale="en")
    with transaction(engine) as session:
        user = upsert_user(
            session=session, telegram_id=USER, chat_id=222, first_name="Sari W.", now=later
        )
    assert user.first_seen_at == T0
    assert user.last_seen_at == later
    assert user.last_seen_at.utcoffset() == timedelta(0)
    assert (user.chat_id, user.username, user.first_name) == (222, None, "Sari W.")
    # What Telegram sends is refreshed; the user's own choice is kept.
    assert (user.language_code, user.locale) == (None, "en")
    with transaction(engine) as session:
        assert lock_user(session=session, telegram_id=USER) == user
        assert lock_user(session=session, telegram_id=OTHER_USER) is None


# --- Integrations ----------------------------------------------------------------------------


def test_current_integration_is_the_newest(engine: Engine) -> None:
    first = seed(engine)
    with transaction(engine) as session:
        assert current_integration(session=session, user_id=OTHER_USER) is None
        current = current_integration(session=session, user_id=USER)
        assert current is not None
        assert (current.id, current.step, current.status, current.version) == (
            first,
            "eligibility",
            "active",
            1,
        )
        retry = start_integration(session=session, user_id=USER)
    with transaction(engine) as session:
        current = current_integration(session=session, user_id=USER)
    assert current is not None
    assert current.id == retry.id != first
    assert kinds(engine) == ["integration_started", "integration_started"]


def test_save_bumps_version_and_audits_in_the_same_transaction(engine: Engine) -> None:
    integration_id = seed(engine)
    with transaction(engine) as session:
        integration = current_integration(session=session, user_id=USER)
        assert integration is not None
        before = integration.updated_at
        integration.step = "terms"
        integration.data["eligibility"] = {"registered_in_indonesia": True}  # in place
        saved = save_integration(
            session=session, integration=integration, event="eligible", detail={"age_ok": True}
        )
        assert saved.version == 2

    reloaded = load(engine, integration_id)
    assert reloaded.version == 2
    assert reloaded.step == "terms"
    assert reloaded.data == {"eligibility": {"registered_in_indonesia": True}}
    assert reloaded.updated_at > before
    with transaction(engine) as session:
        newest = audit_trail(session=session, user_id=USER)[0]
    assert (newest.kind, newest.integration_id) == ("eligible", integration_id)
    assert newest.detail == {"step": "terms", "version": 2, "age_ok": True}


def test_a_rollback_loses_both_the_save_and_its_audit_event(engine: Engine) -> None:
    integration_id = seed(engine)
    with pytest.raises(Boom), transaction(engine) as session:
        integration = current_integration(session=session, user_id=USER)
        assert integration is not None
        integration.step = "terms"
        save_integration(session=session, integration=integration, event="eligible")
        raise Boom
    reloaded = load(engine, integration_id)
    assert (reloaded.version, reloaded.step) == (1, "eligibility")
    assert kinds(engine) == ["integration_started"]


def test_saving_a_stale_copy_raises_and_keeps_the_newer_save(engine: Engine) -> None:
    integration_id = seed(engine)
    stale = load(engine, integration_id)

    with transaction(engine) as session:
        fresh = current_integration(session=session, user_id=USER)
        assert fresh is not None
        fresh.step = "terms"
        save_integration(session=session, integration=fresh, event="eligible")

    stale.step = "cancelled"
    with pytest.raises(StaleIntegration) as caught, transaction(engine) as session:
        save_integration(session=session, integration=stale, event="cancelled")
    assert (caught.value.integration_id, caught.value.version) == (integration_id, 1)
    reloaded = load(engine, integration_id)
    assert (reloaded.version, reloaded.step) == (2, "terms")
    assert "cancelled" not in kinds(engine)


def test_per_user_lock_serializes_two_updates_of_the_same_user(engine: Engine) -> None:
    integration_id = seed(engine)
    start = threading.Barrier(2)

    def bump(worker: str) -> None:
        start.wait(timeout=5)
        with transaction(engine) as session:
            lock_user(session=session, telegram_id=USER)
            integration = current_integration(session=session, user_id=USER)
            assert integration is not None
            seen = integration.data.get("workers", [])
            time.sleep(0.2)  # a slow handler: without the lock the other would read `seen` too
            integration.data = {"workers": [*seen, worker]}
            save_integration(session=session, integration=integration, event="bumped")

    with ThreadPoolExecutor(max_workers=2) as pool:
        for future in [pool.submit(bump, "a"), pool.submit(bump, "b")]:
            future.result(timeout=30)

    reloaded = load(engine, integration_id)
    assert reloaded.version == 3
    assert sorted(reloaded.data["workers"]) == ["a", "b"]  # no lost update
    assert kinds(engine).count("bumped") == 2


@pytest.mark.postgres
def test_postgres_user_lock_is_a_row_lock(postgres_engine: Engine) -> None:
    """A's lock holds up another event of A, but not one of B."""
    seed(postgres_engine, USER)
    seed(postgres_engine, OTHER_USER)
    with transaction(postgres_engine) as holder:
        assert lock_user(session=holder, telegram_id=USER) is not None

        # B's whole unit of work commits while A's lock is still held. A lock_timeout
        # turns "blocked" into an error instead of a hang.
        with transaction(postgres_engine) as other:
            other.exec(text("SET LOCAL lock_timeout = '5s'"))
            user_b = upsert_user(session=other, telegram_id=OTHER_USER, chat_id=OTHER_USER)
            integration_b = current_integration(session=other, user_id=OTHER_USER)
            assert integration_b is not None
            save_integration(session=other, integration=integration_b, event="touched")
        assert user_b.id == OTHER_USER

        with (
            pytest.raises(OperationalError, match="lock timeout"),
            transaction(postgres_engine) as same,
        ):
            same.exec(text("SET LOCAL lock_timeout = '100ms'"))
            lock_user(session=same, telegram_id=USER)
    assert kinds(postgres_engine, OTHER_USER)[0] == "touched"


def test_sqlite_transactions_take_the_write_lock_at_begin(sqlite_engine: Engine) -> None:
    path = sqlite_engine.url.database
    assert path is not None
    with sqlite_engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    with transaction(sqlite_engine) as session:
        lock_user(session=session, telegram_id=USER)  # only a read, yet the lock is taken
        intruder = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                intruder.execute("BEGIN IMMEDIATE")
        finally:
            intruder.close()


# --- Audit -----------------------------------------------------------------------------------


def test_audit_events_cannot_be_changed_or_deleted(engine: Engine) -> None:
    with transaction(engine) as session:
        event = append_audit(session=session, kind="note", detail={"n": 1})
        session.flush()
        event_id = event.id
    with pytest.raises(AuditImmutable), transaction(engine) as session:
        event = session.get(AuditEvent, event_id)
        assert event is not None
        event.kind = "rewritten"
    with pytest.raises(AuditImmutable), transaction(engine) as session:
        session.delete(session.get(AuditEvent, event_id))
    with pytest.raises(AuditImmutable), transaction(engine) as session:
        session.exec(update(AuditEvent).values(kind="rewritten"))
    with pytest.raises(AuditImmutable), transaction(engine) as session:
        session.exec(delete(AuditEvent))
    with transaction(engine) as session:
        events = session.exec(select(AuditEvent)).all()
    assert [(e.id, e.kind, e.detail) for e in events] == [(event_id, "note", {"n": 1})]


def test_audit_detail_is_stored_redacted(engine: Engine) -> None:
    integration_id = seed(engine)
    with transaction(engine) as session:
        append_audit(
            session=session,
            kind="authorized",
            user_id=USER,
            detail={
                "advertiser_ids": ["7000000001"],
                "accessToken": "act.secret",
                "response": {"auth_code": "abc", "items": [{"npwp": "012345678901234"}]},
                "error": f"GET https://api.telegram.org/bot{BOT_TOKEN}/getMe failed",
            },
        )
        # Even a row added behind the store's back is redacted on insert.
        session.add(AuditEvent(kind="raw", user_id=USER, detail={"password": "hunter2"}))
        integration = session.get(Integration, integration_id)
        assert integration is not None
        save_integration(
            session=session, integration=integration, event="details", detail={"email": "a@b.id"}
        )
    with transaction(engine) as session:
        details = {e.kind: e.detail for e in audit_trail(session=session, user_id=USER)}
    assert details["authorized"] == {
        "advertiser_ids": ["7000000001"],
        "accessToken": "[redacted]",
        "response": {"auth_code": "[redacted]", "items": [{"npwp": "[redacted]"}]},
        "error": "GET https://api.telegram.org/bot[redacted]/getMe failed",
    }
    assert details["raw"] == {"password": "[redacted]"}
    assert details["details"]["email"] == "[redacted]"


# --- Telegram updates ------------------------------------------------------------------------


def test_claim_update_succeeds_once(engine: Engine) -> None:
    with transaction(engine) as session:
        assert claim_update(session=session, update_id=9_000_000_001) is True
        assert claim_update(session=session, update_id=9_000_000_001) is False
    with transaction(engine) as session:
        assert claim_update(session=session, update_id=9_000_000_001) is False
        assert claim_update(session=session, update_id=9_000_000_002) is True


def test_claim_update_racing_claims_one_winner(engine: Engine) -> None:
    start = threading.Barrier(2)

    def claim() -> bool:
        start.wait(timeout=5)
        with transaction(engine) as session:
            claimed = claim_update(session=session, update_id=42)
            time.sleep(0.1)  # keep the transaction open while the other one tries
            return claimed

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [f.result(timeout=30) for f in [pool.submit(claim), pool.submit(claim)]]
    assert sorted(results) == [False, True]


# --- OAuth state -----------------------------------------------------------------------------


def test_oauth_state_is_single_use_and_stored_hashed(engine: Engine) -> None:
    integration_id = seed(engine)
    with transaction(engine) as session:
        state = create_oauth_state(
            session=session, user_id=USER, integration_id=integration_id, now=T0
        )
    with transaction(engine) as session:
        assert state not in session.exec(select(OAuthState.state_hash)).all()
        consumed = consume_oauth_state(session=session, state=state, now=T0 + timedelta(minutes=1))
    assert (consumed.user_id, consumed.integration_id) == (USER, integration_id)
    assert consumed.used_at == T0 + timedelta(minutes=1)
    with pytest.raises(OAuthStateUsed) as caught, transaction(engine) as session:
        consume_oauth_state(session=session, state=state, now=T0 + timedelta(minutes=2))
    assert caught.value.integration_id == integration_id


def test_oauth_state_expires(engine: Engine) -> None:
    integration_id = seed(engine)
    with transaction(engine) as session:
        state = create_oauth_state(
            session=session,
            user_id=USER,
            integration_id=integration_id,
            ttl=timedelta(minutes=15),
            now=T0,
        )
    with pytest.raises(OAuthStateExpired) as caught, transaction(engine) as session:
        consume_oauth_state(session=session, state=state, now=T0 + timedelta(minutes=15))
    assert caught.value.user_id == USER  # so the bot can offer a fresh link


def test_oauth_state_unknown(engine: Engine) -> None:
    with pytest.raises(OAuthStateUnknown), transaction(engine) as session:
        consume_oauth_state(session=session, state="forged")


# --- Outbox ----------------------------------------------------------------------------------


def test_outbox_dedupes_and_delivers_due_messages_once(engine: Engine) -> None:
    seed(engine)
    payload = {"screen": "integration_succeeded", "params": {"advertiser_id": "7000000001"}}
    with transaction(engine) as session:
        queued = enqueue_outbox(
            session=session,
            user_id=USER,
            chat_id=USER,
            kind="integration_succeeded",
            payload=payload,
            dedupe_key="succeeded:1",
            now=T0,
        )
        later = enqueue_outbox(
            session=session,
            user_id=USER,
            chat_id=USER,
            kind="reminder",
            payload={"screen": "reminder"},
            dedupe_key="reminder:1",
            not_before=T0 + timedelta(hours=1),
            now=T0,
        )
    assert queued is not None and later is not None
    assert (queued.payload, queued.attempts, queued.sent_at) == (payload, 0, None)

    with transaction(engine) as session:
        again = enqueue_outbox(
            session=session,
            user_id=USER,
            chat_id=USER,
            kind="integration_succeeded",
            payload=payload,
            dedupe_key="succeeded:1",
        )
        assert again is None
        assert [m.id for m in due_outbox(session=session, now=T0)] == [queued.id]
        due = due_outbox(session=session, now=T0 + timedelta(hours=1))
        assert [m.id for m in due] == [queued.id, later.id]
        mark_outbox_failed(
            session=session,
            message=due[0],
            error=f"POST /bot{BOT_TOKEN}/sendMessage: 502",
            retry_at=T0 + timedelta(hours=2),
        )
        mark_outbox_sent(session=session, message=due[1], now=T0 + timedelta(hours=1))

    with transaction(engine) as session:
        assert due_outbox(session=session, now=T0 + timedelta(hours=1)) == []
        (retried,) = due_outbox(session=session, now=T0 + timedelta(hours=2))
        assert retried.id == queued.id
        assert retried.attempts == 1
        assert retried.last_error == "POST /bot[redacted]/sendMessage: 502"
        mark_outbox_sent(session=session, message=retried, now=T0 + timedelta(hours=2))
    with transaction(engine) as session:
        assert due_outbox(session=session, now=T0 + timedelta(days=1)) == []


@pytest.mark.postgres
def test_postgres_due_outbox_skips_messages_another_sender_holds(postgres_engine: Engine) -> None:
    seed(postgres_engine)
    with transaction(postgres_engine) as session:
        for key in ("first", "second"):
            enqueue_outbox(
                session=session,
                user_id=USER,
                chat_id=USER,
                kind="note",
                payload={"screen": key},
                dedupe_key=key,
                now=T0,
            )
    with transaction(postgres_engine) as sender_a:
        held = due_outbox(session=sender_a, now=T0, limit=1)
        assert [m.dedupe_key for m in held] == ["first"]
        with transaction(postgres_engine) as sender_b:
            assert [m.dedupe_key for m in due_outbox(session=sender_b, now=T0)] == ["second"]
