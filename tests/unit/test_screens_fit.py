"""Every sample screen, in every language, fits what Telegram accepts and what a phone shows.

The samples (`bot.flow.samples`) carry long but realistic user data, and each is rendered by the
real `render()` with the longest callback prefix the service can make, then checked with the
Telegram sandbox's own parser and limits.
"""

from __future__ import annotations

import ast
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.config import SUPPORTED_LOCALES
from bot.flow import fields
from bot.flow.samples import BUSINESS_NAME, LEGAL_NAME, Sample, sample, samples
from bot.flow.screens import Msg
from bot.sandbox.telegram.errors import BotApiError
from bot.sandbox.telegram.html import HtmlParseError, parse_html
from bot.sandbox.telegram.markup import MAX_CALLBACK_DATA_BYTES, check_reply_markup
from bot.sandbox.telegram.texts import MAX_TEXT_LENGTH, prepare_text
from bot.telegram.render import RenderedMessage, render

FLOW_DIR = Path(__file__).resolve().parents[2] / "bot" / "flow"

# The longest prefix `ButtonToken.prefix()` makes in practice: a 9-digit integration id and a
# 5-digit version ("<integration_id>.<version>|"), in front of every action.
WORST_PREFIX = "999999999.99999|"

# Button labels: a project rule, not a Telegram limit. Telegram accepts long labels but its apps
# draw each label on one line and cut what does not fit with "…"; on a narrow phone (about 360 dp
# wide) the cut can hide what tells two buttons apart (an account's ID, a province's name). So we
# keep every label short enough to be read whole there: up to 40 characters for a button alone
# on its row, and the row's 40 shared evenly by the buttons on it (20 each for two, 13 for three).
# The numbers are the project's budget, chosen to leave room for the button's padding; they are
# not taken from Telegram. Characters are counted as a reader sees them: variation selectors,
# joiners and combining marks (invisible code points) do not count.
BUTTON_LABEL_LIMIT = 40


def label_limit(buttons_in_row: int) -> int:
    return BUTTON_LABEL_LIMIT // buttons_in_row


def visible_length(label: str) -> int:
    return sum(1 for char in label if unicodedata.category(char) not in ("Mn", "Me", "Cf"))


@pytest.fixture(scope="module", params=SUPPORTED_LOCALES)
def rendered(request: pytest.FixtureRequest) -> tuple[str, list[tuple[Sample, RenderedMessage]]]:
    locale = request.param
    return locale, [
        (item, render(item.screen, locale, callback_prefix=WORST_PREFIX)) for item in samples()
    ]


def _buttons(message: RenderedMessage):  # type: ignore[no-untyped-def]
    rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
    return [(button, len(row)) for row in rows for button in row]


def _report(title: str, problems: list[str]) -> str:
    return f"{title} ({len(problems)}):\n  " + "\n  ".join(problems)


# --- the text ----------------------------------------------------------------------------------


def test_every_text_is_telegram_html_of_at_most_4096_characters(
    rendered: tuple[str, list[tuple[Sample, RenderedMessage]]],
) -> None:
    locale, messages = rendered
    problems = []
    for item, message in messages:
        try:
            plain = parse_html(message.text).text
        except HtmlParseError as error:
            problems.append(f"[{locale}] {item.key}: not valid Telegram HTML: {error}")
            continue
        if len(plain) > MAX_TEXT_LENGTH:
            problems.append(
                f"[{locale}] {item.key}: {len(plain)} characters after parsing, "
                f"over Telegram's {MAX_TEXT_LENGTH}"
            )
            continue
        try:  # what sendMessage does with it: parse, trim, refuse an empty or too long text
            prepare_text(message.text, "HTML", None)
        except BotApiError as error:
            problems.append(f"[{locale}] {item.key}: the sandbox refuses it: {error.description}")
    assert not problems, _report("Texts Telegram would refuse", problems)


# --- the buttons -------------------------------------------------------------------------------


def test_every_button_has_exactly_one_action_and_telegram_accepts_the_keyboard(
    rendered: tuple[str, list[tuple[Sample, RenderedMessage]]],
) -> None:
    locale, messages = rendered
    problems = []
    for item, message in messages:
        for button, _ in _buttons(message):
            if (button.callback_data is None) == (button.url is None):
                problems.append(
                    f"[{locale}] {item.key}: {button.text!r} has "
                    f"callback_data={button.callback_data!r} and url={button.url!r}"
                )
        if message.reply_markup is not None:
            try:
                check_reply_markup(message.reply_markup.to_dict())
            except BotApiError as error:
                problems.append(f"[{locale}] {item.key}: keyboard refused: {error.description}")
    assert not problems, _report("Buttons that need exactly one action", problems)


def test_every_callback_data_fits_64_bytes_with_the_longest_prefix(
    rendered: tuple[str, list[tuple[Sample, RenderedMessage]]],
) -> None:
    locale, messages = rendered
    problems = [
        f"[{locale}] {item.key}: {button.callback_data!r} is "
        f"{len(button.callback_data.encode())} bytes"
        for item, message in messages
        for button, _ in _buttons(message)
        if button.callback_data is not None
        and len(button.callback_data.encode()) > MAX_CALLBACK_DATA_BYTES
    ]
    assert not problems, _report(
        f"Callback data over {MAX_CALLBACK_DATA_BYTES} bytes in UTF-8", problems
    )


