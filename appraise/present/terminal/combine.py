"""Combinations across groups: the top list, the preferred one explained, weight sets."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from appraise.present.records import CombineRecord
from appraise.present.terminal.tables import bullets, titled
from appraise.weights import percent_text


def combinations_view(record: CombineRecord, width: int = 80) -> RenderableType:
    """The top combinations (a column per group), why the first was chosen, and robustness."""
    title = Text("Combinations across working groups", style="bold")
    if record["illustrative"]:
        title.append("  ILLUSTRATIVE SCORES", style="bold yellow")
    parts: list[RenderableType] = [title]
    parts.append(bullets(record["summary"]))
    parts.append(Text(""))
    parts.append(_combinations_table(record, width))
    parts.append(_explanation_table(record, width))
    if record["weight_sets"]:
        parts.append(_weight_set_bests(record))
    return Group(*parts)


def _combinations_table(record: CombineRecord, width: int) -> RenderableType:
    """Groups down the side, combinations across; after the first, only differences show."""
    groups = [g["group"] for g in record["groups"]]
    combos = record["combinations"]
    shown = combos[: max(1, min(len(combos), (width - 20) // 15))]
    shares = record.get("smaa", {}).get("best_share")
    key, label = record["figure"]["key"], record["figure"]["label"]
    by = "" if key == "total" else f" by {label}"
    table = titled(
        f"Top combinations{by} ({len(shown)} of {len(combos)} shown"
        + ("" if len(shown) == len(combos) else ", a wider terminal or --format csv shows all")
        + "; '·' = as in the first)"
    )
    table.add_column("Group", no_wrap=True)
    tied = {r for r in [c["rank"] for c in combos] if [x["rank"] for x in combos].count(r) > 1}
    for c in shown:  # "=1 =1 3": a rank shared by tied combinations, as league tables write it
        table.add_column(f"{'=' if c['rank'] in tied else '#'}{c['rank']}", no_wrap=True)
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


WHY_APART = 110  # from this width the reason for each choice has a column of its own


def _explanation_table(record: CombineRecord, width: int) -> RenderableType:
    """Per group: the choice, its total and margin as ``rank`` gives them, and why.

    Below ``WHY_APART`` columns a rule or limit that forced a choice follows the choice's
    name, in the same cell, so the rule's ids have the cell's width and are never split.
    """
    rescaled = record["figure"]["rescaled"]
    why_apart = width >= WHY_APART
    table = titled(
        "The preferred combination, group by group"
        + (" (0-1: its total rescaled)" if rescaled else "")
    )
    table.add_column("Group", no_wrap=True)
    table.add_column("Choice" if why_apart else "Choice (why, if not its own best)")
    table.add_column("Total", justify="right", no_wrap=True)
    table.add_column("Margin", justify="right", no_wrap=True)
    if rescaled:
        table.add_column("0-1", justify="right", no_wrap=True)
    if why_apart:  # as wide as its longest word (a rule's group/option id), so none splits
        words = [w for e in record["explanation"] for r in e["forced_by"] for w in r.split()]
        table.add_column("Why", min_width=min(40, max(map(len, words), default=12)))
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
        if why_apart:
            table.add_row(e["group"], e["name"], *figures, why)
            continue
        choice = Text(e["name"])
        if e["forced_by"]:
            choice.append("\n")
            choice.append_text(why)
        table.add_row(e["group"], choice, *figures)
    return table


def _weight_set_bests(record: CombineRecord) -> RenderableType:
    key, label = record["figure"]["key"], record["figure"]["label"]
    table = titled(
        "Best combination under each weight set" + ("" if key == "total" else f" ({label}s)")
    )
    table.add_column("Weight set")
    table.add_column("Best")
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
