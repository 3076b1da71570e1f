"""Load a scores file against its criteria, and rules files against the groups they join."""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from appraise.data import CriteriaTree, ScoreSheet
from appraise.errors import raise_if_errors
from appraise.io.criteria_files import criteria_for
from appraise.io.files import shown_path
from appraise.io.parsing import Locate, parse
from appraise.model import Rule, RulesFile, ScoresFile, Settings
from appraise.notes import Note
from appraise.validate import build_sheet, check_rules


def load_scores_once(
    path: Path,
    data: Any,
    locate: Locate,
    settings: Settings,
    cache: dict[Path, CriteriaTree] | None,
    scores_before: int,
) -> ScoreSheet:
    """A scores file already read, validated against its criteria (the first error raised).

    ``appraise.io.inputs.load_scores`` is the one to call: it lists every problem of a file
    that fails, as ``check`` does.
    """
    raise_if_errors(getattr(locate, "problems", ()))  # a workbook's, found while reading
    spec = parse(path, ScoresFile, "scores", data, locate, scores_before)
    del data
    cache = {} if cache is None else cache
    tree = criteria_for(spec, path, locate, settings.normalise, cache, settings.criteria)
    sheet = build_sheet(spec, shown_path(path), tree, settings, locate)
    if settings.criteria is not None:  # a substitution is said where its figures are shown
        note = f"{sheet.path}: weighed by {tree.path} (--criteria), not the criteria it names"
        sheet = replace(sheet, notes=(note, *sheet.notes))
    return replace(sheet, source=path)


def load_rules(path: Path) -> RulesFile:
    """Load a rules file; references are checked against groups by ``validate.check_rules``."""
    return parse(path, RulesFile, "rules")


def load_rules_for(path: Path, sheets: Sequence[ScoreSheet]) -> tuple[list[Rule], list[str]]:
    """Load a rules file and check it against the groups being combined.

    Raises ``Problems`` listing every error (an unknown group or option); returns the rules and
    the warnings (a rule linking options of one group, an ``at_most`` that never binds) as
    notes, the same findings ``appraise check`` lists.
    """
    spec = load_rules(path)
    problems, notes = check_rules(spec, shown_path(path), list(sheets))
    raise_if_errors(problems)
    # A rule that never binds changes nothing; one linking options of a group bars an option.
    found = [Note(str(p), "check" if p.topic else "figure", p.topic) for p in problems]
    return list(spec.rules), [*notes, *found]


SCORE_KEYS = ("scores", "scorers")


def salvage_scores(data: Any) -> ScoresFile | None:
    """The scores file read past its schema errors, so ``check`` can report the rest too.

    A copy of the data without what pydantic refused: an unknown key is dropped, a score
    that is not a number becomes blank. None when that does not give a valid file (a missing
    or wrongly typed key elsewhere). The caller already has those errors; this is only so the
    checks against the criteria (out-of-scale scores, unknown criteria) run in the same pass.
    """
    repaired = copy.deepcopy(data)
    for _ in range(3):
        try:
            return ScoresFile.model_validate(repaired)
        except ValidationError as exc:
            if not all(_repair(repaired, e["loc"], e["type"]) for e in exc.errors()):
                return None
    return None


def _repair(data: Any, loc: tuple[int | str, ...], kind: str) -> bool:
    """Drop an unknown or malformed key, or blank a score cell, at ``loc``; False otherwise."""
    *parents, last = [part for part in loc if not str(part).startswith("function-")] or [""]
    if last == "[key]" and parents:  # the key itself is wrong (not an id): drop its entry
        *parents, last = parents
        kind = "extra_forbidden"
    if parents == ["options"] and kind == "value_error" and isinstance(last, int):
        return _unscored(data["options"], last)
    holder = data
    for part in parents:
        try:
            holder = holder[part]
        except (KeyError, IndexError, TypeError):
            return False
    if not isinstance(holder, dict) or last not in holder:
        return False
    if kind == "extra_forbidden":
        del holder[last]
        return True
    if last == "id" and kind == "string_pattern_mismatch" and isinstance(holder[last], str):
        # An id as the pattern would have it, so the scores filed under it are checked too.
        holder[last] = re.sub(r"[^a-z0-9_-]+", "-", holder[last].lower()).strip("-_")[:64] or "id"
        return True
    in_scores = len(parents) >= 3 and parents[0] == "options" and parents[2] in SCORE_KEYS
    if in_scores:
        holder[last] = None
    return in_scores


def _unscored(options: list[Any], i: int) -> bool:
    """Give an option with no scores yet none, of the kind the others have.

    So the rest of the file is still checked; False when that is not what is wrong with it.
    """
    option = options[i] if i < len(options) else None
    if not isinstance(option, dict) or any(option.get(k) is not None for k in SCORE_KEYS):
        return False
    scorers = [k for o in options if isinstance(o, dict) for k in o.get("scorers") or {}]
    if scorers:
        option["scorers"] = {scorers[0]: {}}
    else:
        option["scores"] = {}
    return True
