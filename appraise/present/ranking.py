"""A ranking, the criteria and ``check``'s findings as plain records, rows and Markdown.

``appraise.present.terminal`` draws tables from the same records and ``appraise.present.formats``
writes them as JSON, CSV and Markdown, so every form shows the same numbers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction

from appraise.analysis.scoring import Disagreement, RankedOption, Ranking, SetAside
from appraise.data import CriteriaTree, ScoreSheet
from appraise.errors import Problem
from appraise.model import OptionSpec
from appraise.present.formats import LazyList, LazyRows, Record, to_markdown, trim_float
from appraise.present.records import (
    CriteriaRecord,
    CriterionRow,
    DisagreementRecord,
    MeasuredRecord,
    OptionRecord,
    ProblemRecord,
    RankingRecord,
    Register,
    ScorerRecord,
    SetAsideKey,
    SetAsideRecord,
    SpreadCell,
)
from appraise.safe_text import markdown_text
from appraise.weights import (
    display_percentages,
    exact,
    exact_global_percent,
    printed_discrepancies,
    round_half_up,
    sums_to_100,
)

# The status shown for the status quo when ``--status`` ranks other statuses only: it stays as
# the comparator, and must not read as one of the statuses asked for.
KEPT_FOR_COMPARISON = "status quo (kept for comparison)"


def _set_aside(item: SetAside, spec: OptionSpec) -> SetAsideRecord:
    record: SetAsideRecord = {
        "id": item.id,
        "name": item.name,
        "reason": item.reason,
        "total": item.total,
        "status_quo": spec.status_quo,
        "status": spec.status,
    }
    if item.gate_failures:
        record["gates"] = [
            {"gate": g.gate, "name": g.name, "reason": g.reason} for g in item.gate_failures
        ]
    return record


def _register(option: OptionSpec) -> Register:
    """An option's register entry and the panel's notes on it: status, milestones, dissent."""
    return {
        "status": option.status,
        "status_reason": option.status_reason,
        "milestones": dict(option.milestones),
        "notes": option.notes,
        "dissent": list(option.dissent),
    }


def ranking_record(ranking: Ranking, top: int | None = None) -> RankingRecord:
    """One score file's ranking as the JSON object of CONTRACT 3 (plus context keys)."""
    sheet = ranking.sheet
    options = ranking.options if top is None else ranking.options[:top]
    option_names = {o.id: o.name for o in sheet.options}
    specs = {o.id: o for o in sheet.spec.options}
    return {
        "group": sheet.group,
        "name": sheet.spec.name,
        "file": sheet.path,
        "criteria": sheet.tree.path,
        "illustrative": sheet.illustrative,
        "round": sheet.spec.round,
        "level": "sub-criteria" if sheet.leaf_ids != sheet.tree.top_ids else "criteria",
        "scale": {"min": sheet.scale.min, "max": sheet.scale.max},
        "scorers": _scorers(ranking),
        "aggregate": ranking.aggregate if sheet.per_scorer else None,
        "weight_set": ranking.weight_set,
        "weights_given": dict(ranking.settings.weights_given) if ranking.settings else {},
        "measured": _measured(sheet),
        "exclude_conflicted": bool(ranking.settings and ranking.settings.exclude_conflicted),
        "statuses": list(ranking.settings.statuses) if ranking.settings else [],
        # ranked as the comparator although its status is not among ``statuses``
        "status_quo_kept": any(o.kept_for_comparison for o in ranking.options),
        "weights": ranking.weights,
        "criterion_of": {leaf: sheet.tree.parent(leaf) for leaf in sheet.leaf_ids},
        "status_quo_rank": next((o.rank for o in ranking.options if o.status_quo), None),
        "options": [_option(o, specs[o.id], sheet.measured.get(o.id, {})) for o in options],
        "screened_out": [_set_aside(s, specs[s.id]) for s in ranking.screened_out],
        "excluded": [_set_aside(e, specs[e.id]) for e in ranking.excluded],
        "rejected": [_rejected(r, specs[r.id]) for r in ranking.rejected],
        "disagreements": LazyList(
            len(ranking.disagreements),
            lambda k: _disagreement(ranking.disagreements[k], option_names),
        ),
        "spread": _spread(ranking),
        "notes": list(ranking.notes),
    }


def _measured(sheet: ScoreSheet) -> dict[str, MeasuredRecord]:
    functions = sheet.tree.measures()
    return {
        leaf: {
            "name": sheet.tree.name(leaf),
            "unit": m.unit,
            "points": [[x, y] for x, y in m.points],
        }
        for leaf, m in functions.items()
        if leaf in sheet.leaf_ids
    }


