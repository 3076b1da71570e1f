"""Benefit against cost (issue 19, parts 1-3): the frontier, worked by hand and in closed form.

The demo: criteria a 60 / b 40 (conftest's TWO_CRITERIA, weight set ``flip`` 40/60), options

    id  scores (a, b)  total at 60/40        at 40/60 (flip)   capital (GBP m)
    z   3, 3           3.0 (status quo)      3.0               0
    y   2, 5           0.6*2 + 0.4*5 = 3.2   0.4*2 + 0.6*5 = 3.8   1
    x   5, 1           0.6*5 + 0.4*1 = 3.4   0.4*5 + 0.6*1 = 2.6   2
    v   4, 2           0.6*4 + 0.4*2 = 3.2   0.4*4 + 0.6*2 = 2.8   3
    u   1, 1           1.0                   1.0               (none)

Frontier at 60/40: z, y, x (each dearer one better); v ties y's 3.2 at three times the cost,
so y beats it. Steps: z -> y and y -> x each +1 GBP m for +0.2 points: 5 GBP m a point.
Under flip: z (3.0) and y (3.8); x and v cost more for less.

Under uniform weights (a's weight t ~ U(0, 1), b's 1 - t) the totals are lines: x = 1 + 4t,
y = 5 - 3t, z = 3, v = 2 + 2t. z is cheapest, so always on the frontier. y is beaten only by z,
when 3 >= 5 - 3t: t >= 2/3, so y is on it with probability 2/3. x is beaten by z when t <= 1/2
and by y when t <= 4/7: on it with probability 3/7. v is beaten by y for t <= 0.6 and by x for
t >= 0.5: never on it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import appraise
from appraise.analysis.value import on_frontier
from appraise.cli import app

from .conftest import TWO_CRITERIA

runner = CliRunner()

COSTED = """\
group: demo
name: Demo group
criteria: two.yaml
scale: {min: 1, max: 5}
options:
  - {id: z, name: Option Z, status_quo: true, scores: {a: 3, b: 3},
     cost: {capital: 0, revenue: 0.5, unit: GBP m}}
  - {id: y, name: Option Y, scores: {a: 2, b: 5}, cost: {capital: 1, revenue: -0.2, unit: GBP m}}
  - {id: x, name: Option X, scores: {a: 5, b: 1}, cost: {capital: 2, unit: GBP m}}
  - {id: v, name: Option V, scores: {a: 4, b: 2}, cost: {capital: 3, revenue: 0.1, unit: GBP m}}
  - {id: u, name: Option U, scores: {a: 1, b: 1}}
