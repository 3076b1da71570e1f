"""CWG scoring workbooks: write a template, and read a filled one into the same data as YAML.

Layout (one long table of scores, so any number of scorers fits without new sheets):

- ``Instructions``: how to fill the workbook in.
- ``Group``: ``key | value`` rows: group, name, criteria, scale_min, scale_max, round,
  illustrative, description.
- ``Criteria``: the criteria with weights, read-only (protected).
- ``Options``: ``id | name | status_quo | description | notes``.
- ``Scorers``: ``id | name | role | organisation``.
- ``Scores``: a row of criterion names, then the header row ``scorer | option | <leaf ids> |
  evidence``, then one row per scorer and option (scorer left blank for consensus scores).
- ``Interests``: ``scorer | option | interest``.
- ``Gates``: ``id | name | description``; ``Gate results``: ``option | gate | pass | reason``.

Reading builds the same mapping a YAML scores file parses to, plus a map from each YAML path
to the sheet and cell it came from, so every validation message names the cell.
"""

from __future__ import annotations

import math
import os
import posixpath
import re
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import openpyxl
from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import ValidationError

from appraise.errors import InputError, Problem, Problems, raise_if_errors
from appraise.io.safe_write import save_via_memory
from appraise.io.workbook.writing import MAX_CELL_TEXT, set_text
from appraise.model import (
    MAX_SHEET_ROWS,
    MAX_UNZIPPED_BYTES,
    MAX_WORKBOOK_CELLS,
    MAX_XLSX_BYTES,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
    SLUG_PATTERN,
    CriteriaFile,
    CriterionSpec,
    ScoresFile,
    SubCriterionSpec,
    validation_problems,
)
from appraise.validate import check_criteria, nearest
from appraise.weights import CriteriaTree, Level, global_weights, percent_text

MAX_ROWS = MAX_SHEET_ROWS
TEMPLATE_ROWS = 200
CONSENSUS = "consensus"
MILESTONE = "milestone:"

GROUP_KEYS = (
    ("group", "Working group id: lowercase letters, digits, '-' and '_' (e.g. urgent-care)"),
    ("name", "Working group name as people say it"),
    ("criteria", "The criteria file: a path relative to this workbook, or a bundled name"),
    ("scale_min", "Lowest score on the scale (e.g. 1, or -2)"),
    ("scale_max", "Highest score on the scale (e.g. 5, or 2)"),
    ("round", "Scoring round: indicative (top-level criteria) or rescore (sub-criteria)"),
    ("illustrative", "yes if the scores are invented for illustration"),
    ("description", "What the group is deciding (optional)"),
)
TABLES = {
    "Options": (
        "id",
        "name",
        "status_quo",
        "description",
        "notes",
        "status",
        "status_reason",
        "dissent",
    ),
    "Scorers": ("id", "name", "role", "organisation"),
    "Interests": ("scorer", "option", "interest"),
    "Gates": ("id", "name", "description"),
    "Gate results": ("option", "gate", "pass", "reason"),
}
_KEYS = [k for k, _ in GROUP_KEYS]
_YES = {"yes", "y", "true", "1", "x", "pass", "passed"}
_NO = {"no", "n", "false", "0", "", "fail", "failed"}
_HEADER = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="305496")
_NOTE = Font(italic=True, color="595959")
_INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
_UNLOCKED = Protection(locked=False)


# --- writing ------------------------------------------------------------------------------


def _text(cell: Cell | MergedCell, value: str | None) -> None:
    """Put text in a cell as text, never as a formula, as the HCE workbook does (``set_text``)."""
    if value is None:
        cell.value = None
    else:
        set_text(cell, value)


def _put(cell: Cell | MergedCell, value: Any) -> None:
    """Text as text (see ``_text``); numbers and blanks as they are."""
    if isinstance(value, str) or value is None:
        _text(cell, value)
    else:
        cell.value = value


def _write_rows(ws: Worksheet, first_row: int, rows: list[list[Any]]) -> None:
    for r, values in enumerate(rows, start=first_row):
        for c, value in enumerate(values, start=1):
            _put(ws.cell(row=r, column=c), value)


def _header(ws: Worksheet, row: int, names: tuple[str, ...] | list[str]) -> None:
    for col, name in enumerate(names, start=1):
        cell = ws.cell(row=row, column=col)
        _text(cell, name)
        cell.font, cell.fill = _HEADER, _HEADER_FILL


def _widths(ws: Worksheet, widths: list[int]) -> None:
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _unlock(ws: Worksheet, first_row: int, last_row: int, columns: int) -> None:
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, max_col=columns):
        for cell in row:
            cell.protection = _UNLOCKED
            cell.fill = _INPUT_FILL


def _protect(ws: Worksheet) -> None:
    """Lock the structure (ids, headers, weights); unlocked cells stay editable."""
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widening a column is harmless
    ws.protection.sort = False
    ws.protection.autoFilter = False