def _option(o: RankedOption, spec: OptionSpec, measures: dict[str, float]) -> OptionRecord:
    register = _register(spec)
    record = OptionRecord(
        id=o.id,
        name=o.name,
        rank=o.rank,
        total=o.total,
        contributions=o.contributions,
        status_quo=o.status_quo,
        status=register["status"],
        status_reason=register["status_reason"],
        milestones=register["milestones"],
        notes=register["notes"],
        dissent=register["dissent"],
    )
    if o.kept_for_comparison:
        record["status"] = KEPT_FOR_COMPARISON
    if measures:
        record["measures"] = dict(measures)
    return record


def _rejected(item: SetAside, spec: OptionSpec) -> SetAsideRecord:
    record, register = _set_aside(item, spec), _register(spec)
    record["status"] = register["status"]
    record["status_reason"] = register["status_reason"]
    record["milestones"] = register["milestones"]
    record["notes"] = register["notes"]
    record["dissent"] = register["dissent"]
    return record


def _disagreement(d: Disagreement, option_names: Mapping[str, str]) -> DisagreementRecord:
    return {
        "option": d.option,
        "name": option_names.get(d.option, d.option),
        "criterion": d.leaf,
        "n": d.n,
        "min": d.low,
        "max": d.high,
        "weight": d.weight,
    }


def _scorers(ranking: Ranking) -> list[ScorerRecord]:
    sheet = ranking.sheet
    if not sheet.per_scorer:
        return []
    out: list[ScorerRecord] = []
    for scorer in sheet.scorer_ids:
        info = sheet.spec.scorers.get(scorer)
        out.append(
            {
                "id": scorer,
                "name": info.name if info else None,
                "role": info.role if info else None,
                "organisation": info.organisation if info else None,
                "interests": dict(info.interests) if info else {},
            }
        )
    return out


def _spread(ranking: Ranking) -> Mapping[str, Mapping[str, SpreadCell]]:
    """Per option and leaf: scorers, lowest, highest, sample standard deviation.

    Made option by option as it is written (``LazyRows``): a million cells are never all held.
    """
    spread, sheet = ranking.spread, ranking.sheet
    if spread is None or not sheet.per_scorer:
        return {}
    index = {option.id: i for i, option in enumerate(sheet.options)}
    leaves = list(enumerate(sheet.leaf_ids))

    def cells(option: str) -> dict[str, SpreadCell]:
        i = index[option]
        n, low, high, std = (a[i].tolist() for a in (spread.n, spread.low, spread.high, spread.std))
        return {
            leaf: {"n": n[j], "min": low[j], "max": high[j], "sd": std[j]}
            for j, leaf in leaves
            if n[j]
        }

    return LazyRows(list(index), cells)


def _yes(flag: bool) -> str:
    return "yes" if flag else ""


# Lists of options kept out of the ranking, with the words a CSV row uses for each.
SET_ASIDE: tuple[tuple[SetAsideKey, str], ...] = (
    ("screened_out", "screened out by a gate"),
    ("excluded", "excluded: missing scores"),
    ("rejected", "rejected"),
)


def ranking_rows(records: Sequence[RankingRecord], set_aside: bool = True) -> list[Record]:
    """Flat rows for CSV and Markdown: the ranked options, then every option set aside.

    Flags are written "yes" or blank in every format, and each row says whether its scores are
    illustrative, so a CSV row copied on its own still carries the warning. An option screened
    out by a gate, excluded for missing scores or rejected in the register follows the ranked
    ones with no rank, its total where it has one, and ``set_aside`` and ``reason`` saying which
    list it is in and why: no option is silently dropped. ``set_aside=False`` leaves those rows
    and columns out, for a view that lists them apart (``ranking_markdown``).
    """
    rows = []
    for record in records:
        for option in record["options"]:
            row = {
                "group": record["group"],
                "rank": option["rank"],
                "id": option["id"],
                "name": option["name"],
                "total": trim_float(option["total"]),
                "status_quo": _yes(option["status_quo"]),
                "status": option.get("status") or "",
                "illustrative": _yes(record["illustrative"]),
            }
            row.update({c: trim_float(v) for c, v in option["contributions"].items()})
            if set_aside:
                row.update(set_aside="", reason="")
            rows.append(row)
        if set_aside:
            rows += [
                {
                    "group": record["group"],
                    "rank": "",
                    "id": item["id"],
                    "name": item["name"],
                    "total": "" if item["total"] is None else trim_float(item["total"]),
                    "status_quo": _yes(item.get("status_quo", False)),
                    "status": item.get("status") or "",
                    "illustrative": _yes(record["illustrative"]),
                    "set_aside": label,
                    # A rejection's reason is the register's; "rejected: " would say it twice.
                    "reason": item.get("status_reason") or item["reason"],
                }
                for key, label in SET_ASIDE
                for item in record.get(key, [])
            ]
    return rows


