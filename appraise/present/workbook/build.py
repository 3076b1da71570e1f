"""Sections in order and the openpyxl ``Workbook`` made from them, one sheet per section.

Every sheet is then given row heights for its wrapped text and the same print setup.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from appraise import __version__
from appraise.io.xlsx_write import wrapped_text, written_cells
from appraise.present.workbook.audit import write_audit, write_validation
from appraise.present.workbook.context import (
    AUDIT,
    CRITERIA,
    MAX_TITLE,
    SUMMARY,
    VALIDATION,
    Finding,
    Section,
    SheetSection,
    WorkbookContext,
)
from appraise.present.workbook.criteria import write_criteria
from appraise.present.workbook.sensitivity import write_sensitivity
from appraise.present.workbook.summary import write_summary
from appraise.present.workbook.totals import write_scores, write_totals

_FORBIDDEN_IN_TITLE = set("[]:*?/\\")


@dataclass(frozen=True)
class SummarySection:
    """The Summary sheet."""

    name: str = SUMMARY

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill the Summary sheet."""
        write_summary(sheet, context)


@dataclass(frozen=True)
class CriteriaSection:
    """The Criteria sheet, whose global weight cells every formula reads."""

    name: str = CRITERIA

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill the Criteria sheet."""
        write_criteria(sheet, context)


@dataclass(frozen=True)
class ScoresSection:
    """One group's Scores sheet."""

    name: str
    group: int

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill the Scores sheet of group number ``group``."""
        write_scores(sheet, context, context.groups[self.group])


@dataclass(frozen=True)
class TotalsSection:
    """One group's Totals sheet."""

    name: str
    group: int

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill the Totals sheet of group number ``group``."""
        write_totals(sheet, context, context.groups[self.group])


@dataclass(frozen=True)
class SensitivitySection:
    """One group's Sensitivity sheet."""

    name: str
    group: int

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill the Sensitivity sheet of group number ``group``."""
        write_sensitivity(sheet, context, context.groups[self.group])


@dataclass(frozen=True)
class ValidationSection:
    """The Validation sheet, with the findings of the sheets added to the workbook."""

    name: str = VALIDATION
    findings: tuple[Finding, ...] = ()

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill the Validation sheet."""
        write_validation(sheet, context, self.findings)


@dataclass(frozen=True)
class AuditSection:
    """The Audit sheet."""

    name: str = AUDIT

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill the Audit sheet."""
        write_audit(sheet, context)


def workbook_sections(context: WorkbookContext, extra: Sequence[Section] = ()) -> list[Section]:
    """Sections in order: Summary, Criteria, per group Scores and Totals, Sensitivity, extra, ...

    ... then Validation and Audit. Only groups with sensitivity results get a Sensitivity sheet;
    the Validation sheet also lists the ``findings`` of every extra ``SheetSection``.
    """
    sections: list[Section] = [SummarySection(), CriteriaSection()]
    for k, layout in enumerate(context.groups):
        sections += [ScoresSection(layout.scores_title, k), TotalsSection(layout.totals_title, k)]
    sections += [
        SensitivitySection(layout.sensitivity_title, k)
        for k, layout in enumerate(context.groups)
        if layout.sensitivity is not None
    ]
    findings = tuple(f for x in extra if isinstance(x, SheetSection) for f in x.findings)
    return [*sections, *extra, ValidationSection(findings=findings), AuditSection()]


def check_titles(sections: Sequence[Section]) -> None:
    """Refuse two sections that would write sheets of one title."""
    seen: set[str] = set()
    for section in sections:
        title = section.name
        if (
            not title
            or len(title) > MAX_TITLE
            or _FORBIDDEN_IN_TITLE & set(title)
            or title.startswith("'")
            or title.endswith("'")
        ):
            raise ValueError(
                f"sheet title {title!r}: 1 to 31 characters, none of []:*?/\\, "
                "not starting or ending with '"
            )
        if title.lower() in seen:
            raise ValueError(f"two sheets titled {title!r}")
        seen.add(title.lower())


def build_workbook(
    context: WorkbookContext,
    sections: Sequence[Section],
    tick: Callable[[], None] | None = None,
) -> Workbook:
    """An openpyxl ``Workbook`` with one sheet per section, in order; ``tick`` after each."""
    check_titles(sections)
    book = Workbook()
    for blank in book.worksheets:
        book.remove(blank)
    book.properties.creator = f"appraise {__version__}"
    book.properties.title = "Option appraisal for the Health and Care Executive"
    for section in sections:
        sheet = book.create_sheet(section.name)
        section.write(sheet, context)
        _fit_rows(sheet)
        _print_setup(sheet)
        if tick is not None:
            tick()
    return book


def _fit_rows(sheet: Worksheet) -> None:
    """Give rows with wrapped text the height their text needs.

    Spreadsheet programs do not grow a row for wrapped text written by a program until it is
    edited, so long notes would print over the next row. The height is estimated from the
    text's length and the column's width (about one character per width unit).
    """
    merged = {r.min_row: r for r in sheet.merged_cells.ranges if r.min_row == r.max_row}
    wrapped = [
        (cell.row, cell.column, cell.value)
        for cell in written_cells(sheet)
        if isinstance(cell.value, str) and cell.alignment.wrap_text
    ]
    wrapped += wrapped_text(sheet)
    lines: dict[int, int] = {}
    widths: dict[int, float] = {}
    for row, column, text in sorted(wrapped):
        if column not in widths:
            widths[column] = _width(sheet, column)
        width = widths[column]
        span = merged.get(row)
        if span is not None and span.min_col == column:
            width = sum(_width(sheet, c) for c in range(span.min_col, span.max_col + 1))
        needed = sum(max(1, math.ceil(len(part) / max(width, 1))) for part in text.split("\n"))
        lines[row] = max(lines.get(row, 1), needed)
    for number, count in lines.items():
        if count > 1:
            sheet.row_dimensions[number].height = min(409, 15 * count)


def _width(sheet: Worksheet, column: int) -> float:
    width = sheet.column_dimensions[get_column_letter(column)].width
    return float(width) if width else 8.43


def _print_setup(sheet: Worksheet) -> None:
    """Print each sheet landscape, fitted to the page width, however many pages long."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
