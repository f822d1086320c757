"""Screens: what the bot shows, as msgids and parameters; the adapter renders them.

A screen names its text by msgid (marked with `N_` so Babel extracts it) and keeps the values for
its placeholders apart, so it can be rendered in any locale, escaped for Telegram's HTML, and
checked by the localization tests without a chat. A parameter may itself be a `Msg` (or a list of
them): a translated piece, such as one line per ineligibility reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.flow.fields import FIELDS
from bot.i18n import N_

# A URL button whose link the service makes fresh (a new single-use OAuth state) each time it
# sends the screen, so that showing the screen again always offers a working link.
AUTH_URL = "promote-bot:authorization-url"
ADS_MANAGER_URL = "https://ads.tiktok.com/i18n/dashboard"


@dataclass(frozen=True)
class Msg:
    """A translatable piece of text with its own parameters."""

    text: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Button:
    """An inline button: `action` comes back as callback data; `url` opens a page."""

    label: str
    action: str | None = None
    url: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Screen:
    key: str
    text: str
    params: Mapping[str, object] = field(default_factory=dict)
    buttons: tuple[tuple[Button, ...], ...] = ()
    # Short lines shown above the text, first one first (a reminder, a hint, an error).
    notices: tuple[Msg, ...] = ()

    def with_notice(self, notice: Msg) -> Screen:
        """This screen with `notice` above everything it already says."""
        return replace(self, notices=(notice, *self.notices))


Param = str | int | Msg | Sequence[Msg] | datetime | timedelta

# Offered wherever the bot can't help on its own (ineligible, errors, failures): a person takes
# over (the service handles the action; the flow never sees it).
SUPPORT_ACTION = "support"
SUPPORT_BUTTON = Button(N_("Talk to support"), action=SUPPORT_ACTION)

# Two buttons share a row only when both labels are this short (in English; translations are
# checked by tests/unit/test_screens_fit.py): a phone cuts longer ones with "…".
PAIR_LABELS_UP_TO = 16
# Names typed by people (account names) are cut to this on a button; the text shows them whole.
NAME_ON_BUTTON = 28


def pack(buttons: Sequence[Button], widths: Sequence[int]) -> tuple[tuple[Button, ...], ...]:
    """Rows of buttons: short neighbours in pairs, long labels on a row of their own."""
    rows: list[tuple[Button, ...]] = []
    waiting: Button | None = None
    for button, width in zip(buttons, widths, strict=True):
        if width > PAIR_LABELS_UP_TO:
            rows += [(waiting,)] if waiting else []
            rows.append((button,))
            waiting = None
        elif waiting:
            rows.append((waiting, button))
            waiting = None
        else:
            waiting = button
    return (*rows, (waiting,)) if waiting else tuple(rows)


def shorten(text: str, limit: int = NAME_ON_BUTTON) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def welcome(*, name: str) -> Screen:
    """The greeting for /start: what the bot will do, in TikTok's own words."""
    return Screen(
        key="welcome",
        # NOTE: Shown on /start. {name} is the user's Telegram first name. Keep TikTok's
        # terms: Fitur Promosi, TikTok Ads Manager, Otorisasikan akses, menyinkronkan.
        text=N_(
            "Hello, {name}! 👋\n"
            "\n"
            "I will guide you through linking your TikTok <b>Promote</b> account "
            "to <b>TikTok Ads Manager</b>:\n"
            "1. check that you are eligible\n"
            "2. confirm the latest terms of service\n"
            "3. authorize access to your TikTok account\n"
            "4. sync an existing TikTok Ads Manager account or create a new one\n"
            "\n"
            "Your progress is saved, so you can stop and come back at any time."
        ),
        params={"name": name},
    )


def _yes_no(prefix: str) -> tuple[tuple[Button, ...], ...]:
    return ((Button(N_("Yes"), action=f"{prefix}:yes"), Button(N_("No"), action=f"{prefix}:no")),)


def ask_registered() -> Screen:
    return Screen(
        key="eligibility_registered",
        text=N_(
            "<b>Eligibility</b> · question 1 of 2\n\nIs your business registered in Indonesia?"
        ),
        buttons=_yes_no("pre:reg"),
    )


def ask_adult() -> Screen:
    return Screen(
        key="eligibility_adult",
        text=N_("<b>Eligibility</b> · question 2 of 2\n\nAre you 18 years old or older?"),
        buttons=_yes_no("pre:age"),
    )


