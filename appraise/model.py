"""Pydantic models of the input files: criteria, scores and interdependency rules.

These models check the shape of one file (types, ids, required keys). Checks that need two
files at once (scores against criteria, rules against groups) live in ``validate.py``.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StringConstraints,
    model_validator,
)

from appraise.choices import Aggregate, Missing, OptionStatus, Pooling
from appraise.limits import MAX_CRITERIA, MAX_OPTIONS, MAX_RULE_COUNT, MAX_RULES, MAX_WEIGHT_SETS
from appraise.safe_text import cut, refused_text

SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]*$"
REF_PATTERN = r"^[a-z0-9][a-z0-9_-]*/[a-z0-9][a-z0-9_-]*$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=64)]
Ref = Annotated[str, StringConstraints(pattern=REF_PATTERN, max_length=129)]


def _free_text(value: str) -> str:
    """Notes, dissent, reasons: tabs and line breaks allowed, nothing that acts on a screen."""
    refused = refused_text(value, free_text=True)
    if refused:
        raise ValueError(refused)
    return value


def _one_line(value: str) -> str:
    """Names and titles: one line, nothing that acts on a screen or hides what is read."""
    refused = refused_text(value)
    if refused:
        raise ValueError(refused)
    return value


# Text from files never holds control or invisible formatting characters (appraise.safe_text).
Text = Annotated[
    str,
    Strict(),
    StringConstraints(strip_whitespace=True, max_length=10_000),
    AfterValidator(_free_text),
]
Name = Annotated[
    str,
    Strict(),
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_one_line),
]
# A file reference: the loader says what is wrong with one that holds a control character (a
# Windows path in double quotes, whose backslashes YAML read as escapes), so it is not refused
# here; it is never shown but through the output layer's escaping.
FileReference = Annotated[
    str, Strict(), StringConstraints(strip_whitespace=True, min_length=1, max_length=500)
]

# --- magnitudes --------------------------------------------------------------------------------
# Every number read from a file (scores, scale ends, weights, attributes, printed figures) or the
# command line (--limit bounds, --group-weight, --scale) is finite and at most MAX_MAGNITUDE in
# size, and a weight that is not 0 is at least MIN_WEIGHT points. Real appraisals use scores of
# -10..100, weights of 0.1..100 points and attributes (costs in pounds, beds) well under 1e12.
# Why every figure computed from such numbers is finite (M = 1e12, m = 1e-12, double precision
# overflows past 1.8e308):
# - a family has at most MAX_CRITERIA weights, so its sum is at most 500 M = 5e14; a global
#   weight is a product of at most two shares w / sum, so it is 0 or at least (m / 5e14)^2 =
#   4e-54, and at most 1. Global weights sum to 1, so a total, contribution, mean, median or
#   sampled (SMAA) total is a convex combination of scores: at most M in size; a difference of
#   totals or scores (diff, margins, spreads, gaps) at most 2 M; a squared deviation 4 M^2.
# - a weight threshold is -gap / slope with |gap| <= 2 M and |slope| > 1e-15: at most 2e27; a
#   score threshold is gap / global weight: at most 2 M / 4e-54 = 5e65.
# - a rescaled total (t - min) / (max - min) lies in 0..1 up to rounding, since scores lie on
#   the scale; a combination's total is a sum, over its groups, of group weight (at most M)
#   times total (at most M): 1e24 a group; summed attributes are at most M a group. Overflow
#   would take 1e284 groups.
# A result that is not finite all the same is refused where the totals are made (scoring.rank),
# and to_json refuses to write one.
MAX_MAGNITUDE = 1e12
MIN_WEIGHT = 1e-12


def shown_number(value: float) -> str:
    """A number as briefly as it reads back exactly: ``1e+13``, ``1000000000001``, ``2.5``."""
    return next(
        (text for digits in range(1, 17) if float(text := f"{value:.{digits}g}") == value),
        repr(float(value)),
    )


def within_magnitude(value: float) -> float:
    """A finite number at most ``MAX_MAGNITUDE`` in size, or ValueError saying what is allowed."""
    if not -MAX_MAGNITUDE <= value <= MAX_MAGNITUDE:
        raise ValueError(f"expected a number from -1e12 to 1e12, found {shown_number(value)}")
    return value


def weight_magnitude(value: float) -> float:
    """A weight of 0, or from ``MIN_WEIGHT`` to ``MAX_MAGNITUDE`` points; else ValueError."""
    if value != 0 and not MIN_WEIGHT <= value <= MAX_MAGNITUDE:
        raise ValueError(
            f"expected a weight of 0 or from 1e-12 to 1e12 points, found {shown_number(value)}"
        )
    return value


# Strict: YAML 1.1 booleans (yes/no/on) and numbers typed as text are not silently numbers.
Number = Annotated[float, Strict(), Field(allow_inf_nan=False), AfterValidator(within_magnitude)]
Weight = Annotated[
    float, Strict(), Field(ge=0, allow_inf_nan=False), AfterValidator(weight_magnitude)
]
# A score may be null: "not scored", handled by the missing-score policy.
Score = Number | None


def shown_value(value: Any) -> str:
    """A value from a file as a message quotes it: cut, and never a flood repr'd whole."""
    if isinstance(value, str):
        return repr(cut(value))
    if isinstance(value, (dict, list, tuple)) and len(value) > 20:  # never repr a flood whole
        return f"{type(value).__name__} of {len(value):,} items"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


