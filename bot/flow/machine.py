"""The conversation as a pure state machine: (state, event) → (state, screens, effects).

No I/O here. The service loads the state from the database, calls `handle`, saves the new state,
performs the effects and feeds their outcomes back as events. An event that does not fit the step
leaves the state as it is and answers with the current screen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.flow import details, screens
from bot.flow.events import (
    AuthDenied,
    Authorized,
    Cancel,
    ComparePayment,
    Effect,
    Event,
    FetchTerms,
    Finished,
    HandBack,
    Help,
    PaymentCompared,
    Pressed,
    Start,
    Status,
    Submit,
    SubmitRejected,
    Submitted,
    TermsFetched,
    Text,
)
from bot.flow.screens import Button, Msg, Screen
from bot.i18n import N_


class Step(StrEnum):
    eligibility = "eligibility"
    terms = "terms"
    authorize = "authorize"
    account = "account"
    sync_review = "sync_review"
    details = "details"
    submitted = "submitted"
    completed = "completed"
    failed = "failed"
    cancelled = "cancelled"


ENDED = frozenset({Step.completed, Step.failed, Step.cancelled})
AFTER_AUTHORIZATION_ORDER = (Step.account, Step.sync_review, Step.details)
AFTER_AUTHORIZATION = frozenset(AFTER_AUTHORIZATION_ORDER)
CANCELLABLE = frozenset(
    {Step.eligibility, Step.terms, Step.authorize, Step.account, Step.sync_review, Step.details}
)


@dataclass(frozen=True)
class Edge:
    """One way out of a step, for the docs' diagram; tests check the machine really takes it."""

    source: Step
    trigger: str
    target: Step


# The transition table: every change of step the flow can make. `handle` is the truth; the unit
# tests drive it through each edge and fail when this table and the behaviour drift apart.
TRANSITIONS: tuple[Edge, ...] = (
    Edge(Step.eligibility, "both pre-check answers yes", Step.terms),
    Edge(Step.terms, "Selanjutnya", Step.authorize),
    Edge(Step.authorize, "OAuth callback: eligible, has accounts", Step.account),
    Edge(Step.authorize, "OAuth callback: eligible, no account", Step.details),
    Edge(Step.account, "an account chosen by name and ID", Step.sync_review),
    Edge(Step.account, "create a new account", Step.details),
    Edge(Step.sync_review, "choose another account", Step.account),
    Edge(Step.sync_review, "confirm (payment info matches)", Step.submitted),
    Edge(Step.details, "back from the first field", Step.account),
    Edge(Step.details, "submit after the review and warning", Step.submitted),
    Edge(Step.submitted, "backend: succeeded", Step.completed),
    Edge(Step.submitted, "backend: failed or rejected", Step.failed),
    Edge(Step.failed, "try again (sync)", Step.account),
    Edge(Step.failed, "try again (create)", Step.details),
    *(
        Edge(step, "/cancel", Step.cancelled)
        for step in (
            Step.eligibility,
            Step.terms,
            Step.authorize,
            Step.account,
            Step.sync_review,
            Step.details,
        )
    ),
    *(
        Edge(step, "support hands back: start over", Step.eligibility)
        for step in (Step.terms, Step.authorize, *AFTER_AUTHORIZATION_ORDER)
    ),
    *(
        Edge(step, "support hands back: new authorization", Step.authorize)
        for step in AFTER_AUTHORIZATION_ORDER
    ),
)
# What a new authorization keeps: the pre-check answers and the accepted terms.
KEPT_FOR_AUTHORIZATION = ("registered", "adult", "terms", "terms_accepted")


@dataclass(frozen=True)
class State:
    step: Step
    data: Mapping[str, Any]

    def with_(self, step: Step | None = None, **changes: Any) -> State:
        """A copy with `changes` merged into `data` (a value of None removes the key)."""
        data = {**self.data, **changes}
        return State(step or self.step, {k: v for k, v in data.items() if v is not None})


@dataclass(frozen=True)
class Transition:
    state: State
    screens: tuple[Screen, ...] = ()
    effects: tuple[Effect, ...] = ()
    # What happened, for the audit trail; None when the state did not change.
    audit: str | None = None
    audit_detail: Mapping[str, Any] | None = None


def initial() -> State:
    return State(Step.eligibility, {})


def handle(state: State, event: Event, *, now: datetime) -> Transition:
    """Run one event; while an integration runs, every reply starts with the reminder."""
    result = _handle(state, event, now)
    if result.state.step is Step.submitted and result.screens:
        first, *rest = result.screens
        if first.key != "in_progress":
            result = replace(
                result, screens=(first.with_notice(screens.IN_PROGRESS_REMINDER), *rest)
            )
    return result


