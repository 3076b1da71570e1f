"""Deterministic sensitivity: exact weight thresholds, score thresholds, weight sets, leave-one-out.

Every weight path here is a straight line. Varying one criterion's global weight ``t`` from 0 to
1 while the others keep their proportions (rescaled to fill ``1 - t``) makes each option's
total ``b + t (a - b)``, where ``a`` is its total with all weight on the criterion and ``b`` its
total with none. Where the leader stops being first is then where two lines cross: solved in
closed form, never searched for on a grid. The within-family variant moves a sub-criterion's
share of its own criterion instead, the criterion's weight fixed; totals are linear again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from appraise.analysis.scoring import Ranking, rank
from appraise.choices import ANALYSES
from appraise.data import FloatArray
from appraise.errors import InputError, ParameterError, setting
from appraise.kernel import TIE_TOLERANCE, competition_ranks, weighted_sum
from appraise.limits import MAX_OPTIONS, MAX_SENSITIVITY_OPTIONS
from appraise.model import Settings
from appraise.weights import same_weights

if TYPE_CHECKING:
    from appraise.analysis.smaa import SmaaResult

Variant = Literal["global", "within"]


@dataclass(frozen=True)
class Ranked:
    """The ranked options of a ranking as arrays: ids in rank order, scores, base weights."""

    ids: tuple[str, ...]
    scores: FloatArray  # ranked options x leaves
    weights: FloatArray  # leaves
    leaf_ids: tuple[str, ...]

    @classmethod
    def of(cls, ranking: Ranking) -> Ranked:
        """The ranked options' scores as used; sensitivity needs every cell scored."""
        sheet = ranking.sheet
        assert ranking.scores is not None  # rank() always records them
        row = {o.id: i for i, o in enumerate(sheet.options)}
        ids = tuple(o.id for o in ranking.options)
        scores = ranking.scores[[row[i] for i in ids]]
        if np.isnan(scores).any():
            raise InputError(
                sheet.path,
                "",
                "sensitivity needs every cell of the ranked options scored; with gaps, use "
                f"{setting('missing', 'baseline')} or {setting('missing', 'exclude')} rather "
                f"than renormalise (export: or {setting('sensitivity', False)})",
            )
        weights = np.array([ranking.weights[leaf] for leaf in sheet.leaf_ids])
        return cls(ids, scores, weights, sheet.leaf_ids)

    @property
    def totals(self) -> FloatArray:
        """Weighted totals at the base weights."""
        return weighted_sum(self.scores, self.weights)


@dataclass(frozen=True)
class Line:
    """Every option's total along one weight path: ``at0 + t (at1 - at0)`` for t in [0, 1]."""

    criterion: str
    level: Literal["criterion", "sub-criterion"]
    variant: Variant
    current: float  # today's t
    at0: FloatArray
    at1: FloatArray

    def totals(self, t: float) -> FloatArray:
        """Totals at ``t``."""
        return self.at0 + t * (self.at1 - self.at0)

    def crossing(self, i: int, j: int) -> float | None:
        """Where options ``i`` and ``j`` swap places strictly inside the range, if they do.

        Decided from their totals at the two ends, not from the float crossing point: they
        swap only if one is ahead at 0% and the other at 100%, each by more than the tie
        tolerance ``rank`` uses. Lines that meet only at an end (a tie reached at exactly 0%
        or 100% of the weight, whatever the float noise) or run level never swap.
        """
        gap0 = self.at0[i] - self.at0[j]
        gap1 = self.at1[i] - self.at1[j]
        if abs(gap0) <= TIE_TOLERANCE or abs(gap1) <= TIE_TOLERANCE or (gap0 > 0) == (gap1 > 0):
            return None
        return float(gap0 / (gap0 - gap1))

    def crossings(self, i: int) -> tuple[npt.NDArray[np.intp], FloatArray]:
        """Every option ``j`` that swaps places with ``i`` inside the range, and where.

        ``crossing(i, j)`` for all ``j`` at once (the same figures, in the order of ``j``).
        """
        gap0 = self.at0[i] - self.at0
        gap1 = self.at1[i] - self.at1
        swaps = (
            (np.abs(gap0) > TIE_TOLERANCE)
            & (np.abs(gap1) > TIE_TOLERANCE)
            & ((gap0 > 0) != (gap1 > 0))
        )
        swaps[i] = False
        found = np.flatnonzero(swaps)
        with np.errstate(divide="ignore", invalid="ignore"):
            where: FloatArray = gap0[found] / (gap0[found] - gap1[found])
        return found, where


