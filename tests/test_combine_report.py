"""Tests for appraise/present/combine.py: what a combination's figure is, and its unit.

Two hand-worked groups on the two criteria of ``conftest.TWO_CRITERIA`` (a 0.6, b 0.4; the
weight set ``flip`` is a 0.4, b 0.6):

    left, on 1..5:   x (5, 1) = 3.4   y (2, 5) = 3.2   z (3, 3) = 3.0
    rel, on -2..2:   p (2, -2) = 0.4  q (-1, 2) = 0.2  r (0, 0) = 0.0
    high, on 1..5:   s (4, 4) = 4.0   t (1, 1) = 1.0

On 0-1 of its own scale, (total - min) / (max - min): x 2.4 / 4 = 0.6, y 0.55, z 0.5;
p 2.4 / 4 = 0.6, q 0.55, r 0.5; s 3 / 4 = 0.75, t 0.
"""

from __future__ import annotations

import pytest

from appraise.analysis.combine.run import MixedScales, combine
from appraise.analysis.scoring import rank
from appraise.io import load_scores
from appraise.present.combine import combination_rows, combine_record

from .conftest import TWO_CRITERIA, Write

LEFT = """\
group: left
name: Left group
criteria: two.yaml
scale: {min: 1, max: 5}
options:
  - {id: x, name: X, scores: {a: 5, b: 1}}
  - {id: y, name: Y, scores: {a: 2, b: 5}}
  - {id: z, name: Z, status_quo: true, scores: {a: 3, b: 3}}
"""
REL = """\
group: rel
name: Relative group
criteria: two.yaml
scale: {min: -2, max: 2}
options:
  - {id: p, name: P, scores: {a: 2, b: -2}}
  - {id: q, name: Q, scores: {a: -1, b: 2}}
  - {id: r, name: R, status_quo: true, scores: {a: 0, b: 0}}
"""
HIGH = """\
group: high
name: High group
criteria: two.yaml
scale: {min: 1, max: 5}
options:
  - {id: s, name: S, scores: {a: 4, b: 4}}
  - {id: t, name: T, status_quo: true, scores: {a: 1, b: 1}}
"""


@pytest.fixture
def rankings(write: Write):
    def ranked(*texts: str):
        write("two.yaml", TWO_CRITERIA)
        return [rank(load_scores(write(f"g{k}.yaml", t))) for k, t in enumerate(texts)]

    return ranked


def test_groups_on_different_scales_are_refused_naming_each_scale_and_the_parameter(rankings):
    mixed = rankings(LEFT, REL, HIGH)
    with pytest.raises(MixedScales) as caught:
        combine(mixed, [])
    message = str(caught.value)
    assert message.startswith(f"{mixed[1].sheet.path}: scale: the groups score on different")
    assert "(left and high on 1..5; rel on -2..2)" in message
    assert "pass rescale=True to put each group's totals on 0-1 of its own scale" in message
    assert "--rescale" not in message  # the library names its parameter, not a flag
    assert caught.value.scales == (("left", "1..5"), ("rel", "-2..2"), ("high", "1..5"))
    assert "add --rescale to put" in str(caught.value.spelled("add --rescale"))


def test_same_scale_figures_are_the_sum_of_rank_totals(rankings):
    """left + high on 1..5: best x + s = 3.4 + 4.0 = 7.4; next y + s = 7.2."""
    record = combine_record(combine(rankings(LEFT, HIGH), []))
    first, second = record["combinations"][:2]
    assert (first["total"], second["total"]) == (pytest.approx(7.4), pytest.approx(7.2))
    assert "rescaled_total" not in first
    assert record["figure"]["key"] == "total"
    assert record["figure"]["unit"] == "points on the 1..5 scale"
    explained = {e["group"]: e for e in record["explanation"]}
    assert explained["left"]["total"] == pytest.approx(3.4)
    assert explained["left"]["margin"] == pytest.approx(3.4 - 3.2)
    assert explained["high"]["total"] == pytest.approx(4.0)
    assert "rescaled_total" not in explained["left"]
    assert record["summary"][0] == (
        "The preferred configuration scores 7.40 across 2 groups (the sum of its options' "
        "totals on the 1..5 scale)."
    )
    assert combination_rows(record)[0]["total"] == 7.4


