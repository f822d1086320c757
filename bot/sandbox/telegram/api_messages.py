"""Bot API methods that send, change or remove messages, and answer button presses."""

from __future__ import annotations

from typing import Any

from bot.sandbox.telegram.access import known_chat, thread_for, writable_chat
from bot.sandbox.telegram.errors import BotApiError, bad_request
from bot.sandbox.telegram.markup import check_reply_markup
from bot.sandbox.telegram.params import Params
from bot.sandbox.telegram.texts import prepare_text
from bot.sandbox.telegram.world import SandboxChat, SandboxMessage, World, now

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
MAX_CALLBACK_ANSWER_LENGTH = 200
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


def _reply_target(chat: SandboxChat, params: Params) -> SandboxMessage | None:
    """reply_parameters (or the older reply_to_message_id) within the same chat."""
    reply = params.json("reply_parameters")
    if isinstance(reply, dict):
        message_id = reply.get("message_id")
        lenient = bool(reply.get("allow_sending_without_reply"))
    else:
        message_id = params.integer("reply_to_message_id")
        lenient = params.flag("allow_sending_without_reply")
    if message_id is None:
        return None
    target = chat.live_message(message_id if isinstance(message_id, int) else None)
    if target is None and not lenient:
        raise bad_request("message to be replied not found")
    return target


def _deliver(world: World, chat: SandboxChat, params: Params, **content: Any) -> SandboxMessage:
    """The shared tail of every send: thread, markup, reply, flood limit, store, record."""
    reply_to = _reply_target(chat, params)
    thread_id = thread_for(chat, params.integer("message_thread_id"))
    if thread_id is None and reply_to is not None:
        thread_id = reply_to.thread_id
    markup = check_reply_markup(params.json("reply_markup"))
    world.limiter.acquire(chat.id, is_group=not chat.is_private)
    message = chat.add_message(
        sender=world.bot,
        date=now(),
        reply_markup=markup,
        thread_id=thread_id,
        reply_to=reply_to,
        protected=params.flag("protect_content"),
        **content,
    )
    world.record("message", chat, from_bot=True, message=message)
    return message


async def send_message(world: World, params: Params) -> dict[str, Any]:
    chat = writable_chat(world, params)
    text = prepare_text(params.text("text"), params.text("parse_mode"), params.json("entities"))
    message = _deliver(world, chat, params, text=text.text, entities=text.entities, html=text.html)
    return message.to_api()


def _source_message(world: World, params: Params, verb: str, participle: str) -> SandboxMessage:
    chat = known_chat(world, params, "from_chat_id")
    message = chat.live_message(params.integer("message_id"))
    if message is None:
        raise bad_request(f"message to {verb} not found")
    if message.service is not None or message.protected:
        raise bad_request(f"message can't be {participle}")
    return message


async def copy_message(world: World, params: Params) -> dict[str, Any]:
    chat = writable_chat(world, params)
    source = _source_message(world, params, "copy", "copied")
    message = _deliver(world, chat, params, text=source.text, entities=list(source.entities))
    return {"message_id": message.message_id}


async def forward_message(world: World, params: Params) -> dict[str, Any]:
    chat = writable_chat(world, params)
    source = _source_message(world, params, "forward", "forwarded")
    origin = source.forward_origin or {
        "type": "user",
        "sender_user": source.sender.to_api(),
        "date": source.date,
    }
    message = _deliver(
        world, chat, params, text=source.text, entities=list(source.entities), forward_origin=origin
    )
    return message.to_api()


def _message_to_edit(world: World, params: Params) -> SandboxMessage:
    if params.chat_ref("chat_id") is None and params.text("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = known_chat(world, params)
    message_id = params.integer("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.live_message(message_id)
    if message is None:
        raise bad_request("message to edit not found")
    if not message.from_bot or message.service is not None:
        raise bad_request("message can't be edited")
    return message


def _apply_edit(
    world: World, message: SandboxMessage, changes: dict[str, Any], html: str | None = None
) -> dict[str, Any]:
    """Refuses an edit that changes nothing, as Telegram does; else edits and records."""
    if all(getattr(message, name) == value for name, value in changes.items()):
        raise BotApiError(400, f"Bad Request: {NOT_MODIFIED}")
    for name, value in changes.items():
        setattr(message, name, value)
    if "text" in changes:
        message.html = html
    message.edit_date = now()
    world.record("edit", message.chat, from_bot=True, message=message)
    return message.to_api()


async def edit_message_text(world: World, params: Params) -> dict[str, Any]:
    message = _message_to_edit(world, params)
    text = prepare_text(params.text("text"), params.text("parse_mode"), params.json("entities"))
    markup = check_reply_markup(params.json("reply_markup"))
    changes = {"text": text.text, "entities": text.entities, "reply_markup": markup}
    return _apply_edit(world, message, changes, html=text.html)


async def edit_message_reply_markup(world: World, params: Params) -> dict[str, Any]:
    message = _message_to_edit(world, params)
    markup = check_reply_markup(params.json("reply_markup"))
    return _apply_edit(world, message, {"reply_markup": markup})


async def delete_message(world: World, params: Params) -> bool:
    chat = known_chat(world, params)
    message = chat.live_message(params.integer("message_id"))
    if message is None:
        raise bad_request("message to delete not found")
    if not (message.from_bot or chat.is_private or chat.bot_is_admin):
        raise bad_request("message can't be deleted")
    message.deleted = True
    world.record("delete", chat, from_bot=True, message=message)
    return True


async def send_chat_action(world: World, params: Params) -> bool:
    chat = writable_chat(world, params)
    thread_id = thread_for(chat, params.integer("message_thread_id"))
    action = params.text("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    world.record("chat_action", chat, from_bot=True, thread_id=thread_id, action=action)
    return True


async def answer_callback_query(world: World, params: Params) -> bool:
    query = world.callbacks.get(params.text("callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.text("text")
    if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answered = True
    answer = {"text": text, "show_alert": params.flag("show_alert"), "url": params.text("url")}
    chat = query.message.chat
    chat.callback_answers.append(
        {
            "callback_query_id": query.id,
            "data": query.data,
            "message_id": query.message.message_id,
            **answer,
        }
    )
    world.record(
        "callback_answer",
        chat,
        from_bot=True,
        message=query.message,
        callback_query_id=query.id,
        data=query.data,
        answer=answer,
    )
    return True


METHODS = {
    "sendMessage": send_message,
    "copyMessage": copy_message,
    "forwardMessage": forward_message,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "deleteMessage": delete_message,
    "sendChatAction": send_chat_action,
    "answerCallbackQuery": answer_callback_query,
}
