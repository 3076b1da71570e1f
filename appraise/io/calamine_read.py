"""OpenDocument (.ods) and legacy Excel (.xls) workbooks, read for their values (issue 18).

python-calamine reads each sheet's values (a formula's saved result, as openpyxl's
``data_only`` does); they are copied into an in-memory openpyxl workbook, sheet by sheet and
cell by cell, so the scoring workbook's reader, its checks and its messages (sheet and cell)
are the same for every format. Which reader a file needs is told by its content
(``sniff.workbook_format``), never its name. Guards first: an .ods is held to every limit of an
.xlsx package and its repeated rows and cells counted (``ods_guard``); an .xls's container and
records are walked and bounded (``xls_guard``). Only then does calamine see the file.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.workbook.child import INVALID_TITLE_REGEX
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.dimensions import ColumnDimension
from openpyxl.worksheet.worksheet import Worksheet

from appraise.errors import InputError
from appraise.io.faults import reading
from appraise.io.sniff import ODS, XLS, unreadable
from appraise.io.xlsx_guard import SheetLayout
from appraise.safe_text import cut

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

CalamineFormat = Literal["ods", "xls"]

_WHAT = {"ods": ODS.what, "xls": XLS.what}
PASSWORD = (
    "this file {what} protected by a password, which appraise cannot open: open it, remove "
    "the password, and save"
)


def calamine_workbook(path: Path, kind: CalamineFormat) -> Workbook:
    """The workbook's sheets and values as an openpyxl workbook (hidden sheets kept hidden)."""
    if kind == "ods":
        from appraise.io.ods_guard import check_ods

        layouts = check_ods(path)
    else:
        from appraise.io.xls_guard import check_xls

        layouts = check_xls(path)
    workbook = _copy(path, _sheets(path, kind))
    for sheet in workbook.worksheets:
        _lay_out(sheet, layouts.get(sheet.title, SheetLayout()))
    return workbook


def _lay_out(sheet: Worksheet, layout: SheetLayout) -> None:
    """Mark the rows and columns the file hides (within the sheet's values) and its merges.

    The scoring workbook's reader then refuses hidden ones that hold data, and merged cells in
    a table, as it does in an .xlsx. Marked, not merged: openpyxl's merge would empty the cells.
    """
    for first, last in layout.hidden_rows:
        for row in range(first, min(last, sheet.max_row) + 1):
            sheet.row_dimensions[row].hidden = True
    for top, left, bottom, right in layout.merged:
        cells = CellRange(min_col=left, min_row=top, max_col=right, max_row=bottom)
        sheet.merged_cells.add(cells)
    for first, last in layout.hidden_columns:
        if first <= sheet.max_column:
            letter = get_column_letter(first)
            sheet.column_dimensions[letter] = ColumnDimension(
                sheet, index=letter, min=first, max=min(last, sheet.max_column), hidden=True
            )


def _open(path: Path, kind: CalamineFormat) -> CalamineWorkbook:
    """The file opened by calamine as ``kind``.

    ``from_path`` goes by the name (and says more when it fails); ``from_filelike`` by the
    content, for a file whose name says otherwise.
    """
    from python_calamine import CalamineWorkbook

    if path.suffix.lower() == f".{kind}":
        return CalamineWorkbook.from_path(path)
    with path.open("rb") as stream:
        return CalamineWorkbook.from_filelike(stream)


def _sheets(path: Path, kind: CalamineFormat) -> list[tuple[str, str, list[list[Any]]]]:
    """(name, state, rows from A1) of every sheet, or one line saying why the file cannot be."""
    from python_calamine import CalamineError, PasswordError, SheetVisibleEnum

    def state(visible: SheetVisibleEnum) -> str:
        if visible == SheetVisibleEnum.Visible:
            return "visible"
        return "hidden" if visible == SheetVisibleEnum.Hidden else "veryHidden"

    try:
        with reading(path):
            book = _open(path, kind)
        with book:
            return [
                (
                    meta.name,
                    state(meta.visible),
                    book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False),
                )
                for meta in book.sheets_metadata
            ]
    except PasswordError:
        raise InputError(path, "", PASSWORD.format(what=_WHAT[kind])) from None
    except CalamineError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if reason == "Cannot detect file format":  # from_filelike keeps no more than that
            reason = "its content is damaged or incomplete"
        raise unreadable(path, kind, reason) from None
    except BaseException as exc:
        # calamine's Rust code panics on some malformed records (an index past a record's
        # end); PyO3 raises that as PanicException, a BaseException it does not export.
        if type(exc).__name__ != "PanicException":
            raise
        raise unreadable(path, kind, "a record is malformed") from None


def _copy(path: Path, sheets: list[tuple[str, str, list[list[Any]]]]) -> Workbook:
    """An openpyxl workbook holding the values, each in its own cell, A1 where calamine's is."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.worksheets[0])
    seen: dict[str, str] = {}
    for name, state, rows in sheets:
        where = f"sheet '{cut(name)}'"
        if not name or INVALID_TITLE_REGEX.search(name):
            raise InputError(
                path,
                where,
                "a sheet name holding any of []:*?/\\ cannot be read; rename the sheet (the "
                "template's sheets are named Group, Criteria, Options, Scores, ...)",
            )
        if name.casefold() in seen:
            raise InputError(
                path,
                where,
                f"two sheets are named alike ('{cut(seen[name.casefold()])}', '{cut(name)}'); "
                "rename or delete the one that is not the real one",
            )
        seen[name.casefold()] = name
        with warnings.catch_warnings():  # "more than 31 characters": read as it is
            warnings.simplefilter("ignore", UserWarning)
            sheet = workbook.create_sheet(name)
        sheet.sheet_state = state
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value == "":
                    continue
                cell = sheet.cell(row=r, column=c)
                if isinstance(value, str):
                    # Stored as openpyxl's own reader stores text read from an .xlsx: whole (the
                    # setter cuts at 32,767 characters) and as written (the setter refuses
                    # control characters); the scoring workbook's reader checks text itself.
                    cell._value = value
                    cell.data_type = "s"
                else:
                    cell.value = value
    return workbook
