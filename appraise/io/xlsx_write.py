"""Saving a workbook with every formula's result, so any viewer shows the numbers.

The sheets are laid out in an openpyxl ``Workbook`` (cells, styles, widths, validation,
protection): the sections can go back to a cell, style it, read a width. openpyxl cannot save
a formula with its result, so a viewer that does not recalculate (a mail preview, a phone,
``pandas.read_excel``) would show blanks. ``save_workbook`` writes the laid-out workbook with
XlsxWriter instead, each formula with the result ``put_formula`` was given (the figure the
tool computed) and each chart added with ``add_chart``.

Only what the workbooks use is carried over: a feature openpyxl holds that is not carried
(a border, a defined name, a hyperlink) is refused rather than dropped.

Long tables of plain numbers, text and formulas (a Scores sheet's rows, the Totals'
contributions, rank acceptability, the Validation rows) skip openpyxl: ``record_row`` keeps a
row of them for the save to write straight to XlsxWriter, with the same cell and format as
``put_number``, ``put_text`` or ``put_formula`` would give it. An openpyxl cell costs about
10 us and half a KB, which is most of a 2,000-option export; a recorded cell about 2 us and a
few bytes.
"""

from __future__ import annotations

import heapq
import io
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import xlsxwriter
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment, PatternFill
from openpyxl.utils.cell import column_index_from_string, coordinate_to_tuple
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet as Output
from xlsxwriter.worksheet import re_dynamic_function

from appraise.safe_text import FORMULA_TRIGGERS

Result = float | str | bool
"""What a formula evaluates to, saved beside it."""

_RESULTS: WeakKeyDictionary[Worksheet, dict[tuple[int, int], Result]] = WeakKeyDictionary()
_CHARTS: WeakKeyDictionary[Worksheet, list[Chart]] = WeakKeyDictionary()
_ROWS: WeakKeyDictionary[Worksheet, list[_Row]] = WeakKeyDictionary()

_PROTECTION = {  # openpyxl's flag (True: the action is locked) -> XlsxWriter's (True: allowed)
    "objects": "objects",
    "scenarios": "scenarios",
    "formatCells": "format_cells",
    "formatColumns": "format_columns",
    "formatRows": "format_rows",
    "insertColumns": "insert_columns",
    "insertRows": "insert_rows",
    "insertHyperlinks": "insert_hyperlinks",
    "deleteColumns": "delete_columns",
    "deleteRows": "delete_rows",
    "selectLockedCells": "select_locked_cells",
    "selectUnlockedCells": "select_unlocked_cells",
    "sort": "sort",
    "autoFilter": "autofilter",
    "pivotTables": "pivot_tables",
}
_VALIDATION_TYPES = {"list", "decimal", "whole", "custom", "date", "time", "textLength"}
_OPERATORS = {
    "between": "between",
    "notBetween": "not between",
    "equal": "equal to",
    "notEqual": "not equal to",
    "greaterThan": "greater than",
    "lessThan": "less than",
    "greaterThanOrEqual": "greater than or equal to",
    "lessThanOrEqual": "less than or equal to",
}
_VERTICAL = {"top": "top", "center": "vcenter", "bottom": "bottom", "justify": "vjustify"}
_CM_TO_PIXELS = 96 / 2.54


def record_result(sheet: Worksheet, row: int, column: int, result: Result) -> None:
    """Remember what the formula at ``row``, ``column`` evaluates to, to save beside it."""
    if isinstance(result, float) and math.isnan(result):
        raise ValueError(f"{sheet.title} row {row} column {column}: a formula's result is NaN")
    _RESULTS.setdefault(sheet, {})[(row, column)] = result


@dataclass(frozen=True, slots=True)
class _Row:
    """Cells from ``column`` on in ``row`` (1-based), written at save without openpyxl."""

    row: int
    column: int
    values: Sequence[float | str]
    formulas: Sequence[str]
    number_format: str
    alignment: Alignment | None
    fill: PatternFill | None = None


