"""Extra HCE workbook sheets built on ``SheetSection``: combinations, two rounds, the register.

Each takes the plain record its command prints as JSON (``present.combine.combine_record``,
``present.diff.diff_record``), so the sheet shows exactly what the terminal shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from appraise.io.xlsx_cells import put_number, put_text
from appraise.present.combine import figure_text
from appraise.present.diff import scorer_text, status_text
from appraise.present.records import CombineRecord, DiffRecord
from appraise.present.workbook.context import Finding, SheetSection, WorkbookContext
from appraise.present.workbook.tables import Value, write_header, write_heading, write_rows

Record = dict[str, Any]


def write_sentences(
    sheet: Worksheet, row: int, lines: Sequence[str], context: WorkbookContext
) -> int:
    """A wrapped sentence a row from ``row``; returns the row after a blank one."""
    for line in lines:
        put_text(sheet, row, 1, line).alignment = context.styles.wrap
        row += 1
    return row + 1


def write_value(sheet: Worksheet, row: int, column: int, value: Any, number_format: str) -> None:
    """A number in ``number_format``, text as text (never a formula), nothing for None."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        put_number(sheet, row, column, float(value), number_format)
    elif value is not None:
        put_text(sheet, row, column, value)


# The Rounds sheet lists at most this many score changes (and panel rows); past them it says
# how many more there are and which command lists every one.
ROUND_ROWS = 10_000


def _rescaling(low: float, high: float) -> str:
    """``(total - 1) / 4`` for 1..5, ``(total + 2) / 4`` for -2..2: the map onto 0-1."""
    shifted = "total" if low == 0 else f"(total {'-' if low > 0 else '+'} {abs(low):g})"
    return f"{shifted} / {high - low:g}"


def _combination_findings(record: CombineRecord) -> tuple[Finding, ...]:
    """Validation rows saying how each group's totals were rescaled, if they were."""
    if not record["figure"]["rescaled"]:
        return ()
    out = []
    for g in record["groups"]:
        scale = record["scales"][g["group"]]
        low, high = scale["min"], scale["max"]
        message = (
            f"Combinations sheet: this group's totals are rescaled from its {low:g}..{high:g} "
            f"scale to 0-1, {_rescaling(low, high)}, before the groups' figures are added "
            "(the Summary and Totals sheets keep the totals as ranked)"
        )
        out.append(("rescaled", g["group"], g["file"], "", "", message))
    return tuple(out)


def combinations_section(record: CombineRecord) -> SheetSection:
    """A Combinations sheet: the sentences, the top combinations, the explanation, robustness.

    When the groups were rescaled to 0-1, every figure is labelled so, and the Validation
    sheet says per group how its totals were rescaled.
    """
    rescaled, key = record["figure"]["rescaled"], record["figure"]["key"]

    def fill(sheet: Worksheet, context: WorkbookContext) -> None:
        styles = context.styles
        put_text(sheet, 1, 1, "Combinations across working groups").font = styles.title
        if record["illustrative"]:
            put_text(sheet, 2, 1, "ILLUSTRATIVE SCORES").font = styles.warning_font
        fixed = context.as_exported() + " The Totals sheets do."
        row = write_sentences(sheet, 3, [*record["summary"], figure_text(record), fixed], context)
        groups = [g["group"] for g in record["groups"]]
        attributes = sorted({a for c in record["combinations"] for a in c["attributes"]})
        shares = record.get("smaa", {}).get("best_share")
        row = write_heading(
            sheet, row, "Top combinations (one column per group: option ids)", "", styles
        )
        figure = record["figure"]["label"].capitalize() + (" (0-1 per group)" if rescaled else "")
        labels = [
            "Rank",
            figure,
            *(["Best in"] if shares else []),
            *groups,
            *attributes,
        ]
        write_header(sheet, row, labels, styles)
        sheet.freeze_panes = f"A{row + 1}"
        for k, c in enumerate(record["combinations"]):
            row += 1
            values = [c["rank"], c[key], *([shares[k]] if shares else [])]
            values += [c["choice"][g] for g in groups] + [c["attributes"][a] for a in attributes]
            for column, value in enumerate(values, start=1):
                fmt = styles.percent if shares and column == 3 else styles.number
                write_value(sheet, row, column, value, "0" if column == 1 else fmt)
        row = write_heading(sheet, row + 2, "The preferred combination, group by group", "", styles)
        explained = ["Group", "Choice", "Total", "Margin"]
        if rescaled:
            explained += ["Scale", "Rescaled total (0-1)"]
        explained += ["Own best", "Why"]
        write_header(sheet, row, explained, styles)
        for e in record["explanation"]:
            row += 1
            why = "; ".join(e["forced_by"]) or "its own best"
            values = [e["group"], e["name"], e["total"], e["margin"]]
            if rescaled:
                values += [e["scale"], e["rescaled_total"]]
            values += [e["own_best"], why]
            for column, value in enumerate(values, start=1):
                write_value(sheet, row, column, value, styles.number)
        row = write_heading(sheet, row + 2, "Rules", "", styles)
        write_header(sheet, row, ["#", "Kind", "Options", "Note"], styles)
        for rule in record["rules"]:
            row += 1
            kind = rule["kind"] if rule["at_most"] is None else f"at most {rule['at_most']}"
            for column, value in enumerate(
                [rule["number"], kind, ", ".join(rule["refs"]), rule["note"]], start=1
            ):
                write_value(sheet, row, column, value, "0")
        for column in range(1, max(len(labels), len(explained)) + 1):
            sheet.column_dimensions[get_column_letter(column)].width = 18
        sheet.column_dimensions[get_column_letter(len(explained))].width = 60

    return SheetSection("Combinations", fill, _combination_findings(record))


