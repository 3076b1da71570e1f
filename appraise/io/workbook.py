"""The HCE workbook: rankings as a live Excel workbook for the Health and Care Executive.

Sheets, in order: Summary, Criteria, per working group Scores and Totals, per group a
Sensitivity sheet when sensitivity results are given, any extra sections (combinations, say),
then Validation and Audit. Global weights, contributions, totals and ranks are formulas, so a
member who edits a "weight used" cell on the Criteria sheet sees every total and rank follow.
Everything else is a value: the Sensitivity sheets in particular describe the weights and
scores as exported, and say so.

Text that came from an input file (names, ids, notes, reasons, the command line) is always
written by ``put_text`` as a text cell, so ``=HYPERLINK(...)`` typed as an option name stays
text; only ``put_formula`` writes formulas, and only this module's own.

A section is anything with a ``name`` (its sheet title) and ``write(sheet, context)``; the
``WorkbookContext`` tells it where every group's cells are, so a later sensitivity sheet can
point its formulas at the same weight cells.
"""

from __future__ import annotations

import hashlib
import math
import platform
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.chart import BarChart, Reference, ScatterChart
from openpyxl.chart.axis import NumericAxis
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.marker import Marker
from openpyxl.chart.series import Series
from openpyxl.chart.series_factory import SeriesFactory
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from appraise import __version__
from appraise.errors import InputError
from appraise.io.safe_write import check_output_path, write_atomically
from appraise.report import context_text, ranking_record
from appraise.scoring import TIE_TOLERANCE, Ranking, resolve_weight_set
from appraise.sensitivity import Alternative, Line, Sensitivity, Threshold, weight_lines
from appraise.sensitivity_report import summary as sensitivity_summary
from appraise.weights import CriteriaTree, FloatArray, percent_text

if TYPE_CHECKING:
    from appraise.smaa import SmaaResult

SUMMARY = "Summary"
CRITERIA = "Criteria"
VALIDATION = "Validation"
AUDIT = "Audit"
MAX_TITLE = 31  # Excel's limit on a sheet title
_FORBIDDEN_IN_TITLE = set("[]:*?/\\")
MAX_CELL_TEXT = 32_767  # Excel's limit on the text in one cell
# A cell whose text starts with one of these is read as a formula by Excel or LibreOffice
# when typed, and by careless tools when copied: OWASP's CSV/formula injection list.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
AUDITED_PACKAGES = ("numpy", "pandas", "openpyxl", "pydantic", "PyYAML")

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
# Totals within this of each other share a rank, as in ``scoring.competition_ranks``.
TIE_TEXT = f"{TIE_TOLERANCE:G}"
# Scores sheet: scorer, option id, option name, then one column per leaf.
SCORES_FIRST_LEAF_COL = 4


# --- writing cells: text is always text; formulas only from here -------------------------


def _cell(sheet: Worksheet, row: int, column: int) -> Cell:
    cell: Cell | MergedCell = sheet.cell(row=row, column=column)
    if isinstance(cell, MergedCell):  # this module merges no cells
        raise TypeError(f"{sheet.title}!{address(column, row, absolute=False)} is merged")
    return cell


def put_text(sheet: Worksheet, row: int, column: int, value: object) -> Cell:
    """Write ``value`` as a text cell, never a formula, whatever it starts with.

    openpyxl turns any string starting with ``=`` into a formula; setting the cell's type
    back to string after assigning keeps it text, and a leading formula character also gets
    the quote prefix, so Excel shows it as typed text even after the cell is edited.
    Characters XML cannot hold are replaced, and the text is cut to Excel's cell limit.
    """
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(value))[:MAX_CELL_TEXT]
    cell = _cell(sheet, row, column)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True
    return cell


def put_number(
    sheet: Worksheet, row: int, column: int, value: float | None, number_format: str = "General"
) -> Cell:
    """Write a number; ``None`` or NaN leaves the cell blank (a score nobody gave)."""
    cell = _cell(sheet, row, column)
    if value is not None and not math.isnan(value):
        cell.value = float(value)
    cell.number_format = number_format
    return cell


def put_formula(
    sheet: Worksheet, row: int, column: int, formula: str, number_format: str = "General"
) -> Cell:
    """Write one of this module's own formulas (never text from an input file)."""
    if not formula.startswith("="):
        raise ValueError(f"not a formula: {formula!r}")
    cell = _cell(sheet, row, column)
    cell.value = formula
    cell.number_format = number_format
    return cell


def address(column: int, row: int, *, absolute: bool = True) -> str:
    """A1 address of a cell, ``$C$5`` by default."""
    letter = get_column_letter(column)
    return f"${letter}${row}" if absolute else f"{letter}{row}"


def cells(c1: int, r1: int, c2: int, r2: int, *, absolute: bool = True) -> str:
    """A1 address of a range, ``$C$5:$E$9`` by default."""
    return f"{address(c1, r1, absolute=absolute)}:{address(c2, r2, absolute=absolute)}"


def sheet_ref(title: str, column: int, row: int) -> str:
    """An absolute reference to a cell on another sheet: ``'Totals x'!$C$5``."""
    return f"{quote_sheetname(title)}!{address(column, row)}"


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
    """A file the workbook was made from, and what it is."""

    role: str
    path: Path


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

    @property
    def leaf_ids(self) -> tuple[str, ...]:
        """The ids this group scored against (sub-criteria, or criteria if indicative)."""
        return self.ranking.sheet.leaf_ids

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

    @property
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


class Section(Protocol):
    """One sheet of the workbook: its title (unique, at most 31 characters) and its content."""

    @property
    def name(self) -> str:
        """The sheet title."""
        ...

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill ``sheet`` (already created and titled ``name``); ``sheet.parent`` is the book."""
        ...


@dataclass(frozen=True)
class SheetSection:
    """A section made from a function: the simplest way to add a sheet."""

    name: str
    fill: Callable[[Worksheet, WorkbookContext], None]

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Call ``fill(sheet, context)``."""
        self.fill(sheet, context)


# --- building the context ------------------------------------------------------------------


def weights_used(tree: CriteriaTree, weight_set: str | None) -> dict[str, float]:
    """Weight in points of every criterion and sub-criterion after the named weight set."""
    overrides = resolve_weight_set(tree, weight_set) or {}
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
    used = weights_used(tree, first.weight_set)
    for ranking in rankings[1:]:
        other = ranking.sheet.tree
        if (other.top_ids, other.leaf_ids) != (tree.top_ids, tree.leaf_ids):
            what = "criteria"
        elif weights_used(other, ranking.weight_set) != used:
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


def _input_files(rankings: Sequence[Ranking], extra: Sequence[Path]) -> tuple[InputFile, ...]:
    """Every input file once, in order: scores files, criteria files, then ``extra``."""
    found: list[InputFile] = []
    seen: set[Path] = set()
    candidates = [InputFile("scores", Path(r.sheet.path)) for r in rankings]
    candidates += [InputFile("criteria", Path(r.sheet.tree.path)) for r in rankings]
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
    case) with a ``~2``, ``~3`` suffix, so two rounds of one group get two sheets.
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
    used = _check_shared_criteria(rankings)
    results = _check_sensitivities(rankings, sensitivities)
    tree = rankings[0].sheet.tree
    groups = [r.sheet.group for r in rankings]
    layouts = tuple(
        GroupLayout(ranking, scores, totals, result, sens if result is not None else "")
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
        inputs=_input_files(rankings, inputs),
        command_line=command_line,
    )


# --- sheet helpers -------------------------------------------------------------------------


