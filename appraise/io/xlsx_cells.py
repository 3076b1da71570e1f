"""Writing and addressing cells: text is always text; formulas only from here.

Text that came from an input file (names, ids, notes, reasons, the command line) is always
written by ``put_text`` as a text cell, so ``=HYPERLINK(...)`` typed as an option name stays
text; only ``put_formula`` writes formulas, and only the workbook's own.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Sequence

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from appraise.io.xlsx_write import Result, record_result, record_row
from appraise.safe_text import FORMULA_TRIGGERS

MAX_CELL_TEXT = 32_767  # Excel's limit on the text in one cell


_SURROGATE = re.compile("[\ud800-\udfff]")
_NOT_XML = re.compile("[\ufffe\uffff]")  # XML 1.0 holds neither (openpyxl's pattern: controls)


def cell_text(value: object) -> str:
    """Text as a workbook cell can hold it: XML-illegal characters replaced, within Excel's limit.

    A file name Python read from the command line under an ASCII locale (``LANG=C``) holds its
    UTF-8 bytes as lone surrogates (``surrogateescape``); XML cannot hold those, and the saved
    workbook would not open. They are turned back into the name's bytes and read as UTF-8
    (anything that is still not text becomes U+FFFD). Text longer than a cell holds is cut
    with a note saying so.
    """
    text = str(value)
    if _SURROGATE.search(text):
        raw = b"".join(
            bytes([ord(char) - 0xDC00])
            if "\udc80" <= char <= "\udcff"
            else char.encode("utf-8", "replace")
            for char in text
        )
        text = raw.decode("utf-8", "replace")
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", _NOT_XML.sub("\ufffd", text))
    if len(text) <= MAX_CELL_TEXT:
        return text
    # Never cut quietly: the cell says that it was cut, and where the rest is.
    marker = " [cut: {:,} more characters; the whole text is in the input file]"
    keep = MAX_CELL_TEXT - len(marker.format(len(text)))
    return text[:keep] + marker.format(len(text) - keep)


def _cell(sheet: Worksheet, row: int, column: int) -> Cell:
    cell: Cell | MergedCell = sheet.cell(row=row, column=column)
    if isinstance(cell, MergedCell):  # no sheet writes into a merged cell
        raise TypeError(f"{sheet.title}!{address(column, row, absolute=False)} is merged")
    return cell


def put_text(sheet: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write ``value`` as a text cell, never a formula, whatever it starts with.

    openpyxl turns any string starting with ``=`` into a formula; setting the cell's type
    back to string after assigning keeps it text, and a leading formula character also gets
    the quote prefix, so Excel shows it as typed text even after the cell is edited.
    Characters XML cannot hold are replaced, and the text is cut to Excel's cell limit.
    """
    cell = _cell(sheet, row, column)
    set_text(cell, value)
    return cell


def set_text(cell: Cell | MergedCell, value: object) -> None:
    """Make ``cell`` a text cell holding ``value`` (see ``put_text``); the template's cells too."""
    text = cell_text(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def put_number(
    sheet: Worksheet, row: int, column: int, value: float | None, number_format: str = "General"
) -> Cell:
    """Write a number; ``None`` or NaN leaves the cell blank (a score nobody gave)."""
    cell = _cell(sheet, row, column)
    if value is not None and not math.isnan(value):
        cell.value = float(value)
    cell.number_format = number_format
    return cell


def put_formula(
    sheet: Worksheet,
    row: int,
    column: int,
    formula: str,
    result: Result,
    number_format: str = "General",
) -> Cell:
    """Write one of the workbook's own formulas (never text from an input file).

    ``result`` is what the formula evaluates to, as the tool computed it: it is saved with
    the formula, so a viewer that does not recalculate shows it.
    """
    if not formula.startswith("="):
        raise ValueError(f"not a formula: {formula!r}")
    cell = _cell(sheet, row, column)
    cell.value = formula
    cell.number_format = number_format
    record_result(sheet, row, column, cell_text(result) if isinstance(result, str) else result)
    return cell


def put_row(
    sheet: Worksheet,
    row: int,
    column: int,
    values: Sequence[object],
    number_format: str = "General",
    formulas: Sequence[str] = (),
    alignment: Alignment | None = None,
    fill: PatternFill | None = None,
) -> None:
    """Write plain cells from ``column`` on: numbers, text, or the workbook's own formulas.

    Cell ``j`` is ``formulas[j]`` saved with the result ``values[j]`` where that formula is
    given and not empty, else the number ``values[j]`` (NaN: blank) or the text, always as
    text (``put_text``'s rules). Each is styled with ``number_format``, ``alignment`` and
    ``fill`` only, as ``put_formula``, ``put_number`` and ``put_text`` write them, without an
    openpyxl cell (``xlsx_write.record_row``), so there is none to style or read back.
    """
    cells_ = [v if v.__class__ is float else _plain(v) for v in values]
    record_row(sheet, row, column, cells_, number_format, formulas, alignment, fill)


def _plain(value: object) -> float | str:
    """A value as ``put_number`` or ``put_text`` writes it: None a blank, a number a float."""
    if value is None:
        return math.nan
    if isinstance(value, numbers.Real):  # int, bool, numpy's numbers
        return float(value)
    return cell_text(value)


def address(column: int, row: int, *, absolute: bool = True) -> str:
    """A1 address of a cell, ``$C$5`` by default."""
    letter = get_column_letter(column)
    return f"${letter}${row}" if absolute else f"{letter}{row}"


def cells(c1: int, r1: int, c2: int, r2: int, *, absolute: bool = True) -> str:
    """A1 address of a range, ``$C$5:$E$9`` by default."""
    return f"{address(c1, r1, absolute=absolute)}:{address(c2, r2, absolute=absolute)}"


def sheet_ref(title: str, column: int, row: int) -> str:
    """An absolute reference to a cell on another sheet: ``'Totals x'!$C$5``."""
    return f"{quote_sheetname(title)}!{address(column, row)}"
