"""The whole conversation under the pseudo-locale: every message and every button the bot shows
must come out of the catalogs. A string that is not pseudo-localized was never marked for
translation (or bypasses the catalogs), and fails this test."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from bot.pseudo import PSEUDO_LOCALE, is_pseudo
from bot.runner import RunningBot
from bot.sandbox.driver import ChatDriver
from tests.conftest import TESTER
from tests.e2e.flow_helpers import authorize_as, press_action
from tests.e2e.test_create_flow import FIELDS, enter


async def test_every_text_and_button_is_translated(
    tester_bot: RunningBot, chat: Callable[..., ChatDriver]
) -> None:
    user = chat(user_id=TESTER, language_code="en")
    await user.send("/language")
    picker = await user.next_message()  # still in English: the choice comes next
    await user.press(data=f"L|{PSEUDO_LOCALE}")
    await user.next_message()

    await user.send("/start")
    await user.next_message()  # the greeting
    question = await user.next_message()
    await press_action(user, question, "pre:reg:yes")
    await press_action(user, await user.next_message(), "pre:age:yes")
    terms = await user.next_message()
    await user.send("hello?")  # a hint, in pseudo too
    await user.next_message()
    await press_action(user, terms, "terms:next")
    authorize = await user.next_message()
    async with httpx.AsyncClient(timeout=30) as http:
        page = await authorize_as(http, authorize, "kopi-nusantara")
    assert page.status_code == 200
    prompt = await user.next_message()
    for _, wrong, right in FIELDS:
        await user.send(wrong)
        refused = await user.next_message()
        await enter(user, refused, right)
        prompt = await user.next_message()
    await press_action(user, prompt, "rev:confirm")
    await press_action(user, await user.next_message(), "rev:submit")
    await user.next_message()
    await user.send("/status")
    await user.next_message()
    await user.next_message(timeout=20)  # the success push
    await user.send("/help")
    await user.next_message()

    transcript = await user.transcript()
    bot_messages = [
        m for m in transcript.messages if m.from_bot and m.message_id > picker.message_id
    ]
    assert len(bot_messages) >= 35
    untranslated = [m.text for m in bot_messages if not is_pseudo(m.text)]
    untranslated += [label for m in bot_messages for label in m.labels if not is_pseudo(label)]
    assert untranslated == []
