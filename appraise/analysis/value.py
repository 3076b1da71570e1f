"""Benefit against cost (``appraise value``): the efficient frontier and how robust it is.

An option's benefit is its total as ``rank`` gives it (or, ``above_status_quo``, its total less
the status quo's); its cost is one named figure of its ``cost:`` (CONTRACT 1.5). An option is
on the frontier when no other option has benefit at least as high and cost at least as low,
with one of the two strictly better. Benefits equal within ``TIE`` are equal, as ``rank`` ties
totals; costs are compared exactly, as written. Options with no such figure are listed apart,
never treated as free.

Along the frontier, in ascending cost, each step says what the next option's extra benefit
costs: its extra cost over its extra benefit (cost per extra point) and the reverse (points per
unit of cost). The frontier's robustness is stated as the ranking's is: the frontier under each
named weight set, and the share of SMAA weight draws in which each option is on it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from appraise.analysis.scoring import Ranking, rank
from appraise.analysis.sensitivity import SmaaOptions
from appraise.analysis.smaa import IntArray, chunk_for, draw_chunks, draw_totals
from appraise.analysis.smaa_draws import sample_weights, score_draws
from appraise.data import FloatArray
from appraise.errors import InputError, ParameterError
from appraise.kernel import TIE_TOLERANCE as TIE
from appraise.model import Settings


@dataclass(frozen=True)
class ValuedOption:
    """One option with a cost: its benefit, its cost and where it stands against the rest."""

    id: str
    name: str
    rank: int
    total: float
    benefit: float
    cost: float
    frontier: bool
    dominated_by: str | None
    cost_per_point: float | None
    """Cost over benefit (above the status quo: cost over the status quo's, over benefit);
    None where the benefit is not above 0 or the cost is a saving."""
    status_quo: bool = False


@dataclass(frozen=True)
class Step:
    """One step up the frontier: from a cheaper frontier option to the next one."""

    start: str
    to: str
    extra_cost: float
    extra_benefit: float

    @property
    def cost_per_point(self) -> float | None:
        """What each extra point of benefit costs on this step."""
        return self.extra_cost / self.extra_benefit if self.extra_benefit > TIE else None

    @property
    def points_per_unit(self) -> float | None:
        """What each extra unit of cost buys on this step, in points of benefit."""
        return self.extra_benefit / self.extra_cost if self.extra_cost > 0 else None


@dataclass(frozen=True)
class SetFrontier:
    """The frontier under one named weight set (``None``: the base weights)."""

    weight_set: str | None
    frontier: tuple[str, ...]
    changed: bool  # not the frontier under the weights in force


@dataclass(frozen=True)
class FrontierShares:
    """How often each option with a cost is on the frontier, over SMAA weight draws."""

    sampling: SmaaOptions
    share: dict[str, float]  # option id: share of draws on the frontier, 0..1


@dataclass(frozen=True)
class Value:
    """Benefit against one cost figure, for one ranking."""

    ranking: Ranking
    figure: str
    unit: str
    above_status_quo: bool
    baseline: float  # what is taken off each total to give its benefit (0, or the status quo's)
    options: tuple[ValuedOption, ...]  # ascending cost, then descending benefit
    steps: tuple[Step, ...]
    without_cost: tuple[tuple[str, str], ...]  # (id, name) of ranked options with no figure
    figures: tuple[str, ...]  # every cost figure the file names
    weight_sets: tuple[SetFrontier, ...] = ()
    smaa: FrontierShares | None = None
    notes: tuple[str, ...] = ()
    cost_base: float | None = 0.0  # the cost taken off before cost per point (the status quo's)
    set_aside: tuple[tuple[str, str, str], ...] = ()  # (id, name, reason) not ranked at all
    ties: tuple[tuple[str, str], ...] = ()  # frontier options of equal cost and benefit
    extended: tuple[tuple[str, str, str], ...] = ()
    """(before, option, after) on the frontier where the step past the option costs less a
    point than the step to it (extended dominance: the option is a dearer way up)."""

    @property
    def frontier(self) -> tuple[str, ...]:
        """The frontier's options in ascending cost."""
        return tuple(o.id for o in self.options if o.frontier)


def on_frontier(benefit: FloatArray, cost: FloatArray) -> FloatArray:
    """Whether each option is on the frontier, for each row of ``benefit`` (draws x options).

    ``benefit`` may be one row (options) or many (draws x options); ``cost`` is per option.
    Returns booleans of ``benefit``'s shape.

    Option i is off it when some j is no worse on both and better on one: costs less with a
    benefit at least i's (within the tie tolerance), or costs the same with a benefit above
    i's. So, with the options in order of cost, i is off it when the best benefit among the
    cheaper options is at least i's less the tolerance, or the best among those of its own
    cost is above i's plus it: a running maximum, options x draws work, not options squared
    (the maxima are the benefits themselves, so every comparison is the pairwise one).
    """
    rows = np.atleast_2d(benefit)
    order = np.argsort(cost, kind="stable")
    by_cost = cost[order]
    new_cost = np.r_[True, by_cost[1:] != by_cost[:-1]]
    group = np.cumsum(new_cost) - 1  # each option's place among the distinct costs
    sorted_rows = rows[:, order]
    best_at = np.maximum.reduceat(sorted_rows, np.flatnonzero(new_cost), axis=1)
    best_below = np.full_like(best_at, -np.inf)
    best_below[:, 1:] = np.maximum.accumulate(best_at, axis=1)[:, :-1]
    beaten = (best_below[:, group] >= sorted_rows - TIE) | (best_at[:, group] > sorted_rows + TIE)
    out = np.empty(rows.shape, dtype=bool)
    out[:, order] = ~beaten
    result: FloatArray = out.reshape(np.shape(benefit))
    return result


def _dominators(benefit: FloatArray, cost: FloatArray, frontier: FloatArray) -> list[int | None]:
    """For each option off the frontier, the cheapest frontier option that beats it."""
    out: list[int | None] = []
    for i in range(len(cost)):
        if frontier[i]:
            out.append(None)
            continue
        beats = [
            j
            for j in np.flatnonzero(frontier)
            if benefit[j] >= benefit[i] - TIE
            and cost[j] <= cost[i]
            and (cost[j] < cost[i] or benefit[j] > benefit[i] + TIE)
        ]
        out.append(int(min(beats, key=lambda j: (cost[j], -benefit[j]))))
    return out


def _steps(
    options: Sequence[ValuedOption],
) -> tuple[tuple[Step, ...], tuple[tuple[str, str], ...]]:
    """Steps up the frontier, and pairs of frontier options level on both (no step)."""
    steps, ties = [], []
    for a, b in itertools.pairwise([o for o in options if o.frontier]):
        if b.cost == a.cost and abs(b.benefit - a.benefit) <= TIE:
            ties.append((a.id, b.id))
        else:
            steps.append(Step(a.id, b.id, b.cost - a.cost, b.benefit - a.benefit))
    return tuple(steps), tuple(ties)


def _extended(steps: Sequence[Step]) -> tuple[tuple[str, str, str], ...]:
    """Frontier options the next step up passes more cheaply a point than the step to them."""
    out = []
    for first, second in itertools.pairwise(steps):
        to, past = first.cost_per_point, second.cost_per_point
        if to is not None and past is not None and past < to - TIE:
            out.append((first.start, first.to, second.to))
    return tuple(out)


class NoCosts(InputError):
    """No option of the file gives a cost: there is nothing to set against the benefit."""


def cost_figures(ranking: Ranking) -> tuple[str, ...]:
    """Every cost figure the ranked file names, in order of first appearance."""
    return _figures(ranking)[0]


def _figures(ranking: Ranking) -> tuple[tuple[str, ...], str | None]:
    """Every cost figure the file names, in order of first appearance, and the unit."""
    names: dict[str, None] = {}
    unit = None
    for option in ranking.sheet.spec.options:
        if option.cost is not None:
            names.update(dict.fromkeys(option.cost.figures))
            unit = option.cost.unit
    return tuple(names), unit


def _choose(ranking: Ranking, figure: str | None) -> tuple[str, str, tuple[str, ...], list[str]]:
    sheet = ranking.sheet
    figures, unit = _figures(ranking)
    if not figures or unit is None:
        raise NoCosts(
            sheet.path,
            "options",
            "no option gives a cost: add one to each option, e.g. cost: {capital: 2.4, unit: "
            '"GBP m"} (CONTRACT 1.5)',
        )
    notes = []
    if figure is None:
        figure = figures[0]
        if len(figures) > 1:
            others = ", ".join(f"--cost {f}" for f in figures[1:])
            notes.append(f"cost: {figure}, the file's first cost figure ({others} for another)")
    elif figure not in figures:
        raise ParameterError(
            "cost", f"no option of {sheet.path} gives '{figure}': it gives {', '.join(figures)}"
        )
    return figure, unit, figures, notes


def _baseline(
    ranking: Ranking, above_status_quo: bool, figure: str
) -> tuple[float, float | None, list[str]]:
    """What each total and each cost are taken from: 0, or the status quo's; and the notes."""
    if not above_status_quo:
        return 0.0, 0.0, []
    found = [o for o in ranking.options if o.status_quo]
    if not found:
        raise InputError(
            ranking.sheet.path,
            "options",
            "benefit above the status quo needs a ranked option marked status_quo: true",
        )
    sq = found[0]
    notes = [f"benefit: each total less the status quo's ({sq.name}, {sq.total:.2f})"]
    spec = next(o for o in ranking.sheet.spec.options if o.id == sq.id)
    cost = spec.cost.figures.get(figure) if spec.cost is not None else None
    if cost is None:
        notes.append(
            f"no cost per point: the status quo gives no {figure} cost to count the extra from"
        )
    else:
        notes.append(f"cost per point: the cost above the status quo's ({cost:g}) per point")
    return sq.total, cost, notes


def _valued(
    ranking: Ranking, figure: str, baseline: float, cost_base: float | None = 0.0
) -> tuple[list[ValuedOption], list[tuple[str, str]]]:
    specs = {o.id: o for o in ranking.sheet.spec.options}
    costed, without = [], []
    for option in ranking.options:
        cost = specs[option.id].cost
        if cost is None or figure not in cost.figures:
            without.append((option.id, option.name))
        else:
            costed.append((option, cost.figures[figure]))
    benefit = np.array([o.total - baseline for o, _ in costed])
    cost_of = np.array([c for _, c in costed])
    frontier = on_frontier(benefit, cost_of)
    beaten_by = _dominators(benefit, cost_of, frontier)
    valued = [
        ValuedOption(
            id=o.id,
            name=o.name,
            rank=o.rank,
            total=o.total,
            benefit=float(b),
            cost=float(c),
            frontier=bool(on),
            dominated_by=None if by is None else costed[by][0].id,
            cost_per_point=_per_point(c, b, cost_base),
            status_quo=o.status_quo,
        )
        for (o, c), b, on, by in zip(costed, benefit, frontier, beaten_by, strict=True)
    ]
    valued.sort(key=lambda v: (v.cost, -v.benefit, v.rank))
    return valued, without


def _per_point(cost: float, benefit: float, base: float | None) -> float | None:
    """Cost (above ``base``) per point of benefit; None without a base, for a saving or none."""
    if base is None or benefit <= TIE or cost - base < 0:
        return None
    return float((cost - base) / benefit)


def _weight_sets(ranking: Ranking, figure: str, today: tuple[str, ...]) -> list[SetFrontier]:
    settings = ranking.settings or Settings(aggregate=ranking.aggregate)
    out = []
    for name in [None, *ranking.sheet.tree.spec.weight_sets]:
        other = rank(ranking.sheet, replace(settings, weight_set=name))
        options, _ = _valued(other, figure, 0.0)  # a constant taken off moves no frontier
        frontier = tuple(o.id for o in options if o.frontier)
        out.append(SetFrontier(name, frontier, frontier != today))
    return out


def _shares(
    ranking: Ranking,
    costed: Sequence[ValuedOption],
    sampling: SmaaOptions,
    progress: Callable[[int], None] | None,
) -> FrontierShares:
    """Draw weights as ``smaa`` does (the same seed gives the same draws) and count."""
    sheet = ranking.sheet
    index = {option.id: i for i, option in enumerate(sheet.options)}
    ranked = [index[o.id] for o in ranking.options]
    at: dict[str, int] = {o.id: k for k, o in enumerate(ranking.options)}
    columns: IntArray = np.array([at[o.id] for o in costed], dtype=np.int64)
    cost = np.array([o.cost for o in costed])
    scores = score_draws(ranking, ranked, sampling.score_noise)
    base = np.array([ranking.weights[leaf] for leaf in sheet.leaf_ids])
    hits = np.zeros(len(costed))
    done = 0
    chunk = chunk_for(len(ranking.options))  # as smaa draws them
    for size, rng in draw_chunks(sampling.samples, chunk, sampling.seed, stream=0):
        weights = sample_weights(
            sheet.tree, sheet.level, base, sampling.distribution, sampling.concentration, size, rng
        )
        totals = draw_totals(scores, weights, rng)[:, columns]
        hits += on_frontier(totals, cost).sum(axis=0)
        done += size
        if progress is not None:
            progress(done)
    return FrontierShares(
        sampling, {o.id: float(h) / sampling.samples for o, h in zip(costed, hits, strict=True)}
    )


def value(
    ranking: Ranking,
    figure: str | None = None,
    *,
    above_status_quo: bool = False,
    weight_sets: bool = True,
    sampling: SmaaOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> Value:
    """Benefit against the cost ``figure`` (default the file's first), with the frontier.

    ``weight_sets`` adds the frontier under each named weight set; ``sampling`` (with
    ``samples`` above 0) the share of SMAA draws in which each option is on the frontier.

    Raises:
        InputError: No option gives a cost, or (``above_status_quo``) no status quo is ranked.
        ParameterError: ``figure`` is not a cost figure of the file.
    """
    figure, unit, figures, notes = _choose(ranking, figure)
    baseline, cost_base, said = _baseline(ranking, above_status_quo, figure)
    options, without = _valued(ranking, figure, baseline, cost_base)
    frontier = tuple(o.id for o in options if o.frontier)
    steps, ties = _steps(options)
    set_aside = tuple(
        (s.id, s.name, s.reason)
        for s in (*ranking.screened_out, *ranking.excluded, *ranking.rejected)
    )
    return Value(
        ranking=ranking,
        figure=figure,
        unit=unit,
        above_status_quo=above_status_quo,
        baseline=baseline,
        options=tuple(options),
        steps=steps,
        without_cost=tuple(without),
        figures=figures,
        weight_sets=tuple(_weight_sets(ranking, figure, frontier)) if weight_sets else (),
        smaa=(
            _shares(ranking, options, sampling, progress)
            if sampling is not None and sampling.samples > 0 and options
            else None
        ),
        notes=(*said, *notes),
        cost_base=cost_base,
        set_aside=set_aside,
        ties=ties,
        extended=_extended(steps),
    )
