"""The Telegram sandbox's Bot API, driven by a real python-telegram-bot `Bot` over HTTP.

`running_sandbox` is shared with the other test_telegram_sandbox_* modules.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, InvalidToken, RetryAfter

from bot.sandbox.telegram import RateLimits, SandboxConfig, TelegramSandbox
from bot.sandbox.telegram.html import HtmlParseError, parse_html
from bot.serve import serve_asgi

TOKEN = "123456:SANDBOX-token"
BOT_ID = 123456


@dataclass
class Harness:
    url: str
    sandbox: TelegramSandbox
    bot: telegram.Bot
    client: httpx.AsyncClient

    async def say(self, user_id: int, text: str, **fields: Any) -> dict[str, Any]:
        """A user writes to the bot (or in `chat_id`)."""
        response = await self.client.post(
            "/sandbox/messages", json={"user_id": user_id, "text": text, **fields}
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def events(self, chat_id: int, **params: Any) -> dict[str, Any]:
        response = await self.client.get(f"/sandbox/chats/{chat_id}/events", params=params)
        assert response.status_code == 200, response.text
        return response.json()

    async def transcript(self, chat_id: int) -> dict[str, Any]:
        response = await self.client.get(f"/sandbox/chats/{chat_id}/transcript")
        assert response.status_code == 200, response.text
        return response.json()

    async def bot_api(self, method: str, **params: Any) -> httpx.Response:
        return await self.client.post(f"/bot{TOKEN}/{method}", json=params)


@contextlib.asynccontextmanager
async def running_sandbox(**config: Any) -> AsyncIterator[Harness]:
    """A sandbox on loopback, an initialized PTB Bot pointed at it, and a user API client."""
    sandbox = TelegramSandbox(SandboxConfig(bot_token=TOKEN, **config))
    async with (
        serve_asgi(sandbox.asgi_app()) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
        telegram.Bot(TOKEN, base_url=f"{url}/bot") as bot,
    ):
        yield Harness(url, sandbox, bot, client)


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    async with running_sandbox() as running:
        yield running


def keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([list(buttons)])


async def test_initialize_and_get_me(harness: Harness) -> None:
    me = harness.bot.bot  # fetched by Bot.initialize()
    assert (me.id, me.is_bot, me.username) == (BOT_ID, True, "promote_sandbox_bot")
    assert me.first_name == "Promote Sandbox"
    assert me.can_join_groups and me.can_read_all_group_messages
    assert me.supports_inline_queries is False


async def test_wrong_token_is_invalid_token(harness: Harness) -> None:
    with pytest.raises(InvalidToken):
        async with telegram.Bot("123456:wrong", base_url=f"{harness.url}/bot"):
            pass
    response = await harness.client.get("/bot999:nope/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_and_case_insensitive_names(harness: Harness) -> None:
    response = await harness.client.post(f"/bot{TOKEN}/sendTelepathy")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    response = await harness.client.get(f"/bot{TOKEN}/GETME")
    assert response.json()["result"]["id"] == BOT_ID


async def test_parameters_in_every_encoding(harness: Harness) -> None:
    await harness.say(7, "hi")
    base = f"/bot{TOKEN}/sendMessage"
    answers = [
        await harness.client.get(base, params={"chat_id": 7, "text": "query"}),
        await harness.client.post(base, data={"chat_id": "7", "text": "form"}),
        await harness.client.post(base, json={"chat_id": 7, "text": "json"}),
        await harness.client.post(
            base,
            data={"chat_id": "7", "text": "multipart"},
            files={"document": ("a.txt", b"ignored", "text/plain")},
        ),
    ]
    assert [a.json()["result"]["text"] for a in answers] == ["query", "form", "json", "multipart"]
    bad = await harness.client.post(
        base, content=b"{not json", headers={"content-type": "application/json"}
    )
    assert bad.status_code == 400


async def test_send_message_shapes(harness: Harness) -> None:
    await harness.say(7, "hi")
    before = int(time.time())
    message = await harness.bot.send_message(
        7,
        "<b>Halo</b> 😀 <i>Budi</i> &lt;3 &#33; <a href='https://example.com/x?a=1&amp;b=2'>web</a>",
        parse_mode="HTML",
        reply_markup=keyboard(InlineKeyboardButton("Lanjut", callback_data="next")),
    )
    assert message.message_id == 2  # per chat: the user's message was 1
    assert message.text == "Halo 😀 Budi <3 ! web"
    assert message.from_user.is_bot and message.chat.type == "private"
    assert before - 1 <= message.date.timestamp() <= time.time() + 1
    entities = [(e.type, e.offset, e.length) for e in message.entities]
    # 😀 is two UTF-16 code units, so "Budi" starts at 8, not 7.
    assert entities == [("bold", 0, 4), ("italic", 8, 4), ("text_link", 18, 3)]
    assert message.entities[2].url == "https://example.com/x?a=1&b=2"
    assert message.reply_markup.inline_keyboard[0][0].callback_data == "next"

    raw = (await harness.bot_api("sendMessage", chat_id=7, text="  trimmed \n")).json()
    assert raw["result"]["text"] == "trimmed"
    assert isinstance(raw["result"]["date"], int) and raw["result"]["date"] < 10**10

    view = (await harness.transcript(7))["messages"][1]
    assert view["html"].startswith("<b>Halo</b>") and view["from_bot"] is True
    assert view["buttons"] == [[{"text": "Lanjut", "callback_data": "next"}]]


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("", None, "Message text is empty"),
        (" \n ", None, "Message text is empty"),
        ("<b> </b>", "HTML", "Message text is empty"),
        ("x" * 4097, None, "Message is too long"),
        ("<blink>x</blink>", "HTML", 'entities: unsupported start tag "blink" at byte offset 0'),
        ("<b>x", "HTML", 'entities: can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", "HTML", "entities: unmatched end tag at byte offset 7, expected"),
        ("1 < 2", "HTML", 'entities: unsupported start tag "" at byte offset 2'),
        ("Fish & chips", "HTML", 'entities: character "&" at byte offset 5 must be escaped'),
        ("x", "Klingon", "Unsupported parse_mode"),
    ],
)
async def test_send_message_text_rejections(
    harness: Harness, text: str, parse_mode: str | None, error: str
) -> None:
    """PTB strips "Bad Request: " and lower-cases the rest of Telegram's description."""
    await harness.say(7, "hi")
    with pytest.raises(BadRequest, match=error):
        await harness.bot.send_message(7, text, parse_mode=parse_mode)


