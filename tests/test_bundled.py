"""The shipped criteria, options and examples: valid, labelled, and present in a built wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from appraise import bundled
from appraise.analysis.scoring import rank
from appraise.io import check_files, load_criteria, load_scores
from appraise.model import Settings

ROOT = Path(__file__).resolve().parent.parent
OPTIONS = sorted((ROOT / "options").glob("*.yaml"))


def test_there_are_at_least_four_working_groups():
    assert len(OPTIONS) >= 4
    assert bundled.DEFAULT_EXAMPLE in bundled.names("options")


@pytest.mark.parametrize("path", OPTIONS, ids=lambda p: p.stem)
def test_bundled_options_are_valid_labelled_and_realistic(path):
    text = path.read_text(encoding="utf-8")
    assert "ILLUSTRATIVE" in text.split("group:")[0], "header must say the scores are illustrative"
    sheet = load_scores(path)
    assert sheet.illustrative
    assert 3 <= len(sheet.options) <= 6
    assert sum(o.status_quo for o in sheet.options) == 1
    assert sheet.per_scorer
    roles = {s.role for s in sheet.spec.scorers.values()}
    assert len(roles) >= 2, "several scorers with different roles"
    ranking = rank(sheet)
    assert len(ranking.options) + len(ranking.screened_out) == len(sheet.options)
    # The sheet is fully scored: every scorer gave every option a score on every leaf.
    assert not any("gave no score" in n for n in sheet.notes)


def test_bundled_panels_disagree_somewhere():
    """Realistic disagreement: at least one heavily weighted cell is flagged across the files."""
    flagged = [d for path in OPTIONS for d in rank(load_scores(path)).disagreements]
    assert flagged


def test_bundled_files_check_clean_together_with_the_rules():
    rules = ROOT / "examples" / "rules.yaml"
    result = check_files([*OPTIONS, rules], Settings())
    assert [p for p in result.problems if p.severity == "error"] == []
    kinds = {f["kind"] for f in result.files}
    assert kinds == {"scores", "rules"}


def test_bundled_criteria_by_name_and_by_path_are_the_same():
    by_name = load_criteria("cp-2016")
    by_path = load_criteria(ROOT / "criteria" / "cp-2016.yaml")
    assert by_name.spec == by_path.spec


def test_bundled_criteria_file_keeps_all_three_printed_columns():
    spec = load_criteria("cp-2016").spec
    subs = [s for c in spec.criteria for s in c.sub or []]
    assert len(subs) == 12
    assert all(s.printed_global is not None for s in subs)
    assert all(c.printed_subtotal is not None for c in spec.criteria)
    assert spec.printed_total is not None
    assert [c.weight for c in spec.criteria] == [30.0, 25.0, 22.4, 22.6]


def test_installed_wheel_runs_the_bundled_example_from_anywhere(tmp_path):
    """A non-editable install carries criteria/, options/ and examples/ inside the package."""
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(wheel_dir),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheel_dir.glob("appraise-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "appraise/_bundled/criteria/cp-2016.yaml" in names
    assert f"appraise/_bundled/options/{bundled.DEFAULT_EXAMPLE}.yaml" in names
    assert "appraise/_bundled/examples/rules.yaml" in names

    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}

    def run(*args: str, cwd: Path = elsewhere) -> subprocess.CompletedProcess[str]:
        """Python with only the installed wheel on its path, from ``cwd``."""
        done = subprocess.run(
            [sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done

    result = run("-m", "appraise", "rank", "--format", "json")
    data = json.loads(result.stdout)
    assert data["group"] == bundled.DEFAULT_EXAMPLE
    # Shown by bundled name, not by a path deep inside the installed package ...
    assert (data["file"], data["criteria"]) == (
        f"{bundled.DEFAULT_EXAMPLE} (bundled)",
        "cp-2016 (bundled)",
    )
    assert str(target) not in result.stdout + result.stderr
    assert "note: cp-2016 (bundled): Deliverability's sub-criteria" in " ".join(
        result.stderr.split()
    )
    # The same when run from the folder the package is installed in (as a venv in a checkout).
    inside = run("-m", "appraise", "rank", "--format", "json", cwd=target)
    assert json.loads(inside.stdout)["criteria"] == "cp-2016 (bundled)"
    assert "_bundled" not in inside.stdout + inside.stderr
    # ... but read from there, not from this checkout.
    where = run("-c", "from appraise import bundled; print(bundled.folder('options'))")
    assert Path(where.stdout.strip()).is_relative_to(target)
    criteria = run("-m", "appraise", "criteria", "cp-2016", "--format", "json")
    assert len(json.loads(criteria.stdout)["discrepancies"]) == 4


def test_llr_example_groups_are_labelled_and_check_clean_with_their_rules():
    llr = sorted((ROOT / "examples" / "llr").glob("llr-*.yaml"))
    assert len(llr) >= 8
    for path in llr:
        assert "ILLUSTRATIVE" in path.read_text(encoding="utf-8").split("group:")[0], path
        assert load_scores(path).illustrative
    result = check_files([*llr, ROOT / "examples" / "llr" / "rules.yaml"], Settings())
    assert [p for p in result.problems if p.severity == "error"] == []


def test_examples_copies_the_tour_folders_and_never_writes_into_a_full_one(tmp_path):
    from typer.testing import CliRunner

    from appraise.cli import app

    target = tmp_path / "tour"
    result = CliRunner().invoke(app, ["examples", str(target)])
    assert result.exit_code == 0, result.output
    for kind in ("criteria", "options", "examples"):
        mine = sorted(p.relative_to(ROOT / kind) for p in (ROOT / kind).rglob("*") if p.is_file())
        theirs = sorted(p.relative_to(target / kind) for p in (target / kind).rglob("*"))
        assert mine == [p for p in theirs if (target / kind / p).is_file()]
        for name in mine:
            assert (target / kind / name).read_bytes() == (ROOT / kind / name).read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tour"]  # no staging folder left
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o777 & ~umask  # a normal folder, not mkdtemp's 0700
    # The README's commands run there.
    ranked = subprocess.run(
        [sys.executable, "-m", "appraise", "rank", "options/urgent-care.yaml", "-f", "json"],
        cwd=target,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ranked.returncode == 0, ranked.stderr
    assert json.loads(ranked.stdout)["file"] == "options/urgent-care.yaml"
    again = CliRunner().invoke(app, ["examples", str(target)])
    assert again.exit_code == 1
    assert "already exists and is not an empty folder" in again.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    assert CliRunner().invoke(app, ["examples", str(empty)]).exit_code == 0
    assert (empty / "examples" / "llr" / "rules.yaml").is_file()