def _pct(value: Decimal | None) -> str:
    return "" if value is None else f"{value}"


def criteria_record(tree: CriteriaTree) -> CriteriaRecord:
    """The criteria tree with weights as entered, local and global per cent, and printed checks."""
    spec = tree.spec
    exact_global = exact_global_percent(tree)
    leaf_ids = list(tree.leaf_ids)
    leaf_display = dict(
        zip(leaf_ids, display_percentages([exact_global[i] for i in leaf_ids]), strict=True)
    )
    top_display = dict(
        zip(tree.top_ids, display_percentages([exact_global[i] for i in tree.top_ids]), strict=True)
    )
    top_sum = sum((exact(c.weight) for c in spec.criteria), Fraction(0))
    rows: list[CriterionRow] = []
    for criterion in spec.criteria:
        subs = criterion.sub or []
        family_sum = sum((exact(s.weight) for s in subs), Fraction(0))
        rows.append(
            {
                "id": criterion.id,
                "name": criterion.name,
                "level": "criterion",
                "parent": None,
                "weight": criterion.weight,
                "local_percent": float(100 * exact(criterion.weight) / top_sum),
                # A top-level criterion's local share is its global share: one figure, shown
                # one way (three thirds read 33.4, 33.3, 33.3 in both columns, adding to 100.0).
                "local_display": _pct(top_display[criterion.id]),
                "global_percent": float(exact_global[criterion.id]),
                "global_display": _pct(top_display[criterion.id]),
                "printed_global": None,
                "printed_differs": False,
                "rescaled": bool(subs) and not sums_to_100(family_sum),
            }
        )
        local_display = (
            display_percentages([100 * exact(s.weight) / family_sum for s in subs])
            if family_sum
            else []
        )
        for sub, local in zip(subs, local_display, strict=True):
            differs = by_rescaling = False
            if sub.printed_global is not None:
                decimals = len(repr(sub.printed_global).partition(".")[2])
                printed = Decimal(repr(sub.printed_global))
                differs = round_half_up(exact_global[sub.id], decimals) != printed
                # The printed A*B figure matches the weights as entered: only rescaling moved it.
                as_entered = exact(criterion.weight) * exact(sub.weight) / 100
                by_rescaling = differs and round_half_up(as_entered, decimals) == printed
            rows.append(
                {
                    "id": sub.id,
                    "name": sub.name,
                    "level": "sub-criterion",
                    "parent": criterion.id,
                    "weight": sub.weight,
                    "local_percent": float(100 * exact(sub.weight) / family_sum),
                    "local_display": _pct(local),
                    "global_percent": float(exact_global[sub.id]),
                    "global_display": _pct(leaf_display[sub.id]),
                    "printed_global": sub.printed_global,
                    "printed_differs": differs,
                    "printed_differs_by_rescaling": by_rescaling,
                }
            )
    return {
        "title": spec.title,
        "source": spec.source,
        "file": tree.path,
        "criteria": rows,
        "top_rescaled": not sums_to_100(top_sum),
        "weight_sets": {k: dict(v) for k, v in spec.weight_sets.items()},
        "gates": [{"id": g.id, "name": g.name} for g in spec.gates],
        "discrepancies": [
            {"where": d.where, "message": d.message} for d in printed_discrepancies(spec)
        ],
        "notes": list(tree.notes),
    }


def rescaling_notes(record: CriteriaRecord) -> list[str]:
    """One line per row whose printed figure differs only because a family was rescaled.

    Such a row is not among the discrepancies (its printed figure matches the weights as
    entered), so the tables say why it is marked.
    """
    names = {r["id"]: r["name"] for r in record["criteria"]}
    rescaled = {r["id"] for r in record["criteria"] if r.get("rescaled")}
    notes = []
    for row in record["criteria"]:
        if not row.get("printed_differs_by_rescaling"):
            continue
        what = ["the top-level criteria"] if record.get("top_rescaled") else []
        if row["parent"] in rescaled:
            what.append(names[row["parent"]])
        printed = Decimal(repr(row["printed_global"]))
        notes.append(
            f"{row['id']}: {printed} printed; {row['global_display']} after rescaling "
            f"{' and '.join(what)} to 100"
        )
    return notes