def _header(sheet: Worksheet, row: int, labels: Sequence[str], styles: Styles) -> None:
    for column, label in enumerate(labels, start=1):
        cell = put_text(sheet, row, column, label)
        cell.font = styles.header_font
        cell.fill = styles.header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _title(sheet: Worksheet, text: str, styles: Styles, note: str = "") -> None:
    put_text(sheet, 1, 1, text).font = styles.title
    if note:
        put_text(sheet, 2, 1, note).font = styles.note_font


def _widths(sheet: Worksheet, widths: Mapping[int, float]) -> None:
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def _long_table(sheet: Worksheet, header_row: int, freeze: str) -> None:
    """Freeze the panes under the header; print landscape, one page wide, header repeated."""
    sheet.freeze_panes = freeze
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _scores_used(ranking: Ranking) -> FloatArray:
    if ranking.scores is None:
        raise ValueError("the ranking carries no scores; compute it with appraise.scoring.rank")
    return ranking.scores


def _row_of(ranking: Ranking, option_id: str) -> FloatArray:
    """The scores used for one option (the arrays are in file order)."""
    index = next(i for i, o in enumerate(ranking.sheet.options) if o.id == option_id)
    row: FloatArray = _scores_used(ranking)[index]
    return row


def _scale_text(ranking: Ranking) -> str:
    scale = ranking.sheet.scale
    return f"{scale.min:g} to {scale.max:g}" if scale.min < 0 else f"{scale.min:g}-{scale.max:g}"


def _level_text(ranking: Ranking) -> str:
    sheet = ranking.sheet
    if sheet.level == "criteria" and sheet.leaf_ids != sheet.tree.leaf_ids:
        return "top-level criteria (indicative round)"
    return "sub-criteria" if sheet.leaf_ids != sheet.tree.top_ids else "criteria"


def _points(value: float) -> str:
    return f"{value:.2f}" if abs(value) >= 0.005 else f"{value:.2g}"


# --- Summary -------------------------------------------------------------------------------


def robustness_text(
    ranking: Ranking, sensitivity: Sensitivity | None = None, sheet_title: str = ""
) -> str:
    """One plain-English paragraph on how firmly the leader leads.

    With sensitivity results it opens with their headline (thresholds, simulation) and points
    to the sheet ``sheet_title`` for the rest; without, it gives the margin over the runner-up.
    """
    if sensitivity is not None and ranking.options:
        text = sensitivity_summary(sensitivity)[0]
        if ranking.disagreements:
            count = len(ranking.disagreements)
            text += (
                f" Scorers were far apart on {count} heavily weighted score"
                f"{'s' if count > 1 else ''} (see Validation)."
            )
        where = f"the '{sheet_title}' sheet" if sheet_title else "the Sensitivity sheet"
        return text + f" Details, computed at export, on {where}."
    options = ranking.options
    if not options:
        return "No option is left in the ranking, so there is no leader."
    leader = options[0]
    if len(options) == 1:
        return f"{leader.name} is the only option left in the ranking, so it leads unopposed."
    runner = options[1]
    margin = leader.total - runner.total
    span = ranking.sheet.scale.max - ranking.sheet.scale.min
    if margin <= TIE_TOLERANCE:
        text = f"{leader.name} and {runner.name} tie for first place"
    else:
        share = percent_text(margin / span, 0 if margin / span >= 0.01 else 1)
        text = (
            f"{leader.name} leads {runner.name} by {_points(margin)} points, "
            f"{share}% of the {_scale_text(ranking)} scale"
        )
    if ranking.disagreements:
        count = len(ranking.disagreements)
        text += (
            f"; scorers were far apart on {count} heavily weighted score"
            f"{'s' if count > 1 else ''} (see Validation)"
        )
    return text + "; run `appraise sensitivity` for weight thresholds and simulation."


def _status_quo_text(ranking: Ranking) -> str:
    for option in ranking.options:
        if option.status_quo:
            return f"{option.name} ranks {option.rank} of {len(ranking.options)} at export."
    for item in (*ranking.screened_out, *ranking.excluded):
        if any(o.id == item.id and o.status_quo for o in ranking.sheet.options):
            return f"{item.name} is not ranked: {item.reason}."
    return "No option is marked as the status quo (status_quo: true)."


def _shortlist(sheet: Worksheet, row: int, layout: GroupLayout, styles: Styles) -> int:
    """The ranked options with live rank and total; returns the next free row."""
    _header(sheet, row, ["Rank", "Option", "Total", "Status quo", "Notes"], styles)
    for option in layout.ranking.options:
        row += 1
        source = layout.option_rows[option.id]
        put_formula(sheet, row, 1, "=" + layout.totals_cell(layout.rank_column, source))
        put_text(sheet, row, 2, option.name)
        put_formula(
            sheet, row, 3, "=" + layout.totals_cell(layout.total_column, source), styles.number
        )
        put_text(sheet, row, 4, "yes" if option.status_quo else "")
        if option.notes:
            put_text(sheet, row, 5, option.notes).alignment = styles.wrap
    return row + 1


def _leader_lines(sheet: Worksheet, row: int, layout: GroupLayout, styles: Styles) -> int:
    ranking = layout.ranking
    put_text(sheet, row, 1, "Leader at export")
    put_text(sheet, row, 2, ranking.options[0].name if ranking.options else "none")
    if ranking.options:
        put_text(sheet, row + 1, 1, "Leader now")
        names = layout.ranked_cells(2)
        ranks = layout.ranked_cells(layout.rank_column)
        put_formula(sheet, row + 1, 2, f"=INDEX({names},MATCH(1,{ranks},0))")
        put_text(
            sheet, row + 1, 3, "follows the weights on the Criteria sheet"
        ).font = styles.note_font
        row += 1
    put_text(sheet, row + 1, 1, "Status quo")
    put_text(sheet, row + 1, 2, _status_quo_text(ranking))
    return row + 2


def _set_aside_lines(sheet: Worksheet, row: int, layout: GroupLayout, styles: Styles) -> int:
    ranking = layout.ranking
    for label, items in (
        ("Failed a gate", ranking.screened_out),
        ("Excluded", ranking.excluded),
        ("Rejected", ranking.rejected),
    ):
        for item in items:
            put_text(sheet, row, 1, label).font = styles.warning_font
            put_text(sheet, row, 2, item.name)
            put_text(sheet, row, 3, item.reason).alignment = styles.wrap
            row += 1
    for option in ranking.sheet.spec.options:
        for text in option.dissent:
            put_text(sheet, row, 1, "Dissent").font = styles.warning_font
            put_text(sheet, row, 2, option.name)
            put_text(sheet, row, 3, text).alignment = styles.wrap
            row += 1
    return row


def _contribution_chart(layout: GroupLayout) -> BarChart:
    """Stacked horizontal bars: each option's contribution per top-level criterion."""
    tree = layout.ranking.sheet.tree
    first = layout.contribution_column(tree.top_ids[0])
    last = layout.contribution_column(tree.top_ids[-1])
    title = quote_sheetname(layout.totals_title)
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = f"Contribution per criterion: {layout.ranking.sheet.spec.name}"[:250]
    chart.x_axis.scaling.orientation = "maxMin"  # rank 1 at the top
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.title = "Weighted score"
    data = f"{title}!{cells(first, HEADER_ROW, last, layout.last_option_row)}"
    chart.add_data(Reference(range_string=data), titles_from_data=True)
    for series in chart.series:  # option names are text: a string reference, not numbers
        series.cat = AxDataSource(strRef=StrRef(f=layout.ranked_cells(2)))
    chart.width = 20
    chart.height = max(7.5, 3.0 + 0.9 * len(layout.ranking.options))
    return chart


