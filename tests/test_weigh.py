"""appraise weigh: swing, points and AHP per body, pooled, written as a criteria file (issue 17).

The tree is NESTED-like: quality 50 (q1 60, q2 40) and cost 50, scored directly, so the families
are ``top`` = {quality, cost} and ``quality`` = {q1, q2}.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

import appraise
from appraise import api
from appraise.analysis.elicitation import RANDOM_INDEX, Judgement, ahp, consistency_ratio
from appraise.cli import app
from appraise.errors import Problems
from appraise.present.elicitation import family_points

from .conftest import Write

ROOT = Path(__file__).resolve().parent.parent

runner = CliRunner()

TREE = """\
title: Small tree
criteria:
  - id: quality
    name: Quality
    weight: 50
    sub:
      - {id: q1, name: Quality one, weight: 60}
      - {id: q2, name: Quality two, weight: 40}
  - {id: cost, name: Cost, weight: 50}
  - {id: ease, name: Ease, weight: 0}
"""

# Three top-level criteria so a pairwise family has a consistency ratio.
BODIES = """\
criteria: tree.yaml
bodies:
  - id: clinicians
    name: Clinicians
    swing:
      top: {quality: 100, cost: 50, ease: 50}
      quality: {q1: 100, q2: 25}
  - id: finance
    name: Finance
    points:
      top: {quality: 20, cost: 60, ease: 20}
  - id: public
    name: Public
    pairwise:
      top:
        - [quality, cost, 2]
        - [quality, ease, 4]
        - [cost, ease, 2]
"""


@pytest.fixture
def elicitation(write: Write):
    write("tree.yaml", TREE)
    return write("weigh.yaml", BODIES)


def test_swing_points_and_a_consistent_matrix_by_hand(elicitation):
    """Swing 100:50:50 -> 1/2, 1/4, 1/4; quality 100:25 -> 0.8, 0.2. Points 20:60:20.
    Pairwise q:c 2, q:e 4, c:e 2 is consistent (4 = 2 x 2): weights 4:2:1 / 7, CR 0.
    Finance and Public keep the file's quality family (60:40)."""
    result = api.weigh(elicitation)
    clinicians, finance, public = result.bodies
    assert clinicians.weights == pytest.approx(
        {"q1": 0.5 * 0.8, "q2": 0.5 * 0.2, "cost": 0.25, "ease": 0.25}
    )
    assert finance.weights == pytest.approx(
        {"q1": 0.2 * 0.6, "q2": 0.2 * 0.4, "cost": 0.6, "ease": 0.2}
    )
    assert public.weights == pytest.approx(
        {"q1": 4 / 7 * 0.6, "q2": 4 / 7 * 0.4, "cost": 2 / 7, "ease": 1 / 7}
    )
    assert public.families["top"].consistency_ratio == pytest.approx(0.0, abs=1e-9)
    assert public.families["top"].lambda_max == pytest.approx(3.0)
    assert clinicians.from_file == []
    assert finance.from_file == ["quality"]
    assert public.families["quality"].method == "file"


def test_the_bodies_pooled_by_mean_geometric_and_median_by_hand(elicitation):
    """ease: 0.25, 0.2, 1/7. Mean (0.25 + 0.2 + 1/7) / 3 (the means already sum to 1).
    Median 0.2 of each leaf's three, then rescaled by the medians' sum. Geometric: the cube
    root of the product, rescaled likewise."""
    bodies = [b.weights for b in api.weigh(elicitation).bodies]
    leaves = ["q1", "q2", "cost", "ease"]
    table = np.array([[w[leaf] for leaf in leaves] for w in bodies])
    mean = api.weigh(elicitation, combine="mean").weights
    assert mean["ease"] == pytest.approx((0.25 + 0.2 + 1 / 7) / 3)
    medians = np.median(table, axis=0)
    median = api.weigh(elicitation, combine="median").weights
    assert [median[leaf] for leaf in leaves] == pytest.approx(list(medians / medians.sum()))
    roots = np.cbrt(table.prod(axis=0))
    geometric = api.weigh(elicitation, combine="geometric").weights
    assert [geometric[leaf] for leaf in leaves] == pytest.approx(list(roots / roots.sum()))
    assert sum(geometric.values()) == pytest.approx(1.0)


