"""The workbook's charts, each with the data table it draws from where it needs one.

On the Summary, each option's contribution per criterion; on each Sensitivity sheet, the
totals along one criterion's weight and the rank acceptability from the simulation.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

from openpyxl.chart import BarChart, Reference, ScatterChart
from openpyxl.chart.axis import NumericAxis
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.marker import Marker
from openpyxl.chart.series import Series
from openpyxl.chart.series_factory import SeriesFactory
from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from appraise.analysis.sensitivity import Line, Sensitivity, Threshold, weight_lines
from appraise.io.xlsx_cells import address, cell_text, cells, put_number, put_text
from appraise.present.workbook.context import HEADER_ROW, GroupLayout, Styles
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
    grouping: Literal["stacked", "percentStacked"],
    title: str,
    y_title: str,
    data: Reference,
    names: str,
) -> BarChart:
    """Stacked horizontal bars, one per option, the first (rank 1, the leader) at the top.

    ``data`` holds one column per series, titles in its first row; ``names`` is the reference
    to the options' names, in the same rows.
    """
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = grouping
    chart.overlap = 100
    chart.title = cell_text(title)[:250]
    chart.x_axis.scaling.orientation = "maxMin"  # the first option at the top
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.title = y_title
    chart.add_data(data, titles_from_data=True)
    for series in chart.series:  # option names are text: a string reference, not numbers
        series.cat = AxDataSource(strRef=StrRef(f=names))
    chart.width = 20
    return chart


def contribution_chart(layout: GroupLayout) -> BarChart:
    """Stacked horizontal bars: each option's contribution per top-level criterion."""
    tree = layout.ranking.sheet.tree
    first = layout.contribution_column(tree.top_ids[0])
    last = layout.contribution_column(tree.top_ids[-1])
    title = quote_sheetname(layout.totals_title)
    data = f"{title}!{cells(first, HEADER_ROW, last, layout.last_option_row)}"
    chart = _option_bars(
        "stacked",
        f"Contribution per criterion: {layout.ranking.sheet.spec.name}",
        "Weighted score",
        Reference(range_string=data),
        layout.ranked_cells(2),
    )
    chart.height = max(7.5, 3.0 + 0.9 * len(layout.ranking.options))
    return chart


def weight_chart_block(sheet: Worksheet, row: int, result: Sensitivity, styles: Styles) -> int:
    """Every ranked option's total along one criterion's weight, as a table and a chart."""
    found = chart_line(result)
    if found is None:
        return row
    line, binding = found
    ranking = result.ranking
    name = ranking.sheet.tree.name(line.criterion)
    why = (
        "the criterion whose threshold is nearest its weight today"
        if binding
        else "no single weight moves the leader, so the heaviest criterion"
    )
    header_row = write_heading(
        sheet,
        row,
        f"Totals as the weight of {name} moves",
        f"{name} ({why}) from 0% to 100% of the weight, the others in proportion; "
        f"today {percent_text(line.current, 1)}%.",
        styles,
    )
    options = ranking.options
    write_header(
        sheet, header_row, [f"Weight of {line.criterion}", *(o.name for o in options)], styles
    )
    steps = [k / CHART_STEPS for k in range(CHART_STEPS + 1)]
    grid = [line.totals(t) for t in steps]
    rows: list[list[Value]] = [
        [t, *(float(v) for v in totals)] for t, totals in zip(steps, grid, strict=True)
    ]
    first = header_row + 1
    last = write_rows(sheet, first, rows, [styles.percent, *[styles.number] * len(options)]) - 1
    # Today's weight: a vertical line from the lowest to the highest total drawn.
    today_col = len(options) + 3
    low = min(float(t.min()) for t in grid)
    high = max(float(t.max()) for t in grid)
    for column, label in ((today_col, "Today's weight"), (today_col + 1, "Line from / to")):
        cell = put_text(sheet, header_row, column, label)
        cell.font, cell.fill = styles.header_font, styles.header_fill
    for k, total in enumerate((low, high)):
        put_number(sheet, first + k, today_col, line.current, styles.percent)
        put_number(sheet, first + k, today_col + 1, total, styles.number)
    chart = ScatterChart(scatterStyle="line")
    chart.title = cell_text(f"Totals as the weight of {name} moves")[:250]
    chart.style = 2
    chart.x_axis.title = cell_text(f"Global weight of {name}")[:250]
    chart.y_axis.title = "Weighted total"
    chart.x_axis.scaling.min, chart.x_axis.scaling.max = 0.0, 1.0
    if isinstance(chart.x_axis, NumericAxis):
        chart.x_axis.majorUnit = 0.1
    scale = ranking.sheet.scale  # every total lies within the score scale
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = scale.min, scale.max
    chart.y_axis.number_format = "0.0"
    if chart.legend is not None:
        chart.legend.position = "b"
    chart.x_axis.number_format = "0%"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    weights = Reference(sheet, min_col=1, min_row=first, max_row=last)
    for j in range(len(options)):
        values = Reference(sheet, min_col=2 + j, min_row=header_row, max_row=last)
        chart.series.append(_straight(SeriesFactory(values, weights, title_from_data=True)))
    today = _straight(
        SeriesFactory(
            Reference(sheet, min_col=today_col + 1, min_row=first, max_row=first + 1),
            Reference(sheet, min_col=today_col, min_row=first, max_row=first + 1),
            title=f"Today ({percent_text(line.current, 1)}%)",
        )
    )
    today.graphicalProperties.line.solidFill = "7F7F7F"
    today.graphicalProperties.line.dashStyle = "dash"
    chart.series.append(today)
    chart.width, chart.height = 20, CHART_HEIGHT
    sheet.add_chart(chart, address(today_col + 3, header_row, absolute=False))
    covered = header_row + math.ceil(CHART_HEIGHT / ROW_HEIGHT)
    return max(last, covered) + 2


def _straight(series: object) -> Series:
    """A series drawn as straight segments without markers."""
    if not isinstance(series, Series):
        raise TypeError(f"not a chart series: {series!r}")
    series.marker = Marker(symbol="none")
    series.smooth = False
    return series


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
    ranks = [f"Rank {r}" for r in range(1, n_options + 1)]
    write_header(
        sheet, header_row, ["Option", "P(first)", f"P(top {top})", *ranks, "Confidence"], styles
    )
    p_first, p_top = smaa.p_first(), smaa.p_top(top)
    rows: list[list[Value]] = [
        [
            names.get(option, option),
            float(p_first[i]),
            float(p_top[i]),
            *(float(v) for v in smaa.rank_acceptability[i]),
            float(smaa.confidence[i]),
        ]
        for i, option in enumerate(smaa.option_ids)
    ]
    first = header_row + 1
    last = write_rows(sheet, first, rows, [None, *[styles.percent] * (n_options + 3)]) - 1
    data = Reference(sheet, min_col=4, max_col=3 + n_options, min_row=header_row, max_row=last)
    categories = f"{quote_sheetname(sheet.title)}!{cells(1, first, 1, last)}"
    chart = _option_bars(
        "percentStacked",
        f"Rank acceptability: {result.ranking.sheet.spec.name}",
        "Share of simulations",
        data,
        categories,
    )
    chart.y_axis.number_format = "0%"
    chart.height = max(9.0, 4.0 + 1.0 * n_options)
    anchor = last + 2
    sheet.add_chart(chart, address(1, anchor, absolute=False))
    return anchor + math.ceil(chart.height / ROW_HEIGHT) + 2
