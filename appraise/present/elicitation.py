"""``weigh``'s results as records (JSON, CSV, Markdown, the terminal) and as a criteria file.

A criteria file gives weights in points: each family's shares are written to 0.1 point summing
to exactly 100 (largest remainder: the fewest points move by 0.1, those closest to rounding the
other way), and the file says so in its ``source``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from appraise.analysis.elicitation import CR_LIMIT, BodyWeights, Elicited, FamilyWeights
from appraise.model import CriterionSpec, SubCriterionSpec
from appraise.validate.elicitation import TOP

POINT_DECIMALS = 1


def family_points(shares: Mapping[str, float], decimals: int = POINT_DECIMALS) -> dict[str, float]:
    """Shares of a family as points summing to exactly 100 at ``decimals``.

    A family whose shares are all 0 (every body gave its criterion no weight) is split evenly:
    its points then change no global weight, and the file still adds up.
    """
    unit = 10**decimals
    total = sum(shares.values())
    if total <= 0:
        shares, total = dict.fromkeys(shares, 1.0), float(len(shares))
    exact = {k: v * 100 * unit / total for k, v in shares.items()}
    floors = {k: math.floor(v + 1e-9) for k, v in exact.items()}
    short = 100 * unit - sum(floors.values())
    order = sorted(exact, key=lambda k: -(exact[k] - floors[k]))  # stable: earliest first
    for k in order[: max(0, short)]:
        floors[k] += 1
    return {k: floors[k] / unit for k in shares}


def _family(weights: FamilyWeights, names: Mapping[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "method": weights.method,
        "local": weights.local,
        "consistency_ratio": weights.consistency_ratio,
    }
    if weights.inconsistency is not None:
        worst = weights.inconsistency
        record["most_at_odds"] = {
            "judgement": [worst.judgement.a, worst.judgement.b, worst.judgement.value],
            "implied": worst.implied,
            "consistency_ratio_if_implied": worst.ratio_if_implied,
            "text": inconsistency_text(weights, names),
        }
    return record


def inconsistency_text(weights: FamilyWeights, names: Mapping[str, str]) -> str:
    """``CR 0.22 is above 0.10: "Deliverability is 4 times Sustainability" is most at odds ...``."""
    worst = weights.inconsistency
    if worst is None or weights.consistency_ratio is None:
        return ""
    j = worst.judgement
    if j.value < 1:  # "B is 4 times as important as A", not "A is 1/4 times ... B"
        j = type(j)(j.b, j.a, 1 / j.value)
        worst = type(worst)(j, 1 / worst.implied, worst.ratio_if_implied)
    return (
        f'CR {weights.consistency_ratio:.2f} is above {CR_LIMIT:.2f}: "{names.get(j.a, j.a)} is '
        f'{ratio_text(j.value)} times as important as {names.get(j.b, j.b)}" is most at odds '
        f"with the rest, which imply {ratio_text(worst.implied)} (CR would be "
        f"{worst.ratio_if_implied:.2f})"
    )


def ratio_text(value: float) -> str:
    """A judgement as people write one: ``4``, ``1/3``, or ``2.5`` between the two."""
    if value >= 1:
        return f"{value:.2g}" if abs(value - round(value)) > 0.05 else f"{round(value)}"
    inverse = 1 / value
    return f"1/{round(inverse)}" if abs(inverse - round(inverse)) <= 0.05 else f"{value:.2g}"


def body_record(body: BodyWeights, names: Mapping[str, str]) -> dict[str, Any]:
    """One body (CONTRACT 3 ``weigh``): global weights, and each family as stated."""
    return {
        "id": body.id,
        "name": body.name,
        "weights": body.weights,
        "families": {f: _family(w, names) for f, w in body.families.items()},
        "from_file": body.from_file,
    }


def weigh_record(
    result: Elicited,
    leaders: Sequence[Mapping[str, Any]] | None = None,
    option_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """``weigh``'s JSON: each body, the pooled weights and their spread, leaders if asked."""
    tree = result.tree
    names = {n: tree.name(n) for n in (*tree.top_ids, *tree.leaf_ids)}
    record: dict[str, Any] = {
        "criteria": tree.path,
        "top": list(tree.top_ids),
        "criterion_of": {
            leaf: c.id
            for c in tree.spec.criteria
            for leaf in ([s.id for s in c.sub] if c.sub else [c.id])
        },
        "bodies": [body_record(b, names) for b in result.bodies],
        "combined": {
            "method": result.pooling,
            "weights": result.weights,
            "spread": {k: list(v) for k, v in result.spread.items()},
        },
    }
    if leaders is not None:
        record["leaders"] = list(leaders)
        record["option_names"] = dict(option_names or {})
    return record


def weigh_rows(record: Mapping[str, Any]) -> list[dict[str, Any]]:
    """CSV: one row per leaf, a column per body's global weight, the combined and its spread."""
    rows = []
    for leaf, weight in record["combined"]["weights"].items():
        row: dict[str, Any] = {"criterion": leaf}
        row |= {b["id"]: b["weights"][leaf] for b in record["bodies"]}
        low, high = record["combined"]["spread"][leaf]
        row |= {"combined": weight, "lowest": low, "highest": high}
        rows.append(row)
    return rows


def _measure(node: CriterionSpec | SubCriterionSpec) -> dict[str, Any]:
    """A measured node's value function, as the criteria file wrote it (kept with new weights)."""
    if node.measure is None:
        return {}
    return {
        "measure": {"unit": node.measure.unit, "points": [list(p) for p in node.measure.points]}
    }


def criteria_document(result: Elicited, source: str) -> dict[str, Any]:
    """A criteria file (CONTRACT 1.1): the pooled weights as base weights, each body a set.

    Points per family to 0.1, summing to 100. The published table's printed figures and weight
    sets are left out (they belong to other weights); its gates are kept.
    """
    spec = result.tree.spec
    pooled = family_points_all(result, result.weights)
    criteria = []
    for c in spec.criteria:
        entry: dict[str, Any] = {"id": c.id, "name": c.name, "weight": pooled[TOP][c.id]}
        if c.description:
            entry["description"] = c.description
        entry |= _measure(c)
        if c.sub:
            entry["sub"] = [
                {"id": s.id, "name": s.name, "weight": pooled[c.id][s.id]}
                | ({"description": s.description} if s.description else {})
                | _measure(s)
                for s in c.sub
            ]
        criteria.append(entry)
    sets = {}
    for body in result.bodies:  # from the body's own families: a family it weighs 0 keeps them
        points = {f: family_points(w.local) for f, w in body.families.items()}
        sets[body.id] = {k: v for family in points.values() for k, v in family.items()}
    document: dict[str, Any] = {
        "title": spec.title,
        "source": source,
        "normalise": False,
        "criteria": criteria,
        "weight_sets": sets,
    }
    if spec.gates:
        document["gates"] = [g.model_dump(exclude_none=True) for g in spec.gates]
    return document


def family_points_all(
    result: Elicited, weights: Mapping[str, float]
) -> dict[str, dict[str, float]]:
    """Global leaf weights as points per family (``top`` and each criterion with subs)."""
    return {family: family_points(local) for family, local in result.local(dict(weights)).items()}
