"""Rich renderables built from the plain records of ``report.py``; no computation here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.columns import Columns
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from appraise.present.ranking import context_text, rescaling_notes
from appraise.safe_text import one_line
from appraise.weights import percent_text

Record = dict[str, Any]

PALETTE = ["cyan", "magenta", "yellow", "green", "blue", "red", "bright_cyan", "bright_magenta"]
BAR_WIDTH = 28
# Columns beside the per-criterion figures: Rank (4), Option (at least OPTION_MIN_WIDTH),
# Total (5) and the bar, with 3 characters of padding and rule between each pair.
OPTION_MIN_WIDTH = 14
FIXED_WIDTH = 4 + OPTION_MIN_WIDTH + 5 + BAR_WIDTH + 3 * 3
NUMBER_WIDTH = 6  # "-10.25"
TABLE_ROWS = 50  # options in a ranking table unless --top says otherwise (JSON/CSV list all)
DISAGREEMENT_ROWS = 20  # cells listed under "Scorers far apart"
HEADING_LIMITS = (14, 12)  # full names where they fit (Sustainability, Deliverability), else cut


def _stacked_bar(parts: Sequence[float], scale_width: float, width: int = BAR_WIDTH) -> Text:
    """A bar whose segments are each criterion's share of the distance from the scale's bottom.

    The bar's length is always the sum of the parts (the total's distance from the bottom). A
    part can be negative when an option's weights were renormalised over the cells it was
    scored on (a criterion left unscored lifts nothing); it draws nothing, and the positive
    parts shrink in proportion so that a lower total never draws a longer bar.
    """
    positive = sum(max(part, 0.0) for part in parts)
    shrink = max(sum(parts), 0.0) / positive if positive > 0 else 0.0
    bar = Text()
    cumulative, drawn = 0.0, 0
    for i, part in enumerate(parts):
        cumulative += max(part, 0.0) * shrink
        end = round(min(cumulative / scale_width, 1.0) * width)
        if end > drawn:
            bar.append("█" * (end - drawn), style=PALETTE[i % len(PALETTE)])
            drawn = end
    bar.append("·" * (width - drawn), style="grey39")
    return bar


def ranking_table(
    record: Record,
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
    title = Text(f"{record['name']} ", style="bold")
    title.append(f"({record['group']})", style="dim")
    if record["illustrative"]:
        title.append("  ILLUSTRATIVE SCORES", style="bold yellow")
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
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
            _stacked_bar(lifts, high - low),
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
        lines = Text("Dissent recorded\n", style="bold")
        for name, text in dissent:
            lines.append(f"  {name}: ", style="bold")
            lines.append(f"{text}\n")
        parts.append(lines)
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
        lines = Text(heading + "\n", style="bold")
        for scorer, option, text in interests:
            lines.append(f"  {scorer} in {option}: {text}\n")
        parts.append(lines)
    return Group(*parts)


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


def _criterion_shares(record: Record) -> dict[str, float]:
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
        item = Text("█ ", style=PALETTE[i % len(PALETTE)])
        item.append(f"{names.get(criterion, criterion)} {percent_text(shares[criterion])}%")
        items.append(item)
    return Padding(Columns(items, padding=(0, 3)), (0, 0, 0, 2))


def _context_line(record: Record) -> Text:
    return Text("  " + context_text(record), style="dim")


def _set_aside_tables(record: Record) -> list[RenderableType]:
    out: list[RenderableType] = []
    for key, title in (
        ("screened_out", "Screened out by a gate"),
        ("excluded", "Excluded for missing scores"),
        ("rejected", "Rejected (option register)"),
    ):
        if not record.get(key):
            continue
        table = Table(
            title=title,
            title_justify="left",
            show_edge=False,
            pad_edge=False,
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


def _disagreement_table(disagreements: list[Record], names: dict[str, str]) -> RenderableType:
    """The cells where the panel is far apart, the first ``DISAGREEMENT_ROWS`` of them."""
    table = Table(
        title="Scorers far apart on a heavily weighted criterion",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
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


def criteria_table(record: Record) -> RenderableType:
    """The criteria tree with weights as entered, local and global per cent, printed figures."""
    table = Table(
        title=Text(record["title"], style="bold"),
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("Criterion / sub-criterion", overflow="fold", min_width=16, ratio=1)
    table.add_column("Id", no_wrap=True)
    for heading in ("Weight", "Local%", "Global%"):
        table.add_column(heading, justify="right", no_wrap=True)
    has_printed = any(r["printed_global"] is not None for r in record["criteria"])
    if has_printed:
        table.add_column("Printed", justify="right", no_wrap=True)
    for row in record["criteria"]:
        top = row["level"] == "criterion"
        style = "bold" if top else ""
        name = Text(row["name"] if top else "  " + row["name"], style=style)
        local = row["local_display"]
        cells: list[Any] = [
            name,
            row["id"],
            repr(row["weight"]),
            local,
            Text(row["global_display"], style=style),
        ]
        if has_printed:
            printed = "" if row["printed_global"] is None else f"{row['printed_global']:g}"
            cells.append(
                Text(
                    printed + (" ≠" if row["printed_differs"] else ""),
                    style="red" if row["printed_differs"] else "",
                )
            )
        table.add_row(*cells)
    parts: list[RenderableType] = [table]
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
    return Group(*parts)


def problems_table(problems: Sequence[Record]) -> RenderableType:
    """Validation findings, errors first."""
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("", no_wrap=True)
    table.add_column("File", overflow="fold")
    table.add_column("Where", overflow="fold")
    table.add_column("Problem", overflow="fold")
    for p in sorted(problems, key=lambda p: p["severity"] != "error"):
        mark = (
            Text("error", style="bold red")
            if p["severity"] == "error"
            else Text("warning", style="yellow")
        )
        file, where = one_line(p["file"]), one_line(p["where"])
        table.add_row(mark, Text(file), Text(where), Text(p["message"]))
    return table


# --- sensitivity --------------------------------------------------------------------------

STRIP_WIDTH = 20
THRESHOLDS_TITLE = "Weight thresholds for the leader (one weight varied, the rest in proportion)"
WITHIN_TITLE = "Within each criterion (a sub-criterion's share of its criterion varied)"


def _strip(weight: float, lower: float | None, upper: float | None) -> Text:
    """0..100% as a strip: green where today's leader stays first, ▲ at today's weight."""
    low = 0.0 if lower is None else lower
    high = 1.0 if upper is None else upper
    strip = Text()
    # Steadied to 9 decimals first: a weight of 70% summed as 0.6999999999999998 is in cell 14.
    mark = min(int(round(weight * STRIP_WIDTH, 9)), STRIP_WIDTH - 1)
    for k in range(STRIP_WIDTH):
        middle = (k + 0.5) / STRIP_WIDTH
        if k == mark:
            strip.append("▲", style="bold white")
        elif low <= middle <= high:
            strip.append("█", style="green")
        else:
            strip.append("░", style="red")
    return strip


def _percent_or_dash(value: float | None) -> str:
    return "-" if value is None else f"{percent_text(value)}%"


def thresholds_table(
    items: Sequence[Record], option_names: dict[str, str], title: str, width: int = 80
) -> RenderableType:
    """Per criterion: today's weight and the interval over which the leader stays first."""
    name_width = max(12, min(34, width - 64))
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Criterion", overflow="ellipsis", no_wrap=True, max_width=name_width)
    for heading in ("Now", "From", "To"):
        table.add_column(heading, justify="right", no_wrap=True, min_width=5)
    table.add_column(f"0% {'':-^{STRIP_WIDTH - 8}} 100%", no_wrap=True, min_width=STRIP_WIDTH)
    table.add_column("Then leads", overflow="fold", max_width=26)
    # Names cut short are ambiguous ("Impact on pat…" three times): if any of a level would
    # be, that level's rows show ids, which are short and exact.
    fits = {
        level: all(len(_indented(i, i["name"])) <= name_width for i in items if i["level"] == level)
        for level in ("criterion", "sub-criterion")
    }
    for item in items:
        takers = [str(x) for x in (item["below"], item["above"]) if x]  # ids: short, exact
        table.add_row(
            _indented(item, item["name"] if fits[item["level"]] else item["criterion"]),
            _percent_or_dash(item["weight"]),
            "0%" if item["lower"] is None else _percent_or_dash(item["lower"]),
            "100%" if item["upper"] is None else _percent_or_dash(item["upper"]),
            _strip(item["weight"], item["lower"], item["upper"]),
            " / ".join(dict.fromkeys(takers)) or "nobody",
        )
    return table


