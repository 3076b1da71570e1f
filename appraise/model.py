"""Pydantic models of the input files: criteria, scores and interdependency rules.

These models check the shape of one file (types, ids, required keys). Checks that need two
files at once (scores against criteria, rules against groups) live in ``validate.py``.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StringConstraints,
    ValidationError,
    model_validator,
)

from appraise.choices import Aggregate, Missing, OptionStatus
from appraise.errors import Problem
from appraise.safe_text import QUOTE_LIMIT, cut, refused_text

# --- limits ------------------------------------------------------------------------------------
# Every size and count limit on input files, in one place. Each is checked before the work it
# protects (a file's bytes before it is parsed, a workbook's rows and cells before openpyxl
# builds it, counts before pydantic validates), and each gives a message naming the file, where
# in it, and the limit. They sit well above any real appraisal (tens of options, 10-60 criteria,
# a panel of up to 30) and well below what would make a run slow or large.
#
# | limit                        | value       | checked in          | guards against
# |------------------------------|-------------|---------------------|------------------------------
# | YAML file                    | 10 MB       | io/yaml_io.py       | parse time, about 2 s per MB
# | JSON file (YAML's subset)    | 64 MB       | io/yaml_io.py       | memory; generated large files
# | nesting depth                | 50 levels   | io/yaml_io.py       | RecursionError, deep walks
# | YAML aliases (*references)   | 100         | io/yaml_io.py       | alias bombs (billion laughs)
# | values reached via aliases   | 100,000     | io/yaml_io.py       | alias bombs under 100 aliases
# | digits in a number           | 300         | io/yaml_io.py       | int() on huge numbers
# | workbook (.xlsx) file        | 20 MB       | io/xlsx_guard.py    | memory
# | workbook unpacked            | 100 MB      | io/xlsx_guard.py    | zip bombs
# | workbook parts (zip members) | 2,000       | io/xlsx_guard.py    | zip bombs
# | one part's unpacking ratio   | 200 : 1     | io/xlsx_guard.py    | zip bombs
# | rows in one sheet            | 20,000      | io/xlsx_guard.py    | a million formatted rows
# | cells in a workbook          | 500,000     | io/xlsx_guard.py    | openpyxl time and memory
# | options in a scores file     | 5,000       | io/parsing.py       | validation time
# | scorers in a scores file     | 100         | io/parsing.py       | validation time
# | scores in a scores file      | 5,000,000   | io/parsing.py       | memory
# | criteria + sub-criteria      | 500         | io/parsing.py       | validation time
# | rules in a rules file        | 10,000      | io/parsing.py       | combination search
# | SMAA samples                 | 10,000,000  | cli.py (--samples)  | run time
# | any number (file or option)  | |x| <= 1e12 | Number, Weight here | overflow to inf or NaN
# | a weight that is not 0       | >= 1e-12    | Weight here         | overflow in score thresholds
# | --concentration              | 0.001..1e6  | cli.py              | (1e6 already all but fixed)
# | --seed                       | 0..2^32-1   | cli.py              | a seed the Audit sheet keeps
# | values in a YAML file        | 200,000     | io/yaml_io.py       | time: PyYAML composes each
#                                                                       node in Python (~12 us);
#                                                                       JSON takes bulk data
# | values in a JSON file        | 6,000,000   | io/yaml_io.py       | memory (counted before
#                                                                       parsing)
MB = 1024 * 1024
MAX_YAML_BYTES = 10 * MB
MAX_JSON_BYTES = 64 * MB
MAX_DEPTH = 50
MAX_ALIASES = 100
MAX_ALIASED_VALUES = 100_000
MAX_YAML_VALUES = 200_000
MAX_JSON_VALUES = 6_000_000  # MAX_SCORES and their keys, names and ids; ~1 GiB parsed
MAX_DIGITS = 300
MAX_XLSX_BYTES = 20 * MB
MAX_UNZIPPED_BYTES = 100 * MB
MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_RATIO = 200
MAX_SHEET_ROWS = 20_000
MAX_WORKBOOK_CELLS = 500_000
MAX_OPTIONS = 5_000
MAX_SCORERS = 100
MAX_SCORES = 5_000_000
MAX_CRITERIA = 500
MAX_RULES = 10_000
MAX_WEIGHT_SETS = 100
MAX_RULE_COUNT = 10_000  # an at_most: more than any rule can list (MAX_OPTIONS x groups)
# Per command (each measured at its limit in benchmarks/scale_bench.py, within 1 GiB):
MAX_SENSITIVITY_OPTIONS = 1_000  # ranked options: every pair is compared (a million pairs)
MAX_EXPORT_CELLS = 500_000  # cells of an exported workbook: the most appraise reads back

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


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PrintedFigures(_Model):
    """A printed "Subtotal" or "TOTAL" row, kept to check it against the rows above it."""

    weight: Number | None = None
    global_: Number | None = Field(default=None, alias="global")


class SubCriterionSpec(_Model):
    """A sub-criterion; its weight is in points within its criterion's family."""

    id: Slug
    name: Name
    weight: Weight
    description: Text | None = None
    printed_global: Number | None = None


