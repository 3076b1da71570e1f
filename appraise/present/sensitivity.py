"""Sensitivity results as plain records (CONTRACT 3 ``sensitivity`` JSON) and plain sentences."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, cast

import numpy as np

from appraise.analysis.sensitivity import NO_EFFECT, Alternative, Sensitivity, Threshold
from appraise.measures import measure_for
from appraise.present.records import (
    AlternativeRecord,
    SensitivityRecord,
    SmaaRecord,
    ThresholdRecord,
)
from appraise.safe_text import markdown_text
from appraise.weights import percent_text

Record = dict[str, Any]


def _number(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _threshold(t: Threshold, names: dict[str, str]) -> ThresholdRecord:
    return {
        "criterion": t.criterion,
        "name": names.get(t.criterion, t.criterion),
        "level": t.level,
        "weight": t.weight,
        "lower": t.lower,
        "upper": t.upper,
        "below": t.below,
        "above": t.above,
        "swaps": [{"first": s.first, "second": s.second, "weight": s.weight} for s in t.swaps],
        "first_change": {"lower": t.first_change_lower, "upper": t.first_change_upper},
    }


def _alternative(a: Alternative, names: dict[str, str]) -> AlternativeRecord:
    return {
        "kind": a.kind,
        "name": a.name,
        "label": names.get(a.name, a.name) if a.kind == "criterion" else a.name,
        "leaders": list(a.leaders),
        "order": list(a.order),
        "totals": list(a.totals),
        "leader_changed": a.leader_changed,
        "leader_shared": a.leader_shared,
        "shortlist_changed": a.shortlist_changed,
        "note": a.note,
    }


def _smaa(result: Sensitivity, option_names: dict[str, str]) -> SmaaRecord:
    s = result.smaa
    assert s is not None
    p_first = s.p_first()
    p_top = s.p_top(min(result.top, len(s.option_ids)))
    options = []
    for i, option in enumerate(s.option_ids):
        central = s.central_weights[i]
        options.append(
            {
                "id": option,
                "name": option_names[option],
                "rank_acceptability": s.rank_acceptability[i].tolist(),
                "p_first": float(p_first[i]),
                f"p_top_{min(result.top, len(s.option_ids))}": float(p_top[i]),
                "central_weights": None
                if math.isnan(central[0])
                else dict(zip(s.leaf_ids, (float(v) for v in central), strict=True)),
                "confidence": _number(float(s.confidence[i])),
            }
        )
    return {
        "samples": s.samples,
        "seed": s.seed,
        "distribution": s.distribution,
        "concentration": s.concentration if s.distribution == "dirichlet" else None,
        "score_noise": s.score_noise,
        "options": options,
        "pairwise": {
            a: {b: float(s.pairwise[i, j]) for j, b in enumerate(s.pairwise_ids) if j != i}
            for i, a in enumerate(s.pairwise_ids)
        },
    }


def sensitivity_record(result: Sensitivity) -> SensitivityRecord:
    """One ranking's sensitivity as the JSON object of CONTRACT 3 (plus context keys)."""
    ranking = result.ranking
    sheet = ranking.sheet
    tree = sheet.tree
    names = {c: tree.name(c) for c in tree.leaf_ids + tree.top_ids}
    option_names = {o.id: o.name for o in ranking.options}
    # Built in the order the JSON is read (the analyses, then the summary): typed on return.
    record: dict[str, Any] = {
        "group": sheet.group,
        "name": sheet.spec.name,
        "file": sheet.path,
        "illustrative": sheet.illustrative,
        "weight_set": ranking.weight_set,
        "leader": ranking.options[0].id if ranking.options else None,
        "shortlist": [o.id for o in ranking.options[: result.top]],
    }
    if result.thresholds is not None:
        record["thresholds"] = [_threshold(t, names) for t in result.thresholds]
    if result.within is not None:
        record["thresholds_within_family"] = [_threshold(t, names) for t in result.within]
    if result.scores is not None:
        functions = sheet.tree.measures()
        record["score_thresholds"] = [
            {
                "option": t.option,
                "criterion": t.leaf,
                "score": t.score,
                "change": t.change,
                "needed": t.needed,
                "measure": sheet.measured.get(t.option, {}).get(t.leaf),
                "needed_measure": (
                    measure_for(functions[t.leaf], t.needed)
                    if t.leaf in functions and t.needed is not None
                    else None
                ),
                "unit": functions[t.leaf].unit if t.leaf in functions else None,
            }
            for t in result.scores
        ]
    if result.weight_sets is not None:
        record["weight_sets"] = [_alternative(a, names) for a in result.weight_sets]
    if result.leave_one_out is not None:
        record["leave_one_out"] = [_alternative(a, names) for a in result.leave_one_out]
    if result.smaa is not None:
        record["smaa"] = _smaa(result, option_names)
    record["summary"] = summary(result)
    record["notes"] = list(dict.fromkeys([*ranking.notes, *result.notes]))
    return cast("SensitivityRecord", record)


