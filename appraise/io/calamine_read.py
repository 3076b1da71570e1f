"""OpenDocument (.ods) and legacy Excel (.xls) workbooks, read for their values (issue 18).

python-calamine reads each sheet's values (a formula's saved result, as openpyxl's
``data_only`` does); they are copied into an in-memory openpyxl workbook, sheet by sheet and
cell by cell, so the scoring workbook's reader, its checks and its messages (sheet and cell)
are the same for every format. Guards first: the file's size, an .ods package's zip limits, and
the number of cells before any is copied.
"""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
from openpyxl.workbook.workbook import Workbook

from appraise.errors import InputError, Refused
from appraise.io.sniff import Sniffed
from appraise.limits import MAX_WORKBOOK_CELLS, MAX_XLSX_BYTES
from appraise.safe_text import cut, one_line


def calamine_workbook(path: Path, kind: Sniffed) -> Workbook:
    """The workbook's sheets and values as an openpyxl workbook (hidden sheets kept hidden).

    ``kind`` is what the file's bytes say it is (``sniff.ODS`` or ``sniff.XLS``), named in the
    message when it cannot be read.
    """
    from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

    if path.stat().st_size > MAX_XLSX_BYTES:
        raise Refused(path, "", f"larger than {MAX_XLSX_BYTES // 1_000_000} MB, the limit")
    try:
        with path.open("rb") as stream:  # by its content: from_path goes by the suffix
            book = CalamineWorkbook.from_filelike(io.BytesIO(stream.read()))
        sheets = [
            (
                meta.name,
                meta.visible,
                book.get_sheet_by_name(meta.name).to_python(skip_empty_area=False),
            )
            for meta in book.sheets_metadata
        ]
    except (CalamineError, ValueError, OSError) as exc:  # damaged, or not what it seems
        reason = cut(one_line(str(exc) or type(exc).__name__), 120)
        raise InputError(
            path,
            "",
            f"this file {kind.what}, but could not be read ({reason}): open it in LibreOffice "
            "or Excel and save it again, as .xlsx if you can",
        ) from None
    if not sheets:
        raise InputError(
            path, "", f"this file {kind.what}, but could not be read (it holds no sheets)"
        )
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
