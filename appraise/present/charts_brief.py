"""The charts the board brief shows, as inline SVG: (caption, SVG text) pairs.

Drawn by ``present.charts`` (matplotlib, imported only when a chart is drawn). Each SVG is made
fit to sit inside the page: its namespace declarations and metadata go (an HTML parser gives
inline ``<svg>`` its namespace), ``xlink:href`` becomes ``href``, and its ids take a prefix of
their own, so two charts in one page never share an id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from appraise.analysis.combine.run import CombineResult
    from appraise.analysis.sensitivity import Sensitivity
    from appraise.analysis.value import Value

_NAMESPACE = re.compile(r'\s+xmlns(?::\w+)?="[^"]*"')
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(url\(#|href="#)([^)"]+)')


def inline_svg(figure: Figure, prefix: str) -> str:
    """The figure as SVG to put inside an HTML page, its ids starting ``prefix``."""
    from appraise.present.charts import svg_text

    text = _METADATA.sub("", _NAMESPACE.sub("", svg_text(figure)))
    text = text.replace("xlink:href=", "href=")
    text = _ID.sub(lambda m: f'id="{prefix}-{m[1]}"', text)
    return _REFERENCE.sub(lambda m: f"{m[1]}{prefix}-{m[2]}", text)


def group_charts(sensitivity: Sensitivity, prefix: str) -> list[tuple[str, str]]:
    """A group's charts: contributions, the nearest weight threshold, rank acceptability."""
    from appraise.present import charts

    ranking = sensitivity.ranking
    if not ranking.options:
        return []
    drawn = [
        ("Each option's total, criterion by criterion.", charts.contributions_chart(ranking)),
        (
            "Each option's total as the weight of the criterion nearest to changing the leader "
            "runs from 0% to 100% (today's weight marked).",
            charts.sensitivity_chart(ranking),
        ),
    ]
    if sensitivity.smaa is not None:
        drawn.append(
            (
                "How often each option takes each rank when the weights are drawn at random.",
                charts.acceptability_chart(ranking, sensitivity.smaa),
            )
        )
    return [
        (caption, inline_svg(figure, f"{prefix}-{k}")) for k, (caption, figure) in enumerate(drawn)
    ]


def value_charts(values: Sequence[Value], prefix: str) -> list[tuple[str, str]]:
    """Benefit against each cost figure, with the frontier: one chart per figure."""
    from appraise.present import charts

    return [
        (
            f"Benefit against {v.figure} cost, with the efficient frontier.",
            inline_svg(charts.value_chart(v), f"{prefix}-value-{k}"),
        )
        if v.options
        else ("", "")
        for k, v in enumerate(values)
    ]


def combination_charts(result: CombineResult, rules: object = None) -> list[tuple[str, str]]:
    """The preferred combination's robustness, when its simulation ran and one fits."""
    from pathlib import Path

    from appraise.present import charts

    if result.simulation is None or not result.combinations:
        return []
    figure = charts.combinations_chart(result, Path(str(rules)) if rules is not None else None)
    caption = "How often each top combination is best when the weights are drawn at random."
    return [(caption, inline_svg(figure, "combination"))]
