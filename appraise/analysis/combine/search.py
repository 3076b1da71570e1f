"""The exact depth-first branch and bound over the groups, and its optimistic bound."""

from __future__ import annotations

import math
from collections.abc import Sequence

from appraise.analysis.combine.bounds import Hull, lagrange_multipliers
from appraise.analysis.combine.problem import Problem, suffix
from appraise.analysis.combine.topk import TopK

# Option choices one search may try before giving up (10 s to a minute): proving that no
# combination meets limits which leave a very narrow band can take exponentially long. The
# hardest random 12 x 8 instances seen needed under 50,000.
MAX_NODES = 2_000_000


class OutOfNodes(Exception):
    """Raised inside a search that has used up its node budget (``steps``)."""

    def __init__(self, steps: int) -> None:
        super().__init__(steps)
        self.steps = steps


def node_budget() -> int:
    """The steps a search may take: ``MAX_NODES``, read when a search starts (tests lower it)."""
    return MAX_NODES


def _best_first(values: Sequence[float]) -> list[int]:
    """Option positions by value, best first; equal values in rank order."""
    return sorted(range(len(values)), key=lambda o: (-values[o], o))


class _Measure:
    """A sum over the groups that the bound is optimistic about.

    ``worth[g][o]`` is what option ``o`` of group ``g`` adds (higher is better): for the total,
    its value less the Lagrangian limit terms; for a cap ``sum(a) <= B``, ``-a``; for a floor,
    ``a``. ``reaches`` asks whether the unassigned groups, each at its best option still
    allowed, less what the open rules force some of them to give up, still add ``needed``.
    """

    def __init__(self, worth: list[list[float]], order: Sequence[int]) -> None:
        self.worth = worth
        self.by_worth = [_best_first(row) for row in worth]
        self.static = [self._top_two(g, 0, [0] * len(row)) for g, row in enumerate(worth)]
        self.best = [option for option, _ in self.static]
        self.gap = [gap for _, gap in self.static]
        self.rest = suffix([row[o] for row, o in zip(worth, self.best, strict=True)], order)

    def _top_two(self, g: int, offset: int, forbidden: Sequence[int]) -> tuple[int, float]:
        """Group ``g``'s best option still allowed, and the worth the next one gives up."""
        worth = self.worth[g]
        allowed = (o for o in self.by_worth[g] if not forbidden[offset + o])
        first = next(allowed, -1)
        second = next(allowed, -1)
        return first, (worth[first] - worth[second] if second >= 0 else math.inf)

    def optimistic(self, s: Search, depth: int) -> float:
        """What the groups from ``depth`` on add, each at its best option still allowed."""
        p, total = s.p, 0.0
        for g in p.order[depth:]:
            if s.allowed[g] == p.sizes[g]:
                self.best[g], self.gap[g] = self.static[g]
            else:
                self.best[g], self.gap[g] = self._top_two(g, p.offsets[g], s.forbidden)
            total += self.worth[g][self.best[g]]
        return total

    def shortfall_within(self, s: Search, depth: int, margin: float) -> bool:
        """Whether meeting the open rules can cost ``margin`` or less below the optimistic sum.

        ``optimistic`` must have been called for this node just before.

        Each rule's own cost counts only against unassigned groups, so the costs of rules with
        no unassigned group in common add up: first in the order met (to stop early), then
        greedily largest first.
        """
        costs, used, total = [], set[int](), 0.0
        for ci in s.p.open_at[depth]:
            cost, groups = self._rule_cost(s, ci)
            if cost > 0:
                costs.append((cost, groups))
                if used.isdisjoint(groups):
                    total += cost
                    used |= groups
                    if total > margin:
                        return False
        if len(costs) < 2:
            return True
        costs.sort(key=lambda item: -item[0])
        total, used = 0.0, set[int]()
        for cost, groups in costs:
            if used.isdisjoint(groups):
                total += cost
                used |= groups
        return total <= margin

    def _rule_cost(self, s: Search, ci: int) -> tuple[float, set[int]]:
        """What rule ``ci`` forces the unassigned groups to give up, and which groups."""
        p, count, cap = s.p, s.count[ci], s.p.cons[ci].cap
        choice, best, lit_group, lit_option = s.choice, self.best, p.lit_group, p.lit_option
        cost, groups = 0.0, set()
        at_best = [
            g
            for lit in p.con_lits[ci]
            if choice[g := lit_group[lit]] < 0 and best[g] == lit_option[lit]
        ]
        if count + len(at_best) > cap:  # some of them must take another option
            gaps = sorted(self.gap[g] for g in at_best)
            cost, groups = sum(gaps[: count + len(at_best) - cap]), set(at_best)
        if p.cons[ci].need and not count:
            need, need_groups = self._need_cost(s, ci)
            if need > cost:
                cost, groups = need, need_groups
        return cost, groups

    def _need_cost(self, s: Search, ci: int) -> tuple[float, set[int]]:
        """What it costs to choose one of rule ``ci``'s options (or to avoid its trigger)."""
        p, choice, worth, best = s.p, s.choice, self.worth, self.best
        options = [
            (worth[g][best[g]] - worth[g][p.lit_option[lit]], g)
            for lit in p.con_lits[ci]
            if choice[g := p.lit_group[lit]] < 0 and not s.forbidden[lit]
        ]
        cost = min((c for c, _ in options), default=math.inf)
        groups = {g for _, g in options}
        trigger = p.con_trigger[ci]
        if trigger >= 0:
            tg = p.lit_group[trigger]
            if choice[tg] < 0:  # not chosen yet: the group may still avoid it
                if best[tg] != p.lit_option[trigger]:
                    return 0.0, set()
                cost = min(cost, self.gap[tg])
                groups.add(tg)
            elif choice[tg] != p.lit_option[trigger]:
                return 0.0, set()
        return cost, groups