"""


@pytest.fixture
def costed(write) -> Path:
    write("two.yaml", TWO_CRITERIA)
    return write("costed.yaml", COSTED)


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def test_the_frontier_as_worked_by_hand(costed):
    result = appraise.value(appraise.load_scores(costed), samples=0)
    got = {o.id: o for o in result.options}
    assert [o.id for o in result.options] == ["z", "y", "x", "v"]  # ascending cost
    assert result.frontier == ("z", "y", "x")
    assert got["v"].dominated_by == "y"
    assert not got["v"].frontier
    assert [got[i].benefit for i in "zyxv"] == pytest.approx([3.0, 3.2, 3.4, 3.2], abs=1e-12)
    assert [got[i].cost_per_point for i in "zyxv"] == pytest.approx(
        [0.0, 1 / 3.2, 2 / 3.4, 3 / 3.2], abs=1e-12
    )
    assert [(s.start, s.to) for s in result.steps] == [("z", "y"), ("y", "x")]
    for step in result.steps:
        assert step.extra_cost == pytest.approx(1.0)
        assert step.extra_benefit == pytest.approx(0.2, abs=1e-12)
        assert step.cost_per_point == pytest.approx(5.0)
        assert step.points_per_unit == pytest.approx(0.2)
    assert result.without_cost == (("u", "Option U"),)
    assert result.figures == ("capital", "revenue")


def test_benefit_is_the_total_rank_gives(costed):
    sheet = appraise.load_scores(costed)
    totals = {o.id: o.total for o in appraise.rank(sheet).options}
    result = appraise.value(sheet, samples=0)
    assert {o.id: o.total for o in result.options} == {k: totals[k] for k in "zyxv"}
    assert all(o.benefit == o.total for o in result.options)


def test_above_the_status_quo_takes_its_total_off(costed):
    result = appraise.value(appraise.load_scores(costed), above_status_quo=True, samples=0)
    got = {o.id: o for o in result.options}
    assert result.baseline == pytest.approx(3.0)
    assert [got[i].benefit for i in "zyxv"] == pytest.approx([0.0, 0.2, 0.4, 0.2], abs=1e-12)
    assert got["z"].cost_per_point is None  # no benefit over itself
    assert got["y"].cost_per_point == pytest.approx(5.0)
    assert result.frontier == ("z", "y", "x")  # a constant taken off moves no frontier


def test_weight_sets_move_the_frontier_as_worked(costed):
    result = appraise.value(appraise.load_scores(costed), samples=0)
    sets = {s.weight_set: s for s in result.weight_sets}
    assert sets[None].frontier == ("z", "y", "x")
    assert not sets[None].changed
    assert sets["flip"].frontier == ("z", "y")
    assert sets["flip"].changed


def test_frontier_shares_match_the_closed_form(costed):
    result = appraise.value(appraise.load_scores(costed), samples=200_000, seed=3)
    assert result.smaa is not None
    share = result.smaa.share
    assert share["z"] == 1.0
    assert share["v"] == 0.0
    assert share["y"] == pytest.approx(2 / 3, abs=0.006)  # 3 standard errors and more
    assert share["x"] == pytest.approx(3 / 7, abs=0.006)


def test_the_same_seed_gives_the_same_shares(costed):
    sheet = appraise.load_scores(costed)
    first = appraise.value(sheet, samples=5_000, seed=9).smaa
    again = appraise.value(sheet, samples=5_000, seed=9).smaa
    assert first is not None
    assert again is not None
    assert first.share == again.share


def test_another_cost_figure_and_a_saving(costed):
    result = appraise.value(appraise.load_scores(costed), cost="revenue", samples=0)
    got = {o.id: o for o in result.options}
    # revenue: y -0.2 (3.2), v 0.1 (3.2), z 0.5 (3.0); x gives none.
    assert [o.id for o in result.options] == ["y", "v", "z"]
    assert result.frontier == ("y",)
    assert got["v"].dominated_by == "y"
    assert got["z"].dominated_by == "y"
    assert got["y"].cost_per_point is None  # a saving is no cost per point
    assert [i for i, _ in result.without_cost] == ["x", "u"]


def brute_force(benefit: list[float], cost: list[float]) -> list[bool]:
    """Straight from the definition: no other at least as good on both, better on one."""
    out = []
    for i in range(len(benefit)):
        beaten = any(
            benefit[j] >= benefit[i] - 1e-9
            and cost[j] <= cost[i]
            and (cost[j] < cost[i] or benefit[j] > benefit[i] + 1e-9)
            for j in range(len(benefit))
            if j != i
        )
        out.append(not beaten)
    return out


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 4)),  # few values: many ties
        min_size=1,
        max_size=9,
    )
)
def test_on_frontier_is_the_definition(pairs):
    benefit = [float(b) for b, _ in pairs]
    cost = [float(c) for _, c in pairs]
    got = on_frontier(np.array(benefit), np.array(cost))
    assert got.tolist() == brute_force(benefit, cost)
    assert got.any()  # the best of the cheapest is always on it


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 4), min_size=1, max_size=8),
    st.lists(
        st.lists(st.sampled_from([0.0, 1e-10, -1e-10, 2e-9, 1.0, 1.0 + 5e-10, 2.0]), min_size=8),
        min_size=1,
        max_size=5,
    ),
)
def test_on_frontier_of_many_draws_is_the_definition_within_the_tie_tolerance(costs, draws):
    """Benefits a tolerance apart, or less, in several draws at once: each row is the
    pairwise definition's."""
    cost = [float(c) for c in costs]
    benefit = np.array([row[: len(cost)] for row in draws])
    got = on_frontier(benefit, np.array(cost))
    assert got.shape == benefit.shape
    for row, found in zip(benefit, got, strict=True):
        assert found.tolist() == brute_force(row.tolist(), cost)


