"""Criteria tree to global leaf weights; weight sets; exact display rounding.

Global weight of a sub-criterion = (criterion weight / top-level sum) x (sub weight / family
sum), per CONTRACT 1.1. Computing with each family's own sum is what ``--normalise`` means, so
the arithmetic is the same whether or not a family was rescaled; whether rescaling was allowed
is decided in ``validate.py``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np

from appraise.data import CriteriaTree, FloatArray, Level
from appraise.model import CriteriaFile, CriterionSpec


def exact(value: float) -> Fraction:
    """The decimal a weight was written as (19.1 is 191/10, not the nearest binary float)."""
    return Fraction(repr(value))


# A family's weights written by a spreadsheet or a script carry floating-point noise (three
# thirds as 33.333333333333336, 33.333333333333336, 33.33333333333333 sum to
# 100.000000000000002): a sum closer to 100 than this, relative, is 100.
WEIGHT_SUM_NOISE = Fraction(1, 10**9)


def sums_to_100(total: Fraction) -> bool:
    """Whether a family's weights, summing to ``total`` exactly, sum to 100 up to float noise.

    The family is then used as given: global weights divide by the actual sum, as always.
    """
    return abs(total - 100) < 100 * WEIGHT_SUM_NOISE


def sum_text(total: Fraction) -> str:
    """A family's sum with the digits that show how it differs from 100 ("100.0000001").

    The shortest decimal that reads back as the same float: a sum that is not 100 (see
    ``sums_to_100``) differs from it far above float precision, so this never reads "100".
    """
    text = repr(float(total))
    return text.removesuffix(".0")


def _family_weights(
    criterion: CriterionSpec, overrides: Mapping[str, float]
) -> tuple[float, list[float]]:
    weight = overrides.get(criterion.id, criterion.weight)
    subs = [overrides.get(s.id, s.weight) for s in criterion.sub or []]
    return weight, subs


def global_weights(
    tree: CriteriaTree,
    level: Level = "leaves",
    weight_set: Mapping[str, float] | None = None,
) -> FloatArray:
    """Global weight per leaf (or per criterion for an indicative round), summing to 1.

    ``weight_set`` overrides any criterion or sub-criterion weight by id; each family is then
    rescaled to its own sum, so a set is a perspective, not a second table.
    """
    overrides = weight_set or {}
    families = [_family_weights(c, overrides) for c in tree.spec.criteria]
    top_sum = sum(w for w, _ in families)
    out: list[float] = []
    for _criterion, (weight, subs) in zip(tree.spec.criteria, families, strict=True):
        share = weight / top_sum
        if level == "criteria" or not subs:
            out.append(share)
        else:
            family_sum = sum(subs)
            out.extend(share * s / family_sum if family_sum else 0.0 for s in subs)
    return np.asarray(out, dtype=np.float64)


def membership(tree: CriteriaTree, level: Level) -> FloatArray:
    """0/1 matrix (leaves x top-level criteria): which criterion each leaf belongs to."""
    tops = tree.top_ids
    leaves = tree.leaves(level)
    matrix = np.zeros((len(leaves), len(tops)))
    for i, leaf in enumerate(leaves):
        matrix[i, tops.index(tree.parent(leaf))] = 1.0
    return matrix


def exact_global_percent(tree: CriteriaTree) -> dict[str, Fraction]:
    """Global weights of every node in exact per cent, for display and for checking print."""
    tops = tree.spec.criteria
    top_sum = sum(exact(c.weight) for c in tops)
    out: dict[str, Fraction] = {}
    for criterion in tops:
        share = 100 * exact(criterion.weight) / top_sum if top_sum else Fraction(0)
        out[criterion.id] = share
        subs = criterion.sub or []
        family_sum = sum(exact(s.weight) for s in subs)
        for sub in subs:
            out[sub.id] = share * exact(sub.weight) / family_sum if family_sum else Fraction(0)
    return out


def round_half_up(value: Fraction, decimals: int = 1) -> Decimal:
    """Round half away from zero (5.45 -> 5.5), as people and printed tables do."""
    quantum = Decimal(1).scaleb(-decimals)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        quantum, rounding=ROUND_HALF_UP
    )


def percent_text(fraction: float, decimals: int = 1) -> str:
    """A computed fraction as a per-cent figure rounded half-up (0.1745 -> "17.5").

    Floats carry binary noise (0.1745 is stored as 0.17449999...), so the value is first
    rounded to ten decimals, then half-up, matching the figures ``appraise criteria`` shows.
    """
    steadied = Decimal(f"{100 * fraction:.10f}")
    return str(steadied.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def display_percentages(values: Sequence[Fraction], decimals: int = 1) -> list[Decimal]:
    """Round per-cent values half-up so that, when they add to 100 exactly, the display does too.

    Rounding each value half-up can leave the column at 99.9 or 100.1. The largest-remainder
    rule then moves the fewest values by one unit: those whose exact value lies closest to the
    rounding boundary (earliest first when equally close). Values that do not add to exactly 100
    are rounded half-up and left alone, so a bad table is never made to look right.
    """
    rounded = [round_half_up(v, decimals) for v in values]
    if sum(values, Fraction(0)) != 100:
        return rounded
    unit = Decimal(1).scaleb(-decimals)
    units_off = int((sum(rounded, Decimal(0)) - 100) / unit)
    if units_off == 0:
        return rounded
    scale = 10**decimals

    def remainder(v: Fraction) -> Fraction:
        return Fraction(v * scale - math.floor(v * scale))

    if units_off > 0:  # too high: take back from values that only just rounded up
        order = sorted(
            (
                i
                for i, (v, r) in enumerate(zip(values, rounded, strict=True))
                if r > _floor(v, decimals)
            ),
            key=lambda i: remainder(values[i]),
        )
        for i in order[:units_off]:
            rounded[i] -= unit
    else:  # too low: give to values that only just rounded down
        order = sorted(
            (
                i
                for i, (v, r) in enumerate(zip(values, rounded, strict=True))
                if r == _floor(v, decimals)
            ),
            key=lambda i: -remainder(values[i]),
        )
        for i in order[:-units_off]:
            rounded[i] += unit
    return rounded


def _floor(value: Fraction, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        quantum, rounding=ROUND_FLOOR
    )


@dataclass(frozen=True)
class Discrepancy:
    """A printed figure that differs from what the rows it summarises give."""

    where: str
    printed: float
    computed: Fraction
    message: str


def _decimals(value: float) -> int:
    text = repr(value)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def printed_discrepancies(spec: CriteriaFile) -> list[Discrepancy]:
    """Every printed subtotal, total or A*B figure that the rows as printed do not give.

    Each printed A*B figure is compared with criterion weight x sub-criterion weight / 100,
    rounded half-up to the printed precision; each printed subtotal with the sum of the printed
    rows above it.
    """
    found: list[Discrepancy] = []

    def compare(where: str, printed: float | None, computed: Fraction, what: str) -> None:
        if printed is None:
            return
        shown = round_half_up(computed, _decimals(printed))
        if shown != Decimal(repr(printed)):
            found.append(
                Discrepancy(
                    where,
                    printed,
                    computed,
                    f"printed {Decimal(repr(printed))}, but {what} {shown}",
                )
            )

    printed_global_rows: list[Fraction] = []
    for i, criterion in enumerate(spec.criteria):
        subs = criterion.sub or []
        for j, sub in enumerate(subs):
            compare(
                f"criteria[{i}].sub[{j}].printed_global ({sub.id})",
                sub.printed_global,
                exact(criterion.weight) * exact(sub.weight) / 100,
                f"{criterion.weight:g} x {sub.weight:g}% =",
            )
        printed = criterion.printed_subtotal
        if printed is not None and subs:
            compare(
                f"criteria[{i}].printed_subtotal.weight ({criterion.id})",
                printed.weight,
                sum((exact(s.weight) for s in subs), Fraction(0)),
                "the sub-criterion weights sum to",
            )
            rows = [exact(s.printed_global) for s in subs if s.printed_global is not None]
            if rows:
                compare(
                    f"criteria[{i}].printed_subtotal.global ({criterion.id})",
                    printed.global_,
                    sum(rows, Fraction(0)),
                    "the printed row totals sum to",
                )
                printed_global_rows.extend(rows)
        elif printed is None and not subs:
            printed_global_rows.append(exact(criterion.weight))
    if spec.printed_total is not None:
        compare(
            "printed_total.weight",
            spec.printed_total.weight,
            sum((exact(c.weight) for c in spec.criteria), Fraction(0)),
            "the criterion weights sum to",
        )
        if printed_global_rows:
            compare(
                "printed_total.global",
                spec.printed_total.global_,
                sum(printed_global_rows, Fraction(0)),
                "the printed row totals sum to",
            )
    return found


def same_weights(weights: Mapping[str, float], other: Mapping[str, float]) -> bool:
    """Whether two sets of global weights are the same (to 1e-12) on every id of ``other``."""
    return all(abs(weights[k] - w) <= 1e-12 for k, w in other.items())