PUBLISHED = {
    # Saaty's consistent matrix (each ratio the product of the others): CR 0.
    "consistent": (["a", "b", "c", "d"], {("a", "b"): 2, ("a", "c"): 4, ("a", "d"): 8,
                                          ("b", "c"): 2, ("b", "d"): 4, ("c", "d"): 2}),
    # AHPy's drinks example (inconsistent, CR about 0.015).
    "drinks": (
        ["Coffee", "Wine", "Tea", "Beer", "Soda", "Milk"],
        {("Coffee", "Wine"): 9, ("Coffee", "Tea"): 5, ("Coffee", "Beer"): 2,
         ("Coffee", "Soda"): 1, ("Coffee", "Milk"): 1, ("Wine", "Tea"): 1 / 3,
         ("Wine", "Beer"): 1 / 9, ("Wine", "Soda"): 1 / 9, ("Wine", "Milk"): 1 / 9,
         ("Tea", "Beer"): 1 / 3, ("Tea", "Soda"): 1 / 4, ("Tea", "Milk"): 1 / 3,
         ("Beer", "Soda"): 1 / 2, ("Beer", "Milk"): 1, ("Soda", "Milk"): 2},
    ),
}  # fmt: skip
AHPY_SAATY_RI = {3: 0.52, 4: 0.89, 5: 1.11, 6: 1.25}  # AHPy's table (Saaty 2005)


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_ahp_agrees_with_the_peer_on_published_matrices(name):
    """The weights and CI agree with AHPy to 1e-6. AHPy's CR uses Saaty's 2005 random index;
    ours the one CONTRACT 1.6 gives (Saaty 1980), so CR is compared through CI = CR x RI."""
    import ahpy  # a test dependency (pyproject [test]): never skipped

    members, comparisons = PUBLISHED[name]
    peer = ahpy.Compare(name, comparisons, precision=10, random_index="saaty")
    index = {m: i for i, m in enumerate(members)}
    weights, lam = ahp(
        len(members), [Judgement(a, b, v) for (a, b), v in comparisons.items()], index
    )
    assert dict(zip(members, weights, strict=True)) == pytest.approx(peer.target_weights, abs=1e-6)
    n = len(members)
    ours = consistency_ratio(n, lam) * RANDOM_INDEX[n - 1]
    assert ours == pytest.approx(peer.consistency_ratio * AHPY_SAATY_RI[n], abs=1e-6)


def test_an_inconsistent_family_names_its_worst_judgement_and_the_value_the_rest_imply(
    write: Write,
):
    """Weights 8:4:2:1 judged consistently but for c:d, given as 1/4 (the rest imply 2): the CR
    is above 0.10, c:d is named, the rest imply exactly 2 (Harker), and at 2 the CR is 0."""
    write(
        "four.yaml",
        "title: Four\ncriteria:\n"
        + "".join(f"  - {{id: {c}, name: {c.upper()}, weight: 25}}\n" for c in "abcd"),
    )
    judged = [("a", "b", "2"), ("a", "c", "4"), ("a", "d", "8"), ("b", "c", "2")]
    judged += [("b", "d", "4"), ("c", "d", "1/4")]
    path = write(
        "w.yaml",
        "criteria: four.yaml\nbodies:\n  - id: p\n    name: P\n    pairwise:\n      top:\n"
        + "".join(f"        - [{a}, {b}, {v}]\n" for a, b, v in judged),
    )
    family = api.weigh(path).bodies[0].families["top"]
    assert family.consistency_ratio > 0.10
    worst = family.inconsistency
    assert (worst.judgement.a, worst.judgement.b, worst.judgement.value) == ("c", "d", 0.25)
    assert worst.implied == pytest.approx(2.0)
    assert worst.ratio_if_implied == pytest.approx(0.0, abs=1e-9)


