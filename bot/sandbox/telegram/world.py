"""Everything the sandbox knows, in memory: users, chats, messages, events, updates."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.telegram.limits import RateLimiter, RateLimits
from bot.sandbox.telegram.markup import button_views
from bot.sandbox.telegram.updates import UpdateQueue, Webhook
from bot.sandbox.telegram.waiting import Signal

FIRST_GROUP_ID = -1_001_000_000_001
# PTB 22.8 refuses a ChatFullInfo without these.
ACCEPTED_GIFT_TYPES = {
    "unlimited_gifts": False,
    "limited_gifts": False,
    "unique_gifts": False,
    "premium_subscription": False,
    "gifts_from_channels": False,
}
MAX_REACTION_COUNT = 11
ACCENT_COLORS = 7


def now() -> int:
    """Bot API dates are whole seconds."""
    return int(time.time())


@dataclass
class SandboxUser:
    id: int
    first_name: str
    is_bot: bool = False
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def to_api(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                user[key] = value
        return user


@dataclass
class Topic:
    thread_id: int
    name: str
    icon_color: int
    closed: bool = False
    deleted: bool = False

    def to_api(self) -> dict[str, Any]:
        return {
            "message_thread_id": self.thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }


@dataclass(eq=False)
class SandboxChat:
    id: int
    type: str  # "private" or "supergroup"
    user: SandboxUser | None = None  # the other side of a private chat
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    bot_is_admin: bool = False
    started: bool = False  # a private chat the user has written in; before that the bot can't
    member_ids: set[int] = field(default_factory=set)
    messages: dict[int, SandboxMessage] = field(default_factory=dict)
    topics: dict[int, Topic] = field(default_factory=dict)
    callback_answers: list[dict[str, Any]] = field(default_factory=list)
    next_message_id: int = 1

    @property
    def is_private(self) -> bool:
        return self.type == "private"

    def to_api(self) -> dict[str, Any]:
        if self.user is not None:
            chat = self.user.to_api()
            chat.pop("is_bot")
            chat.pop("language_code", None)
            return {**chat, "type": "private"}
        chat = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            chat["username"] = self.username
        if self.is_forum:
            chat["is_forum"] = True
        return chat

    def full_info(self) -> dict[str, Any]:
        """getChat's ChatFullInfo, with the fields PTB requires."""
        return {
            **self.to_api(),
            "accent_color_id": abs(self.id) % ACCENT_COLORS,
            "max_reaction_count": MAX_REACTION_COUNT,
            "accepted_gift_types": dict(ACCEPTED_GIFT_TYPES),
        }

    def add_message(self, **fields: Any) -> SandboxMessage:
        """Stores a new message under the chat's next message_id (ids count per chat)."""
        message = SandboxMessage(chat=self, message_id=self.next_message_id, **fields)
        self.next_message_id += 1
        self.messages[message.message_id] = message
        return message

    def live_message(self, message_id: int | None) -> SandboxMessage | None:
        message = self.messages.get(message_id) if message_id is not None else None
        return message if message is not None and not message.deleted else None


@dataclass(eq=False)
class SandboxMessage:
    chat: SandboxChat = field(repr=False)
    message_id: int
    sender: SandboxUser
    date: int
    text: str = ""
    entities: list[dict[str, Any]] = field(default_factory=list)
    html: str | None = None
    reply_markup: dict[str, Any] | None = None  # an inline keyboard, the only kind echoed
    thread_id: int | None = None
    reply_to: SandboxMessage | None = None
    forward_origin: dict[str, Any] | None = None
    service: str | None = None  # e.g. "forum_topic_created"
    service_body: dict[str, Any] = field(default_factory=dict)
    protected: bool = False
    edit_date: int | None = None
    deleted: bool = False

    @property
    def from_bot(self) -> bool:
        return self.sender.is_bot

    def to_api(self, *, with_reply: bool = True) -> dict[str, Any]:
        """The Bot API Message."""
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender.to_api(),
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if self.thread_id is not None:
            message["message_thread_id"] = self.thread_id
            message["is_topic_message"] = True
        if self.reply_to is not None and with_reply:
            message["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.forward_origin is not None:
            message["forward_origin"] = self.forward_origin
            message["forward_date"] = self.forward_origin["date"]
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if self.protected:
            message["has_protected_content"] = True
        if self.service is not None:
            message[self.service] = self.service_body
        else:
            message["text"] = self.text
            if self.entities:
                message["entities"] = self.entities
        if self.reply_markup is not None:
            message["reply_markup"] = self.reply_markup
        return message

    def view(self) -> dict[str, Any]:
        """The user API's MessageView: what a person in the chat sees now."""
        view: dict[str, Any] = {
            "message_id": self.message_id,
            "from_bot": self.from_bot,
            "from": self.sender.to_api(),
            "date": self.date,
            "text": self.text,
            "html": self.html,
            "entities": self.entities,
            "buttons": button_views(self.reply_markup),
            "edited": self.edit_date is not None,
            "deleted": self.deleted,
            "message_thread_id": self.thread_id,
        }
        if self.forward_origin is not None:
            view["forward_origin"] = self.forward_origin
        if self.service is not None:
            view["service"] = self.service
        return view


@dataclass(frozen=True)
class Event:
    """Something that happened in a chat, as the user API reports it (a frozen snapshot)."""

    seq: int
    kind: str
    chat_id: int
    thread_id: int | None
    from_bot: bool
    message: dict[str, Any] | None
    extra: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "chat_id": self.chat_id,
            "message_thread_id": self.thread_id,
            "from_bot": self.from_bot,
            "message": self.message,
            **self.extra,
        }