def _indented(item: Record, label: str) -> str:
    return ("  " if item["level"] == "sub-criterion" else "") + label


MAX_RANK_COLUMNS = 8


def smaa_table(smaa: Record, top: int) -> RenderableType:
    """Rank acceptability per option (a column per rank, or a stacked bar when there are many)."""
    n = len(smaa["options"])
    k = min(top, n)
    title = (
        f"Simulation: {smaa['samples']:,} samples, {smaa['distribution']} weights"
        + (f", score noise '{smaa['score_noise']}'" if smaa["score_noise"] != "none" else "")
        + f", seed {smaa['seed']}. Share of samples in which each option takes each rank "
        "(tied options share their ranks equally):"
    )
    columns = n <= MAX_RANK_COLUMNS
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Option", overflow="fold", max_width=34)
    for r in range(n if columns else 0):
        table.add_column(f"Rank {r + 1}" if r == 0 else str(r + 1), justify="right")
    if not columns:
        table.add_column("First", justify="right")
        table.add_column("Rank 1 → last", no_wrap=True)
    # Top k says nothing when every option is in the top k; without score noise the confidence
    # factor is 100% by definition: neither is worth a column then.
    top_column = k < n
    noisy = smaa["score_noise"] != "none"
    if top_column:
        table.add_column(f"Top {k}", justify="right")
    if noisy:
        table.add_column("Confidence", justify="right")
    for option in smaa["options"]:
        shares = option["rank_acceptability"]
        cells: list[RenderableType] = (
            [f"{percent_text(v)}%" for v in shares]
            if columns
            else [f"{percent_text(shares[0])}%", _stacked_bar(shares, 1.0)]
        )
        if top_column:
            cells.append(f"{percent_text(option[f'p_top_{k}'])}%")
        if noisy:
            confidence = option["confidence"]
            cells.append("-" if confidence is None else f"{percent_text(confidence)}%")
        table.add_row(option["name"], *cells)
    return table