def current_screens(state: State, *, now: datetime) -> tuple[Screen, ...]:
    """What the user should see at this step, drawn from the state alone."""
    data = state.data
    match state.step:
        case Step.eligibility:
            if "ineligible" in data:
                return (screens.ineligible(reasons=data["ineligible"], after_authorization=False),)
            if "registered" not in data:
                return (screens.ask_registered(),)
            return (screens.ask_adult(),)
        case Step.terms:
            if "terms" not in data:
                return (unavailable("terms:fetch"),)
            return (screens.terms(**data["terms"]),)
        case Step.authorize:
            if "ineligible" in data:
                return (screens.ineligible(reasons=data["ineligible"], after_authorization=True),)
            return (screens.authorize(),)
        case Step.account:
            return (
                screens.choose_account(
                    promote_account=data["promote_account"], accounts=data["accounts"]
                ),
            )
        case Step.sync_review:
            if "payment" not in data:
                return (unavailable("sync:check"),)
            advertiser = data["advertiser"]
            return (
                screens.sync_review(
                    name=advertiser["name"],
                    advertiser_id=advertiser["id"],
                    differences=data["payment"]["differences"],
                ),
            )
        case Step.details:
            return (details.current(data),)
        case Step.submitted:
            return (screens.in_progress(),)
        case Step.completed:
            result = data["result"]
            return (
                screens.completed(
                    advertiser_name=result["advertiser_name"], advertiser_id=result["advertiser_id"]
                ),
            )
        case Step.failed:
            return (screens.failed(reason=data["result"]["reason"]),)
        case Step.cancelled:
            return (screens.cancelled(),)
    raise AssertionError(f"unknown step {state.step}")


def unavailable(retry_action: str) -> Screen:
    return Screen(
        key="backend_unavailable",
        text=N_(
            "TikTok is not answering right now. Nothing you entered is lost; please try again "
            "in a moment."
        ),
        buttons=((Button(N_("Try again"), action=retry_action),), (screens.SUPPORT_BUTTON,)),
    )


def stay(state: State, notice: Msg | None = None, *, now: datetime) -> Transition:
    """The state as it is, and its current screen (with `notice` above it)."""
    shown = current_screens(state, now=now)
    if notice is not None:
        shown = (shown[0].with_notice(notice), *shown[1:])
    return Transition(state, shown)


def _handle(state: State, event: Event, now: datetime) -> Transition:
    match event:
        case Help():
            return Transition(state, (screens.help_screen(),))
        case Status():
            return _status(state, now)
        case Cancel():
            if state.step in CANCELLABLE:
                return Transition(
                    State(Step.cancelled, state.data), (screens.cancelled(),), audit="cancelled"
                )
            if state.step is Step.submitted:
                return stay(state, screens.cannot_cancel(), now=now)
            return Transition(state, (screens.cancelled(),))
        case Start():
            return stay(state, screens.WELCOME_BACK, now=now)
        case HandBack(to=to):
            return _hand_back(state, to, now)
    handler = _STEP_HANDLERS.get(state.step)
    result = handler(state, event, now) if handler else None
    if result is not None:
        return result
    if isinstance(event, Text):
        shown = current_screens(state, now=now)
        hint = screens.USE_BUTTONS if shown[0].buttons else None
        return stay(state, hint, now=now)
    if isinstance(event, Pressed):
        return stay(state, now=now)
    return Transition(state)  # news from outside that no longer fits: nothing to say


def _hand_back(state: State, to: str, now: datetime) -> Transition:
    """Where a support agent puts the user back; anything not possible here keeps the step."""
    if to == "eligibility" and state.step in CANCELLABLE:
        new = initial()
    elif to == "authorize" and state.step in AFTER_AUTHORIZATION:
        new = State(
            Step.authorize, {k: state.data[k] for k in KEPT_FOR_AUTHORIZATION if k in state.data}
        )
    else:
        return stay(state, screens.SUPPORT_HANDED_BACK, now=now)
    shown = current_screens(new, now=now)
    return Transition(
        new,
        (shown[0].with_notice(screens.SUPPORT_HANDED_BACK), *shown[1:]),
        audit="handed_back",
        audit_detail={"to": to},
    )


def _status(state: State, now: datetime) -> Transition:
    if state.step is Step.submitted:
        started = datetime.fromisoformat(state.data["submission"]["requested_at"])
        shown = screens.status_in_progress(started=started, elapsed=now - started)
        return Transition(state, (shown,))
    return stay(state, screens.status_at(state.step), now=now)