@dataclass
class CallbackQuery:
    id: str
    user: SandboxUser
    message: SandboxMessage
    data: str
    answered: bool = False


@dataclass
class CommandList:
    scope: dict[str, Any]
    language_code: str
    commands: list[dict[str, str]]


class World:
    """The sandbox's whole state; every change fires `changed` to wake long polls."""

    def __init__(
        self,
        bot: SandboxUser,
        rate_limits: RateLimits | None,
        first_update_id: int | None = None,
    ) -> None:
        self.bot = bot
        self.users: dict[int, SandboxUser] = {}
        self.blocked: set[int] = set()
        self.chats: dict[int, SandboxChat] = {}
        self.events: list[Event] = []  # events[i].seq == i + 1
        self.updates = UpdateQueue(first_update_id)
        self.webhook: Webhook | None = None
        self.callbacks: dict[str, CallbackQuery] = {}
        self.commands: dict[tuple[str, str], CommandList] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.limiter = RateLimiter(rate_limits)
        self.changed = Signal()
        self._next_group_id = FIRST_GROUP_ID

    @property
    def seq(self) -> int:
        return len(self.events)

    def upsert_user(self, user_id: int, **fields: Any) -> SandboxUser:
        """Creates the user (and their private chat with the bot) or updates the given fields."""
        user = self.users.get(user_id)
        if user is None:
            user = SandboxUser(id=user_id, first_name=f"User {user_id}")
            self.users[user_id] = user
            self.chats[user_id] = SandboxChat(id=user_id, type="private", user=user)
        for name, value in fields.items():
            setattr(user, name, value)
        return user

    def upsert_group(
        self,
        *,
        title: str,
        is_forum: bool,
        bot_is_admin: bool,
        member_ids: list[int],
        chat_id: int | None = None,
        username: str | None = None,
    ) -> SandboxChat:
        if chat_id is None:
            chat_id = self._next_group_id
            self._next_group_id -= 1
        group = self.chats.get(chat_id)
        if group is None:
            group = SandboxChat(id=chat_id, type="supergroup")
            self.chats[chat_id] = group
        group.title, group.is_forum, group.bot_is_admin = title, is_forum, bot_is_admin
        group.username = username
        for member_id in member_ids:
            self.upsert_user(member_id)
            group.member_ids.add(member_id)
        return group

    def find_chat(self, ref: int | str) -> SandboxChat | None:
        """A chat by id, or a group by "@username"."""
        if isinstance(ref, int):
            return self.chats.get(ref)
        name = ref.removeprefix("@").lower()
        for chat in self.chats.values():
            if chat.username and chat.username.lower() == name:
                return chat
        return None

    def chat_instance(self, chat: SandboxChat) -> str:
        """Stable per (bot, chat), like Telegram's opaque chat_instance."""
        digest = hashlib.sha256(f"{self.bot.id}:{chat.id}".encode()).digest()
        return str(int.from_bytes(digest[:8], "big", signed=True))

    def new_callback_id(self) -> str:
        return f"{self.bot.id}{len(self.callbacks) + 1:06d}"

    def record(
        self,
        kind: str,
        chat: SandboxChat,
        *,
        from_bot: bool,
        message: SandboxMessage | None = None,
        thread_id: int | None = None,
        **extra: Any,
    ) -> Event:
        event = Event(
            seq=self.seq + 1,
            kind=kind,
            chat_id=chat.id,
            thread_id=message.thread_id if message is not None else thread_id,
            from_bot=from_bot,
            message=message.view() if message is not None else None,
            extra=extra,
        )
        self.events.append(event)
        self.changed.fire()
        return event

    def enqueue(self, kind: str, payload: dict[str, Any]) -> int:
        """Queues an update for the bot (getUpdates or the webhook picks it up)."""
        update_id = self.updates.push(kind, {kind: payload})
        self.changed.fire()
        return update_id

    def events_after(
        self,
        after: int,
        chat_id: int,
        *,
        kinds: set[str] | None = None,
        from_bot: bool | None = None,
        thread_id: int | None = None,
    ) -> list[Event]:
        return [
            event
            for event in self.events[max(after, 0) :]
            if event.chat_id == chat_id
            and (kinds is None or event.kind in kinds)
            and (from_bot is None or event.from_bot == from_bot)
            and (thread_id is None or event.thread_id == thread_id)
        ]
