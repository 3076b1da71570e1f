"""Charts in the terminal, drawn by plotext, for where people would rather look than read."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from appraise.analysis.scoring import Ranking
from appraise.analysis.sensitivity import WeightChart

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
    for i, option in enumerate(chart.ids[: chart.shown]):
        label = names[option] if len(names[option]) <= 30 else names[option][:29] + "…"
        plt.plot(xs, [t[i] for t in totals], label=label, marker=MARKERS[i % len(MARKERS)])
    plt.vline(100 * chart.line.current)
    plt.xlim(0, 100)
    plt.xlabel(f"weight of {criterion} (%); | today {100 * chart.line.current:.1f}%")
    plt.ylabel("total")
    drawn = Text.from_ansi(plt.build())
    plt.clear_figure()
    parts: list[RenderableType] = [
        Text(f"{criterion}: each option's total as its weight runs from 0% to 100%", style="bold"),
        drawn,
    ]
    if chart.crossings:
        lines = [
            f"  at {100 * t:.1f}%: {names[above]} overtakes {names[below]}"
            for t, below, above in chart.crossings
        ]
        parts.append(Text("Where the order changes (the other weights in proportion):"))
        parts += [Text(line) for line in lines]
    else:
        parts.append(Text("The order does not change anywhere from 0% to 100%."))
    if len(chart.ids) > chart.shown:
        parts.append(Text(f"The first {chart.shown} of {len(chart.ids)} options are drawn."))
    return Group(*parts)
