"""Stochastic multicriteria acceptability analysis (SMAA-2) of one ranking.

Weights are drawn at random (and, on request, scores too); each draw ranks the options by
weighted total, totals within 1e-9 tying as in ``rank``, and a tied draw is shared equally among
the tied options (never broken at random). Over many draws this gives, per option, the share of
draws in which it took each rank (rank acceptability), the mean weights that make it first
(central weights), how reliably it is first at those weights (confidence) and how often it
beats each other option (pairwise). The measures are those of Lahdelma and Salminen (2001),
"SMAA-2: Stochastic multicriteria acceptability analysis for group decision making",
Operations Research 49(3).

Work is done ``chunk`` samples at a time, each chunk with its own generator spawned from
``np.random.SeedSequence(seed)``: memory stays bounded, and a seed repeats exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from appraise.analysis.parallel import in_order
from appraise.analysis.smaa_draws import BLOCK_CELLS, Draws, sample_weights, score_draws
from appraise.choices import DISTRIBUTIONS, SCORE_NOISES, Distribution, ScoreNoise
from appraise.data import FloatArray
from appraise.errors import InputError, ParameterError
from appraise.kernel import (
    TIE_TOLERANCE,
    first_share_of,
    first_shares,
    tie_blocks,
    weighted_sum,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from appraise.analysis.scoring import Ranking

IntArray = npt.NDArray[np.int64]

MAX_SAMPLES = 10_000_000


# An argument out of range, naming the command-line option that sets it; the CLI exits 2.


@dataclass(frozen=True)
class SmaaResult:
    """Acceptability measures for the ranked options, in the ranking's order.

    Attributes:
        option_ids: The ranked options, in rank order.
        leaf_ids: The leaves weights are given over, in the sheet's order.
        samples: Weight draws made.
        seed: Seed of the ``np.random.SeedSequence`` every generator came from.
        distribution: How weights were drawn.
        concentration: Spread of the ``dirichlet`` draws (None for the other distributions).
        score_noise: How scores were drawn.
        rank_acceptability: Options x ranks: share of draws in which each option took each rank;
            k options tied (as ``rank`` ties totals) over ranks r..r+k-1 take 1/k of each.
        central_weights: Options x leaves: mean weights over the draws in which the option was
            first, a draw it tied for first with k - 1 others counting 1/k (a row of NaN if it
            never was first).
        confidence: Per option, share of score draws in which it is first with the weights
            fixed at its central weights, a k-way tie for first counting 1/k; NaN if it was
            never first.
        pairwise: Options x options, of today's first ``PAIRWISE_OPTIONS`` (all, up to 50):
            share of draws in which the row option's total is above the column option's, a tie
            counting half (the diagonal is 0).
    """

    option_ids: tuple[str, ...]
    leaf_ids: tuple[str, ...]
    samples: int
    seed: int
    distribution: Distribution
    concentration: float | None
    score_noise: ScoreNoise
    rank_acceptability: FloatArray
    central_weights: FloatArray
    confidence: FloatArray
    pairwise: FloatArray

    @property
    def pairwise_ids(self) -> tuple[str, ...]:
        """The options ``pairwise`` covers: today's first (all of them, up to 50)."""
        return self.option_ids[: len(self.pairwise)]

    def p_first(self) -> FloatArray:
        """Share of draws in which each option is first."""
        return self.rank_acceptability[:, 0].copy()

    def p_top(self, k: int) -> FloatArray:
        """Share of draws in which each option is among the first ``k``."""
        if k < 1:
            raise ParameterError("k", f"must be at least 1, got {k}")
        top: FloatArray = self.rank_acceptability[:, :k].sum(axis=1)
        return top


