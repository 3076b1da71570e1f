"""Load criteria, scores and rules files into validated objects, with every problem located."""

from __future__ import annotations

import copy
import os
import re
import stat
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from appraise import bundled
from appraise.data import ScoreSheet
from appraise.errors import AppraiseError, InputError, Problems, Refused, raise_if_errors
from appraise.io.sniff import refuse_other_types
from appraise.io.yaml_io import KeyLines, read_yaml
from appraise.model import (
    MAX_CRITERIA,
    MAX_OPTIONS,
    MAX_RULES,
    MAX_SCORERS,
    MAX_SCORES,
    MAX_WEIGHT_SETS,
    CriteriaFile,
    Rule,
    RulesFile,
    ScoresFile,
    Settings,
    validation_problems,
)
from appraise.validate import build_sheet, build_tree, check_rules
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
    """A path as people read it: relative to the working folder when inside it.

    A bundled file is shown by its bundled name, as ``cp-2016 (bundled)``, when it is the
    installed package's (not a path deep inside site-packages) or outside the working folder;
    in a checkout, run from the top, it is ``criteria/cp-2016.yaml`` as in the README.
    """
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    outside = relative.startswith("..")
    label = bundled.label(Path(absolute))
    if label is not None and (outside or bundled.installed()):
        return label
    return os.path.normpath(path) if outside else relative


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")


def is_workbook(path: Path) -> bool:
    """Whether a path names an Excel workbook (read as a scores file)."""
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def read_data(path: Path, kind: FileKind | None = None) -> tuple[Any, Locate]:
    """Parsed file content, and a function naming where a YAML path came from in the file.

    The file's first bytes are checked first, so a spreadsheet, picture or renamed file is
    named as what it is, with what to do (``kind``, when known, shapes that advice).
    """
    _refuse_special_files(path)
    refuse_other_types(path, is_workbook(path), kind)
    if is_workbook(path):
        from appraise.io.excel_io import read_workbook

        return read_workbook(path)  # what reading found is in the Locations: see load_scores
    return read_yaml(path), _same


