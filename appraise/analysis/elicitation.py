"""From judgements to weights: swing, points and AHP per body, then the bodies combined.

Swing and points are normalised within their family. A pairwise family (AHP) takes the
principal eigenvector of its reciprocal matrix, with Saaty's consistency ratio
CR = CI / RI, CI = (lambda_max - n) / (n - 1); above ``CR_LIMIT`` the judgement most at odds
with the rest is named, with the value the other judgements imply for it (Harker's method:
the eigenvector of the matrix without that judgement). A family a body does not state keeps
the criteria file's weights, and says so. A body's global weight of a leaf is its criterion's
local weight times its own; the bodies' global weights are pooled (mean, geometric or median)
and renormalised to sum to 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from appraise.choices import Pooling
from appraise.data import CriteriaTree, FloatArray
from appraise.errors import ParameterError
from appraise.model import BodySpec, ElicitationFile
from appraise.validate.elicitation import TOP, families, ratio

# Saaty's random index by family size (n = 1..10); below 3 every matrix is consistent.
RANDOM_INDEX = (0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49)
CR_LIMIT = 0.10

Method = Literal["swing", "points", "pairwise", "file"]


@dataclass(frozen=True)
class Judgement:
    """One pairwise judgement: ``a`` is ``value`` times as important as ``b``."""

    a: str
    b: str
    value: float


@dataclass(frozen=True)
class Inconsistency:
    """The judgement most at odds with the rest of its family, and what the rest imply."""

    judgement: Judgement
    implied: float
    """The value the other judgements imply for it (Harker), within 1/9..9."""
    ratio_if_implied: float
    """The family's consistency ratio with the judgement set to ``implied``."""


@dataclass(frozen=True)
class FamilyWeights:
    """One body's local weights for one family, how they were stated, and their consistency."""

    family: str
    method: Method
    local: dict[str, float]
    consistency_ratio: float | None = None
    lambda_max: float | None = None
    inconsistency: Inconsistency | None = None

    @property
    def consistent(self) -> bool:
        """No consistency ratio (swing, points, the file's), or one within ``CR_LIMIT``."""
        return self.consistency_ratio is None or self.consistency_ratio <= CR_LIMIT + 1e-12


@dataclass(frozen=True)
class BodyWeights:
    """One body's global leaf weights (summing to 1), family by family."""

    id: str
    name: str
    weights: dict[str, float]
    families: dict[str, FamilyWeights]

    @property
    def from_file(self) -> list[str]:
        """Families the body did not state, which keep the criteria file's weights."""
        return [f for f, w in self.families.items() if w.method == "file"]


