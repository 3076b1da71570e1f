"""Two scoring rounds: every change found, and each total's change split exactly."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest
from typer.testing import CliRunner

from appraise.analysis.diff import diff
from appraise.analysis.scoring import rank
from appraise.cli import app
from appraise.io import load_scores

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


# --- what people read: figures that agree, names, rejections, one precision ----------------

ROUND_ONE = """\
group: demo
name: Demo group
criteria: two.yaml
scale: {min: 1, max: 5}
round: first
options:
  - {id: x, name: Option X, scores: {a: 2.864, b: 2.864}}
  - {id: y, name: Rural urgent care hubs, scores: {a: 2, b: 5}}
  - {id: z, name: Option Z, status_quo: true, scores: {a: 3, b: 3}}
  - {id: h, name: Hub, scores: {a: 1, b: 1}}
  - {id: r, name: Option R, status: rejected, status_reason: Too costly., scores: {a: 3, b: 3}}
  - {id: q, name: Option Q, scores: {a: 1, b: 2}}
"""

# x moves 2.864 -> 2.866 (+0.002, which two decimals would show as 2.86 -> 2.87, +0.00);
# y is renamed; h keeps its name under a new id; r (rejected in round one) and q are gone.
ROUND_TWO = """\
group: demo
name: Demo group
criteria: two.yaml
scale: {min: 1, max: 5}
round: second
options:
  - {id: x, name: Option X, scores: {a: 2.866, b: 2.866}}
  - {id: y, name: Rural urgent primary care hubs, scores: {a: 2, b: 5}}
  - {id: z, name: Option Z, status_quo: true, scores: {a: 3, b: 3}}
  - {id: h2, name: Hub, scores: {a: 1, b: 1}}
