"""Round-to-round changes as plain records (JSON), sentences, and the figures people read.

Records keep full precision. The figures for tables and sentences are rounded to one precision
per table, chosen so that the printed numbers tell the truth: a total that changed never
prints the same before and after, a change is the difference of the printed totals, its two
parts add up to it, and a part that is not zero never prints as zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from appraise.analysis.diff import Diff, OptionChange, ScoreChange, ScorerChange
from appraise.present.formats import LazyList, to_markdown, trim_float
from appraise.present.records import (
    DiffRecord,
    OptionChangeRecord,
    PanelChangeRecord,
    RoundRecord,
    ScoreChangeRecord,
    WeightChangeRecord,
)
from appraise.safe_text import markdown_text, plural
from appraise.weights import percent_text

Record = dict[str, Any]

MIN_DECIMALS = 2  # totals and scores, as the ranking table prints them
MAX_DECIMALS = 9  # enough to show any difference above diff.TOLERANCE


def _round(diff: Diff, which: str) -> RoundRecord:
    ranking = diff.old if which == "old" else diff.new
    sheet = ranking.sheet
    return {
        "file": sheet.path,
        "round": sheet.spec.round,
        "level": "sub-criteria" if sheet.level == "leaves" else "criteria",
        "leader": ranking.options[0].id if ranking.options else None,
    }


def _option(o: OptionChange) -> OptionChangeRecord:
    return {
        "id": o.id,
        "old_id": o.old_id,
        "name": o.name,
        "old_name": o.old_name,
        "status": o.status,
        "old_rank": o.old_rank,
        "new_rank": o.new_rank,
        "old_total": o.old_total,
        "new_total": o.new_total,
        "change": o.change,
        "from_scores": o.from_scores,
        "from_weights": o.from_weights,
        "rejected_before": o.rejected_before,
    }


def _scorer(change: ScorerChange) -> PanelChangeRecord:
    return {
        "id": change.id,
        "old_id": change.old_id,
        "status": change.status,
        "matched_by": change.matched_by,
        "name": change.name,
        "old_name": change.old_name,
        "scores": {
            option: dict(zip(change.criteria, scores, strict=True))
            for option, scores in change.scores
        },
    }


def _notes(diff: Diff) -> list[str]:
    """Both rounds' notes and the comparison's, each once.

    Two rounds on one criteria table (the same table, read from two copies: a checkout's
    ``criteria/`` and the installed one) say what it says once, not once per copy.
    """
    old_tree, new_tree = diff.old.sheet.tree, diff.new.sheet.tree
    same_table = old_tree.spec == new_tree.spec and old_tree.path != new_tree.path
    new = [n for n in diff.new.notes if not (same_table and n in new_tree.notes)]
    return list(dict.fromkeys([*diff.old.notes, *new, *diff.notes]))


def diff_record(diff: Diff) -> DiffRecord:
    """Everything ``appraise diff`` found, in JSON-ready form."""
    return {
        "group": diff.new.sheet.group,
        "name": diff.new.sheet.spec.name,
        "illustrative": diff.old.sheet.illustrative or diff.new.sheet.illustrative,
        "old": _round(diff, "old"),
        "new": _round(diff, "new"),
        "compared_at": "sub-criteria" if diff.level == "leaves" else "criteria",
        "options": [_option(o) for o in diff.options],
        "scores": LazyList(
            len(diff.scores), lambda k: _score_change(diff.scores[k], _measures_of(diff))
        ),
        "weights": [{"criterion": w.criterion, "old": w.old, "new": w.new} for w in diff.weights],
        "panel": [_scorer(c) for c in diff.panel],
        "notes": _notes(diff),
        "summary": diff_summary(diff),
    }


def _measures_of(diff: Diff) -> dict[tuple[str, str], tuple[float | None, float | None, str]]:
    """(new option id, measured leaf) -> (old measure, new measure, unit), for either round."""
    old_id = {o.id: o.old_id for o in diff.options}
    units = {**diff.old.sheet.tree.measures(), **diff.new.sheet.tree.measures()}
    out = {}
    for option, old in old_id.items():
        before = diff.old.sheet.measured.get(old or "", {})
        after = diff.new.sheet.measured.get(option, {})
        for leaf in before.keys() | after.keys():
            out[option, leaf] = (before.get(leaf), after.get(leaf), units[leaf].unit)
    return out


def _score_change(
    c: ScoreChange, measures: dict[tuple[str, str], tuple[float | None, float | None, str]]
) -> ScoreChangeRecord:
    measured = measures.get((c.option, c.criterion)) if c.scorer is None else None
    return {
        "option": c.option,
        "criterion": c.criterion,
        "scorer": c.scorer,
        "old": c.old,
        "new": c.new,
        "measure": (
            None
            if measured is None
            else {"old": measured[0], "new": measured[1], "unit": measured[2]}
        ),
    }


def _round_name(diff: Diff, which: str) -> str:
    sheet = (diff.old if which == "old" else diff.new).sheet
    return f"round '{sheet.spec.round}'" if sheet.spec.round else sheet.path


def _renamed(o: OptionChange) -> str:
    """``old name → new name``, with the ids where they changed too."""
    names = o.name if o.old_name == o.name else f"{o.old_name} → {o.name}"
    return names if o.old_id == o.id else f"{names} (id {o.old_id} → {o.id})"


def diff_summary(diff: Diff) -> list[str]:
    """A few sentences: the leader then and now, what was added or dropped, what moved most.

    An option dropped after it was already rejected in the old round is said to be so, with the
    register's reason; the change figures are those the options table prints. Scorers added,
    removed or renamed get a sentence, and the closing count counts them (where either round
    is scored per scorer), so a changed panel is never summed up as no change.
    """
    names = {o.id: o.name for o in diff.options}
    old_leader = diff.old.options[0].id if diff.old.options else None
    new_leader = diff.new.options[0].id if diff.new.options else None
    out = []
    if old_leader == new_leader and new_leader is not None:
        out.append(f"{names.get(new_leader, new_leader)} leads in both rounds.")
    else:
        old_name = next((o.name for o in diff.old.options[:1]), "nobody")
        out.append(
            f"The leader changes from {old_name} to {names.get(new_leader or '', 'nobody')}."
        )
    added = [o.name for o in diff.options if o.status == "added"]
    removed = [o for o in diff.options if o.status == "removed"]
    dropped = [o.name for o in removed if o.rejected_before is None]
    rejected = [
        f"{o.name} ({o.rejected_before.rstrip('.')})" if o.rejected_before else o.name
        for o in removed
        if o.rejected_before is not None
    ]
    renamed = [_renamed(o) for o in diff.options if o.status == "renamed"]
    if added:
        out.append(f"Added: {', '.join(added)}.")
    if dropped:
        out.append(f"Dropped: {', '.join(dropped)}.")
    if rejected:
        out.append(
            f"Dropped, already rejected in {_round_name(diff, 'old')}: {'; '.join(rejected)}."
        )
    if renamed:
        out.append(f"Renamed: {'; '.join(renamed)}.")
    figures = option_figures([_option(o) for o in diff.options])
    moved = [(o, f) for o, f in zip(diff.options, figures, strict=True) if o.change]
    if moved:
        biggest, shown = max(moved, key=lambda pair: abs(pair[0].change or 0.0))
        if not biggest.from_weights:
            parts = "all from scores"
        elif not biggest.from_scores:
            parts = "all from weights"
        else:
            parts = f"{shown['from_scores']} from scores, {shown['from_weights']} from weights"
        out.append(f"Largest change: {biggest.name}, {shown['change']} ({parts}).")
    if diff.panel:
        out.append(_panel_sentence(diff))
    out.append(_counts(diff))
    return out


def _counts(diff: Diff) -> str:
    """How many cells, weights and (where either round has a panel) scorers changed."""
    cells = sum(c.scorer is None for c in diff.scores)
    if diff.old.sheet.per_scorer or diff.new.sheet.per_scorer:
        return (
            f"{plural(cells, 'score change')}, {plural(len(diff.weights), 'weight change')} and "
            f"{plural(len(diff.panel), 'panel change')}."
        )
    return f"{plural(cells, 'score change')} and {plural(len(diff.weights), 'weight change')}."


def scorer_text(change: PanelChangeRecord) -> str:
    """A scorer as the panel table names it: ``old → new`` for a rename, else the id.

    A scorer renamed in ``scorers:`` under the same id reads ``id (old name → new name)``.
    """
    if change["status"] != "renamed":
        return str(change["id"])
    if change["matched_by"] == "id":
        return f"{change['id']} ({change['old_name']} → {change['name']})"
    return f"{change['old_id']} → {change['id']}"


def _panel_sentence(diff: Diff) -> str:
    """``Panel: renamed a → b (same scores); added c; removed d.``, saying which round had none."""
    parts = [
        f"renamed {c.id}: {c.old_name} → {c.name}"
        if c.matched_by == "id"
        else f"renamed {c.old_id} → {c.id} (same {c.matched_by})"
        for c in diff.panel
        if c.status == "renamed"
    ]
    for status in ("added", "removed"):
        ids = [c.id for c in diff.panel if c.status == status]
        if ids:
            parts.append(f"{status} {', '.join(ids)}")
    consensus = [w for w in ("old", "new") if not getattr(diff, w).sheet.per_scorer]
    tail = f" ({_round_name(diff, consensus[0])} gave consensus scores)" if consensus else ""
    return f"Panel: {'; '.join(parts)}{tail}."


# --- figures for people ---------------------------------------------------------------------


def _quantize(value: float, places: int) -> Decimal:
    """``value`` to ``places`` decimals exactly as ``f"{value:.{places}f}"`` rounds it."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def _signed(value: Decimal, places: int) -> str:
    """A change: signed, and a plain 0 only where nothing changed."""
    return f"{value:+.{places}f}" if value else f"{0:.{places}f}"


