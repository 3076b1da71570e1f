"""Robustness: how often each candidate is the best feasible combination over weight samples."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from appraise.analysis.combine.checks import (
    check_limits,
    checked_group_weights,
    choice_positions,
    resolve,
    scores_for,
)
from appraise.analysis.combine.data import (
    Choice,
    Combination,
    GroupOptions,
    IntArray,
    Limit,
    SearchTooLong,
)
from appraise.analysis.combine.problem import Problem
from appraise.analysis.combine.search import OutOfNodes, Search, node_budget
from appraise.analysis.combine.topk import MARGIN, TopK, ranked_within
from appraise.data import FloatArray
from appraise.errors import InputError, setting
from appraise.kernel import first_shares, weighted_sum
from appraise.model import Rule

# robustness: a group of linked groups is enumerated when it has at most ENUMERATE_MAX
# combinations, of which at most FEASIBLE_MAX satisfy its rules; otherwise each weight sample
# gets its own top-1 search. BLOCK_CELLS caps a temporary array (samples x combinations).
ENUMERATE_MAX = 1 << 21
FEASIBLE_MAX = 200_000
BLOCK_CELLS = 1 << 22
POOL_SIZE = 32


def _parts(
    groups: Sequence[GroupOptions], rules: Sequence[Rule], limits: Sequence[Limit]
) -> list[tuple[list[int], list[tuple[int, Rule]], list[tuple[int, Limit]]]] | None:
    """Groups split into parts no rule or limit links, with each part's rules and limits.

    The best combination overall is the best of each part side by side. None when a limit
    that no option's attribute touches cannot be met (so nothing is feasible).
    """
    where = {g.group: i for i, g in enumerate(groups)}
    parent = list(range(len(groups)))

    def root(g: int) -> int:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    def link(members: Sequence[int]) -> None:
        for g in members[1:]:
            parent[root(g)] = root(members[0])

    rule_groups = [[where[ref.partition("/")[0]] for ref in rule.refs] for rule in rules]
    limit_groups = [
        [i for i, g in enumerate(groups) if np.any(g.attributes.get(limit.attribute, 0.0))]
        for limit in limits
    ]
    for members in rule_groups + limit_groups:
        link(members)
    if any(not m and not lim.holds(0.0) for m, lim in zip(limit_groups, limits, strict=True)):
        return None
    out = []
    for top in dict.fromkeys(root(g) for g in range(len(groups))):
        members = [g for g in range(len(groups)) if root(g) == top]
        out.append(
            (
                members,
                [(i, r) for i, r in enumerate(rules) if root(rule_groups[i][0]) == top],
                [
                    (j, x)
                    for j, x in enumerate(limits)
                    if limit_groups[j] and root(limit_groups[j][0]) == top
                ],
            )
        )
    return out


class _Part:
    """One part of the groups (see ``_parts``) and how to find its best under each sample.

    Its feasible combinations are listed when there are few enough; otherwise each weight
    sample gets a search.
    """

    def __init__(
        self,
        groups: Sequence[GroupOptions],
        members: list[int],
        rules: list[tuple[int, Rule]],
        limits: list[tuple[int, Limit]],
        group_weights: Sequence[float],
    ) -> None:
        self.members = members
        sub = [groups[g] for g in members]
        self.problem = Problem(sub, rules, limits)
        self.weights = [group_weights[g] for g in members]
        broken = self.problem.broken or self.problem.broken_limits
        self.rows = np.zeros((0, len(members)), np.int64) if broken else _enumerate(self.problem)
        self.index: dict[Choice, int] = {}
        self.matrix: FloatArray | None = None
        self.pool: list[Choice] = []
        self.budget = [node_budget()]
        """Steps left to the searches of every sample: ``robustness`` shares one budget."""
        self.searched = 0
        """Samples that needed a search so far."""
        if self.rows is not None:
            self.index = {tuple(int(o) for o in row): r for r, row in enumerate(self.rows)}
            self.matrix = _combined_scores(sub, self.weights, self.rows)

    @property
    def empty(self) -> bool:
        return self.rows is not None and len(self.rows) == 0

    def credit(
        self, weights: FloatArray, totals: Sequence[FloatArray], candidates: Sequence[Choice | None]
    ) -> FloatArray:
        """Per sample and candidate: the candidate's part of the sample in this part of groups.

        That is 1 / (combinations tied best) if the candidate's choice here is one of them,
        else 0.
        """
        own = [None if c is None else tuple(c[g] for g in self.members) for c in candidates]
        if self.rows is None:
            return self._searched(totals, own)
        if self.matrix is not None:
            level = weights @ self.matrix.T
        else:
            level = np.zeros((len(weights), len(self.rows)))
            for j, (g, w) in enumerate(zip(self.members, self.weights, strict=True)):
                level += w * totals[g][:, self.rows[:, j]]
        shares = first_shares(level)  # ties as ``rank`` ties totals, shared equally as in SMAA
        out = np.zeros((len(weights), len(candidates)))
        for c, choice in enumerate(own):
            row = None if choice is None else self.index.get(choice)
            if row is not None:
                out[:, c] = shares[:, row]
        return out

    def _searched(self, totals: Sequence[FloatArray], own: Sequence[Choice | None]) -> FloatArray:
        """``credit`` by a search per sample; only the candidates' fate is needed.

        If a combination that won an earlier sample (the pool) beats every candidate, none of
        them wins and no search is needed; otherwise the search's cut starts at the best
        candidate's total, and it stops at the first combination that beats it.
        """
        n_samples = len(totals[self.members[0]])
        out = np.zeros((n_samples, len(own)))
        feasible = [c for c in own if c is not None and self._meets(c)]
        if not feasible:
            return out
        values_all = [w * totals[g] for g, w in zip(self.members, self.weights, strict=True)]
        for s in range(n_samples):
            values = [row[s].tolist() for row in values_all]
            level = max(sum(values[j][o] for j, o in enumerate(c)) for c in feasible)
            pooled = (sum(values[j][o] for j, o in enumerate(c)) for c in self.pool)
            if any(total > level + MARGIN for total in pooled):
                continue
            top = TopK(1, level)
            search = Search(self.problem, values, top, self.budget[0], stop_above=level + MARGIN)
            self.searched += 1
            search.run()
            self.budget[0] -= search.nodes
            best = [c for rank, _, c in ranked_within(top.result(), 1, values) if rank == 1]
            self.pool = list(dict.fromkeys([*best, *self.pool]))[:POOL_SIZE]
            for c, choice in enumerate(own):
                if choice in best:
                    out[s, c] = 1.0 / len(best)
        return out

    def _meets(self, choice: Choice) -> bool:
        cols = [np.array([o], np.int64) for o in choice]
        return bool(self.problem.mask(cols)[0])


def _combined_scores(
    groups: Sequence[GroupOptions], weights: Sequence[float], rows: IntArray
) -> FloatArray | None:
    """Per combination (row), its options' scores summed with the group weights.

    A combination's total under leaf weights ``w`` is then one product. None if a cell is left
    out (NaN): totals are then rescaled per option, which a sum cannot express.
    """
    scores = [g.scores for g in groups]
    if any(s is None or np.isnan(s).any() for s in scores):
        return None
    out = np.zeros((len(rows), scores[0].shape[1] if scores and scores[0] is not None else 0))
    for j, (w, s) in enumerate(zip(weights, scores, strict=True)):
        if s is not None:
            out += w * s[rows[:, j]]
    return out


def _maybe_positions(groups: Sequence[GroupOptions], choice: Mapping[str, str]) -> Choice | None:
    """The choice as option positions, or None if it does not name one option per group."""
    try:
        return choice_positions(groups, choice)
    except InputError:
        return None


def _enumerate(problem: Problem) -> IntArray | None:
    """Every combination that meets the problem's rules and limits (combinations x groups).

    None when there are more than ``ENUMERATE_MAX`` to look at or ``FEASIBLE_MAX`` to keep.
    """
    size = math.prod(problem.sizes)
    if size > ENUMERATE_MAX:
        return None
    found, kept = [], 0
    step = 1 << 18
    for start in range(0, size, step):
        cols = np.unravel_index(np.arange(start, min(size, start + step)), problem.sizes)
        rows = np.stack(cols, axis=1)[problem.mask(cols)] if cols else np.zeros((0, 0), np.int64)
        kept += len(rows)
        if kept > FEASIBLE_MAX:
            return None
        found.append(rows)
    return np.concatenate(found).astype(np.int64)


def robustness(
    groups: Sequence[GroupOptions],
    rules: Sequence[Rule],
    limits: Sequence[Limit],
    candidates: Sequence[Combination],
    weight_samples: FloatArray,
    group_weights: Mapping[str, float] | None = None,
) -> FloatArray:
    """Share of weight samples under which each candidate is the best feasible combination.

    Every group must be scored on the same leaves. For each sample (a row of leaf weights),
    every option's total is recomputed (``scores @ w``, as ``rank`` does) and the best
    combination meeting the rules and limits found exactly. Groups no rule or limit links are
    solved apart. A part with few feasible combinations (up to ``FEASIBLE_MAX`` among at most
    ``ENUMERATE_MAX``) is listed once and every sample scored by matrix products; a larger one
    gets a top-1 search per sample. When several combinations tie for best (within 1e-9), each
    gets an equal part of that sample, so the shares sum to 1 at most; the rest went to
    combinations not among the candidates.

    Args:
        groups: The groups, with ``scores``.
        rules: Interdependency rules.
        limits: Caps and floors on summed attributes.
        candidates: The combinations to score (usually ``top_combinations``).
        weight_samples: Samples x leaves.
        group_weights: Group id -> weight of its option's total (default 1).

    Returns:
        One share per candidate, in order.

    Raises:
        AppraiseError: A group has no scores, or scores on other leaves than the samples.
    """
    check_limits(groups, limits)
    resolve(groups, list(enumerate(rules)))
    weights = np.atleast_2d(np.asarray(weight_samples, np.float64))
    scores = scores_for(groups, weights.shape[1])
    per_group = checked_group_weights(groups, group_weights)
    shares = np.zeros(len(candidates))
    parts = _parts(groups, rules, limits)
    if not candidates or not len(weights) or parts is None or any(not g.option_ids for g in groups):
        return shares
    solvers = [_Part(groups, *part, per_group) for part in parts]
    if any(part.empty for part in solvers):
        return shares
    budget = solvers[0].budget
    for part in solvers:
        part.budget = budget  # one budget, however many parts and samples
    try:
        shares = _shares(
            weights, scores, solvers, [_maybe_positions(groups, c.choice) for c in candidates]
        )
    except OutOfNodes:
        searched = sum(part.searched for part in solvers)
        raise SearchTooLong(
            f"the robustness searches gave up after {node_budget():,} steps in all, "
            f"{searched:,} of {len(weights):,} weight samples searched; try fewer samples "
            f"({setting('samples', None)}), or loosen a limit"
        ) from None
    return shares


def _shares(
    weights: FloatArray,
    scores: Sequence[FloatArray],
    solvers: Sequence[_Part],
    own: Sequence[Choice | None],
) -> FloatArray:
    """``robustness`` once the parts are ready: samples a chunk at a time."""
    shares = np.zeros(len(own))
    largest = max((len(p.rows) for p in solvers if p.rows is not None), default=1)
    step = max(1, BLOCK_CELLS // max(largest, 1))
    given = [~np.isnan(s) for s in scores]
    cells = [
        (np.where(g, s, 0.0), None if g.all() else g) for s, g in zip(scores, given, strict=True)
    ]
    for start in range(0, len(weights), step):
        chunk = weights[start : start + step]
        # per group: samples x options, each total as ``rank`` makes it (gaps rescaled over)
        totals = [weighted_sum(filled, chunk, scored) for filled, scored in cells]
        credit = np.ones((len(chunk), len(own)))
        for part in solvers:
            credit *= part.credit(chunk, totals, own)
        shares += credit.sum(axis=0)
    return shares / len(weights)
