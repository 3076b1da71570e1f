"""Combinations across working groups from rankings: the analysis a CAG reruns, whole.

The search (``appraise.analysis.combine``) knows nothing of files or weight sets; this puts the
pieces together for the command line, the workbook and library users: rankings in, the top
combinations, why each group's choice was made, and how often the preferred combination stays
best under other weights. ``appraise.present.combine`` makes records and text of the result.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar, cast

import numpy as np

from appraise.analysis.combine import (
    Combination,
    GroupExplanation,
    GroupOptions,
    Limit,
    explain,
    groups_from_rankings,
    robustness,
    top_combinations,
)
from appraise.analysis.scoring import Ranking, rank
from appraise.data import FloatArray
from appraise.errors import InputError
from appraise.model import Rule, Scale, Settings
from appraise.validate import one_file_per_group
from appraise.weights import same_weights

Figures = TypeVar("Figures", float, FloatArray)


@dataclass(frozen=True)
class WeightSetBest:
    """The best combination under one weight set, and which of today's top it is (if any)."""

    name: str
    choice: dict[str, str]
    total: float
    candidate: int | None  # index into today's combinations, None if another
    no_effect: bool = False  # it changes no weight any group's file is scored against


@dataclass(frozen=True)
class Robustness:
    """How often each of today's top combinations is best under sampled weights."""

    samples: int
    seed: int
    distribution: str
    shares: tuple[float, ...]


@dataclass(frozen=True)
class CombineResult:
    """Everything ``combine`` found."""

    rankings: tuple[Ranking, ...]
    groups: tuple[GroupOptions, ...]
    rules: tuple[Rule, ...]
    limits: tuple[Limit, ...]
    combinations: tuple[Combination, ...]
    explanation: tuple[GroupExplanation, ...]
    weight_sets: tuple[WeightSetBest, ...] = ()
    simulation: Robustness | None = None
    notes: tuple[str, ...] = ()
    rescaled: bool = False
    """Whether combinations are ranked by rescaled total (0-1 per group), not by total."""
    group_weights: Mapping[str, float] = field(default_factory=dict)
    """Group id -> the weight its figure is multiplied by (1 where not given)."""

    @property
    def tied_first(self) -> int:
        """How many combinations share first place (0 when none fits)."""
        return sum(c.rank == 1 for c in self.combinations)


def _attributes(rankings: Sequence[Ranking]) -> dict[str, dict[str, dict[str, float]]]:
    return {
        r.sheet.group: {o.id: dict(o.attributes) for o in r.sheet.spec.options} for r in rankings
    }


def _one_criteria_table(rankings: Sequence[Ranking]) -> None:
    first = rankings[0].sheet
    for other in rankings[1:]:
        if other.sheet.leaf_ids != first.leaf_ids:
            raise InputError(
                other.sheet.path,
                "criteria",
                f"scored against {', '.join(other.sheet.leaf_ids)}, but {first.path} against "
                f"{', '.join(first.leaf_ids)}; combinations need every group on the same criteria",
            )
    one_file_per_group([r.sheet for r in rankings])


RESCALED_UNIT = "0-1 per group"
RESCALE_METHOD = (
    "each group's totals put on 0-1 of its own scale, (total - scale min) / (scale max - scale "
    "min), so 0 is the bottom of the scale on every criterion and 1 the top; then added"
)


class MixedScales(InputError):
    """The groups score on different scales, and rescaling them was not asked for.

    Adding a 1..5 total to a -2..2 total means nothing; rescaling each group to 0-1 of its own
    scale makes them comparable, but only as an explicit choice, since it changes every figure.

    Attributes:
        scales: (group, scale as ``1..5``) per group, in the order given.
    """

    def __init__(self, path: str, scales: Sequence[tuple[str, str]], choice: str) -> None:
        self.path = path
        self.scales = tuple(scales)
        super().__init__(
            path,
            "scale",
            f"the groups score on different scales ({scales_text(self.scales)}), so their "
            "totals cannot be added "
            f"as they are; {choice} to put each group's totals on 0-1 of its own scale (0 = the "
            "bottom of the scale on every criterion, 1 = the top) before adding them",
        )

    def spelled(self, choice: str) -> MixedScales:
        """The same error with the choice that makes the scales comparable worded as ``choice``.

        The library names its parameter (``pass rescale=True``); the command line its option.
        """
        return MixedScales(self.path, self.scales, choice)


def scales_text(scales: Sequence[tuple[str, str]]) -> str:
    """Groups by scale: ``a and b on 1..5; c on -2..2`` from (group, scale) pairs."""
    by_scale: dict[str, list[str]] = {}
    for group, scale in scales:
        by_scale.setdefault(scale, []).append(group)
    return "; ".join(f"{_and(groups)} on {scale}" for scale, groups in by_scale.items())


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _check_scales(rankings: Sequence[Ranking], rescale: bool) -> None:
    """Refuse groups on different scales unless ``rescale`` says to put each on 0-1."""
    first = rankings[0].sheet.scale
    other = next((r for r in rankings if r.sheet.scale != first), None)
    if other is not None and not rescale:
        scales = [(r.sheet.group, str(r.sheet.scale)) for r in rankings]
        raise MixedScales(other.sheet.path, scales, "pass rescale=True")