def record_row(
    sheet: Worksheet,
    row: int,
    column: int,
    values: Sequence[float | str],
    number_format: str = "General",
    formulas: Sequence[str] = (),
    alignment: Alignment | None = None,
    fill: PatternFill | None = None,
) -> None:
    """Keep a row of plain cells for the save to write, from ``column`` on in ``row``.

    Cell ``j`` is ``formulas[j]`` with ``values[j]`` as its saved result where that formula is
    given and not empty (a NaN result is saved as ""), else the number or text ``values[j]``
    (NaN or "": a blank cell; text starting with a formula character gets the quote prefix).
    Each has ``number_format``, ``alignment`` and ``fill`` and no other style, exactly as
    ``put_number``, ``put_formula`` and ``put_text`` write them; text must already be a cell's
    (``xlsx_cells.cell_text``). No openpyxl cell may hold the same place (checked at save).
    """
    if formulas and len(formulas) != len(values):
        raise ValueError(f"{len(formulas)} formulas for {len(values)} values")
    for formula in formulas:
        if formula and not formula.startswith("="):
            raise ValueError(f"not a formula: {formula!r}")
    found = _Row(row, column, values, formulas, number_format, alignment, fill)
    _ROWS.setdefault(sheet, []).append(found)


def wrapped_text(sheet: Worksheet) -> list[tuple[int, int, str]]:
    """Each wrapped text cell ``record_row`` keeps for ``sheet``: row, column, text."""
    return [
        (found.row, found.column + j, value)
        for found in _ROWS.get(sheet, [])
        if found.alignment is not None and found.alignment.wrap_text
        for j, value in enumerate(found.values)
        if isinstance(value, str) and value
    ]


@dataclass(frozen=True)
class Chart:
    """A chart in XlsxWriter's terms: its type, series, axes and where it goes.

    ``series`` and the axis, title and legend options are XlsxWriter's dictionaries (ranges
    as ``='Sheet'!$A$1:$A$9``); ``width`` and ``height`` are in centimetres; ``anchor`` is
    the cell its top-left corner sits on.
    """

    kind: Mapping[str, str]
    series: tuple[Mapping[str, Any], ...]
    anchor: str
    width: float
    height: float
    title: str = ""
    x_axis: Mapping[str, Any] = field(default_factory=dict)
    y_axis: Mapping[str, Any] = field(default_factory=dict)
    legend: Mapping[str, Any] = field(default_factory=dict)


def add_chart(sheet: Worksheet, chart: Chart) -> None:
    """Draw ``chart`` on ``sheet`` when the workbook is saved."""
    _CHARTS.setdefault(sheet, []).append(chart)


def save_workbook(book: Workbook, path: Path, tick: Callable[[], None] | None = None) -> None:
    """Write ``book`` to ``path`` with its formulas' results and charts, assembled in memory.

    In memory first: a workbook is a zip archive, and one saved straight to a full disk fails
    half-written; here the one write to disk fails, if it does, once. ``tick``, if given, is
    called after each sheet and once the file is packed (a progress bar's steps).
    """
    tick = tick or (lambda: None)
    buffer = io.BytesIO()
    out = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    if book.defined_names:
        raise ValueError("defined names are not carried over: add them to save_workbook")
    out.set_properties(
        {"title": book.properties.title or "", "author": book.properties.creator or ""}
    )
    formats = _Formats(out, book)
    for sheet in book.worksheets:
        _write_sheet(out, out.add_worksheet(sheet.title, _OutputSheet), sheet, formats)
        tick()
    out.close()
    tick()
    path.write_bytes(buffer.getbuffer())


# XlsxWriter runs every formula through ~30 regular expressions that add the ``_xlfn.`` prefix
# to Excel's dynamic-array functions (and more with ``use_future_functions``, not used here).
# Each looks for a name that ``re_dynamic_function`` also looks for, so where that finds none
# they change nothing: the formula is only stripped of its ``=``, as XlsxWriter strips it.
# (One of them is spelled ``\SINGLE\(``: any character then ``INGLE(``, checked apart.)
# tests/test_workbook_scale.py checks both give the same text for every formula exported.
_STOCK_NAMES = re.compile(r"INGLE\(")


