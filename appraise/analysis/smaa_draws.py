"""What SMAA draws at random: weights (three distributions) and, on request, scores.

Weights: ``uniform`` over every weighting of the leaves, ``family`` per criterion then per
sub-criterion, ``dirichlet`` centred on today's weights. Scores: fixed, a panel resampled with
replacement (the bootstrap), or anywhere in each cell's min-max range.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from appraise.choices import Distribution, ScoreNoise
from appraise.data import CriteriaTree, FloatArray, Level
from appraise.errors import AppraiseError, ParameterError
from appraise.kernel import aggregate
from appraise.weights import membership

if TYPE_CHECKING:
    from appraise.analysis.scoring import Ranking
    from appraise.choices import Aggregate

IntArray = npt.NDArray[np.int64]
# Largest temporary array (in elements) built at once inside a chunk: score draws are
# samples x options x leaves and pairwise comparisons samples x options x options.
BLOCK_CELLS = 1 << 22
# Score draws are made and weighed at most this many cells at a time (draws x options x leaves,
# or draws x options x weightings): about 2 MB, so one batch's arrays stay in a core's cache.
# The batch is part of a seeded result: with whole-number scores a draw's means are the same
# in any batch, but with decimals a product of another height can round a mean differently.
BATCH_CELLS = 1 << 18


# --- weight sampling ------------------------------------------------------------------------


def _simplex(rng: np.random.Generator, n: int, size: int) -> FloatArray:
    """``n`` rows uniform on the simplex of ``size`` parts: normalised unit exponentials."""
    draws: FloatArray = rng.standard_exponential((n, size))
    draws /= draws.sum(axis=1, keepdims=True)
    return draws


def _family(tree: CriteriaTree, level: Level, n: int, rng: np.random.Generator) -> FloatArray:
    """Top-level shares uniform on their simplex, each family's shares uniform on theirs."""
    member = membership(tree, level)  # leaves x criteria
    parent = member.argmax(axis=1)
    top = _simplex(rng, n, member.shape[1])
    if level == "criteria":
        return top
    within = rng.standard_exponential((n, member.shape[0]))
    within /= (within @ member)[:, parent]
    # A criterion without subs is a family of one, whose share is 1 whatever was drawn.
    return top[:, parent] * within


def sample_weights(
    tree: CriteriaTree,
    level: Level,
    base: FloatArray,
    distribution: Distribution,
    concentration: float,
    n: int,
    rng: np.random.Generator,
) -> FloatArray:
    """Draw ``n`` weight vectors over the leaves at ``level``; each row sums to 1.

    Args:
        tree: The criteria tree (its families matter for ``family``).
        level: ``leaves``, or ``criteria`` for an indicative round.
        base: Global weights in force, one per leaf (the centre of ``dirichlet``).
        distribution: ``uniform`` (uniform on the simplex), ``family`` (uniform per family,
            leaf = product) or ``dirichlet`` (Dirichlet(concentration x base)).
        concentration: Larger is tighter around ``base``; used by ``dirichlet`` only.
        n: How many vectors.
        rng: The generator to draw from.

    Returns:
        An ``n`` x leaves array of non-negative weights.
    """
    if distribution == "uniform":
        return _simplex(rng, n, len(base))
    if distribution == "family":
        return _family(tree, level, n, rng)
    # A leaf whose weight in force is 0 stays at 0 (Dirichlet needs positive parameters).
    alpha = concentration * base
    drawn = np.zeros((n, len(base)))
    drawn[:, alpha > 0] = rng.dirichlet(alpha[alpha > 0], size=n)
    return drawn


