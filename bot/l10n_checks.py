"""Checks of the gettext catalogs in `locales/`, for the tests (and a CLI).

Each check takes the project root (the directory with `pyproject.toml`, `bot/` and `locales/`), so
a test can point it at a copy, and returns a list of human-readable problems: empty means fine.

- `stale_catalogs`: the template or a catalog is out of date with the source (`make i18n`).
- `incomplete_catalogs`: a committed catalog has untranslated, fuzzy or obsolete entries, or
  wrong `Language` / `Plural-Forms` headers.
- `placeholder_mismatches`: a translation drops, adds or renames a `{placeholder}` (or a
  `%(name)s`), or has a different number of Telegram-HTML tags than its msgid; plus GNU
  `msgfmt --check-format`, which `pybabel compile` does not do.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, unescape

from bot.pseudo import PSEUDO_LOCALE

DOMAIN = "messages"
TEMPLATE = Path("locales") / f"{DOMAIN}.pot"

# The arguments of `pybabel extract` in the Makefile's PYBABEL_EXTRACT, without `-q`, `-o FILE`
# and the directory; a test keeps the two in step.
EXTRACT_ARGS = (
    "-F",
    "pyproject.toml",
    "-k",
    "N_",
    "-c",
    "NOTE:",
    "-w",
    "100",
    "--add-location=file",
    "--sort-by-file",
    "--project=promote-bot",
    "--copyright-holder=promote-bot",
    "--msgid-bugs-address=",
)

# The committed catalogs and the headers each must have.
EXPECTED_HEADERS = {
    "id": {"Language": "id", "Plural-Forms": "nplurals=1; plural=0;"},
    "en": {"Language": "en", "Plural-Forms": "nplurals=2; plural=(n != 1);"},
}

MSGID_PREVIEW = 60

_BRACES = re.compile(r"\{\{|\}\}|\{[^{}]*\}")
_PERCENT = re.compile(r"%%|%\([^)]*\)[#0 +\-]*\d*(?:\.\d+)?[a-zA-Z]")
_TAG = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)[^<>]*>")


# --- stale catalogs --------------------------------------------------------------------------


def extract_template(root: Path, out: Path) -> None:
    """Extract the source under `root` into `out`, exactly as `make i18n` does."""
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract"]
    command += [*EXTRACT_ARGS, "-o", str(out), "."]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)  # noqa: S603 - our own interpreter and fixed arguments
    if result.returncode != 0:
        raise RuntimeError(f"pybabel extract failed in {root}:\n{result.stderr.strip()}")


def stale_catalogs(root: Path) -> list[str]:
    """Msgids in the source but missing from the template or a catalog, and the reverse; also
    changed translator comments (`# NOTE:`), plural msgids and format flags."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh_path = Path(tmp) / f"{DOMAIN}.pot"
        extract_template(root, fresh_path)
        fresh = _read(fresh_path)
    problems: list[str] = []
    template = root / TEMPLATE
    if not template.is_file():
        return [f"{TEMPLATE} is missing; run `make i18n`"]
    problems += _compare(fresh, _read(template), str(TEMPLATE))
    for locale, po in _catalog_files(root):
        if locale != PSEUDO_LOCALE:  # generated from the template by `make`, never committed
            problems += _compare(fresh, _read(po), _relative(po, root))
    return problems


def _compare(source: Catalog, catalog: Catalog, name: str) -> list[str]:
    fix = "run `make i18n`"
    wanted = {_key(m): m for m in _messages(source)}
    present = {_key(m): m for m in _messages(catalog)}
    problems = [
        f"{name}: {_preview(m)!r} is in the source but missing from the catalog; {fix}"
        for key, m in wanted.items()
        if key not in present
    ]
    problems += [
        f"{name}: {_preview(m)!r} is no longer in the source; {fix}"
        for key, m in present.items()
        if key not in wanted
    ]
    for key, m in wanted.items():
        have = present.get(key)
        if have is None:
            continue
        if _plural_id(m) != _plural_id(have):
            problems.append(f"{name}: {_preview(m)!r} has a different msgid_plural; {fix}")
        if list(m.auto_comments) != list(have.auto_comments):
            problems.append(f"{name}: {_preview(m)!r} has outdated translator comments; {fix}")
        if _format_flags(m) != _format_flags(have):
            problems.append(f"{name}: {_preview(m)!r} has outdated format flags; {fix}")
    return problems


