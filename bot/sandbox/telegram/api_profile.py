"""Bot API methods about the bot itself: getMe, its command menus and its descriptions."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.sandbox.telegram.errors import bad_request
from bot.sandbox.telegram.params import Params
from bot.sandbox.telegram.world import CommandList, World

MAX_COMMANDS = 100
MAX_COMMAND_DESCRIPTION = 256
MAX_DESCRIPTION = 512
MAX_SHORT_DESCRIPTION = 120
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
# Each BotCommandScope type and the fields that tell two scopes of that type apart.
SCOPE_FIELDS: dict[str, tuple[str, ...]] = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}


async def get_me(world: World, params: Params) -> dict[str, Any]:
    return {
        **world.bot.to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": True,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def _scope(params: Params) -> dict[str, Any]:
    scope = params.json("scope")
    if scope is None:
        return {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_FIELDS:
        raise bad_request("can't parse BotCommandScope JSON object")
    fields = SCOPE_FIELDS[scope["type"]]
    if any(scope.get(name) is None for name in fields):
        raise bad_request("can't parse BotCommandScope JSON object")
    return {"type": scope["type"], **{name: scope[name] for name in fields}}


def _menu_key(params: Params) -> tuple[dict[str, Any], str, tuple[str, str]]:
    """The (scope, language_code) pair a command list is stored under."""
    scope = _scope(params)
    language_code = params.text("language_code") or ""
    return scope, language_code, (json.dumps(scope, sort_keys=True), language_code)


def _checked_commands(commands: Any) -> list[dict[str, str]]:
    if not isinstance(commands, list) or not all(isinstance(c, dict) for c in commands):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    checked = []
    for command in commands:
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= MAX_COMMAND_DESCRIPTION:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": name, "description": description})
    return checked


async def set_my_commands(world: World, params: Params) -> bool:
    commands = _checked_commands(params.json("commands"))
    scope, language_code, key = _menu_key(params)
    if commands:
        world.commands[key] = CommandList(scope, language_code, commands)
    else:
        world.commands.pop(key, None)
    return True


async def get_my_commands(world: World, params: Params) -> list[dict[str, str]]:
    stored = world.commands.get(_menu_key(params)[2])
    return list(stored.commands) if stored else []


async def delete_my_commands(world: World, params: Params) -> bool:
    world.commands.pop(_menu_key(params)[2], None)
    return True


def _store_text(store: dict[str, str], params: Params, name: str, limit: int) -> bool:
    """Sets (or, when empty, removes) a per-language text such as the description."""
    text = params.text(name) or ""
    if len(text) > limit:
        raise bad_request(f"{name.replace('_', ' ')} is too long")
    language_code = params.text("language_code") or ""
    if text:
        store[language_code] = text
    else:
        store.pop(language_code, None)
    return True


async def set_my_description(world: World, params: Params) -> bool:
    return _store_text(world.descriptions, params, "description", MAX_DESCRIPTION)


async def get_my_description(world: World, params: Params) -> dict[str, str]:
    return {"description": world.descriptions.get(params.text("language_code") or "", "")}


async def set_my_short_description(world: World, params: Params) -> bool:
    return _store_text(world.short_descriptions, params, "short_description", MAX_SHORT_DESCRIPTION)


async def get_my_short_description(world: World, params: Params) -> dict[str, str]:
    language_code = params.text("language_code") or ""
    return {"short_description": world.short_descriptions.get(language_code, "")}


METHODS = {
    "getMe": get_me,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setMyDescription": set_my_description,
    "getMyDescription": get_my_description,
    "setMyShortDescription": set_my_short_description,
    "getMyShortDescription": get_my_short_description,
}