@dataclass(frozen=True)
class Elicited:
    """Every body's weights and the pooled weights (global, per leaf, summing to 1)."""

    tree: CriteriaTree
    bodies: tuple[BodyWeights, ...]
    pooling: Pooling
    weights: dict[str, float]
    spread: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Per leaf: the lowest and highest global weight any body gives it."""

    def local(self, weights: dict[str, float] | None = None) -> dict[str, dict[str, float]]:
        """Global leaf weights (the pooled by default) as local weights per family."""
        return local_weights(self.tree, self.weights if weights is None else weights)


def ahp(n: int, judgements: Sequence[Judgement], index: dict[str, int]) -> tuple[FloatArray, float]:
    """Principal eigenvector (summing to 1) and lambda_max of the judgements' matrix.

    Judgements missing from the matrix (Harker's method) leave a 0 and add 1 to the diagonal
    of both rows, so the eigenvector is the one the given judgements imply.
    """
    matrix = np.eye(n)
    for j in judgements:
        matrix[index[j.a], index[j.b]] = j.value
        matrix[index[j.b], index[j.a]] = 1.0 / j.value
    missing = n * (n - 1) - 2 * len(judgements)
    if missing:
        for i in range(n):
            matrix[i, i] += n - 1 - int(np.count_nonzero(matrix[i]) - 1)
    values, vectors = np.linalg.eig(matrix)
    k = int(np.argmax(values.real))
    vector = np.abs(vectors[:, k].real)
    return vector / vector.sum(), float(values[k].real)


def consistency_ratio(n: int, lambda_max: float) -> float:
    """CR = CI / RI; 0 for two items or fewer (always consistent)."""
    if n < 3:
        return 0.0
    return max(0.0, (lambda_max - n) / (n - 1)) / RANDOM_INDEX[n - 1]


def pairwise_family(family: str, members: list[str], given: Sequence[Judgement]) -> FamilyWeights:
    """Local weights of a fully judged family, its consistency, and its worst judgement."""
    n = len(members)
    index = {m: i for i, m in enumerate(members)}
    vector, lam = ahp(n, given, index)
    ratio_ = consistency_ratio(n, lam)
    worst = None
    if ratio_ > CR_LIMIT + 1e-12:
        worst = _most_at_odds(members, given, index, vector)
    return FamilyWeights(
        family,
        "pairwise",
        dict(zip(members, vector.tolist(), strict=True)),
        ratio_,
        lam,
        worst,
    )


def _most_at_odds(
    members: list[str], given: Sequence[Judgement], index: dict[str, int], vector: FloatArray
) -> Inconsistency:
    """The judgement furthest (on a log scale) from the ratio of the weights, and its fix."""
    n = len(members)

    def distance(j: Judgement) -> float:
        return float(abs(np.log(j.value * vector[index[j.b]] / vector[index[j.a]])))

    worst = max(given, key=distance)
    rest = [j for j in given if j is not worst]
    without, _ = ahp(n, rest, index)
    implied = float(np.clip(without[index[worst.a]] / without[index[worst.b]], 1 / 9, 9))
    fixed = [*rest, Judgement(worst.a, worst.b, implied)]
    _, lam = ahp(n, fixed, index)
    return Inconsistency(worst, implied, consistency_ratio(n, lam))


def body_weights(tree: CriteriaTree, body: BodySpec) -> BodyWeights:
    """A body's local weights per family (the file's where it states none) and global weights."""
    stated: dict[str, FamilyWeights] = {}
    for method in ("swing", "points"):
        for family, given in getattr(body, method).items():
            total = sum(given.values())
            local = {k: v / total for k, v in given.items()}
            stated[family] = FamilyWeights(family, method, local)
    for family, judgements in body.pairwise.items():
        members = families(tree)[family]
        given = [Judgement(a, b, ratio(v)) for a, b, v in judgements]
        stated[family] = pairwise_family(family, members, given)
    result: dict[str, FamilyWeights] = {}
    for family, members in families(tree).items():
        if family in stated:
            local = stated[family].local
            result[family] = replace_local(stated[family], {m: local[m] for m in members})
        else:
            result[family] = FamilyWeights(family, "file", _file_local(tree, family))
    return BodyWeights(body.id, body.name, global_from_local(tree, result), result)


def replace_local(weights: FamilyWeights, local: dict[str, float]) -> FamilyWeights:
    """The same family's weights with ``local`` in the family's order."""
    return FamilyWeights(
        weights.family,
        weights.method,
        local,
        weights.consistency_ratio,
        weights.lambda_max,
        weights.inconsistency,
    )


def _file_local(tree: CriteriaTree, family: str) -> dict[str, float]:
    if family == TOP:
        raw = {c.id: c.weight for c in tree.spec.criteria}
    else:
        criterion = next(c for c in tree.spec.criteria if c.id == family)
        raw = {s.id: s.weight for s in criterion.sub or []}
    total = sum(raw.values())
    return {k: v / total for k, v in raw.items()}


def global_from_local(tree: CriteriaTree, local: dict[str, FamilyWeights]) -> dict[str, float]:
    """Leaf weights: each criterion's local weight times each of its sub-criteria's."""
    out: dict[str, float] = {}
    for criterion in tree.spec.criteria:
        share = local[TOP].local[criterion.id]
        if criterion.sub:
            out |= {s.id: share * local[criterion.id].local[s.id] for s in criterion.sub}
        else:
            out[criterion.id] = share
    return out


def local_weights(tree: CriteriaTree, weights: dict[str, float]) -> dict[str, dict[str, float]]:
    """Global leaf weights back to local weights per family (a family of zeros stays zeros)."""
    out: dict[str, dict[str, float]] = {TOP: {}}
    for criterion in tree.spec.criteria:
        leaves = [s.id for s in criterion.sub] if criterion.sub else [criterion.id]
        share = sum(weights[leaf] for leaf in leaves)
        out[TOP][criterion.id] = share
        if criterion.sub:
            out[criterion.id] = {leaf: weights[leaf] / share if share else 0.0 for leaf in leaves}
    return out


def pool(weights: Sequence[dict[str, float]], how: Pooling) -> dict[str, float]:
    """The bodies' global weights pooled leaf by leaf, renormalised to sum to 1."""
    leaves = list(weights[0])
    table = np.array([[w[leaf] for leaf in leaves] for w in weights])
    if how == "mean":
        pooled = table.mean(axis=0)
    elif how == "median":
        pooled = np.median(table, axis=0)
    else:
        with np.errstate(divide="ignore"):
            pooled = np.exp(np.log(table).mean(axis=0))
    if pooled.sum() <= 0:  # geometric: every criterion has a body that gives it no weight
        raise ParameterError(
            "combine",
            "the geometric mean of the bodies' weights is 0 for every criterion (each has a "
            "body that gives it none); pool by mean instead",
        )
    return dict(zip(leaves, (pooled / pooled.sum()).tolist(), strict=True))


def elicit(spec: ElicitationFile, tree: CriteriaTree, pooling: Pooling | None = None) -> Elicited:
    """Every body's weights, and the pooled weights (``pooling`` over the file's choice)."""
    how = pooling or spec.combine
    bodies = tuple(body_weights(tree, b) for b in spec.bodies)
    pooled = pool([b.weights for b in bodies], how)
    spread = {
        leaf: (min(b.weights[leaf] for b in bodies), max(b.weights[leaf] for b in bodies))
        for leaf in pooled
    }
    return Elicited(tree, bodies, how, pooled, spread)
