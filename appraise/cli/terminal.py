"""What the command line prints, and printing it safely on any terminal.

The consoles, notes, the JSON/CSV/Markdown emitters and the progress bar; control
characters escaped and characters a terminal's encoding lacks written as look-alikes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from enum import Enum
from typing import Any, TypeVar

from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook, RichCast
from rich.segment import Segment

T = TypeVar("T")


class Format(str, Enum):
    """Output formats shared by every command."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class _Printable:
    r"""A renderable whose text, as drawn, shows control characters as escapes (``\x1b``).

    Rich keeps styles apart from text until it writes, so escaping each segment's text here
    catches whatever came from a file or the command line (a name, a path, a quoted key) in
    every table, note and error line, and leaves rich's own colours alone.
    """

    def __init__(self, renderable: ConsoleRenderable | RichCast | str) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        from appraise.safe_text import printable

        for segment in console.render(self.renderable, options):
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(printable(segment.text), segment.style)


class _PrintableHook(RenderHook):
    """Every renderable a console prints goes through ``_Printable``."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Printable(r) for r in renderables]


out = Console(soft_wrap=False)
err = Console(stderr=True, soft_wrap=True)
for _console in (out, err):
    _console.push_render_hook(_PrintableHook())
state: dict[str, Any] = {"debug": False, "notes": "normal"}  # notes: quiet, normal, verbose


def escape_markup(text: str) -> str:
    """``text`` with rich markup escaped, so a name like ``[bold]`` prints as written."""
    from rich.markup import escape

    return escape(text)


def print_notes(notes: Sequence[str]) -> None:
    """Notes on stderr, each once: those that change a figure, then the rest counted in a line.

    ``--verbose`` prints every note (those that change a figure first), ``--quiet`` none. A
    note longer than the terminal wraps between words, under its first word.
    """
    from appraise.notes import arrange

    if state["notes"] == "quiet":
        return
    arranged = arrange(notes, verbose=state["notes"] == "verbose")
    lines = list(arranged.shown)
    if arranged.hidden:
        lines.append(f"{arranged.summary()}: --verbose lists them")
    for line in lines:
        said("note:", line, "yellow")


def said(label: str, text: str, style: str = "") -> None:
    """``label text`` on stderr, wrapped between words, the lines after under ``text``.

    A word longer than a line (a deep path) stays whole: it is what a reader copies. Nothing
    under ``--quiet``.
    """
    import textwrap

    from rich.text import Text

    if state["notes"] == "quiet":
        return
    width = max(20, err.width - len(label) - 1)
    lines = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False) or [""]
    for k, line in enumerate(lines):
        head = Text(label, style=style) if k == 0 else Text(" " * len(label))
        err.print(Text.assemble(head, " ", line), soft_wrap=True)


def emit_text(text: str) -> None:
    """Text to stdout, ending in one line break."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def emit_json(data: object) -> None:
    """Write ``data`` to stdout as JSON, piece by piece as it is made.

    A ranking of a million cells is never held whole. ASCII-only (non-ASCII as JSON escapes)
    where stdout is not Unicode, and for any piece holding a file name that is not UTF-8
    (Python holds its bytes as lone surrogates): escaped, still the same JSON.
    """
    import codecs

    from appraise.present.formats import iter_json
    from appraise.safe_text import ascii_json

    encoding = codecs.lookup(getattr(sys.stdout, "encoding", None) or "utf-8").name
    unicode = encoding.startswith("utf")
    for piece in iter_json(data, ascii_only=not unicode):
        try:
            piece.encode("utf-8")
        except UnicodeEncodeError:
            sys.stdout.write(ascii_json(piece))
        else:
            sys.stdout.write(piece)
    sys.stdout.write("\n")


def one_or_all(records: Sequence[T]) -> T | Sequence[T]:
    """One file's record alone, several files' as a list (CONTRACT 3)."""
    return records[0] if len(records) == 1 else records