@dataclass(frozen=True)
class Swap:
    """Two shortlisted options whose order changes at ``weight``."""

    first: str
    second: str
    weight: float


@dataclass(frozen=True)
class Threshold:
    """How far one criterion's weight can move before today's leader stops being first."""

    criterion: str
    level: Literal["criterion", "sub-criterion"]
    variant: Variant
    weight: float
    lower: float | None
    upper: float | None
    below: str | None
    above: str | None
    swaps: tuple[Swap, ...]
    first_change_lower: float | None
    first_change_upper: float | None


def _nodes(ranking: Ranking) -> list[tuple[str, Literal["criterion", "sub-criterion"], list[int]]]:
    """Each criterion and sub-criterion with the leaf columns it covers."""
    sheet = ranking.sheet
    tree = sheet.tree
    column = {leaf: j for j, leaf in enumerate(sheet.leaf_ids)}
    out: list[tuple[str, Literal["criterion", "sub-criterion"], list[int]]] = []
    for criterion in tree.spec.criteria:
        if sheet.level == "criteria" or not criterion.sub:
            out.append((criterion.id, "criterion", [column[criterion.id]]))
            continue
        out.append((criterion.id, "criterion", [column[s.id] for s in criterion.sub]))
        out.extend((s.id, "sub-criterion", [column[s.id]]) for s in criterion.sub)
    return out


def _global_line(
    data: Ranked, node: str, level: Literal["criterion", "sub-criterion"], cols: list[int]
) -> Line:
    w = data.weights
    inside = np.zeros_like(w, dtype=bool)
    inside[cols] = True
    current = float(w[inside].sum())
    within = w * inside
    within = within / current if current > 0 else inside / inside.sum()
    rest = w * ~inside
    rest_sum = rest.sum()
    # With nothing outside the criterion, its weight cannot move: both ends are today.
    rest = rest / rest_sum if rest_sum > 0 else within
    return Line(
        node,
        level,
        "global",
        current,
        weighted_sum(data.scores, rest),
        weighted_sum(data.scores, within),
    )


def _within_line(data: Ranked, node: str, parent_cols: list[int], col: int) -> Line:
    """A sub-criterion's share of its criterion from 0 to 1; the criterion's weight fixed."""
    w = data.weights
    family = np.zeros_like(w, dtype=bool)
    family[parent_cols] = True
    parent = float(w[family].sum())
    base = weighted_sum(data.scores, w * ~family)  # the other criteria's contribution, unchanged
    siblings = np.zeros_like(w)
    siblings[[c for c in parent_cols if c != col]] = w[[c for c in parent_cols if c != col]]
    sib_sum = siblings.sum()
    siblings = siblings / sib_sum if sib_sum > 0 else siblings
    current = float(w[col] / parent) if parent > 0 else 0.0
    at0 = base + parent * (
        weighted_sum(data.scores, siblings) if sib_sum > 0 else data.scores[:, col]
    )
    at1 = base + parent * data.scores[:, col]
    return Line(node, "sub-criterion", "within", current, at0, at1)


def weight_lines(ranking: Ranking, variant: Variant = "global") -> list[Line]:
    """One line per criterion and sub-criterion (``within``: per sub-criterion only)."""
    data = Ranked.of(ranking)
    nodes = _nodes(ranking)
    if variant == "global":
        return [_global_line(data, node, level, cols) for node, level, cols in nodes]
    lines = []
    parent_cols: list[int] = []
    for node, level, cols in nodes:
        if level == "criterion":
            parent_cols = cols
        elif len(parent_cols) > 1:
            lines.append(_within_line(data, node, parent_cols, cols[0]))
    return lines


