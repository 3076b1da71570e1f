"""What changed between two scoring rounds of one group, and what moved the ranking.

Rounds are compared at the level both score: sub-criteria when both do, otherwise the
top-level criteria, where a re-scored file's sub-criterion scores are averaged within each
criterion with that file's own weights (exactly the criterion's contribution divided by its
weight). Each option's change in total splits exactly into a part from score changes and a part
from weight changes:

    new - old = (s_new - s_old) . w_old  +  s_new . (w_new - w_old)

The panel is compared too: scorers who joined or left, with the scores they gave, and scorers
who scored under a new id. A scorer only in the old round and one only in the new are one
scorer renamed when (1) the files' ``scorers:`` give them the same name, or else (2) they gave
the same score (within TOLERANCE) in every cell both rounds hold: every option in both rounds
(matched as options are) and every criterion both score, with at least one such cell and no
cell scored by one and left blank by the other. Either way the pairing must be one to one; a
scorer who would match two is listed as added or removed. Scores that are merely close are not
a rename: two people on a 1..5 scale often agree in most cells. A consensus round has no panel,
so against a panel round every scorer of that round is added (or removed). A scorer who keeps
their id but whose name in ``scorers:`` changed (both rounds giving one) is renamed too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from appraise.analysis.scoring import Ranking
from appraise.data import FloatArray, Level
from appraise.errors import InputError
from appraise.safe_text import some_names
from appraise.weights import membership

Status = Literal["kept", "added", "removed", "renamed", "set aside"]
PanelStatus = Literal["added", "removed", "renamed"]
Pair = tuple[str | None, str | None]

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


@dataclass(frozen=True, slots=True)  # a diff may hold millions
class ScoreChange:
    """One cell whose score changed (``scorer`` None: the panel's combined score)."""

    option: str
    criterion: str
    scorer: str | None
    old: float | None
    new: float | None


@dataclass(frozen=True)
class ScorerChange:
    """A scorer who joined or left the panel, or scored under a new id, and what they gave."""

    id: str
    """The scorer's id in the new round (the old round's for a scorer removed)."""
    old_id: str | None
    status: PanelStatus
    matched_by: Literal["id", "name", "scores"] | None
    """How a rename was recognised: the same id (its name in ``scorers:`` changed), the same
    name in ``scorers:``, or the same scores."""
    criteria: tuple[str, ...]
    """The criteria ``scores`` are given at: the scorer's round's own level, in file order."""
    scores: tuple[tuple[str, tuple[float | None, ...]], ...]
    """Per option the scorer scored (its id in that round): the score per criterion, None
    where none was given. A renamed scorer's are the new round's."""
    name: str | None = None
    """The name ``scorers:`` gives (the old round's for a scorer removed), if any."""
    old_name: str | None = None
    """The name the old round's ``scorers:`` gives, for a scorer in both rounds."""


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
    panel: tuple[ScorerChange, ...] = ()


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


def _pairs(old: Ranking, new: Ranking) -> list[Pair]:
    """Match options by id, then unmatched ones by name (an id that changed is a rename)."""
    old_ids = [o.id for o in old.sheet.options]
    new_ids = [o.id for o in new.sheet.options]
    pairs: list[Pair] = [(i, i) for i in new_ids if i in old_ids]
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
    if old.sheet.scale != new.sheet.scale:
        notes.append(
            f"the scale changed from {old.sheet.scale} to {new.sheet.scale}: scores and totals "
            "are compared as given, not rescaled"
        )
    if level == "criteria" and "leaves" in (old.sheet.level, new.sheet.level):
        notes.append(
            "compared at the top-level criteria: sub-criterion scores are averaged within each "
            "criterion with that round's weights"
        )
    s_old, w_old, c_old = _at_level(old, level)
    s_new, w_new, c_new = _at_level(new, level)
    if not set(c_old) & set(c_new):
        raise InputError(
            new.sheet.path,
            "criteria",
            f"scored against {some_names(list(c_new))}, but {old.sheet.path} against "
            f"{some_names(list(c_old))}: rounds with no criterion in common cannot be compared",
        )
    criteria = tuple(dict.fromkeys(c_old + c_new))
    # a criterion a round does not have weighs 0 in that round (never NaN)
    w_old_all = np.nan_to_num(_spread(w_old, c_old, criteria))
    w_new_all = np.nan_to_num(_spread(w_new, c_new, criteria))
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
    pairs = _pairs(old, new)
    panel, same_scorer = panel_changes(old, new, pairs)
    for a, b in pairs:
        status = _status(a, b, names_old, names_new)
        if status != "removed" and ranks_new.get(b or "", (None, None))[0] is None:
            status = "set aside"  # failed a gate or was excluded in the new round
        from_scores = from_weights = None
        if a is not None and b is not None:
            x = _spread(s_old[row_old[a]], c_old, criteria)
            y = _spread(s_new[row_new[b]], c_new, criteria)
            # a criterion a round does not weigh adds nothing to its total: 0 in the split, so
            # a criterion dropped counts its old part as a change of scores, one added its new
            # part as a change of weights, and the two parts still sum to the change
            x_in = np.where(np.isnan(x) & (w_old_all == 0), 0.0, x)
            y_in = np.where(np.isnan(y) & (w_new_all == 0), 0.0, y)
            from_scores = _clean(float(np.nansum((y_in - x_in) * w_old_all)))
            from_weights = _clean(float(np.nansum(y_in * (w_new_all - w_old_all))))
            scores += [
                ScoreChange(b, c, None, _num(x[k]), _num(y[k]))
                for k, c in enumerate(criteria)
                if not _same(x[k], y[k])
            ]
            if level == "leaves" and old.sheet.per_scorer and new.sheet.per_scorer:
                scores += _scorer_changes(
                    old, new, (row_old[a], row_new[b], b), criteria, same_scorer
                )
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
    return Diff(
        old, new, level, criteria, tuple(options), tuple(scores), weights, tuple(notes), panel
    )


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
    old: Ranking,
    new: Ranking,
    rows: tuple[int, int, str],
    criteria: tuple[str, ...],
    same_scorer: dict[str, str],
) -> list[ScoreChange]:
    """Per scorer, every cell whose score changed, for scorers in both rounds.

    ``rows`` are the option's rows in the old and new rounds and its new id; ``same_scorer``
    maps a new-round scorer id to the old round's id of the same scorer.
    """
    i, j, b = rows
    out = []
    # A measured leaf's score is the option's, not a scorer's: its change is the panel row's.
    measured = old.sheet.tree.measures().keys() | new.sheet.tree.measures().keys()
    criteria = tuple(c for c in criteria if c not in measured)
    col_old = {c: k for k, c in enumerate(old.sheet.leaf_ids)}
    col_new = {c: k for k, c in enumerate(new.sheet.leaf_ids)}
    for scorer in new.sheet.scorer_ids:
        if scorer not in same_scorer:
            continue
        p = old.sheet.scorer_ids.index(same_scorer[scorer])
        q = new.sheet.scorer_ids.index(scorer)
        for c in criteria:
            x = old.sheet.raw[p, i, col_old[c]] if c in col_old else np.nan
            y = new.sheet.raw[q, j, col_new[c]] if c in col_new else np.nan
            if not _same(x, y):
                out.append(ScoreChange(b, c, scorer, _num(x), _num(y)))
    return out


