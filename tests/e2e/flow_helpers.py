"""Steps of the conversation that many end-to-end tests share, driven as a user would."""

from __future__ import annotations

import httpx

from bot.sandbox.consent import decide
from bot.sandbox.driver import ChatDriver, SeenMessage

AUTH_PAGE = "/portal/auth"


async def press_action(user: ChatDriver, message: SeenMessage, action: str) -> None:
    """Press the button of `message` whose callback data carries `action` (labels vary)."""
    for row in message.buttons:
        for button in row:
            data = button.callback_data or ""
            if data.rpartition("|")[2] == action:
                await user.press(data=data, message_id=message.message_id)
                return
    raise AssertionError(
        f"no button for {action!r} in {[b.text for r in message.buttons for b in r]}"
    )


async def start(user: ChatDriver) -> SeenMessage:
    """/start: the greeting, then the first eligibility question (returned)."""
    await user.send("/start")
    await user.next_message()
    return await user.next_message()


async def to_authorize(user: ChatDriver) -> SeenMessage:
    """From /start through both eligibility questions and the terms; returns the auth screen."""
    question = await start(user)
    await press_action(user, question, "pre:reg:yes")
    await press_action(user, await user.next_message(), "pre:age:yes")
    terms = await user.next_message()
    await press_action(user, terms, "terms:next")
    return await user.next_message()


def authorization_url(message: SeenMessage) -> str:
    for row in message.buttons:
        for button in row:
            if button.url and AUTH_PAGE in button.url:
                return button.url
    raise AssertionError("no authorization link on this screen")


async def authorize_as(
    http: httpx.AsyncClient, message: SeenMessage, account: str, decision: str = "authorize"
) -> httpx.Response:
    """What the person does on TikTok's consent page; returns the bot's callback page."""
    return await decide(
        http, authorization_url=authorization_url(message), account=account, decision=decision
    )