def _beyond(t: float, bound: float, steep: float, steepest: float, higher: bool) -> bool:
    """Whether a crossing at ``t`` binds tighter than ``bound`` (or as tight, but steeper)."""
    if abs(t - bound) <= 1e-12:
        return steep > steepest
    return t > bound if higher else t < bound


def leader_bounds(
    line: Line, leader: int
) -> tuple[float | None, float | None, int | None, int | None]:
    """The interval around today's weight on which ``leader`` stays first, and who takes over.

    Only a swap strictly inside the range bounds it (see ``Line.crossing``): a tie reached at
    exactly 0% or 100% of the weight leaves the leader first to that end.
    """
    lower, upper, below, above = 0.0, 1.0, None, None
    steep_below, steep_above = 0.0, 0.0
    found, where = line.crossings(leader)
    for j, t in zip(found.tolist(), where.tolist(), strict=True):
        slope = (line.at1[leader] - line.at0[leader]) - (line.at1[j] - line.at0[j])
        # Past the bound the steepest of the options crossing there leads (ties: first listed).
        if slope > 0 and _beyond(t, lower, slope, steep_below, higher=True):
            lower, below, steep_below = t, j, slope
        elif slope < 0 and _beyond(t, upper, -slope, steep_above, higher=False):
            upper, above, steep_above = t, j, -slope
    return (
        lower if below is not None else None,
        upper if above is not None else None,
        below,
        above,
    )


def leader_changes(line: Line, leader: int, end: float) -> list[tuple[float, int]]:
    """Where first place changes hands as the weight moves from today's to ``end``, and to whom.

    ``leader`` (an index into the line's options) leads at ``line.current``. Each change is the
    bound ``thresholds`` gives for the option leading at that point, so a move past several
    thresholds names each, in the order it passes them.
    """
    changes: list[tuple[float, int]] = []
    rising = end > line.current
    for _ in range(len(line.at0)):
        lower, upper, below, above = leader_bounds(line, leader)
        at, who = (upper, above) if rising else (lower, below)
        if at is None or who is None or (at >= end if rising else at <= end):
            break
        changes.append((at, who))
        leader = who
    return changes


def _swaps(
    line: Line, shortlist: int
) -> tuple[list[tuple[int, int, float]], float | None, float | None]:
    """Crossings among the shortlist, and the nearest change to the top N on each side."""
    n = len(line.at0)
    swaps: list[tuple[int, int, float]] = []
    first_low: float | None = None
    first_high: float | None = None
    for i in range(min(shortlist, n)):
        found, where = line.crossings(i)
        swaps += [
            (i, j, t)
            for j, t in zip(found.tolist(), where.tolist(), strict=True)
            if i < j < shortlist
        ]
        low = where[where < line.current - 1e-12]
        high = where[where > line.current + 1e-12]
        if len(low):
            first_low = float(low.max()) if first_low is None else max(first_low, float(low.max()))
        if len(high):
            first_high = (
                float(high.min()) if first_high is None else min(first_high, float(high.min()))
            )
    return sorted(swaps, key=lambda s: s[2]), first_low, first_high


def thresholds(ranking: Ranking, top: int = 3, variant: Variant = "global") -> list[Threshold]:
    """Exact weight thresholds for today's leader, per criterion and sub-criterion."""
    data = Ranked.of(ranking)
    if not data.ids:
        return []
    out = []
    for line in weight_lines(ranking, variant):
        lower, upper, below, above = leader_bounds(line, 0)
        swaps, first_low, first_high = _swaps(line, top)
        out.append(
            Threshold(
                criterion=line.criterion,
                level=line.level,
                variant=variant,
                weight=line.current,
                lower=lower,
                upper=upper,
                below=None if below is None else data.ids[below],
                above=None if above is None else data.ids[above],
                swaps=tuple(Swap(data.ids[i], data.ids[j], t) for i, j, t in swaps),
                first_change_lower=first_low,
                first_change_upper=first_high,
            )
        )
    return out