# NOTE: One line per reason why a user can't integrate yet, each with what to do about it.
REASONS = {
    "not_registered_in_indonesia": N_(
        "Your business is not registered in Indonesia. This integration is only available "
        "for businesses registered in Indonesia."
    ),
    "under_18": N_("You must be 18 or older to advertise on TikTok."),
    "already_integrated": N_(
        "This TikTok account's Fitur Promosi is already integrated with TikTok Ads Manager. "
        "There is nothing more to do."
    ),
    "integration_in_progress": N_(
        "An integration for this TikTok account is already in progress. Wait a few minutes, "
        "then check again."
    ),
    "account_restricted": N_(
        "This TikTok account is restricted from advertising. Check your notifications in the "
        "TikTok app to see why and how to appeal."
    ),
    "region_not_supported": N_(
        "This TikTok account's region is not supported yet. The integration is available for "
        "accounts in Indonesia."
    ),
}
UNKNOWN_REASON = N_("The TikTok backend gave a reason I don't know: {code}.")


def reason_line(code: str) -> Msg:
    text = REASONS.get(code)
    return Msg(text) if text else Msg(UNKNOWN_REASON, {"code": code})


def ineligible(*, reasons: Sequence[str], after_authorization: bool) -> Screen:
    retry = (
        Button(N_("Use another TikTok account"), action="auth:retry")
        if after_authorization
        else Button(N_("Answer again"), action="pre:again")
    )
    return Screen(
        key="ineligible",
        text=N_(
            "Sorry, you can't integrate Fitur Promosi with TikTok Ads Manager yet:\n\n{reasons}"
        ),
        params={"reasons": [reason_line(code) for code in reasons]},
        buttons=((retry,), (SUPPORT_BUTTON,)),
    )


def terms(*, version: str, url: str, summary: str) -> Screen:
    return Screen(
        key="terms",
        # NOTE: "Selanjutnya" is the button TikTok's own app uses for this step; keep it.
        text=N_(
            "<b>Latest terms of service</b> (version {version})\n"
            "\n"
            "{summary}\n"
            "\n"
            "Confirm that you have read the latest terms of service required to integrate "
            "Fitur Promosi with TikTok Ads Manager by pressing <b>Next</b>."
        ),
        params={"version": version, "summary": summary},
        buttons=(
            (Button(N_("Read the terms"), url=url),),
            (Button(N_("Next"), action="terms:next"),),
        ),
    )


def authorize() -> Screen:
    return Screen(
        key="authorize",
        text=N_(
            "<b>Authorize access to your TikTok account</b>\n"
            "\n"
            "Press the button below, choose your TikTok account and press Authorize. The link "
            "works once, for 15 minutes. Then come back here: I will continue by myself."
        ),
        buttons=(
            (Button(N_("Authorize access"), url=AUTH_URL),),
            (Button(N_("Get a new link"), action="auth:link"),),
        ),
    )


def authorization_denied() -> Screen:
    return authorize().with_notice(
        Msg(N_("You did not authorize access, so I can't continue. Here is a new link."))
    )


def choose_account(*, promote_account: str, accounts: Sequence[Mapping[str, str]]) -> Screen:
    """Accounts by name and ID in the text (IDs are long); numbered, short buttons."""
    rows = tuple(
        (
            Button(
                N_("{number}. {name}"),
                action=f"acct:{index}",
                params={"number": index + 1, "name": shorten(account["name"])},
            ),
        )
        for index, account in enumerate(accounts)
    )
    listed = [
        Msg(N_("{number}. {name} (ID {id})"), {"number": i + 1, **account})
        for i, account in enumerate(accounts)
    ]
    return Screen(
        key="choose_account",
        text=N_(
            "✅ Access authorized for <b>{promote_account}</b>.\n"
            "\n"
            "Choose the TikTok Ads Manager account to sync with Fitur Promosi, by name and ID, "
            "or create a new account:\n"
            "{accounts}"
        ),
        params={"promote_account": promote_account, "accounts": listed},
        buttons=(*rows, (Button(N_("Create a new account"), action="acct:new"),)),
    )


def no_accounts(*, promote_account: str) -> Msg:
    return Msg(
        N_(
            "✅ Access authorized for <b>{promote_account}</b>. Your TikTok account has no TikTok "
            "Ads Manager account yet, so we will create a new one."
        ),
        {"promote_account": promote_account},
    )