# --- plain English ------------------------------------------------------------------------


def _binding(result: Sensitivity) -> tuple[Threshold, str, float] | None:
    """The threshold nearest today's weight: (threshold, 'falls below' | 'rises above', bound)."""
    best: tuple[float, Threshold, str, float] | None = None
    for t in result.thresholds or []:
        for bound, words in ((t.lower, "falls below"), (t.upper, "rises above")):
            # Equally close (to rounding) keeps the first listed, so output does not flicker.
            if bound is not None and (best is None or abs(bound - t.weight) < best[0] - 1e-12):
                best = (abs(bound - t.weight), t, words, bound)
    return None if best is None else best[1:]


def _pct(fraction: float) -> str:
    return f"{percent_text(fraction, 0)}%"


def summary(result: Sensitivity) -> list[str]:
    """One plain sentence per analysis, leading with the headline a board member asks for."""
    ranking = result.ranking
    if not ranking.options:
        return ["No option is ranked, so there is nothing to test."]
    names = {o.id: o.name for o in ranking.options}
    leader = ranking.options[0]
    out = [_headline(result)]
    tied = [o.name for o in ranking.options[1:] if o.rank == 1]
    if tied:
        out.append(f"{leader.name} is tied for first with {', '.join(tied)}.")
    if result.thresholds is not None and _binding(result) is None:
        out.append(
            "No change to the weight of any single criterion or sub-criterion moves "
            f"{leader.name} from first place."
        )
    out += _score_sentence(result, names)
    out += _alternatives_sentences(result, names)
    return out


def _headline(result: Sensitivity) -> str:
    """The leader's standing: in the simulation, then against the nearest weight threshold.

    When another option is first in more simulations than the leader, that is said first:
    a board reading only this sentence must not take a 31% leader for a safe one.
    """
    leader = result.ranking.options[0]
    standing, opening = "is first today", ""
    s = result.smaa
    if s is not None:
        shares = s.p_first()
        mine = _pct(float(shares[0]))
        standing = f"is first in {mine} of {s.samples:,} simulations"
        if len(shares) > 1:
            rival = 1 + int(np.argmax(shares[1:]))
            name, share = result.ranking.options[rival].name, _pct(float(shares[rival]))
            if shares[rival] > shares[0]:
                opening = (
                    f"{leader.name} is first today but in only {mine} of {s.samples:,} "
                    f"simulations; {name} is first in {share}."
                )
            elif shares[0] < 0.5:
                standing += f" (the next most often first, {name}, in {share})"
    threshold = _threshold_clause(result)
    if not opening:
        return f"{leader.name} {standing}{' and ' + threshold if threshold else ''}."
    return f"{opening} {leader.name} {threshold}." if threshold else opening


def _threshold_clause(result: Sensitivity) -> str:
    """``stays first unless the weight of 'X' rises above 38.7% (now 17.5%), when Y leads``.

    Or '' without thresholds. The figures are those of the thresholds table.
    """
    if result.thresholds is None:
        return ""
    binding = _binding(result)
    if binding is None:
        return "stays first whatever the weight of any one criterion"
    t, words, bound = binding
    taker = t.below if words == "falls below" else t.above
    names = {o.id: o.name for o in result.ranking.options}
    return (
        f"stays first unless the weight of '{result.ranking.sheet.tree.name(t.criterion)}' "
        f"{words} {percent_text(bound)}% (now {percent_text(t.weight)}%), when "
        f"{names.get(taker or '', taker)} leads"
    )


def _score_sentence(result: Sensitivity, names: dict[str, str]) -> list[str]:
    if not result.scores:
        return []
    runner_up = result.ranking.options[1].id if len(result.ranking.options) > 1 else None
    mine = [t for t in result.scores if t.option == runner_up and t.change is not None]
    if runner_up is None or result.ranking.options[1].rank == 1:
        return []  # no runner-up, or it is level already (said with the tie)
    tree = result.ranking.sheet.tree
    if not mine:
        return [
            f"{names[runner_up]} could not draw level with {result.ranking.options[0].name} by "
            "changing any one score within the scale."
        ]
    best = min(mine, key=lambda t: t.change if t.change is not None else math.inf)
    function = tree.measures().get(best.leaf)
    measure = result.ranking.sheet.measured.get(runner_up, {}).get(best.leaf)
    needed = None if function is None or best.needed is None else measure_for(function, best.needed)
    if function is not None and measure is not None and needed is not None:
        return [  # a measured leaf: said in its unit (CONTRACT 1.4)
            f"{names[runner_up]} would draw level if its measure on {tree.name(best.leaf)} "
            f"were {needed:.3g} {function.unit} (now {measure:g}; a score of {best.needed:.2f} "
            f"for {best.score:.2f})."
        ]
    return [
        f"{names[runner_up]} would draw level by scoring {best.change:.2f} more on "
        f"{tree.name(best.leaf)} ({best.score:g} to {best.needed:.2f})."
    ]