@dataclass
class _Template:
    tree: CriteriaTree
    criteria_ref: str
    level: Level
    spec: ScoresFile | None
    scale: tuple[float, float] | None = None
    wb: Workbook = field(default_factory=openpyxl.Workbook)

    @property
    def leaves(self) -> tuple[str, ...]:
        return self.tree.leaves(self.level)

    def instructions(self) -> None:
        ws = self.wb.active
        assert ws is not None
        ws.title = "Instructions"
        spec = self.spec
        lines = [
            "appraise scoring workbook",
            "",
            "1. Group: check the group id, name and scale (yellow cells are yours to fill).",
            "2. Options: one row per viable option; mark the current configuration "
            "status_quo = yes.",
            "3. Scorers: one row per panel member (leave empty for consensus scores).",
            "4. Scores: one row per scorer and option; a score in every criterion column, on the "
            "scale. Leave the scorer blank for consensus scores. Put your reasoning in 'evidence'.",
            "5. Interests: any interest a scorer declares in an option.",
            "6. Gates / Gate results: pass/fail hurdles, and each option's result with a reason.",
            "",
            "The Criteria sheet and the header rows are locked so ids and weights cannot be "
            "edited by accident. Then run:  appraise check THIS.xlsx  and  appraise rank THIS.xlsx",
        ]
        if spec is not None and spec.illustrative:
            lines.insert(
                1, "ILLUSTRATIVE SCORES: pre-filled from a file whose scores are invented."
            )
        for row, line in enumerate(lines, start=1):
            _text(ws.cell(row=row, column=1), line)
        ws["A1"].font = Font(bold=True, size=14)
        ws.column_dimensions["A"].width = 110
        _protect(ws)

    def group(self) -> None:
        ws = self.wb.create_sheet("Group")
        spec = self.spec
        values: dict[str, Any] = {
            "group": spec.group if spec else "my-group",
            "name": spec.name if spec else "My working group",
            "criteria": self.criteria_ref,
            "scale_min": self._scale()[0],
            "scale_max": self._scale()[1],
            # A pre-filled workbook keeps the file's round as it is (even none).
            "round": spec.round
            if spec
            else ("indicative" if self.level == "criteria" else "rescore"),
            "illustrative": "yes" if spec and spec.illustrative else "no",
            "description": spec.description if spec else None,
        }
        _header(ws, 1, ["key", "value", "what it is"])
        for row, (key, help_text) in enumerate(GROUP_KEYS, start=2):
            _text(ws.cell(row=row, column=1), key)
            value = values[key]
            cell = ws.cell(row=row, column=2)
            _put(cell, value)
            _text(ws.cell(row=row, column=3), help_text)
            ws.cell(row=row, column=3).font = _NOTE
            if key != "criteria":
                cell.protection, cell.fill = _UNLOCKED, _INPUT_FILL
        yes_no = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
        ws.add_data_validation(yes_no)
        yes_no.add(f"B{2 + [k for k, _ in GROUP_KEYS].index('illustrative')}")
        _widths(ws, [14, 40, 80])
        _protect(ws)

    def criteria(self) -> None:
        ws = self.wb.create_sheet("Criteria")
        _header(ws, 1, ["id", "name", "criterion", "weight", "global weight"])
        tree, row = self.tree, 2
        weights = dict(zip(self.leaves, global_weights(tree, self.level), strict=True))
        for criterion in tree.spec.criteria:
            nodes: list[tuple[CriterionSpec | SubCriterionSpec, str | None]] = [(criterion, None)]
            nodes += [(s, criterion.id) for s in criterion.sub or []]
            for node, parent in nodes:
                _text(ws.cell(row=row, column=1), node.id)
                _text(ws.cell(row=row, column=2), node.name)
                _text(ws.cell(row=row, column=3), parent)
                ws.cell(row=row, column=4, value=node.weight)
                if node.id in weights:
                    cell = ws.cell(row=row, column=5, value=float(weights[node.id]))
                    cell.number_format = "0.0%"
                if parent is None:
                    for col in range(1, 6):
                        ws.cell(row=row, column=col).font = Font(bold=True)
                row += 1
        _text(ws.cell(row=row + 1, column=1), f"Read-only. Source: {tree.path}")
        ws.cell(row=row + 1, column=1).font = _NOTE
        # Read back with the table when the criteria file is not beside the workbook.
        _text(ws.cell(row=row + 2, column=1), "normalise")
        _text(ws.cell(row=row + 2, column=2), "yes" if tree.spec.normalise else "no")
        _text(
            ws.cell(row=row + 2, column=3),
            "yes: a family whose weights do not sum to 100 is rescaled to 100",
        )
        ws.cell(row=row + 2, column=3).font = _NOTE
        _widths(ws, [22, 70, 16, 10, 14])
        ws.freeze_panes = "A2"
        _protect(ws)

    def table(self, title: str, rows: list[list[Any]], extra: list[str] | None = None) -> Worksheet:
        ws: Worksheet = self.wb.create_sheet(title)
        columns = (*TABLES[title], *(extra or []))
        _header(ws, 1, columns)
        _write_rows(ws, 2, rows)
        last = max(len(rows) + 1, TEMPLATE_ROWS)
        _unlock(ws, 2, last, len(columns))
        ws.freeze_panes = "A2"
        _widths(ws, ([22, 44, 16, 50, 50] + [14] * len(columns))[: len(columns)])
        _protect(ws)
        return ws

    def scores(self) -> None:
        ws = self.wb.create_sheet("Scores")
        leaves = self.leaves
        weights = dict(zip(leaves, global_weights(self.tree, self.level), strict=True))
        columns = ["scorer", "option", *leaves, "evidence"]
        for c, leaf in enumerate(leaves, start=3):
            cell = ws.cell(row=1, column=c)
            _text(cell, f"{self.tree.name(leaf)} ({percent_text(weights[leaf])}%)")
            cell.font, cell.alignment = _NOTE, Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[1].height = 60
        _header(ws, 2, columns)
        rows = list(self._score_rows(leaves))
        _write_rows(ws, 3, rows)
        last = max(len(rows) + 2, TEMPLATE_ROWS)
        _unlock(ws, 3, last, len(columns))
        # The scale's cells on the Group sheet, not its numbers: the scale may be changed there.
        low, high = (f"Group!$B${2 + _KEYS.index(k)}" for k in ("scale_min", "scale_max"))
        scale = DataValidation(
            type="decimal",
            operator="between",
            formula1=low,
            formula2=high,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="Score off the scale",
            error="Scores are numbers from scale_min to scale_max on the Group sheet.",
        )
        ws.add_data_validation(scale)
        scale.add(f"C3:{get_column_letter(2 + len(leaves))}{last}")
        options = DataValidation(
            type="list", formula1=f"Options!$A$2:$A${TEMPLATE_ROWS}", allow_blank=True
        )
        ws.add_data_validation(options)
        options.add(f"B3:B{last}")
        ws.freeze_panes = "C3"
        _widths(ws, [18, 22, *([12] * len(leaves)), 60])
        _protect(ws)

    def _scale(self) -> tuple[float, float]:
        if self.scale is not None:
            return self.scale
        return (self.spec.scale.min, self.spec.scale.max) if self.spec else (1.0, 5.0)

    def _score_rows(self, leaves: tuple[str, ...]) -> Iterator[list[Any]]:
        if self.spec is None:
            return
        for option in self.spec.options:
            rows = {CONSENSUS: option.scores} if option.scores is not None else option.scorers
            for scorer, scores in (rows or {}).items():
                yield [
                    None if scorer == CONSENSUS else scorer,
                    option.id,
                    *((scores or {}).get(leaf) for leaf in leaves),
                    option.evidence.get(scorer),
                ]


def _fits_in_cells(spec: ScoresFile, path: str) -> None:
    """Refuse text a template cell cannot hold whole, rather than cut what is read back.

    An option's dissent goes into one cell, a line each; Excel holds 32,767 characters a cell.
    """
    for i, option in enumerate(spec.options):
        texts = {
            "notes": option.notes,
            "description": option.description,
            "status_reason": option.status_reason,
            "dissent": "\n".join(option.dissent),
        }
        for key, text in texts.items():
            if text and len(text) > MAX_CELL_TEXT:
                raise InputError(
                    path,
                    f"options[{i}].{key}",
                    f"{len(text):,} characters, more than a workbook cell holds "
                    f"({MAX_CELL_TEXT:,}); a template would cut it: shorten it, or keep this "
                    "group's scores in YAML",
                )


def _fits_in_workbook(spec: ScoresFile, columns: int, path: str) -> None:
    """Refuse a template that ``rank`` could not read back (``MAX_ROWS``, ``MAX_WORKBOOK_CELLS``).

    The Scores sheet has two heading rows, then a row per option and scorer (at least up to
    ``TEMPLATE_ROWS``, each with its cells formatted for entry); a column per criterion scored,
    and the scorer, option and comment columns.
    """
    data_rows = sum(max(1, len(option.scorers or {})) for option in spec.options)
    rows = max(data_rows + 2, TEMPLATE_ROWS)
    cells = (rows - 1) * (columns + 3) + columns
    if rows > MAX_ROWS or cells > MAX_WORKBOOK_CELLS:
        raise InputError(
            path,
            "options",
            f"a template of this file needs {rows:,} rows and {cells:,} cells on its Scores "
            f"sheet; a workbook appraise reads holds at most {MAX_ROWS:,} rows a sheet and "
            f"{MAX_WORKBOOK_CELLS:,} cells: keep this group's scores in YAML or JSON",
        )