def emit(
    fmt: Format,
    record: Callable[[], object],
    rows: Callable[[], Sequence[Mapping[str, Any]]],
    markdown: Callable[[], str],
    tables: Callable[[], None],
) -> None:
    """A result in the format asked for: JSON, CSV rows, Markdown, or its terminal tables.

    Each form is made only when asked for (a ranking's full record is not built to draw its
    table of fifty).
    """
    from appraise.present.formats import to_csv

    if fmt is Format.json:
        emit_json(record())
    elif fmt is Format.csv:
        emit_text(to_csv(rows()))
    elif fmt is Format.markdown:
        emit_text(markdown())
    else:
        tables()


@contextmanager
def progress_bar(
    total: int, doing: str = "simulating", counted: bool = True
) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr for long work (a terminal only); yields a callback.

    ``total`` simulations, or cells of a workbook: 200,000 of either take over a second. The
    bar counts them, or (not ``counted``) says how far along it is in per cent.
    """
    if total < 200_000 or not err.is_terminal:
        yield lambda done: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn(doing),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}" if counted else "{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(doing, total=total)
        yield lambda done: bar.update(task, completed=done)


def writing_bar(cells: int) -> AbstractContextManager[Callable[[int], None]]:
    """A progress bar for writing a workbook of about ``cells`` cells (``progress_bar``)."""
    return progress_bar(cells, "writing the workbook", counted=False)


# What a terminal that cannot show a character gets instead: one ASCII character for each
# symbol appraise draws, so tables stay aligned (rich draws its own boxes in ASCII there).
_LOOKALIKES = {
    "→": ">",
    "█": "#",
    "░": "-",
    "·": ".",
    "•": "*",
    "◆": "*",
    "▲": "^",
    "≠": "!",
    "Σ": "S",
    "…": ".",
    "–": "-",  # noqa: RUF001
    "—": "-",
    "‘": "'",  # noqa: RUF001
    "’": "'",  # noqa: RUF001
    "“": '"',
    "”": '"',
    "≥": ">",
    "≤": "<",
    "×": "x",  # noqa: RUF001
}
OUTPUT_ERRORS = "appraise.lookalike"


def _lookalike(error: UnicodeError) -> tuple[str | bytes, int]:
    r"""Encoding error handler: a character the stream's encoding lacks, as ASCII.

    A symbol gets its look-alike, a letter its base (é as e), a byte of a file name that was
    not text goes out as that byte (as ``surrogateescape`` writes it), and anything else its
    escape (``\u4e2d``), so nothing is lost silently and nothing stops the output.
    """
    if not isinstance(error, UnicodeEncodeError):
        raise error
    import unicodedata

    char = error.object[error.start]
    if 0xDC80 <= ord(char) <= 0xDCFF:
        return bytes([ord(char) - 0xDC00]), error.start + 1
    if char in _LOOKALIKES:
        return _LOOKALIKES[char], error.start + 1
    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS"):
        line = "-" if "HORIZONTAL" in name and "VERTICAL" not in name else "|"
        return line if "AND" not in name else "+", error.start + 1
    base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if base.isprintable() and base:
        return base, error.start + 1
    return char.encode("ascii", "backslashreplace").decode(), error.start + 1


def safe_streams() -> None:
    """Make stdout and stderr print whatever the terminal's encoding (LANG=C, a latin-1 pipe).

    Python writes stdout in the locale's encoding and stops at the first character it lacks
    (a name with é under LANG=C); with this, such characters are written as ``_lookalike``
    says. JSON is written ASCII-only there instead (``_json``), so it stays exact.
    """
    import codecs
    import io

    codecs.register_error(OUTPUT_ERRORS, _lookalike)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors=OUTPUT_ERRORS)


def file_size_limit_as_error() -> None:
    """Past a file-size limit (``ulimit -f``) a write fails with EFBIG, which appraise reports.

    By default the signal SIGXFSZ kills the process there, mid-write, without a word.
    """
    import signal

    if hasattr(signal, "SIGXFSZ"):  # POSIX only
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
