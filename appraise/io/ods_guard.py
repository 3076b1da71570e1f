"""An OpenDocument spreadsheet's package checked before python-calamine reads it.

An .ods is a zip of XML, so it is held to every limit an .xlsx is (``xlsx_guard``: sizes,
parts, the unpacking ratio, encryption, damaged parts, encodings, element counts). What is its
own is repetition: ``table:number-rows-repeated`` and ``table:number-columns-repeated`` let
a few bytes stand for a million rows or columns, and ``text:s text:c`` for a million spaces.
calamine builds a value for each repeated cell that holds one, and every sheet as a full
rectangle up to its last value (797 bytes asked it for a billion cells), then
``calamine_read`` pads each sheet to A1. So content.xml's rows and cells are counted here as
calamine counts them, and refused past what a scoring workbook could need. Rows and columns
hidden (``table:visibility``) and cells merged (``table:number-columns-spanned``, ``-rows-``)
are noted on the way: calamine does not say, and the scoring workbook's reader refuses hidden
ones that hold data, and merged cells in a table.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from appraise.errors import InputError
from appraise.io.xlsx_guard import (
    MAX_MERGED,
    CellPart,
    SheetLayout,
    check_container,
    survey_package,
)
from appraise.io.xlsx_layout import MAX_ROWS
from appraise.limits import MAX_SHEETS, MAX_WORKBOOK_CELLS
from appraise.safe_text import cut

MAX_REPEATED_SPACES = 1_000_000
"""Spaces written as ``<text:s text:c="N"/>``, in all: a scoring workbook's text needs few."""

# The names calamine matches, prefixes included (it compares qualified names as written).
_TAG = re.compile(
    rb"<(/?)(table:table|table:table-row|table:table-column|table:table-cell|"
    rb"table:covered-table-cell|text:s)"
    rb"(?=[\s/>])((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
)
_ROWS_REPEATED = re.compile(rb"\stable:number-rows-repeated\s*=\s*([\"'])(.*?)\1")
_COLUMNS_REPEATED = re.compile(rb"\stable:number-columns-repeated\s*=\s*([\"'])(.*?)\1")
_SPACES = re.compile(rb"\stext:c\s*=\s*([\"'])(.*?)\1")
_NAME = re.compile(rb"\stable:name\s*=\s*([\"'])(.*?)\1")
_SPANNED = re.compile(rb"\stable:number-(rows|columns)-spanned\s*=\s*([\"'])(.*?)\2")
_HIDDEN = re.compile(rb"\stable:visibility\s*=\s*([\"'])(?!visible\1)")  # collapsed, filter
# A cell calamine gives a value: any of these attributes (a string cell's text is its content).
_VALUE = re.compile(
    rb"\s(?:office:(?:value|string-value|date-value|time-value|boolean-value|value-type)"
    rb"|table:formula)\s*="
)
_COUNT = re.compile(rb"\d{1,12}")
# Elements of content.xml that are cells and their text: tables, rows, columns, cells and the
# paragraphs, spans, spaces, tabs and links inside them. Anything else counts as "other".
_OTHER_IN_CELLS = re.compile(
    rb"<(?!(?:table:(?:table|table-row|table-rows|table-header-rows|table-column|"
    rb"table-columns|table-header-columns|table-cell|covered-table-cell)|"
    rb"text:(?:p|span|s|tab|line-break|a))[\s/>])[A-Za-z_]"
)


