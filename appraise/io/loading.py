"""Load criteria, scores and rules files into validated objects, with every problem located."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from appraise import bundled
from appraise.errors import InputError, Problems
from appraise.io.yaml_io import read_yaml
from appraise.model import CriteriaFile, RulesFile, ScoresFile, Settings, validation_problems
from appraise.scoring import ScoreSheet
from appraise.validate import build_sheet, build_tree
from appraise.weights import CriteriaTree

FileKind = Literal["criteria", "scores", "rules"]
M = TypeVar("M", bound=BaseModel)
Locate = Callable[[str], str]
"""Maps a YAML path (``options[2].scores.safety``) to where it is in the file as read."""

_KEYS: dict[FileKind, str] = {
    "criteria": "a criteria file (title, criteria, ...)",
    "scores": "a scores file (group, name, criteria, scale, options, ...)",
    "rules": "a rules file (rules: [...])",
}


def _shown(path: Path) -> str:
    """A path as people read it: relative to the working folder when inside it."""
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    return os.path.normpath(path) if relative.startswith("..") else relative


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(path: Path) -> bool:
    """Whether a path names an Excel workbook (read as a scores file)."""
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def read_data(path: Path) -> tuple[Any, Locate]:
    """Parsed file content, and a function naming where a YAML path came from in the file."""
    if is_workbook(path):
        from appraise.io.excel_io import read_scores_workbook

        return read_scores_workbook(path)
    return read_yaml(path), _same


def _same(where: str) -> str:
    return where


def _kind_of(data: Any) -> FileKind | None:
    if isinstance(data, dict):
        if "options" in data or "group" in data:
            return "scores"
        if "rules" in data:
            return "rules"
        if "criteria" in data:
            return "criteria"
    return None


def _parse(
    path: Path, model: type[M], kind: FileKind, data: Any = None, locate: Locate = _same
) -> M:
    if data is None:
        data, locate = read_data(path)
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        raise InputError(path, "", f"expected {_KEYS[kind]} as a YAML mapping, found {found}")
    found_kind = _kind_of(data)
    if found_kind is not None and found_kind != kind:
        raise InputError(path, "", f"this is a {found_kind} file; give {_KEYS[kind]}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, _shown(path))
        raise Problems(replace(p, where=locate(p.where)) for p in problems) from None


def file_kind(path: Path) -> tuple[FileKind, Any, Locate]:
    """Tell a criteria, scores or rules file apart by its keys; return the parsed data too."""
    data, locate = read_data(path)
    if data is None:
        raise InputError(path, "", "the file is empty")
    kind = _kind_of(data)
    if kind is None:
        raise InputError(
            path,
            "",
            "not a criteria, scores or rules file "
            "(expected a mapping with 'criteria', 'options' or 'rules')",
        )
    return kind, data, locate


def resolve_criteria_path(reference: str, relative_to: Path | None = None) -> Path:
    """A criteria reference: a path (relative to the scores file naming it), else a bundled name."""
    candidate = (relative_to.parent / reference) if relative_to else Path(reference)
    if candidate.is_file():
        return candidate
    found = bundled.find("criteria", reference)
    if found:
        return found
    where = relative_to if relative_to else Path(reference)
    available = ", ".join(bundled.names("criteria")) or "none"
    raise InputError(
        where,
        "criteria" if relative_to else "",
        f"criteria file '{reference}' not found"
        + (" next to this file" if relative_to else "")
        + f", and no bundled criteria has that name (bundled: {available})",
    )


def resolve_scores_path(reference: str | Path) -> Path:
    """A scores file given on the command line: a path, else a bundled options name."""
    path = Path(reference)
    if path.exists():
        return path
    found = bundled.find("options", str(reference))
    if found:
        return found
    available = ", ".join(bundled.names("options")) or "none"
    raise InputError(
        path,
        "",
        f"file not found, and no bundled options file has that name (bundled: {available})",
    )


def resolve_any(reference: str | Path) -> Path:
    """A file for ``check``: a path, else a bundled options or criteria name."""
    path = Path(reference)
    if path.exists():
        return path
    found = bundled.find("options", str(reference)) or bundled.find("criteria", str(reference))
    return found or path


def load_criteria(
    reference: str | Path, normalise: bool = False, relative_to: Path | None = None
) -> CriteriaTree:
    """Load and validate a criteria file given by path or bundled name."""
    path = resolve_criteria_path(str(reference), relative_to)
    spec = _parse(path, CriteriaFile, "criteria")
    return build_tree(spec, _shown(path), normalise)


def load_scores(
    reference: str | Path,
    settings: Settings | None = None,
    cache: dict[Path, CriteriaTree] | None = None,
) -> ScoreSheet:
    """Load a scores file, the criteria it names, and validate one against the other."""
    settings = settings or Settings()
    path = resolve_scores_path(reference)
    data, locate = read_data(path)
    spec = _parse(path, ScoresFile, "scores", data, locate)
    criteria_path = resolve_criteria_path(spec.criteria, path).resolve()
    cache = {} if cache is None else cache
    if criteria_path not in cache:
        cache[criteria_path] = load_criteria(criteria_path, settings.normalise)
    return build_sheet(spec, _shown(path), cache[criteria_path], settings, locate)


def load_rules(path: Path) -> RulesFile:
    """Load a rules file; references are checked against groups by ``validate.check_rules``."""
    return _parse(path, RulesFile, "rules")


def load_inputs(references: list[str | Path], settings: Settings | None = None) -> list[ScoreSheet]:
    """Load several scores files, sharing criteria files between them."""
    cache: dict[Path, CriteriaTree] = {}
    return [load_scores(ref, settings, cache) for ref in references]


def parse_as(
    path: Path, kind: FileKind, data: Any, locate: Locate = _same
) -> CriteriaFile | ScoresFile | RulesFile:
    """Validate already-read data as the given kind of file (for ``check``)."""
    if kind == "criteria":
        return _parse(path, CriteriaFile, kind, data, locate)
    if kind == "scores":
        return _parse(path, ScoresFile, kind, data, locate)
    return _parse(path, RulesFile, kind, data, locate)


Inputs = list[ScoreSheet]