SCALE_WRITTEN = "scale is written {min: 1, max: 5}"
_SCALE_TEXT = re.compile(
    r"\s*(-?\d+(?:\.\d+)?)\s*(?:\.\.|-|–|—|to)\s*(-?\d+(?:\.\d+)?)\s*",  # noqa: RUF001
)


def scale_written(found: Any) -> str:
    """``scale: 1-5`` and its kin: the mapping the file needs, with the ends it meant."""
    ends: tuple[Any, ...] = ()
    if isinstance(found, str) and (match := _SCALE_TEXT.fullmatch(found)):
        ends = match.groups()
    elif isinstance(found, list) and len(found) == 2:
        ends = tuple(found)
    elif isinstance(found, dict) and len(found) == 2:
        ends = tuple(found.values())
    shown = shown_value(found)
    if isinstance(found, dict):  # as the file has it, not as Python prints it
        shown = "{" + ", ".join(f"{key}: {value}" for key, value in found.items()) + "}"
    if len(ends) == 2 and all(isinstance(e, (str, int, float)) for e in ends):
        return f"scale is written {{min: {ends[0]}, max: {ends[1]}}}, found {shown}"
    return f"{SCALE_WRITTEN}: its lowest and highest score; found {shown}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PrintedFigures(_Model):
    """A printed "Subtotal" or "TOTAL" row, kept to check it against the rows above it."""

    weight: Number | None = None
    global_: Number | None = Field(default=None, alias="global")


class MeasureSpec(_Model):
    """A value function: a leaf measured in ``unit``, scored linearly between ``points``.

    ``points`` are ``[measure, score]`` pairs, at least two, the measures all different and
    in order (rising or falling), the scores never turning back (CONTRACT 1.4).
    """

    unit: Name
    points: list[tuple[Number, Number]] = Field(min_length=2, max_length=MAX_CRITERIA)

    @model_validator(mode="after")
    def _monotone(self) -> MeasureSpec:
        xs = [x for x, _ in self.points]
        ys = [y for _, y in self.points]
        steps = [b - a for a, b in itertools.pairwise(xs)]
        if not (all(d > 0 for d in steps) or all(d < 0 for d in steps)):
            raise ValueError(
                f"the measures of a value function rise or fall throughout, each once; found "
                f"{', '.join(f'{x:g}' for x in xs)}"
            )
        rises = [b - a for a, b in itertools.pairwise(ys)]
        if not (all(d >= 0 for d in rises) or all(d <= 0 for d in rises)):
            raise ValueError(
                f"the scores of a value function never turn back; found "
                f"{', '.join(f'{y:g}' for y in ys)}"
            )
        return self


class SubCriterionSpec(_Model):
    """A sub-criterion; its weight is in points within its criterion's family."""

    id: Slug
    name: Name
    weight: Weight
    description: Text | None = None
    printed_global: Number | None = None
    measure: MeasureSpec | None = None


class CriterionSpec(_Model):
    """A top-level criterion, scored directly or through its sub-criteria."""

    id: Slug
    name: Name
    weight: Weight
    description: Text | None = None
    sub: list[SubCriterionSpec] | None = Field(default=None, min_length=1)
    printed_subtotal: PrintedFigures | None = None
    measure: MeasureSpec | None = None
    """Only for a criterion scored directly (no ``sub``)."""


class GateSpec(_Model):
    """A pass/fail hurdle an option must clear before its score counts."""

    id: Slug
    name: Name
    description: Text | None = None


class CriteriaFile(_Model):
    """A criteria file: the weighted criteria tree, weight sets and gates."""

    title: Name
    source: Text | None = None
    normalise: StrictBool = False
    criteria: list[CriterionSpec] = Field(min_length=1, max_length=MAX_CRITERIA)
    printed_total: PrintedFigures | None = None
    weight_sets: dict[Slug, dict[Slug, Weight]] = Field(
        default_factory=dict, max_length=MAX_WEIGHT_SETS
    )
    gates: list[GateSpec] = Field(default_factory=list)


