"""Time loading, ranking and checking a very large scores file against plain numpy.

Run from the repository root:

    python benchmarks/scale_bench.py                 # 2,000 options x 60 leaves x 30 scorers
    python benchmarks/scale_bench.py --options 500   # a quicker, smaller run
    python benchmarks/scale_bench.py --limits        # every command at the largest it takes

The file is generated (seeded): ten criteria of six sub-criteria, integer scores 1..5 from
every scorer for every option and leaf, saved as compact JSON (a subset of YAML, read by
Python's ``json`` module: a YAML file this size would be over the 10 MB limit and take about a
minute to parse). Each stage is timed in this process; then the commands are run as a user runs
them, each in a fresh Python, for wall time and peak memory (maximum resident set size). The
totals are compared with a plain numpy recomputation: the mean over scorers, then scores @ w.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from appraise import load_scores, rank  # noqa: E402
from appraise.io import check_files  # noqa: E402
from appraise.io.yaml_io import read_yaml  # noqa: E402
from appraise.model import Settings  # noqa: E402

SUB_WEIGHTS = [20, 20, 15, 15, 15, 15]  # six sub-criteria per criterion, ten criteria of 10
LEAVES = [f"t{t}s{s}" for t in range(10) for s in range(6)]
WEIGHTS = np.array([0.1 * w / 100 for _ in range(10) for w in SUB_WEIGHTS])

# Runs one command in a fresh interpreter and reports its own peak memory on the last line:
# VmHWM where there is /proc (Linux keeps ru_maxrss across exec, so a child started from a
# large parent would report the parent's peak), else ru_maxrss (bytes on macOS).
CHILD = """
import resource, sys
from appraise.cli import main
sys.argv = ["appraise", *sys.argv[1:]]
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
try:
    status = open("/proc/self/status").read().split("VmHWM:")[1]
    kb = int(status.split()[0])
