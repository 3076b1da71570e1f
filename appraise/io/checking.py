"""``appraise check``: any mix of criteria, scores, rules and elicitation files; every problem."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from appraise.data import CriteriaTree, ScoreSheet
from appraise.errors import AppraiseError, InputError, Problem, Problems
from appraise.io.criteria_files import criteria_for, load_criteria
from appraise.io.files import is_workbook, resolve_any, shown_path
from appraise.io.loading import salvage_scores
from appraise.io.parsing import FileKind, Locate, file_kind, parse_as
from appraise.model import CriteriaFile, ElicitationFile, RulesFile, ScoresFile, Settings
from appraise.validate import check_criteria, check_rules, check_sheet
from appraise.validate.elicitation import check_elicitation


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
    return criteria_for(spec, path, locate, settings.normalise, trees, settings.criteria)


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
        spec, shown_path(path), tree, replace(settings, missing="exclude"), locate
    )
    seen = {p.where for p in found}
    return [p for p in problems if p.severity == "error" and p.where not in seen]


def _check_file(
    path: Path,
    kind: FileKind,
    data: Any,
    locate: Locate,
    settings: Settings,
    trees: Trees,
    result: CheckResult,
) -> ScoreSheet | RulesFile | None:
    """Check one file already read, adding to ``result``; its sheet or rules for what follows."""
    invalid = bool(getattr(locate, "problems", ()))  # a workbook's, found while reading
    if getattr(locate, "missing_columns", False):
        settings = replace(settings, missing="exclude")  # a missing column is reported once
    try:
        spec = parse_as(path, kind, data, locate)
    except AppraiseError as exc:
        result.files.append({"file": shown_path(path), "kind": f"{kind}, invalid"})
        found = _problems_of(exc)
        result.problems.extend(found)
        if kind == "scores":
            hidden = _past_schema_errors(path, data, locate, settings, found, trees)
            result.problems.extend(hidden)
        return None
    result.files.append({"file": shown_path(path), "kind": f"{kind}, invalid" if invalid else kind})
    if isinstance(spec, CriteriaFile):
        problems, notes = check_criteria(spec, shown_path(path), settings.normalise)
        result.problems.extend(problems)
        result.notes.extend(notes)
    elif isinstance(spec, ScoresFile):
        try:
            tree = _criteria_of(spec, path, locate, settings, trees)
        except AppraiseError as exc:
            result.problems.extend(_problems_of(exc))
            return None
        result.notes.extend(tree.notes)
        problems, sheet = check_sheet(spec, shown_path(path), tree, settings, locate)
        result.problems.extend(problems)
        return sheet
    elif isinstance(spec, ElicitationFile):
        try:
            tree = load_criteria(spec.criteria, settings.normalise, relative_to=path)
        except AppraiseError as exc:
            result.problems.extend(_problems_of(exc))
            return None
        found = check_elicitation(spec, tree, shown_path(path))
        result.problems.extend(replace(p, where=locate(p.where)) for p in found)
    return spec if isinstance(spec, RulesFile) else None


def check_files(
    paths: list[Path],
    settings: Settings,
    already_read: Mapping[Path, tuple[FileKind, Any, Locate]] | None = None,
) -> CheckResult:
    """Validate every file given; problems are collected, never raised.

    A workbook's problems come one to a place, in the order of its sheets and cells.
    ``already_read`` holds files already read (kind, data, locations), not read again.
    """
    result = CheckResult()
    sheets: list[ScoreSheet] = []
    rules: list[tuple[Path, RulesFile]] = []
    trees: Trees = {}
    for given in paths:
        path = resolve_any(given)
        try:
            kind, data, locate = (
                already_read[path] if already_read and path in already_read else file_kind(path)
            )
        except AppraiseError as exc:
            result.files.append({"file": shown_path(path), "kind": "unreadable"})
            result.problems.extend(_problems_of(exc))
            continue
        start = len(result.problems)
        found = _check_file(path, kind, data, locate, settings, trees, result)
        if isinstance(found, ScoreSheet):
            sheets.append(found)
        elif isinstance(found, RulesFile):
            rules.append((path, found))
        if is_workbook(path):
            from appraise.io.xlsx_places import Locations, merge_problems

            if isinstance(locate, Locations):
                validation = result.problems[start:]
                read = (*locate.problems, *locate.warnings)
                result.problems[start:] = merge_problems(read, validation, locate.sheets)
    for path, spec in rules:
        problems, notes = check_rules(spec, shown_path(path), sheets)
        result.problems.extend(problems)
        result.notes.extend(notes)
    # A criteria file given beside a scores file that names it is checked once for each: one
    # problem, one message.
    result.problems[:] = dict.fromkeys(result.problems)
    return result


__all__ = ["CheckResult", "InputError", "check_files"]
