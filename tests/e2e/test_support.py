"""Support handoff through the Telegram sandbox: a forum topic per user in the support group,
the context card, claim, relaying both ways with copyMessage, the bot silent meanwhile, hand
back, a push during the handoff, a deleted topic, a user who blocked the bot, and a restart."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from bot.config import Settings
from bot.runner import RunningBot, running_bot
from bot.sandbox.driver import ChatDriver, SeenMessage
from models.tables import AgentLink, AuditEvent
from tests.e2e.flow_helpers import authorize_as, press_action, start, to_authorize

AGENT = 8001


@pytest.fixture
async def support_chat(sandbox_client: httpx.AsyncClient) -> int:
    await sandbox_client.post(
        "/sandbox/users", json={"id": AGENT, "first_name": "Rina", "language_code": "id"}
    )
    answer = await sandbox_client.post(
        "/sandbox/groups",
        json={"title": "Promote Support", "is_forum": True, "member_ids": [AGENT]},
    )
    return answer.json()["chat"]["id"]


@pytest.fixture
def support_settings(make_settings: Callable[..., Settings], support_chat: int) -> Settings:
    return make_settings(support_chat_id=support_chat)


@pytest.fixture
async def support_bot(
    support_settings: Settings, sandbox_url: str, engine: Engine
) -> AsyncIterator[RunningBot]:
    async with running_bot(
        support_settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine
    ) as bot:
        yield bot


async def quiet(driver: ChatDriver, seconds: float = 1.5) -> None:
    try:
        extra = await driver.next_message(timeout=seconds)
    except AssertionError:
        return
    raise AssertionError(f"the bot said something: {extra.text!r}")


async def ask_for_support(
    user: ChatDriver, chat: Callable[..., ChatDriver], support_chat: int
) -> tuple[ChatDriver, SeenMessage]:
    """The user sends /support; returns the agent's driver (in the new topic) and the card."""
    await user.send("/support")
    told = await user.next_message()
    assert told.text.startswith(
        ("👤 Seseorang dari tim dukungan kami akan menjawab Anda di sini", "👤 A person from our")
    )
    desk = chat(user_id=AGENT, first_name="Rina", chat_id=support_chat, language_code="id")
    card = await desk.next_message()
    assert card.thread_id is not None
    desk.thread_id = card.thread_id
    return desk, card


async def test_request_claim_relay_and_hand_back(
    support_bot: RunningBot, chat: Callable[..., ChatDriver], support_chat: int
) -> None:
    user = chat(user_id=8101, first_name="Budi", username="budi_batik", language_code="id")
    question = await start(user)
    desk, card = await ask_for_support(user, chat, support_chat)
    assert card.text.startswith("🆘 Permintaan dukungan")
    assert "ID Telegram: 8101" in card.text and "@budi_batik" in card.text
    assert "pemeriksaan kelayakan" in card.text
    assert card.labels[:2] == ["Ambil", "Tutup"]
    assert "user: /start" in card.text and "bot: [eligibility_registered]" in card.text

    # While a person has the user, the bot only relays.
    await user.send("Halo, saya butuh bantuan soal NPWP")
    await quiet(user)
    relayed = await desk.next_message()
    assert relayed.text == "Halo, saya butuh bantuan soal NPWP"
    await press_action(user, question, "pre:reg:yes")
    answer = await user.next_event(kinds=("callback_answer",))
    assert answer["answer"]["text"] == "Seseorang dari tim dukungan sedang menjawab Anda."
    await quiet(user)

    await desk.press("Ambil", message_id=card.message_id)
    assert (await desk.next_message()).text == "Rina mengambil permintaan ini."
    assert (await user.next_message()).text == "👤 Rina dari tim dukungan sekarang menjawab Anda."
    await desk.send("Halo Budi, NPWP Anda 15 atau 16 digit.")
    assert (await user.next_message()).text == "Halo Budi, NPWP Anda 15 atau 16 digit."

    await desk.press("Di langkah saat ini", message_id=card.message_id)
    back = await user.next_message()
    assert back.text.startswith("Tim dukungan telah menyerahkan Anda kembali kepada saya.")
    assert "pertanyaan 1 dari 2" in back.text
    assert "menyerahkan pengguna kembali ke bot" in (await desk.next_message()).text

    await user.send("halo bot")  # the bot answers again, and nothing goes to the topic
    assert (await user.next_message()).text.startswith("Silakan pilih salah satu tombol")
    await quiet(desk)