def _summary_group(sheet: Worksheet, row: int, layout: GroupLayout, styles: Styles) -> int:
    """One group's block on the Summary sheet; returns the next free row."""
    ranking = layout.ranking
    put_text(
        sheet, row, 1, f"{ranking.sheet.spec.name} ({ranking.sheet.group})"
    ).font = styles.heading
    put_text(sheet, row + 1, 1, context_text(ranking_record(ranking))).font = styles.note_font
    row = _shortlist(sheet, row + 2, layout, styles)
    row = _leader_lines(sheet, row, layout, styles)
    row = _set_aside_lines(sheet, row, layout, styles)
    put_text(sheet, row, 1, "Robustness")
    robustness = robustness_text(ranking, layout.sensitivity, layout.sensitivity_title)
    put_text(sheet, row, 2, robustness).alignment = styles.wrap
    sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
    if ranking.options:
        # Below the text, not beside it, so a printed page stays one readable column wide.
        chart = _contribution_chart(layout)
        sheet.add_chart(chart, f"A{row + 2}")
        row += 2 + math.ceil(chart.height / 0.5)  # rows are about 0.5 cm
    return row + 2


def write_summary(sheet: Worksheet, context: WorkbookContext) -> None:
    """Summary: per group the live shortlist, leader, status quo, set-aside options, a chart."""
    styles = context.styles
    _title(
        sheet,
        "Option appraisal: summary for the Health and Care Executive",
        styles,
        f"Criteria: {context.tree.title} ({context.tree.path}). Exported "
        f"{context.exported_at:%Y-%m-%d %H:%M} UTC by appraise {__version__}. Ranks and totals "
        "are live: they follow the weights on the Criteria sheet.",
    )
    row = 4
    illustrative = [r.sheet.path for r in context.rankings if r.sheet.illustrative]
    if illustrative:
        put_text(
            sheet,
            3,
            1,
            "ILLUSTRATIVE SCORES: " + ", ".join(illustrative) + " say their scores are invented "
            "to show the method; do not quote them as anyone's appraisal.",
        ).font = styles.warning_font
        row = 5
    for layout in context.groups:
        row = _summary_group(sheet, row, layout, styles)
    _widths(sheet, {1: 18, 2: 48, 3: 30, 4: 11, 5: 40})


# --- Criteria ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Node:
    """What the Criteria sheet shows of a criterion or sub-criterion besides its formulas."""

    id: str
    name: str
    level: str
    parent: str
    entered: float
    used: float


def _criteria_row(
    sheet: Worksheet, row: int, node: _Node, formulas: tuple[str, str, str], styles: Styles
) -> None:
    """One row: id, name, level, parent, weights entered and used, then the three formulas."""
    for column, text in enumerate((node.id, node.name, node.level, node.parent), start=1):
        put_text(sheet, row, column, text)
    put_number(sheet, row, 5, node.entered)
    put_number(sheet, row, USED_COL, node.used).fill = styles.editable_fill
    family, local, global_ = formulas
    put_formula(sheet, row, FAMILY_COL, family, "0.0##")
    put_formula(sheet, row, LOCAL_COL, local, styles.percent)
    put_formula(sheet, row, GLOBAL_COL, global_, styles.percent)


def _local(row: int) -> str:
    used, family = address(USED_COL, row, absolute=False), address(FAMILY_COL, row, absolute=False)
    return f"=IF({family}=0,0,{used}/{family})"


def _criteria_table(sheet: Worksheet, context: WorkbookContext) -> int:
    """The criteria rows with live family sums, shares and global weights; returns last row."""
    rows, used, styles = context.criteria_rows, context.weights_used, context.styles
    criteria = context.tree.spec.criteria
    top_sum = "=SUM(" + ",".join(address(USED_COL, rows[c.id]) for c in criteria) + ")"
    for criterion in criteria:
        row = rows[criterion.id]
        local = address(LOCAL_COL, row, absolute=False)
        node = _Node(
            criterion.id, criterion.name, "criterion", "", criterion.weight, used[criterion.id]
        )
        _criteria_row(sheet, row, node, (top_sum, _local(row), f"={local}"), styles)
        subs = criterion.sub or []
        if not subs:
            continue
        first, last = rows[subs[0].id], rows[subs[-1].id]
        family = f"=SUM({cells(USED_COL, first, USED_COL, last)})"
        for sub in subs:
            r = rows[sub.id]
            global_ = f"={address(LOCAL_COL, row)}*{address(LOCAL_COL, r, absolute=False)}"
            node = _Node(sub.id, sub.name, "sub-criterion", criterion.id, sub.weight, used[sub.id])
            _criteria_row(sheet, r, node, (family, _local(r), global_), styles)
    return max(rows.values())


def _criteria_notes(sheet: Worksheet, row: int, context: WorkbookContext) -> None:
    styles = context.styles
    weight_sets = sorted({r.weight_set for r in context.rankings if r.weight_set})
    lines = [
        "Yellow cells (Weight used) are the ones to edit: change a weight and every global "
        "weight, contribution, total and rank in this workbook recalculates. Each family is "
        "rescaled to its own sum, so weights need not add to 100.",
        "Weight used = weight as entered"
        + (f", replaced where weight set '{weight_sets[0]}' sets it." if weight_sets else "."),
        "Global weight = the criterion's local share x the sub-criterion's local share; a "
        "criterion scored directly (or in an indicative round) carries its own local share.",
    ]
    lines += [f"Note: {note}" for note in context.tree.notes]
    for k, line in enumerate(lines):
        put_text(sheet, row + k, 2, line).font = styles.note_font


def write_criteria(sheet: Worksheet, context: WorkbookContext) -> None:
    """Criteria: every criterion and sub-criterion with live shares and global weights."""
    styles = context.styles
    _title(
        sheet,
        f"Criteria: {context.tree.title}",
        styles,
        f"From {context.tree.path}. Edit the yellow 'Weight used' cells to try other weights.",
    )
    _header(sheet, HEADER_ROW, CRITERIA_COLUMNS, styles)
    last = _criteria_table(sheet, context)
    _criteria_notes(sheet, last + 2, context)
    used = get_column_letter(USED_COL)
    check = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
    check.error = "A weight is a number of points, 0 or more."
    check.add(f"{used}{HEADER_ROW + 1}:{used}{last}")
    sheet.add_data_validation(check)
    _widths(sheet, {1: 22, 2: 60, 3: 14, 4: 16, 5: 11, 6: 11, 7: 11, 8: 11, 9: 11})
    _long_table(sheet, HEADER_ROW, f"C{HEADER_ROW + 1}")


# --- Scores --------------------------------------------------------------------------------


def _score_rows(layout: GroupLayout) -> list[tuple[str, int, FloatArray]]:
    """(label, option index, values) per row: each scorer, the score used, then the spread."""
    ranking = layout.ranking
    sheet_ = ranking.sheet
    used = _scores_used(ranking)
    spread = ranking.spread
    rows: list[tuple[str, int, FloatArray]] = []
    for i in range(len(sheet_.options)):
        if sheet_.per_scorer:
            rows += [(scorer, i, sheet_.raw[k, i]) for k, scorer in enumerate(sheet_.scorer_ids)]
        rows.append((f"used ({ranking.aggregate})" if sheet_.per_scorer else "used", i, used[i]))
        if sheet_.per_scorer and spread is not None:
            rows += [
                ("n", i, spread.n[i].astype(np.float64)),
                ("min", i, spread.low[i]),
                ("max", i, spread.high[i]),
                ("sd", i, spread.std[i]),
            ]
    return rows


