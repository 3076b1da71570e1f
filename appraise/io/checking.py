"""``appraise check``: read any mix of criteria, scores and rules files and gather every problem."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from appraise.errors import AppraiseError, InputError, Problem, Problems
from appraise.io.loading import (
    Locate,
    _shown,
    file_kind,
    load_criteria,
    parse_as,
    resolve_any,
    resolve_criteria_path,
    salvage_scores,
)
from appraise.model import CriteriaFile, RulesFile, ScoresFile, Settings
from appraise.scoring import ScoreSheet
from appraise.validate import check_criteria, check_rules, check_sheet
from appraise.weights import CriteriaTree


@dataclass
class CheckResult:
    """What ``check`` found: each file's kind, every problem, and notes."""

    files: list[dict[str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _problems_of(exc: AppraiseError) -> list[Problem]:
    if isinstance(exc, Problems):
        return exc.problems
    if isinstance(exc, InputError):
        return [exc.problem]
    return [Problem("", "", str(exc))]


Trees = dict[Path, CriteriaTree]


def _criteria_of(
    spec: ScoresFile, path: Path, locate: Locate, settings: Settings, trees: Trees
) -> CriteriaTree:
    """The criteria a scores file names, each file read once however many name it."""
    criteria = resolve_criteria_path(spec.criteria, path, locate("criteria")).resolve()
    if criteria not in trees:
        trees[criteria] = load_criteria(criteria, settings.normalise)
    return trees[criteria]


def _past_schema_errors(
    path: Path, data: Any, locate: Locate, settings: Settings, found: list[Problem], trees: Trees
) -> list[Problem]:
    """The errors a scores file's schema errors hid: its scores checked against the criteria.

    Only errors, and none at a place already reported (a blanked score is not also "missing").
    """
    spec = salvage_scores(data)
    if spec is None:
        return []
    try:
        tree = _criteria_of(spec, path, locate, settings, trees)
    except AppraiseError as exc:
        return _problems_of(exc)
    # Blanked cells must not come back as "missing": this pass is for what else is wrong.
    problems, _ = check_sheet(
        spec, _shown(path), tree, replace(settings, missing="exclude"), locate
    )
    seen = {p.where for p in found}
    return [p for p in problems if p.severity == "error" and p.where not in seen]


def check_files(paths: list[Path], settings: Settings) -> CheckResult:
    """Validate every file given; problems are collected, never raised."""
    result = CheckResult()
    sheets: list[ScoreSheet] = []
    rules: list[tuple[Path, RulesFile]] = []
    trees: Trees = {}
    for given in paths:
        path = resolve_any(given)
        try:
            kind, data, locate = file_kind(path)
        except AppraiseError as exc:
            result.files.append({"file": _shown(path), "kind": "unreadable"})
            result.problems.extend(_problems_of(exc))
            continue
        try:
            spec = parse_as(path, kind, data, locate)
        except AppraiseError as exc:
            result.files.append({"file": _shown(path), "kind": f"{kind}, invalid"})
            found = _problems_of(exc)
            result.problems.extend(found)
            if kind == "scores":
                hidden = _past_schema_errors(path, data, locate, settings, found, trees)
                result.problems.extend(hidden)
            continue
        result.files.append({"file": _shown(path), "kind": kind})
        if isinstance(spec, CriteriaFile):
            problems, notes = check_criteria(spec, _shown(path), settings.normalise)
            result.problems.extend(problems)
            result.notes.extend(notes)
        elif isinstance(spec, ScoresFile):
            try:
                tree = _criteria_of(spec, path, locate, settings, trees)
            except AppraiseError as exc:
                result.problems.extend(_problems_of(exc))
                continue
            result.notes.extend(tree.notes)
            problems, sheet = check_sheet(spec, _shown(path), tree, settings, locate)
            result.problems.extend(problems)
            if sheet is not None:
                sheets.append(sheet)
        elif isinstance(spec, RulesFile):
            rules.append((path, spec))
    for path, spec in rules:
        problems, notes = check_rules(spec, _shown(path), sheets)
        result.problems.extend(problems)
        result.notes.extend(notes)
    return result


__all__ = ["CheckResult", "InputError", "check_files"]
