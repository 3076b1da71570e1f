"""A ranking (stacked contribution bars), the criteria tree and ``check``'s findings."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.columns import Columns
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from appraise.present.ranking import context_text, rescaling_notes
from appraise.present.records import (
    CriteriaRecord,
    DisagreementRecord,
    ProblemRecord,
    RankingRecord,
    SetAsideKey,
)
from appraise.present.terminal.tables import (
    BAR_WIDTH,
    PALETTE,
    fill,
    group_title,
    stacked_bar,
    titled,
)
from appraise.safe_text import one_line
from appraise.weights import percent_text

# Columns beside the per-criterion figures: Rank (4), Option (at least OPTION_MIN_WIDTH),
# Total (5) and the bar, with 3 characters of padding and rule between each pair.
OPTION_MIN_WIDTH = 14
FIXED_WIDTH = 4 + OPTION_MIN_WIDTH + 5 + BAR_WIDTH + 3 * 3
NUMBER_WIDTH = 6  # "-10.25"
TABLE_ROWS = 50  # options in a ranking table unless --top says otherwise (JSON/CSV list all)
DISAGREEMENT_ROWS = 20  # cells listed under "Scorers far apart"
HEADING_LIMITS = (14, 12)  # full names where they fit (Sustainability, Deliverability), else cut


def ranking_table(
    record: RankingRecord,
    criterion_names: dict[str, str],
    total_options: int,
    width: int = 80,
    capped: bool = False,
) -> RenderableType:
    """The ranked shortlist for one group, with a stacked contribution bar per option.

    ``capped``: the options were cut to ``TABLE_ROWS`` by default (not by ``--top``), so the
    footer says how to see the rest.
    """
    low, high = record["scale"]["min"], record["scale"]["max"]
    shares = _criterion_shares(record)
    table = titled(group_title(record["name"], record["group"], record["illustrative"]))
    table.add_column("Rank", justify="right")
    table.add_column("Option", overflow="fold", min_width=OPTION_MIN_WIDTH, max_width=44)
    table.add_column("Total", justify="right")
    table.add_column(f"Contributions ({low:g} to {high:g})", no_wrap=True)
    # Per-criterion figures only where they fit beside the bar (JSON, CSV, Markdown have them all).
    headings = _number_headings([criterion_names.get(c, c) for c in shares], width)
    numbers = headings is not None
    for heading in headings or []:
        table.add_column(heading, justify="right", no_wrap=True)
    for option in record["options"]:
        name = Text(option["name"])
        if option["status_quo"]:
            name.append(" ◆", style="bold")
        # Distance above the scale's bottom, per criterion: contribution - bottom x criterion share.
        lifts = [option["contributions"][c] - low * shares[c] for c in shares]
        table.add_row(
            str(option["rank"]),
            name,
            f"{option['total']:.2f}",
            stacked_bar(lifts, high - low),
            *(f"{option['contributions'][c]:.2f}" for c in shares if numbers),
        )
    legend = _legend(shares, criterion_names, record.get("status_quo_kept", False))
    parts: list[RenderableType] = [table, legend]
    shown = len(record["options"])
    if shown < total_options:
        line = f"Shortlist: top {shown} of {total_options} ranked options shown."
        status_quo = record.get("status_quo_rank")
        if status_quo:
            line += f" The status quo ranks {status_quo}."
        if capped:
            line += " (--top N shows more; --format csv or json lists them all.)"
        parts.append(Text(line, style="dim"))
    parts.append(_context_line(record))
    parts.extend(_set_aside_tables(record))
    dissent = [(o["name"], text) for o in record["options"] for text in o.get("dissent", [])]
    if dissent:
        parts.append(_listed("Dissent recorded", [(f"{who}:", note) for who, note in dissent]))
    order = {o["id"]: n for n, o in enumerate(record["options"])}  # rank order, as shown
    disagreements = sorted(
        (d for d in record["disagreements"] if d["option"] in order),
        key=lambda d: order[d["option"]],
    )
    if disagreements:
        parts.append(_disagreement_table(disagreements, criterion_names))
    interests = [
        (s["id"], o, text) for s in record["scorers"] for o, text in s["interests"].items()
    ]
    if interests:
        heading = (
            "Declared interests (these scores were left out)"
            if record.get("exclude_conflicted")
            else "Declared interests (--exclude-conflicted leaves these scores out)"
        )
        names = {o["id"]: o["name"] for o in record["options"]}
        for key in ("screened_out", "excluded", "rejected"):
            names |= {o["id"]: o["name"] for o in record.get(key) or []}  # type: ignore[attr-defined]
        rows = [(f"{s} in {names.get(o, o)}:", text) for s, o, text in interests]
        parts.append(_listed(heading, rows))
    return Group(*parts)


def _listed(heading: str, rows: Sequence[tuple[str, str | None]]) -> RenderableType:
    """A bold heading, then a bullet per ``label text`` row, wrapped lines under its text."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for label, text in rows:
        line = Text(label, style="bold")
        line.append(f" {text or ''}")
        grid.add_row("•", line)
    return Group(Text(heading, style="bold"), Padding(grid, (0, 0, 0, 2)))


