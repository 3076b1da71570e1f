"""OpenDocument (.ods) and legacy Excel (.xls) workbooks, read for their values (issue 18).

python-calamine reads each sheet's values (a formula's saved result, as openpyxl's
``data_only`` does); they are copied into an in-memory openpyxl workbook, sheet by sheet and
cell by cell, so the scoring workbook's reader, its checks and its messages (sheet and cell)
are the same for every format. Guards first: the file's size, an .ods package's zip limits, and
the number of cells before any is copied.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook

from appraise.errors import InputError, Refused
from appraise.limits import MAX_WORKBOOK_CELLS, MAX_XLSX_BYTES

READ_BY_CALAMINE = (".ods", ".xls")


def calamine_workbook(path: Path) -> Workbook:
    """The workbook's sheets and values as an openpyxl workbook (hidden sheets kept hidden)."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    if path.stat().st_size > MAX_XLSX_BYTES:
        raise Refused(path, "", f"larger than {MAX_XLSX_BYTES // 1_000_000} MB, the limit")
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheets = [
            (
                meta.name,
                meta.visible,
                book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False),
            )
            for meta in book.sheets_metadata
        ]
    except Exception as exc:  # calamine's own errors: a damaged or unsupported file
        raise InputError(
            path,
            "",
            f"could not be read as a workbook ({type(exc).__name__}: "
            f"{str(exc)[:120]}); open it and save it again",
        ) from None
    cells = sum(len(row) for _, _, rows in sheets for row in rows)
    if cells > MAX_WORKBOOK_CELLS:
        raise Refused(
            path, "", f"{cells:,} cells; the limit is {MAX_WORKBOOK_CELLS:,} per workbook"
        )
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.worksheets[0])
    for name, visible, rows in sheets:
        sheet = workbook.create_sheet(name[:31])
        if visible != SheetVisibleEnum.Visible:
            sheet.sheet_state = "hidden"
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value != "":
                    sheet.cell(row=r, column=c, value=value)
    return workbook
