"""Reply markup: the checks Telegram makes on inline keyboards, and how tests see the buttons."""

from __future__ import annotations

from typing import Any

from bot.sandbox.telegram.errors import bad_request

MAX_CALLBACK_DATA_BYTES = 64
# A button must do one of these; a button with only a text is refused in inline keyboards.
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
REPLY_KEYBOARD_KINDS = ("keyboard", "remove_keyboard", "force_reply")


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validates `reply_markup`; returns the inline keyboard a Message carries, if any.

    Reply keyboards are accepted but, as in Telegram, not echoed in the returned Message.
    """
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        if any(kind in markup for kind in REPLY_KEYBOARD_KINDS):
            return None
        raise bad_request("can't parse reply keyboard markup JSON object")
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "inline_keyboard" of the '
            "InlineKeyboardMarkup should be an Array of Arrays"
        )
    for row in rows:
        for button in row:
            _check_button(button)
    if not any(rows):
        return None
    return {"inline_keyboard": [list(row) for row in rows if row]}


def _check_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton should be an Object"
        )
    if not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not any(action in button for action in BUTTON_ACTIONS):
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not url or any(char.isspace() for char in url):
            raise bad_request("BUTTON_URL_INVALID")


def button_views(markup: dict[str, Any] | None) -> list[list[dict[str, str]]]:
    """Buttons as the user API shows them: text plus callback_data or url."""
    if markup is None:
        return []
    return [
        [
            {key: button[key] for key in ("text", "callback_data", "url") if key in button}
            for button in row
        ]
        for row in markup["inline_keyboard"]
    ]


def find_button(
    markup: dict[str, Any] | None, label: str | None, data: str | None
) -> dict[str, Any] | None:
    """The first button matching the exact label and/or callback data."""
    if markup is None:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            if label is not None and button["text"] != label:
                continue
            if data is not None and button.get("callback_data") != data:
                continue
            return button
    return None