def _names(ids: Sequence[str], names: dict[str, str]) -> str:
    return ", ".join(names.get(i, i) for i in ids)


def _alternatives_sentences(result: Sensitivity, names: dict[str, str]) -> list[str]:
    out = []
    leader = result.ranking.options[0]
    if result.weight_sets is not None and len(result.weight_sets) > 1:
        changed = [a for a in result.weight_sets if a.leader_changed]
        shared = [a for a in result.weight_sets if a.leader_shared]
        idle = [a.name for a in result.weight_sets if a.note == NO_EFFECT]
        if changed:
            out.append(
                "The leader changes under "
                + "; ".join(f"weight set '{a.name}' ({_names(a.leaders, names)})" for a in changed)
                + "."
            )
        elif not shared:
            sets = ", ".join(a.name for a in result.weight_sets if a.name not in idle)
            out.append(f"The same leader under every weight set ({sets}).")
        for a in shared:
            others = [i for i in a.leaders if i != leader.id]
            out.append(
                f"Under weight set '{a.name}' {leader.name} is tied for first with "
                f"{_names(others, names)}."
            )
        if idle:
            quoted = ", ".join(f"'{name}'" for name in idle)
            sets, verb = ("Weight sets", "change") if len(idle) > 1 else ("Weight set", "changes")
            out.append(
                f"{sets} {quoted} {verb} no weight this file is scored against, so say nothing "
                "either way."
            )
    if result.leave_one_out is not None:
        changed = [a for a in result.leave_one_out if a.leader_changed]
        if not changed:
            out.append("Leaving out any one criterion or scorer never changes the leader.")
        else:
            out += _left_out(changed, result, names)
    return out


def _left_out(changed: list[Alternative], result: Sensitivity, names: dict[str, str]) -> list[str]:
    """One sentence per new leader, not the same clause once per removal.

    ``X leads if any one of these is left out: criteria A, B; scorer s.``
    """
    tree = result.ranking.sheet.tree
    by_leaders: dict[tuple[str, ...], list[Alternative]] = {}
    for a in changed:
        by_leaders.setdefault(a.leaders, []).append(a)
    out = []
    for leaders, items in by_leaders.items():
        groups = []
        for kind, plural in (("criterion", "criteria"), ("scorer", "scorers")):
            shown = [
                tree.name(a.name) if kind == "criterion" else a.name
                for a in items
                if a.kind == kind
            ]
            if shown:
                groups.append(f"{kind if len(shown) == 1 else plural} {', '.join(shown)}")
        verb = "lead" if len(leaders) > 1 else "leads"
        if len(items) == 1:
            out.append(f"{_names(leaders, names)} {verb} if {groups[0]} is left out.")
        else:
            out.append(
                f"{_names(leaders, names)} {verb} if any one of these is left out: "
                f"{'; '.join(groups)}."
            )
    return out


def threshold_rows(records: Sequence[SensitivityRecord]) -> list[Record]:
    """Every group's weight thresholds as flat rows (CSV)."""
    return [
        {"group": r["group"]}
        | {k: v for k, v in t.items() if k not in {"swaps", "first_change"}}
        | {
            "first_change_lower": t["first_change"]["lower"],
            "first_change_upper": t["first_change"]["upper"],
        }
        for r in records
        for t in r.get("thresholds", [])
    ]


def sensitivity_markdown(records: Sequence[SensitivityRecord]) -> str:
    """Each group's summary sentences and threshold table as Markdown."""
    from appraise.present.formats import to_markdown

    sections = []
    for record in records:
        label = " (illustrative scores)" if record["illustrative"] else ""
        lines = [f"## {markdown_text(record['name'])} ({record['group']}){label}", ""]
        lines += [f"- {markdown_text(sentence)}" for sentence in record["summary"]]
        rows = threshold_rows([record])
        if rows:
            lines += ["", to_markdown(rows, digits=3)]
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n"
