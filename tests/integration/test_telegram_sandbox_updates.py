"""Getting updates from the sandbox: getUpdates semantics, and a real PTB Application polling."""

from __future__ import annotations

import asyncio
import datetime as dtm
from collections.abc import AsyncIterator

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Conflict, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.integration.test_telegram_sandbox import TOKEN, Harness, running_sandbox

SHORT = dtm.timedelta(milliseconds=300)


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    async with running_sandbox() as running:
        yield running


async def pending(harness: Harness) -> int:
    return (await harness.client.get("/sandbox/state")).json()["pending_updates"]


async def test_offset_and_limit() -> None:
    async with running_sandbox(first_update_id=100_000) as harness:
        ids = [(await harness.say(7, f"m{n}"))["update_id"] for n in range(3)]
        assert ids == [100_000, 100_001, 100_002]
        bot = harness.bot
        assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
        # Returning updates does not consume them; only a later offset does.
        assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
        assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
        assert [u.update_id for u in await bot.get_updates(offset=-1)] == ids[2:]
        assert [u.update_id for u in await bot.get_updates()] == ids[2:]
        assert await bot.get_updates(offset=ids[2] + 1) == ()
        assert await pending(harness) == 0


async def test_fresh_sandboxes_do_not_repeat_update_ids(harness: Harness) -> None:
    """Like Telegram after a quiet week: a new sandbox starts at a random update_id."""
    first = (await harness.say(7, "a"))["update_id"]
    async with running_sandbox() as other:
        assert (await other.say(7, "a"))["update_id"] != first
    assert first >= 100_000


async def test_long_poll_answers_as_soon_as_an_update_arrives(harness: Harness) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await harness.bot.get_updates(timeout=SHORT) == ()
    assert loop.time() - started >= 0.25

    started = loop.time()
    poll = asyncio.create_task(harness.bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)  # let the long poll reach the sandbox
    assert not poll.done()
    said = await harness.say(7, "/start")
    updates = await poll
    assert loop.time() - started < 2
    assert [u.update_id for u in updates] == [said["update_id"]]
    assert updates[0].message.text == "/start"


async def test_allowed_updates_replace_the_filter(harness: Harness) -> None:
    await harness.bot.get_updates(allowed_updates=["callback_query"])
    await harness.say(7, "filtered out")
    assert await harness.bot.get_updates() == ()
    await harness.bot.get_updates(allowed_updates=[])  # back to the default set
    said = await harness.say(7, "kept")
    assert [u.update_id for u in await harness.bot.get_updates()] == [said["update_id"]]


async def test_a_second_poller_ends_the_first_with_conflict(harness: Harness) -> None:
    first = asyncio.create_task(harness.bot.get_updates(timeout=10))
    await asyncio.sleep(0.2)
    async with telegram.Bot(TOKEN, base_url=f"{harness.url}/bot") as other:
        second = asyncio.create_task(other.get_updates(timeout=SHORT))
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first
        assert await second == ()


async def test_get_updates_conflicts_with_an_active_webhook(harness: Harness) -> None:
    await harness.say(7, "hi")
    assert await harness.bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
        await harness.bot.get_updates()
    await harness.bot.delete_webhook()
    assert len(await harness.bot.get_updates()) == 1  # the pending update survived


async def test_application_polls_commands_and_button_presses(harness: Harness) -> None:
    """A real PTB Application polls for a while: /start with a payload, a press, an edit."""
    payloads: list[list[str]] = []
    polling_errors: list[TelegramError] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        payloads.append(list(context.args or []))
        assert update.message is not None
        await update.message.reply_text(
            f"Halo <b>{update.message.from_user.first_name}</b>",
            parse_mode="HTML",
            reply_markup=InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton("Lanjut", callback_data="next")],
                    [InlineKeyboardButton("Situs", url="https://example.com")],
                ]
            ),
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer("Oke")
        await query.edit_message_text(
            f"Dipilih: {query.data}",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("Lagi", callback_data="again")]]
            ),
        )

    application = Application.builder().token(TOKEN).base_url(f"{harness.url}/bot").build()
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))
    async with application:
        assert application.updater is not None
        await application.updater.start_polling(
            timeout=dtm.timedelta(seconds=5), error_callback=polling_errors.append
        )
        await application.start()

        for round_trip in range(3):
            said = await harness.say(7, f"/start promo{round_trip}", first_name="Budi")
            assert said["message"]["entities"] == [
                {"type": "bot_command", "offset": 0, "length": 6}
            ]
            answer = await harness.events(
                7, after=said["seq"], timeout=5, kinds="message", from_bot="true"
            )
            assert answer["events"][0]["message"]["text"] == "Halo Budi"
        assert payloads == [["promo0"], ["promo1"], ["promo2"]]

        press = await harness.client.post(
            "/sandbox/callbacks", json={"user_id": 7, "label": "Lanjut"}
        )
        assert press.status_code == 200, press.text
        pressed_at = press.json()["seq"]
        edit = await harness.events(7, after=pressed_at, timeout=5, kinds="edit")
        assert edit["events"][0]["message"]["text"] == "Dipilih: next"

        loop = asyncio.get_running_loop()
        stopping = loop.time()
        await application.updater.stop()
        await application.stop()
        assert loop.time() - stopping < 3  # the in-flight long poll did not hold the stop

    assert polling_errors == []
    assert await pending(harness) == 0  # PTB's last getUpdates confirmed everything
    transcript = await harness.transcript(7)
    answered = transcript["callback_answers"]
    assert [(a["data"], a["text"], a["show_alert"]) for a in answered] == [("next", "Oke", False)]
    pressed_message = next(
        m for m in transcript["messages"] if m["message_id"] == answered[0]["message_id"]
    )
    assert pressed_message["text"] == "Dipilih: next" and pressed_message["edited"] is True
    assert pressed_message["buttons"] == [[{"text": "Lagi", "callback_data": "again"}]]
    events = (await harness.events(7, after=pressed_at, kinds="callback_answer"))["events"]
    assert events[0]["answer"] == {"text": "Oke", "show_alert": False, "url": None}