async def test_hand_back_at_another_step_and_close(
    support_bot: RunningBot,
    chat: Callable[..., ChatDriver],
    support_chat: int,
    http_client: httpx.AsyncClient,
) -> None:
    user = chat(user_id=8102, language_code="en")
    await authorize_as(http_client, await to_authorize(user), "kopi-nusantara")
    await user.next_message()  # the first field
    await user.send("Kopi Nusantara")
    await user.next_message()
    for npwp in ("01.234.567.8-901.23", "contact me at dimas@kopi.co.id or 0812-3456-7890"):
        await user.send(npwp)  # not where they belong: refused, and remembered masked
        await user.next_message()
    desk, card = await ask_for_support(user, chat, support_chat)
    assert "Langkah: detail bisnis dan informasi penagihan" in card.text
    assert "Kesalahan validasi: industry" in card.text
    assert "d•••@kopi.co.id" in card.text and "•••••••7890" in card.text
    assert "dimas@" not in card.text and "3456" not in card.text
    await desk.send("/handback authorize")  # the command does what the button does
    back = await user.next_message()
    assert back.text.startswith("Support has handed you back to me.")
    assert "Authorize access" in back.labels
    assert "(Otorisasi baru)" in (await desk.next_message()).text

    await user.send("/support")  # a second request reuses the same topic
    await user.next_message()
    second_card = await desk.next_message()
    assert second_card.thread_id == card.thread_id
    await desk.press("Tutup", message_id=second_card.message_id)
    closed = await user.next_message()
    assert closed.text.startswith("Support has handed you back to me.")
    assert (await desk.next_message()).text == "Rina menutup permintaan ini."


async def test_the_success_push_arrives_during_a_handoff(
    support_bot: RunningBot,
    chat: Callable[..., ChatDriver],
    support_chat: int,
    http_client: httpx.AsyncClient,
) -> None:
    user = chat(user_id=8103, language_code="en")
    await authorize_as(http_client, await to_authorize(user), "sekar-ayu")
    await press_action(user, await user.next_message(), "acct:0")
    await press_action(user, await user.next_message(), "sync:confirm")
    assert (await user.next_message()).text.startswith("⏳")
    await ask_for_support(user, chat, support_chat)
    assert (await user.next_message(timeout=20)).text.startswith("🎉")


async def test_a_deleted_topic_is_made_again(
    support_bot: RunningBot,
    chat: Callable[..., ChatDriver],
    support_chat: int,
    sandbox_client: httpx.AsyncClient,
) -> None:
    user = chat(user_id=8104, language_code="id")
    await start(user)
    desk, card = await ask_for_support(user, chat, support_chat)
    await sandbox_client.delete(f"/sandbox/groups/{support_chat}/topics/{card.thread_id}")
    await user.send("masih di sana?")
    desk.thread_id = None
    relayed = await desk.next_message()
    assert relayed.text == "masih di sana?"
    assert relayed.thread_id not in (None, card.thread_id)


async def test_a_user_who_blocked_the_bot_is_reported_in_the_topic(
    support_bot: RunningBot,
    chat: Callable[..., ChatDriver],
    support_chat: int,
    sandbox_client: httpx.AsyncClient,
) -> None:
    user = chat(user_id=8105, language_code="id")
    await start(user)
    desk, _ = await ask_for_support(user, chat, support_chat)
    await sandbox_client.post("/sandbox/users/8105/block", json={"blocked": True})
    await desk.send("Halo?")
    notice = await desk.next_message()
    assert notice.text == "Pengguna telah memblokir bot: pesan tidak dapat sampai kepada mereka."


