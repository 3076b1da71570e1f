"""The compiled problem: rules as "at most cap of these" constraints, limits per option.

``Problem`` lays them out by option for the search and checks whole arrays of combinations
for enumeration.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from appraise.analysis.combine.checks import resolve
from appraise.analysis.combine.data import GroupOptions, IntArray, Limit, Lit
from appraise.model import Rule


def indexed(
    rules: Sequence[Rule], limits: Sequence[Limit]
) -> tuple[list[tuple[int, Rule]], list[tuple[int, Limit]]]:
    """Rules and limits with their places in the file, for messages counted from 1."""
    return list(enumerate(rules)), list(enumerate(limits))


@dataclass(frozen=True)
class _Con:
    """A rule in one form: at most ``cap`` of ``lits`` chosen.

    If ``need``, at least one of them must be chosen whenever ``trigger`` is (always, if
    there is no trigger).
    """

    index: int
    lits: tuple[Lit, ...]
    cap: int
    need: bool = False
    trigger: Lit | None = None

    @property
    def groups(self) -> list[int]:
        """The groups whose choice this rule depends on."""
        touched = [g for g, _ in self.lits] + ([self.trigger[0]] if self.trigger else [])
        return list(dict.fromkeys(touched))


def _constraint(index: int, rule: Rule, refs: list[Lit | None]) -> _Con | None:
    """The rule as a ``_Con``, or None when it can never bind."""
    present = list(dict.fromkeys(r for r in refs if r is not None))
    if rule.kind == "requires":
        trigger = refs[0]
        targets = tuple(dict.fromkeys(r for r in refs[1:] if r is not None))
        if trigger is None or trigger in targets:
            return None  # the first option is never chosen, or satisfies itself
        return _Con(index, targets, len(targets), need=True, trigger=trigger)
    if rule.kind == "one_of":
        return _Con(index, tuple(present), 1, need=True)
    cap = 1 if rule.kind == "excludes" else int(rule.at_most or 0)
    return _Con(index, tuple(present), cap) if len(present) > cap else None


@dataclass(frozen=True)
class _LimitData:
    op: str
    bound: float
    values: tuple[tuple[float, ...], ...]  # per group, per option

    def nonzero_groups(self) -> list[int]:
        return [g for g, values in enumerate(self.values) if any(values)]


def _crossed(limits: Sequence[tuple[int, Limit]]) -> list[int]:
    """A cap and a floor on the same attribute with the floor above the cap (their indexes)."""
    for (i, cap), (j, floor) in itertools.permutations(limits, 2):
        same = cap.attribute == floor.attribute
        if same and cap.op == "<=" and floor.op == ">=" and floor.bound > cap.bound:
            return sorted((i, j))
    return []


class Problem:
    """Rules and limits over a list of groups, laid out for the search and for enumeration."""

    def __init__(
        self,
        groups: Sequence[GroupOptions],
        rules: Sequence[tuple[int, Rule]],
        limits: Sequence[tuple[int, Limit]],
    ) -> None:
        self.sizes = [len(g.option_ids) for g in groups]
        resolved = resolve(groups, rules)
        made = [_constraint(i, rule, refs) for (i, rule), refs in zip(rules, resolved, strict=True)]
        self.cons = [c for c in made if c is not None]
        # A one_of with no option available can never be met.
        self.broken = [c.index for c in self.cons if c.need and not c.lits and not c.trigger]
        self.broken_limits = _crossed(limits)
        self.limits = [
            _LimitData(
                limit.op,
                limit.bound,
                tuple(
                    tuple(float(v) for v in g.attributes[limit.attribute])
                    if limit.attribute in g.attributes
                    else (0.0,) * len(g.option_ids)
                    for g in groups
                ),
            )
            for _, limit in limits
        ]
        self._layout()

    def _layout(self) -> None:
        sizes = self.sizes
        self.offsets = [0, *itertools.accumulate(sizes)][:-1]
        self.lit_group = [g for g, size in enumerate(sizes) for _ in range(size)]
        self.lit_option = [o for size in sizes for o in range(size)]
        self.con_lits = [[self.offsets[g] + o for g, o in c.lits] for c in self.cons]
        self.con_trigger = [
            -1 if c.trigger is None else self.offsets[c.trigger[0]] + c.trigger[1]
            for c in self.cons
        ]
        self.cons_of_lit: list[list[int]] = [[] for _ in self.lit_group]
        self.cons_of_group: list[list[int]] = [[] for _ in sizes]
        for ci, con in enumerate(self.cons):
            for lit in self.con_lits[ci]:
                self.cons_of_lit[lit].append(ci)
            for g in con.groups:
                self.cons_of_group[g].append(ci)
        self.order, self.n_involved = self._order()
        place = {g: d for d, g in enumerate(self.order)}
        last = [max(place[g] for g in con.groups) for con in self.cons]
        # Rules with an unassigned group at each search depth: the ones the bound looks at.
        self.open_at = [
            [ci for ci in range(len(self.cons)) if last[ci] >= depth]
            for depth in range(len(sizes) + 1)
        ]
        self.group_low = [[min(v, default=0.0) for v in lim.values] for lim in self.limits]
        self.group_high = [[max(v, default=0.0) for v in lim.values] for lim in self.limits]
        self.limit_low = [suffix(low, self.order) for low in self.group_low]
        self.limit_high = [suffix(high, self.order) for high in self.group_high]

    def _order(self) -> tuple[list[int], int]:
        """Groups in search order, and how many of them any rule or limit involves.

        Groups linked by rules come first, each next one the most tied to those already placed
        (so a rule is settled early); then groups only in limits; then the free ones.
        """
        linked = {g for con in self.cons for g in con.groups}
        limited = {g for lim in self.limits for g in lim.nonzero_groups()} - linked
        degree = [len(cons) for cons in self.cons_of_group]
        ties = [0] * len(self.sizes)
        order: list[int] = []
        while linked:
            g = max(linked, key=lambda h: (ties[h], degree[h], -h))
            order.append(g)
            linked.remove(g)
            for ci in self.cons_of_group[g]:
                for h in self.cons[ci].groups:
                    ties[h] += 1
        order += sorted(limited)
        n_involved = len(order)
        return order + [g for g in range(len(self.sizes)) if g not in set(order)], n_involved

    def mask(self, cols: Sequence[IntArray]) -> npt.NDArray[np.bool_]:
        """Which rows (option position per group, one array per group) meet every rule/limit."""
        ok = np.full(len(cols[0]), not self.broken)
        for con in self.cons:
            count = np.zeros(len(ok), np.int64)
            for g, o in con.lits:
                count += cols[g] == o
            ok &= count <= con.cap
            if con.need and con.trigger is None:
                ok &= count >= 1
            elif con.need and con.trigger is not None:
                ok &= (cols[con.trigger[0]] != con.trigger[1]) | (count >= 1)
        for lim in self.limits:
            total = sum(np.asarray(v)[col] for v, col in zip(lim.values, cols, strict=True))
            ok &= (total <= lim.bound) if lim.op == "<=" else (total >= lim.bound)
        return ok


def suffix(per_group: Sequence[float], order: Sequence[int]) -> list[float]:
    """``out[d]`` = sum of ``per_group`` over the groups from search depth ``d`` on."""
    out = [0.0]
    for g in reversed(order):
        out.append(out[-1] + per_group[g])
    return out[::-1]