# --- ranking each draw ----------------------------------------------------------------------
#
# Ties follow ``rank``: totals within TIE_TOLERANCE of the next better one share its block
# (``scoring.tie_blocks``), and a tied draw is shared equally, never broken at random. k options
# tied over ranks r..r+k-1 each take 1/k of each of those ranks (so every rank is still given
# out once per draw); a tie for first gives each 1/k of first place, and 1/k of that draw's
# weights towards its central weights; a tie between two options counts half a win to each.


def _level(totals: FloatArray, order: IntArray, start: IntArray) -> FloatArray:
    """Totals with every tied option raised to the best total of its block (draws x options).

    Two options then compare equal exactly when ``rank`` would tie them.
    """
    ranked = np.take_along_axis(totals, order, axis=1)
    level = np.empty_like(totals)
    np.put_along_axis(level, order, np.take_along_axis(ranked, start, axis=1), axis=1)
    return level


# Rank counts are kept per (block size, option, block start) in one dense array while it stays
# this small (up to 128 options); beyond, per key in a dict.
DENSE_RANK_KEYS = 1 << 21
# Pairwise wins are counted among the first PAIRWISE_OPTIONS options of today's ranking: every
# pair of 2,000 options would be four million comparisons a draw, for a table nobody reads.
PAIRWISE_OPTIONS = 50


def pairwise_count(n_options: int) -> int:
    """How many options (today's first) the pairwise wins are counted among."""
    return min(n_options, PAIRWISE_OPTIONS)


# A chunk's draws are counted a slice at a time, the slice's totals (or its pairs of options'
# comparisons) within about SLICE_BYTES, so they stay in a core's cache; how a chunk is sliced
# changes no figure.
SLICE_BYTES = 1 << 20


