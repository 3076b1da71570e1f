"""The plain text forms every result takes: JSON (streamed), CSV and Markdown tables.

Records keep full precision; ``trim_float`` drops float noise for CSV and Markdown only. Text
from input files is made safe for each form (``appraise.safe_text``).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any, overload

from appraise.safe_text import csv_text, escape_invisible, markdown_text


def trim_float(value: float) -> float:
    """``value`` to 12 significant digits, so float noise (34.69200000000001) reads 34.692.

    For CSV and Markdown rows; JSON keeps full precision. Twelve digits keep every figure a
    score sheet can mean, and drop the last few bits that sums leave behind; what cancels to
    below 1e-12 (0.15 + 0.3 - 0.45) is 0.
    """
    return 0.0 if abs(value) < 1e-12 else float(f"{value:.12g}")  # 5.6e-17 is a zero


Record = dict[str, Any]


def _row_encoder(ascii_only: bool) -> Callable[[Any], str]:
    """Compact JSON of one plain row, by the C encoder made once.

    ``JSONEncoder.encode`` builds the encoder again on every call, which dominates when there
    are a million rows.
    """
    escape = json.encoder.encode_basestring_ascii if ascii_only else json.encoder.encode_basestring
    make = getattr(json.encoder, "c_make_encoder", None)  # CPython's, not in typeshed
    if make is None:  # no C accelerator (another Python): the same text, more slowly
        return json.JSONEncoder(ensure_ascii=ascii_only, allow_nan=False).encode

    def unknown(value: Any) -> Any:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    iterencode = make(None, unknown, escape, None, ": ", ", ", False, False, False)

    def encode(value: Any) -> str:
        if isinstance(value, str):
            return escape(value)
        return "".join(iterencode(value, 0))

    return encode


_ENCODE = _row_encoder(ascii_only=False)
_ENCODE_ASCII = _row_encoder(ascii_only=True)
_CHUNK = 1 << 16  # characters gathered before a piece of JSON is handed on


def to_json(data: Any, ascii_only: bool = False) -> str:
    """Full-precision JSON, indented, with each list or mapping of plain values on one line.

    The whole of ``iter_json``; see there.
    """
    return "".join(iter_json(data, ascii_only))


def iter_json(data: Any, ascii_only: bool = False) -> Iterator[str]:
    """``to_json``'s text in pieces of about 64 K characters, for writing as it is made.

    ``json.dumps`` with ``indent`` runs in pure Python, about ten times slower than its compact
    C encoder; here only the nesting is written in Python and every innermost row goes through
    the C encoder, so a ranking of thousands of options (with spreads per cell) is written in a
    few seconds, and reads as one line per option, criterion or cell. Nothing beyond the
    current piece is held: a 200 MB document is written in bounded memory, its largest parts
    (``LazyRows``, ``LazyList``) made row by row as they are written.

    Args:
        data: Records: mappings, lists and plain values.
        ascii_only: Write every character beyond ASCII as a JSON escape (e for e-acute is
            written u00e9 after a backslash), for a stream that cannot encode it; the JSON
            reads back the same.

    Raises:
        NonFiniteNumber: A NaN or infinity in ``data``: JSON has no such numbers, and
            validation makes every figure finite, so this is a bug; the message says where.
    """
    encode = _ENCODE_ASCII if ascii_only else _ENCODE
    out: list[str] = []
    size = 0
    try:
        for piece in _encode(data, "\n", encode):
            out.append(piece)
            size += len(piece)
            if size >= _CHUNK:
                yield _safe_piece(out)
                out, size = [], 0
    except ValueError:
        where = _non_finite(data, "")
        if where is None:
            raise
        raise NonFiniteNumber(*where) from None
    yield _safe_piece(out)


def _safe_piece(pieces: list[str]) -> str:
    # JSON escapes C0 controls itself; C1 controls and the invisible formatting characters
    # (bidi overrides, zero-width spaces) it writes raw. They only ever stand inside strings
    # (JSON's own syntax is ASCII), so escaping them keeps the document valid and equal.
    return escape_invisible("".join(pieces))


class LazyRows(Mapping[str, Any]):
    """A mapping whose values are made when asked for: rows by the million, never all held.

    ``keys`` are known; ``row(key)`` makes the value. ``iter_json`` writes it like a dict.
    """

    def __init__(self, keys: Sequence[str], row: Callable[[str], Any]) -> None:
        self._keys = keys
        self._index = {key: n for n, key in enumerate(keys)}
        self._row = row

    def __getitem__(self, key: str) -> Any:
        if key not in self._index:
            raise KeyError(key)
        return self._row(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


class LazyList(Sequence[Any]):
    """A list whose items are made when read: rows by the million, never all held.

    ``item(k)`` makes item ``k``; ``iter_json`` writes it like a list.
    """

    def __init__(self, length: int, item: Callable[[int], Any]) -> None:
        self._length = length
        self._item = item

    def __len__(self) -> int:
        return self._length

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self._item(k) for k in range(*index.indices(self._length))]
        if not -self._length <= index < self._length:
            raise IndexError(index)
        return self._item(index % self._length)

    def __iter__(self) -> Iterator[Any]:
        return map(self._item, range(self._length))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LazyList({self._length} items)"


class NonFiniteNumber(ValueError):
    """A figure to be written as JSON is NaN or infinite: a bug, since validation bounds inputs."""

    def __init__(self, where: str, value: float) -> None:
        super().__init__(
            f"internal error: {where or 'the value'} is {value}, which JSON cannot hold; "
            "appraise validates its inputs so that this cannot happen: please report it"
        )


_SCALARS = frozenset({str, int, float, bool, type(None)})
_MAPPINGS = (dict, LazyRows)
_SEQUENCES = (list, tuple, LazyList)
_NESTED = _MAPPINGS + _SEQUENCES


def _non_finite(value: Any, where: str) -> tuple[str, float] | None:
    """The path (``options[0].total``) and value of the first NaN or infinity in ``value``."""
    if isinstance(value, float) and not math.isfinite(value):
        return where, value
    items: Any = ()
    if isinstance(value, Mapping):
        items = ((f"{where}.{key}" if where else str(key), v) for key, v in value.items())
    elif isinstance(value, _SEQUENCES):
        items = ((f"{where}[{n}]", v) for n, v in enumerate(value))
    return next((found for path, v in items if (found := _non_finite(v, path))), None)


def _encode(value: Any, newline: str, encode: Callable[[Any], str]) -> Iterator[str]:
    """``value``'s JSON: containers of containers spread over lines, plain rows on one."""
    if _is_plain(value):
        yield encode(_concrete(value))
    else:
        yield from _nested(value, newline, encode)