async def test_html_error_wording(harness: Harness) -> None:
    await harness.say(7, "hi")
    raw = await harness.bot_api("sendMessage", chat_id=7, text="<b><i>x</b>", parse_mode="HTML")
    assert raw.status_code == 400
    assert raw.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: can't parse entities: Unmatched end tag at byte offset 7, "
        'expected "</i>", found "</b>"',
    }


async def test_length_is_counted_after_parsing(harness: Harness) -> None:
    await harness.say(7, "hi")
    message = await harness.bot.send_message(7, f"<b>{'x' * 4096}</b>", parse_mode="HTML")
    assert len(message.text) == 4096


async def test_keyboard_rejections(harness: Harness) -> None:
    await harness.say(7, "hi")
    cases = [
        (InlineKeyboardButton("a", callback_data="é" * 33), "Button_data_invalid"),  # 66 bytes
        (InlineKeyboardButton("a", callback_data=""), "Button_data_invalid"),
        (
            InlineKeyboardButton("a"),
            "Can't parse inline keyboard button: text buttons are unallowed",
        ),
    ]
    for button, error in cases:
        with pytest.raises(BadRequest, match=error):
            await harness.bot.send_message(7, "x", reply_markup=keyboard(button))
    ok = await harness.bot.send_message(
        7, "x", reply_markup=keyboard(InlineKeyboardButton("a", callback_data="é" * 32))
    )
    assert ok.reply_markup is not None


async def test_chat_not_found_and_blocked(harness: Harness) -> None:
    with pytest.raises(BadRequest, match="Chat not found"):
        await harness.bot.send_message(404, "x")
    created = await harness.client.post("/sandbox/users", json={"id": 8, "first_name": "Sari"})
    assert created.json()["user"] == {"id": 8, "is_bot": False, "first_name": "Sari"}
    with pytest.raises(BadRequest, match="Chat not found"):  # never wrote to the bot
        await harness.bot.send_message(8, "x")
    await harness.say(8, "hi")
    blocked = await harness.client.post("/sandbox/users/8/block", json={"blocked": True})
    assert blocked.json() == {"ok": True}
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await harness.bot.send_message(8, "x")
    with pytest.raises(Forbidden):
        await harness.bot.send_chat_action(8, "typing")
    await harness.client.post("/sandbox/users/8/block", json={"blocked": False})
    assert (await harness.bot.send_message(8, "back")).text == "back"