class _OutputSheet(Output):  # type: ignore[misc]  # XlsxWriter ships no types
    """XlsxWriter's worksheet, with a formula that needs no prefix prepared in one step."""

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        if (
            self.use_future_functions
            or expand_future_functions
            or formula.startswith("{")
            or re_dynamic_function.search(formula)
            or _STOCK_NAMES.search(formula)
            or "_xlfn." in formula
        ):
            return str(super()._prepare_formula(formula, expand_future_functions))
        return formula[1:] if formula.startswith("=") else formula


class _Formats:
    """One XlsxWriter format per openpyxl cell style, made once."""

    def __init__(self, out: xlsxwriter.Workbook, book: Workbook) -> None:
        self.out, self.book = out, book
        self.made: dict[int, Format | None] = {}
        self.plain: dict[tuple[str, int, int, bool], Format | None] = {}

    def of_row(self, row: _Row, quoted: bool = False) -> Format | None:
        """The format of a recorded cell: its number format, alignment, quote prefix."""
        key = (row.number_format, id(row.alignment), id(row.fill), quoted)  # hashing is slow
        if key not in self.plain:
            props = _alignment_props(row.alignment) if row.alignment is not None else {}
            if row.fill is not None:
                props |= _fill_props(row.fill, f"row {row.row} column {row.column}")
            if row.number_format != "General":
                props["num_format"] = row.number_format
            if quoted:
                props["quote_prefix"] = True
            self.plain[key] = self.out.add_format(props) if props else None
        return self.plain[key]

    def of(self, cell: Cell) -> Format | None:
        if not cell.has_style:
            return None
        key = cell.style_id
        if key not in self.made:
            self.made[key] = self._make(cell)
        return self.made[key]

    def _make(self, cell: Cell) -> Format | None:
        props = _font(cell) | _fill(cell) | _alignment(cell)
        if cell.number_format != "General":
            props["num_format"] = cell.number_format
        if not cell.protection.locked:
            props["locked"] = False
        if cell.quotePrefix:
            props["quote_prefix"] = True
        if any(getattr(cell.border, side).style for side in ("left", "right", "top", "bottom")):
            raise ValueError(f"{cell.coordinate}: borders are not carried over")
        return self.out.add_format(props) if props else None


def _font(cell: Cell) -> dict[str, Any]:
    font, props = cell.font, dict[str, Any]()
    if font.b:
        props["bold"] = True
    if font.i:
        props["italic"] = True
    if font.sz and float(font.sz) != 11:
        props["font_size"] = float(font.sz)
    if font.color is not None and isinstance(font.color.rgb, str):
        props["font_color"] = "#" + font.color.rgb[-6:]
    return props


def _fill(cell: Cell) -> dict[str, Any]:
    return _fill_props(cell.fill, cell.coordinate)


def _fill_props(fill: Any, where: str) -> dict[str, Any]:  # a PatternFill, or a cell's proxy
    if fill.fill_type == "solid" and isinstance(fill.fgColor.rgb, str):
        return {"pattern": 1, "bg_color": "#" + fill.fgColor.rgb[-6:]}
    if fill.fill_type not in {None, "none"}:
        raise ValueError(f"{where}: fill {fill.fill_type!r} is not carried over")
    return {}


def _alignment(cell: Cell) -> dict[str, Any]:
    return _alignment_props(cell.alignment)


def _alignment_props(align: Any) -> dict[str, Any]:  # an Alignment, or a cell's proxy of one
    props = dict[str, Any]()
    if align.wrap_text:
        props["text_wrap"] = True
    if align.vertical:
        props["valign"] = _VERTICAL[align.vertical]
    if align.horizontal and align.horizontal != "general":
        props["align"] = align.horizontal
    if align.indent:
        props["indent"] = int(align.indent)
    return props


def written_cells(sheet: Worksheet) -> list[Cell | MergedCell]:
    """The cells a sheet holds, by row then column.

    Not ``iter_rows``, which makes an empty cell for every place in the rectangle up to the
    last row and column: 34 million of them for a 2,000-option export whose Scores rows are
    recorded with ``record_row``. openpyxl keeps its cells in ``_cells``, keyed (row, column).
    """
    held: dict[tuple[int, int], Cell | MergedCell] = sheet._cells
    return [held[key] for key in sorted(held)]