def _number_headings(names: Sequence[str], width: int) -> list[str] | None:
    """Headings for the per-criterion figures, as long as the terminal allows, or None."""
    for limit in HEADING_LIMITS:
        headings = [_short(name, limit) for name in names]
        needed = FIXED_WIDTH + sum(max(len(h), NUMBER_WIDTH) + 3 for h in headings)
        if width >= needed:
            return headings
    return None


def _short(name: str, limit: int = 12) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "."


def _criterion_shares(record: RankingRecord) -> dict[str, float]:
    shares: dict[str, float] = {}
    first = record["options"][0]["contributions"] if record["options"] else {}
    for criterion in first:
        shares[criterion] = 0.0
    for leaf, weight in record["weights"].items():
        parent = record["criterion_of"][leaf]
        shares[parent] = shares.get(parent, 0.0) + weight
    return shares


def _legend(shares: dict[str, float], names: dict[str, str], kept: bool = False) -> RenderableType:
    """Legend items that wrap whole, never splitting a criterion from its colour or weight.

    ``kept``: the status quo is ranked only for comparison (``--status`` names other statuses).
    """
    items = [Text("◆ status quo" + (" (kept for comparison)" if kept else ""))]
    for i, criterion in enumerate(shares):
        item = Text(f"{fill(i)} ", style=PALETTE[i % len(PALETTE)])
        item.append(f"{names.get(criterion, criterion)} {percent_text(shares[criterion])}%")
        items.append(item)
    return Padding(Columns(items, padding=(0, 3)), (0, 0, 0, 2))


def _context_line(record: RankingRecord) -> RenderableType:
    return Padding(Text(context_text(record), style="dim"), (0, 0, 0, 2))


def _set_aside_tables(record: RankingRecord) -> list[RenderableType]:
    out: list[RenderableType] = []
    titles: tuple[tuple[SetAsideKey, str], ...] = (
        ("screened_out", "Screened out by a gate"),
        ("excluded", "Excluded for missing scores"),
        ("rejected", "Rejected (option register)"),
    )
    for key, title in titles:
        if not record.get(key):
            continue
        table = titled(
            title,
            title_style="bold red",
        )
        table.add_column("Option")
        table.add_column("Total", justify="right")
        table.add_column("Reason", overflow="fold")
        for item in record[key]:
            total = "" if item["total"] is None else f"{item['total']:.2f}"
            table.add_row(Text(item["name"]), total, Text(item["reason"]))
        out.append(table)
    return out


def _disagreement_table(
    disagreements: list[DisagreementRecord], names: dict[str, str]
) -> RenderableType:
    """The cells where the panel is far apart, the first ``DISAGREEMENT_ROWS`` of them."""
    table = titled(
        "Scorers far apart on a heavily weighted criterion",
        title_style="bold yellow",
    )
    table.add_column("Option")
    table.add_column("Criterion")
    table.add_column("Scores", justify="right")
    table.add_column("Weight", justify="right")
    for item in disagreements[:DISAGREEMENT_ROWS]:
        table.add_row(
            Text(item["name"]),
            names.get(item["criterion"], item["criterion"]),
            f"{item['min']:g} to {item['max']:g} (n={item['n']})",
            f"{percent_text(item['weight'])}%",
        )
    more = len(disagreements) - DISAGREEMENT_ROWS
    if more > 0:
        return Group(
            table, Text(f"  and {more:,} more (--format json lists them all)", style="dim")
        )
    return table


IDS_APART = 100  # from this width the criteria table gives ids a column of their own