def _plural_id(message: Message) -> str | None:
    return message.id[1] if isinstance(message.id, tuple) else None


def _format_flags(message: Message) -> set[str]:
    return {flag for flag in message.flags if flag.endswith("-format")}


# --- incomplete catalogs ---------------------------------------------------------------------


def incomplete_catalogs(root: Path) -> list[str]:
    """Every msgid of each committed catalog translated (all plural forms), no fuzzy or obsolete
    entries, and the right `Language` and `Plural-Forms` headers."""
    problems: list[str] = []
    for locale, expected in EXPECTED_HEADERS.items():
        po = root / "locales" / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
        name = _relative(po, root)
        if not po.is_file():
            problems.append(f"{name} is missing")
            continue
        headers = raw_headers(po)
        for header, value in expected.items():
            if headers.get(header) != value:
                problems.append(
                    f"{name}: header {header} is {headers.get(header)!r}, expected {value!r}"
                )
        catalog = _read(po)
        if catalog.fuzzy:
            problems.append(f"{name}: the header entry is marked fuzzy")
        nplurals = _nplurals(headers.get("Plural-Forms", ""))
        for message in _messages(catalog):
            where = f"{name}: {_preview(message)!r}"
            if message.fuzzy:
                problems.append(f"{where} is marked fuzzy")
            if isinstance(message.id, tuple):
                forms = _forms(message)
                if nplurals is not None and len(forms) != nplurals:
                    problems.append(f"{where} has {len(forms)} plural forms, not {nplurals}")
                empty = [str(i) for i, form in enumerate(forms) if not form]
                if empty:
                    problems.append(f"{where} has empty msgstr[{'], msgstr['.join(empty)}]")
            elif not message.string:
                problems.append(f"{where} is not translated (empty msgstr)")
        problems += [
            f"{name}: obsolete entry #~ {_preview(message)!r}; delete it"
            for message in catalog.obsolete.values()
        ]
    return problems


def raw_headers(po: Path) -> dict[str, str]:
    """The header entry (`msgid ""`) of a .po file, as written (Babel normalizes some)."""
    text: list[str] = []
    state = "before"  # → "msgid" (saw msgid "") → "msgstr" (collecting) → done
    for line in po.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if state == "before" and line == 'msgid ""':
            state = "msgid"
        elif state == "msgid" and line.startswith("msgstr "):
            state = "msgstr"
            text.append(unescape(line.removeprefix("msgstr ").strip()))
        elif state == "msgstr" and line.startswith('"'):
            text.append(unescape(line))
        elif state == "msgstr":
            break
        elif state == "msgid" and (not line.startswith('"') or unescape(line)):
            state = "before"  # a multi-line msgid that starts with "": not the header
    headers: dict[str, str] = {}
    for field in "".join(text).splitlines():
        name, sep, value = field.partition(":")
        if sep:
            headers[name.strip()] = value.strip()
    return headers


def _nplurals(plural_forms: str) -> int | None:
    match = re.search(r"nplurals\s*=\s*(\d+)", plural_forms)
    return int(match.group(1)) if match else None


# --- placeholders and markup -----------------------------------------------------------------


