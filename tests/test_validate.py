"""Tests for appraise/validate.py and the loaders: every problem, named by file and YAML path."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from appraise.cli import app
from appraise.errors import InputError, Problems
from appraise.io import load_criteria, load_scores
from appraise.model import Settings

from .conftest import NESTED, THREE_OPTIONS, TWO_CRITERIA

BAD_FAMILY = """\
title: Bad family
criteria:
  - id: quality
    name: Quality
    weight: 60
    sub:
      - {id: q1, name: Q one, weight: 60}
      - {id: q2, name: Q two, weight: 37.5}
  - {id: cost, name: Cost, weight: 40}
"""


def messages(exc: Problems) -> list[str]:
    return [str(p) for p in exc.errors]


def test_family_not_summing_to_100_names_family_expected_and_actual(write):
    path = write("bad.yaml", BAD_FAMILY)
    with pytest.raises(Problems) as caught:
        load_criteria(path)
    assert messages(caught.value) == [
        f"{path}: criteria[0].sub: criteria 'Quality': sub-criteria weights sum to 97.5, expected 100 "
        "(use normalise=True to rescale)"
    ]


def test_normalise_rescales_and_says_so(write):
    path = write("bad.yaml", BAD_FAMILY)
    tree = load_criteria(path, normalise=True)
    assert tree.notes == (
        f"{path}: Quality's sub-criteria weights sum to 97.5; rescaled to 100 (normalise=True)",
    )


def test_top_level_family_and_every_problem_at_once(write):
    path = write(
        "many.yaml",
        """\
        title: Many problems
        criteria:
          - {id: a, name: A, weight: 50}
          - {id: a, name: A again, weight: 30}
          - {id: Bad Id, name: B, weight: 10}
        weight_sets:
          tilt: {a: 10, zzz: 5}
        """,
    )
    with pytest.raises(Problems) as caught:
        load_criteria(path)
    found = messages(caught.value)
    # The shape error (bad id) is reported first, from the schema, before cross-checks run.
    assert found == [
        f"{path}: criteria[2].id: 'Bad Id' is not a valid id (lowercase letters, digits, '-' and '_', starting with a letter or digit)"
    ]
    path.write_text(path.read_text().replace("Bad Id", "b"))
    with pytest.raises(Problems) as caught:
        load_criteria(path)
    assert messages(caught.value) == [
        f"{path}: criteria[1].id: duplicate id 'a' (first at criteria[0])",
        f"{path}: criteria: top-level criteria weights sum to 90, expected 100 (use normalise=True to rescale)",
        f"{path}: weight_sets.tilt.zzz: unknown criterion 'zzz'",
    ]


SCORES = """\
group: demo
name: Demo
criteria: nested.yaml
scale: {min: 1, max: 5}
options:
  - {id: sq, name: Today, status_quo: true, scores: {q1: 3, q2: 3, cost: 3}}
  - {id: hub, name: Hub, scores: {q1: 4, q2: 4, cost: 4}}
  - {id: far, name: Far, scores: {q1: 7, q2: 3, cost: 3}}
