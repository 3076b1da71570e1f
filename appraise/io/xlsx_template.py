"""Write a scoring workbook for a working group: blank, or pre-filled from a scores file.

The layout is ``appraise.io.xlsx_layout``'s; text cells are written by the HCE workbook's
``set_text``, so a name that looks like a formula is stored as text in both.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from appraise.data import CriteriaTree, Level
from appraise.errors import InputError
from appraise.io.xlsx_cells import MAX_CELL_TEXT, set_text
from appraise.io.xlsx_layout import (
    CONSENSUS,
    COST_FIGURES,
    CRITERIA_COLUMNS,
    GROUP_KEY_NAMES,
    GROUP_KEYS,
    MAX_ROWS,
    MEASURES,
    MILESTONE,
    TABLES,
    TEMPLATE_ROWS,
    points_text,
)
from appraise.io.xlsx_write import save_workbook
from appraise.limits import MAX_WORKBOOK_CELLS
from appraise.measures import measure_range
from appraise.model import CriterionSpec, ScoresFile, SubCriterionSpec
from appraise.weights import global_weights, percent_text

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
        """The leaves scored on the Scores sheet (a measured leaf is on Measures instead)."""
        measured = self.tree.measures()
        return tuple(leaf for leaf in self.tree.leaves(self.level) if leaf not in measured)

    @property
    def measured(self) -> tuple[str, ...]:
        """The measured leaves of this level, in the tree's order."""
        measured = self.tree.measures()
        return tuple(leaf for leaf in self.tree.leaves(self.level) if leaf in measured)

    def measures(self) -> None:
        """One row per option, a column per measured leaf, each cell within its function's range."""
        if not self.measured:
            return
        ws = self.wb.create_sheet(MEASURES)
        functions = self.tree.measures()
        for c, leaf in enumerate(self.measured, start=2):
            cell = ws.cell(row=1, column=c)
            _text(cell, f"{self.tree.name(leaf)} ({functions[leaf].unit})")
            cell.font, cell.alignment = _NOTE, Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[1].height = 60
        _header(ws, 2, ["option", *self.measured])
        options = self.spec.options if self.spec else []
        rows = [[o.id, *(o.measures.get(leaf) for leaf in self.measured)] for o in options]
        _write_rows(ws, 3, rows)
        last = max(len(rows) + 2, TEMPLATE_ROWS)
        _unlock(ws, 3, last, 1 + len(self.measured))
        for c, leaf in enumerate(self.measured, start=2):
            low, high = measure_range(functions[leaf])
            column = get_column_letter(c)
            rule = DataValidation(
                type="decimal",
                operator="between",
                formula1=f"{low!r}",
                formula2=f"{high!r}",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Measure outside the value function",
                error=f"{self.tree.name(leaf)}: from {low:g} to {high:g} {functions[leaf].unit}.",
            )
            ws.add_data_validation(rule)
            rule.add(f"{column}3:{column}{last}")
        ws.freeze_panes = "B3"
        _widths(ws, [22, *([16] * len(self.measured))])
        _protect(ws)

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
            "7. Costs (optional): an option's cost figures, one unit for all (e.g. GBP m); add a "
            "column for another figure. Costs never enter a total: appraise value sets them "
            "against it.",
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
        _header(ws, 1, list(CRITERIA_COLUMNS))
        tree, row = self.tree, 2
        weights = dict(zip(tree.leaves(self.level), global_weights(tree, self.level), strict=True))
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
                if node.measure is not None:  # the value function, read back with the table
                    _text(ws.cell(row=row, column=6), node.measure.unit)
                    _text(ws.cell(row=row, column=7), points_text(node.measure.points))
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
        _widths(ws, [22, 70, 16, 10, 14, 14, 30])
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
        weights = dict(
            zip(self.tree.leaves(self.level), global_weights(self.tree, self.level), strict=True)
        )
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
        low, high = (f"Group!$B${2 + GROUP_KEY_NAMES.index(k)}" for k in ("scale_min", "scale_max"))
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
    t.measures()
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
    figures = list(dict.fromkeys(f for o in options if o.cost for f in o.cost.figures))
    t.table(
        "Costs",
        [
            [o.id, o.cost.unit, *[o.cost.figures.get(f) for f in figures]]
            for o in options
            if o.cost is not None
        ],
        extra=figures or list(COST_FIGURES),
    )
    yes_no = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    t.wb["Options"].add_data_validation(yes_no)
    yes_no.add(f"C2:C{TEMPLATE_ROWS}")
    pass_fail = DataValidation(type="list", formula1='"pass,fail"', allow_blank=True)
    t.wb["Gate results"].add_data_validation(pass_fail)
    pass_fail.add(f"C2:C{TEMPLATE_ROWS}")
    save_workbook(t.wb, out)


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
    from appraise.io.criteria_files import load_criteria
    from appraise.io.files import resolve_criteria_path
    from appraise.io.inputs import load_scores
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
