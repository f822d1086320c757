"""Typed errors raised by the store, so callers can branch without parsing messages."""


class StoreError(Exception):
    """Base class of every error the models package raises on purpose."""


class StaleIntegration(StoreError):
    """Someone saved the integration after we read it; our copy must not overwrite theirs."""

    def __init__(self, integration_id: int | None, version: int) -> None:
        super().__init__(f"integration {integration_id} is no longer at version {version}")
        self.integration_id = integration_id
        self.version = version


class AuditImmutable(StoreError):
    """Audit events are append-only: an UPDATE or DELETE of one is a bug."""


class OAuthStateError(StoreError):
    """The `state` of an OAuth callback can't be accepted."""


class OAuthStateUnknown(OAuthStateError):
    """No state with that value was ever issued (or it was forged)."""


class OAuthStateRejected(OAuthStateError):
    """A state we issued that can't be used any more; says for whom, to offer a fresh link.

    Plain values, not the row: the caller's transaction has rolled back by the time it
    catches this, and a rolled-back row can't be read.
    """

    def __init__(self, message: str, *, user_id: int, integration_id: int) -> None:
        super().__init__(message)
        self.user_id = user_id
        self.integration_id = integration_id


class OAuthStateExpired(OAuthStateRejected):
    """The state is past its expiry."""


class OAuthStateUsed(OAuthStateRejected):
    """The state was already consumed: a replayed or doubled callback."""


class AgentLinkError(StoreError):
    """An agent's deep link can't be used; says whose it was, where known, to tell them.

    Plain values, not the row, for the same reason as OAuthStateRejected. An unknown link
    has no owner: its values are None.
    """

    def __init__(
        self,
        message: str,
        *,
        agent_id: int | None = None,
        chat_id: int | None = None,
        thread_id: int | None = None,
    ) -> None:
        super().__init__(message)
        self.agent_id = agent_id
        self.chat_id = chat_id
        self.thread_id = thread_id


class AgentLinkUnknown(AgentLinkError):
    """No link with that token was ever made (or it was forged)."""


class AgentLinkExpired(AgentLinkError):
    """The link is past its expiry."""


class AgentLinkUsed(AgentLinkError):
    """The link was already used; `used_by` is the user who used it."""

    def __init__(
        self,
        message: str,
        *,
        agent_id: int | None = None,
        chat_id: int | None = None,
        thread_id: int | None = None,
        used_by: int | None = None,
    ) -> None:
        super().__init__(message, agent_id=agent_id, chat_id=chat_id, thread_id=thread_id)
        self.used_by = used_by