class _Tables:
    """Rows and cells of content.xml as calamine expands them, counted tag by tag."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sheet = ""
        self.rows = 0  # rows so far in this sheet, repeats included
        self.last_row = 0  # the last row holding a value (1-based), 0 for none
        self.last_column = 0  # the last column holding a value in this sheet (1-based)
        self.before = 0  # cells from A1 to the last value of the sheets before this one
        self.spaces = 0
        self.sheets = 0
        self.row_repeats = 1
        self.column = 0  # columns so far in this row, repeats included
        self.row_last = 0  # the last column holding a value in this row
        self.columns = 0  # columns declared so far in this sheet (table:table-column)
        self.row_hidden = False
        self.layout: dict[str, SheetLayout] = {}
        self.merged = 0

    def feed(self, text: bytes) -> None:
        """Count the tags in ``text`` (whole tags, in document order)."""
        for match in _TAG.finditer(text):
            closing, name, attributes = match.groups()
            ends = bool(closing) or attributes.rstrip().endswith(b"/")
            if name == b"table:table":
                self._table(attributes, bool(closing), ends)
            elif name == b"table:table-row":
                if not closing:
                    self._row(attributes)
                if ends:
                    self._end_row()
            elif not closing:
                self._inside_row(name, attributes)

    def _inside_row(self, name: bytes, attributes: bytes) -> None:
        """A column's declaration, a cell, or repeated spaces in a cell's text."""
        if name == b"text:s":
            self.spaces += self._count(attributes, _SPACES, "spaces")
            if self.spaces > MAX_REPEATED_SPACES:
                self._refuse(
                    f"more than {MAX_REPEATED_SPACES:,} spaces written as repeats (text:s); a "
                    "scoring workbook's text needs far fewer"
                )
            return
        repeats = self._count(attributes, _COLUMNS_REPEATED, "columns")
        if name == b"table:table-column":
            if _HIDDEN.search(attributes):
                hidden = self._layout().hidden_columns
                hidden.append((self.columns + 1, self.columns + repeats))
            self.columns += repeats
            return
        spans = {m.group(1): m.group(3) for m in _SPANNED.finditer(attributes)}
        if spans.get(b"rows", b"1") != b"1" or spans.get(b"columns", b"1") != b"1":
            self._merge(spans, repeats)
        self.column += repeats  # a cell
        if _VALUE.search(attributes):
            self.row_last = self.column

    def _merge(self, spans: dict[bytes, bytes], repeats: int) -> None:
        """A cell spanning others, at each of its repeats (counted to the limit on merges)."""
        down, across = (spans.get(k, b"1") for k in (b"rows", b"columns"))
        if not (_COUNT.fullmatch(down) and _COUNT.fullmatch(across)):
            self._refuse(
                "a count of merged cells is not a whole number; the spreadsheet is damaged: "
                "open it in LibreOffice and save it again"
            )
        self.merged += repeats
        if self.merged > MAX_MERGED:
            self._refuse(
                f"more than {MAX_MERGED:,} merged ranges; a scoring workbook needs far fewer: "
                "unmerge them and save"
            )
        row = self.rows + 1
        for column in range(self.column + 1, self.column + repeats + 1):
            last = (row + max(int(down), 1) - 1, column + max(int(across), 1) - 1)
            self._layout().merged.append((row, column, *last))

    def _layout(self) -> SheetLayout:
        return self.layout.setdefault(self.sheet, SheetLayout())

    def _row(self, attributes: bytes) -> None:
        self.row_repeats = self._count(attributes, _ROWS_REPEATED, "rows")
        self.column = self.row_last = 0
        self.row_hidden = _HIDDEN.search(attributes) is not None

    def _table(self, attributes: bytes, closing: bool, ends: bool) -> None:
        if not closing:
            named = _NAME.search(attributes)
            text = named.group(2).decode("utf-8", "replace") if named else "?"
            self.sheet, self.columns = html.unescape(text), 0
            self.sheets += 1
            if self.sheets > MAX_SHEETS:
                self._refuse(f"more than {MAX_SHEETS:,} sheets; a scoring workbook needs ten")
        if ends:
            self.before += self.last_row * self.last_column
            self.rows = self.last_row = self.last_column = 0

    def _end_row(self) -> None:
        if self.row_hidden:
            self._layout().hidden_rows.append((self.rows + 1, self.rows + self.row_repeats))
        self.rows += self.row_repeats
        if self.row_last:
            self.last_row = self.rows
            self.last_column = max(self.last_column, self.row_last)
        self.row_repeats, self.column, self.row_last = 1, 0, 0
        if self.last_row > MAX_ROWS:
            self._refuse(
                f"more than {MAX_ROWS:,} rows (a value in row {self.last_row:,}, repeated rows "
                f"included); the limit is {MAX_ROWS:,}: delete the rows below the data and save"
            )
        if self.before + self.last_row * self.last_column > MAX_WORKBOOK_CELLS:
            self._refuse(
                f"the workbook has more than {MAX_WORKBOOK_CELLS:,} cells from A1 to the last "
                f"value of each sheet (here row {self.last_row:,}, column {self.last_column:,}, "
                "repeated cells included); delete unused rows and columns and save"
            )

    def _count(self, attributes: bytes, pattern: re.Pattern[bytes], what: str) -> int:
        found = pattern.search(attributes)
        if found is None:
            return 1
        if not _COUNT.fullmatch(found.group(2)):
            value = found.group(2).decode("utf-8", "replace")
            self._refuse(
                f"a count of repeated {what} is {cut(value)!r}, not a whole number; the "
                "spreadsheet is damaged: open it in LibreOffice and save it again"
            )
        return int(found.group(2))

    def _refuse(self, message: str) -> None:
        where = f"sheet '{cut(self.sheet)}'" if self.sheet else "part 'content.xml'"
        raise InputError(self.path, where, message)


def check_ods(path: Path) -> dict[str, SheetLayout]:
    """Refuse an .ods whose package or content is past the limits, before calamine reads it.

    Returns what calamine does not say of each sheet (by name): hidden rows and columns, merges.
    """
    check_container(path)
    tables = _Tables(path)
    survey_package(path, {"content.xml": CellPart(_OTHER_IN_CELLS, tables.feed)})
    return tables.layout
