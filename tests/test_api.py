"""The library's front door (``appraise.api``), against the hand-worked demo group.

Demo (conftest): criteria a 60, b 40; x (5, 1) 3.4, y (2, 5) 3.2, z (3, 3) 3.0. Under the weight
set ``flip`` (a 40, b 60): x 2.6, y 3.8, z 3.0.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

import appraise
from appraise import api
from appraise.errors import AppraiseError, InputError, ParameterError
from appraise.model import Rule, Settings

from .conftest import THREE_OPTIONS, TWO_CRITERIA, Write

ROOT = Path(__file__).resolve().parent.parent


def totals(ranking) -> dict[str, float]:
    return {o.id: o.total for o in ranking.options}


def test_load_and_rank_take_the_policy_once_as_keywords(demo):
    sheet = appraise.load_scores(demo)
    assert totals(appraise.rank(sheet)) == pytest.approx({"x": 3.4, "y": 3.2, "z": 3.0})
    flipped = appraise.rank(sheet, weights="flip")
    assert totals(flipped) == pytest.approx({"x": 2.6, "y": 3.8, "z": 3.0})
    assert [(o.id, o.rank) for o in flipped.options] == [("y", 1), ("z", 2), ("x", 3)]
    assert flipped.options[0].contributions == pytest.approx({"a": 0.8, "b": 3.0})
    # the same as the Settings object the command line builds
    assert totals(appraise.rank(sheet, Settings(weight_set="flip"))) == totals(flipped)


def test_a_gap_is_kept_at_loading_and_ranked_as_rank_is_told(write):
    write("two.yaml", TWO_CRITERIA)
    path = write("gap.yaml", THREE_OPTIONS.replace("{a: 2, b: 5}", "{a: 2}"))
    sheet = appraise.load_scores(path)  # no error yet: the policy is rank's
    with pytest.raises(InputError, match=r"options\[1\]: option 'y': no score for b"):
        appraise.rank(sheet)
    kept = appraise.rank(sheet, missing="exclude")
    assert totals(kept) == pytest.approx({"x": 3.4, "z": 3.0})
    # renormalise: y's weights rescaled over a alone, so its total is its score on a
    assert totals(appraise.rank(sheet, missing="renormalise"))["y"] == pytest.approx(2.0)


def test_scores_from_data_validates_as_a_file_does(demo):
    tree = appraise.load_criteria(demo.parent / "two.yaml")
    data = {
        "group": "py",
        "name": "From Python",
        "scale": {"min": 1, "max": 5},
        "options": [
            {"id": "x", "name": "X", "scores": {"a": 5, "b": 1}},
            {"id": "z", "name": "Z", "status_quo": True, "scores": {"a": 3, "b": 3}},
        ],
    }
    assert totals(appraise.rank(appraise.scores_from_data(data, tree))) == pytest.approx(
        {"x": 3.4, "z": 3.0}
    )
    data["options"][0]["scores"]["a"] = 7
    with pytest.raises(AppraiseError) as caught:
        appraise.scores_from_data(data, demo.parent / "two.yaml")
    assert str(caught.value) == (
        "<data>: options[0].scores.a: option 'x', criterion 'a': score 7 is outside the scale 1..5"
    )


def test_load_scores_can_take_other_criteria(demo, write):
    even = write("even.yaml", "title: Even\ncriteria:\n  - {id: a, name: A, weight: 50}\n"
                 "  - {id: b, name: B, weight: 50}\n")  # fmt: skip
    ranking = appraise.rank(appraise.load_scores(demo, criteria=even))
    assert totals(ranking) == pytest.approx({"x": 3.0, "y": 3.5, "z": 3.0})
    assert ranking.sheet.tree.path.endswith("even.yaml")


def test_every_call_is_importable_from_appraise_after_the_analyses_are_loaded():
    """``appraise.sensitivity`` is the call, not the module that does the work, even once the
    analysis modules are imported (a submodule import would set the package attribute)."""
    import appraise.analysis.combine
    import appraise.analysis.diff
    import appraise.analysis.sensitivity

    for name in (
        "load_criteria",
        "load_scores",
        "scores_from_data",
        "rank",
        "sensitivity",
        "combine",
        "diff",
        "export_workbook",
        "make_template",
        "merge",
        "merge_panels",
    ):
        assert getattr(appraise, name) is getattr(api, name), name
        assert callable(getattr(appraise, name))
        assert name in appraise.__all__


def test_the_analyses_are_one_call_each(demo, write):
    sheet = appraise.load_scores(demo)
    result = appraise.sensitivity(sheet, samples=2_000, seed=3, only=["smaa", "thresholds"])
    assert result.smaa is not None
    assert result.leave_one_out is None
    acceptability = result.smaa.rank_acceptability
    assert acceptability.sum(axis=1) == pytest.approx([1.0, 1.0, 1.0])
    with pytest.raises(ParameterError) as caught:
        api.sensitivity(sheet, samples=0)
    assert caught.value.parameter == "samples"

    other = write("other.yaml", THREE_OPTIONS.replace("group: demo", "group: other"))
    found = appraise.combine(
        [sheet, appraise.load_scores(other)], [Rule(excludes=["demo/x", "other/x"])], samples=0
    )
    best = found.combinations[0]
    assert best.total == pytest.approx(3.4 + 3.2)  # x with y, or y with x
    assert sorted(best.choice.values()) == ["x", "y"]

    later = write("later.yaml", THREE_OPTIONS.replace("{a: 2, b: 5}", "{a: 4, b: 5}"))
    changes = appraise.diff(sheet, appraise.load_scores(later))
    assert [(c.option, c.criterion, c.old, c.new) for c in changes.scores] == [("y", "a", 2.0, 4.0)]


def test_export_and_template_write_their_workbooks(demo, tmp_path):
    sheet = appraise.load_scores(demo)
    done = appraise.export_workbook(tmp_path / "hce.xlsx", [sheet], samples=500, seed=2)
    assert done.path == tmp_path / "hce.xlsx"
    assert {"Summary", "Criteria", "Totals", "Audit"} <= set(load_workbook(done.path).sheetnames)
    with pytest.raises(InputError, match="exists"):
        appraise.export_workbook(tmp_path / "hce.xlsx", [sheet], sensitivity=False)
    made = appraise.make_template(tmp_path / "t.xlsx", demo.parent / "two.yaml", scores=demo)
    assert totals(appraise.rank(appraise.load_scores(made))) == pytest.approx(
        {"x": 3.4, "y": 3.2, "z": 3.0}
    )


def test_the_readme_python_example_runs_as_shown():
    """The README's "Use from Python" block, run from the top of the repository; its output
    is the comment block under it."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Use from Python", 1)[1]
    code, shown = re.search(
        r"```python\n(.*?)```\n\nprints:\n\n```text\n(.*?)```", section, re.S
    ).groups()
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == shown


