"""Value functions: a measured criterion's measure turned into a score, and back (CONTRACT 1.4).

Linear between the given points, never extrapolated: a measure outside the points' range has
no score (the caller says so, naming option, criterion and range).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from appraise.model import MeasureSpec


def measure_range(measure: MeasureSpec) -> tuple[float, float]:
    """The lowest and highest measure the points cover."""
    xs = [x for x, _ in measure.points]
    return min(xs), max(xs)


def score_of(measure: MeasureSpec, value: float) -> float | None:
    """The score a measure gives, or None outside the points' range."""
    low, high = measure_range(measure)
    if not low <= value <= high:
        return None
    xs, ys = _rising(measure)
    return float(np.interp(value, xs, ys))


def measure_for(measure: MeasureSpec, score: float) -> float | None:
    """The measure at which the value function reaches ``score``; None if it never does.

    Where the function is flat at ``score``, the least demanding measure of the flat part is
    given: the highest for a falling function (more minutes still score it), the lowest for a
    rising one.
    """
    xs, ys = _rising(measure)
    falling = ys[-1] < ys[0]
    found = []
    for (x0, y0), (x1, y1) in pairwise(zip(xs, ys, strict=True)):
        if min(y0, y1) - 1e-12 <= score <= max(y0, y1) + 1e-12:
            if y1 == y0:
                found += [x0, x1]
            else:
                found.append(x0 + (score - y0) * (x1 - x0) / (y1 - y0))
    if not found:
        return None
    return float(max(found) if falling else min(found))


def _rising(measure: MeasureSpec) -> tuple[list[float], list[float]]:
    """The points with measures in rising order (as ``numpy.interp`` takes them)."""
    points = sorted(measure.points)
    return [x for x, _ in points], [y for _, y in points]