def test_every_problem_is_listed_at_once(write: Write):
    write("tree.yaml", TREE)
    path = write(
        "bad.yaml",
        """\
criteria: tree.yaml
bodies:
  - id: a
    name: A
    swing:
      top: {quality: 120, cost: 50}
      cost: {x: 1}
    points:
      top: {quality: 1, cost: 1, ease: 1}
  - id: a
    name: B
    pairwise:
      top:
        - [quality, cost, 12]
        - [quality, cost, 2]
        - [qualty, ease, 2]
      quality:
        - [q1, q2, 2]
""",
    )
    with pytest.raises(Problems) as caught:
        api.weigh(path)
    found = [(p.where, p.message) for p in caught.value.problems]
    assert found == [
        ("bodies[1].id", "body 'a' is given twice"),
        ("bodies[0].swing.top", "judged incompletely: no swing for ease"),
        ("bodies[0].swing.top.quality",
         "a swing runs from 0 to 100 (the most important is 100), found 120"),
        ("bodies[0].swing.cost", "criterion 'cost' has no sub-criteria, so no family to weigh"),
        ("bodies[0].points.top", "family 'top' is stated twice by body 'a' (swing and points); keep one"),
        ("bodies[1].pairwise.top[0]", "a judgement runs from 1/9 to 9, found 12"),
        ("bodies[1].pairwise.top[1]",
         "quality and cost are judged twice (first at bodies[1].pairwise.top[0])"),
        ("bodies[1].pairwise.top[2]",
         "unknown criterion 'qualty': did you mean 'quality'? (expected one of: quality, cost, ease)"),
        ("bodies[1].pairwise.top", "judged incompletely: no judgement for quality/ease, cost/ease"),
    ]  # fmt: skip


def test_points_per_family_sum_to_100_by_largest_remainder():
    """1/3 each: 33.33.. x3 floors to 33.3 x3 = 99.9; the first (earliest of equal remainders)
    takes the last 0.1."""
    assert family_points({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}) == {"a": 33.4, "b": 33.3, "c": 33.3}
    assert family_points({"a": 0.0, "b": 0.0}) == {"a": 50.0, "b": 50.0}
    points = family_points({"a": 0.4681979, "b": 0.1327686, "c": 0.1559429, "d": 0.2430906})
    assert points == {"a": 46.8, "b": 13.3, "c": 15.6, "d": 24.3}
    assert math.isclose(sum(points.values()), 100.0)