"""


@pytest.fixture
def two_rounds(write):
    write("two.yaml", TWO_CRITERIA)
    return write("one.yaml", ROUND_ONE), write("two-rounds.yaml", ROUND_TWO)


def _record(old, new):
    from appraise.present.diff import diff_record

    return diff_record(diff(rank(load_scores(old)), rank(load_scores(new))))


def _draw(renderable, width):
    import io

    from rich.console import Console

    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None).print(renderable)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())


def test_the_summary_gives_old_and_new_names_and_says_what_was_already_rejected(two_rounds):
    """Totals by hand (weights 0.6, 0.4): y 3.2, z 3.0, x 2.864 -> 2.866, q 1.4, h 1.0 (so h
    moves from rank 5 to 4 when q goes); r, rejected, 3.0 but unranked."""
    record = _record(*two_rounds)
    assert record["summary"] == [
        "Rural urgent primary care hubs leads in both rounds.",
        "Dropped: Option Q.",
        "Dropped, already rejected in round 'first': Option R (Too costly).",
        "Renamed: Rural urgent care hubs → Rural urgent primary care hubs; Hub (id h → h2).",
        "Largest change: Option X, +0.002 (all from scores).",
        "2 score changes and 0 weight changes.",
    ]
    by_id = {o["id"]: o for o in record["options"]}
    assert by_id["r"]["status"] == "removed"
    assert by_id["r"]["rejected_before"] == "Too costly."
    assert by_id["q"]["rejected_before"] is None


def test_the_diff_view_prints_changes_that_agree_with_its_totals(two_rounds):
    """The whole table at three decimals: x's +0.002 is the only reason, and every row shares
    it. Unchanged totals print once with an unsigned 0.000; r says it was already rejected."""
    from appraise.present import terminal

    record = _record(*two_rounds)
    text = _draw(terminal.diff_view(record, {"a": "Criterion A", "b": "Criterion B"}), 120)
    assert text.split("Options\n", 1)[1] == dedent(
        """\
        Option                         ┃ Status                 ┃  Rank ┃         Total ┃ Change ┃ From scores ┃ From weights
        ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━
        Rural urgent primary care hubs │ renamed                │     1 │         3.200 │  0.000 │       0.000 │        0.000
        Option Z                       │ kept                   │     2 │         3.000 │  0.000 │       0.000 │        0.000
        Option X                       │ kept                   │     3 │ 2.864 → 2.866 │ +0.002 │      +0.002 │        0.000
        Hub                            │ renamed                │ 5 → 4 │         1.000 │  0.000 │       0.000 │        0.000
        Option R                       │ removed (was rejected) │     - │     3.000 → - │        │             │
        Option Q                       │ removed                │ 4 → - │     1.400 → - │        │             │
        Score changes
        Option   ┃ Criterion   ┃ Scorer ┃ Score
        ━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━
        Option X │ Criterion A │ panel  │ 2.86 → 2.87
                 │ Criterion B │ panel  │ 2.86 → 2.87"""
    )


def test_a_change_is_the_difference_of_the_printed_totals_and_its_parts_add_up():
    """Hand-worked rows, one table each (figures are rounded half-even, as f-strings do).

    3.7704 -> 3.5853 prints 3.77 -> 3.59: the change shown is -0.18 (not the -0.19 that
    -0.1851 rounds to), all from scores. 1.004 -> 1.506 prints 1.00 -> 1.51, +0.51; its parts
    0.251 + 0.251 round to 0.25 + 0.25 = 0.50, so the first takes the missing 0.01. A part of
    +0.001 beside -0.200 would print as 0.00 at two places, so that table takes three.
    """
    from appraise.present.diff import option_figures

    def row(old, new, scores, weights):
        change = None if old is None or new is None else scores + weights
        return {
            "old_total": old,
            "new_total": new,
            "change": change,
            "from_scores": None if change is None else scores,
            "from_weights": None if change is None else weights,
        }

    def shown(*rows):
        return [tuple(f.values()) for f in option_figures(rows)]

    assert shown(row(3.7704, 3.5853, -0.1851, 0.0)) == [("3.77 → 3.59", "-0.18", "-0.18", "0.00")]
    assert shown(row(1.004, 1.506, 0.251, 0.251)) == [("1.00 → 1.51", "+0.51", "+0.26", "+0.25")]
    assert shown(row(3.0, 2.801, -0.2, 0.001)) == [("3.000 → 2.801", "-0.199", "-0.200", "+0.001")]
    assert shown(row(2.864, 2.866, 0.002, 0.0), row(3.0, 3.5, 0.5, 0.0), row(3.7, None, 0, 0)) == [
        ("2.864 → 2.866", "+0.002", "+0.002", "0.000"),
        ("3.000 → 3.500", "+0.500", "+0.500", "0.000"),
        ("3.700 → -", "", "", ""),
    ]


def test_score_and_weight_changes_share_one_precision_per_table():
    """3 -> 3.0038 needs three decimals to show, so 3 -> 2.91 is printed 3.000 -> 2.910 too
    (not 3.0000 -> 3.0038 beside 3.00 -> 2.91). 20% -> 20.04% needs two decimals."""
    from appraise.present.diff import score_figures, weight_figures

    assert score_figures(
        [{"old": 3.0, "new": 3.0038}, {"old": 3.0, "new": 2.91}, {"old": None, "new": 4.0}]
    ) == ["3.000 → 3.004", "3.000 → 2.910", "- → 4.000"]
    assert score_figures([{"old": 3.0, "new": 2.91}]) == ["3.00 → 2.91"]
    assert weight_figures([{"old": 0.3, "new": 0.4}, {"old": 0.2, "new": 0.2004}]) == [
        "30.00% → 40.00%",
        "20.00% → 20.04%",
    ]


def test_differences_below_1e9_are_not_changes(write):
    """x: 0.6 x 3 + 0.4 x 1 = 2.2 in both rounds; a = 3.0000000001 in the second is noise."""
    from appraise.present.diff import option_figures

    write("two.yaml", TWO_CRITERIA)
    old = write("old.yaml", THREE_OPTIONS.replace("{a: 5, b: 1}", "{a: 3, b: 1}"))
    new = write("new.yaml", THREE_OPTIONS.replace("{a: 5, b: 1}", "{a: 3.0000000001, b: 1}"))
    result = diff(rank(load_scores(old)), rank(load_scores(new)))
    assert result.scores == ()
    x = next(o for o in result.options if o.id == "x")
    assert (x.change, x.from_scores, x.from_weights) == (0.0, 0.0, 0.0)
    record = _record(old, new)
    assert record["summary"][-1] == "0 score changes and 0 weight changes."
    figures = option_figures([o for o in record["options"] if o["id"] == "x"])
    assert figures == [
        {"total": "2.20", "change": "0.00", "from_scores": "0.00", "from_weights": "0.00"}
    ]


def test_diff_markdown_uses_the_table_figures(two_rounds):
    from appraise.present.diff import diff_markdown

    text = diff_markdown(_record(*two_rounds))
    assert text.split("\n\n", 2)[2] == dedent(
        """\
        | option | status | rank | total | change | from scores | from weights |
        | --- | --- | ---: | ---: | ---: | ---: | ---: |
        | Rural urgent primary care hubs | renamed | 1 | 3.200 | 0.000 | 0.000 | 0.000 |
        | Option Z | kept | 2 | 3.000 | 0.000 | 0.000 | 0.000 |
        | Option X | kept | 3 | 2.864 → 2.866 | +0.002 | +0.002 | 0.000 |
        | Hub | renamed | 5 → 4 | 1.000 | 0.000 | 0.000 | 0.000 |
        | Option R | removed (was rejected) | - | 3.000 → - |  |  |  |
        | Option Q | removed | 4 → - | 1.400 → - |  |  |  |
        """
    )


def test_the_indicative_round_says_the_111_hub_was_already_rejected():
    old = rank(load_scores(ROOT / "examples" / "urgent-care-indicative.yaml"))
    new = rank(load_scores(ROOT / "options" / "urgent-care.yaml"))
    from appraise.present.diff import diff_record

    record = diff_record(diff(old, new))
    assert record["summary"][1] == (
        "Dropped, already rejected in round 'indicative': Integrated 111 and out-of-hours "
        "clinical hub only (Already being implemented system-wide, so not a configuration "
        "choice for this group)."
    )
    assert not any(s.startswith("Dropped: ") for s in record["summary"])


def test_the_rounds_sheet_says_the_111_hub_was_already_rejected(tmp_path):
    import openpyxl
    from typer.testing import CliRunner

    from appraise.cli import app

    out = tmp_path / "hce.xlsx"
    result = CliRunner().invoke(
        app,
        [
            "export",
            str(ROOT / "options" / "urgent-care.yaml"),
            "--previous",
            str(ROOT / "examples" / "urgent-care-indicative.yaml"),
            "--no-sensitivity",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = openpyxl.load_workbook(out)["Rounds"].iter_rows(values_only=True)
    found = [
        r[:2] for r in rows if r and r[0] == "Integrated 111 and out-of-hours clinical hub only"
    ]
    assert found == [
        ("Integrated 111 and out-of-hours clinical hub only", "removed (was rejected)")
    ]


def test_the_diff_csv_has_no_float_noise_and_words_status_as_the_table():
    import csv
    import io

    from typer.testing import CliRunner

    from appraise.cli import app

    result = CliRunner().invoke(
        app,
        [
            "diff",
            str(ROOT / "examples" / "urgent-care-indicative.yaml"),
            str(ROOT / "options" / "urgent-care.yaml"),
            "-f",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(result.stdout))}
    assert rows["integrated-111"]["status"] == "removed (was rejected)"
    for row in rows.values():
        for key in ("old_total", "new_total", "change", "from_scores", "from_weights"):
            digits = row[key].lstrip("-").replace(".", "").lstrip("0")
            assert len(digits) <= 12, (key, row[key])
        if row["change"]:  # the parts add up, as printed
            parts = float(row["from_scores"]) + float(row["from_weights"])
            assert float(row["change"]) == pytest.approx(parts, abs=1e-11)


# --- the panel: scorers added, removed and renamed -------------------------------------------

# Two scorers, two options on the 60/40 pair. Panel means: x a 4, b 2 -> 3.2; y a 2, b 4.5 -> 3.0.
PANEL = """\
group: p
name: P
criteria: two.yaml
scale: {min: 1, max: 5}
round: one
options:
  - {id: x, name: X, status_quo: true, scorers: {ann: {a: 5, b: 1}, bob: {a: 3, b: 3}}}
  - {id: y, name: Y, scorers: {ann: {a: 2, b: 5}, bob: {a: 2, b: 4}}}
