"""Charts in the terminal, drawn by plotext, for where people would rather look than read."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from appraise.analysis.scoring import Ranking
from appraise.analysis.sensitivity import WeightChart
from appraise.present.terminal.tables import group_title
from appraise.weights import percent_text

# A marker per line, so the lines read apart without colour (a projector, a log, NO_COLOR).
MARKERS = ("•", "x", "+", "o", "*", "#", "=", "~")
CHART_HEIGHT = 18
STEPS = 50


def weight_chart_view(ranking: Ranking, chart: WeightChart, width: int = 80) -> RenderableType:
    """Each option's total as one weight runs 0% to 100%, today's weight marked.

    Below the chart, where the order changes, in words.
    """
    import plotext as plt  # type: ignore[import-untyped]

    tree = ranking.sheet.tree
    names = {o.id: o.name for o in ranking.options}
    criterion = tree.name(chart.line.criterion)
    xs = [100 * k / STEPS for k in range(STEPS + 1)]
    totals = [chart.line.totals(x / 100) for x in xs]
    plt.clear_figure()
    plt.plotsize(width, CHART_HEIGHT)
    drawn_ids = chart.ids[: chart.shown]
    for i in range(len(drawn_ids)):  # the legend is below the chart, names whole
        plt.plot(xs, [t[i] for t in totals], marker=MARKERS[i % len(MARKERS)])
    plt.vline(100 * chart.line.current)
    plt.xlim(0, 100)
    plt.xlabel(f"weight of {criterion} (%); | today {percent_text(chart.line.current)}%")
    plt.ylabel("total")
    drawn = Text.from_ansi(plt.build())
    plt.clear_figure()
    legend = Table.grid(padding=(0, 1, 0, 0))
    legend.add_column(no_wrap=True)
    legend.add_column()
    for i, option in enumerate(drawn_ids):
        legend.add_row(MARKERS[i % len(MARKERS)] * 2, names[option])
    sheet = ranking.sheet
    parts: list[RenderableType] = [
        group_title(sheet.spec.name, sheet.group, sheet.illustrative),
        Text(f"{criterion}: each option's total as its weight runs from 0% to 100%", style="bold"),
        drawn,
        Padding(legend, (0, 0, 0, 2)),
    ]
    if chart.crossings:
        parts.append(Text("Where the order changes (the other weights in proportion):"))
        crossings = Table.grid(padding=(0, 1, 0, 0))
        crossings.add_column(no_wrap=True)
        crossings.add_column()
        for t, below, above in chart.crossings:
            crossings.add_row(f"at {percent_text(t)}%:", f"{names[above]} overtakes {names[below]}")
        parts.append(Padding(crossings, (0, 0, 0, 2)))
    else:
        parts.append(Text("The order does not change anywhere from 0% to 100%."))
    if len(chart.ids) > chart.shown:
        parts.append(Text(f"The first {chart.shown} of {len(chart.ids)} options are drawn."))
    return Group(*parts)