def rounds_section(record: DiffRecord) -> SheetSection:
    """A Rounds sheet: what changed between two scoring rounds of one group."""

    def fill(sheet: Worksheet, context: WorkbookContext) -> None:
        styles = context.styles
        old, new = record["old"], record["new"]
        before, after = old["round"] or old["file"], new["round"] or new["file"]
        title = f"{record['name']}: round '{before}' to '{after}'"
        put_text(sheet, 1, 1, title).font = styles.title
        put_text(sheet, 2, 1, f"Compared at the {record['compared_at']}.").font = styles.note_font
        row = write_sentences(sheet, 3, record["summary"] + record["notes"], context)
        row = write_heading(sheet, row, "Options", "", styles)
        labels = [
            "Option",
            "Status",
            "Rank before",
            "Rank after",
            "Total before",
            "Total after",
            "Change",
            "From scores",
            "From weights",
        ]
        write_header(sheet, row, labels, styles)
        sheet.freeze_panes = f"A{row + 1}"
        rows: list[list[Value]] = [
            [
                o["name"],
                status_text(o),
                o["old_rank"],
                o["new_rank"],
                o["old_total"],
                o["new_total"],
                o["change"],
                o["from_scores"],
                o["from_weights"],
            ]
            for o in record["options"]
        ]
        ranks = [styles.number, styles.number, "0", "0", *[styles.number] * 5]
        row = write_rows(sheet, row + 1, rows, ranks) - 1
        changes = record["scores"]
        note = (
            f"The first {ROUND_ROWS:,} of {len(changes):,}: appraise diff with --format json "
            "lists every one."
            if len(changes) > ROUND_ROWS
            else ""
        )
        row = write_heading(sheet, row + 2, "Score changes", note, styles)
        write_header(sheet, row, ["Option", "Criterion", "Scorer", "Before", "After"], styles)
        listed: list[list[Value]] = [
            [c["option"], c["criterion"], c["scorer"] or "panel", c["old"], c["new"]]
            for c in changes[:ROUND_ROWS]
        ]
        row = write_rows(sheet, row + 1, listed, [styles.number] * 5) - 1
        if record["weights"]:
            row = write_heading(sheet, row + 2, "Weight changes", "", styles)
            write_header(sheet, row, ["Criterion", "Before", "After"], styles)
            for w in record["weights"]:
                row += 1
                weight: list[str | float | None] = [w["criterion"], w["old"], w["new"]]
                for column, value in enumerate(weight, start=1):
                    write_value(sheet, row, column, value, styles.percent)
        if record["panel"]:
            row = _panel(sheet, row + 2, record, context)
        sheet.column_dimensions["A"].width = 40
        for letter in "BCDEFGHI":
            sheet.column_dimensions[letter].width = 14

    return SheetSection("Rounds", fill)


def _panel(sheet: Worksheet, row: int, record: DiffRecord, context: WorkbookContext) -> int:
    """Scorers added, removed or renamed: one row per option they scored, a column per criterion.

    A new header row starts wherever the criteria change (a removed scorer of an indicative
    round beside one added in a re-score); returns the last row written.
    """
    styles = context.styles
    given_rows = [(c, o, g) for c in record["panel"] for o, g in c["scores"].items()]
    note = (
        f"The first {ROUND_ROWS:,} of {len(given_rows):,} rows: appraise diff with --format "
        "json lists every one."
        if len(given_rows) > ROUND_ROWS
        else ""
    )
    title = "Panel changes (the scores each scorer gave)"
    row = write_heading(sheet, row, title, note, styles) - 1
    criteria: list[str] | None = None
    for change, option, given in given_rows[:ROUND_ROWS]:
        if list(given) != criteria:
            criteria = list(given)
            row += 1
            write_header(sheet, row, ["Scorer", "Change", "Option", *criteria], styles)
        row += 1
        values: list[Value] = [scorer_text(change), change["status"], option, *given.values()]
        write_rows(sheet, row, [values], [styles.number] * len(values))
    return row


def register_section() -> SheetSection:
    """A Register sheet: every option of every group with its status, milestones and notes."""

    def fill(sheet: Worksheet, context: WorkbookContext) -> None:
        styles = context.styles
        put_text(sheet, 1, 1, "Option register").font = styles.title
        milestones = sorted(
            {m for r in context.rankings for o in r.sheet.spec.options for m in o.milestones}
        )
        labels = ["Group", "Option id", "Option", "Status quo", "Status", "Reason", *milestones]
        labels += ["Notes", "Dissent"]
        write_header(sheet, 3, labels, styles)
        sheet.freeze_panes = "C4"
        row = 3
        for ranking in context.rankings:
            for o in ranking.sheet.spec.options:
                row += 1
                values: list[str | None] = [
                    ranking.sheet.group,
                    o.id,
                    o.name,
                    "yes" if o.status_quo else "",
                ]
                values += [o.status, o.status_reason, *(o.milestones.get(m) for m in milestones)]
                values += [o.notes, "\n".join(o.dissent) or None]
                for column, value in enumerate(values, start=1):
                    if value is not None:
                        put_text(sheet, row, column, value).alignment = styles.wrap
        widths = [16, 18, 40, 10, 14, 40, *([24] * len(milestones)), 40, 50]
        for column, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(column)].width = width

    return SheetSection("Register", fill)
