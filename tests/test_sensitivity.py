"""Exact thresholds, score thresholds, weight sets and leave-one-out, against hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from appraise.analysis.scoring import rank
from appraise.analysis.sensitivity import (
    leave_one_out,
    score_thresholds,
    thresholds,
    weight_lines,
    weight_set_rankings,
)
from appraise.io import load_scores

from .conftest import NESTED, TWO_CRITERIA

# Worked by hand from conftest's demo (a = 60, b = 40; x = (5, 1), y = (2, 5), z = (3, 3)).
# Put weight t on a and 1 - t on b: x = 1 + 4t, y = 5 - 3t, z = 3.
# x >= y iff t >= 4/7; x >= z iff t >= 1/2; y = z at t = 2/3.


def by_id(items, key="criterion"):
    return {getattr(i, key): i for i in items}


def test_one_way_thresholds_are_the_hand_worked_crossings(demo):
    found = by_id(thresholds(rank(load_scores(demo))))
    a, b = found["a"], found["b"]
    assert a.weight == pytest.approx(0.6)
    assert (a.lower, a.upper, a.below, a.above) == (pytest.approx(4 / 7), None, "y", None)
    # The mirror image: b's weight is 1 - t, so x stays first while b <= 3/7.
    assert (b.lower, b.upper, b.below, b.above) == (None, pytest.approx(3 / 7), None, "y")


def test_swaps_and_the_first_change_in_the_shortlist(demo):
    a = by_id(thresholds(rank(load_scores(demo)), top=3))["a"]
    assert [(s.first, s.second, pytest.approx(s.weight)) for s in a.swaps] == [
        ("x", "z", 1 / 2),
        ("x", "y", 4 / 7),
        ("y", "z", 2 / 3),
    ]
    assert a.first_change_lower == pytest.approx(4 / 7)
    assert a.first_change_upper == pytest.approx(2 / 3)
    # With a shortlist of one, only the leader's crossings count.
    solo = by_id(thresholds(rank(load_scores(demo)), top=1))["a"]
    assert solo.swaps == ()
    assert (solo.first_change_lower, solo.first_change_upper) == (pytest.approx(4 / 7), None)


@pytest.fixture
def nested_pair(write):
    # Quality 50 = q1 60% + q2 40%; cost 50. Global: q1 0.3, q2 0.2, cost 0.5.
    # p = (5, 1, 3): 3.2; r = (1, 5, 3): 2.8.
    write("nested.yaml", NESTED)
    return write(
        "pair.yaml",
        """\
        group: pair
        name: Pair
        criteria: nested.yaml
        scale: {min: 1, max: 5}
        options:
          - {id: p, name: P, status_quo: true, scores: {q1: 5, q2: 1, cost: 3}}
          - {id: r, name: R, scores: {q1: 1, q2: 5, cost: 3}}
        """,
    )


def test_global_threshold_of_a_sub_criterion(nested_pair):
    # q1 at t, the rest (q2 2/7, cost 5/7) at 1 - t: p = 5t + 17/7 (1 - t), r = t + 25/7 (1 - t).
    # Equal at t = 2/9.
    q1 = by_id(thresholds(rank(load_scores(nested_pair))))["q1"]
    assert q1.weight == pytest.approx(0.3)
    assert (q1.lower, q1.upper, q1.below) == (pytest.approx(2 / 9), None, "r")
    # Quality as a whole: p and r score 3 on average in quality... p: 0.6*5+0.4*1 = 3.4,
    # r: 0.6*1+0.4*5 = 2.6, both 3 on cost: p stays first at every quality weight above 0,
    # and ties r at 0.
    quality = by_id(thresholds(rank(load_scores(nested_pair))))["quality"]
    assert (quality.lower, quality.upper) == (None, None)


def test_within_family_thresholds(nested_pair):
    # q1's share u of Quality (now 0.6): p = 0.5 (1 + 4u) + 1.5, r = 0.5 (5 - 4u) + 1.5: u = 1/2.
    found = by_id(thresholds(rank(load_scores(nested_pair)), variant="within"))
    assert set(found) == {"q1", "q2"}
    assert found["q1"].weight == pytest.approx(0.6)
    assert (found["q1"].lower, found["q1"].below) == (pytest.approx(0.5), "r")
    assert (found["q2"].upper, found["q2"].above) == (pytest.approx(0.5), "r")


def test_lines_reproduce_the_ranking_at_todays_weight(urgent_care):
    ranking = rank(urgent_care)
    totals = [o.total for o in ranking.options]
    for line in weight_lines(ranking) + weight_lines(ranking, "within"):
        assert line.totals(line.current) == pytest.approx(totals, abs=1e-12), line.criterion


@pytest.fixture
def urgent_care():
    from pathlib import Path

    return load_scores(Path(__file__).resolve().parent.parent / "options" / "urgent-care.yaml")


def test_thresholds_agree_with_brute_force_recomputation(urgent_care):
    """Just inside each bound the leader is first; just outside, the named option leads."""
    ranking = rank(urgent_care)
    leader = ranking.options[0].id
    lines = {line.criterion: line for line in weight_lines(ranking)}
    ids = [o.id for o in ranking.options]
    for found in thresholds(ranking):
        line = lines[found.criterion]
        for bound, taker, step in (
            (found.lower, found.below, -1e-6),
            (found.upper, found.above, 1e-6),
        ):
            if bound is None:
                end = 0.0 if step < 0 else 1.0
                assert ids[int(np.argmax(line.totals(end)))] == leader
                continue
            assert ids[int(np.argmax(line.totals(bound - step)))] == leader
            assert ids[int(np.argmax(line.totals(bound + step)))] == taker


def test_score_thresholds(demo):
    # Totals x 3.4, y 3.2, z 3.0. y needs 0.2 / 0.6 = 1/3 more on a (to 7/3); on b it would
    # need 0.2 / 0.4 = 0.5 more, to 5.5: beyond the scale. z: +2/3 on a, +1 on b (to 4).
    found = {(t.option, t.leaf): t for t in score_thresholds(rank(load_scores(demo)))}
    assert found["y", "a"].change == pytest.approx(1 / 3)
    assert found["y", "a"].needed == pytest.approx(7 / 3)
    assert (found["y", "b"].change, found["y", "b"].needed) == (None, None)
    assert found["z", "a"].change == pytest.approx(2 / 3)
    assert found["z", "b"].needed == pytest.approx(4.0)
    assert ("x", "a") not in found


def test_weight_sets_side_by_side(demo):
    found = {alt.name: alt for alt in weight_set_rankings(rank(load_scores(demo)))}
    assert list(found) == ["base", "flip"]
    assert found["base"].leaders == ("x",)
    assert not found["base"].leader_changed
    # flip = a 40, b 60: x 2.6, y 3.8, z 3.0.
    assert found["flip"].order == ("y", "z", "x")
    assert found["flip"].totals == pytest.approx((3.8, 3.0, 2.6))
    assert found["flip"].leader_changed


def test_leave_one_criterion_out(demo):
    found = {alt.name: alt for alt in leave_one_out(rank(load_scores(demo)), top=2)}
    # Without a, only b counts: x 1, y 5, z 3.
    assert found["a"].order == ("y", "z", "x")
    assert found["a"].leader_changed
    # Without b: x 5, z 3, y 2: same leader, but the top two become x and z.
    assert found["b"].order == ("x", "z", "y")
    assert not found["b"].leader_changed
    assert found["b"].shortlist_changed


def test_leave_one_scorer_out(write):
    # Mean of ann and bob: x = (3, 1) -> 2.2; y = (2, 3.5) -> 2.6: y leads.
    # Without bob (ann alone): x 3.4, y 3.2: x leads. Without ann: x 1.0, y 2.0: y leads.
    write("two.yaml", TWO_CRITERIA)
    path = write(
        "panel.yaml",
        """\
        group: panel
        name: Panel
        criteria: two.yaml
        scale: {min: 1, max: 5}
        options:
          - id: x
            name: X
            status_quo: true
            scorers: {ann: {a: 5, b: 1}, bob: {a: 1, b: 1}}
          - id: y
            name: Y
            scorers: {ann: {a: 2, b: 5}, bob: {a: 2, b: 2}}
        """,
    )
    found = {
        alt.name: alt for alt in leave_one_out(rank(load_scores(path))) if alt.kind == "scorer"
    }
    assert found["bob"].leaders == ("x",)
    assert found["bob"].leader_changed
    assert found["bob"].totals == pytest.approx((3.4, 3.2))
    assert found["ann"].leaders == ("y",)
    assert not found["ann"].leader_changed


def _small_table(folder, rows, weights):
    """Three criteria (weights as given, normalised) and one option per row; o0 the status quo."""
    (folder / "c.yaml").write_text(
        "title: t\ncriteria:\n"
        + "".join(f"  - {{id: c{k}, name: C{k}, weight: {w}}}\n" for k, w in enumerate(weights))
        + "normalise: true\n"
    )
    options = "".join(
        f"  - {{id: o{i}, name: O{i}, status_quo: {str(i == 0).lower()}, "
        f"scores: {{c0: {r[0]}, c1: {r[1]}, c2: {r[2]}}}}}\n"
        for i, r in enumerate(rows)
    )
    (folder / "s.yaml").write_text(
        f"group: g\nname: G\ncriteria: c.yaml\nscale: {{min: 1, max: 5}}\noptions:\n{options}"
    )
    return rank(load_scores(folder / "s.yaml"))


TABLES = st.lists(
    st.lists(st.integers(1, 5), min_size=3, max_size=3), min_size=2, max_size=5, unique_by=tuple
)
WEIGHTS = st.lists(st.integers(1, 50), min_size=3, max_size=3)


@settings(max_examples=80, deadline=None)
@given(TABLES, WEIGHTS)
def test_thresholds_agree_with_brute_force_at_and_around_each_bound(
    tmp_path_factory, rows, weights
):
    """Recomputed from the table alone, not through the tool: with weight t on criterion c and
    the others scaled to share 1 - t in their ratio, totals(t) = S @ w(t). Inside the interval
    the leader is first; at a bound the leader and the named successor tie; just past it the
    successor is ahead of the leader; a missing bound means the leader is first all the way
    to 0 or 1."""
    ranking = _small_table(tmp_path_factory.mktemp("prop"), rows, weights)
    index = {f"o{i}": i for i in range(len(rows))}
    scores = np.array(rows, dtype=float)
    base = np.array(weights, dtype=float) / sum(weights)

    def totals(c: int, t: float) -> np.ndarray:
        w = base * (1 - t) / (1 - base[c])
        w[c] = t
        return scores @ w

    leader = index[ranking.options[0].id]
    for found in thresholds(ranking):
        c = int(found.criterion[1:])
        assert found.weight == pytest.approx(base[c], abs=1e-12)
        low = 0.0 if found.lower is None else found.lower
        high = 1.0 if found.upper is None else found.upper
        assert low <= base[c] + 1e-12
        assert base[c] <= high + 1e-12
        for t in [low, *np.linspace(low, high, 9)[1:-1], high]:
            if (t == low and found.lower is not None) or (t == high and found.upper is not None):
                continue
            here = totals(c, t)
            assert here[leader] >= here.max() - 1e-9, (found, t)
        for bound, successor, step in (
            (found.lower, found.below, -1),
            (found.upper, found.above, 1),
        ):
            if bound is None:
                assert successor is None
                continue
            other = index[successor]
            at = totals(c, bound)
            assert at[other] == pytest.approx(at[leader], abs=1e-9)
            past = totals(c, bound + step * 1e-6)
            assert past[other] > past[leader], (found, bound)
            # A bound is a swap, not a tie met at the end of the range: at that end (0% below
            # the lower bound, 100% above the upper) the successor is ahead by more than a tie.
            end = totals(c, 0.0 if step < 0 else 1.0)
            assert end[other] > end[leader] + 1e-9, (found, bound)


@settings(max_examples=60, deadline=None)
@given(TABLES, WEIGHTS)
def test_score_thresholds_agree_with_brute_force(tmp_path_factory, rows, weights):
    """Each option behind the leader, raised to the needed score on one criterion, draws level
    with the leader (recomputed as S @ w); where no score on the scale is enough, even the top
    of the scale leaves it behind."""
    ranking = _small_table(tmp_path_factory.mktemp("prop"), rows, weights)
    index = {f"o{i}": i for i in range(len(rows))}
    w = np.array(weights, dtype=float) / sum(weights)
    leader = index[ranking.options[0].id]
    found = score_thresholds(ranking)
    assert len(found) == (len(rows) - 1) * 3
    for item in found:
        i, j = index[item.option], int(item.leaf[1:])
        assert item.score == rows[i][j]
        raised = np.array(rows, dtype=float)
        if item.needed is None:
            raised[i, j] = 5
            totals = raised @ w
            assert totals[i] < totals[leader] - 1e-12
        else:
            assert item.needed == pytest.approx(item.score + item.change, abs=1e-12)
            raised[i, j] = item.needed
            totals = raised @ w
            assert totals[i] == pytest.approx(totals[leader], abs=1e-9)


def _pair(write, weights: dict[str, int], first: dict[str, int], second: dict[str, int]):
    """Two options j, l under criteria with the given weights, ranked."""
    write(
        "c.yaml",
        "title: T\ncriteria:\n"
        + "".join(f"  - {{id: {k}, name: {k.upper()}, weight: {w}}}\n" for k, w in weights.items()),
    )
    row = lambda d: ", ".join(f"{k}: {v}" for k, v in d.items())  # noqa: E731
    path = write(
        "s.yaml",
        "group: g\nname: G\ncriteria: c.yaml\nscale: {min: 1, max: 5}\noptions:\n"
        f"  - {{id: j, name: J, scores: {{{row(first)}}}}}\n"
        f"  - {{id: l, name: L, scores: {{{row(second)}}}}}\n",
    )
    return rank(load_scores(path))


# j = (5, 3, 5) and l = (3, 1, 5) on (a, b, c): j is ahead on a and b, level on c, so with all
# the weight on c (t = 1) they tie, and for any t < 1 j is ahead. Two weightings of a and b
# reach that tie through different float noise (20/40: the lines meet at t = 1 exactly as
# computed; 23/37: at 0.9999999999999998).
@pytest.mark.parametrize("a_weight", [20, 23])
def test_a_tie_reached_only_at_100_percent_is_no_threshold(write, a_weight):
    ranking = _pair(
        write,
        {"a": a_weight, "b": 60 - a_weight, "c": 40},
        dict(a=5, b=3, c=5),
        dict(a=3, b=1, c=5),
    )
    assert [o.id for o in ranking.options] == ["j", "l"]
    c = by_id(thresholds(ranking))["c"]
    assert (c.lower, c.upper, c.below, c.above) == (None, None, None, None)
    assert (c.swaps, c.first_change_lower, c.first_change_upper) == ((), None, None)


# l = (1, 4, 2, 5) and j = (3, 2, 2, 3) on (a, b, d, c) with a and b weighted alike: with no
# weight on c (t = 0) they tie at (a + 4b + 2d) = (3a + 2b + 2d); for any t > 0 l is ahead.
# d at 7 gives the float crossing 2.2e-16, d at 11 gives none.
@pytest.mark.parametrize("d_weight", [7, 11])
def test_a_tie_reached_only_at_0_percent_is_no_threshold(write, d_weight):
    ranking = _pair(
        write,
        {"a": 5, "b": 5, "d": d_weight, "c": 90 - d_weight},
        dict(a=3, b=2, d=2, c=3),
        dict(a=1, b=4, d=2, c=5),
    )
    assert [o.id for o in ranking.options] == ["l", "j"]
    c = by_id(thresholds(ranking))["c"]
    assert (c.lower, c.upper, c.below, c.above) == (None, None, None, None)
    assert (c.swaps, c.first_change_lower, c.first_change_upper) == ((), None, None)


# l = (5, b) and j = (a, b) on criteria weighted 5/95: j draws level exactly when its a score
# reaches 5, the top of the scale. As floats the rise works out at 2.0000000000000018 from 3
# and 3.999999999999999 from 1; either way it is the top of the scale, exactly.
@pytest.mark.parametrize(("a_score", "b_score"), [(3, 4), (1, 2)])
def test_a_score_drawing_level_only_at_the_top_of_the_scale_needs_exactly_the_top(
    write, a_score, b_score
):
    ranking = _pair(write, {"a": 5, "b": 95}, dict(a=5, b=b_score), dict(a=a_score, b=b_score))
    found = {t.leaf: t for t in score_thresholds(ranking) if t.option == "l"}
    assert (found["a"].needed, found["a"].change) == (5.0, 5.0 - a_score)
    # Inside the scale the rise is the gap over the weight: 0.05 (5 - a) / 0.95.
    assert found["b"].change == pytest.approx(0.05 * (5 - a_score) / 0.95, abs=1e-12)


def test_an_option_level_with_the_leader_needs_no_rise(write):
    """j = (2, 5, 1) and l = (4, 1, 2) at 15/23/62: both 2.07 exactly (0.30 + 1.15 + 0.62 and
    0.60 + 0.23 + 1.24), tied first, though as floats j's is 2.0700000000000003. l needs no
    rise, not one of 4e-16 / weight."""
    ranking = _pair(write, {"a": 15, "b": 23, "c": 62}, dict(a=2, b=5, c=1), dict(a=4, b=1, c=2))
    assert [o.rank for o in ranking.options] == [1, 1]
    assert {(t.leaf, t.change, t.needed) for t in score_thresholds(ranking)} == {
        ("a", 0.0, 4.0),
        ("b", 0.0, 1.0),
        ("c", 0.0, 2.0),
    }


# --- the command ----------------------------------------------------------------------------


def invoke(*args: object):
    from typer.testing import CliRunner

    from appraise.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def test_sensitivity_json_holds_only_what_was_asked(demo):
    import json

    result = invoke("sensitivity", demo, "-f", "json", "--only", "thresholds", "--only", "scores")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {"thresholds", "score_thresholds"} <= set(data)
    assert not {"smaa", "weight_sets", "leave_one_out", "thresholds_within_family"} & set(data)
    a = next(t for t in data["thresholds"] if t["criterion"] == "a")
    assert (a["lower"], a["upper"], a["below"], a["above"]) == (
        pytest.approx(4 / 7),
        None,
        "y",
        None,
    )
    # a and b are equally close to a bound (0.6 vs 4/7, 0.4 vs 3/7); the first is named.
    assert data["summary"][0] == (
        "Option X is first today and stays first unless the weight of 'Criterion A' falls "
        "below 57.1% (now 60.0%), when Option Y leads."
    )


def test_sensitivity_table_reads_as_sentences_then_tables(demo):
    result = invoke(
        "sensitivity",
        demo,
        "--only",
        "thresholds",
        "--only",
        "weight-sets",
        "--only",
        "leave-one-out",
    )
    assert result.exit_code == 0, result.output
    assert "• Option X is first today" in result.stdout
    assert "The leader changes under weight set 'flip' (Option Y)." in result.stdout
    # Without a (weight 0 on a, all on b): X = 1, Y = 5, Z = 3, so Y leads.
    assert "Option Y leads if criterion Criterion A is left out." in " ".join(result.stdout.split())
    assert "Weight thresholds for the leader" in result.stdout
    assert "▲" in result.stdout


def test_the_simulation_says_tied_samples_are_shared_equally(demo, tmp_path):
    """The method text says how ties are counted: in the terminal table and on the workbook's
    Sensitivity sheet."""
    import openpyxl

    shown = invoke("sensitivity", demo, "--only", "smaa", "--samples", 100)
    assert shown.exit_code == 0, shown.output
    assert "(tied options share their ranks equally)" in " ".join(shown.stdout.split())
    book = tmp_path / "hce.xlsx"
    written = invoke("export", demo, "-o", book, "--samples", 100)
    assert written.exit_code == 0, written.output
    sheet = next(ws for ws in openpyxl.load_workbook(book) if ws.title.startswith("Sensitivity"))
    notes = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("share its ranks equally" in note for note in notes)


def test_sensitivity_csv_and_markdown(demo):
    import csv
    import io

    rows = list(
        csv.DictReader(
            io.StringIO(invoke("sensitivity", demo, "-f", "csv", "--only", "thresholds").stdout)
        )
    )
    assert [(r["group"], r["criterion"], r["below"]) for r in rows] == [
        ("demo", "a", "y"),
        ("demo", "b", ""),
    ]
    md = invoke("sensitivity", demo, "-f", "markdown", "--only", "thresholds").stdout
    assert md.startswith("## Demo group (demo)\n\n- Option X is first today")


def test_smaa_json_is_the_contract_and_repeats_with_a_seed(demo):
    import json

    args = ("sensitivity", demo, "-f", "json", "--only", "smaa", "--samples", 3000, "--seed", 11)
    first = json.loads(invoke(*args).stdout)
    again = json.loads(invoke(*args).stdout)
    assert first == again
    smaa = first["smaa"]
    assert (smaa["samples"], smaa["seed"], smaa["distribution"]) == (3000, 11, "uniform")
    assert [o["id"] for o in smaa["options"]] == ["x", "y", "z"]  # ranking order
    for option in smaa["options"]:
        assert sum(option["rank_acceptability"]) == pytest.approx(1.0)
        assert option["p_first"] == option["rank_acceptability"][0]
    columns = np.array([o["rank_acceptability"] for o in smaa["options"]]).sum(axis=0)
    assert columns == pytest.approx([1.0, 1.0, 1.0])
    other = json.loads(invoke(*args[:-1], 12).stdout)
    assert other["smaa"]["options"] != smaa["options"]


def test_sensitivity_reads_a_scoring_workbook_like_its_yaml(tmp_path):
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    source = root / "options" / "urgent-care.yaml"
    book = tmp_path / "uc.xlsx"
    assert (
        invoke(
            "template", root / "criteria" / "cp-2016.yaml", "--scores", source, "-o", book
        ).exit_code
        == 0
    )
    from_yaml = json.loads(invoke("sensitivity", source, "-f", "json", "--samples", 2000).stdout)
    from_book = json.loads(invoke("sensitivity", book, "-f", "json", "--samples", 2000).stdout)
    for data in (from_yaml, from_book):
        data.pop("file")
        data["notes"] = len(data["notes"])  # the same notes, naming YAML paths or cells
    assert from_book == from_yaml
    assert {
        "thresholds",
        "thresholds_within_family",
        "score_thresholds",
        "weight_sets",
        "leave_one_out",
        "smaa",
    } <= set(from_book)


def test_the_headline_says_when_another_option_wins_more_simulations(demo):
    """Weight w on a, 1 - w on b, w uniform: X = 1 + 4w leads Y = 5 - 3w only when w > 4/7,
    and Z = 3 never leads; so X, first today (w = 0.6), is first in 3/7 = 42.9% of samples
    and Y in 4/7 = 57.1%. The headline says so before the threshold (4/7, below today's 60%)."""
    import json
    import re

    result = invoke(
        "sensitivity", demo, "-f", "json", "--only", "smaa", "--only", "thresholds",
        "--samples", 100_000,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    headline = json.loads(result.stdout)["summary"][0]
    found = re.fullmatch(
        r"Option X is first today but in only (\d+)% of 100,000 simulations; Option Y is first "
        r"in (\d+)%\. Option X stays first unless the weight of 'Criterion A' falls below "
        r"57\.1% \(now 60\.0%\), when Option Y leads\.",
        headline,
    )
    assert found, headline
    assert abs(int(found[1]) - 300 / 7) <= 1
    assert abs(int(found[2]) - 400 / 7) <= 1


def test_weight_sets_that_tie_the_leader_or_change_nothing_say_so(write):
    """Indicative scores on Quality and Cost (50/50): x = (4, 2) = 3.0, y = (2, 3) = 2.5.
    'cheap' hands the lead to y, 'level' ties them, and 'subs' moves only Q one and Q two,
    which an indicative round (scored on the criteria) does not score."""
    write(
        "nested.yaml",
        NESTED
        + "weight_sets:\n"
        + "  cheap: {quality: 25, cost: 75}\n"
        + "  level: {quality: 1, cost: 2}\n"
        + "  subs: {q1: 90, q2: 10}\n",
    )
    path = write(
        "indicative.yaml",
        "group: g\nname: G\ncriteria: nested.yaml\nscale: {min: 1, max: 5}\noptions:\n"
        "  - {id: x, name: X, status_quo: true, scores: {quality: 4, cost: 2}}\n"
        "  - {id: y, name: Y, scores: {quality: 2, cost: 3}}\n",
    )
    found = {a.name: a for a in weight_set_rankings(rank(load_scores(path)))}
    # cheap: x = 0.25*4 + 0.75*2 = 2.5, y = 0.25*2 + 0.75*3 = 2.75: y leads.
    assert (found["cheap"].leaders, found["cheap"].leader_changed) == (("y",), True)
    # level: weights 1/3, 2/3: x = 4/3 + 4/3 = 8/3, y = 2/3 + 2 = 8/3: tied, x still first.
    assert found["level"].leaders == ("x", "y")
    assert (found["level"].leader_changed, found["level"].leader_shared) == (False, True)
    # subs: the same weights as the base, so the same ranking, and a note saying why.
    assert found["subs"].totals == found["base"].totals == pytest.approx((3.0, 2.5))
    assert found["subs"].note == "no effect here: it changes no weight this file is scored against"
    assert found["cheap"].note is None

    # Under 'level' (x and y tied, x listed first), the base weights narrow the tie to x: the
    # leader named today stays first, so that is neither a change nor a tie; 'cheap' is.
    from appraise.model import Settings

    tied = rank(load_scores(path), Settings(weight_set="level"))
    assert [(o.id, o.rank) for o in tied.options] == [("x", 1), ("y", 1)]
    under_level = {a.name: a for a in weight_set_rankings(tied)}
    assert (under_level["base"].leader_changed, under_level["base"].leader_shared) == (False, False)
    assert under_level["cheap"].leader_changed
    assert under_level["subs"].note is None  # it is the base weights, which differ from 'level'

    result = invoke("sensitivity", path, "--only", "weight-sets", "-f", "json")
    assert result.exit_code == 0, result.output
    import json

    summary = json.loads(result.stdout)["summary"]
    assert summary[1:] == [
        "The leader changes under weight set 'cheap' (Y).",
        "Under weight set 'level' X is tied for first with Y.",
        "Weight set 'subs' changes no weight this file is scored against, so say nothing "
        "either way.",
    ]


# --- the one-way chart (issue 16) --------------------------------------------------------------


def test_the_weight_chart_finds_where_the_order_changes(demo):
    """Weight of a at t (b at 1 - t): x = 5t + (1 - t) = 1 + 4t, y = 2t + 5(1 - t) = 5 - 3t,
    z = 3. x passes z at t = 1/2, passes y at 4/7, and z passes y at 2/3; today t = 0.6."""
    from appraise.analysis.sensitivity import weight_chart

    chart = weight_chart(rank(load_scores(demo)), "a")
    assert chart.line.current == pytest.approx(0.6)
    assert [(b, a) for _, b, a in chart.crossings] == [("z", "x"), ("y", "x"), ("y", "z")]
    assert [t for t, _, _ in chart.crossings] == pytest.approx([1 / 2, 4 / 7, 2 / 3])


def test_the_chart_draws_in_the_terminal_within_its_width(demo):
    from typer.testing import CliRunner

    from appraise.cli import app

    result = CliRunner().invoke(app, ["sensitivity", str(demo), "--chart", "a"])
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.stdout.rstrip("\n").splitlines()]
    lines = lines[:-1] if lines[-1] == "" else lines
    assert lines[0] == "Demo group (demo)"
    assert lines[1] == "Criterion A: each option's total as its weight runs from 0% to 100%"
    assert all(len(line) <= 80 for line in lines), max(map(len, lines))
    assert lines[-4:] == [
        "Where the order changes (the other weights in proportion):",
        "  at 50.0%: Option X overtakes Option Z",
        "  at 57.1%: Option X overtakes Option Y",
        "  at 66.7%: Option Z overtakes Option Y",
    ]
    # The legend, below the chart, a marker per option and the names whole.
    assert lines[-7:-4] == ["  •• Option X", "  xx Option Y", "  ++ Option Z"]
    assert any("today 60.0%" in line for line in lines)


@pytest.mark.parametrize(
    ("args", "found"),
    [(["--chart", "c"], "'c' is no criterion of"), (["--chart", "a", "-f", "json"], "draws for")],
)
def test_a_chart_of_no_criterion_or_in_json_is_a_usage_error(demo, args, found):
    import re

    from typer.testing import CliRunner

    from appraise.cli import app

    result = CliRunner().invoke(app, ["sensitivity", str(demo), *args])
    assert result.exit_code == 2, result.output
    assert found in " ".join(re.sub("[│╭╮╰╯─]", " ", result.output).split())


def test_the_acceptability_chart_draws_each_ranks_share():
    """Shares 1/2, 1/4, 1/4 on a 40-character bar: 20 of rank 1, 10 of rank 2, 10 of rank 3;
    ranks past the fourth share the last fill."""
    import io

    from rich.console import Console

    from appraise.present.terminal.sensitivity import acceptability_chart

    smaa = {
        "options": [
            {"name": "A", "rank_acceptability": [0.5, 0.25, 0.25, 0.0, 0.0]},
            {"name": "B", "rank_acceptability": [0.0, 0.0, 0.25, 0.25, 0.5]},
        ]
    }
    buffer = io.StringIO()
    Console(file=buffer, width=80, color_system=None).print(acceptability_chart(smaa))  # type: ignore[arg-type]
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    assert lines[0] == "Rank acceptability: ██ rank 1  ▓▓ rank 2  ▒▒ rank 3  ░░ rank 4 and below"
    rows = [[cell.strip() for cell in line.split("│")] for line in lines[1:]]
    assert rows == [["A", "█" * 20 + "▓" * 10 + "▒" * 10], ["B", "▒" * 10 + "░" * 30]]


def test_the_terminal_names_who_takes_over_and_shows_only_what_leave_one_out_changes(demo):
    """Issue 16: "Then leads" gave ids where the sentences give names; leave-one-out printed a
    row of "same" for every criterion and scorer. Leaving out a leaves b alone: y (5) leads;
    leaving out b leaves a alone: x (5) still leads, the shortlist of three is the same."""
    from typer.testing import CliRunner

    from appraise.cli import app

    result = CliRunner().invoke(
        app, ["sensitivity", str(demo), "--only", "thresholds", "--only", "leave-one-out"]
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    rows = [line for line in text.splitlines() if line.startswith("Criterion A ")]
    assert rows
    assert rows[0].rstrip().endswith("Option Y")
    assert "Leave one out: what changes" in text
    assert "without Criterion A" in text
    assert "without Criterion B" not in text
    assert (
        "Leaving out any other of the 2 criteria changes neither the leader nor the "
        "shortlist." in " ".join(text.split())
    )
