"""Notes: those that change a figure are printed first and always, the rest counted (issue 16)."""

from __future__ import annotations

import json
import pickle

from typer.testing import CliRunner

from appraise.cli import app
from appraise.io import load_scores
from appraise.notes import Note, arrange, kind_of

from .conftest import THREE_OPTIONS, TWO_CRITERIA

runner = CliRunner()

RESCALED = Note("c.yaml: Quality's sub-criteria weights sum to 97.5; rescaled to 100", "figure")
PRINTED = Note("c.yaml: 4 printed figures do not reconcile", "info", "printed figures")
FAR_1 = Note("s.yaml: 'X' on 'A': scorer 'bob' gave 1", "check", "scores far from their panel")
FAR_2 = Note("s.yaml: 'Y' on 'B': scorer 'ann' gave 5", "check", "scores far from their panel")


def test_figure_notes_come_first_each_once_and_the_rest_are_counted_by_topic():
    arranged = arrange([FAR_1, PRINTED, RESCALED, FAR_2, FAR_1, RESCALED])
    assert arranged.shown == (RESCALED,)
    assert arranged.counted == (("scores far from their panel", 2), ("printed figures", 1))
    assert arranged.hidden == 3
    assert arranged.summary() == (
        "3 more notes (2 on scores far from their panel, 1 on printed figures)"
    )


def test_verbose_shows_every_note_once_figures_first():
    arranged = arrange([FAR_1, PRINTED, RESCALED, FAR_1], verbose=True)
    assert arranged.shown == (RESCALED, FAR_1, PRINTED)
    assert arranged.hidden == 0
    assert arranged.summary() == ""


def test_a_plain_string_changes_a_figure_until_classed_otherwise():
    """A note nobody classed is never hidden."""
    assert kind_of("option 'x' excluded: no score for a") == "figure"
    assert arrange(["a plain note", FAR_1]).shown == ("a plain note",)
    assert arrange([FAR_1]).summary() == "1 more note (1 on scores far from their panel)"


def test_a_note_is_its_text_in_json_and_keeps_its_kind_through_pickle():
    assert json.dumps([FAR_1]) == json.dumps([str(FAR_1)])
    again = pickle.loads(pickle.dumps(FAR_1))
    assert (again, again.kind, again.topic) == (FAR_1, "check", FAR_1.topic)


def test_a_skipped_cell_changes_a_figure_and_an_outlier_does_not(write):
    """Panel of three on x/a: ann 5, bob 1, cy 5 (bob is 4 from the others' median of 5, an
    outlier); cy skipped y/b, so y/b is the mean of ann and bob alone: a substitution."""
    write("two.yaml", TWO_CRITERIA)
    text = (
        THREE_OPTIONS.replace(
            "scores: {a: 5, b: 1}",
            "scorers: {ann: {a: 5, b: 1}, bob: {a: 1, b: 1}, cy: {a: 5, b: 1}}",
        )
        .replace(
            "scores: {a: 2, b: 5}", "scorers: {ann: {a: 2, b: 5}, bob: {a: 2, b: 5}, cy: {a: 2}}"
        )
        .replace(
            "scores: {a: 3, b: 3}",
            "scorers: {ann: {a: 3, b: 3}, bob: {a: 3, b: 3}, cy: {a: 3, b: 3}}",
        )
    )
    path = write("panel.yaml", text)
    notes = load_scores(path).notes
    kinds = {(n.kind, n.topic) for n in notes}
    assert kinds == {("figure", "cells a scorer skipped"), ("check", "scores far from their panel")}
    skipped = next(n for n in notes if n.kind == "figure")
    assert skipped == (
        f"{path}: scorer 'cy' gave no score for 'Criterion B' of 'Option Y'; the other "
        "scorers' scores are used"
    )


def test_quiet_prints_no_note_verbose_all_and_json_lists_them_either_way(write):
    write("two.yaml", TWO_CRITERIA)
    path = write("demo.yaml", THREE_OPTIONS.replace(", status_quo: true", ""))
    default = runner.invoke(app, ["rank", str(path)])
    assert default.exit_code == 0, default.output
    assert " ".join(default.stderr.split()) == (
        "note: 1 more note (1 on the status quo): --verbose lists them"
    )
    verbose = runner.invoke(app, ["rank", str(path), "-v"])
    assert " ".join(verbose.stderr.split()) == (
        f"note: {path}: no option is marked status_quo: true (the current configuration)"
    )
    quiet = runner.invoke(app, ["rank", str(path), "--quiet", "-f", "json"])
    assert quiet.stderr == ""
    assert json.loads(quiet.stdout)["notes"] == [
        f"{path}: no option is marked status_quo: true (the current configuration)"
    ]


def test_quiet_and_verbose_together_is_a_usage_error(write):
    write("two.yaml", TWO_CRITERIA)
    path = write("demo.yaml", THREE_OPTIONS)
    result = runner.invoke(app, ["rank", str(path), "-q", "-v"])
    assert result.exit_code == 2
    assert "--quiet and --verbose" in " ".join(result.stderr.split())


def test_a_long_note_wraps_between_words_under_its_first_word(write, monkeypatch):
    """At 80 columns each line after the first starts under the note's text, and none is cut."""
    from appraise.cli import terminal

    monkeypatch.setitem(terminal.state, "notes", "normal")
    monkeypatch.setattr(terminal.err, "width", 80)
    text = "word " * 40
    with terminal.err.capture() as captured:
        terminal.said("note:", text.strip())
    lines = captured.get().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("note: word")
    assert all(line.startswith("      word") for line in lines[1:])
    assert all(len(line) <= 80 for line in lines)
    assert " ".join(" ".join(lines).split()[1:]) == text.strip()
