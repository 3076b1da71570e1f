"""Weighted totals, contributions per criterion and ranks with shared ties, for one sheet.

``rank`` validates once, applies the missing-score policy and calls the kernels
(``appraise.kernel``); the sheet it reads is ``appraise.data.ScoreSheet``. Both are re-exported
here, where earlier code found them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, overload

import numpy as np
import numpy.typing as npt

from appraise.choices import Aggregate
from appraise.data import CriteriaTree, FloatArray, GateFailure, ScoreSheet
from appraise.errors import InputError, ParameterError, setting
from appraise.kernel import (
    Spread,
    aggregate,
    competition_ranks,
    weighted_sum,
)
from appraise.model import Settings
from appraise.safe_text import some_names
from appraise.validate import nearest
from appraise.weights import global_weights, membership

if TYPE_CHECKING:
    from collections.abc import Mapping

# A cell is flagged when scorers span at least this share of the scale on a leaf whose
# global weight is at least the average leaf weight (1 / number of leaves).
DISAGREEMENT_SPAN = 0.5


# --- the validated entry point -----------------------------------------------------------


@dataclass(frozen=True)
class RankedOption:
    """One option's place in the ranking."""

    id: str
    name: str
    rank: int
    total: float
    contributions: dict[str, float]
    status_quo: bool = False
    notes: str | None = None
    kept_for_comparison: bool = False
    """The status quo, ranked as the comparator although ``statuses`` does not name its status."""


@dataclass(frozen=True)
class SetAside:
    """An option kept out of the ranking: failed a gate, or excluded for missing scores."""

    id: str
    name: str
    reason: str
    total: float | None = None
    gate_failures: tuple[GateFailure, ...] = ()


@dataclass(frozen=True)
class Disagreement:
    """A heavily weighted cell on which the scorers are far apart."""

    option: str
    leaf: str
    n: int
    low: float
    high: float
    weight: float


