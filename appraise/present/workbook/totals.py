"""Each group's Scores and Totals sheets: the scores used, then live contributions and ranks.

Scores are values (per scorer, the score used, the spread); on the Totals sheet the
contributions, totals and ranks are formulas over the global weights of the Criteria sheet.
"""

from __future__ import annotations

from itertools import groupby

import numpy as np
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from appraise.analysis.scoring import Ranking
from appraise.data import FloatArray
from appraise.io.xlsx_cells import (
    address,
    cells,
    put_formula,
    put_row,
    put_text,
    sheet_ref,
)
from appraise.kernel import TIE_TOLERANCE, weighted_sum
from appraise.model import Settings
from appraise.present.workbook.context import (
    HEADER_ROW,
    SCORES_FIRST_LEAF_COL,
    TOTALS_FIRST_ROW,
    TOTALS_WEIGHT_ROW,
    GroupLayout,
    ScoreRow,
    Styles,
    WorkbookContext,
    scorer_cells,
)
from appraise.present.workbook.tables import (
    long_table,
    scale_text,
    scores_used,
    set_widths,
    write_header,
    write_title,
)
from appraise.weights import membership

# Totals within this of each other share a rank, as in ``scoring.competition_ranks``.
TIE_TEXT = f"{TIE_TOLERANCE:G}"


# --- Scores --------------------------------------------------------------------------------


_SPREAD = {  # the spread rows' formulas over one option's scorer cells, and when blank
    "n": "=COUNT({cells})",
    "min": '=IF(COUNT({cells})=0,"",MIN({cells}))',
    "max": '=IF(COUNT({cells})=0,"",MAX({cells}))',
    "sd": "=IF(COUNT({cells})<2,0,STDEV({cells}))",
}
_AGGREGATE = {"mean": "AVERAGE", "median": "MEDIAN"}


def _settings(ranking: Ranking) -> Settings:
    """The settings a ranking was computed with."""
    return ranking.settings or Settings()


def _result(value: float) -> float | str:
    """A formula's saved result: the number, or "" where the tool has none (not scored)."""
    return "" if np.isnan(value) else float(value)


def _counts(ranking: Ranking, scorer: int, option: int) -> bool:
    """Whether a scorer's scores of an option count (not left out for a declared interest)."""
    sheet_ = ranking.sheet
    info = sheet_.spec.scorers.get(sheet_.scorer_ids[scorer])
    conflicted = info is not None and sheet_.options[option].id in info.interests
    return not (_settings(ranking).exclude_conflicted and conflicted)


def _counted(layout: GroupLayout) -> dict[int, list[int]]:
    """Per option, the Scores rows of the scorers whose scores count (left-out ones are not)."""
    counted: dict[int, list[int]] = {}
    for r in layout.score_rows:
        if r.kind == "scorer" and _counts(layout.ranking, r.scorer, r.option):
            counted.setdefault(r.option, []).append(r.row)
    return counted


def _refs(column: int, rows: list[int]) -> str:
    """The cells of ``rows`` in one column: a range when they are adjacent, else a list."""
    if rows == list(range(rows[0], rows[-1] + 1)):
        return cells(column, rows[0], column, rows[-1], absolute=False)
    return ",".join(address(column, row, absolute=False) for row in rows)


def _used_formula(layout: GroupLayout, option: int, refs: str, column: int) -> str:
    """The formula of a score used: the mean or median of the scorers' cells.

    A cell nobody scored is blank, or, under ``--missing baseline``, the status quo's score.
    """
    ranking = layout.ranking
    blank = '""'
    status_quo = next((o.id for o in ranking.sheet.options if o.status_quo), None)
    this = ranking.sheet.options[option].id
    if _settings(ranking).missing == "baseline" and status_quo is not None and status_quo != this:
        blank = address(column, layout.used_rows[status_quo], absolute=False)
    if not refs:
        return "=" + blank if blank != '""' else ""
    return f"=IF(COUNT({refs})=0,{blank},{_AGGREGATE[ranking.aggregate]}({refs}))"


def _leaf_formula(layout: GroupLayout, r: ScoreRow, refs_of: list[int], column: int) -> str:
    """A live Scores row's formula in one leaf's column ("" where the cell is a value)."""
    if r.kind == "used":
        return _used_formula(layout, r.option, _refs(column, refs_of) if refs_of else "", column)
    if r.kind in _SPREAD and refs_of:
        return _SPREAD[r.kind].format(cells=_refs(column, refs_of))
    return ""


