"""Reading a workbook's cells: the ``Reader`` every sheet's reader uses, and how it names places.

A cell's value as appraise reads it (numbers typed as text, TRUE/FALSE as Excel shows them), a
sheet found by name whatever its case, hidden sheets, rows and columns refused, header rows
found, and every problem gathered with the sheet and cell it is at.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from appraise.errors import Problem
from appraise.io.xlsx_guard import open_workbook
from appraise.io.xlsx_layout import (
    MAX_ROWS,
    NO_WORDS,
    YES_WORDS,
)
from appraise.safe_text import cut, some_names


def quoted(value: object) -> str:
    """A value from a cell, quoted in a message, cut to a readable length (``cut``)."""
    if value is None:
        return "None"
    return f"'{cut(str(value))}'"


def shown_cell(value: Any) -> str:
    """A cell's value quoted in a message: its repr (a date as ISO), cut to 40 characters."""
    text = repr(value.isoformat() if isinstance(value, (datetime, date)) else value)
    return text if len(text) <= 40 else text[:37] + "..."


def runs(numbers: list[int]) -> Iterator[tuple[int, int]]:
    """Consecutive runs in sorted numbers, as (first, last): [2, 3, 4, 7] -> (2, 4), (7, 7)."""
    start = None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            yield start, n
            start = None


HEADINGS_SHOWN = 3  # unknown headings reported one by one; more are one problem


def unknown_headings(
    r: Reader, row: int, unknown: list[tuple[str, object, int]], level: Sequence[str]
) -> None:
    """One error per heading that is no criterion id, or one for them all past a few.

    A row of 16,000 stray headings is one problem to fix (delete the columns), not 16,000.
    """
    lists = f"the Criteria sheet lists: {some_names([cut(i) for i in level])}"
    if len(unknown) <= HEADINGS_SHOWN:
        for where, shown, _ in unknown:
            r.error(
                where,
                f"heading {quoted(shown)} is not a criterion id ({lists}); put notes in the "
                "'evidence' column, or delete the column",
            )
        return
    where, shown, _ = unknown[0]
    last = get_column_letter(unknown[-1][2])
    r.error(
        where,
        f"heading {quoted(shown)} and {len(unknown) - 1:,} more to its right (to {last}{row}) are "
        f"not criterion ids ({lists}); put notes in the 'evidence' column, or delete the columns",
    )


def sheet_place(sheet: str, row: int, col: int | None = None) -> str:
    """A place as every message names it: ``sheet 'Scores', cell C3`` (or ``row 3``)."""
    if col is None:
        return f"sheet '{cut(sheet)}', row {row}"
    return f"sheet '{cut(sheet)}', cell {get_column_letter(col)}{row}"