def alternatives_table(
    items: Sequence[Record], option_names: dict[str, str], title: str
) -> RenderableType:
    """The leader and shortlist under each alternative (weight set, or something left out)."""
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("Alternative", overflow="ellipsis", no_wrap=True, max_width=40)
    table.add_column("First", overflow="fold")
    table.add_column("Leader", justify="center")
    table.add_column("Shortlist", justify="center")
    for item in items:
        if item["note"]:
            table.add_row(item["name"], Text(item["note"], style="dim"), "", "")
            continue
        label = item["label"] if item["kind"] == "weight set" else f"without {item['label']}"
        table.add_row(
            label,
            ", ".join(option_names.get(i, i) for i in item["leaders"]),
            _leader_cell(item),
            Text("changes", style="yellow") if item["shortlist_changed"] else Text("same"),
        )
    return table


def _leader_cell(item: Record) -> Text:
    if item["leader_changed"]:
        return Text("changes", style="bold red")
    if item.get("leader_shared"):
        return Text("now tied", style="yellow")
    return Text("same")


def score_thresholds_table(
    items: Sequence[Record], option_names: dict[str, str], leaf_names: dict[str, str]
) -> RenderableType:
    """For each option behind the leader, the three smallest single-score rises that draw level."""
    table = Table(
        title="Score changes that would draw level with the leader",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("Option", overflow="fold", max_width=30)
    table.add_column("Criterion", overflow="ellipsis", no_wrap=True, max_width=32)
    table.add_column("Score", justify="right")
    table.add_column("Needs", justify="right")
    by_option: dict[str, list[Record]] = {}
    for item in items:
        by_option.setdefault(item["option"], []).append(item)
    for option, rows in by_option.items():
        possible = sorted((r for r in rows if r["change"] is not None), key=lambda r: r["change"])
        if not possible:
            table.add_row(option_names.get(option, option), "not possible within the scale", "", "")
            continue
        for k, row in enumerate(possible[:3]):
            table.add_row(
                option_names.get(option, option) if k == 0 else "",
                leaf_names.get(row["criterion"], row["criterion"]),
                f"{row['score']:g}",
                f"{row['needed']:.2f} (+{row['change']:.2f})",
            )
    return table


def sensitivity_view(
    record: Record, option_names: dict[str, str], names: dict[str, str], width: int = 80
) -> RenderableType:
    """Everything ``appraise sensitivity`` found for one group, headline first."""
    title = Text(f"{record['name']} ", style="bold")
    title.append(f"({record['group']})", style="dim")
    if record["illustrative"]:
        title.append("  ILLUSTRATIVE SCORES", style="bold yellow")
    parts: list[RenderableType] = [title]
    parts += [Text(f"• {sentence}") for sentence in record["summary"]]
    parts.append(Text(""))
    if "thresholds" in record:
        parts.append(thresholds_table(record["thresholds"], option_names, THRESHOLDS_TITLE, width))
    if record.get("thresholds_within_family"):
        parts.append(
            thresholds_table(record["thresholds_within_family"], option_names, WITHIN_TITLE, width)
        )
    if record.get("score_thresholds"):
        parts.append(score_thresholds_table(record["score_thresholds"], option_names, names))
    if "weight_sets" in record:
        parts.append(alternatives_table(record["weight_sets"], option_names, "Weight sets"))
    if "leave_one_out" in record:
        parts.append(alternatives_table(record["leave_one_out"], option_names, "Leave one out"))
    if "smaa" in record:
        parts.append(smaa_table(record["smaa"], len(record["shortlist"])))
    return Group(*parts)


# --- combinations -------------------------------------------------------------------------


def combinations_view(record: Record, width: int = 80) -> RenderableType:
    """The top combinations (a column per group), why the first was chosen, and robustness."""
    title = Text("Combinations across working groups", style="bold")
    if record["illustrative"]:
        title.append("  ILLUSTRATIVE SCORES", style="bold yellow")
    parts: list[RenderableType] = [title]
    parts += [Text(f"• {sentence}") for sentence in record["summary"]]
    parts.append(Text(""))
    parts.append(_combinations_table(record, width))
    parts.append(_explanation_table(record))
    if record["weight_sets"]:
        parts.append(_weight_set_bests(record))
    return Group(*parts)


def _combinations_table(record: Record, width: int) -> RenderableType:
    """Groups down the side, combinations across; after the first, only differences show."""
    groups = [g["group"] for g in record["groups"]]
    combos = record["combinations"]
    shown = combos[: max(1, min(len(combos), (width - 20) // 15))]
    shares = record.get("smaa", {}).get("best_share")
    key, label = record["figure"]["key"], record["figure"]["label"]
    by = "" if key == "total" else f" by {label}"
    table = Table(
        title=f"Top combinations{by} ({len(shown)} of {len(combos)} shown; '·' = as in the first)",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("Group", no_wrap=True)
    for c in shown:
        table.add_column(f"#{c['rank']}", overflow="fold", max_width=16)
    table.add_row(label, *(f"{c[key]:.2f}" for c in shown), style="bold")
    if shares is not None:
        table.add_row("best in", *(f"{percent_text(x)}%" for x in shares[: len(shown)]))
    first = shown[0]["choice"]
    for group in groups:
        cells = [Text(first[group])]
        for c in shown[1:]:
            option = c["choice"][group]
            cells.append(
                Text("·", style="dim") if option == first[group] else Text(option, style="yellow")
            )
        table.add_row(group, *cells)
    for attribute in sorted({a for c in shown for a in c["attributes"]}):
        table.add_row(f"Σ {attribute}", *(f"{c['attributes'][attribute]:,.0f}" for c in shown))
    return table


def _explanation_table(record: Record) -> RenderableType:
    """Per group: the choice, its total and margin as ``rank`` gives them, and why."""
    rescaled = record["figure"]["rescaled"]
    table = Table(
        title="The preferred combination, group by group"
        + (" (0-1: its total rescaled)" if rescaled else ""),
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("Group")
    table.add_column("Choice", overflow="fold", max_width=34)
    table.add_column("Total", justify="right")
    table.add_column("Margin", justify="right")
    if rescaled:
        table.add_column("0-1", justify="right")
    table.add_column("Why", overflow="fold")
    for e in record["explanation"]:
        why = (
            Text("; ".join(e["forced_by"]), style="yellow")
            if e["forced_by"]
            else Text("its own best", style="dim")
        )
        margin = "" if e["margin"] is None else f"{e['margin']:+.2f}"
        figures = [f"{e['total']:.2f}", margin]
        if rescaled:
            figures.append(f"{e['rescaled_total']:.2f}")
        table.add_row(e["group"], e["name"], *figures, why)
    return table


def _weight_set_bests(record: Record) -> RenderableType:
    key, label = record["figure"]["key"], record["figure"]["label"]
    table = Table(
        title="Best combination under each weight set" + ("" if key == "total" else f" ({label}s)"),
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    table.add_column("Weight set")
    table.add_column("Best", overflow="fold")
    table.add_column(label.capitalize(), justify="right")
    first = record["combinations"][0]["choice"]
    tied = record["tied_first"]
    for w in record["weight_sets"]:
        if w.get("no_effect"):
            table.add_row(w["name"], Text("no effect: it changes no weight scored here", "dim"), "")
            continue
        if w["combination"] == 0:
            which = "the preferred combination"
        elif w["combination"] is not None and w["combination"] < tied:
            which = f"#{w['combination'] + 1}, tied first with the preferred combination"
        else:
            which = "differs: " + ", ".join(
                f"{g} {o}" for g, o in w["choice"].items() if first.get(g) != o
            )
        table.add_row(w["name"], which, f"{w[key]:.2f}")
    return table


# --- rounds -------------------------------------------------------------------------------

MAX_SCORE_ROWS = 40


def diff_view(record: Record, names: dict[str, str]) -> RenderableType:
    """What changed between two rounds: options, ranks and totals, scores, weights.

    The figures come from ``present.diff``: one precision per table, and changes that agree with
    the printed totals.
    """
    from appraise.present.diff import (
        arrow,
        option_figures,
        panel_legend,
        panel_rows,
        score_figures,
        status_text,
        weight_figures,
    )

    title = Text(f"{record['name']} ", style="bold")
    title.append(f"({record['group']}): ", style="dim")
    title.append(
        f"round '{record['old']['round'] or record['old']['file']}' → "
        f"'{record['new']['round'] or record['new']['file']}', compared at {record['compared_at']}"
    )
    parts: list[RenderableType] = [title]
    parts += [Text(f"• {sentence}") for sentence in record["summary"]]
    options = Table(title="Options", title_justify="left", show_edge=False, pad_edge=False)
    for heading, justify in (
        ("Option", "left"),
        ("Status", "left"),
        ("Rank", "right"),
        ("Total", "right"),
        ("Change", "right"),
        ("From scores", "right"),
        ("From weights", "right"),
    ):
        options.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for o, shown in zip(record["options"], option_figures(record["options"]), strict=True):
        options.add_row(
            Text(o["name"]),
            status_text(o),
            arrow(o["old_rank"], o["new_rank"]),
            shown["total"],
            shown["change"],
            shown["from_scores"],
            shown["from_weights"],
        )
    parts.append(options)
    if record["scores"]:
        scores = Table(title="Score changes", title_justify="left", show_edge=False, pad_edge=False)
        for heading in ("Option", "Criterion", "Scorer", "Score"):
            scores.add_column(heading)
        shown_scores = record["scores"][:MAX_SCORE_ROWS]
        for c, text in zip(shown_scores, score_figures(shown_scores), strict=True):
            scores.add_row(
                Text(c["option"]),
                Text(names.get(c["criterion"], c["criterion"])),
                Text(c["scorer"] or "panel"),
                text,
            )
        parts.append(scores)
        hidden = len(record["scores"]) - MAX_SCORE_ROWS
        if hidden > 0:
            parts.append(Text(f"  and {hidden} more (all in --format json)", style="dim"))
    if record["weights"]:
        weights = Table(
            title="Weight changes", title_justify="left", show_edge=False, pad_edge=False
        )
        weights.add_column("Criterion")
        weights.add_column("Weight", justify="right")
        for w, text in zip(record["weights"], weight_figures(record["weights"]), strict=True):
            weights.add_row(Text(names.get(w["criterion"], w["criterion"])), text)
        parts.append(weights)
    if record["panel"]:
        panel = Table(title="Panel changes", title_justify="left", show_edge=False, pad_edge=False)
        for heading in ("Scorer", "Change", "Option", "Scores"):
            panel.add_column(heading)
        previous = None
        rows = panel_rows(record)
        for row in rows[:MAX_SCORE_ROWS]:
            first = row["scorer"] != previous  # name the scorer once, over their options
            previous = row["scorer"]
            panel.add_row(
                Text(row["scorer"] if first else ""),
                Text(row["change"] if first else ""),
                Text(row["option"]),
                Text(row["scores"]),
            )
        parts.append(panel)
        if len(rows) > MAX_SCORE_ROWS:
            more = f"  and {len(rows) - MAX_SCORE_ROWS} more (all in --format json)"
            parts.append(Text(more, style="dim"))
        parts += [Text(line, style="dim") for line in panel_legend(record)]
    return Group(*parts)