def sync_review(
    *, name: str, advertiser_id: str, differences: Sequence[Mapping[str, str]]
) -> Screen:
    back = Button(N_("Choose another account"), action="sync:back")
    if differences:
        return Screen(
            key="sync_mismatch",
            text=N_(
                "You chose <b>{name}</b> (ID {id}).\n"
                "\n"
                "⚠️ Your payment information is not the same in Fitur Promosi and TikTok Ads "
                "Manager:\n"
                "{differences}\n"
                "\n"
                "Update your payment information so it is the same on both platforms, then "
                "press Check again."
            ),
            params={
                "name": name,
                "id": advertiser_id,
                "differences": [
                    Msg(
                        N_("{field}: Fitur Promosi “{promote}”, TikTok Ads Manager “{ads}”"),
                        {
                            "field": difference_label(d.get("field", "")),
                            "promote": d.get("promote", ""),
                            "ads": d.get("ads_manager", ""),
                        },
                    )
                    for d in differences
                ],
            },
            buttons=((Button(N_("Check again"), action="sync:check"),), (back,)),
        )
    return Screen(
        key="sync_review",
        text=N_(
            "You chose <b>{name}</b> (ID {id}).\n"
            "\n"
            "At the end of this process, this account's business details and billing "
            "information will be integrated with Fitur Promosi. Your payment information is "
            "the same on both platforms.\n"
            "\n"
            "After you confirm, you can't place Promote orders until the integration is "
            "finished, usually only a few minutes."
        ),
        params={"name": name, "id": advertiser_id},
        buttons=((Button(N_("Confirm and integrate"), action="sync:confirm"),), (back,)),
    )


# The backend names a differing detail "billing.<name>" or "business.<name>".
_DIFFERENCE_FIELDS = {"email": "billing_email", "phone": "contact_phone", "name": "business_name"}


def difference_label(field: str) -> Msg | str:
    """The field's own label where the flow has one, else the backend's name for it."""
    key = field.rpartition(".")[2]
    key = _DIFFERENCE_FIELDS.get(key, key)
    for spec in FIELDS:
        if spec.key == key:
            return Msg(spec.label)
    return field


def in_progress() -> Screen:
    return Screen(
        key="in_progress",
        text=N_(
            "⏳ <b>Integration in progress.</b>\n"
            "\n"
            "It usually takes only a few minutes. Until it is finished you can't place Promote "
            "orders. I will send you a message here when it is done; /status shows how it is "
            "going."
        ),
    )


IN_PROGRESS_REMINDER = Msg(
    N_("⏳ Integration in progress: Promote orders are blocked until it is finished.")
)


def status_in_progress(*, started: datetime, elapsed: timedelta) -> Screen:
    return Screen(
        key="status_in_progress",
        text=N_(
            "⏳ The integration has been running for {elapsed} (since {started}). It usually "
            "takes a few minutes; I will message you when it is done."
        ),
        params={"elapsed": elapsed, "started": started},
    )


def completed(*, advertiser_name: str, advertiser_id: str) -> Screen:
    return Screen(
        key="completed",
        text=N_(
            "🎉 <b>Fitur Promosi is now integrated with TikTok Ads Manager!</b>\n"
            "\n"
            "Account: <b>{name}</b> (ID {id})\n"
            "\n"
            "What changed: your Promote orders now use this account's business details and "
            "billing information, and you can place Promote orders again.\n"
            "\n"
            "To top up your balance, open TikTok Ads Manager and go to Payment."
        ),
        params={"name": advertiser_name, "id": advertiser_id},
        buttons=((Button(N_("Open TikTok Ads Manager"), url=ADS_MANAGER_URL),),),
    )


# NOTE: Why an integration failed, from the backend's reason code.
FAILURE_REASONS = {
    "billing_info_rejected": N_("TikTok Ads Manager did not accept the billing information."),
    "request_rejected": N_("TikTok refused the request."),
}
UNKNOWN_FAILURE = N_("TikTok gave the reason code {code}.")


def failure_reason(code: str) -> Msg:
    text = FAILURE_REASONS.get(code)
    return Msg(text) if text else Msg(UNKNOWN_FAILURE, {"code": code})


def failed(*, reason: str) -> Screen:
    return Screen(
        key="failed",
        text=N_(
            "❌ <b>The integration did not succeed.</b>\n"
            "\n"
            "Reason: {reason}\n"
            "\n"
            "Nothing was changed. You can try again."
        ),
        params={"reason": failure_reason(reason)},
        buttons=((Button(N_("Try again"), action="retry"),), (SUPPORT_BUTTON,)),
    )


