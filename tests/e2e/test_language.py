"""Choosing the language, and the localization testers' tools, through the real bot."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from bot.config import Settings
from bot.runner import RunningBot, running_bot
from bot.sandbox.driver import ChatDriver
from tests.conftest import TESTER
from tests.e2e.flow_helpers import press_action, start


async def test_the_chosen_language_wins_and_survives_a_restart(
    make_settings: Callable[..., Settings],
    sandbox_url: str,
    engine: Engine,
    chat: Callable[..., ChatDriver],
) -> None:
    settings = make_settings()
    user = chat(user_id=7001, language_code="id")
    async with running_bot(settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine):
        await start(user)
        await user.send("/language")
        picker = await user.next_message()
        assert picker.text == "Pilih bahasa yang saya gunakan. Sekarang: Bahasa Indonesia."
        assert picker.labels == ["Bahasa Indonesia", "English"]
        await user.press("English")
        switched = await user.next_message()
        assert switched.text.startswith("From now on I write in English.")
        assert "Is your business registered in Indonesia?" in switched.text

    async with running_bot(settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine):
        await user.send("/start")  # Telegram still says "id"; the user's choice wins
        assert (await user.next_message()).text.startswith("Welcome back!")


async def test_testers_see_every_screen_and_the_msgids(
    tester_bot: RunningBot, chat: Callable[..., ChatDriver]
) -> None:
    tester = chat(user_id=TESTER, language_code="id")
    await tester.send("/screens")
    listing = await tester.next_message()
    assert "terms" in listing.text and "review" in listing.text

    await tester.send("/screens terms")
    terms = await tester.next_message()
    assert "Ketentuan layanan terbaru" in terms.text
    await tester.press("Selanjutnya")
    answer = (await tester.next_event(kinds=("callback_answer",)))["answer"]
    assert answer["text"] == "Ini layar contoh: tombolnya tidak melakukan apa pun."
    assert answer["show_alert"]

    await tester.send("/msgids")
    assert (await tester.next_message()).text.startswith("Msgid kini ditampilkan")
    await tester.send("/help")
    help_text = (await tester.next_message()).text
    assert "I help you integrate Fitur Promosi with TikTok Ads Manager." in help_text

    await tester.send("/language")
    assert "Pseudo-locale (untuk penguji)" in (await tester.next_message()).labels


async def test_tester_commands_do_nothing_for_others(
    tester_bot: RunningBot, chat: Callable[..., ChatDriver]
) -> None:
    user = chat(user_id=7002, language_code="en")
    question = await start(user)
    await user.send("/screens")
    again = await user.next_message()
    assert "question 1 of 2" in again.text and "terms" not in again.text
    await user.send("/language")
    assert (await user.next_message()).labels == ["Bahasa Indonesia", "English"]
    await press_action(user, question, "pre:reg:yes")
    assert "question 2 of 2" in (await user.next_message()).text
