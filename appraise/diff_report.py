"""Round-to-round changes as plain records (JSON) and sentences."""

from __future__ import annotations

from typing import Any

from appraise.diff import Diff

Record = dict[str, Any]


def _round(diff: Diff, which: str) -> Record:
    ranking = diff.old if which == "old" else diff.new
    sheet = ranking.sheet
    return {
        "file": sheet.path,
        "round": sheet.spec.round,
        "level": "sub-criteria" if sheet.level == "leaves" else "criteria",
        "leader": ranking.options[0].id if ranking.options else None,
    }


def diff_record(diff: Diff) -> Record:
    """Everything ``appraise diff`` found, in JSON-ready form."""
    return {
        "group": diff.new.sheet.group,
        "name": diff.new.sheet.spec.name,
        "old": _round(diff, "old"),
        "new": _round(diff, "new"),
        "compared_at": "sub-criteria" if diff.level == "leaves" else "criteria",
        "options": [
            {
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
            }
            for o in diff.options
        ],
        "scores": [
            {
                "option": c.option,
                "criterion": c.criterion,
                "scorer": c.scorer,
                "old": c.old,
                "new": c.new,
            }
            for c in diff.scores
        ],
        "weights": [{"criterion": w.criterion, "old": w.old, "new": w.new} for w in diff.weights],
        "notes": list(dict.fromkeys([*diff.old.notes, *diff.new.notes, *diff.notes])),
        "summary": diff_summary(diff),
    }


def diff_summary(diff: Diff) -> list[str]:
    """A few sentences: the leader then and now, what was added or dropped, what moved most."""
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
    for status, verb in (("added", "Added"), ("removed", "Dropped"), ("renamed", "Renamed")):
        items = [o for o in diff.options if o.status == status]
        if items:
            out.append(f"{verb}: {', '.join(o.name for o in items)}.")
    moved = [o for o in diff.options if o.change is not None]
    if moved:
        biggest = max(moved, key=lambda o: abs(o.change or 0.0))
        if abs(biggest.change or 0.0) > 1e-12:
            parts = (
                f"{biggest.from_scores:+.2f} from scores, {biggest.from_weights:+.2f} from weights"
            )
            out.append(f"Largest change: {biggest.name}, {biggest.change:+.2f} ({parts}).")
    panel = sum(c.scorer is None for c in diff.scores)
    out.append(f"{panel} score change(s) and {len(diff.weights)} weight change(s).")
    return out