def write_template(
    tree: CriteriaTree,
    criteria_ref: str,
    out: Path,
    spec: ScoresFile | None = None,
    level: Level = "leaves",
    scale: tuple[float, float] | None = None,
) -> None:
    """Write a scoring workbook for one group to ``out`` (the caller makes the write atomic)."""
    t = _Template(tree, criteria_ref, level, spec, scale)
    t.instructions()
    t.group()
    t.criteria()
    options = spec.options if spec else []
    attributes = list(dict.fromkeys(a for o in options for a in o.attributes))
    milestones = list(dict.fromkeys(m for o in options for m in o.milestones))
    t.table(
        "Options",
        [
            [o.id, o.name, "yes" if o.status_quo else "no", o.description, o.notes]
            + [o.status, o.status_reason, "\n".join(o.dissent) or None]
            + [o.milestones.get(m) for m in milestones]
            + [o.attributes.get(a) for a in attributes]
            for o in options
        ]
        or [["status-quo", "Keep the current configuration", "yes", None, None]],
        extra=[MILESTONE + m for m in milestones] + attributes,
    )
    scorers = spec.scorers if spec else {}
    t.table("Scorers", [[k, s.name, s.role, s.organisation] for k, s in scorers.items()])
    t.scores()
    t.table(
        "Interests",
        [[k, o, text] for k, s in scorers.items() for o, text in s.interests.items()],
    )
    gates = spec.gates if spec else []
    t.table("Gates", [[g.id, g.name, g.description] for g in gates])
    t.table(
        "Gate results",
        [
            [o.id, g, "pass" if r.passed else "fail", r.reason]
            for o in options
            for g, r in o.gates.items()
        ],
    )
    yes_no = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    t.wb["Options"].add_data_validation(yes_no)
    yes_no.add(f"C2:C{TEMPLATE_ROWS}")
    pass_fail = DataValidation(type="list", formula1='"pass,fail"', allow_blank=True)
    t.wb["Gate results"].add_data_validation(pass_fail)
    pass_fail.add(f"C2:C{TEMPLATE_ROWS}")
    save_via_memory(t.wb, out)


# --- reading ------------------------------------------------------------------------------


def _check_container(path: Path) -> None:
    """Refuse files that are not zip workbooks, or that would unpack to something huge."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    if size > MAX_XLSX_BYTES:
        raise InputError(path, "", f"workbook is {size:,} bytes; the limit is {MAX_XLSX_BYTES:,}")
    if not zipfile.is_zipfile(path):
        raise InputError(path, "", "not an .xlsx workbook (an .xlsx file is a zip archive)")
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise InputError(
                path, "", f"workbook has {len(members):,} parts; the limit is {MAX_ZIP_MEMBERS:,}"
            )
        unpacked = sum(m.file_size for m in members)
        if unpacked > MAX_UNZIPPED_BYTES:
            raise InputError(
                path,
                "",
                f"workbook unpacks to {unpacked:,} bytes; the limit is {MAX_UNZIPPED_BYTES:,}",
            )
        for m in members:
            if m.file_size > MAX_ZIP_RATIO * max(m.compress_size, 1) and m.file_size > 1_000_000:
                raise InputError(
                    path,
                    "",
                    f"part '{m.filename}' unpacks {m.file_size:,} bytes from "
                    f"{m.compress_size:,}; refusing a possible zip bomb",
                )


_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"  # spreadsheetml may carry a namespace prefix (x:row)
_ROW = re.compile(_PREFIX + rb"row(?=[\s/>])([^>]*)>")
_ROW_INDEX = re.compile(rb'\sr\s*=\s*"(\d+)"')
_CELL = re.compile(_PREFIX + rb"c(?=[\s/>])")
_CELL_ROW = re.compile(_PREFIX + rb'c\s[^>]*?\br\s*=\s*"[A-Za-z]{1,3}(\d+)"')
_FORMULA = re.compile(_PREFIX + rb"f(?=[\s/>])")
_CHUNK = 1 << 20
# Things openpyxl builds a Python object for, one each, that no cell count bounds: counted in
# the same pass and refused past what a scoring workbook could need (merged tables are refused
# anyway; a template has no hyperlinks or comments).
_COUNTED = {
    "merged ranges": (re.compile(_PREFIX + rb"mergeCell(?=[\s/>])"), 1_000),
    "hyperlinks": (re.compile(_PREFIX + rb"hyperlink(?=[\s/>])"), 10_000),
    "comments": (re.compile(_PREFIX + rb"comment(?=[\s/>])"), 10_000),
    "shared strings": (re.compile(_PREFIX + rb"si(?=[\s/>])"), MAX_WORKBOOK_CELLS),
}


@dataclass
class _Part:
    """What a quick pass over one worksheet's XML found, before openpyxl builds anything."""

    name: str
    rows: int = 0
    last_row: int = 0
    formulas: bool = False
    counted: dict[str, int] = field(default_factory=dict)

    def over(self) -> tuple[str, int] | None:
        """The first kind of thing counted past its limit, and the limit."""
        for what, (_, limit) in _COUNTED.items():
            if self.counted.get(what, 0) > limit:
                return what, limit
        return None


def _sheet_names(archive: zipfile.ZipFile, path: Path) -> dict[str, str]:
    """Worksheet part -> sheet name, from ``xl/workbook.xml`` and its relationships."""
    try:
        workbook = SafeElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = SafeElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except DefusedXmlException as exc:
        raise InputError(path, "", f"unsafe XML refused ({type(exc).__name__}: {exc})") from None
    except (KeyError, ParseError):
        return {}  # not where Excel puts them: openpyxl finds them, or says what is wrong
    targets = {
        rel.get("Id"): rel.get("Target", "") for rel in rels if rel.tag.endswith("Relationship")
    }
    names = {}
    for sheet in workbook.iter():
        if sheet.tag.endswith("}sheet"):
            rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rel_id, "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            names[posixpath.normpath(part)] = sheet.get("name", part)
    return names


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo, part: _Part) -> int:
    """Count a part's rows (and find the last row number) and cells, a megabyte at a time.

    Stops as soon as a limit is passed: a million formatted empty rows cost a fraction of a
    second here, where openpyxl would take minutes and gigabytes to build them.
    """
    cells, tail = 0, b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            text = tail + chunk
            cut = text.rfind(b"<") if chunk else -1  # tags never hold '<': all before are whole
            cut = cut if cut > 0 and len(text) - cut < _CHUNK else len(text)
            text, tail = text[:cut], text[cut:]
            cells += len(_CELL.findall(text))
            part.formulas = part.formulas or _FORMULA.search(text) is not None
            for what, (pattern, _) in _COUNTED.items():
                part.counted[what] = part.counted.get(what, 0) + len(pattern.findall(text))
            if part.over():
                return cells
            for row in _ROW.finditer(text):
                index = _ROW_INDEX.search(row.group(1))
                part.rows += 1
                part.last_row = int(index.group(1)) if index else part.last_row + 1
                if part.rows > MAX_ROWS or part.last_row > MAX_ROWS:
                    return cells
            for cell in _CELL_ROW.finditer(text):
                part.last_row = max(part.last_row, int(cell.group(1)))
            if part.last_row > MAX_ROWS or cells > MAX_WORKBOOK_CELLS or not chunk:
                return cells