class Search:
    """Depth-first branch and bound over the groups in ``problem.order``.

    With ``top`` it finds every combination ``top`` keeps; without, it stops at the first
    combination that meets every rule and limit (groups in no rule or limit are left out:
    any of their options will do).

    The bound on what the unassigned groups can still add is Lagrangian: with a multiplier
    ``lam`` per limit (``lagrange_multipliers``), an option is worth ``v - sum(lam * a)`` to
    the bound, plus ``sum(lam * (limit - a so far))`` for the budget left; the limits' linear
    relaxation (``Hull``) bounds it too. Each limit is also checked against the options still
    allowed and the rules still open (a ``_Measure`` each).
    """

    def __init__(
        self,
        problem: Problem,
        values: Sequence[Sequence[float]],
        top: TopK | None,
        budget: int | None = None,
        stop_above: float = math.inf,
    ) -> None:
        p = problem
        self.p = p
        self.values = values
        self.top = top
        self.budget = node_budget() if budget is None else budget
        self.stop_above = stop_above
        n = len(p.sizes)
        self.stop = n if top is not None else p.n_involved
        self.lams = lagrange_multipliers(p, values) if top is not None else [0.0] * len(p.limits)
        self.value = _Measure(
            [
                [
                    v
                    - sum(
                        lam * lim.values[g][o] for lam, lim in zip(self.lams, p.limits, strict=True)
                    )
                    for o, v in enumerate(values[g])
                ]
                for g in range(n)
            ],
            p.order,
        )
        self.signs = [1.0 if lim.op == "<=" else -1.0 for lim in p.limits]
        self.limit_measures = [
            _Measure([[-sign * a for a in row] for row in lim.values], p.order)
            for sign, lim in zip(self.signs, p.limits, strict=True)
        ]
        self.hulls = [Hull(p, values, li) for li in range(len(p.limits))] if top else []
        self.options = [_best_first(values[g]) for g in range(n)]
        self.rest_value = suffix([max(values[g], default=0.0) for g in range(n)], p.order)
        self.choice = [-1] * n
        self.forbidden = [0] * len(p.lit_group)
        self.allowed = list(p.sizes)
        self.count = [0] * len(p.cons)
        self.trail: list[int] = []
        self.sums = [[0.0] * len(p.limits) for _ in range(n + 1)]
        self.nodes = 0
        self.found = False

    @property
    def cut(self) -> float:
        """The total a combination must beat to enter the top list so far."""
        return -math.inf if self.top is None else self.top.cut

    def run(self) -> None:
        """Search every group from the first."""
        self._dfs(0, 0.0)

    def _dfs(self, depth: int, partial: float) -> None:
        if depth == self.stop:
            self._record(partial)
            return
        g = self.p.order[depth]
        values = self.values[g]
        offset = self.p.offsets[g]
        rest_value, rest = self.rest_value[depth + 1], self.value.rest[depth + 1]
        for o in self.options[g]:
            value = partial + values[o]
            if value + rest_value < self.cut:
                break  # options come best first, so no later one can reach the cut either
            if self.forbidden[offset + o] or not self._limits_ok(depth, g, o):
                continue
            slack = self._slack(depth + 1)
            if value + slack + rest < self.cut:
                continue
            mark = len(self.trail)
            if self._assign(g, o) and self._bound(depth + 1, self.cut - value - slack):
                self._dfs(depth + 1, value)
            self._unassign(g, o, mark)
            if self.found:
                return

    def _record(self, total: float) -> None:
        if self.top is None or total > self.stop_above:
            self.found = True
        if self.top is not None:
            self.top.add(total, tuple(self.choice))

    def _limits_ok(self, depth: int, g: int, o: int) -> bool:
        """Whether the limits can still be met with option ``o`` in group ``g``.

        A quick look: every later group at its cheapest (at its dearest, for a floor).
        """
        sums, after = self.sums[depth], self.sums[depth + 1]
        for li, lim in enumerate(self.p.limits):
            total = sums[li] + lim.values[g][o]
            if lim.op == "<=":
                if total + self.p.limit_low[li][depth + 1] > lim.bound:
                    return False
            elif total + self.p.limit_high[li][depth + 1] < lim.bound:
                return False
            after[li] = total
        return True

    def _slack(self, depth: int) -> float:
        """The bound's allowance for the budget the limits leave (0 with no limits)."""
        sums = self.sums[depth]
        return sum(
            lam * (lim.bound - sums[li])
            for li, (lam, lim) in enumerate(zip(self.lams, self.p.limits, strict=True))
        )

    def _bound(self, depth: int, needed: float) -> bool:
        """Whether the groups from ``depth`` on can meet every limit and add ``needed`` or more.

        Cheapest checks first: optimistic sums, then the limits' linear relaxation, then what
        the open rules cost.
        """
        p, sums = self.p, self.sums[depth]
        if not self.trail and not p.cons:
            return self.value.rest[depth] >= needed  # the limits were checked by _limits_ok
        margins = [
            measure.optimistic(self, depth) - self.signs[li] * (sums[li] - p.limits[li].bound)
            for li, measure in enumerate(self.limit_measures)
        ]
        if any(margin < 0 for margin in margins):
            return False
        margin = math.inf
        if needed > -math.inf:
            margin = self.value.optimistic(self, depth) - needed
            slack = self._slack(depth)
            relaxed = (
                hull.best(depth, sums[li], self.choice) for li, hull in enumerate(self.hulls)
            )
            if margin < 0 or any(best < needed + slack for best in relaxed):
                return False
        pairs = [*zip(self.limit_measures, margins, strict=True), (self.value, margin)]
        return not p.cons or all(
            m.shortfall_within(self, depth, room) for m, room in pairs if room < math.inf
        )

    # --- choosing and undoing ----------------------------------------------------------------

    def _forbid(self, lit: int) -> bool:
        """Rule an option out; False if that leaves its (unassigned) group with none."""
        self.forbidden[lit] += 1
        self.trail.append(lit)
        if self.forbidden[lit] == 1:
            g = self.p.lit_group[lit]
            self.allowed[g] -= 1
            return self.allowed[g] > 0 or self.choice[g] >= 0
        return True

    def _assign(self, g: int, o: int) -> bool:
        """Choose option ``o`` of group ``g``; False if a rule can no longer be met."""
        p = self.p
        lit = p.offsets[g] + o
        self.choice[g] = o
        self.nodes += 1
        if self.nodes > self.budget:
            raise OutOfNodes(self.budget)
        for ci in p.cons_of_lit[lit]:
            self.count[ci] += 1
        ok = True
        for ci in p.cons_of_lit[lit]:
            if self.count[ci] == p.cons[ci].cap:
                for other in p.con_lits[ci]:
                    if self.choice[p.lit_group[other]] < 0:
                        ok = self._forbid(other) and ok
        return (
            ok
            and all(self._still_possible(ci) for ci in p.cons_of_group[g])
            and all(self._unit(ci) for ci in p.cons_of_group[g])
        )

    def _unit(self, ci: int) -> bool:
        """Keep a group to the options a rule still needs, if it alone can give them.

        False if ruling out its other options leaves some group with none.
        """
        p = self.p
        if not p.cons[ci].need or self.count[ci]:
            return True
        trigger = p.con_trigger[ci]
        if trigger >= 0 and self.choice[p.lit_group[trigger]] != p.lit_option[trigger]:
            return True
        left = [
            lit
            for lit in p.con_lits[ci]
            if self.choice[p.lit_group[lit]] < 0 and not self.forbidden[lit]
        ]
        groups = {p.lit_group[lit] for lit in left}
        if len(groups) != 1:
            return True
        g = groups.pop()
        keep = {p.lit_option[lit] for lit in left}
        offset = p.offsets[g]
        return all(self._forbid(offset + o) for o in range(p.sizes[g]) if o not in keep)

    def _still_possible(self, ci: int) -> bool:
        p, con, count = self.p, self.p.cons[ci], self.count[ci]
        if count > con.cap:
            return False
        if not con.need or count:
            return True
        trigger = p.con_trigger[ci]
        if trigger >= 0 and self.choice[p.lit_group[trigger]] != p.lit_option[trigger]:
            return True
        return any(
            self.choice[p.lit_group[lit]] < 0 and not self.forbidden[lit] for lit in p.con_lits[ci]
        )

    def _unassign(self, g: int, o: int, mark: int) -> None:
        p = self.p
        self.choice[g] = -1
        for ci in p.cons_of_lit[p.offsets[g] + o]:
            self.count[ci] -= 1
        while len(self.trail) > mark:
            lit = self.trail.pop()
            self.forbidden[lit] -= 1
            if not self.forbidden[lit]:
                self.allowed[p.lit_group[lit]] += 1
