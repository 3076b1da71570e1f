"""``appraise sensitivity --samples N`` end to end against the tuned SMAA-2 kernel, as processes.

Run from the repository root (about a minute):

    python benchmarks/smaa_process_bench.py               # 10^6 samples, 5 interleaved pairs
    python benchmarks/smaa_process_bench.py --samples 100000 --pairs 9

Both read the same 20 options x 12 leaves scores file (the one ``smaa_bench.py`` makes) in a
fresh Python each time, so start-up, imports and reading the file count for both (modules read
from bytecode, as installed, even where PYTHONDONTWRITEBYTECODE is set; BLAS on one thread for
both). The tool
runs every default analysis (thresholds, score thresholds, weight sets, leave-one-out and SMAA
with ties shared, pairwise wins, central weights and confidence) and prints its tables; the
kernel (``smaa_kernel.py``) does rank acceptability and central weights only, with no checks.
Runs alternate (kernel, tool, kernel, tool, ...) and the medians are compared, so a machine's
load falls on both alike.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from smaa_bench import problem  # noqa: E402

from appraise.launch import ONE_THREAD  # noqa: E402


def panel(folder: Path, scorers: int = 5, seed: int = 2026) -> Path:
    """The same 20 x 12 problem scored by a panel: each scorer's scores 1..5, rounded."""
    rng = np.random.default_rng(seed)
    centre = rng.uniform(1.5, 4.5, (20, 12))
    rows = []
    for i in range(20):
        given = []
        for k in range(scorers):
            row = np.clip(np.round(centre[i] + rng.normal(0, 0.7, 12)), 1, 5)
            given.append(f"s{k}: {{" + ", ".join(f"c{j}: {v:g}" for j, v in enumerate(row)) + "}")
        rows.append(
            f"  - id: o{i}\n    name: Option {i}\n    scorers:\n      " + "\n      ".join(given)
        )
    path = folder / "panel.yaml"
    path.write_text(
        "group: bench\nname: Benchmark\ncriteria: criteria.yaml\n"
        "scale: {min: 1, max: 5}\noptions:\n" + "\n".join(rows) + "\n"
    )
    return path


# Every run reads the modules' bytecode, written by the first (warming) run, as an installed
# package's is (pip compiles it on install): PYTHONDONTWRITEBYTECODE, where set, would make each
# run compile the tool's modules from source again. Both run BLAS on one thread, as the tool sets
# for itself (``launch.ONE_THREAD``): the kernel's small products are faster so, and steadier
# beside other work on the machine (on 2 busy cores, 0.55 s against 0.7-1.2 s with a thread per
# core).
ENV = {
    **{name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"},
    **dict.fromkeys(ONE_THREAD, "1"),
}


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=ENV
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument(
        "--noise",
        action="store_true",
        help="A panel of 5 scorers, resampled in every draw (--score-noise scorers; the "
        "kernel resamples them too)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        problem(Path(folder))
        scores = str(Path(folder) / "scores.yaml")
        if args.noise:
            scores = str(panel(Path(folder)))
        kernel = [sys.executable, str(HERE / "smaa_kernel.py"), scores, str(args.samples)]
        tool = [
            sys.executable,
            "-m",
            "appraise",
            "sensitivity",
            scores,
            "--samples",
            str(args.samples),
            "-q",
            *(["--score-noise", "scorers"] if args.noise else []),
        ]
        timed(kernel), timed(tool)  # warm the file cache and the bytecode
        kernel_s, tool_s = [], []
        for _ in range(args.pairs):
            kernel_s.append(timed(kernel))
            tool_s.append(timed(tool))
    k, t = statistics.median(kernel_s), statistics.median(tool_s)
    print(
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"numpy {np.__version__}; {args.samples:,} samples, 20 options x 12 leaves"
        f"{', 5 scorers resampled' if args.noise else ''}, "
        f"medians of {args.pairs} interleaved pairs"
    )
    for label, median, runs in (
        ("tuned kernel (process)", k, kernel_s),
        ("appraise sensitivity (process)", t, tool_s),
    ):
        print(f"  {label:<32}{median:6.2f} s   ({', '.join(f'{x:.2f}' for x in runs)})")
    print(f"  ratio                           {t / k:6.2f} x")


if __name__ == "__main__":
    main()