def placeholder_mismatches(root: Path) -> list[str]:
    """For every translated entry of every catalog: the same placeholders as the msgid, and the
    same Telegram-HTML tags the same number of times; then `msgfmt --check-format`."""
    problems: list[str] = []
    for locale, po in _catalog_files(root):
        catalog = _read(po)
        for message in _messages(catalog):
            for index, string in enumerate(_forms(message)):
                if not string:
                    continue  # untranslated: `incomplete_catalogs` reports it
                source = _source_for_form(message, index, catalog.num_plurals)
                form = f" msgstr[{index}]" if isinstance(message.id, tuple) else ""
                where = f"{locale}: {_preview(message)!r}{form}"
                problems += [f"{where}: {what}" for what in _differences(source, string)]
        problems += msgfmt_check_format(po, root)
    return problems


def placeholders(text: str) -> set[str]:
    """The `{name}` and `%(name)s` placeholders of `text` (escaped `{{`, `}}`, `%%` are not)."""
    found = {m for m in _BRACES.findall(text) if m not in ("{{", "}}")}
    found |= {m for m in _PERCENT.findall(text) if m != "%%"}
    return found


def tags(text: str) -> Counter[str]:
    """How often each HTML tag occurs: `<b>`, `</b>`, `<a>` (attributes left out)…"""
    return Counter(f"<{close}{name.lower()}>" for close, name in _TAG.findall(text))


def _differences(source: str, translation: str) -> Iterator[str]:
    want, have = placeholders(source), placeholders(translation)
    if want - have:
        yield f"placeholders missing from the msgstr: {', '.join(sorted(want - have))}"
    if have - want:
        yield f"placeholders in the msgstr but not in the msgid: {', '.join(sorted(have - want))}"
    want_tags, have_tags = tags(source), tags(translation)
    for tag in sorted(want_tags.keys() | have_tags.keys()):
        if want_tags[tag] != have_tags[tag]:
            counts = f"{want_tags[tag]}× in the msgid, {have_tags[tag]}× in the msgstr"
            yield f"tag {tag} appears {counts}"


def _source_for_form(message: Message, index: int, nplurals: int) -> str:
    """The msgid a plural form is compared with: the singular for form 0 when the language has
    more than one form, else the plural."""
    if not isinstance(message.id, tuple):
        return message.id
    singular, plural = message.id[0], message.id[1]
    return singular if index == 0 and nplurals > 1 else plural


def msgfmt_check_format(po: Path, root: Path) -> list[str]:
    """GNU msgfmt's format check of one catalog, one problem per complaint."""
    msgfmt = shutil.which("msgfmt") or "/usr/bin/msgfmt"
    if not Path(msgfmt).is_file():
        return [f"{_relative(po, root)}: GNU msgfmt is not installed, so formats went unchecked"]
    result = subprocess.run(  # noqa: S603 - msgfmt with fixed options on our own file
        [msgfmt, "--check-format", "-o", os.devnull, str(po)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},
    )
    lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
    if result.returncode != 0 and not lines:
        lines = [f"exit status {result.returncode}"]
    shown = [line.replace(str(po), _relative(po, root)) for line in lines]
    return [f"msgfmt --check-format: {line}" for line in shown]


# --- helpers ---------------------------------------------------------------------------------


def _catalog_files(root: Path) -> Iterator[tuple[str, Path]]:
    for po in sorted((root / "locales").glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        yield po.parent.parent.name, po


def _read(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, abort_invalid=True)


def _messages(catalog: Catalog) -> Iterable[Message]:
    return (message for message in catalog if message.id)


def _key(message: Message) -> tuple[str | None, str]:
    singular = message.id[0] if isinstance(message.id, tuple) else message.id
    return message.context, singular


def _forms(message: Message) -> tuple[str, ...]:
    if isinstance(message.string, tuple | list):
        return tuple(message.string)
    return (message.string or "",)


def _preview(message: Message) -> str:
    text = message.id[0] if isinstance(message.id, tuple) else message.id
    if message.context:
        text = f"{message.context}|{text}"
    return text[:MSGID_PREVIEW]


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
