"""What changed between two scoring rounds of one group, and what moved the ranking.

Rounds are compared at the level both score: sub-criteria when both do, otherwise the
top-level criteria, where a re-scored file's sub-criterion scores are averaged within each
criterion with that file's own weights (exactly the criterion's contribution divided by its
weight). Each option's change in total splits exactly into a part from score changes and a part
from weight changes:

    new - old = (s_new - s_old) . w_old  +  s_new . (w_new - w_old)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from appraise.scoring import Ranking
from appraise.weights import FloatArray, Level, membership

Status = Literal["kept", "added", "removed", "renamed", "set aside"]

# Scores, weights and totals closer than this are the same: a re-score's sub-criterion scores
# averaged back to a criterion carry float noise (five 5s can come back as 4.999999999999999),
# and a difference that small is no change anyone made.
TOLERANCE = 1e-9


@dataclass(frozen=True)
class OptionChange:
    """One option across the two rounds."""

    id: str
    old_id: str | None
    name: str
    old_name: str | None
    status: Status
    old_rank: int | None
    new_rank: int | None
    old_total: float | None
    new_total: float | None
    from_scores: float | None  # the part of the change due to score changes
    from_weights: float | None  # the part due to weight changes
    rejected_before: str | None = None
    """The register's reason, where the option was already rejected in the old round."""

    @property
    def change(self) -> float | None:
        """New total minus old, where the option is in both rounds (0 within TOLERANCE)."""
        if self.old_total is None or self.new_total is None:
            return None
        return _clean(self.new_total - self.old_total)


@dataclass(frozen=True)
class ScoreChange:
    """One cell whose score changed (``scorer`` None: the panel's combined score)."""

    option: str
    criterion: str
    scorer: str | None
    old: float | None
    new: float | None


@dataclass(frozen=True)
class WeightChange:
    """A criterion's global weight in each round, at the level compared."""

    criterion: str
    old: float
    new: float


@dataclass(frozen=True)
class Diff:
    """Everything that changed from ``old`` to ``new``."""

    old: Ranking
    new: Ranking
    level: Level
    criteria: tuple[str, ...]
    options: tuple[OptionChange, ...]
    scores: tuple[ScoreChange, ...]
    weights: tuple[WeightChange, ...]
    notes: tuple[str, ...]


def _at_level(ranking: Ranking, level: Level) -> tuple[FloatArray, FloatArray, tuple[str, ...]]:
    """Scores (file's options x criteria) and global weights at ``level``."""
    sheet = ranking.sheet
    assert ranking.scores is not None
    w = np.array([ranking.weights[leaf] for leaf in sheet.leaf_ids])
    if level == "leaves" or sheet.level == "criteria":
        return ranking.scores, w, sheet.leaf_ids
    member = membership(sheet.tree, sheet.level)  # leaves x top-level criteria
    top_w = w @ member
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = (ranking.scores * w) @ member / top_w
    return scores, top_w, sheet.tree.top_ids


def _pairs(old: Ranking, new: Ranking) -> list[tuple[str | None, str | None]]:
    """Match options by id, then unmatched ones by name (an id that changed is a rename)."""
    old_ids = [o.id for o in old.sheet.options]
    new_ids = [o.id for o in new.sheet.options]
    pairs: list[tuple[str | None, str | None]] = [(i, i) for i in new_ids if i in old_ids]
    gone = [i for i in old_ids if i not in new_ids]
    came = [i for i in new_ids if i not in old_ids]
    old_names = {o.id: o.name.casefold() for o in old.sheet.options}
    new_names = {o.id: o.name.casefold() for o in new.sheet.options}
    for i in list(came):
        twin = next((g for g in gone if old_names[g] == new_names[i]), None)
        if twin is not None:
            pairs.append((twin, i))
            gone.remove(twin)
            came.remove(i)
    pairs += [(None, i) for i in came]
    pairs += [(g, None) for g in gone]
    return pairs