"""


def load_bad_scores(write, text: str, settings: Settings | None = None) -> list[str]:
    write("nested.yaml", NESTED)
    path = write("scores.yaml", text)
    with pytest.raises(Problems) as caught:
        load_scores(path, settings)
    return messages(caught.value)


def test_score_outside_the_scale_names_file_option_criterion_and_value(write):
    found = load_bad_scores(write, SCORES)
    assert found == [
        f"{write('x', '').parent / 'scores.yaml'}: options[2].scores.q1: option 'far', criterion 'q1': score 7 is outside the scale 1..5"
    ]


def test_negative_scales_are_allowed(write):
    write("nested.yaml", NESTED)
    path = write(
        "neg.yaml",
        SCORES.replace("{min: 1, max: 5}", "{min: -2, max: 2}")
        .replace("7", "-2")
        .replace(": 3", ": 0")
        .replace(": 4", ": 1"),
    )
    assert load_scores(path).scale.min == -2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("high", "expected a number, found 'high'"),
        ("'4'", "expected a number, found '4': a number in quotes is text; remove the quotes (4)"),
        ("yes", "expected a number, found true (YAML reads yes/no/on/off as true/false)"),
        (".nan", "expected a finite number, found nan"),
    ],
)
def test_non_numeric_scores(write, value, expected):
    found = load_bad_scores(write, SCORES.replace("q1: 7", f"q1: {value}"))
    assert [m.split(": ", 2)[1:] for m in found] == [["options[2].scores.q1", expected]]


def test_unknown_and_missing_criteria_and_duplicate_options(write):
    text = (
        SCORES.replace("{q1: 4, q2: 4, cost: 4}", "{q1: 4, qq: 4, cost: 4}")
        .replace("id: far", "id: hub")
        .replace("q1: 7", "q1: 3")
    )
    found = [m.split(": ", 1)[1] for m in load_bad_scores(write, text)]
    assert found == [
        "options[2].id: duplicate option id 'hub' (first at options[1])",
        "options[1].scores.qq: unknown criterion 'qq' (expected one of: q1, q2, cost)",
        "options[1].scores.q2: option 'hub' has no score for 'q2' (choose missing='exclude|baseline|renormalise' to proceed)",
    ]


def test_mixing_levels_is_an_error(write):
    text = SCORES.replace("{q1: 4, q2: 4, cost: 4}", "{q1: 4, q2: 4, quality: 4, cost: 4}").replace(
        "q1: 7", "q1: 3"
    )
    found = [m.split(": ", 1)[1] for m in load_bad_scores(write, text)]
    assert found == [
        "options[1].scores.quality: 'quality' is not one of the sub-criteria this file scores against; a file scores one level throughout"
    ]


def test_no_status_quo_is_a_warning_carried_with_the_sheet(write):
    write("nested.yaml", NESTED)
    path = write("scores.yaml", SCORES.replace("status_quo: true, ", "").replace("q1: 7", "q1: 3"))
    sheet = load_scores(path)
    assert sheet.notes == (
        f"{path}: no option is marked status_quo: true (the current configuration)",
    )
    assert [(n.kind, n.topic) for n in sheet.notes] == [("check", "the status quo")]


def test_unknown_keys_and_wrong_shapes(write):
    write("two.yaml", TWO_CRITERIA)
    path = write(
        "typo.yaml",
        "group: demo\nname: D\ncriteria: two.yaml\nscale: {min: 1, max: 5}\noptions:\n  - {id: a, name: A, scroes: {a: 1}}\n",
    )
    with pytest.raises(Problems) as caught:
        load_scores(path)
    assert messages(caught.value) == [
        f"{path}: options[0].scroes: unknown key 'scroes' (line 6): did you mean 'scores'?",
    ]
    listed = write("list.yaml", "- just\n- a list\n")
    with pytest.raises(
        InputError, match=r"expected a scores file .* as a YAML mapping, found a list"
    ):
        load_scores(listed)


def test_missing_criteria_file_is_named(write):
    path = write("orphan.yaml", SCORES.replace("nested.yaml", "nowhere.yaml"))
    with pytest.raises(
        InputError,
        match=r"orphan\.yaml: criteria: criteria file 'nowhere\.yaml' not found next to this file",
    ):
        load_scores(path)


def test_duplicate_yaml_keys_are_reported_not_overwritten(write):
    path = write("dupe.yaml", "title: T\ntitle: U\ncriteria: []\n")
    with pytest.raises(
        InputError, match=r"dupe\.yaml: line 2, column 1: duplicate key 'title' \(first at line 1\)"
    ):
        load_criteria(path)


def test_python_tags_are_refused(write):
    path = write("evil.yaml", "title: !!python/object/apply:os.system ['echo hi']\ncriteria: []\n")
    with pytest.raises(
        InputError,
        match=r"evil\.yaml: line 1, column 8: tag .*python/object/apply:os\.system.* is not allowed",
    ):
        load_criteria(path)


def test_failed_gate_needs_a_reason(write):
    write("two.yaml", TWO_CRITERIA)
    path = write(
        "gate.yaml",
        """\
        group: g
        name: G
        criteria: two.yaml
        scale: {min: 1, max: 5}
        gates: [{id: staffing, name: Staffing}]
        options:
          - {id: a, name: A, status_quo: true, scores: {a: 1, b: 1}, gates: {staffing: false}}
          - {id: b, name: B, scores: {a: 1, b: 1}, gates: {staffng: true, staffing: true}}
        """,
    )
    with pytest.raises(Problems) as caught:
        load_scores(path)
    assert [m.split(": ", 1)[1] for m in messages(caught.value)] == [
        "options[0].gates.staffing: a failed gate needs a reason",
    ]
    path.write_text(
        path.read_text().replace("staffing: false", "staffing: {pass: false, reason: no rota}")
    )
    with pytest.raises(Problems) as caught:
        load_scores(path)
    assert [m.split(": ", 1)[1] for m in messages(caught.value)] == [
        "options[1].gates.staffng: unknown gate 'staffng'"
    ]


def test_a_criteria_file_given_as_scores_is_named_as_such(write):
    path = write("nested.yaml", NESTED)
    with pytest.raises(
        InputError, match=r"nested\.yaml: this is a criteria file; give a scores file"
    ):
        load_scores(path)


def test_empty_and_non_utf8_files(write, tmp_path):
    empty = write("empty.yaml", "")
    with pytest.raises(
        InputError, match=r"empty\.yaml: expected a criteria file .* found an empty file"
    ):
        load_criteria(empty)
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: Qualit\xe9\n".encode("latin-1"))
    with pytest.raises(
        InputError, match=r"latin\.yaml: line 1, column 14: byte 0xe9 is not UTF-8 text"
    ):
        load_criteria(latin)
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbf" + NESTED.encode())
    assert load_criteria(bom).leaf_ids == ("q1", "q2", "cost")


def test_weight_set_that_zeroes_a_family_is_an_error(write):
    path = write(
        "nested.yaml", NESTED + "weight_sets:\n  none: {quality: 0, cost: 0}\n  ok: {q1: 0}\n"
    )
    with pytest.raises(Problems) as caught:
        load_criteria(path)
    assert messages(caught.value) == [
        f"{path}: weight_sets.none: weight set 'none' gives quality, cost a total weight of 0"
    ]


@pytest.mark.parametrize(
    ("rule", "warned"),
    [
        # "a needs b or c": b and c may share a group.
        ("{requires: [g1/a, g2/b, g2/c]}", False),
        # a and its requirement in one group can never both be chosen.
        ("{requires: [g1/a, g2/b, g1/c]}", True),
        ("{excludes: [g1/a, g2/b]}", False),
        ("{excludes: [g1/a, g2/b, g2/c]}", True),
    ],
)
def test_rules_tying_one_group_are_warned(write, rule, warned):
    from appraise.io.loading import load_rules
    from appraise.validate import check_rules

    path = write("rules.yaml", f"rules:\n  - {rule}\n")
    spec = load_rules(path)
    write("two.yaml", TWO_CRITERIA)
    sheet = load_scores(write("demo.yaml", THREE_OPTIONS))
    problems, _ = check_rules(spec, str(path), [sheet])
    assert any("same group" in p.message for p in problems) is warned


def test_mixing_consensus_and_per_scorer_scores_is_one_clear_error(write):
    write("two.yaml", TWO_CRITERIA)
    mixed = THREE_OPTIONS.replace(
        "{id: x, name: Option X, scores: {a: 5, b: 1}}",
        "{id: x, name: Option X, scorers: {ann: {a: 5, b: 1}}}",
    )
    path = write("mixed.yaml", mixed)
    with pytest.raises(Problems) as caught:
        load_scores(path)
    assert [str(p) for p in caught.value.errors] == [
        f"{path}: options: mixes consensus 'scores' and per-scorer 'scorers'; use one throughout"
    ]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "{one_of: [g1/a]}",
            "rules[0].one_of: a 'one_of' rule lists at least two options, exactly one of which "
            "is chosen; found ['g1/a']",
        ),
        (
            "{requires: [g1/a]}",
            "rules[0].requires: a 'requires' rule lists an option and what it needs: [a, b] "
            "(a needs b) or [a, b, c] (a needs b or c); found ['g1/a']",
        ),
        (
            "{excludes: [g1/a]}",
            "rules[0].excludes: an 'excludes' rule lists at least two options, no two of which "
            "may be chosen together; found ['g1/a']",
        ),
    ],
)
def test_a_rule_with_one_option_says_what_the_rule_needs(write, rule, message):
    from appraise.io.loading import load_rules

    path = write("rules.yaml", f"rules:\n  - {rule}\n")
    with pytest.raises(Problems) as caught:
        load_rules(path)
    assert messages(caught.value) == [f"{path}: {message}"]


def test_a_mistyped_criterion_suggests_the_nearest_and_is_not_also_a_skipped_cell(write):
    """'cots' is one transposition from 'cost' (difflib ratio 0.75); bob's row names it, so
    bob did not 'skip' cost: the typo is the one finding about his row."""
    text = SCORES.replace("q1: 7", "q1: 3").replace(
        "{id: hub, name: Hub, scores: {q1: 4, q2: 4, cost: 4}}",
        "{id: hub, name: Hub, scorers: {ann: {q1: 4, q2: 4, cost: 4}, bob: {q1: 4, q2: 4, cots: 4}}}",
    )
    # sq and far (both now 3, 3, 3) are scored by ann alone.
    text = text.replace(
        "scores: {q1: 3, q2: 3, cost: 3}}", "scorers: {ann: {q1: 3, q2: 3, cost: 3}}}"
    )
    write("nested.yaml", NESTED)
    path = write("scores.yaml", text)
    with pytest.raises(Problems) as caught:
        load_scores(path)
    assert [f"{p.severity}: {p.where}: {p.message}" for p in caught.value.problems] == [
        "error: options[1].scorers.bob.cots: unknown criterion 'cots': did you mean 'cost'? "
        "(expected one of: q1, q2, cost)",
    ]


def test_a_mistyped_weight_set_criterion_suggests_the_nearest(write):
    path = write("nested.yaml", NESTED + "weight_sets:\n  tilt: {qualty: 60}\n")
    with pytest.raises(Problems) as caught:
        load_criteria(path)
    assert messages(caught.value) == [
        f"{path}: weight_sets.tilt.qualty: unknown criterion 'qualty': did you mean 'quality'?"
    ]


def test_check_reports_what_schema_errors_would_hide(write):
    """An unknown key and a word for a score stop pydantic; `check` still finds the unknown
    criterion and the out-of-scale score below them, and calls no cell 'missing' because of
    them."""
    from appraise.io import check_files

    write("two.yaml", TWO_CRITERIA)
    path = write(
        "typo.yaml",
        THREE_OPTIONS.replace("scale:", "scroers: {}\nscale:")
        .replace("scores: {a: 5, b: 1}", "scores: {a: 5, bb: 1}")
        .replace("scores: {a: 2, b: 5}", "scores: {a: 9, b: high}"),
    )
    result = check_files([path], Settings())
    assert [(p.where, p.message) for p in result.problems if p.severity == "error"] == [
        ("options[1].scores.b", "expected a number, found 'high'"),
        ("scroers", "unknown key 'scroers' (line 4): did you mean 'scorers'?"),
        ("options[0].scores.bb", "unknown criterion 'bb' (expected one of: a, b)"),
        ("options[1].scores.a", "option 'y', criterion 'a': score 9 is outside the scale 1..5"),
    ]  # not "no score" for y's blanked b, nor x's b (which 'bb' was meant to be): not missing


def test_a_consensus_typo_is_one_error_not_also_a_missing_score(write):
    """'cots' is one slip from 'cost': the one finding is the unknown key, with the guess; no
    second error sends the user to --missing for the cost cell it was meant to fill."""
    text = SCORES.replace("q1: 7", "q1: 3").replace(
        "{q1: 4, q2: 4, cost: 4}", "{q1: 4, q2: 4, cots: 4}"
    )
    assert [m.split(": ", 1)[1] for m in load_bad_scores(write, text)] == [
        "options[1].scores.cots: unknown criterion 'cots': did you mean 'cost'? "
        "(expected one of: q1, q2, cost)"
    ]


def test_check_reads_past_a_key_that_is_not_an_id(write):
    """'A' (not a lowercase id) in ann's row of y, and a word in x: both schema errors; bob's
    9 for y is still found, and no cell is called missing."""
    from appraise.io import check_files

    write("two.yaml", TWO_CRITERIA)
    path = write(
        "panel.yaml",
        "group: demo\nname: Demo group\ncriteria: two.yaml\nscale: {min: 1, max: 5}\noptions:\n"
        "  - {id: x, name: X, scorers: {ann: {a: 5, b: three}, bob: {a: 4, b: 2}}}\n"
        "  - {id: y, name: Y, scorers: {ann: {A: 2, b: 5}, bob: {a: 9, b: 2}}}\n"
        "  - {id: z, name: Z, status_quo: true, scorers: {ann: {a: 3, b: 3}, bob: {a: 3, b: 3}}}\n",
    )
    result = check_files([path], Settings())
    assert [(p.where, p.message) for p in result.problems if p.severity == "error"] == [
        ("options[0].scorers.ann.b", "expected a number, found 'three'"),
        (
            "options[1].scorers.ann.A.[key]",
            "'A' is not a valid id (lowercase letters, digits, '-' and '_', starting with a "
            "letter or digit)",
        ),
        (
            "options[1].scorers.bob.a",
            "option 'y', criterion 'a': score 9 is outside the scale 1..5",
        ),
    ]


LISTED_SCORERS = """\
group: demo
name: Demo group
criteria: two.yaml
scale: {min: 1, max: 5}
scorers:
  patient-rep: {name: Pat}
  clinician: {name: Cli}