def arrow(old: object, new: object) -> str:
    """``old → new``, or the one value when it did not change; ``-`` for none."""
    left = "-" if old is None else str(old)
    right = "-" if new is None else str(new)
    return left if old == new else f"{left} → {right}"


def _split(parts: Sequence[float], target: Decimal, places: int) -> list[Decimal] | None:
    """Round ``parts`` to ``places`` so they add to ``target`` (the printed change).

    Largest remainder: where rounding each part leaves the sum a unit or two off, the non-zero
    parts that rounding moved furthest the other way take a unit each. None when that cannot
    be done without a non-zero part printing as zero or changing sign (more places are needed).
    """
    unit = Decimal(1).scaleb(-places)
    rounded = [_quantize(x, places) if x else Decimal(0) for x in parts]
    if any(x and not r for x, r in zip(parts, rounded, strict=True)):
        return None  # a part that is not zero would print as zero, or take a whole unit
    missing = int((target - sum(rounded, Decimal(0))) / unit)
    step = 1 if missing > 0 else -1
    movable = sorted(
        (k for k, x in enumerate(parts) if x),
        key=lambda k: step * (Decimal(parts[k]) - rounded[k]),
        reverse=True,
    )
    for k in movable[: abs(missing)]:
        rounded[k] += step * unit
    if sum(rounded, Decimal(0)) != target:
        return None
    if any(x and (not r or (r > 0) != (x > 0)) for x, r in zip(parts, rounded, strict=True)):
        return None
    return rounded