def cancelled() -> Screen:
    return Screen(
        key="cancelled",
        text=N_("Cancelled. Nothing was submitted. Send /start to begin again."),
    )


def cannot_cancel() -> Msg:
    return Msg(N_("The integration has already been submitted and can't be cancelled now."))


def help_screen() -> Screen:
    return Screen(
        key="help",
        text=N_(
            "I help you integrate Fitur Promosi with TikTok Ads Manager.\n"
            "\n"
            "/start – start, or continue where you left off\n"
            "/status – where you are now\n"
            "/cancel – stop before submitting\n"
            "/help – this message"
        ),
    )


STEP_NAMES = {
    "eligibility": N_("eligibility check"),
    "terms": N_("terms of service"),
    "authorize": N_("authorize access"),
    "account": N_("choose an account"),
    "sync_review": N_("review the account to sync"),
    "details": N_("business details and billing information"),
    "submitted": N_("integration in progress"),
    "completed": N_("integration completed"),
    "failed": N_("integration failed"),
    "cancelled": N_("cancelled"),
}


def status_at(step: str) -> Msg:
    return Msg(N_("You are at: {step}."), {"step": Msg(STEP_NAMES[step])})


STALE_BUTTON = Msg(N_("That button is no longer valid. Here is where you are now:"))
USE_BUTTONS = Msg(N_("Please choose one of the buttons below."))
WELCOME_BACK = Msg(N_("Welcome back! Let's continue where you left off."))


# NOTE: Each language's name, written in that language (don't translate it into yours).
LANGUAGE_NAMES = {
    "id": N_("Bahasa Indonesia"),
    "en": N_("English"),
}
# NOTE: Only localization testers see this choice: a made-up language for spotting
# untranslated text.
PSEUDO_LANGUAGE_NAME = N_("Pseudo-locale (for testers)")


def language_picker(*, options: Sequence[str], current: str) -> Screen:
    return Screen(
        key="language",
        text=N_("Choose the language I write in. Now: {language}."),
        params={"language": Msg(language_name(current))},
        buttons=tuple((Button(language_name(code), action=f"L|{code}"),) for code in options),
    )


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, PSEUDO_LANGUAGE_NAME)


def language_set(code: str) -> Msg:
    return Msg(N_("From now on I write in {language}."), {"language": Msg(language_name(code))})


def tester_screens(*, keys: Sequence[str]) -> Screen:
    """For localization testers: every screen they can ask for by key (keys only, so the
    list stays well under Telegram's 4096 characters)."""
    return Screen(
        key="tester_screens",
        text=N_("Screens you can look at with /screens followed by a key:\n{keys}"),
        params={"keys": ", ".join(keys)},
    )


def msgids_switched(*, on: bool) -> Screen:
    return Screen(
        key="tester_msgids",
        text=N_("Msgids are now shown beneath each message.")
        if on
        else N_("Msgids are no longer shown."),
    )


SAMPLE_BUTTON = N_("This is a sample screen: its buttons do nothing.")


# --- support: what the user sees ------------------------------------------------------------


def support_requested(*, minutes: int) -> Screen:
    return Screen(
        key="support_requested",
        text=N_(
            "👤 A person from our support team will answer you here, usually within {minutes} "
            "minutes. Until then, everything you write goes to them."
        ),
        params={"minutes": minutes},
    )


def support_unavailable() -> Screen:
    return Screen(
        key="support_unavailable",
        text=N_("Sorry, support can't be reached from this bot right now. Please try again later."),
    )


def support_note(note: str) -> Msg:
    """What the support agent who sent the user in wrote for them."""
    return Msg(N_("💬 A note from our support team: {note}"), {"note": note})


SUPPORT_ALREADY = Msg(N_("Your request is already with our support team; they will answer here."))
SUPPORT_PERSON_ANSWERING = N_("A person from support is answering you now.")


def support_claimed(*, agent: str) -> Screen:
    return Screen(
        key="support_claimed",
        text=N_("👤 {agent} from support is answering you now."),
        params={"agent": agent},
    )


SUPPORT_HANDED_BACK = Msg(N_("Support has handed you back to me. Let's continue."))
SUPPORT_QUEUED = N_(
    "You are still in the queue: a person will answer you here as soon as possible."
)


# --- support: what agents see in the support group -------------------------------------------

AGENT_STEPS = {
    "current": N_("At the current step"),
    "eligibility": N_("Start over"),
    "authorize": N_("New authorization"),
}


