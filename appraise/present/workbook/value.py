"""The Value sheet: each group's benefit against each of its cost figures, as ``value`` prints.

One sheet per group whose options give costs, a block per cost figure; the figures are those of
``present.value.value_record`` (the JSON), computed once at export and said so.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from appraise.io.xlsx_cells import put_text
from appraise.present.value import ValueRecord, weights_text
from appraise.present.workbook.context import SheetSection, WorkbookContext
from appraise.present.workbook.extra import write_sentences, write_value
from appraise.present.workbook.tables import write_header, write_heading


def _block(sheet: Worksheet, row: int, record: ValueRecord, context: WorkbookContext) -> int:
    """One cost figure: sentences, the options, the steps, the weight sets; returns next row."""
    styles = context.styles
    unit, figure = record["unit"], record["cost"]
    title = f"Benefit ({record['benefit_is']}) against {figure}, in {unit}"
    row = write_heading(sheet, row, title, "", styles)
    lines = [f"Weights: {weights_text(record)}.", *record["summary"]]
    row = write_sentences(sheet, row, lines, context)
    names = {o["id"]: o["name"] for o in record["options"]}
    sampled = record["smaa"] is not None
    labels = [
        "Option",
        "Rank",
        "Total",
        f"Benefit ({record['benefit_is']})",
        f"{figure.capitalize()} ({unit})",
        f"Per point ({unit}): {record['cost_per_point_is']}",
        "On the frontier",
        "Beaten by",
        *(["Share of weight draws on the frontier"] if sampled else []),
    ]
    write_header(sheet, row, labels, styles)
    for o in record["options"]:
        row += 1
        by = o["dominated_by"]
        values = [
            o["name"] + (" (status quo)" if o["status_quo"] else ""),
            o["rank"],
            o["total"],
            o["benefit"],
            o["cost"],
            o["cost_per_point"],
            "yes" if o["frontier"] else "no",
            "" if by is None else names[by],
            *([o["frontier_share"]] if sampled else []),
        ]
        for column, value in enumerate(values, start=1):
            fmt = {2: "0", 9: styles.percent}.get(column, styles.number)
            write_value(sheet, row, column, value, fmt)
    if record["without_cost"]:
        row += 1
        put_text(sheet, row, 1, f"No {figure} cost: {', '.join(record['without_cost'])}")
    if record["steps"]:
        row = write_heading(sheet, row + 2, "Steps up the frontier, cheapest first", "", styles)
        labels = ["From", "To", f"Extra {unit}", "Extra points", f"{unit} an extra point"]
        write_header(sheet, row, [*labels, f"Extra points per {unit}"], styles)
        for step in record["steps"]:
            row += 1
            values = [
                names[step["start"]],
                names[step["to"]],
                step["extra_cost"],
                step["extra_benefit"],
                step["cost_per_point"],
                step["points_per_unit"],
            ]
            for column, value in enumerate(values, start=1):
                write_value(sheet, row, column, value, styles.number)
    moved = [s for s in record["weight_sets"] if s["changed"]]
    if moved:
        row = write_heading(sheet, row + 2, "Weight sets that move the frontier", "", styles)
        write_header(sheet, row, ["Weight set", "Its frontier, cheapest first"], styles)
        for weight_set in moved:
            row += 1
            put_text(sheet, row, 1, weight_set["weight_set"])
            shown = ", ".join(names.get(i, i) for i in weight_set["frontier"])
            put_text(sheet, row, 2, shown)
    return row + 3


def value_section(title: str, records: Sequence[ValueRecord]) -> SheetSection:
    """A group's Value sheet: a block per cost figure (``records``, one group's)."""

    def fill(sheet: Worksheet, context: WorkbookContext) -> None:
        styles = context.styles
        first = records[0]
        put_text(sheet, 1, 1, f"Value for money: {first['name']}").font = styles.title
        if first["illustrative"]:
            put_text(sheet, 2, 1, "ILLUSTRATIVE SCORES AND COSTS").font = styles.warning_font
        lines = [
            "Costs never enter a total: each option's benefit (its total on the Totals sheet, "
            "as ranked) is set against one cost figure. On the frontier: no other option has as "
            "much benefit or more for as little cost or less.",
            context.as_exported(),
        ]
        row = write_sentences(sheet, 3, lines, context)
        for record in records:
            row = _block(sheet, row, record, context)
        sheet.column_dimensions["A"].width = 44
        for column in range(2, 10):
            sheet.column_dimensions[get_column_letter(column)].width = 16

    return SheetSection(title, fill)