def _survey(path: Path) -> bool:
    """Refuse a workbook whose sheets are too large to load, before openpyxl loads it.

    Returns whether any cell holds a formula (only then is the workbook read a second time for
    formulas, to name those with no saved result).
    """
    with zipfile.ZipFile(path) as archive:
        names = _sheet_names(archive, path)
        cells, formulas = 0, False
        for member in archive.infolist():
            if not member.filename.lower().endswith(".xml") or member.filename in (
                "xl/workbook.xml",
                "xl/styles.xml",
            ):
                continue
            name = names.get(posixpath.normpath(member.filename), member.filename)
            part = _Part(name)
            cells += _scan(archive, member, part)
            formulas = formulas or part.formulas
            over = part.over()
            if over is not None:
                what, limit = over
                raise InputError(
                    path,
                    f"sheet '{part.name}'" if part.name != member.filename else member.filename,
                    f"more than {limit:,} {what}; a scoring workbook needs far fewer: delete "
                    "them and save",
                )
            if part.rows > MAX_ROWS or part.last_row > MAX_ROWS:
                rows = max(part.rows, part.last_row)
                raise InputError(
                    path,
                    f"sheet '{part.name}'",
                    f"more than {MAX_ROWS:,} rows (row {rows:,} and counting, empty formatted "
                    f"rows included); the limit is {MAX_ROWS:,}: delete the unused rows below "
                    "the data and save",
                )
            if cells > MAX_WORKBOOK_CELLS:
                raise InputError(
                    path,
                    f"sheet '{part.name}'",
                    f"the workbook has more than {MAX_WORKBOOK_CELLS:,} cells (empty formatted "
                    f"cells included); the limit is {MAX_WORKBOOK_CELLS:,}: delete unused rows "
                    "and columns and save",
                )
    return formulas


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def _open(path: Path, data_only: bool) -> Workbook:
    try:
        with warnings.catch_warnings():  # "no stylesheet", "extension not supported": noise
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(path, data_only=data_only, read_only=False)
    except MemoryError:
        raise
    # openpyxl raises whatever its parser trips on in a damaged part (IndexError without a
    # styles part, AttributeError for a relationship that points nowhere): any of them means
    # the workbook cannot be read, which is the input's fault, not a bug to show as a traceback.
    except Exception as exc:
        unsafe = next((e for e in _causes(exc) if isinstance(e, DefusedXmlException)), None)
        if unsafe is not None:
            raise InputError(
                path, "", f"unsafe XML refused ({type(unsafe).__name__}: {unsafe})"
            ) from None
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise InputError(
            path, "", f"not a readable .xlsx workbook ({type(exc).__name__}: {first_line})"
        ) from None


def _shown(value: Any) -> str:
    text = repr(value.isoformat() if isinstance(value, datetime) else value)
    return text if len(text) <= 40 else text[:37] + "..."


def _runs(numbers: list[int]) -> Iterator[tuple[int, int]]:
    """Consecutive runs in sorted numbers, as (first, last): [2, 3, 4, 7] -> (2, 4), (7, 7)."""
    start = None
    for i, n in enumerate(numbers):
        if start is None:
            start = n
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            yield start, n
            start = None


HEADINGS_SHOWN = 3  # unknown headings reported one by one; more are one problem


def _unknown_headings(
    r: _Reader, row: int, unknown: list[tuple[str, object, int]], level: Sequence[str]
) -> None:
    """One error per heading that is no criterion id, or one for them all past a few.

    A row of 16,000 stray headings is one problem to fix (delete the columns), not 16,000.
    """
    lists = f"the Criteria sheet lists: {', '.join(level)}"
    if len(unknown) <= HEADINGS_SHOWN:
        for where, shown, _ in unknown:
            r.error(
                where,
                f"heading '{shown}' is not a criterion id ({lists}); put notes in the "
                "'evidence' column, or delete the column",
            )
        return
    where, shown, _ = unknown[0]
    last = get_column_letter(unknown[-1][2])
    r.error(
        where,
        f"heading '{shown}' and {len(unknown) - 1:,} more to its right (to {last}{row}) are not "
        f"criterion ids ({lists}); put notes in the 'evidence' column, or delete the columns",
    )


def _place(sheet: str, row: int, col: int | None = None) -> str:
    if col is None:
        return f"sheet '{sheet}', row {row}"
    return f"sheet '{sheet}', cell {get_column_letter(col)}{row}"