except OSError:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kb = kb // 1024 if sys.platform == "darwin" else kb
print(f"@@ {code} {kb}", file=sys.stderr)
"""


def generate(
    folder: Path, n_options: int, n_scorers: int, seed: int = 8
) -> tuple[Path, np.ndarray]:
    """The criteria (YAML) and the per-scorer scores file (JSON).

    Returns the scores file's path and the scores (scorers x options x leaves). Leaf
    ``t{t}s{s}`` has global weight 10/100 x SUB_WEIGHTS[s]/100 (``WEIGHTS``).
    """
    criteria = ["title: Scale benchmark", "criteria:"]
    for t in range(10):
        criteria += [f"  - id: t{t}", f"    name: Criterion {t}", "    weight: 10", "    sub:"]
        criteria += [
            f"      - {{id: t{t}s{s}, name: Sub-criterion {t}.{s}, weight: {w}}}"
            for s, w in enumerate(SUB_WEIGHTS)
        ]
    (folder / "criteria.yaml").write_text("\n".join(criteria) + "\n")
    scores = np.random.default_rng(seed).integers(1, 6, size=(n_scorers, n_options, len(LEAVES)))
    path = folder / "scores.json"
    data = {
        "group": "scale",
        "name": "Scale benchmark",
        "criteria": "criteria.yaml",
        "scale": {"min": 1, "max": 5},
        "options": _options(scores, LEAVES),
    }
    path.write_text(json.dumps(data, separators=(",", ":")))
    return path, scores


def _options(scores: np.ndarray, leaves: list[str]) -> list[dict[str, Any]]:
    """Options o0 (the status quo), o1, ... scored by s0, s1, ... (scorers x options x leaves)."""
    n_scorers, n_options, _ = scores.shape
    return [
        {
            "id": f"o{i}",
            "name": f"Option {i}",
            "status_quo": i == 0,
            "scorers": {
                f"s{k}": dict(zip(leaves, scores[k, i].tolist(), strict=True))
                for k in range(n_scorers)
            },
        }
        for i in range(n_options)
    ]


def generate_shape(
    folder: Path,
    n_options: int,
    n_criteria: int,
    n_scorers: int,
    group: str = "scale",
    weight_sets: int = 0,
    seed: int = 8,
) -> Path:
    """A group of ``n_options`` scored by ``n_scorers`` on ``n_criteria`` x 10 sub-criteria.

    The criteria file (``criteria.yaml``, equal weights, ``weight_sets`` random sets) is
    shared by every group generated into ``folder``; returns the scores file (JSON).
    """
    criteria = folder / "criteria.yaml"
    if not criteria.exists():
        lines = ["title: Scale limits", "criteria:"]
        for t in range(n_criteria):
            weight = repr(100 / n_criteria)
            lines += [f"  - id: t{t}", f"    name: Criterion {t}", f"    weight: {weight}"]
            lines += ["    sub:"]
            lines += [f"      - {{id: t{t}s{s}, name: Sub {t}.{s}, weight: 10}}" for s in range(10)]
        rng = np.random.default_rng(seed)
        lines += ["weight_sets:"] if weight_sets else []
        for k in range(weight_sets):
            weights = ", ".join(f"t{t}: {rng.integers(1, 10)}" for t in range(n_criteria))
            lines.append(f"  set{k}: {{{weights}}}")
        criteria.write_text("\n".join(lines) + "\n")
    leaves = [f"t{t}s{s}" for t in range(n_criteria) for s in range(10)]
    rng = np.random.default_rng([seed, len(group)])
    scores = rng.integers(1, 6, size=(n_scorers, n_options, len(leaves)))
    data = {
        "group": group,
        "name": f"Group {group}",
        "criteria": "criteria.yaml",
        "scale": {"min": 1, "max": 5},
        "options": _options(scores, leaves),
    }
    path = folder / f"{group}.json"
    path.write_text(json.dumps(data, separators=(",", ":")))
    return path


def limits() -> None:
    """Each command at the largest input its limits take, as a user runs it (README's table)."""
    print("each command at its limits, in a fresh Python          seconds   peak MB   exit")
    with tempfile.TemporaryDirectory() as name:
        root = Path(name)

        def folder(label: str) -> Path:
            (root / label).mkdir()
            return root / label

        big = generate_shape(folder("big"), 5_000, 20, 5)  # 5 million scores: the limit
        mid = generate_shape(folder("mid"), 1_000, 20, 5)  # 1,000 options: sensitivity's limit
        halves = folder("halves")
        before = generate_shape(halves, 2_500, 20, 5, "before")
        after = generate_shape(halves, 2_500, 20, 5, "after")
        book, _ = generate(folder("book"), 2_000, 5)  # 60 leaves: 760,000 cells exported
        fill = generate_shape(folder("fill"), 800, 10, 5)  # 4,000 template rows x 103 columns
        groups = folder("groups")
        many = [generate_shape(groups, 1_000, 10, 5, f"g{g}", weight_sets=100) for g in range(5)]
        cases = [
            ("rank -f json (5,000 x 200 x 5)", ["rank", str(big), "-f", "json"]),
            ("rank (the table)", ["rank", str(big)]),
            ("check -f json", ["check", str(big), "-f", "json"]),
            ("diff (2 x 2,500 x 200 x 5)", ["diff", str(before), str(after)]),
            ("sensitivity (1,000 x 200 x 5)", ["sensitivity", str(mid)]),
            ("sensitivity -f json", ["sensitivity", str(mid), "-f", "json"]),
            ("export (2,000 x 60 x 5)", ["export", str(book), "-o", str(root / "x.xlsx")]),
            ("template -s (800 x 100 x 5)", ["template", str(fill.parent / "criteria.yaml"),
                                             "-s", str(fill), "-o", str(root / "t.xlsx")]),
            ("combine (5 x 1,000 x 100 x 5, 100 sets)", ["combine", *map(str, many)]),
        ]  # fmt: skip
        for label, argv in cases:
            _, seconds, memory, code = run_fresh(*argv)
            print(f"  appraise {label:<45}{seconds:7.2f}  {memory:8.0f}   {code:4d}")
            if code:
                print(f"    {LAST_ERROR[0]}")


def timed(step: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    value = step()
    return value, time.perf_counter() - start


def numpy_totals(path: Path) -> np.ndarray:
    """The plain recomputation: read the JSON, stack the scores, mean over scorers, S @ w."""
    data = json.loads(path.read_text())
    rows = [
        [[option["scorers"][k][leaf] for leaf in LEAVES] for option in data["options"]]
        for k in data["options"][0]["scorers"]
    ]
    return np.asarray(rows, dtype=float).mean(axis=0) @ WEIGHTS


LAST_ERROR = [""]  # the first error line of the last run_fresh, for a run that failed


def run_fresh(*args: str) -> tuple[str, float, float, int]:
    """Run ``appraise ARGS`` in a fresh Python: its stdout, wall seconds, peak MB, exit code."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    seconds = time.perf_counter() - start
    errors = [line for line in done.stderr.splitlines() if line.startswith("error")]
    LAST_ERROR[:] = errors[:1] or [done.stderr.strip()[-300:]]
    last = done.stderr.strip().splitlines()[-1].split()
    return done.stdout, seconds, int(last[2]) / 1024, int(last[1])


def main() -> None:
    """Generate, time each stage and each command, and compare the totals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--options", type=int, default=2_000)
    parser.add_argument("--scorers", type=int, default=30)
    parser.add_argument("--limits", action="store_true", help="every command at its limits")
    args = parser.parse_args()
    if args.limits:
        limits()
        return
    print(
        f"{args.options:,} options x {len(LEAVES)} leaves x {args.scorers} scorers = "
        f"{args.options * len(LEAVES) * args.scorers:,} scores; Python "
        f"{platform.python_version()}, numpy {np.__version__}, {os.cpu_count()} CPUs"
    )
    with tempfile.TemporaryDirectory() as folder:
        (path, _), seconds = timed(lambda: generate(Path(folder), args.options, args.scorers))
        print(f"generated {path.stat().st_size / 1e6:.1f} MB of JSON in {seconds:.1f} s\n")

        print("as a user runs it (fresh Python)       seconds   peak MB   exit")
        for name, argv in [
            ("appraise rank -f json", ["rank", str(path), "-f", "json"]),
            ("appraise rank (table)", ["rank", str(path)]),
            ("appraise check -f json", ["check", str(path), "-f", "json"]),
        ]:
            _, seconds, memory, code = run_fresh(*argv)
            print(f"  {name:<36}{seconds:7.2f}  {memory:8.0f}   {code:4d}")
        print()

        _, read_s = timed(lambda: read_yaml(path))
        sheet, load_s = timed(lambda: load_scores(path))
        ranking, rank_s = timed(lambda: rank(sheet))
        result, check_s = timed(lambda: check_files([path], Settings()))
        expected, numpy_s = timed(lambda: numpy_totals(path))
        got = np.array([o.total for o in sorted(ranking.options, key=lambda o: int(o.id[1:]))])
        worst = float(np.max(np.abs(got - expected)))
        errors = sum(p.severity == "error" for p in result.problems)
        print("in this process                        seconds")
        print(f"  parse the file (json)               {read_s:7.2f}")
        print(f"  load_scores (parse, validate)       {load_s:7.2f}")
        print(f"  rank                                {rank_s:7.2f}")
        print(f"  check_files (all checks and lints)  {check_s:7.2f}   {errors} error(s)")
        print(f"  plain numpy (json, mean, S @ w)     {numpy_s:7.2f}")
        print(f"  largest difference in totals        {worst:.1e}")

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nthis process peaked at {rss:.0f} MB (the stages above, their results kept)")
    if worst > 1e-9:
        raise SystemExit(f"totals differ from numpy by {worst:.1e}")


if __name__ == "__main__":
    main()
