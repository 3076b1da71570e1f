"""Sensitivity: weight thresholds as strips, score thresholds, weight sets, SMAA."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from appraise.present.records import (
    AlternativeRecord,
    ScoreThresholdRecord,
    SensitivityRecord,
    SmaaRecord,
    ThresholdRecord,
)
from appraise.present.terminal.tables import (
    BAR_WIDTH,
    FILLS,
    bullets,
    group_title,
    stacked_bar,
    titled,
)
from appraise.safe_text import plural
from appraise.weights import percent_text

STRIP_WIDTH = 20
WIDE = 100  # from this width the thresholds' strips have STRIP_WIDTH cells, below it half
THRESHOLDS_TITLE = "Weight thresholds for the leader (one weight varied, the rest in proportion)"
WITHIN_TITLE = "Within each criterion (a sub-criterion's share of its criterion varied)"


def _strip(weight: float, lower: float | None, upper: float | None, cells: int) -> Text:
    """0..100% as a strip: green where today's leader stays first, ▲ at today's weight."""
    low = 0.0 if lower is None else lower
    high = 1.0 if upper is None else upper
    strip = Text()
    # Steadied to 9 decimals first: a weight of 70% summed as 0.6999999999999998 is in cell 14.
    mark = min(int(round(weight * cells, 9)), cells - 1)
    for k in range(cells):
        middle = (k + 0.5) / cells
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
    items: Sequence[ThresholdRecord], option_names: dict[str, str], title: str, width: int = 80
) -> RenderableType:
    """Per criterion: today's weight and the interval over which the leader stays first.

    Criteria by name, a sub-criterion's indented on every line it wraps to (ids are in JSON).
    Below ``WIDE`` columns the strip has half as many cells (10% each).
    """
    cells = STRIP_WIDTH if width >= WIDE else STRIP_WIDTH // 2
    table = titled(title)
    table.add_column("Criterion", ratio=3, min_width=14)
    for heading in ("Now", "From", "To"):
        table.add_column(heading, justify="right", no_wrap=True, min_width=5)
    scale = f"0% {'':-^{cells - 8}} 100%" if cells >= 12 else "0-100%"
    table.add_column(scale, no_wrap=True, min_width=cells)
    table.add_column("Then leads", ratio=2, min_width=10)
    for item in items:
        takers = [option_names.get(x, x) for x in (item["below"], item["above"]) if x]
        name = Text(item["name"])
        table.add_row(
            name if item["level"] == "criterion" else Padding(name, (0, 0, 0, 2)),
            _percent_or_dash(item["weight"]),
            "0%" if item["lower"] is None else _percent_or_dash(item["lower"]),
            "100%" if item["upper"] is None else _percent_or_dash(item["upper"]),
            _strip(item["weight"], item["lower"], item["upper"], cells),
            Text(" / ".join(dict.fromkeys(takers))) if takers else Text("stays first", "dim"),
        )
    return table


MAX_RANK_COLUMNS = 8


def smaa_table(smaa: SmaaRecord, top: int) -> RenderableType:
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
    table = titled(title)
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
    for option in smaa["options"][:SHOWN]:
        shares = option["rank_acceptability"]
        cells: list[RenderableType] = (
            [f"{percent_text(v)}%" for v in shares]
            if columns
            else [f"{percent_text(shares[0])}%", stacked_bar(_bar_parts(shares), 1.0)]
        )
        if top_column:
            cells.append(f"{percent_text(option[f'p_top_{k}'])}%")
        if noisy:
            confidence = option["confidence"]
            cells.append("-" if confidence is None else f"{percent_text(confidence)}%")
        table.add_row(option["name"], *cells)
    if n > SHOWN:
        table.caption = f"... and {n - SHOWN:,} more options (--format json lists every one)"
    return table


# Options in the simulation's tables; JSON lists every one. A bar of BAR_WIDTH characters shows
# no more ranks than it has characters, so the rest of a long list is one part of it.
SHOWN = 50


def _bar_parts(shares: Sequence[float]) -> list[float]:
    """The shares a bar can show: one per character's worth of ranks, the rest together."""
    if len(shares) <= 2 * BAR_WIDTH:
        return list(shares)
    return [*shares[: 2 * BAR_WIDTH - 1], sum(shares[2 * BAR_WIDTH - 1 :])]


RANK_FILLS = FILLS  # a fill per rank, so the bars read without colour
RANK_STYLES = ("green", "cyan", "yellow", "magenta")
CHART_BAR = 40


