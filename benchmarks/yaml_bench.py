"""Reading and ranking a large YAML scores file against a bare ``yaml.load(..., CSafeLoader)``.

Run from the repository root (about a minute):

    python benchmarks/yaml_bench.py                  # 2,000 options x 60 leaves x 5 scorers
    python benchmarks/yaml_bench.py --options 500

The file (about 5.6 MB, block style with each scorer's row in flow style, as a person or a
script writes one) is made from the same seeded scores as ``scale_bench.py``. Timed in this
process, best of three: PyYAML's C loader alone (``yaml.load`` with ``CSafeLoader``: libyaml
parses and composes, PyYAML's constructor builds the data), ``appraise``'s reader alone, and
``load_scores`` + ``rank`` (reading, every check, the totals and ranks).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from scale_bench import LEAVES, generate  # noqa: E402

from appraise import load_scores, rank  # noqa: E402
from appraise.io.yaml_io import read_yaml  # noqa: E402


def write_yaml(folder: Path, n_options: int, n_scorers: int) -> Path:
    """The scale benchmark's scores as YAML: one flow mapping per scorer's row."""
    _, scores = generate(folder, n_options, n_scorers)
    lines = ["group: scale", "name: Scale benchmark", "criteria: criteria.yaml"]
    lines += ["scale: {min: 1, max: 5}", "options:"]
    for i in range(n_options):
        lines += [f"  - id: o{i}", f"    name: Option {i}"]
        lines += ["    status_quo: true"] if i == 0 else []
        lines.append("    scorers:")
        for k in range(n_scorers):
            row = ", ".join(
                f"{leaf}: {v}" for leaf, v in zip(LEAVES, scores[k, i].tolist(), strict=True)
            )
            lines.append(f"      s{k}: {{{row}}}")
    path = folder / "scores.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def best(step: Callable[[], Any], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--options", type=int, default=2_000)
    parser.add_argument("--scorers", type=int, default=5)
    args = parser.parse_args()
    if not getattr(yaml, "__with_libyaml__", False):
        sys.exit("PyYAML here has no libyaml: install a wheel with it to compare")
    with tempfile.TemporaryDirectory() as folder:
        path = write_yaml(Path(folder), args.options, args.scorers)
        size = path.stat().st_size / 1e6

        def bare() -> None:
            with path.open(encoding="utf-8") as stream:
                yaml.load(stream, Loader=yaml.CSafeLoader)  # the baseline

        baseline = best(bare)
        reader = best(lambda: read_yaml(path))
        ranked = best(lambda: rank(load_scores(path)))
    print(
        f"{args.options:,} options x {len(LEAVES)} leaves x {args.scorers} scorers, "
        f"{size:.1f} MB of YAML; best of 3"
    )
    print(f"  yaml.load, CSafeLoader (baseline)   {baseline:6.2f} s")
    print(f"  appraise's YAML reader              {reader:6.2f} s   {reader / baseline:5.2f} x")
    print(f"  load_scores + rank                  {ranked:6.2f} s   {ranked / baseline:5.2f} x")


if __name__ == "__main__":
    main()
