"""Tests for the scoring lint in appraise/validate.py: valid scores that look like a mistake.

Every case is THREE_OPTIONS on TWO_CRITERIA (scale 1..5, so half the scale is 2), with the
consensus scores swapped for a small panel where a lint needs one.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from typer.testing import CliRunner

from appraise.cli import app
from appraise.io import check_files, load_scores
from appraise.model import Settings
from appraise.validate import medians_of_the_rest

from .conftest import THREE_OPTIONS, TWO_CRITERIA, Write

ROOT = Path(__file__).resolve().parent.parent
OPTIONS = sorted((ROOT / "options").glob("*.yaml"))

CONSENSUS = ("{a: 5, b: 1}", "{a: 2, b: 5}", "{a: 3, b: 3}")

# A panel of three who agree to within 1 point everywhere: no lint fires.
CLEAN = (
    "{ann: {a: 5, b: 1}, bob: {a: 4, b: 2}, cy: {a: 5, b: 2}}",
    "{ann: {a: 2, b: 5}, bob: {a: 2, b: 4}, cy: {a: 3, b: 5}}",
    "{ann: {a: 3, b: 3}, bob: {a: 3, b: 4}, cy: {a: 3, b: 3}}",
)


def panel(x: str, y: str, z: str, scorers: str = "") -> str:
    """THREE_OPTIONS with options x, y, z scored per scorer instead of by consensus."""
    text = THREE_OPTIONS
    for old, new in zip(CONSENSUS, (x, y, z), strict=True):
        text = text.replace(f"scores: {old}", f"scorers: {new}")
    return text.replace("options:\n", f"{scorers}options:\n")


def warnings_of(write: Write, text: str) -> list[tuple[str, str]]:
    """Load a scores file (it must load) and return its warnings as (where, message).

    ``check`` gives the place; the loaded sheet carries the same findings as notes, each the
    file and the message alone (a run's notes name options and criteria, not YAML paths).
    """
    write("two.yaml", TWO_CRITERIA)
    path = write("scores.yaml", text)
    sheet = load_scores(path)
    found = check_files([path], Settings()).problems
    assert all(p.severity == "warning" for p in found)
    assert list(sheet.notes) == [f"{path}: {p.message}" for p in found]
    return [(p.where, p.message) for p in found]


@pytest.mark.parametrize("text", [THREE_OPTIONS, panel(*CLEAN)], ids=["consensus", "panel"])
def test_a_clean_file_has_no_warnings(write, text):
    assert warnings_of(write, text) == []


def test_a_scorer_who_gave_every_option_the_same_scores(write):
    """bob typed 3, 3 on every option; ann discriminates. Two scorers: no outlier check."""
    text = panel(
        "{ann: {a: 5, b: 1}, bob: {a: 3, b: 3}}",
        "{ann: {a: 2, b: 5}, bob: {a: 3, b: 3}}",
        "{ann: {a: 3, b: 3}, bob: {a: 3, b: 3}}",
        scorers="scorers: {ann: {role: GP}, bob: {role: Nurse}}\n",
    )
    assert warnings_of(write, text) == [
        (
            "scorers.bob",
            "scorer 'bob' gave every option the same scores; "
            "check the scores were entered per option",
        )
    ]


def test_an_unlisted_flat_scorer_is_placed_at_options(write):
    text = panel(
        "{ann: {a: 5, b: 1}, bob: {a: 2, b: 4}}",
        "{ann: {a: 2, b: 5}, bob: {a: 2, b: 4}}",
        "{ann: {a: 3, b: 3}, bob: {a: 2, b: 4}}",
    )
    assert [w[0] for w in warnings_of(write, text)] == ["options"]


def test_options_with_the_same_name_scored_differently(write):
    """Y renamed "option  x": same as X ignoring case and spacing. Gaps |2-5|=3 on a, |5-1|=4 on b."""
    text = THREE_OPTIONS.replace("name: Option Y", "name: option  x")
    assert warnings_of(write, text) == [
        (
            "options[1].name",
            "options 'x' and 'y' look like the same option (same name) but their combined "
            "scores differ by 4 on b, 3 on a; keep one, or say how they differ",
        )
    ]


def test_options_with_the_same_description_scored_the_same(write):
    text = (
        THREE_OPTIONS.replace("Option X,", "Option X, description: One hub in the city,")
        .replace("Option Y, scores: {a: 2, b: 5}", "Option Y, scores: {a: 5, b: 1}")
        .replace("Option Y,", "Option Y, description: one hub  in the city,")
    )
    assert warnings_of(write, text) == [
        (
            "options[1].description",
            "options 'x' and 'y' look like the same option (same description) and are scored "
            "the same; keep one, or say how they differ",
        )
    ]


def test_same_option_lists_at_most_three_criteria(write):
    """Five criteria of 20; X and Y differ by 4, 3, 2, 1 on c1..c4 and agree on c5."""
    write(
        "five.yaml",
        "title: Five\ncriteria:\n"
        + "".join(f"  - {{id: c{n}, name: C{n}, weight: 20}}\n" for n in range(1, 6)),
    )
    path = write(
        "scores.yaml",
        """\
        group: demo
        name: Demo
        criteria: five.yaml
        scale: {min: 1, max: 5}
        options:
          - {id: x, name: Hub, status_quo: true, scores: {c1: 5, c2: 4, c3: 3, c4: 2, c5: 1}}
          - {id: y, name: HUB, scores: {c1: 1, c2: 1, c3: 1, c4: 1, c5: 1}}
        """,
    )
    assert load_scores(path).notes == (
        f"{path}: options 'x' and 'y' look like the same option (same name) "
        "but their combined scores differ by 4 on c1, 3 on c2, 2 on c3 and 1 more criterion; "
        "keep one, or say how they differ",
    )


STAND = "; the other scorers' scores stand for those"


@pytest.mark.parametrize(
    ("options", "where", "message"),
    [
        ((0,), "options", "scorer 'cy' scored 1 of 3 options; not: 'Option Y', 'Option Z'" + STAND),
        (
            (0, 1),
            "options[2].scorers",
            "scorer 'cy' scored 2 of 3 options; not: 'Option Z'" + STAND,
        ),
    ],
)
def test_a_scorer_missing_from_some_options(write, options, where, message):
    """cy's row is dropped from the options they did not score; the panel still agrees."""
    rows = [row if i in options else row.split(", cy:")[0] + "}" for i, row in enumerate(CLEAN)]
    assert warnings_of(write, panel(*rows)) == [(where, message)]


def test_an_outlier_names_the_cell_the_score_and_the_panel_median(write):
    """bob gives 1 where ann and cy give 5: |1 - 5| = 4 >= 2. Only bob is named, not the
    two who agree (each is |5 - median(1, 5)| = 2 from the other two)."""
    text = panel(CLEAN[0].replace("bob: {a: 4", "bob: {a: 1"), *CLEAN[1:])
    assert warnings_of(write, text) == [
        (
            "options[0].scorers.bob.a",
            "'Option X' on 'Criterion A': scorer 'bob' gave 1, the rest of the panel's median "
            "is 5 (at least half the scale apart)",
        )
    ]


def test_a_score_less_than_half_the_scale_away_is_not_an_outlier(write):
    """bob gives 3 where ann and cy give 4 and 5: |3 - 4.5| = 1.5, under half the scale (2)."""
    x = CLEAN[0].replace("bob: {a: 4", "bob: {a: 3").replace("ann: {a: 5", "ann: {a: 4")
    assert warnings_of(write, panel(x, *CLEAN[1:])) == []


def test_outliers_stop_at_twenty_with_a_summary(write):
    """11 options x 2 criteria; in each cell bob gives 1 or 2 where ann and cy give 4 or 5, so
    bob is at least 2.5 from the others' median: 22 outliers, 20 shown. (Every scorer's rows
    vary from option to option, so no one is flagged as giving the same scores throughout.)"""
    rows = "".join(
        f"  - {{id: o{n}, name: O{n}, status_quo: {str(n == 0).lower()}, scorers: "
        f"{{ann: {{a: 5, b: {5 - n % 2}}}, bob: {{a: {1 + n % 2}, b: 1}}, "
        f"cy: {{a: {5 - n % 2}, b: 5}}}}}}\n"
        for n in range(11)
    )
    text = THREE_OPTIONS.split("options:\n")[0] + "options:\n" + rows
    found = warnings_of(write, text)
    assert len(found) == 21
    assert found[0] == (
        "options[0].scorers.bob.a",
        "'O0' on 'Criterion A': scorer 'bob' gave 1, the rest of the panel's median "
        "is 5 (at least half the scale apart)",
    )
    assert found[19][0] == "options[9].scorers.bob.b"
    assert found[20] == (
        "options",
        "2 more outliers like these are not listed (the first 20 are)",
    )


def test_medians_of_the_rest_by_hand():
    """One cell, scorers 5, 5, 1, 3: without the first 5 the rest is (5, 1, 3), median 3;
    without the 1 it is (5, 5, 3), median 5; without the 3 it is (5, 5, 1), median 5.
    A second cell (4, NaN, 2, NaN): without the 4 only 2 is left; the NaN rows have none."""
    raw = np.array([[[5.0, 4]], [[5, np.nan]], [[1, 2]], [[3, np.nan]]])
    expected = np.array([[[3.0, 2]], [[3, np.nan]], [[5, 4]], [[5, np.nan]]])
    np.testing.assert_array_equal(medians_of_the_rest(raw), expected)


def _leave_one_out(raw: np.ndarray) -> np.ndarray:
    """The definition: numpy's nanmedian of the panel with scorer k deleted, for each k."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a cell nobody else scored
        rest = np.stack([np.nanmedian(np.delete(raw, k, axis=0), axis=0) for k in range(len(raw))])
    return np.where(np.isnan(raw), np.nan, rest)


@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=3, max_dims=3, min_side=1, max_side=7),
        elements=st.one_of(st.integers(-2, 5).map(float), st.just(np.nan), st.floats(0, 10)),
    )
)
def test_medians_of_the_rest_equal_numpy_without_each_scorer(raw):
    """Ties, gaps, a lone scorer and odd and even panels: the one-sort method agrees exactly."""
    np.testing.assert_array_equal(medians_of_the_rest(raw), _leave_one_out(raw))


runner = CliRunner()

OUTLIER = panel(CLEAN[0].replace("bob: {a: 4", "bob: {a: 1"), *CLEAN[1:])


def test_check_lists_lint_warnings_and_strict_fails(write):
    write("two.yaml", TWO_CRITERIA)
    path = write("scores.yaml", OUTLIER)
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert [(p["where"], p["severity"]) for p in data["problems"]] == [
        ("options[0].scorers.bob.a", "warning")
    ]
    table = runner.invoke(app, ["check", str(path)])
    assert table.exit_code == 0
    assert "0 errors, 1 warning" in table.stdout
    strict = runner.invoke(app, ["check", str(path), "--strict"])
    assert "Traceback" not in strict.stdout + strict.stderr
    assert strict.exit_code == 1


def test_lint_does_not_run_on_a_file_with_errors(write):
    """A score off the scale is an error; lint waits until the file is valid."""
    write("two.yaml", TWO_CRITERIA)
    path = write("scores.yaml", OUTLIER.replace("cy: {a: 5, b: 2}", "cy: {a: 9, b: 2}"))
    result = check_files([path], Settings())
    assert [p.severity for p in result.problems] == ["error"]


@pytest.mark.parametrize("path", OPTIONS, ids=lambda p: p.stem)
def test_bundled_options_lint_lightly(path):
    """The shipped panels disagree on purpose, but only in a handful of cells."""
    problems = check_files([path], Settings()).problems
    shown = "\n".join(str(p) for p in problems)
    assert all(p.severity == "warning" for p in problems), shown
    assert len(problems) <= 4, shown
