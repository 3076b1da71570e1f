"""The Criteria sheet: every criterion and sub-criterion with live shares and global weights.

Its yellow "Weight used" cells are the ones an HCE member edits; its global weight cells are
the ones every other formula in the workbook reads.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from appraise.io.xlsx_cells import address, cells, put_formula, put_number, put_text
from appraise.io.xlsx_layout import points_text
from appraise.present.workbook.context import (
    CRITERIA_COLUMNS,
    FAMILY_COL,
    GLOBAL_COL,
    HEADER_ROW,
    LOCAL_COL,
    USED_COL,
    Styles,
    WorkbookContext,
)
from appraise.present.workbook.tables import long_table, set_widths, write_header, write_title


@dataclass(frozen=True)
class _Node:
    """What the Criteria sheet shows of a criterion or sub-criterion besides its formulas."""

    id: str
    name: str
    level: str
    parent: str
    entered: float
    used: float


def _criteria_row(
    sheet: Worksheet,
    row: int,
    node: _Node,
    formulas: tuple[str, str, str],
    results: tuple[float, float, float],
    styles: Styles,
) -> None:
    """One row: id, name, level, parent, weights entered and used, then the three formulas.

    ``results`` are the formulas' values for the weights used: family sum, local share,
    global weight.
    """
    for column, text in enumerate((node.id, node.name, node.level, node.parent), start=1):
        put_text(sheet, row, column, text)
    put_number(sheet, row, 5, node.entered)
    put_number(sheet, row, USED_COL, node.used).fill = styles.editable_fill
    for column, formula, result, number_format in zip(
        (FAMILY_COL, LOCAL_COL, GLOBAL_COL),
        formulas,
        results,
        ("0.0##", styles.percent, styles.percent),
        strict=True,
    ):
        put_formula(sheet, row, column, formula, result, number_format)


def _share(used: float, family: float) -> float:
    """A weight's local share of its family, as ``_local``'s formula computes it."""
    return 0.0 if family == 0 else used / family


def _local(row: int) -> str:
    used, family = address(USED_COL, row, absolute=False), address(FAMILY_COL, row, absolute=False)
    return f"=IF({family}=0,0,{used}/{family})"


def _criteria_table(sheet: Worksheet, context: WorkbookContext) -> int:
    """The criteria rows with live family sums, shares and global weights; returns last row."""
    rows, used, styles = context.criteria_rows, context.weights_used, context.styles
    criteria = context.tree.spec.criteria
    top_sum = "=SUM(" + ",".join(address(USED_COL, rows[c.id]) for c in criteria) + ")"
    top_total = sum(used[c.id] for c in criteria)
    for criterion in criteria:
        row = rows[criterion.id]
        local = address(LOCAL_COL, row, absolute=False)
        node = _Node(
            criterion.id, criterion.name, "criterion", "", criterion.weight, used[criterion.id]
        )
        share = _share(used[criterion.id], top_total)
        formulas = (top_sum, _local(row), f"={local}")
        _criteria_row(sheet, row, node, formulas, (top_total, share, share), styles)
        subs = criterion.sub or []
        if not subs:
            continue
        first, last = rows[subs[0].id], rows[subs[-1].id]
        family = f"=SUM({cells(USED_COL, first, USED_COL, last)})"
        family_total = sum(used[s.id] for s in subs)
        for sub in subs:
            r = rows[sub.id]
            global_ = f"={address(LOCAL_COL, row)}*{address(LOCAL_COL, r, absolute=False)}"
            node = _Node(sub.id, sub.name, "sub-criterion", criterion.id, sub.weight, used[sub.id])
            local_share = _share(used[sub.id], family_total)
            results = (family_total, local_share, share * local_share)
            _criteria_row(sheet, r, node, (family, _local(r), global_), results, styles)
    return max(rows.values())


def _criteria_notes(sheet: Worksheet, row: int, context: WorkbookContext) -> None:
    styles = context.styles
    weight_sets = sorted({r.weight_set for r in context.rankings if r.weight_set})
    first = context.rankings[0].settings if context.rankings else None
    given = ", ".join(f"{k} {v:g}" for k, v in (first.weights_given if first else ()))
    lines = [
        "Yellow cells (Weight used) are the ones to edit: change a weight and every global "
        "weight, contribution, total and rank in this workbook recalculates. Each family is "
        "rescaled to its own sum, so weights need not add to 100.",
        "Weight used = weight as entered"
        + (f", replaced where weight set '{weight_sets[0]}' sets it" if weight_sets else "")
        + (f", and where a weight was given ({given})." if given else "."),
        "Global weight = the criterion's local share x the sub-criterion's local share; a "
        "criterion scored directly (or in an indicative round) carries its own local share.",
    ]
    for leaf, function in context.tree.measures().items():
        lines.append(
            f"Measured: {context.tree.name(leaf)} ({leaf}) is scored by its value function, "
            f"{function.unit} to score, linearly between {points_text(function.points)}; "
            "each option's measure is on the Scores sheet (row 'measure'), beside the score."
        )
    lines += [f"Note: {note}" for note in context.tree.notes]
    for k, line in enumerate(lines):
        put_text(sheet, row + k, 2, line).font = styles.note_font


def write_criteria(sheet: Worksheet, context: WorkbookContext) -> None:
    """Criteria: every criterion and sub-criterion with live shares and global weights."""
    styles = context.styles
    write_title(
        sheet,
        f"Criteria: {context.tree.title}",
        styles,
        f"From {context.tree.path}. Edit the yellow 'Weight used' cells to try other weights.",
    )
    write_header(sheet, HEADER_ROW, CRITERIA_COLUMNS, styles)
    last = _criteria_table(sheet, context)
    _criteria_notes(sheet, last + 2, context)
    used = get_column_letter(USED_COL)
    check = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    check.error = "A weight is a number of points, 0 or more."
    check.add(f"{used}{HEADER_ROW + 1}:{used}{last}")
    sheet.add_data_validation(check)
    set_widths(sheet, {1: 22, 2: 60, 3: 14, 4: 16, 5: 11, 6: 11, 7: 11, 8: 11, 9: 11})
    long_table(sheet, HEADER_ROW, f"C{HEADER_ROW + 1}")