def criteria_table(record: CriteriaRecord, width: int = 120) -> RenderableType:
    """The criteria tree with weights as entered, local and global per cent, printed figures.

    A sub-criterion's name keeps its indent on every line it wraps to. Below ``IDS_APART``
    columns each id follows its name (dim, in brackets) instead of taking a column.
    """
    ids_apart = width >= IDS_APART
    table = titled(Text(record["title"], style="bold"))
    heading = "Criterion / sub-criterion" + ("" if ids_apart else " (id)")
    table.add_column(heading, overflow="fold", min_width=16, ratio=1)
    if ids_apart:
        table.add_column("Id", no_wrap=True)
    for heading in ("Weight", "Local%", "Global%"):
        table.add_column(heading, justify="right", no_wrap=True)
    has_printed = any(r["printed_global"] is not None for r in record["criteria"])
    if has_printed:
        table.add_column("Printed", justify="right", no_wrap=True)
    for row in record["criteria"]:
        top = row["level"] == "criterion"
        style = "bold" if top else ""
        name = Text(row["name"], style=style)
        if not ids_apart:
            name.append(f" ({row['id']})", style="dim")
        cells: list[Any] = [name if top else Padding(name, (0, 0, 0, 2))]
        if ids_apart:
            cells.append(row["id"])
        cells += [repr(row["weight"]), row["local_display"]]
        cells.append(Text(row["global_display"], style=style))
        if has_printed:
            printed = "" if row["printed_global"] is None else f"{row['printed_global']:g}"
            differs = row["printed_differs"]
            cells.append(Text(printed + (" ≠" if differs else ""), style="red" if differs else ""))
        table.add_row(*cells)
    return Group(table, *_criteria_notes(record))


def _criteria_notes(record: CriteriaRecord) -> list[RenderableType]:
    """Under the criteria table: the source, what the columns mean, printed figures, sets."""
    parts: list[RenderableType] = []
    if record["source"]:
        parts.append(Text(f"Source: {record['source']}", style="dim"))
    parts.append(
        Text(
            "Weight: as entered. Local%: share within the family, as used (after any rescaling). "
            "Global%: share of the whole, rounded half-up so the column adds to 100.0 where the "
            "weights do. Printed: the table's printed global figure; ≠ where it differs from the "
            "Global% appraise uses, either because a family whose weights do not sum to 100 was "
            "rescaled or because the printed figure does not reconcile (listed below).",
            style="dim",
        )
    )
    rescaling = rescaling_notes(record)
    if rescaling:
        lines = Text(
            "Printed figures that differ only because weights were rescaled to 100:\n",
            style="bold",
        )
        for note in rescaling:
            lines.append(f"  {note}\n", style="")
        parts.append(lines)
    if record["discrepancies"]:
        lines = Text(
            "Printed figures that do not reconcile (appraise computes from the weights):\n",
            style="bold red",
        )
        for d in record["discrepancies"]:
            lines.append(f"  {d['where']}: {d['message']}\n", style="")
        parts.append(lines)
    if record["weight_sets"]:
        sets = Text("Weight sets: ", style="bold")
        sets.append(
            ", ".join(
                f"{k} ({', '.join(f'{i}={w:g}' for i, w in v.items())})"
                for k, v in record["weight_sets"].items()
            )
        )
        parts.append(sets)
    return parts


def problems_table(problems: Sequence[ProblemRecord]) -> RenderableType:
    """Validation findings under their file, errors first: the place, then the problem.

    A place or a path is never split across lines (a YAML path or a cell is what the reader
    types or looks for); the problem wraps between words under it.
    """
    from rich.table import Table

    by_file: dict[str, list[ProblemRecord]] = {}
    for p in sorted(problems, key=lambda p: p["severity"] != "error"):
        by_file.setdefault(one_line(p["file"]), []).append(p)
    parts: list[RenderableType] = []
    for file, found in by_file.items():
        parts.append(Text(file, style="bold"))
        grid = Table.grid(padding=(0, 1, 0, 0))
        grid.add_column(no_wrap=True)
        grid.add_column()
        for p in found:
            mark = (
                Text("  error", style="bold red")
                if p["severity"] == "error"
                else Text("  warning", style="yellow")
            )
            body = Text(one_line(p["where"]) + "\n", style="dim") if p["where"] else Text()
            body.append(p["message"])
            grid.add_row(mark, body)
        parts.append(grid)
    return Group(*parts)


# --- sensitivity --------------------------------------------------------------------------
