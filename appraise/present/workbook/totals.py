"""Each group's Scores and Totals sheets: the scores used, then live contributions and ranks.

Scores are values (per scorer, the score used, the spread); on the Totals sheet the
contributions, totals and ranks are formulas over the global weights of the Criteria sheet.
"""

from __future__ import annotations

import numpy as np
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from appraise.analysis.scoring import Ranking
from appraise.data import FloatArray
from appraise.io.xlsx_cells import address, cells, put_formula, put_number, put_text
from appraise.kernel import TIE_TOLERANCE
from appraise.present.workbook.context import (
    HEADER_ROW,
    SCORES_FIRST_LEAF_COL,
    TOTALS_FIRST_ROW,
    TOTALS_WEIGHT_ROW,
    GroupLayout,
    Styles,
    WorkbookContext,
)
from appraise.present.workbook.tables import (
    long_table,
    scale_text,
    scores_used,
    set_widths,
    write_header,
    write_title,
)

# Totals within this of each other share a rank, as in ``scoring.competition_ranks``.
TIE_TEXT = f"{TIE_TOLERANCE:G}"


# --- Scores --------------------------------------------------------------------------------


def _score_rows(layout: GroupLayout) -> list[tuple[str, int, FloatArray]]:
    """(label, option index, values) per row: each scorer, the score used, then the spread."""
    ranking = layout.ranking
    sheet_ = ranking.sheet
    used = scores_used(ranking)
    spread = ranking.spread
    rows: list[tuple[str, int, FloatArray]] = []
    for i, option in enumerate(sheet_.options):
        measures = sheet_.measured.get(option.id, {})
        if measures:  # the facts a measured leaf's score is derived from, in its own column
            values = np.array([measures.get(leaf, np.nan) for leaf in layout.leaf_ids])
            rows.append(("measure", i, values))
        if sheet_.per_scorer:
            rows += [(scorer, i, sheet_.raw[k, i]) for k, scorer in enumerate(sheet_.scorer_ids)]
        rows.append((f"used ({ranking.aggregate})" if sheet_.per_scorer else "used", i, used[i]))
        if sheet_.per_scorer and spread is not None:
            rows += [
                ("n", i, spread.n[i].astype(np.float64)),
                ("min", i, spread.low[i]),
                ("max", i, spread.high[i]),
                ("sd", i, spread.std[i]),
            ]
    return rows


def _disagreement_text(layout: GroupLayout, option_id: str) -> str:
    found = layout.disagreements_of.get(option_id, [])
    return "; ".join(f"{d.leaf} ({d.low:g} to {d.high:g}, {d.n} scorers)" for d in found)


def write_scores(sheet: Worksheet, context: WorkbookContext, layout: GroupLayout) -> None:
    """Scores: per scorer raw scores, the score used, the spread and disagreement flags."""
    styles, ranking = context.styles, layout.ranking
    write_title(
        sheet,
        f"Scores: {ranking.sheet.spec.name}",
        styles,
        f"From {ranking.sheet.path}; scale {scale_text(ranking)}; blank = not scored. "
        "Shaded cells: scorers far apart on a heavily weighted criterion.",
    )
    labels = [
        "Scorer / measure",
        "Option id",
        "Option",
        *layout.leaf_ids,
        "Scorers disagree on",
        "Declared interest",
    ]
    scorers = ranking.sheet.spec.scorers
    write_header(sheet, HEADER_ROW, labels, styles)
    flagged = {(d.option, d.leaf) for d in ranking.disagreements}
    flag_col = SCORES_FIRST_LEAF_COL + len(layout.leaf_ids)
    row = HEADER_ROW
    for label, i, values in _score_rows(layout):
        row += 1
        option = ranking.sheet.options[i]
        for column, text in enumerate((label, option.id, option.name), start=1):
            put_text(sheet, row, column, text)
        number = styles.number if label in {"sd"} or label.startswith("used") else "General"
        for j, leaf in enumerate(layout.leaf_ids):
            cell = put_number(sheet, row, SCORES_FIRST_LEAF_COL + j, float(values[j]), number)
            if (option.id, leaf) in flagged and label.startswith("used"):
                cell.fill = styles.flag_fill
        flags = _disagreement_text(layout, option.id) if label.startswith("used") else ""
        if flags:
            put_text(sheet, row, flag_col, flags).fill = styles.flag_fill
        interest = scorers[label].interests.get(option.id) if label in scorers else None
        if interest:
            put_text(sheet, row, flag_col + 1, interest).fill = styles.flag_fill
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(flag_col + 1)}{row}"
    set_widths(
        sheet,
        {1: 18, 2: 18, 3: 40}
        | {c: 9 for c in range(4, flag_col)}
        | {flag_col: 40, flag_col + 1: 40},
    )
    long_table(sheet, HEADER_ROW, f"D{HEADER_ROW + 1}")


# --- Totals --------------------------------------------------------------------------------


def _row_of(ranking: Ranking, option_id: str) -> FloatArray:
    """The scores used for one option (the arrays are in file order)."""
    index = next(i for i, o in enumerate(ranking.sheet.options) if o.id == option_id)
    row: FloatArray = scores_used(ranking)[index]
    return row


