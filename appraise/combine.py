"""Best combinations of options across working groups: one option per group, under the rules.

The clinical advisory group picks exactly one option in each working group, and options of
different groups are linked by interdependency rules (CONTRACT 1.3). A reference is
``group/option``. What each rule kind means here:

- ``requires: [a, b, c, ...]``: choosing ``a`` needs at least one of the rest chosen ("a needs
  b or c").
- ``excludes: [a, b, ...]``: no two of them are chosen together.
- ``one_of: [a, b, ...]``: exactly one of them is chosen.
- ``at_most: N, of: [...]``: no more than N of them are chosen.
- An option not available in its group (it failed a gate or was excluded for missing scores,
  so it is not in the ranking) is never chosen: every rule counts it as not chosen. So a
  ``requires`` whose other options are all unavailable rules out its first option, and a
  ``one_of`` with none available cannot be met. A reference to an option the group never had
  is an error.
- A ``Limit`` bounds the SUM of a numeric option attribute over the chosen options, ``<=`` or
  ``>=`` a value (an option without the attribute counts 0), within a relative tolerance of
  1e-9 so that decimal figures which add up exactly are not refused over a rounding bit.

A combination's total is the sum over groups of the group weight (1 unless given) times the
chosen option's weighted total. ``top_combinations`` is exact without listing every
combination: a depth-first branch and bound over the groups, those linked by rules first,
options best first, the k best totals found so far setting the cut. Each choice rules out the
options it makes impossible in the groups still open (an ``excludes`` partner, the rest of a
full ``at_most`` or ``one_of``; a group that alone can still meet a ``one_of`` or an active
``requires`` keeps only those options). A branch is cut when a rule or a limit can no longer be
met with the options still allowed, or when its bound falls below the cut. The bound is each
open group's best option still allowed, less what the open rules force some of them to give
up, with a Lagrangian term per limit (and the limit's linear relaxation) so that a tight cap
prunes too. Proving that nothing fits can still take exponential time, so a search gives up
after ``MAX_NODES`` steps with ``SearchTooLong``.

When nothing fits, ``Infeasible`` names a minimal conflicting set of rules and limits (a
deletion filter). Rules and limits are numbered from 0, as in ``rules[0]`` of the rules file.
``robustness`` finds, per weight sample, the best feasible combination exactly, and credits the
candidates that match it.

Ties: totals within 1e-9 of the one before share a rank (competition ranking 1, 1, 3, as
``scoring.rank``), and every combination tied with the k-th is returned too, so a tie at the
cut is never dropped arbitrarily. Within a tie, combinations come in lexicographic order of
their options' places in each group's ranking, groups in the order given. Should more than
``MAX_TIED`` extra combinations tie at the cut (scores copied across many options), the list
stops there.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from appraise.errors import AppraiseError, InputError
from appraise.model import Rule
from appraise.scoring import TIE_TOLERANCE, Ranking
from appraise.smaa import UsageError
from appraise.weights import FloatArray

# The search keeps near-ties within this of the k-th total (the final tie rule then sees every
# one) and no more: its own sums run in another order than the final totals.
MARGIN = 10 * TIE_TOLERANCE
MAX_TIED = 1000
LIMIT_TOLERANCE = 1e-9
# robustness: a group of linked groups is enumerated when it has at most ENUMERATE_MAX
# combinations, of which at most FEASIBLE_MAX satisfy its rules; otherwise each weight sample
# gets its own top-1 search. BLOCK_CELLS caps a temporary array (samples x combinations).
ENUMERATE_MAX = 1 << 21
FEASIBLE_MAX = 200_000
BLOCK_CELLS = 1 << 22
POOL_SIZE = 32
# Option choices one search may try before giving up (10 s to a minute): proving that no
# combination meets limits which leave a very narrow band can take exponentially long. The
# hardest random 12 x 8 instances seen needed under 50,000.
MAX_NODES = 2_000_000

Lit = tuple[int, int]  # (group index, option position)
Choice = tuple[int, ...]  # option position per group
IntArray = npt.NDArray[np.int64]


# --- data ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GroupOptions:
    """One working group's available options, in rank order.

    Attributes:
        group: The group's id.
        option_ids: Ids of the options that can be chosen (ranked: gates passed, scored).
        names: Their names.
        totals: Weighted total per option (``scoring.rank``).
        attributes: Attribute name -> value per option (0 where an option does not give it).
        scores: Options x leaves, the scores as used (NaN: a cell left out), for
            ``robustness``; None if not known.
        set_aside: Ids of the group's options that cannot be chosen (failed a gate, or
            excluded for missing scores); a rule may name them, and counts them as not chosen.
    """

    group: str
    option_ids: tuple[str, ...]
    names: tuple[str, ...]
    totals: FloatArray
    attributes: Mapping[str, FloatArray]
    scores: FloatArray | None = None
    set_aside: tuple[str, ...] = ()


def _attribute_names(nested: Mapping[str, Mapping[str, Mapping[str, float]]]) -> list[str]:
    names = (a for options in nested.values() for attrs in options.values() for a in attrs)
    return list(dict.fromkeys(names))


def groups_from_rankings(
    rankings: Sequence[Ranking],
    attributes: Mapping[str, Mapping[str, Mapping[str, float]]] | None = None,
) -> list[GroupOptions]:
    """One ``GroupOptions`` per ranking: its ranked options, totals, scores and attributes.

    Args:
        rankings: What ``scoring.rank`` returned, one per group.
        attributes: ``attributes[group][option][name]``; every group gets every name met
            anywhere in it, 0 where an option does not give it.

    Returns:
        The groups, in the order of ``rankings``.
    """
    attributes = attributes or {}
    names = _attribute_names(attributes)
    out = []
    for ranking in rankings:
        sheet = ranking.sheet
        given = attributes.get(sheet.group, {})
        ids = tuple(option.id for option in ranking.options)
        row = {option.id: i for i, option in enumerate(sheet.options)}
        scores = None if ranking.scores is None else ranking.scores[[row[i] for i in ids]]
        out.append(
            GroupOptions(
                group=sheet.group,
                option_ids=ids,
                names=tuple(option.name for option in ranking.options),
                totals=np.array([option.total for option in ranking.options], dtype=np.float64),
                attributes={
                    name: np.array([given.get(i, {}).get(name, 0.0) for i in ids], np.float64)
                    for name in names
                },
                scores=scores,
                set_aside=tuple(
                    s.id for s in (*ranking.screened_out, *ranking.excluded, *ranking.rejected)
                ),
            )
        )
    return out


_LIMIT = re.compile(r"^\s*([a-z0-9][a-z0-9_-]*)\s*(<=|>=)\s*(\S+)\s*$")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Limit:
    """A cap (``<=``) or floor (``>=``) on an attribute summed over the chosen options."""

    attribute: str
    op: Literal["<=", ">="]
    value: float

    @classmethod
    def parse(cls, text: str) -> Limit:
        """Read ``net_capital<=20000`` (spaces allowed around the operator).

        Raises:
            InputError: The text is not ATTRIBUTE<=NUMBER or ATTRIBUTE>=NUMBER.
        """
        match = _LIMIT.match(text)
        value = None if match is None else _number(match.group(3))
        if match is None or value is None:
            raise InputError(
                "--limit",
                "",
                "expected ATTRIBUTE<=NUMBER or ATTRIBUTE>=NUMBER (e.g. net_capital<=20000), "
                f"found {text!r}",
            )
        op: Literal["<=", ">="] = "<=" if match.group(2) == "<=" else ">="
        return cls(match.group(1), op, value)

    @property
    def bound(self) -> float:
        """The value with the tolerance added on the side that lets a sum through."""
        slack = LIMIT_TOLERANCE * max(1.0, abs(self.value))
        return self.value + slack if self.op == "<=" else self.value - slack

    def holds(self, total: float) -> bool:
        """Whether a summed attribute meets the limit (within the tolerance)."""
        return total <= self.bound if self.op == "<=" else total >= self.bound

    def __str__(self) -> str:
        return f"{self.attribute}{self.op}{self.value:.15g}"


@dataclass(frozen=True)
class Combination:
    """One option per group, its total, its rank and its summed attributes."""

    rank: int
    total: float
    choice: dict[str, str]
    attributes: dict[str, float]


@dataclass(frozen=True)
class Violation:
    """A rule or limit that a choice breaks, with the text that names it."""

    kind: Literal["rule", "limit"]
    index: int
    text: str


@dataclass(frozen=True)
class GroupExplanation:
    """Why a group's option is in the best combination.

    Attributes:
        group: The group's id.
        option: The option chosen.
        total: Its weighted total (not multiplied by the group weight).
        margin: Its total minus the best total among the group's other available options
            (negative when the group's own best was ruled out); None if it is the only one.
        own_best: The group's own top option.
        forced_by: Text of each rule or limit that the combination would break with
            ``own_best`` in place of ``option``, the other groups' choices kept.
    """

    group: str
    option: str
    total: float
    margin: float | None
    own_best: str
    forced_by: tuple[str, ...]


class Infeasible(AppraiseError):
    """No combination satisfies the rules and limits; names a small set that conflicts.

    Attributes:
        conflict_rules: Indexes of the conflicting rules.
        conflict_limits: Indexes of the conflicting limits.
    """

    def __init__(
        self,
        message: str,
        conflict_rules: tuple[int, ...] = (),
        conflict_limits: tuple[int, ...] = (),
    ) -> None:
        super().__init__(message)
        self.conflict_rules = conflict_rules
        self.conflict_limits = conflict_limits


class SearchTooLong(AppraiseError):
    """The search gave up after ``MAX_NODES`` option choices without finishing."""


class _OutOfNodes(Exception):
    """Raised inside a search that has used up its node budget."""


def rule_text(index: int, rule: Rule) -> str:
    """``rule 2 (requires a/x -> b/y or c/z): note``, on one line."""
    refs = rule.refs
    if rule.kind == "requires":
        body = f"requires {refs[0]} -> {' or '.join(refs[1:])}"
    elif rule.kind == "at_most":
        body = f"at_most {rule.at_most} of {', '.join(refs)}"
    else:
        body = f"{rule.kind} {', '.join(refs)}"
    note = " ".join((rule.note or "").split()).rstrip(".")  # it goes inside a sentence
    return f"rule {index} ({body})" + (f": {note}" if note else "")


def limit_text(index: int, limit: Limit) -> str:
    """``limit 0 (net_capital<=300000)``."""
    return f"limit {index} ({limit})"


# --- checking inputs -------------------------------------------------------------------------


def _resolve(
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


def _check_limits(groups: Sequence[GroupOptions], limits: Sequence[Limit]) -> None:
    """A limit on an attribute that no option has is almost surely a typing slip."""
    known = list(dict.fromkeys(a for g in groups for a in g.attributes))
    for limit in limits:
        if limit.attribute not in known:
            listed = ", ".join(known) or "none"
            raise InputError(
                "--limit",
                "",
                f"no option has the attribute '{limit.attribute}' (attributes: {listed})",
            )


def _group_weights(
    groups: Sequence[GroupOptions], group_weights: Mapping[str, float] | None
) -> list[float]:
    """Each group's weight (1 unless given), checking the names and numbers given."""
    weights = dict(group_weights or {})
    known = [g.group for g in groups]
    for name, weight in weights.items():
        if name not in known:
            raise InputError(
                "--group-weight", "", f"unknown group '{name}' (groups: {', '.join(known)})"
            )
        if not math.isfinite(weight):
            raise InputError("--group-weight", "", f"group '{name}': weight must be finite")
    return [float(weights.get(g.group, 1.0)) for g in groups]


def _weighted_totals(
    groups: Sequence[GroupOptions], group_weights: Mapping[str, float] | None
) -> list[list[float]]:
    """Group weight x option total, per group and option."""
    weights = _group_weights(groups, group_weights)
    return [[w * float(t) for t in g.totals] for w, g in zip(weights, groups, strict=True)]


def _scores_for(groups: Sequence[GroupOptions], n_leaves: int) -> list[FloatArray]:
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


def _empty_groups(groups: Sequence[GroupOptions]) -> None:
    for g in groups:
        if not g.option_ids:
            raise Infeasible(
                f"no combination is possible: group '{g.group}' has no option left to choose "
                "(every option failed a gate or was excluded)"
            )


# --- the compiled problem --------------------------------------------------------------------


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


class _Problem:
    """Rules and limits over a list of groups, laid out for the search and for enumeration."""

    def __init__(
        self,
        groups: Sequence[GroupOptions],
        rules: Sequence[tuple[int, Rule]],
        limits: Sequence[tuple[int, Limit]],
    ) -> None:
        self.sizes = [len(g.option_ids) for g in groups]
        resolved = _resolve(groups, rules)
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
        self.limit_index = [j for j, _ in limits]
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
        self.limit_low = [_suffix(low, self.order) for low in self.group_low]
        self.limit_high = [_suffix(high, self.order) for high in self.group_high]

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


# --- the k best, ties kept -------------------------------------------------------------------


class _TopK:
    """The k best totals seen and every combination within MARGIN of the k-th."""

    def __init__(self, k: int, floor: float = -math.inf) -> None:
        self.k = k
        self.max_kept = k + MAX_TIED
        self.heap: list[float] = []
        self.kept: list[tuple[float, Choice]] = []
        self.capped = False
        # A floor is a total some feasible combination is known to reach (robustness seeds the
        # search with earlier winners); it may only be used when k == 1.
        self.cut = floor - MARGIN

    def add(self, total: float, choice: Choice) -> None:
        heap = self.heap
        if len(heap) < self.k:
            heapq.heappush(heap, total)
        elif total > heap[0]:
            heapq.heapreplace(heap, total)
        self.kept.append((total, choice))
        if len(heap) == self.k:
            self.cut = max(self.cut, heap[0] + (MARGIN if self.capped else -MARGIN))
        if len(self.kept) > 2 * self.max_kept:
            self._purge()

    def _purge(self) -> None:
        low = self.heap[0] - MARGIN
        self.kept = [item for item in self.kept if item[0] >= low]
        if len(self.kept) > self.max_kept:
            # Too many ties at the cut: from now on only strictly better ones are kept.
            self.capped = True
            self.cut = self.heap[0] + MARGIN

    def result(self) -> list[tuple[float, Choice]]:
        if not self.heap:
            return []
        low = self.heap[0] - MARGIN if len(self.heap) == self.k else -math.inf
        return [item for item in self.kept if item[0] >= low]


def _ranked(
    kept: Sequence[tuple[float, Choice]], k: int, values: Sequence[Sequence[float]]
) -> list[tuple[int, float, Choice]]:
    """(rank, total, choice) of the combinations ranked k or better, ties in lexicographic order.

    Totals are summed again in group order, so the same combination always gets the same
    total whatever order a search added it in.
    """
    scored = sorted(
        ((sum(values[g][o] for g, o in enumerate(choice)), choice) for _, choice in kept),
        key=lambda item: (-item[0], item[1]),
    )
    blocks: list[list[tuple[float, Choice]]] = []
    for i, item in enumerate(scored):
        if i and scored[i - 1][0] - item[0] <= TIE_TOLERANCE:
            blocks[-1].append(item)
        else:
            blocks.append([item])
    out: list[tuple[int, float, Choice]] = []
    for block in blocks:
        if len(out) >= k:
            break
        rank = len(out) + 1
        out += [(rank, total, choice) for total, choice in sorted(block, key=lambda b: b[1])]
    return out[: k + MAX_TIED]


def _combination(
    rank: int, total: float, choice: Choice, groups: Sequence[GroupOptions]
) -> Combination:
    names = list(dict.fromkeys(a for g in groups for a in g.attributes))
    sums = {
        name: float(
            sum(
                g.attributes[name][o]
                for g, o in zip(groups, choice, strict=True)
                if name in g.attributes
            )
        )
        for name in names
    }
    picked = {g.group: g.option_ids[o] for g, o in zip(groups, choice, strict=True)}
    return Combination(rank, total, picked, sums)


# --- branch and bound ------------------------------------------------------------------------


def _multiplier(values: Sequence[FloatArray], weights: Sequence[FloatArray], cap: float) -> float:
    """The ``lam >= 0`` that minimises ``sum_g max_o (v - lam * a) + lam * cap``.

    That is a convex, piecewise linear function of ``lam``, so its minimum is at 0 or where
    some group's best option changes; every such point is tried.
    """
    steps = [0.0]
    for v, a in zip(values, weights, strict=True):
        dv, da = v[:, None] - v[None, :], a[:, None] - a[None, :]
        steps += [float(x) for x in dv[da > 0] / da[da > 0] if x > 0]
    lams = np.unique(steps)
    bound = lams * cap
    for v, a in zip(values, weights, strict=True):
        bound += (v[None, :] - lams[:, None] * a[None, :]).max(axis=1)
    return float(lams[int(np.argmin(bound))])


def _multipliers(problem: _Problem, values: Sequence[Sequence[float]]) -> list[float]:
    """One Lagrange multiplier per limit, for the bound (see ``_Search``).

    For any multipliers of the right sign the bound holds; these minimise it at the root, one
    limit at a time given the others (two rounds when there are several limits).
    """
    signs = [1.0 if lim.op == "<=" else -1.0 for lim in problem.limits]
    attrs = [
        [sign * np.asarray(lim.values[g], np.float64) for g in range(len(values))]
        for sign, lim in zip(signs, problem.limits, strict=True)
    ]
    lams = [0.0] * len(signs)
    for _ in range(2 if len(lams) > 1 else 1):
        for li, sign in enumerate(signs):
            adjusted = [
                np.asarray(values[g], np.float64)
                - sum((lams[m] * attrs[m][g] for m in range(len(lams)) if m != li), 0.0)
                for g in range(len(values))
            ]
            lams[li] = _multiplier(adjusted, attrs[li], sign * problem.limits[li].bound)
    return [lam * sign for lam, sign in zip(lams, signs, strict=True)]


class _Hull:
    """The linear relaxation of "one option per group, summed attribute within a limit".

    Per group, the options' (attribute, value) points on the upper concave hull from the
    cheapest option to the best one; moving along it costs attribute at a falling rate of
    value per unit. With the budget the limit leaves, the relaxation's best is the cheapest
    point of every group plus the hull segments taken greedily, best rate first, the last one
    in part (the LP bound of the multiple-choice knapsack). A floor ``sum(a) >= B`` is the cap
    ``sum(-a) <= -B``.
    """

    def __init__(self, problem: _Problem, values: Sequence[Sequence[float]], li: int) -> None:
        lim = problem.limits[li]
        self.sign = 1.0 if lim.op == "<=" else -1.0
        self.cap = self.sign * lim.bound
        start_cost, start_value = [0.0] * len(values), [0.0] * len(values)
        segments: list[tuple[float, int, float, float]] = []
        for g, row in enumerate(values):
            points = sorted(
                ((self.sign * a, v) for a, v in zip(lim.values[g], row, strict=True)),
                key=lambda point: (point[0], -point[1]),
            )
            hull = _upper_hull(points)
            start_cost[g], start_value[g] = hull[0]
            segments += [
                ((v1 - v0) / (a1 - a0), g, a1 - a0, v1 - v0)
                for (a0, v0), (a1, v1) in itertools.pairwise(hull)
            ]
        segments.sort(key=lambda seg: -seg[0])
        self.segments = segments
        self.rest_cost = _suffix(start_cost, problem.order)
        self.rest_value = _suffix(start_value, problem.order)

    def best(self, depth: int, spent: float, choice: Sequence[int]) -> float:
        """The relaxation's best for the groups from ``depth`` on, ``spent`` used so far."""
        budget = self.cap - self.sign * spent - self.rest_cost[depth]
        total = self.rest_value[depth]
        if budget < 0:
            return -math.inf
        for rate, g, cost, gain in self.segments:
            if choice[g] >= 0:
                continue
            if cost > budget:
                return total + rate * budget
            budget -= cost
            total += gain
        return total


def _upper_hull(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """The concave upper hull of points sorted by cost, from the first to the best value."""
    hull: list[tuple[float, float]] = []
    for a, v in points:
        if hull and v <= hull[-1][1]:
            continue  # costs at least as much and is worth no more: never worth moving to
        while len(hull) >= 2:
            (a0, v0), (a1, v1) = hull[-2], hull[-1]
            if (v1 - v0) * (a - a0) <= (v - v0) * (a1 - a0):
                hull.pop()  # the middle point lies on or under the line past it
            else:
                break
        hull.append((a, v))
    return hull


def _suffix(per_group: Sequence[float], order: Sequence[int]) -> list[float]:
    """``out[d]`` = sum of ``per_group`` over the groups from search depth ``d`` on."""
    out = [0.0]
    for g in reversed(order):
        out.append(out[-1] + per_group[g])
    return out[::-1]


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
        self.rest = _suffix([row[o] for row, o in zip(worth, self.best, strict=True)], order)

    def _top_two(self, g: int, offset: int, forbidden: Sequence[int]) -> tuple[int, float]:
        """Group ``g``'s best option still allowed, and the worth the next one gives up."""
        worth = self.worth[g]
        allowed = (o for o in self.by_worth[g] if not forbidden[offset + o])
        first = next(allowed, -1)
        second = next(allowed, -1)
        return first, (worth[first] - worth[second] if second >= 0 else math.inf)

    def optimistic(self, s: _Search, depth: int) -> float:
        """What the groups from ``depth`` on add, each at its best option still allowed."""
        p, total = s.p, 0.0
        for g in p.order[depth:]:
            if s.allowed[g] == p.sizes[g]:
                self.best[g], self.gap[g] = self.static[g]
            else:
                self.best[g], self.gap[g] = self._top_two(g, p.offsets[g], s.forbidden)
            total += self.worth[g][self.best[g]]
        return total

    def shortfall_within(self, s: _Search, depth: int, margin: float) -> bool:
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

    def _rule_cost(self, s: _Search, ci: int) -> tuple[float, set[int]]:
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

    def _need_cost(self, s: _Search, ci: int) -> tuple[float, set[int]]:
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


class _Search:
    """Depth-first branch and bound over the groups in ``problem.order``.

    With ``top`` it finds every combination ``top`` keeps; without, it stops at the first
    combination that meets every rule and limit (groups in no rule or limit are left out:
    any of their options will do).

    The bound on what the unassigned groups can still add is Lagrangian: with a multiplier
    ``lam`` per limit (``_multipliers``), an option is worth ``v - sum(lam * a)`` to the bound,
    plus ``sum(lam * (limit - a so far))`` for the budget left; the limits' linear relaxation
    (``_Hull``) bounds it too. Each limit is also checked against the options still allowed
    and the rules still open (a ``_Measure`` each).
    """

    def __init__(
        self,
        problem: _Problem,
        values: Sequence[Sequence[float]],
        top: _TopK | None,
        budget: int | None = None,
        stop_above: float = math.inf,
    ) -> None:
        p = problem
        self.p = p
        self.values = values
        self.top = top
        self.budget = MAX_NODES if budget is None else budget
        self.stop_above = stop_above
        n = len(p.sizes)
        self.stop = n if top is not None else p.n_involved
        self.lams = _multipliers(p, values) if top is not None else [0.0] * len(p.limits)
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
        self.hulls = [_Hull(p, values, li) for li in range(len(p.limits))] if top else []
        self.options = [_best_first(values[g]) for g in range(n)]
        self.rest_value = _suffix([max(values[g], default=0.0) for g in range(n)], p.order)
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
        return -math.inf if self.top is None else self.top.cut

    def run(self) -> None:
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
            raise _OutOfNodes
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


# --- public entry points ---------------------------------------------------------------------


def _indexed(
    rules: Sequence[Rule], limits: Sequence[Limit]
) -> tuple[list[tuple[int, Rule]], list[tuple[int, Limit]]]:
    return list(enumerate(rules)), list(enumerate(limits))


def _search_top(
    groups: Sequence[GroupOptions],
    rules: Sequence[Rule],
    k: int = 10,
    limits: Sequence[Limit] = (),
    group_weights: Mapping[str, float] | None = None,
) -> tuple[list[Combination], int]:
    """``top_combinations`` and the number of search nodes (option choices) it tried."""
    if k < 1:
        raise UsageError("--top", f"must be at least 1, got {k}")
    _check_limits(groups, limits)
    values = _weighted_totals(groups, group_weights)
    problem = _Problem(groups, *_indexed(rules, limits))
    _empty_groups(groups)
    if problem.broken or problem.broken_limits:
        raise _diagnose(groups, rules, limits)
    top = _TopK(k)
    search = _Search(problem, values, top)
    try:
        search.run()
    except _OutOfNodes:
        raise SearchTooLong(
            f"the search gave up after {MAX_NODES:,} steps: the rules and limits leave so few "
            "combinations that finding them (or proving there are none) takes too long; "
            "loosen a limit or check the rules"
        ) from None
    kept = top.result()
    if not kept:
        raise _diagnose(groups, rules, limits)
    ranked = _ranked(kept, k, values)
    return [_combination(r, t, c, groups) for r, t, c in ranked], search.nodes


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
    return _search_top(groups, rules, k, limits, group_weights)[0]


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
        raise UsageError("--top", f"must be at least 1, got {k}")
    values = _weighted_totals(groups, group_weights)
    checker = _Checker(groups, rules, limits)
    top = _TopK(k)
    for choice in itertools.product(*(range(len(g.option_ids)) for g in groups)):
        total = sum(values[g][o] for g, o in enumerate(choice))
        if total >= top.cut and checker.meets(choice):
            top.add(total, choice)
    ranked = _ranked(top.result(), k, values)
    return [_combination(r, t, c, groups) for r, t, c in ranked]


class _Checker:
    """Rules and limits checked on one full choice at a time, straight from their wording."""

    def __init__(
        self, groups: Sequence[GroupOptions], rules: Sequence[Rule], limits: Sequence[Limit]
    ) -> None:
        _check_limits(groups, limits)
        self.rules = rules
        self.limits = limits
        self.refs = _resolve(groups, list(enumerate(rules)))
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
        return not any(self._breaks(i, choice) for i in range(len(self.rules))) and all(
            limit.holds(self._sum(j, choice)) for j, limit in enumerate(self.limits)
        )

    def violations(self, choice: Choice) -> list[Violation]:
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


def _positions(groups: Sequence[GroupOptions], choice: Mapping[str, str]) -> Choice:
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
    return _Checker(groups, rules, limits).violations(_positions(groups, choice))


def explain(
    groups: Sequence[GroupOptions],
    rules: Sequence[Rule],
    limits: Sequence[Limit],
    best: Combination,
) -> list[GroupExplanation]:
    """Per group: the option chosen, its margin, and what rules out the group's own best."""
    checker = _Checker(groups, rules, limits)
    choice = _positions(groups, best.choice)
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


# --- robustness -----------------------------------------------------------------------------


def _sample_totals(scores: FloatArray, weights: FloatArray) -> FloatArray:
    """Totals per weight sample (samples x options), as ``scoring.rank`` makes them.

    A cell left out (NaN) drops out, and the option's other weights are rescaled.
    """
    given = ~np.isnan(scores)
    if given.all():
        out: FloatArray = weights @ scores.T
        return out
    share = weights @ given.T.astype(np.float64)
    sums = weights @ np.where(given, scores, 0.0).T
    return np.divide(sums, share, out=np.zeros_like(sums), where=share > 0)


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
        self.problem = _Problem(sub, rules, limits)
        self.weights = [group_weights[g] for g in members]
        broken = self.problem.broken or self.problem.broken_limits
        self.rows = np.zeros((0, len(members)), np.int64) if broken else _enumerate(self.problem)
        self.index: dict[Choice, int] = {}
        self.matrix: FloatArray | None = None
        self.pool: list[Choice] = []
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
        grid = np.round(level / TIE_TOLERANCE)
        tied = grid == grid.max(axis=1, keepdims=True)
        share = 1.0 / tied.sum(axis=1)
        out = np.zeros((len(weights), len(candidates)))
        for c, choice in enumerate(own):
            row = None if choice is None else self.index.get(choice)
            if row is not None:
                out[:, c] = tied[:, row] * share
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
            top = _TopK(1, level)
            search = _Search(self.problem, values, top, stop_above=level + MARGIN)
            search.run()
            best = [c for rank, _, c in _ranked(top.result(), 1, values) if rank == 1]
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
        return _positions(groups, choice)
    except InputError:
        return None


def _enumerate(problem: _Problem) -> IntArray | None:
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
    _check_limits(groups, limits)
    _resolve(groups, list(enumerate(rules)))
    weights = np.atleast_2d(np.asarray(weight_samples, np.float64))
    scores = _scores_for(groups, weights.shape[1])
    per_group = _group_weights(groups, group_weights)
    shares = np.zeros(len(candidates))
    parts = _parts(groups, rules, limits)
    if not candidates or not len(weights) or parts is None or any(not g.option_ids for g in groups):
        return shares
    solvers = [_Part(groups, *part, per_group) for part in parts]
    if any(part.empty for part in solvers):
        return shares
    try:
        shares = _shares(
            weights, scores, solvers, [_maybe_positions(groups, c.choice) for c in candidates]
        )
    except _OutOfNodes:
        raise SearchTooLong(
            f"the robustness search gave up after {MAX_NODES:,} steps on one weight sample; "
            "try fewer samples, or loosen a limit"
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
    for start in range(0, len(weights), step):
        chunk = weights[start : start + step]
        totals = [_sample_totals(s, chunk) for s in scores]
        credit = np.ones((len(chunk), len(own)))
        for part in solvers:
            credit *= part.credit(chunk, totals, own)
        shares += credit.sum(axis=0)
    return shares / len(weights)


# --- infeasibility ---------------------------------------------------------------------------


def _feasible(
    groups: Sequence[GroupOptions],
    rules: Sequence[tuple[int, Rule]],
    limits: Sequence[tuple[int, Limit]],
    budget: list[int],
) -> bool | None:
    """Whether some combination meets these rules and limits.

    None if ``budget[0]`` (nodes left, decreased here) ran out first.
    """
    problem = _Problem(groups, rules, limits)
    if problem.broken or problem.broken_limits:
        return False
    search = _Search(problem, [[0.0] * size for size in problem.sizes], None, budget[0])
    try:
        search.run()
    except _OutOfNodes:
        return None
    finally:
        budget[0] -= search.nodes
    return search.found


def _diagnose(
    groups: Sequence[GroupOptions], rules: Sequence[Rule], limits: Sequence[Limit]
) -> Infeasible:
    """A small conflicting set of rules and limits, by a deletion filter.

    Drop each rule and limit in turn, and leave it out for good if what remains still has no
    solution. What is left is minimal: dropping any one more member makes a solution possible.
    Should the searches use up ``MAX_NODES`` between them, what is left so far is named.
    """
    keep_rules, keep_limits = _indexed(rules, limits)
    budget = [MAX_NODES]
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