def test_json_is_the_contract(costed):
    result = invoke("value", costed, "--samples", "0", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["cost"] == "capital"
    assert data["unit"] == "GBP m"
    assert data["without_cost"] == ["u"]
    first = data["options"][0]
    assert {k: first[k] for k in ("id", "benefit", "cost", "frontier", "dominated_by")} == {
        "id": "z",
        "benefit": 3.0,
        "cost": 0.0,
        "frontier": True,
        "dominated_by": None,
    }
    assert [o["cost"] for o in data["options"]] == sorted(o["cost"] for o in data["options"])
    assert data["options"][3]["dominated_by"] == "y"
    assert data["benefit_is"] == "total"
    assert data["smaa"] is None


def test_csv_names_the_figure_and_its_unit(costed):
    result = invoke("value", costed, "--samples", "0", "--format", "csv")
    assert result.exit_code == 0, result.output
    header, *rows = result.stdout.splitlines()
    assert header.split(",") == [
        "group",
        "option",
        "rank",
        "total",
        "benefit",
        "capital (GBP m)",
        "cost_per_point",
        "frontier",
        "dominated_by",
    ]
    assert rows[3].split(",")[1] == "v"
    assert rows[3].split(",")[-1] == "y"


def test_no_costs_is_one_line(write):
    write("two.yaml", TWO_CRITERIA)
    plain = write("plain.yaml", COSTED.replace("cost:", "attributes:").replace(", unit: GBP m", ""))
    result = invoke("value", plain)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"error: {plain}: options: no option gives a cost: add one to each option, e.g. cost: "
        '{capital: 2.4, unit: "GBP m"} (CONTRACT 1.5)'
    ]


def test_an_unknown_figure_is_named_with_those_there(costed):
    result = invoke("value", costed, "--cost", "capex")
    assert result.exit_code == 2
    assert "no option of" in result.stderr
    assert "it gives capital, revenue" in result.stderr


@pytest.mark.parametrize(
    ("cost", "message"),
    [
        ("{capital: 1}", 'a cost needs its unit, such as unit: "GBP m"'),
        ('{capital: "1.2m", unit: GBP m}', "capital"),
        ("{unit: GBP m}", "at least one named figure"),
        ("{Capital Cost: 1, unit: GBP m}", "lower case"),
        ("{capital: 10000000000000.0, unit: GBP m}", "1e12"),
        ("5", 'a cost is written {capital: 2.4, revenue: -0.3, unit: "GBP m"}'),
        ("{capital: .inf, unit: GBP m}", "expected a finite number, found inf"),
    ],
)
def test_a_bad_cost_is_named_where_it_is(write, cost, message):
    write("two.yaml", TWO_CRITERIA)
    path = write("bad.yaml", COSTED.replace("{capital: 2, unit: GBP m}", cost))
    result = invoke("rank", path)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {path}: options[2].cost")
    assert message in line


def test_two_units_in_one_file_is_an_error(write):
    write("two.yaml", TWO_CRITERIA)
    path = write(
        "units.yaml", COSTED.replace("{capital: 2, unit: GBP m}", "{capital: 2, unit: GBP k}")
    )
    result = invoke("rank", path)
    assert result.exit_code == 1
    assert (
        f"{path}: options[2].cost.unit: cost in 'GBP k', but option 'z' gives its cost in "
        "'GBP m': one unit for every cost in a file"
    ) in result.stderr


def test_costs_never_move_a_total(costed, write):
    plain = write(
        "plain.yaml",
        "\n".join(line for line in COSTED.splitlines()).replace(
            "cost: {capital: 0, revenue: 0.5, unit: GBP m}", "notes: none"
        ),
    )
    with_cost = {o.id: o.total for o in appraise.rank(appraise.load_scores(costed)).options}
    without = {o.id: o.total for o in appraise.rank(appraise.load_scores(plain)).options}
    assert with_cost == without


# --- the Costs sheet of a scoring workbook -----------------------------------------------------


