"""PyYAML's syntax errors in words a person editing the file can act on.

"mapping values are not allowed here", "did not find expected key" and their kin say what the
parser met, not what the person typed. Each is matched here in both parsers' wordings
(libyaml's and the pure-Python one's) and said again with the line and column where the slip
is (often a line above where the parser stopped) and its likely cause: a missing space after
':', a value with ': ' in it, a line indented out of step, a tab, an unclosed quote or bracket.
An error not matched keeps PyYAML's own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import yaml


@dataclass(frozen=True)
class Place:
    """A 0-based line and column in the file, as PyYAML's marks give them."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line + 1}, column {self.column + 1}"


@dataclass(frozen=True)
class _Syntax:
    """One syntax error: PyYAML's words and marks, and the file's lines."""

    problem: str
    context: str
    at: Place
    opened: Place | None
    lines: list[str]

    def line(self, index: int) -> str:
        return self.lines[index] if 0 <= index < len(self.lines) else ""

    @property
    def character(self) -> str:
        text = self.line(self.at.line)
        return text[self.at.column] if self.at.column < len(text) else ""


Explained = tuple[Place, str]

_KEY = re.compile(r"""^(\s*)(-\s+)?("[^"]*"|'[^']*'|[^\s#'"\-{\[][^:#]*?|-[^\s:#]+)\s*:(?:\s|$)""")
_NO_SPACE = re.compile(r"""^\s*(?:-\s+)?([A-Za-z_][\w-]*):(\S.*)$""")


@dataclass(frozen=True)
class _Line:
    """A line above the error that holds a key: its number, the key and the key's column."""

    number: int
    key: str
    column: int
    dash: int | None = None  # the column of a '-' that starts a list item at this key column
    dash_line: int | None = None


def _keys_above(error: _Syntax, before: int) -> list[_Line]:
    """The keys a line could line up with: the nearest key, then each nearer the margin."""
    found: list[_Line] = []
    for number in range(before - 1, -1, -1):
        match = _KEY.match(error.line(number))
        if match is None:
            continue
        indent, dash, key = match.group(1), match.group(2), match.group(3)
        column = len(indent) + len(dash or "")
        if not found or column < found[-1].column:
            found.append(_Line(number, key, column))
        if dash and column == found[-1].column and found[-1].dash is None:
            found[-1] = replace(found[-1], dash=len(indent), dash_line=number)
        if column == 0:
            break
    return found


def _columns(keys: list[_Line]) -> str:
    return " or ".join(
        f"column {k.column + 1} (beside '{k.key}', line {k.number + 1})" for k in keys
    )


def _no_space_after_colon(error: _Syntax, lines: range) -> Explained | None:
    """A line among ``lines`` written ``key:value``, which YAML reads as text, not a key."""
    for number in lines:
        text = error.line(number)
        match = _NO_SPACE.match(text)
        if match:
            column = text.index(":")
            return Place(number, column), (
                f"no space after ':' in '{text.strip()}': write "
                f"'{match.group(1)}: {match.group(2)}' (YAML needs a space after the ':' of a "
                "key, or it reads the whole line as text)"
            )
    return None


def _mapping_values(error: _Syntax) -> Explained | None:
    """'mapping values are not allowed here': a ':' the parser met inside a value."""
    spaced = _no_space_after_colon(error, range(error.at.line, error.at.line + 1))
    if spaced is not None:
        return spaced
    text = error.line(error.at.line)
    before = text[: error.at.column]
    own = _KEY.match(before + ": ")
    if own is None or own.end() < len(before):  # a key already on this line: ': ' in a value
        key, _, value = text.strip().removeprefix("- ").partition(": ")
        value = value.strip()
        if re.fullmatch(r"[\w-]+:\s*[-+\d.]+(?:\s*,\s*[\w-]+:\s*[-+\d.]+)*", value):
            fix = f"for a mapping, write it in braces: {key}: {{{value}}}"
        else:
            fix = f'if it is text, put it in quotes: {key}: "{value}"'
        return error.at, f"a second ': ' on one line, in the value of '{key}': {fix}"
    return _key_out_of_step(error, before)


