"""Two scoring rounds: every change found, and each total's change split exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from appraise.diff import diff
from appraise.io import load_scores
from appraise.scoring import rank

from .conftest import THREE_OPTIONS, TWO_CRITERIA

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def rounds(write):
    write("two.yaml", TWO_CRITERIA)
    old = write("old.yaml", THREE_OPTIONS)
    # x drops 5 -> 4 on a; z is renamed; w is new; y unchanged.
    new = write(
        "new.yaml",
        THREE_OPTIONS.replace("scores: {a: 5, b: 1}", "scores: {a: 4, b: 1}").replace(
            "name: Option Z", "name: Option Z2"
        )
        + "  - {id: w, name: Option W, scores: {a: 1, b: 1}}\n",
    )
    return old, new


def test_options_added_renamed_and_moved(rounds):
    old, new = rounds
    found = {o.id: o for o in diff(rank(load_scores(old)), rank(load_scores(new))).options}
    # New totals by hand: y 3.2, z 3.0, x 0.6*4 + 0.4*1 = 2.8, w 1.0.
    assert (found["x"].old_rank, found["x"].new_rank) == (1, 3)
    assert found["x"].change == pytest.approx(-0.6)
    assert found["x"].from_scores == pytest.approx(-0.6)
    assert found["x"].from_weights == pytest.approx(0.0)
    assert (found["y"].status, found["y"].old_rank, found["y"].new_rank) == ("kept", 2, 1)
    assert (found["z"].status, found["z"].old_name, found["z"].name) == (
        "renamed",
        "Option Z",
        "Option Z2",
    )
    assert (found["w"].status, found["w"].old_total, found["w"].new_total) == (
        "added",
        None,
        pytest.approx(1.0),
    )


def test_score_changes_are_listed_cell_by_cell(rounds):
    old, new = rounds
    changes = diff(rank(load_scores(old)), rank(load_scores(new))).scores
    assert [(c.option, c.criterion, c.scorer, c.old, c.new) for c in changes] == [
        ("x", "a", None, 5.0, 4.0)
    ]


def test_a_weight_change_is_attributed_to_weights(write):
    write("two.yaml", TWO_CRITERIA)
    write(
        "flip.yaml",
        TWO_CRITERIA.replace("weight: 60", "weight: 40").replace(
            "weight: 40}\nweight_sets", "weight: 60}\nweight_sets"
        ),
    )
    old = write("old.yaml", THREE_OPTIONS)
    new = write("new.yaml", THREE_OPTIONS.replace("criteria: two.yaml", "criteria: flip.yaml"))
    result = diff(rank(load_scores(old)), rank(load_scores(new)))
    assert [(w.criterion, w.old, w.new) for w in result.weights] == [
        ("a", pytest.approx(0.6), pytest.approx(0.4)),
        ("b", pytest.approx(0.4), pytest.approx(0.6)),
    ]
    x = next(o for o in result.options if o.id == "x")
    # 5 x (0.4 - 0.6) + 1 x (0.6 - 0.4) = -0.8, all from the weights.
    assert (x.from_scores, x.from_weights, x.change) == (
        pytest.approx(0.0),
        pytest.approx(-0.8),
        pytest.approx(-0.8),
    )
    assert result.scores == ()


def test_indicative_then_rescore_compares_criteria_and_the_parts_add_up():
    old = rank(load_scores(ROOT / "examples" / "urgent-care-indicative.yaml"))
    new = rank(load_scores(ROOT / "options" / "urgent-care.yaml"))
    result = diff(old, new)
    assert result.level == "criteria"
    assert result.criteria == ("quality", "affordability", "sustainability", "deliverability")
    assert any("top-level criteria" in n for n in result.notes)
    status = {o.id: o.status for o in result.options}
    assert status["integrated-111"] == "removed"
    for o in result.options:
        if o.change is not None:
            assert o.from_scores + o.from_weights == pytest.approx(o.change, abs=1e-12)


def test_per_scorer_changes_name_the_scorer(write):
    write("two.yaml", TWO_CRITERIA)
    panel = """\
    group: p
    name: P
    criteria: two.yaml
    scale: {min: 1, max: 5}
    options:
      - {id: x, name: X, status_quo: true, scorers: {ann: {a: 5, b: 1}, bob: {a: 3, b: 3}}}
      - {id: y, name: Y, scorers: {ann: {a: 2, b: 5}, bob: {a: 2, b: 4}}}
    """
    old = write("old.yaml", panel)
    new = write("new.yaml", panel.replace("bob: {a: 2, b: 4}", "bob: {a: 2, b: 2}"))
    changes = diff(rank(load_scores(old)), rank(load_scores(new))).scores
    assert [(c.option, c.criterion, c.scorer, c.old, c.new) for c in changes] == [
        ("y", "b", None, 4.5, 3.5),
        ("y", "b", "bob", 4.0, 2.0),
    ]


def test_diff_command_json_table_and_csv(rounds):
    import csv
    import io
    import json

    from typer.testing import CliRunner

    from appraise.cli import app

    old, new = rounds
    runner = CliRunner()
    data = json.loads(runner.invoke(app, ["diff", str(old), str(new), "-f", "json"]).stdout)
    assert data["summary"][0] == "The leader changes from Option X to Option Y."
    assert "Added: Option W." in data["summary"]
    assert {o["id"]: o["status"] for o in data["options"]} == {
        "x": "kept",
        "y": "kept",
        "z": "renamed",
        "w": "added",
    }
    table = runner.invoke(app, ["diff", str(old), str(new)])
    assert table.exit_code == 0, table.output
    assert "1 → 3" in table.stdout
    rows = list(
        csv.DictReader(
            io.StringIO(runner.invoke(app, ["diff", str(old), str(new), "-f", "csv"]).stdout)
        )
    )
    assert [r["id"] for r in rows] == ["y", "z", "x", "w"]


def test_export_with_a_previous_round_adds_a_rounds_sheet(rounds, tmp_path):
    import openpyxl
    from typer.testing import CliRunner

    from appraise.cli import app

    old, new = rounds
    out = tmp_path / "rounds.xlsx"
    result = CliRunner().invoke(
        app, ["export", str(new), "--previous", str(old), "-o", str(out), "--no-sensitivity"]
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert "Rounds" in book.sheetnames
    values = [
        [c for c in row if c is not None] for row in book["Rounds"].iter_rows(values_only=True)
    ]
    x_row = next(r for r in values if r and r[0] == "Option X")
    # status, rank 1 -> 3, total 3.4 -> 2.8, change -0.6 all from scores.
    assert x_row[1:4] == ["kept", 1, 3]
    assert x_row[4:] == [
        pytest.approx(3.4),
        pytest.approx(2.8),
        pytest.approx(-0.6),
        pytest.approx(-0.6),
        0,
    ]
    audit = [r for r in book["Audit"].iter_rows(values_only=True) if r and r[0]]
    assert any(str(old) in " ".join(str(c) for c in r if c) for r in audit)
