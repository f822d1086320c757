"""`ChatDriver`: one Telegram user talking to the bot through the sandbox's user API.

End-to-end tests and the terminal chat both drive the bot through this class. It never sleeps: it
long-polls the sandbox for the next event after the last one it saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

DEFAULT_TIMEOUT = 10.0


class ChatTimeout(AssertionError):
    """The bot did not answer in time (an AssertionError, so tests read it as a failure)."""


@dataclass(frozen=True)
class SeenButton:
    text: str
    callback_data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class SeenMessage:
    """A message as the user sees it now (current text and buttons after edits)."""

    message_id: int
    from_bot: bool
    text: str
    html: str | None
    buttons: tuple[tuple[SeenButton, ...], ...]
    edited: bool
    deleted: bool
    thread_id: int | None

    @property
    def labels(self) -> list[str]:
        return [button.text for row in self.buttons for button in row]

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> SeenMessage:
        return cls(
            message_id=view["message_id"],
            from_bot=view["from_bot"],
            text=view["text"],
            html=view.get("html"),
            buttons=tuple(
                tuple(SeenButton(b["text"], b.get("callback_data"), b.get("url")) for b in row)
                for row in view.get("buttons", [])
            ),
            edited=view.get("edited", False),
            deleted=view.get("deleted", False),
            thread_id=view.get("message_thread_id"),
        )


@dataclass(frozen=True)
class CallbackAnswer:
    callback_query_id: str
    data: str | None
    text: str | None
    show_alert: bool


@dataclass(frozen=True)
class Transcript:
    messages: tuple[SeenMessage, ...]
    callback_answers: tuple[CallbackAnswer, ...]

    @property
    def bot_texts(self) -> list[str]:
        return [m.text for m in self.messages if m.from_bot and not m.deleted]


class ChatDriver:
    """Acts as one user in one chat (their private chat with the bot, or a group topic)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        user_id: int,
        first_name: str = "Budi",
        username: str | None = None,
        language_code: str | None = "id",
        chat_id: int | None = None,
        thread_id: int | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.client = client
        self.user_id = user_id
        self.first_name = first_name
        self.username = username
        self.language_code = language_code
        self.chat_id = chat_id if chat_id is not None else user_id
        self.thread_id = thread_id
        self.timeout = timeout
        self._cursor = 0

    async def send(self, text: str, *, reply_to: int | None = None) -> SeenMessage:
        """Send a text or a command (`/start payload` gets its bot_command entity), optionally
        as a reply to a message of the chat."""
        body: dict[str, Any] = {
            "user_id": self.user_id,
            "chat_id": self.chat_id,
            "text": text,
            "first_name": self.first_name,
            "language_code": self.language_code,
        }
        if self.username:
            body["username"] = self.username
        if self.thread_id is not None:
            body["message_thread_id"] = self.thread_id
        if reply_to is not None:
            body["reply_to_message_id"] = reply_to
        answer = await self._post("/sandbox/messages", body)
        self._cursor = max(self._cursor, answer["seq"])
        return SeenMessage.from_view({**answer["message"], "from_bot": False, "buttons": []})

    async def press(
        self, label: str | None = None, *, data: str | None = None, message_id: int | None = None
    ) -> str:
        """Press an inline button by its label (or callback data); returns the query's id."""
        body: dict[str, Any] = {"user_id": self.user_id, "chat_id": self.chat_id}
        for key, value in (("label", label), ("data", data), ("message_id", message_id)):
            if value is not None:
                body[key] = value
        answer = await self._post("/sandbox/callbacks", body)
        self._cursor = max(self._cursor, answer["seq"])
        return answer["callback_query_id"]

    async def next_message(self, timeout: float | None = None) -> SeenMessage:
        """The bot's next new message after everything seen so far."""
        event = await self.next_event(kinds=("message",), timeout=timeout)
        return SeenMessage.from_view(event["message"])

    async def next_event(
        self, kinds: tuple[str, ...] = ("message", "edit"), timeout: float | None = None
    ) -> dict[str, Any]:
        """The next event from the bot of one of `kinds` (message, edit, callback_answer, …)."""
        timeout = timeout if timeout is not None else self.timeout
        events = await self.events_after(self._cursor, kinds=kinds, timeout=timeout)
        if not events:
            raise ChatTimeout(
                f"no {'/'.join(kinds)} from the bot in chat {self.chat_id} within {timeout} s"
            )
        event = events[0]
        self._cursor = event["seq"]
        return event

    async def events_after(
        self, after: int, *, kinds: tuple[str, ...], timeout: float, all_threads: bool = False
    ) -> list[dict[str, Any]]:
        """The bot's events after `after`, waiting up to `timeout` for the first one (in this
        driver's topic, or in every topic of the group with `all_threads`)."""
        params: dict[str, Any] = {
            "after": after,
            "timeout": timeout,
            "kinds": ",".join(kinds),
            "from_bot": "true",
        }
        if self.thread_id is not None and not all_threads:
            params["thread"] = self.thread_id
        response = await self.client.get(
            f"/sandbox/chats/{self.chat_id}/events", params=params, timeout=timeout + 5
        )
        response.raise_for_status()
        return response.json()["events"]

    async def transcript(self) -> Transcript:
        response = await self.client.get(f"/sandbox/chats/{self.chat_id}/transcript")
        response.raise_for_status()
        body = response.json()
        return Transcript(
            messages=tuple(SeenMessage.from_view(view) for view in body["messages"]),
            callback_answers=tuple(
                CallbackAnswer(
                    a["callback_query_id"], a.get("data"), a.get("text"), a["show_alert"]
                )
                for a in body["callback_answers"]
            ),
        )

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(path, json=body)
        if response.is_error:
            raise AssertionError(f"sandbox refused {path}: {response.status_code} {response.text}")
        return response.json()