def _substituted(layout: GroupLayout, r: ScoreRow) -> list[str]:
    """A compact Scores row's formulas: the status quo's cell where nobody scored.

    Where ``--missing baseline`` put the status quo's score used in a cell no counted scorer
    scored, that cell is a formula over the status quo's, as in the layout scorer by scorer,
    so correcting the status quo's score moves it; "" elsewhere (values).
    """
    ranking, sheet_ = layout.ranking, layout.ranking.sheet
    leaves = len(layout.leaf_ids)
    status_quo = next((o.id for o in sheet_.options if o.status_quo), None)
    option = sheet_.options[r.option]
    if (
        not layout.compact
        or r.kind != "used"
        or _settings(ranking).missing != "baseline"
        or status_quo in {None, option.id}
    ):
        return [""] * leaves
    counted = [k for k in range(len(sheet_.scorer_ids)) if _counts(ranking, k, r.option)]
    unscored = [bool(v) for v in np.isnan(sheet_.raw[counted, r.option]).all(axis=0).flat]
    row = layout.used_rows[str(status_quo)]
    return [
        "=" + address(SCORES_FIRST_LEAF_COL + j, row, absolute=False) if unscored[j] else ""
        for j in range(leaves)
    ]


def _disagreement_text(layout: GroupLayout, option_id: str) -> str:
    found = layout.disagreements_of.get(option_id, [])
    return "; ".join(f"{d.leaf} ({d.low:g} to {d.high:g}, {d.n} scorers)" for d in found)


def _score_values(layout: GroupLayout, r: ScoreRow) -> FloatArray:
    """What a Scores row shows per leaf.

    The measure, a scorer's scores, the score used, or a figure of the spread.
    """
    ranking, sheet_ = layout.ranking, layout.ranking.sheet
    option = sheet_.options[r.option]
    if r.kind == "measure":
        measures = sheet_.measured.get(option.id, {})
        return np.array([measures.get(leaf, np.nan) for leaf in layout.leaf_ids])
    if r.kind == "scorer":
        row: FloatArray = sheet_.raw[r.scorer, r.option]
        return row
    if r.kind == "used":
        used: FloatArray = scores_used(ranking)[r.option]
        return used
    spread = ranking.spread
    assert spread is not None  # spread rows are laid out only with a spread
    figure = {"n": spread.n, "min": spread.low, "max": spread.high, "sd": spread.std}[r.kind]
    return np.asarray(figure[r.option], dtype=np.float64)


def _label(layout: GroupLayout, r: ScoreRow) -> str:
    sheet_ = layout.ranking.sheet
    if r.kind == "scorer":
        return sheet_.scorer_ids[r.scorer]
    if r.kind == "used":
        return f"used ({layout.ranking.aggregate})" if sheet_.per_scorer else "used"
    return r.kind


def _compact_text(layout: GroupLayout) -> str:
    """What a Scores sheet without the scorers' rows says about them."""
    sheet_ = layout.ranking.sheet
    return (
        f"A panel of {len(sheet_.scorer_ids)} scorers x {len(sheet_.options):,} options x "
        f"{len(layout.leaf_ids)} criteria is too large to lay out scorer by scorer here "
        f"({scorer_cells(layout.ranking):,} cells): each row is the score used "
        f"({_AGGREGATE[layout.ranking.aggregate]} of the scorers' scores), as a value; each "
        f"scorer's scores are in {sheet_.path} (its SHA-256 is on the Audit sheet). Correct a "
        "score used and the totals and ranks recalculate. "
    )