def _option_figures(option: OptionChangeRecord, places: int) -> Record | None:
    """One option's printed figures at ``places`` decimals; None if they would mislead."""
    old, new, change = option["old_total"], option["new_total"], option["change"]
    old_text = None if old is None else f"{_quantize(old, places):.{places}f}"
    new_text = None if new is None else f"{_quantize(new, places):.{places}f}"
    shown: Record = {"total": arrow(old_text, new_text), "change": "", "from_scores": ""}
    shown["from_weights"] = ""
    if change is None or old is None or new is None:  # a change has both totals
        return shown
    if not change:  # the same total (within diff.TOLERANCE): one figure, and a change of 0
        shown["total"] = new_text
        target = Decimal(0)
    else:
        target = _quantize(new, places) - _quantize(old, places)
        if not target or not _quantize(change, places):  # a real change these places would hide
            return None
    parts = [option["from_scores"] or 0.0, option["from_weights"] or 0.0]
    split = _split(parts, target, places)
    if split is None:
        return None
    shown["change"] = _signed(target, places)
    shown["from_scores"], shown["from_weights"] = (_signed(p, places) for p in split)
    return shown


def option_figures(options: Sequence[OptionChangeRecord]) -> list[Record]:
    """The options table's figures (``total``, ``change``, ``from_scores``, ``from_weights``).

    One precision for the whole table: two decimals, or the fewest more that make every row
    true. Each change is the difference of the printed totals, and its two parts add up to it
    (largest remainder). A change or part that is not zero would not round to zero at the
    precision chosen, so it never prints as 0.00, nor as a whole unit it does not have: totals
    of 2.864 and 2.866 print as 2.864 → 2.866, +0.002, not 2.86 → 2.87 with +0.00 or +0.01. A
    change or part that is zero (within diff.TOLERANCE) prints unsigned, 0.00.
    """
    for places in range(MIN_DECIMALS, MAX_DECIMALS + 1):
        shown = [_option_figures(o, places) for o in options]
        if all(s is not None for s in shown):
            return [s for s in shown if s is not None]
    # Beyond MAX_DECIMALS every difference above diff.TOLERANCE shows; parts may be a unit off.
    return [_fallback_figures(o, MAX_DECIMALS) for o in options]


def _fallback_figures(option: OptionChangeRecord, places: int) -> Record:
    def text(value: float | None, signed: bool = False) -> str | None:
        if value is None:
            return None
        exact = _quantize(value, places)
        return _signed(exact, places) if signed else f"{exact:.{places}f}"

    return {
        "total": arrow(text(option["old_total"]), text(option["new_total"])),
        "change": text(option["change"], signed=True) or "",
        "from_scores": text(option["from_scores"], signed=True) or "",
        "from_weights": text(option["from_weights"], signed=True) or "",
    }


