"""The elicitation workbook: each body's judgements on a sheet of its own (CONTRACT 1.6).

Layout, declared once here for the writer and the reader:

- ``Elicitation``: ``key | value`` rows: criteria, title, combine.
- one sheet per body, named by its id: ``body | <id>`` and ``name | <name>``, then a block per
  family: a row ``family | <family> | method | <swing, points, pairwise or file>``, a header
  row ``id | name | value | <member ids>``, and a row per member. Swing and points go in the
  ``value`` column; a pairwise judgement goes in the grid above the diagonal (how many times as
  important the row's criterion is as the column's, 1/9 to 9, a number or ``1/3``), and the
  cells below it show the reciprocal. ``file`` keeps the criteria file's weights for that
  family.

Read back, it is the mapping an elicitation YAML file parses to, with each YAML path's cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from appraise.choices import POOLINGS
from appraise.data import CriteriaTree
from appraise.io.workbooks import open_values
from appraise.io.xlsx_cells import put_formula, put_number, put_text
from appraise.io.xlsx_guard import check_container
from appraise.io.xlsx_places import Locations
from appraise.io.xlsx_sheet import number_of, sheet_place
from appraise.io.xlsx_write import save_workbook
from appraise.model import ElicitationFile
from appraise.safe_text import cut
from appraise.validate.elicitation import METHODS, TOP, families, ratio

SETTINGS = "Elicitation"
FILE_METHOD = "file"
FIRST_BLOCK_ROW = 4
MAX_WORKBOOK_PART = 1_000_000  # bytes of xl/workbook.xml searched for the sheet's name
_BOLD = Font(bold=True)
_INPUT = PatternFill("solid", fgColor="FFF2CC")
_UNLOCKED = Protection(locked=False)


def _family_title(tree: CriteriaTree, family: str) -> str:
    return "the top-level criteria" if family == TOP else tree.name(family)


def write_elicitation_workbook(
    tree: CriteriaTree,
    criteria_ref: str,
    out: Path,
    bodies: list[tuple[str, str]],
    spec: ElicitationFile | None = None,
) -> None:
    """A workbook for each body's judgements (pre-filled from ``spec`` when given)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SETTINGS
    rows = [
        (
            "criteria",
            criteria_ref,
            "The criteria file: a path from this workbook, or a bundled name",
        ),
        ("title", spec.title if spec else f"Weighting {tree.title}", "What this workshop is"),
        (
            "combine",
            spec.combine if spec else "mean",
            "How bodies are pooled: mean, geometric, median",
        ),
    ]
    for r, (key, value, note) in enumerate(rows, start=1):
        _put(ws, r, 1, key).font = _BOLD
        _put(ws, r, 2, value)
        _put(ws, r, 3, note)
        if key != "criteria":
            ws.cell(row=r, column=2).fill = _INPUT
    pooling = DataValidation(type="list", formula1=f'"{",".join(POOLINGS)}"', allow_blank=False)
    ws.add_data_validation(pooling)
    pooling.add("B3")
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 12, 40
    ws.column_dimensions["C"].width = 70
    given = {b.id: b for b in spec.bodies} if spec else {}
    for body_id, name in bodies:
        _body_sheet(wb.create_sheet(cut(body_id, 31)), tree, body_id, name, given.get(body_id))
    save_workbook(wb, out)


def _put(ws: Worksheet, row: int, column: int, value: str | float | None) -> Cell:
    """A value in a cell: text always as text (a name starting with = is not a formula)."""
    if isinstance(value, str):
        return put_text(ws, row, column, value)
    return put_number(ws, row, column, value)


def _body_sheet(ws: Worksheet, tree: CriteriaTree, body_id: str, name: str, body: Any) -> None:
    for r, (key, text) in enumerate((("body", body_id), ("name", name)), start=1):
        _put(ws, r, 1, key)
        _put(ws, r, 2, text)
    ws["A1"].font = ws["A2"].font = _BOLD
    ws["B2"].fill, ws["B2"].protection = _INPUT, _UNLOCKED
    methods = DataValidation(
        type="list", formula1=f'"{",".join((*METHODS, FILE_METHOD))}"', allow_blank=False
    )
    judged = DataValidation(
        type="decimal",
        operator="between",
        formula1=repr(1 / 9),
        formula2="9",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Judgement off the scale",
        error="How many times as important: from 1/9 (enter =1/9) to 9.",
    )
    ws.add_data_validation(methods)
    ws.add_data_validation(judged)
    row = FIRST_BLOCK_ROW
    for family, members in families(tree).items():
        method, values, pairs = _stated(body, family)
        _put(ws, row, 1, "family").font = _BOLD
        _put(ws, row, 2, family)
        _put(ws, row, 3, "method").font = _BOLD
        cell = _put(ws, row, 4, method)
        cell.fill, cell.protection = _INPUT, _UNLOCKED
        methods.add(cell.coordinate)
        _put(ws, row, 5, f"({_family_title(tree, family)})")
        header = ["id", "name", "value", *members]
        for c, text in enumerate(header, start=1):
            _put(ws, row + 1, c, text).font = _BOLD
        for i, member in enumerate(members):
            r = row + 2 + i
            _put(ws, r, 1, member)
            _put(ws, r, 2, tree.name(member))
            value = _put(ws, r, 3, values.get(member))
            value.fill, value.protection = _INPUT, _UNLOCKED
            for j, other in enumerate(members):
                grid = ws.cell(row=r, column=4 + j)
                if i == j:
                    grid.value = 1
                elif i < j:
                    grid.value = pairs.get((member, other))
                    grid.fill, grid.protection = _INPUT, _UNLOCKED
                    judged.add(grid.coordinate)
                else:  # the reciprocal of the judgement above the diagonal, shown not entered
                    mirror = f"{get_column_letter(4 + i)}{row + 2 + j}"
                    above = pairs.get((other, member))
                    shown = "" if above is None else 1 / above
                    put_formula(ws, r, 4 + j, f'=IF(ISNUMBER({mirror}),1/{mirror},"")', shown)
        row += len(members) + 3
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 22, 50
    ws.protection.sheet = True


