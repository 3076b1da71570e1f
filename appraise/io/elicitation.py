"""An elicitation file read and checked against the criteria tree it weighs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from appraise.data import CriteriaTree
from appraise.errors import raise_if_errors
from appraise.io.criteria_files import load_criteria
from appraise.io.files import resolve_given, shown_path
from appraise.io.parsing import parse, read_data
from appraise.model import ElicitationFile
from appraise.validate.elicitation import check_elicitation


def resolve_elicitation_path(reference: str | Path) -> Path:
    """An elicitation file given on the command line: a path, else a bundled example's name."""
    return resolve_given(reference, "examples")


def load_elicitation(reference: str | Path) -> tuple[ElicitationFile, CriteriaTree, Path]:
    """The file, the criteria it names (a path from its folder, or a bundled name), its path.

    Raises ``Problems`` listing every problem of the judgements at once.
    """
    path = resolve_elicitation_path(reference)
    data, locate = read_data(path, "elicitation")
    spec = parse(path, ElicitationFile, "elicitation", data, locate)
    tree = load_criteria(spec.criteria, relative_to=path)
    problems = check_elicitation(spec, tree, shown_path(path))
    raise_if_errors(replace(p, where=locate(p.where)) for p in problems)
    return spec, tree, path


def make_elicitation_workbook(
    out: Path,
    criteria: str | None = None,
    bodies: list[str] | None = None,
    elicitation: str | None = None,
    force: bool = False,
) -> Path:
    """Write an elicitation workbook atomically.

    Blank for ``bodies`` on ``criteria`` (each family 'file' until a body states it), or
    pre-filled from an ``elicitation`` file (its criteria, bodies and judgements).
    """
    import os

    from appraise.io.elicitation_workbook import write_elicitation_workbook
    from appraise.io.files import CRITERIA_SUFFIXES, resolve_criteria_path
    from appraise.io.safe_write import require_suffix, write_atomically

    require_suffix(out, ".xlsx", "the elicitation workbook")
    spec = None
    if elicitation is not None:
        spec, tree, source = load_elicitation(elicitation)
        criteria_path = tree.source or Path(tree.path)
        inputs = [source, criteria_path]
        named = [(b.id, b.name) for b in spec.bodies]
        given_ref = spec.criteria
        is_path = Path(given_ref).suffix.lower() in CRITERIA_SUFFIXES
    else:
        criteria_path = resolve_criteria_path(str(criteria))
        tree = load_criteria(criteria_path)
        inputs = [criteria_path]
        named = [(b, b) for b in bodies or ["body-1"]]
        given_ref = str(criteria)
        is_path = Path(given_ref).is_file()
    if is_path:  # a path: from the workbook's folder, as the reader resolves it
        reference = Path(os.path.relpath(criteria_path.resolve(), out.resolve().parent)).as_posix()
    else:
        reference = given_ref
    return write_atomically(
        out,
        lambda target: write_elicitation_workbook(tree, reference, target, named, spec),
        inputs=inputs,
        force=force,
    )