class Disagreements(Sequence[Disagreement]):
    """The flagged cells, in option then leaf order, each made when it is read.

    A large panel can disagree on a million cells; they are held as two index arrays, not as
    a million objects. Equal to any sequence of the same ``Disagreement`` items.
    """

    def __init__(
        self,
        sheet: ScoreSheet,
        spread: Spread,
        w: FloatArray,
        rows: npt.NDArray[np.intp],
        columns: npt.NDArray[np.intp],
    ) -> None:
        self._sheet, self._spread, self._w = sheet, spread, w
        self._rows, self._columns = rows, columns

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> Disagreement: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Disagreement]: ...
    def __getitem__(self, index: int | slice) -> Disagreement | Sequence[Disagreement]:
        if isinstance(index, slice):
            return [self[k] for k in range(*index.indices(len(self)))]
        i, j = int(self._rows[index]), int(self._columns[index])
        spread = self._spread
        return Disagreement(
            self._sheet.options[i].id,
            self._sheet.leaf_ids[j],
            int(spread.n[i, j]),
            float(spread.low[i, j]),
            float(spread.high[i, j]),
            float(self._w[j]),
        )

    def __iter__(self) -> Iterator[Disagreement]:
        return (self[k] for k in range(len(self)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Disagreements({len(self)} cells)"


@dataclass(frozen=True)
class Ranking:
    """Everything ``rank`` found: weights used, ranked options, options set aside, notes."""

    sheet: ScoreSheet
    weight_set: str | None
    aggregate: Aggregate
    weights: dict[str, float]
    options: tuple[RankedOption, ...]
    screened_out: tuple[SetAside, ...] = ()
    excluded: tuple[SetAside, ...] = ()
    rejected: tuple[SetAside, ...] = ()
    disagreements: Sequence[Disagreement] = ()
    spread: Spread | None = None
    notes: tuple[str, ...] = field(default=())
    settings: Settings | None = None
    """The settings the ranking was computed with (weight set, aggregate, missing, normalise)."""
    scores: FloatArray | None = None
    """Scores as used (options in file order x leaves, after aggregation and any missing-score
    policy); NaN marks a cell left out, which only ``--missing renormalise`` does."""


def resolve_weight_set(tree: CriteriaTree, name: str | None) -> Mapping[str, float] | None:
    """The named weight set's overrides, or an error listing the sets the file has.

    Raises:
        ParameterError: ``weight_set`` names no set of the criteria file.
    """
    if name is None:
        return None
    if name not in tree.spec.weight_sets:
        available = ", ".join(tree.spec.weight_sets) or "none"
        raise ParameterError(
            "weight_set", f"no weight set '{name}' in {tree.path}; the sets are: {available}"
        )
    return tree.spec.weight_sets[name]


def weights_in_force(tree: CriteriaTree, settings: Settings) -> Mapping[str, float] | None:
    """The points that replace the file's: the weight set's, then the one-off weights given.

    Raises:
        ParameterError: A weight set the file has not; a one-off weight for no criterion, or
            one that leaves a family (or the whole table) weighing nothing.
    """
    overrides = dict(resolve_weight_set(tree, settings.weight_set) or {})
    if not settings.weights_given:
        return overrides or None
    known = [*tree.top_ids, *(s.id for c in tree.spec.criteria for s in c.sub or [])]
    for node, points in settings.weights_given:
        if node not in known:
            meant = nearest(node, known)
            hint = f"did you mean '{meant}'?" if meant else f"the criteria: {some_names(known)}"
            raise ParameterError(
                "weights_given", f"'{node}' is no criterion of {tree.path}: {hint}"
            )
        overrides[node] = points

    def used(node_id: str, entered: float) -> float:
        return float(overrides.get(node_id, entered))

    criteria = tree.spec.criteria
    if sum(used(c.id, c.weight) for c in criteria) <= 0:
        raise ParameterError("weights_given", "these weights leave every criterion weighing 0")
    for c in criteria:
        subs = c.sub or []
        if subs and used(c.id, c.weight) > 0 and sum(used(s.id, s.weight) for s in subs) <= 0:
            raise ParameterError(
                "weights_given",
                f"these weights leave every sub-criterion of '{c.id}' weighing 0, and "
                f"'{c.id}' itself does not",
            )
    return overrides


def weights_given_text(tree: CriteriaTree, settings: Settings) -> str | None:
    """A note saying which one-off weights are in force, and what each replaced."""
    if not settings.weights_given:
        return None
    before = dict(resolve_weight_set(tree, settings.weight_set) or {})
    entered = {c.id: c.weight for c in tree.spec.criteria}
    entered |= {s.id: s.weight for c in tree.spec.criteria for s in c.sub or []}
    parts = [
        f"{node} {points:g} points (was {before.get(node, entered[node]):g})"
        for node, points in settings.weights_given
    ]
    return f"weights given: {', '.join(parts)}; each family rescaled to its own sum"


def _apply_missing(
    sheet: ScoreSheet, scores: FloatArray, settings: Settings
) -> tuple[FloatArray, npt.NDArray[np.bool_], list[SetAside], list[str]]:
    """Fill or mask cells nobody scored, per the chosen policy; report every substitution."""
    missing = np.isnan(scores)
    notes: list[str] = []
    excluded: list[SetAside] = []
    mask = ~missing
    if not missing.any():
        return scores, mask, excluded, notes
    filled = scores.copy()
    for i, option in enumerate(sheet.options):
        gaps = [sheet.leaf_ids[j] for j in np.nonzero(missing[i])[0]]
        if not gaps:
            continue
        listed = ", ".join(gaps)
        if settings.missing == "error":
            # Loading refuses gaps under this policy, so (for a sheet loaded under it) these
            # cells were emptied here: a conflicted scorer's were the only scores given.
            why = (
                f" once conflicted scores are left out ({setting('exclude_conflicted')})"
                if settings.exclude_conflicted
                else ""
            )
            raise InputError(
                sheet.path,
                f"options[{i}]",
                f"option '{option.id}': no score for {listed}{why}; choose "
                f"{setting('missing', 'exclude')}, baseline or renormalise",
            )
        if settings.missing == "exclude" or (
            settings.missing == "renormalise" and len(gaps) == len(sheet.leaf_ids)
        ):
            excluded.append(SetAside(option.id, option.name, f"no score for {listed}"))
            notes.append(
                f"{sheet.path}: option '{option.id}' excluded: no score for {listed} "
                f"({setting('missing', settings.missing)})"
            )
        elif settings.missing == "baseline":
            base = next((k for k, o in enumerate(sheet.options) if o.status_quo), None)
            if base is None:
                raise InputError(
                    sheet.path,
                    "options",
                    f"{setting('missing', 'baseline')} needs an option marked status_quo: true",
                )
            for leaf in gaps:
                j = sheet.leaf_ids.index(leaf)
                if np.isnan(scores[base, j]):
                    raise InputError(
                        sheet.path,
                        "options",
                        f"{setting('missing', 'baseline')}: the status-quo option has no score "
                        f"for '{leaf}' either",
                    )
                filled[i, j] = scores[base, j]
                notes.append(
                    f"{sheet.path}: option '{option.id}', '{leaf}': no score; used the "
                    f"status-quo score {scores[base, j]:g} ({setting('missing', 'baseline')})"
                )
        else:
            notes.append(
                f"{sheet.path}: option '{option.id}': no score for {listed}; its other "
                f"weights are rescaled to sum to 1 ({setting('missing', 'renormalise')})"
            )
    mask = ~np.isnan(filled)
    return np.nan_to_num(filled), mask, excluded, notes


def rank(sheet: ScoreSheet, settings: Settings | None = None) -> Ranking:
    """Weighted totals, contributions and ranks for one score sheet.

    Raises:
        InputError: Every option but the status quo is set aside (missing scores, gates,
            rejections, ``statuses``): there is nothing to rank, and the message says why.
            Or a cell is left unscored under ``missing="error"`` once conflicted scores
            are left out.
        ParameterError: ``weight_set`` names no set of the criteria file, or ``statuses``
            asks for rejected options.
    """
    settings = settings or Settings()
    tree = sheet.tree
    overrides = weights_in_force(tree, settings)
    notes = list(tree.notes) + list(sheet.notes)
    given = weights_given_text(tree, settings)
    if given:
        notes.append(given)
    if overrides and sheet.level == "criteria":
        ignored = [k for k in overrides if k not in tree.top_ids]
        if ignored:
            notes.append(
                f"the weights given set {', '.join(ignored)}, which this indicative round does "
                "not score"
                if settings.weights_given
                else f"weight set '{settings.weight_set}' sets {', '.join(ignored)}, "
                "which this indicative round does not score"
            )
    w = global_weights(tree, sheet.level, overrides)
    raw = _without_conflicts(sheet, notes) if settings.exclude_conflicted else sheet.raw
    combined, spread = aggregate(raw, settings.aggregate)
    scores, mask, excluded, missing_notes = _apply_missing(sheet, combined, settings)
    notes += missing_notes

    # Per-option effective weights: the global weights, rescaled over the cells an option has
    # (only --missing renormalise leaves gaps; otherwise every row of ``mask`` is all True).
    member = membership(tree, sheet.level)
    parts = weighted_sum(scores, w, mask, by=member)
    option_totals = parts.sum(axis=1)
    _require_finite(sheet, parts, option_totals)

    excluded_ids = {e.id for e in excluded}
    rejected = [
        SetAside(o.id, o.name, f"rejected: {spec.status_reason}", float(option_totals[i]))
        for i, (o, spec) in enumerate(zip(sheet.options, sheet.spec.options, strict=True))
        if spec.status == "rejected"
    ]
    excluded_ids |= {r.id for r in rejected}
    screened = [
        SetAside(
            o.id,
            o.name,
            "; ".join(f"failed gate '{g.name}': {g.reason}" for g in o.gate_failures),
            float(option_totals[i]),
            o.gate_failures,
        )
        for i, o in enumerate(sheet.options)
        if o.gate_failures and o.id not in excluded_ids
    ]
    filtered = _filtered(sheet, settings, notes)
    set_aside = excluded_ids | {s.id for s in screened} | filtered
    kept = [i for i, o in enumerate(sheet.options) if o.id not in set_aside]
    ranks = competition_ranks(option_totals[kept])
    ranked = [
        RankedOption(
            id=sheet.options[i].id,
            name=sheet.options[i].name,
            rank=int(ranks[k]),
            total=float(option_totals[i]),
            contributions={c: float(parts[i, m]) for m, c in enumerate(tree.top_ids)},
            status_quo=sheet.options[i].status_quo,
            notes=sheet.options[i].notes,
            kept_for_comparison=bool(settings.statuses)
            and sheet.options[i].status_quo
            and sheet.spec.options[i].status not in settings.statuses,
        )
        # rank order; equal ranks keep the order of the file
        for k, i in sorted(enumerate(kept), key=lambda pair: (ranks[pair[0]], pair[0]))
    ]
    _require_options(sheet, settings, ranked, excluded, screened, rejected, filtered)
    return Ranking(
        sheet=sheet,
        weight_set=settings.weight_set,
        aggregate=settings.aggregate,
        weights={leaf: float(w[j]) for j, leaf in enumerate(sheet.leaf_ids)},
        options=tuple(ranked),
        screened_out=tuple(screened),
        excluded=tuple(excluded),
        rejected=tuple(rejected),
        disagreements=_disagreements(sheet, spread, w),
        spread=spread,
        notes=tuple(notes),
        settings=settings,
        scores=np.where(mask, scores, np.nan),
    )


def _require_finite(sheet: ScoreSheet, parts: FloatArray, option_totals: FloatArray) -> None:
    """Refuse a total or contribution that is not a finite number, rather than show it.

    Validation bounds every number read (``model.MAX_MAGNITUDE``, with the reasoning there) so
    that this cannot happen; every figure shown comes from these totals, so this one check
    keeps a slip in that reasoning from reaching any output as ``nan`` or ``inf``.
    """
    bad = ~np.isfinite(option_totals) | ~np.isfinite(parts).all(axis=1)
    if not bad.any():
        return
    i = int(np.flatnonzero(bad)[0])
    raise InputError(
        sheet.path,
        f"options[{i}]",
        f"option '{sheet.options[i].id}': its weighted total is not a finite number "
        f"({float(option_totals[i])}); scores and weights must be finite numbers from -1e12 "
        "to 1e12",
    )


def _require_options(
    sheet: ScoreSheet,
    settings: Settings,
    ranked: list[RankedOption],
    excluded: list[SetAside],
    screened: list[SetAside],
    rejected: list[SetAside],
    filtered: set[str],
) -> None:
    """Refuse a ranking that sets aside every option but the status quo, saying why.

    The status quo is the comparator, not a candidate: a table of it alone (or of nothing)
    would read as a result. A file that sets nothing aside is ranked as it is.
    """
    if any(not o.status_quo for o in ranked):
        return
    reasons = []
    if excluded:
        why = ", conflicted scores left out" if settings.exclude_conflicted else ""
        reasons.append(
            f"{len(excluded)} set aside by {setting('missing', settings.missing)} "
            f"(missing scores{why})"
        )
    if screened:
        reasons.append(f"{len(screened)} failed a gate")
    if rejected:
        reasons.append(f"{len(rejected)} rejected in the option register")
    if filtered:
        reasons.append(
            f"{len(filtered)} left out by {setting('statuses', ' or '.join(settings.statuses))}"
        )
    if not reasons:
        return
    left = (
        f"only the status quo '{ranked[0].id}' remains, and it is the comparator"
        if ranked
        else "nothing remains"
    )
    raise InputError(
        sheet.path, "options", f"no option is left to rank: {', '.join(reasons)}; {left}"
    )


def _without_conflicts(sheet: ScoreSheet, notes: list[str]) -> FloatArray:
    """The raw scores with each scorer's cells blanked for options they declared an interest in."""
    raw = sheet.raw.copy()
    row = {o.id: i for i, o in enumerate(sheet.options)}
    for s, scorer in enumerate(sheet.scorer_ids):
        info = sheet.spec.scorers.get(scorer)
        for option_id, interest in (info.interests if info else {}).items():
            if option_id in row and not np.isnan(raw[s, row[option_id]]).all():
                raw[s, row[option_id]] = np.nan
                notes.append(
                    f"{sheet.path}: left out {scorer}'s scores for {option_id} "
                    f"(declared interest: {interest})"
                )
    return raw


def _filtered(sheet: ScoreSheet, settings: Settings, notes: list[str]) -> set[str]:
    """Options left out because their register status is not one of those asked for.

    The status quo stays, as the comparator; options that failed a gate stay listed apart.
    """
    if not settings.statuses:
        return set()
    if "rejected" in settings.statuses:
        raise ParameterError(
            "statuses", "rejected options are never ranked (every output lists them apart)"
        )
    out = {
        o.id
        for o in sheet.spec.options
        if o.status not in settings.statuses and o.status != "rejected" and not o.status_quo
    }
    if out:
        notes.append(
            f"{sheet.path}: ranking only options with status {', '.join(settings.statuses)} "
            f"and the status quo; left out: {', '.join(sorted(out))}"
        )
    return out


def _disagreements(sheet: ScoreSheet, spread: Spread, w: FloatArray) -> Disagreements:
    if not sheet.per_scorer:
        return Disagreements(sheet, spread, w, np.zeros(0, np.int64), np.zeros(0, np.int64))
    span = DISAGREEMENT_SPAN * (sheet.scale.max - sheet.scale.min)
    heavy = w >= 1.0 / len(w) - 1e-12
    rows, columns = np.nonzero((spread.n >= 2) & (spread.high - spread.low >= span - 1e-12) & heavy)
    return Disagreements(sheet, spread, w, rows, columns)