# --- one handler per step: None means "does not fit this step" ------------------------------

Handler = Callable[[State, Event, datetime], Transition | None]


def _eligibility(state: State, event: Event, now: datetime) -> Transition | None:
    match event:
        case Pressed(action="pre:reg:yes" | "pre:reg:no" as action) if (
            "ineligible" not in state.data
        ):
            new = state.with_(registered=action.endswith("yes"))
            return Transition(new, current_screens(new, now=now), audit="precheck_answered")
        case Pressed(action="pre:age:yes" | "pre:age:no" as action) if (
            "registered" in state.data and "ineligible" not in state.data
        ):
            adult = action.endswith("yes")
            reasons = [
                *([] if state.data["registered"] else ["not_registered_in_indonesia"]),
                *([] if adult else ["under_18"]),
            ]
            if reasons:
                new = state.with_(adult=adult, ineligible=reasons)
                return Transition(
                    new,
                    current_screens(new, now=now),
                    audit="precheck_failed",
                    audit_detail={"reasons": reasons},
                )
            new = State(Step.terms, {**state.data, "adult": True})
            return Transition(new, effects=(FetchTerms(),), audit="precheck_passed")
        case Pressed(action="pre:again") if "ineligible" in state.data:
            new = State(Step.eligibility, {})
            return Transition(new, current_screens(new, now=now), audit="precheck_restarted")
    return None


def _terms(state: State, event: Event, now: datetime) -> Transition | None:
    match event:
        case TermsFetched(version=version, url=url, summary=summary):
            new = state.with_(terms={"version": version, "url": url, "summary": summary})
            return Transition(new, current_screens(new, now=now), audit="terms_shown")
        case Pressed(action="terms:fetch"):
            return Transition(state, effects=(FetchTerms(),))
        case Pressed(action="terms:next") if "terms" in state.data:
            version = state.data["terms"]["version"]
            new = State(
                Step.authorize,
                {**state.data, "terms_accepted": {"version": version, "at": now.isoformat()}},
            )
            return Transition(
                new,
                current_screens(new, now=now),
                audit="terms_accepted",
                audit_detail={"version": version},
            )
    return None


def _authorize(state: State, event: Event, now: datetime) -> Transition | None:
    match event:
        case Pressed(action="auth:link"):
            return stay(state, now=now)  # the service puts a fresh link on the button
        case Pressed(action="auth:retry") if "ineligible" in state.data:
            new = state.with_(ineligible=None)
            return Transition(new, current_screens(new, now=now), audit="authorization_retry")
        case AuthDenied():
            return Transition(
                state.with_(ineligible=None),
                (screens.authorization_denied(),),
                audit="authorization_denied",
            )
        case Authorized(eligible=False, reasons=reasons):
            new = state.with_(ineligible=list(reasons))
            return Transition(
                new,
                current_screens(new, now=now),
                audit="account_ineligible",
                audit_detail={"reasons": list(reasons)},
            )
        case Authorized(promote_account=promote_account, accounts=accounts):
            listed = [{"id": a.advertiser_id, "name": a.name} for a in accounts]
            data = {**state.data, "promote_account": promote_account, "accounts": listed}
            data.pop("ineligible", None)
            if listed:
                new = State(Step.account, data)
                return Transition(
                    new,
                    current_screens(new, now=now),
                    audit="authorized",
                    audit_detail={"accounts": len(listed)},
                )
            new = State(Step.details, details.start(data))
            first = details.current(new.data).with_notice(
                screens.no_accounts(promote_account=promote_account)
            )
            return Transition(new, (first,), audit="authorized", audit_detail={"accounts": 0})
    return None


def _account(state: State, event: Event, now: datetime) -> Transition | None:
    match event:
        case Pressed(action="acct:new"):
            new = State(Step.details, details.start(state.data))
            return Transition(new, current_screens(new, now=now), audit="create_chosen")
        case Pressed(action=action) if action.startswith("acct:"):
            accounts = state.data["accounts"]
            index = action.removeprefix("acct:")
            if not index.isdigit() or int(index) >= len(accounts):
                return None
            chosen = accounts[int(index)]
            new = State(Step.sync_review, {**state.data, "mode": "sync", "advertiser": chosen})
            new = new.with_(payment=None)
            return Transition(
                new,
                effects=(ComparePayment(chosen["id"]),),
                audit="account_chosen",
                audit_detail={"advertiser_id": chosen["id"]},
            )
    return None


