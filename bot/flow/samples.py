"""Every screen the bot can show, filled with realistic sample data, for testers and the
localization checks (the gallery, `/screens <key>`, the fit tests).

Nothing here copies a text: each sample drives the real flow (`machine.handle` from a sample
state, `machine.current_screens`, `machine.stay`) or calls the real screen function the service
calls, so a change to a screen shows up here by itself. The user's data is long on purpose (a
100-character business name, a 255-character legal name, a 19-digit advertiser ID) so that the
length checks mean something; it is still what a real Indonesian business could type.

Keys are stable: testers ask for a sample by key. A new screen needs a new sample here (the fit
test fails for a screen key that no sample shows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from urllib.parse import urlencode

from bot.config import SUPPORTED_LOCALES
from bot.flow import events as ev
from bot.flow import fields, machine, screens
from bot.flow.machine import State, Transition
from bot.flow.screens import AUTH_URL, Screen
from bot.i18n import DEFAULT_LOCALE, PSEUDO_LOCALE

__all__ = ["Sample", "sample", "samples"]


@dataclass(frozen=True)
class Sample:
    key: str  # stable and unique: what a tester asks for
    title: str  # plain English, for testers
    screen: Screen


# --- sample data -----------------------------------------------------------------------------

NOW = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)

FIRST_NAME = "Sekar Ayu Kusumawardhani"
PROMOTE_ACCOUNT = "@batiksekarayu.pekalongan"

TERMS = ev.TermsFetched(
    version="2025-02-01",
    url="https://ads.tiktok.com/i18n/official/policy/promote-integration-terms",
    summary=(
        "Your Promote account will be linked to TikTok Ads Manager, and your business details "
        "and billing information will be shared between them. While the integration is in "
        "progress you can't place Promote orders. Later changes to billing information must "
        "follow TikTok Ads Manager's policies."
    ),
)

# What the service puts on the Authorize button in place of `AUTH_URL`: a single-use link.
AUTHORIZATION_LINK = "https://business-api.tiktok.com/portal/auth?" + urlencode(
    {
        "app_id": "7345678901234567890",
        "redirect_uri": "https://promote-bot.example.co.id/oauth/tiktok/callback",
        "state": "Xq2vT0b9rLkP3mW8sYc1Jd5HnA7eGfZu4RiOtVyBwEx",
    }
)

ACCOUNTS = (
    ev.Account("7301234567890120001", "Batik Sekar Ayu Official"),
    ev.Account("7301234567890120877", "Batik Sekar Ayu – Toko Pekalongan"),
)

# 100 characters: the longest business name TikTok accepts.
BUSINESS_NAME = (
    "Batik Sekar Ayu Nusantara – Batik Tulis, Cap & Kombinasi Khas Pekalongan, "
    "Solo, Lasem dan Yogyakarta"
)
# 255 characters: the longest legal name accepted.
LEGAL_NAME = (
    "PT Batik Sekar Ayu Nusantara Sejahtera Abadi, Perusahaan Perdagangan Umum, Industri "
    "Tekstil, Konveksi, Percetakan Kain, Ekspor dan Impor Batik Tulis, Batik Cap dan Batik "
    "Kombinasi Khas Pekalongan, Surakarta, Lasem, Cirebon, Madura dan Yogyakarta Indonesia"
)

# What the user types (or the button they press, "f:c:<choice>") for each asked field, in order.
ENTERED: dict[str, ev.Text | ev.Pressed] = {
    "business_name": ev.Text(BUSINESS_NAME),
    "industry": ev.Pressed("f:c:fashion"),
    "website": ev.Text("www.BatikSekarAyuNusantara.co.id/toko-resmi"),
    "timezone": ev.Pressed("f:c:Asia/Jakarta"),
    "company_legal_name": ev.Text(LEGAL_NAME),
    "street": ev.Text(
        "Jl. Dr. Wahidin No. 123A, Kompleks Pertokoan Batik Pekalongan Blok C-17, "
        "RT 004/RW 011, Kelurahan Kauman, Kecamatan Pekalongan Timur"
    ),
    "city": ev.Text("Kota Pekalongan"),
    "province": ev.Text("jateng"),
    "postal_code": ev.Text("51128"),
    "npwp": ev.Text("0123 4567 8901 2345"),
    "billing_email": ev.Text("Keuangan.Tagihan@BatikSekarAyuNusantara.co.id"),
    "contact_name": ev.Text("Raden Ajeng Sekar Ayu Kusumawardhani Prameswari Hadiningrat"),
    "contact_phone": ev.Text("+62 857-1234-5678"),
}

# A realistic mistake for each asked field; each must be refused by `fields.validate`.
MISTAKES: dict[str, str] = {
    "business_name": BUSINESS_NAME + " (Official Store)",
    "industry": "kerajinan tangan",
    "website": "ftp://batiksekarayu.co.id",
    "timezone": "jam Jakarta",
    "company_legal_name": LEGAL_NAME + " (dahulu CV Batik Sekar Ayu)",
    "street": "-",
    "city": "51128",
    "province": "Jwa Tengah",
    "postal_code": "5112",
    "npwp": "01.234.567.8-901",
    "billing_email": "keuangan@batiksekarayu",
    "contact_name": "0812 3456 7890",
    "contact_phone": "+65 9123 4567",
}
# Notable extra mistakes: the longest notice (a list of provinces).
AMBIGUOUS_PROVINCE = "Kalimantan"

PAYMENT_DIFFERENCES = (
    {
        "field": "billing.company_legal_name",
        "promote": "PT Batik Sekar Ayu Nusantara Sejahtera Abadi",
        "ads_manager": "CV Batik Sekar Ayu",
    },
    {
        "field": "billing.npwp",
        "promote": "0123456789012345",
        "ads_manager": "0123456789019999",
    },
)

COMPLETED = ev.Finished(
    succeeded=True, advertiser_id="7301234567890129876", advertiser_name=BUSINESS_NAME
)
UNKNOWN_FAILURE = "advertiser_quota_exceeded"
UNKNOWN_INELIGIBILITY = "business_verification_pending"
ACCOUNT_REASONS = (
    "already_integrated",
    "integration_in_progress",
    "account_restricted",
    "region_not_supported",
)


# --- driving the real flow -------------------------------------------------------------------


def _run(state: State, *events: ev.Event, now: datetime = NOW) -> Transition:
    """The transition after feeding `events` one by one, as the service would."""
    transition = Transition(state)
    for event in events:
        transition = machine.handle(transition.state, event, now=now)
    return transition


def _shown(transition: Transition) -> Screen:
    """The first screen the last event answered with (it must answer with one)."""
    if not transition.screens:
        raise AssertionError(f"no screen at {transition.state.step}: the flow changed")
    return transition.screens[0]


def _now_showing(state: State) -> Screen:
    return machine.current_screens(state, now=NOW)[0]


def _with_link(screen: Screen) -> Screen:
    """The Authorize button as the service sends it: a real link instead of `AUTH_URL`."""
    rows = tuple(
        tuple(replace(b, url=AUTHORIZATION_LINK) if b.url == AUTH_URL else b for b in row)
        for row in screen.buttons
    )
    return replace(screen, buttons=rows)


@dataclass(frozen=True)
class _Walk:
    """Sample states along the flow, each reached by real events from the start."""

    start: State
    asked_adult: State
    terms: State  # terms fetched and shown
    authorize: State
    account: State  # authorized, two accounts listed
    sync: State  # an account chosen, payment not compared yet
    asking: dict[str, State]  # the state asking each field, all earlier ones answered
    review: State
    submitted: State
    completed: Transition
    failed_known: Transition


@cache
def _walk() -> _Walk:
    start = machine.initial()
    asked_adult = _run(start, ev.Pressed("pre:reg:yes")).state
    waiting_terms = _run(asked_adult, ev.Pressed("pre:age:yes")).state
    terms = _run(waiting_terms, TERMS).state
    authorize = _run(terms, ev.Pressed("terms:next")).state
    account = _run(
        authorize,
        ev.Authorized(promote_account=PROMOTE_ACCOUNT, accounts=ACCOUNTS, eligible=True),
    ).state
    sync = _run(account, ev.Pressed("acct:0")).state
    at_field = _run(account, ev.Pressed("acct:new")).state
    asked: dict[str, State] = {}
    for spec in fields.ASKED:
        asked[spec.key] = at_field
        at_field = _run(at_field, ENTERED[spec.key]).state
        if spec.key not in at_field.data.get("fields", {}):
            raise AssertionError(f"the sample value for {spec.key} was refused: the flow changed")
    review = at_field
    submitted = _run(review, ev.Pressed("rev:confirm"), ev.Pressed("rev:submit")).state
    running = _run(
        submitted,
        ev.Submitted(remote_id="int_8f3a2c71d9", started_at=NOW, estimated_seconds=180),
    ).state
    return _Walk(
        start=start,
        asked_adult=asked_adult,
        terms=terms,
        authorize=authorize,
        account=account,
        sync=sync,
        asking=asked,
        review=review,
        submitted=running,
        completed=_run(running, COMPLETED),
        failed_known=_run(running, ev.Finished(succeeded=False, reason="billing_info_rejected")),
    )


# --- the samples -----------------------------------------------------------------------------


def _eligibility(walk: _Walk) -> Iterator[Sample]:
    yield Sample("welcome", "Greeting on /start", screens.welcome(name=FIRST_NAME))
    yield Sample(
        "eligibility_registered",
        "Eligibility question 1: business registered in Indonesia?",
        _now_showing(walk.start),
    )
    yield Sample(
        "eligibility_adult",
        "Eligibility question 2: 18 or older?",
        _shown(_run(walk.start, ev.Pressed("pre:reg:yes"))),
    )
    yield Sample(
        "ineligible_precheck",
        "Not eligible after the questions (not registered in Indonesia and under 18)",
        _shown(_run(walk.start, ev.Pressed("pre:reg:no"), ev.Pressed("pre:age:no"))),
    )
    named = {reason: (reason, reason.replace("_", " ")) for reason in ACCOUNT_REASONS}
    named[UNKNOWN_INELIGIBILITY] = ("unknown_reason", "a reason code the bot does not know")
    for reason, (suffix, said) in named.items():
        authorized = ev.Authorized(
            promote_account=PROMOTE_ACCOUNT, accounts=ACCOUNTS, eligible=False, reasons=(reason,)
        )
        yield Sample(
            f"ineligible_{suffix}",
            f"Not eligible after authorization: {said}",
            _shown(_run(walk.authorize, authorized)),
        )


def _terms_and_access(walk: _Walk) -> Iterator[Sample]:
    yield Sample(
        "backend_unavailable",
        "TikTok not answering (here: the terms could not be fetched)",
        _now_showing(_run(walk.asked_adult, ev.Pressed("pre:age:yes")).state),
    )
    yield Sample(
        "terms",
        "Latest terms of service, with Next (the summary is TikTok's own text, as sent)",
        _now_showing(walk.terms),
    )
    yield Sample(
        "authorize",
        "Authorize access (the link button as the service sends it)",
        _with_link(_shown(_run(walk.terms, ev.Pressed("terms:next")))),
    )
    yield Sample(
        "authorize_denied",
        "Authorize again after the user pressed Deny on TikTok's page",
        _with_link(_shown(_run(walk.authorize, ev.AuthDenied()))),
    )
    yield Sample(
        "choose_account",
        "Choose one of two TikTok Ads Manager accounts, or create one",
        _now_showing(walk.account),
    )
    no_accounts = ev.Authorized(promote_account=PROMOTE_ACCOUNT, accounts=(), eligible=True)
    yield Sample(
        "no_accounts",
        "Authorized but no Ads Manager account yet: notice on the first field",
        _shown(_run(walk.authorize, no_accounts)),
    )
    yield Sample(
        "sync_review",
        "Review the chosen account (payment information matches)",
        _shown(_run(walk.sync, ev.PaymentCompared(matches=True))),
    )
    mismatch = ev.PaymentCompared(matches=False, differences=PAYMENT_DIFFERENCES)
    yield Sample(
        "sync_mismatch",
        "Chosen account's payment information differs (2 differences)",
        _shown(_run(walk.sync, mismatch)),
    )


def _details(walk: _Walk) -> Iterator[Sample]:
    for number, spec in enumerate(fields.ASKED, start=1):
        state = walk.asking[spec.key]
        yield Sample(
            f"field_{spec.key}",
            f"Field {number} of {len(fields.ASKED)}: {spec.key.replace('_', ' ')}",
            _now_showing(state),
        )
        raw = MISTAKES[spec.key]
        if not isinstance(fields.validate(spec.key, raw), fields.Invalid):
            raise AssertionError(f"the sample mistake for {spec.key} is accepted: {raw!r}")
        yield Sample(
            f"field_{spec.key}_invalid",
            f"Field {spec.key.replace('_', ' ')} after an invalid value: {raw!r}",
            _shown(_run(state, ev.Text(raw))),
        )
    yield Sample(
        "field_province_ambiguous",
        f"Field province after a value matching several provinces: {AMBIGUOUS_PROVINCE!r}",
        _shown(_run(walk.asking["province"], ev.Text(AMBIGUOUS_PROVINCE))),
    )
    yield Sample(
        "field_edit",
        "Changing the business name from the review (Back to review)",
        _shown(_run(walk.review, ev.Pressed("rev:edit:business_name"))),
    )
    yield Sample(
        "field_edit_optional",
        "Changing the optional website from the review (Back to review and Skip)",
        _shown(_run(walk.review, ev.Pressed("rev:edit:website"))),
    )
    yield Sample("review", "Review of every detail entered", _now_showing(walk.review))
    yield Sample(
        "confirm",
        "Warning before submitting: what can't be changed",
        _shown(_run(walk.review, ev.Pressed("rev:confirm"))),
    )


def _running_and_after(walk: _Walk) -> Iterator[Sample]:
    confirming = _run(walk.review, ev.Pressed("rev:confirm")).state
    yield Sample(
        "in_progress",
        "Submitted: integration in progress",
        _shown(_run(confirming, ev.Pressed("rev:submit"))),
    )
    yield Sample(
        "status_in_progress",
        "/status while the integration runs (3 minutes 25 seconds in)",
        _shown(_run(walk.submitted, ev.Status(), now=NOW + timedelta(minutes=3, seconds=25))),
    )
    yield Sample(
        "in_progress_reminder",
        "/help while the integration runs: the reminder above another screen",
        _shown(_run(walk.submitted, ev.Help())),
    )
    yield Sample(
        "cannot_cancel",
        "/cancel after submitting",
        _shown(_run(walk.submitted, ev.Cancel())),
    )
    yield Sample("completed", "Integration completed", _shown(walk.completed))
    yield Sample(
        "failed",
        "Integration failed: billing information rejected (a known reason)",
        _shown(walk.failed_known),
    )
    yield Sample(
        "failed_request_rejected",
        "Integration refused by TikTok when submitted (a known reason)",
        _shown(_run(walk.submitted, ev.SubmitRejected("request_rejected"))),
    )
    unknown = ev.Finished(succeeded=False, reason=UNKNOWN_FAILURE)
    yield Sample(
        "failed_unknown_reason",
        "Integration failed with a reason code the bot does not know",
        _shown(_run(walk.submitted, unknown)),
    )


def _anywhere(walk: _Walk) -> Iterator[Sample]:
    yield Sample("help", "/help", _shown(_run(walk.start, ev.Help())))
    yield Sample(
        "status_at",
        "/status before submitting (here: in the details step)",
        _shown(_run(walk.asking["city"], ev.Status())),
    )
    yield Sample("cancelled", "/cancel before submitting", _shown(_run(walk.terms, ev.Cancel())))
    # The service answers a button from an older message with the current screen and this notice.
    yield Sample(
        "stale_button",
        "A button from an older message was pressed (here: on the terms step)",
        _shown(machine.stay(walk.terms, screens.STALE_BUTTON, now=NOW)),
    )
    yield Sample(
        "use_buttons",
        "Text sent where buttons are expected (here: the terms step)",
        _shown(_run(walk.terms, ev.Text("oke lanjut"))),
    )
    yield Sample(
        "welcome_back",
        "/start again in the middle of the flow (here: the authorize step)",
        _with_link(_shown(_run(walk.authorize, ev.Start()))),
    )


def _settings(walk: _Walk) -> Iterator[Sample]:
    yield Sample(
        "language",
        "/language: the language picker, as a user sees it",
        screens.language_picker(options=SUPPORTED_LOCALES, current=DEFAULT_LOCALE),
    )
    yield Sample(
        "language_tester",
        "/language as a localization tester sees it (with the pseudo-locale)",
        screens.language_picker(options=(*SUPPORTED_LOCALES, PSEUDO_LOCALE), current="en"),
    )
    # With no integration yet, the service confirms the choice above the help.
    yield Sample(
        "language_set",
        "A language chosen (here: English), confirmed above the help",
        screens.help_screen().with_notice(screens.language_set("en")),
    )


# Tester-only screens come last: the list of screens names every sample, these included.
_TESTER_KEYS = ("tester_screens", "tester_msgids_on", "tester_msgids_off")


def _testers(keys: Sequence[str]) -> Iterator[Sample]:
    yield Sample(
        "tester_screens",
        "/screens with no key: every sample key (testers only)",
        screens.tester_screens(keys=list(keys)),
    )
    yield Sample(
        "tester_msgids_on", "/msgids turned on (testers only)", screens.msgids_switched(on=True)
    )
    yield Sample(
        "tester_msgids_off", "/msgids turned off (testers only)", screens.msgids_switched(on=False)
    )


def _support(walk: _Walk) -> Iterator[Sample]:
    yield Sample(
        "support_requested",
        "/support or a 'talk to support' button: a person will answer",
        screens.support_requested(minutes=15),
    )
    yield Sample(
        "support_unavailable",
        "/support when no support group is set up",
        screens.support_unavailable(),
    )
    yield Sample(
        "support_claimed",
        "an agent claimed the user's request",
        screens.support_claimed(agent="Rina Kartika Sari (Dukungan)"),
    )
    yield Sample(
        "support_card",
        "for agents: the context card in the user's topic",
        screens.support_card(
            name="Dimas",
            username="@kopinusantara_dimas",
            telegram_id=123456789012,
            locale="id",
            step="details",
            eligibility="eligible",
            account="Batik Sekar Ayu Official (ID 7301234567890120001)",
            errors="npwp, postal_code",
            reason="button",
        ),
    )
    yield Sample(
        "agent_notice",
        "for agents: a line in the user's topic (here: handed back)",
        screens.agent_notice(
            screens.AGENT_HANDED_BACK,
            agent="Rina Kartika Sari",
            step=screens.Msg(screens.AGENT_STEPS["eligibility"]),
        ),
    )


def _lookup(walk: _Walk) -> Iterator[Sample]:
    yield Sample(
        "lookup",
        "for agents: /lookup <telegram id | advertiser id>",
        screens.lookup(
            name="Dimas",
            telegram_id=123456789012,
            status="in_progress",
            step="submitted",
            started=NOW,
            updated=NOW,
            submitted=NOW,
            finished="–",
            advertiser="7301234567890120001",
            cases=[
                screens.Msg(
                    screens.LOOKUP_CASE,
                    {"requested": NOW, "claimed": NOW, "replied": NOW, "closed": "–"},
                )
            ]
            * 5,
            events=[
                screens.Msg(
                    screens.LOOKUP_EVENT,
                    {"when": NOW, "kind": "field_invalid", "detail": '{"field": "npwp"}'},
                )
            ]
            * 10,
        ),
    )


_GROUPS: tuple[Callable[[_Walk], Iterator[Sample]], ...] = (
    _eligibility,
    _terms_and_access,
    _details,
    _running_and_after,
    _anywhere,
    _settings,
    _support,
    _lookup,
)


@cache
def samples() -> tuple[Sample, ...]:
    """Every sample, in the order a user meets the screens."""
    walk = _walk()
    flow = [item for group in _GROUPS for item in group(walk)]
    keys = [*(item.key for item in flow), *_TESTER_KEYS]
    found = (*flow, *_testers(keys))
    if [item.key for item in found] != keys:
        raise AssertionError("_TESTER_KEYS and _testers() disagree")
    keys = [item.key for item in found]
    if len(set(keys)) != len(keys):
        raise AssertionError(f"sample keys repeat: {sorted(k for k in keys if keys.count(k) > 1)}")
    return found


def sample(key: str) -> Sample:
    """The sample called `key`; KeyError (listing the keys) for one that does not exist."""
    for item in samples():
        if item.key == key:
            return item
    raise KeyError(f"no sample {key!r}; known: {', '.join(s.key for s in samples())}")
