"""``value``: each option's benefit against its cost, the frontier, and how robust it is."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from appraise.present.terminal.tables import bullets, group_title, titled
from appraise.present.value import ValueRecord, weights_text


def _amount(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def value_view(record: ValueRecord) -> RenderableType:
    """Options in ascending cost with benefit, cost per point and frontier; steps; weight sets."""
    names = {o["id"]: o["name"] for o in record["options"]}
    unit, figure = record["unit"], record["cost"]
    benefit = "Benefit" if record["benefit_is"] == "total" else "Benefit over SQ"
    parts: list[RenderableType] = [
        group_title(record["name"], record["group"], record["illustrative"]),
        Text(f"Benefit ({record['benefit_is']}) against {figure} cost, in {unit}", style="bold"),
        Text(f"Weights: {weights_text(record)}", style="dim"),
    ]
    table = titled(None, min_width=60)
    table.add_column("Option", overflow="fold", ratio=3)
    table.add_column(f"{figure.capitalize()}", justify="right", no_wrap=True)
    table.add_column(benefit, justify="right", no_wrap=True)
    table.add_column("Per point", justify="right", no_wrap=True)
    table.add_column("Frontier", overflow="fold", ratio=2)
    sampled = record["smaa"] is not None
    if sampled:
        table.add_column("Share", justify="right", no_wrap=True)
    for o in record["options"]:
        where = "yes" if o["frontier"] else f"no: {names[o['dominated_by'] or '']} beats it"
        share = o["frontier_share"]
        table.add_row(
            o["name"] + (" ◆" if o["status_quo"] else ""),
            _amount(o["cost"]),
            f"{o['benefit']:.2f}",
            _amount(o["cost_per_point"]),
            where,
            *([f"{100 * share:.0f}%" if share is not None else ""] if sampled else []),
        )
    parts.append(table)
    parts.append(
        Text(f"  Per point: {record['cost_per_point_is']} ({unit}).  ◆ status quo", style="dim")
    )
    smaa = record["smaa"]
    if smaa is not None:
        parts.append(
            Text(
                f"  Share: on the frontier in how many of {smaa['samples']:,} weight draws "
                f"({smaa['distribution']}).",
                style="dim",
            )
        )
    if record["steps"]:
        steps = titled("Up the frontier", min_width=60)
        steps.add_column("Step", overflow="fold", ratio=3)
        steps.add_column(f"Extra {unit}", justify="right", no_wrap=True)
        steps.add_column("Extra points", justify="right", no_wrap=True)
        steps.add_column(f"{unit} an extra point", justify="right", no_wrap=True)
        for s in record["steps"]:
            steps.add_row(
                f"{names[s['start']]} → {names[s['to']]}",
                _amount(s["extra_cost"]),
                f"{s['extra_benefit']:+.2f}",
                _amount(s["cost_per_point"]),
            )
        parts.append(steps)
    changed = [s for s in record["weight_sets"] if s["changed"]]
    if changed:
        sets = titled("Where a weight set moves the frontier", min_width=60)
        sets.add_column("Weight set", no_wrap=True)
        sets.add_column("Its frontier, cheapest first", overflow="fold")
        for moved in changed:
            shown = ", ".join(names.get(i, i) for i in moved["frontier"])
            sets.add_row(moved["weight_set"], shown)
        parts.append(sets)
    parts.append(bullets(record["summary"]))
    return Group(*parts)