def acceptability_chart(smaa: SmaaRecord) -> RenderableType:
    """Rank acceptability as a bar per option: each rank's share, first on the left."""
    options = smaa["options"]
    n = len(options[0]["rank_acceptability"]) if options else 0  # ranks: one per option
    ranks = min(n, len(RANK_FILLS))
    legend = Text("Rank acceptability: ")
    for r in range(ranks):
        legend.append(RANK_FILLS[r] * 2, style=RANK_STYLES[r])
        more = " and below" if r == ranks - 1 and n > ranks else ""
        legend.append(f" rank {r + 1}{more}  ")
    table = titled(legend, show_header=False, min_width=legend.cell_len)
    table.add_column("Option", overflow="fold", max_width=34)
    table.add_column("", no_wrap=True)
    for option in smaa["options"][:SHOWN]:
        shares = list(option["rank_acceptability"])
        shares = [*shares[: ranks - 1], sum(shares[ranks - 1 :])]
        bar, drawn, cumulative = Text(), 0, 0.0
        for r, share in enumerate(shares):
            cumulative += share
            end = round(min(cumulative, 1.0) * CHART_BAR)
            if end > drawn:
                bar.append(RANK_FILLS[r] * (end - drawn), style=RANK_STYLES[r])
                drawn = end
        table.add_row(option["name"], bar)
    return table


def alternatives_table(
    items: Sequence[AlternativeRecord], option_names: dict[str, str], title: str
) -> RenderableType:
    """The leader and shortlist under each alternative (weight set, or something left out)."""
    table = titled(title)
    table.add_column("Alternative", max_width=40)
    table.add_column("First")
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


def _leave_one_out(
    items: Sequence[AlternativeRecord], option_names: dict[str, str]
) -> RenderableType:
    """Only what changes the leader or the shortlist; the rest counted in a line."""
    changed = [
        i for i in items if i["leader_changed"] or i["leader_shared"] or i["shortlist_changed"]
    ]
    same = len(items) - len(changed)
    criteria = sum(i["kind"] == "criterion" for i in items)
    scorers = sum(i["kind"] == "scorer" for i in items)
    counted = plural(criteria, "criterion", "criteria") + (
        f" and {plural(scorers, 'scorer')}" if scorers else ""
    )
    rest = Text(
        f"Leaving out any other of the {counted} changes neither the leader nor the shortlist."
        if changed
        else f"Leaving out any one of the {counted} changes neither the leader nor the shortlist."
    )
    if not changed:
        return Group(Text("Leave one out", style="italic"), rest)
    table = alternatives_table(changed, option_names, "Leave one out: what changes")
    return Group(table, rest) if same else table


def _leader_cell(item: AlternativeRecord) -> Text:
    if item["leader_changed"]:
        return Text("changes", style="bold red")
    if item.get("leader_shared"):
        return Text("now tied", style="yellow")
    return Text("same")


def score_thresholds_table(
    items: Sequence[ScoreThresholdRecord], option_names: dict[str, str], leaf_names: dict[str, str]
) -> RenderableType:
    """For each option behind the leader, the three smallest single-score rises that draw level."""
    table = titled("Score changes that would draw level with the leader")
    table.add_column("Option", max_width=30, ratio=1)
    table.add_column("Criterion", ratio=1)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Needs", justify="right", no_wrap=True)
    by_option: dict[str, list[ScoreThresholdRecord]] = {}
    for item in items:
        by_option.setdefault(item["option"], []).append(item)
    for option, rows in list(by_option.items())[:SHOWN]:
        possible = sorted(
            (r for r in rows if r["change"] is not None), key=lambda r: r["change"] or 0.0
        )
        if not possible:
            table.add_row(option_names.get(option, option), "not possible within the scale", "", "")
            continue
        for k, row in enumerate(possible[:3]):
            table.add_row(
                option_names.get(option, option) if k == 0 else "",
                leaf_names.get(row["criterion"], row["criterion"]),
                f"{row['score']:g}"
                if row["score"] == round(row["score"])
                else f"{row['score']:.2f}",
                f"{row['needed']:.2f} (+{row['change']:.2f})"
                + (
                    f" at {row['needed_measure']:.3g} {row['unit']}"
                    if row.get("needed_measure") is not None
                    else ""
                ),
            )
    if len(by_option) > SHOWN:
        more = len(by_option) - SHOWN
        table.caption = f"... and {more:,} more options (--format json lists every one)"
    return table


def sensitivity_view(
    record: SensitivityRecord,
    option_names: dict[str, str],
    names: dict[str, str],
    width: int = 80,
) -> RenderableType:
    """Everything ``appraise sensitivity`` found for one group, headline first."""
    title = group_title(record["name"], record["group"], record["illustrative"])
    parts: list[RenderableType] = [title, bullets(record["summary"])]
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
        parts.append(_leave_one_out(record["leave_one_out"], option_names))
    if "smaa" in record:
        parts.append(smaa_table(record["smaa"], len(record["shortlist"])))
        parts.append(acceptability_chart(record["smaa"]))
    return Group(*parts)


# --- combinations -------------------------------------------------------------------------