def costs_workbook(costed: Path, tmp_path: Path, change=None) -> Path:
    """The demo as a template pre-filled from its YAML, its Costs sheet changed by ``change``."""
    import openpyxl

    out = tmp_path / "costed.xlsx"
    result = invoke("template", costed.parent / "two.yaml", "--scores", costed, "-o", out)
    assert result.exit_code == 0, result.output
    if change is not None:
        wb = openpyxl.load_workbook(out)
        change(wb["Costs"])
        wb.save(out)
    return out


def test_the_template_carries_costs_and_reads_them_back(costed, tmp_path):
    import openpyxl

    book = costs_workbook(costed, tmp_path)
    rows = list(openpyxl.load_workbook(book)["Costs"].iter_rows(max_row=5, values_only=True))
    assert rows == [
        ("option", "unit", "capital", "revenue"),
        ("z", "GBP m", 0, 0.5),
        ("y", "GBP m", 1, -0.2),
        ("x", "GBP m", 2, None),
        ("v", "GBP m", 3, 0.1),
    ]
    from_yaml = appraise.value(appraise.load_scores(costed), samples=0)
    from_book = appraise.value(appraise.load_scores(book), samples=0)
    assert from_book.options == from_yaml.options
    assert from_book.without_cost == (("u", "Option U"),)


def test_a_template_without_costs_offers_capital_and_revenue(tmp_path, write):
    import openpyxl

    write("two.yaml", TWO_CRITERIA)
    out = tmp_path / "blank.xlsx"
    assert invoke("template", tmp_path / "two.yaml", "-o", out).exit_code == 0
    header = next(openpyxl.load_workbook(out)["Costs"].iter_rows(max_row=1, values_only=True))
    assert header == ("option", "unit", "capital", "revenue")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda ws: ws.__setitem__("A3", "yy"), "sheet 'Costs', cell A3: option 'yy' is not on "),
        (lambda ws: ws.__setitem__("A3", "z"), "sheet 'Costs', cell A3: option 'z' has a row on "),
        (lambda ws: ws.__setitem__("C4", "two"), "sheet 'Costs', cell C4: expected a number"),
        (lambda ws: ws.__setitem__("B5", "GBP k"), "sheet 'Costs', cell B5: cost in 'GBP k'"),
        (lambda ws: ws.__setitem__("B2", None), "sheet 'Costs', cell B2: a cost needs its unit"),
    ],
)
def test_a_bad_costs_sheet_names_the_cell(costed, tmp_path, change, message):
    book = costs_workbook(costed, tmp_path, change)
    result = invoke("rank", book)
    assert result.exit_code == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"error: {book}: {message}")


# --- the Value sheet of the HCE workbook -------------------------------------------------------


def test_the_export_has_a_value_sheet_with_values_json_gives(costed, tmp_path):
    import openpyxl

    out = tmp_path / "hce.xlsx"
    result = invoke("export", costed, "-o", out, "--samples", "500", "--seed", "4")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert "Value" in book.sheetnames
    rows = [r for r in book["Value"].iter_rows(values_only=True) if r[0] is not None]
    header = next(i for i, r in enumerate(rows) if r[0] == "Option")
    table = {r[0]: r for r in rows[header + 1 : header + 5]}
    data = json.loads(
        invoke("value", costed, "--samples", "500", "--seed", "4", "-f", "json").stdout
    )
    for o in data["options"]:
        name = o["name"] + (" (status quo)" if o["status_quo"] else "")
        row = table[name]
        assert row[1:5] == (o["rank"], o["total"], o["benefit"], o["cost"])
        assert row[6] == ("yes" if o["frontier"] else "no")
        assert row[8] == o["frontier_share"]
    assert any(r[0] == "Benefit (total) against revenue, in GBP m" for r in rows)


def test_no_costs_no_value_sheet(write, tmp_path):
    import openpyxl

    from .conftest import THREE_OPTIONS

    write("two.yaml", TWO_CRITERIA)
    scores = write("plain.yaml", THREE_OPTIONS)
    out = tmp_path / "hce.xlsx"
    assert invoke("export", scores, "-o", out, "--samples", "100").exit_code == 0
    assert "Value" not in openpyxl.load_workbook(out).sheetnames