@dataclass(frozen=True)
class ScoreThreshold:
    """The change to one score that would bring an option level with today's leader."""

    option: str
    leaf: str
    score: float
    change: float | None  # None: not possible within the scale
    needed: float | None


def score_thresholds(ranking: Ranking) -> list[ScoreThreshold]:
    """For each option behind the leader and each leaf: the score rise that draws level.

    Decided on totals with the tie tolerance ``rank`` uses, so float noise never moves a figure
    past the end of the scale: an option already level needs no rise (0); one that draws level
    only at the top of the scale needs exactly the top; one still behind there cannot. A
    measured leaf's top is its value function's highest score.
    """
    data = Ranked.of(ranking)
    if len(data.ids) < 2:
        return []
    totals = data.totals
    functions = ranking.sheet.tree.measures()
    # A measured leaf reaches no higher than its value function's best score.
    high = np.array(
        [
            max(y for _, y in functions[leaf].points)
            if leaf in functions
            else ranking.sheet.scale.max
            for leaf in data.leaf_ids
        ],
        dtype=float,
    )
    scores = data.scores[1:]  # everyone behind the leader, leaves across
    weight = np.asarray(data.weights, dtype=float)
    gap = (totals[0] - totals[1:])[:, None] + np.zeros_like(scores)
    headroom = (high - scores) * weight  # what the top of the scale would add
    level = gap <= TIE_TOLERANCE
    beyond = ~level & ((weight <= 0) | (gap > headroom + TIE_TOLERANCE))
    at_top = ~level & ~beyond & (gap >= headroom - TIE_TOLERANCE)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(level, 0.0, np.where(at_top, high - scores, gap / weight))
    needed = np.minimum(scores + change, high)
    out = []
    for i, option in enumerate(data.ids[1:]):
        for j, leaf in enumerate(data.leaf_ids):
            possible = not beyond[i, j]
            out.append(
                ScoreThreshold(
                    option,
                    leaf,
                    float(scores[i, j]),
                    float(change[i, j]) if possible else None,
                    float(needed[i, j]) if possible else None,
                )
            )
    return out


@dataclass(frozen=True)
class Alternative:
    """The ranking under one change (a weight set, or one criterion or scorer left out)."""

    kind: Literal["weight set", "criterion", "scorer"]
    name: str
    order: tuple[str, ...]
    totals: tuple[float, ...]
    leaders: tuple[str, ...]
    leader_changed: bool  # a leader of today's ranking is no longer first
    shortlist_changed: bool
    note: str | None = None
    leader_shared: bool = False  # today's leader is still first, but now tied with others


def _alternative(
    kind: Literal["weight set", "criterion", "scorer"],
    name: str,
    base: Ranking,
    order: list[str],
    totals: list[float],
    ranks: list[int],
    top: int,
    note: str | None = None,
) -> Alternative:
    leaders = tuple(o for o, r in zip(order, ranks, strict=True) if r == 1)
    base_leaders = {o.id for o in base.options if o.rank == 1}
    base_short = {o.id for o in base.options[:top]}
    # Judged by the leader the outputs name (the first listed): a tie of today's that narrows
    # to it is not a change, and one that narrows to another option is.
    changed = bool(base.options) and base.options[0].id not in leaders
    return Alternative(
        kind,
        name,
        tuple(order),
        tuple(totals),
        leaders,
        changed,
        set(order[:top]) != base_short,
        note,
        leader_shared=not changed and len(leaders) > 1 and set(leaders) != base_leaders,
    )