def write_scores(sheet: Worksheet, context: WorkbookContext, layout: GroupLayout) -> None:
    """Scores: per scorer raw scores, the score used, the spread and disagreement flags.

    With scores per scorer, the score used and the spread are formulas over the scorers'
    cells, so correcting a scorer's score moves them, and the totals and ranks after them.
    """
    styles, ranking = context.styles, layout.ranking
    live = ranking.sheet.per_scorer and not layout.compact
    left_out = " Scores of a scorer with a declared interest are left out of that option's."
    write_title(
        sheet,
        f"Scores: {ranking.sheet.spec.name}",
        styles,
        f"From {ranking.sheet.path}; scale {scale_text(ranking)}; blank = not scored. "
        + (
            f"The score used ({_AGGREGATE[ranking.aggregate]} of the scorers' scores) and the "
            "spread are formulas: correct a scorer's score and they, the totals and the ranks "
            "recalculate." + (left_out if _settings(ranking).exclude_conflicted else "") + " "
            if live
            else _compact_text(layout)
            + (left_out.lstrip() + " " if _settings(ranking).exclude_conflicted else "")
            + (
                "A cell nobody scored holds the status quo's score used (--missing baseline). "
                if _settings(ranking).missing == "baseline"
                else ""
            )
            if layout.compact
            else "Correct a score used and the totals and ranks recalculate. "
        )
        + "Shaded cells: scorers far apart on a heavily weighted criterion.",
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
    counted = _counted(layout)
    for r in layout.score_rows:
        option = ranking.sheet.options[r.option]
        label = _label(layout, r)
        put_row(sheet, r.row, 1, (label, option.id, option.name))
        number = styles.number if r.kind in {"sd", "used"} else "General"
        values = _score_values(layout, r)
        refs_of = counted.get(r.option, [])
        formulas = (
            [
                _leaf_formula(layout, r, refs_of, SCORES_FIRST_LEAF_COL + j)
                for j in range(len(layout.leaf_ids))
            ]
            if live
            else _substituted(layout, r)
        )
        shaded = [r.kind == "used" and (option.id, leaf) in flagged for leaf in layout.leaf_ids]
        first = 0  # a row of plain cells per run of shaded, or of unshaded, leaves
        for shade, run in groupby(shaded):
            last = first + len(list(run))
            put_row(
                sheet,
                r.row,
                SCORES_FIRST_LEAF_COL + first,
                values[first:last].tolist(),
                number,
                formulas[first:last],
                fill=styles.flag_fill if shade else None,
            )
            first = last
        flags = _disagreement_text(layout, option.id) if r.kind == "used" else ""
        if flags:
            put_text(sheet, r.row, flag_col, flags).fill = styles.flag_fill
        interest = (
            scorers[label].interests.get(option.id)
            if r.kind == "scorer" and label in scorers
            else "; ".join(
                f"{name}: {info.interests[option.id]}"
                for name, info in scorers.items()
                if option.id in info.interests
            )
            if r.kind == "used" and layout.compact
            else None
        )
        if interest:
            put_text(sheet, r.row, flag_col + 1, interest).fill = styles.flag_fill
    last = layout.score_rows[-1].row if layout.score_rows else HEADER_ROW
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(flag_col + 1)}{last}"
    set_widths(
        sheet,
        {1: 18, 2: 18, 3: 40}
        | {c: 9 for c in range(4, flag_col)}
        | {flag_col: 40, flag_col + 1: 40},
    )
    long_table(sheet, HEADER_ROW, f"D{HEADER_ROW + 1}")


# --- Totals --------------------------------------------------------------------------------


def _contribution_formulas(layout: GroupLayout, row: int, gaps: bool) -> list[str]:
    """SUMPRODUCT of each criterion's leaf weights and the option's scores on this row.

    With gaps (``--missing renormalise``) each contribution is divided by the weight the
    option was scored on, as ``scoring.rank`` rescales that option's weights to sum to 1.
    """
    first_leaf = layout.leaf_column(layout.leaf_ids[0])
    last_leaf = layout.leaf_column(layout.leaf_ids[-1])
    denominator = ""
    if gaps:
        weights = cells(first_leaf, TOTALS_WEIGHT_ROW, last_leaf, TOTALS_WEIGHT_ROW)
        scores = cells(first_leaf, row, last_leaf, row, absolute=False)
        denominator = f'/SUMPRODUCT({weights},--({scores}<>""))'
    formulas = []
    for lo, hi in layout.criterion_spans:
        weights = cells(lo, TOTALS_WEIGHT_ROW, hi, TOTALS_WEIGHT_ROW)
        scores = cells(lo, row, hi, row, absolute=False)
        formulas.append(f"=SUMPRODUCT({weights},{scores}){denominator}")
    return formulas


def _parts(ranking: Ranking) -> FloatArray:
    """Every option's contribution per top-level criterion (options in file order).

    As ``scoring.rank`` computes them: the figures the Totals formulas are saved with.
    """
    scores = scores_used(ranking)
    sheet_ = ranking.sheet
    w = np.array([ranking.weights[leaf] for leaf in sheet_.leaf_ids])
    member = membership(sheet_.tree, sheet_.level)
    parts: FloatArray = weighted_sum(np.nan_to_num(scores), w, ~np.isnan(scores), by=member)
    return parts


