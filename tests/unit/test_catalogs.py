"""The gettext catalogs: up to date with the source, complete, and faithful to the msgids'
placeholders and markup; and proof that each check catches what it is for."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from bot.l10n_checks import (
    EXTRACT_ARGS,
    incomplete_catalogs,
    placeholder_mismatches,
    placeholders,
    raw_headers,
    stale_catalogs,
    tags,
)
from bot.pseudo import PSEUDO_LOCALE

ROOT = Path(__file__).resolve().parents[2]
ID_PO = Path("locales/id/LC_MESSAGES/messages.po")
EN_PO = Path("locales/en/LC_MESSAGES/messages.po")


def test_catalogs_are_up_to_date_with_the_source() -> None:
    assert stale_catalogs(ROOT) == []


def test_catalogs_are_complete() -> None:
    assert incomplete_catalogs(ROOT) == []


def test_translations_keep_placeholders_and_markup() -> None:
    assert placeholder_mismatches(ROOT) == []


def test_the_check_extracts_like_the_makefile() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    definition = re.search(r"^PYBABEL_EXTRACT\s*:?=(.*)$", makefile, re.MULTILINE)
    assert definition, "the Makefile no longer defines PYBABEL_EXTRACT"
    words = shlex.split(definition.group(1))
    assert words[0].endswith("pybabel")
    assert words[-1] == "."
    args = [word for word in words[1:-1] if word not in ("-q", "extract")]
    output = args.index("-o")
    del args[output : output + 2]
    assert tuple(args) == EXTRACT_ARGS


def test_placeholders_and_tags_are_found() -> None:
    text = "<b>{name}</b> {{literal}} %(amount)s 100%% <a href='https://t.me/x'>{count:,}</a>"
    assert placeholders(text) == {"{name}", "%(amount)s", "{count:,}"}
    assert tags(text) == {"<b>": 1, "</b>": 1, "<a>": 1, "</a>": 1}


# --- each check can fail ----------------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the source and the committed catalogs (no compiled or pseudo files)."""
    shutil.copytree(ROOT / "bot", tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        ROOT / "locales",
        tmp_path / "locales",
        ignore=shutil.ignore_patterns("*.mo", PSEUDO_LOCALE),
    )
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def load(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def save(catalog: Catalog, path: Path) -> None:
    with path.open("wb") as file:
        write_po(file, catalog, width=100)


def test_a_dropped_placeholder_is_reported(root: Path) -> None:
    before = set(placeholder_mismatches(root))
    catalog = load(root / ID_PO)
    message = next(
        m for m in catalog if m.id and isinstance(m.string, str) and "{example}" in m.string
    )
    message.string = message.string.replace("{example}", "")
    save(catalog, root / ID_PO)

    new = set(placeholder_mismatches(root)) - before

    ours = [p for p in new if p.startswith(f"id: {message.id[:60]!r}")]
    assert ours and "{example}" in ours[0] and "missing" in ours[0]
    msgfmt = [p for p in new if p.startswith("msgfmt --check-format:")]
    assert any("'example'" in p and str(ID_PO) in p for p in msgfmt), msgfmt


def test_a_renamed_placeholder_and_a_lost_tag_are_reported(root: Path) -> None:
    before = set(placeholder_mismatches(root))
    catalog = load(root / EN_PO)
    message = next(m for m in catalog if m.id and "<b>{name}</b>" in m.string)
    message.string = message.string.replace("<b>{name}</b>", "{nama}</b>", 1)
    save(catalog, root / EN_PO)

    new = "\n".join(set(placeholder_mismatches(root)) - before)

    assert f"en: {message.id[:60]!r}" in new
    assert "placeholders missing from the msgstr: {name}" in new
    assert "placeholders in the msgstr but not in the msgid: {nama}" in new
    assert "tag <b> appears" in new
    assert "argument 'nama' doesn't exist in 'msgid'" in new


def test_a_new_source_string_is_reported(root: Path) -> None:
    before = set(stale_catalogs(root))
    with (root / "bot" / "i18n.py").open("a", encoding="utf-8") as source:
        source.write('\n\nBRAND_NEW = N_("A brand-new string nobody has translated yet")\n')
    template = load(root / "locales" / "messages.pot")
    template.add("A string that was removed from the source")
    save(template, root / "locales" / "messages.pot")

    new = set(stale_catalogs(root)) - before

    missing = "'A brand-new string nobody has translated yet' is in the source but missing"
    for catalog in ("locales/messages.pot", str(ID_PO), str(EN_PO)):
        assert f"{catalog}: {missing} from the catalog; run `make i18n`" in new
    gone = "'A string that was removed from the source' is no longer in the source"
    assert f"locales/messages.pot: {gone}; run `make i18n`" in new


def test_a_changed_translator_note_is_reported(root: Path) -> None:
    before = set(stale_catalogs(root))
    details = root / "bot" / "flow" / "details.py"
    text = details.read_text(encoding="utf-8")
    assert "# NOTE:" in text
    details.write_text(text.replace("# NOTE:", "# NOTE: Changed.", 1), encoding="utf-8")

    new = set(stale_catalogs(root)) - before

    assert any("outdated translator comments" in p for p in new)


def test_fuzzy_and_untranslated_entries_are_reported(root: Path) -> None:
    before = set(incomplete_catalogs(root))
    catalog = load(root / ID_PO)
    first, second = [m for m in catalog if m.id and m.string and not m.fuzzy][:2]
    first.flags.add("fuzzy")
    second.string = ""
    catalog.obsolete["gone"] = Message("gone", "hilang")
    save(catalog, root / ID_PO)

    new = set(incomplete_catalogs(root)) - before

    assert f"{ID_PO}: {first.id[:60]!r} is marked fuzzy" in new
    assert f"{ID_PO}: {second.id[:60]!r} is not translated (empty msgstr)" in new
    assert f"{ID_PO}: obsolete entry #~ 'gone'; delete it" in new


def test_wrong_plural_forms_and_language_are_reported(root: Path) -> None:
    before = set(incomplete_catalogs(root))
    po = root / ID_PO
    text = po.read_text(encoding="utf-8")
    assert '"Plural-Forms: nplurals=1; plural=0;\\n"' in text
    text = text.replace("nplurals=1; plural=0;", "nplurals=2; plural=(n > 1);")
    po.write_text(text.replace('"Language: id\\n"', '"Language: in\\n"'), encoding="utf-8")
    assert raw_headers(po)["Plural-Forms"] == "nplurals=2; plural=(n > 1);"

    new = set(incomplete_catalogs(root)) - before

    assert (
        f"{ID_PO}: header Plural-Forms is 'nplurals=2; plural=(n > 1);', "
        "expected 'nplurals=1; plural=0;'"
    ) in new
    assert f"{ID_PO}: header Language is 'in', expected 'id'" in new


def test_a_missing_catalog_is_reported(root: Path) -> None:
    (root / EN_PO).unlink()
    assert f"{EN_PO} is missing" in incomplete_catalogs(root)
