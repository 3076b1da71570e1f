"""Tests for appraise/weights.py: global weights, weight sets, display rounding, printed checks."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from appraise.io import load_criteria
from appraise.weights import (
    display_percentages,
    exact_global_percent,
    global_weights,
    membership,
    printed_discrepancies,
    round_half_up,
)

from .conftest import NESTED

# The C&P 2016 table as printed: column A per criterion, column B per sub-criterion.
PRINTED_A = {"quality": 30.0, "affordability": 25.0, "sustainability": 22.4, "deliverability": 22.6}
PRINTED_B = {
    "best_practice": 19.1,
    "safety": 26.2,
    "experience": 18.7,
    "inequalities": 21.3,
    "access": 14.7,
    "income_expenditure": 69.8,
    "transition_costs": 30.2,
    "workforce": 54.5,
    "future_demand": 45.5,
    "stakeholder_support": 38.2,
    "ease_speed": 32.2,
    "policy_alignment": 28.7,
}


def test_nested_global_weights_by_hand(write):
    """Quality 50 x (60, 40) and cost 50 give 0.3, 0.2, 0.5 (worked by hand)."""
    tree = load_criteria(write("nested.yaml", NESTED))
    assert tree.leaf_ids == ("q1", "q2", "cost")
    np.testing.assert_allclose(global_weights(tree), [0.3, 0.2, 0.5])
    np.testing.assert_allclose(global_weights(tree, "criteria"), [0.5, 0.5])
    np.testing.assert_array_equal(membership(tree, "leaves"), [[1, 0], [1, 0], [0, 1]])


def test_weight_set_rescales_each_family(write):
    """A set changing q1 to 20 leaves q2 at 40: family 60, so q1 = 0.5*20/60, q2 = 0.5*40/60."""
    tree = load_criteria(write("nested.yaml", NESTED))
    w = global_weights(tree, weight_set={"q1": 20})
    np.testing.assert_allclose(w, [0.5 / 3, 1 / 3, 0.5])
    w = global_weights(tree, weight_set={"cost": 150})  # top level 50 + 150 = 200
    np.testing.assert_allclose(w, [0.25 * 0.6, 0.25 * 0.4, 0.75])


def test_bundled_table_global_weights_match_a_times_b():
    """For the families that sum to 100, global weight = A x B / 10,000 exactly as printed."""
    tree = load_criteria("cp-2016")
    w = dict(zip(tree.leaf_ids, global_weights(tree), strict=True))
    for leaf, b in PRINTED_B.items():
        a = PRINTED_A[tree.parent(leaf)]
        if tree.parent(leaf) != "deliverability":
            assert w[leaf] == pytest.approx(a * b / 10_000, abs=1e-15)
    # Deliverability's B column sums to 99.1; rescaled, stakeholder support is 22.6 x 38.2/99.1.
    assert w["stakeholder_support"] == pytest.approx(0.226 * 38.2 / 99.1, abs=1e-15)
    assert sum(w.values()) == pytest.approx(1.0, abs=1e-15)


def test_bundled_table_discrepancies_are_the_printed_ones():
    """Worked from the printed table: 7.5 vs 22.6 x 32.2% = 7.28; 99.1 vs 100; 25.1 vs 25.0; 100.1 vs 100."""
    tree = load_criteria("cp-2016")
    found = {d.where: d for d in printed_discrepancies(tree.spec)}
    assert set(found) == {
        "criteria[3].sub[1].printed_global (ease_speed)",
        "criteria[3].printed_subtotal.weight (deliverability)",
        "criteria[1].printed_subtotal.global (affordability)",
        "printed_total.global",
    }
    assert found["criteria[3].sub[1].printed_global (ease_speed)"].computed == Fraction("7.2772")
    assert found["criteria[3].printed_subtotal.weight (deliverability)"].computed == Fraction(
        "99.1"
    )
    assert found["criteria[1].printed_subtotal.global (affordability)"].computed == Fraction("25.1")
    assert found["printed_total.global"].computed == Fraction("100.1")
    assert (
        "printed 7.5, but 22.6 x 32.2% = 7.3"
        in found["criteria[3].sub[1].printed_global (ease_speed)"].message
    )


def test_round_half_up_not_bankers():
    """17.45 -> 17.5 and 7.55 -> 7.6 as printed; Python's round() would give 17.4 on the float."""
    assert round_half_up(Fraction("17.45")) == Decimal("17.5")
    assert round_half_up(Fraction("7.55")) == Decimal("7.6")
    assert round_half_up(Fraction("0.25"), 1) == Decimal("0.3")


