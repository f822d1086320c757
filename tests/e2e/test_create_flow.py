"""Creating a new Ads Manager account: every field, a wrong value first and then a right one,
back and edit on the review, the warning, the submission and the pushed success message."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from bot.runner import RunningBot
from bot.sandbox.driver import ChatDriver, SeenMessage
from tests.e2e.flow_helpers import authorize_as, press_action, to_authorize

CREATE_ACCOUNT = "kopi-nusantara"

# (field, a wrong value, the right value: text, or ("press", action))
FIELDS: list[tuple[str, str, str | tuple[str, str]]] = [
    ("business_name", "x" * 101, "Kopi Nusantara Jaya"),
    ("industry", "spaceships", ("press", "f:c:ecommerce")),
    ("website", "not a web address!", ("press", "f:skip")),
    ("timezone", "Mars", ("press", "f:c:Asia/Jakarta")),
    ("company_legal_name", "y" * 256, "PT Kopi Nusantara Jaya"),
    ("street", "z" * 256, "Jl. Braga No. 45"),
    ("city", "12345", "Bandung"),
    ("province", "Atlantis", "Jabar"),
    ("postal_code", "4011", "40111"),
    ("npwp", "12.345", "01.234.567.8-901.234"),
    ("billing_email", "admin@", "admin@kopinusantara.co.id"),
    ("contact_name", "1234", "Dimas Pratama"),
    ("contact_phone", "12", "0812-3456-7890"),
]


async def enter(user: ChatDriver, prompt: SeenMessage, value: str | tuple[str, str]) -> None:
    if isinstance(value, tuple):
        await press_action(user, prompt, value[1])
    else:
        await user.send(value)


@pytest.mark.parametrize(
    ("language", "step_line", "review_title", "not_provided"),
    [
        ("id", "Langkah {n} dari 13", "Periksa detail Anda", "Tidak diisi"),
        ("en", "Step {n} of 13", "Check your details", "Not provided"),
    ],
)
async def test_create_a_new_account_field_by_field(
    polling_bot: RunningBot,
    chat: Callable[..., ChatDriver],
    tiktok_url: str,
    language: str,
    step_line: str,
    review_title: str,
    not_provided: str,
) -> None:
    user = chat(user_id=4000 + len(language), first_name="Dimas", language_code=language)
    async with httpx.AsyncClient(timeout=30) as http:
        await authorize_as(http, await to_authorize(user), CREATE_ACCOUNT)
        prompt = await user.next_message()
        for number, (field, wrong, right) in enumerate(FIELDS, start=1):
            assert step_line.format(n=number) in prompt.text, (field, prompt.text)
            await user.send(wrong)
            refused = await user.next_message()
            assert refused.text.startswith("⚠️"), (field, refused.text)
            assert step_line.format(n=number) in refused.text  # the same question again
            await enter(user, refused, right)
            prompt = await user.next_message()

        review = prompt
        assert review.text.startswith(review_title)
        assert "Kopi Nusantara Jaya" in review.text
        assert "••••••••••1234" in review.text and "012345678901234" not in review.text
        assert "+62 812-3456-7890" in review.text
        assert "Jawa Barat" in review.text and "40111" in review.text
        assert not_provided in review.text

        # Edit one field from the review, then come back without changing another.
        await press_action(user, review, "rev:edit:city")
        city = await user.next_message()
        assert step_line.format(n=7) in city.text
        await user.send("Bogor")
        review = await user.next_message()
        assert "Bogor" in review.text and "Bandung" not in review.text
        await press_action(user, review, "rev:edit:street")
        street = await user.next_message()
        await press_action(user, street, "f:back")
        review = await user.next_message()
        assert "Jl. Braga No. 45" in review.text

        await press_action(user, review, "rev:confirm")
        warning = await user.next_message()
        assert warning.text.startswith("⚠️")
        assert "Kopi Nusantara Jaya" in warning.text and "IDR" in warning.text
        await press_action(user, warning, "rev:submit")
        assert (await user.next_message()).text.startswith("⏳")
        done = await user.next_message(timeout=20)
        assert done.text.startswith("🎉")
        assert "Kopi Nusantara Jaya" in done.text

        state = (await http.get(f"{tiktok_url}/sandbox/state")).json()
    created = [i for i in state["integrations"] if i["account"] == CREATE_ACCOUNT]
    assert [(i["mode"], i["status"]) for i in created] == [("create", "succeeded")]
