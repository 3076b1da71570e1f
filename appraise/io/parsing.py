"""Parse an input file (YAML, JSON or a workbook) and validate it as one kind of file.

Limits (``appraise.model``) are counted on the parsed data before pydantic sees it; every
validation error is located (YAML line, or workbook sheet and cell).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from appraise.errors import InputError, Problems, Refused, raise_if_errors
from appraise.io.files import is_workbook, refuse_special_files, shown_path
from appraise.io.sniff import refuse_other_types
from appraise.io.yaml_io import KeyLines, read_yaml
from appraise.limits import (
    MAX_CRITERIA,
    MAX_OPTIONS,
    MAX_RULES,
    MAX_SCORERS,
    MAX_SCORES,
    MAX_WEIGHT_SETS,
)
from appraise.messages import validation_problems
from appraise.model import CriteriaFile, ElicitationFile, RulesFile, ScoresFile

FileKind = Literal["criteria", "scores", "rules", "elicitation"]
M = TypeVar("M", bound=BaseModel)
Locate = Callable[[str], str]
"""Maps a YAML path (``options[2].scores.safety``) to where it is in the file as read."""

_KEYS: dict[FileKind, str] = {
    "criteria": "a criteria file (title, criteria, ...)",
    "scores": "a scores file (group, name, criteria, scale, options, ...)",
    "rules": "a rules file (rules: [...])",
    "elicitation": "an elicitation file (criteria, bodies: [...])",
}


def read_data(path: Path, kind: FileKind | None = None) -> tuple[Any, Locate]:
    """Parsed file content, and a function naming where a YAML path came from in the file.

    The file's first bytes are checked first, so a spreadsheet, picture or renamed file is
    named as what it is, with what to do (``kind``, when known, shapes that advice).
    """
    refuse_special_files(path)
    refuse_other_types(path, is_workbook(path), kind)
    if is_workbook(path):
        from appraise.io.elicitation_workbook import is_elicitation_workbook
        from appraise.io.xlsx_read import read_workbook

        if kind in (None, "elicitation") and is_elicitation_workbook(path):
            from appraise.io.elicitation_workbook import read_elicitation_workbook

            return read_elicitation_workbook(path)
        return read_workbook(path)  # what reading found is in the Locations: see load_scores
    return read_yaml(path), same_place


def same_place(where: str) -> str:
    """The ``Locate`` of a YAML or JSON file: a YAML path is its own place."""
    return where


def _kind_of(data: Any) -> FileKind | None:
    if isinstance(data, dict):
        if "options" in data or "group" in data:
            return "scores"
        if "rules" in data:
            return "rules"
        if "bodies" in data:
            return "elicitation"
        if "criteria" in data:
            return "criteria"
    return None


def _scores_over_limits(data: dict[Any, Any], before: int = 0) -> tuple[str, str] | None:
    options = data.get("options")
    if not isinstance(options, list):
        return None
    if len(options) > MAX_OPTIONS:
        return "options", f"{len(options):,} options; the limit is {MAX_OPTIONS:,} per file"
    scorers: set[Any] = set(data["scorers"]) if isinstance(data.get("scorers"), dict) else set()
    scores = 0
    for i, option in enumerate(options):
        if not isinstance(option, dict):
            continue
        rows = option.get("scorers")
        if isinstance(rows, dict):
            scorers.update(rows)
            scores += sum(len(row) for row in rows.values() if isinstance(row, dict))
            if len(scorers) > MAX_SCORERS:
                return (
                    f"options[{i}].scorers",
                    f"more than {MAX_SCORERS} scorers in one file; the limit is {MAX_SCORERS}",
                )
        if isinstance(option.get("scores"), dict):
            scores += len(option["scores"])
    if len(scorers) > MAX_SCORERS:
        return "scorers", f"{len(scorers)} scorers; the limit is {MAX_SCORERS} per file"
    return _too_many_scores(scores, before)


def _too_many_scores(scores: int, before: int) -> tuple[str, str] | None:
    if before + scores <= MAX_SCORES:
        return None
    if scores > MAX_SCORES:
        return "options", f"{scores:,} scores in one file; the limit is {MAX_SCORES:,}"
    return "options", (
        f"{scores:,} scores, and {before:,} in the files before it: more than the "
        f"{MAX_SCORES:,} one command reads in all"
    )


def count_scores(spec: ScoresFile) -> int:
    """The scores a scores file holds (each scorer's counted), as the limits count them."""
    return sum(
        len(option.scores)
        if option.scores is not None
        else sum(len(row) for row in (option.scorers or {}).values())
        for option in spec.options
    )


def _over_limits(kind: FileKind, data: dict[Any, Any], before: int = 0) -> tuple[str, str] | None:
    """The first count over its limit (see ``appraise.model``), as (YAML path, message).

    Counted on the parsed data, before pydantic validates anything, so an oversized file costs
    a few ``len()`` calls, not a full validation.
    """
    if kind == "scores":
        return _scores_over_limits(data, before)
    if kind == "criteria" and isinstance(data.get("criteria"), list):
        criteria = data["criteria"]
        count = len(criteria) + sum(
            len(c["sub"])
            for c in criteria
            if isinstance(c, dict) and isinstance(c.get("sub"), list)
        )
        if count > MAX_CRITERIA:
            return (
                "criteria",
                f"{count:,} criteria and sub-criteria; the limit is {MAX_CRITERIA} per file",
            )
    sets = data.get("weight_sets")
    if kind == "criteria" and isinstance(sets, dict) and len(sets) > MAX_WEIGHT_SETS:
        return (
            "weight_sets",
            f"{len(sets):,} weight sets; the limit is {MAX_WEIGHT_SETS} per file (each is "
            "weighed separately by sensitivity and combine)",
        )
    if kind == "rules" and isinstance(data.get("rules"), list) and len(data["rules"]) > MAX_RULES:
        return "rules", f"{len(data['rules']):,} rules; the limit is {MAX_RULES:,} per file"
    return None


def _what_is_there(path: Path, data: Any) -> str:
    """What a file holds instead of a mapping: ``null`` in JSON is not an empty file."""
    if data is None:
        json_file = path.suffix.lower() == ".json"
        return "null" if json_file and path.read_text(errors="replace").strip() else "an empty file"
    return _found(data)


def _found(data: Any) -> str:
    """What a file read as YAML held instead of a mapping; for text, why it is not a key."""
    if not isinstance(data, str):
        return f"a {type(data).__name__}"
    shown = repr(data) if len(data) <= 40 else repr(data[:37] + "...")
    spaced = re.match(r"([A-Za-z_][\w-]*):(\S[^\n]{0,30})", data)
    if spaced:  # 'group:demo' is text to YAML, not the key 'group'
        key, value = spaced.groups()
        return f"the text {shown}: a key needs a space after its ':' ('{key}: {value}')"
    return f"the text {shown}"


def parse(
    path: Path,
    model: type[M],
    kind: FileKind,
    data: Any = None,
    locate: Locate = same_place,
    before: int = 0,
) -> M:
    """A file validated as ``model`` (read now unless ``data`` is given), limits counted first.

    ``before``: scores the files read before this one hold (they share ``MAX_SCORES``).
    """
    if data is None:
        data, locate = read_data(path, kind)
        raise_if_errors(getattr(locate, "problems", ()))  # a workbook's, found while reading
    if not isinstance(data, dict):
        mapping = "a JSON object" if path.suffix.lower() == ".json" else "a YAML mapping"
        found = _what_is_there(path, data)
        raise InputError(path, "", f"expected {_KEYS[kind]} as {mapping}, found {found}")
    found_kind = _kind_of(data)
    if found_kind is not None and found_kind != kind:
        raise InputError(path, "", f"this is a {found_kind} file; give {_KEYS[kind]}")
    over = _over_limits(kind, data, before)
    if over is not None:
        raise Refused(path, locate(over[0]), over[1])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = KeyLines(path) if locate is same_place else None  # a YAML file: keys have lines
        raise Problems(validation_problems(exc, shown_path(path), lines, locate)) from None


def file_kind(path: Path) -> tuple[FileKind, Any, Locate]:
    """Tell a criteria, scores or rules file apart by its keys; return the parsed data too."""
    data, locate = read_data(path)
    if data is None:
        found = _what_is_there(path, data)
        raise InputError(
            path,
            "",
            "the file is empty" if found == "an empty file" else "the file holds only null",
        )
    kind = _kind_of(data)
    if kind is None:
        raise InputError(
            path,
            "",
            "not a criteria, scores, rules or elicitation file "
            "(expected a mapping with 'criteria', 'options', 'rules' or 'bodies')"
            + (f", found {_found(data)}" if isinstance(data, str) else ""),
        )
    return kind, data, locate


def parse_as(
    path: Path, kind: FileKind, data: Any, locate: Locate = same_place
) -> CriteriaFile | ScoresFile | RulesFile | ElicitationFile:
    """Validate already-read data as the given kind of file (for ``check``)."""
    if kind == "elicitation":
        return parse(path, ElicitationFile, kind, data, locate)
    if kind == "criteria":
        return parse(path, CriteriaFile, kind, data, locate)
    if kind == "scores":
        return parse(path, ScoresFile, kind, data, locate)
    return parse(path, RulesFile, kind, data, locate)
