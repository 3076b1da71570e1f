"""Combinations across working groups: the analysis a CAG reruns, as plain records.

``combine`` (the search) knows nothing of files or weight sets; this module puts the pieces
together for the command line, the workbook and library users: rankings in, the top
combinations, why each group's choice was made, and how often the preferred combination
stays best under other weights.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar, cast

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
from appraise.safe_text import markdown_text, some_names
from appraise.validate import one_file_per_group
from appraise.weights import percent_text, same_weights

Record = dict[str, Any]
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


def _rescaled(value: Figures, scale: Scale) -> Figures:
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
                totals=_rescaled(group.totals, scale),
                scores=None if group.scores is None else _rescaled(group.scores, scale),
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
    from appraise.analysis.smaa import Distribution, sample_weights

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


# --- records ------------------------------------------------------------------------------


def _rule_text(index: int, rule: Rule) -> Record:
    """A rule as JSON, numbered two ways.

    ``index`` is its place in the file (``rules[index]``); ``number`` is the "rule N" of the
    explanations, counted from 1.
    """
    return {
        "index": index,
        "number": index + 1,
        "kind": rule.kind,
        "refs": rule.refs,
        "at_most": rule.at_most,
        "note": rule.note,
    }


def _weighted(result: CombineResult) -> dict[str, float]:
    """The group weights that change a figure (those other than 1)."""
    return {g: w for g, w in result.group_weights.items() if w != 1}


def figure_key(result: CombineResult) -> str:
    """The JSON key of a combination's figure: ``total`` only when it is the sum of ``rank``'s.

    Rescaled to 0-1 it is ``rescaled_total``; with group weights, ``weighted_total`` (or
    ``weighted_rescaled_total``): a figure called a total means what ``rank`` calls a total.
    """
    key = "rescaled_total" if result.rescaled else "total"
    return f"weighted_{key}" if _weighted(result) else key


def _figure(result: CombineResult) -> Record:
    """What a combination's figure is: its JSON key, its label, its unit and how it is made."""
    weighted = _weighted(result)
    if result.rescaled:
        unit, method = RESCALED_UNIT, RESCALE_METHOD
    else:
        unit = f"points on the {result.rankings[0].sheet.scale} scale"
        method = "the chosen options' totals, as rank gives them, added"
    if weighted:
        listed = ", ".join(f"{g} {w:g}" for g, w in weighted.items())
        method += f"; each group's figure first multiplied by its group weight ({listed})"
    key = figure_key(result)
    return {
        "key": key,
        "label": key.replace("_", " "),
        "rescaled": result.rescaled,
        "weighted": bool(weighted),
        "unit": unit,
        "method": method,
    }


def figure_text(record: Record) -> str:
    """One sentence saying what a combination's figure is, from the record's ``figure``."""
    figure = record["figure"]
    return (
        f"Each combination's figure is its {figure['label']}, in {figure['unit']}: "
        f"{figure['method']}."
    )


def combine_record(result: CombineResult) -> Record:
    """The JSON object of CONTRACT 3 ``combine``, plus explanations and robustness.

    A combination's figure is ``total`` (the sum of its options' totals as ``rank`` gives
    them), or ``rescaled_total`` when the groups were rescaled to 0-1; ``figure`` records
    which, its unit and its method. In ``explanation``, ``total`` and ``margin`` are always
    as ``rank`` gives them, on the group's own scale.
    """
    names = {g.group: dict(zip(g.option_ids, g.names, strict=True)) for g in result.groups}
    key = figure_key(result)
    scales = {r.sheet.group: r.sheet.scale for r in result.rankings}
    record: Record = {
        "groups": [
            {"group": r.sheet.group, "name": r.sheet.spec.name, "file": r.sheet.path}
            for r in result.rankings
        ],
        "scales": {g: {"min": s.min, "max": s.max} for g, s in scales.items()},
        "figure": _figure(result),
        "illustrative": any(r.sheet.illustrative for r in result.rankings),
        "tied_first": result.tied_first,
        "rules": [_rule_text(i, rule) for i, rule in enumerate(result.rules)],
        "limits": [{"attribute": x.attribute, "op": x.op, "value": x.value} for x in result.limits],
        "combinations": [
            {
                "rank": c.rank,
                key: c.total,
                "choice": c.choice,
                "attributes": c.attributes,
            }
            for c in result.combinations
        ],
        "explanation": [
            {
                "group": e.group,
                "option": e.option,
                "name": names[e.group].get(e.option, e.option),
                "scale": str(scales[e.group]),
                "total": e.total,
                "margin": e.margin,
            }
            | ({"rescaled_total": _rescaled(e.total, scales[e.group])} if result.rescaled else {})
            | {"own_best": e.own_best, "forced_by": list(e.forced_by)}
            for e in result.explanation
        ],
        "weight_sets": [
            {
                "name": w.name,
                "choice": w.choice,
                key: w.total,
                "combination": w.candidate,
                "no_effect": w.no_effect,
            }
            for w in result.weight_sets
        ],
    }
    if result.simulation is not None:
        s = result.simulation
        record["smaa"] = {
            "samples": s.samples,
            "seed": s.seed,
            "distribution": s.distribution,
            "best_share": list(s.shares),
        }
    record["summary"] = combine_summary(result)
    record["notes"] = list(result.notes)
    return record


