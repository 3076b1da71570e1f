"""``explain``: where an option's total comes from, and what makes its gap to another."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from appraise.present.explain import ExplainRecord, LeafRecord
from appraise.present.terminal.tables import group_title, titled
from appraise.weights import percent_text


def measure_text(leaf: LeafRecord) -> str:
    """``34 minutes`` for a measured leaf, else nothing."""
    return "" if leaf["measure"] is None else f"{leaf['measure']:g} {leaf['unit']}"


def explain_view(record: ExplainRecord) -> RenderableType:
    """The option's total leaf by leaf (with the panel's range), then the gap by criterion."""
    option, against = record["option"], record["against"]
    title = Text(f"{option['name']} ", style="bold")
    title.append(f"({option['id']}): total {option['total']:.2f}, rank {option['rank']}")
    heading = group_title(record["name"], record["group"], record["illustrative"])
    parts: list[RenderableType] = [heading, title]
    table = titled("Where the total comes from (part = weight x score)", min_width=52)
    nested = any(leaf["leaf"] != leaf["criterion"] for leaf in record["leaves"])
    table.add_column("Sub-criterion" if nested else "Criterion", overflow="fold")
    table.add_column("Weight", justify="right", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Panel", justify="right", no_wrap=True)
    table.add_column("Part", justify="right", no_wrap=True)
    measured = any(leaf["measure"] is not None for leaf in record["leaves"])
    if measured:  # a measured leaf's score comes from its measure: show it beside the score
        table.add_column("Measure", justify="right")
    for leaf in record["leaves"]:
        panel = (
            f"{leaf['min']:g} to {leaf['max']:g}"
            if leaf["min"] is not None and leaf["max"] is not None and leaf["min"] != leaf["max"]
            else ""
        )
        table.add_row(
            leaf["name"],
            f"{percent_text(leaf['weight'])}%",
            "-" if leaf["score"] is None else f"{leaf['score']:.2f}",
            panel,
            f"{leaf['part']:.3f}",
            *([measure_text(leaf)] if measured else []),
        )
    table.add_row(Text("Total", style="bold"), "100.0%", "", "", f"{option['total']:.3f}")
    parts.append(table)
    if against is not None:
        mine = _by_criterion(record["leaves"])
        theirs = _by_criterion(record["against_leaves"])
        gaps = titled(f"Against {against['name']} ({against['id']})", min_width=60)
        gaps.add_column("Criterion", overflow="fold")
        gaps.add_column("This option", justify="right", no_wrap=True)
        gaps.add_column("Against", justify="right", no_wrap=True)
        gaps.add_column("Gap (this - against)", justify="right", no_wrap=True)
        for g in record["gap_by_criterion"]:
            gaps.add_row(
                g["name"], f"{mine[g['id']]:.3f}", f"{theirs[g['id']]:.3f}", f"{g['gap']:+.3f}"
            )
        total = f"{record['gap'] or 0.0:+.3f}"
        gaps.add_row(
            Text("Total", style="bold"),
            f"{option['total']:.3f}",
            f"{against['total']:.3f}",
            total,
        )
        parts.append(gaps)
    parts += [Text(s) for s in record["summary"]]
    return Group(*parts)


def _by_criterion(leaves: list[LeafRecord]) -> dict[str, float]:
    out: dict[str, float] = {}
    for leaf in leaves:
        out[leaf["criterion"]] = out.get(leaf["criterion"], 0.0) + leaf["part"]
    return out
