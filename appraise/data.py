"""The validated objects every analysis reads: the criteria tree, a score sheet, its options.

``validate`` builds them (from files, workbooks or Python data) and every analysis reads them;
nothing here computes anything (``weights`` turns a tree into global weights).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from appraise.model import CriteriaFile, CriterionSpec, MeasureSpec, Scale, ScoresFile

FloatArray = npt.NDArray[np.float64]
Level = Literal["leaves", "criteria"]


class ReadFromFile:
    """What a validated input knows of its file: ``path`` as shown, ``source`` as read.

    They differ for a bundled file outside the working folder, shown as ``cp-2016 (bundled)``.
    """

    path: str
    source: Path | None

    @property
    def file(self) -> Path:
        """The file read, for hashing it and for never writing over it."""
        return self.source or Path(self.path)


@dataclass(frozen=True)
class CriteriaTree(ReadFromFile):
    """A validated criteria file with the notes its validation produced."""

    spec: CriteriaFile
    path: str
    notes: tuple[str, ...] = ()
    source: Path | None = None  # the file read, when ``path`` is a label

    @property
    def title(self) -> str:
        """The title given in the file."""
        return self.spec.title

    @property
    def top_ids(self) -> tuple[str, ...]:
        """Top-level criterion ids, in file order."""
        return tuple(c.id for c in self.spec.criteria)

    @property
    def leaf_ids(self) -> tuple[str, ...]:
        """Leaf ids (sub-criteria, or criteria without subs), in file order."""
        return tuple(leaf for c in self.spec.criteria for leaf in leaves_of(c))

    def leaves(self, level: Level) -> tuple[str, ...]:
        """The ids scores are given against at a level: the leaves, or the top-level criteria."""
        return self.leaf_ids if level == "leaves" else self.top_ids

    def parent(self, leaf_id: str) -> str:
        """The top-level criterion a leaf belongs to (itself for a criterion without subs)."""
        for criterion in self.spec.criteria:
            if leaf_id == criterion.id or leaf_id in leaves_of(criterion):
                return criterion.id
        raise KeyError(leaf_id)

    def measures(self) -> dict[str, MeasureSpec]:
        """The value function of each measured leaf (criterion or sub-criterion), by id."""
        found = {c.id: c.measure for c in self.spec.criteria if c.measure is not None}
        found |= {
            s.id: s.measure
            for c in self.spec.criteria
            for s in c.sub or []
            if s.measure is not None
        }
        return found

    def name(self, node_id: str) -> str:
        """The printed name of any criterion or sub-criterion."""
        for criterion in self.spec.criteria:
            if criterion.id == node_id:
                return criterion.name
            for sub in criterion.sub or []:
                if sub.id == node_id:
                    return sub.name
        raise KeyError(node_id)


def leaves_of(criterion: CriterionSpec) -> list[str]:
    """The ids scored under a criterion: its sub-criteria, or itself."""
    return [s.id for s in criterion.sub] if criterion.sub else [criterion.id]


@dataclass(frozen=True)
class GateFailure:
    """A gate an option failed, and the reason recorded for it."""

    gate: str
    name: str
    reason: str


@dataclass(frozen=True)
class OptionInfo:
    """What a score sheet knows about one option besides its scores."""

    id: str
    name: str
    status_quo: bool = False
    description: str | None = None
    notes: str | None = None
    gate_failures: tuple[GateFailure, ...] = ()


@dataclass(frozen=True, eq=False)
class ScoreSheet(ReadFromFile):
    """A validated scores file: raw scores per scorer x option x leaf (NaN = not given)."""

    path: str
    spec: ScoresFile
    tree: CriteriaTree
    level: Level
    leaf_ids: tuple[str, ...]
    options: tuple[OptionInfo, ...]
    scorer_ids: tuple[str, ...]
    per_scorer: bool
    raw: FloatArray
    notes: tuple[str, ...] = ()
    source: Path | None = None  # the file read, when ``path`` is a label
    measured: dict[str, dict[str, float]] = field(default_factory=dict)
    """Option id -> measured leaf -> the measure its score was derived from (CONTRACT 1.4)."""

    @property
    def group(self) -> str:
        """The working group's id."""
        return self.spec.group

    @property
    def scale(self) -> Scale:
        """The scale every score lies on."""
        return self.spec.scale

    @property
    def illustrative(self) -> bool:
        """Whether the file says its scores are invented."""
        return self.spec.illustrative