def support_card(
    *,
    name: str,
    username: str,
    telegram_id: int,
    locale: str,
    step: str,
    eligibility: str,
    account: str,
    errors: str,
    reason: str,
    history: Sequence[str] = (),
) -> Screen:
    """The context card posted in the user's topic when they ask for a person. `history`: the
    chat's latest lines, already masked (NPWP, phone, e-mail), newest last."""
    return Screen(
        key="support_card",
        text=N_(
            "🆘 <b>Support request</b> ({reason})\n"
            "\n"
            "Name: {name}\n"
            "Username: {username}\n"
            "Telegram ID: <code>{telegram_id}</code>\n"
            "Language: {locale}\n"
            "Step: {step}\n"
            "Eligibility: {eligibility}\n"
            "Account: {account}\n"
            "Validation errors: {errors}\n"
            "\n"
            "<b>Last messages</b>\n"
            "{history}"
        ),
        params={
            "reason": reason,
            "name": name,
            "username": username,
            "telegram_id": telegram_id,
            "locale": locale,
            "step": Msg(STEP_NAMES[step]) if step in STEP_NAMES else step,
            "eligibility": eligibility,
            "account": account,
            "errors": errors,
            "history": "\n".join(history) or "–",
        },
        buttons=(
            (Button(N_("Claim"), action="claim"), Button(N_("Close"), action="close")),
            *((Button(label, action=f"back:{to}"),) for to, label in AGENT_STEPS.items()),
        ),
    )


def agent_notice(text: str, **params: object) -> Screen:
    """A one-line message (to the agents in a user's topic, or to a waiting user)."""
    return Screen(key="agent_notice", text=text, params=params)


AGENT_CLAIMED = N_("{agent} claimed this request.")
AGENT_LINK_CREATED = N_("Send this link to the user. It works once, for 24 hours:\n{url}")
AGENT_LINK_USAGE = N_("Use: /link [eligibility|terms] [id|en] [field=value …] [a note]. {problem}")
AGENT_LINK_OPENED = N_("The user {telegram_id} opened your link.")
AGENT_LINK_SUCCEEDED = N_("The user {telegram_id} finished: the integration succeeded.")
AGENT_LINK_FAILED = N_("The user {telegram_id} finished: the integration failed.")
AGENT_LINK_HELP = N_("The user {telegram_id} asked for help.")
AGENT_HANDED_BACK = N_("{agent} handed the user back to the bot ({step}).")
AGENT_CLOSED = N_("{agent} closed this request.")
AGENT_USER_BLOCKED = N_("The user has blocked the bot: messages can't reach them.")
AGENT_NOT_OPEN = N_("This request is already closed.")


def lookup(
    *,
    name: str,
    telegram_id: int,
    status: str,
    step: str,
    started: object,
    updated: object,
    submitted: object,
    finished: object,
    advertiser: str,
    cases: Sequence[Msg],
    events: Sequence[Msg],
) -> Screen:
    """For agents: one user's integration, support requests and latest audit events."""
    return Screen(
        key="lookup",
        text=N_(
            "🔎 <b>{name}</b> (Telegram ID <code>{telegram_id}</code>)\n"
            "Status: {status} · step: {step}\n"
            "Started: {started}\n"
            "Updated: {updated}\n"
            "Submitted: {submitted}\n"
            "Finished: {finished}\n"
            "Advertiser: {advertiser}\n"
            "\n"
            "<b>Support requests</b>\n"
            "{cases}\n"
            "\n"
            "<b>Latest events</b>\n"
            "{events}"
        ),
        params={
            "name": name,
            "telegram_id": telegram_id,
            "status": status,
            "step": Msg(STEP_NAMES[step]) if step in STEP_NAMES else step,
            "started": started,
            "updated": updated,
            "submitted": submitted,
            "finished": finished,
            "advertiser": advertiser,
            "cases": cases or [Msg(NONE_YET)],
            "events": events or [Msg(NONE_YET)],
        },
    )


NONE_YET = N_("none yet")
LOOKUP_CASE = N_("requested {requested}; claimed {claimed}; first reply {replied}; closed {closed}")
LOOKUP_EVENT = N_("{when}: {kind} {detail}")
LOOKUP_NOT_FOUND = N_("No user with Telegram ID or advertiser ID {query}.")
LOOKUP_USAGE = N_("Use: /lookup followed by a Telegram ID or an advertiser ID.")