def _key_out_of_step(error: _Syntax, before: str) -> Explained | None:
    """A key alone at the start of its line, read as more of the value on the line above."""
    above = next((n for n in range(error.at.line - 1, -1, -1) if error.line(n).strip()), None)
    if above is None:
        return None
    spaced = _no_space_after_colon(error, range(above, above + 1))
    if spaced is not None:
        return spaced
    keys = _keys_above(error, error.at.line)
    key = before.strip().removeprefix("- ").strip()
    indent = len(before) - len(before.lstrip())
    if keys and re.match(r"-[^\s-]", keys[0].key):  # '-id: x' above: a key, not a list item
        return Place(keys[0].number, keys[0].column), (
            f"'{keys[0].key}' is a key, not a list item: a '-' starts a list item only with "
            f"a space after it: '- {keys[0].key[1:]}'"
        )
    if keys and indent > keys[0].column:
        return Place(error.at.line, indent), (
            f"'{key}:' is indented further than '{keys[0].key}' on line {keys[0].number + 1}, "
            "so YAML reads it as more of the value above: line it up with the key it belongs "
            f"beside, {_columns(keys)}"
        )
    return Place(error.at.line, indent), (
        f"'{key}:' here continues the value on line {above + 1}: check that line (a value "
        "with ':' in it needs quotes) and the indentation of this one"
    )


def _expected_colon(error: _Syntax) -> Explained | None:
    """Could not find expected ':': a line that is neither a key nor part of a value."""
    start = error.opened or error.at
    spaced = _no_space_after_colon(error, range(start.line, error.at.line + 1))
    if spaced is not None:
        return spaced
    text = error.line(start.line).strip()
    return start, (
        f"'{text}' is not a 'key: value' line: add ':' and a space after the key, or, if it "
        "continues the text above, indent it further than that text's key"
    )


def _tab(error: _Syntax) -> Explained:
    return error.at, (
        "a tab character: YAML indents with spaces only; replace the tab with spaces (most "
        "editors can insert spaces when Tab is pressed)"
    )


def _indentation(error: _Syntax) -> Explained | None:
    """'expected <block end>', 'did not find expected key' or '-' indicator: a line out of step."""
    text = error.line(error.at.line)
    indent = len(text) - len(text.lstrip())
    if error.character in "}]" and error.character:
        return (
            error.at,
            f"'{error.character}' closes nothing: remove it, or add the bracket it closes",
        )
    if error.at.column > indent:  # mid-line: something after a complete value
        before = text[: error.at.column].rstrip()
        if before.endswith(("'", '"')):
            return error.at, (
                "text after the closing quote: put the whole value inside the quotes (inside "
                "'...' write a ' twice: 'O''Brien'; or use \"...\")"
            )
        return error.at, "unexpected text after the value on this line"
    keys = _keys_above(error, error.at.line)
    match = _KEY.match(text)
    key = f"'{match.group(3)}:'" if match else "this line"
    if not keys:
        return None
    item = next((k for k in keys if k.dash == indent), None)
    if item is not None and not text.lstrip().startswith("-"):
        return Place(error.at.line, indent), (
            f"{key} lines up with the '-' on line {(item.dash_line or 0) + 1}, so it is not part "
            f"of that list item: put it in {_columns([item])}, or start a new item with '- '"
        )
    return Place(error.at.line, indent), (
        f"{key} starts in column {indent + 1}, which lines up with no key above it: keys of one "
        f"mapping start in the same column; put it in {_columns(keys)}"
    )


