"""/start through the real Application over HTTP against the Telegram sandbox, real database,
real catalogs: polling and webhook."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from bot.config import Settings
from bot.runner import RunningBot, running_bot
from bot.sandbox.driver import ChatDriver
from models.tables import AuditEvent, ProcessedUpdate, TelegramUser
from tests.conftest import free_port


def webhook_settings(make_settings: Callable[..., Settings]) -> Settings:
    """Webhook mode on a port chosen up front (the webhook URL must be known to register it)."""
    port = free_port()
    return make_settings(
        telegram_mode="webhook", web_port=port, public_base_url=f"http://127.0.0.1:{port}"
    )


INDONESIAN_GREETING = "Halo, {name}! 👋"
ENGLISH_GREETING = "Hello, {name}! 👋"


@pytest.mark.parametrize(
    ("language_code", "greeting"),
    [
        ("id", INDONESIAN_GREETING),
        (None, INDONESIAN_GREETING),
        ("id-ID", INDONESIAN_GREETING),
        ("en", ENGLISH_GREETING),
        ("en-GB", ENGLISH_GREETING),
    ],
)
async def test_start_greets_in_the_users_language(
    polling_bot: RunningBot,
    chat: Callable[..., ChatDriver],
    language_code: str | None,
    greeting: str,
) -> None:
    user = chat(user_id=4242, first_name="Sari", language_code=language_code)
    await user.send("/start")
    reply = await user.next_message()
    assert reply.from_bot
    assert reply.text.splitlines()[0] == greeting.format(name="Sari")
    assert "TikTok Ads Manager" in reply.text


async def test_start_records_the_user_and_an_audit_event(
    polling_bot: RunningBot, chat: Callable[..., ChatDriver], engine: Engine
) -> None:
    user = chat(user_id=77, first_name="Andi", language_code="id")
    await user.send("/start from-agent_42")
    await user.next_message()
    with Session(engine) as session:
        stored = session.get(TelegramUser, 77)
        assert stored is not None
        assert (stored.chat_id, stored.first_name, stored.language_code) == (77, "Andi", "id")
        audit = session.exec(select(AuditEvent).where(AuditEvent.user_id == 77)).all()
        assert ("start", {"deep_link": True}) in [(a.kind, a.detail) for a in audit]


async def test_html_in_a_name_is_shown_as_text(
    polling_bot: RunningBot, chat: Callable[..., ChatDriver]
) -> None:
    user = chat(user_id=78, first_name="<b>Rina</b> & Co", language_code="en")
    await user.send("/start")
    reply = await user.next_message()
    assert reply.text.startswith("Hello, <b>Rina</b> & Co!")


async def test_command_menu_and_description_are_set_per_language(
    polling_bot: RunningBot,
) -> None:
    bot = polling_bot.application.bot
    indonesian = await bot.get_my_commands(language_code="id")
    english = await bot.get_my_commands(language_code="en")
    default = await bot.get_my_commands()
    assert [c.command for c in indonesian] == [
        "start",
        "status",
        "help",
        "cancel",
        "language",
        "support",
    ]
    assert indonesian[0].description.startswith("Mulai")
    assert english[0].description.startswith("Start")
    assert default == indonesian
    assert (await bot.get_my_description(language_code="id")).description.startswith("Saya")


async def test_webhook_mode_greets_and_refuses_deliveries_without_the_secret(
    make_settings: Callable[..., Settings],
    sandbox_url: str,
    engine: Engine,
    chat: Callable[..., ChatDriver],
) -> None:
    settings = webhook_settings(make_settings)
    async with running_bot(settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine) as bot:
        webhook = await bot.application.bot.get_webhook_info()
        assert webhook.url == f"{settings.public_base_url}/telegram"

        user = chat(user_id=5151, first_name="Dewi", language_code="en")
        await user.send("/start")
        assert (await user.next_message()).text.startswith("Hello, Dewi!")

        forged = {
            "update_id": 999_999,
            "message": {
                "message_id": 1,
                "date": 1_700_000_000,
                "text": "/start",
                "chat": {"id": 6161, "type": "private", "first_name": "Eve"},
                "from": {"id": 6161, "is_bot": False, "first_name": "Eve"},
                "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            },
        }
        async with httpx.AsyncClient() as client:
            missing = await client.post(f"{bot.web_url}/telegram", json=forged)
            wrong = await client.post(
                f"{bot.web_url}/telegram",
                json=forged,
                headers={"X-Telegram-Bot-Api-Secret-Token": "not-the-secret"},
            )
        assert (missing.status_code, wrong.status_code) == (403, 403)

        with Session(engine) as session:
            assert session.get(TelegramUser, 6161) is None
            assert session.get(ProcessedUpdate, 999_999) is None
            users = session.exec(select(func.count()).select_from(TelegramUser)).one()
            assert users == 1


async def test_a_redelivered_update_is_answered_once(
    make_settings: Callable[..., Settings],
    sandbox_url: str,
    engine: Engine,
    chat: Callable[..., ChatDriver],
) -> None:
    """Telegram may deliver an update twice (no 2xx seen): the second delivery changes nothing."""
    settings = webhook_settings(make_settings)
    update = {
        "update_id": 31337,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "text": "/start",
            "chat": {"id": 7171, "type": "private", "first_name": "Tono"},
            "from": {"id": 7171, "is_bot": False, "first_name": "Tono", "language_code": "id"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    async with (
        running_bot(settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine) as bot,
        httpx.AsyncClient() as client,
    ):
        # The user must exist in the sandbox for the bot's reply to have a chat to go to; wait
        # for the answer to "hi" so that it can't land between the two snapshots below.
        user = chat(user_id=7171, first_name="Tono")
        await user.send("hi")
        await user.next_message()
        headers = {"X-Telegram-Bot-Api-Secret-Token": settings.webhook_secret}
        seen = []
        for _ in range(2):
            answer = await client.post(f"{bot.web_url}/telegram", json=update, headers=headers)
            assert answer.status_code == 200
            transcript = (await client.get(f"{sandbox_url}/sandbox/chats/7171/transcript")).json()
            seen.append([m["text"] for m in transcript["messages"] if m["from_bot"]])
    assert seen[0] == seen[1]
    assert sum(text.startswith("Halo, Tono!") for text in seen[1]) == 1
    with Session(engine) as session:
        assert session.get(ProcessedUpdate, 31337) is not None