def _reranked(
    kind: Literal["weight set", "criterion", "scorer"],
    name: str,
    base: Ranking,
    other: Ranking,
    top: int,
    note: str | None = None,
) -> Alternative:
    """``other`` (the same options ranked another way) compared with ``base``."""
    options = other.options
    return _alternative(
        kind,
        name,
        base,
        [o.id for o in options],
        [o.total for o in options],
        [o.rank for o in options],
        top,
        note,
    )


def _settings(ranking: Ranking) -> Settings:
    return ranking.settings or Settings(aggregate=ranking.aggregate, weight_set=ranking.weight_set)


def weight_set_rankings(ranking: Ranking, top: int = 3) -> list[Alternative]:
    """The ranking under the base weights and under each named weight set of the criteria file."""
    settings = _settings(ranking)
    names: list[str | None] = [None, *ranking.sheet.tree.spec.weight_sets]
    out = []
    base_weights: dict[str, float] = {}
    for name in names:
        other = rank(ranking.sheet, replace(settings, weight_set=name))
        note = None
        if name is None:
            base_weights = other.weights
        elif settings.weight_set is None and same_weights(other.weights, base_weights):
            note = NO_EFFECT  # (under another set in use, it is the base weights, not nothing)
        out.append(_reranked("weight set", name or "base", ranking, other, top, note))
    return out


# A weight set that changes only sub-criteria, in an indicative round scored on the criteria.
NO_EFFECT = "no effect here: it changes no weight this file is scored against"


def leave_one_out(ranking: Ranking, top: int = 3) -> list[Alternative]:
    """Drop each criterion (the rest rescaled) and, for a panel, each scorer; re-rank."""
    data = Ranked.of(ranking)
    out = []
    for line in weight_lines(ranking, "global"):
        totals = line.at0  # all weight off the criterion, the rest in proportion
        ranks = competition_ranks(totals)
        order = np.argsort(ranks, kind="stable")
        out.append(
            _alternative(
                "criterion",
                line.criterion,
                ranking,
                [data.ids[k] for k in order],
                [float(totals[k]) for k in order],
                [int(ranks[k]) for k in order],
                top,
            )
        )
    sheet = ranking.sheet
    if sheet.per_scorer and len(sheet.scorer_ids) > 1:
        for s, scorer in enumerate(sheet.scorer_ids):
            keep = [k for k in range(len(sheet.scorer_ids)) if k != s]
            reduced = replace(
                sheet, raw=sheet.raw[keep], scorer_ids=tuple(sheet.scorer_ids[k] for k in keep)
            )
            alone = np.isnan(reduced.raw).all(axis=0) & ~np.isnan(sheet.raw).all(axis=0)
            if alone.any():
                note = "the only scorer of some cells, so not left out"
                out.append(Alternative("scorer", scorer, (), (), (), False, False, note))
                continue
            other = rank(reduced, _settings(ranking))
            out.append(_reranked("scorer", scorer, ranking, other, top))
    return out


@dataclass(frozen=True)
class SmaaOptions:
    """How to sample for SMAA (see ``appraise.analysis.smaa.smaa``)."""

    samples: int = 10_000
    seed: int = 1
    distribution: Literal["uniform", "family", "dirichlet"] = "uniform"
    concentration: float = 100.0
    score_noise: Literal["none", "scorers", "range"] = "none"


@dataclass(frozen=True)
class Sensitivity:
    """Every analysis asked for, on one ranking; ``None`` where not asked."""

    ranking: Ranking
    top: int
    thresholds: list[Threshold] | None = None
    within: list[Threshold] | None = None
    scores: list[ScoreThreshold] | None = None
    weight_sets: list[Alternative] | None = None
    leave_one_out: list[Alternative] | None = None
    smaa: SmaaResult | None = None
    notes: tuple[str, ...] = ()


