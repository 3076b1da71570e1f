"""Where a workbook's data came from, and its problems in the order of its sheets and cells."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils import column_index_from_string

from appraise.errors import Problem


@dataclass(frozen=True)
class Locations:
    """Where each YAML path of a workbook's data came from (sheet and cell).

    Also what else reading found: its problems, the order of its sheets, and the Criteria
    sheet's table (see ``workbook_criteria``).
    """

    cells: dict[str, str]
    problems: tuple[Problem, ...] = ()
    sheets: tuple[str, ...] = ()
    criteria: dict[str, Any] | None = None
    criteria_cells: dict[str, str] = field(default_factory=dict)
    missing_columns: bool = False
    # Warnings found once the criteria are read (after the cells): `check` lists them too.
    warnings: list[Problem] = field(default_factory=list)

    def __call__(self, yaml_path: str) -> str:
        """The most specific sheet/cell known for a YAML path such as ``options[2].scores.x``."""
        path = yaml_path
        while path:
            if path in self.cells:
                return self.cells[path]
            cut = max(path.rfind("."), path.rfind("["))
            if cut <= 0:
                break
            path = path[:cut]
        return yaml_path


_PLACE = re.compile(
    r"sheet '(?P<sheet>[^']*)'(?:, (?:cells? (?P<col>[A-Z]+)(?P<row>\d+)\S*|rows? (?P<r>\d+)\S*"
    r"|columns? (?P<c>[A-Z]+)\S*))?$"
)


def where_sort(where: str, sheets: tuple[str, ...]) -> tuple[int, int, int, int]:
    """(sheet, row, column) of a place as ``place`` writes it; the file itself first."""
    if not where:
        return (0, 0, 0, 0)
    match = _PLACE.match(where)
    if match is None:
        return (2, 0, 0, 0)  # not a place in a sheet: after every sheet's
    sheet = match["sheet"]
    index = sheets.index(sheet) if sheet in sheets else len(sheets)
    row = int(match["row"] or match["r"] or 0)
    col = match["col"] or match["c"]
    return (1, index, row, column_index_from_string(col) if col else 0)


def sort_problems(problems: Iterable[Problem], sheets: tuple[str, ...]) -> list[Problem]:
    """A workbook's problems in the order of its sheets, rows and columns (stable otherwise)."""
    return sorted(problems, key=lambda p: where_sort(p.where, sheets))


def merge_problems(
    read: Iterable[Problem], validation: Iterable[Problem], sheets: tuple[str, ...]
) -> list[Problem]:
    """Reading's problems and validation's, one message per problem, by sheet and cell.

    A validation finding is dropped when reading already reported its place, or a cell in the
    row it names (the option with no Scores rows, reported in workbook words), and when it
    repeats one already listed.
    """
    read = list(read)
    taken = {p.where for p in read}
    rows = {where_sort(p.where, sheets)[:3] for p in read}
    merged: list[Problem] = list(read)
    seen = {(p.path, p.where, p.message) for p in read}
    for p in validation:
        key = where_sort(p.where, sheets)
        if p.where in taken or (key[3] == 0 and key[2] and key[:3] in rows):
            continue
        if (p.path, p.where, p.message) not in seen:
            seen.add((p.path, p.where, p.message))
            merged.append(p)
    return sort_problems(merged, sheets)