@dataclass
class _Reader:
    path: Path
    values: Workbook
    has_formulas: bool = True
    where: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)
    missing_columns: bool = False
    _formulas: Workbook | None = None

    @property
    def formulas(self) -> Workbook:
        """The workbook read again with formulas instead of their saved values (when needed)."""
        if self._formulas is None:
            self._formulas = _open(self.path, data_only=False)
        return self._formulas

    def error(self, where: str, message: str) -> None:
        self.problems.append(Problem(str(self.path), where, message))

    def sheet(self, title: str, required: bool = True) -> Worksheet | None:
        wanted = title.casefold()
        for ws in self.values.worksheets:
            if ws.title.strip().casefold() == wanted:
                if ws.max_row > MAX_ROWS:
                    self.error(
                        f"sheet '{ws.title}'", f"has {ws.max_row:,} rows; the limit is {MAX_ROWS:,}"
                    )
                    return None
                self.hidden(ws)
                return ws  # read even when refused, so one pass finds everything else too
        if required:
            found = ", ".join(repr(ws.title) for ws in self.values.worksheets)
            self.error(
                "", f"no sheet named '{title}' (sheets: {found}); make one with `appraise template`"
            )
        return None

    def hidden(self, ws: Worksheet) -> None:
        """Refuse hidden sheets, rows and columns that hold data (each run of them once).

        Refused, not skipped: what is ranked must be what reviewers of the workbook can see, and
        unhiding is one click. A zero height or width hides as well as the hidden flag does.
        """
        if ws.title in self.checked:
            return
        self.checked.add(ws.title)
        filled = [(row, col) for (row, col), c in ws._cells.items() if c.value not in (None, "")]
        if not filled:
            return
        if ws.sheet_state != "visible":
            self.error(
                f"sheet '{ws.title}'",
                f"the sheet is {ws.sheet_state}; unhide it (right-click a sheet tab > "
                "Unhide) so everyone can see what is read, save, and run again",
            )
        rows = {r for r, d in ws.row_dimensions.items() if d.hidden or d.ht == 0}
        columns = {
            c
            for d in ws.column_dimensions.values()
            if d.hidden or (d.customWidth and d.width == 0)
            for c in range(d.min or 0, (d.max or d.min or 0) + 1)
        }
        for what, hidden, used in (
            ("row", rows, {row for row, _ in filled}),
            ("column", columns, {col for _, col in filled}),
        ):
            for first, last in _runs(sorted(hidden & used)):
                name = get_column_letter if what == "column" else str
                span = name(first) if first == last else f"{name(first)}:{name(last)}"
                many = "s" if first != last else ""
                self.error(
                    f"sheet '{ws.title}', {what}{many} {span}",
                    f"hidden {what}{many} holding data; unhide {'them' if many else 'it'} "
                    f"(select the {what}s either side, right-click > Unhide) so everyone can see "
                    "what is read, save, and run again",
                )

    def cell(self, ws: Worksheet, row: int, col: int) -> Any:
        """A cell's value: text trimmed, numbers stored as text turned into numbers."""
        value = ws.cell(row=row, column=col).value
        if value is None:
            if not self.has_formulas:
                return None
            formula = self.formulas[ws.title].cell(row=row, column=col).value
            if isinstance(formula, str) and formula.startswith("="):
                self.error(
                    _place(ws.title, row, col),
                    f"formula {formula} has no saved result; open and save the workbook in a "
                    "spreadsheet program, or type the value",
                )
            return None
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def merged(self, ws: Worksheet, header_row: int) -> None:
        """Merged cells in the header row or below it (above it, a title may be merged)."""
        for merged in ws.merged_cells.ranges:
            if merged.max_row >= header_row:
                what = "the header row" if merged.min_row <= header_row else "the data"
                self.error(
                    f"sheet '{ws.title}', cells {merged.coord}",
                    f"merged cells in {what}; unmerge them so each cell holds one value",
                )

    def unheaded(self, ws: Worksheet, header_row: int, shown: int = 5) -> None:
        """Values below the header in a column with no heading, which would be dropped unread."""
        headed = {
            col
            for (row, col), cell in ws._cells.items()
            if row == header_row and isinstance(cell.value, str) and cell.value.strip()
        }
        stray = sorted(
            (row, col, cell.value)
            for (row, col), cell in ws._cells.items()
            if row > header_row and col not in headed and cell.value not in (None, "")
        )
        for row, col, value in stray[:shown]:
            self.error(
                _place(ws.title, row, col),
                f"{_shown(value)} is in a column with no heading in row {header_row}; add a "
                "heading, or clear the cell",
            )
        if len(stray) > shown:
            self.error(
                f"sheet '{ws.title}'",
                f"and {len(stray) - shown} more cells in columns with no heading",
            )

    def header(self, ws: Worksheet, must: str, search_rows: int = 10) -> tuple[int, dict[str, int]]:
        """Find the header row (the first with a cell reading ``must``); column per heading.

        Headings are compared ignoring case and spaces, so two that differ only so are an error
        (the second column would otherwise be dropped without a word), as are merged headings.
        """
        for row in range(1, min(ws.max_row, search_rows) + 1):
            headings: dict[str, int] = {}
            repeats: list[tuple[int, str]] = []
            for col in range(1, ws.max_column + 1):
                value = ws.cell(row=row, column=col).value
                if isinstance(value, str) and value.strip():
                    if value.strip().casefold() in headings:
                        repeats.append((col, value.strip()))
                    headings.setdefault(value.strip().casefold(), col)
            if must in headings:
                self.merged(ws, row)
                self.unheaded(ws, row)
                for col, heading in repeats:
                    first = get_column_letter(headings[heading.casefold()])
                    self.error(
                        _place(ws.title, row, col),
                        f"heading '{heading}' repeats the one in {first}{row} (headings are "
                        "compared ignoring case); rename or remove one column",
                    )
                return row, headings
        self.merged(ws, 1)
        self.error(
            f"sheet '{ws.title}'",
            f"no header row with a '{must}' column in the first {search_rows} rows",
        )
        return 0, {}

    def records(
        self, title: str, key: str, required: bool = False
    ) -> list[tuple[int, dict[str, Any]]]:
        """Non-blank rows of a simple table as ``(row number, {heading: value})``."""
        ws = self.sheet(title, required)
        if ws is None:
            return []
        top, headings = self.header(ws, key)
        if not top:
            return []
        out = []
        for row in range(top + 1, ws.max_row + 1):
            record = {h: self.cell(ws, row, c) for h, c in headings.items()}
            if any(v is not None for v in record.values()):
                out.append((row, record))
                for h, c in headings.items():
                    record.setdefault(h, None)
                    self.where.setdefault(f"@{title}:{row}:{h}", _place(ws.title, row, c))
        return out

    def at(self, title: str, row: int, heading: str) -> str:
        return self.where.get(f"@{title}:{row}:{heading}", _place(title, row))

    def flag(self, title: str, row: int, heading: str, value: Any, what: str) -> bool | Any:
        if value is None or isinstance(value, bool):
            return bool(value)
        text = str(value).strip().casefold()
        if text in _YES:
            return True
        if text in _NO:
            return False
        self.error(self.at(title, row, heading), f"{what}: expected yes or no, found {value!r}")
        return value


# Text that is a number as a spreadsheet shows one: digits, a decimal point, an exponent, and
# commas only as thousands separators (``300,000``). ``3,5`` is left as text, so it is refused
# at its cell with a hint to write 3.5, never read as 35; so are Python's own spellings that no
# spreadsheet writes (``1_000``).
_NUMBER_TEXT = re.compile(r"\s*[+-]?(\d{1,3}(,\d{3})+|\d*)(\.\d*)?([eE][+-]?\d+)?\s*")


def _number(value: Any) -> Any:
    """Numbers stored as text become numbers; anything else is left for validation to report."""
    if isinstance(value, str):
        if not _NUMBER_TEXT.fullmatch(value) or not any(c.isdigit() for c in value):
            return value
        number = float(value.replace(",", ""))
        return number if math.isfinite(number) else value
    if isinstance(value, bool):  # a TRUE/FALSE cell: shown as Excel shows it, not as YAML would
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:  # past a double's range: infinite, and refused as such
            return math.inf if value > 0 else -math.inf
    return value


def _group(r: _Reader) -> dict[str, Any]:
    ws = r.sheet("Group")
    data: dict[str, Any] = {}
    if ws is None:
        return data
    if str(r.cell(ws, 1, 1)).casefold() == "key":  # the template's header: nothing beside it
        r.unheaded(ws, 1)
    seen: dict[str, int] = {}
    for row in range(1, ws.max_row + 1):
        key = r.cell(ws, row, 1)
        if not isinstance(key, str) or key.casefold() in {"key", ""}:
            continue
        key = key.casefold()
        if key in seen:
            r.error(_place(ws.title, row, 1), f"'{key}' given twice (first in row {seen[key]})")
            continue
        seen[key] = row
        value = r.cell(ws, row, 2)
        place = _place(ws.title, row, 2)
        if key in {"scale_min", "scale_max"}:
            data.setdefault("scale", {})[key.removeprefix("scale_")] = _number(value)
            r.where[f"scale.{key.removeprefix('scale_')}"] = place
            r.where.setdefault("scale", place)
        elif key == "illustrative":
            data[key] = r.flag(ws.title, row, key, value, "illustrative")
            r.where[key] = place
        elif key in {k for k, _ in GROUP_KEYS}:
            if value is not None:
                data[key] = value if isinstance(value, str) else str(value)
            r.where[key] = place
        else:
            data[key] = value  # an unknown key is reported by validation, at its cell
            r.where[key] = _place(ws.title, row, 1)
    return data


