"""Why a combination won, group by group, and which rules and limits conflict when none fits."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from appraise.analysis.combine.checks import Checker, choice_positions
from appraise.analysis.combine.data import (
    Combination,
    GroupExplanation,
    GroupOptions,
    Infeasible,
    Limit,
    limit_text,
    rule_text,
)
from appraise.analysis.combine.problem import Problem, indexed
from appraise.analysis.combine.search import OutOfNodes, Search, node_budget
from appraise.model import Rule


def explain(
    groups: Sequence[GroupOptions],
    rules: Sequence[Rule],
    limits: Sequence[Limit],
    best: Combination,
) -> list[GroupExplanation]:
    """Per group: the option chosen, its margin, and what rules out the group's own best."""
    checker = Checker(groups, rules, limits)
    choice = choice_positions(groups, best.choice)
    out = []
    for g, (group, j) in enumerate(zip(groups, choice, strict=True)):
        own = int(np.argmax(group.totals))
        others = np.delete(group.totals, j)
        forced: tuple[str, ...] = ()
        if own != j:
            swapped = (*choice[:g], own, *choice[g + 1 :])
            forced = tuple(v.text for v in checker.violations(swapped))
        out.append(
            GroupExplanation(
                group=group.group,
                option=group.option_ids[j],
                total=float(group.totals[j]),
                margin=float(group.totals[j] - others.max()) if len(others) else None,
                own_best=group.option_ids[own],
                forced_by=forced,
            )
        )
    return out


def _feasible(
    groups: Sequence[GroupOptions],
    rules: Sequence[tuple[int, Rule]],
    limits: Sequence[tuple[int, Limit]],
    budget: list[int],
) -> bool | None:
    """Whether some combination meets these rules and limits.

    None if ``budget[0]`` (nodes left, decreased here) ran out first.
    """
    problem = Problem(groups, rules, limits)
    if problem.broken or problem.broken_limits:
        return False
    search = Search(problem, [[0.0] * size for size in problem.sizes], None, budget[0])
    try:
        search.run()
    except OutOfNodes:
        return None
    finally:
        budget[0] -= search.nodes
    return search.found


def diagnose(
    groups: Sequence[GroupOptions], rules: Sequence[Rule], limits: Sequence[Limit]
) -> Infeasible:
    """A small conflicting set of rules and limits, by a deletion filter.

    Drop each rule and limit in turn, and leave it out for good if what remains still has no
    solution. What is left is minimal: dropping any one more member makes a solution possible.
    Should the searches use up ``MAX_NODES`` between them, what is left so far is named.
    """
    keep_rules, keep_limits = indexed(rules, limits)
    budget = [node_budget()]
    for rule in list(keep_rules):
        trial = [r for r in keep_rules if r is not rule]
        if budget[0] > 0 and _feasible(groups, trial, keep_limits, budget) is False:
            keep_rules = trial
    for limit in list(keep_limits):
        trial_limits = [x for x in keep_limits if x is not limit]
        if budget[0] > 0 and _feasible(groups, keep_rules, trial_limits, budget) is False:
            keep_limits = trial_limits
    texts = [rule_text(i, rule) for i, rule in keep_rules]
    texts += [limit_text(j, limit) for j, limit in keep_limits]
    what = " and ".join(
        word for word, items in (("rules", keep_rules), ("limits", keep_limits)) if items
    )
    more = "" if budget[0] > 0 else " (not narrowed down further: that search took too long)"
    return Infeasible(
        f"no combination satisfies the {what}: " + "; ".join(texts) + more,
        tuple(i for i, _ in keep_rules),
        tuple(j for j, _ in keep_limits),
    )
