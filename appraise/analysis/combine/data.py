"""What combinations are made of and what they return: groups, limits, results, errors.

Also the one-line texts that name a rule or a limit in messages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from appraise.analysis.scoring import Ranking
from appraise.data import FloatArray
from appraise.errors import AppraiseError, ParameterError
from appraise.model import MAX_MAGNITUDE, Rule

LIMIT_TOLERANCE = 1e-9

Lit = tuple[int, int]  # (group index, option position)
Choice = tuple[int, ...]  # option position per group
IntArray = npt.NDArray[np.int64]


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
_GROUP_WEIGHT = re.compile(r"^\s*([a-z0-9][a-z0-9_-]*)\s*=\s*(\S+)\s*$")


def _number(text: str) -> float | None:
    """A finite number within ``MAX_MAGNITUDE`` (model.py says why), or None."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) <= MAX_MAGNITUDE else None


def parse_group_weights(items: Sequence[str]) -> dict[str, float]:
    """Read ``GROUP=NUMBER`` items (``llr-acute=2``): each group once, weighted above 0.

    A weight of 0 or less would make a combination better for a worse option of the group;
    to leave a group out, leave out its file.

    Raises:
        ParameterError: An item is not GROUP=NUMBER with a positive number up to 1e12, or
            names a group twice.
    """
    weights: dict[str, float] = {}
    for item in items:
        match = _GROUP_WEIGHT.match(item)
        if match is None:
            raise ParameterError(
                "group_weights", f"expected GROUP=NUMBER (e.g. llr-acute=2), found {item!r}"
            )
        group, text = match.groups()
        value = _number(text)
        if value is None or value <= 0:
            raise ParameterError(
                "group_weights",
                f"group '{group}': expected a number above 0 and up to 1e12, found {text!r}"
                + (" (to leave a group out, leave out its file)" if value is not None else ""),
            )
        if group in weights:
            raise ParameterError("group_weights", f"group '{group}' is weighted twice")
        weights[group] = value
    return weights


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
            ParameterError: The text is not ATTRIBUTE<=NUMBER or ATTRIBUTE>=NUMBER, with a
                finite number from -1e12 to 1e12.
        """
        match = _LIMIT.match(text)
        value = None if match is None else _number(match.group(3))
        if match is None or value is None:
            raise ParameterError(
                "limits",
                "expected ATTRIBUTE<=NUMBER or ATTRIBUTE>=NUMBER (e.g. net_capital<=20000), "
                f"found {text!r}" + ("" if match is None else "; NUMBER is from -1e12 to 1e12"),
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


def rule_text(index: int, rule: Rule) -> str:
    """``rule 3 (requires a/x -> b/y or c/z): note``, on one line, for ``rules[2]``.

    People count rules from 1 (a CAG paper's "rule 1" is the first in the file); the
    index and the file's location (``rules[0]``) count from 0.
    """
    refs = rule.refs
    if rule.kind == "requires":
        body = f"requires {refs[0]} -> {' or '.join(refs[1:])}"
    elif rule.kind == "at_most":
        body = f"at_most {rule.at_most} of {', '.join(refs)}"
    else:
        body = f"{rule.kind} {', '.join(refs)}"
    note = " ".join((rule.note or "").split()).rstrip(".")  # it goes inside a sentence
    return f"rule {index + 1} ({body})" + (f": {note}" if note else "")


def limit_text(index: int, limit: Limit) -> str:
    """``limit 1 (net_capital<=300000)`` for the first limit given: counted from 1, as rules."""
    return f"limit {index + 1} ({limit})"
