"""Time ``appraise.analysis.combine.top_combinations`` against trying every combination.

Run from the repository root:

    python benchmarks/combine_bench.py             # 10 instances per size, about 15 s
    python benchmarks/combine_bench.py --quick     # 3 per size, brute force always sampled
    python benchmarks/combine_bench.py --rules 5   # 5 rules of each kind (20) instead of 3

Instances: 5 x 5, 8 x 6, 10 x 8 and 12 x 8 (groups x options), option totals uniform on 1..5,
a ``capital`` attribute 0..99 per option, and three random rules of each kind (``requires`` of
2-3 options, ``excludes`` of 2, ``one_of`` of 2-4, ``at_most: 1`` of 2-4). Each instance is
solved for the top 10, with the rules alone and with a binding cap (capital at most 40 per
group on average, where a group's options average 49.5). ``brute_force``
(``itertools.product``) is timed on the first instance of each size in full when it has at
most 5 million combinations (never with --quick); beyond that, its time per combination is
measured on the same instance with each group cut to its first few options (the others set
aside) and multiplied up, which the output says. ``robustness`` is timed for 1,000 weight
samples over 6 leaves.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appraise.analysis import combine
from appraise.analysis.combine import GroupOptions, Limit, brute_force, robustness
from appraise.model import Rule

SIZES = [(5, 5), (8, 6), (10, 8), (12, 8)]
N_LEAVES = 6
SAMPLED = 200_000  # combinations brute force is timed on when it is extrapolated


def instance(
    seed: int, n_groups: int, n_options: int, per_kind: int = 3
) -> tuple[list[GroupOptions], list[Rule], list[Limit]]:
    """Random groups (with scores for robustness), rules of every kind and a capital cap."""
    rng = np.random.default_rng(seed)
    groups = []
    for g in range(n_groups):
        ids = tuple(f"o{i}" for i in range(n_options))
        scores = rng.uniform(1, 5, (n_options, N_LEAVES)).round(2)
        groups.append(
            GroupOptions(
                group=f"g{g}",
                option_ids=ids,
                names=ids,
                totals=scores @ np.full(N_LEAVES, 1 / N_LEAVES),
                attributes={"capital": rng.integers(0, 100, n_options).astype(np.float64)},
                scores=scores,
            )
        )

    def refs(low: int, high: int) -> list[str]:
        return [
            f"g{rng.integers(n_groups)}/o{rng.integers(n_options)}"
            for _ in range(int(rng.integers(low, high + 1)))
        ]

    rules = []
    for _ in range(per_kind):
        rules += [
            Rule(requires=refs(2, 3)),
            Rule(excludes=refs(2, 2)),
            Rule(one_of=refs(2, 4)),
            Rule(at_most=1, of=refs(2, 4)),
        ]
    return groups, rules, [Limit("capital", "<=", 40.0 * n_groups)]


def solve(
    groups: list[GroupOptions], rules: list[Rule], limits: list[Limit]
) -> tuple[float, int | None]:
    """Seconds and search nodes for the top 10 (nodes None if nothing fits)."""
    start = time.perf_counter()
    try:
        # The private entry point also returns how many nodes the search tried.
        _, nodes = combine.search_top(groups, rules, 10, limits)
    except combine.Infeasible:
        nodes = None
    return time.perf_counter() - start, nodes


def cut_down(groups: list[GroupOptions], target: int) -> list[GroupOptions]:
    """The groups with only their first few options (about ``target`` combinations)."""
    keep = max(2, math.floor(target ** (1 / len(groups))))
    return [
        replace(
            g,
            option_ids=g.option_ids[:keep],
            names=g.names[:keep],
            totals=g.totals[:keep],
            attributes={k: v[:keep] for k, v in g.attributes.items()},
            scores=None if g.scores is None else g.scores[:keep],
            set_aside=g.option_ids[keep:],
        )
        for g in groups
    ]


def time_brute_force(
    groups: list[GroupOptions], rules: list[Rule], limits: list[Limit], full_up_to: int
) -> tuple[float, bool]:
    """Seconds for ``brute_force``, and whether that was extrapolated."""
    size = math.prod(len(g.option_ids) for g in groups)
    if size <= full_up_to:
        start = time.perf_counter()
        brute_force(groups, rules, 10, limits)
        return time.perf_counter() - start, False
    small = cut_down(groups, SAMPLED)
    start = time.perf_counter()
    brute_force(small, rules, 10, limits)
    per_combination = (time.perf_counter() - start) / math.prod(len(g.option_ids) for g in small)
    return per_combination * size, True


def time_robustness(groups: list[GroupOptions], rules: list[Rule], limits: list[Limit]) -> float:
    try:
        candidates = combine.top_combinations(groups, rules, 10, limits)
    except combine.Infeasible:
        return math.nan
    weights = np.random.default_rng(0).dirichlet(np.ones(N_LEAVES), 1_000)
    start = time.perf_counter()
    robustness(groups, rules, limits, candidates, weights)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer instances, for a smoke run")
    parser.add_argument("--rules", type=int, default=3, help="random rules of each kind")
    args = parser.parse_args()
    n_instances = 3 if args.quick else 10
    full_up_to = SAMPLED if args.quick else 5_000_000
    print(
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} CPU(s), {platform.machine()}"
    )
    print(f"{n_instances} instances per size, {4 * args.rules} rules each, top 10\n")
    print(
        f"{'size':>7} {'combinations':>14} {'limit':>6} {'median s':>9} {'max s':>7} "
        f"{'nodes med':>10} {'nodes max':>10} {'brute s':>10} {'x':>10} {'robust s':>9}"
    )
    for n_groups, n_options in SIZES:
        cases = [instance(seed, n_groups, n_options, args.rules) for seed in range(n_instances)]
        size = n_options**n_groups
        for with_limit in (False, True):
            runs = [solve(g, r, lim if with_limit else []) for g, r, lim in cases]
            seconds = [s for s, _ in runs]
            nodes = [n for _, n in runs if n is not None]
            groups, rules, limits = cases[0]
            limits = limits if with_limit else []
            brute, guessed = time_brute_force(groups, rules, limits, full_up_to)
            ratio = brute / runs[0][0]
            print(
                f"{n_groups:>3}x{n_options:<3} {size:>14,} {'cap' if with_limit else '-':>6} "
                f"{statistics.median(seconds):>9.4f} {max(seconds):>7.3f} "
                f"{statistics.median(nodes) if nodes else 0:>10,.0f} {max(nodes, default=0):>10,} "
                f"{brute:>9,.1f}{'*' if guessed else ' '} {ratio:>10,.0f} "
                f"{time_robustness(groups, rules, limits):>9.2f}"
            )
    print(
        "\nbrute s, x: brute_force on the first instance, and its time / top_combinations' time"
        " on that instance.\n* extrapolated from its time per combination on that instance cut"
        f" to about {SAMPLED:,} combinations.\nrobust s: robustness of the top 10 over 1,000"
        " weight samples, first instance; nan when nothing fits there (its times then include"
        " naming the conflict). Instances where nothing fits are left out of nodes."
    )


if __name__ == "__main__":
    main()
