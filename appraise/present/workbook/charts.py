"""The workbook's charts, each with the data table it draws from where it needs one.

On the Summary, each option's contribution per criterion; on each Sensitivity sheet, the
totals along one criterion's weight and the rank acceptability from the simulation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from openpyxl.styles import Protection
from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from appraise.analysis.sensitivity import Line, Sensitivity, Threshold, weight_lines
from appraise.io.xlsx_cells import (
    address,
    cell_text,
    cells,
    put_formula,
    put_number,
    put_row,
    put_text,
)
from appraise.io.xlsx_write import Chart, add_chart
from appraise.present.workbook.context import (
    CRITERIA,
    HEADER_ROW,
    RANK_COLUMNS,
    TOTALS_WEIGHT_ROW,
    GroupLayout,
    Styles,
    WorkbookContext,
)
from appraise.present.workbook.tables import (
    Value,
    option_names,
    write_header,
    write_heading,
    write_rows,
)
from appraise.weights import percent_text

if TYPE_CHECKING:
    from appraise.analysis.smaa import SmaaResult

CHART_STEPS = 20  # the weight chart's data table: t = 0, 0.05, ..., 1
CHART_HEIGHT = 12.0  # cm
ROW_HEIGHT = 0.5  # cm, about one default row: how many rows a chart covers
# A bar chart draws at most this many options, the first by rank: past that a bar is thinner
# than a line of its labels (and a chart 900 cm tall). The tables beside them list them all.
CHART_OPTIONS = 50


def _first_options(count: int) -> tuple[int, str]:
    """How many options a chart draws, and what its title adds when that is not all of them."""
    shown = min(count, CHART_OPTIONS)
    return shown, (f" (the first {shown} of {count:,} by rank)" if shown < count else "")


def binding_threshold(result: Sensitivity) -> Threshold | None:
    """The weight threshold nearest today's weight (global thresholds), if any binds.

    The rule of the summary's headline: equally near (to rounding) keeps the first listed,
    so the Sensitivity chart and the sentence above it name the same criterion.
    """
    best: tuple[float, Threshold] | None = None
    for t in result.thresholds or []:
        for bound in (t.lower, t.upper):
            if bound is not None and (best is None or abs(bound - t.weight) < best[0] - 1e-12):
                best = (abs(bound - t.weight), t)
    return None if best is None else best[1]


def chart_line(result: Sensitivity) -> tuple[Line, bool] | None:
    """The weight path the Sensitivity chart draws, and whether it is the binding one.

    The binding criterion's path; when no single weight moves the leader, the heaviest
    criterion's. None when weight thresholds were not computed or nothing is ranked.
    """
    if not result.thresholds or not result.ranking.options:
        return None
    lines = {line.criterion: line for line in weight_lines(result.ranking, "global")}
    binding = binding_threshold(result)
    if binding is not None:
        return lines[binding.criterion], True
    heaviest = max(result.thresholds, key=lambda t: t.weight)  # first of equals
    return lines[heaviest.criterion], False


def _option_bars(
    subtype: str,
    title: str,
    value_title: str,
    series: list[dict[str, Any]],
    anchor: str,
    height: float,
) -> Chart:
    """Stacked horizontal bars, one per option, the first (rank 1, the leader) at the top."""
    return Chart(
        kind={"type": "bar", "subtype": subtype},
        series=tuple(series),
        anchor=anchor,
        width=20,
        height=height,
        title=cell_text(title)[:250],
        x_axis={"name": value_title},  # a bar chart's value axis runs across
        y_axis={"reverse": True},  # the first option at the top
        legend={"position": "bottom"},
    )


def _bars_series(
    title: str, first_col: int, last_col: int, header_row: int, rows: tuple[int, int], names: str
) -> list[dict[str, Any]]:
    """A series per column, named by its header cell, one bar segment per row."""
    quoted = quote_sheetname(title)
    return [
        {
            "name": f"={quoted}!{address(column, header_row)}",
            "categories": names,
            "values": f"={quoted}!{cells(column, rows[0], column, rows[1])}",
        }
        for column in range(first_col, last_col + 1)
    ]


def contribution_chart(layout: GroupLayout, anchor: str) -> Chart:
    """Stacked horizontal bars: each option's contribution per top-level criterion."""
    tree = layout.ranking.sheet.tree
    first = layout.contribution_column(tree.top_ids[0])
    last = layout.contribution_column(tree.top_ids[-1])
    shown, cut = _first_options(len(layout.ranking.options))
    rows = (HEADER_ROW + 1, HEADER_ROW + shown)
    names = f"={quote_sheetname(layout.totals_title)}!{cells(2, rows[0], 2, rows[1])}"
    series = _bars_series(layout.totals_title, first, last, HEADER_ROW, rows, names)
    return _option_bars(
        "stacked",
        f"Contribution per criterion: {layout.ranking.sheet.spec.name}{cut}",
        "Weighted score",
        series,
        anchor,
        max(7.5, 3.0 + 0.9 * shown),
    )


