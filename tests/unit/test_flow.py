"""The flow as a pure state machine: every edge of the transition table, every step × event,
and the generated diagram."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.flow import details
from bot.flow import events as ev
from bot.flow.diagram import document
from bot.flow.machine import CANCELLABLE, TRANSITIONS, State, Step, handle, initial
from bot.flow.screens import IN_PROGRESS_REMINDER, STALE_BUTTON, USE_BUTTONS, WELCOME_BACK

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
ACCOUNTS = [{"id": "111", "name": "Toko A"}, {"id": "222", "name": "Toko B"}]
TERMS = {"version": "2025-02", "url": "http://127.0.0.1/terms", "summary": "Ringkasan"}
ALL_FIELDS = {
    "business_name": "Kopi Nusantara",
    "industry": "ecommerce",
    "website": "",
    "timezone": "Asia/Jakarta",
    "company_legal_name": "PT Kopi Nusantara",
    "street": "Jl. Braga No. 45",
    "city": "Bandung",
    "province": "Jawa Barat",
    "postal_code": "40111",
    "npwp": "012345678901234",
    "billing_email": "admin@kopi.co.id",
    "contact_name": "Dimas",
    "contact_phone": "+6281234567890",
}
SUBMISSION = {
    "request": {"mode": "sync", "advertiser_id": "111"},
    "attempt": 1,
    "requested_at": (NOW - timedelta(minutes=2)).isoformat(),
}

# A typical state at each step (the data the step needs to show its screen).
AT: dict[Step, State] = {
    Step.eligibility: State(Step.eligibility, {"registered": True}),
    Step.terms: State(Step.terms, {"registered": True, "adult": True, "terms": TERMS}),
    Step.authorize: State(Step.authorize, {"terms": TERMS}),
    Step.account: State(Step.account, {"promote_account": "Batik", "accounts": ACCOUNTS}),
    Step.sync_review: State(
        Step.sync_review,
        {
            "promote_account": "Batik",
            "accounts": ACCOUNTS,
            "mode": "sync",
            "advertiser": ACCOUNTS[0],
            "payment": {"matches": True, "differences": []},
        },
    ),
    Step.details: State(
        Step.details,
        {
            "promote_account": "Batik",
            "accounts": ACCOUNTS,
            "mode": "create",
            "fields": {},
            "cursor": 0,
        },
    ),
    Step.submitted: State(Step.submitted, {"mode": "sync", "submission": SUBMISSION}),
    Step.completed: State(
        Step.completed, {"result": {"advertiser_id": "111", "advertiser_name": "Toko A"}}
    ),
    Step.failed: State(
        Step.failed,
        {
            "promote_account": "Batik",
            "mode": "sync",
            "accounts": ACCOUNTS,
            "result": {"reason": "x"},
        },
    ),
    Step.cancelled: State(Step.cancelled, {}),
}
REVIEWING = State(
    Step.details,
    {**AT[Step.details].data, "fields": ALL_FIELDS, "review": True, "confirming": True},
)

# One (state, event) that takes each edge of the table.
EDGE_SAMPLES: dict[tuple[Step, str, Step], tuple[State, ev.Event]] = {
    (Step.eligibility, "both pre-check answers yes", Step.terms): (
        AT[Step.eligibility],
        ev.Pressed("pre:age:yes"),
    ),
    (Step.terms, "Selanjutnya", Step.authorize): (AT[Step.terms], ev.Pressed("terms:next")),
    (Step.authorize, "OAuth callback: eligible, has accounts", Step.account): (
        AT[Step.authorize],
        ev.Authorized("Batik", (ev.Account("111", "Toko A"),), True),
    ),
    (Step.authorize, "OAuth callback: eligible, no account", Step.details): (
        AT[Step.authorize],
        ev.Authorized("Batik", (), True),
    ),
    (Step.account, "an account chosen by name and ID", Step.sync_review): (
        AT[Step.account],
        ev.Pressed("acct:1"),
    ),
    (Step.account, "create a new account", Step.details): (
        AT[Step.account],
        ev.Pressed("acct:new"),
    ),
    (Step.sync_review, "choose another account", Step.account): (
        AT[Step.sync_review],
        ev.Pressed("sync:back"),
    ),
    (Step.sync_review, "confirm (payment info matches)", Step.submitted): (
        AT[Step.sync_review],
        ev.Pressed("sync:confirm"),
    ),
    (Step.details, "back from the first field", Step.account): (
        AT[Step.details],
        ev.Pressed("f:back"),
    ),
    (Step.details, "submit after the review and warning", Step.submitted): (
        REVIEWING,
        ev.Pressed("rev:submit"),
    ),
    (Step.submitted, "backend: succeeded", Step.completed): (
        AT[Step.submitted],
        ev.Finished(True, "111", "Toko A"),
    ),
    (Step.submitted, "backend: failed or rejected", Step.failed): (
        AT[Step.submitted],
        ev.Finished(False, reason="billing_info_rejected"),
    ),
    (Step.failed, "try again (sync)", Step.account): (AT[Step.failed], ev.Pressed("retry")),
    (Step.failed, "try again (create)", Step.details): (
        State(Step.failed, {"mode": "create", "fields": ALL_FIELDS, "result": {"reason": "x"}}),
        ev.Pressed("retry"),
    ),
    **{(step, "/cancel", Step.cancelled): (AT[step], ev.Cancel()) for step in CANCELLABLE},
    **{
        (step, "support hands back: start over", Step.eligibility): (
            AT[step],
            ev.HandBack("eligibility"),
        )
        for step in (Step.terms, Step.authorize, Step.account, Step.sync_review, Step.details)
    },
    **{
        (step, "support hands back: new authorization", Step.authorize): (
            AT[step],
            ev.HandBack("authorize"),
        )
        for step in (Step.account, Step.sync_review, Step.details)
    },
}

EVENTS: list[ev.Event] = [
    ev.Start(),
    ev.Help(),
    ev.Status(),
    ev.Text("hello"),
    ev.Pressed("nonsense"),
    ev.Pressed("pre:age:yes"),
    ev.Pressed("terms:next"),
    ev.Pressed("acct:0"),
    ev.Pressed("acct:new"),
    ev.Pressed("sync:confirm"),
    ev.Pressed("sync:back"),
    ev.Pressed("f:back"),
    ev.Pressed("rev:submit"),
    ev.Pressed("retry"),
    ev.TermsFetched("v2", "http://127.0.0.1/t", "s"),
    ev.Authorized("Batik", (ev.Account("1", "A"),), True),
    ev.AuthDenied(),
    ev.PaymentCompared(True),
    ev.Submitted("r1", NOW, 60),
    ev.SubmitRejected("no"),
    ev.Finished(True, "1", "A"),
    ev.Finished(False, reason="x"),
]


def test_every_edge_of_the_table_has_a_sample() -> None:
    table = {(e.source, e.trigger, e.target) for e in TRANSITIONS}
    assert table == set(EDGE_SAMPLES)


@pytest.mark.parametrize("edge", list(EDGE_SAMPLES), ids=lambda e: f"{e[0]}->{e[2]}: {e[1]}")
def test_the_machine_takes_every_edge(edge: tuple[Step, str, Step]) -> None:
    state, event = EDGE_SAMPLES[edge]
    assert handle(state, event, now=NOW).state.step is edge[2]


@pytest.mark.parametrize("step", list(Step))
@pytest.mark.parametrize("event", EVENTS, ids=repr)
def test_no_step_change_outside_the_table(step: Step, event: ev.Event) -> None:
    """Every step × event: the step stays, or moves along an edge of the table."""
    result = handle(AT[step], event, now=NOW)
    allowed = {step} | {edge.target for edge in TRANSITIONS if edge.source is step}
    assert result.state.step in allowed
    if isinstance(event, ev.Text | ev.Pressed | ev.Start | ev.Help | ev.Status):
        assert result.screens or result.effects, "a user always gets an answer"


def test_the_pre_check_names_every_reason() -> None:
    state = handle(initial(), ev.Pressed("pre:reg:no"), now=NOW).state
    result = handle(state, ev.Pressed("pre:age:no"), now=NOW)
    assert result.state.step is Step.eligibility
    assert result.state.data["ineligible"] == ["not_registered_in_indonesia", "under_18"]


def test_text_at_a_button_step_shows_the_screen_again_with_a_hint() -> None:
    result = handle(AT[Step.terms], ev.Text("ok"), now=NOW)
    assert result.state == AT[Step.terms]
    assert result.screens[0].key == "terms" and result.screens[0].notices == (USE_BUTTONS,)


def test_start_on_a_running_flow_resumes_it() -> None:
    result = handle(AT[Step.account], ev.Start(), now=NOW)
    assert result.screens[0].notices == (WELCOME_BACK,)
    assert result.screens[0].key == "choose_account"


def test_while_in_progress_every_reply_starts_with_the_reminder() -> None:
    for event in (ev.Help(), ev.Text("?"), ev.Status(), ev.Start()):
        first = handle(AT[Step.submitted], event, now=NOW).screens[0]
        assert first.key == "in_progress" or first.notices[0] == IN_PROGRESS_REMINDER, event
    status = handle(AT[Step.submitted], ev.Status(), now=NOW).screens[0]
    assert status.params["elapsed"] == timedelta(minutes=2)


def test_news_that_no_longer_fits_says_nothing() -> None:
    result = handle(AT[Step.account], ev.TermsFetched("v", "u", "s"), now=NOW)
    assert result.state == AT[Step.account] and result.screens == ()


def test_a_wrong_value_keeps_what_was_entered() -> None:
    state = State(
        Step.details, {**AT[Step.details].data, "fields": {"business_name": "A"}, "cursor": 8}
    )
    result = handle(state, ev.Text("123"), now=NOW)
    assert result.state.data["fields"] == {"business_name": "A"}
    assert result.state.data["cursor"] == 8
    assert result.screens[0].notices
    assert result.state.data["errors"] == [{"field": "postal_code"}]


def test_the_create_request_carries_normalized_values() -> None:
    request = details.request(REVIEWING.data)
    assert request["business"]["registered_area"] == "ID"
    assert request["business"]["currency"] == "IDR"
    assert request["billing"]["npwp"] == "012345678901234"
    assert request["billing"]["phone"] == "+6281234567890"


def test_cancel_after_submission_is_refused() -> None:
    result = handle(AT[Step.submitted], ev.Cancel(), now=NOW)
    assert result.state == AT[Step.submitted]


def test_stale_notice_exists_for_the_adapter() -> None:
    assert STALE_BUTTON.text


def test_the_diagram_in_docs_is_up_to_date() -> None:
    written = (Path(__file__).resolve().parents[2] / "docs" / "flow.md").read_text()
    assert written == document(), "run `make docs` to regenerate docs/flow.md"
