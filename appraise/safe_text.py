"""Text from input files, made safe once for each place it is shown.

Input text reaches a terminal, Markdown, CSV, a workbook and JSON. Two layers keep it from doing
anything there but read as typed:

1. Validation refuses, at their place, the characters no name or note needs and that can act on
   a screen or disguise what is read: C0 and C1 control characters (ESC starts terminal
   sequences that clear the screen or set its title; BEL, backspace and carriage return
   overwrite what was shown) and DEL, and the invisible Unicode format characters that reorder
   or hide text (bidi overrides such as U+202E make ``exe.txt`` read as ``txt.exe``;
   zero-width spaces make two different names look the same). Free text (notes, dissent,
   reasons) may hold tabs and line breaks; names and titles hold neither. ``unsafe_characters``
   is that rule.
2. Output escapes anything that still gets through (a file name from the command line, text
   quoted in an error message): ``printable`` for terminals, ``markdown_text`` for Markdown,
   ``csv_text`` for CSV cells a spreadsheet would run as a formula. Workbooks get
   ``appraise.io.xlsx_cells.put_text``; JSON escapes control characters by itself.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# C0 controls (but tab and line feed, which free text may hold), DEL, C1 controls, and the
# invisible format characters that reorder or hide text: the bidi embeddings, overrides and
# isolates (U+202A-U+202E, U+2066-U+2069), the direction marks (U+200E, U+200F, U+061C),
# zero-width space, non-joiner and joiner, word joiner, byte-order mark and the line and
# paragraph separators.
# Every format character (Unicode category Cf, as of Unicode 15: soft hyphen, bidi marks and
# overrides, zero-width and invisible operators, tags used for "ASCII smuggling", interlinear
# annotation), the line and paragraph separators, and the characters that draw as blank
# (Hangul fillers, the combining grapheme joiner). tests/test_safe_text.py checks the Cf list
# against unicodedata.
_INVISIBLE_FORMAT = (
    "\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
# The noncharacters, never meant for text that is passed on: U+FDD0-U+FDEF and the last two
# code points of every plane. XML cannot hold U+FFFE and U+FFFF at all (a workbook holding
# one does not open).
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_UNSAFE_IN_FREE_TEXT = f"\x00-\x08\x0b-\x1f\x7f-\x9f{_INVISIBLE_FORMAT}{_NONCHARACTERS}"
UNSAFE_IN_FREE_TEXT = re.compile(f"[{_UNSAFE_IN_FREE_TEXT}]")
UNSAFE_IN_NAMES = re.compile(f"[\t\n{_UNSAFE_IN_FREE_TEXT}]")
# The patterns below are compiled when first used (``re`` keeps them), not on import: most
# commands, and ``--help``, never need them.
_NOT_PRINTABLE = f"[{_UNSAFE_IN_FREE_TEXT}\ud800-\udfff]"


def escaped(char: str) -> str:
    r"""One character as an escape a person can read: ``\x1b``, ``\u202e``, ``\n``."""
    named = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
    if char in named:
        return named[char]
    code = ord(char)
    if code > 0xFFFF:  # a tag character (U+E0041), say: Python's spelling
        return f"\\U{code:08x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def unsafe_characters(text: str, free_text: bool = False) -> list[str]:
    r"""The characters of ``text`` that validation refuses, each once, escaped (``\x1b``).

    ``free_text`` allows tabs and line breaks (notes, dissent, reasons); names do not.
    """
    pattern = UNSAFE_IN_FREE_TEXT if free_text else UNSAFE_IN_NAMES
    return [escaped(c) for c in dict.fromkeys(pattern.findall(text))]


def refused_text(text: str, free_text: bool = False) -> str | None:
    """Why ``text`` is refused (its unsafe characters named), or None when it is fine."""
    found = unsafe_characters(text, free_text)
    if not found:
        return None
    kind = "a control or invisible formatting character" + ("s" if len(found) > 1 else "")
    return (
        f"holds {kind} ({', '.join(found)}) that could change how the text shows on a screen "
        "or in a document; remove it"
    )


def printable(text: str) -> str:
    r"""``text`` for a terminal: control and invisible formatting characters shown as escapes.

    Line breaks and tabs stay (a note may hold them); everything that could move the cursor,
    clear the screen, set the window's title or reorder what is read becomes ``\x1b`` and so
    on. Lone surrogates (a file name's undecodable bytes) become their escapes too.
    """
    if not re.search(_NOT_PRINTABLE, text):
        return text
    return re.sub(_NOT_PRINTABLE, lambda m: escaped(m.group()), text)


_NOT_ONE_LINE = f"[\t\n{_UNSAFE_IN_FREE_TEXT}\ud800-\udfff]"


def one_line(text: str) -> str:
    r"""``text`` for one line of a terminal: as ``printable``, line breaks and tabs escaped too.

    For what a person gave as a name (a file called ``a\nb.yaml``), so one message stays one
    line and the name shows as it is.
    """
    if not re.search(_NOT_ONE_LINE, text):
        return text
    return re.sub(_NOT_ONE_LINE, lambda m: escaped(m.group()), text)


_INVISIBLE = f"[\x7f-\x9f{_INVISIBLE_FORMAT}]"


def escape_invisible(json_text: str) -> str:
    r"""JSON text with DEL, C1 controls and invisible formatting characters as ``\uXXXX``."""
    return re.sub(_INVISIBLE, lambda m: _json_escape(ord(m.group())), json_text)


_NON_ASCII = "[^\x00-\x7f]"


def ascii_json(json_text: str) -> str:
    r"""JSON text with every character beyond ASCII as a JSON escape (``\u00e9``).

    It reads back the same: a character beyond U+FFFF as its surrogate pair, a lone surrogate
    (a file name's undecodable byte) as itself escaped. Non-ASCII only stands inside strings.
    """
    return re.sub(_NON_ASCII, lambda m: _json_escape(ord(m.group())), json_text)


def _json_escape(code: int) -> str:
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


QUOTE_LIMIT = 60  # characters of input text quoted in a message
NAMES_SHOWN = 8  # names listed in one sentence before "and N more"


def some_names(names: Sequence[str], shown: int = NAMES_SHOWN) -> str:
    """Names for a sentence, the first ``shown`` of them then how many more (``a, b and 3 more``).

    A criteria file may hold a hundred weight sets; a sentence naming them all is a page.
    """
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown:,} more"


def cut(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Input text quoted in a message, cut to a readable length saying how long it was.

    A key 18 million characters long is named by its first characters and its length, so no
    message (or the work of making one) grows with what a file holds.
    """
    if len(text) <= limit:
        return text
    return f"{text[: limit - 20]}... ({len(text):,} characters)"


_MARKDOWN_SPECIAL = str.maketrans(
    {"|": "\\|", "<": "&lt;", ">": "&gt;", "\n": " ", "\r": " ", "\t": " "}
)


def markdown_text(text: object) -> str:
    r"""Text from a file as literal Markdown inside a line: a heading, bullet or table cell.

    It cannot end the line or the table cell (line breaks become spaces; ``|`` is escaped), open
    HTML (``<`` and ``>`` become entities, so ``<script>`` shows as typed) or make a link
    (``](`` becomes ``]\(``, so ``[Approved](https://...)`` shows as typed). Every line of
    Markdown appraise writes starts with its own marker (``## ``, ``- ``, ``| ``), so text inside
    it never starts a heading or list of its own.
    """
    return printable(str(text)).translate(_MARKDOWN_SPECIAL).replace("](", "]\\(")


# A cell whose text starts with one of these is read as a formula by Excel or LibreOffice when
# typed, and by careless tools when copied: OWASP's CSV/formula injection list.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: object) -> object:
    """A CSV cell that a spreadsheet would run as a formula, made plain text with a leading ``'``.

    The OWASP rule for CSV injection: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or
    carriage return. Numbers, and text that reads as a number (``-0.5``), are left alone, so a
    negative figure stays a figure.
    """
    if not isinstance(value, str):
        return value
    value = printable(value)  # CSV is read on screens too: no escape sequence acts there
    if not value.startswith(FORMULA_TRIGGERS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 criterion``, ``3 criteria``, ``0 errors``: a count and its noun, agreeing."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"
