"""Each group's Sensitivity sheet: the summary sentences, thresholds, alternatives, SMAA.

Computed at export from the weights and scores as exported: values, not formulas.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from openpyxl.worksheet.worksheet import Worksheet

from appraise.analysis.scoring import Ranking
from appraise.analysis.sensitivity import Alternative, ScoreThreshold, Sensitivity, Threshold
from appraise.io.xlsx_cells import put_text
from appraise.present.sensitivity import summary as sensitivity_summary
from appraise.present.workbook.charts import acceptability_block, weight_chart_block
from appraise.present.workbook.context import RANK_COLUMNS, GroupLayout, Styles, WorkbookContext
from appraise.present.workbook.tables import (
    Value,
    option_names,
    set_widths,
    write_header,
    write_heading,
    write_rows,
    write_title,
)

SCORE_CHANGES_SHOWN = 3  # per option behind the leader


def analyses_run(result: Sensitivity) -> list[str]:
    """Names (as ``appraise.analysis.sensitivity.ANALYSES``) of the analyses in ``result``."""
    found = {
        "thresholds": result.thresholds,
        "within": result.within,
        "scores": result.scores,
        "weight-sets": result.weight_sets,
        "leave-one-out": result.leave_one_out,
        "smaa": result.smaa,
    }
    return [name for name, value in found.items() if value is not None]


def _taker(option: str | None, names: Mapping[str, str], end: str) -> str:
    return names.get(option, option) if option is not None else f"none: first to {end}"


def _threshold_table(
    sheet: Worksheet,
    row: int,
    thresholds: Sequence[Threshold],
    ranking: Ranking,
    within: bool,
    styles: Styles,
) -> int:
    """Weight thresholds: the interval of weight over which today's leader stays first."""
    tree, names = ranking.sheet.tree, option_names(ranking)
    leader = ranking.options[0].name
    if within:
        title = "Thresholds within each family"
        note = (
            f"A sub-criterion's share of its own criterion moved from 0% to 100%, the criterion's "
            f"weight fixed and its other sub-criteria in proportion: {leader} stays first "
            "while the share is within the interval."
        )
        now = "Share of its criterion now"
    else:
        title = "Weight thresholds"
        note = (
            "One global weight moved from 0% to 100%, the others rescaled in proportion to fill "
            f"the rest: {leader} stays first while the weight is within the interval."
        )
        now = "Weight now"
    header_row = write_heading(sheet, row, title, note, styles)
    write_header(
        sheet,
        header_row,
        [
            "Id",
            "Criterion",
            "Level",
            now,
            "Leader first from",
            "to",
            "Option leading below",
            "Option leading above",
        ],
        styles,
    )
    rows: list[list[Value]] = [
        [
            t.criterion,
            tree.name(t.criterion),
            t.level,
            t.weight,
            0.0 if t.lower is None else t.lower,
            1.0 if t.upper is None else t.upper,
            _taker(t.below, names, "0%"),
            _taker(t.above, names, "100%"),
        ]
        for t in thresholds
    ]
    pct = styles.percent
    return (
        write_rows(sheet, header_row + 1, rows, [None, None, None, pct, pct, pct, None, None]) + 1
    )


def _alternative_label(item: Alternative, ranking: Ranking) -> str:
    if item.kind == "weight set":
        return "base weights" if item.name == "base" else f"weight set '{item.name}'"
    if item.kind == "criterion":
        return f"without {ranking.sheet.tree.name(item.name)} ({item.name})"
    return f"without scorer {item.name}"


def _alternatives_table(
    sheet: Worksheet,
    row: int,
    title: str,
    note: str,
    items: Sequence[Alternative],
    result: Sensitivity,
    styles: Styles,
) -> int:
    names = option_names(result.ranking)
    header_row = write_heading(sheet, row, title, note, styles)
    write_header(
        sheet,
        header_row,
        [
            "Alternative",
            "Leader(s)",
            "Leader changed?",
            "Shortlist changed?",
            f"First {result.top} in order",
            "Note",
        ],
        styles,
    )
    rows: list[list[Value]] = [
        [
            _alternative_label(item, result.ranking),
            ", ".join(names.get(i, i) for i in item.leaders),
            "yes" if item.leader_changed else ("now tied" if item.leader_shared else "no"),
            "yes" if item.shortlist_changed else "no",
            " > ".join(names.get(i, i) for i in item.order[: result.top]),
            item.note or "",
        ]
        for item in items
    ]
    return write_rows(sheet, header_row + 1, rows, [None] * 6) + 1


