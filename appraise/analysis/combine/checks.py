"""Inputs checked against the groups, and rules and limits checked on one full choice.

The checker reads each rule straight from its wording; ``brute_force`` and ``explain`` use it,
and ``violations`` is its public face.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from appraise.analysis.combine.data import (
    Choice,
    GroupOptions,
    Infeasible,
    Limit,
    Lit,
    Violation,
    limit_text,
    rule_text,
)
from appraise.data import FloatArray
from appraise.errors import AppraiseError, InputError, ParameterError
from appraise.model import Rule


def resolve(
    groups: Sequence[GroupOptions], rules: Sequence[tuple[int, Rule]]
) -> list[list[Lit | None]]:
    """Each rule's references as (group, option position); None for a set-aside option.

    Raises:
        InputError: A reference names a group not given, or an option its group never had.
    """
    where = {g.group: i for i, g in enumerate(groups)}
    places = [{option: j for j, option in enumerate(g.option_ids)} for g in groups]
    out = []
    for index, rule in rules:
        refs: list[Lit | None] = []
        for ref in rule.refs:
            group, _, option = ref.partition("/")
            g = where.get(group)
            if g is None:
                known = ", ".join(where) or "none"
                raise InputError(
                    "rules", f"rules[{index}]", f"unknown group '{group}' in {ref} (known: {known})"
                )
            if option in places[g]:
                refs.append((g, places[g][option]))
            elif option in groups[g].set_aside:
                refs.append(None)
            else:
                raise InputError(
                    "rules", f"rules[{index}]", f"group '{group}' has no option '{option}'"
                )
        out.append(refs)
    return out


def check_limits(groups: Sequence[GroupOptions], limits: Sequence[Limit]) -> None:
    """A limit on an attribute that no option has is almost surely a typing slip."""
    known = list(dict.fromkeys(a for g in groups for a in g.attributes))
    for limit in limits:
        if limit.attribute not in known:
            listed = ", ".join(known) or "none"
            raise ParameterError(
                "limits",
                f"no option has the attribute '{limit.attribute}' (attributes: {listed})",
            )


def checked_group_weights(
    groups: Sequence[GroupOptions], group_weights: Mapping[str, float] | None
) -> list[float]:
    """Each group's weight (1 unless given), checking the names and numbers given."""
    weights = dict(group_weights or {})
    known = [g.group for g in groups]
    for name, weight in weights.items():
        if name not in known:
            raise ParameterError(
                "group_weights", f"unknown group '{name}' (groups: {', '.join(known)})"
            )
        if not math.isfinite(weight):
            raise ParameterError("group_weights", f"group '{name}': weight must be finite")
    return [float(weights.get(g.group, 1.0)) for g in groups]


def weighted_totals(
    groups: Sequence[GroupOptions], group_weights: Mapping[str, float] | None
) -> list[list[float]]:
    """Group weight x option total, per group and option."""
    weights = checked_group_weights(groups, group_weights)
    return [[w * float(t) for t in g.totals] for w, g in zip(weights, groups, strict=True)]


def scores_for(groups: Sequence[GroupOptions], n_leaves: int) -> list[FloatArray]:
    """Each group's scores (options x leaves), checked against the number of leaf weights."""
    out = []
    for g in groups:
        if g.scores is None:
            raise AppraiseError(
                f"group '{g.group}' carries no scores; build it with groups_from_rankings"
            )
        if g.scores.shape != (len(g.option_ids), n_leaves):
            raise AppraiseError(
                f"group '{g.group}' has scores on {g.scores.shape[1]} leaves but the weight "
                f"samples have {n_leaves}; combinations need every group on the same criteria"
            )
        out.append(g.scores)
    return out


def empty_groups(groups: Sequence[GroupOptions]) -> None:
    """Refuse a group with no option left to choose (all failed a gate, say)."""
    for g in groups:
        if not g.option_ids:
            raise Infeasible(
                f"no combination is possible: group '{g.group}' has no option left to choose "
                "(every option failed a gate or was excluded)"
            )


class Checker:
    """Rules and limits checked on one full choice at a time, straight from their wording."""

    def __init__(
        self, groups: Sequence[GroupOptions], rules: Sequence[Rule], limits: Sequence[Limit]
    ) -> None:
        check_limits(groups, limits)
        self.rules = rules
        self.limits = limits
        self.refs = resolve(groups, list(enumerate(rules)))
        self.attributes = [
            [
                [float(v) for v in g.attributes.get(limit.attribute, np.zeros(len(g.option_ids)))]
                for g in groups
            ]
            for limit in limits
        ]

    def _breaks(self, i: int, choice: Choice) -> bool:
        rule, refs = self.rules[i], self.refs[i]
        chosen = [r is not None and choice[r[0]] == r[1] for r in refs]
        distinct = len({r for r, c in zip(refs, chosen, strict=True) if c})
        if rule.kind == "requires":
            return chosen[0] and not any(chosen[1:])
        if rule.kind == "excludes":
            return distinct >= 2
        if rule.kind == "one_of":
            return distinct != 1
        return distinct > (rule.at_most or 0)

    def _sum(self, j: int, choice: Choice) -> float:
        return sum(values[o] for values, o in zip(self.attributes[j], choice, strict=True))

    def meets(self, choice: Choice) -> bool:
        """Whether a combination breaks no rule and meets every limit."""
        return not any(self._breaks(i, choice) for i in range(len(self.rules))) and all(
            limit.holds(self._sum(j, choice)) for j, limit in enumerate(self.limits)
        )

    def violations(self, choice: Choice) -> list[Violation]:
        """Every rule a combination breaks and every limit it misses."""
        out = [
            Violation("rule", i, rule_text(i, rule))
            for i, rule in enumerate(self.rules)
            if self._breaks(i, choice)
        ]
        out += [
            Violation("limit", j, limit_text(j, limit))
            for j, limit in enumerate(self.limits)
            if not limit.holds(self._sum(j, choice))
        ]
        return out


def choice_positions(groups: Sequence[GroupOptions], choice: Mapping[str, str]) -> Choice:
    """The choice as option positions, or an error naming what does not fit."""
    extra = set(choice) - {g.group for g in groups}
    if extra:
        raise InputError("choice", sorted(extra)[0], "not one of the groups given")
    out = []
    for g in groups:
        if g.group not in choice:
            raise InputError("choice", g.group, "no option chosen for this group")
        if choice[g.group] not in g.option_ids:
            raise InputError("choice", g.group, f"'{choice[g.group]}' is not an available option")
        out.append(g.option_ids.index(choice[g.group]))
    return tuple(out)


def violations(
    choice: Mapping[str, str],
    rules: Sequence[Rule],
    limits: Sequence[Limit],
    groups: Sequence[GroupOptions],
) -> list[Violation]:
    """The rules and limits a full choice (group -> option id) breaks, rules first."""
    return Checker(groups, rules, limits).violations(choice_positions(groups, choice))
