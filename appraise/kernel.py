"""The numeric kernels: arrays in, arrays out, no checks, no files.

``weighted_sum`` is the one weighted total every analysis computes (rank, SMAA, sensitivity,
combine's robustness); ``aggregate`` combines scorers cell by cell; ``competition_ranks``,
``tie_blocks``, ``first_shares`` and ``first_share_of`` rank with shared ties. Callers validate
once and then call these on as many weight vectors or draws as they like.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from appraise.choices import Aggregate
from appraise.data import FloatArray

TIE_TOLERANCE = 1e-9


def weighted_sum(
    scores: FloatArray,
    weights: FloatArray,
    given: npt.NDArray[np.bool_] | FloatArray | None = None,
    by: FloatArray | None = None,
    every: bool = False,
) -> FloatArray:
    """Each option's weighted sum of its scores: the one kernel every analysis calls.

    An option's weights are rescaled over the cells it was scored on (its given cells' weights
    divided by their sum), so a gap neither counts as zero nor shifts the other options; an
    option scored on no weighted cell totals 0. With every cell given and weights summing to
    1, this is ``scores @ weights``. No checks: callers validate once (``rank``).

    Args:
        scores: Options x leaves, or draws x options x leaves (a score matrix per weight row).
            A cell not given may hold any finite number: it is weighted 0.
        weights: Leaves, or draws x leaves (one weighting per draw).
        given: Options x leaves, true (or 1) where a cell was scored; None: all were.
        by: Leaves x criteria (0/1 membership): return each criterion's part of the sum
            (options x criteria; one weighting only) instead of the sum.
        every: With draws x options x leaves and weightings x leaves, weigh every draw under
            every weighting (draws x weightings x options, a view of an options-first array),
            rather than one weighting a draw.

    Returns:
        Per option (options), per draw and option (draws x options), per draw, weighting and
        option with ``every``, or per option and criterion with ``by``.
    """
    if by is not None:
        effective = weights
        if given is not None:  # options x leaves: each row rescaled over its given cells
            effective = given * weights
            row = effective.sum(axis=1, keepdims=True)
            effective = np.divide(effective, row, out=np.zeros_like(effective), where=row > 0)
        out: FloatArray = (scores * effective) @ by
        return out
    if given is not None:  # only with gaps (--missing renormalise): what a gap holds is 0
        scores = np.where(np.asarray(given, bool), scores, 0.0)
    if every:
        # Each draw's product (options x weightings) is written options first, into a view,
        # so ``np.moveaxis(totals, 2, 0)`` is contiguous and needs no copy: the same products.
        first = np.empty((scores.shape[1], len(scores), len(weights)))
        np.matmul(scores, weights.T, out=first.transpose(1, 0, 2))
        totals: FloatArray = first.transpose(1, 2, 0)
    elif scores.ndim == 3:
        totals = np.einsum("dol,dl->do", scores, weights)
    else:
        totals = weights @ scores.T if weights.ndim == 2 else scores @ weights
    if given is None:
        return totals
    share = weights @ np.asarray(given, np.float64).T
    return np.divide(totals, share, out=np.zeros_like(totals), where=share > 0)


def competition_ranks(
    values: FloatArray, tolerance: float = TIE_TOLERANCE
) -> npt.NDArray[np.int64]:
    """Rank per value, largest first; a value within ``tolerance`` of the previous shares its rank.

    Ties take the best rank of their group and the next rank skips (1, 1, 3), so a rank always
    says how many options did strictly better.
    """
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values), dtype=np.int64)
    for position, index in enumerate(order):
        if position and values[order[position - 1]] - values[index] <= tolerance:
            ranks[index] = ranks[order[position - 1]]
        else:
            ranks[index] = position + 1
    return ranks


@dataclass(frozen=True)
class TieBlocks:
    """Each row of values, best first, cut into blocks of ties by the rule of ``competition_ranks``.

    Attributes:
        order: Rows x items: the item at each place, best first (within a block, any order).
        rows: The rows with a tie, ascending; in every other row each place is a block of one.
        start: ``rows`` x items: the first place of the block each place is in.
        size: ``rows`` x items: how many items that block holds.
    """

    order: npt.NDArray[np.int64]
    rows: npt.NDArray[np.int64]
    start: npt.NDArray[np.int64]
    size: npt.NDArray[np.int64]


def tie_blocks(values: FloatArray, tolerance: float = TIE_TOLERANCE) -> TieBlocks:
    """Per row of ``values`` (rows x items): order, and blocks of tied places, vectorised.

    The rule ``competition_ranks`` applies to one list, on every row at once: in descending
    order, a value within ``tolerance`` of the one before it is in that one's block. A block of
    k items over places r..r+k-1 shares those places equally: each item takes 1/k of each.
    """
    n = values.shape[1]
    # Ascending, read backwards (cheaper than sorting a negated copy); a block is shared
    # equally, so the order within it is immaterial.
    order = np.ascontiguousarray(np.argsort(values, axis=1)[:, ::-1])
    ranked = np.take_along_axis(values, order, axis=1)
    joins = ranked[:, :-1] - ranked[:, 1:] <= tolerance  # place p + 1 joins p's block
    rows = np.flatnonzero(joins.any(axis=1))
    joined = joins[rows]
    places = np.arange(n, dtype=np.int64)
    opens = np.ones((len(rows), n), dtype=bool)  # place p opens a new block
    opens[:, 1:] = ~joined
    start = np.maximum.accumulate(np.where(opens, places, 0), axis=1)
    closes = np.ones_like(opens)  # place p is its block's last
    closes[:, :-1] = ~joined
    ends = np.minimum.accumulate(np.where(closes, places + 1, n)[:, ::-1], axis=1)[:, ::-1]
    return TieBlocks(order, rows, start, ends - start)


def first_shares(values: FloatArray, tolerance: float = TIE_TOLERANCE) -> FloatArray:
    """Per row of ``values`` (... x items), each item's share of first place.

    1/k for each of the k tied best (by the rule of ``competition_ranks``), 0 for the rest.
    """
    if values.shape[-1] < 2:
        return np.ones_like(values)
    # Most rows have one best item, more than ``tolerance`` above all the rest: its share is 1,
    # found without sorting. Only rows with another item that near are sorted, for the chain
    # rule (each item within tolerance of the one before it joins the block).
    best = values.max(axis=-1, keepdims=True)
    near = values >= best - tolerance
    shares: FloatArray = near.astype(values.dtype)
    tied = near.sum(axis=-1) > 1
    if tied.any():
        rows = values[tied]
        ranked = -np.sort(-rows, axis=-1)
        gaps = ranked[..., :-1] - ranked[..., 1:] > tolerance
        k = np.where(gaps.any(axis=-1), gaps.argmax(axis=-1) + 1, rows.shape[-1])
        floor = np.take_along_axis(ranked, (k - 1)[..., None], axis=-1)
        shares[tied] = (rows >= floor) / k[..., None]
    return shares


def first_share_of(
    values: FloatArray, item: npt.NDArray[np.int64], tolerance: float = TIE_TOLERANCE
) -> FloatArray:
    """Per draw and column of ``values`` (items x draws x columns), item ``item[column]``'s share.

    The share of first place ``first_shares`` gives that item among ``values[:, draw, column]``,
    for a whole block at once: items run down the first axis, so the best and the count within
    ``tolerance`` of it are long vector operations, and only draws with a near tie are sorted.
    """
    best = values.max(axis=0)
    floor = best - tolerance
    columns = np.arange(values.shape[2])
    own = values[item, :, columns].T  # draws x columns: the named item's value
    shares: FloatArray = (own >= floor).astype(values.dtype)
    # How many items are within tolerance of the best, counted in the narrowest integers that
    # hold the count (bytes up to 255 items: no widening of each comparison).
    count = np.uint8 if len(values) < 256 else np.int32
    near = (values >= floor).view(np.uint8).sum(axis=0, dtype=count)
    draws, tied = np.nonzero(near > 1)
    if len(draws):
        rows = values[:, draws, tied].T  # tied (draw, column) x items
        shares[draws, tied] = first_shares(rows)[np.arange(len(rows)), item[tied]]
    return shares


@dataclass(frozen=True)
class Spread:
    """Per cell (options x leaves): how many scorers, lowest, highest, sample standard deviation."""

    n: npt.NDArray[np.int64]
    low: FloatArray
    high: FloatArray
    std: FloatArray


def aggregate(raw: FloatArray, method: Aggregate = "mean") -> tuple[FloatArray, Spread]:
    """Combine scorers cell by cell (NaN = not scored); a cell nobody scored stays NaN."""
    given = ~np.isnan(raw)
    n = given.sum(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN cells are expected: missing
        combined = np.nanmedian(raw, axis=0) if method == "median" else np.nanmean(raw, axis=0)
        low, high = np.nanmin(raw, axis=0), np.nanmax(raw, axis=0)
        std = np.where(n >= 2, np.nanstd(raw, axis=0, ddof=1), 0.0)
    return combined, Spread(n.astype(np.int64), low, high, np.nan_to_num(std))
