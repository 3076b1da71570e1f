"""An elicitation file read and checked against the criteria tree it weighs."""

from __future__ import annotations

from pathlib import Path

from appraise import bundled
from appraise.data import CriteriaTree
from appraise.errors import InputError, raise_if_errors
from appraise.io.criteria_files import load_criteria
from appraise.io.faults import is_there
from appraise.io.files import shown_path
from appraise.io.parsing import parse
from appraise.model import ElicitationFile
from appraise.validate.elicitation import check_elicitation


def resolve_elicitation_path(reference: str | Path) -> Path:
    """An elicitation file given on the command line: a path, else a bundled example's name."""
    path = Path(reference)
    if is_there(path):
        return path
    found = bundled.find("examples", str(reference))
    if found:
        return found
    raise InputError(path, "", "file not found, and no bundled example has that name")


def load_elicitation(reference: str | Path) -> tuple[ElicitationFile, CriteriaTree, Path]:
    """The file, the criteria it names (a path from its folder, or a bundled name), its path.

    Raises ``Problems`` listing every problem of the judgements at once.
    """
    path = resolve_elicitation_path(reference)
    spec = parse(path, ElicitationFile, "elicitation")
    tree = load_criteria(spec.criteria, relative_to=path)
    raise_if_errors(check_elicitation(spec, tree, shown_path(path)))
    return spec, tree, path