def test_display_percentages_fix_the_column_to_100():
    """Three thirds: 33.3 x 3 = 99.9, so the value closest to rounding up gets the extra 0.1."""
    third = Fraction(100, 3)
    assert display_percentages([third, third, third]) == [
        Decimal("33.4"),
        Decimal("33.3"),
        Decimal("33.3"),
    ]
    # 17.45 + 7.55 + 75 = 100; half-up gives 17.5 + 7.6 + 75.0 = 100.1, so one comes back down.
    shown = display_percentages([Fraction("17.45"), Fraction("7.55"), Fraction(75)])
    assert sum(shown) == Decimal("100.0")
    assert shown[2] == Decimal("75.0")


def test_display_percentages_never_hide_a_bad_total():
    """Values adding to 99.1 are rounded half-up and left alone."""
    shown = display_percentages([Fraction("38.2"), Fraction("32.2"), Fraction("28.7")])
    assert shown == [Decimal("38.2"), Decimal("32.2"), Decimal("28.7")]


def test_bundled_global_percent_column_adds_to_100():
    tree = load_criteria("cp-2016")
    exact = exact_global_percent(tree)
    shown = display_percentages([exact[leaf] for leaf in tree.leaf_ids])
    assert sum(shown) == Decimal("100.0")


@given(st.lists(st.integers(min_value=1, max_value=10_000), min_size=1, max_size=30))
def test_display_percentages_sum_to_100_and_stay_within_a_unit(parts):
    """Any split of 100 displays as a column adding to 100.0, each within 0.1 of its exact value."""
    total = sum(parts)
    values = [Fraction(100 * p, total) for p in parts]
    shown = display_percentages(values)
    assert sum(shown) == Decimal("100.0")
    for exact_value, display in zip(values, shown, strict=True):
        assert abs(Fraction(display) - exact_value) < Fraction(1, 10)


def test_percent_text_rounds_half_up_through_float_noise():
    from appraise.weights import percent_text

    # 25 x 69.8% = 17.45% exactly; as floats these carry binary noise, yet show as 17.5.
    assert percent_text(0.25 * 0.698) == "17.5"
    assert percent_text(0.1745) == "17.5"
    assert percent_text(0.1744999) == "17.4"
    assert percent_text(-0.0005, 1) == "-0.1"


def test_noisy_family_weights_are_used_as_given_and_sum_to_1(write):
    """Thirds as a script writes them, under a 50/50 top level: each leaf is 1/6 (closed form)."""
    thirds = [33.333333333333336, 33.333333333333336, 33.33333333333333]
    subs = "".join(
        f"      - {{id: s{j}, name: S {j}, weight: {w!r}}}\n" for j, w in enumerate(thirds)
    )
    path = write(
        "thirds.yaml",
        "title: Thirds\ncriteria:\n  - id: a\n    name: A\n    weight: 50\n    sub:\n"
        + subs
        + "  - {id: b, name: B, weight: 50}\n",
    )
    tree = load_criteria(path)
    w = global_weights(tree)
    assert w.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(w, [1 / 6, 1 / 6, 1 / 6, 1 / 2], rtol=1e-15)
    percent = exact_global_percent(tree)
    assert sum((percent[leaf] for leaf in tree.leaf_ids), Fraction(0)) == 100