@dataclass(frozen=True)
class _Choice:
    """Where the weight chart's chosen criterion and the cells it is worked from are."""

    chosen: str  # the id typed in (absolute address on this sheet)
    weight: str  # its global weight today
    mask: str  # a 1 under each scored criterion it covers
    weights: str  # the Totals sheet's global weights
    title: str  # the chart's title, a formula


def _choice_block(
    sheet: Worksheet, row: int, line: Line, context: WorkbookContext, layout: GroupLayout
) -> tuple[_Choice, int]:
    """The chosen criterion (an editable id), its name, weight today and the leaves it covers."""
    styles, tree = context.styles, layout.ranking.sheet.tree
    leaves = layout.leaf_ids
    ids = context.criteria_rows
    id_cells = f"{quote_sheetname(CRITERIA)}!{cells(1, min(ids.values()), 1, max(ids.values()))}"
    names = f"{quote_sheetname(CRITERIA)}!{cells(2, min(ids.values()), 2, max(ids.values()))}"
    chosen = address(2, row)
    put_text(sheet, row, 1, "Criterion (id)")
    cell = put_text(sheet, row, 2, line.criterion)
    cell.fill, cell.protection = styles.editable_fill, Protection(locked=False)
    rule = DataValidation(type="list", formula1=id_cells, allow_blank=False)
    rule.error = "Choose a criterion or sub-criterion by its id, as on the Criteria sheet."
    rule.showErrorMessage = True
    rule.add(chosen)
    sheet.add_data_validation(rule)
    name = tree.name(line.criterion)
    formula = f'=IFERROR(INDEX({names},MATCH({chosen},{id_cells},0)),"not a criterion id")'
    put_formula(sheet, row, 3, formula, cell_text(name))
    mask_row = row + 5
    first, last = 2, 1 + len(leaves)
    mask = cells(first, mask_row, last, mask_row)
    totals = quote_sheetname(layout.totals_title)
    lo, hi = layout.leaf_column(leaves[0]), layout.leaf_column(leaves[-1])
    weights = f"{totals}!{cells(lo, TOTALS_WEIGHT_ROW, hi, TOTALS_WEIGHT_ROW)}"
    put_text(sheet, row + 1, 1, "Its global weight today")
    put_formula(sheet, row + 1, 2, f"=SUMPRODUCT({weights},{mask})", line.current, styles.percent)
    put_text(sheet, row + 2, 1, "Chart title")
    title = f"Totals as the weight of {name} moves"
    put_formula(sheet, row + 2, 2, f'="Totals as the weight of "&C{row}&" moves"', title)
    for label, r in (("Scored criterion", row + 3), ("Belongs to", row + 4)):
        put_text(sheet, r, 1, label)
    put_text(sheet, mask_row, 1, "In the chosen criterion")
    chosen_ids = {line.criterion, *(x for x in leaves if tree.parent(x) == line.criterion)}
    for j, leaf in enumerate(leaves, start=first):
        put_text(sheet, row + 3, j, leaf)
        put_text(sheet, row + 4, j, tree.parent(leaf))
        top, parent = address(j, row + 3, absolute=False), address(j, row + 4, absolute=False)
        inside = f"=IF(OR({top}={chosen},{parent}={chosen}),1,0)"
        put_formula(sheet, mask_row, j, inside, 1.0 if leaf in chosen_ids else 0.0)
    choice = _Choice(chosen, address(2, row + 1), mask, weights, address(2, row + 2))
    return choice, mask_row + 2