def score_figures(scores: Sequence[ScoreChangeRecord]) -> list[str]:
    """Each score change as ``old → new``, all at one precision.

    Two decimals, or the fewest more that keep every changed score from printing the same
    before and after: one cell going from 3 to 3.0038 puts the whole table at three decimals.
    """
    for places in range(MIN_DECIMALS, MAX_DECIMALS + 1):
        shown = [
            arrow(
                None if c["old"] is None else f"{_quantize(c['old'], places):.{places}f}",
                None if c["new"] is None else f"{_quantize(c['new'], places):.{places}f}",
            )
            for c in scores
        ]
        if all("→" in text for text in shown):
            return shown
    return shown


def weight_figures(weights: Sequence[WeightChangeRecord]) -> list[str]:
    """Each weight change as ``old% → new%``, all at one precision.

    One decimal, or more where a change would otherwise print as no change; rounded half-up as
    ``appraise criteria`` rounds.
    """
    for places in range(1, MAX_DECIMALS - 1):  # a fraction's 1e-9 is 1e-7 per cent
        shown = [(percent_text(w["old"], places), percent_text(w["new"], places)) for w in weights]
        if all(old != new for old, new in shown):
            break
    return [f"{old}% → {new}%" for old, new in shown]


def _score_text(score: float | None) -> str:
    """A scorer's score as they gave it: 4, 3.5; ``-`` for none."""
    if score is None:
        return "-"
    value = trim_float(score)
    return str(int(value)) if value.is_integer() else str(value)


def panel_rows(record: DiffRecord) -> list[Record]:
    """One row per panel change and option scored: scorer, change, option, compact scores.

    ``scores`` are the scorer's scores in criterion order (see ``panel_legend``), ``-`` where
    they gave none.
    """
    return [
        {
            "scorer": scorer_text(change),
            "change": change["status"],
            "option": option,
            "scores": " ".join(_score_text(x) for x in given.values()),
        }
        for change in record["panel"]
        for option, given in change["scores"].items()
    ]


def panel_legend(record: DiffRecord) -> list[str]:
    """The criterion order of ``panel_rows``' scores: one line, or one per order in use."""
    orders: dict[tuple[str, ...], list[str]] = {}
    for change in record["panel"]:
        criteria = tuple(next(iter(change["scores"].values()), {}))
        orders.setdefault(criteria, []).append(change["id"])
    if len(orders) == 1:
        return [f"Scores in criterion order: {', '.join(next(iter(orders)))}."]
    return [
        f"Scores of {', '.join(ids)} in criterion order: {', '.join(order)}."
        for order, ids in orders.items()
    ]


def diff_markdown(record: DiffRecord) -> str:
    """What changed, as Markdown: the sentences, then the options with the table's figures."""
    lines = [f"## {markdown_text(record['name'])} ({record['group']}): what changed", ""]
    lines += [f"- {markdown_text(sentence)}" for sentence in record["summary"]]
    rows = [
        {
            "option": o["name"],
            "status": status_text(o),
            "rank": arrow(o["old_rank"], o["new_rank"]),
            "total": shown["total"],
            "change": shown["change"],
            "from scores": shown["from_scores"],
            "from weights": shown["from_weights"],
        }
        for o, shown in zip(record["options"], option_figures(record["options"]), strict=True)
    ]
    numbers = ("rank", "total", "change", "from scores", "from weights")
    lines += ["", to_markdown(rows, right=numbers)]
    if record["panel"]:
        lines += ["### Panel changes", "", *panel_legend(record), ""]
        lines.append(to_markdown(panel_rows(record)))
    return "\n".join(lines)


def status_text(option: OptionChangeRecord) -> str:
    """An option's status for a table; ``removed (was rejected)`` if the old round rejected it."""
    if option["status"] == "removed" and option.get("rejected_before") is not None:
        return "removed (was rejected)"
    return str(option["status"])


def diff_rows(record: DiffRecord) -> list[Record]:
    """The changes for CSV: one row per option (``kind`` option), then per panel change.

    An option row has its status as the table words it, and figures without float noise (so
    the parts add up as printed, to 12 digits). A ``kind`` scorer row is one option a scorer
    added, removed or renamed scored: ``id``, ``old_id``, ``status``, ``option`` and
    ``scores`` as ``criterion=score`` pairs (``-`` for none).
    """
    options = [
        {"kind": "option"}
        | {
            key: trim_float(value) if isinstance(value, float) else value
            for key, value in (option | {"status": status_text(option)}).items()
            if not isinstance(value, (dict, list))
        }
        for option in record["options"]
    ]
    scorers = [
        {
            "kind": "scorer",
            "id": change["id"],
            "old_id": change["old_id"],
            "status": change["status"],
            "matched_by": change["matched_by"],
            "option": option,
            "scores": " ".join(f"{c}={_score_text(x)}" for c, x in given.items()),
        }
        for change in record["panel"]
        for option, given in change["scores"].items()
    ]
    return options + scorers