class CriterionSpec(_Model):
    """A top-level criterion, scored directly or through its sub-criteria."""

    id: Slug
    name: Name
    weight: Weight
    description: Text | None = None
    sub: list[SubCriterionSpec] | None = Field(default=None, min_length=1)
    printed_subtotal: PrintedFigures | None = None


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
            raise ValueError(_scale_written(data))
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
    gates: dict[Slug, GateResult] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_kind_of_scores(self) -> OptionSpec:
        if self.scores is None and self.scorers is None:
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


def yaml_path(loc: tuple[int | str, ...], whole: bool = False) -> str:
    """Turn a pydantic location into a YAML path such as ``options[2].scores.safety``.

    Keys are cut to a readable length (a key may be 18 million characters), unless ``whole``
    (to look the path up).
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = str(part) if whole else cut(str(part))
            out += f".{key}" if out else key
    return out


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(cut(value))
    if isinstance(value, (dict, list, tuple)) and len(value) > 20:  # never repr a flood whole
        return f"{type(value).__name__} of {len(value):,} items"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_MESSAGES = {
    "missing": "required key is missing",
    "extra_forbidden": "unknown key '{key}'",
    "float_type": "expected a number, found {found}",
    "float_parsing": "expected a number, found {found}",
    "finite_number": "expected a finite number, found {found}",
    "bool_type": "expected true or false, found {found}",
    "string_pattern_mismatch": (
        "{found} is not a valid id (lowercase letters, digits, '-' and '_', "
        "starting with a letter or digit)"
    ),
}


_YAML_BOOLEAN = "(YAML reads yes/no/on/off as true/false)"


# What each kind of rule lists, for a rule given too few options.
_RULE_LISTS = {
    "requires": "a 'requires' rule lists an option and what it needs: [a, b] (a needs b) or "
    "[a, b, c] (a needs b or c)",
    "excludes": "an 'excludes' rule lists at least two options, no two of which may be chosen "
    "together",
    "one_of": "a 'one_of' rule lists at least two options, exactly one of which is chosen",
}


def _too_short(error: dict[str, Any]) -> str:
    found, key = error.get("input"), error["loc"][-1] if error["loc"] else ""
    if isinstance(key, str) and key in _RULE_LISTS:
        return f"{_RULE_LISTS[key]}; found {_shown(found)}"
    at_least = (error.get("ctx") or {}).get("min_length", 1)
    return f"expected at least {at_least} item{'' if at_least == 1 else 's'}, found {_shown(found)}"


_SCALE = "scale is written {min: 1, max: 5}"
_SCALE_TEXT = re.compile(
    r"\s*(-?\d+(?:\.\d+)?)\s*(?:\.\.|-|–|—|to)\s*(-?\d+(?:\.\d+)?)\s*",  # noqa: RUF001
)
_NOT_SCORED = frozenset({"n/a", "na", "-", "?", "tbc", "tbd", "none", "x", ""})


def _scale_written(found: Any) -> str:
    """``scale: 1-5`` and its kin: the mapping the file needs, with the ends it meant."""
    ends: tuple[Any, ...] = ()
    if isinstance(found, str) and (match := _SCALE_TEXT.fullmatch(found)):
        ends = match.groups()
    elif isinstance(found, list) and len(found) == 2:
        ends = tuple(found)
    elif isinstance(found, dict) and len(found) == 2:
        ends = tuple(found.values())
    shown = _shown(found)
    if isinstance(found, dict):  # as the file has it, not as Python prints it
        shown = "{" + ", ".join(f"{key}: {value}" for key, value in found.items()) + "}"
    if len(ends) == 2 and all(isinstance(e, (str, int, float)) for e in ends):
        return f"scale is written {{min: {ends[0]}, max: {ends[1]}}}, found {shown}"
    return f"{_SCALE}: its lowest and highest score; found {shown}"


def _number_hint(found: str, loc: tuple[int | str, ...]) -> str:
    """Why text that looks like a number is not one, and how to write it."""
    text = found.strip()
    if text.endswith("%") and _is_number(text[:-1]):
        what = "weights are points (each family sums to 100)" if "weight" in loc else "numbers"
        return f": {what}, written without '%': {text[:-1].strip()}"
    if re.fullmatch(r"[-+]?\d+(?:\.\d+)?", text):
        return f": a number in quotes is text; remove the quotes ({text})"
    if re.fullmatch(r"[-+]?\d+,\d+", text):
        return f": write decimals with a point: {text.replace(',', '.')}"
    if _is_number(text) or _is_huge_number(text):
        return _spelled_number_hint(text)
    if text.lower() in _NOT_SCORED and ("scores" in loc or "scorers" in loc):
        return ": for a score not given, leave it empty (or write null)"
    return ""


def _spelled_number_hint(text: str) -> str:
    """A number spelled so it is read as text: ``1_000`` (Python's), ``1e3`` (YAML 1.1's)."""
    if "_" in text:  # no spreadsheet writes it
        return f": write it without '_': {text.replace('_', '')}"
    if _is_huge_number(text):  # '1.0e400': text to YAML 1.1 (no sign in the exponent), and inf
        return ": a number from -1e12 to 1e12 is expected"
    # 1e3: YAML 1.1 reads a number with no '.' before its exponent as text
    return f": YAML reads '{text}' as text; write it as {yaml_float(float(text))}"


def yaml_float(value: float) -> str:
    """``value`` as YAML reads it as a number: ``1.0e-320``, not ``1e-320`` (which is text)."""
    text = repr(value)
    mantissa, e, exponent = text.partition("e")
    if e and "." not in mantissa:
        return f"{mantissa}.0e{exponent}"
    return text


def _is_huge_number(text: str) -> bool:
    try:
        return math.isinf(float(text)) and text.strip().lower().lstrip("+-") not in (
            "inf",
            "infinity",
        )
    except ValueError:
        return False


def _is_number(text: str) -> bool:
    """Whether text reads as a finite number ('nan' and 'inf' are not written as numbers)."""
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


LineOf = Callable[[tuple[int | str, ...]], int | None]
"""The line (1-based) of the key at a pydantic location in the file read, when known."""


def dash_hint(keys: Any) -> str:
    """For keys written ``-id``: a '-' starts a list item only with a space after it."""
    dashed = next((k for k in keys if isinstance(k, str) and re.match(r"-[^\s-]", k)), None)
    if dashed is None:
        return ""
    return f": a '-' starts a list item only with a space after it: '- {dashed[1:]}'"


def _keys_at(root: str, parent: str) -> list[str]:
    """The keys the model at YAML path ``parent`` takes, in a file whose model is ``root``."""
    roots: dict[str, type[BaseModel]] = {
        m.__name__: m for m in (CriteriaFile, ScoresFile, RulesFile)
    }
    places: tuple[tuple[str, type[BaseModel]], ...] = (
        (r"", roots.get(root, BaseModel)),
        (r"options\[\d+\]", OptionSpec),
        (r"criteria\[\d+\]", CriterionSpec),
        (r"criteria\[\d+\]\.sub\[\d+\]", SubCriterionSpec),
        (r"scale", Scale),
        (r"rules\[\d+\]", Rule),
        (r"(?:options\[\d+\]\.)?gates\[\d+\]", GateSpec),
        (r"options\[\d+\]\.gates\.[^.]+", GateResult),
        (r"scorers\.[^.]+", ScorerSpec),
        (r"printed_total|criteria\[\d+\]\.printed_subtotal", PrintedFigures),
    )
    model = next((m for pattern, m in places if re.fullmatch(pattern, parent)), BaseModel)
    return [field.alias or name for name, field in model.model_fields.items()]


def _unknown_key(error: dict[str, Any], line_of: LineOf | None) -> str:
    """``unknown key 'b' (line 10)``, with the key meant, or a hint for a dedented key."""
    loc, found = tuple(error["loc"]), error.get("input")
    key = loc[-1] if loc else ""
    if len(str(key)) > QUOTE_LIMIT:  # no id is this long: nothing to suggest, nothing to find
        return f"unknown key '{cut(str(key))}'"
    line = line_of(loc) if line_of else None
    message = f"unknown key '{key}'" + (f" (line {line})" if line else "")
    if loc[:1] == ("scale",):
        return f"{message}: {_SCALE}"
    # One slip of the keyboard away (the cutoff validate.nearest uses for criterion ids).
    meant = difflib.get_close_matches(
        str(key), _keys_at(str(error.get("root", "")), yaml_path(loc[:-1])), n=1, cutoff=0.75
    )
    if meant:
        return f"{message}: did you mean '{meant[0]}'?"
    if len(loc) != 3 or loc[0] != "options":
        return message
    is_score = _is_score(found)
    if not (is_score or isinstance(found, dict)):
        return message
    under = "scores" if is_score else "scorers"
    place = line_of((*loc[:2], under)) if line_of else None
    at = f" (line {place})" if place else ""
    what = "a score" if is_score else "a scorer's scores"
    return f"{message}: is '{key}' {what}? indent it under '{under}:'{at}"


def _special(error: dict[str, Any], line_of: LineOf | None) -> str | None:
    """The findings said in words of their own, rather than pydantic's with what was found."""
    kind, loc, found = error["type"], tuple(error["loc"]), error.get("input")
    if kind == "extra_forbidden":
        return _unknown_key(error, line_of)
    if kind == "model_type" and loc == ("scale",):
        return _scale_written(found)
    if kind == "dict_type" and len(loc) == 4 and loc[2] == "scorers" and _is_score(found):
        return _score_among_scorers(loc, found, line_of)
    if isinstance(found, bool) and kind in {"float_type", "string_type"}:
        return _boolean(kind, found)
    if found is None and kind in {"float_type", "string_type"}:  # an empty cell, or `key:`
        return f"expected {'a number' if kind == 'float_type' else 'text'}, found nothing (empty)"
    return None