options:
  - {id: x, name: X, scorers: {patient-rep: {a: 5, b: 1}, clinician: {a: 5, b: 1}}}
  - {id: y, name: Y, scorers: {patient-rep2: {a: 2, b: 5}, clinician: {a: 2, b: 5}}}
  - {id: z, name: Z, status_quo: true, scorers: {patient-rep: {a: 3, b: 3}, clinician: {a: 3, b: 3}}}
"""


def test_a_scorer_not_listed_under_scorers_is_an_error_with_the_id_meant(write):
    """Issue 13 item 6, in YAML: 'patient-rep2' was a warning and one more panel member."""
    write("two.yaml", TWO_CRITERIA)
    path = write("listed.yaml", LISTED_SCORERS)
    with pytest.raises(Problems) as caught:
        load_scores(path)
    assert messages(caught.value) == [
        f"{path}: options[1].scorers.patient-rep2: scorer 'patient-rep2' is not listed under "
        "'scorers': did you mean 'patient-rep'?"
    ]


def test_rank_gives_the_first_problem_and_how_many_check_lists(write):
    """Issue 13 item 8: one line for the first problem, one saying how many more there are
    (the number `check` lists, here 3: a score of 7, of 9, and 'high')."""
    write("two.yaml", TWO_CRITERIA)
    text = THREE_OPTIONS.replace("a: 5", "a: 7").replace("a: 2", "a: 9").replace("b: 3", "b: high")
    path = write("bad.yaml", text)
    runner = CliRunner()
    checked = runner.invoke(app, ["check", str(path), "-f", "json"])
    errors = [p for p in json.loads(checked.stdout)["problems"] if p["severity"] == "error"]
    assert len(errors) == 3
    ranked = runner.invoke(app, ["rank", str(path)])
    assert ranked.exit_code == 1
    first = errors[0]
    assert ranked.stderr.splitlines() == [
        f"error: {path}: {first['where']}: {first['message']}",
        f"error: ... and 2 more problems: run `appraise check {path}` to list them all",
    ]


# Weights as a spreadsheet or a script writes them: three thirds (repr of 100 / 3 and its
# complement) and six sixths (repr of 100 / 6). Exactly as written they sum to
# 100.000000000000002 and 100.00000000000001: floating-point noise, not a different table.
THIRDS = [33.333333333333336, 33.333333333333336, 33.33333333333333]
SIXTHS = [100 / 6] * 6


def _family_yaml(top: list[float], subs: list[float]) -> str:
    rows = "".join(
        f"      - {{id: s{j}, name: S {j}, weight: {w!r}}}\n" for j, w in enumerate(subs)
    )
    tops = "".join(
        f"  - {{id: c{i}, name: C {i}, weight: {w!r}}}\n" for i, w in enumerate(top) if i
    )
    return (
        "title: Noisy weights\ncriteria:\n"
        f"  - id: c0\n    name: C 0\n    weight: {top[0]!r}\n    sub:\n{rows}{tops}"
    )


@pytest.mark.parametrize(("top", "subs"), [(THIRDS, SIXTHS), (SIXTHS, THIRDS)])
def test_weights_summing_to_100_within_float_noise_are_accepted_silently(write, top, subs):
    path = write("noisy.yaml", _family_yaml(top, subs))
    tree = load_criteria(path)
    assert tree.notes == ()


def test_weights_off_100_by_more_than_noise_show_the_digits_that_differ(write):
    """50 + 50.0000001 is 1e-9 relative off 100: a real difference, named with its digits."""
    path = write("off.yaml", _family_yaml([50, 50.0000001], [60, 40]))
    with pytest.raises(Problems) as caught:
        load_criteria(path)
    assert messages(caught.value) == [
        f"{path}: criteria: top-level criteria weights sum to 100.0000001, expected 100 "
        "(use normalise=True to rescale)"
    ]


def test_normalise_note_shows_the_digits_that_differ(write):
    path = write("off.yaml", _family_yaml([50, 50], [60, 39.99999]))
    tree = load_criteria(path, normalise=True)
    assert tree.notes == (
        f"{path}: C 0's sub-criteria weights sum to 99.99999; rescaled to 100 (normalise=True)",
    )
