"""Bot API methods about chats themselves: getChat and forum topics."""

from __future__ import annotations

from typing import Any

from bot.sandbox.telegram.access import known_chat
from bot.sandbox.telegram.errors import bad_request
from bot.sandbox.telegram.params import Params
from bot.sandbox.telegram.world import SandboxChat, Topic, World, now

# The six colours Telegram allows for a topic icon (ForumIconColor in PTB).
TOPIC_ICON_COLORS = frozenset({0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F})
DEFAULT_TOPIC_ICON_COLOR = 0x6FB9F0
MAX_TOPIC_NAME_LENGTH = 128


async def get_chat(world: World, params: Params) -> dict[str, Any]:
    return known_chat(world, params).full_info()


def _forum(world: World, params: Params) -> SandboxChat:
    chat = known_chat(world, params)
    if not chat.is_forum:
        raise bad_request("the chat is not a forum")
    return chat


async def create_forum_topic(world: World, params: Params) -> dict[str, Any]:
    chat = _forum(world, params)
    if not chat.bot_is_admin:
        raise bad_request("not enough rights to create a topic")
    name = params.text("name") or ""
    if not name:
        raise bad_request("TOPIC_TITLE_EMPTY")
    if len(name) > MAX_TOPIC_NAME_LENGTH:
        raise bad_request("TOPIC_TITLE_TOO_LONG")
    icon_color = params.integer("icon_color") or DEFAULT_TOPIC_ICON_COLOR
    if icon_color not in TOPIC_ICON_COLORS:
        raise bad_request("TOPIC_ICON_COLOR_INVALID")
    # As in Telegram, the topic's id is the id of the service message that opens it.
    thread_id = chat.next_message_id
    topic = Topic(thread_id=thread_id, name=name, icon_color=icon_color)
    created = chat.add_message(
        sender=world.bot,
        date=now(),
        thread_id=thread_id,
        service="forum_topic_created",
        service_body={"name": name, "icon_color": icon_color},
    )
    chat.topics[thread_id] = topic
    world.record("topic_created", chat, from_bot=True, message=created)
    return topic.to_api()


async def close_forum_topic(world: World, params: Params) -> bool:
    chat = _forum(world, params)
    topic = chat.topics.get(params.integer("message_thread_id") or 0)
    if topic is None or topic.deleted:
        raise bad_request("message thread not found")
    if not chat.bot_is_admin:
        raise bad_request("CHAT_ADMIN_REQUIRED")
    if topic.closed:
        raise bad_request("TOPIC_NOT_MODIFIED")
    topic.closed = True
    closed = chat.add_message(
        sender=world.bot,
        date=now(),
        thread_id=topic.thread_id,
        service="forum_topic_closed",
    )
    world.record("topic_closed", chat, from_bot=True, message=closed)
    return True


METHODS = {
    "getChat": get_chat,
    "createForumTopic": create_forum_topic,
    "closeForumTopic": close_forum_topic,
}