# --- scores ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draws:
    """The ranked options' scores (options x leaves) and how to draw them."""

    fixed: FloatArray  # scores in use, a left-out cell as 0
    given: FloatArray | None  # 1 where a cell counts, 0 where left out; None when all count
    noise: ScoreNoise = "none"
    method: Aggregate = "mean"
    low: FloatArray = field(default_factory=lambda: np.zeros(0))  # range: panel's min per cell
    high: FloatArray = field(default_factory=lambda: np.zeros(0))  # range: panel's max per cell
    raw: FloatArray = field(default_factory=lambda: np.zeros(0))  # scorers x options x leaves
    sorted_raw: FloatArray = field(default_factory=lambda: np.zeros(0))  # per cell, NaN last
    scorer_at: IntArray = field(default_factory=lambda: np.zeros(0, np.int64))  # who is where

    @property
    def block(self) -> int:
        """Score draws per block, so one block's temporary arrays stay within BLOCK_CELLS."""
        return max(1, BLOCK_CELLS // max(self.fixed.size, 1))

    def batch(self, columns: int = 1) -> int:
        """Score draws per batch, weighed under ``columns`` weightings, within BATCH_CELLS."""
        return max(1, BATCH_CELLS // max(self.fixed.size, len(self.fixed) * columns, 1))

    def draw(self, rng: np.random.Generator, n: int) -> FloatArray:
        """``n`` score matrices (n x options x leaves)."""
        if self.noise == "range":
            drawn: FloatArray = rng.random((n, *self.fixed.shape))
            drawn *= self.high - self.low
            drawn += self.low
            return drawn
        return self.resampled(self.times(rng, n))

    def times(self, rng: np.random.Generator, n: int) -> IntArray:
        """``scorers``: how many times each scorer is taken in each of ``n`` draws (n x scorers)."""
        scorers = len(self.raw)
        counts: IntArray = rng.multinomial(scorers, np.full(scorers, 1.0 / scorers), size=n)
        return counts

    def resampled(self, counts: IntArray) -> FloatArray:
        """``scorers``: the score matrices of panels drawn ``counts`` times (``times``)."""
        if self.method == "median":
            return _bootstrap_median(self.raw, self.sorted_raw, self.scorer_at, counts, self.fixed)
        return _bootstrap_mean(self.raw, counts, self.fixed)


def _bootstrap_mean(raw: FloatArray, counts: IntArray, fallback: FloatArray) -> FloatArray:
    """Mean per cell over a resampled panel (scorer k taken ``counts[:, k]`` times).

    A cell none of the drawn scorers scored keeps ``fallback`` (the ranking's score).
    """
    given = ~np.isnan(raw)
    times = counts.astype(np.float64)
    shape = (len(counts), *fallback.shape)
    sums = times @ np.where(given, raw, 0.0).reshape(len(raw), -1)
    if given.all():  # every draw counts every scorer: the count is the panel's size, exactly
        sums /= len(raw)
        return sums.reshape(shape)
    n_given = times @ given.reshape(len(raw), -1).astype(np.float64)
    out = np.broadcast_to(fallback.reshape(-1), sums.shape).copy()
    np.divide(sums, n_given, out=out, where=n_given > 0)
    return out.reshape(shape)


def _bootstrap_median(
    raw: FloatArray,
    sorted_raw: FloatArray,
    scorer_at: IntArray,
    counts: IntArray,
    fallback: FloatArray,
) -> FloatArray:
    """Median per cell over a resampled panel, as ``np.nanmedian`` of the repeated scores.

    ``sorted_raw`` holds each cell's scores in ascending order (NaN last) and ``scorer_at`` which
    scorer gave each, so a scorer drawn m times is m copies at its place in the order; the median
    of N copies is the mean of the values at sorted places (N - 1) // 2 and N // 2. A cell none
    of the drawn scorers scored keeps ``fallback``.
    """
    n_scorers = len(raw)
    values = sorted_raw.reshape(n_scorers, -1)
    at = scorer_at.reshape(n_scorers, -1)
    scored = ~np.isnan(values)
    total = (counts @ (~np.isnan(raw)).reshape(n_scorers, -1)).astype(np.int32)
    low_place, high_place = (total - 1) // 2, total // 2
    times = counts.astype(np.int32)
    running = np.zeros_like(total)
    low_index = np.zeros_like(total)
    high_index = np.zeros_like(total)
    # Walk up each cell's sorted scores: the median's places are where the running count of
    # copies first passes them.
    for k in range(n_scorers - 1):
        running += times[:, at[k]] * scored[k]
        low_index += running <= low_place
        high_index += running <= high_place
    cells = np.arange(values.shape[1])
    median = 0.5 * (values[low_index, cells] + values[high_index, cells])
    shape = (len(counts), *fallback.shape)
    out: FloatArray = np.where(total.reshape(shape) > 0, median.reshape(shape), fallback)
    return out


def score_draws(ranking: Ranking, kept: list[int], noise: ScoreNoise) -> Draws:
    """The ranked options' scores in rank order, with what ``noise`` needs to redraw them."""
    sheet = ranking.sheet
    if ranking.scores is None:
        raise AppraiseError("this ranking carries no scores; make it with appraise.rank")
    used = ranking.scores[kept]
    left_out = np.isnan(used)
    fixed = np.where(left_out, 0.0, used)
    given = (~left_out).astype(np.float64) if left_out.any() else None
    if noise == "none":
        return Draws(fixed, given)
    if noise == "scorers":
        if not sheet.per_scorer:
            raise ParameterError(
                "score_noise",
                f"'scorers' needs scores per scorer, and {sheet.path} gives consensus scores",
            )
        raw = sheet.raw[:, kept, :]
        scorer_at = np.argsort(raw, axis=0, kind="stable").astype(np.int64)  # NaN sorts last
        sorted_raw = np.take_along_axis(raw, scorer_at, axis=0)
        return Draws(
            fixed,
            given,
            noise,
            ranking.aggregate,
            raw=raw,
            sorted_raw=sorted_raw,
            scorer_at=scorer_at,
        )
    spread = ranking.spread or aggregate(sheet.raw, ranking.aggregate)[1]
    low, high = spread.low[kept], spread.high[kept]
    # A cell nobody scored (filled by --missing baseline, or left out) stays as the ranking has it.
    unscored = np.isnan(low)
    return Draws(
        fixed,
        given,
        noise,
        low=np.where(unscored, fixed, low),
        high=np.where(unscored, fixed, high),
    )