def _nested(value: Any, newline: str, encode: Callable[[Any], str]) -> Iterator[str]:
    """A container known to hold containers: one line per item, rows written whole."""
    inner = newline + "  "
    sep = inner
    if isinstance(value, _MAPPINGS):
        yield "{"
        for key, item in value.items():
            name = encode(key if type(key) is str else _key(key))
            if _is_plain(item):  # the common case, a row: written here, no deeper call
                yield f"{sep}{name}: {encode(_concrete(item))}"
            else:
                yield f"{sep}{name}: "
                yield from _nested(item, inner, encode)
            sep = "," + inner
        yield newline + "}"
    else:
        yield "["
        for item in value:
            if _is_plain(item):
                yield sep + encode(_concrete(item))
            else:
                yield sep
                yield from _nested(item, inner, encode)
            sep = "," + inner
        yield newline + "]"


def _concrete(value: Any) -> Any:
    if type(value) is LazyRows:
        return dict(value)
    return list(value) if type(value) is LazyList else value


def _key(key: Any) -> str:
    """A mapping key as ``json.dumps`` writes it: text as is, others in their JSON spelling."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return _ENCODE(key)
    raise TypeError(f"a JSON key must be text or a number, not {key!r}")


def _is_plain(value: Any) -> bool:
    """Whether ``value`` is written on one line.

    A scalar, an empty container, or a container of scalars and empty containers (a row).
    """
    if type(value) in _SCALARS:
        return True
    if isinstance(value, _MAPPINGS):
        values: Any = value.values()
    elif isinstance(value, _SEQUENCES):
        values = value
    else:
        return True  # not JSON at all: the encoder names it
    for item in values:
        if type(item) not in _SCALARS and isinstance(item, _NESTED) and item:
            return False
    return True


def to_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows as CSV with a header taken from every key seen, in order of first appearance.

    Text a spreadsheet would run as a formula (``=cmd|...``) starts with ``'`` (``csv_text``).
    """
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: csv_text(value) for key, value in row.items()} for row in rows)
    return out.getvalue()


def _cell(value: Any, digits: int) -> str:
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return markdown_text(value)


def to_markdown(
    rows: Sequence[Mapping[str, Any]], digits: int = 2, right: Collection[str] = ()
) -> str:
    """Rows as a GitHub-flavoured Markdown table (floats shown to ``digits`` places).

    Numeric columns are right-aligned, and so are the ``right`` columns: numbers already
    written as text (with thousands separators, say).
    """
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    numeric = {
        c
        for c in columns
        if all(isinstance(r.get(c), (int, float)) and not isinstance(r.get(c), bool) for r in rows)
    } | set(right)
    lines = [
        "| " + " | ".join(markdown_text(c) for c in columns) + " |",
        "| " + " | ".join("---:" if c in numeric else "---" for c in columns) + " |",
    ]
    lines += [
        "| " + " | ".join(_cell(row.get(c, ""), digits) for c in columns) + " |" for row in rows
    ]
    return "\n".join(lines) + "\n"