def _write_sheet(out: xlsxwriter.Workbook, target: Output, sheet: Worksheet, fmt: _Formats) -> None:
    results = _RESULTS.get(sheet, {})
    merged = {(r.min_row, r.min_col): r for r in sheet.merged_cells.ranges}
    held = sheet._cells
    # In row and column order, both kinds together: XlsxWriter numbers shared strings in the
    # order they are written, so the file is the same as if every cell were openpyxl's.
    cells = ((cell.row, cell.column, 0, cell) for cell in written_cells(sheet))
    rows = sorted(
        ((row.row, row.column, 1, row) for row in _ROWS.get(sheet, [])),
        key=lambda entry: entry[:2],
    )
    end = (0, 0)  # the row and the column after the last recorded row written
    for *_, item in heapq.merge(cells, rows, key=lambda entry: entry[:3]):
        if isinstance(item, _Row):
            if (item.row, item.column) < end:
                raise ValueError(f"row {item.row} column {item.column}: written twice")
            _write_row(target, item, fmt, held)
            end = (item.row, item.column + len(item.values))
        elif isinstance(item, Cell):  # not a MergedCell
            _write_cell(target, item, fmt.of(item), results, merged)
    _dimensions(target, sheet)
    _sheet_options(target, sheet)
    for chart in _CHARTS.get(sheet, []):
        _chart(out, target, chart)


def _dimensions(target: Output, sheet: Worksheet) -> None:
    """Column widths (and hidden columns), row heights."""
    for key, dimension in sheet.column_dimensions.items():
        if dimension.width or dimension.hidden:
            first, last = dimension.min or 0, dimension.max or 0
            if not first:  # a dimension made by looking it up: its key is its letter
                first = last = column_index_from_string(key)
            target.set_column(
                first - 1, last - 1, dimension.width, None, {"hidden": bool(dimension.hidden)}
            )
    for number, row in sheet.row_dimensions.items():
        if row.height:
            target.set_row(number - 1, row.height)


def _sheet_options(target: Output, sheet: Worksheet) -> None:
    """Frozen panes, filter, print setup, validation rules and protection."""
    if sheet.freeze_panes:
        row, column = coordinate_to_tuple(sheet.freeze_panes)
        target.freeze_panes(row - 1, column - 1)
    if sheet.auto_filter.ref:
        target.autofilter(sheet.auto_filter.ref)
    if sheet.print_title_rows:
        first, _, last = sheet.print_title_rows.replace("$", "").partition(":")
        target.repeat_rows(int(first) - 1, int(last or first) - 1)
    _page_setup(target, sheet)
    for rule in sheet.data_validations.dataValidation:
        _validation(target, rule)
    if sheet.protection.sheet:
        allowed = {
            ours: not getattr(sheet.protection, theirs) for theirs, ours in _PROTECTION.items()
        }
        target.protect("", allowed)


def _write_cell(
    target: Output,
    cell: Cell,
    style: Format | None,
    results: Mapping[tuple[int, int], Result],
    merged: Mapping[tuple[int, int], Any],
) -> None:
    r, c, value = cell.row - 1, cell.column - 1, cell.value
    span = merged.get((cell.row, cell.column))
    if span is not None:
        target.merge_range(
            r, c, span.max_row - 1, span.max_col - 1, "" if value is None else value, style
        )
        return
    if value is None or value == "":  # an empty text cell is a blank one, as openpyxl saves it
        if style is not None:
            target.write_blank(r, c, None, style)
    elif cell.data_type == "f":
        if (cell.row, cell.column) not in results:
            raise ValueError(f"{cell.parent.title}!{cell.coordinate}: a formula without its result")
        target.write_formula(r, c, str(value), style, results[(cell.row, cell.column)])
    elif isinstance(value, bool):
        target.write_boolean(r, c, value, style)
    elif isinstance(value, (int, float)):
        target.write_number(r, c, value, style)
    elif isinstance(value, str):
        target.write_string(r, c, value, style)
    else:
        raise ValueError(f"{cell.parent.title}!{cell.coordinate}: {type(value).__name__} cell")


