"""The pseudo-locale: accented, longer, bracketed text that keeps every placeholder, tag, entity,
URL, command and line break, and a catalog that compiles and loads like the real ones."""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot import i18n
from bot.l10n_checks import placeholder_mismatches, placeholders, raw_headers, tags
from bot.pseudo import CLOSE, OPEN, PSEUDO_LOCALE, build, is_pseudo, main, pseudo_text

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "locales" / "messages.pot"
COMMAND = re.compile(r"(?<![\w/.:])/[A-Za-z]\w*")


def template_msgids() -> list[str]:
    with TEMPLATE.open("rb") as file:
        catalog = read_po(file)
    return [
        text
        for message in catalog
        if message.id
        for text in (message.id if isinstance(message.id, tuple) else (message.id,))
    ]


MSGIDS = template_msgids()


def fill(text: str) -> str:
    """`text` with sample values, as the renderer fills them (`str.format`): escaped, or a list."""
    samples = defaultdict(
        lambda: "Kopi &amp; Teh &lt;Nusantara&gt;",
        name="Budi",
        reasons="• Not eligible\n• Too young",
        example="https://example.com/?a=1&amp;b=2",
        value="",
    )
    return text.format_map(samples)


def test_the_bot_uses_the_same_code() -> None:
    assert i18n.PSEUDO_LOCALE == PSEUDO_LOCALE


def test_letters_are_accented_and_the_text_bracketed() -> None:
    assert pseudo_text("Back") == "⟦Ḃáçķ⟧"
    assert pseudo_text("") == "⟦⟧"


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Hello, {name}! Step {number} of {total}", ["{name}", "{number}", "{total}"]),
        ("Balance: %(amount)s (100%%), {{literal}}", ["%(amount)s", "%%", "{{", "}}"]),
        (
            '<b>Bold</b> and <a href="https://t.me/bot?start=x">link</a>',
            ["<b>", "</b>", '<a href="https://t.me/bot?start=x">', "</a>"],
        ),
        ("Tom &amp; Jerry &lt;3 &#128512; &nbsp;", ["&amp;", "&lt;", "&#128512;", "&nbsp;"]),
        (
            "Open https://ads.tiktok.com/i18n/login. Or http://localhost:8080/",
            ["https://ads.tiktok.com/i18n/login", "http://localhost:8080/"],
        ),
        (
            "Send /start, then /status or /cancel_now; ask @support_bot",
            ["/start", "/status", "/cancel_now", "@support_bot"],
        ),
    ],
)
def test_protected_parts_are_kept(text: str, kept: list[str]) -> None:
    out = pseudo_text(text)
    for part in kept:
        assert part in out
    assert out.count("\n") == text.count("\n")


def test_every_template_string_keeps_its_placeholders_tags_commands_and_newlines() -> None:
    for msgid in MSGIDS:
        out = pseudo_text(msgid)
        assert out.startswith(OPEN) and out.endswith(CLOSE), msgid
        assert placeholders(out) == placeholders(msgid), msgid
        assert tags(out) == tags(msgid), msgid
        assert COMMAND.findall(out) == COMMAND.findall(msgid), msgid
        assert out.count("\n") == msgid.count("\n"), msgid
        url = re.compile(r"https?://[^\s⟦⟧]*")
        assert url.findall(out) == url.findall(msgid), msgid


def test_typical_strings_get_about_40_percent_longer() -> None:
    prose = [
        m for m in MSGIDS if len(m) >= 20 and not placeholders(m) and not tags(m) and "/" not in m
    ]
    assert len(prose) > 20
    for msgid in prose:
        assert 1.3 <= len(pseudo_text(msgid)) / len(msgid) <= 1.5, msgid
    typical = [m for m in MSGIDS if len(m) >= 20]
    mean = sum(len(pseudo_text(m)) / len(m) for m in typical) / len(typical)
    assert 1.3 <= mean <= 1.5


def test_rendered_pseudo_strings_are_recognized() -> None:
    for msgid in MSGIDS:
        assert is_pseudo(fill(pseudo_text(msgid))), msgid
    label = pseudo_text("Business name")
    nested = pseudo_text("{label}: {value}").format(label=label, value="Kopi Nusantara")
    assert is_pseudo(nested)
    assert is_pseudo(pseudo_text("Notice") + "\n\n" + pseudo_text("Text"))  # notices on top


def test_english_text_is_never_taken_for_pseudo() -> None:
    for msgid in MSGIDS:
        assert not is_pseudo(msgid), msgid
        assert not is_pseudo(fill(msgid)), msgid
    label = pseudo_text("Business name")
    assert not is_pseudo(f"{label}: Kopi Nusantara is hard-coded")
    assert not is_pseudo(f"Hard-coded {label}")
    assert not is_pseudo("")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "locales").mkdir()
    shutil.copy2(TEMPLATE, tmp_path / "locales" / "messages.pot")
    return tmp_path


def test_the_catalog_compiles_and_loads(root: Path) -> None:
    main(["--root", str(root)])  # `python -m bot.pseudo`
    po = root / "locales" / PSEUDO_LOCALE / "LC_MESSAGES" / "messages.po"
    assert raw_headers(po)["Language"] == PSEUDO_LOCALE
    assert raw_headers(po)["Plural-Forms"] == "nplurals=2; plural=(n != 1);"

    translations = gettext.translation("messages", root / "locales", languages=[PSEUDO_LOCALE])

    for msgid in MSGIDS:
        assert translations.gettext(msgid) == pseudo_text(msgid)
    assert placeholder_mismatches(root) == []  # our own check and msgfmt --check-format


def test_plural_entries_are_translated(root: Path) -> None:
    template = Catalog(fuzzy=True)
    template.add(("{count} file", "{count} files"), flags=["python-brace-format"])
    template.add("Hello", context="greeting")
    with (root / "locales" / "messages.pot").open("wb") as file:
        write_po(file, template)

    with build(root).open("rb") as mo:
        translations = gettext.GNUTranslations(mo)

    assert translations.ngettext("{count} file", "{count} files", 1) == pseudo_text("{count} file")
    assert translations.ngettext("{count} file", "{count} files", 5) == pseudo_text("{count} files")
    assert translations.pgettext("greeting", "Hello") == pseudo_text("Hello")
    assert placeholder_mismatches(root) == []


def test_the_output_is_reproducible_and_pybabel_compiles_it(root: Path) -> None:
    mo = build(root)
    po = mo.with_suffix(".po")
    first = po.read_bytes()
    assert build(root) == mo and po.read_bytes() == first

    # `make i18n` runs `pybabel compile -d locales` over every locale, the pseudo one included.
    mo.unlink()
    compile_all = [sys.executable, "-m", "babel.messages.frontend", "-q", "compile"]
    subprocess.run([*compile_all, "-D", "messages", "-d", str(root / "locales")], check=True)
    assert mo.is_file()