def _disagreement_text(layout: GroupLayout, option_id: str) -> str:
    found = [d for d in layout.ranking.disagreements if d.option == option_id]
    return "; ".join(f"{d.leaf} ({d.low:g} to {d.high:g}, {d.n} scorers)" for d in found)


def write_scores(sheet: Worksheet, context: WorkbookContext, layout: GroupLayout) -> None:
    """Scores: per scorer raw scores, the score used, the spread and disagreement flags."""
    styles, ranking = context.styles, layout.ranking
    _title(
        sheet,
        f"Scores: {ranking.sheet.spec.name}",
        styles,
        f"From {ranking.sheet.path}; scale {_scale_text(ranking)}; blank = not scored. "
        "Shaded cells: scorers far apart on a heavily weighted criterion.",
    )
    labels = [
        "Scorer / measure",
        "Option id",
        "Option",
        *layout.leaf_ids,
        "Scorers disagree on",
        "Declared interest",
    ]
    scorers = ranking.sheet.spec.scorers
    _header(sheet, HEADER_ROW, labels, styles)
    flagged = {(d.option, d.leaf) for d in ranking.disagreements}
    flag_col = SCORES_FIRST_LEAF_COL + len(layout.leaf_ids)
    row = HEADER_ROW
    for label, i, values in _score_rows(layout):
        row += 1
        option = ranking.sheet.options[i]
        for column, text in enumerate((label, option.id, option.name), start=1):
            put_text(sheet, row, column, text)
        number = styles.number if label in {"sd"} or label.startswith("used") else "General"
        for j, leaf in enumerate(layout.leaf_ids):
            cell = put_number(sheet, row, SCORES_FIRST_LEAF_COL + j, float(values[j]), number)
            if (option.id, leaf) in flagged and label.startswith("used"):
                cell.fill = styles.flag_fill
        flags = _disagreement_text(layout, option.id) if label.startswith("used") else ""
        if flags:
            put_text(sheet, row, flag_col, flags).fill = styles.flag_fill
        interest = scorers[label].interests.get(option.id) if label in scorers else None
        if interest:
            put_text(sheet, row, flag_col + 1, interest).fill = styles.flag_fill
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(flag_col + 1)}{row}"
    _widths(
        sheet,
        {1: 18, 2: 18, 3: 40}
        | {c: 9 for c in range(4, flag_col)}
        | {flag_col: 40, flag_col + 1: 40},
    )
    _long_table(sheet, HEADER_ROW, f"D{HEADER_ROW + 1}")


# --- Totals --------------------------------------------------------------------------------


def _contribution_formulas(layout: GroupLayout, row: int, gaps: bool) -> list[str]:
    """SUMPRODUCT of each criterion's leaf weights and the option's scores on this row.

    With gaps (``--missing renormalise``) each contribution is divided by the weight the
    option was scored on, as ``scoring.rank`` rescales that option's weights to sum to 1.
    """
    sheet_ = layout.ranking.sheet
    first_leaf = layout.leaf_column(layout.leaf_ids[0])
    last_leaf = layout.leaf_column(layout.leaf_ids[-1])
    denominator = ""
    if gaps:
        weights = cells(first_leaf, TOTALS_WEIGHT_ROW, last_leaf, TOTALS_WEIGHT_ROW)
        scores = cells(first_leaf, row, last_leaf, row, absolute=False)
        denominator = f'/SUMPRODUCT({weights},--({scores}<>""))'
    formulas = []
    for criterion in sheet_.tree.top_ids:
        columns = [
            layout.leaf_column(x) for x in layout.leaf_ids if sheet_.tree.parent(x) == criterion
        ]
        lo, hi = min(columns), max(columns)
        if hi - lo + 1 != len(columns):
            raise ValueError(f"leaves of '{criterion}' are not in adjacent columns")
        weights = cells(lo, TOTALS_WEIGHT_ROW, hi, TOTALS_WEIGHT_ROW)
        scores = cells(lo, row, hi, row, absolute=False)
        formulas.append(f"=SUMPRODUCT({weights},{scores}){denominator}")
    return formulas


def _totals_row(
    sheet: Worksheet, row: int, layout: GroupLayout, option_id: str, styles: Styles
) -> None:
    """An option's scores as values, then live contributions and total."""
    option = next(o for o in layout.ranking.sheet.options if o.id == option_id)
    put_text(sheet, row, 1, option.id)
    put_text(sheet, row, 2, option.name)
    values = _row_of(layout.ranking, option_id)
    for j, leaf in enumerate(layout.leaf_ids):
        put_number(sheet, row, layout.leaf_column(leaf), float(values[j]))
    formulas = _contribution_formulas(layout, row, bool(np.isnan(values).any()))
    first = layout.contribution_column(layout.ranking.sheet.tree.top_ids[0])
    for k, formula in enumerate(formulas):
        put_formula(sheet, row, first + k, formula, styles.number)
    span = cells(first, row, first + len(formulas) - 1, row, absolute=False)
    put_formula(sheet, row, layout.total_column, f"=SUM({span})", styles.number)
    put_text(sheet, row, layout.rank_column + 1, "yes" if option.status_quo else "")


def _weights_row(sheet: Worksheet, layout: GroupLayout, context: WorkbookContext) -> None:
    styles = context.styles
    put_text(sheet, TOTALS_WEIGHT_ROW, 2, "Global weight (from Criteria)").font = styles.note_font
    for leaf in layout.leaf_ids:
        column = layout.leaf_column(leaf)
        put_formula(
            sheet, TOTALS_WEIGHT_ROW, column, "=" + context.weight_cells[leaf], styles.percent
        )
    tree = layout.ranking.sheet.tree
    for criterion in tree.top_ids:
        columns = [layout.leaf_column(x) for x in layout.leaf_ids if tree.parent(x) == criterion]
        span = cells(min(columns), TOTALS_WEIGHT_ROW, max(columns), TOTALS_WEIGHT_ROW)
        put_formula(
            sheet,
            TOTALS_WEIGHT_ROW,
            layout.contribution_column(criterion),
            f"=SUM({span})",
            styles.percent,
        )


def write_totals(sheet: Worksheet, context: WorkbookContext, layout: GroupLayout) -> None:
    """Totals: scores used x live global weights, contributions, totals and ranks."""
    styles, ranking = context.styles, layout.ranking
    tree = ranking.sheet.tree
    _title(
        sheet,
        f"Totals: {ranking.sheet.spec.name}",
        styles,
        "Scores as used (see the Scores sheet) x global weights (from the Criteria sheet). "
        "Contributions, totals and ranks are formulas; equal totals (within 1E-9) share a rank.",
    )
    _weights_row(sheet, layout, context)
    labels = ["Option id", "Option", *layout.leaf_ids, *(tree.name(c) for c in tree.top_ids)]
    _header(sheet, HEADER_ROW, [*labels, "Total", "Rank", "Status quo"], styles)
    column = layout.total_column
    totals = cells(column, TOTALS_FIRST_ROW, column, layout.last_option_row)
    for option_id, row in layout.option_rows.items():
        _totals_row(sheet, row, layout, option_id, styles)
        mine = address(layout.total_column, row, absolute=False)
        put_formula(
            sheet, row, layout.rank_column, f"=SUMPRODUCT(--({totals}>{mine}+{TIE_TEXT}))+1"
        )
    if ranking.screened_out:
        heading_row = layout.last_option_row + 2
        put_text(
            sheet, heading_row, 1, "Failed a gate: not ranked, totals for reference"
        ).font = styles.warning_font
        for option_id, row in layout.screened_rows.items():
            _totals_row(sheet, row, layout, option_id, styles)
            put_text(sheet, row, layout.rank_column, "failed a gate")
    _widths(sheet, {1: 18, 2: 40} | {c: 10 for c in range(3, layout.rank_column + 2)})
    _long_table(sheet, HEADER_ROW, f"C{TOTALS_FIRST_ROW}")


