"""SMAA-2 against answers known in closed form, by dominance, symmetry or hand counting."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from appraise import io, load_criteria, load_scores, rank
from appraise.analysis.scoring import Ranking
from appraise.analysis.smaa import smaa
from appraise.analysis.smaa_draws import sample_weights
from appraise.errors import AppraiseError, ParameterError
from appraise.model import Settings
from appraise.weights import global_weights
from tests.conftest import NESTED, TWO_CRITERIA, Write

DISTRIBUTIONS = ["uniform", "family", "dirichlet"]

# Three top-level criteria, 3 + 2 + 1 leaves: under `family` each criterion's share has mean
# 1/3 and a leaf's is 1/3 divided by the size of its family; under `uniform` every leaf's is 1/6.
THREE_FAMILIES = """\
title: Three families
criteria:
  - id: quality
    name: Quality
    weight: 40
    sub:
      - {id: q1, name: Q one, weight: 50}
      - {id: q2, name: Q two, weight: 30}
      - {id: q3, name: Q three, weight: 20}
  - id: access
    name: Access
    weight: 35
    sub:
      - {id: a1, name: A one, weight: 50}
      - {id: a2, name: A two, weight: 50}
  - {id: cost, name: Cost, weight: 25}
"""


def consensus(options: Mapping[str, Mapping[str, float | None]], criteria: str = "two.yaml") -> str:
    """A scores file on the 1..5 scale with consensus scores."""
    lines = [f"group: demo\nname: Demo\ncriteria: {criteria}\nscale: {{min: 1, max: 5}}\noptions:"]
    for option, scores in options.items():
        cells = ", ".join(f"{k}: {'null' if v is None else v}" for k, v in scores.items())
        lines.append(f"  - {{id: {option}, name: Option {option}, scores: {{{cells}}}}}")
    return "\n".join(lines) + "\n"


def panel(options: Mapping[str, Mapping[str, Mapping[str, float]]]) -> str:
    """A scores file on the 1..5 scale with scores per scorer, against two.yaml."""
    lines = ["group: demo\nname: Demo\ncriteria: two.yaml\nscale: {min: 1, max: 5}\noptions:"]
    for option, scorers in options.items():
        lines.append(f"  - id: {option}\n    name: Option {option}\n    scorers:")
        for scorer, scores in scorers.items():
            cells = ", ".join(f"{k}: {v}" for k, v in scores.items())
            lines.append(f"      {scorer}: {{{cells}}}")
    return "\n".join(lines) + "\n"


def ranking_of(write: Write, scores: str, criteria: str = TWO_CRITERIA, **chosen: str) -> Ranking:
    """Rank a scores file through the public path: YAML -> load_scores -> rank."""
    write("two.yaml", criteria)
    choice = Settings(**chosen)  # type: ignore[arg-type]
    return rank(io.load_scores(write("scores.yaml", scores), choice), choice)


def within(estimate: float, expected: float, samples: int, sd: float | None = None) -> bool:
    """Within four standard errors of ``expected`` (binomial unless ``sd`` is given)."""
    sd = math.sqrt(expected * (1 - expected)) if sd is None else sd
    return abs(estimate - expected) < 4 * sd / math.sqrt(samples)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_a_dominating_option_is_first_in_every_sample(write: Write, distribution: str) -> None:
    """A >= every other option on every leaf, > on one: no weights can put another first."""
    scores = consensus(
        {
            "b": {"q1": 5, "q2": 4, "cost": 3},
            "a": {"q1": 5, "q2": 5, "cost": 3},
            "c": {"q1": 1, "q2": 5, "cost": 2},
        }
    )
    result = smaa(ranking_of(write, scores, NESTED), 20_000, distribution=distribution)  # type: ignore[arg-type]
    assert result.option_ids == ("a", "b", "c")
    assert result.leaf_ids == ("q1", "q2", "cost")
    assert result.p_first().tolist() == [1.0, 0.0, 0.0]
    assert result.confidence[0] == 1.0
    assert np.isnan(result.confidence[1:]).all()
    assert np.isnan(result.central_weights[1:]).all()
    assert result.pairwise[0, 1] == 1.0
    assert result.pairwise[0, 2] == 1.0


def test_mirror_image_options_split_first_place(write: Write) -> None:
    """(5, 1) and (1, 5) under uniform weights: each is first when its criterion weighs more."""
    ranking = ranking_of(write, consensus({"x": {"a": 5, "b": 1}, "y": {"a": 1, "b": 5}}))
    samples = 200_000
    result = smaa(ranking, samples)
    assert within(result.p_first()[0], 0.5, samples)
    assert abs(result.pairwise[0, 1] + result.pairwise[1, 0] - 1) < 1e-12
    assert result.pairwise[0, 0] == result.pairwise[1, 1] == 0


def test_closed_form_two_options_two_criteria(write: Write) -> None:
    """A = (4, 2), B = (2, 3): A leads iff 4w + 2(1 - w) > 2w + 3(1 - w), i.e. w > 1/3.

    With w ~ U(0, 1): P(A first) = 2/3; A's central weight on `a` is E[w | w > 1/3] = 2/3
    (sd (2/3)/sqrt(12)), B's is E[w | w < 1/3] = 1/6 (sd (1/3)/sqrt(12)).
    """
    ranking = ranking_of(write, consensus({"b": {"a": 2, "b": 3}, "a": {"a": 4, "b": 2}}))
    samples = 200_000
    result = smaa(ranking, samples)
    assert result.option_ids == ("a", "b")
    p_a = result.p_first()[0]
    assert within(p_a, 2 / 3, samples)
    central = result.central_weights
    assert within(central[0, 0], 2 / 3, round(samples * p_a), (2 / 3) / math.sqrt(12))
    assert within(central[1, 0], 1 / 6, round(samples * (1 - p_a)), (1 / 3) / math.sqrt(12))
    np.testing.assert_allclose(central.sum(axis=1), 1.0, atol=1e-12)
    # With scores fixed, each option is first at its own central weights.
    assert result.confidence.tolist() == [1.0, 1.0]
    np.testing.assert_allclose(result.rank_acceptability[:, 1], [1 - p_a, p_a], atol=1e-15)


def test_sums_seeds_and_progress(demo: Path) -> None:
    """Rows and columns of the acceptability matrix sum to 1; a seed repeats; progress counts up."""
    ranking = rank(load_scores(demo))
    seen: list[int] = []
    result = smaa(ranking, 10_000, seed=7, chunk=3_000, progress=seen.append)
    assert seen == [3_000, 6_000, 9_000, 10_000]
    acceptability = result.rank_acceptability
    np.testing.assert_allclose(acceptability.sum(axis=0), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(acceptability.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.p_top(3), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(result.p_top(1), result.p_first())
    again = smaa(ranking, 10_000, seed=7, chunk=3_000)
    for name in ("rank_acceptability", "central_weights", "confidence", "pairwise"):
        np.testing.assert_array_equal(getattr(again, name), getattr(result, name))
    other = smaa(ranking, 10_000, seed=8, chunk=3_000)
    assert not np.array_equal(other.rank_acceptability, result.rank_acceptability)
    assert (result.samples, result.seed, result.distribution) == (10_000, 7, "uniform")
    assert result.concentration is None


def test_huge_concentration_reproduces_the_base_ranking(demo: Path) -> None:
    """Dirichlet(1e7 w) stays within ~1e-4 of w = (0.6, 0.4); totals 3.4, 3.2, 3.0 keep order.

    x beats y iff 7w > 4 (w > 0.571), so the base order holds in every draw.
    """
    result = smaa(rank(load_scores(demo)), 5_000, distribution="dirichlet", concentration=1e7)
    assert result.option_ids == ("x", "y", "z")
    np.testing.assert_array_equal(result.rank_acceptability, np.eye(3))
    np.testing.assert_allclose(result.central_weights[0], [0.6, 0.4], atol=1e-3)
    assert result.concentration == 1e7


def test_a_leaf_weighted_zero_stays_at_zero_under_dirichlet(write: Write) -> None:
    """Base weights (1, 0): Dirichlet(c w) puts all weight on `a`, where x = 5 leads y = 2."""
    criteria = TWO_CRITERIA.replace("weight: 60", "weight: 100").replace("weight: 40", "weight: 0")
    scores = consensus({"x": {"a": 5, "b": 1}, "y": {"a": 2, "b": 5}})
    result = smaa(ranking_of(write, scores, criteria), 2_000, distribution="dirichlet")
    assert result.p_first().tolist() == [1.0, 0.0]
    assert result.central_weights[0].tolist() == [1.0, 0.0]


def test_an_indicative_round_samples_top_level_weights(write: Write) -> None:
    """Scored on the top level of a nested tree, as (quality, cost): (4, 2) against (2, 3).

    `family` is then uniform over the two criteria, so P(first) = 2/3 as in the closed form.
    """
    scores = consensus({"a": {"quality": 4, "cost": 2}, "b": {"quality": 2, "cost": 3}})
    samples = 100_000
    result = smaa(ranking_of(write, scores, NESTED), samples, distribution="family")
    assert result.leaf_ids == ("quality", "cost")
    assert within(result.p_first()[0], 2 / 3, samples)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_identical_options_share_every_draw_exactly_equally(write: Write, seed: int) -> None:
    """p, q and s are identical, so they tie (as ``rank`` ties them) in every draw; r is below
    all three whatever the weights. Shared equally, each of p, q, s takes exactly 1/3 of ranks
    1 to 3 and r all of rank 4, for any seed; each beats the others half the time and r always;
    the three central weights are the same vector."""
    scores = consensus(
        {
            "p": {"a": 4, "b": 2},
            "q": {"a": 4, "b": 2},
            "r": {"a": 1, "b": 1},
            "s": {"a": 4, "b": 2},
        },
    )
    ranking = ranking_of(write, scores)
    assert [o.rank for o in ranking.options] == [1, 1, 1, 4]
    result = smaa(ranking, 10_000, seed=seed)
    assert result.option_ids == ("p", "q", "s", "r")
    third = [1 / 3, 1 / 3, 1 / 3, 0.0]
    assert result.rank_acceptability.tolist() == [third, third, third, [0.0, 0.0, 0.0, 1.0]]
    assert result.p_first().tolist() == [1 / 3, 1 / 3, 1 / 3, 0.0]
    assert result.pairwise.tolist() == [
        [0.0, 0.5, 0.5, 1.0],
        [0.5, 0.0, 0.5, 1.0],
        [0.5, 0.5, 0.0, 1.0],
        [0.0, 0.0, 0.0, 0.0],
    ]
    central = result.central_weights
    assert central[0].tolist() == central[1].tolist() == central[2].tolist()
    assert np.isnan(central[3]).all()
    # Every draw is first for the three together, so their central weights are the mean draw.
    np.testing.assert_allclose(central[0], [0.5, 0.5], atol=4 * 0.29 / math.sqrt(10_000))
    assert result.confidence[:3].tolist() == [1 / 3, 1 / 3, 1 / 3]  # fixed scores: 1/k


def test_options_tied_in_some_draws_share_those_draws(write: Write) -> None:
    """x = (5, 1) and y = (1, 5); z = (3, 3) totals 3 whatever the weights, and so does its twin
    z2. With w_a uniform on 0..1 (two criteria), x = 1 + 4 w_a and y = 5 - 4 w_a: one of them
    is above 3 and the other below, except at w_a = 1/2 (never drawn exactly). So z and z2 tie
    for ranks 2 and 3 in every draw and take 1/2 of each; x and y share ranks 1 and 4."""
    scores = consensus(
        {
            "x": {"a": 5, "b": 1},
            "y": {"a": 1, "b": 5},
            "z": {"a": 3, "b": 3},
            "z2": {"a": 3, "b": 3},
        },
    )
    samples = 20_000
    result = smaa(ranking_of(write, scores), samples)
    by_id = dict(zip(result.option_ids, result.rank_acceptability.tolist(), strict=True))
    assert by_id["z"] == by_id["z2"] == [0.0, 0.5, 0.5, 0.0]
    assert by_id["x"][1:3] == by_id["y"][1:3] == [0.0, 0.0]
    assert within(by_id["x"][0], 0.5, samples)
    assert by_id["x"][0] + by_id["y"][0] == 1.0
    np.testing.assert_allclose(result.rank_acceptability.sum(axis=0), 1.0, rtol=0, atol=1e-12)


def test_many_options_count_tied_ranks_the_same_way(write: Write, monkeypatch) -> None:
    """Past 128 options tied rank counts are kept per key rather than in one dense array; the
    acceptability is the same, exactly (here the dense limit is lowered to force that path)."""
    from appraise.analysis import smaa as smaa_module

    scores = consensus(
        {
            "x": {"a": 5, "b": 1},
            "y": {"a": 1, "b": 5},
            "z": {"a": 3, "b": 3},
            "z2": {"a": 3, "b": 3},
            "w": {"a": 4, "b": 2},
        },
    )
    ranking = ranking_of(write, scores)
    dense = smaa(ranking, 3_000, chunk=1_000)
    monkeypatch.setattr(smaa_module, "DENSE_RANK_KEYS", 0)
    sparse = smaa(ranking, 3_000, chunk=1_000)
    assert sparse.rank_acceptability.tolist() == dense.rank_acceptability.tolist()
    assert sparse.pairwise.tolist() == dense.pairwise.tolist()


def test_draws_tie_by_the_rule_rank_uses(write: Write) -> None:
    """p = (3, 3), q 0.8e-9 above it on both criteria and s 0.8e-9 above q: each total is within
    1e-9 of the next, so ``rank`` ties all three (1, 1, 1) whatever the weights, and so must
    every draw: 1/3 each of ranks 1 to 3, never decided by a rounding grid."""
    scores = consensus(
        {
            "p": {"a": 3, "b": 3},
            "q": {"a": 3.0000000008, "b": 3.0000000008},
            "s": {"a": 3.0000000016, "b": 3.0000000016},
        },
    )
    ranking = ranking_of(write, scores)
    assert [o.rank for o in ranking.options] == [1, 1, 1]
    result = smaa(ranking, 2_000)
    assert result.rank_acceptability.tolist() == [[1 / 3] * 3] * 3
    assert (result.pairwise + np.eye(3) * 0.5 == 0.5).all()


def test_confidence_shares_a_tie_for_first_under_score_noise(write: Write) -> None:
    """p and q are scored alike by every scorer, so every resampled panel gives them the same
    totals: at their (common) central weights they tie for first in every score draw, and each
    has confidence exactly 1/2, as they share first place in the weight draws."""
    scores = panel(
        {
            "p": {"s1": {"a": 4, "b": 2}, "s2": {"a": 5, "b": 3}},
            "q": {"s1": {"a": 4, "b": 2}, "s2": {"a": 5, "b": 3}},
            "r": {"s1": {"a": 1, "b": 1}, "s2": {"a": 1, "b": 2}},
        }
    )
    result = smaa(ranking_of(write, scores), 2_000, score_noise="scorers")
    assert result.option_ids[:2] == ("p", "q")
    assert result.p_first().tolist() == [0.5, 0.5, 0.0]
    assert result.confidence[:2].tolist() == [0.5, 0.5]


def test_a_left_out_cell_renormalises_that_options_weights(write: Write) -> None:
    """x = (5, -) under --missing renormalise totals 5 whatever the weights; y = (4, 4) totals 4."""
    scores = consensus({"y": {"a": 4, "b": 4}, "x": {"a": 5, "b": None}})
    result = smaa(ranking_of(write, scores, missing="renormalise"), 5_000)
    assert result.option_ids == ("x", "y")
    assert result.p_first().tolist() == [1.0, 0.0]


def test_only_ranked_options_take_part(write: Write) -> None:
    """An option excluded for a missing score is not sampled."""
    scores = consensus({"y": {"a": 4, "b": 4}, "x": {"a": 5, "b": None}})
    result = smaa(ranking_of(write, scores, missing="exclude"), 1_000)
    assert result.option_ids == ("y",)
    assert result.rank_acceptability.tolist() == [[1.0]]
    assert result.pairwise.tolist() == [[0.0]]


def test_family_draws_are_uniform_per_family(write: Write) -> None:
    """Family: each criterion's share has mean 1/3, each leaf 1/3 over its family's size."""
    tree = load_criteria(write("three.yaml", THREE_FAMILIES))
    base = global_weights(tree)
    n = 100_000
    rng = np.random.default_rng(3)
    drawn = sample_weights(tree, "leaves", base, "family", 100.0, n, rng)
    assert drawn.shape == (n, 6)
    assert (drawn >= 0).all()
    np.testing.assert_allclose(drawn.sum(axis=1), 1.0, atol=1e-12)
    shares = np.column_stack([drawn[:, :3].sum(axis=1), drawn[:, 3:5].sum(axis=1), drawn[:, 5]])
    # A criterion's share is Beta(1, 2) on the 3-part simplex: variance 2 / (9 x 4) = 1 / 18.
    for mean in shares.mean(axis=0):
        assert within(mean, 1 / 3, n, math.sqrt(1 / 18))
    expected = [1 / 9] * 3 + [1 / 6] * 2 + [1 / 3]
    np.testing.assert_allclose(drawn.mean(axis=0), expected, atol=0.005)
    uniform = sample_weights(tree, "leaves", base, "uniform", 100.0, n, rng)
    np.testing.assert_allclose(uniform.mean(axis=0), 1 / 6, atol=0.005)
    centred = sample_weights(tree, "leaves", base, "dirichlet", 50.0, n, rng)
    np.testing.assert_allclose(centred.mean(axis=0), base, atol=0.005)
    tops = sample_weights(tree, "criteria", global_weights(tree, "criteria"), "family", 1.0, n, rng)
    assert tops.shape == (n, 3)
    np.testing.assert_allclose(tops.mean(axis=0), 1 / 3, atol=0.005)


def test_range_noise_keeps_an_option_whose_range_is_wholly_above(write: Write) -> None:
    """Low scores 4..5 against high scores 1..3 on both criteria: the first stays first."""
    scores = panel(
        {
            "low": {"s1": {"a": 1, "b": 3}, "s2": {"a": 3, "b": 1}},
            "high": {"s1": {"a": 4, "b": 5}, "s2": {"a": 5, "b": 4}},
        }
    )
    result = smaa(ranking_of(write, scores), 20_000, score_noise="range")
    assert result.option_ids == ("high", "low")
    assert result.p_first().tolist() == [1.0, 0.0]
    assert result.confidence[0] == 1.0
    assert result.score_noise == "range"


# Scorers s1 and s2 say x = 4, y = 3 on both criteria; s3 says x = 1, y = 5. A bootstrap panel
# holds s3 m times out of 3 (m ~ Binomial(3, 1/3)); weights do not matter (equal scores).
#   mean:   x first iff 4(3 - m) + m > 3(3 - m) + 5m iff m = 0: P = (2/3)^3 = 8/27
#   median: x first iff m <= 1: P = 8/27 + 3 (1/3)(2/3)^2 = 20/27
ONE_DIFFERENT = {
    "x": {"s1": {"a": 4, "b": 4}, "s2": {"a": 4, "b": 4}, "s3": {"a": 1, "b": 1}},
    "y": {"s1": {"a": 3, "b": 3}, "s2": {"a": 3, "b": 3}, "s3": {"a": 5, "b": 5}},
}


@pytest.mark.parametrize(("method", "expected"), [("mean", 8 / 27), ("median", 20 / 27)])
def test_scorer_bootstrap_on_a_panel_with_one_dissenter(
    write: Write, method: str, expected: float
) -> None:
    ranking = ranking_of(write, panel(ONE_DIFFERENT), aggregate=method)
    samples = 50_000
    result = smaa(ranking, samples, score_noise="scorers")
    p_x = result.p_first()[result.option_ids.index("x")]
    assert 0 < p_x < 1
    assert within(p_x, expected, samples)
    # Confidence draws panels the same way: the weights cannot change the order.
    index = result.option_ids.index("x")
    assert within(result.confidence[index], expected, samples)


def test_scorer_noise_needs_scores_per_scorer(demo: Path) -> None:
    with pytest.raises(ParameterError, match=r"^score_noise: 'scorers' needs scores per scorer"):
        smaa(rank(load_scores(demo)), 100, score_noise="scorers")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"samples": 0}, "samples: must be between 1 and 10,000,000, got 0"),
        ({"samples": 10_000_001}, "samples: must be between 1 and 10,000,000, got 10,000,001"),
        ({"chunk": 0}, "chunk: must be at least 1, got 0"),
        ({"concentration": 0.0}, "concentration: must be a positive number, got 0"),
        ({"concentration": math.nan}, "concentration: must be a positive number, got nan"),
        ({"seed": -1}, "seed: must be 0 or more, got -1"),
        ({"distribution": "normal"}, "distribution: must be one of uniform, family, dirichlet"),
    ],
)
def test_arguments_are_checked(demo: Path, arguments: dict[str, object], message: str) -> None:
    """The library names its own parameters (issue 15); the command line maps them to flags."""
    with pytest.raises(AppraiseError) as caught:
        smaa(rank(load_scores(demo)), **arguments)  # type: ignore[arg-type]
    assert str(caught.value) == message
    assert "\n" not in str(caught.value)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    table=st.integers(2, 4).flatmap(
        lambda n: st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=n, max_size=n)
    ),
    distribution=st.sampled_from(DISTRIBUTIONS),
    seed=st.integers(0, 2**32),
)
def test_acceptability_is_a_doubly_stochastic_matrix(
    write: Write, table: list[tuple[int, int]], distribution: str, seed: int
) -> None:
    """Integer scores make many exact ties; shared equally, each rank is still given out once."""
    scores = consensus({f"o{i}": {"a": a, "b": b} for i, (a, b) in enumerate(table)})
    result = smaa(ranking_of(write, scores), 500, seed=seed, distribution=distribution)  # type: ignore[arg-type]
    acceptability = result.rank_acceptability
    np.testing.assert_allclose(acceptability.sum(axis=0), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(acceptability.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    # A tie is half a win each way, so every pair's two shares add to 1.
    pairs = result.pairwise + result.pairwise.T
    np.testing.assert_allclose(pairs[~np.eye(len(pairs), dtype=bool)], 1.0, rtol=0, atol=1e-12)
    assert (np.diag(result.pairwise) == 0).all()


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n: st.lists(
            st.lists(st.integers(0, 3), min_size=n, max_size=n), min_size=1, max_size=40
        )
    ),
    st.booleans(),
)
def test_the_tally_agrees_with_ranking_each_draw_by_brute_force(draws, dense: bool) -> None:
    """The vectorised count against a plain loop over draws, each ranked by
    ``competition_ranks``: a block of k tied options over ranks r..r+k-1 gives each 1/k of
    each; a tie for first gives each 1/k of the draw's weights; a tie is half a win."""
    from appraise.analysis import smaa as smaa_module
    from appraise.kernel import competition_ranks

    totals = np.array(draws, dtype=float) * 0.5e-9 + 3.0  # steps of 0.5e-9: chains of ties
    n = totals.shape[1]
    weights = np.random.default_rng(len(draws)).random((len(draws), 2))
    tally = smaa_module._Tally(n, 2)
    if not dense:
        tally.ranks = np.zeros(n * n, np.int64)  # as past DENSE_RANK_KEYS: tied counts by key
    tally.add(totals, weights)
    ranks = np.zeros((n, n))
    first = np.zeros((n, 2))
    wins = np.zeros((n, n))
    for row, w in zip(totals, weights, strict=True):
        place = competition_ranks(row) - 1
        for i in range(n):
            k = int((place == place[i]).sum())
            ranks[i, place[i] : place[i] + k] += 1 / k
            first[i] += w / k if place[i] == 0 else 0.0
            for j in range(n):
                if j != i:
                    wins[i, j] += 1.0 if place[i] < place[j] else 0.5 if place[i] == place[j] else 0

    samples = len(draws)
    np.testing.assert_allclose(tally.acceptability(samples), ranks / samples, rtol=0, atol=1e-12)
    np.testing.assert_allclose(tally.pairwise(samples), wins / samples, rtol=0, atol=1e-12)
    np.testing.assert_allclose(tally.first_weights, first, rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    shape=st.tuples(st.integers(2, 6), st.integers(2, 25), st.integers(1, 14)),
    low=st.sampled_from([1.0, -5.0, 0.0, 1e6]),
    whole=st.booleans(),
    twins=st.sampled_from([None, 0.0, 0.5e-9, 1e-9, 1.5e-9]),
    seed=st.integers(0, 2**32),
)
def test_confidence_settled_from_each_scorers_totals_is_the_same_bits(
    shape: tuple[int, int, int], low: float, whole: bool, twins: float | None, seed: int
) -> None:
    """The confidence pass settles most draws from the scorers' own totals (``_Settle``) and
    weighs the rest exactly: every share, so every confidence factor, is the same bits as
    weighing every draw's mean matrix, with exact ties (twin options, whole scores), negative
    and large scores, and options a tie tolerance or so apart."""
    from appraise.analysis import smaa as smaa_module
    from appraise.analysis.smaa_draws import Draws

    panel_size, options, leaves = shape
    rng = np.random.default_rng(seed)
    raw = rng.uniform(low, low + 4 * max(1.0, abs(low)), (panel_size, options, leaves))
    if whole:
        raw = raw.round()
    if twins is not None:  # every other option the first's scores, or that plus about 1e-9
        raw[:, 1::2] = raw[:, :1] + twins * rng.integers(-1, 2, (1, len(raw[0, 1::2]), 1))
    central = np.full((options, leaves), np.nan)
    firsts = np.sort(rng.choice(options, int(rng.integers(1, options + 1)), replace=False))
    central[firsts] = rng.dirichlet(np.ones(leaves), size=len(firsts))
    draws = Draws(raw.mean(axis=0), None, "scorers", "mean", raw=raw)
    settled = smaa_module._confidence(draws, central, 2_500, 1_000, seed)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(smaa_module._Settle, "of", classmethod(lambda cls, *args: None))
        exact = smaa_module._confidence(draws, central, 2_500, 1_000, seed)
    assert settled.tobytes() == exact.tobytes()


