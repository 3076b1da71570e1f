"""Measured criteria: a value function turns a measure into a score (CONTRACT 1.4, issue 17).

The small tree: quality 60 (scored) and access 40 (measured in minutes; 15 -> 5, 30 -> 4,
45 -> 2, 60 -> 1). Options: a (quality 3, 34 min), b (4, 50 min), c (2, 20 min).
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

import appraise
from appraise.cli import app
from appraise.errors import Problems
from appraise.measures import measure_for, score_of
from appraise.model import MeasureSpec

from .conftest import Write
from .test_export import assert_matches, export, rank_json

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent

TREE = """\
title: Measured
criteria:
  - {id: quality, name: Quality, weight: 60}
  - id: access
    name: Journey time
    weight: 40
    measure:
      unit: minutes
      points: [[15, 5], [30, 4], [45, 2], [60, 1]]
"""

SCORES = """\
group: g
name: G
criteria: tree.yaml
scale: {min: 1, max: 5}
options:
  - {id: a, name: Option A, status_quo: true, scores: {quality: 3}, measures: {access: 34}}
  - {id: b, name: Option B, scores: {quality: 4}, measures: {access: 50}}
  - {id: c, name: Option C, scores: {quality: 2}, measures: {access: 20}}
"""

JOURNEY = MeasureSpec(unit="minutes", points=[(15, 5), (30, 4), (45, 2), (60, 1)])


@pytest.fixture
def measured(write: Write) -> Path:
    write("tree.yaml", TREE)
    return write("scores.yaml", SCORES)


@pytest.mark.parametrize(
    ("minutes", "score"),
    [
        (15, 5.0),  # at the points
        (30, 4.0),
        (60, 1.0),
        (34, 4 - 4 * 2 / 15),  # between 30 (4) and 45 (2): 4 - (34 - 30) x 2/15
        (50, 2 - 5 / 15),  # between 45 (2) and 60 (1)
        (20, 5 - 5 / 15),  # between 15 (5) and 30 (4)
    ],
)
def test_a_measure_scores_linearly_between_the_points(minutes, score):
    assert score_of(JOURNEY, minutes) == pytest.approx(score)
    assert measure_for(JOURNEY, score) == pytest.approx(minutes)


@pytest.mark.parametrize("minutes", [14.9, 60.1, -1])
def test_a_measure_outside_the_points_has_no_score(minutes):
    assert score_of(JOURNEY, minutes) is None


def test_a_rising_function_works_as_well_as_a_falling_one():
    """Staff in post: 10 -> 1, 30 -> 5; 20 is halfway, 3."""
    staffing = MeasureSpec(unit="staff", points=[(10, 1), (30, 5)])
    assert score_of(staffing, 20) == pytest.approx(3.0)
    assert measure_for(staffing, 4) == pytest.approx(25.0)


@pytest.mark.parametrize(
    ("points", "says"),
    [
        ([(15, 5), (15, 4)], "rise or fall throughout, each once"),
        ([(15, 5), (30, 4), (20, 3)], "rise or fall throughout, each once"),
        ([(15, 5), (30, 2), (45, 4)], "never turn back"),
        ([(15, 5)], "at least 2"),
    ],
)
def test_a_value_function_must_be_monotone_with_two_points(points, says):
    with pytest.raises(ValidationError, match=says):
        MeasureSpec(unit="minutes", points=points)


def test_totals_by_hand(measured):
    """a: 0.6 x 3 + 0.4 x 3.4667 = 3.1867; b: 0.6 x 4 + 0.4 x 1.6667 = 3.0667;
    c: 0.6 x 2 + 0.4 x 4.6667 = 3.0667 (b and c tie)."""
    ranking = appraise.rank(appraise.load_scores(measured))
    totals = {o.id: o.total for o in ranking.options}
    assert totals == pytest.approx(
        {
            "a": 1.8 + 0.4 * (4 - 8 / 15),
            "b": 2.4 + 0.4 * (2 - 5 / 15),
            "c": 1.2 + 0.4 * (5 - 5 / 15),
        }
    )
    assert [o.rank for o in ranking.options] == [1, 2, 2]


def test_the_json_shows_each_measure_and_the_value_function(measured):
    data = json.loads(runner.invoke(app, ["rank", str(measured), "-f", "json", "-q"]).stdout)
    assert data["measured"] == {
        "access": {
            "name": "Journey time",
            "unit": "minutes",
            "points": [[15, 5], [30, 4], [45, 2], [60, 1]],
        }
    }
    assert {o["id"]: o["measures"] for o in data["options"]} == {
        "a": {"access": 34},
        "b": {"access": 50},
        "c": {"access": 20},
    }


def test_explain_shows_the_measure_beside_its_score(measured):
    result = runner.invoke(app, ["explain", str(measured), "a", "-q"])
    row = next(line for line in result.stdout.splitlines() if line.startswith("Journey time"))
    assert [cell.strip() for cell in row.split("│")] == [
        "Journey time",
        "40.0%",
        "3.47",
        "",
        "1.387",
        "34 minutes",
    ]


def test_a_score_threshold_of_a_measured_leaf_is_said_in_its_unit(measured):
    """b must rise 0.2 on quality, or 0.3 on access (0.2 x 0.6 / 0.4): to 1.9667 from 1.6667,
    which the 45-60 minute segment gives at 45 + (2 - 1.9667) x 15 = 45.5 minutes."""
    data = json.loads(
        runner.invoke(
            app, ["sensitivity", str(measured), "--only", "scores", "-f", "json", "-q"]
        ).stdout
    )
    row = next(
        r for r in data["score_thresholds"] if (r["option"], r["criterion"]) == ("b", "access")
    )
    assert row["measure"] == 50
    assert row["unit"] == "minutes"
    assert row["needed"] == pytest.approx(2 - 5 / 15 + 0.3)
    assert row["needed_measure"] == pytest.approx(45 + (2 - row["needed"]) * 15)


def test_every_mistake_with_measures_is_listed(write: Write):
    write("tree.yaml", TREE.replace("[60, 1]", "[60, 0]"))
    path = write(
        "bad.yaml",
        """\