def _stated(body: Any, family: str) -> tuple[str, dict[str, float], dict[tuple[str, str], float]]:
    if body is None:
        return FILE_METHOD, {}, {}
    if family in body.swing:
        return "swing", dict(body.swing[family]), {}
    if family in body.points:
        return "points", dict(body.points[family]), {}
    if family in body.pairwise:
        pairs: dict[tuple[str, str], float] = {}
        for a, b, v in body.pairwise[family]:
            pairs[a, b] = ratio(v)
            pairs[b, a] = 1 / ratio(v)
        return "pairwise", {}, pairs
    return FILE_METHOD, {}, {}


def is_elicitation_workbook(path: Path) -> bool:
    """Whether a workbook is an elicitation workbook (it has an ``Elicitation`` sheet).

    Read from the package's workbook part alone, after the container is checked. An .ods or
    .xls file is a scoring workbook (appraise writes elicitation workbooks as .xlsx only).
    """
    import zipfile

    from appraise.io.sniff import workbook_format

    if workbook_format(path) != "xlsx":
        return SETTINGS in open_values(path)[0].sheetnames
    check_container(path)
    try:
        with zipfile.ZipFile(path) as archive:
            part = archive.read("xl/workbook.xml")[:MAX_WORKBOOK_PART]
    except (KeyError, zipfile.BadZipFile, OSError):
        return False  # the scores reader says what is wrong with it
    return f'name="{SETTINGS}"'.encode() in part


def read_elicitation_workbook(path: Path) -> tuple[dict[str, Any], Locations]:
    """The mapping an elicitation YAML file parses to, and the cell of each of its parts."""
    wb, _ = open_values(path)
    where: dict[str, str] = {}
    data: dict[str, Any] = {}
    if SETTINGS in wb.sheetnames:
        settings = wb.worksheets[wb.sheetnames.index(SETTINGS)]
        for r in range(1, settings.max_row + 1):
            key = settings.cell(row=r, column=1).value
            value = settings.cell(row=r, column=2).value
            if (
                isinstance(key, str)
                and key in ("criteria", "title", "combine")
                and value is not None
            ):
                data[key] = value
                where[key] = sheet_place(SETTINGS, r, 2)
    bodies: list[dict[str, Any]] = []
    for ws in wb.worksheets:
        if ws.title == SETTINGS or ws.cell(row=1, column=1).value != "body":
            continue
        base = f"bodies[{len(bodies)}]"
        body: dict[str, Any] = {"id": ws["B1"].value, "name": ws["B2"].value}
        where[f"{base}.id"], where[f"{base}.name"] = (
            sheet_place(ws.title, 1, 2),
            sheet_place(ws.title, 2, 2),
        )
        where[base] = f"sheet '{cut(ws.title)}'"
        _read_families(ws, base, body, where)
        bodies.append(body)
    data["bodies"] = bodies
    return data, Locations(where, sheets=tuple(wb.sheetnames))


def _read_families(ws: Worksheet, base: str, body: dict[str, Any], where: dict[str, str]) -> None:
    row = 1
    while row <= ws.max_row:
        if ws.cell(row=row, column=1).value != "family":
            row += 1
            continue
        family, method = ws.cell(row=row, column=2).value, ws.cell(row=row, column=4).value
        members: list[str] = []
        r = row + 2
        while r <= ws.max_row and ws.cell(row=r, column=1).value not in (None, "family"):
            members.append(str(ws.cell(row=r, column=1).value))
            r += 1
        method = str(method).strip().casefold() if method is not None else FILE_METHOD
        at = f"{base}.{method}.{family}"
        where[at] = sheet_place(ws.title, row, 4)
        if method in ("swing", "points"):
            values = {}
            for i, member in enumerate(members):
                value = number_of(ws.cell(row=row + 2 + i, column=3).value)
                if value is not None:
                    values[member] = value
                    where[f"{at}.{member}"] = sheet_place(ws.title, row + 2 + i, 3)
            body.setdefault(method, {})[family] = values
        elif method == "pairwise":
            judgements: list[list[Any]] = []
            for i, a in enumerate(members):
                for j, b in enumerate(members):
                    if j <= i:
                        continue
                    value = ws.cell(row=row + 2 + i, column=4 + j).value
                    if value is None:
                        continue
                    where[f"{at}[{len(judgements)}]"] = sheet_place(ws.title, row + 2 + i, 4 + j)
                    judgements.append([a, b, number_of(value)])
            body.setdefault("pairwise", {})[family] = judgements
        elif method != FILE_METHOD:
            body.setdefault(method, {})[family] = {}  # an unknown method: the model names it
        row = r