def _contribution_formulas(layout: GroupLayout, row: int, gaps: bool) -> list[str]:
    """SUMPRODUCT of each criterion's leaf weights and the option's scores on this row.

    With gaps (``--missing renormalise``) each contribution is divided by the weight the
    option was scored on, as ``scoring.rank`` rescales that option's weights to sum to 1.
    """
    sheet_ = layout.ranking.sheet
    first_leaf = layout.leaf_column(layout.leaf_ids[0])
    last_leaf = layout.leaf_column(layout.leaf_ids[-1])
    denominator = ""
    if gaps:
        weights = cells(first_leaf, TOTALS_WEIGHT_ROW, last_leaf, TOTALS_WEIGHT_ROW)
        scores = cells(first_leaf, row, last_leaf, row, absolute=False)
        denominator = f'/SUMPRODUCT({weights},--({scores}<>""))'
    formulas = []
    for criterion in sheet_.tree.top_ids:
        columns = [
            layout.leaf_column(x) for x in layout.leaf_ids if sheet_.tree.parent(x) == criterion
        ]
        lo, hi = min(columns), max(columns)
        if hi - lo + 1 != len(columns):
            raise ValueError(f"leaves of '{criterion}' are not in adjacent columns")
        weights = cells(lo, TOTALS_WEIGHT_ROW, hi, TOTALS_WEIGHT_ROW)
        scores = cells(lo, row, hi, row, absolute=False)
        formulas.append(f"=SUMPRODUCT({weights},{scores}){denominator}")
    return formulas


def _totals_row(
    sheet: Worksheet, row: int, layout: GroupLayout, option_id: str, styles: Styles
) -> None:
    """An option's scores as values, then live contributions and total."""
    option = next(o for o in layout.ranking.sheet.options if o.id == option_id)
    put_text(sheet, row, 1, option.id)
    put_text(sheet, row, 2, option.name)
    values = _row_of(layout.ranking, option_id)
    for j, leaf in enumerate(layout.leaf_ids):
        put_number(sheet, row, layout.leaf_column(leaf), float(values[j]))
    formulas = _contribution_formulas(layout, row, bool(np.isnan(values).any()))
    first = layout.contribution_column(layout.ranking.sheet.tree.top_ids[0])
    for k, formula in enumerate(formulas):
        put_formula(sheet, row, first + k, formula, styles.number)
    span = cells(first, row, first + len(formulas) - 1, row, absolute=False)
    put_formula(sheet, row, layout.total_column, f"=SUM({span})", styles.number)
    put_text(sheet, row, layout.rank_column + 1, "yes" if option.status_quo else "")


def _weights_row(sheet: Worksheet, layout: GroupLayout, context: WorkbookContext) -> None:
    styles = context.styles
    put_text(sheet, TOTALS_WEIGHT_ROW, 2, "Global weight (from Criteria)").font = styles.note_font
    for leaf in layout.leaf_ids:
        column = layout.leaf_column(leaf)
        put_formula(
            sheet, TOTALS_WEIGHT_ROW, column, "=" + context.weight_cells[leaf], styles.percent
        )
    tree = layout.ranking.sheet.tree
    for criterion in tree.top_ids:
        columns = [layout.leaf_column(x) for x in layout.leaf_ids if tree.parent(x) == criterion]
        span = cells(min(columns), TOTALS_WEIGHT_ROW, max(columns), TOTALS_WEIGHT_ROW)
        put_formula(
            sheet,
            TOTALS_WEIGHT_ROW,
            layout.contribution_column(criterion),
            f"=SUM({span})",
            styles.percent,
        )


def write_totals(sheet: Worksheet, context: WorkbookContext, layout: GroupLayout) -> None:
    """Totals: scores used x live global weights, contributions, totals and ranks."""
    styles, ranking = context.styles, layout.ranking
    tree = ranking.sheet.tree
    write_title(
        sheet,
        f"Totals: {ranking.sheet.spec.name}",
        styles,
        "Scores as used (see the Scores sheet) x global weights (from the Criteria sheet). "
        "Contributions, totals and ranks are formulas; equal totals (within 1E-9) share a rank.",
    )
    _weights_row(sheet, layout, context)
    labels = ["Option id", "Option", *layout.leaf_ids, *(tree.name(c) for c in tree.top_ids)]
    write_header(sheet, HEADER_ROW, [*labels, "Total", "Rank", "Status quo"], styles)
    column = layout.total_column
    totals = cells(column, TOTALS_FIRST_ROW, column, layout.last_option_row)
    for option_id, row in layout.option_rows.items():
        _totals_row(sheet, row, layout, option_id, styles)
        mine = address(layout.total_column, row, absolute=False)
        put_formula(
            sheet, row, layout.rank_column, f"=SUMPRODUCT(--({totals}>{mine}+{TIE_TEXT}))+1"
        )
    if ranking.screened_out:
        heading_row = layout.last_option_row + 2
        put_text(
            sheet, heading_row, 1, "Failed a gate: not ranked, totals for reference"
        ).font = styles.warning_font
        for option_id, row in layout.screened_rows.items():
            _totals_row(sheet, row, layout, option_id, styles)
            put_text(sheet, row, layout.rank_column, "failed a gate")
    set_widths(sheet, {1: 18, 2: 40} | {c: 10 for c in range(3, layout.rank_column + 2)})
    long_table(sheet, HEADER_ROW, f"C{TOTALS_FIRST_ROW}")