# PTB 22 warns (even inside RetryAfter.__init__) that retry_after will become a timedelta.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_rate_limits_raise_retry_after_and_switch_at_run_time() -> None:
    async with running_sandbox(rate_limits=RateLimits(per_chat=(1, 30.0))) as harness:
        await harness.say(7, "hi")
        await harness.say(9, "hi")
        await harness.bot.send_message(7, "one")
        with pytest.raises(RetryAfter) as raised:
            await harness.bot.send_message(7, "two")
        assert raised.value.retry_after in (29, 30)  # whole seconds until the slot frees
        raw = await harness.bot_api("sendMessage", chat_id=7, text="three")
        assert raw.status_code == 429
        assert raw.json()["parameters"]["retry_after"] in (29, 30)
        assert raw.json()["description"].startswith("Too Many Requests: retry after ")
        await harness.bot.send_message(9, "other chat is fine")

        off = await harness.client.patch("/sandbox/config", json={"rate_limits": None})
        assert off.json() == {"ok": True}
        await harness.bot.send_message(7, "now fine")
        state = (await harness.client.get("/sandbox/state")).json()
        assert state["rate_limits"] is None

        await harness.client.patch(
            "/sandbox/config", json={"rate_limits": {"per_chat": [5, 1], "overall": [2, 60]}}
        )
        await harness.bot.send_message(7, "a")
        await harness.bot.send_message(9, "b")
        with pytest.raises(RetryAfter):  # the overall window is full
            await harness.bot.send_message(7, "c")


async def test_edit_message_text_and_markup(harness: Harness) -> None:
    await harness.say(7, "hi")
    sent = await harness.bot.send_message(
        7, "Pilih", reply_markup=keyboard(InlineKeyboardButton("A", callback_data="a"))
    )
    edited = await harness.bot.edit_message_text(
        "<b>Dipilih</b>",
        chat_id=7,
        message_id=sent.message_id,
        parse_mode="HTML",
        reply_markup=keyboard(InlineKeyboardButton("B", callback_data="b")),
    )
    assert isinstance(edited, telegram.Message)
    assert edited.text == "Dipilih" and edited.edit_date is not None
    assert edited.entities[0].type == "bold"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await harness.bot.edit_message_text(
            "<strong>Dipilih</strong>",
            chat_id=7,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard(InlineKeyboardButton("B", callback_data="b")),
        )
    # Without reply_markup an edit removes the keyboard, as in Telegram.
    plain = await harness.bot.edit_message_text("Dipilih", chat_id=7, message_id=sent.message_id)
    assert plain.reply_markup is None and plain.entities == ()
    again = await harness.bot.edit_message_reply_markup(
        chat_id=7,
        message_id=sent.message_id,
        reply_markup=keyboard(InlineKeyboardButton("C", url="https://example.com")),
    )
    assert again.reply_markup.inline_keyboard[0][0].url == "https://example.com"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await harness.bot.edit_message_reply_markup(
            chat_id=7,
            message_id=sent.message_id,
            reply_markup=keyboard(InlineKeyboardButton("C", url="https://example.com")),
        )
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await harness.bot.edit_message_text("x", chat_id=7, message_id=99)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await harness.bot.edit_message_text("x", chat_id=7, message_id=1)  # the user's
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await harness.bot.edit_message_text(
            "<b>x", chat_id=7, message_id=sent.message_id, parse_mode="HTML"
        )
    view = (await harness.transcript(7))["messages"][1]
    assert view["edited"] is True and view["text"] == "Dipilih"
    assert view["buttons"] == [[{"text": "C", "url": "https://example.com"}]]


async def test_delete_message(harness: Harness) -> None:
    await harness.say(7, "hi")
    sent = await harness.bot.send_message(7, "bye")
    assert await harness.bot.delete_message(7, sent.message_id) is True
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await harness.bot.delete_message(7, sent.message_id)
    view = (await harness.transcript(7))["messages"][1]
    assert view["deleted"] is True


async def test_answer_callback_query_refusals(harness: Harness) -> None:
    with pytest.raises(BadRequest, match="Query is too old"):
        await harness.bot.answer_callback_query("123")


async def test_commands_per_scope_and_language(harness: Harness) -> None:
    bot = harness.bot
    assert await bot.get_my_commands() == ()
    await bot.set_my_commands([("start", "Mulai"), ("help", "Bantuan")])
    await bot.set_my_commands([("start", "Start")], language_code="en")
    await bot.set_my_commands(
        [("start", "Start (private)")], scope=telegram.BotCommandScopeAllPrivateChats()
    )
    assert [c.description for c in await bot.get_my_commands()] == ["Mulai", "Bantuan"]
    assert [c.description for c in await bot.get_my_commands(language_code="en")] == ["Start"]
    assert await bot.get_my_commands(language_code="de") == ()
    private = await bot.get_my_commands(scope=telegram.BotCommandScopeAllPrivateChats())
    assert [c.description for c in private] == ["Start (private)"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("Start!", "x")])
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([("x" * 33, "x")])
    state = (await harness.client.get("/sandbox/state")).json()
    assert {(c["scope"]["type"], c["language_code"]) for c in state["commands"]} == {
        ("default", ""),
        ("default", "en"),
        ("all_private_chats", ""),
    }
    await bot.delete_my_commands(language_code="en")
    assert await bot.get_my_commands(language_code="en") == ()