def _score_table(sheet: Worksheet, row: int, result: Sensitivity, styles: Styles) -> int:
    """For each option behind the leader, the smallest single-score rises that draw level."""
    ranking, found = result.ranking, result.scores or []
    tree = ranking.sheet.tree
    header_row = write_heading(
        sheet,
        row,
        "Score thresholds",
        f"For each option behind {ranking.options[0].name}: the {SCORE_CHANGES_SHOWN} smallest "
        "rises in one score (the weights and every other score unchanged) that would bring it "
        "level with the leader.",
        styles,
    )
    write_header(
        sheet,
        header_row,
        ["Option", "Criterion", "Score now", "Rise needed", "Score needed"],
        styles,
    )
    rows: list[list[Value]] = []
    by_option: dict[str, list[ScoreThreshold]] = {}
    for t in found:
        if t.change is not None:
            by_option.setdefault(t.option, []).append(t)
    for option in ranking.options[1:]:
        feasible = sorted(
            by_option.get(option.id, []),
            key=lambda t: t.change if t.change is not None else math.inf,
        )[:SCORE_CHANGES_SHOWN]
        if not feasible:
            rows.append([option.name, "not possible within the scale", None, None, None])
        rows += [[option.name, tree.name(t.leaf), t.score, t.change, t.needed] for t in feasible]
    if not rows:
        rows.append(["(no option behind the leader)", None, None, None, None])
    number = styles.number
    return write_rows(sheet, header_row + 1, rows, [None, None, "General", number, number]) + 1


def write_sensitivity(sheet: Worksheet, context: WorkbookContext, layout: GroupLayout) -> None:
    """Sensitivity: the summary sentences, thresholds, alternatives, a weight chart, SMAA."""
    styles, ranking, result = context.styles, layout.ranking, layout.sensitivity
    if result is None:
        raise ValueError(f"group {ranking.sheet.group} has no sensitivity results")
    write_title(
        sheet,
        f"Sensitivity: {ranking.sheet.spec.name}",
        styles,
        context.as_exported()
        + " Run `appraise sensitivity` again for them; the table 'Totals as the weight of a "
        "criterion moves' below is formulas, and does follow edits.",
    )
    row = write_heading(sheet, 4, "In brief", "", styles)
    for sentence in sensitivity_summary(result):
        put_text(sheet, row, 1, sentence)
        row += 1
    row += 1
    if not ranking.options:
        set_widths(sheet, {1: 28})
        sheet.freeze_panes = "A3"
        return
    if result.thresholds is not None:
        row = _threshold_table(sheet, row, result.thresholds, ranking, False, styles)
        row = weight_chart_block(sheet, row, result, context, layout)
    if result.within:
        row = _threshold_table(sheet, row, result.within, ranking, True, styles)
    if result.weight_sets is not None:
        row = _alternatives_table(
            sheet,
            row,
            "Weight sets",
            "The ranking under the base weights and under each named weight set of the "
            "criteria file.",
            result.weight_sets,
            result,
            styles,
        )
    if result.leave_one_out is not None:
        row = _alternatives_table(
            sheet,
            row,
            "Leave one out",
            "The ranking with one criterion left out (the others rescaled in proportion) or, "
            "for a panel, one scorer left out.",
            result.leave_one_out,
            result,
            styles,
        )
    if result.scores is not None:
        row = _score_table(sheet, row, result, styles)
    if result.smaa is not None:
        acceptability_block(sheet, row, result.smaa, result, styles)
    wide = min(len(ranking.options), RANK_COLUMNS + 1) + 6  # the acceptability table
    set_widths(sheet, {1: 30, 2: 30, 3: 14, 4: 14, 5: 17, 6: 14, 7: 24, 8: 24})
    set_widths(sheet, {c: 12 for c in range(9, wide + 1)})
    sheet.freeze_panes = "A3"  # the title and its note stay in view
