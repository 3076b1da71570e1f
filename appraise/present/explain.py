"""``explain``'s result as a record (JSON), rows (CSV), a sentence and Markdown."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from appraise.analysis.explain import Explanation, LeafPart
from appraise.present.formats import Record, to_markdown, trim_float
from appraise.safe_text import markdown_text


class LeafRecord(TypedDict):
    """One leaf of an option's total: weight as used, score, part (weight x score), spread."""

    leaf: str
    name: str
    criterion: str
    weight: float
    score: float | None
    part: float
    scorers: int
    min: float | None
    max: float | None
    measure: float | None
    """The measure the score was derived from (a measured leaf), else None."""
    unit: str | None


class OptionBrief(TypedDict):
    """An option as ``explain`` names it."""

    id: str
    name: str
    rank: int
    total: float


class GapRecord(TypedDict):
    """How much of the gap (option - other) one criterion or leaf makes."""

    id: str
    name: str
    gap: float


class ExplainRecord(TypedDict):
    """``explain``'s JSON: the option's leaves sum to its total (as ``rank`` gives it)."""

    group: str
    name: str
    file: str
    illustrative: bool
    option: OptionBrief
    leaves: list[LeafRecord]
    against: OptionBrief | None
    against_leaves: list[LeafRecord]
    gap: float | None
    gap_by_criterion: list[GapRecord]
    gap_by_leaf: list[GapRecord]
    summary: list[str]
    notes: list[str]


def _leaf(
    part: LeafPart, names: dict[str, str], measured: dict[str, float], units: dict[str, str]
) -> LeafRecord:
    return {
        "leaf": part.leaf,
        "name": names[part.leaf],
        "criterion": part.criterion,
        "weight": part.weight,
        "score": part.score,
        "part": part.part,
        "scorers": part.scorers,
        "min": part.low,
        "max": part.high,
        "measure": measured.get(part.leaf),
        "unit": units.get(part.leaf),
    }


def _brief(result: Explanation, option: str) -> OptionBrief:
    found = next(o for o in result.ranking.options if o.id == option)
    return {"id": found.id, "name": found.name, "rank": found.rank, "total": found.total}


def gap_sentence(result: Explanation) -> str | None:
    """A leads B by 0.26: +0.19 from Quality, ...; signed for the one ahead (None alone)."""
    if result.against is None or result.against_total is None:
        return None
    tree = result.ranking.sheet.tree
    ahead, behind = _brief(result, result.option), _brief(result, result.against)
    sign = 1.0
    if result.against_total > result.total:
        ahead, behind, sign = behind, ahead, -1.0
    gap = ahead["total"] - behind["total"]
    parts = ", ".join(
        f"{sign * g.gap:+.2f} from {tree.name(g.node)}" for g in result.gap_by_criterion
    )
    if abs(gap) < 1e-9:
        return f"{ahead['name']} and {behind['name']} tie: {parts}."
    return f"{ahead['name']} leads {behind['name']} by {gap:.2f}: {parts}."


def explain_record(result: Explanation) -> ExplainRecord:
    """The JSON object of ``explain``."""
    sheet = result.ranking.sheet
    tree = sheet.tree
    names = {n: tree.name(n) for n in (*tree.leaf_ids, *tree.top_ids)}
    sentence = gap_sentence(result)
    units = {leaf: m.unit for leaf, m in tree.measures().items()}

    def leaves(option: str | None, parts: Sequence[LeafPart]) -> list[LeafRecord]:
        measured = sheet.measured.get(option or "", {})
        return [_leaf(p, names, measured, units) for p in parts]

    return {
        "group": sheet.group,
        "name": sheet.spec.name,
        "file": sheet.path,
        "illustrative": sheet.illustrative,
        "option": _brief(result, result.option),
        "leaves": leaves(result.option, result.parts),
        "against": None if result.against is None else _brief(result, result.against),
        "against_leaves": leaves(result.against, result.against_parts),
        "gap": None if result.against_total is None else result.total - result.against_total,
        "gap_by_criterion": [
            {"id": g.node, "name": names[g.node], "gap": g.gap} for g in result.gap_by_criterion
        ],
        "gap_by_leaf": [
            {"id": g.node, "name": names[g.node], "gap": g.gap} for g in result.gap_by_leaf
        ],
        "summary": [sentence] if sentence else [],
        "notes": list(result.ranking.notes),
    }


def explain_rows(record: ExplainRecord) -> list[Record]:
    """One row per leaf (CSV): the option's part, and against another its part and the gap."""
    others = {leaf["leaf"]: leaf for leaf in record["against_leaves"]}
    rows: list[Record] = []
    for leaf in record["leaves"]:
        row: dict[str, Any] = {
            "option": record["option"]["id"],
            "leaf": leaf["leaf"],
            "criterion": leaf["criterion"],
            "weight": trim_float(leaf["weight"]),
            "score": "" if leaf["score"] is None else trim_float(leaf["score"]),
            "part": trim_float(leaf["part"]),
        }
        if record["against"] is not None:
            other = others[leaf["leaf"]]
            row["against"] = record["against"]["id"]
            row["against_part"] = trim_float(other["part"])
            row["gap"] = trim_float(leaf["part"] - other["part"])
        rows.append(row)
    return rows


def explain_markdown(records: Sequence[ExplainRecord]) -> str:
    """The sentence and the rows as Markdown, per group."""
    sections = []
    for record in records:
        option = record["option"]
        lines = [
            f"## {markdown_text(option['name'])}: total {option['total']:.2f} "
            f"(rank {option['rank']}, {markdown_text(record['name'])})",
            "",
        ]
        lines += [f"{markdown_text(s)}" for s in record["summary"]]
        lines += ["", to_markdown(explain_rows(record), digits=3)]
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n"