"""


@pytest.fixture
def panel_rounds(write):
    """(write, the old round): the new round is written by each test from PANEL."""
    write("two.yaml", TWO_CRITERIA)
    return write, write("old.yaml", PANEL)


def _panel(change):
    return (change.status, change.old_id, change.id, change.matched_by, change.scores)


def test_a_pure_rename_of_a_scorer_is_a_change(panel_rounds):
    """bob scores as robert, every score the same: no total or cell moves, yet the panel
    changed, so the diff says so (and never '0 changes' alone)."""
    write, old = panel_rounds
    new = write("new.yaml", PANEL.replace("bob:", "robert:").replace("one", "two"))
    result = diff(rank(load_scores(old)), rank(load_scores(new)))
    assert [_panel(c) for c in result.panel] == [
        ("renamed", "bob", "robert", "scores", (("x", (3.0, 3.0)), ("y", (2.0, 4.0))))
    ]
    assert result.scores == ()
    assert all(o.change == 0 for o in result.options)
    summary = _record(old, new)["summary"]
    assert summary[-2:] == [
        "Panel: renamed bob → robert (same scores).",
        "0 score changes, 0 weight changes and 1 panel change.",
    ]


def test_scorers_added_and_removed_are_listed_with_the_scores_they_gave(panel_rounds):
    """bob leaves, cat joins with other scores (so not a rename): cat's x (1, 1) and y (4, 4),
    bob's x (3, 3) and y (2, 4). The panel's cells move with them: x a (5+3)/2 = 4 -> (5+1)/2
    = 3, x b 2 -> 1, y a 2 -> 3, y b 4.5 -> 4.5 (unchanged)."""
    write, old = panel_rounds
    new = write(
        "new.yaml",
        PANEL.replace("bob: {a: 3, b: 3}", "cat: {a: 1, b: 1}").replace(
            "bob: {a: 2, b: 4}", "cat: {a: 4, b: 4}"
        ),
    )
    result = diff(rank(load_scores(old)), rank(load_scores(new)))
    assert [_panel(c) for c in result.panel] == [
        ("added", None, "cat", None, (("x", (1.0, 1.0)), ("y", (4.0, 4.0)))),
        ("removed", "bob", "bob", None, (("x", (3.0, 3.0)), ("y", (2.0, 4.0)))),
    ]
    assert [(c.option, c.criterion, c.scorer, c.old, c.new) for c in result.scores] == [
        ("x", "a", None, 4.0, 3.0),
        ("x", "b", None, 2.0, 1.0),
        ("y", "a", None, 2.0, 3.0),
    ]
    assert _record(old, new)["summary"][-2:] == [
        "Panel: added cat; removed bob.",
        "3 score changes, 0 weight changes and 2 panel changes.",
    ]


def test_a_scorer_with_the_same_name_is_renamed_and_their_score_changes_listed(panel_rounds):
    """`scorers:` names bob and b-smith both 'Bob Smith': one scorer, renamed, who also moved
    y's b from 4 to 2 (the panel's y b from (5+4)/2 = 4.5 to (5+2)/2 = 3.5)."""
    write, _ = panel_rounds
    named = "scorers:\n  {id}: {{name: Bob Smith}}\n  ann: {{name: Ann}}\noptions:"
    old = write("old.yaml", PANEL.replace("options:", named.format(id="bob")))
    new = write(
        "new.yaml",
        PANEL.replace("options:", named.format(id="b-smith"))
        .replace("bob: {a: 2, b: 4}", "bob: {a: 2, b: 2}")
        .replace("bob:", "b-smith:"),
    )
    result = diff(rank(load_scores(old)), rank(load_scores(new)))
    assert [_panel(c) for c in result.panel] == [
        ("renamed", "bob", "b-smith", "name", (("x", (3.0, 3.0)), ("y", (2.0, 2.0))))
    ]
    assert [(c.option, c.criterion, c.scorer, c.old, c.new) for c in result.scores] == [
        ("y", "b", None, 4.5, 3.5),
        ("y", "b", "b-smith", 4.0, 2.0),
    ]


def test_a_new_name_under_the_same_id_is_a_rename(panel_rounds):
    """bob's `scorers:` name goes from Bob Smith to Rob Jones (perhaps another person in the
    seat): renamed, though every score is the same. A name given in one round only is not."""
    write, _ = panel_rounds
    old = write(
        "old.yaml",
        PANEL.replace("options:", "scorers: {ann: {}, bob: {name: Bob Smith}}\noptions:"),
    )
    new = write(
        "new.yaml",
        PANEL.replace("options:", "scorers: {ann: {}, bob: {name: Rob Jones}}\noptions:"),
    )
    result = diff(rank(load_scores(old)), rank(load_scores(new)))
    assert [(*_panel(c), c.old_name, c.name) for c in result.panel] == [
        (
            "renamed",
            "bob",
            "bob",
            "id",
            (("x", (3.0, 3.0)), ("y", (2.0, 4.0))),
            "Bob Smith",
            "Rob Jones",
        )
    ]
    record = _record(old, new)
    assert "Panel: renamed bob: Bob Smith → Rob Jones." in record["summary"]
    from appraise.present.diff import panel_rows

    assert panel_rows(record)[0]["scorer"] == "bob (Bob Smith → Rob Jones)"
    unnamed = write("unnamed.yaml", PANEL)
    assert diff(rank(load_scores(unnamed)), rank(load_scores(new))).panel == ()


def test_nearly_the_same_scores_or_two_candidates_are_not_a_rename(panel_rounds):
    """robert differs from bob in one cell (y b 4 -> 3): added and removed, not renamed. And
    where bob and cat both gave robert's scores, neither is taken for him."""
    write, old = panel_rounds
    near = write("near.yaml", PANEL.replace("bob:", "robert:").replace("b: 4}", "b: 3}"))
    result = diff(rank(load_scores(old)), rank(load_scores(near)))
    assert [(c.status, c.id) for c in result.panel] == [("added", "robert"), ("removed", "bob")]

    twins = write(
        "twins.yaml",
        PANEL.replace("bob: {a: 3, b: 3}}", "bob: {a: 3, b: 3}, cat: {a: 3, b: 3}}").replace(
            "bob: {a: 2, b: 4}}", "bob: {a: 2, b: 4}, cat: {a: 2, b: 4}}"
        ),
    )
    one = write("one.yaml", PANEL.replace("bob:", "dan:"))
    result = diff(rank(load_scores(twins)), rank(load_scores(one)))
    assert [(c.status, c.id) for c in result.panel] == [
        ("added", "dan"),
        ("removed", "bob"),
        ("removed", "cat"),
    ]


