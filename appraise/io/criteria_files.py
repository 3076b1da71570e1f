"""Criteria files: loaded by path or bundled name, and found for the scores file naming them.

A workbook carries its own criteria table on its Criteria sheet (``workbook_criteria``).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from appraise.data import CriteriaTree
from appraise.errors import Problem, raise_if_errors
from appraise.io.files import CRITERIA_SUFFIXES, is_workbook, resolve_criteria_path, shown_path
from appraise.io.parsing import Locate, parse
from appraise.messages import validation_problems
from appraise.model import CriteriaFile, ScoresFile
from appraise.validate import build_tree, check_criteria

if TYPE_CHECKING:
    from appraise.io.xlsx_places import Locations


def load_criteria(
    reference: str | Path, normalise: bool = False, relative_to: Path | None = None
) -> CriteriaTree:
    """Load and validate a criteria file given by path or bundled name."""
    path = resolve_criteria_path(str(reference), relative_to)
    spec = parse(path, CriteriaFile, "criteria")
    return replace(build_tree(spec, shown_path(path), normalise), source=path)


def criteria_for(
    spec: ScoresFile,
    path: Path,
    locate: Locate,
    normalise: bool,
    cache: dict[Path, CriteriaTree],
    instead: str | None = None,
) -> CriteriaTree:
    """The criteria a scores file names, each file read once however many name it.

    A workbook carries its own table on its Criteria sheet (see ``workbook_criteria``).
    ``instead`` (``--criteria``: a path as typed, or a bundled name) replaces either.
    """
    if instead is not None:
        chosen = resolve_criteria_path(instead).resolve()
        if chosen not in cache:
            cache[chosen] = load_criteria(chosen, normalise)
        return cache[chosen]
    if is_workbook(path):
        from appraise.io.xlsx_places import Locations

        if isinstance(locate, Locations):
            return workbook_criteria(path, spec.criteria, locate, normalise, cache)
    criteria_path = resolve_criteria_path(spec.criteria, path, locate("criteria")).resolve()
    if criteria_path not in cache:
        cache[criteria_path] = load_criteria(criteria_path, normalise)
    return cache[criteria_path]


def _table(spec: CriteriaFile) -> list[tuple[str, str, str | None, float]]:
    """What the Criteria sheet shows of a criteria file: (id, name, parent, weight) per row."""
    rows: list[tuple[str, str, str | None, float]] = []
    for c in spec.criteria:
        rows.append((c.id, c.name, None, c.weight))
        rows += [(s.id, s.name, c.id, s.weight) for s in c.sub or []]
    return rows


def _difference(sheet: CriteriaFile, file: CriteriaFile) -> str:
    """The first row where the Criteria sheet and a criteria file part, in words."""
    if sheet.normalise != file.normalise:
        return f"normalise is {'yes' if sheet.normalise else 'no'} on the sheet"
    ours, theirs = _table(sheet), _table(file)
    for a, b in zip(ours, theirs, strict=False):
        if a[0] != b[0]:
            return f"'{a[0]}' on the sheet where the file has '{b[0]}'"
        if a[3] != b[3]:
            return f"the weight of '{a[0]}' is {a[3]:g} on the sheet, {b[3]:g} in the file"
        if a != b:
            return f"'{a[0]}' is named or placed differently"
    return f"the sheet has {len(ours)} criteria and sub-criteria, the file {len(theirs)}"


def workbook_criteria(
    path: Path,
    reference: str,
    where: Locations,
    normalise: bool,
    cache: dict[Path, CriteriaTree],
) -> CriteriaTree:
    """The criteria a workbook is scored against: its Criteria sheet, when that is whole.

    The sheet is what the scorers saw and travels with the workbook, so a workbook moved away
    from the file its Group sheet names still reads. The named file is used when it holds the
    same table (it may also hold weight sets and gates the sheet does not show); when it is
    missing, or differs, the sheet is used and a note says so. Without a whole Criteria sheet
    (a hand-made workbook) the named file is the only source, as for a YAML scores file.
    """
    from appraise.io.xlsx_places import Locations

    place = where("criteria")

    def named_file() -> CriteriaTree:
        file = resolve_criteria_path(reference, path, place).resolve()
        if file not in cache:
            cache[file] = load_criteria(file, normalise)
        return cache[file]

    if where.criteria is None:
        return named_file()
    shown = shown_path(path)
    at_sheet = Locations(where.criteria_cells)
    try:
        spec = CriteriaFile.model_validate(where.criteria)
    except ValidationError as exc:  # a Criteria sheet edited by hand: the file decides
        first = validation_problems(exc, shown)[0]
        sheet_note = f"the Criteria sheet is not a whole table ({at_sheet(first.where)}: "
        sheet_note += f"{first.message})"
        tree = named_file()
        return replace(tree, notes=(*tree.notes, f"{shown}: {sheet_note}; {tree.path} is used"))
    moved = (
        Path(reference).suffix.lower() in CRITERIA_SUFFIXES
        and not (path.parent / reference).is_file()
    )
    if moved:
        why = f"the criteria file '{reference}' named at {place} is not there"
    else:
        tree = named_file()
        if "normalise" not in where.criteria:  # a template made before the sheet said so
            spec = spec.model_copy(update={"normalise": tree.spec.normalise})
        if _table(tree.spec) == _table(spec) and tree.spec.normalise == spec.normalise:
            return tree
        why = f"it differs from {tree.path}, named at {place} ({_difference(spec, tree.spec)})"
        # Not a note alone: `check` lists it, so a weight edited on the sheet is never used
        # without a reviewer seeing it (the sheet's weights are the ones ranked).
        where.warnings.append(
            Problem(
                shown,
                "sheet 'Criteria'",
                f"the Criteria sheet differs from {tree.path} ({_difference(spec, tree.spec)}); "
                "the sheet's table is used",
                "warning",
            )
        )
    label = f"{shown}, sheet 'Criteria'"
    problems, notes = check_criteria(spec, label, normalise)
    raise_if_errors(replace(p, path=shown, where=at_sheet(p.where)) for p in problems)
    note = f"{shown}: the workbook's Criteria sheet is used: {why}"
    if moved:  # the sheet holds the table only: say what the file would have added
        note += "; weight sets (and any gates) kept only in the criteria file do not apply"
    return CriteriaTree(spec, label, (*notes, note), source=path)