group: g
name: G
criteria: tree.yaml
scale: {min: 1, max: 5}
options:
  - {id: a, name: Option A, status_quo: true, scores: {quality: 3, access: 4}}
  - {id: b, name: Option B, scores: {quality: 4}, measures: {access: 70}}
  - {id: c, name: Option C, scores: {quality: 2}, measures: {acces: 20}}
""",
    )
    with pytest.raises(Problems) as caught:
        appraise.load_scores(path)
    assert [(p.where, p.message) for p in caught.value.errors] == [
        ("scale", "the value function of 'Journey time' gives scores 0, off this file's scale 1..5"),
        ("options[0].scores.access",
         "'access' is measured (minutes): give measures: {access: ...} for the option, not a score"),
        ("options[1].measures.access",
         "'Option B' measures 70 minutes on 'Journey time', outside its value function's range "
         "15 to 60 minutes (never extrapolated)"),
        ("options[2].measures.acces", "'acces' is not a measured criterion (measured: access)"),
    ]  # fmt: skip


def test_a_criterion_with_sub_criteria_is_not_measured(write: Write):
    path = write(
        "tree.yaml",
        "title: T\ncriteria:\n  - id: q\n    name: Q\n    weight: 100\n"
        "    measure: {unit: m, points: [[0, 1], [1, 5]]}\n"
        "    sub:\n      - {id: a, name: A, weight: 50}\n      - {id: b, name: B, weight: 50}\n",
    )
    problems = appraise.api.check([path]).problems
    assert [(p.where, p.message) for p in problems] == [
        ("criteria[0].measure", "'q' has sub-criteria: measure them, not the criterion above them")
    ]


def test_the_bundled_measured_example_checks_and_ranks():
    scores = ROOT / "examples" / "measured" / "urgent-care.yaml"
    assert [p for p in appraise.api.check([scores]).problems if p.severity == "error"] == []
    sheet = appraise.load_scores(scores)
    assert sheet.measured["rural-hubs"] == {"access": 27}
    column = sheet.leaf_ids.index("access")
    assert sheet.raw[:, 1, column] == pytest.approx([4 - 2 / 10] * len(sheet.scorer_ids))


def test_the_workbook_recalculates_to_the_same_totals(measured, tmp_path, recalculated):
    """The HCE workbook's totals, recalculated by LibreOffice, equal rank's: the derived
    scores are the Scores sheet's, and the formulas weigh them as any other."""
    out = export([measured], tmp_path / "hce.xlsx")
    book = openpyxl.load_workbook(recalculated(out), data_only=True)
    (record,) = rank_json([measured])
    assert_matches(book, "Totals", record)