@dataclass
class Reader:
    """One workbook being read.

    Its values (and formulas, when asked for), where each YAML path came from, and every
    problem found so far.
    """

    path: Path
    values: Workbook
    has_formulas: bool = True
    where: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)
    missing_columns: bool = False
    _formulas: Workbook | None = None

    @property
    def formulas(self) -> Workbook:
        """The workbook read again with formulas instead of their saved values (when needed)."""
        if self._formulas is None:
            self._formulas = open_workbook(self.path, data_only=False)
        return self._formulas

    def error(self, where: str, message: str) -> None:
        """Note a problem at a place; reading goes on."""
        self.problems.append(Problem(str(self.path), where, message))

    def sheet(self, title: str, required: bool = True) -> Worksheet | None:
        """The sheet of that title (any case), checked for size and hidden data; None if absent."""
        wanted = title.casefold()
        named = [ws for ws in self.values.worksheets if ws.title.strip().casefold() == wanted]
        if len(named) > 1:  # 'Scores' and 'Scores ': which is read must not depend on tab order
            listed = ", ".join(quoted(ws.title) for ws in named[:3])
            self.error(
                f"sheet '{cut(named[1].title)}'",
                f"two sheets are named {title} ({listed}); rename or delete the one that is not "
                "the real one",
            )
            return None
        if named:
            ws = named[0]
            if ws.max_row > MAX_ROWS:
                self.error(
                    f"sheet '{cut(ws.title)}'",
                    f"has {ws.max_row:,} rows; the limit is {MAX_ROWS:,}",
                )
                return None
            self.hidden(ws)
            return ws  # read even when refused, so one pass finds everything else too
        if required:
            found = some_names([quoted(ws.title) for ws in self.values.worksheets])
            self.error(
                "", f"no sheet named '{title}' (sheets: {found}); make one with `appraise template`"
            )
        return None

    def hidden(self, ws: Worksheet) -> None:
        """Refuse hidden sheets, rows and columns that hold data (each run of them once).

        Refused, not skipped: what is ranked must be what reviewers of the workbook can see, and
        unhiding is one click. A zero height or width hides as well as the hidden flag does.
        """
        if ws.title in self.checked:
            return
        self.checked.add(ws.title)
        filled = [(row, col) for (row, col), c in ws._cells.items() if c.value not in (None, "")]
        if not filled:
            return
        if ws.sheet_state != "visible":
            self.error(
                f"sheet '{ws.title}'",
                f"the sheet is {ws.sheet_state}; unhide it (right-click a sheet tab > "
                "Unhide) so everyone can see what is read, save, and run again",
            )
        rows = {r for r, d in ws.row_dimensions.items() if d.hidden or d.ht == 0}
        columns = {
            c
            for d in ws.column_dimensions.values()
            if d.hidden or (d.customWidth and d.width == 0)
            for c in range(d.min or 0, (d.max or d.min or 0) + 1)
        }
        for what, hidden, used in (
            ("row", rows, {row for row, _ in filled}),
            ("column", columns, {col for _, col in filled}),
        ):
            for first, last in runs(sorted(hidden & used)):
                name = get_column_letter if what == "column" else str
                span = name(first) if first == last else f"{name(first)}:{name(last)}"
                many = "s" if first != last else ""
                self.error(
                    f"sheet '{ws.title}', {what}{many} {span}",
                    f"hidden {what}{many} holding data; unhide {'them' if many else 'it'} "
                    f"(select the {what}s either side, right-click > Unhide) so everyone can see "
                    "what is read, save, and run again",
                )

    def cell(self, ws: Worksheet, row: int, col: int) -> Any:
        """A cell's value: text trimmed, numbers stored as text turned into numbers."""
        value = ws.cell(row=row, column=col).value
        if value is None:
            if not self.has_formulas:
                return None
            formula = self.formulas[ws.title].cell(row=row, column=col).value
            if isinstance(formula, str) and formula.startswith("="):
                self.error(
                    sheet_place(ws.title, row, col),
                    f"formula {quoted(formula)} has no saved result; open and save the workbook "
                    "in a spreadsheet program, or type the value",
                )
            return None
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def merged(self, ws: Worksheet, header_row: int) -> None:
        """Merged cells in the header row or below it (above it, a title may be merged)."""
        for merged in ws.merged_cells.ranges:
            if merged.max_row >= header_row:
                what = "the header row" if merged.min_row <= header_row else "the data"
                self.error(
                    f"sheet '{ws.title}', cells {merged.coord}",
                    f"merged cells in {what}; unmerge them so each cell holds one value",
                )

    def unheaded(self, ws: Worksheet, header_row: int, shown: int = 5) -> None:
        """Values below the header in a column with no heading, which would be dropped unread."""
        headed = {
            col
            for (row, col), cell in ws._cells.items()
            if row == header_row and isinstance(cell.value, str) and cell.value.strip()
        }
        stray = sorted(
            (row, col, cell.value)
            for (row, col), cell in ws._cells.items()
            if row > header_row and col not in headed and cell.value not in (None, "")
        )
        for row, col, value in stray[:shown]:
            self.error(
                sheet_place(ws.title, row, col),
                f"{shown_cell(value)} is in a column with no heading in row {header_row}; add a "
                "heading, or clear the cell",
            )
        if len(stray) > shown:
            self.error(
                f"sheet '{ws.title}'",
                f"and {len(stray) - shown} more cells in columns with no heading",
            )

    def header(self, ws: Worksheet, must: str, search_rows: int = 10) -> tuple[int, dict[str, int]]:
        """Find the header row (the first with a cell reading ``must``); column per heading.

        Headings are compared ignoring case and spaces, so two that differ only so are an error
        (the second column would otherwise be dropped without a word), as are merged headings.
        """
        for row in range(1, min(ws.max_row, search_rows) + 1):
            headings: dict[str, int] = {}
            repeats: list[tuple[int, str]] = []
            for col in range(1, ws.max_column + 1):
                value = ws.cell(row=row, column=col).value
                if isinstance(value, str) and value.strip():
                    if value.strip().casefold() in headings:
                        repeats.append((col, value.strip()))
                    headings.setdefault(value.strip().casefold(), col)
            if must in headings:
                self.merged(ws, row)
                self.unheaded(ws, row)
                for col, heading in repeats:
                    first = get_column_letter(headings[heading.casefold()])
                    self.error(
                        sheet_place(ws.title, row, col),
                        f"heading {quoted(heading)} repeats the one in {first}{row} (headings are "
                        "compared ignoring case); rename or remove one column",
                    )
                return row, headings
        self.merged(ws, 1)
        self.error(
            f"sheet '{ws.title}'",
            f"no header row with a '{must}' column in the first {search_rows} rows",
        )
        return 0, {}

    def records(
        self, title: str, key: str, required: bool = False
    ) -> list[tuple[int, dict[str, Any]]]:
        """Non-blank rows of a simple table as ``(row number, {heading: value})``."""
        ws = self.sheet(title, required)
        if ws is None:
            return []
        top, headings = self.header(ws, key)
        if not top:
            return []
        out = []
        for row in range(top + 1, ws.max_row + 1):
            record = {h: self.cell(ws, row, c) for h, c in headings.items()}
            if any(v is not None for v in record.values()):
                out.append((row, record))
                for h, c in headings.items():
                    record.setdefault(h, None)
                    self.where.setdefault(f"@{title}:{row}:{h}", sheet_place(ws.title, row, c))
        return out

    def at(self, title: str, row: int, heading: str) -> str:
        """The place of a record's field (its cell when the column is known, else its row)."""
        return self.where.get(f"@{title}:{row}:{heading}", sheet_place(title, row))

    def flag(self, title: str, row: int, heading: str, value: Any, what: str) -> bool | Any:
        """A yes/no cell as a boolean; anything else is reported and returned as it is."""
        if value is None or isinstance(value, bool):
            return bool(value)
        text = str(value).strip().casefold()
        if text in YES_WORDS:
            return True
        if text in NO_WORDS:
            return False
        self.error(
            self.at(title, row, heading), f"{what}: expected yes or no, found {shown_cell(value)}"
        )
        return value


# Text that is a number as a spreadsheet shows one: digits, a decimal point, an exponent, and
# commas only as thousands separators (``300,000``). ``3,5`` is left as text, so it is refused
# at its cell with a hint to write 3.5, never read as 35; so are Python's own spellings that no
# spreadsheet writes (``1_000``).
_NUMBER_TEXT = re.compile(r"\s*[+-]?(\d{1,3}(,\d{3})+|\d*)(\.\d*)?([eE][+-]?\d+)?\s*")


def number_of(value: Any) -> Any:
    """Numbers stored as text become numbers; anything else is left for validation to report."""
    if isinstance(value, str):
        if not _NUMBER_TEXT.fullmatch(value) or not any(c.isdigit() for c in value):
            return value
        number = float(value.replace(",", ""))
        return number if math.isfinite(number) else value
    if isinstance(value, bool):  # a TRUE/FALSE cell: shown as Excel shows it, not as YAML would
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:  # past a double's range: infinite, and refused as such
            return math.inf if value > 0 else -math.inf
    return value