# --- the panel --------------------------------------------------------------------------------


def _panel(ranking: Ranking) -> tuple[str, ...]:
    """The round's scorer ids; none for a consensus round."""
    return ranking.sheet.scorer_ids if ranking.sheet.per_scorer else ()


def panel_changes(
    old: Ranking, new: Ranking, pairs: list[Pair]
) -> tuple[tuple[ScorerChange, ...], dict[str, str]]:
    """Scorers added, removed and renamed (the rule is in the module docstring).

    Args:
        old: The earlier round.
        new: The later round.
        pairs: (old id, new id) per option, as the options are matched.

    Returns:
        The changes (renamed, then added, then removed, each in file order), and for every
        scorer in both rounds its new id -> its old id.
    """
    before, after = _panel(old), _panel(new)
    same = {s: s for s in after if s in before}
    gone = [s for s in before if s not in after]
    came = [s for s in after if s not in before]
    renamed: list[tuple[str, str, Literal["id", "name", "scores"]]] = []
    old_cells, new_cells = _shared_cells(old, new, pairs)
    rules: tuple[tuple[Literal["name", "scores"], Callable[[str, str], bool]], ...] = (
        ("name", lambda a, b: _same_name(old, new, a, b)),
        ("scores", lambda a, b: _same_scores(old, new, a, b, old_cells, new_cells)),
    )
    for rule, match in rules:
        for b in list(came):
            twins = [a for a in gone if match(a, b)]
            if len(twins) == 1 and [c for c in came if match(twins[0], c)] == [b]:
                renamed.append((twins[0], b, rule))
                same[b] = twins[0]
                gone.remove(twins[0])
                came.remove(b)
    names_old, names_new = _names(old), _names(new)
    renamed = [
        (b, b, "id")
        for b in after
        if b in before
        and names_old.get(b)
        and names_new.get(b)
        and names_old[b].casefold() != names_new[b].casefold()
    ] + renamed
    changes = [
        ScorerChange(b, a, "renamed", rule, *_given(new, b), names_new.get(b), names_old.get(a))
        for a, b, rule in renamed
    ]
    changes += [
        ScorerChange(b, None, "added", None, *_given(new, b), names_new.get(b)) for b in came
    ]
    changes += [
        ScorerChange(a, a, "removed", None, *_given(old, a), names_old.get(a)) for a in gone
    ]
    return tuple(changes), same


