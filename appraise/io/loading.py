"""Load criteria, scores and rules files into validated objects, with every problem located."""

from __future__ import annotations

import os
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


def _parse(path: Path, model: type[M], kind: FileKind, data: Any = None) -> M:
    data = read_yaml(path) if data is None else data
    if not isinstance(data, dict):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        raise InputError(path, "", f"expected {_KEYS[kind]} as a YAML mapping, found {found}")
    if kind == "scores" and "options" not in data and isinstance(data.get("criteria"), list):
        raise InputError(path, "", "this is a criteria file; give a scores file (with 'options')")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise Problems(validation_problems(exc, _shown(path))) from None


def file_kind(path: Path) -> tuple[FileKind, Any]:
    """Tell a criteria, scores or rules file apart by its keys; return the parsed YAML too."""
    data = read_yaml(path)
    if isinstance(data, dict):
        if "options" in data or "group" in data:
            return "scores", data
        if "rules" in data:
            return "rules", data
        if "criteria" in data:
            return "criteria", data
    raise InputError(
        path,
        "",
        "not a criteria, scores or rules file "
        "(expected a mapping with 'criteria', 'options' or 'rules')",
    )


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
    spec = _parse(path, ScoresFile, "scores")
    criteria_path = resolve_criteria_path(spec.criteria, path).resolve()
    cache = {} if cache is None else cache
    if criteria_path not in cache:
        cache[criteria_path] = load_criteria(criteria_path, settings.normalise)
    return build_sheet(spec, _shown(path), cache[criteria_path], settings)


def load_rules(path: Path) -> RulesFile:
    """Load a rules file; references are checked against groups by ``validate.check_rules``."""
    return _parse(path, RulesFile, "rules")


def load_inputs(references: list[str | Path], settings: Settings | None = None) -> list[ScoreSheet]:
    """Load several scores files, sharing criteria files between them."""
    cache: dict[Path, CriteriaTree] = {}
    return [load_scores(ref, settings, cache) for ref in references]


def parse_as(path: Path, kind: FileKind, data: Any) -> CriteriaFile | ScoresFile | RulesFile:
    """Validate already-read YAML data as the given kind of file (for ``check``)."""
    if kind == "criteria":
        return _parse(path, CriteriaFile, kind, data)
    if kind == "scores":
        return _parse(path, ScoresFile, kind, data)
    return _parse(path, RulesFile, kind, data)


Inputs = list[ScoreSheet]