def test_rescaled_figures_are_named_and_per_group_totals_stay_as_ranked(rankings):
    """With rescale: x + p = 0.6 + 0.6 = 1.2, then x + q and y + p = 1.15 (tied)."""
    mixed = rankings(LEFT, REL)
    record = combine_record(combine(mixed, [], rescale=True))
    first = record["combinations"][0]
    assert first["choice"] == {"left": "x", "rel": "p"}
    assert first["rescaled_total"] == pytest.approx(1.2)
    assert "total" not in first
    assert [c["rank"] for c in record["combinations"][:3]] == [1, 2, 2]
    assert record["figure"]["key"] == "rescaled_total"
    assert record["figure"]["unit"] == "0-1 per group"
    assert "(total - scale min) / (scale max - scale min)" in record["figure"]["method"]
    assert record["scales"] == {"left": {"min": 1, "max": 5}, "rel": {"min": -2, "max": 2}}
    explained = {e["group"]: e for e in record["explanation"]}
    # Each group's own figures are rank's totals and margins, on its own scale.
    assert explained["left"]["total"] == pytest.approx(mixed[0].options[0].total)
    assert explained["left"]["total"] == pytest.approx(3.4)
    assert explained["rel"]["total"] == pytest.approx(0.4)
    assert explained["rel"]["margin"] == pytest.approx(0.4 - 0.2)
    assert explained["rel"]["scale"] == "-2..2"
    assert explained["rel"]["rescaled_total"] == pytest.approx(0.6)
    assert record["summary"][0].startswith(
        "The preferred configuration has a rescaled total of 1.20 of a possible 2 across 2 "
        "groups: each group's total is put on 0-1 of its own scale (left on 1..5; rel on -2..2; "
    )
    assert combination_rows(record)[0]["rescaled_total"] == 1.2
    assert any("rescaled total (0-1 per group)" in note for note in record["notes"])


def test_weight_set_bests_are_in_the_same_unit(rankings):
    """Under flip (a 0.4, b 0.6): y (2, 5) = 3.8 -> 0.7 and q (-1, 2) = 0.8 -> 0.7: 1.4."""
    record = combine_record(combine(rankings(LEFT, REL), [], rescale=True))
    (flip,) = record["weight_sets"]
    assert flip["choice"] == {"left": "y", "rel": "q"}
    assert flip["rescaled_total"] == pytest.approx(1.4)
    assert "total" not in flip


def test_rescale_on_one_scale_is_honoured_and_named(rankings):
    """Asked for, rescaling applies even on one scale: x 0.6 + s 0.75 = 1.35."""
    record = combine_record(combine(rankings(LEFT, HIGH), [], rescale=True))
    assert record["combinations"][0]["rescaled_total"] == pytest.approx(1.35)
    assert record["figure"]["key"] == "rescaled_total"


def test_group_weights_are_stated_with_the_figure(rankings):
    """high x2: x + 2 s = 3.4 + 8.0 = 11.4. Not the sum of rank's totals (3.4 + 4.0 = 7.4), so
    it is not called a total: ``weighted_total``, in JSON, the sentence and every table."""
    record = combine_record(combine(rankings(LEFT, HIGH), [], group_weights={"high": 2}))
    best = record["combinations"][0]
    assert "total" not in best
    assert best["weighted_total"] == pytest.approx(11.4)
    assert {k: record["figure"][k] for k in ("key", "label", "rescaled", "weighted")} == {
        "key": "weighted_total",
        "label": "weighted total",
        "rescaled": False,
        "weighted": True,
    }
    assert record["figure"]["method"].endswith(
        "; each group's figure first multiplied by its group weight (high 2)"
    )
    assert record["summary"][0] == (
        "The preferred configuration has a weighted total of 11.40 across 2 groups (its options' "
        "totals on the 1..5 scale, each multiplied by its group's weight, then added), with "
        "group weights high x2."
    )
    assert list(combination_rows(record)[0])[:2] == ["rank", "weighted_total"]
