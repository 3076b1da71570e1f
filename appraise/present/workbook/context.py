"""Where everything goes: the sheet layout, the shared context, and the section protocol.

A section is anything with a ``name`` (its sheet title) and ``write(sheet, context)``; the
``WorkbookContext`` tells it where every group's cells are, so a later sensitivity sheet can
point its formulas at the same weight cells. ``build_context`` checks the rankings belong in
one workbook and lays the context out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path
from typing import Protocol

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import quote_sheetname
from openpyxl.worksheet.worksheet import Worksheet

from appraise.analysis.scoring import Disagreement, Ranking, weights_in_force
from appraise.analysis.sensitivity import Sensitivity
from appraise.data import CriteriaTree
from appraise.errors import InputError
from appraise.io.files import sha256_of
from appraise.io.xlsx_cells import cell_text, cells, sheet_ref
from appraise.limits import MAX_EXPORT_CELLS
from appraise.model import Settings
from appraise.validate import one_file_per_group

SUMMARY = "Summary"
CRITERIA = "Criteria"
VALIDATION = "Validation"
AUDIT = "Audit"
MAX_TITLE = 31  # Excel's limit on a sheet title

# Every sheet with a table: title on row 1, a note on row 2, the table's header on row 4.
HEADER_ROW = 4
# Criteria sheet: one row per criterion and sub-criterion under the header.
CRITERIA_COLUMNS = (
    "Id",
    "Criterion",
    "Level",
    "Parent",
    "Weight as entered",
    "Weight used",
    "Family sum",
    "Local share",
    "Global weight",
)
USED_COL, FAMILY_COL, LOCAL_COL, GLOBAL_COL = 6, 7, 8, 9
# Totals sheet: global weights on row 3 (above the header), ranked options from row 5.
TOTALS_WEIGHT_ROW = 3
TOTALS_FIRST_ROW = HEADER_ROW + 1
FIRST_LEAF_COL = 3
# Scores sheet: scorer, option id, option name, then one column per leaf.
SCORES_FIRST_LEAF_COL = 4


# --- the shared context --------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    """Fonts, fills and number formats shared by every sheet."""

    title: Font = field(default_factory=lambda: Font(bold=True, size=14))
    heading: Font = field(default_factory=lambda: Font(bold=True, size=12))
    header_font: Font = field(default_factory=lambda: Font(bold=True, color="FFFFFF"))
    header_fill: PatternFill = field(default_factory=lambda: PatternFill("solid", fgColor="305496"))
    editable_fill: PatternFill = field(
        default_factory=lambda: PatternFill("solid", fgColor="FFF2CC")
    )
    flag_fill: PatternFill = field(default_factory=lambda: PatternFill("solid", fgColor="F8CBAD"))
    warning_font: Font = field(default_factory=lambda: Font(bold=True, color="C00000"))
    note_font: Font = field(default_factory=lambda: Font(italic=True, color="595959"))
    wrap: Alignment = field(default_factory=lambda: Alignment(wrap_text=True, vertical="top"))
    percent: str = "0.0%"
    number: str = "0.00"


@dataclass(frozen=True)
class InputFile:
    """A file the workbook was made from, what it is, and its name as the outputs show it."""

    role: str
    path: Path
    shown: str = ""  # as in messages: relative to the working folder, or a bundled label

    @property
    def name(self) -> str:
        """The file as the workbook names it."""
        return self.shown or str(self.path)


@dataclass(frozen=True)
class ScoreRow:
    """A row of a Scores sheet: what it holds, for which option and (a scorer's row) who."""

    row: int
    kind: str
    """``measure``, ``scorer``, ``used``, or a spread row: ``n``, ``min``, ``max``, ``sd``."""
    option: int
    """Index of the option in the scores file."""
    scorer: int = -1
    """Index of the scorer (a ``scorer`` row), else -1."""


@dataclass(frozen=True)
class GroupLayout:
    """Where one working group's sheets and cells are, so any section can point at them."""

    ranking: Ranking
    scores_title: str
    totals_title: str
    sensitivity: Sensitivity | None = None
    """This group's sensitivity results, if the export was given them."""
    sensitivity_title: str = ""
    """Title of this group's Sensitivity sheet ("" when there is none)."""
    compact: bool = False
    """A panel in a workbook too large to lay out scorer by scorer (``panels_by_scorer``):
    the Scores sheet holds the score used per option, as values, and says so."""

    @cached_property
    def disagreements_of(self) -> dict[str, list[Disagreement]]:
        """The flagged cells of each option (an option with none is not a key)."""
        found: dict[str, list[Disagreement]] = {}
        for d in self.ranking.disagreements:
            found.setdefault(d.option, []).append(d)
        return found

    @property
    def leaf_ids(self) -> tuple[str, ...]:
        """The ids this group scored against (sub-criteria, or criteria if indicative)."""
        return self.ranking.sheet.leaf_ids

    @cached_property
    def score_rows(self) -> tuple[ScoreRow, ...]:
        """The Scores sheet's rows under its header, option by option.

        Per option: its measure (if measured), each scorer's scores, the score used, then the
        spread (n, min, max, sd).
        """
        sheet, found = self.ranking.sheet, []
        row = HEADER_ROW
        for i, option in enumerate(sheet.options):
            kinds: list[tuple[str, int]] = []
            if sheet.measured.get(option.id):
                kinds.append(("measure", -1))
            by_scorer = sheet.per_scorer and not self.compact
            if by_scorer:
                kinds += [("scorer", k) for k in range(len(sheet.scorer_ids))]
            kinds.append(("used", -1))
            if by_scorer and self.ranking.spread is not None:
                kinds += [(kind, -1) for kind in ("n", "min", "max", "sd")]
            for kind, scorer in kinds:
                row += 1
                found.append(ScoreRow(row, kind, i, scorer))
        return tuple(found)

    @cached_property
    def used_rows(self) -> dict[str, int]:
        """Scores row of each option's score used (the row the Totals sheet reads)."""
        options = self.ranking.sheet.options
        return {options[r.option].id: r.row for r in self.score_rows if r.kind == "used"}

    @cached_property
    def option_index(self) -> dict[str, int]:
        """Index of each option (ranked or not) in the scores file, by id."""
        return {o.id: i for i, o in enumerate(self.ranking.sheet.options)}

    @cached_property
    def criterion_spans(self) -> tuple[tuple[int, int], ...]:
        """Per top-level criterion, the first and last Totals columns of its leaves.

        Raises:
            ValueError: A criterion's leaves are not in adjacent columns.
        """
        tree, spans = self.ranking.sheet.tree, []
        for criterion in tree.top_ids:
            columns = [
                FIRST_LEAF_COL + j
                for j, leaf in enumerate(self.leaf_ids)
                if tree.parent(leaf) == criterion
            ]
            lo, hi = min(columns), max(columns)
            if hi - lo + 1 != len(columns):
                raise ValueError(f"leaves of '{criterion}' are not in adjacent columns")
            spans.append((lo, hi))
        return tuple(spans)

    def leaf_column(self, leaf: str) -> int:
        """Totals column holding the scores for ``leaf``."""
        return FIRST_LEAF_COL + self.leaf_ids.index(leaf)

    def contribution_column(self, criterion: str) -> int:
        """Totals column holding each option's contribution from a top-level criterion."""
        tops = self.ranking.sheet.tree.top_ids
        return FIRST_LEAF_COL + len(self.leaf_ids) + tops.index(criterion)

    @property
    def total_column(self) -> int:
        """Totals column holding each option's weighted total."""
        return FIRST_LEAF_COL + len(self.leaf_ids) + len(self.ranking.sheet.tree.top_ids)

    @property
    def rank_column(self) -> int:
        """Totals column holding each option's rank."""
        return self.total_column + 1

    @cached_property
    def option_rows(self) -> dict[str, int]:
        """Totals row of each ranked option, in rank order."""
        return {o.id: TOTALS_FIRST_ROW + k for k, o in enumerate(self.ranking.options)}

    @property
    def last_option_row(self) -> int:
        """Last Totals row of a ranked option (the header row when none is ranked)."""
        return TOTALS_FIRST_ROW + len(self.ranking.options) - 1

    @property
    def screened_rows(self) -> dict[str, int]:
        """Totals row of each option screened out by a gate, below the ranked ones."""
        first = self.last_option_row + 3  # a blank row, then a heading row
        return {s.id: first + k for k, s in enumerate(self.ranking.screened_out)}

    def totals_cell(self, column: int, row: int) -> str:
        """Absolute reference to a Totals cell, for formulas on other sheets."""
        return sheet_ref(self.totals_title, column, row)

    def ranked_cells(self, column: int) -> str:
        """Absolute reference to one Totals column over the rows of the ranked options."""
        title = quote_sheetname(self.totals_title)
        return f"{title}!{cells(column, TOTALS_FIRST_ROW, column, self.last_option_row)}"


@dataclass(frozen=True)
class WorkbookContext:
    """What every section may need: the rankings, where the shared cells are, the styles."""

    rankings: tuple[Ranking, ...]
    groups: tuple[GroupLayout, ...]
    tree: CriteriaTree
    weights_used: Mapping[str, float]
    """Weight in points per criterion and sub-criterion: as entered, or the weight set's."""
    criteria_rows: Mapping[str, int]
    """Criteria sheet row of each criterion and sub-criterion."""
    weight_cells: Mapping[str, str]
    """Absolute reference (``'Criteria'!$I$6``) to the global weight of every criterion and
    sub-criterion, for formulas on any sheet; a group's leaves are its ``leaf_ids``."""
    inputs: tuple[InputFile, ...]
    command_line: str = ""
    exported_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    styles: Styles = field(default_factory=Styles)

    @cached_property
    def inputs_digest(self) -> str:
        """One SHA-256 for every input: of the Audit sheet's lines ``SHA-256  file`` (UTF-8).

        What the sheets computed once at export (not formulas) quote, so a reader can tell
        which inputs they came from.
        """
        return digest_of(self.inputs)

    def as_exported(self) -> str:
        """The sentence a sheet of figures computed once at export carries."""
        return (
            "As exported: computed once from the inputs whose SHA-256 is "
            f"{self.inputs_digest} (see the Audit sheet); these figures do not follow later "
            "edits of the workbook's scores or weights."
        )


class Section(Protocol):
    """One sheet of the workbook: its title (unique, at most 31 characters) and its content."""

    @property
    def name(self) -> str:
        """The sheet title."""
        ...

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill ``sheet`` (already created and titled ``name``); ``sheet.parent`` is the book."""
        ...


Finding = tuple[str, str, str, str, str, str]
"""A Validation sheet row: kind, group, file, option, criterion, message."""


@dataclass(frozen=True)
class SheetSection:
    """A section made from a function: the simplest way to add a sheet.

    ``findings`` are rows it adds to the Validation sheet (what it changed in a figure, say).
    """

    name: str
    fill: Callable[[Worksheet, WorkbookContext], None]
    findings: tuple[Finding, ...] = ()

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Call ``fill(sheet, context)``."""
        self.fill(sheet, context)


# --- building the context ------------------------------------------------------------------


def weights_used(tree: CriteriaTree, settings: Settings | None) -> dict[str, float]:
    """Weight in points of every criterion and sub-criterion, as ranked.

    The weight set's and the one-off weights given, where they replace the file's.
    """
    overrides = weights_in_force(tree, settings or Settings()) or {}
    used: dict[str, float] = {}
    for criterion in tree.spec.criteria:
        used[criterion.id] = float(overrides.get(criterion.id, criterion.weight))
        for sub in criterion.sub or []:
            used[sub.id] = float(overrides.get(sub.id, sub.weight))
    return used


def _check_shared_criteria(rankings: Sequence[Ranking]) -> dict[str, float]:
    """The weights all rankings share; an error naming the first file that differs."""
    first = rankings[0]
    tree = first.sheet.tree
    used = weights_used(tree, first.settings)
    for ranking in rankings[1:]:
        other = ranking.sheet.tree
        if (other.top_ids, other.leaf_ids) != (tree.top_ids, tree.leaf_ids):
            what = "criteria"
        elif weights_used(other, ranking.settings) != used:
            what = "weights"
        else:
            continue
        raise InputError(
            ranking.sheet.path,
            "criteria",
            f"its {what} ({other.path}, weight set {ranking.weight_set or 'none'}) differ from "
            f"those of {first.sheet.path} ({tree.path}, weight set {first.weight_set or 'none'}); "
            "one HCE workbook holds one criteria table and one weight set: export these files "
            "separately",
        )
    return used


def digest_of(inputs: Sequence[InputFile]) -> str:
    """One SHA-256 of the lines ``SHA-256  file`` (UTF-8), one per input, in order."""
    lines = "".join(f"{sha256_of(f.path)}  {cell_text(f.name)}\n" for f in inputs)
    return hashlib.sha256(lines.encode("utf-8")).hexdigest()


def input_files(rankings: Sequence[Ranking], extra: Sequence[Path]) -> tuple[InputFile, ...]:
    """Every input file once, in order: scores files, criteria files, then ``extra``."""
    found: list[InputFile] = []
    seen: set[Path] = set()
    candidates = [InputFile("scores", r.sheet.file, r.sheet.path) for r in rankings]
    candidates += [InputFile("criteria", r.sheet.tree.file, r.sheet.tree.path) for r in rankings]
    candidates += [InputFile("input", Path(p)) for p in extra]
    for item in candidates:
        if not item.path.is_file():
            raise InputError(item.path, "", "input file not found; cannot record its SHA-256")
        key = item.path.resolve()
        if key not in seen:
            seen.add(key)
            found.append(item)
    return tuple(found)


def group_titles(prefix: str, groups: Sequence[str]) -> list[str]:
    """Sheet titles for per-group sheets: ``prefix`` alone for one group, else one per group.

    Titles are cut to Excel's 31 characters and made unique (Excel compares them ignoring
    case) with a ``~2``, ``~3`` suffix, so two long group ids that differ only past the cut
    get two sheets. (A group given twice never gets here: ``build_context`` refuses it.)
    """
    if len(groups) == 1:
        return [prefix]
    titles: list[str] = []
    for group in groups:
        base = f"{prefix} {group}"[:MAX_TITLE]
        title, n = base, 2
        while title.lower() in {t.lower() for t in titles}:
            suffix = f"~{n}"
            title, n = base[: MAX_TITLE - len(suffix)] + suffix, n + 1
        titles.append(title)
    return titles


def _criteria_rows(tree: CriteriaTree) -> dict[str, int]:
    rows: dict[str, int] = {}
    for criterion in tree.spec.criteria:
        rows[criterion.id] = HEADER_ROW + 1 + len(rows)
        for sub in criterion.sub or []:
            rows[sub.id] = HEADER_ROW + 1 + len(rows)
    return rows


def _ranking_key(ranking: Ranking) -> tuple[object, ...]:
    """What identifies a ranking: file, group, weight set, and its options in order."""
    sheet = ranking.sheet
    options = tuple((o.id, o.total) for o in ranking.options)
    return (sheet.path, sheet.group, ranking.weight_set, options)


def _check_sensitivities(
    rankings: Sequence[Ranking], sensitivities: Sequence[Sensitivity]
) -> list[Sensitivity | None]:
    """One sensitivity result per ranking, in order (or none at all)."""
    if not sensitivities:
        return [None] * len(rankings)
    if len(sensitivities) != len(rankings):
        raise ValueError(
            f"{len(sensitivities)} sensitivity results for {len(rankings)} rankings: give one "
            "per ranking, in the same order, or none"
        )
    for k, (ranking, result) in enumerate(zip(rankings, sensitivities, strict=True)):
        if result.ranking is not ranking and _ranking_key(result.ranking) != _ranking_key(ranking):
            raise ValueError(
                f"sensitivity result {k + 1} is for {result.ranking.sheet.path} "
                f"(group {result.ranking.sheet.group}, weight set "
                f"{result.ranking.weight_set or 'none'}), not for ranking {k + 1} "
                f"({ranking.sheet.path}, weight set {ranking.weight_set or 'none'})"
            )
    return list(sensitivities)


# Rank acceptability: a column per rank up to this one, then one for every lower rank
# together (an options x options table is 4 million cells at 2,000 options, and a chart may
# have at most 255 series).
RANK_COLUMNS = 50
FIXED_CELLS = 1_000  # Criteria, Validation and Audit sheets, headings and notes
GROUP_CELLS = 300  # per group: its Summary block, headings, notes and register rows


def scorer_cells(ranking: Ranking) -> int:
    """Cells of the Scores sheet laid out scorer by scorer: rows x (leaves + 5 columns)."""
    sheet = ranking.sheet
    rows = len(sheet.scorer_ids) + 5 if sheet.per_scorer else 1
    return len(sheet.options) * rows * (len(sheet.leaf_ids) + 5)


def estimated_cells(
    rankings: Sequence[Ranking], with_sensitivity: bool, by_scorer: bool | None = None
) -> int:
    """About how many cells the HCE workbook for ``rankings`` holds (a little over).

    Scores: a row per scorer, the score used and four spread rows per option, a column per
    leaf (or the score used alone, without ``by_scorer``; by default as ``panels_by_scorer``
    decides); Totals: a row per option; Sensitivity: rank acceptability (options x up to 51
    rank columns), score thresholds (options x leaves) and the weight thresholds (a row per
    criterion and sub-criterion); Validation: a row per disagreement.
    """
    if by_scorer is None:
        by_scorer = panels_by_scorer(rankings, with_sensitivity)
    cells = FIXED_CELLS
    for ranking in rankings:
        sheet = ranking.sheet
        options, leaves = len(sheet.options), len(sheet.leaf_ids)
        cells += GROUP_CELLS
        cells += scorer_cells(ranking) if by_scorer else options * (leaves + 5)
        cells += options * (leaves + len(sheet.tree.top_ids) + 8)
        cells += options * 6  # its Summary row and its Register row, about 3 cells each
        cells += 6 * len(ranking.disagreements)
        if with_sensitivity:
            ranked = len(ranking.options)
            ranks = RANK_COLUMNS + 1 if ranked > RANK_COLUMNS + 1 else ranked
            nodes = leaves + len(sheet.tree.top_ids)  # a threshold row each, ~10 columns
            cells += ranked * (ranks + 5) + ranked * (leaves + 6) + 10 * nodes
    return cells


def panels_by_scorer(rankings: Sequence[Ranking], with_sensitivity: bool) -> bool:
    """Whether the Scores sheets show each scorer's scores: when the workbook fits so.

    That is, within the export's cell limit (``MAX_EXPORT_CELLS``). Past it, a panel's Scores
    sheet shows its scores used, as values, and says so (2,000 options x 5 scorers: 1.3
    million cells).
    """
    return estimated_cells(rankings, with_sensitivity, by_scorer=True) <= MAX_EXPORT_CELLS


def build_context(
    rankings: Sequence[Ranking],
    *,
    command_line: str = "",
    inputs: Sequence[Path] = (),
    sensitivities: Sequence[Sensitivity] = (),
) -> WorkbookContext:
    """Check the rankings belong in one workbook and lay out where every shared cell goes.

    ``sensitivities``, if given, hold one result per ranking in the same order; each group
    then gets a Sensitivity sheet.
    """
    if not rankings:
        raise ValueError("no rankings to export")
    used = _check_shared_criteria(rankings)  # first, as combine checks them
    one_file_per_group([r.sheet for r in rankings])
    results = _check_sensitivities(rankings, sensitivities)
    tree = rankings[0].sheet.tree
    groups = [r.sheet.group for r in rankings]
    by_scorer = panels_by_scorer(rankings, bool(sensitivities))
    layouts = tuple(
        GroupLayout(
            ranking,
            scores,
            totals,
            result,
            sens if result is not None else "",
            compact=ranking.sheet.per_scorer and not by_scorer,
        )
        for ranking, scores, totals, result, sens in zip(
            rankings,
            group_titles("Scores", groups),
            group_titles("Totals", groups),
            results,
            group_titles("Sensitivity", groups),
            strict=True,
        )
    )
    rows = _criteria_rows(tree)
    return WorkbookContext(
        rankings=tuple(rankings),
        groups=layouts,
        tree=tree,
        weights_used=used,
        criteria_rows=rows,
        weight_cells={node: sheet_ref(CRITERIA, GLOBAL_COL, row) for node, row in rows.items()},
        inputs=input_files(rankings, inputs),
        command_line=command_line,
    )
