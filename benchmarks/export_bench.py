"""Time `appraise export` on a large group against `rank` and against XlsxWriter alone.

Run from the repository root:

    python benchmarks/export_bench.py              # 2,000 options x 60 leaves, about 90 s
    python benchmarks/export_bench.py --options 500 --pairs 1   # a quicker look

Two files of the same group (``scale_bench.generate``, seeded): a panel of 5 scorers (the
issue's 2,000 x 60 x 5) and the same options with one consensus score each (the panel's
median). For each, ``rank`` and ``export`` (default sensitivity analyses, every sheet) run as
a user runs them, each in a fresh Python, interleaved in pairs: wall time and peak memory.

The floor beside them: the exported workbook's cells are counted sheet by sheet (numbers,
text, formulas with their saved results) and XlsxWriter alone writes that many cells of each
kind, at the same places, to a file (in this process, so no start-up): what any exporter
built on XlsxWriter pays for a workbook of that size before computing anything; and again
with formulas prepared as appraise prepares them (no regular expressions where no ``_xlfn.``
prefix is needed), the floor for appraise's own way of writing.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale_bench import generate, run_fresh  # noqa: E402

from appraise.io.xlsx_write import _OutputSheet  # noqa: E402

_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_STRING = re.compile(rb"<si>(.*?)</si>", re.S)
_TEXT = re.compile(rb"<t[^>]*>(.*?)</t>", re.S)
_FORMULA = re.compile(rb"<f>(.*?)</f>", re.S)
_VALUE = re.compile(rb"<v>(.*?)</v>", re.S)

Cell = tuple[int, int, str, object, object]  # row, column, kind (n, s, f), value, result


def consensus_of(panel: Path) -> Path:
    """The same options with one score per leaf: the panel's median (integer, 5 scorers)."""
    data = json.loads(panel.read_text())
    for option in data["options"]:
        scorers = list(option.pop("scorers").values())
        option["scores"] = {
            leaf: sorted(s[leaf] for s in scorers)[len(scorers) // 2] for leaf in scorers[0]
        }
    path = panel.with_name("consensus.json")
    path.write_text(json.dumps(data, separators=(",", ":")))
    return path


def census(book: Path) -> list[list[Cell]]:
    """Every sheet's cells as saved: numbers, text (from the shared strings), formulas."""
    found = []
    with zipfile.ZipFile(book) as archive:
        strings = [
            html.unescape(b"".join(_TEXT.findall(si)).decode())
            for si in _STRING.findall(archive.read("xl/sharedStrings.xml"))
        ]
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        for name in sorted(names, key=lambda n: int(re.sub(r"\D", "", n))):
            sheet: list[Cell] = []
            for ref, attributes, body in _CELL.findall(archive.read(name)):
                row, column = xl_cell_to_rowcol(ref.decode())
                value = _VALUE.search(body or b"")
                formula = _FORMULA.search(body or b"")
                number = value.group(1).decode() if value else ""
                if formula:
                    result: object = html.unescape(number) if b't="str"' in attributes else ""
                    result = float(number) if number and result == "" else result
                    text = "=" + html.unescape(formula.group(1).decode())
                    sheet.append((row, column, "f", text, result))
                elif b't="s"' in attributes:
                    sheet.append((row, column, "s", strings[int(number)], None))
                elif value:
                    sheet.append((row, column, "n", float(number), None))
            found.append(sheet)
    return found


def floor(sheets: list[list[Cell]], out: Path, prepared: bool = False) -> float:
    """Seconds for XlsxWriter alone to write these cells, unstyled, to a file.

    ``prepared``: with appraise's worksheet class, which gives a formula that needs no
    ``_xlfn.`` prefix to XlsxWriter without its thirty regular expressions.
    """
    start = time.perf_counter()
    book = xlsxwriter.Workbook(str(out))
    for k, cells in enumerate(sheets):
        sheet = book.add_worksheet(f"S{k}", _OutputSheet if prepared else None)
        for row, column, kind, value, result in cells:
            if kind == "n":
                sheet.write_number(row, column, value)
            elif kind == "s":
                sheet.write_string(row, column, value)
            else:
                sheet.write_formula(row, column, value, None, result)
    book.close()
    return time.perf_counter() - start


def measure(path: Path, label: str, pairs: int) -> None:
    out = path.with_name(f"{label}.xlsx")
    ranks, exports, memory = [], [], []
    for _ in range(pairs):
        _, seconds, _, code = run_fresh("rank", str(path), "-q")
        assert code == 0, f"rank exited {code}"
        ranks.append(seconds)
        _, seconds, mb, code = run_fresh("export", str(path), "-o", str(out), "--force", "-q")
        assert code == 0, f"export exited {code}"
        exports.append(seconds)
        memory.append(mb)
    sheets = census(out)
    cells = sum(len(sheet) for sheet in sheets)
    alone = min(floor(sheets, path.with_name("floor.xlsx")) for _ in range(2))
    prepared = min(floor(sheets, path.with_name("floor.xlsx"), prepared=True) for _ in range(2))
    r, e = statistics.median(ranks), statistics.median(exports)
    print(
        f"{label:<28}{r:7.2f}{e:9.2f}{e / r:6.1f}x{max(memory):8.0f}{cells:10,}{alone:8.2f}"
        f"{prepared:9.2f}{e / (r + prepared):8.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--options", type=int, default=2_000)
    parser.add_argument("--pairs", type=int, default=3, help="interleaved rank/export pairs")
    args = parser.parse_args()
    print(
        f"{'':28}{'rank s':>7}{'export s':>9}{'ratio':>7}{'peak MB':>8}{'cells':>10}"
        f"{'floor s':>8}{'prepared':>9}  export / (rank + prepared)"
    )
    with tempfile.TemporaryDirectory() as name:
        panel, _ = generate(Path(name), args.options, 5)
        measure(panel, f"{args.options:,} x 60 x 5 scorers", args.pairs)
        measure(consensus_of(panel), f"{args.options:,} x 60 consensus", args.pairs)
    print(
        "ratio: export's median wall time over rank's, each a fresh process; floor: "
        "XlsxWriter alone (as installed, no styles) writing the exported workbook's cells, best "
        "of 2; prepared: the same with formulas prepared as appraise prepares them"
    )


if __name__ == "__main__":
    main()
