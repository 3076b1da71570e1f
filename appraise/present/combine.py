"""The result of ``combine`` as records (JSON, CSV), sentences and Markdown.

A combination's figure is named for what it is (``total``, ``rescaled_total``,
``weighted_total``): a figure called a total means what ``rank`` calls a total.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from appraise.analysis.combine.run import (
    RESCALE_METHOD,
    RESCALED_UNIT,
    CombineResult,
    Robustness,
    rescaled,
    scales_text,
)
from appraise.model import Rule
from appraise.present.records import CombineRecord, FigureRecord, RuleRecord
from appraise.safe_text import markdown_text, some_names
from appraise.weights import percent_text

Record = dict[str, Any]


def _rule_text(index: int, rule: Rule) -> RuleRecord:
    """A rule as JSON, numbered two ways.

    ``index`` is its place in the file (``rules[index]``); ``number`` is the "rule N" of the
    explanations, counted from 1.
    """
    return {
        "index": index,
        "number": index + 1,
        "kind": rule.kind,
        "refs": rule.refs,
        "at_most": rule.at_most,
        "note": rule.note,
    }


def _weighted(result: CombineResult) -> dict[str, float]:
    """The group weights that change a figure (those other than 1)."""
    return {g: w for g, w in result.group_weights.items() if w != 1}


def figure_key(result: CombineResult) -> str:
    """The JSON key of a combination's figure: ``total`` only when it is the sum of ``rank``'s.

    Rescaled to 0-1 it is ``rescaled_total``; with group weights, ``weighted_total`` (or
    ``weighted_rescaled_total``): a figure called a total means what ``rank`` calls a total.
    """
    key = "rescaled_total" if result.rescaled else "total"
    return f"weighted_{key}" if _weighted(result) else key


def _figure(result: CombineResult) -> FigureRecord:
    """What a combination's figure is: its JSON key, its label, its unit and how it is made."""
    weighted = _weighted(result)
    if result.rescaled:
        unit, method = RESCALED_UNIT, RESCALE_METHOD
    else:
        unit = f"points on the {result.rankings[0].sheet.scale} scale"
        method = "the chosen options' totals, as rank gives them, added"
    if weighted:
        listed = ", ".join(f"{g} {w:g}" for g, w in weighted.items())
        method += f"; each group's figure first multiplied by its group weight ({listed})"
    key = figure_key(result)
    return {
        "key": key,
        "label": key.replace("_", " "),
        "rescaled": result.rescaled,
        "weighted": bool(weighted),
        "unit": unit,
        "method": method,
    }


def figure_text(record: CombineRecord) -> str:
    """One sentence saying what a combination's figure is, from the record's ``figure``."""
    figure = record["figure"]
    return (
        f"Each combination's figure is its {figure['label']}, in {figure['unit']}: "
        f"{figure['method']}."
    )


def combine_record(result: CombineResult) -> CombineRecord:
    """The JSON object of CONTRACT 3 ``combine``, plus explanations and robustness.

    A combination's figure is ``total`` (the sum of its options' totals as ``rank`` gives
    them), or ``rescaled_total`` when the groups were rescaled to 0-1; ``figure`` records
    which, its unit and its method. In ``explanation``, ``total`` and ``margin`` are always
    as ``rank`` gives them, on the group's own scale.
    """
    names = {g.group: dict(zip(g.option_ids, g.names, strict=True)) for g in result.groups}
    key = figure_key(result)
    scales = {r.sheet.group: r.sheet.scale for r in result.rankings}
    # Built in the order the JSON is read (robustness, then the summary): typed on return.
    record: dict[str, Any] = {
        "groups": [
            {"group": r.sheet.group, "name": r.sheet.spec.name, "file": r.sheet.path}
            for r in result.rankings
        ],
        "scales": {g: {"min": s.min, "max": s.max} for g, s in scales.items()},
        "figure": _figure(result),
        "illustrative": any(r.sheet.illustrative for r in result.rankings),
        "tied_first": result.tied_first,
        "rules": [_rule_text(i, rule) for i, rule in enumerate(result.rules)],
        "limits": [{"attribute": x.attribute, "op": x.op, "value": x.value} for x in result.limits],
        "combinations": [
            {
                "rank": c.rank,
                key: c.total,
                "choice": c.choice,
                "attributes": c.attributes,
            }
            for c in result.combinations
        ],
        "explanation": [
            {
                "group": e.group,
                "option": e.option,
                "name": names[e.group].get(e.option, e.option),
                "scale": str(scales[e.group]),
                "total": e.total,
                "margin": e.margin,
            }
            | ({"rescaled_total": rescaled(e.total, scales[e.group])} if result.rescaled else {})
            | {"own_best": e.own_best, "forced_by": list(e.forced_by)}
            for e in result.explanation
        ],
        "weight_sets": [
            {
                "name": w.name,
                "choice": w.choice,
                key: w.total,
                "combination": w.candidate,
                "no_effect": w.no_effect,
            }
            for w in result.weight_sets
        ],
    }
    if result.simulation is not None:
        s = result.simulation
        record["smaa"] = {
            "samples": s.samples,
            "seed": s.seed,
            "distribution": s.distribution,
            "best_share": list(s.shares),
        }
    record["summary"] = combine_summary(result)
    record["notes"] = list(result.notes)
    return cast("CombineRecord", record)