async def test_descriptions(harness: Harness) -> None:
    bot = harness.bot
    await bot.set_my_description("Bot untuk TikTok Promote", language_code="id")
    await bot.set_my_short_description("Promote")
    assert (await bot.get_my_description(language_code="id")).description.startswith("Bot")
    assert (await bot.get_my_description()).description == ""
    assert (await bot.get_my_short_description()).short_description == "Promote"
    with pytest.raises(BadRequest):
        await bot.set_my_short_description("x" * 121)
    state = (await harness.client.get("/sandbox/state")).json()
    assert state["descriptions"] == {"id": "Bot untuk TikTok Promote"}
    assert state["short_descriptions"] == {"": "Promote"}


async def test_get_chat_private_and_forum(harness: Harness) -> None:
    await harness.say(7, "hi", first_name="Budi", username="budi")
    chat = await harness.bot.get_chat(7)
    assert (chat.type, chat.first_name, chat.username) == ("private", "Budi", "budi")
    group = await harness.client.post(
        "/sandbox/groups", json={"title": "Tim", "is_forum": True, "member_ids": [7]}
    )
    group_id = group.json()["chat"]["id"]
    assert str(group_id).startswith("-100")
    full = await harness.bot.get_chat(group_id)
    assert (full.type, full.title, full.is_forum) == ("supergroup", "Tim", True)
    with pytest.raises(BadRequest, match="Chat not found"):
        await harness.bot.get_chat(-100123)


async def test_chat_action_is_recorded(harness: Harness) -> None:
    said = await harness.say(7, "hi")
    assert await harness.bot.send_chat_action(7, "typing") is True
    with pytest.raises(BadRequest):
        await harness.bot.send_chat_action(7, "dancing")
    events = (await harness.events(7, after=said["seq"]))["events"]
    assert [(e["kind"], e["action"], e["from_bot"]) for e in events] == [
        ("chat_action", "typing", True)
    ]


def test_html_parser_details() -> None:
    parsed = parse_html(
        '<pre><code class="language-python">x = 1</code></pre>'
        "<blockquote expandable>q</blockquote>"
        '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>'
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><B>&#x1F600;&quot;</B>'
    )
    assert parsed.text == 'x = 1qst👍😀"'
    assert [(e["type"], e["offset"], e["length"]) for e in parsed.entities] == [
        ("pre", 0, 5),
        ("expandable_blockquote", 5, 1),
        ("spoiler", 6, 1),
        ("spoiler", 7, 1),
        ("custom_emoji", 8, 2),
        ("bold", 10, 3),
    ]
    assert parsed.entities[0]["language"] == "python"
    assert parsed.entities[4]["custom_emoji_id"] == "5368324170671202286"
    for bad, error in [
        ("é<x>", 'Unsupported start tag "x" at byte offset 2'),
        ("</b>", "Unexpected end tag at byte offset 0"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler"'),
        ("<b", "Unclosed start tag at byte offset 0"),
        ("&bogus;", 'Character "&"'),
    ]:
        with pytest.raises(HtmlParseError, match=error):
            parse_html(bad)


async def test_json_reply_markup_must_parse(harness: Harness) -> None:
    await harness.say(7, "hi")
    response = await harness.client.post(
        f"/bot{TOKEN}/sendMessage", data={"chat_id": "7", "text": "x", "reply_markup": "{oops"}
    )
    assert response.status_code == 400
    assert response.json()["description"] == (
        "Bad Request: can't parse reply keyboard markup JSON object"
    )
    ok = await harness.client.post(
        f"/bot{TOKEN}/sendMessage",
        data={"chat_id": "7", "text": "x", "reply_markup": json.dumps({"remove_keyboard": True})},
    )
    assert ok.json()["ok"] is True and "reply_markup" not in ok.json()["result"]


async def test_serve_asgi_reports_a_taken_port() -> None:
    app = TelegramSandbox(SandboxConfig(bot_token=TOKEN)).asgi_app()
    async with serve_asgi(app) as url:
        port = int(url.rsplit(":", 1)[1])
        with pytest.raises(OSError):
            async with serve_asgi(app, port=port):
                pass