def test_a_consensus_round_against_a_panel_lists_the_panel_as_added(panel_rounds):
    """The consensus round gives THREE_OPTIONS-like scores; ann and bob joined in the next."""
    write, new = panel_rounds
    old = write(
        "consensus.yaml",
        PANEL.replace("scorers: {ann: {a: 5, b: 1}, bob: {a: 3, b: 3}}", "scores: {a: 4, b: 2}")
        .replace("scorers: {ann: {a: 2, b: 5}, bob: {a: 2, b: 4}}", "scores: {a: 2, b: 4.5}")
        .replace("round: one", "round: zero"),
    )
    record = _record(old, new)
    assert [(c["status"], c["id"]) for c in record["panel"]] == [("added", "ann"), ("added", "bob")]
    assert record["summary"][-2:] == [
        "Panel: added ann, bob (round 'zero' gave consensus scores).",
        "0 score changes, 0 weight changes and 2 panel changes.",
    ]


def test_a_renamed_scorer_shows_in_every_output_form(panel_rounds, tmp_path):
    """Table (80 columns), JSON, CSV, Markdown and the Rounds sheet all name bob → robert."""
    import csv
    import io
    import json

    import openpyxl
    from typer.testing import CliRunner

    from appraise.cli import app
    from appraise.present import terminal

    write, old = panel_rounds
    new = write("new.yaml", PANEL.replace("bob:", "robert:").replace("round: one", "round: two"))
    record = _record(old, new)
    text = _draw(terminal.diff_view(record, {"a": "Criterion A", "b": "Criterion B"}), 80)
    assert text.split("Panel changes\n", 1)[1] == dedent(
        """\
        Scorer       ┃ Change  ┃ Option ┃ Scores
        ━━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━╇━━━━━━━
        bob → robert │ renamed │ X      │ 3 3
                     │         │ Y      │ 2 4
        Scores in criterion order: a, b."""
    )
    assert "• Panel: renamed bob → robert (same scores)." in text

    runner = CliRunner()
    data = json.loads(runner.invoke(app, ["diff", str(old), str(new), "-f", "json"]).stdout)
    assert data["panel"] == [
        {
            "id": "robert",
            "old_id": "bob",
            "status": "renamed",
            "matched_by": "scores",
            "name": None,
            "old_name": None,
            "scores": {"x": {"a": 3.0, "b": 3.0}, "y": {"a": 2.0, "b": 4.0}},
        }
    ]
    rows = list(
        csv.DictReader(
            io.StringIO(runner.invoke(app, ["diff", str(old), str(new), "-f", "csv"]).stdout)
        )
    )
    assert [
        (r["kind"], r["id"], r["old_id"], r["status"], r["option"], r["scores"])
        for r in rows
        if r["kind"] == "scorer"
    ] == [
        ("scorer", "robert", "bob", "renamed", "x", "a=3 b=3"),
        ("scorer", "robert", "bob", "renamed", "y", "a=2 b=4"),
    ]
    markdown = runner.invoke(app, ["diff", str(old), str(new), "-f", "markdown"]).stdout
    assert markdown.split("### Panel changes\n\n", 1)[1] == dedent(
        """\
        Scores in criterion order: a, b.

        | scorer | change | option | scores |
        | --- | --- | --- | --- |
        | bob → robert | renamed | x | 3 3 |
        | bob → robert | renamed | y | 2 4 |
        """
    )

    out = tmp_path / "rounds.xlsx"
    result = runner.invoke(
        app, ["export", str(new), "--previous", str(old), "-o", str(out), "--no-sensitivity"]
    )
    assert result.exit_code == 0, result.output
    values = [
        [c for c in row if c is not None]
        for row in openpyxl.load_workbook(out)["Rounds"].iter_rows(values_only=True)
    ]
    start = values.index(["Panel changes (the scores each scorer gave)"])
    assert values[start + 1 : start + 4] == [
        ["Scorer", "Change", "Option", "a", "b"],
        ["bob → robert", "renamed", "x", 3, 3],
        ["bob → robert", "renamed", "y", 2, 4],
    ]
    assert ["0 score changes, 0 weight changes and 1 panel change."] in values


