"""Every command's default output, whole, at 80 and at 120 columns (issue 16).

Each case runs ``appraise`` as a user would (its own process, no colour, ``COLUMNS`` set) on the
bundled files, and compares stderr and stdout, as plain text, with ``tests/golden/NAME-WIDTH.txt``.
No line may be wider than the terminal. When an output changes on purpose, rewrite the files
with ``APPRAISE_GOLDEN=update python -m pytest tests/test_golden.py`` and read the diff: it is
what a CAG member will see.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("APPRAISE_GOLDEN") == "update"

CASES = {
    "rank": ["rank", "options/urgent-care.yaml"],
    "rank-bundled": ["rank"],
    "check": ["check", "options/urgent-care.yaml", "options/stroke-rehab.yaml"],
    "criteria": ["criteria"],
    "sensitivity": ["sensitivity", "options/urgent-care.yaml", "--samples", "2000"],
    "sensitivity-chart": ["sensitivity", "options/urgent-care.yaml", "--chart", "affordability"],
    "explain": ["explain", "urgent-care", "miiu-to-pshft"],
    "combine": [
        "combine",
        *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples/llr").glob("llr-*.yaml")),
        "-r",
        "examples/llr/rules.yaml",
        "--samples",
        "200",
    ],
    "combine-rescaled": [
        "combine",
        *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "options").glob("*.yaml")),
        "-r",
        "examples/rules.yaml",
        "--rescale",
        "--samples",
        "0",
    ],
    "chart": ["chart", "contributions", "options/urgent-care.yaml", "-o", "{out}/uc.svg"],
    "diff": ["diff", "examples/urgent-care-indicative.yaml", "options/urgent-care.yaml"],
    "template": ["template", "cp-2016", "-o", "{out}/urgent-care.xlsx"],
    "export": ["export", "urgent-care", "-o", "{out}/uc.xlsx", "--samples", "500"],
    "examples": ["examples", "{out}/tour"],
    "weigh": ["weigh", "examples/elicitation-cp-2016.yaml", "--scores", "options/urgent-care.yaml"],
    "value": ["value", "options/urgent-care.yaml", "--samples", "2000"],
    "brief": ["brief", "urgent-care", "-o", "{out}/brief.html", "--samples", "500"],
    "value-revenue": ["value", "urgent-care", "--cost", "revenue", "--above-status-quo"],
    "merge": [
        "merge",
        *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples/panel").glob("member-*.yaml")),
        "-o",
        "{out}/panel.xlsx",
    ],
}


def run(args: list[str], width: int, out: Path) -> str:
    """stderr then stdout of one command, as a terminal of ``width`` columns shows them."""
    env = {**os.environ, "COLUMNS": str(width), "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("FORCE_COLOR", None)
    argv = [a.format(out=out) for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "appraise", *argv],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = done.stderr + done.stdout
    return "\n".join(line.rstrip() for line in text.replace(str(out), "OUT").splitlines()) + "\n"


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_output_reads_as_recorded_and_fits_the_width(name, width, tmp_path):
    got = run(CASES[name], width, tmp_path)
    wide = [line for line in got.splitlines() if len(line) > width]
    assert not wide, f"{len(wide)} line(s) wider than {width}: {wide[0]!r}"
    golden = GOLDEN / f"{name}-{width}.txt"
    if UPDATE:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(got, encoding="utf-8")
    assert golden.is_file(), f"no {golden.name}: run with APPRAISE_GOLDEN=update and read it"
    assert got == golden.read_text(encoding="utf-8")


def test_every_command_has_a_golden_case():
    from appraise.cli import app

    commands = {c.callback.__name__ for c in app.registered_commands if c.callback}
    # explore is a full-screen view: its screens are golden in tests/test_explore.py
    screens = {"explore"} if list(GOLDEN.glob("explore-*-80.txt")) else set()
    assert commands <= {args[0] for args in CASES.values()} | screens