def _names(ranking: Ranking) -> dict[str, str]:
    """Each scorer's name, where ``scorers:`` gives one."""
    return {s: spec.name for s, spec in ranking.sheet.spec.scorers.items() if spec.name}


def _same_name(old: Ranking, new: Ranking, a: str, b: str) -> bool:
    """Whether ``scorers:`` gives old scorer ``a`` and new scorer ``b`` one name (any case)."""
    name_a, name_b = _names(old).get(a), _names(new).get(b)
    return bool(name_a and name_b and name_a.casefold() == name_b.casefold())


Cells = tuple[list[int], list[int]]  # option rows, criterion columns of a sheet's raw scores


def _shared_cells(old: Ranking, new: Ranking, pairs: list[Pair]) -> tuple[Cells, Cells]:
    """Where each round holds the cells both hold: options in both, criteria both score."""
    rows_old = {o.id: i for i, o in enumerate(old.sheet.options)}
    rows_new = {o.id: i for i, o in enumerate(new.sheet.options)}
    both = [(a, b) for a, b in pairs if a is not None and b is not None]
    shared = [c for c in old.sheet.leaf_ids if c in new.sheet.leaf_ids]
    return (
        ([rows_old[a] for a, _ in both], [old.sheet.leaf_ids.index(c) for c in shared]),
        ([rows_new[b] for _, b in both], [new.sheet.leaf_ids.index(c) for c in shared]),
    )


def _same_scores(
    old: Ranking, new: Ranking, a: str, b: str, old_cells: Cells, new_cells: Cells
) -> bool:
    """Whether old scorer ``a`` and new scorer ``b`` gave the same scores in the shared cells.

    Equal within TOLERANCE cell by cell, blank where the other is blank, at least one score.
    """
    x = old.sheet.raw[old.sheet.scorer_ids.index(a)][np.ix_(*old_cells)]
    y = new.sheet.raw[new.sheet.scorer_ids.index(b)][np.ix_(*new_cells)]
    if not np.isfinite(x).any() or (np.isnan(x) != np.isnan(y)).any():
        return False
    return bool((np.abs(np.nan_to_num(x) - np.nan_to_num(y)) <= TOLERANCE).all())


def _given(
    ranking: Ranking, scorer: str
) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[float | None, ...]], ...]]:
    """The criteria, and per option the scorer scored, their score per criterion."""
    sheet = ranking.sheet
    layer = sheet.raw[sheet.scorer_ids.index(scorer)]
    scores = tuple(
        (option.id, tuple(_num(x) for x in layer[i]))
        for i, option in enumerate(sheet.options)
        if np.isfinite(layer[i]).any()
    )
    return sheet.leaf_ids, scores
