"""The Summary sheet: per group the live shortlist, leader, status quo, set-aside options.

Ranks and totals on it are formulas reading the group's Totals sheet; the robustness
paragraph is text, from the sensitivity results when the export has them.
"""

from __future__ import annotations

import math

from openpyxl.worksheet.worksheet import Worksheet

from appraise import __version__
from appraise.analysis.scoring import Ranking
from appraise.analysis.sensitivity import Sensitivity
from appraise.io.xlsx_cells import put_formula, put_text
from appraise.io.xlsx_write import add_chart
from appraise.kernel import TIE_TOLERANCE
from appraise.present.ranking import context_text, ranking_record
from appraise.present.sensitivity import summary as sensitivity_summary
from appraise.present.workbook.charts import ROW_HEIGHT, contribution_chart
from appraise.present.workbook.context import GroupLayout, Styles, WorkbookContext
from appraise.present.workbook.tables import scale_text, set_widths, write_header, write_title
from appraise.weights import percent_text


def _points(value: float) -> str:
    return f"{value:.2f}" if abs(value) >= 0.005 else f"{value:.2g}"


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
            f"{share}% of the {scale_text(ranking)} scale"
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
    write_header(sheet, row, ["Rank", "Option", "Total", "Status quo", "Notes"], styles)
    for option in layout.ranking.options:
        row += 1
        source = layout.option_rows[option.id]
        rank_cell = "=" + layout.totals_cell(layout.rank_column, source)
        put_formula(sheet, row, 1, rank_cell, option.rank)
        put_text(sheet, row, 2, option.name)
        total_cell = "=" + layout.totals_cell(layout.total_column, source)
        put_formula(sheet, row, 3, total_cell, option.total, styles.number)
        kept = ", kept for comparison" if option.kept_for_comparison else ""  # --status
        put_text(sheet, row, 4, f"yes{kept}" if option.status_quo else "")
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
        leader = ranking.options[0].name
        put_formula(sheet, row + 1, 2, f"=INDEX({names},MATCH(1,{ranks},0))", leader)
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
        chart = contribution_chart(layout, f"A{row + 2}")
        add_chart(sheet, chart)
        row += 2 + math.ceil(chart.height / ROW_HEIGHT)
    return row + 2


def write_summary(sheet: Worksheet, context: WorkbookContext) -> None:
    """Summary: per group the live shortlist, leader, status quo, set-aside options, a chart."""
    styles = context.styles
    write_title(
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
    set_widths(sheet, {1: 18, 2: 48, 3: 30, 4: 11, 5: 40})
