"""The validated objects every analysis reads: a score sheet and the options on it.

``validate`` builds them (from files, workbooks or Python data) and every analysis reads them;
nothing here computes anything. The criteria tree they refer to is ``weights.CriteriaTree``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from appraise.model import Scale, ScoresFile
from appraise.weights import CriteriaTree, FloatArray, Level, ReadFromFile


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