def test_the_written_criteria_file_checks_and_gives_back_the_weights(elicitation, tmp_path):
    """-o: the pooled weights in points (each family 100) and a weight set per body; `check` is
    clean, and each set gives back that body's global weights to display precision (points to
    0.1 in each family: a global weight moves by at most about 0.1 percentage point)."""
    out = tmp_path / "weighed.yaml"
    result = runner.invoke(app, ["weigh", str(elicitation), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    document = yaml.safe_load(out.read_text())
    assert set(document["weight_sets"]) == {"clinicians", "finance", "public"}
    assert sum(c["weight"] for c in document["criteria"]) == pytest.approx(100.0)
    assert "appraise weigh weigh.yaml" in document["source"]
    assert appraise.api.check([out]).problems == []
    tree = appraise.load_criteria(out)
    pooled = api.weigh(elicitation)
    leaves = list(tree.leaf_ids)
    assert list(appraise.global_weights(tree)) == pytest.approx(
        [pooled.weights[leaf] for leaf in leaves], abs=1e-3
    )
    for body in pooled.bodies:
        mine = appraise.global_weights(tree, weight_set=tree.spec.weight_sets[body.id])
        assert list(mine) == pytest.approx([body.weights[leaf] for leaf in leaves], abs=1e-3)
    again = runner.invoke(app, ["weigh", str(elicitation), "-o", str(out)])
    assert again.exit_code == 1
    assert "already exists" in " ".join(again.stderr.split())


def test_json_follows_the_contract(elicitation):
    data = json.loads(runner.invoke(app, ["weigh", str(elicitation), "-f", "json", "-q"]).stdout)
    public = data["bodies"][2]
    assert public["id"] == "public"
    assert public["families"]["top"]["method"] == "pairwise"
    assert public["families"]["top"]["local"] == pytest.approx(
        {"quality": 4 / 7, "cost": 2 / 7, "ease": 1 / 7}
    )
    assert data["bodies"][0]["families"]["top"]["consistency_ratio"] is None
    assert data["combined"]["method"] == "mean"
    assert sum(data["combined"]["weights"].values()) == pytest.approx(1.0)


def test_who_leads_under_each_body(write: Write, elicitation):
    """Scores: x is 5 on cost, 1 elsewhere; y is 5 on q1 and q2, 1 elsewhere. Finance (cost
    0.6) picks x; the clinicians (quality 0.5 vs cost 0.25) and the public (4/7 vs 2/7) pick y."""
    scores = write(
        "s.yaml",
        "group: g\nname: G\ncriteria: tree.yaml\nscale: {min: 1, max: 5}\noptions:\n"
        "  - {id: x, name: X, status_quo: true, scores: {q1: 1, q2: 1, cost: 5, ease: 1}}\n"
        "  - {id: y, name: Y, scores: {q1: 5, q2: 5, cost: 1, ease: 1}}\n",
    )
    result = api.weigh(elicitation)
    leaders = api.leaders_by_body(result, appraise.load_scores(scores))
    assert [(e["body"], e["leader"]) for e in leaders] == [
        (None, ["y"]),
        ("clinicians", ["y"]),
        ("finance", ["x"]),
        ("public", ["y"]),
    ]
    assert [e["same"] for e in leaders] == [True, True, False, True]


def test_check_reads_an_elicitation_file(elicitation, write: Write):
    assert appraise.api.check([elicitation]).problems == []
    bad = write("bad.yaml", BODIES.replace("[cost, ease, 2]", "[cost, ease, 20]"))
    problems = appraise.api.check([bad]).problems
    assert [(p.where, p.message) for p in problems] == [
        ("bodies[2].pairwise.top[2]", "a judgement runs from 1/9 to 9, found 20")
    ]


def test_a_weighting_workbook_round_trips_the_judgements(tmp_path):
    """The bundled judgements written as a workbook (a sheet per body; a pairwise judgement
    above the grid's diagonal, however the file ordered its pair) weigh exactly the same."""
    example = ROOT / "examples" / "elicitation-cp-2016.yaml"
    out = tmp_path / "workshop.xlsx"
    api.make_elicitation_workbook(out, elicitation=example)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Elicitation", "cag", "fd-forum", "healthwatch-cambs",
                               "healthwatch-pboro"]  # fmt: skip
    again, first = api.weigh(out), api.weigh(example)
    assert again.weights == pytest.approx(first.weights, abs=1e-12)
    for mine, theirs in zip(again.bodies, first.bodies, strict=True):
        assert mine.weights == pytest.approx(theirs.weights, abs=1e-12)
        assert [f.method for f in mine.families.values()] == [
            f.method for f in theirs.families.values()
        ]
    assert appraise.api.check([out]).files == [{"file": str(out), "kind": "elicitation"}]


def test_a_blank_weighting_workbook_keeps_the_file_weights_and_names_cells(tmp_path):
    """Each family starts as 'file' (the criteria file's weights). Judging the top family
    pairwise with 12 (above 9) and a pair left blank is named at the cells."""
    out = tmp_path / "blank.xlsx"
    result = runner.invoke(
        app, ["template", "cp-2016", "--elicitation", "--body", "cag", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    blank = api.weigh(out)
    tree = appraise.load_criteria("cp-2016")
    assert list(blank.weights.values()) == pytest.approx(list(appraise.global_weights(tree)))
    book = openpyxl.load_workbook(out)
    sheet = book["cag"]
    sheet["D4"] = "pairwise"
    sheet["E6"], sheet["F6"], sheet["G6"] = 2, 12, 3  # quality over affordability, ...
    sheet["F7"], sheet["G7"] = 1, 1  # affordability row; sustainability/deliverability blank
    book.save(out)
    with pytest.raises(Problems) as caught:
        api.weigh(out)
    assert [(p.where, p.message) for p in caught.value.problems] == [
        ("sheet 'cag', cell F6", "a judgement runs from 1/9 to 9, found 12"),
        ("sheet 'cag', cell D4",
         "judged incompletely: no judgement for sustainability/deliverability"),
    ]  # fmt: skip


def test_a_judgement_may_be_a_fraction_and_other_text_is_refused(write: Write):
    """[quality, cost, "1/2"] is 0.5; "1/0" is no judgement, said at its place in one line."""
    write("tree.yaml", TREE)
    good = write("good.yaml", BODIES.replace("[quality, cost, 2]", '[cost, quality, "1/2"]'))
    assert api.weigh(good).weights == pytest.approx(api.weigh(write("w.yaml", BODIES)).weights)
    bad = write("bad.yaml", BODIES.replace("[quality, cost, 2]", '[quality, cost, "1/0"]'))
    with pytest.raises(Problems) as caught:
        api.weigh(bad)
    assert [(p.where, p.message) for p in caught.value.problems] == [
        ("bodies[2].pairwise.top[0][2]", "a judgement is a number or a fraction such as 1/3, "
         "found '1/0'"),
    ]  # fmt: skip


def test_geometric_pooling_with_a_zero_everywhere_says_so(write: Write):
    """Two bodies by points on the top family: one gives quality nothing, the other cost and
    ease nothing; every criterion's geometric mean is 0, which no weights can be."""
    write("tree.yaml", TREE)
    path = write(
        "zero.yaml",
        "criteria: tree.yaml\nbodies:\n"
        "  - {id: a, name: A, points: {top: {quality: 0, cost: 1, ease: 1}}}\n"
        "  - {id: b, name: B, points: {top: {quality: 1, cost: 0, ease: 0}}}\n",
    )
    assert sum(api.weigh(path).weights.values()) == pytest.approx(1.0)  # mean: fine
    result = runner.invoke(app, ["weigh", str(path), "--combine", "geometric"])
    assert result.exit_code == 2
    said = " ".join(re.sub("[│╭╮╰╯─]", " ", result.stderr).split())
    assert "the geometric mean of the bodies' weights is 0 for every criterion" in said


def test_check_names_a_weighting_workbooks_cell_as_weigh_does(tmp_path):
    out = tmp_path / "blank.xlsx"
    api.make_elicitation_workbook(out, "cp-2016", bodies=["cag"])
    book = openpyxl.load_workbook(out)
    book["cag"]["D4"] = "swing"  # the top family by swing, with no swings given
    book.save(out)
    with pytest.raises(Problems) as caught:
        api.weigh(out)
    weighed = [(p.where, p.message) for p in caught.value.problems]
    checked = [(p.where, p.message) for p in appraise.api.check([out]).problems]
    assert checked == weighed
    assert checked[0][0] == "sheet 'cag', cell D4"


def test_a_refused_second_output_leaves_no_first_one(elicitation, tmp_path):
    """-o and --workbook are both checked before either is written."""
    taken = tmp_path / "taken.xlsx"
    taken.write_bytes(b"mine")
    out = tmp_path / "weighed.yaml"
    result = runner.invoke(
        app, ["weigh", str(elicitation), "-o", str(out), "--workbook", str(taken), "-q"]
    )
    assert result.exit_code == 1
    assert not out.exists()
    assert taken.read_bytes() == b"mine"


def test_a_worst_judgement_below_one_is_said_the_other_way_round():
    from appraise.analysis.elicitation import FamilyWeights, Inconsistency
    from appraise.present.elicitation import inconsistency_text

    worst = Inconsistency(Judgement("s", "d", 0.25), 2.0, 0.0)
    family = FamilyWeights("top", "pairwise", {}, 0.22, 4.6, worst)
    text = inconsistency_text(family, {"s": "Sustainability", "d": "Deliverability"})
    assert '"Deliverability is 4 times as important as Sustainability"' in text
    assert "which imply 1/2" in text