def test_a_ranking_serves_wherever_a_sheet_does(demo: Path, write: Write) -> None:
    """The analyses take a sheet (ranked with the defaults) or a ranking (as it was ranked)."""
    ranking = appraise.rank(appraise.load_scores(demo), weights="flip")
    assert api.diff(ranking, ranking).scores == ()
    assert api.sensitivity(ranking, only=["thresholds"]).ranking is ranking


def test_the_library_names_its_parameters_and_the_command_line_its_options(write):
    """Issue 15: a message advising a setting speaks the caller's words."""
    from typer.testing import CliRunner

    from appraise.cli import app

    write("two.yaml", TWO_CRITERIA)
    path = write("gap.yaml", THREE_OPTIONS.replace("{a: 2, b: 5}", "{a: 2}"))
    with pytest.raises(InputError) as caught:
        appraise.rank(appraise.load_scores(path))
    assert str(caught.value).endswith(
        "no score for b; choose missing='exclude', baseline or renormalise"
    )
    excluded = appraise.rank(appraise.load_scores(path), missing="exclude")
    assert f"{path}: option 'y' excluded: no score for b (missing='exclude')" in excluded.notes
    result = CliRunner().invoke(app, ["rank", str(path)])
    assert result.exit_code == 1
    assert "(choose --missing exclude|baseline|renormalise to proceed)" in result.output
    result = CliRunner().invoke(app, ["rank", str(path), "--missing", "exclude"])
    assert "no score for b (--missing exclude)" in result.output


