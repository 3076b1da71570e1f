"""How long ``appraise explore`` takes to answer a key press, against plain numpy.

Run from the repository root (about 20 s):

    python benchmarks/explore_bench.py
    python benchmarks/explore_bench.py --changes 100

Issue 21 asks for the ranking to follow every change "without a perceptible delay (well under
100 ms for 20 options)". The problem is ``smaa_bench.py``'s 20 options x 12 criteria, and the
bundled urgent-care group (5 options, 4 criteria of 12 sub-criteria, a panel of scorers). For
each, a point up then a point down on each criterion in turn:

- **numpy**: the weights recomputed from points and ``scores @ w`` with an ``argsort``, the
  least any tool must do (no checks, no thresholds, nothing drawn);
- **whatif**: ``WhatIf.step`` (the group ranked again through ``rank``, its checks included)
  and ``WhatIf.bounds`` (the selected criterion's threshold, as ``sensitivity`` computes it);
- **view**: the key pressed in the Textual view running headless, until the screen has been
  laid out and drawn again (``+`` or ``-`` through Textual's pilot, which then waits for the
  app to settle, and the whole screen rendered to text): what a person at the keyboard waits
  for, and more. The pilot's own waiting is measured beside it with a key the view ignores
  (``x``): **view - idle** is what a change costs over pressing nothing.

Medians and the slowest of all changes are printed, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from smaa_bench import problem  # noqa: E402

from appraise.analysis.whatif import WhatIf  # noqa: E402
from appraise.io import load_inputs  # noqa: E402
from appraise.tui.explore import ExploreApp  # noqa: E402


def numpy_change(whatif: WhatIf, changes: int) -> list[float]:
    ranking = whatif.rankings()[0]
    scores = np.asarray(ranking.scores)
    points = np.array([whatif.points[n.id] for n in whatif.nodes if n.parent is None])
    times = []
    for k in range(changes):
        start = time.perf_counter()
        points[k % len(points)] += 1 if k % 2 == 0 else -1
        w = np.repeat(points / points.sum(), scores.shape[1] // len(points))
        w = w / w.sum()
        np.argsort(-(scores @ w))
        times.append(time.perf_counter() - start)
    return times


def whatif_change(whatif: WhatIf, changes: int) -> list[float]:
    tops = [n.id for n in whatif.nodes if n.parent is None]
    times = []
    for k in range(changes):
        node = tops[(k // 2) % len(tops)]
        start = time.perf_counter()
        whatif.step(node, 1 if k % 2 == 0 else -1)
        whatif.bounds(0, node)
        times.append(time.perf_counter() - start)
    return times


def view_change(whatif: WhatIf, changes: int) -> tuple[list[float], list[float]]:
    """Per key: a point up or down (moving to the next criterion every two), and a key ignored."""
    times: list[float] = []
    idle: list[float] = []

    async def run() -> None:
        view = ExploreApp(whatif)
        async with view.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            for k in range(changes):
                for key, into in (("+" if k % 2 == 0 else "-", times), ("x", idle)):
                    start = time.perf_counter()
                    await pilot.press(key)
                    await pilot.pause()
                    view.screen._compositor.render_strips()  # the screen, as a terminal draws it
                    into.append(time.perf_counter() - start)
                if k % 2:
                    await pilot.press("down" if (k // 2) % 4 < 3 else "up")

    asyncio.run(run())
    return times, idle


def ms(times: list[float]) -> str:
    return f"{1000 * statistics.median(times):.2f} ({1000 * max(times):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=60)
    args = parser.parse_args()
    root = HERE.parent
    with tempfile.TemporaryDirectory() as folder:
        problem(Path(folder))
        cases = {
            "20 options x 12 criteria": [str(Path(folder) / "scores.yaml")],
            "urgent-care (5 x 12 leaves, a panel)": [str(root / "options/urgent-care.yaml")],
        }
        print(f"{args.changes} changes each; milliseconds per change, median (slowest)")
        heads = ("numpy", 12), ("whatif", 12), ("view", 13), ("idle", 13), ("view-idle", 9)
        print(f"{'problem':<38} " + " ".join(f"{h:>{w}}" for h, w in heads))
        for name, files in cases.items():
            plain = numpy_change(WhatIf(load_inputs(files)), args.changes)
            core = whatif_change(WhatIf(load_inputs(files)), args.changes)
            view, idle = view_change(WhatIf(load_inputs(files)), args.changes)
            extra = 1000 * (statistics.median(view) - statistics.median(idle))
            print(
                f"{name:<38} {ms(plain):>12} {ms(core):>12} {ms(view):>13} {ms(idle):>13} "
                f"{extra:>9.1f}"
            )


if __name__ == "__main__":
    main()