def test_every_url_is_http_or_https(
    rendered: tuple[str, list[tuple[Sample, RenderedMessage]]],
) -> None:
    locale, messages = rendered
    problems = []
    for item, message in messages:
        for button, _ in _buttons(message):
            if button.url is None:
                continue
            parts = urlsplit(button.url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                problems.append(f"[{locale}] {item.key}: {button.text!r} → {button.url!r}")
    assert not problems, _report("URL buttons that are not http(s) links", problems)


def test_every_button_label_is_read_whole_on_a_phone(
    rendered: tuple[str, list[tuple[Sample, RenderedMessage]]],
) -> None:
    locale, messages = rendered
    # The same label in the same kind of row is reported once, with every sample showing it.
    too_long: dict[tuple[str, int], list[str]] = {}
    user_data: dict[str, list[str]] = {}
    for item, message in messages:
        sources = [button for row in item.screen.buttons for button in row]
        for (button, in_row), source in zip(_buttons(message), sources, strict=True):
            length = visible_length(button.text)
            if length == 0 or length > label_limit(in_row):
                too_long.setdefault((button.text, in_row), []).append(item.key)
                user_data[button.text] = [
                    name for name, value in source.params.items() if not isinstance(value, Msg)
                ]
    problems = []
    for (label, in_row), keys in too_long.items():
        where = "alone on its row" if in_row == 1 else f"{in_row} buttons in its row"
        line = (
            f"[{locale}] {label!r}: {visible_length(label)} characters, limit "
            f"{label_limit(in_row)} ({where}); in {', '.join(keys)}"
        )
        if user_data[label]:
            line += (
                f"; the label holds user data ({', '.join(user_data[label])}), which can be any "
                "length: show it in the text and keep the label short"
            )
        problems.append(line)
    assert not problems, _report(
        f"Button labels longer than the project's limit ({BUTTON_LABEL_LIMIT} characters for a "
        "button alone on its row, shared evenly in a row of several), or empty; shorten the "
        "translation, or give the button a row of its own",
        problems,
    )


# --- the samples themselves ------------------------------------------------------------------


def test_sample_keys_are_unique_and_can_be_looked_up() -> None:
    keys = [item.key for item in samples()]
    assert len(keys) == len(set(keys)), sorted(k for k in keys if keys.count(k) > 1)
    for key in keys:
        assert sample(key).key == key
    with pytest.raises(KeyError, match="no sample"):
        sample("no_such_screen")


def _screen_keys_in_flow() -> set[str]:
    """Every `Screen(key=...)` under bot/flow; `key=f"field_{spec.key}"` is one per asked field."""
    found: set[str] = set()
    for path in sorted(FLOW_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name != "Screen":
                continue
            for keyword in node.keywords:
                if keyword.arg != "key":
                    continue
                value = keyword.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found.add(value.value)
                elif (
                    isinstance(value, ast.JoinedStr)
                    and isinstance(value.values[0], ast.Constant)
                    and value.values[0].value == "field_"
                ):
                    found.update(f"field_{spec.key}" for spec in fields.ASKED)
                else:
                    pytest.fail(
                        f"{path.name}:{node.lineno}: a screen key this test can't read "
                        f"({ast.unparse(value)}); teach _screen_keys_in_flow about it"
                    )
    return found


def test_every_screen_in_the_flow_has_a_sample() -> None:
    in_flow = _screen_keys_in_flow()
    assert {"welcome", "review", "field_business_name"} <= in_flow  # the scan works
    shown = {item.screen.key for item in samples()}
    missing = sorted(in_flow - shown)
    assert not missing, (
        f"screens with no sample in bot/flow/samples.py: {missing}; add one (with realistic "
        "data) so the fit tests and the gallery cover it"
    )


def test_every_asked_field_has_a_prompt_and_an_invalid_notice() -> None:
    for spec in fields.ASKED:
        prompt = sample(f"field_{spec.key}").screen
        invalid = sample(f"field_{spec.key}_invalid").screen
        assert prompt.key == invalid.key == f"field_{spec.key}"
        assert not prompt.notices
        assert invalid.notices, f"field_{spec.key}_invalid shows no notice"


def test_edit_prompt_offers_back_to_review() -> None:
    labels = [button.label for row in sample("field_edit").screen.buttons for button in row]
    assert "Back to review" in labels


def test_sample_data_is_long_enough_to_mean_something() -> None:
    assert len(BUSINESS_NAME) == 100  # the most fields.validate accepts
    assert len(LEGAL_NAME) == 255
    assert isinstance(fields.validate("business_name", BUSINESS_NAME), fields.Valid)
    assert isinstance(fields.validate("company_legal_name", LEGAL_NAME), fields.Valid)
    for locale in SUPPORTED_LOCALES:
        review = parse_html(render(sample("review").screen, locale).text).text
        assert BUSINESS_NAME in review
        assert LEGAL_NAME in review
