"""The shapes of the records every form is drawn from, typed (CONTRACT 3 for the ranking).

A record is what ``-f json`` prints: built once per result (``appraise.present.ranking`` and
its siblings), then written as JSON, flattened to CSV rows and Markdown, or drawn as a table,
so every form shows the same figures. Typed here so that a key read in a table is a key the
record has (mypy checks each reader against the builder).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, NotRequired, TypedDict

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
    measures: NotRequired[dict[str, float]]
    """Its measure of each measured leaf (present only when the criteria measure some)."""


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


class MeasuredRecord(TypedDict):
    """A measured leaf's value function (CONTRACT 1.4)."""

    name: str
    unit: str
    points: list[list[float]]


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
    weights_given: dict[str, float]
    measured: dict[str, MeasuredRecord]
    """Each measured leaf scored at this level: name, unit and value function points."""
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


# --- sensitivity ----------------------------------------------------------------------------


class SwapRecord(TypedDict):
    """Where, as one weight moves, two options change places."""

    first: str
    second: str
    weight: float


class Bounds(TypedDict):
    """The nearest weight below and above today's at which anything changes."""

    lower: float | None
    upper: float | None


class ThresholdRecord(TypedDict):
    """One criterion's weight interval over which the leader stays first."""

    criterion: str
    name: str
    level: str
    weight: float
    lower: float | None
    upper: float | None
    below: str | None
    above: str | None
    swaps: list[SwapRecord]
    first_change: Bounds


class ScoreThresholdRecord(TypedDict):
    """A single score rise that would draw an option level with the leader."""

    option: str
    criterion: str
    score: float
    change: float | None
    needed: float | None
    measure: float | None
    """A measured leaf: the option's measure today."""
    needed_measure: float | None
    """A measured leaf: the measure that gives the needed score (None if none does)."""
    unit: str | None


class AlternativeRecord(TypedDict):
    """The ranking under a weight set, or with one criterion or scorer left out."""

    kind: str
    name: str
    label: str
    leaders: list[str]
    order: list[str]
    totals: list[float]
    leader_changed: bool
    leader_shared: bool
    shortlist_changed: bool
    note: str | None


class SmaaRecord(TypedDict):
    """SMAA-2's measures.

    Each option's entry holds ``p_top_N``, named for the shortlist size, so it is a plain
    mapping, not a typed one.
    """

    samples: int
    seed: int
    distribution: str
    concentration: float | None
    score_noise: str
    options: list[dict[str, Any]]
    pairwise: dict[str, dict[str, float]]


class SensitivityRecord(TypedDict):
    """One ranking's sensitivity (CONTRACT 3); an analysis not run has no key."""

    group: str
    name: str
    file: str
    illustrative: bool
    weight_set: str | None
    leader: str | None
    shortlist: list[str]
    thresholds: NotRequired[list[ThresholdRecord]]
    thresholds_within_family: NotRequired[list[ThresholdRecord]]
    score_thresholds: NotRequired[list[ScoreThresholdRecord]]
    weight_sets: NotRequired[list[AlternativeRecord]]
    leave_one_out: NotRequired[list[AlternativeRecord]]
    smaa: NotRequired[SmaaRecord]
    summary: list[str]
    notes: list[str]


# --- diff -----------------------------------------------------------------------------------


class RoundRecord(TypedDict):
    """One round compared: its file, its name, the level scored and its leader."""

    file: str
    round: str | None
    level: Literal["sub-criteria", "criteria"]
    leader: str | None


class OptionChangeRecord(TypedDict):
    """An option across two rounds: ranks, totals, and the change split by cause."""

    id: str
    old_id: str | None
    name: str
    old_name: str | None
    status: str
    old_rank: int | None
    new_rank: int | None
    old_total: float | None
    new_total: float | None
    change: float | None
    from_scores: float | None
    from_weights: float | None
    rejected_before: str | None


class MeasureChangeRecord(TypedDict):
    """A measured leaf's measure in each round (None where a round has none)."""

    old: float | None
    new: float | None
    unit: str


class ScoreChangeRecord(TypedDict):
    """One score that changed (None where a round has none)."""

    option: str
    criterion: str
    scorer: str | None
    old: float | None
    new: float | None
    measure: MeasureChangeRecord | None
    """A measured leaf: the measures the two scores come from (panel rows only)."""


class WeightChangeRecord(TypedDict):
    """One criterion's weight in each round (per cent of the whole)."""

    criterion: str
    old: float
    new: float


class PanelChangeRecord(TypedDict):
    """A scorer added, removed or renamed, and their scores (option -> criterion -> score)."""

    id: str
    old_id: str | None
    status: str
    matched_by: str | None
    name: str | None
    old_name: str | None
    scores: dict[str, dict[str, float | None]]


class DiffRecord(TypedDict):
    """Everything ``appraise diff`` found."""

    group: str
    name: str
    illustrative: bool
    old: RoundRecord
    new: RoundRecord
    compared_at: Literal["sub-criteria", "criteria"]
    options: list[OptionChangeRecord]
    scores: Sequence[ScoreChangeRecord]
    weights: list[WeightChangeRecord]
    panel: list[PanelChangeRecord]
    notes: list[str]
    summary: list[str]


# --- combine --------------------------------------------------------------------------------


class FigureRecord(TypedDict):
    """What a combination's figure is: its key (``total``, ``rescaled_total``...), unit, method."""

    key: str
    label: str
    rescaled: bool
    weighted: bool
    unit: str
    method: str


class RuleRecord(TypedDict):
    """A rule, numbered by its place in the file (``index``) and as "rule N" (``number``)."""

    index: int
    number: int
    kind: str
    refs: list[str]
    at_most: int | None
    note: str | None


class CombineRecord(TypedDict):
    """``combine``'s result (CONTRACT 3).

    A combination's and a weight set's figure is keyed by ``figure.key`` (``total`` only when
    it is the sum of ``rank``'s totals), so those entries are plain mappings.
    """

    groups: list[dict[str, str]]
    scales: dict[str, ScaleRecord]
    figure: FigureRecord
    illustrative: bool
    tied_first: int
    rules: list[RuleRecord]
    limits: list[dict[str, Any]]
    combinations: list[dict[str, Any]]
    explanation: list[dict[str, Any]]
    weight_sets: list[dict[str, Any]]
    smaa: NotRequired[dict[str, Any]]
    summary: list[str]
    notes: list[str]
