"""What if the weights were different? The state behind ``appraise explore``, as a library.

``WhatIf`` holds the scores files of one appraisal and the weights in force, in points per
family as a criteria file writes them. Each change (a criterion's points, a weight set, the
file's weights again) ranks every group again through ``rank`` itself, with the changed points
as one-off weights over the weight set (so each family is rescaled to its own sum, CONTRACT
1.1): a total shown here is the total ``rank --weight ID=POINTS`` prints for the same points.

A change that moves one criterion's points moves it along the line ``sensitivity`` draws for
that criterion (the others keep their proportions; a sub-criterion moves within its criterion,
whose weight stays), so the threshold it passes is the one ``sensitivity`` computes, and a
leader change is announced with it. Every weighting tried is kept, with its leaders, and can be
written as weight sets of a criteria file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from appraise.errors import InputError, ParameterError
from appraise.limits import MAX_WEIGHT_POINTS, MAX_WEIGHT_SETS
from appraise.model import Settings
from appraise.weights import percent_text

if TYPE_CHECKING:
    from appraise.analysis.scoring import Ranking
    from appraise.analysis.sensitivity import Line
    from appraise.data import CriteriaTree, ScoreSheet

KEPT_RANKINGS = 32
"""Weightings whose rankings are kept for a repeat (back to one just tried costs nothing)."""

EXPLORED = "explored"
"""Weight sets written from a session are ``explored-1``, ``explored-2``..."""


@dataclass(frozen=True)
class Node:
    """A criterion or sub-criterion as the criteria panel lists it."""

    id: str
    name: str
    parent: str | None
    """The criterion a sub-criterion belongs to; None for a top-level criterion."""
    scored: bool = True
    """False for a sub-criterion of a round scored at criterion level: its points move nothing."""


@dataclass(frozen=True)
class Leader:
    """Who leads one group under a weighting."""

    group: str
    id: str
    name: str


@dataclass(frozen=True)
class Tried:
    """One weighting tried: the weight set, every node's points, and each group's leader."""

    weight_set: str | None
    points: dict[str, float]
    leaders: tuple[Leader, ...]


@dataclass(frozen=True)
class Bounds:
    """The selected criterion's weight, and how far it can move before the leader changes.

    ``share`` is the weight as moved: the global share of a criterion, or a sub-criterion's
    share of its criterion (``of`` names it). ``lower``/``upper`` are ``sensitivity``'s
    threshold (None: the leader stays first to that end); ``below``/``above`` lead past them;
    ``points_lower``/``points_upper`` are the node's points at each threshold, the others kept.
    """

    node: str
    of: str | None
    share: float
    lower: float | None
    upper: float | None
    below: str | None
    above: str | None
    points_lower: float | None
    points_upper: float | None


@dataclass(frozen=True)
class Change:
    """What one change did: the leaders before and after, and the sentences saying so."""

    before: tuple[Leader, ...]
    after: tuple[Leader, ...]
    announcements: tuple[str, ...] = ()


@dataclass
class WhatIf:
    """The weights in force over one appraisal's scores files, and what each change does.

    ``settings`` is the policy every ranking keeps (missing, aggregate, statuses...); its
    ``weight_set`` and ``weights_given`` are where the session starts.

    Raises:
        ParameterError: No scores, or settings a ranking refuses (a weight set the file has
            not).
        InputError: Files weighed by different criteria tables.
    """

    sheets: Sequence[ScoreSheet]
    settings: Settings = field(default_factory=Settings)
    history: list[Tried] = field(default_factory=list, init=False)
    """Every weighting tried, in order. A run of steps on one criterion is kept as its last
    step, and as the steps either side of any leader change within it."""
    points: dict[str, float] = field(default_factory=dict, init=False)
    weight_set: str | None = field(default=None, init=False)
    _moving: str | None = field(default=None, init=False, repr=False)
    _rankings: dict[tuple[Any, ...], tuple[Ranking, ...]] = field(
        default_factory=dict, init=False, repr=False
    )

    def __post_init__(self) -> None:
        if not self.sheets:
            raise ParameterError("sheets", "expected at least one scores file")
        first = self.sheets[0]
        for sheet in self.sheets[1:]:
            if sheet.tree.spec.criteria != first.tree.spec.criteria:
                raise InputError(
                    sheet.path,
                    "criteria",
                    f"explore weighs one criteria table, but this file is weighed by "
                    f"{sheet.tree.path} and {first.path} by {first.tree.path}; explore them apart",
                )
        self.weight_set = self.settings.weight_set
        self.points = self.set_points(self.weight_set) | dict(self.settings.weights_given)
        self._check(self.points)
        self._record()

    # --- the criteria -----------------------------------------------------------------

    @property
    def tree(self) -> CriteriaTree:
        """The criteria table every file is weighed by."""
        return self.sheets[0].tree

    @cached_property
    def nodes(self) -> tuple[Node, ...]:
        """Each criterion, then its sub-criteria, in the file's order."""
        leaves = any(sheet.level == "leaves" for sheet in self.sheets)
        out: list[Node] = []
        for c in self.tree.spec.criteria:
            out.append(Node(c.id, c.name, None))
            out.extend(Node(s.id, s.name, c.id, leaves) for s in c.sub or [])
        return tuple(out)

    @cached_property
    def _by_id(self) -> dict[str, Node]:
        return {node.id: node for node in self.nodes}

    def node(self, node_id: str) -> Node:
        """The criterion or sub-criterion ``node_id``."""
        if node_id in self._by_id:
            return self._by_id[node_id]
        raise ParameterError("node", f"'{node_id}' is no criterion of {self.tree.path}")

    def entered(self) -> dict[str, float]:
        """Every node's points as the criteria file gives them."""
        spec = self.tree.spec
        out = {c.id: float(c.weight) for c in spec.criteria}
        out |= {s.id: float(s.weight) for c in spec.criteria for s in c.sub or []}
        return out

    def set_points(self, name: str | None) -> dict[str, float]:
        """Every node's points under weight set ``name`` (None: the file's own)."""
        from appraise.analysis.scoring import resolve_weight_set

        return self.entered() | {
            k: float(v) for k, v in (resolve_weight_set(self.tree, name) or {}).items()
        }

    @property
    def weight_sets(self) -> tuple[str, ...]:
        """The criteria file's named weight sets."""
        return tuple(self.tree.spec.weight_sets)

    def family(self, node_id: str) -> list[str]:
        """The nodes whose points share ``node_id``'s family (itself included)."""
        parent = self.node(node_id).parent
        return [n.id for n in self.nodes if n.parent == parent]

    def share(self, node_id: str, points: dict[str, float] | None = None) -> float:
        """``node_id``'s share of its family's points (0 when the family weighs nothing)."""
        points = self.points if points is None else points
        total = sum(points[n] for n in self.family(node_id))
        return points[node_id] / total if total > 0 else 0.0

    def global_share(self, node_id: str) -> float:
        """The node's share of the whole: a criterion's share, times a sub's within it."""
        node = self.node(node_id)
        if node.parent is None:
            return self.share(node_id)
        return self.share(node.parent) * self.share(node_id)

    # --- rankings -----------------------------------------------------------------------

    def given(self, points: dict[str, float] | None = None) -> tuple[tuple[str, float], ...]:
        """The points that differ from the weight set's, in the table's order."""
        points = self.points if points is None else points
        base = self.set_points(self.weight_set)
        return tuple((n.id, points[n.id]) for n in self.nodes if points[n.id] != base[n.id])

    def settings_now(self) -> Settings:
        """The settings ``rank`` gets for the weights in force."""
        return replace(self.settings, weight_set=self.weight_set, weights_given=self.given())

    def rankings(self) -> tuple[Ranking, ...]:
        """Every group ranked under the weights in force (kept, so a repeat costs nothing)."""
        from appraise.analysis.scoring import rank

        key = (self.weight_set, self.given())
        if key not in self._rankings:
            settings = self.settings_now()
            self._rankings[key] = tuple(rank(sheet, settings) for sheet in self.sheets)
            if len(self._rankings) > KEPT_RANKINGS:  # a long meeting: the oldest go first
                del self._rankings[next(iter(self._rankings))]
        return self._rankings[key]

    def leaders(self) -> tuple[Leader, ...]:
        """Each group's first option under the weights in force (ties: the file's first)."""
        return tuple(
            Leader(r.sheet.group, r.options[0].id, r.options[0].name) for r in self.rankings()
        )

    # --- changes ------------------------------------------------------------------------

    def change(self, node_id: str, points: float, *, typed: bool = True) -> Change:
        """Give ``node_id`` these points; the leader changes are announced with the threshold.

        Every weighting given is kept in ``history``; with ``typed=False`` (a step, as ``step``
        makes) a run of them on one criterion is kept as its last, and either side of a leader
        change within it.

        Raises:
            ParameterError: Points below 0 or above 1e12, or that leave a family (or the
                whole table) weighing nothing. The weights in force stay as they were.
        """
        from appraise import arguments as check

        node = self.node(node_id)
        if not node.scored:
            raise ParameterError(
                "node", f"'{node.id}' moves nothing: this round is scored by criterion"
            )
        points = check.number("points", points, 0.0, MAX_WEIGHT_POINTS)
        if 0 < points < 1e-12:
            raise ParameterError("points", "expected 0, or 1e-12 to 1e12")
        moved = self.points | {node.id: float(points)}
        self._check(moved)
        paths = [
            self._path(i, node.id, self.share(node.id, moved)) for i in range(len(self.sheets))
        ]
        return self._apply(
            moved, self.weight_set, lambda i: self._passed(node, paths[i], moved), node.id, typed
        )

    def step(self, node_id: str, by: float) -> Change:
        """Move ``node_id``'s points by ``by`` (not below 0); a run of steps is kept as one."""
        # Rounded as typed: 19.1 + 1 is 20.1, as ``--weight best_practice=20.1`` gives it
        return self.change(node_id, max(0.0, round(self.points[node_id] + by, 9)), typed=False)

    def use_weight_set(self, name: str | None) -> Change:
        """Start again from weight set ``name`` (None: the file's weights)."""
        from appraise.analysis.scoring import resolve_weight_set

        resolve_weight_set(self.tree, name)
        why = f"under weight set '{name}'" if name else "under the criteria file's weights"
        return self._apply(self.set_points(name), name, lambda _: why)

    def restore(self) -> Change:
        """Back to the criteria file's own weights (no weight set, nothing given)."""
        return self._apply(
            self.set_points(None), None, lambda _: "under the criteria file's weights"
        )

    def _check(self, points: dict[str, float]) -> None:
        """Refuse points that leave a family, or the table, weighing nothing."""
        from appraise.analysis.scoring import weights_in_force

        base = self.entered()
        given = tuple((n.id, points[n.id]) for n in self.nodes if points[n.id] != base[n.id])
        weights_in_force(self.tree, Settings(weights_given=given))

    def _apply(
        self,
        points: dict[str, float],
        weight_set: str | None,
        why: Any,
        node: str | None = None,
        typed: bool = True,
    ) -> Change:
        before = self.leaders()
        old = (self.points, self.weight_set)
        self.points, self.weight_set = points, weight_set
        try:
            after = self.leaders()
        except (InputError, ParameterError):
            self.points, self.weight_set = old
            raise
        sentences = []
        for i, (was, now) in enumerate(zip(before, after, strict=True)):
            if was.id != now.id:
                place = f"{self.sheets[i].spec.name}: " if len(self.sheets) > 1 else ""
                sentences.append(f"{place}{now.name} now leads: {why(i)}")
        self._record(None if typed else node, bool(sentences))
        return Change(before, after, tuple(sentences))

    def _path(self, group: int, node_id: str, end: float) -> list[tuple[float, str]] | None:
        """The leader changes moving ``node_id`` from its share now to ``end``: (share, option).

        None where no threshold is computed (see ``bounds``).
        """
        from appraise.analysis.sensitivity import leader_changes

        line = self._line(group, node_id)
        if line is None:
            return None
        ids = [o.id for o in self.rankings()[group].options]
        return [(at, ids[who]) for at, who in leader_changes(line, 0, end)]

    def _passed(
        self, node: Node, path: list[tuple[float, str]] | None, moved: dict[str, float]
    ) -> str:
        """``Affordability passed 65.4%``: each threshold the change went through, in order."""
        of = f" of {self.node(node.parent).name}" if node.parent else ""
        if not path:  # no threshold computed (gaps) or a tie reached: say where it is now
            return f"{node.name} at {percent_text(self.share(node.id, moved))}%{of}"
        names = {o.id: o.name for r in self.rankings() for o in r.options}
        passed = [
            f"{percent_text(at)}%"
            + (f" ({names.get(who, who)} led past it)" if k < len(path) - 1 else "")
            for k, (at, who) in enumerate(path)
        ]
        return f"{node.name} passed {', then '.join(passed)}{of}"

    def _record(self, node: str | None = None, leader_changed: bool = False) -> None:
        """Keep this weighting; a further step on the criterion just moved replaces the last."""
        tried = Tried(self.weight_set, dict(self.points), self.leaders())
        if node is not None and node == self._moving and not leader_changed:
            self.history.pop()
        self._moving = None if leader_changed else node
        if all(t.points != tried.points or t.weight_set != tried.weight_set for t in self.history):
            self.history.append(tried)
        elif node is not None:
            self._moving = None  # back to a weighting kept already: the next step starts anew

    # --- thresholds ---------------------------------------------------------------------

    def _line(self, group: int, node_id: str) -> Line | None:
        """The line ``sensitivity`` draws for ``node_id`` in group ``group``, options in rank order.

        A criterion's is its global weight's; a sub-criterion's its share of its criterion
        (``within``), which is how its points move it. None where ``sensitivity`` draws none:
        cells left unscored, a sub-criterion of a round scored by criterion, or one alone in
        its family.
        """
        from appraise.analysis.sensitivity import weight_lines

        node = self.node(node_id)
        if not node.scored or (node.parent is not None and len(self.family(node_id)) < 2):
            return None
        variant: Literal["global", "within"] = "global" if node.parent is None else "within"
        try:
            lines = weight_lines(self.rankings()[group], variant)
        except InputError:
            return None
        return next((line for line in lines if line.criterion == node_id), None)

    def bounds(self, group: int, node_id: str) -> Bounds | None:
        """``sensitivity``'s threshold for ``node_id`` in group ``group`` under these weights.

        From the line ``_line`` gives, exactly as ``thresholds`` (``variant="within"`` for a
        sub-criterion) finds it for today's leader. None where there is no line.
        """
        from appraise.analysis.sensitivity import leader_bounds

        line = self._line(group, node_id)
        if line is None:
            return None
        ids = [o.id for o in self.rankings()[group].options]
        lower, upper, below, above = leader_bounds(line, 0)
        return Bounds(
            node=node_id,
            of=self.node(node_id).parent,
            share=self.share(node_id),
            lower=lower,
            upper=upper,
            below=None if below is None else ids[below],
            above=None if above is None else ids[above],
            points_lower=self.points_at(node_id, lower),
            points_upper=self.points_at(node_id, upper),
        )

    def points_at(self, node_id: str, share: float | None) -> float | None:
        """The points that give ``node_id`` this share of its family, the others kept."""
        if share is None:
            return None
        others = sum(self.points[n] for n in self.family(node_id) if n != node_id)
        if share >= 1:
            return math.inf if others > 0 else self.points[node_id]
        return share * others / (1 - share)

    # --- the record ---------------------------------------------------------------------

    def explored_document(self) -> tuple[dict[str, Any], list[str], int]:
        """The criteria file with every weighting tried as a weight set, a line on each.

        Returns the document (the criteria table unchanged, its own weight sets kept, then
        ``explored-1``... listing every node's points), a comment line per explored set naming
        the leaders, and how many of the earliest weightings were left out for the file's
        limit of weight sets.
        """
        spec = self.tree.spec
        document = spec.model_dump(
            mode="json", exclude_none=True, exclude_defaults=True, by_alias=True
        )
        document["title"] = spec.title
        sets = dict(document.get("weight_sets") or {})
        room = MAX_WEIGHT_SETS - len(sets)
        tried = self.history[-room:] if room > 0 else []
        left_out = len(self.history) - len(tried)
        lines = []
        for k, t in enumerate(tried, start=1):
            name = f"{EXPLORED}-{k}"
            while name in sets:
                name += "x"
            sets[name] = {n.id: _number(t.points[n.id]) for n in self.nodes}
            leads = (  # a group's leader by id when there are several groups
                "; ".join(f"{leader.group}: {leader.id}" for leader in t.leaders)
                if len(t.leaders) > 1
                else f"{t.leaders[0].name} ({t.leaders[0].id})"
            )
            start = f", from weight set '{t.weight_set}'" if t.weight_set else ""
            lines.append(f"{name}{start}: leads {leads}")
        document["weight_sets"] = sets
        return document, lines, left_out


def options_for(settings: Settings, given: Sequence[tuple[str, float]] = ()) -> list[str]:
    """The command-line options that rank as ``settings`` do, ``given`` as ``--weight``.

    What ``explore`` tells a person to type to see the same figures from ``rank``,
    ``sensitivity`` or ``export``: only the options that differ from the defaults.
    """
    words: list[str] = []
    if settings.weight_set:
        words += ["--weights", settings.weight_set]
    for node, points in given:
        words += ["--weight", f"{node}={points:.12g}"]
    if settings.normalise:
        words.append("--normalise")
    if settings.missing != "error":
        words += ["--missing", settings.missing]
    if settings.aggregate != "mean":
        words += ["--aggregate", settings.aggregate]
    if settings.exclude_conflicted:
        words.append("--exclude-conflicted")
    for status in settings.statuses:
        words += ["--status", status]
    return words


def _number(value: float) -> float | int:
    """A whole number of points as an integer, as a person types it."""
    return int(value) if value.is_integer() else value
