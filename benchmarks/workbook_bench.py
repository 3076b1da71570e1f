"""Time writing the HCE workbook and the scoring template, and reading the workbook back.

Run from the repository root:

    python benchmarks/workbook_bench.py            # three sizes, about 30 s
    python benchmarks/workbook_bench.py --quick    # the two smaller sizes

Each size is a generated panel (``scale_bench.generate_shape``: options x criteria of ten
sub-criteria x scorers, integer scores 1..5, seeded). For each it times, best of three:
ranking and the sensitivity analysis (the work every export does first); laying the HCE
workbook out (``build_workbook``: the sheets as openpyxl holds them, long tables kept aside for
XlsxWriter); saving it with XlsxWriter and every formula's result (``save_workbook``); the
whole export
(``write_hce_workbook``: lay out, save, check inputs, replace the file atomically); a
pre-filled scoring template (``make_template``); and, as the baseline a plain library gives,
the scores and totals saved as bare values by openpyxl. "x openpyxl values" is the export's
time over that baseline.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale_bench import generate_shape  # noqa: E402

from appraise import load_scores, rank  # noqa: E402
from appraise.analysis.sensitivity import analyse  # noqa: E402
from appraise.io.xlsx_template import make_template  # noqa: E402
from appraise.io.xlsx_write import save_workbook  # noqa: E402
from appraise.present.workbook import (  # noqa: E402
    build_context,
    build_workbook,
    workbook_sections,
    write_hce_workbook,
)

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


def measure(n_options: int, n_criteria: int, n_scorers: int) -> str:
    """One size's row of the table."""
    with tempfile.TemporaryDirectory() as folder:
        where = Path(folder)
        scores = generate_shape(where, n_options, n_criteria, n_scorers)
        sheet = load_scores(str(scores))
        ranking = rank(sheet)
        analysed = best_of(3, lambda: analyse(rank(sheet)))
        result = analyse(ranking)
        context = build_context([ranking], sensitivities=[result])
        sections = workbook_sections(context)
        laid_out = best_of(3, lambda: build_workbook(context, sections))
        book = build_workbook(context, sections)
        with_results = best_of(3, lambda: save_workbook(book, where / "saved.xlsx"))
        hce = best_of(
            3,
            lambda: write_hce_workbook(
                [ranking], where / "hce.xlsx", force=True, sensitivities=[result]
            ),
        )
        criteria = str(where / "criteria.yaml")
        template = where / "template.xlsx"
        made = best_of(3, lambda: make_template(criteria, template, scores=str(scores), force=True))
        plain = best_of(3, lambda: baseline(where / "plain.xlsx", ranking))
        with zipfile.ZipFile(where / "hce.xlsx") as saved:
            cells = sum(
                saved.read(name).count(b"<c ")
                for name in saved.namelist()
                if name.startswith("xl/worksheets/")
            )
    return (
        f"| {n_options} x {n_criteria * 10} x {n_scorers} | {cells:,} | {analysed:.3f} "
        f"| {laid_out:.3f} | {with_results:.3f} | {hce:.3f} "
        f"| {made:.3f} | {plain:.3f} | {hce / plain:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the two smaller sizes only")
    args = parser.parse_args()
    print(
        "| options x leaves x scorers | cells | rank + sensitivity s | lay out s "
        "| save: XlsxWriter + results s | HCE workbook s | template s "
        "| openpyxl values s | x openpyxl values |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in SIZES[:2] if args.quick else SIZES:
        print(measure(*size), flush=True)


if __name__ == "__main__":
    main()
