"""Tests for appraise/scoring.py against hand-worked totals and closed-form cases."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from appraise.analysis.scoring import rank
from appraise.errors import InputError, ParameterError
from appraise.io import load_criteria, load_scores
from appraise.kernel import aggregate, competition_ranks, weighted_sum
from appraise.model import Settings

from .conftest import NESTED, TWO_CRITERIA


def test_hand_worked_three_options(demo):
    """60/40 weights: x = 3.4, y = 3.2, z = 3.0 (see conftest), contributions by criterion."""
    ranking = rank(load_scores(demo))
    assert [(o.id, o.rank) for o in ranking.options] == [("x", 1), ("y", 2), ("z", 3)]
    assert [o.total for o in ranking.options] == pytest.approx([3.4, 3.2, 3.0], abs=1e-12)
    x = ranking.options[0]
    assert x.contributions == pytest.approx({"a": 3.0, "b": 0.4}, abs=1e-12)
    assert ranking.weights == pytest.approx({"a": 0.6, "b": 0.4})
    assert ranking.options[2].status_quo


def test_weight_set_flips_the_ranking(demo):
    """With a 40/60 set: x = 0.4*5 + 0.6*1 = 2.6, y = 0.8 + 3.0 = 3.8, z = 3.0."""
    ranking = rank(load_scores(demo), Settings(weight_set="flip"))
    assert [(o.id, o.total) for o in ranking.options] == [
        ("y", pytest.approx(3.8)),
        ("z", pytest.approx(3.0)),
        ("x", pytest.approx(2.6)),
    ]
    assert ranking.weight_set == "flip"


def test_unknown_weight_set_names_the_parameter_the_file_and_the_choices(demo):
    """A parameter error (the CLI's exit 2), not an input error; TWO_CRITERIA has one set."""
    with pytest.raises(
        ParameterError,
        match=r"^weight_set: no weight set 'nope' in .*two\.yaml; the sets are: flip$",
    ):
        rank(load_scores(demo), Settings(weight_set="nope"))


def test_ties_share_the_best_rank_and_the_next_skips():
    """CONTRACT 3: equal totals within 1e-9 share a rank; the next rank skips (1, 1, 3)."""
    values = np.array([2.0, 3.0, 3.0 - 5e-10, 1.0, 2.0])
    assert competition_ranks(values).tolist() == [3, 1, 1, 5, 3]
    assert competition_ranks(np.array([1.0, 1.0 - 2e-9])).tolist() == [1, 2]


def test_per_scorer_mean_median_and_spread(write):
    """Three scorers give a = 1, 2, 5: mean 8/3, median 2, range 1..5; deviations -5/3, -2/3, 7/3
    square to 78/9, over n - 1 = 2 gives variance 13/3."""
    write("two.yaml", TWO_CRITERIA)
    path = write(
        "panel.yaml",
        """\
        group: panel
        name: Panel
        criteria: two.yaml
        scale: {min: 1, max: 5}
        options:
          - id: p
            name: P
            status_quo: true
            scorers:
              s1: {a: 1, b: 4}
              s2: {a: 2, b: 4}
              s3: {a: 5, b: 4}
        """,
    )
    sheet = load_scores(path)
    mean = rank(sheet)
    assert mean.options[0].total == pytest.approx(0.6 * 8 / 3 + 0.4 * 4)
    median = rank(sheet, Settings(aggregate="median"))
    assert median.options[0].total == pytest.approx(0.6 * 2 + 0.4 * 4)
    spread = mean.spread
    assert spread is not None
    assert spread.n[0].tolist() == [3, 3]
    assert spread.low[0].tolist() == [1, 4]
    assert spread.high[0].tolist() == [5, 4]
    assert spread.std[0, 0] == pytest.approx(np.sqrt(13 / 3))
    assert spread.std[0, 1] == 0
    # Range 4 >= half the scale (2) on a criterion weighted 0.6 >= 1/2: flagged. b is unanimous.
    assert [(d.option, d.leaf, d.low, d.high) for d in mean.disagreements] == [("p", "a", 1.0, 5.0)]


def test_aggregate_leaves_unscored_cells_missing():
    raw = np.array([[[1.0, np.nan]], [[3.0, np.nan]]])
    combined, spread = aggregate(raw)
    assert combined[0, 0] == 2.0
    assert np.isnan(combined[0, 1])
    assert spread.n.tolist() == [[2, 0]]


def test_gate_failure_is_listed_apart_with_its_reason(write):
    write("two.yaml", TWO_CRITERIA)
    path = write(
        "gated.yaml",
        """\
        group: gated
        name: Gated
        criteria: two.yaml
        scale: {min: 1, max: 5}
        gates:
          - {id: staffing, name: Can be safely staffed}
        options:
          - {id: keep, name: Keep, status_quo: true, scores: {a: 3, b: 3}, gates: {staffing: true}}
          - id: bold
            name: Bold
            scores: {a: 5, b: 5}
            gates: {staffing: {pass: false, reason: no consultant rota}}
          - {id: mild, name: Mild, scores: {a: 2, b: 2}, gates: {staffing: true}}
        """,
    )
    ranking = rank(load_scores(path))
    assert [o.id for o in ranking.options] == ["keep", "mild"]
    (screened,) = ranking.screened_out
    assert screened.id == "bold"
    assert screened.total == pytest.approx(5.0)
    assert "Can be safely staffed" in screened.reason
    assert "no consultant rota" in screened.reason


MISSING = """\
group: gaps
name: Gaps
criteria: nested.yaml
scale: {min: 0, max: 10}
options:
  - {id: sq, name: Today, status_quo: true, scores: {q1: 2, q2: 4, cost: 6}}
  - {id: gap, name: Gap, scores: {q1: 8, q2: null, cost: 10}}
"""


@pytest.mark.parametrize(
    ("policy", "gap_total"),
    [
        # baseline: q2 takes the status quo's 4: 0.3*8 + 0.2*4 + 0.5*10 = 8.2
        ("baseline", 8.2),
        # renormalise: weights 0.3 and 0.5 rescaled to 3/8 and 5/8: 3 + 6.25 = 9.25
        ("renormalise", 9.25),
    ],
)
def test_missing_score_policies_by_hand(write, policy, gap_total):
    write("nested.yaml", NESTED)
    ranking = rank(
        load_scores(write("gaps.yaml", MISSING), Settings(missing=policy)), Settings(missing=policy)
    )
    totals_by_id = {o.id: o.total for o in ranking.options}
    assert totals_by_id["gap"] == pytest.approx(gap_total)
    assert totals_by_id["sq"] == pytest.approx(0.3 * 2 + 0.2 * 4 + 0.5 * 6)
    gap = next(o for o in ranking.options if o.id == "gap")
    assert sum(gap.contributions.values()) == pytest.approx(gap.total)
    assert any(f"missing='{policy}'" in note and "'gap'" in note for note in ranking.notes)


def test_missing_exclude_sets_the_option_aside(write):
    """full: 0.3*5 + 0.2*5 + 0.5*5 = 5.0 ranks above sq: 0.6 + 0.8 + 3 = 4.4."""
    write("nested.yaml", NESTED)
    settings_ = Settings(missing="exclude")
    text = MISSING + "  - {id: full, name: Full, scores: {q1: 5, q2: 5, cost: 5}}\n"
    ranking = rank(load_scores(write("gaps.yaml", text), settings_), settings_)
    assert [o.id for o in ranking.options] == ["full", "sq"]
    assert [(e.id, e.reason) for e in ranking.excluded] == [("gap", "no score for q2")]


# --- nothing left to rank -------------------------------------------------------------------


def test_excluding_every_option_but_the_status_quo_is_an_error_saying_why(write):
    """MISSING has one option besides the status quo, and it lacks q2: nothing is left to rank."""
    write("nested.yaml", NESTED)
    settings_ = Settings(missing="exclude")
    path = write("gaps.yaml", MISSING)
    with pytest.raises(InputError) as caught:
        rank(load_scores(path, settings_), settings_)
    assert str(caught.value) == (
        f"{path}: options: no option is left to rank: 1 set aside by missing='exclude' "
        "(missing scores); only the status quo 'sq' remains, and it is the comparator"
    )


def test_excluding_every_option_is_an_error_saying_nothing_remains(write):
    write("nested.yaml", NESTED)
    settings_ = Settings(missing="exclude")
    path = write("gaps.yaml", MISSING.replace("q1: 2, q2: 4", "q1: 2"))
    with pytest.raises(InputError, match=r"2 set aside by missing='exclude' \(missing scores\); "):
        rank(load_scores(path, settings_), settings_)
    with pytest.raises(InputError, match=r"; nothing remains$"):
        rank(load_scores(path, settings_), settings_)


REGISTER = """group: reg
name: Register
criteria: two.yaml
scale: {min: 1, max: 5}
gates: [{id: site, name: A site is available}]
options:
  - {id: sq, name: Today, status_quo: true, status: long-listed, scores: {a: 3, b: 3}}
  - {id: x, name: X, status: shortlisted, scores: {a: 5, b: 1},
     gates: {site: {pass: false, reason: no site}}}
  - {id: y, name: Y, status: rejected, status_reason: no capital, scores: {a: 2, b: 5}}
  - {id: w, name: W, status: long-listed, scores: {a: 1, b: 1}}
"""


def test_a_status_filter_that_leaves_only_the_status_quo_says_every_reason(write):
    """x fails its gate, y is rejected, w is long-listed: --status shortlisted leaves sq alone."""
    write("two.yaml", TWO_CRITERIA)
    path = write("reg.yaml", REGISTER)
    with pytest.raises(InputError) as caught:
        rank(load_scores(path), Settings(statuses=("shortlisted",)))
    assert str(caught.value) == (
        f"{path}: options: no option is left to rank: 1 failed a gate, 1 rejected in the "
        "option register, 1 left out by statuses='shortlisted'; only the status quo 'sq' "
        "remains, and it is the comparator"
    )


def test_the_status_quo_kept_by_a_status_filter_is_marked_as_kept_for_comparison(write):
    """sq is long-listed: kept under --status shortlisted as the comparator, but a match itself
    under --status long-listed."""
    write("two.yaml", TWO_CRITERIA)
    path = write("reg.yaml", REGISTER.replace("gates: {site: {pass: false, reason: no site}}", ""))
    shortlisted = rank(load_scores(path), Settings(statuses=("shortlisted",)))
    assert [(o.id, o.kept_for_comparison) for o in shortlisted.options] == [
        ("x", False),
        ("sq", True),
    ]
    long_listed = rank(load_scores(path), Settings(statuses=("long-listed",)))
    assert [(o.id, o.kept_for_comparison) for o in long_listed.options] == [
        ("sq", False),
        ("w", False),
    ]


def test_asking_for_rejected_options_is_a_parameter_error(write):
    write("two.yaml", TWO_CRITERIA)
    path = write("reg.yaml", REGISTER)
    with pytest.raises(ParameterError, match=r"^statuses: rejected options are never ranked"):
        rank(load_scores(path), Settings(statuses=("rejected",)))


def test_a_file_that_sets_nothing_aside_is_ranked_even_with_the_status_quo_alone(write):
    write("two.yaml", TWO_CRITERIA)
    path = write("alone.yaml", REGISTER.split("  - {id: x", maxsplit=1)[0])
    assert [o.id for o in rank(load_scores(path)).options] == ["sq"]


CONFLICTED = """group: panel
name: Panel
criteria: two.yaml
scale: {min: 1, max: 5}
scorers:
  ann: {interests: {x: owns the site}}
  bob: {}
options:
  - {id: sq, name: Today, status_quo: true, scorers: {ann: {a: 3, b: 3}, bob: {a: 3, b: 3}}}
  - {id: x, name: X, scorers: {ann: {a: 5, b: 1}}}
"""


def test_leaving_out_the_only_scorer_of_an_option_is_not_a_total_of_zero(write):
    """Only ann scored x, and she declared an interest in it: with her scores left out x has
    none. Under the default policy that is an error (it was ranked with a total of 0, below the
    1..5 scale); under --missing exclude x is set aside, and nothing is left to rank."""
    write("two.yaml", TWO_CRITERIA)
    path = write("panel.yaml", CONFLICTED)
    with pytest.raises(InputError) as caught:
        rank(load_scores(path), Settings(exclude_conflicted=True))
    assert str(caught.value) == (
        f"{path}: options[1]: option 'x': no score for a, b once conflicted scores are left "
        "out (exclude_conflicted=True); choose missing='exclude', baseline or renormalise"
    )
    settings_ = Settings(exclude_conflicted=True, missing="exclude")
    with pytest.raises(InputError, match=r"1 set aside by missing='exclude' \(missing scores, "):
        rank(load_scores(path, settings_), settings_)


def test_indicative_round_scores_top_level_criteria(write):
    """Scored at quality and cost only: weights 0.5/0.5 (the criteria's shares), total 0.5*4 + 0.5*2."""
    write("nested.yaml", NESTED)
    path = write(
        "indicative.yaml",
        """\
        group: ind
        name: Indicative
        criteria: nested.yaml
        round: indicative
        scale: {min: 1, max: 5}
        options:
          - {id: sq, name: Today, status_quo: true, scores: {quality: 4, cost: 2}}
        """,
    )
    sheet = load_scores(path)
    assert sheet.level == "criteria"
    ranking = rank(sheet)
    assert ranking.weights == pytest.approx({"quality": 0.5, "cost": 0.5})
    assert ranking.options[0].total == pytest.approx(3.0)


def test_bundled_closed_form_single_leaf():
    """On the C&P table, an option at the top of the scale on one leaf only scores
    min + (max - min) x that leaf's global weight; best_practice = 0.30 x 0.191 = 0.0573."""
    tree = load_criteria("cp-2016")
    from appraise.weights import global_weights

    w = global_weights(tree)
    s = np.ones((1, len(w)))
    s[0, 0] = 5
    assert weighted_sum(s, w)[0] == pytest.approx(1 + 4 * 0.0573, abs=1e-12)


# --- invariants (hypothesis) --------------------------------------------------------------

scores_matrix = st.integers(1, 6).flatmap(
    lambda n_leaves: st.tuples(
        arrays(
            np.float64, st.tuples(st.integers(1, 8), st.just(n_leaves)), elements=st.floats(-5, 5)
        ),
        arrays(np.float64, n_leaves, elements=st.floats(0.01, 10)),
    )
)


@given(scores_matrix)
@settings(max_examples=200)
def test_contributions_sum_to_total(case):
    s, raw_w = case
    w = raw_w / raw_w.sum()
    member = np.zeros((len(w), 2))
    member[: len(w) // 2, 0] = 1
    member[len(w) // 2 :, 1] = 1
    np.testing.assert_allclose(
        weighted_sum(s, w, by=member).sum(axis=1), weighted_sum(s, w), atol=1e-9
    )


@given(scores_matrix, st.randoms(use_true_random=False))
def test_permuting_options_permutes_totals(case, rnd):
    s, raw_w = case
    w = raw_w / raw_w.sum()
    perm = list(range(len(s)))
    rnd.shuffle(perm)
    np.testing.assert_allclose(weighted_sum(s[perm], w), weighted_sum(s, w)[perm], atol=1e-12)


@given(scores_matrix, st.floats(-3, 3))
def test_adding_a_constant_shifts_every_total(case, shift):
    s, raw_w = case
    w = raw_w / raw_w.sum()
    np.testing.assert_allclose(weighted_sum(s + shift, w), weighted_sum(s, w) + shift, atol=1e-9)


@given(scores_matrix, st.floats(0.1, 100))
def test_scaling_all_weights_keeps_the_ranks(case, factor):
    s, raw_w = case
    w = raw_w / raw_w.sum()
    w2 = (raw_w * factor) / (raw_w * factor).sum()
    np.testing.assert_allclose(weighted_sum(s, w2), weighted_sum(s, w), atol=1e-9)


def test_ranking_a_sheet_with_gaps_under_the_error_policy_is_an_error_not_a_silent_rescale(
    write,
):
    """MISSING loaded under --missing exclude keeps its gap; ranked under the default policy
    (error) the gap was rescaled away with a note claiming --missing renormalise."""
    write("nested.yaml", NESTED)
    path = write("gaps.yaml", MISSING)
    sheet = load_scores(path, Settings(missing="exclude"))
    with pytest.raises(InputError) as caught:
        rank(sheet)
    assert str(caught.value) == (
        f"{path}: options[1]: option 'gap': no score for q2; choose missing='exclude', "
        "baseline or renormalise"
    )


# Rows of totals on a 1e-9 lattice (offset by less than a tie), so that ties, near ties and
# chains of ties (each within 1e-9 of the next) are common.
TIE_ROWS = st.integers(1, 6).flatmap(
    lambda n: st.lists(
        st.lists(
            st.tuples(st.integers(0, 4), st.sampled_from([0.0, 0.3e-9, 0.6e-9])).map(
                lambda p: 3.0 + p[0] * 0.8e-9 + p[1]
            ),
            min_size=n,
            max_size=n,
        ),
        min_size=1,
        max_size=6,
    )
)


@settings(max_examples=200, deadline=None)
@given(TIE_ROWS)
def test_tie_blocks_and_first_shares_follow_competition_ranks(rows):
    """Row by row, the vectorised blocks are ``competition_ranks``: an item's block starts at its
    rank - 1 and holds the items sharing that rank; first place is shared by the rank-1 items."""
    from appraise.kernel import first_shares, tie_blocks

    values = np.array(rows)
    blocks = tie_blocks(values)
    shares = first_shares(values)
    tied = blocks.rows.tolist()
    for r, row in enumerate(values):
        ranks = competition_ranks(row)
        assert (r in tied) == (len(set(ranks.tolist())) < len(row))
        start = np.empty(len(row), np.int64)
        size = np.empty(len(row), np.int64)
        start[blocks.order[r]] = blocks.start[tied.index(r)] if r in tied else np.arange(len(row))
        size[blocks.order[r]] = blocks.size[tied.index(r)] if r in tied else 1
        assert (start + 1).tolist() == ranks.tolist()
        assert size.tolist() == [int((ranks == k).sum()) for k in ranks]
        firsts = ranks == 1
        assert shares[r].tolist() == np.where(firsts, 1 / firsts.sum(), 0.0).tolist()


@settings(max_examples=200, deadline=None)
@given(TIE_ROWS, st.data())
def test_first_share_of_is_first_shares_for_the_named_item(rows, data):
    """``first_share_of`` on items x draws x columns gives, per draw and column, the named item's
    entry of ``first_shares`` of that column's values (the same numbers, ties and chains alike)."""
    from appraise.kernel import first_share_of, first_shares

    values = np.array(rows)  # draws x items; each column a copy shifted by a whole number
    n_columns = data.draw(st.integers(1, 4))
    shift = np.arange(n_columns, dtype=float)
    block = values.T[:, :, None] + shift  # items x draws x columns
    item = np.array(
        data.draw(
            st.lists(st.integers(0, values.shape[1] - 1), min_size=n_columns, max_size=n_columns)
        )
    )
    shares = first_share_of(block, item)
    for column in range(n_columns):
        expected = first_shares(block[:, :, column].T)[:, item[column]]
        assert shares[:, column].tolist() == expected.tolist()


# --- issue 14, class 4: numbers at the edges (the finite guard) -----------------------------


@pytest.mark.parametrize("factor", [np.inf, -np.inf, 1e308])
def test_a_total_that_is_not_finite_is_refused_with_the_option_not_shown(demo, factor):
    """Validation keeps every number within 1e12 (model.MAX_MAGNITUDE), so this sheet is built
    past it by hand: option x's scores (5, 1) times 1e308 give 5e308, beyond the largest double
    (1.8e308), so its total overflows to inf; times +-inf they are infinite. (NaN in ``raw``
    means "not scored", the missing-score policy's business.)"""
    sheet = load_scores(demo)
    raw = sheet.raw.copy()
    with np.errstate(over="ignore", invalid="ignore"):  # the overflow is the point here
        raw[:, 0, :] *= factor  # option x (file order 0), every scorer
        with pytest.raises(InputError) as caught:
            rank(replace(sheet, raw=raw))
    assert caught.value.problem.where == "options[0]"
    assert "option 'x': its weighted total is not a finite number" in caught.value.problem.message


def test_totals_at_the_magnitude_limit_are_finite_and_exact(write):
    """Scores of +-1e12 (the limit) on a -1e12..1e12 scale, weights 60/40 (conftest): x = 0.6 *
    1e12 + 0.4 * -1e12 = 2e11; y = -0.6e12 + 0.4e12 = -2e11; all 1e12 gives 1e12 exactly."""
    write("two.yaml", TWO_CRITERIA)
    path = write(
        "edge.yaml",
        """\
        group: edge
        name: Edge
        criteria: two.yaml
        scale: {min: -1.0e+12, max: 1.0e+12}
        options:
          - {id: x, name: X, scores: {a: 1.0e+12, b: -1.0e+12}}
          - {id: y, name: Y, scores: {a: -1.0e+12, b: 1.0e+12}}
          - {id: z, name: Z, scores: {a: 1.0e+12, b: 1.0e+12}}
        """,
    )
    result = rank(load_scores(path))
    assert [(o.id, o.total) for o in result.options] == [
        ("z", pytest.approx(1e12, rel=1e-15)),
        ("x", pytest.approx(2e11, rel=1e-12)),
        ("y", pytest.approx(-2e11, rel=1e-12)),
    ]


# --- the one kernel (issue 15): gaps, many weightings, per-criterion parts -------------------

gapped = scores_matrix.flatmap(
    lambda case: st.tuples(
        st.just(case[0]),
        st.just(case[1]),
        arrays(np.bool_, case[0].shape),
        arrays(np.float64, (3, len(case[1])), elements=st.floats(0.01, 10)),
    )
)


@given(gapped)
@settings(max_examples=200)
def test_the_kernel_rescales_each_option_over_its_scored_cells(case):
    """Against a loop over cells: the sum of weight x score over the option's scored cells,
    divided by those cells' weights; an option with none scored totals 0. The same per row of
    several weightings, per draw of several score matrices, and split by criterion."""
    s, w, given, many = case
    expected = []
    for row, mask in zip(s, given, strict=True):
        weight = sum(wk for wk, m in zip(w, mask, strict=True) if m)
        part = sum(wk * x for wk, x, m in zip(w, row, mask, strict=True) if m)
        expected.append(part / weight if weight > 0 else 0.0)
    got = weighted_sum(np.where(given, s, 123.0), w, given)  # what a gap holds never counts
    np.testing.assert_allclose(got, expected, atol=1e-9)
    rows = weighted_sum(s, many, given)
    for d in range(len(many)):
        np.testing.assert_allclose(rows[d], weighted_sum(s, many[d], given), atol=1e-12)
    draws = np.stack([s, s + 1, s * 2])
    per_draw = weighted_sum(draws, many, given)
    for d in range(len(many)):
        np.testing.assert_allclose(per_draw[d], weighted_sum(draws[d], many[d], given), atol=1e-9)
    every = weighted_sum(draws, many, given, every=True)  # each draw under each weighting
    assert every.shape == (len(draws), len(many), len(s))
    for d in range(len(draws)):
        for k in range(len(many)):
            np.testing.assert_allclose(
                every[d, k], weighted_sum(draws[d], many[k], given), atol=1e-9
            )
    member = np.zeros((len(w), 2))
    member[: len(w) // 2, 0] = 1
    member[len(w) // 2 :, 1] = 1
    np.testing.assert_allclose(weighted_sum(s, w, given, by=member).sum(axis=1), got, atol=1e-9)


def test_rank_totals_are_the_kernel_on_the_scores_used(demo):
    ranking = rank(load_scores(demo))
    w = np.array([ranking.weights[leaf] for leaf in ranking.sheet.leaf_ids])
    totals = weighted_sum(ranking.scores, w)
    by_id = {o.id: o.total for o in ranking.options}
    assert [by_id[o.id] for o in ranking.sheet.options] == pytest.approx(list(totals), abs=1e-12)
    assert by_id == pytest.approx({"x": 3.4, "y": 3.2, "z": 3.0}, abs=1e-12)