@pytest.mark.parametrize("noise", ["none", "scorers"])
def test_threads_change_no_figure_to_the_last_bit(monkeypatch, noise: str) -> None:
    """Chunks are counted on every core and added in chunk order: one thread or four, with
    ties among the draws (integer scores) and score noise, every array is the same bits."""
    sheet = load_scores(Path(__file__).resolve().parent.parent / "options" / "urgent-care.yaml")
    ranking = rank(sheet)
    results = []
    for threads in (1, 4):
        monkeypatch.setattr("appraise.analysis.parallel.workers", lambda t=threads: t)
        results.append(smaa(ranking, samples=23_456, seed=11, chunk=1_000, score_noise=noise))
    one, many = results
    for name in ("rank_acceptability", "central_weights", "confidence", "pairwise"):
        assert getattr(one, name).tobytes() == getattr(many, name).tobytes(), name


def test_pairwise_wins_are_counted_among_todays_first_fifty(write: Write) -> None:
    """Sixty options: pairwise wins among the first fifty of today's ranking, said as such."""
    from appraise.analysis.smaa import PAIRWISE_OPTIONS

    write("two.yaml", TWO_CRITERIA)
    options = "".join(
        f"  - {{id: o{i}, name: Option {i}, scores: {{a: {1 + (i % 5)}, b: {1 + (i * 3) % 5}}}}}\n"
        for i in range(60)
    )
    path = write(
        "many.yaml",
        f"group: g\nname: G\ncriteria: two.yaml\nscale: {{min: 1, max: 5}}\noptions:\n{options}",
    )
    result = smaa(rank(load_scores(path)), samples=2_000, seed=1)
    assert PAIRWISE_OPTIONS == 50
    assert result.pairwise.shape == (50, 50)
    assert result.pairwise_ids == result.option_ids[:50]
    pairs = result.pairwise + result.pairwise.T
    assert np.allclose(pairs[~np.eye(50, dtype=bool)], 1.0)
