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

    Where the function is flat at ``score``, the lowest such measure is given.
    """
    xs, ys = _rising(measure)
    best = None
    for (x0, y0), (x1, y1) in pairwise(zip(xs, ys, strict=True)):
        if min(y0, y1) - 1e-12 <= score <= max(y0, y1) + 1e-12:
            x = x0 if y1 == y0 else x0 + (score - y0) * (x1 - x0) / (y1 - y0)
            best = x if best is None else best
    return None if best is None else float(best)


def _rising(measure: MeasureSpec) -> tuple[list[float], list[float]]:
    """The points with measures in rising order (as ``numpy.interp`` takes them)."""
    points = sorted(measure.points)
    return [x for x, _ in points], [y for _, y in points]