def _ends_block(
    sheet: Worksheet, row: int, line: Line, choice: _Choice, layout: GroupLayout, styles: Styles
) -> tuple[dict[str, tuple[str, str]], int]:
    """Each ranked option's total at 0% and at 100% of the chosen criterion's weight.

    At 100%: its score on the chosen criterion (its leaves weighted as today; equally if it
    weighs nothing today). At 0%: its total over the other criteria, rescaled in proportion
    (the 100% figure when nothing else weighs anything). As ``sensitivity.weight_lines``.
    """
    write_header(sheet, row, ["Option", "Total at 0%", "Total at 100%"], styles)
    leaves, totals = layout.leaf_ids, quote_sheetname(layout.totals_title)
    lo, hi = layout.leaf_column(leaves[0]), layout.leaf_column(leaves[-1])
    w, m, wt = choice.weights, choice.mask, choice.weight
    ends: dict[str, tuple[str, str]] = {}
    for k, option in enumerate(layout.ranking.options):
        r = row + 1 + k
        at = layout.option_rows[option.id]
        s = f"{totals}!{cells(lo, at, hi, at)}"
        put_row(sheet, r, 1, [option.name])
        at100 = f"=IF({wt}>0,SUMPRODUCT({w},{m},{s})/{wt},SUMPRODUCT({m},{s})/SUM({m}))"
        rest = f"(SUM({w})-{wt})"
        at0 = f"=IF({rest}>0,SUMPRODUCT({w},1-{m},{s})/{rest},{address(3, r)})"
        ends_now = [float(line.at0[k]), float(line.at1[k])]
        put_row(sheet, r, 2, ends_now, styles.number, [at0, at100])
        ends[option.id] = (address(2, r), address(3, r))
    return ends, row + len(layout.ranking.options) + 2


def weight_chart_block(
    sheet: Worksheet,
    row: int,
    result: Sensitivity,
    context: WorkbookContext,
    layout: GroupLayout,
) -> int:
    """Every ranked option's total along one criterion's weight, as formulas and a chart.

    The criterion is chosen in a cell (the binding one at export); the table and the chart
    follow it, and any score or weight edited in the workbook.
    """
    found = chart_line(result)
    if found is None:
        return row
    line, binding = found
    styles, ranking = context.styles, result.ranking
    name = ranking.sheet.tree.name(line.criterion)
    why = (
        "the criterion whose threshold is nearest its weight today"
        if binding
        else "no single weight moves the leader, so the heaviest criterion"
    )
    row = write_heading(
        sheet,
        row,
        "Totals as the weight of a criterion moves",
        "Formulas, unlike the tables above: type a criterion's or sub-criterion's id in the "
        "yellow cell and this table and its chart follow it, and any score or weight edited "
        f"in this workbook. The weight runs from 0% to 100%, the others in proportion. At "
        f"export: {name} ({why}), today {percent_text(line.current, 1)}%.",
        styles,
    )
    shown, cut = _first_options(len(ranking.options))
    if cut:
        put_text(
            sheet,
            row,
            1,
            f"The grid of totals and its chart draw the first {shown} options by rank; the "
            f"table of each option's totals at 0% and 100% lists all {len(ranking.options):,}.",
        ).font = styles.note_font
        row += 1
    choice, row = _choice_block(sheet, row, line, context, layout)
    ends, header_row = _ends_block(sheet, row, line, choice, layout, styles)
    options = ranking.options[:shown]
    write_header(sheet, header_row, ["Weight", *(o.name for o in options)], styles)
    steps = [k / CHART_STEPS for k in range(CHART_STEPS + 1)]
    first = header_row + 1
    for k, t in enumerate(steps):
        r = first + k
        put_number(sheet, r, 1, t, styles.percent)
        totals = line.totals(t)[:shown]
        formulas = [
            f"={ends[o.id][0]}+{address(1, r)}*({ends[o.id][1]}-{ends[o.id][0]})" for o in options
        ]
        put_row(sheet, r, 2, totals.tolist(), styles.number, formulas)
    last = first + CHART_STEPS
    grid = cells(2, first, 1 + len(options), last)
    grid_values = [line.totals(t)[:shown] for t in steps]
    # Today's weight: a vertical line from the lowest to the highest total drawn.
    today_col = len(options) + 3
    for column, label in ((today_col, "Today's weight"), (today_col + 1, "Line from / to")):
        cell = put_text(sheet, header_row, column, label)
        cell.font, cell.fill = styles.header_font, styles.header_fill
    low = min(float(v.min()) for v in grid_values)
    high = max(float(v.max()) for v in grid_values)
    for k, (function, value) in enumerate((("MIN", low), ("MAX", high))):
        put_formula(sheet, first + k, today_col, "=" + choice.weight, line.current, styles.percent)
        put_formula(sheet, first + k, today_col + 1, f"={function}({grid})", value, styles.number)
    here = quote_sheetname(sheet.title)
    series: list[dict[str, Any]] = [
        {
            "name": f"={here}!{address(2 + j, header_row)}",
            "categories": f"={here}!{cells(1, first, 1, last)}",
            "values": f"={here}!{cells(2 + j, first, 2 + j, last)}",
            "marker": {"type": "none"},
        }
        for j in range(len(options))
    ]
    series.append(
        {
            "name": f"Today ({percent_text(line.current, 1)}% at export)",
            "categories": f"={here}!{cells(today_col, first, today_col, first + 1)}",
            "values": f"={here}!{cells(today_col + 1, first, today_col + 1, first + 1)}",
            "marker": {"type": "none"},
            "line": {"color": "#7F7F7F", "dash_type": "dash"},
        }
    )
    scale = ranking.sheet.scale  # every total lies within the score scale
    chart = Chart(
        kind={"type": "scatter", "subtype": "straight"},
        series=tuple(series),
        anchor=address(today_col + 3, header_row, absolute=False),
        width=20,
        height=CHART_HEIGHT,
        title=f"={here}!{choice.title}",
        x_axis={
            "name": "Global weight of the chosen criterion",
            "min": 0,
            "max": 1,
            "major_unit": 0.1,
            "num_format": "0%",
        },
        y_axis={
            "name": "Weighted total",
            "min": scale.min,
            "max": scale.max,
            "num_format": "0.0",
        },
        legend={"position": "bottom"},
    )
    add_chart(sheet, chart)
    covered = header_row + math.ceil(CHART_HEIGHT / ROW_HEIGHT)
    return max(last, covered) + 2