def _options(r: _Reader) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = []
    for row, rec in r.records("Options", "id", required=True):
        i = len(options)
        option: dict[str, Any] = {"id": rec.get("id"), "name": rec.get("name")}
        if rec.get("status_quo") is not None:
            option["status_quo"] = r.flag(
                "Options", row, "status_quo", rec["status_quo"], "status_quo"
            )
        for key in ("description", "notes", "status", "status_reason"):
            if rec.get(key) is not None:
                option[key] = str(rec[key])
        if rec.get("dissent") is not None:
            option["dissent"] = [
                line.strip() for line in str(rec["dissent"]).splitlines() if line.strip()
            ]
        extra = {h: v for h, v in rec.items() if h not in TABLES["Options"] and v is not None}
        for h, v in extra.items():
            if h.startswith(MILESTONE):
                key = h.removeprefix(MILESTONE).strip()
                option.setdefault("milestones", {})[key] = str(v)
                r.where[f"options[{i}].milestones.{key}"] = r.at("Options", row, h)
            else:
                option.setdefault("attributes", {})[h] = _number(v)
                r.where[f"options[{i}].attributes.{h}"] = r.at("Options", row, h)
        options.append(option)
        r.where[f"options[{i}]"] = _place("Options", row)
        for key in TABLES["Options"]:
            r.where[f"options[{i}].{key}"] = r.at("Options", row, key)
    ws = r.sheet("Options", required=False)
    if ws is not None:
        r.where["options"] = f"sheet '{ws.title}'"
        if not options:
            r.error(
                f"sheet '{ws.title}'",
                "the Options sheet lists no options; add one row per option (id, name, status_quo)",
            )
    return options


_SCORES_KEYS = {"scorer", "option", "evidence", "notes"}
_STAND_IN = "@stand-in"
_MIXED = (
    "scorer left blank (consensus scores) where other rows name their scorer; name the scorer "
    "in every row, or leave it blank in every row"
)


@dataclass(frozen=True)
class _Ids:
    """The criteria ids the Criteria sheet lists, by level (empty when there is no such sheet)."""

    leaves: tuple[str, ...] = ()
    tops: tuple[str, ...] = ()
    names: dict[str, str] = field(default_factory=dict)


def _criterion_columns(
    r: _Reader, ws: Worksheet, row: int, headings: dict[str, int], ids: _Ids
) -> dict[str, int]:
    """The Scores sheet's criterion columns (id -> column), each heading checked once, here.

    Checked against the Criteria sheet, so a misspelt heading is one message at the heading, not
    one per score below it. A heading one slip from a criterion is read as that criterion, so its
    scores are still checked and the criterion is not also reported missing (the heading's
    error stops the run all the same); a heading that is no criterion is not read.
    """
    given = {h: c for h, c in headings.items() if h not in _SCORES_KEYS}
    if not ids.leaves:
        return given
    leaves, tops = set(ids.leaves), set(ids.tops)
    level = ids.leaves if len(given.keys() & leaves) >= len(given.keys() & tops) else ids.tops
    other = ids.tops if level is ids.leaves else ids.leaves
    columns = {h: c for h, c in given.items() if h in level}
    unknown: list[tuple[str, object, int]] = []  # (where, heading shown, column)
    for heading, col in given.items():
        if heading in level:
            continue
        shown = ws.cell(row=row, column=col).value
        where = _place(ws.title, row, col)
        meant = nearest(heading, [i for i in level if i not in columns])
        if heading in other:
            word = "top-level criterion" if heading in tops else "sub-criterion"
            r.error(
                where,
                f"'{shown}' is a {word}, but this sheet scores "
                f"{'sub-criteria' if level is ids.leaves else 'top-level criteria'}; a sheet "
                "scores one level throughout (see the Criteria sheet)",
            )
        elif meant is not None:
            r.error(where, f"heading '{shown}' is not a criterion id: did you mean '{meant}'?")
            columns[meant] = col
        else:
            unknown.append((where, shown, col))
    _unknown_headings(r, row, unknown, level)
    missing = [i for i in level if i not in columns]
    merged = any(m.min_row <= row <= m.max_row for m in ws.merged_cells.ranges)
    if missing and merged:  # the merged heading is the problem, and is reported as such
        r.missing_columns = True
    elif missing:
        r.error(
            _place(ws.title, row),
            f"no column for {', '.join(repr(i) for i in missing)}; add a column headed with "
            f"{'its id' if len(missing) == 1 else 'each id'} (see the Criteria sheet)",
        )
        r.missing_columns = True
    return columns


def _once(r: _Reader, found: dict[tuple[str, str], list[str]]) -> None:
    """One error per unknown id, at its first cell, saying where else it is."""
    for (_, message), places in found.items():
        rest = len(places) - 1
        also = f" (and {rest} more row{'s' if rest > 1 else ''} below)" if rest else ""
        r.error(places[0], message + also)


def _scores(r: _Reader, options: list[dict[str, Any]], scorers: dict[str, Any], ids: _Ids) -> None:
    ws = r.sheet("Scores")
    if ws is None:
        return
    top, headings = r.header(ws, "option")
    if not top:
        return
    index = {str(o["id"]): i for i, o in enumerate(options) if o.get("id") is not None}
    leaf_cols = _criterion_columns(r, ws, top, headings, ids)
    listed = list(scorers)
    unknown: dict[tuple[str, str], list[str]] = {}
    first_row: dict[tuple[str, int], int] = {}
    scorer_col = headings.get("scorer", 0)
    per_scorer = bool(scorer_col) and any(
        ws.cell(row=row, column=scorer_col).value not in (None, "")
        for row in range(top + 1, ws.max_row + 1)
    )
    for row in range(top + 1, ws.max_row + 1):
        option_id = r.cell(ws, row, headings["option"])
        scorer = r.cell(ws, row, headings["scorer"]) if "scorer" in headings else None
        cells = {leaf: r.cell(ws, row, col) for leaf, col in leaf_cols.items()}
        evidence_col = headings.get("evidence", headings.get("notes"))
        evidence = r.cell(ws, row, evidence_col) if evidence_col else None
        if option_id is None:
            given = [scorer, *cells.values()]
            what = "scores" if any(v is not None for v in given) else "evidence"
            if what == "scores" or evidence is not None:
                r.error(_place(ws.title, row, headings["option"]), f"{what} with no option id")
            continue
        i = _option_index(
            r, str(option_id), _place(ws.title, row, headings["option"]), options, index, unknown
        )
        key = str(scorer) if scorer is not None else CONSENSUS
        if (key, i) in first_row:
            r.error(
                _place(ws.title, row),
                f"a second row for option '{option_id}' and "
                f"{'scorer ' + repr(key) if scorer is not None else 'consensus scores'} "
                f"(first in row {first_row[key, i]})",
            )
            continue
        first_row[key, i] = row
        scorer_cell = _place(ws.title, row, headings.get("scorer", 1))
        if scorer is None and per_scorer:
            unknown.setdefault(("scorer", _MIXED), []).append(scorer_cell)
            scorer = CONSENSUS  # read as a scorer, so the rest is checked as one kind of row
        if scorer is not None and listed and key not in listed:
            if key != CONSENSUS:
                _unlisted(r, key, listed, scorer_cell, unknown)
            scorers.setdefault(key, {})  # reported here, so not again as unlisted
        base = f"options[{i}].scores" if scorer is None else f"options[{i}].scorers.{key}"
        _store(r, options[i], base, key, {leaf: _number(v) for leaf, v in cells.items()})
        if evidence is not None:
            options[i].setdefault("evidence", {})[key] = str(evidence)
            r.where[f"options[{i}].evidence.{key}"] = _place(ws.title, row, evidence_col)
        r.where[base] = _place(ws.title, row)
        r.where.setdefault(base.rsplit(".", 1)[0] if scorer else base, _place(ws.title, row))
        for leaf, col in leaf_cols.items():
            r.where[f"{base}.{leaf}"] = _place(ws.title, row, col)
    _once(r, unknown)
    for option in options:
        option.pop(_STAND_IN, None)
    _unscored(r, options)


