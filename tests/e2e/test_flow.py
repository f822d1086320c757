"""The integration conversation end to end: the real bot polling the Telegram sandbox, the
TikTok sandbox over HTTP, the real database and catalogs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session, select

from bot.runner import RunningBot
from bot.sandbox.driver import ChatDriver
from models.tables import AuditEvent, Integration, OAuthState
from tests.e2e.flow_helpers import authorize_as, press_action, start, to_authorize

SYNC_ACCOUNT = "sekar-ayu"
CREATE_ACCOUNT = "kopi-nusantara"


@pytest.fixture
async def http() -> httpx.AsyncClient:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


async def test_sync_path_in_indonesian(
    polling_bot: RunningBot,
    chat: Callable[..., ChatDriver],
    http: httpx.AsyncClient,
    tiktok_url: str,
) -> None:
    user = chat(user_id=3001, first_name="Ayu", language_code="id")
    question = await start(user)
    assert "Apakah bisnis Anda terdaftar di Indonesia?" in question.text
    assert question.labels == ["Ya", "Tidak"]
    await press_action(user, question, "pre:reg:yes")
    await press_action(user, await user.next_message(), "pre:age:yes")
    terms = await user.next_message()
    assert "Ketentuan layanan terbaru" in terms.text
    assert "Selanjutnya" in terms.labels
    await press_action(user, terms, "terms:next")
    authorize = await user.next_message()
    assert "Otorisasikan akses" in authorize.labels

    page = await authorize_as(http, authorize, SYNC_ACCOUNT)
    assert page.status_code == 200
    assert "Akses diotorisasikan" in page.text

    accounts = await user.next_message()
    assert "Pilih akun TikTok Ads Manager" in accounts.text
    assert "1. Batik Sekar Ayu Official (ID 7301234567890120001)" in accounts.text
    assert "2. Sekar Ayu Grosir (ID 7301234567890120002)" in accounts.text
    assert accounts.labels == [
        "1. Batik Sekar Ayu Official",
        "2. Sekar Ayu Grosir",
        "Buat akun baru",
    ]
    await user.press("1. Batik Sekar Ayu Official")
    review = await user.next_message()
    assert "Informasi pembayaran Anda sudah sama" in review.text
    await user.press("Konfirmasi dan integrasikan")
    progress = await user.next_message()
    assert progress.text.startswith("⏳ Integrasi sedang berlangsung.")

    await user.send("/status")
    status = await user.next_message()
    # Every reply while it runs starts with the reminder that Promote orders are blocked.
    assert status.text.startswith("⏳ Integrasi sedang berlangsung: pemesanan Promosi diblokir")
    assert "Integrasi sudah berjalan selama" in status.text

    done = await user.next_message(timeout=20)
    assert done.text.startswith(
        "🎉 Integrasi Fitur Promosi dengan TikTok Ads Manager telah berhasil!"
    )
    assert "Batik Sekar Ayu Official (ID 7301234567890120001)" in done.text

    state = (await http.get(f"{tiktok_url}/sandbox/state")).json()
    assert [i["status"] for i in state["integrations"] if i["account"] == SYNC_ACCOUNT] == [
        "succeeded"
    ]


async def test_payment_mismatch_asks_to_make_them_match(
    polling_bot: RunningBot, chat: Callable[..., ChatDriver], http: httpx.AsyncClient
) -> None:
    user = chat(user_id=3002, language_code="en")
    await authorize_as(http, await to_authorize(user), SYNC_ACCOUNT)
    await user.next_message()
    await user.press("2. Sekar Ayu Grosir")
    mismatch = await user.next_message()
    assert "Your payment information is not the same" in mismatch.text
    assert mismatch.labels == ["Check again", "Choose another account"]
    await user.press("Choose another account")
    assert (await user.next_message()).labels[0] == "1. Batik Sekar Ayu Official"


@pytest.mark.parametrize(
    ("account", "reason"),
    [
        ("warung-bu-tini", "is already integrated with TikTok Ads Manager"),
        ("sambal-mbok-darmi", "An integration for this TikTok account is already in progress"),
        ("toko-jaya-abadi", "This TikTok account is restricted from advertising"),
        ("rempah-melaka", "This TikTok account's region is not supported yet"),
    ],
)
async def test_every_account_level_reason_is_explained(
    polling_bot: RunningBot,
    chat: Callable[..., ChatDriver],
    http: httpx.AsyncClient,
    account: str,
    reason: str,
) -> None:
    user = chat(user_id=3100 + len(account), language_code="en")
    await authorize_as(http, await to_authorize(user), account)
    answer = await user.next_message()
    assert answer.text.startswith("Sorry, you can't integrate Fitur Promosi")
    assert reason in answer.text
    assert answer.labels == ["Use another TikTok account", "Talk to support"]
    await user.press("Use another TikTok account")
    assert "Authorize access" in (await user.next_message()).labels


async def test_the_pre_check_lists_every_reason(
    polling_bot: RunningBot, chat: Callable[..., ChatDriver]
) -> None:
    user = chat(user_id=3201, language_code="id")
    question = await start(user)
    await press_action(user, question, "pre:reg:no")
    await press_action(user, await user.next_message(), "pre:age:no")
    answer = await user.next_message()
    assert "Bisnis Anda tidak terdaftar di Indonesia" in answer.text
    assert "Anda harus berusia 18 tahun atau lebih" in answer.text
    await user.press("Jawab ulang")
    assert "pertanyaan 1 dari 2" in (await user.next_message()).text


async def test_denied_authorization_offers_a_fresh_link(
    polling_bot: RunningBot, chat: Callable[..., ChatDriver], http: httpx.AsyncClient
) -> None:
    user = chat(user_id=3301, language_code="en")
    first = await to_authorize(user)
    page = await authorize_as(http, first, CREATE_ACCOUNT, decision="deny")
    assert "Access not authorized" in page.text
    again = await user.next_message()
    assert again.text.startswith("You did not authorize access")
    fresh = [b.url for row in again.buttons for b in row if b.url]
    old = [b.url for row in first.buttons for b in row if b.url]
    assert fresh and fresh != old
    page = await authorize_as(http, again, CREATE_ACCOUNT)
    assert page.status_code == 200
    assert "no TikTok Ads Manager account yet" in (await user.next_message()).text


async def test_reused_and_forged_links_change_nothing(
    polling_bot: RunningBot, chat: Callable[..., ChatDriver], http: httpx.AsyncClient
) -> None:
    user = chat(user_id=3401, language_code="en")
    authorize = await to_authorize(user)
    callback = f"{polling_bot.web_url}/oauth/tiktok/callback"
    forged = await http.get(
        callback, params={"state": "made-up", "auth_code": "x"}, headers={"Accept-Language": "en"}
    )
    assert forged.status_code == 400
    assert "This link is not valid" in forged.text
    missing = await http.get(callback)
    assert missing.status_code == 400

    first = await authorize_as(http, authorize, SYNC_ACCOUNT)
    assert first.status_code == 200
    await user.next_message()
    reused = await http.get(str(first.request.url))
    assert reused.status_code == 400
    assert "This link was already used" in reused.text
    with pytest.raises(AssertionError):  # nothing more was said in the chat
        await user.next_message(timeout=1)


async def test_stale_buttons_and_free_text_show_the_current_screen(
    polling_bot: RunningBot, chat: Callable[..., ChatDriver]
) -> None:
    user = chat(user_id=3501, language_code="en")
    question = await start(user)
    await press_action(user, question, "pre:reg:yes")
    second = await user.next_message()

    await user.send("what now?")  # free text where a button is expected
    again = await user.next_message()
    assert again.text.startswith("Please choose one of the buttons below.")
    assert "question 2 of 2" in again.text
    assert again.labels == second.labels

    await press_action(user, second, "pre:age:yes")  # moves on to the terms
    assert "Latest terms of service" in (await user.next_message()).text
    await press_action(user, again, "pre:age:no")  # the copy shown earlier is now stale
    stale = await user.next_message()
    assert stale.text.startswith("That button is no longer valid. Here is where you are now:")
    assert "Latest terms of service" in stale.text
    transcript = await user.transcript()
    assert transcript.callback_answers[-1].text == "This button is no longer valid."


async def test_cancel_before_submission(
    polling_bot: RunningBot, chat: Callable[..., ChatDriver]
) -> None:
    user = chat(user_id=3601, language_code="id")
    await start(user)
    await user.send("/cancel")
    assert (await user.next_message()).text.startswith("Dibatalkan. Tidak ada yang dikirim.")
    await user.send("/start")
    assert (await user.next_message()).text.startswith("Halo, Budi!")


async def test_a_failed_integration_is_pushed_with_its_reason_and_can_be_retried(
    polling_bot: RunningBot,
    chat: Callable[..., ChatDriver],
    http: httpx.AsyncClient,
    tiktok_url: str,
) -> None:
    await http.post(f"{tiktok_url}/sandbox/knobs", json={"fail_integrations": True})
    user = chat(user_id=3701, language_code="en")
    await authorize_as(http, await to_authorize(user), SYNC_ACCOUNT)
    await press_action(user, await user.next_message(), "acct:0")
    await press_action(user, await user.next_message(), "sync:confirm")
    assert (await user.next_message()).text.startswith("⏳")
    failed = await user.next_message(timeout=20)
    assert failed.text.startswith("❌ The integration did not succeed.")
    assert "TikTok Ads Manager did not accept the billing information." in failed.text
    await http.post(f"{tiktok_url}/sandbox/knobs", json={"fail_integrations": False})
    await user.press("Try again")
    again = await user.next_message()
    assert again.labels[0] == "1. Batik Sekar Ayu Official"
    await press_action(user, again, "acct:0")
    await press_action(user, await user.next_message(), "sync:confirm")
    assert (await user.next_message()).text.startswith("⏳")
    assert (await user.next_message(timeout=20)).text.startswith("🎉")


async def test_an_expired_link_changes_nothing_and_is_audited(
    polling_bot: RunningBot, chat: Callable[..., ChatDriver], http: httpx.AsyncClient
) -> None:
    user = chat(user_id=3801, language_code="id")
    authorize = await to_authorize(user)
    with Session(polling_bot.engine) as session:  # fifteen minutes pass
        for row in session.exec(select(OAuthState).where(OAuthState.user_id == 3801)).all():
            row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
            session.add(row)
        session.commit()
    page = await authorize_as(http, authorize, SYNC_ACCOUNT)
    assert page.status_code == 400
    assert "Tautan ini sudah kedaluwarsa" in page.text  # in the user's language
    with pytest.raises(AssertionError):
        await user.next_message(timeout=1)
    with Session(polling_bot.engine) as session:
        integration = session.exec(select(Integration).where(Integration.user_id == 3801)).one()
        assert integration.step == "authorize"
        kinds = [a.kind for a in session.exec(select(AuditEvent)).all() if a.user_id == 3801]
    assert "oauth_state_rejected" in kinds


async def test_the_access_token_is_stored_encrypted(
    polling_bot: RunningBot, chat: Callable[..., ChatDriver], http: httpx.AsyncClient
) -> None:
    user = chat(user_id=3901, language_code="en")
    await authorize_as(http, await to_authorize(user), SYNC_ACCOUNT)
    await user.next_message()
    with Session(polling_bot.engine) as session:
        integration = session.exec(select(Integration).where(Integration.user_id == 3901)).one()
        audit = [a.detail for a in session.exec(select(AuditEvent)).all() if a.user_id == 3901]
    stored = integration.access_token_encrypted
    assert stored
    token = polling_bot.service.decrypt(stored)
    assert token not in stored
    assert token not in repr(audit) and token not in repr(integration.data)
    # The decrypted token really is the one TikTok issued: it lists the accounts.
    advertisers = await polling_bot.service.tiktok.advertisers(token)
    assert [a.advertiser_id for a in advertisers] == ["7301234567890120001", "7301234567890120002"]