def problem_record(problem: Problem) -> ProblemRecord:
    """One validation finding."""
    return {
        "file": problem.path,
        "where": problem.where,
        "severity": problem.severity,
        "message": problem.message,
    }


def context_text(record: RankingRecord) -> str:
    """One line saying what a ranking was computed from: criteria, level, round, panel, weights."""
    bits = [f"Criteria: {record['criteria']}", f"scored against {record['level']}"]
    if record["round"]:
        bits.append(f"round '{record['round']}'")
    if record["scorers"]:
        bits.append(f"{len(record['scorers'])} scorers, {record['aggregate']} per cell")
    else:
        bits.append("consensus scores")
    if record["weight_set"]:
        bits.append(f"weight set '{record['weight_set']}'")
    if record["weights_given"]:
        given = ", ".join(f"{k} {v:g}" for k, v in record["weights_given"].items())
        bits.append(f"weights given: {given}")
    if record.get("measured"):
        measured = ", ".join(f"{m['name']} ({m['unit']})" for m in record["measured"].values())
        bits.append(f"measured, scored by value function: {measured}")
    if record.get("exclude_conflicted"):
        bits.append("conflicted scores left out")
    if record.get("statuses"):
        bits.append(
            f"status {' or '.join(record['statuses'])} only"
            + (", and the status quo for comparison" if record.get("status_quo_kept") else "")
        )
    return "; ".join(bits)


def ranking_markdown(records: Sequence[RankingRecord]) -> str:
    """Each group's ranking as a Markdown section: heading, table, what was set aside, notes."""
    sections = []
    for record in records:
        label = " (illustrative scores)" if record["illustrative"] else ""
        lines = [f"## {markdown_text(record['name'])} ({record['group']}){label}", ""]
        lines += [f"_{markdown_text(context_text(record))}._", ""]
        lines.append(to_markdown(ranking_rows([record], set_aside=False)))
        titles: tuple[tuple[SetAsideKey, str], ...] = (
            ("screened_out", "Screened out by a gate"),
            ("excluded", "Excluded for missing scores"),
            ("rejected", "Rejected (option register)"),
        )
        for key, title in titles:
            if record[key]:
                lines.append(f"**{title}:**\n")
                lines += [_set_aside_line(item) for item in record[key]]
                lines.append("")
        dissent = [
            f"- {markdown_text(o['name'])}: {markdown_text(text)}"
            for o in record["options"]
            for text in o.get("dissent", [])
        ]
        if dissent:
            lines += ["**Dissent recorded:**", "", *dissent, ""]
        if record["notes"]:
            lines += ["**Notes:**", "", *(f"- {markdown_text(note)}" for note in record["notes"])]
            lines.append("")
        sections.append("\n".join(lines))
    return "\n".join(sections)


def _set_aside_line(item: SetAsideRecord) -> str:
    """A Markdown bullet for an option set aside: name, id, total (as the table shows), why."""
    total = "" if item["total"] is None else f", total {item['total']:.2f}"
    return f"- {markdown_text(item['name'])} ({item['id']}){total}: {markdown_text(item['reason'])}"


def criteria_rows(record: CriteriaRecord) -> list[Record]:
    """The criteria tree as flat rows (CSV): one per criterion and sub-criterion.

    Flags are "yes" or blank, as in ``ranking_rows``; numbers lose their float noise.
    """
    return [
        {
            key: _yes(value)
            if isinstance(value, bool)
            else trim_float(value)
            if isinstance(value, float)
            else value
            for key, value in row.items()
        }
        for row in record["criteria"]
    ]


def criteria_markdown(record: CriteriaRecord) -> str:
    """The criteria tree as a Markdown table with its discrepancies listed."""
    rows = [
        {
            "criterion": r["name"] if r["level"] == "criterion" else f"- {r['name']}",
            "id": r["id"],
            "weight": r["weight"],
            "global %": r["global_display"],
            "printed A*B": ""
            if r["printed_global"] is None
            else f"{r['printed_global']:g}" + (" (differs)" if r["printed_differs"] else ""),
        }
        for r in record["criteria"]
    ]
    text = f"## {markdown_text(record['title'])}\n\n" + to_markdown(rows, digits=1)
    rescaling = rescaling_notes(record)
    if rescaling:
        text += (
            "\nPrinted figures that differ only because weights were rescaled to 100:\n\n"
            + "\n".join(f"- {note}" for note in rescaling)
            + "\n"
        )
    if record["discrepancies"]:
        text += (
            "\nPrinted figures that do not reconcile:\n\n"
            + "\n".join(f"- {d['where']}: {d['message']}" for d in record["discrepancies"])
            + "\n"
        )
    return text
