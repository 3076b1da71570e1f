"""The k best combinations: the exact search's entry point, and brute force to check it."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence

from appraise.analysis.combine.checks import (
    Checker,
    check_limits,
    empty_groups,
    weighted_totals,
)
from appraise.analysis.combine.data import Combination, GroupOptions, Limit, SearchTooLong
from appraise.analysis.combine.explanations import diagnose
from appraise.analysis.combine.problem import Problem, indexed
from appraise.analysis.combine.search import OutOfNodes, Search
from appraise.analysis.combine.topk import TopK, make_combination, ranked_within
from appraise.errors import ParameterError
from appraise.model import Rule


def search_top(
    groups: Sequence[GroupOptions],
    rules: Sequence[Rule],
    k: int = 10,
    limits: Sequence[Limit] = (),
    group_weights: Mapping[str, float] | None = None,
) -> tuple[list[Combination], int]:
    """``top_combinations`` and the number of search nodes (option choices) it tried."""
    if k < 1:
        raise ParameterError("k", f"must be at least 1, got {k}")
    check_limits(groups, limits)
    values = weighted_totals(groups, group_weights)
    problem = Problem(groups, *indexed(rules, limits))
    empty_groups(groups)
    if problem.broken or problem.broken_limits:
        raise diagnose(groups, rules, limits)
    top = TopK(k)
    search = Search(problem, values, top)
    try:
        search.run()
    except OutOfNodes as exc:
        raise SearchTooLong(
            f"the search gave up after {exc.steps:,} steps: the rules and limits leave so few "
            "combinations that finding them (or proving there are none) takes too long; "
            "loosen a limit or check the rules"
        ) from None
    kept = top.result()
    if not kept:
        raise diagnose(groups, rules, limits)
    ranked = ranked_within(kept, k, values)
    return [make_combination(r, t, c, groups) for r, t, c in ranked], search.nodes


def top_combinations(
    groups: Sequence[GroupOptions],
    rules: Sequence[Rule],
    k: int = 10,
    limits: Sequence[Limit] = (),
    group_weights: Mapping[str, float] | None = None,
) -> list[Combination]:
    """The k best combinations (one option per group) meeting every rule and limit, exactly.

    Args:
        groups: The groups and their available options.
        rules: Interdependency rules, referring to options as ``group/option``.
        k: How many to list; combinations tied with the k-th are listed too.
        limits: Caps and floors on summed attributes.
        group_weights: Group id -> weight of its option's total in the sum (default 1).

    Returns:
        Combinations best first, with competition ranks (1, 1, 3).

    Raises:
        Infeasible: No combination meets the rules and limits; names a conflicting set.
        InputError: A rule names an unknown group or option, a limit an unknown attribute,
            or a group weight an unknown group.
    """
    return search_top(groups, rules, k, limits, group_weights)[0]


def brute_force(
    groups: Sequence[GroupOptions],
    rules: Sequence[Rule],
    k: int = 10,
    limits: Sequence[Limit] = (),
    group_weights: Mapping[str, float] | None = None,
) -> list[Combination]:
    """``top_combinations`` by trying every combination (``itertools.product``): for tests.

    Returns an empty list, rather than raising ``Infeasible``, when no combination qualifies.
    """
    if k < 1:
        raise ParameterError("k", f"must be at least 1, got {k}")
    values = weighted_totals(groups, group_weights)
    checker = Checker(groups, rules, limits)
    top = TopK(k)
    for choice in itertools.product(*(range(len(g.option_ids)) for g in groups)):
        total = sum(values[g][o] for g, o in enumerate(choice))
        if total >= top.cut and checker.meets(choice):
            top.add(total, choice)
    ranked = ranked_within(top.result(), k, values)
    return [make_combination(r, t, c, groups) for r, t, c in ranked]