class Scale(_Model):
    """The numeric range every score in a file must lie in."""

    min: Number
    max: Number

    @model_validator(mode="before")
    @classmethod
    def _written(cls, data: Any) -> Any:
        """``{low: 1, high: 5}`` and its kin: one message saying how a scale is written.

        Without this it reads as four findings (two unknown keys, two missing), none of which
        says what to write.
        """
        if isinstance(data, dict) and data and not {"min", "max"} & data.keys():
            raise ValueError(scale_written(data))
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"scale min {self.min:g} must be below max {self.max:g}")
        return self

    def __str__(self) -> str:
        return f"{self.min:g}..{self.max:g}"


class ScorerSpec(_Model):
    """Who a scorer is, and the interests they declared (option id -> description)."""

    name: Name | None = None
    role: Name | None = None
    organisation: Name | None = None
    interests: dict[Slug, Text] = Field(default_factory=dict)


class GateResult(_Model):
    """An option's result against one gate; a fail must give its reason."""

    passed: StrictBool = Field(alias="pass")
    reason: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_bool(cls, value: Any) -> Any:
        return {"pass": value} if isinstance(value, bool) else value

    @model_validator(mode="after")
    def _fail_has_reason(self) -> GateResult:
        if not self.passed and not self.reason:
            raise ValueError("a failed gate needs a reason")
        return self


MAX_COST_FIGURES = 20


class CostSpec(_Model):
    """An option's cost figures (CONTRACT 1.5): any named figures, in one ``unit``.

    ``cost: {capital: 2.4, revenue: -0.3, unit: "GBP m"}``. Costs never enter a total; they
    are set against the benefit (``appraise value``). A negative figure is a saving.
    """

    model_config = ConfigDict(extra="allow", frozen=True, populate_by_name=True)
    unit: Name
    __pydantic_extra__: dict[str, Number]

    @model_validator(mode="after")
    def _figures(self) -> CostSpec:
        names = list(self.figures)
        if not names:
            raise ValueError(
                "a cost needs at least one named figure beside its unit, e.g. {capital: 2.4, "
                'unit: "GBP m"}'
            )
        if len(names) > MAX_COST_FIGURES:
            raise ValueError(f"at most {MAX_COST_FIGURES} cost figures, found {len(names)}")
        for name in names:
            if not re.fullmatch(SLUG_PATTERN, name) or len(name) > 64:
                raise ValueError(
                    f"a cost figure's name is lower case letters, digits, - and _ (such as "
                    f"capital), found {shown_value(name)}"
                )
        return self

    @property
    def figures(self) -> dict[str, float]:
        """The named figures, in the file's order (the unit apart)."""
        return dict(self.model_extra or {})


class OptionSpec(_Model):
    """One configuration option with consensus scores or scores per scorer."""

    id: Slug
    name: Name
    status_quo: StrictBool = False
    description: Text | None = None
    notes: Text | None = None
    evidence: dict[Slug, Text] = Field(default_factory=dict)
    """Evidence or reasoning behind the scores, per scorer id (``consensus`` for consensus)."""
    attributes: dict[Slug, Number] = Field(default_factory=dict)
    """Numeric facts about the option (net capital, recurrent savings, beds) for ``combine``."""
    status: OptionStatus | None = None
    """Where the option stands in the register; a rejected option is listed apart, never ranked."""
    status_reason: Text | None = None
    milestones: dict[Slug, Text] = Field(default_factory=dict)
    """Assurance steps and their outcome, e.g. senate_stage_1, senate_stage_2, nhse_assurance,
    consultation."""
    dissent: list[Text] = Field(default_factory=list)
    """Dissent notes recorded by the panel, carried into every output."""
    scores: dict[Slug, Score] | None = None
    scorers: dict[Slug, dict[Slug, Score]] | None = Field(default=None, min_length=1)
    measures: dict[Slug, Number] = Field(default_factory=dict)
    """The option's measure of each measured criterion (CONTRACT 1.4): a fact, not a judgement."""
    gates: dict[Slug, GateResult] = Field(default_factory=dict)
    cost: CostSpec | None = None
    """Cost figures set against the benefit by ``appraise value``; never part of a total."""

    @model_validator(mode="after")
    def _one_kind_of_scores(self) -> OptionSpec:
        if self.scores is None and self.scorers is None and not self.measures:
            raise ValueError(
                f"option '{self.id}' has no scores yet: give 'scores' (consensus) or 'scorers' "
                "(per scorer)"
            )
        if self.scores is not None and self.scorers is not None:
            raise ValueError("give either 'scores' (consensus) or 'scorers' (per scorer), not both")
        if self.status == "rejected" and not self.status_reason:
            raise ValueError("a rejected option needs a 'status_reason'")
        return self


