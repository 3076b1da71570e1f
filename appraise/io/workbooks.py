"""A workbook's values, read by the reader its content needs (.xlsx, .ods or .xls)."""

from __future__ import annotations

from pathlib import Path

from openpyxl.workbook.workbook import Workbook

from appraise.io.sniff import workbook_format
from appraise.io.xlsx_guard import check_container, open_workbook, survey


def open_values(path: Path) -> tuple[Workbook, bool]:
    """A workbook's saved values, and whether any cell holds a formula, after its guards.

    Read by its content's reader, whatever its name: an .xlsx goes through ``check_container``,
    ``survey`` and openpyxl; an .ods or .xls through ``appraise.io.calamine_read`` into an
    openpyxl workbook of the same values (read for its values alone: formulas False).
    """
    kind = workbook_format(path)
    if kind == "xlsx":
        check_container(path)
        has_formulas = survey(path)
        return open_workbook(path, data_only=True), has_formulas
    from appraise.io.calamine_read import calamine_workbook

    return calamine_workbook(path, kind), False