def combine_summary(result: CombineResult) -> list[str]:
    """Plain sentences: the preferred configuration, what forced it, how robust it is."""
    if not result.combinations:
        return ["No combination satisfies the rules."]
    best = result.combinations[0]
    tied = result.combinations[: result.tied_first]
    n_groups = len(result.groups)
    weighted = _weighted(result)
    if result.rescaled:
        opening = (
            f"The preferred configuration has a {'weighted ' if weighted else ''}rescaled total "
            f"of {best.total:.2f}{'' if weighted else f' of a possible {n_groups}'} "
            f"across {n_groups} groups: each group's total is put on 0-1 of its own "
            f"scale ({scales_text([(r.sheet.group, str(r.sheet.scale)) for r in result.rankings])}"
            "; 0 = the bottom on every criterion, 1 = the top), then they are added"
        )
    elif weighted:
        opening = (
            f"The preferred configuration has a weighted total of {best.total:.2f} across "
            f"{n_groups} groups (its options' totals on the {result.rankings[0].sheet.scale} "
            "scale, each multiplied by its group's weight, then added)"
        )
    else:
        opening = (
            f"The preferred configuration scores {best.total:.2f} across {n_groups} groups "
            f"(the sum of its options' totals on the {result.rankings[0].sheet.scale} scale)"
        )
    if weighted:
        listed = ", ".join(f"{g} x{w:g}" for g, w in weighted.items())
        opening += f", with group weights {listed}"
    out = [opening + (f"; {len(tied)} combinations tie for first." if len(tied) > 1 else ".")]
    if len(tied) > 1:
        differ = [g for g in best.choice if any(c.choice[g] != best.choice[g] for c in tied)]
        out.append(
            f"The tied combinations differ in {' and '.join(differ)}; what follows explains the "
            "first of them, and either choice there is as good."
        )
    forced = [e for e in result.explanation if e.forced_by]
    for e in forced:
        out.append(
            f"{e.group} takes {e.option} rather than its own best, {e.own_best}, because of "
            + "; ".join(e.forced_by)
            + "."
        )
    if result.weight_sets:
        idle = [w.name for w in result.weight_sets if w.no_effect]
        active = [w for w in result.weight_sets if not w.no_effect]
        same = [w.name for w in active if w.candidate is not None and w.candidate < len(tied)]
        other = [w.name for w in active if w.name not in same]
        if active and not other:
            out.append(f"It stays best under every weight set ({some_names(same)}).")
        elif other:
            sets = "weight set" if len(other) == 1 else "weight sets"
            out.append(f"Another combination is best under {sets} {some_names(other)}.")
        if idle:
            quoted = some_names([f"'{name}'" for name in idle])
            one = len(idle) == 1
            out.append(
                f"{'Weight set' if one else 'Weight sets'} {quoted} "
                f"{'changes' if one else 'change'} no weight these files are scored against, so "
                f"{'says' if one else 'say'} nothing either way."
            )
    if result.simulation is not None:
        out.append(_simulation_sentence(result, result.simulation))
    return out


def _simulation_sentence(result: CombineResult, s: Robustness) -> str:
    """How often the first-ranked combination(s) win, and whether another wins more often."""
    tied = result.tied_first
    first = sum(s.shares[:tied])
    subject = "It is" if tied == 1 else f"Together the {tied} tied first combinations are"
    sentence = (
        f"{subject} best in {percent_text(first, 0)}% of {s.samples:,} simulated weightings "
        f"({s.distribution})"
    )
    others = list(enumerate(s.shares))[tied:]
    if others:
        k, share = max(others, key=lambda item: item[1])
        if share > first:
            sentence += (
                f"; combination #{result.combinations[k].rank} is best more often, in "
                f"{percent_text(share, 0)}%"
            )
    return sentence + "."


def combination_rows(record: CombineRecord) -> list[Record]:
    """One flat row per combination (CSV): rank, figure, one column per group, attribute sums.

    The figure's column is named by its JSON key (``total``, or ``rescaled_total``). Figures
    lose their float noise (two tied totals both read 34.692), and a sum that is a whole
    number is written as one (beds -251, not -251.0); JSON keeps full precision.
    """
    return _rows(record, _whole_or_trimmed)


def _rows(record: CombineRecord, sum_cell: Callable[[float], Any]) -> list[Record]:
    from appraise.present.formats import trim_float

    key = record["figure"]["key"]
    return [
        {"rank": c["rank"], key: trim_float(c[key])}
        | dict(c["choice"])
        | {f"sum_{k}": sum_cell(v) for k, v in c["attributes"].items()}
        for c in record["combinations"]
    ]


def _whole_or_trimmed(value: float) -> float | int:
    from appraise.present.formats import trim_float

    value = trim_float(value)
    return int(value) if value.is_integer() else value


def attribute_text(value: float) -> str:
    """An attribute sum for people: 333,763; -251; 1,250.5.

    Thousands separators as the combinations table has them, whole numbers without decimals,
    others to at most 3 decimals.
    """
    text = f"{value:,.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def combine_markdown(record: CombineRecord) -> str:
    """The sentences and the top combinations as Markdown."""
    from appraise.present.formats import to_markdown

    label = " (illustrative scores)" if record["illustrative"] else ""
    lines = [f"## Combinations{label}", ""]
    lines += [f"- {markdown_text(s)}" for s in [*record["summary"], figure_text(record)]]
    sums = sorted({f"sum_{a}" for c in record["combinations"] for a in c["attributes"]})
    lines += ["", to_markdown(_rows(record, attribute_text), digits=3, right=sums)]
    return "\n".join(lines) + "\n"