def _store(r: _Reader, option: dict[str, Any], base: str, key: str, cells: dict[str, Any]) -> None:
    """A Scores row's scores (blank cells left out) under its option, as YAML would hold them."""
    values = {leaf: v for leaf, v in cells.items() if v is not None}
    if base.endswith(".scores"):
        option["scores"] = values
    else:
        option.setdefault("scorers", {})[key] = values


def _option_index(
    r: _Reader,
    option_id: str,
    place: str,
    options: list[dict[str, Any]],
    index: dict[str, int],
    unknown: dict[tuple[str, str], list[str]],
) -> int:
    """The option a Scores row is for; an option not on the Options sheet is reported once.

    Its rows are read into a stand-in option, so the scores in them are checked in this pass
    too; the error stops every run, so a stand-in never reaches a figure, and what would be said
    of it is said at its first cell (so not said again).
    """
    listed = [k for k, i in index.items() if not options[i].get(_STAND_IN)]
    if option_id in listed:
        return index[option_id]
    meant = nearest(option_id, listed)
    hint = f": did you mean '{meant}'?" if meant else ""
    unknown.setdefault(
        ("option", f"option '{option_id}' is not listed on the Options sheet{hint}"), []
    ).append(place)
    if option_id not in index:
        index[option_id] = len(options)
        r.where[f"options[{len(options)}]"] = place
        options.append({"id": option_id, "name": option_id, _STAND_IN: True})
    return index[option_id]


def _unlisted(
    r: _Reader, scorer: str, listed: list[str], place: str, found: dict[tuple[str, str], list[str]]
) -> None:
    """A scorer not on the Scorers sheet: a mistyped id would be one more panel member, unseen."""
    meant = nearest(scorer, listed)
    hint = f": did you mean '{meant}'?" if meant else f" (it lists: {', '.join(listed)})"
    found.setdefault(("scorer", f"scorer '{scorer}' is not on the Scorers sheet{hint}"), [])
    found["scorer", f"scorer '{scorer}' is not on the Scorers sheet{hint}"].append(place)
    r.where.setdefault(f"scorers.{scorer}", place)


def _unscored(r: _Reader, options: list[dict[str, Any]]) -> None:
    """Options with no row on the Scores sheet (the blank template's placeholder, say)."""
    for i, option in enumerate(options):
        valid = isinstance(option.get("id"), str) and re.match(SLUG_PATTERN, option["id"])
        if "scores" not in option and "scorers" not in option and valid:  # else: id's error
            r.error(
                r.where[f"options[{i}]"],
                f"option '{option['id']}' has no rows on the Scores sheet; add a row per scorer "
                "(or one with the scorer left blank, for consensus scores)",
            )


def _scorers(r: _Reader, options: list[dict[str, Any]]) -> dict[str, Any]:
    scorers: dict[str, Any] = {}
    option_ids = [str(o["id"]) for o in options if o.get("id") is not None]
    for row, rec in r.records("Scorers", "id"):
        scorer_id = rec.get("id")
        if scorer_id is None:
            r.error(r.at("Scorers", row, "id"), "scorer with no id")
            continue
        key = str(scorer_id)
        if key in scorers:
            r.error(r.at("Scorers", row, "id"), f"scorer '{key}' listed twice")
            continue
        scorers[key] = {
            k: str(rec[k]) for k in ("name", "role", "organisation") if rec.get(k) is not None
        }
        r.where[f"scorers.{key}"] = _place("Scorers", row)
        for k in ("name", "role", "organisation"):
            r.where[f"scorers.{key}.{k}"] = r.at("Scorers", row, k)
    for row, rec in r.records("Interests", "scorer"):
        scorer, option = rec.get("scorer"), rec.get("option")
        if scorer is None or str(scorer) not in scorers:
            meant = nearest(str(scorer), list(scorers)) if scorer is not None else None
            hint = f": did you mean '{meant}'?" if meant else ""
            r.error(
                r.at("Interests", row, "scorer"),
                f"scorer {scorer!r} is not on the Scorers sheet{hint}",
            )
            continue
        if option is not None and str(option) not in option_ids:
            meant = nearest(str(option), option_ids)
            hint = f": did you mean '{meant}'?" if meant else ""
            r.error(
                r.at("Interests", row, "option"),
                f"option {option!r} is not on the Options sheet{hint}",
            )
        interests = scorers[str(scorer)].setdefault("interests", {})
        interests[str(option)] = None if rec.get("interest") is None else str(rec["interest"])
        # What can be wrong with an interest is its option: name that cell.
        r.where[f"scorers.{scorer}.interests.{option}"] = r.at("Interests", row, "option")
    return scorers