def _totals_row(
    sheet: Worksheet,
    row: int,
    layout: GroupLayout,
    option_id: str,
    all_parts: FloatArray,
    styles: Styles,
) -> None:
    """An option's scores used (read from the Scores sheet), live contributions and total."""
    options = layout.ranking.sheet.options
    index = layout.option_index[option_id]
    option = options[index]
    put_row(sheet, row, 1, (option.id, option.name))
    values = scores_used(layout.ranking)[index]
    used_row = layout.used_rows[option_id]
    sources = [
        "=" + sheet_ref(layout.scores_title, SCORES_FIRST_LEAF_COL + j, used_row)
        for j in range(len(layout.leaf_ids))
    ]
    columns = [layout.leaf_column(leaf) for leaf in layout.leaf_ids]
    if columns != list(range(columns[0], columns[0] + len(columns))):
        raise ValueError("the Totals sheet's leaf columns are not adjacent")
    put_row(sheet, row, columns[0], values.tolist(), "General", sources)
    gaps = _settings(layout.ranking).missing == "renormalise" or bool(np.isnan(values).any())
    formulas = _contribution_formulas(layout, row, gaps)
    first = layout.contribution_column(layout.ranking.sheet.tree.top_ids[0])
    parts = all_parts[index]
    put_row(sheet, row, first, parts.tolist(), styles.number, formulas)
    span = cells(first, row, first + len(formulas) - 1, row, absolute=False)
    total = float(parts.sum())
    put_formula(sheet, row, layout.total_column, f"=SUM({span})", total, styles.number)
    put_text(sheet, row, layout.rank_column + 1, "yes" if option.status_quo else "")


def _weights_row(sheet: Worksheet, layout: GroupLayout, context: WorkbookContext) -> None:
    styles, weights = context.styles, layout.ranking.weights
    put_text(sheet, TOTALS_WEIGHT_ROW, 2, "Global weight (from Criteria)").font = styles.note_font
    for leaf in layout.leaf_ids:
        column = layout.leaf_column(leaf)
        formula = "=" + context.weight_cells[leaf]
        put_formula(sheet, TOTALS_WEIGHT_ROW, column, formula, weights[leaf], styles.percent)
    tree = layout.ranking.sheet.tree
    for criterion in tree.top_ids:
        leaves = [x for x in layout.leaf_ids if tree.parent(x) == criterion]
        columns = [layout.leaf_column(x) for x in leaves]
        span = cells(min(columns), TOTALS_WEIGHT_ROW, max(columns), TOTALS_WEIGHT_ROW)
        put_formula(
            sheet,
            TOTALS_WEIGHT_ROW,
            layout.contribution_column(criterion),
            f"=SUM({span})",
            sum(weights[x] for x in leaves),
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
        "Scores used (read from the Scores sheet) x global weights (from the Criteria sheet). "
        "Contributions, totals and ranks are formulas; equal totals (within 1E-9) share a rank.",
    )
    _weights_row(sheet, layout, context)
    labels = ["Option id", "Option", *layout.leaf_ids, *(tree.name(c) for c in tree.top_ids)]
    write_header(sheet, HEADER_ROW, [*labels, "Total", "Rank", "Status quo"], styles)
    column = layout.total_column
    totals = cells(column, TOTALS_FIRST_ROW, column, layout.last_option_row)
    rank_of = {o.id: o.rank for o in ranking.options}
    parts = _parts(ranking)  # every option's contributions, the figures saved with formulas
    for option_id, row in layout.option_rows.items():
        _totals_row(sheet, row, layout, option_id, parts, styles)
        mine = address(layout.total_column, row, absolute=False)
        formula = f"=SUMPRODUCT(--({totals}>{mine}+{TIE_TEXT}))+1"
        put_formula(sheet, row, layout.rank_column, formula, rank_of[option_id])
    if ranking.screened_out:
        heading_row = layout.last_option_row + 2
        put_text(
            sheet, heading_row, 1, "Failed a gate: not ranked, totals for reference"
        ).font = styles.warning_font
        for option_id, row in layout.screened_rows.items():
            _totals_row(sheet, row, layout, option_id, parts, styles)
            put_text(sheet, row, layout.rank_column, "failed a gate")
    set_widths(sheet, {1: 18, 2: 40} | {c: 10 for c in range(3, layout.rank_column + 2)})
    long_table(sheet, HEADER_ROW, f"C{TOTALS_FIRST_ROW}")
