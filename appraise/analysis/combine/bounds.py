"""Relaxations of the limits that the search's bound uses: Lagrange multipliers and hulls."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from appraise.analysis.combine.problem import Problem, suffix
from appraise.data import FloatArray


def _multiplier(values: Sequence[FloatArray], weights: Sequence[FloatArray], cap: float) -> float:
    """The ``lam >= 0`` that minimises ``sum_g max_o (v - lam * a) + lam * cap``.

    That is a convex, piecewise linear function of ``lam``, so its minimum is at 0 or where
    some group's best option changes; every such point is tried.
    """
    steps = [0.0]
    for v, a in zip(values, weights, strict=True):
        dv, da = v[:, None] - v[None, :], a[:, None] - a[None, :]
        steps += [float(x) for x in dv[da > 0] / da[da > 0] if x > 0]
    lams = np.unique(steps)
    bound = lams * cap
    for v, a in zip(values, weights, strict=True):
        bound += (v[None, :] - lams[:, None] * a[None, :]).max(axis=1)
    return float(lams[int(np.argmin(bound))])


def lagrange_multipliers(problem: Problem, values: Sequence[Sequence[float]]) -> list[float]:
    """One Lagrange multiplier per limit, for the bound (see ``Search``).

    For any multipliers of the right sign the bound holds; these minimise it at the root, one
    limit at a time given the others (two rounds when there are several limits).
    """
    signs = [1.0 if lim.op == "<=" else -1.0 for lim in problem.limits]
    attrs = [
        [sign * np.asarray(lim.values[g], np.float64) for g in range(len(values))]
        for sign, lim in zip(signs, problem.limits, strict=True)
    ]
    lams = [0.0] * len(signs)
    for _ in range(2 if len(lams) > 1 else 1):
        for li, sign in enumerate(signs):
            adjusted = [
                np.asarray(values[g], np.float64)
                - sum((lams[m] * attrs[m][g] for m in range(len(lams)) if m != li), 0.0)
                for g in range(len(values))
            ]
            lams[li] = _multiplier(adjusted, attrs[li], sign * problem.limits[li].bound)
    return [lam * sign for lam, sign in zip(lams, signs, strict=True)]


class Hull:
    """The linear relaxation of "one option per group, summed attribute within a limit".

    Per group, the options' (attribute, value) points on the upper concave hull from the
    cheapest option to the best one; moving along it costs attribute at a falling rate of
    value per unit. With the budget the limit leaves, the relaxation's best is the cheapest
    point of every group plus the hull segments taken greedily, best rate first, the last one
    in part (the LP bound of the multiple-choice knapsack). A floor ``sum(a) >= B`` is the cap
    ``sum(-a) <= -B``.
    """

    def __init__(self, problem: Problem, values: Sequence[Sequence[float]], li: int) -> None:
        lim = problem.limits[li]
        self.sign = 1.0 if lim.op == "<=" else -1.0
        self.cap = self.sign * lim.bound
        start_cost, start_value = [0.0] * len(values), [0.0] * len(values)
        segments: list[tuple[float, int, float, float]] = []
        for g, row in enumerate(values):
            points = sorted(
                ((self.sign * a, v) for a, v in zip(lim.values[g], row, strict=True)),
                key=lambda point: (point[0], -point[1]),
            )
            hull = _upper_hull(points)
            start_cost[g], start_value[g] = hull[0]
            segments += [
                ((v1 - v0) / (a1 - a0), g, a1 - a0, v1 - v0)
                for (a0, v0), (a1, v1) in itertools.pairwise(hull)
            ]
        segments.sort(key=lambda seg: -seg[0])
        self.segments = segments
        self.rest_cost = suffix(start_cost, problem.order)
        self.rest_value = suffix(start_value, problem.order)

    def best(self, depth: int, spent: float, choice: Sequence[int]) -> float:
        """The relaxation's best for the groups from ``depth`` on, ``spent`` used so far."""
        budget = self.cap - self.sign * spent - self.rest_cost[depth]
        total = self.rest_value[depth]
        if budget < 0:
            return -math.inf
        for rate, g, cost, gain in self.segments:
            if choice[g] >= 0:
                continue
            if cost > budget:
                return total + rate * budget
            budget -= cost
            total += gain
        return total


def _upper_hull(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The concave upper hull of points sorted by cost, from the first to the best value."""
    hull: list[tuple[float, float]] = []
    for a, v in points:
        if hull and v <= hull[-1][1]:
            continue  # costs at least as much and is worth no more: never worth moving to
        while len(hull) >= 2:
            (a0, v0), (a1, v1) = hull[-2], hull[-1]
            if (v1 - v0) * (a - a0) <= (v - v0) * (a1 - a0):
                hull.pop()  # the middle point lies on or under the line past it
            else:
                break
        hull.append((a, v))
    return hull
