"""Time writing the HCE workbook and the scoring template, and reading the workbook back.

Run from the repository root:

    python benchmarks/workbook_bench.py            # three sizes, about 30 s
    python benchmarks/workbook_bench.py --quick    # the two smaller sizes

Each size is a generated panel (``scale_bench.generate_shape``: options x criteria of ten
sub-criteria x scorers, integer scores 1..5, seeded). For each it times, best of three:
ranking and the sensitivity analysis (not writing: the work every export does first), writing
the HCE workbook with a Sensitivity sheet (``write_hce_workbook``), writing a pre-filled
scoring template (``make_template``), and, as the baseline a plain library gives, saving a
workbook of the same cells with openpyxl alone (values only: no formulas, styles, charts or
results). "x openpyxl" is the HCE workbook's time over that baseline.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale_bench import generate_shape  # noqa: E402

from appraise import load_scores, rank  # noqa: E402
from appraise.analysis.sensitivity import analyse  # noqa: E402
from appraise.io.xlsx_template import make_template  # noqa: E402
from appraise.present.workbook import write_hce_workbook  # noqa: E402

SIZES = [(10, 4, 5), (30, 6, 10), (60, 10, 20)]  # options, criteria (x 10 leaves), scorers


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of ``runs`` calls, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def baseline(path: Path, ranking: object) -> None:
    """The same scores and totals as plain values, saved by openpyxl."""
    book = openpyxl.Workbook()
    sheet = book.active
    scores = ranking.sheet.raw  # type: ignore[attr-defined]
    for k in range(scores.shape[0]):
        for i in range(scores.shape[1]):
            sheet.append([f"s{k}", f"o{i}", *(float(x) for x in scores[k, i])])
    for option in ranking.options:  # type: ignore[attr-defined]
        sheet.append([option.id, option.total])
    book.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the two smaller sizes only")
    args = parser.parse_args()
    sizes = SIZES[:2] if args.quick else SIZES
    print("| options x leaves x scorers | cells | rank + sensitivity s | HCE workbook s "
          "| template s | openpyxl values s | x openpyxl |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for n_options, n_criteria, n_scorers in sizes:
        with tempfile.TemporaryDirectory() as folder:
            where = Path(folder) / f"{n_options}-{n_criteria}-{n_scorers}"
            where.mkdir()
            scores = generate_shape(where, n_options, n_criteria, n_scorers)
            sheet = load_scores(str(scores))
            ranking = rank(sheet)
            analysed = best_of(3, lambda: analyse(rank(sheet)))
            result = analyse(ranking)
            out = where / "hce.xlsx"
            hce = best_of(
                3, lambda: write_hce_workbook([ranking], out, force=True, sensitivities=[result])
            )
            template = where / "template.xlsx"
            made = best_of(
                3,
                lambda: make_template(
                    str(where / "criteria.yaml"), template, scores=str(scores), force=True
                ),
            )
            plain = best_of(3, lambda: baseline(where / "plain.xlsx", ranking))
            cells = int(np.prod(sheet.raw.shape)) + n_options * (n_criteria * 10 + n_criteria)
            print(
                f"| {n_options} x {n_criteria * 10} x {n_scorers} | {cells:,} | {analysed:.3f} "
                f"| {hce:.3f} | {made:.3f} | {plain:.3f} | {hce / plain:.1f} |"
            )


if __name__ == "__main__":
    main()