# --- Sensitivity ---------------------------------------------------------------------------

CHART_STEPS = 20  # the weight chart's data table: t = 0, 0.05, ..., 1
CHART_HEIGHT = 12.0  # cm
ROW_HEIGHT = 0.5  # cm, about one default row: how many rows a chart covers
SCORE_CHANGES_SHOWN = 3  # per option behind the leader
_Value = str | float | None


def binding_threshold(result: Sensitivity) -> Threshold | None:
    """The weight threshold nearest today's weight (global thresholds), if any binds.

    The rule of the summary's headline: equally near (to rounding) keeps the first listed,
    so the Sensitivity chart and the sentence above it name the same criterion.
    """
    best: tuple[float, Threshold] | None = None
    for t in result.thresholds or []:
        for bound in (t.lower, t.upper):
            if bound is not None and (best is None or abs(bound - t.weight) < best[0] - 1e-12):
                best = (abs(bound - t.weight), t)
    return None if best is None else best[1]


def chart_line(result: Sensitivity) -> tuple[Line, bool] | None:
    """The weight path the Sensitivity chart draws, and whether it is the binding one.

    The binding criterion's path; when no single weight moves the leader, the heaviest
    criterion's. None when weight thresholds were not computed or nothing is ranked.
    """
    if not result.thresholds or not result.ranking.options:
        return None
    lines = {line.criterion: line for line in weight_lines(result.ranking, "global")}
    binding = binding_threshold(result)
    if binding is not None:
        return lines[binding.criterion], True
    heaviest = max(result.thresholds, key=lambda t: t.weight)  # first of equals
    return lines[heaviest.criterion], False


def analyses_run(result: Sensitivity) -> list[str]:
    """Names (as ``appraise.sensitivity.ANALYSES``) of the analyses in ``result``."""
    found = {
        "thresholds": result.thresholds,
        "within": result.within,
        "scores": result.scores,
        "weight-sets": result.weight_sets,
        "leave-one-out": result.leave_one_out,
        "smaa": result.smaa,
    }
    return [name for name, value in found.items() if value is not None]


def _rows(
    sheet: Worksheet,
    row: int,
    rows: Sequence[Sequence[_Value]],
    formats: Sequence[str | None],
) -> int:
    """Write rows from ``row``: text where the format is None, else numbers; the next row."""
    for k, values in enumerate(rows):
        for column, (value, number_format) in enumerate(zip(values, formats, strict=True), 1):
            if value is None:
                continue
            if isinstance(value, str):
                put_text(sheet, row + k, column, value)
            else:
                put_number(sheet, row + k, column, value, number_format or "General")
    return row + len(rows)


def _heading(sheet: Worksheet, row: int, title: str, note: str, styles: Styles) -> int:
    """A table's heading and note; returns the row for its header."""
    put_text(sheet, row, 1, title).font = styles.heading
    if note:
        put_text(sheet, row + 1, 1, note).font = styles.note_font
        return row + 2
    return row + 1


def _option_names(ranking: Ranking) -> dict[str, str]:
    return {o.id: o.name for o in ranking.sheet.options}


def _taker(option: str | None, names: Mapping[str, str], end: str) -> str:
    return names.get(option, option) if option is not None else f"none: first to {end}"


def _threshold_table(
    sheet: Worksheet,
    row: int,
    thresholds: Sequence[Threshold],
    ranking: Ranking,
    within: bool,
    styles: Styles,
) -> int:
    """Weight thresholds: the interval of weight over which today's leader stays first."""
    tree, names = ranking.sheet.tree, _option_names(ranking)
    leader = ranking.options[0].name
    if within:
        title = "Thresholds within each family"
        note = (
            f"A sub-criterion's share of its own criterion moved from 0% to 100%, the criterion's "
            f"weight fixed and its other sub-criteria in proportion: {leader} stays first "
            "while the share is within the interval."
        )
        now = "Share of its criterion now"
    else:
        title = "Weight thresholds"
        note = (
            "One global weight moved from 0% to 100%, the others rescaled in proportion to fill "
            f"the rest: {leader} stays first while the weight is within the interval."
        )
        now = "Weight now"
    header_row = _heading(sheet, row, title, note, styles)
    _header(
        sheet,
        header_row,
        [
            "Id",
            "Criterion",
            "Level",
            now,
            "Leader first from",
            "to",
            "Option leading below",
            "Option leading above",
        ],
        styles,
    )
    rows: list[list[_Value]] = [
        [
            t.criterion,
            tree.name(t.criterion),
            t.level,
            t.weight,
            0.0 if t.lower is None else t.lower,
            1.0 if t.upper is None else t.upper,
            _taker(t.below, names, "0%"),
            _taker(t.above, names, "100%"),
        ]
        for t in thresholds
    ]
    pct = styles.percent
    return _rows(sheet, header_row + 1, rows, [None, None, None, pct, pct, pct, None, None]) + 1


def _alternative_label(item: Alternative, ranking: Ranking) -> str:
    if item.kind == "weight set":
        return "base weights" if item.name == "base" else f"weight set '{item.name}'"
    if item.kind == "criterion":
        return f"without {ranking.sheet.tree.name(item.name)} ({item.name})"
    return f"without scorer {item.name}"


def _alternatives_table(
    sheet: Worksheet,
    row: int,
    title: str,
    note: str,
    items: Sequence[Alternative],
    result: Sensitivity,
    styles: Styles,
) -> int:
    names = _option_names(result.ranking)
    header_row = _heading(sheet, row, title, note, styles)
    _header(
        sheet,
        header_row,
        [
            "Alternative",
            "Leader(s)",
            "Leader changed?",
            "Shortlist changed?",
            f"First {result.top} in order",
            "Note",
        ],
        styles,
    )
    rows: list[list[_Value]] = [
        [
            _alternative_label(item, result.ranking),
            ", ".join(names.get(i, i) for i in item.leaders),
            "yes" if item.leader_changed else "no",
            "yes" if item.shortlist_changed else "no",
            " > ".join(names.get(i, i) for i in item.order[: result.top]),
            item.note or "",
        ]
        for item in items
    ]
    return _rows(sheet, header_row + 1, rows, [None] * 6) + 1


def _score_table(sheet: Worksheet, row: int, result: Sensitivity, styles: Styles) -> int:
    """For each option behind the leader, the smallest single-score rises that draw level."""
    ranking, found = result.ranking, result.scores or []
    tree = ranking.sheet.tree
    header_row = _heading(
        sheet,
        row,
        "Score thresholds",
        f"For each option behind {ranking.options[0].name}: the {SCORE_CHANGES_SHOWN} smallest "
        "rises in one score (the weights and every other score unchanged) that would bring it "
        "level with the leader.",
        styles,
    )
    _header(
        sheet,
        header_row,
        ["Option", "Criterion", "Score now", "Rise needed", "Score needed"],
        styles,
    )
    rows: list[list[_Value]] = []
    for option in ranking.options[1:]:
        feasible = sorted(
            (t for t in found if t.option == option.id and t.change is not None),
            key=lambda t: t.change if t.change is not None else math.inf,
        )[:SCORE_CHANGES_SHOWN]
        if not feasible:
            rows.append([option.name, "not possible within the scale", None, None, None])
        rows += [[option.name, tree.name(t.leaf), t.score, t.change, t.needed] for t in feasible]
    if not rows:
        rows.append(["(no option behind the leader)", None, None, None, None])
    number = styles.number
    return _rows(sheet, header_row + 1, rows, [None, None, "General", number, number]) + 1


