"""One option's total taken apart: each sub-criterion's part, and the gap to another option.

An option's total is the sum over the cells it was scored on of (weight x score), the weights
rescaled over those cells (``appraise.kernel.weighted_sum``). Here that sum is shown cell by
cell: each leaf's weight as used, the score (and the panel's spread behind it), and its part
of the total. Against another option (the leader, or the runner-up when the option leads),
the gap is split the same way: per leaf and per top-level criterion, largest first, so
"Hubs lead Relocate by 0.26: +0.31 from affordability, -0.09 from quality" reads off it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from appraise.analysis.scoring import Ranking
from appraise.errors import ParameterError
from appraise.kernel import weighted_sum
from appraise.validate import nearest


@dataclass(frozen=True)
class LeafPart:
    """One leaf (sub-criterion, or criterion scored directly) of one option's total."""

    leaf: str
    criterion: str
    weight: float  # as used for this option: rescaled over the cells it was scored on
    score: float | None  # None: a cell left out (--missing renormalise)
    part: float  # weight x score
    scorers: int  # 0 for consensus scores
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Gap:
    """How much of the gap between two options one leaf or criterion makes (option - other)."""

    node: str
    gap: float


@dataclass(frozen=True)
class Explanation:
    """An option's total by leaf; with ``against``, the gap by leaf and by criterion."""

    ranking: Ranking
    option: str
    total: float
    parts: tuple[LeafPart, ...]
    against: str | None = None
    against_total: float | None = None
    against_parts: tuple[LeafPart, ...] = ()
    gap_by_criterion: tuple[Gap, ...] = ()
    gap_by_leaf: tuple[Gap, ...] = ()


def _ranked_ids(ranking: Ranking) -> list[str]:
    return [o.id for o in ranking.options]


def _index(ranking: Ranking, option: str, parameter: str) -> int:
    ids = [o.id for o in ranking.sheet.options]
    ranked = _ranked_ids(ranking)
    if option not in ranked:
        if option in ids:
            raise ParameterError(
                parameter, f"'{option}' is set aside, not ranked: nothing to explain"
            )
        meant = nearest(option, ranked)
        hint = f"did you mean '{meant}'?" if meant else f"the options: {', '.join(ranked)}"
        raise ParameterError(parameter, f"no option '{option}' in {ranking.sheet.path}: {hint}")
    return ids.index(option)


def _parts(ranking: Ranking, row: int) -> tuple[LeafPart, ...]:
    sheet, scores = ranking.sheet, ranking.scores
    assert scores is not None  # rank always keeps the scores it used
    w = np.array([ranking.weights[leaf] for leaf in sheet.leaf_ids])
    given = ~np.isnan(scores[row : row + 1])
    cells = np.where(given, scores[row : row + 1], 0.0)
    parts = weighted_sum(cells, w, given, by=np.eye(len(w)))[0]
    effective = w * given[0]
    effective = effective / effective.sum() if effective.sum() > 0 else effective
    spread = ranking.spread
    out = []
    for j, leaf in enumerate(sheet.leaf_ids):
        n = int(spread.n[row, j]) if spread is not None and sheet.per_scorer else 0
        out.append(
            LeafPart(
                leaf=leaf,
                criterion=sheet.tree.parent(leaf),
                weight=float(effective[j]),
                score=float(scores[row, j]) if given[0, j] else None,
                part=float(parts[j]),
                scorers=n,
                low=float(spread.low[row, j]) if n and spread is not None else None,
                high=float(spread.high[row, j]) if n and spread is not None else None,
            )
        )
    return tuple(out)


def explain(ranking: Ranking, option: str, against: str | None = None) -> Explanation:
    """``option``'s total by leaf, and the gap to ``against`` by leaf and by criterion.

    ``against`` is by default the leader, or the runner-up when ``option`` leads.

    Raises:
        ParameterError: ``option`` or ``against`` is not a ranked option of the sheet, or they
            are the same.
    """
    row = _index(ranking, option, "option")
    totals = {o.id: o.total for o in ranking.options}
    parts = _parts(ranking, row)
    ranked = _ranked_ids(ranking)
    if against is None:
        others = [o for o in ranked if o != option]
        if not others:
            return Explanation(ranking, option, totals[option], parts)
        against = others[0]
    elif against == option:
        raise ParameterError("against", f"'{against}' is the option explained; name another")
    other_row = _index(ranking, against, "against")
    other_parts = _parts(ranking, other_row)
    by_leaf = [Gap(a.leaf, a.part - b.part) for a, b in zip(parts, other_parts, strict=True)]
    by_criterion: dict[str, float] = {}
    for a, b in zip(parts, other_parts, strict=True):
        by_criterion[a.criterion] = by_criterion.get(a.criterion, 0.0) + a.part - b.part
    return Explanation(
        ranking,
        option,
        totals[option],
        parts,
        against,
        totals[against],
        other_parts,
        tuple(sorted((Gap(c, g) for c, g in by_criterion.items()), key=lambda g: -abs(g.gap))),
        tuple(sorted(by_leaf, key=lambda g: -abs(g.gap))),
    )
