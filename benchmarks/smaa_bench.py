"""Time ``appraise.analysis.smaa.smaa`` against a per-sample Python loop and peer MCDA libraries.

Run from the repository root:

    python benchmarks/smaa_bench.py            # 10^4, 10^5, 10^6 samples
    python benchmarks/smaa_bench.py --quick    # 10^4, 10^5 and shorter baselines

The problem is 20 options x 12 leaf criteria with random scores on a 1..5 scale, uniform
(Dirichlet(1, ..., 1)) weights and fixed scores. The baselines do the same work per sample
(draw weights, weighted totals, rank, count ranks, pairwise wins and first-place weights) in a
plain Python loop; they are timed on fewer samples and their per-sample time is extrapolated,
which the output says. Peers (``pip install -e '.[bench]'``) are skipped when not installed.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appraise import load_scores, rank
from appraise.analysis.scoring import Ranking
from appraise.analysis.smaa import smaa

N_OPTIONS, N_LEAVES = 20, 12
Step = Callable[[np.ndarray, np.random.Generator], None]


def problem(folder: Path, seed: int = 2026) -> Ranking:
    """A 20 x 12 scores file and its criteria (weights 8 x 8 + 4 x 9 = 100), ranked."""
    weights = [8] * 8 + [9] * 4
    criteria = "".join(
        f"  - {{id: c{j}, name: Criterion {j}, weight: {w}}}\n" for j, w in enumerate(weights)
    )
    (folder / "criteria.yaml").write_text(f"title: Benchmark\ncriteria:\n{criteria}")
    scores = np.random.default_rng(seed).uniform(1, 5, (N_OPTIONS, N_LEAVES)).round(1)
    options = "".join(
        f"  - {{id: o{i}, name: Option {i}, scores: {{"
        + ", ".join(f"c{j}: {scores[i, j]}" for j in range(N_LEAVES))
        + "}}\n"
        for i in range(N_OPTIONS)
    )
    path = folder / "scores.yaml"
    path.write_text(
        "group: bench\nname: Benchmark\ncriteria: criteria.yaml\n"
        f"scale: {{min: 1, max: 5}}\noptions:\n{options}"
    )
    return rank(load_scores(path))


class Counts:
    """What every baseline accumulates per sample, as ``smaa`` does."""

    def __init__(self) -> None:
        self.ranks = np.zeros((N_OPTIONS, N_OPTIONS), np.int64)
        self.beats = np.zeros((N_OPTIONS, N_OPTIONS), np.int64)
        self.first_weights = np.zeros((N_OPTIONS, N_LEAVES))
        self.positions = np.arange(N_OPTIONS)

    def add(self, order: np.ndarray, totals: np.ndarray, w: np.ndarray) -> None:
        self.ranks[order, self.positions] += 1
        self.beats += totals[:, None] > totals[None, :]
        self.first_weights[order[0]] += w


def numpy_loop(scores: np.ndarray) -> Step:
    """One sample at a time with numpy: Dirichlet draw, S @ w, argsort, counts."""
    counts = Counts()
    ones = np.ones(N_LEAVES)

    def step(_: np.ndarray, rng: np.random.Generator) -> None:
        w = rng.dirichlet(ones)
        totals = scores @ w
        counts.add(np.argsort(-totals), totals, w)

    return step


def pymcdm_loop(scores: np.ndarray) -> Step | None:
    """pymcdm's WSM, with an identity normalisation so it is the plain weighted sum."""
    try:
        from pymcdm.methods import WSM
    except ImportError:
        return None
    wsm = WSM(normalization_function=lambda column, cost: column)
    types = np.ones(N_LEAVES)
    counts = Counts()
    ones = np.ones(N_LEAVES)

    def step(_: np.ndarray, rng: np.random.Generator) -> None:
        w = rng.dirichlet(ones)
        totals = wsm(scores, w, types)
        order = np.argsort(wsm.rank(totals), kind="stable")  # pymcdm ranks 1 = best
        counts.add(order, totals, w)

    return step


def skcriteria_loop(scores: np.ndarray) -> Step | None:
    """scikit-criteria's WeightedSumModel on a decision matrix built per sample."""
    try:
        import skcriteria as skc
        from skcriteria.agg.simple import WeightedSumModel
    except ImportError:
        return None
    model = WeightedSumModel()
    objectives = [max] * N_LEAVES
    counts = Counts()
    ones = np.ones(N_LEAVES)

    def step(_: np.ndarray, rng: np.random.Generator) -> None:
        w = rng.dirichlet(ones)
        result = model.evaluate(skc.mkdm(scores, objectives, weights=w))
        totals = result.e_.score
        counts.add(np.argsort(result.rank_, kind="stable"), totals, w)

    return step


def per_sample_seconds(step: Step, samples: int, scores: np.ndarray) -> float:
    """Seconds per sample of a loop baseline, timed over ``samples`` samples."""
    rng = np.random.default_rng(1)
    start = time.perf_counter()
    for _ in range(samples):
        step(scores, rng)
    return (time.perf_counter() - start) / samples


def time_smaa(ranking: Ranking, samples: int) -> float:
    """Best of a few runs for small counts, one run for large ones."""
    repeats = 3 if samples <= 100_000 else 1
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        smaa(ranking, samples)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts, for a smoke run")
    args = parser.parse_args()
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    baseline_samples = {
        "numpy loop": 2_000 if args.quick else 10_000,
        "pymcdm WSM": 500 if args.quick else 2_000,
        "scikit-criteria WSM": 100 if args.quick else 300,
    }
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} CPU(s), {platform.machine()}"
    )
    print(f"{N_OPTIONS} options x {N_LEAVES} leaves, uniform weights, fixed scores\n")

    with tempfile.TemporaryDirectory() as folder:
        ranking = problem(Path(folder))
    assert ranking.scores is not None
    scores = ranking.scores

    rates: dict[str, float] = {}
    for name, make in [
        ("numpy loop", numpy_loop),
        ("pymcdm WSM", pymcdm_loop),
        ("scikit-criteria WSM", skcriteria_loop),
    ]:
        step = make(scores)
        if step is None:
            print(f"{name}: not installed, skipped (pip install -e '.[bench]')")
            continue
        n = baseline_samples[name]
        rates[name] = per_sample_seconds(step, n, scores)
        print(
            f"{name}: {rates[name] * 1e6:,.1f} us/sample, timed on {n:,} samples; "
            "larger counts below are extrapolated"
        )
    print()

    header = f"{'samples':>10} {'smaa s':>9} {'samples/s':>12}"
    header += "".join(f" {('x ' + name):>22}" for name in rates)
    print(header)
    for samples in sizes:
        seconds = time_smaa(ranking, samples)
        row = f"{samples:>10,} {seconds:>9.3f} {samples / seconds:>12,.0f}"
        row += "".join(f" {rate * samples / seconds:>22,.0f}" for rate in rates.values())
        print(row)
    print("\nx NAME = the loop's extrapolated time for that many samples / smaa's measured time")


if __name__ == "__main__":
    main()