def _weight_chart_block(sheet: Worksheet, row: int, result: Sensitivity, styles: Styles) -> int:
    """Every ranked option's total along one criterion's weight, as a table and a chart."""
    found = chart_line(result)
    if found is None:
        return row
    line, binding = found
    ranking = result.ranking
    name = ranking.sheet.tree.name(line.criterion)
    why = (
        "the criterion whose threshold is nearest its weight today"
        if binding
        else "no single weight moves the leader, so the heaviest criterion"
    )
    header_row = _heading(
        sheet,
        row,
        f"Totals as the weight of {name} moves",
        f"{name} ({why}) from 0% to 100% of the weight, the others in proportion; "
        f"today {percent_text(line.current, 1)}%.",
        styles,
    )
    options = ranking.options
    _header(sheet, header_row, [f"Weight of {line.criterion}", *(o.name for o in options)], styles)
    steps = [k / CHART_STEPS for k in range(CHART_STEPS + 1)]
    grid = [line.totals(t) for t in steps]
    rows: list[list[_Value]] = [
        [t, *(float(v) for v in totals)] for t, totals in zip(steps, grid, strict=True)
    ]
    first = header_row + 1
    last = _rows(sheet, first, rows, [styles.percent, *[styles.number] * len(options)]) - 1
    # Today's weight: a vertical line from the lowest to the highest total drawn.
    today_col = len(options) + 3
    low = min(float(t.min()) for t in grid)
    high = max(float(t.max()) for t in grid)
    for column, label in ((today_col, "Today's weight"), (today_col + 1, "Line from / to")):
        cell = put_text(sheet, header_row, column, label)
        cell.font, cell.fill = styles.header_font, styles.header_fill
    for k, total in enumerate((low, high)):
        put_number(sheet, first + k, today_col, line.current, styles.percent)
        put_number(sheet, first + k, today_col + 1, total, styles.number)
    chart = ScatterChart(scatterStyle="line")
    chart.title = f"Totals as the weight of {name} moves"[:250]
    chart.style = 2
    chart.x_axis.title = f"Global weight of {name}"[:250]
    chart.y_axis.title = "Weighted total"
    chart.x_axis.scaling.min, chart.x_axis.scaling.max = 0.0, 1.0
    if isinstance(chart.x_axis, NumericAxis):
        chart.x_axis.majorUnit = 0.1
    scale = ranking.sheet.scale  # every total lies within the score scale
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = scale.min, scale.max
    chart.y_axis.number_format = "0.0"
    if chart.legend is not None:
        chart.legend.position = "b"
    chart.x_axis.number_format = "0%"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    weights = Reference(sheet, min_col=1, min_row=first, max_row=last)
    for j in range(len(options)):
        values = Reference(sheet, min_col=2 + j, min_row=header_row, max_row=last)
        chart.series.append(_straight(SeriesFactory(values, weights, title_from_data=True)))
    today = _straight(
        SeriesFactory(
            Reference(sheet, min_col=today_col + 1, min_row=first, max_row=first + 1),
            Reference(sheet, min_col=today_col, min_row=first, max_row=first + 1),
            title=f"Today ({percent_text(line.current, 1)}%)",
        )
    )
    today.graphicalProperties.line.solidFill = "7F7F7F"
    today.graphicalProperties.line.dashStyle = "dash"
    chart.series.append(today)
    chart.width, chart.height = 20, CHART_HEIGHT
    sheet.add_chart(chart, address(today_col + 3, header_row, absolute=False))
    covered = header_row + math.ceil(CHART_HEIGHT / ROW_HEIGHT)
    return max(last, covered) + 2


def _straight(series: object) -> Series:
    """A series drawn as straight segments without markers."""
    if not isinstance(series, Series):
        raise TypeError(f"not a chart series: {series!r}")
    series.marker = Marker(symbol="none")
    series.smooth = False
    return series


def _acceptability_block(
    sheet: Worksheet, row: int, smaa: SmaaResult, result: Sensitivity, styles: Styles
) -> int:
    """SMAA: each option's share of simulations per rank, a table and a stacked bar chart."""
    names = _option_names(result.ranking)
    n_options = len(smaa.option_ids)
    top = min(result.top, n_options)
    concentration = (
        f", concentration {smaa.concentration:g}"
        if smaa.distribution == "dirichlet" and smaa.concentration is not None
        else ""
    )
    header_row = _heading(
        sheet,
        row,
        "Rank acceptability (simulation)",
        f"Share of {smaa.samples:,} simulations (seed {smaa.seed}; weights drawn "
        f"{smaa.distribution}{concentration}; score noise {smaa.score_noise}) in which each "
        "option took each rank. "
        "Confidence: how often it is first with the weights at its central weights (blank: "
        "never first).",
        styles,
    )
    ranks = [f"Rank {r}" for r in range(1, n_options + 1)]
    _header(
        sheet, header_row, ["Option", "P(first)", f"P(top {top})", *ranks, "Confidence"], styles
    )
    p_first, p_top = smaa.p_first(), smaa.p_top(top)
    rows: list[list[_Value]] = [
        [
            names.get(option, option),
            float(p_first[i]),
            float(p_top[i]),
            *(float(v) for v in smaa.rank_acceptability[i]),
            float(smaa.confidence[i]),
        ]
        for i, option in enumerate(smaa.option_ids)
    ]
    first = header_row + 1
    last = _rows(sheet, first, rows, [None, *[styles.percent] * (n_options + 3)]) - 1
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "percentStacked"
    chart.overlap = 100
    chart.title = f"Rank acceptability: {result.ranking.sheet.spec.name}"[:250]
    chart.x_axis.scaling.orientation = "maxMin"  # the leader at the top
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.title = "Share of simulations"
    chart.y_axis.number_format = "0%"
    data = Reference(sheet, min_col=4, max_col=3 + n_options, min_row=header_row, max_row=last)
    chart.add_data(data, titles_from_data=True)
    categories = f"{quote_sheetname(sheet.title)}!{cells(1, first, 1, last)}"
    for series in chart.series:  # option names are text: a string reference, not numbers
        series.cat = AxDataSource(strRef=StrRef(f=categories))
    chart.width = 20
    chart.height = max(9.0, 4.0 + 1.0 * n_options)
    anchor = last + 2
    sheet.add_chart(chart, address(1, anchor, absolute=False))
    return anchor + math.ceil(chart.height / ROW_HEIGHT) + 2


