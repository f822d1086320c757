"""Who may write where: the Bot API's chat and thread lookups, with Telegram's refusals."""

from __future__ import annotations

from bot.sandbox.telegram.errors import bad_request, forbidden
from bot.sandbox.telegram.params import Params
from bot.sandbox.telegram.world import SandboxChat, World


def known_chat(world: World, params: Params, name: str = "chat_id") -> SandboxChat:
    """A chat the bot can see; a user's private chat only once they have written to the bot."""
    ref = params.chat_ref(name)
    if ref is None:
        raise bad_request(f"{name} is empty")
    chat = world.find_chat(ref)
    if chat is None or (chat.is_private and not chat.started):
        raise bad_request("chat not found")
    return chat


def writable_chat(world: World, params: Params, name: str = "chat_id") -> SandboxChat:
    chat = known_chat(world, params, name)
    if chat.is_private and chat.id in world.blocked:
        raise forbidden("bot was blocked by the user")
    return chat


def thread_for(chat: SandboxChat, thread_id: int | None) -> int | None:
    """Checks message_thread_id: an open (or, for an admin bot, closed) topic of a forum."""
    if thread_id is None:
        return None
    topic = chat.topics.get(thread_id)
    if topic is None or topic.deleted:
        raise bad_request("message thread not found")
    if topic.closed and not chat.bot_is_admin:
        raise bad_request("TOPIC_CLOSED")
    return thread_id