def _gates(r: _Reader, options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    gates: list[dict[str, Any]] = []
    for row, rec in r.records("Gates", "id"):
        r.where[f"gates[{len(gates)}]"] = _place("Gates", row)
        for k in ("id", "name", "description"):
            r.where[f"gates[{len(gates)}].{k}"] = r.at("Gates", row, k)
        gates.append({k: rec[k] for k in ("id", "name", "description") if rec.get(k) is not None})
    index = {str(o["id"]): i for i, o in enumerate(options) if o.get("id") is not None}
    unknown: dict[tuple[str, str], list[str]] = {}
    for row, rec in r.records("Gate results", "option"):
        option_id, gate = rec.get("option"), rec.get("gate")
        if str(option_id) not in index:
            meant = nearest(str(option_id), list(index)) if option_id is not None else None
            hint = f": did you mean '{meant}'?" if meant else ""
            message = f"option {option_id!r} is not on the Options sheet{hint}"
            unknown.setdefault(("option", message), []).append(r.at("Gate results", row, "option"))
            continue
        i = index[str(option_id)]
        result: dict[str, Any] = {
            "pass": r.flag("Gate results", row, "pass", rec.get("pass"), "pass")
        }
        if rec.get("reason") is not None:
            result["reason"] = str(rec["reason"])
        options[i].setdefault("gates", {})[str(gate)] = result
        base = f"options[{i}].gates.{gate}"
        r.where[base] = _place("Gate results", row)
        r.where[f"{base}.pass"] = r.at("Gate results", row, "pass")
        r.where[f"{base}.reason"] = r.at("Gate results", row, "reason")
    _once(r, unknown)
    return gates


def _criteria_sheet(r: _Reader) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The Criteria sheet as a criteria file's mapping, and where each part of it is.

    None when there is no such sheet or it does not hold a whole table (an id, name and weight
    on every row, each sub-criterion under a criterion above it): the criteria file named on the
    Group sheet is then the only source. Nothing here is an error: the sheet is locked, and is
    only checked when it is the table used (see ``workbook_criteria``).
    """
    ws = r.sheet("Criteria", required=False)
    if ws is None:
        return None, {}
    top, headings = r.header(ws, "id")
    if not top or not {"id", "name", "criterion", "weight"} <= headings.keys():
        return None, {}
    criteria: list[dict[str, Any]] = []
    where: dict[str, str] = {}
    row = top + 1
    while row <= ws.max_row:
        node_id, name, parent, weight = (
            r.cell(ws, row, headings[k]) for k in ("id", "name", "criterion", "weight")
        )
        if node_id is None:
            break
        if name is None or not isinstance(weight, int | float) or isinstance(weight, bool):
            return None, {}
        node = {"id": str(node_id), "name": str(name), "weight": _number(weight)}
        if parent is None:
            path = f"criteria[{len(criteria)}]"
            criteria.append(node)
        elif criteria and criteria[-1]["id"] == str(parent):
            subs = criteria[-1].setdefault("sub", [])
            path = f"criteria[{len(criteria) - 1}].sub[{len(subs)}]"
            subs.append(node)
        else:
            return None, {}
        where[path] = _place(ws.title, row)
        for key in ("id", "name", "weight"):
            where[f"{path}.{key}"] = _place(ws.title, row, headings[key])
        row += 1
    if not criteria:
        return None, {}
    table: dict[str, Any] = {"title": f"the Criteria sheet of {r.path.name}", "criteria": criteria}
    for later in range(row, ws.max_row + 1):
        key = r.cell(ws, later, 1)
        if isinstance(key, str) and key.casefold() == "normalise":
            table["normalise"] = r.cell(ws, later, 2) in _YES | {True}
            where["normalise"] = _place(ws.title, later, 2)
    where["criteria"] = f"sheet '{ws.title}'"
    return table, where


def _ids(table: dict[str, Any] | None) -> _Ids:
    if table is None:
        return _Ids()
    criteria = table["criteria"]
    tops = tuple(c["id"] for c in criteria)
    leaves = tuple(s["id"] for c in criteria for s in c.get("sub") or [c])
    names = {n["id"]: n["name"] for c in criteria for n in [c, *(c.get("sub") or [])]}
    return _Ids(leaves, tops, names)


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


def read_workbook(path: Path) -> tuple[dict[str, Any], Locations]:
    """The mapping a YAML scores file would parse to, and where each part of it came from.

    Problems found while reading travel in ``Locations.problems`` rather than being raised, so
    ``check`` can validate the rest of the workbook in the same pass. Only a file that cannot be
    opened at all raises.
    """
    _check_container(path)
    has_formulas = _survey(path)
    r = _Reader(path, _open(path, data_only=True), has_formulas)
    data: dict[str, Any] = _group(r)
    table, criteria_cells = _criteria_sheet(r)
    options = _options(r)
    scorers = _scorers(r, options)
    gates = _gates(r, options)
    _scores(r, options, scorers, _ids(table))
    for ws in r.values.worksheets:  # a hidden sheet appraise does not read may feed one it does
        if ws.sheet_state != "visible":
            r.hidden(ws)
    if scorers:
        data["scorers"] = scorers
    if gates:
        data["gates"] = gates
    data["options"] = options
    r.where.setdefault("scorers", _place("Scorers", 1))
    r.where.setdefault("gates", _place("Gates", 1))
    cells = {k: v for k, v in r.where.items() if not k.startswith("@")}
    sheets = tuple(ws.title for ws in r.values.worksheets)
    return data, Locations(
        cells, tuple(r.problems), sheets, table, criteria_cells, r.missing_columns
    )


def read_scores_workbook(path: Path) -> tuple[dict[str, Any], Locations]:
    """As ``read_workbook``, raising ``Problems`` when reading found any."""
    data, where = read_workbook(path)
    if where.problems:
        raise Problems(sort_problems(where.problems, where.sheets))
    return data, where


_PLACE = re.compile(
    r"sheet '(?P<sheet>[^']*)'(?:, (?:cells? (?P<col>[A-Z]+)(?P<row>\d+)\S*|rows? (?P<r>\d+)\S*"
    r"|columns? (?P<c>[A-Z]+)\S*))?$"
)


def _where_sort(where: str, sheets: tuple[str, ...]) -> tuple[int, int, int, int]:
    """(sheet, row, column) of a place as ``_place`` writes it; the file itself first."""
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
    return sorted(problems, key=lambda p: _where_sort(p.where, sheets))


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
    rows = {_where_sort(p.where, sheets)[:3] for p in read}
    merged: list[Problem] = list(read)
    seen = {(p.path, p.where, p.message) for p in read}
    for p in validation:
        key = _where_sort(p.where, sheets)
        if p.where in taken or (key[3] == 0 and key[2] and key[:3] in rows):
            continue
        if (p.path, p.where, p.message) not in seen:
            seen.add((p.path, p.where, p.message))
            merged.append(p)
    return sort_problems(merged, sheets)


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
    from appraise.io.loading import (
        CRITERIA_SUFFIXES,
        _shown,
        load_criteria,
        resolve_criteria_path,
    )

    place = where("criteria")

    def named_file() -> CriteriaTree:
        file = resolve_criteria_path(reference, path, place).resolve()
        if file not in cache:
            cache[file] = load_criteria(file, normalise)
        return cache[file]

    if where.criteria is None:
        return named_file()
    shown = _shown(path)
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


def make_template(
    criteria: str,
    out: Path,
    scores: str | None = None,
    indicative: bool = False,
    force: bool = False,
    scale: tuple[float, float] | None = None,
) -> Path:
    """Write a scoring workbook for ``criteria`` (pre-filled from ``scores``), atomically.

    The workbook names its criteria as a bundled name, or as a path relative to the workbook,
    and holds the whole table on its Criteria sheet, so it reads back wherever it is moved.
    ``scale`` (lowest, highest) is the scoring scale of a blank template (default 1..5); a
    template pre-filled from ``scores`` keeps that file's scale.
    """
    from appraise.io.loading import load_criteria, load_scores, resolve_criteria_path
    from appraise.io.safe_write import require_suffix, write_atomically

    require_suffix(out, ".xlsx", "the scoring workbook")
    path = resolve_criteria_path(criteria)
    tree = load_criteria(path)
    inputs = [path]
    spec, level = None, "criteria" if indicative else "leaves"
    if scores is not None:
        sheet = load_scores(scores)
        spec, level = sheet.spec, sheet.level
        _fits_in_cells(spec, sheet.path)
        if sheet.tree.leaf_ids != tree.leaf_ids or sheet.tree.top_ids != tree.top_ids:
            raise InputError(
                sheet.file,
                "criteria",
                f"this file is scored against {sheet.tree.path}, not {tree.path}: a template "
                "on other criteria would drop its scores; give the criteria the file names",
            )
        _fits_in_workbook(
            spec, len(tree.leaf_ids if level == "leaves" else tree.top_ids), sheet.path
        )
        inputs.append(sheet.file)
        if scale is not None and scale != (spec.scale.min, spec.scale.max):
            raise InputError(
                sheet.file,
                "scale",
                f"the scale is {spec.scale}, and a template pre-filled from this file keeps its "
                f"scale; asked for {scale[0]:g}..{scale[1]:g}",
            )
    if scale is not None and not scale[0] < scale[1]:
        raise InputError(
            out, "", f"the scale's lowest score {scale[0]:g} must be below its highest {scale[1]:g}"
        )
    if Path(criteria).is_file():
        try:
            reference = os.path.relpath(path.resolve(), out.resolve().parent)
        except ValueError:  # another drive on Windows
            reference = str(path.resolve())
        reference = Path(reference).as_posix()
    else:
        reference = criteria
    return write_atomically(
        out,
        lambda target: write_template(tree, reference, target, spec, level, scale),  # type: ignore[arg-type]
        inputs=inputs,
        force=force,
    )