def _slice(n_options: int, pairs: int) -> int:
    """Draws in a slice: a multiple of 8 up to 2,040 (as ``_above`` counts), within SLICE_BYTES."""
    fit = SLICE_BYTES // max(8 * n_options, pairs * pairs, 1)
    return max(8, min(2040, fit // 8 * 8))


def _above(position: npt.NDArray[np.signedinteger]) -> IntArray:
    """Options x options: in how many draws the row option's position is above the column's.

    ``position`` is options x draws (at most 2,040). Each comparison is a byte, 0 or 1, so
    eight at a time are added as one 64-bit word: each byte of the sum counts its own draws,
    up to 255 words (2,040 draws) without carrying into the next.
    """
    k, draws = position.shape
    flags = np.empty((k, k, -(-draws // 8) * 8), dtype=bool)
    flags[:, :, draws:] = False
    np.greater(position[:, None, :], position[None, :, :], out=flags[:, :, :draws])
    lanes = flags.view(np.uint64).sum(axis=2)
    above: IntArray = lanes.view(np.uint8).reshape(k, k, 8).sum(axis=2, dtype=np.int64)
    return above


CHUNK = 50_000  # weight draws made and counted at once ...
CHUNK_CELLS = 5_000_000  # ... at most this many totals (draws x options): 40 MB an array
PARALLEL_RANK_CELLS = 4_000_000  # options x options past which chunks are counted one by one


def chunk_for(n_options: int) -> int:
    """Draws a chunk holds: ``CHUNK``, fewer for over 100 options, so memory stays bounded.

    Results depend on the chunk (each has its own generator), so a seeded run of a group of
    over 100 options differs from one made before this bound (appraise 0.1 and earlier).
    """
    return max(1, min(CHUNK, CHUNK_CELLS // max(n_options, 1)))


@dataclass
class _Tally:
    """Counts accumulated over chunks, whole numbers so that equal shares come out equal."""

    n_options: int
    n_leaves: int
    ranks: IntArray = field(init=False)  # (block size - 1) * n * n + option * n + block start
    sparse: dict[int, int] = field(init=False)  # the same, by key, when too many for ``ranks``
    beats: IntArray = field(init=False)  # row option's total above column option's (the first k)
    first_weights: FloatArray = field(init=False)  # sum of weights x share of first
    record: bool = False  # keep each chunk's first-place weights apart, to add them in order
    increments: list[FloatArray] = field(init=False)

    def __post_init__(self) -> None:
        self.increments = []
        n = self.n_options
        dense = n**3 <= DENSE_RANK_KEYS
        self.ranks = np.zeros(n**3 if dense else n * n, np.int64)
        self.sparse = {}
        k = pairwise_count(n)
        self.beats = np.zeros((k, k), np.int64)
        self.first_weights = np.zeros((n, self.n_leaves))

    def add(self, totals: FloatArray, weights: FloatArray) -> None:
        """Count one chunk: its totals per draw (draws x options) and weights.

        The draws are counted a cache-sized slice at a time (``_slice``), each untied draw as
        it comes; the draws with a tie are set aside and counted shared at the end, then the
        first-place weights of the untied ones, each option's sum in draw order over the
        whole chunk (as one count of the chunk would add them: the same bits).
        """
        n = self.n_options
        winners = np.empty(len(totals), np.int64)
        tied: list[IntArray] = []
        step = _slice(n, len(self.beats))
        # Per cell of a slice (draws x options, row-major): its draw, and place from the best.
        draw = np.arange(min(step, len(totals))).repeat(n)
        place = np.tile(np.arange(n - 1, -1, -1), min(step, len(totals)))
        for begin in range(0, len(totals), step):
            end = min(begin + step, len(totals))
            rows = self._add_slice(totals[begin:end], winners[begin:end], draw, place)
            if len(rows):
                tied.append(rows + begin)
        first_weights = weights
        if tied:
            rows = np.concatenate(tied)
            blocks = tie_blocks(totals[rows])  # every row has a tie
            self._add_tied(totals[rows], blocks.order, blocks.start, blocks.size, weights[rows])
            if len(rows) == len(totals):
                return
            untied = np.ones(len(totals), dtype=bool)
            untied[rows] = False
            winners, first_weights = winners[untied], weights[untied]
        self._first(
            np.stack(
                [
                    np.bincount(winners, weights=first_weights[:, j], minlength=n)
                    for j in range(self.n_leaves)
                ],
                axis=1,
            )
        )

    def _add_slice(
        self, totals: FloatArray, winners: IntArray, draw: IntArray, place: IntArray
    ) -> IntArray:
        """Count a slice's draws that have no tie; return the others (to count shared).

        Each draw's options are sorted once, ascending (place p from the best is position
        n - 1 - p, so no reversed copy is made); a draw has a tie when two neighbours in that
        order are within the tolerance (the gaps ``tie_blocks`` takes, the same subtractions).
        ``winners`` receives each draw's best option; ``draw`` and ``place`` give each cell's draw
        and place from the best (flat, row-major, for as many draws or more).
        """
        size, (draws, n), k = totals.size, totals.shape, len(self.beats)
        order = np.argsort(totals, axis=1)
        winners[:] = order[:, -1]
        flat = order.reshape(-1)
        index = np.multiply(draw[:size], n)
        index += flat  # each place's cell of ``totals``
        ranked = totals.reshape(-1).take(index).reshape(draws, n)
        joins = ranked[:, 1:] - ranked[:, :-1] <= TIE_TOLERANCE
        rows = np.flatnonzero(joins.any(axis=1)) if joins.any() else np.zeros(0, np.int64)
        # Each option's position (0 the lowest), options down the first axis: pairs of options
        # then compare as small integers, along draws.
        position = np.empty((n, draws), np.int8 if n <= 127 else np.int16)
        np.multiply(flat, draws, out=index)
        index += draw[:size]
        position.reshape(-1)[index.reshape(draws, n)] = np.arange(n, dtype=position.dtype)
        np.multiply(flat, n, out=flat)
        flat += place[:size]  # option * n + place: a key per rank count
        if len(rows):
            untied = np.ones(len(totals), dtype=bool)
            untied[rows] = False
            order, position = order[untied], position[:, untied]
        np.add.at(self.ranks, order.reshape(-1), 1)  # keys below n * n: counts in no tie
        self.beats += _above(position[:k])
        return rows

    def _first(self, increment: FloatArray) -> None:
        """Add one part of a chunk's first-place weights (or keep it, to add in chunk order)."""
        if self.record:
            self.increments.append(increment)
        else:
            self.first_weights += increment

    def merge(self, part: _Tally) -> None:
        """Add the counts of one chunk, counted apart (``record``), as ``add`` would have.

        Whole-number counts add in any order; the first-place weights are added part by part
        in the order ``add`` adds them, so the sums are the same to the last bit.
        """
        self.ranks += part.ranks
        for key, count in part.sparse.items():
            self.sparse[key] = self.sparse.get(key, 0) + count
        self.beats += part.beats
        for increment in part.increments:
            self.first_weights += increment

    def _add_tied(
        self,
        totals: FloatArray,
        order: IntArray,
        start: IntArray,
        size: IntArray,
        weights: FloatArray,
    ) -> None:
        """Count draws with a tie (see ``scoring.TieBlocks``), each tie shared equally."""
        n = self.n_options
        keys = (size - 1) * n * n + order * n + start
        if len(self.ranks) == n**3:
            self.ranks += np.bincount(keys.ravel(), minlength=n**3)
        else:
            found, counts = np.unique(keys, return_counts=True)
            for key, count in zip(found.tolist(), counts.tolist(), strict=True):
                self.sparse[key] = self.sparse.get(key, 0) + count
        level = _level(totals, order, start)
        self.beats += self._wins(level[:, : len(self.beats)])
        # Every option in a draw's first block, draw by draw (row-major), so each option's sum
        # runs in draw order whatever its place in a block: equal options, equal sums.
        draws, places = np.nonzero(start == 0)
        firsts = order[draws, places]
        share = weights[draws] / size[draws, :1]
        self._first(
            np.stack(
                [
                    np.bincount(firsts, weights=share[:, j], minlength=n)
                    for j in range(self.n_leaves)
                ],
                axis=1,
            )
        )

    def _wins(self, level: FloatArray) -> IntArray:
        """Options x options: in how many draws the row option's total is above the column's."""
        n = level.shape[1]
        wins = np.zeros((n, n), np.int64)
        step = max(1, BLOCK_CELLS // n)
        for begin in range(0, len(level), step):
            part = np.ascontiguousarray(level[begin : begin + step].T)  # options x draws
            for a in range(n - 1):
                wins[a, a + 1 :] += np.count_nonzero(part[a] > part[a + 1 :], axis=1)
                wins[a + 1 :, a] += np.count_nonzero(part[a] < part[a + 1 :], axis=1)
        return wins

    def acceptability(self, samples: int) -> FloatArray:
        """Options x ranks: each option's share of the draws at each rank.

        An option in a block of k starting at place s takes 1/k of each rank s..s+k-1.
        """
        n = self.n_options
        out: FloatArray = self.ranks[: n * n].reshape(n, n) / samples  # in no tie
        dense = np.flatnonzero(self.ranks[n * n :]) + n * n
        keys = np.concatenate([dense, np.fromiter(self.sparse, np.int64, len(self.sparse))])
        if not len(keys):
            return out
        counts = np.concatenate(
            [self.ranks[dense], np.fromiter(self.sparse.values(), np.int64, len(self.sparse))]
        )
        size, rest = np.divmod(keys, n * n)
        option, first = np.divmod(rest, n)
        # Each key's share added to each of its ranks in turn, key by key (np.add.at adds in
        # the order given), as a loop over the keys would: the same sums to the last bit.
        width = size + 1
        key_of = np.repeat(np.arange(len(keys)), width)
        offset = np.arange(len(key_of)) - np.repeat(np.cumsum(width) - width, width)
        share = counts / (width * samples)
        np.add.at(out, (option[key_of], first[key_of] + offset), share[key_of])
        return out

    def pairwise(self, samples: int) -> FloatArray:
        """Options x options: wins of the row option, a tie counting half (diagonal 0)."""
        ties = samples - self.beats - self.beats.T
        out: FloatArray = (2 * self.beats + ties) / (2 * samples)
        np.fill_diagonal(out, 0.0)
        return out


# --- the validated entry point --------------------------------------------------------------


def _check_arguments(
    samples: int,
    seed: int,
    distribution: str,
    concentration: float,
    score_noise: str,
    chunk: int,
) -> None:
    if not 1 <= samples <= MAX_SAMPLES:
        raise ParameterError("samples", f"must be between 1 and {MAX_SAMPLES:,}, got {samples:,}")
    if seed < 0:
        raise ParameterError("seed", f"must be 0 or more, got {seed}")
    if distribution not in DISTRIBUTIONS:
        raise ParameterError("distribution", f"must be one of {', '.join(DISTRIBUTIONS)}")
    if not (np.isfinite(concentration) and concentration > 0):
        raise ParameterError("concentration", f"must be a positive number, got {concentration:g}")
    if score_noise not in SCORE_NOISES:
        raise ParameterError("score_noise", f"must be one of {', '.join(SCORE_NOISES)}")
    if chunk < 1:
        raise ParameterError("chunk", f"must be at least 1, got {chunk}")


def draw_chunks(
    samples: int, chunk: int, seed: int, stream: int
) -> Iterator[tuple[int, np.random.Generator]]:
    """(size, generator) per chunk of ``samples``.

    Chunk i of a stream draws from ``SeedSequence(seed, spawn_key=(stream, i))``, the
    generator ``SeedSequence(seed).spawn(...)`` twice over would give, made only when needed.
    """
    for number, start in enumerate(range(0, samples, chunk)):
        child = np.random.SeedSequence(seed, spawn_key=(stream, number))
        yield min(chunk, samples - start), np.random.default_rng(child)


def draw_totals(scores: Draws, weights: FloatArray, rng: np.random.Generator) -> FloatArray:
    """Totals per draw (draws x options), drawing scores too unless they are fixed."""
    if scores.noise == "none":
        return weighted_sum(scores.fixed, weights, scores.given)
    out = np.empty((len(weights), len(scores.fixed)))
    for start in range(0, len(weights), scores.batch()):
        part = weights[start : start + scores.batch()]
        out[start : start + len(part)] = weighted_sum(
            scores.draw(rng, len(part)), part, scores.given
        )
    return out


@dataclass(frozen=True)
class _Settle:
    """The confidence pass's first places where the panel's means need not be weighed one by one.

    With ``scorers`` noise, the mean and every scorer scoring every cell, a drawn panel's total
    for an option under a weighting is the scorers' own totals (weighed once) times how often
    each was drawn, over the panel's size: the total weighing the drawn mean gives, but for
    rounding, which is at most ``margin`` apart (both sums' error bounds, many times over).
    Where no other option comes within the tie tolerance plus ``margin`` of a draw's best, the
    exact totals have that best alone within the tolerance, so its share is 1 and the rest 0,
    the same numbers; every other draw is weighed exactly, as it always was.
    """

    per_scorer: FloatArray  # (options x weightings) x scorers: scorer's total / panel's size
    weightings: int
    margin: float

    @classmethod
    def of(cls, scores: Draws, weights: FloatArray) -> _Settle | None:
        """The scorers' totals under ``weights`` (weightings x leaves), or None where not exact."""
        raw = scores.raw
        if scores.noise != "scorers" or scores.method != "mean" or scores.given is not None:
            return None
        if not np.isfinite(raw).all():  # a gap: each cell's mean has its own divisor
            return None
        panel, options, leaves = raw.shape
        totals = (raw.reshape(panel * options, leaves) @ weights.T) / panel
        per_scorer = np.ascontiguousarray(
            totals.reshape(panel, options * len(weights)).T  # options x weightings, scorers
        )
        # A sum of m products is within m units of rounding (2^-53) of the sum of their sizes,
        # in any order, fused or not; a total here and one weighed exactly are each within
        # (leaves + panel + 2) units of |score| x sum(weights) of the true one, so within twice
        # that (2^-52) of each other, near a best within one more; 128 times more is kept.
        size = float(np.abs(raw).max()) * float(np.abs(weights).sum(axis=1).max())
        unit = 2.0**-52
        margin = 128 * (leaves + panel + 4) * unit * size + 4 * unit * TIE_TOLERANCE
        return cls(per_scorer, len(weights), margin)

    def shares(self, counts: IntArray, item: IntArray, out: FloatArray) -> IntArray:
        """Put each draw's shares of first (draws x weightings) in ``out``; return the draws left.

        ``item[column]`` is the option whose share column ``column`` holds. The draws returned
        (those with another option near the best) are to be weighed exactly.
        """
        draws = len(counts)
        approx = (self.per_scorer @ counts.T.astype(np.float64)).reshape(
            -1, self.weightings, draws
        )  # options x weightings x draws
        floor = approx.max(axis=0)
        floor -= TIE_TOLERANCE + self.margin
        near = (approx >= floor).view(np.uint8).sum(axis=0, dtype=_counter(len(approx)))
        np.greater_equal(approx[item, np.arange(self.weightings), :].T, floor.T, out=out)
        return np.flatnonzero((near > 1).any(axis=0))


def _counter(items: int) -> type[np.unsignedinteger] | type[np.signedinteger]:
    """The narrowest integers that count up to ``items``."""
    return np.uint8 if items < 256 else np.int32


def _confidence(
    scores: Draws, central: FloatArray, samples: int, chunk: int, seed: int
) -> FloatArray:
    """Per option, the share of score draws in which it is first at its central weights.

    A k-way tie for first gives each of the k 1/k of that draw (as in the main simulation); an
    option never first gets NaN; fixed scores give 1, 0 or 1/k.
    """
    out = np.full(len(central), np.nan)
    firsts = np.flatnonzero(~np.isnan(central[:, 0]))
    if scores.noise == "none":
        shares = first_shares(weighted_sum(scores.fixed, central[firsts], scores.given))
        out[firsts] = shares[np.arange(len(firsts)), firsts]  # firsts x options
        return out
    weights = central[firsts]  # firsts x leaves
    # Shares are summed a block of ``step`` draws at a time (the sums' rounding depends on it),
    # and drawn and weighed a cache-sized batch at a time (``Draws.batch``: fixed, as the
    # means of scores with decimals can round differently in a batch of another size).
    step = max(1, min(scores.block, BLOCK_CELLS // (len(central) * len(firsts))))
    batch = scores.batch(len(firsts))
    settle = _Settle.of(scores, weights)

    def exact(draws: FloatArray) -> FloatArray:
        """Draws x firsts: each one's share of first, every draw weighed under every weighting."""
        totals = weighted_sum(draws, weights, scores.given, every=True)
        return first_share_of(np.ascontiguousarray(np.moveaxis(totals, 2, 0)), firsts)

    def count(job: tuple[int, np.random.Generator]) -> list[FloatArray]:
        """One chunk's first places, a sum per block of draws (added in order by the caller)."""
        size, rng = job
        shares = np.empty((size, len(firsts)))  # draws x firsts: each one's share of first
        for start in range(0, size, batch):
            part = shares[start : start + batch]
            if settle is None:
                part[:] = exact(scores.draw(rng, len(part)))
                continue
            counts = scores.times(rng, len(part))
            rows = settle.shares(counts, firsts, part)
            if len(rows):  # the batch's means made as they always are, the same numbers
                part[rows] = exact(scores.resampled(counts)[rows])
        return [shares[start : start + step].sum(axis=0) for start in range(0, size, step)]

    hits = np.zeros(len(firsts))
    for parts in in_order(draw_chunks(samples, chunk, seed, stream=1), count):
        for part in parts:
            hits += part
    out[firsts] = hits / samples
    return out


def smaa(
    ranking: Ranking,
    samples: int = 10_000,
    seed: int = 1,
    distribution: Distribution = "uniform",
    concentration: float = 100.0,
    score_noise: ScoreNoise = "none",
    chunk: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> SmaaResult:
    """Rank acceptability, central weights, confidence and pairwise wins of a ranking's options.

    Args:
        ranking: What ``scoring.rank`` returned; only its ranked options take part.
        samples: Weight draws, 1 to 10,000,000.
        seed: Seed for ``np.random.SeedSequence``; the same seed and arguments repeat exactly.
        distribution: ``uniform``, ``family`` or ``dirichlet`` (see ``sample_weights``).
        concentration: Spread of ``dirichlet`` around the weights in force; larger is tighter.
        score_noise: ``none`` (scores fixed), ``scorers`` (each draw resamples the panel's
            scorers with replacement and aggregates as the ranking did) or ``range`` (each cell
            uniform between the panel's lowest and highest score for it; a cell one scorer
            gave, or a consensus score, stays fixed).
        chunk: Draws per chunk (default ``chunk_for`` the options); memory grows with it,
            results depend on it.
        progress: Called after each chunk with the number of draws done so far, ending at
            ``samples``. With score noise a second pass of ``samples`` score draws follows
            for the confidence factors; it is not reported.

    Returns:
        The measures, options in the ranking's order.

    Raises:
        ParameterError: An argument out of range, or ``scorers`` noise on consensus scores.
        InputError: No option is left to rank.
    """
    chunk = chunk_for(len(ranking.options)) if chunk is None else chunk
    _check_arguments(samples, seed, distribution, concentration, score_noise, chunk)
    sheet = ranking.sheet
    if not ranking.options:
        raise InputError(sheet.path, "options", "no option is left to rank, so none to sample")
    index = {option.id: i for i, option in enumerate(sheet.options)}
    scores = score_draws(ranking, [index[option.id] for option in ranking.options], score_noise)
    base = np.array([ranking.weights[leaf] for leaf in sheet.leaf_ids])
    tally = _Tally(len(ranking.options), len(base))

    def count(job: tuple[int, np.random.Generator]) -> tuple[int, _Tally]:
        size, rng = job
        weights = sample_weights(
            sheet.tree, sheet.level, base, distribution, concentration, size, rng
        )
        part = _Tally(len(ranking.options), len(base), record=True)
        part.add(draw_totals(scores, weights, rng), weights)
        return size, part

    done = 0
    # Each chunk counted apart holds options x options rank counts: past 2,000 options (32 MB
    # each) one chunk at a time, so memory stays within a GiB at 5,000.
    n = len(ranking.options)
    threads = 1 if n * n > PARALLEL_RANK_CELLS else None
    chunks = draw_chunks(samples, chunk, seed, stream=0)
    for size, part in in_order(chunks, count, threads):
        tally.merge(part)
        done += size
        if progress is not None:
            progress(done)
    acceptability = tally.acceptability(samples)
    with np.errstate(invalid="ignore", divide="ignore"):  # never first: 0 / 0 is NaN, wanted
        central = tally.first_weights / (acceptability[:, :1] * samples)
    return SmaaResult(
        option_ids=tuple(option.id for option in ranking.options),
        leaf_ids=sheet.leaf_ids,
        samples=samples,
        seed=seed,
        distribution=distribution,
        concentration=concentration if distribution == "dirichlet" else None,
        score_noise=score_noise,
        rank_acceptability=acceptability,
        central_weights=central,
        confidence=_confidence(scores, central, samples, chunk, seed),
        pairwise=tally.pairwise(samples),
    )
