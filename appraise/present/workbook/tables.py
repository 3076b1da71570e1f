"""What every sheet is made of: a title, table headers and headings, rows of values, widths.

Also the facts about a ranking that several sheets show (its scale, the scores it used, its
options' names).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from appraise.analysis.scoring import Ranking
from appraise.data import FloatArray
from appraise.io.xlsx_cells import put_row, put_text
from appraise.present.workbook.context import Styles

Value = str | float | None


def write_header(sheet: Worksheet, row: int, labels: Sequence[str], styles: Styles) -> None:
    """A table's header row, styled."""
    for column, label in enumerate(labels, start=1):
        cell = put_text(sheet, row, column, label)
        cell.font = styles.header_font
        cell.fill = styles.header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def write_title(sheet: Worksheet, text: str, styles: Styles, note: str = "") -> None:
    """A sheet's title in A1, with a note under it."""
    put_text(sheet, 1, 1, text).font = styles.title
    if note:
        put_text(sheet, 2, 1, note).font = styles.note_font


def set_widths(sheet: Worksheet, widths: Mapping[int, float]) -> None:
    """Column widths, by column number."""
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def long_table(sheet: Worksheet, header_row: int, freeze: str) -> None:
    """Freeze the panes under the header; print landscape, one page wide, header repeated."""
    sheet.freeze_panes = freeze
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def write_rows(
    sheet: Worksheet,
    row: int,
    rows: Sequence[Sequence[Value]],
    formats: Sequence[str | None],
) -> int:
    """Write rows from ``row``: text where the format is None, else numbers; the next row.

    Each run of numbers in one format is written as a row of plain cells (``put_row``).
    """
    for k, values in enumerate(rows):
        column = 1
        pairs = zip(values, formats, strict=True)
        for (kind, number_format), run in groupby(pairs, key=lambda vf: (_kind(vf[0]), vf[1])):
            items = [value for value, _ in run]
            if kind == "number":
                put_row(sheet, row + k, column, items, number_format or "General")
            elif kind == "text":
                put_row(sheet, row + k, column, items)
            column += len(items)
    return row + len(rows)


def _kind(value: Value) -> str:
    return "blank" if value is None else "text" if isinstance(value, str) else "number"


def write_heading(sheet: Worksheet, row: int, title: str, note: str, styles: Styles) -> int:
    """A table's heading and note; returns the row for its header."""
    put_text(sheet, row, 1, title).font = styles.heading
    if note:
        put_text(sheet, row + 1, 1, note).font = styles.note_font
        return row + 2
    return row + 1


def scores_used(ranking: Ranking) -> FloatArray:
    """The scores a ranking was computed from (options x leaves)."""
    if ranking.scores is None:
        raise ValueError(
            "the ranking carries no scores; compute it with appraise.analysis.scoring.rank"
        )
    return ranking.scores


def scale_text(ranking: Ranking) -> str:
    """The scale as a sheet shows it: ``1-5``, or ``-2 to 2``."""
    scale = ranking.sheet.scale
    return f"{scale.min:g} to {scale.max:g}" if scale.min < 0 else f"{scale.min:g}-{scale.max:g}"


def option_names(ranking: Ranking) -> dict[str, str]:
    """Option id -> name, as the ranking's score sheet gives them."""
    return {o.id: o.name for o in ranking.sheet.options}