# --- after review: the status quo's cost, dear steps, ties, what was set aside ------------------

EXTENDED = """\
group: ext
name: Extended
criteria: two.yaml
scale: {min: 0, max: 10}
options:
  - {id: sq, name: SQ, status_quo: true, scores: {a: 2, b: 4}, cost: {capital: 1, unit: GBP m}}
  - {id: a, name: A, scores: {a: 4, b: 5}, cost: {capital: 1, unit: GBP m}}
  - {id: a2, name: A twin, scores: {a: 4, b: 5}, cost: {capital: 1, unit: GBP m}}
  - {id: b, name: B, scores: {a: 6, b: 4}, cost: {capital: 3, unit: GBP m}}
  - {id: d, name: D, scores: {a: 9, b: 7}, cost: {capital: 4, unit: GBP m}}
  - {id: g, name: G, status: rejected, status_reason: Not safe, scores: {a: 9, b: 9}}
"""
# Totals at 60/40: sq 2.8, a and a2 4.4, b 5.2, d 8.2. Above the status quo (cost 1):
# a 1.6 for 0 extra, b 2.4 for 2 extra (0.8333 a point), d 5.4 for 3 extra (0.5556).
# Steps: a2 -> b costs 2 for 0.8 (2.5 a point), b -> d 1 for 3.0 (0.333): b is a dear step;
# a2 straight to d costs 3 for 3.8 (0.789 a point).


@pytest.fixture
def extended(write) -> Path:
    write("two.yaml", TWO_CRITERIA)
    return write("ext.yaml", EXTENDED)


def test_above_the_status_quo_per_point_counts_the_cost_above_its_cost(extended):
    result = appraise.value(appraise.load_scores(extended), above_status_quo=True, samples=0)
    got = {o.id: o for o in result.options}
    assert result.cost_base == 1.0
    assert got["a"].cost_per_point == 0.0  # no dearer than the status quo
    assert got["b"].cost_per_point == pytest.approx(2 / 2.4)
    assert got["d"].cost_per_point == pytest.approx(3 / 5.4)
    assert got["sq"].cost_per_point is None  # no benefit over itself


def test_dear_steps_ties_and_options_set_aside_are_named(extended):
    result = appraise.value(appraise.load_scores(extended), samples=0)
    assert result.ties == (("a", "a2"),)
    assert [(s.start, s.to) for s in result.steps] == [("a2", "b"), ("b", "d")]
    assert result.extended == (("a2", "b", "d"),)
    assert result.set_aside == (("g", "G", "rejected: Not safe"),)
    record = json.loads(invoke("value", extended, "--samples", "0", "-f", "json").stdout)
    summary = " ".join(record["summary"])
    assert "A and A twin are level: the same cost and benefit." in summary
    assert (
        "B is a dear step: from A twin straight to D costs 0.79 GBP m a point, against 2.50 "
        "GBP m a point to B (and 0.33 GBP m past it)."
    ) in summary
    assert "A beats SQ: more benefit (4.40 against 2.80) for the same cost (1.00 GBP m)." in summary
    assert record["set_aside"] == [{"id": "g", "name": "G", "reason": "rejected: Not safe"}]


def test_the_weights_in_force_are_said(costed):
    data = json.loads(
        invoke("value", costed, "--weights", "flip", "--samples", "0", "-f", "json").stdout
    )
    assert data["weight_set"] == "flip"
    assert data["frontier"] == ["z", "y"]  # as worked under flip
    table = invoke("value", costed, "--weight", "a=50", "--samples", "0").stdout
    assert "Weights: weights given: a 50" in table


def test_among_several_files_one_without_costs_is_skipped_with_a_note(costed, write):
    from .conftest import THREE_OPTIONS

    plain = write("plain.yaml", THREE_OPTIONS.replace("group: demo", "group: plain"))
    result = invoke("value", costed, plain, "--samples", "0", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["group"] == "demo"  # one record: the group with costs
    assert f"no option gives a cost, so not valued: {plain}" in " ".join(result.stderr.split())
