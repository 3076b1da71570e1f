"""``weigh`` in the terminal: each body's weights side by side, consistency, leaders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from appraise.present.terminal.tables import titled
from appraise.weights import percent_text

METHOD_WORDS = {"swing": "swing", "points": "points", "pairwise": "pairwise (AHP)"}


NAME_WIDTH = 24  # the criterion column's width below which bodies are numbered, not named


def weigh_view(
    record: Mapping[str, Any], names: Mapping[str, str], title: str, width: int = 80
) -> RenderableType:
    """Global weights per criterion and body, the pooled weights and their spread.

    Then how each body stated each family, every inconsistent family, and who leads under each
    body's view (with ``--scores``).
    """
    bodies = record["bodies"]
    needed = NAME_WIDTH + sum(max(len(b["id"]), 6) + 3 for b in bodies) + 24
    headings = (
        [b["id"] for b in bodies] if needed <= width else [str(k + 1) for k in range(len(bodies))]
    )
    table = titled(Text(title, style="bold"))
    table.add_column("Criterion", ratio=1, min_width=16)
    for heading in headings:
        table.add_column(heading, justify="right", no_wrap=True)
    table.add_column(record["combined"]["method"].capitalize(), justify="right", no_wrap=True)
    table.add_column("Spread", justify="right", no_wrap=True)
    criterion_of = record["criterion_of"]
    for top in record["top"]:
        leaves = [leaf for leaf, parent in criterion_of.items() if parent == top]
        nested = leaves != [top]
        shares = [sum(b["weights"][leaf] for leaf in leaves) for b in bodies]
        pooled = sum(record["combined"]["weights"][leaf] for leaf in leaves)
        table.add_row(
            Text(names[top], style="bold"),
            *(f"{percent_text(x)}%" for x in shares),
            Text(f"{percent_text(pooled)}%", style="bold"),
            f"{percent_text(min(shares))}-{percent_text(max(shares))}",
        )
        if nested:
            for leaf in leaves:
                table.add_row(
                    Padding(Text(names[leaf]), (0, 0, 0, 2)),
                    *(f"{percent_text(b['weights'][leaf])}%" for b in bodies),
                    f"{percent_text(record['combined']['weights'][leaf])}%",
                    _spread(record, leaf),
                )
    legend = _legend(bodies, headings, record["combined"]["method"])
    parts: list[RenderableType] = [table, legend]
    parts.append(_how_stated(bodies, names))
    if record.get("leaders") is not None:
        parts.append(_leaders(record["leaders"], bodies, record["option_names"]))
    return Group(*parts)


def _spread(record: Mapping[str, Any], leaf: str) -> str:
    low, high = record["combined"]["spread"][leaf]
    return f"{percent_text(low)}-{percent_text(high)}"


def _legend(
    bodies: Sequence[Mapping[str, Any]], headings: Sequence[str], method: str
) -> RenderableType:
    words = "; ".join(
        f"{h}: {b['name']}" + ("" if h == b["id"] else f" ({b['id']})")
        for h, b in zip(headings, bodies, strict=True)
    )
    return Text(
        f"Global weights (per cent of the whole). {words}. {method.capitalize()}: the bodies' "
        "global weights pooled and rescaled to 100%; Spread: the lowest and highest any body "
        "gives.",
        style="dim",
    )


def _how_stated(bodies: Sequence[Mapping[str, Any]], names: Mapping[str, str]) -> RenderableType:
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for body in bodies:
        stated = [
            f"{_family_name(f, names)} by {METHOD_WORDS[w['method']]}"
            + (
                f" (CR {w['consistency_ratio']:.2f})"
                if w["consistency_ratio"] is not None and "most_at_odds" not in w
                else ""
            )
            for f, w in body["families"].items()
            if w["method"] != "file"
        ]
        line = Text(f"{body['name']}: ", style="bold")
        line.append("; ".join(stated) or "no family stated")
        if body["from_file"]:
            kept = ", ".join(_family_name(f, names) for f in body["from_file"])
            line.append(f". The criteria file's weights for {kept}.")
        for f, w in body["families"].items():
            if "most_at_odds" in w:
                family = _family_name(f, names)
                line.append(f"\n{family[0].upper()}{family[1:]}: ", style="bold yellow")
                line.append(w["most_at_odds"]["text"], style="yellow")
        grid.add_row("•", line)
    return Group(Text("How each body stated its view", style="bold"), Padding(grid, (0, 0, 0, 2)))


def _family_name(family: str, names: Mapping[str, str]) -> str:
    return "the top-level criteria" if family == "top" else names.get(family, family)


def _leaders(
    leaders: Sequence[Mapping[str, Any]],
    bodies: Sequence[Mapping[str, Any]],
    option_names: Mapping[str, str],
) -> RenderableType:
    by_id = {b["id"]: b["name"] for b in bodies}
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for entry in leaders:
        who = "The pooled weights" if entry["body"] is None else f"{by_id[entry['body']]}'s weights"
        leader = " and ".join(option_names.get(i, i) for i in entry["leader"])
        verb = "lead" if len(entry["leader"]) > 1 else "leads"
        same = (
            ""
            if entry["body"] is None
            else (" (the same leader)" if entry["same"] else " (a different leader)")
        )
        grid.add_row("•", f"{who}: {leader} {verb}{same}.")
    return Group(Text("Who leads under each view", style="bold"), Padding(grid, (0, 0, 0, 2)))