def acceptability_block(
    sheet: Worksheet, row: int, smaa: SmaaResult, result: Sensitivity, styles: Styles
) -> int:
    """SMAA: each option's share of simulations per rank, a table and a stacked bar chart."""
    names = option_names(result.ranking)
    n_options = len(smaa.option_ids)
    top = min(result.top, n_options)
    concentration = (
        f", concentration {smaa.concentration:g}"
        if smaa.distribution == "dirichlet" and smaa.concentration is not None
        else ""
    )
    header_row = write_heading(
        sheet,
        row,
        "Rank acceptability (simulation)",
        f"Share of {smaa.samples:,} simulations (seed {smaa.seed}; weights drawn "
        f"{smaa.distribution}{concentration}; score noise {smaa.score_noise}) in which each "
        "option took each rank. Options tied in a simulation (totals within 1e-9, as in the "
        "ranking) share its ranks equally: two tied for first take half of first and half of "
        "second each. "
        "Confidence: how often it is first with the weights at its central weights, a tie "
        "for first shared the same way (blank: never first).",
        styles,
    )
    columns = RANK_COLUMNS if n_options > RANK_COLUMNS + 1 else n_options  # two ranks or more
    ranks = [f"Rank {r}" for r in range(1, columns + 1)]
    if n_options > columns:
        ranks.append(f"Rank {columns + 1} to {n_options:,}")
    write_header(
        sheet, header_row, ["Option", "P(first)", f"P(top {top})", *ranks, "Confidence"], styles
    )
    p_first, p_top = smaa.p_first(), smaa.p_top(top)
    shares = smaa.rank_acceptability
    rows: list[list[Value]] = [
        [
            names.get(option, option),
            float(p_first[i]),
            float(p_top[i]),
            *(float(v) for v in shares[i, :columns]),
            *([float(shares[i, columns:].sum())] if n_options > columns else []),
            float(smaa.confidence[i]),
        ]
        for i, option in enumerate(smaa.option_ids)
    ]
    first = header_row + 1
    last = write_rows(sheet, first, rows, [None, *[styles.percent] * (len(ranks) + 3)]) - 1
    shown, cut = _first_options(n_options)
    drawn = (first, first + shown - 1)
    categories = f"={quote_sheetname(sheet.title)}!{cells(1, drawn[0], 1, drawn[1])}"
    series = _bars_series(sheet.title, 4, 3 + len(ranks), header_row, drawn, categories)
    height = max(9.0, 4.0 + 1.0 * shown)
    anchor = last + 2
    chart = _option_bars(
        "percent_stacked",
        f"Rank acceptability: {result.ranking.sheet.spec.name}{cut}",
        "Share of simulations",
        series,
        address(1, anchor, absolute=False),
        height,
    )
    add_chart(sheet, chart)
    return anchor + math.ceil(height / ROW_HEIGHT) + 2