def _sync_review(state: State, event: Event, now: datetime) -> Transition | None:
    match event:
        case PaymentCompared(matches=matches, differences=differences):
            new = state.with_(
                payment={"matches": matches, "differences": [dict(d) for d in differences]}
            )
            return Transition(
                new,
                current_screens(new, now=now),
                audit="payment_compared",
                audit_detail={"matches": matches},
            )
        case Pressed(action="sync:check"):
            return Transition(
                state.with_(payment=None),
                effects=(ComparePayment(state.data["advertiser"]["id"]),),
                audit="payment_recheck",
            )
        case Pressed(action="sync:back"):
            new = State(Step.account, {**state.data}).with_(advertiser=None, payment=None)
            return Transition(new, current_screens(new, now=now), audit="account_rechosen")
        case Pressed(action="sync:confirm") if state.data.get("payment", {}).get("matches"):
            request = {"mode": "sync", "advertiser_id": state.data["advertiser"]["id"]}
            return _submit(state, request, now)
    return None


def _details(state: State, event: Event, now: datetime) -> Transition | None:
    match event:
        case Pressed(action="rev:submit") if state.data.get("confirming"):
            return _submit(state.with_(confirming=None), details.request(state.data), now)
        case Pressed(action="f:back") if details.at_first_field(state.data):
            if state.data.get("accounts"):
                new = State(Step.account, details.clear_cursor(state.data))
                return Transition(new, current_screens(new, now=now), audit="details_left")
            return None
        case Pressed() | Text():
            outcome = details.handle(state.data, event)
            if outcome is None:
                return None
            new = State(Step.details, outcome.data)
            shown = details.current(new.data)
            if outcome.notice is not None:
                shown = shown.with_notice(outcome.notice)
            return Transition(new, (shown,), audit=outcome.audit, audit_detail=outcome.detail)
    return None


def _submit(state: State, request: dict[str, Any], now: datetime) -> Transition:
    attempt = int(state.data.get("attempt", 1))
    submission = {"request": request, "attempt": attempt, "requested_at": now.isoformat()}
    new = State(Step.submitted, {**state.data, "submission": submission})
    return Transition(
        new,
        (screens.in_progress(),),
        effects=(Submit(request),),
        audit="submitted",
        audit_detail={"mode": request["mode"], "attempt": attempt},
    )


def _submitted(state: State, event: Event, now: datetime) -> Transition | None:
    submission = state.data["submission"]
    match event:
        case Submitted(remote_id=remote_id, started_at=started_at, estimated_seconds=seconds):
            if submission.get("remote_id") == remote_id:
                return Transition(state)  # the same answer again (a resubmission): nothing new
            new = state.with_(
                submission={
                    **submission,
                    "remote_id": remote_id,
                    "started_at": started_at.isoformat(),
                    "estimated_seconds": seconds,
                }
            )
            return Transition(
                new, audit="integration_started", audit_detail={"remote_id": remote_id}
            )
        case SubmitRejected(reason=reason):
            new = State(Step.failed, {**state.data, "result": {"reason": reason}})
            return Transition(
                new,
                current_screens(new, now=now),
                audit="integration_rejected",
                audit_detail={"reason": reason},
            )
        case Finished(succeeded=True, advertiser_id=advertiser_id, advertiser_name=name):
            result = {"advertiser_id": advertiser_id or "", "advertiser_name": name or ""}
            new = State(Step.completed, {**state.data, "result": result})
            return Transition(
                new,
                current_screens(new, now=now),
                audit="integration_succeeded",
                audit_detail={"advertiser_id": advertiser_id},
            )
        case Finished(succeeded=False, reason=reason):
            new = State(Step.failed, {**state.data, "result": {"reason": reason or ""}})
            return Transition(
                new,
                current_screens(new, now=now),
                audit="integration_failed",
                audit_detail={"reason": reason},
            )
    return None


def _failed(state: State, event: Event, now: datetime) -> Transition | None:
    match event:
        case Pressed(action="retry"):
            attempt = int(state.data.get("attempt", 1)) + 1
            data = {**state.data, "attempt": attempt}
            for key in ("result", "submission", "payment"):
                data.pop(key, None)
            if data.get("mode") == "sync":
                new = State(Step.account, data)
            else:
                new = State(Step.details, details.review(data))
            return Transition(
                new, current_screens(new, now=now), audit="retry", audit_detail={"attempt": attempt}
            )
    return None


_STEP_HANDLERS: dict[Step, Handler] = {
    Step.eligibility: _eligibility,
    Step.terms: _terms,
    Step.authorize: _authorize,
    Step.account: _account,
    Step.sync_review: _sync_review,
    Step.details: _details,
    Step.submitted: _submitted,
    Step.failed: _failed,
}