def test_check_lists_every_problem_as_the_command_does(demo, write, tmp_path):
    """``check`` is a library call too: problems are returned, never raised."""
    bad = write("bad.yaml", THREE_OPTIONS.replace("{a: 5, b: 1}", "{a: 9, b: 1}"))
    result = api.check([demo, bad])
    assert [f["kind"] for f in result.files] == ["scores", "scores"]
    errors = [p for p in result.problems if p.severity == "error"]
    assert [(p.path.endswith("bad.yaml"), p.where) for p in errors] == [
        (True, "options[0].scores.a")
    ]
    assert "9" in errors[0].message
    assert [p for p in api.check([demo]).problems if p.severity == "error"] == []


def test_copy_examples_makes_the_bundled_folders(tmp_path):
    made = api.copy_examples(tmp_path / "tour")
    assert sorted(p.name for p in made) == ["criteria", "examples", "options"]
    assert (tmp_path / "tour" / "options" / "urgent-care.yaml").is_file()
    with pytest.raises(appraise.AppraiseError):
        api.copy_examples(tmp_path / "tour")  # never written over


@pytest.mark.parametrize(
    ("call", "found"),
    [
        (lambda s: appraise.rank(s, aggregate="max"), "aggregate: expected one of 'mean', "),
        (lambda s: appraise.rank(s, missing="bogus"), "missing: expected one of 'error', "),
        (lambda s: appraise.rank(s, exclude_conflicted="no"), "exclude_conflicted: expected "),
        (lambda s: appraise.rank(s, statuses="shortlisted"), "statuses: expected a list of "),
        (lambda s: appraise.sensitivity(s, only=["nope"]), "only: expected one of "),
        (lambda s: appraise.sensitivity(s, samples=2.5), "samples: expected a whole number"),
        (lambda s: appraise.combine([s], samples=-5), "samples: expected 0 to 100,000"),
        (lambda s: appraise.combine([s], seed=-1), "seed: expected 0 to 4,294,967,295"),
        (lambda s: appraise.combine([s], top=2.5), "top: expected a whole number"),
        (lambda s: appraise.combine([], ()), "sheets: expected at least one"),
        (lambda s: appraise.combine([s], group_weights={"demo": -1}), "group_weights['demo']"),
        (lambda s: appraise.combine([s], group_weights={"demo": 0}), "group_weights['demo']: ex"),
        (lambda s: appraise.combine([s], distribution="bogus"), "distribution: expected one"),
        (lambda s: appraise.combine([s], concentration=float("nan")), "concentration: "),
        (lambda s: appraise.scores_from_data(None, s.tree), "data: expected a mapping"),
        (lambda s: appraise.load_scores(None), "source: expected a file or a bundled name"),
    ],
)
def test_a_wrong_argument_is_a_parameter_error_naming_it(demo, call, found):
    """Pass four: the library read "no" as true and "max" as the mean, and raised TypeError,
    ValueError or IndexError where the command line said which option was wrong."""
    sheet = appraise.load_scores(demo)
    with pytest.raises(appraise.ParameterError) as caught:
        call(sheet)
    assert str(caught.value).startswith(found.split(":")[0])
    assert found in str(caught.value)


def test_the_same_group_twice_is_refused_by_the_library_too(demo):
    sheet = appraise.load_scores(demo)
    with pytest.raises(appraise.AppraiseError, match="given twice"):
        appraise.combine([sheet, sheet])


def test_a_template_scale_is_checked_as_the_command_line_checks_it(tmp_path):
    for scale, found in [
        ((-math.inf, 0), "finite"),
        ((1, 1e300), "1e+300"),
        ((1, 2, 3), "(lowest"),
    ]:
        with pytest.raises(appraise.ParameterError, match=re.escape(found)):
            appraise.make_template(tmp_path / "t.xlsx", "cp-2016", scale=scale)
    assert not (tmp_path / "t.xlsx").exists()


def test_a_loaded_criteria_tree_serves_load_scores(demo, write):
    tree = appraise.load_criteria(demo.parent / "two.yaml")
    sheet = appraise.load_scores(demo, criteria=tree)
    assert totals(appraise.rank(sheet)) == pytest.approx({"x": 3.4, "y": 3.2, "z": 3.0})
