"""What can happen to an integration (events) and what the flow asks the outside to do (effects).

Events come from the user (commands, buttons, text) or from the outside world (the OAuth callback,
backend answers, the status poller). Effects are requests for I/O that the service performs,
feeding the outcome back as another event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# --- from the user ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    """`/start`, optionally from a deep link."""

    payload: str | None = None


@dataclass(frozen=True)
class Pressed:
    """An inline button of the current screen (stale buttons are caught before the flow)."""

    action: str


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Status:
    pass


@dataclass(frozen=True)
class Cancel:
    pass


@dataclass(frozen=True)
class HandBack:
    """A support agent gives the user back to the bot: at the current step ("current"), from
    the start ("eligibility"), or with a new authorization ("authorize")."""

    to: str = "current"


# --- from the outside world ------------------------------------------------------------------


@dataclass(frozen=True)
class TermsFetched:
    version: str
    url: str
    summary: str


@dataclass(frozen=True)
class Account:
    advertiser_id: str
    name: str


@dataclass(frozen=True)
class Authorized:
    """The OAuth callback exchanged the code and re-checked account-level eligibility."""

    promote_account: str
    accounts: tuple[Account, ...]
    eligible: bool
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuthDenied:
    """The person pressed Deny on TikTok's consent page."""


@dataclass(frozen=True)
class PaymentCompared:
    matches: bool
    differences: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class Submitted:
    """The backend accepted the integration request."""

    remote_id: str
    started_at: datetime
    estimated_seconds: int


@dataclass(frozen=True)
class SubmitRejected:
    """The backend refused the request for good (not a temporary failure)."""

    reason: str


@dataclass(frozen=True)
class Finished:
    succeeded: bool
    advertiser_id: str | None = None
    advertiser_name: str | None = None
    reason: str | None = None


Event = (
    Start
    | Pressed
    | Text
    | Help
    | Status
    | Cancel
    | HandBack
    | TermsFetched
    | Authorized
    | AuthDenied
    | PaymentCompared
    | Submitted
    | SubmitRejected
    | Finished
)

# --- effects ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchTerms:
    pass


@dataclass(frozen=True)
class ComparePayment:
    advertiser_id: str


@dataclass(frozen=True)
class Submit:
    """Start the integration; `request` is the Promote API body (see docs/)."""

    request: dict[str, Any] = field(default_factory=dict)


Effect = FetchTerms | ComparePayment | Submit