def test_the_template_has_a_measures_sheet_that_reads_back(measured, tmp_path):
    """A template pre-filled from the file: measured leaves on Measures (not Scores), with the
    value function on the Criteria sheet; read back, it ranks exactly as the YAML does, also
    when moved away from its criteria file."""
    out = tmp_path / "g.xlsx"
    result = runner.invoke(app, ["template", str(measured.parent / "tree.yaml"), "--scores",
                                 str(measured), "-o", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    scores_header = [c.value for c in book["Scores"][2]]
    assert "access" not in scores_header
    assert "quality" in scores_header
    measures = [[c.value for c in row] for row in book["Measures"].iter_rows(min_row=2)]
    assert measures[:4] == [["option", "access"], ["a", 34], ["b", 50], ["c", 20]]
    criteria = {row[0].value: row for row in book["Criteria"].iter_rows(min_row=2)}
    assert (criteria["access"][5].value, criteria["access"][6].value) == (
        "minutes",
        "15:5, 30:4, 45:2, 60:1",
    )
    yaml_totals = {o.id: o.total for o in appraise.rank(appraise.load_scores(measured)).options}
    for path in (out, _moved(out, tmp_path)):
        ranked = appraise.rank(appraise.load_scores(path))
        assert {o.id: o.total for o in ranked.options} == pytest.approx(yaml_totals, abs=1e-12)
        assert appraise.load_scores(path).measured["b"] == {"access": 50}


def _moved(workbook: Path, tmp_path: Path) -> Path:
    away = tmp_path / "away"
    away.mkdir()
    target = away / workbook.name
    target.write_bytes(workbook.read_bytes())
    return target


def test_a_measure_outside_the_range_in_a_workbook_is_named_at_its_cell(measured, tmp_path):
    out = tmp_path / "g.xlsx"
    runner.invoke(app, ["template", str(measured.parent / "tree.yaml"), "--scores", str(measured),
                        "-o", str(out)])  # fmt: skip
    book = openpyxl.load_workbook(out)
    book["Measures"]["B4"] = 75  # option b, 75 minutes: past the last point (60)
    book.save(out)
    problems = appraise.api.check([out]).problems
    assert [(p.where, p.message) for p in problems] == [
        (
            "sheet 'Measures', cell B4",
            "'Option B' measures 75 minutes on 'Journey time', outside its value function's range "
            "15 to 60 minutes (never extrapolated)",
        )
    ]


def test_the_hce_workbook_shows_each_measure_beside_its_score(measured, tmp_path):
    out = export([measured], tmp_path / "hce.xlsx")
    book = openpyxl.load_workbook(out)
    scores = book[next(n for n in book.sheetnames if n.startswith("Scores"))]
    rows = [[c.value for c in row][:5] for row in scores.iter_rows(min_row=5, max_row=6)]
    assert rows[0] == ["measure", "a", "Option A", None, 34]
    assert rows[1][:4] == ["used", "a", "Option A", 3]
    assert rows[1][4] == pytest.approx(4 - 8 / 15)
    notes = [row[1].value for row in book["Criteria"].iter_rows() if row[1].value]
    assert any(
        "Measured: Journey time (access)" in str(n) and "15:5, 30:4, 45:2, 60:1" in str(n)
        for n in notes
    )


def test_diff_shows_a_measure_change_beside_the_score_it_moves(measured, write: Write):
    """a: 34 -> 30 minutes, so its score 3.4667 -> 4 and its total rises 0.4 x 0.5333."""
    later = write("later.yaml", SCORES.replace("access: 34", "access: 30"))
    data = json.loads(
        runner.invoke(app, ["diff", str(measured), str(later), "-f", "json", "-q"]).stdout
    )
    assert data["scores"] == [
        {
            "option": "a",
            "criterion": "access",
            "scorer": None,
            "old": pytest.approx(4 - 8 / 15),
            "new": 4.0,
            "measure": {"old": 34, "new": 30, "unit": "minutes"},
        }
    ]
    (change,) = [o for o in data["options"] if o["id"] == "a"]
    assert change["change"] == pytest.approx(0.4 * 8 / 15)
    text = runner.invoke(app, ["diff", str(measured), str(later), "-q"]).stdout
    assert "3.47 → 4.00 (34 → 30 minutes)" in text


def test_weigh_keeps_the_value_functions_in_the_criteria_file_it_writes(measured, write, tmp_path):
    """The written file carries the measure, so the measured scores file ranks against it."""
    write(
        "w.yaml",
        "criteria: tree.yaml\nbodies:\n  - {id: a, name: A, points: {top: {quality: 50, access: 50}}}\n",
    )
    out = tmp_path / "weighed.yaml"
    result = runner.invoke(app, ["weigh", str(measured.parent / "w.yaml"), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    repointed = write("again.yaml", SCORES.replace("criteria: tree.yaml", f"criteria: {out}"))
    totals = {o.id: o.total for o in appraise.rank(appraise.load_scores(repointed)).options}
    assert totals["a"] == pytest.approx(0.5 * 3 + 0.5 * (4 - 8 / 15))


def test_an_indicative_round_checks_measures_and_says_they_are_not_used(write: Write):
    """At criteria level a measured sub-criterion is not scored: its measure is still held to
    the value function's range, and a warning says it is not used."""
    write(
        "tree.yaml",
        "title: T\ncriteria:\n  - id: q\n    name: Q\n    weight: 100\n    sub:\n"
        "      - {id: a, name: A, weight: 50}\n"
        "      - {id: t, name: Time, weight: 50, measure: {unit: min, points: [[10, 5], [60, 1]]}}\n",
    )
    path = write(
        "ind.yaml",
        "group: g\nname: G\ncriteria: tree.yaml\nscale: {min: 1, max: 5}\noptions:\n"
        "  - {id: x, name: X, status_quo: true, scores: {q: 3}, measures: {t: 999}}\n"
        "  - {id: y, name: Y, scores: {q: 4}, measures: {t: 30}}\n",
    )
    found = [(p.severity, p.where, p.message) for p in appraise.api.check([path]).problems]
    assert found == [
        ("error", "options[0].measures.t",
         "'X' measures 999 min on 'Time', outside its value function's range 10 to 60 min "
         "(never extrapolated)"),
        ("warning", "options[1].measures.t",
         "'t' is measured, but this round scores the top-level criteria: its measure is checked "
         "and not used"),
    ]  # fmt: skip


def test_a_score_threshold_stops_at_the_value_functions_best_score(write: Write):
    """Access's function tops out at 4 on a 1..5 scale (15 min): B at 20 min (3.667) can gain
    at most 0.333 there, x 0.4 = 0.133, short of the 0.4 gap to A: not possible on access."""
    write("tree.yaml", TREE.replace("[[15, 5], [30, 4], [45, 2], [60, 1]]", "[[15, 4], [60, 1]]"))
    path = write(
        "s.yaml",
        "group: g\nname: G\ncriteria: tree.yaml\nscale: {min: 1, max: 5}\noptions:\n"
        "  - {id: a, name: A, status_quo: true, scores: {quality: 4}, measures: {access: 20}}\n"
        "  - {id: b, name: B, scores: {quality: 3.333333333333333}, measures: {access: 20}}\n",
    )
    data = json.loads(
        runner.invoke(
            app, ["sensitivity", str(path), "--only", "scores", "-f", "json", "-q"]
        ).stdout
    )
    access = next(r for r in data["score_thresholds"] if r["criterion"] == "access")
    assert access["change"] is None
    assert access["needed_measure"] is None


def test_a_flat_part_of_a_falling_function_gives_the_least_demanding_measure():
    """30 and 45 minutes both score 4: 45 is enough for a 4 (a falling function: more minutes
    still score it); on a rising function the lowest of a flat part is."""
    flat = MeasureSpec(unit="minutes", points=[(15, 5), (30, 4), (45, 4), (60, 1)])
    assert measure_for(flat, 4) == pytest.approx(45)
    rising = MeasureSpec(unit="staff", points=[(10, 1), (20, 3), (30, 3), (40, 5)])
    assert measure_for(rising, 3) == pytest.approx(20)