class ScoresFile(_Model):
    """One working group's options and their scores."""

    group: Slug
    name: Name
    criteria: FileReference
    scale: Scale
    illustrative: StrictBool = False
    round: Name | None = None
    description: Text | None = None
    scorers: dict[Slug, ScorerSpec] = Field(default_factory=dict)
    gates: list[GateSpec] = Field(default_factory=list)
    options: list[OptionSpec] = Field(min_length=1, max_length=MAX_OPTIONS)


class Rule(_Model):
    """An interdependency between options of different groups."""

    requires: list[Ref] | None = Field(default=None, min_length=2)
    excludes: list[Ref] | None = Field(default=None, min_length=2)
    one_of: list[Ref] | None = Field(default=None, min_length=2)
    at_most: Annotated[int, Strict(), Field(ge=0, le=MAX_RULE_COUNT)] | None = None
    of: list[Ref] | None = Field(default=None, min_length=1)
    note: Text | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Rule:
        kinds = [
            k for k in ("requires", "excludes", "one_of", "at_most") if getattr(self, k) is not None
        ]
        if len(kinds) != 1:
            raise ValueError("a rule is exactly one of requires, excludes, one_of or at_most")
        if (self.at_most is None) != (self.of is None):
            raise ValueError("'at_most: N' goes with 'of: [...]'")
        return self

    @property
    def kind(self) -> str:
        """Which kind of rule this is."""
        return next(
            k for k in ("requires", "excludes", "one_of", "at_most") if getattr(self, k) is not None
        )

    @property
    def refs(self) -> list[str]:
        """Every ``group/option`` reference in the rule."""
        return list(self.requires or self.excludes or self.one_of or self.of or [])


class RulesFile(_Model):
    """A list of interdependency rules."""

    rules: list[Rule] = Field(min_length=1, max_length=MAX_RULES)


# A pairwise judgement: [a, b, v], a is v times as important as b (v from 1/9 to 9, a number or
# a fraction written "1/3"); its range is checked with the family, so every problem is listed.
def _fraction(value: Any) -> Any:
    """A judgement written ``1/3`` as its number; a number as it is; other text refused."""
    if isinstance(value, str):
        found = re.fullmatch(r"\s*([1-9])\s*/\s*([1-9])\s*", value)
        if found is None:
            raise ValueError(
                f"a judgement is a number or a fraction such as 1/3, found {shown_value(value)}"
            )
        return int(found[1]) / int(found[2])
    return value


Ratio = Annotated[float, BeforeValidator(_fraction), Strict(), Field(gt=0, allow_inf_nan=False)]
Judgement = tuple[Slug, Slug, Ratio]
Family = dict[Slug, Number]


class BodySpec(_Model):
    """One body's view: per family (``top`` or a criterion id), swing, points or pairwise."""

    id: Slug
    name: Name
    swing: dict[Slug, Family] = Field(default_factory=dict)
    """The most important swing is 100, the others from 0 to 100 against it."""
    points: dict[Slug, Family] = Field(default_factory=dict)
    pairwise: dict[Slug, list[Judgement]] = Field(default_factory=dict)
    """AHP: every pair of the family judged once."""


class ElicitationFile(_Model):
    """The judgements of several bodies on one criteria tree (``appraise weigh``)."""

    criteria: Text
    """The tree being weighted: a path (from this file's folder) or a bundled name."""
    title: Name | None = None
    source: Text | None = None
    bodies: list[BodySpec] = Field(min_length=1, max_length=MAX_WEIGHT_SETS)
    combine: Pooling = "mean"


@dataclass(frozen=True)
class Settings:
    """How to read and combine scores: the choices a user makes on the command line.

    ``exclude_conflicted`` drops each scorer's scores for the options they declared an interest
    in; ``statuses`` ranks only options with one of those register statuses (empty: all).
    """

    normalise: bool = False
    missing: Missing = "error"
    aggregate: Aggregate = "mean"
    weight_set: str | None = None
    exclude_conflicted: bool = False
    statuses: tuple[str, ...] = ()
    weights_given: tuple[tuple[str, float], ...] = ()
    """One-off weights in points (criterion or sub-criterion id, points), over the weight set
    or the file's weights; each family is rescaled to its own sum, as a weight set's is."""
    criteria: str | None = None
    """A criteria file (or bundled name) that every scores file is weighed by, in place of the
    one it names (``--criteria``): a copy with other weight sets, as ``weigh -o`` and
    ``explore --save-weights`` write. Loading says so in a note on each file."""