def _undefined_alias(error: _Syntax) -> Explained:
    name = re.match(r"\*([^\s,\[\]{}]+)", error.line(error.at.line)[error.at.column :])
    alias = f"*{name.group(1)}" if name else "*"
    return error.at, (
        f"'{alias}' refers to an anchor '&{alias[1:]}' defined nowhere above it: if the value "
        f"is text starting with '*', put it in quotes (\"{alias}\")"
    )


def _quoted(error: _Syntax) -> Explained | None:
    """A quote never closed, or a backslash that starts an escape in double quotes."""
    opened = error.opened or error.at
    if "escape" in error.problem or "hexdecimal" in error.problem:
        backslash = error.line(error.at.line).rfind("\\", 0, error.at.column + 1)
        return Place(error.at.line, max(backslash, 0)), (
            "a backslash (\\) in double quotes starts an escape sequence: use single quotes "
            "for text with backslashes ('C:\\files\\x.yaml'), or forward slashes"
        )
    if "end of stream" in error.problem or "document separator" in error.problem:
        quote = error.line(opened.line)[opened.column : opened.column + 1] or '"'
        return opened, (
            f"the quote ({quote}) opened here is never closed: add the closing {quote} at the "
            "end of the value"
        )
    return None


def _flow(error: _Syntax) -> Explained | None:
    """A '{' or '[' not closed, or entries in one not separated by commas."""
    if "node content" in error.problem:
        return error.at, "an empty entry here: remove the extra ',' or put a value before it"
    opened = error.opened or error.at
    bracket = error.line(opened.line)[opened.column : opened.column + 1]
    if bracket not in ("{", "["):
        return None
    closing = "}" if bracket == "{" else "]"
    if opened.line == error.at.line:
        return error.at, (
            f"expected ',' or '{closing}' here, inside the '{bracket}' at column "
            f"{opened.column + 1}: separate entries with ', ' and close with '{closing}'"
        )
    return opened, f"the '{bracket}' opened here is not closed: add '{closing}' where it ends"


def _cannot_start(error: _Syntax) -> Explained | None:
    character = error.character
    if character == "\t":  # a tab where a line's content starts
        return _tab(error)
    if not character:
        return None
    return error.at, (
        f"'{character}' cannot start a value in YAML: put the value in quotes "
        f'("{error.line(error.at.line)[error.at.column :].strip()}")'
    )


def _second_document(error: _Syntax) -> Explained:
    return error.at, (
        "a second YAML document starts here ('---'): a file holds one; remove the line, or "
        "split the file in two"
    )


_HANDLERS: tuple[tuple[Callable[[_Syntax], bool], Callable[[_Syntax], Explained | None]], ...] = (
    (lambda e: "tab character" in e.problem or "'\\t'" in e.problem, _tab),
    (lambda e: e.problem.startswith("mapping values are not allowed"), _mapping_values),
    (lambda e: "could not find expected ':'" in e.problem, _expected_colon),
    (lambda e: "quoted scalar" in e.context, _quoted),
    (lambda e: "flow" in e.context and ("','" in e.problem or "node content" in e.problem), _flow),
    (lambda e: "undefined alias" in e.problem, _undefined_alias),
    (lambda e: "cannot start any token" in e.problem, _cannot_start),
    (lambda e: "single document" in e.context, _second_document),
    (
        lambda e: (
            "block" in e.context
            and ("<block end>" in e.problem or "did not find expected" in e.problem)
        ),
        _indentation,
    ),
)


def explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[str, str] | None:
    """Where a YAML syntax error is and what to do, in plain words; None to keep PyYAML's."""
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return None
    opened = exc.context_mark if exc.problem_mark is not None else None
    error = _Syntax(
        problem=str(exc.problem or ""),
        context=str(exc.context or ""),
        at=Place(mark.line, mark.column),
        opened=Place(opened.line, opened.column) if opened is not None else None,
        lines=text.splitlines(),
    )
    for matches, handler in _HANDLERS:
        if matches(error):
            found = handler(error)
            if found is not None:
                return str(found[0]), found[1]
    return None
