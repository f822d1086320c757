"""The pseudo-locale: every translatable string accented, about 40% longer, and in brackets.

Reading the bot in it shows at a glance what escaped translation (plain, unaccented text), what
is too long for a button or a message once translated, and what gets cut off (a missing `⟧`).
It is generated from `locales/messages.pot` and never committed: `python -m bot.pseudo` (run by
`make`) writes `locales/xa/LC_MESSAGES/messages.po` and compiles it to `messages.mo`.

Why `xa`: it is not a language. No ISO 639-1 code starts with "x" except `xh` (Xhosa), CLDR has no
`xa` (Babel can't load it), and Android's pseudo-locale is `en-XA`, so testers know the idea.
(Microsoft first used `tk-TM`, a real locale later; the other never-real choice would be `qps`,
from the qaa–qtz range that ISO 639 keeps for local use.) Babel can't format numbers or dates
for it, so formatting should use English for it.

What is left alone: `{placeholders}` (and `%(name)s`), HTML tags and entities, URLs, `/commands`,
`@mentions`, digits, punctuation and line breaks. Letters are accented one for one (a→á, n→ñ) so
the words stay readable, and each word is lengthened by repeating its last vowel.
"""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Iterator
from pathlib import Path

from babel.core import UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

PSEUDO_LOCALE = "xa"
DOMAIN = "messages"
OPEN, CLOSE = "⟦", "⟧"  # U+27E6, U+27E7: one UTF-16 unit each, never in real copy
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
EXPANSION = 0.4  # how much longer the translatable text gets, brackets included
FILLER = "·"  # before padding when a string has no word to lengthen, e.g. "{label}: {value}"
PAD = "ẋ"

_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "áƀçđéƒĝĥíĵķļḿñóṕǫŕšţúṽŵẋýžÁḂÇĎÉḞĜĤÍĴĶĻḾÑÓṔǪŔŠŢÚṼŴẊÝŽ",
)
_PROTECTED = re.compile(
    r"""
      \{\{ | \}\} | \{[^{}]*\}                              # {placeholder}, escaped braces
    | %% | %\([^)]*\)[#0 +\-]*\d*(?:\.\d+)?[a-zA-Z]         # %(name)s
    | <[^<>]*>                                              # HTML tag
    | &(?:[A-Za-z][A-Za-z0-9]*|\#\d+|\#[xX][0-9A-Fa-f]+);   # HTML entity
    | (?:https?|tg)://(?:[^\s<>"']*[^\s<>"'.,;:!?)\]])?     # URL, without trailing punctuation
    | (?<![\w/.:])/[A-Za-z]\w*                              # /command
    | (?<![\w.])@[A-Za-z]\w*                                # @mention
    """,
    re.VERBOSE,
)
_WORD = re.compile(r"[^\W\d_]+")
_LAST_VOWEL = re.compile(r"[aeiouyAEIOUY](?=[^aeiouyAEIOUY]*$)")
_MARKUP = re.compile(r"<[^<>]*>|&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#[xX][0-9A-Fa-f]+);")


def pseudo_text(text: str) -> str:
    """`text` accented, lengthened and in brackets; the protected parts kept as they are."""
    parts = _split(text)
    free = [part for part, protected in parts if not protected]
    budget = max(0, math.ceil(EXPANSION * sum(len(part) for part in free)) - len(OPEN + CLOSE))
    words = [w for part in free for w in _WORD.findall(part) if _LAST_VOWEL.search(w)]
    shares = iter(_shares(budget, [len(w) for w in words]))
    out = []
    for part, protected in parts:
        if protected:
            out.append(part)
        else:
            lengthened = _WORD.sub(lambda m: _lengthen(m.group(), shares), part)
            out.append(lengthened.translate(_ACCENTS))
    padding = FILLER + PAD * (budget - 1) if budget and not words else ""
    return OPEN + "".join(out) + padding + CLOSE


