from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from textwrap import dedent

import pytest

from tests.libreoffice import recalculated  # noqa: F401  (a shared fixture)

Write = Callable[[str, str], Path]

# A hand-worked pair of criteria, 60/40, no sub-criteria. Totals on the 1..5 scale:
#   x: 0.6*5 + 0.4*1 = 3.4    y: 0.6*2 + 0.4*5 = 3.2    z: 0.6*3 + 0.4*3 = 3.0
TWO_CRITERIA = """\
title: Two criteria
criteria:
  - {id: a, name: Criterion A, weight: 60}
  - {id: b, name: Criterion B, weight: 40}
weight_sets:
  flip: {a: 40, b: 60}
"""

THREE_OPTIONS = """\
group: demo
name: Demo group
criteria: two.yaml
scale: {min: 1, max: 5}
options:
  - {id: x, name: Option X, scores: {a: 5, b: 1}}
  - {id: y, name: Option Y, scores: {a: 2, b: 5}}
  - {id: z, name: Option Z, status_quo: true, scores: {a: 3, b: 3}}
"""

# Quality 50 split 60/40 into q1, q2; cost 50 scored directly.
# Global weights: q1 = 0.5*0.6 = 0.3, q2 = 0.5*0.4 = 0.2, cost = 0.5.
NESTED = """\
title: Nested
criteria:
  - id: quality
    name: Quality
    weight: 50
    sub:
      - {id: q1, name: Q one, weight: 60}
      - {id: q2, name: Q two, weight: 40}
  - {id: cost, name: Cost, weight: 50}
"""


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """Write a dedented text file under tmp_path and return its path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def workbook(demo: Path, tmp_path: Path) -> Path:
    """The demo group as a filled scoring workbook (ranks x 3.4, y 3.2, z 3.0)."""
    from appraise.io.xlsx_template import make_template

    out = tmp_path / "demo.xlsx"
    make_template(str(tmp_path / "two.yaml"), out, scores=str(demo))
    return out


@pytest.fixture
def demo(write: Write) -> Path:
    """The hand-worked 3-option, 2-criterion scores file, with its criteria beside it."""
    write("two.yaml", TWO_CRITERIA)
    return write("demo.yaml", THREE_OPTIONS)