def rescaled(value: Figures, scale: Scale) -> Figures:
    """Totals (or scores) on ``scale`` as shares of the way from its bottom to its top."""
    return (value - scale.min) / (scale.max - scale.min)


def _on_one_scale(
    rankings: Sequence[Ranking], groups: list[GroupOptions], rescale: bool
) -> list[GroupOptions]:
    """Totals (and scores) as given; with ``rescale``, each group's on 0-1 of its own scale."""
    if not rescale:
        return groups
    out = []
    for ranking, group in zip(rankings, groups, strict=True):
        scale = ranking.sheet.scale
        out.append(
            replace(
                group,
                totals=rescaled(group.totals, scale),
                scores=None if group.scores is None else rescaled(group.scores, scale),
            )
        )
    return out


def combine(
    rankings: Sequence[Ranking],
    rules: Sequence[Rule],
    top: int = 10,
    limits: Sequence[Limit] = (),
    group_weights: Mapping[str, float] | None = None,
    samples: int = 0,
    seed: int = 1,
    distribution: str = "uniform",
    concentration: float = 100.0,
    rescale: bool = False,
) -> CombineResult:
    """Top combinations, the preferred one explained, and its robustness to the weights.

    A combination's total is the sum of its options' totals as ``scoring.rank`` gives them
    (each times its group weight, if given). Groups on different scales cannot be added so:
    ``rescale=True`` puts each group's totals on 0-1 of its own scale first, and the result
    then calls its figures rescaled totals.

    Raises:
        MixedScales: The groups score on different scales and ``rescale`` is False.
    """
    _one_criteria_table(rankings)
    _check_scales(rankings, rescale)
    notes = list(dict.fromkeys(n for r in rankings for n in r.notes))
    given = groups_from_rankings(rankings, _attributes(rankings))
    groups = _on_one_scale(rankings, given, rescale)
    if rescale:
        notes.append(
            "combinations are ranked by rescaled total (0-1 per group): each group's totals "
            "are put on 0-1 of its own scale (bottom = 0, top = 1) before they are added"
        )
    found = top_combinations(groups, rules, top, limits, group_weights)
    # Explained on the totals as ranked: rescaling a group keeps its order and its choice.
    explanation = explain(given, rules, limits, found[0]) if found else []
    return CombineResult(
        rankings=tuple(rankings),
        groups=tuple(groups),
        rules=tuple(rules),
        limits=tuple(limits),
        combinations=tuple(found),
        explanation=tuple(explanation),
        weight_sets=tuple(
            _under_weight_sets(rankings, rules, limits, group_weights, found, rescale)
        ),
        simulation=_simulate(
            groups,
            rankings,
            rules,
            limits,
            group_weights,
            found,
            samples,
            seed,
            distribution,
            concentration,
        )
        if samples
        else None,
        notes=tuple(notes),
        rescaled=rescale,
        group_weights=dict(group_weights or {}),
    )


def _under_weight_sets(
    rankings: Sequence[Ranking],
    rules: Sequence[Rule],
    limits: Sequence[Limit],
    group_weights: Mapping[str, float] | None,
    today: Sequence[Combination],
    rescale: bool,
) -> list[WeightSetBest]:
    tree = rankings[0].sheet.tree
    out = []
    base_in_use = all((r.settings or Settings()).weight_set is None for r in rankings)
    for name in tree.spec.weight_sets:
        reranked = []
        for r in rankings:
            settings = r.settings or Settings()
            reranked.append(rank(r.sheet, replace(settings, weight_set=name)))
        groups = _on_one_scale(
            reranked, groups_from_rankings(reranked, _attributes(reranked)), rescale
        )
        best = top_combinations(groups, rules, 1, limits, group_weights)[0]
        match = next((i for i, c in enumerate(today) if c.choice == best.choice), None)
        idle = base_in_use and all(
            same_weights(new.weights, old.weights)
            for old, new in zip(rankings, reranked, strict=True)
        )
        out.append(WeightSetBest(name, best.choice, best.total, match, idle))
    return out


def _simulate(
    groups: Sequence[GroupOptions],
    rankings: Sequence[Ranking],
    rules: Sequence[Rule],
    limits: Sequence[Limit],
    group_weights: Mapping[str, float] | None,
    today: Sequence[Combination],
    samples: int,
    seed: int,
    distribution: str,
    concentration: float,
) -> Robustness:
    from appraise.analysis.smaa_draws import sample_weights
    from appraise.choices import Distribution

    sheet = rankings[0].sheet
    base = np.array([rankings[0].weights[leaf] for leaf in sheet.leaf_ids])
    rng = np.random.default_rng(seed)
    weights = sample_weights(
        sheet.tree,
        sheet.level,
        base,
        cast("Distribution", distribution),
        concentration,
        samples,
        rng,
    )
    shares = robustness(groups, rules, limits, today, weights, group_weights)
    return Robustness(samples, seed, distribution, tuple(float(s) for s in shares))