def is_pseudo(text: str) -> bool:
    """Whether `text` (a rendered message or label) came wholly from the pseudo catalog.

    True when it has bracketed text and no letter outside the brackets; HTML tags and entities,
    digits, punctuation, emoji and spaces don't count. So values filled into placeholders (which
    sit inside the brackets), several pseudo strings joined by line breaks, and markup are fine;
    English text, hard-coded or around a pseudo string, is not.
    """
    if OPEN not in text:
        return False
    depth = 0
    for char in _MARKUP.sub("", text):
        if char == OPEN:
            depth += 1
        elif char == CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and char.isalpha():
            return False
    return True


def pseudo_catalog(template: Path, out_po: Path) -> None:
    """Write the pseudo-locale's catalog `out_po` from the template `template`."""
    with template.open("rb") as file:
        pot = read_po(file)
    catalog = _new_catalog(pot)
    for message in pot:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            singular, plural = pseudo_text(message.id[0]), pseudo_text(message.id[1])
            string: str | tuple[str, ...] = (singular, *[plural] * (catalog.num_plurals - 1))
        else:
            string = pseudo_text(message.id)
        catalog.add(
            message.id,
            string,
            locations=message.locations,
            flags=message.flags - {"fuzzy"},
            context=message.context,
        )
    out_po.parent.mkdir(parents=True, exist_ok=True)
    with out_po.open("wb") as file:
        write_po(file, catalog, width=100, sort_output=False)


def compile_catalog(po: Path, mo: Path) -> None:
    """Compile the pseudo catalog with Babel (it has no CLDR locale, so no `pybabel compile`)."""
    with po.open("rb") as file:
        catalog = read_po(file)
    with mo.open("wb") as file:
        write_mo(file, catalog)


def build(root: Path) -> Path:
    """Regenerate `locales/<PSEUDO_LOCALE>/LC_MESSAGES/messages.{po,mo}`; the .mo's path."""
    po = root / "locales" / PSEUDO_LOCALE / "LC_MESSAGES" / f"{DOMAIN}.po"
    pseudo_catalog(root / "locales" / f"{DOMAIN}.pot", po)
    mo = po.with_suffix(".mo")
    compile_catalog(po, mo)
    return mo


def _new_catalog(pot: Catalog) -> Catalog:
    header = (
        f"# Pseudo-locale ({PSEUDO_LOCALE}) for {pot.project}: generated from messages.pot by\n"
        "# `python -m bot.pseudo` (run by `make`). Don't edit or commit it."
    )
    common = {
        "header_comment": header,
        "project": pot.project,
        "version": pot.version,
        "copyright_holder": pot.copyright_holder,
        "msgid_bugs_address": pot.msgid_bugs_address,
        "creation_date": pot.creation_date,
        "revision_date": pot.creation_date,  # the same input gives the same file
        "last_translator": "bot.pseudo",
        "language_team": "Pseudo-locale",
        "fuzzy": False,
    }
    try:
        catalog = Catalog(locale=PSEUDO_LOCALE, **common)
    except UnknownLocaleError:  # older Babel refuses locales it doesn't know (UnknownLocaleError)
        catalog = Catalog(locale=None, **common)
    catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS)]
    return catalog


def _split(text: str) -> list[tuple[str, bool]]:
    """`text` cut into (part, protected) pieces."""
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in _PROTECTED.finditer(text):
        if match.start() > position:
            parts.append((text[position : match.start()], False))
        parts.append((match.group(), True))
        position = match.end()
    if position < len(text):
        parts.append((text[position:], False))
    return parts


def _shares(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights`, in whole numbers that add up to it."""
    whole = sum(weights)
    if not whole:
        return []
    shares, done, running = [], 0, 0
    for weight in weights:
        running += weight
        upto = round(total * running / whole)
        shares.append(upto - done)
        done = upto
    return shares


def _lengthen(word: str, shares: Iterator[int]) -> str:
    match = _LAST_VOWEL.search(word)
    if not match:
        return word
    extra = next(shares, 0)
    return word[: match.end()] + match.group() * extra + word[match.end() :]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bot.pseudo", description="Regenerate and compile the pseudo-locale."
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=Path(__file__).resolve().parent.parent,
        help="the project root, with locales/messages.pot (default: this checkout)",
    )
    args = parser.parse_args(argv)
    mo = build(args.root)
    print(f"wrote {mo.with_suffix('.po')} and {mo}")


if __name__ == "__main__":
    main()