def _write_row(
    target: Output, row: _Row, fmt: _Formats, held: Mapping[tuple[int, int], object]
) -> None:
    r, c, style = row.row - 1, row.column - 1, fmt.of_row(row)
    formulas = row.formulas or [""] * len(row.values)
    for j, (value, formula) in enumerate(zip(row.values, formulas, strict=True)):
        if (row.row, row.column + j) in held:
            raise ValueError(f"row {row.row} column {row.column + j}: written twice")
        if isinstance(value, str):
            if value.startswith(FORMULA_TRIGGERS):
                target.write_string(r, c + j, value, fmt.of_row(row, quoted=True))
            elif value:
                target.write_string(r, c + j, value, style)
            elif style is not None:
                target.write_blank(r, c + j, None, style)
            continue
        missing = math.isnan(value)
        if formula:
            target.write_formula(r, c + j, formula, style, "" if missing else float(value))
        elif not missing:
            target.write_number(r, c + j, float(value), style)
        elif style is not None:
            target.write_blank(r, c + j, None, style)


def _page_setup(target: Output, sheet: Worksheet) -> None:
    setup = sheet.page_setup
    if setup.orientation == "landscape":
        target.set_landscape()
    if setup.paperSize:
        target.set_paper(int(setup.paperSize))
    fit = sheet.sheet_properties.pageSetUpPr
    if fit is not None and fit.fitToPage:
        target.fit_to_pages(int(setup.fitToWidth or 0), int(setup.fitToHeight or 0))


def _number_or_formula(text: str | None) -> float | str | None:
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return "=" + text.lstrip("=")


def _validation(target: Output, rule: Any) -> None:
    if rule.type not in _VALIDATION_TYPES:
        raise ValueError(f"data validation of type {rule.type!r} is not carried over")
    ranges = str(rule.sqref).split()
    options: dict[str, Any] = {
        "validate": {"decimal": "decimal", "textLength": "length"}.get(rule.type, rule.type),
        "ignore_blank": bool(rule.allow_blank),
        "show_error": bool(rule.showErrorMessage) or rule.type == "list",
    }
    if rule.type == "list":
        options["source"] = rule.formula1 if rule.formula1.startswith('"') else "=" + rule.formula1
        options["dropdown"] = not rule.showDropDown  # openpyxl's flag hides the arrow
    elif rule.type == "custom":
        options["value"] = "=" + rule.formula1.lstrip("=")
    else:
        operator = _OPERATORS[rule.operator or "between"]
        options["criteria"] = operator
        if operator in {"between", "not between"}:
            options["minimum"] = _number_or_formula(rule.formula1)
            options["maximum"] = _number_or_formula(rule.formula2)
        else:
            options["value"] = _number_or_formula(rule.formula1)
    if rule.errorTitle:
        options["error_title"] = rule.errorTitle
    if rule.error:
        options["error_message"] = rule.error
    if rule.promptTitle:
        options["input_title"] = rule.promptTitle
    if rule.prompt:
        options["input_message"] = rule.prompt
    if len(ranges) > 1:
        options["multi_range"] = " ".join(ranges)
    first = ranges[0].split(":")
    target.data_validation(f"{first[0]}:{first[-1]}", options)


def _chart(out: xlsxwriter.Workbook, target: Output, chart: Chart) -> None:
    drawn = out.add_chart(dict(chart.kind))
    if drawn is None:
        raise ValueError(f"chart type {chart.kind!r}")
    for series in chart.series:
        drawn.add_series(dict(series))
    if chart.title:
        drawn.set_title({"name": chart.title})
    if chart.x_axis:
        drawn.set_x_axis(dict(chart.x_axis))
    if chart.y_axis:
        drawn.set_y_axis(dict(chart.y_axis))
    if chart.legend:
        drawn.set_legend(dict(chart.legend))
    drawn.set_size(
        {"width": round(chart.width * _CM_TO_PIXELS), "height": round(chart.height * _CM_TO_PIXELS)}
    )
    target.insert_chart(chart.anchor, drawn)