def check_size(ranking: Ranking) -> None:
    """Refuse a ranking too large to analyse within the limits (``MAX_SENSITIVITY_OPTIONS``).

    Rank acceptability is options x ranks, so memory grows with the square of the options:
    2,000 of 60 sub-criteria take about 4 s and 550 MB, 5,000 took 1.5 GB.

    Raises:
        InputError: More options ranked than the limit, naming the file.
    """
    count = len(ranking.options)
    if count > MAX_SENSITIVITY_OPTIONS:
        raise InputError(
            ranking.sheet.path,
            "options",
            f"{count:,} options ranked; sensitivity takes at most "
            f"{MAX_SENSITIVITY_OPTIONS:,} (rank takes {MAX_OPTIONS:,}): analyse a shortlist, "
            f"e.g. with {setting('statuses', None)}",
        )


def analyse(
    ranking: Ranking,
    what: Sequence[str] = ANALYSES,
    top: int = 3,
    sampling: SmaaOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> Sensitivity:
    """Run the analyses asked for (all by default; names as in ``ANALYSES``) on one ranking."""
    from appraise.analysis.smaa import PAIRWISE_OPTIONS, smaa

    check_size(ranking)
    asked = set(what)
    notes = []
    sampling = sampling or SmaaOptions()
    fixed = sampling.score_noise == "range" and not ranking.sheet.per_scorer
    if "smaa" in asked and fixed:
        notes.append(
            f"{ranking.sheet.path}: --score-noise range: consensus scores have no spread "
            "between scorers, so the simulation keeps them fixed"
        )
    if "smaa" in asked and len(ranking.options) > PAIRWISE_OPTIONS:
        notes.append(
            f"{ranking.sheet.path}: pairwise wins (JSON) among today's first "
            f"{PAIRWISE_OPTIONS} options only, of {len(ranking.options):,}"
        )
    unknown = asked - set(ANALYSES)
    if unknown:
        raise ValueError(f"unknown analyses {sorted(unknown)}; known: {', '.join(ANALYSES)}")
    return Sensitivity(
        ranking=ranking,
        top=top,
        thresholds=thresholds(ranking, top) if "thresholds" in asked else None,
        within=thresholds(ranking, top, "within") if "within" in asked else None,
        scores=score_thresholds(ranking) if "scores" in asked else None,
        weight_sets=weight_set_rankings(ranking, top) if "weight-sets" in asked else None,
        leave_one_out=leave_one_out(ranking, top) if "leave-one-out" in asked else None,
        smaa=smaa(
            ranking,
            samples=sampling.samples,
            seed=sampling.seed,
            distribution=sampling.distribution,
            concentration=sampling.concentration,
            score_noise=sampling.score_noise,
            progress=progress,
        )
        if "smaa" in asked and ranking.options
        else None,
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class WeightChart:
    """Every ranked option's total as one weight runs from 0% to 100% (the rest in proportion).

    ``crossings`` are where two of the ``shown`` options change places: (weight, ahead below,
    ahead above), by weight.
    """

    line: Line
    ids: tuple[str, ...]
    shown: int
    crossings: tuple[tuple[float, str, str], ...]


def weight_chart(ranking: Ranking, node: str, shown: int = 8) -> WeightChart:
    """The one-way sensitivity of ``node`` (a criterion or sub-criterion id), for a chart.

    Raises:
        ParameterError: ``node`` is no criterion or sub-criterion of the sheet.
    """
    lines = {line.criterion: line for line in weight_lines(ranking)}
    if node not in lines:
        from appraise.validate import nearest

        meant = nearest(node, list(lines))
        hint = f"did you mean '{meant}'?" if meant else f"the criteria: {', '.join(lines)}"
        message = f"'{node}' is no criterion of {ranking.sheet.path}: {hint}"
        raise ParameterError("chart", message)
    line = lines[node]
    ids = tuple(o.id for o in ranking.options)
    count = min(shown, len(ids))
    found = []
    for i in range(count):
        for j in range(i + 1, count):
            t = line.crossing(i, j)
            if t is not None:
                below, above = (i, j) if line.at0[i] > line.at0[j] else (j, i)
                found.append((t, ids[below], ids[above]))
    return WeightChart(line, ids, count, tuple(sorted(found)))
