"""``value``'s result as a record (JSON), rows (CSV), sentences and Markdown.

``benefit`` is the option's total as ``rank`` gives it, or (``above_status_quo``) that total
less the status quo's; the record says which in ``benefit_is``, and every form shows it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from appraise.analysis.value import Value, ValuedOption
from appraise.present.charts import SHOWN_BARS
from appraise.present.formats import Record, to_markdown, trim_float
from appraise.safe_text import markdown_text


class ValueOptionRecord(TypedDict):
    """One option with a cost (CONTRACT 3, ``value``)."""

    id: str
    name: str
    rank: int
    total: float
    benefit: float
    cost: float
    frontier: bool
    dominated_by: str | None
    cost_per_point: float | None
    status_quo: bool
    frontier_share: float | None
    """Share of SMAA weight draws in which the option is on the frontier (None: not sampled)."""


class StepRecord(TypedDict):
    """One step up the frontier, from a cheaper frontier option to the next."""

    start: str
    to: str
    extra_cost: float
    extra_benefit: float
    cost_per_point: float | None
    points_per_unit: float | None


class SetFrontierRecord(TypedDict):
    """The frontier under one weight set (``base``: the criteria file's own weights)."""

    weight_set: str
    frontier: list[str]
    changed: bool


class ValueSmaaRecord(TypedDict):
    """How the frontier shares were sampled."""

    samples: int
    seed: int
    distribution: str
    score_noise: str


class ValueRecord(TypedDict):
    """``value``'s JSON object for one group."""

    group: str
    name: str
    file: str
    illustrative: bool
    cost: str
    unit: str
    benefit_is: str
    baseline: float
    cost_base: float | None
    """The cost taken off before cost per point: 0, the status quo's, or None (not known)."""
    cost_per_point_is: str
    weight_set: str | None
    weights_given: dict[str, float]
    options: list[ValueOptionRecord]
    frontier: list[str]
    steps: list[StepRecord]
    without_cost: list[str]
    set_aside: list[dict[str, str]]
    """Options set aside before ranking (a gate failed, rejected, left out): id, name, reason."""
    figures: list[str]
    weight_sets: list[SetFrontierRecord]
    smaa: ValueSmaaRecord | None
    summary: list[str]
    notes: list[str]


def benefit_is(result: Value) -> str:
    """What a benefit figure is, as every form of ``value`` states it."""
    return "total above the status quo's" if result.above_status_quo else "total"


def per_point_is(result: Value) -> str:
    """What a cost per point is, as every form of ``value`` states it."""
    if not result.above_status_quo:
        return f"{result.figure} / total"
    return f"{result.figure} above the status quo's / benefit"


def weights_text(record: ValueRecord) -> str:
    """``weight set 'finance'``, one-off weights, or the criteria file's own weights."""
    bits = []
    if record["weight_set"]:
        bits.append(f"weight set '{record['weight_set']}'")
    if record["weights_given"]:
        bits.append(
            "weights given: " + ", ".join(f"{k} {v:g}" for k, v in record["weights_given"].items())
        )
    return "; ".join(bits) or "the criteria file's own weights"


def money(value: float, unit: str) -> str:
    """A cost as the summary says it: ``2.4 GBP m``, a saving with its sign."""
    return f"{value:,.2f} {unit}"


def _beaten(option: ValuedOption, by: ValuedOption, unit: str) -> str:
    if abs(by.benefit - option.benefit) <= 1e-9:
        gives = f"as much benefit ({by.benefit:.2f})"
    else:
        gives = f"more benefit ({by.benefit:.2f} against {option.benefit:.2f})"
    if by.cost == option.cost:
        costs = f"for the same cost ({money(by.cost, unit)})"
    else:
        costs = f"for less ({money(by.cost, unit)} against {money(option.cost, unit)})"
    return f"{by.name} beats {option.name}: {gives} {costs}."


# The summary says which option beats each dominated one for a page's worth (as many as a
# chart draws), cheapest first; past them, one sentence counts the rest (every option's row
# still names what beats it).
BEATEN_SAID = SHOWN_BARS


def _summary(result: Value) -> list[str]:
    on = [o for o in result.options if o.frontier]
    by_id = {o.id: o for o in result.options}
    apart = []
    if result.without_cost:
        apart.append(
            f"No {result.figure} cost, so not set against the others: "
            + ", ".join(name for _, name in result.without_cost)
            + "."
        )
    if result.set_aside:
        apart.append(
            "Set aside before ranking, so not set against the others: "
            + "; ".join(f"{name} ({reason.rstrip('.')})" for _, name, reason in result.set_aside)
            + "."
        )
    if not on:
        return apart
    unit = result.unit
    path = "; ".join(f"{o.name} ({money(o.cost, unit)}, {o.benefit:.2f})" for o in on)
    lines = [f"On the frontier, cheapest first ({result.figure}, {benefit_is(result)}): {path}."]
    lines += [
        f"{by_id[a].name} and {by_id[b].name} are level: the same cost and benefit."
        for a, b in result.ties
    ]
    steps = {(s.start, s.to): s for s in result.steps}
    for before, option, after in result.extended:
        to, past = steps[(before, option)], steps[(option, after)]
        straight = (by_id[after].cost - by_id[before].cost) / (
            by_id[after].benefit - by_id[before].benefit
        )
        lines.append(
            f"{by_id[option].name} is a dear step: from {by_id[before].name} straight to "
            f"{by_id[after].name} costs {money(straight, unit)} a point, against "
            f"{money(to.cost_per_point or 0.0, unit)} a point to {by_id[option].name} "
            f"(and {money(past.cost_per_point or 0.0, unit)} past it)."
        )
    beaten = [o for o in result.options if o.dominated_by]
    lines += [_beaten(o, by_id[str(o.dominated_by)], unit) for o in beaten[:BEATEN_SAID]]
    if len(beaten) > BEATEN_SAID:
        lines.append(
            f"And {len(beaten) - BEATEN_SAID:,} more options are dominated (each option's "
            "row names an option that beats it: dominated_by in --format json)."
        )
    if result.weight_sets:
        changed = [s.weight_set or "base" for s in result.weight_sets if s.changed]
        if changed:
            sets = "weight set" if len(changed) == 1 else "weight sets"
            lines.append(f"The frontier is not the same under {sets} {', '.join(changed)}.")
        else:
            count = len(result.weight_sets)
            lines.append(f"The frontier is the same under each of the {count} weight sets.")
    if result.smaa is not None:
        share = result.smaa.share
        shares = ", ".join(f"{o.name} {100 * share[o.id]:.0f}%" for o in on if o.id in share)
        lines.append(
            f"In {result.smaa.sampling.samples:,} weight draws, each frontier option is on "
            f"the frontier in: {shares}."
        )
    return lines + apart


def value_record(result: Value) -> ValueRecord:
    """The JSON object of ``value`` (CONTRACT 3): options in ascending cost."""
    sheet = result.ranking.sheet
    settings = result.ranking.settings
    shares = result.smaa.share if result.smaa is not None else {}
    sampling = result.smaa.sampling if result.smaa is not None else None
    return {
        "group": sheet.group,
        "name": sheet.spec.name,
        "file": sheet.path,
        "illustrative": sheet.illustrative,
        "cost": result.figure,
        "unit": result.unit,
        "benefit_is": benefit_is(result),
        "baseline": result.baseline,
        "cost_base": result.cost_base,
        "cost_per_point_is": per_point_is(result),
        "weight_set": result.ranking.weight_set,
        "weights_given": dict(settings.weights_given) if settings else {},
        "options": [
            {
                "id": o.id,
                "name": o.name,
                "rank": o.rank,
                "total": o.total,
                "benefit": o.benefit,
                "cost": o.cost,
                "frontier": o.frontier,
                "dominated_by": o.dominated_by,
                "cost_per_point": o.cost_per_point,
                "status_quo": o.status_quo,
                "frontier_share": shares.get(o.id),
            }
            for o in result.options
        ],
        "frontier": list(result.frontier),
        "steps": [
            {
                "start": s.start,
                "to": s.to,
                "extra_cost": s.extra_cost,
                "extra_benefit": s.extra_benefit,
                "cost_per_point": s.cost_per_point,
                "points_per_unit": s.points_per_unit,
            }
            for s in result.steps
        ],
        "without_cost": [option_id for option_id, _ in result.without_cost],
        "set_aside": [
            {"id": i, "name": name, "reason": reason} for i, name, reason in result.set_aside
        ],
        "figures": list(result.figures),
        "weight_sets": [
            {
                "weight_set": s.weight_set or "base",
                "frontier": list(s.frontier),
                "changed": s.changed,
            }
            for s in result.weight_sets
        ],
        "smaa": None
        if sampling is None
        else {
            "samples": sampling.samples,
            "seed": sampling.seed,
            "distribution": sampling.distribution,
            "score_noise": sampling.score_noise,
        },
        "summary": _summary(result),
        "notes": list(result.notes),
    }


def _blank(value: float | None) -> float | str:
    return "" if value is None else trim_float(value)


def value_rows(records: Sequence[ValueRecord]) -> list[Record]:
    """One row per option with a cost (CSV), every group's in turn."""
    rows: list[Record] = []
    for record in records:
        for o in record["options"]:
            row: dict[str, Any] = {
                "group": record["group"],
                "option": o["id"],
                "rank": o["rank"],
                "total": trim_float(o["total"]),
                "benefit": trim_float(o["benefit"]),
                f"{record['cost']} ({record['unit']})": trim_float(o["cost"]),
                "cost_per_point": _blank(o["cost_per_point"]),
                "frontier": "yes" if o["frontier"] else "",
                "dominated_by": o["dominated_by"] or "",
            }
            if record["smaa"] is not None:
                row["frontier_share"] = _blank(o["frontier_share"])
            rows.append(row)
    return rows


def step_rows(record: ValueRecord) -> list[Record]:
    """The steps up the frontier: extra cost, extra points, and their ratios."""
    return [
        {
            "from": s["start"],
            "to": s["to"],
            f"extra_cost ({record['unit']})": trim_float(s["extra_cost"]),
            "extra_points": trim_float(s["extra_benefit"]),
            "cost_per_point": _blank(s["cost_per_point"]),
            "points_per_unit": _blank(s["points_per_unit"]),
        }
        for s in record["steps"]
    ]


def value_markdown(records: Sequence[ValueRecord]) -> str:
    """Per group: the summary sentences, then the rows."""
    sections = []
    for record in records:
        lines = [f"## {markdown_text(record['name'])}: benefit against {record['cost']}", ""]
        lines += [f"- {markdown_text(s)}" for s in record["summary"]]
        lines += ["", to_markdown(value_rows([record]), digits=3)]
        if record["steps"]:
            lines += ["", to_markdown(step_rows(record), digits=3)]
        if record["without_cost"]:
            lines += ["", f"No {record['cost']} cost: {', '.join(record['without_cost'])}."]
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n"