async def test_a_handoff_survives_a_restart(
    support_settings: Settings,
    sandbox_url: str,
    engine: Engine,
    chat: Callable[..., ChatDriver],
    support_chat: int,
) -> None:
    user = chat(user_id=8106, language_code="id")
    async with running_bot(support_settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine):
        await start(user)
        desk, _ = await ask_for_support(user, chat, support_chat)
    async with running_bot(support_settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine):
        await user.send("setelah restart")
        await quiet(user)
        assert (await desk.next_message()).text == "setelah restart"
        await desk.send("Kami masih di sini.")
        assert (await user.next_message()).text == "Kami masih di sini."


async def test_lookup_by_telegram_id_and_advertiser_id_for_agents_only(
    support_bot: RunningBot,
    chat: Callable[..., ChatDriver],
    support_chat: int,
    http_client: httpx.AsyncClient,
) -> None:
    user = chat(user_id=8107, first_name="Sari", language_code="en")
    await authorize_as(http_client, await to_authorize(user), "sekar-ayu")
    await press_action(user, await user.next_message(), "acct:0")
    await user.next_message()
    await user.send("my NPWP is 01.234.567.8-901.234, mail sari@batik.co.id")
    await user.next_message()
    desk, _ = await ask_for_support(user, chat, support_chat)

    await desk.send("/lookup 8107")
    found = await desk.next_message()
    assert found.text.startswith("🔎 Sari (ID Telegram 8107)")
    assert "Pengiklan: 7301234567890120001" in found.text
    assert "support_requested" in found.text and "account_chosen" in found.text
    assert "901.234" not in found.text and "901234" not in found.text  # nothing personal
    assert "sari@" not in found.text
    assert re.search(r"\d{1,2} \w+ \d{4} \d{2}\.\d{2} WIB", found.text)  # id dates, Jakarta

    await desk.send("/lookup 7301234567890120001")
    assert (await desk.next_message()).text.startswith("🔎 Sari (ID Telegram 8107)")
    await desk.send("/lookup 42")
    missing = await desk.next_message()
    assert missing.text == "Tidak ada pengguna dengan ID Telegram atau ID pengiklan 42."

    stranger = chat(user_id=8108, language_code="en")
    await start(stranger)
    await stranger.send("/lookup 8107")
    answer = await stranger.next_message()
    assert "Sari" not in answer.text and "question 1 of 2" in answer.text


async def test_an_unclaimed_request_is_told_it_is_still_queued(
    make_settings: Callable[..., Settings],
    sandbox_url: str,
    engine: Engine,
    chat: Callable[..., ChatDriver],
    support_chat: int,
) -> None:
    settings = make_settings(support_chat_id=support_chat, support_queue_notice_seconds=1)
    user = chat(user_id=8109, language_code="en")
    async with running_bot(settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine):
        await start(user)
        await ask_for_support(user, chat, support_chat)
        queued = await user.next_message(timeout=10)
        assert queued.text == (
            "You are still in the queue: a person will answer you here as soon as possible."
        )
        await quiet(user, 2)  # told once


async def agent_link(desk: ChatDriver, words: str) -> str:
    """An agent's `/link …` in the support group; returns the deep-link payload."""
    await desk.send(f"/link {words}".strip())
    answer = await desk.next_message()
    match = re.search(r"\?start=([A-Za-z0-9_-]+)", answer.text)
    assert match, answer.text
    assert len(match.group(1)) <= 64
    return match.group(1)