def _refuse_special_files(path: Path) -> None:
    """Refuse a pipe, device or socket before anything opens it.

    Opening a pipe waits for a writer that may never come, and a device such as /dev/zero (or a
    link to it named ``.xlsx``) never ends: neither is a saved file, and neither has a size to
    check against the limits. ``os.stat`` follows links and opens nothing.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # missing, or unreadable: the reader names it as such
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        kind = (
            "a pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        )
        raise Refused(path, "", f"is {kind}, not a saved file; appraise reads saved files only")


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


def _parse(
    path: Path,
    model: type[M],
    kind: FileKind,
    data: Any = None,
    locate: Locate = _same,
    before: int = 0,
) -> M:
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
        lines = KeyLines(path) if locate is _same else None  # a YAML file: keys have lines
        problems = validation_problems(exc, _shown(path), lines)
        raise Problems(replace(p, where=locate(p.where)) for p in problems) from None


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
            "not a criteria, scores or rules file "
            "(expected a mapping with 'criteria', 'options' or 'rules')"
            + (f", found {_found(data)}" if isinstance(data, str) else ""),
        )
    return kind, data, locate


CRITERIA_SUFFIXES = (".yaml", ".yml", ".json")


def resolve_criteria_path(
    reference: str, relative_to: Path | None = None, where: str = "criteria"
) -> Path:
    """A criteria reference: a path (relative to the scores file naming it), else a bundled name.

    A scores file is often someone else's, so what it may name is narrow: a bundled criteria
    name, or a path ending ``.yaml``, ``.yml`` or ``.json``, anywhere (``../criteria/x.yaml`` is
    the usual layout), but never the scores file itself and never any other kind of file
    (``/etc/passwd``, ``../../notes.txt``). A path typed on the command line is the user's own
    choice and is read as given.
    """
    available = ", ".join(bundled.names("criteria")) or "none"
    is_path = Path(reference).suffix.lower() in CRITERIA_SUFFIXES
    if relative_to is not None and not is_path and not bundled.find("criteria", reference):
        raise InputError(
            relative_to,
            where,
            f"'{reference}' is neither a bundled criteria name ({available}) nor a path to a "
            f"criteria file ending {', '.join(CRITERIA_SUFFIXES)}",
        )
    candidate = (relative_to.parent / reference) if relative_to else Path(reference)
    if (is_path or relative_to is None) and candidate.is_file():
        if relative_to is not None and candidate.resolve() == relative_to.resolve():
            raise InputError(
                relative_to,
                where,
                f"'{reference}' is this scores file itself; name the criteria file it scores "
                "against",
            )
        return candidate
    found = bundled.find("criteria", reference)
    if found:
        return found
    if (is_path or relative_to is None) and candidate.exists():  # a pipe, device or folder
        _refuse_special_files(candidate)
        raise InputError(candidate, "", "is a folder, not a criteria file")
    escaped = re.search(r"[\x00-\x1f\x7f]", reference) is not None
    raise InputError(
        relative_to or Path(reference),
        where if relative_to else "",
        f"criteria file '{reference.encode('unicode_escape').decode() if escaped else reference}'"
        " not found"
        + (" next to this file" if relative_to else "")
        + f", and no bundled criteria has that name (bundled: {available})"
        + (
            # "C:\temp\two.yaml" in double quotes: YAML reads \t as a tab
            "; it holds a control character: in double quotes a backslash starts an escape "
            "sequence (\\t is a tab), so write the path in single quotes or with forward slashes"
            if escaped
            else ""
        ),
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
    return replace(build_tree(spec, _shown(path), normalise), source=path)


def criteria_for(
    spec: ScoresFile,
    path: Path,
    locate: Locate,
    normalise: bool,
    cache: dict[Path, CriteriaTree],
) -> CriteriaTree:
    """The criteria a scores file names, each file read once however many name it.

    A workbook carries its own table on its Criteria sheet (see ``workbook_criteria``).
    """
    if is_workbook(path):
        from appraise.io.excel_io import Locations, workbook_criteria

        if isinstance(locate, Locations):
            return workbook_criteria(path, spec.criteria, locate, normalise, cache)
    criteria_path = resolve_criteria_path(spec.criteria, path, locate("criteria")).resolve()
    if criteria_path not in cache:
        cache[criteria_path] = load_criteria(criteria_path, normalise)
    return cache[criteria_path]


def load_scores(
    reference: str | Path,
    settings: Settings | None = None,
    cache: dict[Path, CriteriaTree] | None = None,
    scores_before: int = 0,
) -> ScoreSheet:
    """Load a scores file, the criteria it names, and validate one against the other.

    A file with several problems raises them all, as ``check`` lists them (so the count a
    command gives is the count ``check`` lists), each naming where it is. ``scores_before``
    is how many scores the files read before this one hold (``load_inputs``): all together
    are held to ``MAX_SCORES``, so memory stays bounded however many files a command reads.
    """
    settings = settings or Settings()
    path = resolve_scores_path(reference)
    workbook: tuple[Any, Locate] | None = None
    data: Any = None
    locate: Locate = _same
    try:
        data, locate = read_data(path, "scores")
        if is_workbook(path):  # bounded by the cell limits; reading it again takes seconds
            workbook = data, _fresh(locate)
        return _load_scores(path, data, locate, settings, cache, scores_before)
    except Refused:
        raise
    except AppraiseError as exc:
        first = exc
        traceback.clear_frames(exc.__traceback__)  # its frames hold the first reading: free it
    # Outside the handler, so that the first reading of a YAML or JSON file (five million
    # scores, say) is freed before ``check`` reads it again to list every problem; a
    # workbook's reading is handed to ``check`` instead.
    data, locate = None, _same
    from appraise.io.checking import check_files

    read: dict[Path, tuple[FileKind, Any, Locate]] | None = None
    if workbook is not None:
        read = {path: ("scores", *workbook)}
    every = [p for p in check_files([path], settings, read).problems if p.severity == "error"]
    if len(every) <= 1:
        raise first
    raise Problems(every)


def _fresh(locate: Locate) -> Locate:
    """A workbook's locations as reading left them, before loading adds its warnings."""
    from appraise.io.excel_io import Locations

    return replace(locate, warnings=[]) if isinstance(locate, Locations) else locate


def _load_scores(
    path: Path,
    data: Any,
    locate: Locate,
    settings: Settings,
    cache: dict[Path, CriteriaTree] | None,
    scores_before: int,
) -> ScoreSheet:
    raise_if_errors(getattr(locate, "problems", ()))  # a workbook's, found while reading
    spec = _parse(path, ScoresFile, "scores", data, locate, scores_before)
    del data
    tree = criteria_for(spec, path, locate, settings.normalise, {} if cache is None else cache)
    sheet = build_sheet(spec, _shown(path), tree, settings, locate)
    return replace(sheet, source=path)


def load_rules(path: Path) -> RulesFile:
    """Load a rules file; references are checked against groups by ``validate.check_rules``."""
    return _parse(path, RulesFile, "rules")


def load_rules_for(path: Path, sheets: Sequence[ScoreSheet]) -> tuple[list[Rule], list[str]]:
    """Load a rules file and check it against the groups being combined.

    Raises ``Problems`` listing every error (an unknown group or option); returns the rules and
    the warnings (a rule linking options of one group, an ``at_most`` that never binds) as
    notes, the same findings ``appraise check`` lists.
    """
    spec = load_rules(path)
    problems, notes = check_rules(spec, _shown(path), list(sheets))
    raise_if_errors(problems)
    return list(spec.rules), [*notes, *(str(p) for p in problems)]


def load_inputs(references: list[str | Path], settings: Settings | None = None) -> list[ScoreSheet]:
    """Load several scores files, sharing criteria files, at most ``MAX_SCORES`` in all."""
    cache: dict[Path, CriteriaTree] = {}
    sheets: list[ScoreSheet] = []
    before = 0
    for ref in references:
        sheets.append(load_scores(ref, settings, cache, before))
        before += count_scores(sheets[-1].spec)
    return sheets


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


SCORE_KEYS = ("scores", "scorers")


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
