"""The user API, groups and forum topics, copies and forwards, and the events long poll."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest

from tests.integration.test_telegram_sandbox import Harness, running_sandbox


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    async with running_sandbox() as running:
        yield running


async def make_group(harness: Harness, **fields: Any) -> int:
    body = {"title": "Tim Promote", "is_forum": True, "member_ids": [7], **fields}
    response = await harness.client.post("/sandbox/groups", json=body)
    assert response.status_code == 200, response.text
    return response.json()["chat"]["id"]


async def test_health_and_state(harness: Harness) -> None:
    assert (await harness.client.get("/sandbox/health")).json() == {"ok": True}
    state = (await harness.client.get("/sandbox/state")).json()
    assert state["bot"]["username"] == "promote_sandbox_bot"
    assert state["webhook"]["url"] == "" and state["pending_updates"] == 0
    assert state["commands"] == [] and state["descriptions"] == {}


async def test_language_code_and_profile_updates(harness: Harness) -> None:
    said = await harness.say(7, "halo", language_code="id", first_name="Budi", username="budi")
    assert said["message"]["from"] == {
        "id": 7,
        "is_bot": False,
        "first_name": "Budi",
        "username": "budi",
        "language_code": "id",
    }
    said = await harness.say(7, "tanpa bahasa", language_code=None)
    assert "language_code" not in said["message"]["from"]
    said = await harness.say(7, "tetap")  # absent: left as it was
    assert "language_code" not in said["message"]["from"]
    assert said["message"]["from"]["first_name"] == "Budi"
    unknown = await harness.say(55, "baru")
    assert unknown["message"]["from"]["first_name"] == "User 55"


async def test_commands_get_an_entity_only_for_the_command_word(harness: Harness) -> None:
    said = await harness.say(7, "/start@promote_sandbox_bot abc")
    assert said["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 26}]
    assert "entities" not in (await harness.say(7, "no command /here"))["message"]
    bad = await harness.client.post("/sandbox/messages", json={"user_id": 7, "text": "  "})
    assert bad.status_code == 400 and "error" in bad.json()


async def test_forum_topics(harness: Harness) -> None:
    group_id = await make_group(harness)
    bot = harness.bot
    topic = await bot.create_forum_topic(group_id, "Dukungan")
    assert topic.name == "Dukungan" and topic.icon_color == 0x6FB9F0
    sent = await bot.send_message(group_id, "Halo tim", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
    assert sent.chat.type == "supergroup" and sent.chat.is_forum

    said = await harness.say(
        7, "pertanyaan", chat_id=group_id, message_thread_id=topic.message_thread_id
    )
    assert said["message"]["message_thread_id"] == topic.message_thread_id
    assert said["message"]["is_topic_message"] is True
    update = (await bot.get_updates())[-1]
    assert update.message.message_thread_id == topic.message_thread_id

    transcript = await harness.transcript(group_id)
    service = transcript["messages"][0]
    assert service["service"] == "forum_topic_created"
    assert service["message_id"] == topic.message_thread_id

    assert await bot.close_forum_topic(group_id, topic.message_thread_id) is True
    with pytest.raises(BadRequest, match="Topic_not_modified"):
        await bot.close_forum_topic(group_id, topic.message_thread_id)
    closed = await harness.client.post(
        "/sandbox/messages",
        json={
            "user_id": 7,
            "chat_id": group_id,
            "message_thread_id": topic.message_thread_id,
            "text": "x",
        },
    )
    assert closed.status_code == 400

    deleted = await harness.client.delete(
        f"/sandbox/groups/{group_id}/topics/{topic.message_thread_id}"
    )
    assert deleted.json() == {"ok": True}
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(group_id, "x", message_thread_id=topic.message_thread_id)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.close_forum_topic(group_id, topic.message_thread_id)
    with pytest.raises(BadRequest, match="Message thread not found"):
        await bot.send_message(group_id, "x", message_thread_id=999)
    kinds = [e["kind"] for e in (await harness.events(group_id))["events"]]
    assert kinds == ["topic_created", "message", "message", "topic_closed", "topic_deleted"]


async def test_forum_refusals(harness: Harness) -> None:
    plain = await make_group(harness, is_forum=False, title="Biasa")
    with pytest.raises(BadRequest, match="The chat is not a forum"):
        await harness.bot.create_forum_topic(plain, "x")
    not_admin = await make_group(harness, bot_is_admin=False)
    with pytest.raises(BadRequest, match="Not enough rights to create a topic"):
        await harness.bot.create_forum_topic(not_admin, "x")


async def test_group_by_username_and_user_messages(harness: Harness) -> None:
    group_id = await make_group(harness, username="timpromote", is_forum=False, id=-1009876543210)
    assert group_id == -1009876543210
    sent = await harness.bot.send_message("@timpromote", "via username")
    assert sent.chat.id == group_id
    said = await harness.say(8, "hai semua", chat_id=group_id)  # joins on first message
    assert said["message"]["chat"]["id"] == group_id
    with pytest.raises(BadRequest, match="Chat not found"):
        await harness.bot.send_message("@nobody", "x")


async def test_copy_and_forward(harness: Harness) -> None:
    said = await harness.say(7, "<b>tidak</b> diparse", first_name="Budi")
    group_id = await make_group(harness, is_forum=False)
    copy = await harness.bot.copy_message(group_id, 7, said["message"]["message_id"])
    forwarded = await harness.bot.forward_message(group_id, 7, said["message"]["message_id"])
    assert forwarded.message_id == copy.message_id + 1
    assert forwarded.forward_origin.type == "user"
    assert forwarded.forward_origin.sender_user.first_name == "Budi"
    assert forwarded.text == "<b>tidak</b> diparse"
    bot_message = await harness.bot.send_message(7, "<i>miring</i>", parse_mode="HTML")
    copied = await harness.bot.copy_message(group_id, 7, bot_message.message_id)
    view = next(
        m
        for m in (await harness.transcript(group_id))["messages"]
        if m["message_id"] == copied.message_id
    )
    assert view["text"] == "miring" and view["entities"][0]["type"] == "italic"
    assert view["from_bot"] is True and "forward_origin" not in view
    with pytest.raises(BadRequest, match="Message to copy not found"):
        await harness.bot.copy_message(group_id, 7, 999)
    with pytest.raises(BadRequest, match="Message to forward not found"):
        await harness.bot.forward_message(group_id, 7, 999)


async def test_events_long_poll_waits_then_returns(harness: Harness) -> None:
    said = await harness.say(7, "hi")
    loop = asyncio.get_running_loop()
    started = loop.time()
    empty = await harness.events(7, after=said["seq"], timeout=0.3)
    assert empty == {"events": [], "last_seq": said["seq"]}
    assert loop.time() - started >= 0.25

    started = loop.time()
    waiting = asyncio.create_task(harness.events(7, after=said["seq"], timeout=10, from_bot="true"))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    await harness.bot.send_message(7, "balasan")
    answer = await waiting
    assert loop.time() - started < 2
    assert [e["kind"] for e in answer["events"]] == ["message"]
    event = answer["events"][0]
    assert event["message"]["text"] == "balasan" and event["from_bot"] is True
    assert event["chat_id"] == 7 and event["message_thread_id"] is None
    assert answer["last_seq"] == event["seq"]


async def test_an_abandoned_long_poll_does_not_hold_shutdown() -> None:
    loop = asyncio.get_running_loop()
    async with running_sandbox() as harness:
        waiting = asyncio.create_task(harness.events(7, timeout=60))
        await asyncio.sleep(0.2)
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        leaving = loop.time()
    assert loop.time() - leaving < 2


async def test_events_filters(harness: Harness) -> None:
    group_id = await make_group(harness)
    topic = await harness.bot.create_forum_topic(group_id, "A")
    await harness.say(7, "umum", chat_id=group_id)
    await harness.say(7, "di topik", chat_id=group_id, message_thread_id=topic.message_thread_id)
    sent = await harness.bot.send_message(
        group_id, "balas", message_thread_id=topic.message_thread_id
    )
    await harness.bot.edit_message_text("dibalas", chat_id=group_id, message_id=sent.message_id)

    async def texts(**params: Any) -> list[tuple[str, str]]:
        events = (await harness.events(group_id, **params))["events"]
        return [(e["kind"], e["message"]["text"]) for e in events]

    assert await texts(thread=topic.message_thread_id, kinds="message") == [
        ("message", "di topik"),
        ("message", "balas"),
    ]
    assert await texts(from_bot="true", kinds="message,edit") == [
        ("message", "balas"),
        ("edit", "dibalas"),
    ]
    assert await texts(from_bot="false") == [("message", "umum"), ("message", "di topik")]


async def test_button_presses(harness: Harness) -> None:
    await harness.say(7, "hi")
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ya", callback_data="yes"),
                InlineKeyboardButton("Tidak", callback_data="no"),
            ],
            [InlineKeyboardButton("Situs", url="https://example.com/help")],
        ]
    )
    first = await harness.bot.send_message(7, "Lanjut?", reply_markup=markup)
    await harness.bot.send_message(7, "Tanpa tombol")

    async def press(**body: Any) -> Any:
        return await harness.client.post("/sandbox/callbacks", json={"user_id": 7, **body})

    by_label = await press(label="Ya")
    assert by_label.status_code == 200
    by_data = await press(data="no", message_id=first.message_id)
    assert by_data.status_code == 200
    url_button = await press(label="Situs")
    assert url_button.status_code == 400
    assert url_button.json()["url"] == "https://example.com/help"
    assert (await press(label="Nope")).status_code == 404
    assert (await press(label="Ya", message_id=99)).status_code == 404

    updates = await harness.bot.get_updates()
    queries = [u.callback_query for u in updates if u.callback_query]
    assert [q.data for q in queries] == ["yes", "no"]
    assert queries[0].id == by_label.json()["callback_query_id"]
    assert queries[0].message.message_id == first.message_id
    assert queries[0].chat_instance == queries[1].chat_instance
    assert queries[0].from_user.id == 7

    assert await queries[0].answer("Siap", show_alert=True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await queries[0].answer("twice")
    answers = (await harness.transcript(7))["callback_answers"]
    assert answers == [
        {
            "callback_query_id": queries[0].id,
            "data": "yes",
            "message_id": first.message_id,
            "text": "Siap",
            "show_alert": True,
            "url": None,
        }
    ]


async def test_user_api_refusals(harness: Harness) -> None:
    client = harness.client
    assert (await client.post("/sandbox/users", json={"first_name": "x"})).status_code == 400
    assert (await client.post("/sandbox/users", content=b"[")).status_code == 400
    assert (await client.post("/sandbox/users/5/block", json={"blocked": True})).status_code == 404
    assert (await client.get("/sandbox/chats/5/transcript")).status_code == 404
    assert (await client.delete("/sandbox/groups/-100/topics/1")).status_code == 404
    assert (
        await client.patch("/sandbox/config", json={"rate_limits": {"per_chat": [0, 1]}})
    ).status_code == 400
    await harness.say(7, "hi")
    await client.post("/sandbox/users/7/block", json={"blocked": True})
    blocked = await client.post("/sandbox/messages", json={"user_id": 7, "text": "hi"})
    assert blocked.status_code == 400
