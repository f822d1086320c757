"""The user API under /sandbox: tests and the terminal chat act as Telegram users and look on.

JSON in and out; refusals are `{"error": ...}` with a 4xx status. The ChatDriver relies on
these names and shapes.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.sandbox.telegram.api_updates import webhook_info
from bot.sandbox.telegram.errors import BotApiError, UserApiError
from bot.sandbox.telegram.limits import RateLimits
from bot.sandbox.telegram.markup import find_button
from bot.sandbox.telegram.texts import prepare_text
from bot.sandbox.telegram.waiting import wait_until
from bot.sandbox.telegram.world import (
    CallbackQuery,
    Event,
    SandboxChat,
    SandboxMessage,
    World,
    now,
)

MAX_EVENTS_TIMEOUT = 300.0
_COMMAND = re.compile(r"/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")
_MISSING = object()
Handler = Callable[[Request], Awaitable[dict[str, Any]]]


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise UserApiError(400, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise UserApiError(400, "the body must be a JSON object")
    return body


def _get(
    body: dict[str, Any], name: str, kind: type | tuple[type, ...], default: Any = _MISSING
) -> Any:
    """A typed field; `default` omitted means required. None passes where kind allows it."""
    if name not in body:
        if default is _MISSING:
            raise UserApiError(400, f"{name} is required")
        return default
    value = body[name]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
        raise UserApiError(400, f"{name} has the wrong type")
    return value


def _path_int(request: Request, name: str) -> int:
    try:
        return int(request.path_params[name])
    except ValueError:
        raise UserApiError(404, f"no such {name}") from None


def _query_int(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        raise UserApiError(400, f"{name} must be an integer") from None


def _command_entities(text: str) -> list[dict[str, Any]]:
    """A leading /command (with an optional @botname) is a bot_command; the rest stays plain."""
    match = _COMMAND.match(text)
    return [{"type": "bot_command", "offset": 0, "length": match.end()}] if match else []


def _endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        try:
            return JSONResponse(await handler(request))
        except UserApiError as error:
            return JSONResponse(error.body, status_code=error.status)

    return endpoint


class UserApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def routes(self) -> list[Route]:
        table: list[tuple[str, str, Handler]] = [
            ("GET", "/sandbox/health", self.health),
            ("GET", "/sandbox/state", self.state),
            ("PATCH", "/sandbox/config", self.config),
            ("POST", "/sandbox/users", self.users),
            ("POST", "/sandbox/users/{user_id}/block", self.block),
            ("POST", "/sandbox/groups", self.groups),
            ("DELETE", "/sandbox/groups/{chat_id}/topics/{thread_id}", self.delete_topic),
            ("POST", "/sandbox/messages", self.messages),
            ("POST", "/sandbox/callbacks", self.callbacks),
            ("GET", "/sandbox/chats/{chat_id}/transcript", self.transcript),
            ("GET", "/sandbox/chats/{chat_id}/events", self.events),
        ]
        return [Route(path, _endpoint(handler), methods=[verb]) for verb, path, handler in table]

    async def health(self, request: Request) -> dict[str, Any]:
        return {"ok": True}

    async def state(self, request: Request) -> dict[str, Any]:
        world = self.world
        limits = world.limiter.limits
        return {
            "bot": world.bot.to_api(),
            "webhook": webhook_info(world),
            "pending_updates": len(world.updates.pending),
            "commands": [
                {
                    "scope": menu.scope,
                    "language_code": menu.language_code,
                    "commands": menu.commands,
                }
                for menu in world.commands.values()
            ],
            "descriptions": world.descriptions,
            "short_descriptions": world.short_descriptions,
            "rate_limits": limits.to_json() if limits else None,
        }

    async def config(self, request: Request) -> dict[str, Any]:
        body = await _body(request)
        if "rate_limits" in body:
            limits = _get(body, "rate_limits", (dict, type(None)))
            try:
                self.world.limiter.limits = None if limits is None else RateLimits.from_json(limits)
            except (TypeError, ValueError) as error:
                raise UserApiError(400, f"bad rate_limits: {error}") from None
        return {"ok": True}

    async def users(self, request: Request) -> dict[str, Any]:
        body = await _body(request)
        user_id = _get(body, "id", int)
        fields = {
            name: _get(body, name, kind)
            for name, kind in (
                ("first_name", str),
                ("last_name", (str, type(None))),
                ("username", (str, type(None))),
                ("language_code", (str, type(None))),
            )
            if name in body
        }
        return {"user": self.world.upsert_user(user_id, **fields).to_api()}

    async def block(self, request: Request) -> dict[str, Any]:
        user_id = _path_int(request, "user_id")
        if user_id not in self.world.users:
            raise UserApiError(404, f"no user {user_id}")
        if _get(await _body(request), "blocked", bool):
            self.world.blocked.add(user_id)
        else:
            self.world.blocked.discard(user_id)
        return {"ok": True}

    async def groups(self, request: Request) -> dict[str, Any]:
        body = await _body(request)
        member_ids = _get(body, "member_ids", list, [])
        if not all(isinstance(member, int) for member in member_ids):
            raise UserApiError(400, "member_ids must be integers")
        chat_id = _get(body, "id", (int, type(None)), None)
        if chat_id is not None and chat_id >= 0:
            raise UserApiError(400, "a group id must be negative")
        group = self.world.upsert_group(
            title=_get(body, "title", str),
            is_forum=_get(body, "is_forum", bool, False),
            bot_is_admin=_get(body, "bot_is_admin", bool, True),
            member_ids=member_ids,
            chat_id=chat_id,
            username=_get(body, "username", (str, type(None)), None),
        )
        return {"chat": group.to_api()}

    def _chat(self, chat_id: int) -> SandboxChat:
        chat = self.world.chats.get(chat_id)
        if chat is None:
            raise UserApiError(404, f"no chat {chat_id}")
        return chat

    async def delete_topic(self, request: Request) -> dict[str, Any]:
        chat = self._chat(_path_int(request, "chat_id"))
        topic = chat.topics.get(_path_int(request, "thread_id"))
        if topic is None or topic.deleted:
            raise UserApiError(404, "no such topic")
        topic.deleted = True
        for message in chat.messages.values():
            if message.thread_id == topic.thread_id:
                message.deleted = True
        self.world.record("topic_deleted", chat, from_bot=False, thread_id=topic.thread_id)
        return {"ok": True}

    def _writer_chat(self, body: dict[str, Any], user_id: int) -> SandboxChat:
        """The chat a user writes in: their private chat with the bot, or a group they join."""
        chat = self._chat(_get(body, "chat_id", int, user_id))
        if chat.is_private:
            if chat.id != user_id:
                raise UserApiError(400, "a user can only write in their own private chat")
            if user_id in self.world.blocked:
                raise UserApiError(400, f"user {user_id} has blocked the bot; unblock first")
            chat.started = True
        else:
            chat.member_ids.add(user_id)
        return chat

    @staticmethod
    def _user_thread(chat: SandboxChat, thread_id: int | None) -> int | None:
        if thread_id is None:
            return None
        topic = chat.topics.get(thread_id)
        if topic is None or topic.deleted:
            raise UserApiError(400, "message thread not found")
        if topic.closed:
            raise UserApiError(400, "the topic is closed")
        return thread_id

    async def messages(self, request: Request) -> dict[str, Any]:
        body = await _body(request)
        user_id = _get(body, "user_id", int)
        profile = {
            name: _get(body, name, kind)
            for name, kind in (
                ("first_name", str),
                ("username", (str, type(None))),
                ("language_code", (str, type(None))),
            )
            if name in body
        }
        try:
            text = prepare_text(_get(body, "text", str), None, None).text
        except BotApiError as error:
            raise UserApiError(400, error.description) from None
        user = self.world.upsert_user(user_id, **profile)
        chat = self._writer_chat(body, user_id)
        thread_id = self._user_thread(
            chat, _get(body, "message_thread_id", (int, type(None)), None)
        )
        reply_to = None
        reply_id = _get(body, "reply_to_message_id", (int, type(None)), None)
        if reply_id is not None:
            reply_to = chat.live_message(reply_id)
            if reply_to is None:
                raise UserApiError(400, "message to be replied not found")
            thread_id = thread_id or reply_to.thread_id
        message = chat.add_message(
            sender=user,
            date=now(),
            text=text,
            entities=_command_entities(text),
            thread_id=thread_id,
            reply_to=reply_to,
        )
        event = self.world.record("message", chat, from_bot=False, message=message)
        delivered = message.to_api()
        update_id = self.world.enqueue("message", delivered)
        return {"message": delivered, "update_id": update_id, "seq": event.seq}

    @staticmethod
    def _pressed(
        chat: SandboxChat, message_id: int | None, label: str | None, data: str | None
    ) -> tuple[SandboxMessage, dict[str, Any]]:
        """The button to press: in the given message, or in the newest bot message with one."""
        if message_id is not None:
            candidates = [chat.live_message(message_id)]
            if candidates[0] is None:
                raise UserApiError(404, f"no message {message_id} in chat {chat.id}")
        else:
            candidates = [
                m for m in reversed(chat.messages.values()) if m.from_bot and not m.deleted
            ]
        for message in candidates:
            if message is not None and (button := find_button(message.reply_markup, label, data)):
                return message, button
        raise UserApiError(404, f"no button with label={label!r} data={data!r} in chat {chat.id}")

    async def callbacks(self, request: Request) -> dict[str, Any]:
        body = await _body(request)
        user_id = _get(body, "user_id", int)
        user = self.world.users.get(user_id)
        if user is None:
            raise UserApiError(404, f"no user {user_id}")
        label = _get(body, "label", (str, type(None)), None)
        data = _get(body, "data", (str, type(None)), None)
        if label is None and data is None:
            raise UserApiError(400, "give the button's label or its callback data")
        chat = self._chat(_get(body, "chat_id", int, user_id))
        message_id = _get(body, "message_id", (int, type(None)), None)
        message, button = self._pressed(chat, message_id, label, data)
        if "callback_data" not in button:
            if "url" in button:
                raise UserApiError(400, "the button opens a URL", url=button["url"])
            raise UserApiError(400, "the button sends no callback data")
        query = CallbackQuery(self.world.new_callback_id(), user, message, button["callback_data"])
        self.world.callbacks[query.id] = query
        event = self.world.record(
            "callback_query",
            chat,
            from_bot=False,
            message=message,
            callback_query_id=query.id,
            data=query.data,
        )
        update_id = self.world.enqueue(
            "callback_query",
            {
                "id": query.id,
                "from": user.to_api(),
                "message": message.to_api(),
                "chat_instance": self.world.chat_instance(chat),
                "data": query.data,
            },
        )
        return {"callback_query_id": query.id, "update_id": update_id, "seq": event.seq}

    async def transcript(self, request: Request) -> dict[str, Any]:
        chat = self._chat(_path_int(request, "chat_id"))
        return {
            "chat": chat.to_api(),
            "messages": [message.view() for message in chat.messages.values()],
            "callback_answers": chat.callback_answers,
        }

    async def events(self, request: Request) -> dict[str, Any]:
        chat_id = _path_int(request, "chat_id")
        after = _query_int(request, "after") or 0
        try:
            timeout = min(
                max(float(request.query_params.get("timeout") or 0), 0.0), MAX_EVENTS_TIMEOUT
            )
        except ValueError:
            raise UserApiError(400, "timeout must be a number") from None
        kinds_param = request.query_params.get("kinds")
        kinds = (
            {kind.strip() for kind in kinds_param.split(",") if kind.strip()}
            if kinds_param
            else None
        )
        from_bot_param = request.query_params.get("from_bot")
        from_bot = None if from_bot_param in (None, "") else from_bot_param.lower() == "true"
        thread_id = _query_int(request, "thread")

        def matching() -> list[Event]:
            return self.world.events_after(
                after, chat_id, kinds=kinds, from_bot=from_bot, thread_id=thread_id
            )

        await wait_until(lambda: bool(matching()), self.world.changed, timeout, request)
        return {"events": [event.to_json() for event in matching()], "last_seq": self.world.seq}
