"""pydantic's validation errors as messages a person can act on, each at its YAML path.

Every finding names the key (``options[2].scores.safety``) and says what was found and what
to write instead: a scale written as text, a number YAML read as text, a YAML 1.1 boolean, an
unknown key with the one meant, a list item missing its dash.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable
from typing import Any

from pydantic import (
    BaseModel,
    ValidationError,
)

from appraise.errors import Problem
from appraise.model import (
    SCALE_WRITTEN,
    CriteriaFile,
    CriterionSpec,
    GateResult,
    GateSpec,
    OptionSpec,
    PrintedFigures,
    Rule,
    RulesFile,
    Scale,
    ScorerSpec,
    ScoresFile,
    SubCriterionSpec,
    scale_written,
    shown_value,
)
from appraise.safe_text import QUOTE_LIMIT, cut


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
        return f"{_RULE_LISTS[key]}; found {shown_value(found)}"
    at_least = (error.get("ctx") or {}).get("min_length", 1)
    items = "item" if at_least == 1 else "items"
    return f"expected at least {at_least} {items}, found {shown_value(found)}"


_NOT_SCORED = frozenset({"n/a", "na", "-", "?", "tbc", "tbd", "none", "x", ""})


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
        return f"{message}: {SCALE_WRITTEN}"
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
    if (kind == "model_type" and loc[-1:] in {("scale",), ("cost",)}) or (
        kind == "missing" and loc[-2:] == ("cost", "unit")
    ):
        return _how_written(loc, found)
    if kind == "dict_type" and len(loc) == 4 and loc[2] == "scorers" and _is_score(found):
        return _score_among_scorers(loc, found, line_of)
    if isinstance(found, bool) and kind in {"float_type", "string_type"}:
        return _boolean(kind, found)
    if found is None and kind in {"float_type", "string_type"}:  # an empty cell, or `key:`
        return f"expected {'a number' if kind == 'float_type' else 'text'}, found nothing (empty)"
    return None


def _how_written(loc: tuple[int | str, ...], found: Any) -> str:
    """How a scale or a cost (and its unit) is written, for one written some other way."""
    if loc == ("scale",):
        return scale_written(found)
    if loc[-1] == "unit":
        return 'a cost needs its unit, such as unit: "GBP m" (one for every cost in a file)'
    return (
        'a cost is written {capital: 2.4, revenue: -0.3, unit: "GBP m"} (named figures and '
        f"their unit), found {shown_value(found)}"
    )


def _score_among_scorers(loc: tuple[int | str, ...], found: Any, line_of: LineOf | None) -> str:
    """A score dedented out of a scorer's row, so it reads as a scorer of its own."""
    line = line_of(loc) if line_of else None
    at = f" (line {line})" if line else ""
    return (
        f"expected a scorer's scores ({{criterion: score, ...}}), found {shown_value(found)}: is "
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
    message = template.format(key=loc[-1] if loc else "", found=shown_value(found))
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
