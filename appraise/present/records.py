"""The shapes of the records every form is drawn from, typed (CONTRACT 3 for the ranking).

A record is what ``-f json`` prints: built once per result (``appraise.present.ranking`` and
its siblings), then written as JSON, flattened to CSV rows and Markdown, or drawn as a table,
so every form shows the same figures. Typed here so that a key read in a table is a key the
record has (mypy checks each reader against the builder).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, NotRequired, TypedDict

SetAsideKey = Literal["screened_out", "excluded", "rejected"]


class ScaleRecord(TypedDict):
    """The scoring scale's ends."""

    min: float
    max: float


class Register(TypedDict):
    """An option's register entry and the panel's notes on it."""

    status: str | None
    status_reason: str | None
    milestones: dict[str, str]
    notes: str | None
    dissent: list[str]


class OptionRecord(Register):
    """A ranked option."""

    id: str
    name: str
    rank: int
    total: float
    contributions: Mapping[str, float]
    status_quo: bool


class GateRecord(TypedDict):
    """A gate an option failed, and why."""

    gate: str
    name: str
    reason: str


class SetAsideRecord(TypedDict):
    """An option kept out of the ranking: screened out, excluded, or rejected (with its entry)."""

    id: str
    name: str
    reason: str
    total: float | None
    status_quo: bool
    status: str | None
    gates: NotRequired[list[GateRecord]]
    status_reason: NotRequired[str | None]
    milestones: NotRequired[dict[str, str]]
    notes: NotRequired[str | None]
    dissent: NotRequired[list[str]]


class ScorerRecord(TypedDict):
    """A panel member, with the interests they declared (option -> note)."""

    id: str
    name: str | None
    role: str | None
    organisation: str | None
    interests: dict[str, str | None]


class DisagreementRecord(TypedDict):
    """A cell where the panel is far apart on a heavily weighted criterion."""

    option: str
    name: str
    criterion: str
    n: int
    min: float
    max: float
    weight: float


class SpreadCell(TypedDict):
    """The panel's scores for one cell: how many, lowest, highest, standard deviation."""

    n: int
    min: float
    max: float
    sd: float


class RankingRecord(TypedDict):
    """One scores file's ranking (CONTRACT 3, plus the context keys)."""

    group: str
    name: str
    file: str
    criteria: str
    illustrative: bool
    round: str | None
    level: Literal["sub-criteria", "criteria"]
    scale: ScaleRecord
    scorers: list[ScorerRecord]
    aggregate: str | None
    weight_set: str | None
    exclude_conflicted: bool
    statuses: list[str]
    status_quo_kept: bool
    weights: Mapping[str, float]
    criterion_of: dict[str, str]
    status_quo_rank: int | None
    options: list[OptionRecord]
    screened_out: list[SetAsideRecord]
    excluded: list[SetAsideRecord]
    rejected: list[SetAsideRecord]
    disagreements: Sequence[DisagreementRecord]
    spread: Mapping[str, Mapping[str, SpreadCell]]
    notes: list[str]


class CriterionRow(TypedDict):
    """A criterion or sub-criterion with its weight as entered and as per cent."""

    id: str
    name: str
    level: Literal["criterion", "sub-criterion"]
    parent: str | None
    weight: float
    local_percent: float
    local_display: str
    global_percent: float
    global_display: str
    printed_global: float | None
    printed_differs: bool
    rescaled: NotRequired[bool]
    printed_differs_by_rescaling: NotRequired[bool]


class Discrepancy(TypedDict):
    """A printed figure that does not reconcile with the weights."""

    where: str
    message: str


class GateListed(TypedDict):
    """A gate the criteria file defines."""

    id: str
    name: str


class CriteriaRecord(TypedDict):
    """The criteria tree with weights as entered, local and global per cent, printed checks."""

    title: str
    source: str | None
    file: str
    criteria: list[CriterionRow]
    top_rescaled: bool
    weight_sets: dict[str, dict[str, float]]
    gates: list[GateListed]
    discrepancies: list[Discrepancy]
    notes: list[str]


class ProblemRecord(TypedDict):
    """One finding of ``check``."""

    file: str
    where: str
    severity: Literal["error", "warning"]
    message: str
