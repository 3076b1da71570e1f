"""The HCE workbook: rankings as a live Excel workbook for the Health and Care Executive.

Sheets, in order: Summary, Criteria, per working group Scores and Totals, per group a
Sensitivity sheet when sensitivity results are given, any extra sections (combinations, say),
then Validation and Audit. Global weights, contributions, totals and ranks are formulas, so a
member who edits a "weight used" cell on the Criteria sheet sees every total and rank follow.
Everything else is a value: the Sensitivity sheets in particular describe the weights and
scores as exported, and say so.

Text that came from an input file (names, ids, notes, reasons, the command line) is always
written by ``put_text`` as a text cell, so ``=HYPERLINK(...)`` typed as an option name stays
text; only ``put_formula`` writes formulas, and only this package's own.

A section is anything with a ``name`` (its sheet title) and ``write(sheet, context)``; the
``WorkbookContext`` tells it where every group's cells are, so a later sensitivity sheet can
point its formulas at the same weight cells.

The modules: ``writing`` (writing and addressing cells), ``context`` (layout, context,
sections), ``tables`` (parts every sheet uses), one per sheet kind (``summary``, ``criteria``,
``totals`` for Scores and Totals, ``sensitivity``, ``audit`` for Validation and Audit),
``charts``, ``extra`` (Combinations, Rounds, Register) and ``build`` (sections in order, the
openpyxl workbook). This module holds the entry point, ``write_hce_workbook``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from appraise.analysis.scoring import Ranking
from appraise.analysis.sensitivity import Sensitivity
from appraise.errors import InputError, setting
from appraise.io.files import sha256_of
from appraise.io.safe_write import (
    check_output_path,
    require_suffix,
    write_atomically,
)
from appraise.io.xlsx_cells import (
    MAX_CELL_TEXT,
    address,
    cells,
    put_formula,
    put_number,
    put_text,
    sheet_ref,
)
from appraise.io.xlsx_write import save_workbook
from appraise.limits import MAX_EXPORT_CELLS
from appraise.present.workbook.audit import (
    AUDITED_PACKAGES,
    write_audit,
    write_validation,
)
from appraise.present.workbook.build import (
    AuditSection,
    CriteriaSection,
    ScoresSection,
    SensitivitySection,
    SummarySection,
    TotalsSection,
    ValidationSection,
    build_workbook,
    check_titles,
    workbook_sections,
)
from appraise.present.workbook.charts import (
    CHART_HEIGHT,
    CHART_STEPS,
    ROW_HEIGHT,
    binding_threshold,
    chart_line,
)
from appraise.present.workbook.context import (
    AUDIT,
    CRITERIA,
    CRITERIA_COLUMNS,
    FAMILY_COL,
    FIRST_LEAF_COL,
    GLOBAL_COL,
    HEADER_ROW,
    LOCAL_COL,
    MAX_TITLE,
    SCORES_FIRST_LEAF_COL,
    SUMMARY,
    TOTALS_FIRST_ROW,
    TOTALS_WEIGHT_ROW,
    USED_COL,
    VALIDATION,
    Finding,
    GroupLayout,
    InputFile,
    Section,
    SheetSection,
    Styles,
    WorkbookContext,
    build_context,
    estimated_cells,
    group_titles,
    panels_by_scorer,
    weights_used,
)
from appraise.present.workbook.criteria import write_criteria
from appraise.present.workbook.extra import combinations_section, register_section, rounds_section
from appraise.present.workbook.sensitivity import (
    SCORE_CHANGES_SHOWN,
    analyses_run,
    write_sensitivity,
)
from appraise.present.workbook.summary import robustness_text, write_summary
from appraise.present.workbook.totals import TIE_TEXT, write_scores, write_totals
from appraise.safe_text import FORMULA_TRIGGERS

__all__ = [
    "AUDIT",
    "AUDITED_PACKAGES",
    "CHART_HEIGHT",
    "CHART_STEPS",
    "CRITERIA",
    "CRITERIA_COLUMNS",
    "FAMILY_COL",
    "FIRST_LEAF_COL",
    "FORMULA_TRIGGERS",
    "GLOBAL_COL",
    "HEADER_ROW",
    "LOCAL_COL",
    "MAX_CELL_TEXT",
    "MAX_TITLE",
    "ROW_HEIGHT",
    "SCORES_FIRST_LEAF_COL",
    "SCORE_CHANGES_SHOWN",
    "SUMMARY",
    "TIE_TEXT",
    "TOTALS_FIRST_ROW",
    "TOTALS_WEIGHT_ROW",
    "USED_COL",
    "VALIDATION",
    "AuditSection",
    "CriteriaSection",
    "Finding",
    "GroupLayout",
    "InputFile",
    "ScoresSection",
    "Section",
    "SensitivitySection",
    "SheetSection",
    "Styles",
    "SummarySection",
    "TotalsSection",
    "ValidationSection",
    "WorkbookContext",
    "address",
    "analyses_run",
    "binding_threshold",
    "build_context",
    "build_workbook",
    "cells",
    "chart_line",
    "check_size",
    "combinations_section",
    "estimated_cells",
    "group_titles",
    "panels_by_scorer",
    "put_formula",
    "put_number",
    "put_text",
    "register_section",
    "robustness_text",
    "rounds_section",
    "sha256_of",
    "sheet_ref",
    "weights_used",
    "workbook_sections",
    "write_audit",
    "write_criteria",
    "write_hce_workbook",
    "write_scores",
    "write_sensitivity",
    "write_summary",
    "write_totals",
    "write_validation",
]


def check_size(rankings: Sequence[Ranking], with_sensitivity: bool) -> None:
    """Refuse a workbook larger than ``MAX_EXPORT_CELLS``, before any work is done for it.

    Writing costs about 10 us a cell with XlsxWriter's own share (2,000 options x 60 leaves x
    5 scorers, 760,000 estimated: 9 s, 470 MB). The file named is the one with the most options
    (and criteria); with several, the message says how many options there are in all.

    Raises:
        InputError: Over the limit, saying what is there and what to use instead.
    """
    cells = estimated_cells(rankings, with_sensitivity)
    if cells <= MAX_EXPORT_CELLS:
        return
    largest = max(rankings, key=lambda r: len(r.sheet.options) * len(r.sheet.leaf_ids)).sheet
    scorers = len(largest.scorer_ids)
    panel = f" x {scorers} scorer{'s' if scorers != 1 else ''}" if largest.per_scorer else ""
    shape = f"{len(largest.options):,} options x {len(largest.leaf_ids)} criteria{panel}"
    if len(rankings) > 1:
        options = sum(len(r.sheet.options) for r in rankings)
        shape = f"{len(rankings)} groups, {options:,} options in all; this file {shape}"
    else:
        shape += " here"
    without = estimated_cells(rankings, False)
    lighter = (
        f"--no-sensitivity leaves about {without:,}, or "
        if with_sensitivity and without <= MAX_EXPORT_CELLS
        else ""
    )
    raise InputError(
        largest.path,
        "options",
        f"the workbook would hold about {cells:,} cells ({shape}); export writes at most "
        f"{MAX_EXPORT_CELLS:,}: {lighter}use rank or sensitivity with --format json or csv, or "
        f"export a shortlist ({setting('statuses', None)})",
    )


def write_hce_workbook(
    rankings: Sequence[Ranking],
    out: Path,
    *,
    force: bool = False,
    command_line: str = "",
    inputs: Sequence[Path] = (),
    extra_sections: Sequence[Section] = (),
    sensitivities: Sequence[Sensitivity] = (),
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write the HCE workbook for ``rankings`` (one per scores file) to ``out``, atomically.

    Args:
        rankings: From ``appraise.analysis.scoring.rank``, one per scores file, all under one
            criteria table and weight set.
        out: The ``.xlsx`` file to write.
        force: Replace ``out`` if it exists (never when it is an input file).
        command_line: Recorded on the Audit sheet, as text.
        inputs: Further files the export read (a rules file, say): audited with their
            SHA-256 and, like the scores and criteria files, never written over.
        extra_sections: Sheets to add between the Totals (or Sensitivity) and the
            Validation sheets.
        sensitivities: From ``appraise.analysis.sensitivity.analyse``, one per ranking in the same
            order, or none. Each group then gets a Sensitivity sheet (summary sentences,
            thresholds, weight sets, leave-one-out, score thresholds, a chart of totals
            against the binding criterion's weight, and rank acceptability with its chart
            when SMAA ran); the Summary's robustness paragraph opens with the headline and
            the Audit sheet records the analyses and the SMAA settings.
        progress: Called as the work goes with about how many of the workbook's
            ``estimated_cells`` are written (after each sheet is laid out, each is saved, and
            the file is packed): a share of the work, not a count of cells.

    Returns:
        ``out``, once the finished workbook has replaced it in one step.

    Raises:
        InputError: The rankings differ in criteria or weights (naming the file that
            differs), an input is missing, or ``out`` is an input or exists without ``force``.
        ParameterError: ``out`` does not end in ``.xlsx``.
        ValueError: No rankings, an extra section's title is not a valid, unique title, or
            the sensitivity results do not match the rankings one to one.
    """
    out = Path(out)
    check_size(rankings, bool(sensitivities))
    context = build_context(
        rankings, command_line=command_line, inputs=inputs, sensitivities=sensitivities
    )
    sources = [f.path for f in context.inputs]
    check_output_path(out, sources, force)
    require_suffix(out, ".xlsx", "the HCE workbook")
    sections = workbook_sections(context, extra_sections)
    check_titles(sections)

    estimate, done = estimated_cells(rankings, bool(sensitivities)), [0]
    # Each sheet laid out, each saved, then the file packed: the packing takes about as long
    # as saving every sheet (XlsxWriter writes the sheets' XML then), so it counts as much.
    steps = 3 * len(sections)

    def tick() -> None:
        done[0] += 1 if done[0] < 2 * len(sections) else len(sections)
        if progress is not None:
            progress(estimate * min(done[0], steps) // steps)

    def save(temporary: Path) -> None:
        save_workbook(build_workbook(context, sections, tick), temporary, tick)

    return write_atomically(out, save, inputs=sources, force=force)