async def test_an_agent_link_starts_the_user_where_the_agent_said_once(
    support_bot: RunningBot,
    chat: Callable[..., ChatDriver],
    support_chat: int,
    http_client: httpx.AsyncClient,
) -> None:
    desk = chat(user_id=AGENT, first_name="Rina", chat_id=support_chat, language_code="id")
    token = await agent_link(
        desk, 'terms en business_name="Kopi Nusantara Jaya" city=Bandung called about billing'
    )
    user = chat(user_id=8110, language_code="id")  # Telegram says id; the agent chose en
    await user.send(f"/start {token}")
    greeting = (await user.next_message()).text
    assert greeting.startswith("💬 A note from our support team: called about billing")
    assert "Hello, Budi!" in greeting
    terms = await user.next_message()
    assert "Latest terms of service" in terms.text  # the pre-check was vouched for
    assert (await desk.next_message()).text == "Pengguna 8110 membuka tautan Anda."

    await press_action(user, terms, "terms:next")
    await authorize_as(http_client, await user.next_message(), "kopi-nusantara")
    first = await user.next_message()
    assert "Step 2 of 13" in first.text  # the business name came with the link

    await user.send("/support")  # the agent who sent the user in hears about it
    await user.next_message()
    assert (await desk.next_message()).text == "Pengguna 8110 meminta bantuan."

    stranger = chat(user_id=8111, language_code="en")  # the same link again: used up
    await stranger.send(f"/start {token}")
    assert (await stranger.next_message()).text.startswith("Hello, Budi!")
    assert "question 1 of 2" in (await stranger.next_message()).text


async def test_expired_forged_and_bad_agent_links(
    support_bot: RunningBot, chat: Callable[..., ChatDriver], support_chat: int
) -> None:
    desk = chat(user_id=AGENT, first_name="Rina", chat_id=support_chat, language_code="en")
    await desk.send("/link city=12345")
    refused = await desk.next_message()
    assert refused.text.startswith("Use: /link") and "city" in refused.text

    token = await agent_link(desk, "")
    with Session(support_bot.engine) as session:  # a day passes
        for row in session.exec(select(AgentLink)).all():
            row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
            session.add(row)
        session.commit()
    user = chat(user_id=8112, language_code="en")
    await user.send(f"/start {token}")
    await user.next_message()
    assert "question 1 of 2" in (await user.next_message()).text  # an ordinary start
    await quiet(desk)

    forged = chat(user_id=8113, language_code="en")
    await forged.send("/start " + "A" * 32)
    await forged.next_message()
    assert "question 1 of 2" in (await forged.next_message()).text
    with Session(support_bot.engine) as session:
        kinds = [e.kind for e in session.exec(select(AuditEvent)).all()]
    assert kinds.count("agent_link_rejected") == 2

    outsider = chat(user_id=8114, language_code="en")  # agent commands do nothing elsewhere
    await start(outsider)
    await outsider.send("/link terms")
    assert "question 1 of 2" in (await outsider.next_message()).text


async def test_a_group_without_topics_works_by_replies(
    make_settings: Callable[..., Settings],
    sandbox_url: str,
    sandbox_client: httpx.AsyncClient,
    engine: Engine,
    chat: Callable[..., ChatDriver],
) -> None:
    await sandbox_client.post(
        "/sandbox/users", json={"id": AGENT, "first_name": "Rina", "language_code": "id"}
    )
    answer = await sandbox_client.post(
        "/sandbox/groups", json={"title": "Support", "is_forum": False, "member_ids": [AGENT]}
    )
    group = answer.json()["chat"]["id"]
    settings = make_settings(support_chat_id=group)
    user = chat(user_id=8120, language_code="id")
    desk = chat(user_id=AGENT, first_name="Rina", chat_id=group, language_code="id")
    async with running_bot(settings, bot_api_base_url=f"{sandbox_url}/bot", engine=engine):
        await start(user)
        await user.send("/support")
        await user.next_message()
        card = await desk.next_message()
        assert card.text.startswith("🆘 Permintaan dukungan") and card.thread_id is None

        await user.send("Tolong bantu saya")
        relayed = await desk.next_message()
        assert relayed.text == "Tolong bantu saya"

        await desk.press("Ambil", message_id=card.message_id)
        assert (await desk.next_message()).text == "Rina mengambil permintaan ini."
        await user.next_message()  # "Rina from support is answering you now."

        await desk.send("Baik, saya bantu.", reply_to=relayed.message_id)
        assert (await user.next_message()).text == "Baik, saya bantu."
        await desk.send("Obrolan tim tanpa balasan")  # not a reply: stays in the group
        await quiet(user)

        await desk.press("Di langkah saat ini", message_id=card.message_id)
        assert (await user.next_message()).text.startswith("Tim dukungan telah menyerahkan")