def diff(old: Ranking, new: Ranking) -> Diff:
    """Compare two rounds of one group (each already ranked under its own settings)."""
    level: Level = (
        "leaves" if old.sheet.level == "leaves" and new.sheet.level == "leaves" else "criteria"
    )
    notes = []
    if old.sheet.group != new.sheet.group:
        notes.append(f"comparing group '{old.sheet.group}' with group '{new.sheet.group}'")
    if level == "criteria" and "leaves" in (old.sheet.level, new.sheet.level):
        notes.append(
            "compared at the top-level criteria: sub-criterion scores are averaged within each "
            "criterion with that round's weights"
        )
    s_old, w_old, c_old = _at_level(old, level)
    s_new, w_new, c_new = _at_level(new, level)
    criteria = tuple(dict.fromkeys(c_old + c_new))
    w_old_all = _spread(w_old, c_old, criteria)
    w_new_all = _spread(w_new, c_new, criteria)
    row_old = {o.id: i for i, o in enumerate(old.sheet.options)}
    row_new = {o.id: i for i, o in enumerate(new.sheet.options)}
    ranks_old = _places(old)
    ranks_new = _places(new)
    names_old = {o.id: o.name for o in old.sheet.options}
    names_new = {o.id: o.name for o in new.sheet.options}
    rejected_old = {
        o.id: o.status_reason or "" for o in old.sheet.spec.options if o.status == "rejected"
    }
    options: list[OptionChange] = []
    scores: list[ScoreChange] = []
    for a, b in _pairs(old, new):
        status = _status(a, b, names_old, names_new)
        if status != "removed" and ranks_new.get(b or "", (None, None))[0] is None:
            status = "set aside"  # failed a gate or was excluded in the new round
        from_scores = from_weights = None
        if a is not None and b is not None:
            x = _spread(s_old[row_old[a]], c_old, criteria)
            y = _spread(s_new[row_new[b]], c_new, criteria)
            from_scores = _clean(float(np.nansum((y - x) * w_old_all)))
            from_weights = _clean(float(np.nansum(y * (w_new_all - w_old_all))))
            scores += [
                ScoreChange(b, c, None, _num(x[k]), _num(y[k]))
                for k, c in enumerate(criteria)
                if not _same(x[k], y[k])
            ]
            if level == "leaves" and old.sheet.per_scorer and new.sheet.per_scorer:
                scores += _scorer_changes(old, new, a, b, criteria)
        options.append(
            OptionChange(
                id=b if b is not None else a or "",
                old_id=a,
                name=names_new[b] if b is not None else names_old[a or ""],
                old_name=names_old[a] if a is not None else None,
                status=status,
                old_rank=ranks_old.get(a or "", (None, None))[0],
                new_rank=ranks_new.get(b or "", (None, None))[0],
                old_total=ranks_old.get(a or "", (None, None))[1],
                new_total=ranks_new.get(b or "", (None, None))[1],
                from_scores=from_scores,
                from_weights=from_weights,
                rejected_before=rejected_old.get(a or ""),
            )
        )
    weights = tuple(
        WeightChange(c, float(w_old_all[k]), float(w_new_all[k]))
        for k, c in enumerate(criteria)
        if not _same(w_old_all[k], w_new_all[k])
    )
    options.sort(key=lambda o: (o.new_rank is None, o.new_rank or 0, o.old_rank or 0))
    return Diff(old, new, level, criteria, tuple(options), tuple(scores), weights, tuple(notes))


def _places(ranking: Ranking) -> dict[str, tuple[int | None, float | None]]:
    """Rank and total per option; options set aside keep their total but have no rank."""
    places: dict[str, tuple[int | None, float | None]] = {
        o.id: (o.rank, o.total) for o in ranking.options
    }
    for aside in (*ranking.screened_out, *ranking.excluded, *ranking.rejected):
        places[aside.id] = (None, aside.total)
    return places


def _status(a: str | None, b: str | None, old: dict[str, str], new: dict[str, str]) -> Status:
    if a is None:
        return "added"
    if b is None:
        return "removed"
    return "kept" if a == b and old[a] == new[b] else "renamed"


def _spread(values: FloatArray, ids: tuple[str, ...], onto: tuple[str, ...]) -> FloatArray:
    out = np.full(len(onto), np.nan)
    where = {c: k for k, c in enumerate(onto)}
    for k, c in enumerate(ids):
        out[where[c]] = values[k]
    return out


def _clean(value: float) -> float:
    """Zero for float noise (a change within TOLERANCE), so -0.00 never shows."""
    return 0.0 if abs(value) <= TOLERANCE else value


def _num(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _same(a: float, b: float) -> bool:
    if np.isnan(a) and np.isnan(b):
        return True
    return bool(abs(a - b) <= TOLERANCE)


def _scorer_changes(
    old: Ranking, new: Ranking, a: str, b: str, criteria: tuple[str, ...]
) -> list[ScoreChange]:
    """Per scorer, every cell whose score changed, for scorers in both rounds."""
    out = []
    i = [o.id for o in old.sheet.options].index(a)
    j = [o.id for o in new.sheet.options].index(b)
    col_old = {c: k for k, c in enumerate(old.sheet.leaf_ids)}
    col_new = {c: k for k, c in enumerate(new.sheet.leaf_ids)}
    for scorer in new.sheet.scorer_ids:
        if scorer not in old.sheet.scorer_ids:
            continue
        p = old.sheet.scorer_ids.index(scorer)
        q = new.sheet.scorer_ids.index(scorer)
        for c in criteria:
            x = old.sheet.raw[p, i, col_old[c]] if c in col_old else np.nan
            y = new.sheet.raw[q, j, col_new[c]] if c in col_new else np.nan
            if not _same(x, y):
                out.append(ScoreChange(b, c, scorer, _num(x), _num(y)))
    return out