def _score_among_scorers(loc: tuple[int | str, ...], found: Any, line_of: LineOf | None) -> str:
    """A score dedented out of a scorer's row, so it reads as a scorer of its own."""
    line = line_of(loc) if line_of else None
    at = f" (line {line})" if line else ""
    return (
        f"expected a scorer's scores ({{criterion: score, ...}}), found {_shown(found)}: is "
        f"'{loc[-1]}'{at} a score? indent it under the scorer above"
    )


def _boolean(kind: str, found: bool) -> str:
    """YAML 1.1 turns an unquoted yes/no/on/off into a boolean before appraise sees it."""
    word = "true" if found else "false"
    if kind == "float_type":
        return f"expected a number, found {word} {_YAML_BOOLEAN}"
    return f"expected text, found {word} {_YAML_BOOLEAN[:-1]}; put the word in quotes)"


def _message(error: dict[str, Any], line_of: LineOf | None = None) -> str:
    """Pydantic's finding in the words of a person fixing a YAML file."""
    kind, msg = error["type"], str(error["msg"])
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "too_short":
        return _too_short(error)
    special = _special(error, line_of)
    if special is not None:
        return special
    loc, found = tuple(error["loc"]), error.get("input")
    template = _MESSAGES.get(kind, msg[0].lower() + msg[1:] + ", found {found}")
    message = template.format(key=loc[-1] if loc else "", found=_shown(found))
    if kind in {"float_type", "float_parsing"} and isinstance(found, str):
        message += _number_hint(found, loc)
    if kind == "list_type" and isinstance(found, dict):
        message += dash_hint(found)
    return message


def _is_score(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))


def validation_problems(
    error: ValidationError,
    path: str,
    line_of: LineOf | None = None,
    locate: Callable[[str], str] | None = None,
) -> list[Problem]:
    """Every pydantic finding as a ``Problem`` naming the YAML path, or where it is found.

    ``line_of`` finds a key's line in the file (YAML files only), for the findings whose YAML
    path alone does not show the slip: an unknown key, often one dedented out of its mapping.
    ``locate`` maps a whole YAML path to its place (a workbook's sheet and cell); a path it does
    not know is named as the YAML path, long keys cut.
    """
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(
            p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-"))
        )
        found = {**item, "loc": loc, "root": error.title}
        where = yaml_path(loc)
        if locate is not None:
            whole = yaml_path(loc, whole=True)
            placed = locate(whole)
            where = where if placed == whole else placed
        problems.append(Problem(path, where, _message(found, line_of)))
    return problems


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