def combine_summary(result: CombineResult) -> list[str]:
    """Plain sentences: the preferred configuration, what forced it, how robust it is."""
    if not result.combinations:
        return ["No combination satisfies the rules."]
    best = result.combinations[0]
    tied = result.combinations[: result.tied_first]
    n_groups = len(result.groups)
    weighted = _weighted(result)
    if result.rescaled:
        opening = (
            f"The preferred configuration has a {'weighted ' if weighted else ''}rescaled total "
            f"of {best.total:.2f}{'' if weighted else f' of a possible {n_groups}'} "
            f"across {n_groups} groups: each group's total is put on 0-1 of its own "
            f"scale ({scales_text([(r.sheet.group, str(r.sheet.scale)) for r in result.rankings])}"
            "; 0 = the bottom on every criterion, 1 = the top), then they are added"
        )
    elif weighted:
        opening = (
            f"The preferred configuration has a weighted total of {best.total:.2f} across "
            f"{n_groups} groups (its options' totals on the {result.rankings[0].sheet.scale} "
            "scale, each multiplied by its group's weight, then added)"
        )
    else:
        opening = (
            f"The preferred configuration scores {best.total:.2f} across {n_groups} groups "
            f"(the sum of its options' totals on the {result.rankings[0].sheet.scale} scale)"
        )
    if weighted:
        listed = ", ".join(f"{g} x{w:g}" for g, w in weighted.items())
        opening += f", with group weights {listed}"
    out = [opening + (f"; {len(tied)} combinations tie for first." if len(tied) > 1 else ".")]
    if len(tied) > 1:
        differ = [g for g in best.choice if any(c.choice[g] != best.choice[g] for c in tied)]
        out.append(
            f"The tied combinations differ in {' and '.join(differ)}; what follows explains the "
            "first of them, and either choice there is as good."
        )
    forced = [e for e in result.explanation if e.forced_by]
    for e in forced:
        out.append(
            f"{e.group} takes {e.option} rather than its own best, {e.own_best}, because of "
            + "; ".join(e.forced_by)
            + "."
        )
    if result.weight_sets:
        idle = [w.name for w in result.weight_sets if w.no_effect]
        active = [w for w in result.weight_sets if not w.no_effect]
        same = [w.name for w in active if w.candidate is not None and w.candidate < len(tied)]
        other = [w.name for w in active if w.name not in same]
        if active and not other:
            out.append(f"It stays best under every weight set ({some_names(same)}).")
        elif other:
            out.append(f"Another combination is best under weight set(s) {some_names(other)}.")
        if idle:
            quoted = some_names([f"'{name}'" for name in idle])
            out.append(
                f"Weight set(s) {quoted} change no weight these files are scored against, so "
                "say nothing either way."
            )
    if result.simulation is not None:
        out.append(_simulation_sentence(result, result.simulation))
    return out


def _simulation_sentence(result: CombineResult, s: Robustness) -> str:
    """How often the first-ranked combination(s) win, and whether another wins more often."""
    tied = result.tied_first
    first = sum(s.shares[:tied])
    subject = "It is" if tied == 1 else f"Together the {tied} tied first combinations are"
    sentence = (
        f"{subject} best in {percent_text(first, 0)}% of {s.samples:,} simulated weightings "
        f"({s.distribution})"
    )
    others = list(enumerate(s.shares))[tied:]
    if others:
        k, share = max(others, key=lambda item: item[1])
        if share > first:
            sentence += (
                f"; combination #{result.combinations[k].rank} is best more often, in "
                f"{percent_text(share, 0)}%"
            )
    return sentence + "."


def combination_rows(record: Record) -> list[Record]:
    """One flat row per combination (CSV): rank, figure, one column per group, attribute sums.

    The figure's column is named by its JSON key (``total``, or ``rescaled_total``). Figures
    lose their float noise (two tied totals both read 34.692), and a sum that is a whole
    number is written as one (beds -251, not -251.0); JSON keeps full precision.
    """
    return _rows(record, _whole_or_trimmed)


def _rows(record: Record, sum_cell: Callable[[float], Any]) -> list[Record]:
    from appraise.report import trim_float

    key = record["figure"]["key"]
    return [
        {"rank": c["rank"], key: trim_float(c[key])}
        | dict(c["choice"])
        | {f"sum_{k}": sum_cell(v) for k, v in c["attributes"].items()}
        for c in record["combinations"]
    ]


def _whole_or_trimmed(value: float) -> float | int:
    from appraise.report import trim_float

    value = trim_float(value)
    return int(value) if value.is_integer() else value


def attribute_text(value: float) -> str:
    """An attribute sum for people: 333,763; -251; 1,250.5.

    Thousands separators as the combinations table has them, whole numbers without decimals,
    others to at most 3 decimals.
    """
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def combine_markdown(record: Record) -> str:
    """The sentences and the top combinations as Markdown."""
    from appraise.report import to_markdown

    label = " (illustrative scores)" if record["illustrative"] else ""
    lines = [f"## Combinations{label}", ""]
    lines += [f"- {markdown_text(s)}" for s in [*record["summary"], figure_text(record)]]
    sums = sorted({f"sum_{a}" for c in record["combinations"] for a in c["attributes"]})
    lines += ["", to_markdown(_rows(record, attribute_text), digits=3, right=sums)]
    return "\n".join(lines) + "\n"