def write_sensitivity(sheet: Worksheet, context: WorkbookContext, layout: GroupLayout) -> None:
    """Sensitivity: the summary sentences, thresholds, alternatives, a weight chart, SMAA."""
    styles, ranking, result = context.styles, layout.ranking, layout.sensitivity
    if result is None:
        raise ValueError(f"group {ranking.sheet.group} has no sensitivity results")
    _title(
        sheet,
        f"Sensitivity: {ranking.sheet.spec.name}",
        styles,
        "Computed at export from the weights and scores as exported: values, not formulas, so "
        "they do not follow edits on the Criteria sheet (run `appraise sensitivity` again).",
    )
    row = _heading(sheet, 4, "In brief", "", styles)
    for sentence in sensitivity_summary(result):
        put_text(sheet, row, 1, sentence)
        row += 1
    row += 1
    if not ranking.options:
        _widths(sheet, {1: 28})
        sheet.freeze_panes = "A3"
        return
    if result.thresholds is not None:
        row = _threshold_table(sheet, row, result.thresholds, ranking, False, styles)
        row = _weight_chart_block(sheet, row, result, styles)
    if result.within:
        row = _threshold_table(sheet, row, result.within, ranking, True, styles)
    if result.weight_sets is not None:
        row = _alternatives_table(
            sheet,
            row,
            "Weight sets",
            "The ranking under the base weights and under each named weight set of the "
            "criteria file.",
            result.weight_sets,
            result,
            styles,
        )
    if result.leave_one_out is not None:
        row = _alternatives_table(
            sheet,
            row,
            "Leave one out",
            "The ranking with one criterion left out (the others rescaled in proportion) or, "
            "for a panel, one scorer left out.",
            result.leave_one_out,
            result,
            styles,
        )
    if result.scores is not None:
        row = _score_table(sheet, row, result, styles)
    if result.smaa is not None:
        _acceptability_block(sheet, row, result.smaa, result, styles)
    wide = len(ranking.options) + 6  # the acceptability table and the chart's data
    _widths(sheet, {1: 30, 2: 30, 3: 14, 4: 14, 5: 17, 6: 14, 7: 24, 8: 24})
    _widths(sheet, {c: 12 for c in range(9, wide + 1)})
    sheet.freeze_panes = "A3"  # the title and its note stay in view


# --- Validation ----------------------------------------------------------------------------


def _validation_rows(context: WorkbookContext) -> list[tuple[str, ...]]:
    """(kind, group, file, option, criterion, message) for every finding, tree notes once."""
    tree = context.tree
    rows: list[tuple[str, ...]] = [
        ("criteria note", "", tree.path, "", "", note) for note in tree.notes
    ]
    for ranking in context.rankings:
        group, path = ranking.sheet.group, ranking.sheet.path
        rows += [("note", group, path, "", "", n) for n in ranking.notes if n not in tree.notes]
        for d in ranking.disagreements:
            message = (
                f"{d.n} scorers gave {d.low:g} to {d.high:g} on a criterion of global weight "
                f"{percent_text(d.weight)}%"
            )
            rows.append(("disagreement", group, path, d.option, d.leaf, message))
        for item in ranking.screened_out:
            rows += [
                ("gate failure", group, path, item.id, "", f"failed gate '{g.name}': {g.reason}")
                for g in item.gate_failures
            ]
        rows += [("excluded", group, path, e.id, "", e.reason) for e in ranking.excluded]
    return rows


def write_validation(sheet: Worksheet, context: WorkbookContext) -> None:
    """Validation: every note, disagreement, gate failure and exclusion, one per row."""
    styles = context.styles
    _title(sheet, "Validation findings", styles, "Everything appraise noted while ranking.")
    _header(
        sheet,
        HEADER_ROW,
        ["Kind", "Group", "File", "Option", "Criterion", "Message"],
        styles,
    )
    rows = _validation_rows(context) or [("none", "", "", "", "", "Nothing to report.")]
    for k, values in enumerate(rows, start=HEADER_ROW + 1):
        for column, text in enumerate(values, start=1):
            put_text(sheet, k, column, text).alignment = styles.wrap
    sheet.auto_filter.ref = f"A{HEADER_ROW}:F{HEADER_ROW + len(rows)}"
    _widths(sheet, {1: 16, 2: 16, 3: 28, 4: 18, 5: 18, 6: 90})
    _long_table(sheet, HEADER_ROW, f"A{HEADER_ROW + 1}")


# --- Audit ---------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _settings_rows(context: WorkbookContext) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for ranking in context.rankings:
        sheet_ = ranking.sheet
        rows.append(
            (
                sheet_.group,
                sheet_.path,
                ranking.weight_set or "none (weights as entered)",
                ranking.aggregate if sheet_.per_scorer else "consensus scores",
                _level_text(ranking),
                _scale_text(ranking),
                str(len(sheet_.scorer_ids)) if sheet_.per_scorer else "consensus",
                sheet_.spec.round or "",
                "yes" if sheet_.illustrative else "no",
                "yes" if sheet_.tree.spec.normalise else "no",
            )
        )
    return rows


def _table(
    sheet: Worksheet,
    row: int,
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    styles: Styles,
) -> int:
    put_text(sheet, row, 1, title).font = styles.heading
    _header(sheet, row + 1, header, styles)
    for k, values in enumerate(rows, start=row + 2):
        for column, value in enumerate(values, start=1):
            if isinstance(value, int):
                put_number(sheet, k, column, value, "#,##0")
            else:
                put_text(sheet, k, column, value)
    return row + 3 + len(rows)


def _sensitivity_audit(sheet: Worksheet, row: int, context: WorkbookContext) -> int:
    """Which sensitivity analyses ran per group and how SMAA sampled; the next free row."""
    results = [(g.ranking.sheet.group, g.sensitivity) for g in context.groups if g.sensitivity]
    if not results:
        return row
    styles = context.styles
    header = [
        "Group",
        "Analyses run",
        "Shortlist (top N)",
        "SMAA samples",
        "SMAA seed",
        "Distribution",
        "Concentration",
        "Score noise",
    ]
    put_text(sheet, row, 1, "Sensitivity analyses").font = styles.heading
    _header(sheet, row + 1, header, styles)
    for k, (group, result) in enumerate(results, start=row + 2):
        put_text(sheet, k, 1, group)
        put_text(sheet, k, 2, ", ".join(analyses_run(result)))
        put_number(sheet, k, 3, result.top, "0")
        smaa = result.smaa
        if smaa is None:
            put_text(sheet, k, 4, "not run")
            continue
        put_number(sheet, k, 4, smaa.samples, "#,##0")
        put_number(sheet, k, 5, smaa.seed, "0")
        put_text(sheet, k, 6, smaa.distribution)
        if smaa.distribution == "dirichlet" and smaa.concentration is not None:
            put_number(sheet, k, 7, smaa.concentration)
        else:
            put_text(sheet, k, 7, "n/a")
        put_text(sheet, k, 8, smaa.score_noise)
    return row + 3 + len(results)


def write_audit(sheet: Worksheet, context: WorkbookContext) -> None:
    """Audit: version, time, command line, inputs with SHA-256, settings, software versions."""
    styles = context.styles
    _title(sheet, "Audit trail", styles, "What this workbook was made from, to reproduce it.")
    facts = [
        ("appraise version", __version__),
        ("Exported (UTC)", f"{context.exported_at:%Y-%m-%dT%H:%M:%SZ}"),
        ("Command line", context.command_line or "(library call)"),
        ("Criteria", f"{context.tree.title} ({context.tree.path})"),
    ]
    row = _table(sheet, 3, "Export", ["Item", "Value"], facts, styles)
    files = [
        (f.role, str(f.path), f.path.stat().st_size, sha256_of(f.path)) for f in context.inputs
    ]
    row = _table(
        sheet, row, "Input files", ["Role", "File", "Size (bytes)", "SHA-256"], files, styles
    )
    header = [
        "Group",
        "File",
        "Weight set",
        "Aggregate",
        "Scored against",
        "Scale",
        "Scorers",
        "Round",
        "Illustrative",
        "Normalise",
    ]
    row = _table(sheet, row, "Settings per group", header, _settings_rows(context), styles)
    row = _sensitivity_audit(sheet, row, context)
    software = [("Python", f"{platform.python_version()} ({platform.python_implementation()})")]
    software += [(name, _package_version(name)) for name in AUDITED_PACKAGES]
    _table(sheet, row, "Software", ["Package", "Version"], software, styles)
    _widths(sheet, {1: 22, 2: 48, 3: 22, 4: 68, 5: 18, 6: 10, 7: 10, 8: 12, 9: 12, 10: 11})


