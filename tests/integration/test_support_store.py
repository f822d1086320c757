"""The support desk's store functions against real SQLite and PostgreSQL databases."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from models import (
    AgentLink,
    AgentLinkError,
    AgentLinkExpired,
    AgentLinkUnknown,
    AgentLinkUsed,
    AuditEvent,
    SupportCase,
    audit_trail,
    case_by_thread,
    cases_for_user,
    cases_waiting,
    claim_case,
    close_case,
    consume_agent_link,
    create_agent_link,
    mark_queued_notice,
    note_agent_reply,
    open_case,
    request_case,
    set_case_thread,
    start_integration,
    transaction,
    upsert_user,
    user_by_advertiser,
)

T0 = datetime(2025, 8, 17, 3, 30, tzinfo=UTC)
USER = 5_000_000_001  # beyond 32 bits, as real Telegram ids are
OTHER_USER = 5_000_000_002
SUPPORT_CHAT = -1_002_000_000_001  # a supergroup id
OTHER_CHAT = -1_002_000_000_002
AGENT = 6_000_000_001
OTHER_AGENT = 6_000_000_002
TOPIC = 77


def seed_user(engine: Engine, user_id: int = USER) -> None:
    with transaction(engine) as session:
        upsert_user(session=session, telegram_id=user_id, chat_id=user_id)


def request(
    engine: Engine,
    *,
    user_id: int = USER,
    chat_id: int = SUPPORT_CHAT,
    now: datetime = T0,
    reason: str = "user_request",
) -> tuple[SupportCase, bool]:
    with transaction(engine) as session:
        return request_case(
            session=session, user_id=user_id, chat_id=chat_id, reason=reason, now=now
        )


def load(engine: Engine, case_id: int | None) -> SupportCase:
    with transaction(engine) as session:
        case = session.get(SupportCase, case_id)
    assert case is not None
    return case


def events(engine: Engine, user_id: int | None = USER) -> list[AuditEvent]:
    """Audit events of `user_id` (None: those of no user), oldest first."""
    with transaction(engine) as session:
        if user_id is not None:
            return list(reversed(audit_trail(session=session, user_id=user_id)))
        statement = (
            select(AuditEvent).where(col(AuditEvent.user_id).is_(None)).order_by(col(AuditEvent.id))
        )
        return list(session.exec(statement).all())


# --- Cases -----------------------------------------------------------------------------------


def test_request_reuses_the_open_case(engine: Engine) -> None:
    seed_user(engine)
    with transaction(engine) as session:
        assert open_case(session=session, user_id=USER) is None
    case, created = request(engine, reason="ineligible")
    assert created is True
    assert (case.status, case.reason, case.chat_id, case.thread_id) == (
        "open",
        "ineligible",
        SUPPORT_CHAT,
        None,
    )
    assert case.requested_at == T0
    assert case.requested_at.utcoffset() == timedelta(0)
    assert (case.claimed_at, case.first_agent_reply_at, case.closed_at) == (None, None, None)

    again, created = request(engine, reason="error", now=T0 + timedelta(minutes=5))
    assert created is False
    assert (again.id, again.reason, again.requested_at) == (case.id, "ineligible", T0)
    with transaction(engine) as session:
        found = open_case(session=session, user_id=USER)
        assert found is not None and found.id == case.id
        assert open_case(session=session, user_id=OTHER_USER) is None
    requested = [e for e in events(engine) if e.kind == "support_requested"]
    assert [e.detail for e in requested] == [{"case_id": case.id, "reason": "ineligible"}]


def test_a_new_case_reuses_the_topic_of_an_earlier_one_in_the_same_chat(engine: Engine) -> None:
    seed_user(engine)
    first, _ = request(engine)
    with transaction(engine) as session:
        set_case_thread(session=session, case=first, thread_id=TOPIC)
        close_case(session=session, case=first, now=T0 + timedelta(hours=1))
    # A case whose topic was never made doesn't hide the earlier topic.
    second, created = request(engine, now=T0 + timedelta(hours=2))
    assert created is True and second.id != first.id
    assert second.thread_id == TOPIC
    with transaction(engine) as session:
        set_case_thread(session=session, case=second, thread_id=TOPIC + 1)  # recreated topic
        close_case(session=session, case=second, now=T0 + timedelta(hours=3))
    third, _ = request(engine, now=T0 + timedelta(hours=4))
    assert third.thread_id == TOPIC + 1
    with transaction(engine) as session:
        close_case(session=session, case=third, now=T0 + timedelta(hours=5))
    # Another support group has its own topics.
    elsewhere, created = request(engine, chat_id=OTHER_CHAT, now=T0 + timedelta(hours=6))
    assert created is True and elsewhere.thread_id is None
    with transaction(engine) as session:
        assert [c.id for c in cases_for_user(session=session, user_id=USER)] == [
            elsewhere.id,
            third.id,
            second.id,
            first.id,
        ]
        assert [c.id for c in cases_for_user(session=session, user_id=USER, limit=2)] == [
            elsewhere.id,
            third.id,
        ]
        assert cases_for_user(session=session, user_id=OTHER_USER) == []


def test_claim_and_reclaim_keep_the_first_claimed_at(engine: Engine) -> None:
    seed_user(engine)
    case, _ = request(engine)
    with transaction(engine) as session:
        claim_case(
            session=session,
            case=case,
            agent_id=AGENT,
            agent_name="Dewi",
            now=T0 + timedelta(minutes=1),
        )
    claimed = load(engine, case.id)
    assert (claimed.status, claimed.agent_id, claimed.agent_name) == ("claimed", AGENT, "Dewi")
    assert claimed.claimed_at == T0 + timedelta(minutes=1)
    with transaction(engine) as session:
        # A claimed case is still the user's open case.
        still_open = open_case(session=session, user_id=USER)
        assert still_open is not None and still_open.id == case.id
        claim_case(
            session=session,
            case=still_open,
            agent_id=OTHER_AGENT,
            agent_name="Budi",
            now=T0 + timedelta(minutes=9),
        )
    reclaimed = load(engine, case.id)
    assert (reclaimed.status, reclaimed.agent_id, reclaimed.agent_name) == (
        "claimed",
        OTHER_AGENT,
        "Budi",
    )
    assert reclaimed.claimed_at == T0 + timedelta(minutes=1)
    claims = [e.detail for e in events(engine) if e.kind == "support_claimed"]
    assert claims == [
        {"case_id": case.id, "agent_id": AGENT},
        {"case_id": case.id, "agent_id": OTHER_AGENT, "previous_agent_id": AGENT},
    ]


def test_first_agent_reply_is_set_once(engine: Engine) -> None:
    seed_user(engine)
    case, _ = request(engine)
    with transaction(engine) as session:
        note_agent_reply(session=session, case=case, now=T0 + timedelta(minutes=3))
    with transaction(engine) as session:
        note_agent_reply(session=session, case=case, now=T0 + timedelta(minutes=8))
    assert load(engine, case.id).first_agent_reply_at == T0 + timedelta(minutes=3)


def test_close_ends_the_case_and_audits_the_hand_back(engine: Engine) -> None:
    seed_user(engine)
    case, _ = request(engine)
    with transaction(engine) as session:
        claim_case(session=session, case=case, agent_id=AGENT, agent_name=None, now=T0)
        close_case(
            session=session, case=case, now=T0 + timedelta(hours=1), handed_back_at="details"
        )
    closed = load(engine, case.id)
    assert (closed.status, closed.closed_at) == ("closed", T0 + timedelta(hours=1))
    with transaction(engine) as session:
        assert open_case(session=session, user_id=USER) is None
        close_case(session=session, case=closed, now=T0 + timedelta(hours=2))  # no-op
    assert load(engine, case.id).closed_at == T0 + timedelta(hours=1)
    closes = [e.detail for e in events(engine) if e.kind == "support_closed"]
    assert closes == [{"case_id": case.id, "handed_back_at": "details"}]

    # Closed without a hand-back (e.g. the agent just resolved it): no step in the detail.
    other, _ = request(engine, now=T0 + timedelta(hours=3))
    with transaction(engine) as session:
        close_case(session=session, case=other)
    assert events(engine)[-1].detail == {"case_id": other.id}
    assert [e.kind for e in events(engine)] == [
        "support_requested",
        "support_claimed",
        "support_closed",
        "support_requested",
        "support_closed",
    ]


def test_case_by_thread_finds_the_newest_case_of_the_topic(engine: Engine) -> None:
    seed_user(engine)
    seed_user(engine, OTHER_USER)
    first, _ = request(engine)
    with transaction(engine) as session:
        set_case_thread(session=session, case=first, thread_id=TOPIC)
        close_case(session=session, case=first)
    with transaction(engine) as session:
        found = case_by_thread(session=session, chat_id=SUPPORT_CHAT, thread_id=TOPIC)
        assert found is not None and (found.id, found.status) == (first.id, "closed")
    second, _ = request(engine)
    other, _ = request(engine, user_id=OTHER_USER)
    with transaction(engine) as session:
        set_case_thread(session=session, case=other, thread_id=TOPIC + 1)
    with transaction(engine) as session:
        found = case_by_thread(session=session, chat_id=SUPPORT_CHAT, thread_id=TOPIC)
        assert found is not None and found.id == second.id
        found = case_by_thread(session=session, chat_id=SUPPORT_CHAT, thread_id=TOPIC + 1)
        assert found is not None and found.user_id == OTHER_USER
        assert case_by_thread(session=session, chat_id=OTHER_CHAT, thread_id=TOPIC) is None
        assert case_by_thread(session=session, chat_id=SUPPORT_CHAT, thread_id=1) is None


def test_cases_waiting_returns_unclaimed_unnoticed_cases_once(engine: Engine) -> None:
    seed_user(engine)
    seed_user(engine, OTHER_USER)
    waiting, _ = request(engine, now=T0)
    claimed, _ = request(engine, user_id=OTHER_USER, now=T0)
    with transaction(engine) as session:
        claim_case(session=session, case=claimed, agent_id=AGENT, agent_name="Dewi")
    with transaction(engine) as session:
        assert cases_waiting(session=session, older_than=T0) == []  # not yet old enough
        due = cases_waiting(session=session, older_than=T0 + timedelta(minutes=10))
        assert [c.id for c in due] == [waiting.id]
        mark_queued_notice(session=session, case=due[0], now=T0 + timedelta(minutes=10))
    with transaction(engine) as session:
        assert cases_waiting(session=session, older_than=T0 + timedelta(days=1)) == []
    assert load(engine, waiting.id).queued_notice_at == T0 + timedelta(minutes=10)


# --- Agent links -----------------------------------------------------------------------------

PAYLOAD = {
    "locale": "id",
    "note": "called the hotline",
    "fields": {"business_name": "Batik Sari"},
    "step": "details",
}


def make_link(engine: Engine, *, ttl: timedelta = timedelta(hours=24)) -> str:
    with transaction(engine) as session:
        return create_agent_link(
            session=session,
            agent_id=AGENT,
            chat_id=SUPPORT_CHAT,
            thread_id=TOPIC,
            payload=PAYLOAD,
            ttl=ttl,
            now=T0,
        )


def test_agent_link_token_fits_a_deep_link_and_only_its_hash_is_stored(engine: Engine) -> None:
    tokens = {make_link(engine) for _ in range(3)}
    assert len(tokens) == 3
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
        assert len(token) <= 64
    with transaction(engine) as session:
        links = session.exec(select(AgentLink)).all()
        assert len(links) == 3
        for link in links:
            assert re.fullmatch(r"[0-9a-f]{64}", link.token_hash)
            assert (link.agent_id, link.chat_id, link.thread_id) == (AGENT, SUPPORT_CHAT, TOPIC)
            assert link.payload == PAYLOAD
            assert (link.created_at, link.expires_at) == (T0, T0 + timedelta(hours=24))
            row = " ".join(str(value) for value in link.model_dump().values())
            assert not any(token in row for token in tokens)
    created = events(engine, None)
    assert [e.kind for e in created] == ["agent_link_created"] * 3
    assert created[0].detail == {"agent_id": AGENT, "chat_id": SUPPORT_CHAT, "thread_id": TOPIC}


def test_agent_link_is_single_use(engine: Engine) -> None:
    seed_user(engine)
    seed_user(engine, OTHER_USER)
    token = make_link(engine)
    with transaction(engine) as session:
        link = consume_agent_link(
            session=session, token=token, user_id=USER, now=T0 + timedelta(hours=1)
        )
    assert (link.agent_id, link.chat_id, link.thread_id, link.payload) == (
        AGENT,
        SUPPORT_CHAT,
        TOPIC,
        PAYLOAD,
    )
    assert (link.used_at, link.used_by) == (T0 + timedelta(hours=1), USER)
    with pytest.raises(AgentLinkUsed) as caught, transaction(engine) as session:
        consume_agent_link(
            session=session, token=token, user_id=OTHER_USER, now=T0 + timedelta(hours=2)
        )
    assert isinstance(caught.value, AgentLinkError)
    assert (caught.value.agent_id, caught.value.chat_id, caught.value.thread_id) == (
        AGENT,
        SUPPORT_CHAT,
        TOPIC,
    )
    assert caught.value.used_by == USER
    with transaction(engine) as session:
        (stored,) = session.exec(select(AgentLink)).all()
    assert (stored.used_at, stored.used_by) == (T0 + timedelta(hours=1), USER)
    used = [e for e in events(engine) if e.kind == "agent_link_used"]
    assert [e.detail for e in used] == [
        {"agent_id": AGENT, "chat_id": SUPPORT_CHAT, "thread_id": TOPIC}
    ]
    assert [e.kind for e in events(engine, OTHER_USER)] == []


def test_agent_link_expires(engine: Engine) -> None:
    seed_user(engine)
    token = make_link(engine, ttl=timedelta(hours=1))
    with pytest.raises(AgentLinkExpired) as caught, transaction(engine) as session:
        consume_agent_link(session=session, token=token, user_id=USER, now=T0 + timedelta(hours=1))
    assert (caught.value.agent_id, caught.value.thread_id) == (AGENT, TOPIC)  # to tell the agent
    with transaction(engine) as session:
        (stored,) = session.exec(select(AgentLink)).all()
    assert (stored.used_at, stored.used_by) == (None, None)


def test_agent_link_unknown(engine: Engine) -> None:
    seed_user(engine)
    make_link(engine)
    with pytest.raises(AgentLinkUnknown) as caught, transaction(engine) as session:
        consume_agent_link(session=session, token="forged-token", user_id=USER)
    assert (caught.value.agent_id, caught.value.chat_id, caught.value.thread_id) == (
        None,
        None,
        None,
    )


def test_support_audit_events_never_hold_a_token(engine: Engine) -> None:
    seed_user(engine)
    token = make_link(engine)
    with transaction(engine) as session:
        consume_agent_link(session=session, token=token, user_id=USER, now=T0)
        case, _ = request_case(session=session, user_id=USER, chat_id=SUPPORT_CHAT, reason="error")
        claim_case(session=session, case=case, agent_id=AGENT, agent_name="Dewi")
        close_case(session=session, case=case, handed_back_at="terms")
    with transaction(engine) as session:
        audit = session.exec(select(AuditEvent)).all()
        token_hash = session.exec(select(AgentLink.token_hash)).one()
    assert {e.kind for e in audit} == {
        "agent_link_created",
        "agent_link_used",
        "support_requested",
        "support_claimed",
        "support_closed",
    }
    for event in audit:
        assert token not in str(event.detail)
        assert token_hash not in str(event.detail)


# --- Lookup ----------------------------------------------------------------------------------


def test_user_by_advertiser_looks_in_all_three_places(engine: Engine) -> None:
    users = {"column": 5_000_000_011, "advertiser": 5_000_000_012, "result": 5_000_000_013}
    with transaction(engine) as session:
        for user_id in users.values():
            upsert_user(session=session, telegram_id=user_id, chat_id=user_id)
        by_column = start_integration(session=session, user_id=users["column"])
        by_column.advertiser_id = "7000000001"
        by_advertiser = start_integration(session=session, user_id=users["advertiser"])
        by_advertiser.data = {"mode": "sync", "advertiser": {"id": "7000000002", "name": "A"}}
        by_result = start_integration(session=session, user_id=users["result"])
        by_result.data = {"result": {"advertiser_id": "7000000003", "advertiser_name": "B"}}
        # Near misses: the id elsewhere in the data, or as a prefix of a longer id.
        decoy = start_integration(session=session, user_id=users["column"])
        decoy.data = {"note": "7000000009", "advertiser": {"id": "70000000091"}}
        session.add_all([by_column, by_advertiser, by_result, decoy])
    with transaction(engine) as session:
        for place, advertiser_id in [
            ("column", "7000000001"),
            ("advertiser", "7000000002"),
            ("result", "7000000003"),
        ]:
            user = user_by_advertiser(session=session, advertiser_id=advertiser_id)
            assert user is not None and user.id == users[place], place
        assert user_by_advertiser(session=session, advertiser_id="7000000009") is None
        assert user_by_advertiser(session=session, advertiser_id="700000000") is None
        assert user_by_advertiser(session=session, advertiser_id="7000%") is None
        assert user_by_advertiser(session=session, advertiser_id="") is None