def test_a_change_of_scale_is_said_not_hidden(write):
    """1..5 then 0..10 with the same numbers: totals are compared as given, and a note says
    the scale changed (nothing is rescaled behind the figures)."""
    write("two.yaml", TWO_CRITERIA)
    old = write("old.yaml", THREE_OPTIONS)
    new = write("new.yaml", THREE_OPTIONS.replace("{min: 1, max: 5}", "{min: 0, max: 10}"))
    result = diff(rank(load_scores(old)), rank(load_scores(new)))
    assert result.notes == (
        "the scale changed from 1..5 to 0..10: scores and totals are compared as given, "
        "not rescaled",
    )
    assert all(o.change == 0 for o in result.options)


def test_rounds_on_partly_different_criteria_split_the_change_exactly(write):
    """Fresh hostile pass: criteria a round lacks gave NaN weights (a traceback in JSON) and a
    split that did not add up. By hand, x: round 1 a 5, b 1 on a 60 / b 40 (3.4); round 2
    a 5, c 3 on a 60 / c 40 (4.2). Scores: a 0, b (0 - 1) x 0.4 = -0.4; weights: c 3 x 0.4 =
    1.2; -0.4 + 1.2 = 0.8 = 4.2 - 3.4. b's weight goes 40% to 0%, c's 0% to 40%."""
    write("ab.yaml", "title: AB\ncriteria:\n  - {id: a, name: A, weight: 60}\n"
          "  - {id: b, name: B, weight: 40}\n")  # fmt: skip
    write("ac.yaml", "title: AC\ncriteria:\n  - {id: a, name: A, weight: 60}\n"
          "  - {id: c, name: C, weight: 40}\n")  # fmt: skip
    head = "group: g\nname: G\nscale: {min: 1, max: 5}\n"
    old = write("r1.yaml", head + "criteria: ab.yaml\noptions:\n"
                "  - {id: x, name: X, status_quo: true, scores: {a: 5, b: 1}}\n")  # fmt: skip
    new = write("r2.yaml", head + "criteria: ac.yaml\noptions:\n"
                "  - {id: x, name: X, status_quo: true, scores: {a: 5, c: 3}}\n")  # fmt: skip
    result = diff(rank(load_scores(old)), rank(load_scores(new)))
    (x,) = result.options
    assert (x.old_total, x.new_total) == pytest.approx((3.4, 4.2))
    assert (x.from_scores, x.from_weights) == pytest.approx((-0.4, 1.2))
    assert sorted((w.criterion, round(w.old, 12), round(w.new, 12)) for w in result.weights) == [
        ("b", 0.4, 0.0),
        ("c", 0.0, 0.4),
    ]
    output = CliRunner().invoke(app, ["diff", str(old), str(new), "-f", "json"])
    assert output.exit_code == 0, output.stderr
    data = json.loads(output.stdout)
    assert [w["new"] for w in data["weights"] if w["criterion"] == "b"] == [0.0]


def test_rounds_with_no_criterion_in_common_are_refused(write):
    write("ab.yaml", "title: AB\ncriteria:\n  - {id: a, name: A, weight: 60}\n"
          "  - {id: b, name: B, weight: 40}\n")  # fmt: skip
    write("xy.yaml", "title: XY\ncriteria:\n  - {id: x, name: X, weight: 50}\n"
          "  - {id: y, name: Y, weight: 50}\n")  # fmt: skip
    head = "group: g\nname: G\nscale: {min: 1, max: 5}\n"
    old = write("r1.yaml", head + "criteria: ab.yaml\noptions:\n"
                "  - {id: o, name: O, status_quo: true, scores: {a: 5, b: 1}}\n")  # fmt: skip
    new = write("r2.yaml", head + "criteria: xy.yaml\noptions:\n"
                "  - {id: o, name: O, status_quo: true, scores: {x: 5, y: 3}}\n")  # fmt: skip
    result = CliRunner().invoke(app, ["diff", str(old), str(new), "-f", "json"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {new}: criteria: scored against x, y, but {old} against a, b: rounds with no "
        "criterion in common cannot be compared\n"
    )
