"""No secret reaches the audit log: `redact` and `scrub_text` on their own."""

import pytest

from models.tables import REDACTED, is_secret_key, redact, scrub_text

BOT_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1"


@pytest.mark.parametrize(
    "key",
    [
        "access_token",
        "accessToken",
        "Access-Token",
        "refresh_token",
        "bot_token",
        "secret",
        "client_secret",
        "app_secret",
        "password",
        "Authorization",
        "auth_code",
        "authCode",
        "code",
        "state",
        "key",
        "X-Api-Key",
        "private_key",
        "npwp",
        "NPWP",
        "phone",
        "phone_number",
        "contact_email",
        "email",
        "card_number",
        "otp",
    ],
)
def test_secret_looking_keys(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "advertiser_id",
        "advertiser_name",
        "step",
        "status",
        "language_code",
        "postal_code",
        "currency",
        "dedupe_key",
        "screen",
        "version",
        "business_name",
        42,
    ],
)
def test_ordinary_keys(key: object) -> None:
    assert not is_secret_key(key)


def test_redacts_nested_dicts_and_lists_without_touching_the_input() -> None:
    detail = {
        "step": "account",
        "advertiser_ids": ["7000000001", "7000000002"],
        "token": {"access_token": "act.1", "scope": [1, 2]},
        "response": {
            "data": {"auth_code": "abc", "advertisers": [{"advertiser_id": "7", "email": "a@b.id"}]}
        },
        "fields": ({"name": "npwp", "npwp": "012345678901234"},),
        "count": 3,
        "ok": True,
        "missing": None,
    }
    assert redact(detail) == {
        "step": "account",
        "advertiser_ids": ["7000000001", "7000000002"],
        "token": REDACTED,  # a whole subtree under a secret key goes
        "response": {
            "data": {
                "auth_code": REDACTED,
                "advertisers": [{"advertiser_id": "7", "email": REDACTED}],
            }
        },
        "fields": [{"name": "npwp", "npwp": REDACTED}],
        "count": 3,
        "ok": True,
        "missing": None,
    }
    assert detail["token"] == {"access_token": "act.1", "scope": [1, 2]}


def test_redaction_is_idempotent() -> None:
    once = redact({"password": "hunter2", "note": f"token {BOT_TOKEN}"})
    assert redact(once) == once == {"password": REDACTED, "note": f"token {REDACTED}"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"https://api.telegram.org/bot{BOT_TOKEN}/getMe",
            f"https://api.telegram.org/bot{REDACTED}/getMe",
        ),
        ("Authorization: Bearer eyJhbGciOi.x-y_z", f"Authorization: Bearer {REDACTED}"),
        (
            "GET /callback?auth_code=abc123&state=s-1_x&lang=id",
            f"GET /callback?auth_code={REDACTED}&state={REDACTED}&lang=id",
        ),
        ("POST {app_id, secret=shh}", f"POST {{app_id, secret={REDACTED}}}"),
        ("postal_code=12345 error_code=40110", "postal_code=12345 error_code=40110"),
        ("advertiser 7000000001 at 10:30", "advertiser 7000000001 at 10:30"),
    ],
)
def test_scrub_text(text: str, expected: str) -> None:
    assert scrub_text(text) == expected