# --- sections and the entry point ------------------------------------------------------------


@dataclass(frozen=True)
class SummarySection:
    """The Summary sheet."""

    name: str = SUMMARY

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill the Summary sheet."""
        write_summary(sheet, context)


@dataclass(frozen=True)
class CriteriaSection:
    """The Criteria sheet, whose global weight cells every formula reads."""

    name: str = CRITERIA

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill the Criteria sheet."""
        write_criteria(sheet, context)


@dataclass(frozen=True)
class ScoresSection:
    """One group's Scores sheet."""

    name: str
    group: int

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill the Scores sheet of group number ``group``."""
        write_scores(sheet, context, context.groups[self.group])


@dataclass(frozen=True)
class TotalsSection:
    """One group's Totals sheet."""

    name: str
    group: int

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill the Totals sheet of group number ``group``."""
        write_totals(sheet, context, context.groups[self.group])


@dataclass(frozen=True)
class SensitivitySection:
    """One group's Sensitivity sheet."""

    name: str
    group: int

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill the Sensitivity sheet of group number ``group``."""
        write_sensitivity(sheet, context, context.groups[self.group])


@dataclass(frozen=True)
class ValidationSection:
    """The Validation sheet."""

    name: str = VALIDATION

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill the Validation sheet."""
        write_validation(sheet, context)


@dataclass(frozen=True)
class AuditSection:
    """The Audit sheet."""

    name: str = AUDIT

    def write(self, sheet: Worksheet, context: WorkbookContext) -> None:
        """Fill the Audit sheet."""
        write_audit(sheet, context)


def workbook_sections(context: WorkbookContext, extra: Sequence[Section] = ()) -> list[Section]:
    """Sections in order: Summary, Criteria, per group Scores and Totals, Sensitivity, extra, ...

    ... then Validation and Audit. Only groups with sensitivity results get a Sensitivity sheet.
    """
    sections: list[Section] = [SummarySection(), CriteriaSection()]
    for k, layout in enumerate(context.groups):
        sections += [ScoresSection(layout.scores_title, k), TotalsSection(layout.totals_title, k)]
    sections += [
        SensitivitySection(layout.sensitivity_title, k)
        for k, layout in enumerate(context.groups)
        if layout.sensitivity is not None
    ]
    return [*sections, *extra, ValidationSection(), AuditSection()]


def _check_titles(sections: Sequence[Section]) -> None:
    seen: set[str] = set()
    for section in sections:
        title = section.name
        if (
            not title
            or len(title) > MAX_TITLE
            or _FORBIDDEN_IN_TITLE & set(title)
            or title.startswith("'")
            or title.endswith("'")
        ):
            raise ValueError(
                f"sheet title {title!r}: 1 to 31 characters, none of []:*?/\\, "
                "not starting or ending with '"
            )
        if title.lower() in seen:
            raise ValueError(f"two sheets titled {title!r}")
        seen.add(title.lower())


def build_workbook(context: WorkbookContext, sections: Sequence[Section]) -> Workbook:
    """An openpyxl ``Workbook`` with one sheet per section, in order."""
    _check_titles(sections)
    book = Workbook()
    for blank in book.worksheets:
        book.remove(blank)
    book.properties.creator = f"appraise {__version__}"
    book.properties.title = "Option appraisal for the Health and Care Executive"
    book.calculation.fullCalcOnLoad = True  # no cached values are stored: compute on opening
    for section in sections:
        sheet = book.create_sheet(section.name)
        section.write(sheet, context)
        _fit_rows(sheet)
        _print_setup(sheet)
    return book


def _fit_rows(sheet: Worksheet) -> None:
    """Give rows with wrapped text the height their text needs.

    Spreadsheet programs do not grow a row for wrapped text written by a program until it is
    edited, so long notes would print over the next row. The height is estimated from the
    text's length and the column's width (about one character per width unit).
    """
    merged = {r.min_row: r for r in sheet.merged_cells.ranges if r.min_row == r.max_row}
    for number, row in enumerate(sheet.iter_rows(), start=1):
        lines = 1
        for cell in row:
            if not (isinstance(cell.value, str) and cell.alignment.wrap_text):
                continue
            width = _width(sheet, cell.column)
            span = merged.get(cell.row)
            if span is not None and span.min_col == cell.column:
                width = sum(_width(sheet, c) for c in range(span.min_col, span.max_col + 1))
            needed = sum(
                max(1, math.ceil(len(part) / max(width, 1))) for part in cell.value.split("\n")
            )
            lines = max(lines, needed)
        if lines > 1:
            sheet.row_dimensions[number].height = min(409, 15 * lines)


def _width(sheet: Worksheet, column: int) -> float:
    width = sheet.column_dimensions[get_column_letter(column)].width
    return float(width) if width else 8.43


def _print_setup(sheet: Worksheet) -> None:
    """Print each sheet landscape, fitted to the page width, however many pages long."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def write_hce_workbook(
    rankings: Sequence[Ranking],
    out: Path,
    *,
    force: bool = False,
    command_line: str = "",
    inputs: Sequence[Path] = (),
    extra_sections: Sequence[Section] = (),
    sensitivities: Sequence[Sensitivity] = (),
) -> Path:
    """Write the HCE workbook for ``rankings`` (one per scores file) to ``out``, atomically.

    Args:
        rankings: From ``appraise.scoring.rank``, one per scores file, all under one criteria
            table and weight set.
        out: The ``.xlsx`` file to write.
        force: Replace ``out`` if it exists (never when it is an input file).
        command_line: Recorded on the Audit sheet, as text.
        inputs: Further files the export read (a rules file, say): audited with their
            SHA-256 and, like the scores and criteria files, never written over.
        extra_sections: Sheets to add between the Totals (or Sensitivity) and the
            Validation sheets.
        sensitivities: From ``appraise.sensitivity.analyse``, one per ranking in the same
            order, or none. Each group then gets a Sensitivity sheet (summary sentences,
            thresholds, weight sets, leave-one-out, score thresholds, a chart of totals
            against the binding criterion's weight, and rank acceptability with its chart
            when SMAA ran); the Summary's robustness paragraph opens with the headline and
            the Audit sheet records the analyses and the SMAA settings.

    Returns:
        ``out``, once the finished workbook has replaced it in one step.

    Raises:
        InputError: The rankings differ in criteria or weights (naming the file that
            differs), an input is missing, or ``out`` is an input, exists without ``force``,
            or does not end in ``.xlsx``.
        ValueError: No rankings, an extra section's title is not a valid, unique title, or
            the sensitivity results do not match the rankings one to one.
    """
    out = Path(out)
    context = build_context(
        rankings, command_line=command_line, inputs=inputs, sensitivities=sensitivities
    )
    sources = [f.path for f in context.inputs]
    check_output_path(out, sources, force)
    if out.suffix.lower() != ".xlsx":
        raise InputError(out, "", "the HCE workbook is an Excel file: give a name ending .xlsx")
    sections = workbook_sections(context, extra_sections)
    _check_titles(sections)

    def save(temporary: Path) -> None:
        build_workbook(context, sections).save(temporary)

    return write_atomically(out, save, inputs=sources, force=force)
