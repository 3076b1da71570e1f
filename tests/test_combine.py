"""Tests for appraise/combine/: the best combinations of options across groups, under rules.

Expected values are worked by hand in the comments (small cases), or come from
``brute_force`` (every combination tried with ``itertools.product``) on random small cases.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from appraise.analysis import combine
from appraise.analysis.combine import (
    Combination,
    GroupOptions,
    Infeasible,
    Limit,
    SearchTooLong,
    brute_force,
    explain,
    groups_from_rankings,
    robustness,
    top_combinations,
    violations,
)
from appraise.analysis.scoring import rank
from appraise.errors import InputError, ParameterError, command_line_words
from appraise.io import load_scores
from appraise.model import Rule

from .conftest import TWO_CRITERIA, Write


def group(
    name: str,
    totals: list[float],
    attributes: dict[str, list[float]] | None = None,
    scores: list[list[float]] | None = None,
    set_aside: tuple[str, ...] = (),
) -> GroupOptions:
    """Options named ``<group>1``, ``<group>2``, ... in the order given (the rank order)."""
    ids = tuple(f"{name}{i + 1}" for i in range(len(totals)))
    return GroupOptions(
        group=name,
        option_ids=ids,
        names=tuple(f"Option {i}" for i in ids),
        totals=np.array(totals, dtype=np.float64),
        attributes={k: np.array(v, dtype=np.float64) for k, v in (attributes or {}).items()},
        scores=None if scores is None else np.array(scores, dtype=np.float64),
        set_aside=set_aside,
    )


def picked(combinations: list[Combination]) -> list[tuple[int, tuple[str, ...]]]:
    return [(c.rank, tuple(c.choice.values())) for c in combinations]


# --- the hand-worked case: the groups' own bests break a rule -----------------------------

# a: a1 = 5, a2 = 4     b: b1 = 5, b2 = 1     c: c1 = 3, c2 = 2.9
# rule 1: excludes a1, b1.   rule 2: requires a2 -> c2 (a2 needs c2).
# Every combination:
#   a1 b1 c1 = 13.0  breaks rule 1     a2 b1 c1 = 12.0  breaks rule 2
#   a1 b1 c2 = 12.9  breaks rule 1     a2 b1 c2 = 11.9  ok
#   a1 b2 c1 =  9.0  ok                a2 b2 c1 =  8.0  breaks rule 2
#   a1 b2 c2 =  8.9  ok                a2 b2 c2 =  7.9  ok
# Keeping a's best (a1) forces b2 and then c1: 9.0. The optimum gives a up instead: 11.9.
HAND = [group("a", [5, 4]), group("b", [5, 1]), group("c", [3, 2.9])]
HAND_RULES = [
    Rule(excludes=["a/a1", "b/b1"], note="one site only"),
    Rule(requires=["a/a2", "c/c2"], note="a2 needs c2"),
]


def test_the_optimum_is_not_the_greedy_repair_of_the_groups_own_bests():
    found = top_combinations(HAND, HAND_RULES, k=4)
    assert picked(found) == [
        (1, ("a2", "b1", "c2")),
        (2, ("a1", "b2", "c1")),
        (3, ("a1", "b2", "c2")),
        (4, ("a2", "b2", "c2")),
    ]
    assert [c.total for c in found] == pytest.approx([11.9, 9.0, 8.9, 7.9])
    assert found[0].choice == {"a": "a2", "b": "b1", "c": "c2"}  # in group order


def test_the_explanation_names_the_rule_that_forced_each_group():
    best = top_combinations(HAND, HAND_RULES, k=1)[0]
    a, b, c = explain(HAND, HAND_RULES, [], best)
    # a: a2 (4) rather than a1 (5): a1 with b1 breaks rule 1. Margin 4 - 5 = -1.
    assert (a.option, a.own_best, a.total) == ("a2", "a1", 4.0)
    assert a.margin == pytest.approx(-1.0)
    assert a.forced_by == ("rule 1 (excludes a/a1, b/b1): one site only",)
    # b: its own best; margin 5 - 1 = 4.
    assert (b.option, b.own_best, b.forced_by) == ("b1", "b1", ())
    assert b.margin == pytest.approx(4.0)
    # c: c2 (2.9) rather than c1 (3): with a2 chosen, c1 breaks rule 2. Margin 2.9 - 3 = -0.1.
    assert (c.option, c.own_best) == ("c2", "c1")
    assert c.margin == pytest.approx(-0.1)
    assert c.forced_by == ("rule 2 (requires a/a2 -> c/c2): a2 needs c2",)


def test_violations_name_what_a_full_choice_breaks():
    broken = violations({"a": "a1", "b": "b1", "c": "c1"}, HAND_RULES, [], HAND)
    assert [(v.kind, v.index) for v in broken] == [("rule", 0)]
    broken = violations({"a": "a2", "b": "b1", "c": "c1"}, HAND_RULES, [], HAND)
    assert [v.text for v in broken] == ["rule 2 (requires a/a2 -> c/c2): a2 needs c2"]
    assert violations({"a": "a2", "b": "b1", "c": "c2"}, HAND_RULES, [], HAND) == []
    with pytest.raises(InputError, match="no option chosen"):
        violations({"a": "a2", "b": "b1"}, HAND_RULES, [], HAND)


def test_group_weights_scale_each_groups_total():
    # b at weight 0.2: a2 b1 c2 = 4 + 0.2 * 5 + 2.9 = 7.9, a1 b2 c1 = 5 + 0.2 * 1 + 3 = 8.2.
    found = top_combinations(HAND, HAND_RULES, k=1, group_weights={"b": 0.2})
    assert picked(found) == [(1, ("a1", "b2", "c1"))]
    assert found[0].total == pytest.approx(8.2)
    with pytest.raises(ParameterError, match=r"^group_weights: unknown group 'z'"):
        top_combinations(HAND, HAND_RULES, group_weights={"z": 2.0})


# --- ties ---------------------------------------------------------------------------------

# x: x1 = 3, x2 = 2    y: y1 = 2, y2 = 2 (+ 5e-10, within the 1e-9 tie tolerance)
# x1 y1 = x1 y2 = 5, x2 y1 = x2 y2 = 4.
TIED = [group("x", [3, 2]), group("y", [2, 2 + 5e-10])]


def test_equal_totals_share_a_rank_and_a_tie_at_the_cut_is_kept():
    assert picked(top_combinations(TIED, [], k=1)) == [(1, ("x1", "y1")), (1, ("x1", "y2"))]
    assert picked(top_combinations(TIED, [], k=3)) == [
        (1, ("x1", "y1")),
        (1, ("x1", "y2")),
        (3, ("x2", "y1")),
        (3, ("x2", "y2")),
    ]


def test_a_flood_of_ties_is_cut_at_max_tied():
    many = [group(f"g{i}", [3, 3]) for i in range(12)]  # 4,096 combinations, all 36
    found = top_combinations(many, [], k=2)
    assert len(found) == 2 + combine.MAX_TIED
    assert {c.rank for c in found} == {1}
    assert found[0].choice == {f"g{i}": f"g{i}1" for i in range(12)}  # lexicographic first


# --- each kind of rule and limit, by hand -------------------------------------------------

# p: p1 = 3, p2 = 2, p3 = 1    q: q1 = 3, q2 = 2, q3 = 1    r: r1 = 3, r2 = 1
# cost: p (5, 2, 0), q (4, 1, 0), r (3, 0)     beds: p (0, 1, 3), q (0, 1, 2), r (0, 2)
PQR = [
    group("p", [3, 2, 1], {"cost": [5, 2, 0], "beds": [0, 1, 3]}),
    group("q", [3, 2, 1], {"cost": [4, 1, 0], "beds": [0, 1, 2]}),
    group("r", [3, 1], {"cost": [3, 0], "beds": [0, 2]}),
]
# Unconstrained best: p1 q1 r1 = 9.
CASES = {
    # p1 needs q3 or r2: p1 q3 r1 = p1 q1 r2 = 7, but p2 q1 r1 = 8 leaves p1 out.
    "requires": (Rule(requires=["p/p1", "q/q3", "r/r2"]), [(1, ("p2", "q1", "r1"))], 8),
    # No two of p1, q1, r1: one of them at most; r1 with p2 q2 = 7 beats p1 q2 r2 = 6.
    "excludes": (Rule(excludes=["p/p1", "q/q1", "r/r1"]), [(1, ("p2", "q2", "r1"))], 7),
    # Exactly one of p3, q3: p1 q3 r1 = p3 q1 r1 = 7, a tie (p1 comes first in p's order).
    "one_of": (
        Rule(one_of=["p/p3", "q/q3"]),
        [(1, ("p1", "q3", "r1")), (1, ("p3", "q1", "r1"))],
        7,
    ),
    # At most two of p1, q1, r1: p1 q2 r1 = p2 q1 r1 = 8 (p1 q1 r2 = 7).
    "at_most": (
        Rule(at_most=2, of=["p/p1", "q/q1", "r/r1"]),
        [(1, ("p1", "q2", "r1")), (1, ("p2", "q1", "r1"))],
        8,
    ),
    # At most none of r1: r2, so p1 q1 r2 = 7.
    "at_most 0": (Rule(at_most=0, of=["r/r1"]), [(1, ("p1", "q1", "r2"))], 7),
}


@pytest.mark.parametrize("case", CASES)
def test_each_kind_of_rule(case):
    rule, expected, total = CASES[case]
    found = top_combinations(PQR, [rule], k=1)
    assert picked(found) == expected
    assert [c.total for c in found] == pytest.approx([total] * len(expected))
    assert brute_force(PQR, [rule], k=1) == found


def test_a_cap_on_a_summed_attribute():
    # cost <= 6. The 9 and the 8s cost 9 or more; of the 7s, p2 q2 r1 costs 2 + 1 + 3 = 6
    # (exactly the cap), p3 q1 r1 costs 7, p1 q3 r1 8, p1 q1 r2 9. Its beds: 1 + 1 + 0 = 2.
    limit = Limit.parse("cost<=6")
    (best,) = top_combinations(PQR, [], k=1, limits=[limit])
    assert tuple(best.choice.values()) == ("p2", "q2", "r1")
    assert best.total == pytest.approx(7)
    assert best.attributes == pytest.approx({"cost": 6.0, "beds": 2.0})
    p, q, r = explain(PQR, [], [limit], best)
    assert p.forced_by == q.forced_by == ("limit 1 (cost<=6)",)  # p1 or q1 would cost 9
    assert (p.margin, q.margin, r.margin, r.forced_by) == (-1.0, -1.0, 2.0, ())


def test_a_floor_on_a_summed_attribute():
    # beds >= 3. The 9, 8s and 7s have 0 to 2 beds except p3 q1 r1 = 7 with 3 + 0 + 0 = 3.
    (best,) = top_combinations(PQR, [], k=1, limits=[Limit.parse(" beds >= 3 ")])
    assert tuple(best.choice.values()) == ("p3", "q1", "r1")
    assert best.total == pytest.approx(7)
    assert best.attributes["beds"] == 3.0


def test_an_option_set_aside_is_never_chosen():
    # a0 failed a gate: one_of [a0, b2] can only be met by b2; a1 b2 c1 = 9 is then best.
    groups = [group("a", [5, 4], set_aside=("a0",)), *HAND[1:]]
    found = top_combinations(groups, [Rule(one_of=["a/a0", "b/b2"])], k=1)
    assert picked(found) == [(1, ("a1", "b2", "c1"))]
    # A rule whose only way out is set aside rules its first option out.
    found = top_combinations(groups, [Rule(requires=["a/a1", "a/a0"])], k=1)
    assert picked(found) == [(1, ("a2", "b1", "c1"))]


# --- limits on the command line -----------------------------------------------------------


def test_limits_parse_and_print():
    assert Limit.parse("net_capital<=20000") == Limit("net_capital", "<=", 20000.0)
    assert Limit.parse("  beds >= -3.5 ") == Limit("beds", ">=", -3.5)
    assert str(Limit.parse("net_capital<=300000")) == "net_capital<=300000"


@pytest.mark.parametrize("text", ["cost<6", "cost<=abc", "<=5", "cost<=nan", "cost<=1 2"])
def test_a_malformed_limit_is_an_error_on_one_line(text):
    with pytest.raises(ParameterError) as caught:
        Limit.parse(text)
    message = str(caught.value)
    assert message.startswith("limits: expected ATTRIBUTE<=NUMBER or ATTRIBUTE>=NUMBER")
    assert repr(text) in message
    assert "\n" not in message


def test_a_limit_on_an_attribute_no_option_has_is_an_error():
    with pytest.raises(ParameterError, match=r"^limits: no option has the attribute 'capital'"):
        top_combinations(PQR, [], limits=[Limit.parse("capital<=5")])


# --- when nothing fits --------------------------------------------------------------------


def test_a_requires_and_an_excludes_that_cannot_both_hold_are_named():
    # s has one option, so s1 is always chosen: it needs t1 (rule 1) but never with t1 (rule 3).
    # Rule 1 plays no part and is not named.
    groups = [group("s", [1]), group("t", [2, 1]), group("u", [1, 2])]
    rules = [
        Rule(requires=["s/s1", "t/t1"], note="s1 needs t1."),
        Rule(at_most=1, of=["t/t2", "u/u1"]),
        Rule(excludes=["s/s1", "t/t1"], note="never together"),
    ]
    with pytest.raises(Infeasible) as caught:
        top_combinations(groups, rules)
    assert (caught.value.conflict_rules, caught.value.conflict_limits) == ((0, 2), ())
    assert str(caught.value) == (
        "no combination satisfies the rules: rule 1 (requires s/s1 -> t/t1): s1 needs t1; "
        "rule 3 (excludes s/s1, t/t1): never together"
    )
    assert brute_force(groups, rules) == []


def test_conflicting_limits_are_named():
    with pytest.raises(Infeasible) as caught:
        top_combinations(PQR, [], limits=[Limit.parse("cost<=2"), Limit.parse("cost>=5")])
    assert caught.value.conflict_limits == (0, 1)
    assert str(caught.value) == (
        "no combination satisfies the limits: limit 1 (cost<=2); limit 2 (cost>=5)"
    )
    # A cap with a rule: r1 (cost 3) is needed but at most 2 may be spent.
    with pytest.raises(Infeasible) as caught:
        top_combinations(PQR, [Rule(one_of=["r/r1", "q/q1"])], limits=[Limit.parse("cost<=2")])
    assert (caught.value.conflict_rules, caught.value.conflict_limits) == ((0,), (0,))


def test_a_group_with_no_option_left_is_infeasible():
    with pytest.raises(Infeasible, match="group 'e' has no option left"):
        top_combinations([*HAND, group("e", [], set_aside=("e1",))], [])


@pytest.mark.parametrize(
    ("ref", "message"),
    [("zz/z1", "unknown group 'zz'"), ("c/c9", "group 'c' has no option 'c9'")],
)
def test_a_reference_to_an_unknown_group_or_option_is_an_error(ref, message):
    rules = [*HAND_RULES, Rule(excludes=["a/a1", ref])]
    with pytest.raises(InputError, match=message) as caught:
        top_combinations(HAND, rules)
    assert caught.value.problem.where == "rules[2]"


def test_a_search_that_runs_too_long_says_so(monkeypatch):
    # Every cost is odd and there are 8 groups, so the sum is even and never exactly 9: proving
    # that takes far more than the 50 steps allowed here.
    groups = [group(f"g{i}", [3, 2, 1], {"cost": [1, 3, 1]}) for i in range(8)]
    monkeypatch.setattr(combine.search, "MAX_NODES", 50)
    with pytest.raises(SearchTooLong, match="gave up after 50 steps"):
        top_combinations(groups, [], limits=[Limit.parse("cost<=9"), Limit.parse("cost>=9")])


# --- against brute force ------------------------------------------------------------------


def random_case(rng: np.random.Generator):
    """2-5 groups of 2-4 options, totals often tied, rules of every kind, sometimes limits."""
    groups = []
    for g in range(int(rng.integers(2, 6))):
        n = int(rng.integers(2, 5))
        totals = rng.choice([1.0, 1.5, 2.0, 3.0], n) if rng.random() < 0.4 else rng.uniform(1, 5, n)
        aside = ("gone",) if rng.random() < 0.3 else ()
        groups.append(
            group(f"g{g}", list(totals), {"cost": list(rng.integers(-2, 6, n))}, set_aside=aside)
        )

    def ref() -> str:
        g = groups[int(rng.integers(len(groups)))]
        return f"{g.group}/{rng.choice([*g.option_ids, *g.set_aside])}"

    rules = []
    for _ in range(int(rng.integers(0, 6))):
        kind = ("requires", "excludes", "one_of", "at_most")[int(rng.integers(4))]
        refs = [ref() for _ in range(int(rng.integers(2, 5)))]
        if kind == "at_most":
            rules.append(Rule(at_most=int(rng.integers(0, 3)), of=refs))
        else:
            rules.append(Rule(**{kind: refs}))
    limits = [
        Limit("cost", ("<=", ">=")[int(rng.integers(2))], float(rng.integers(-2, 10)))
        for _ in range(int(rng.integers(0, 3)))
    ]
    weights = {"g0": float(rng.choice([0.5, 1.0, 2.0]))} if rng.random() < 0.3 else None
    return groups, rules, limits, int(rng.integers(1, 6)), weights


@pytest.mark.parametrize("block", range(6))
def test_the_search_agrees_with_brute_force(block):
    rng = np.random.default_rng(1000 + block)
    for _ in range(80):
        groups, rules, limits, k, weights = random_case(rng)
        expected = brute_force(groups, rules, k, limits, weights)
        try:
            found = top_combinations(groups, rules, k, limits, weights)
        except Infeasible as error:
            assert expected == []
            conflict_rules = [rules[i] for i in error.conflict_rules]
            conflict_limits = [limits[j] for j in error.conflict_limits]
            assert brute_force(groups, conflict_rules, 1, conflict_limits) == []
            continue
        # Same totals in the same order, same choices: ties come in one fixed order in both.
        assert found == expected


# --- robustness ---------------------------------------------------------------------------


def scored(name: str, rows: list[list[float]], base: list[float]) -> GroupOptions:
    """A group whose totals are its scores (options x leaves) at the base weights."""
    return group(name, list(np.array(rows) @ np.array(base)), scores=rows)


def test_a_dominating_combination_is_best_under_any_weights():
    # d1 and e1 score highest on every leaf: d1 e1 wins whatever the weights.
    groups = [scored("d", [[5, 5], [1, 1]], [0.5, 0.5]), scored("e", [[4, 4], [2, 2]], [0.5, 0.5])]
    candidates = top_combinations(groups, [], k=3)
    weights = np.random.default_rng(3).dirichlet([1, 1], 500)
    assert robustness(groups, [], [], candidates, weights) == pytest.approx([1, 0, 0])


MIRROR = [scored("m", [[5, 1], [1, 5]], [0.5, 0.5]), scored("n", [[5, 1], [1, 5]], [0.5, 0.5])]
# Only m1 n1 (leaf 1 strong) and m2 n2 (leaf 2 strong) are allowed: each is best when its leaf
# weighs more, so each about half the time; at equal weights they tie and share the sample.
MIRROR_RULES = [Rule(excludes=["m/m1", "n/n2"]), Rule(excludes=["m/m2", "n/n1"])]


def test_mirror_combinations_split_the_weights_evenly():
    candidates = top_combinations(MIRROR, MIRROR_RULES, k=2)
    assert picked(candidates) == [(1, ("m1", "n1")), (1, ("m2", "n2"))]
    weights = np.random.default_rng(4).dirichlet([1, 1], 4000)
    shares = robustness(MIRROR, MIRROR_RULES, [], candidates, weights)
    assert shares == pytest.approx([0.5, 0.5], abs=0.03)
    assert shares.sum() == pytest.approx(1.0)
    tie = robustness(MIRROR, MIRROR_RULES, [], candidates, np.array([[0.5, 0.5]]))
    assert tie == pytest.approx([0.5, 0.5])


@pytest.mark.parametrize("listed", [True, False], ids=["listed", "searched"])
def test_robustness_ties_by_the_rule_rank_uses(listed, monkeypatch):
    """t1, t2, t3 are 0.8e-9 apart on both leaves, so each total is within 1e-9 of the next:
    ``rank`` (and ``top_combinations``) tie all three, and so must every weight sample, shared
    equally (1/3 each) as SMAA shares tied draws, whether the combinations are listed or
    searched."""
    if not listed:
        monkeypatch.setattr(combine.weight_samples, "ENUMERATE_MAX", 0)
    rows = [[3, 3], [3 + 0.8e-9, 3 + 0.8e-9], [3 + 1.6e-9, 3 + 1.6e-9]]
    groups = [scored("t", rows, [0.5, 0.5])]
    candidates = top_combinations(groups, [], k=3)
    assert [c.rank for c in candidates] == [1, 1, 1]
    weights = np.random.default_rng(6).dirichlet([1, 1], 50)
    shares = robustness(groups, [], [], candidates, weights)
    assert shares == pytest.approx([1 / 3] * 3, abs=1e-12)


def test_robustness_searches_share_one_step_budget(monkeypatch):
    """Issue 14, class 9: each weight sample's search fits in 40 steps, but 200 of them do not;
    a budget per sample let 100,000 samples run for days, so the searches share one."""
    monkeypatch.setattr(combine.weight_samples, "ENUMERATE_MAX", 0)
    rows = [[5, 1], [1, 5], [2, 2]]
    groups = [scored(f"g{i}", rows, [0.6, 0.4]) for i in range(6)]
    candidates = top_combinations(groups, [], k=1)
    assert [c.choice for c in candidates] == [{f"g{i}": f"g{i}1" for i in range(6)}]
    monkeypatch.setattr(combine.search, "MAX_NODES", 40)
    weights = np.random.default_rng(7).dirichlet([1, 1], 200)
    assert robustness(groups, [], [], candidates, np.array([[0.6, 0.4]])) == [1.0]
    with pytest.raises(SearchTooLong) as caught:
        robustness(groups, [], [], candidates, weights)
    assert re.fullmatch(
        r"the robustness searches gave up after 40 steps in all, \d+ of 200 weight samples "
        r"searched; try fewer samples \(samples\), or loosen a limit",
        str(caught.value),
    )
    with command_line_words(), pytest.raises(SearchTooLong, match=r"\(--samples\)"):
        robustness(groups, [], [], candidates, weights)  # the command line names its option


def rescored(g: GroupOptions, scores: np.ndarray) -> GroupOptions:
    """The group with these scores (options x 3 leaves), totals at weights 0.5, 0.3, 0.2."""
    scores = scores.astype(np.float64)
    totals = scores @ np.array([0.5, 0.3, 0.2])
    return GroupOptions(g.group, g.option_ids, g.names, totals, g.attributes, scores, g.set_aside)


def naive_robustness(groups, rules, limits, candidates, weights):
    """Each sample: totals recomputed, brute force, credit split among those tied first."""
    out = np.zeros(len(candidates))
    for w in weights:
        regrouped = [
            GroupOptions(
                g.group, g.option_ids, g.names, g.scores @ w, g.attributes, g.scores, g.set_aside
            )
            for g in groups
        ]
        best = [c.choice for c in brute_force(regrouped, rules, 1, limits) if c.rank == 1]
        for i, c in enumerate(candidates):
            out[i] += (c.choice in best) / len(best)
    return out / len(weights)


@pytest.mark.parametrize("listed", [True, False], ids=["listed", "searched"])
def test_robustness_agrees_with_brute_force_per_sample(listed, monkeypatch):
    if not listed:  # force a search per sample instead of listing the feasible combinations
        monkeypatch.setattr(combine.weight_samples, "ENUMERATE_MAX", 0)
    rng = np.random.default_rng(5)
    checked = 0
    while checked < 25:
        groups, rules, limits, _, _ = random_case(rng)
        groups = [rescored(g, rng.integers(1, 6, (len(g.option_ids), 3))) for g in groups]
        candidates = brute_force(groups, rules, 4, limits)
        if not candidates:
            continue
        weights = rng.dirichlet([1, 1, 1], 30)
        shares = robustness(groups, rules, limits, candidates, weights)
        assert shares == pytest.approx(naive_robustness(groups, rules, limits, candidates, weights))
        assert shares.sum() <= 1 + 1e-12
        checked += 1


# --- from real files ----------------------------------------------------------------------

LEFT = """\
group: left
name: Left group
criteria: two.yaml
scale: {min: 1, max: 5}
gates: [{id: site, name: A site is available}]
options:
  - {id: x, name: X, scores: {a: 5, b: 1}, attributes: {cost: 4}, gates: {site: true}}
  - {id: y, name: Y, scores: {a: 2, b: 5}, gates: {site: true}}
  - {id: z, name: Z, status_quo: true, scores: {a: 3, b: 3}, gates: {site: true}}
  - {id: w, name: W, scores: {a: 5, b: 5}, gates: {site: {pass: false, reason: no site}}}
"""
RIGHT = """\
group: right
name: Right group
criteria: two.yaml
scale: {min: 1, max: 5}
options:
  - {id: u, name: U, status_quo: true, scores: {a: 1, b: 5}}
  - {id: v, name: V, scores: {a: 4, b: 4}, attributes: {cost: 3}}
"""


def test_groups_from_rankings_of_real_files(write: Write):
    # Weights 0.6 / 0.4. left: x 3.4, y 3.2, z 3.0 (w failed its gate); right: v 4.0, u 2.6.
    write("two.yaml", TWO_CRITERIA)
    rankings = [rank(load_scores(write(f"{n}.yaml", t))) for n, t in (("l", LEFT), ("r", RIGHT))]
    attributes = {"left": {"x": {"cost": 4.0}}, "right": {"v": {"cost": 3.0}}}
    left, right = groups_from_rankings(rankings, attributes)
    assert (left.option_ids, left.set_aside, right.option_ids) == (
        ("x", "y", "z"),
        ("w",),
        ("v", "u"),
    )
    assert left.totals == pytest.approx([3.4, 3.2, 3.0])
    assert right.totals == pytest.approx([4.0, 2.6])
    assert left.attributes["cost"] == pytest.approx([4, 0, 0])
    assert left.scores is not None
    assert left.scores.tolist() == [[5, 1], [2, 5], [3, 3]]
    # x with v is excluded: y v = 7.2, z v = 7.0, x u = 6.0.
    rules = [Rule(excludes=["left/x", "right/v"])]
    found = top_combinations([left, right], rules, k=2)
    assert picked(found) == [(1, ("y", "v")), (2, ("z", "v"))]
    assert [c.total for c in found] == pytest.approx([7.2, 7.0])
    assert found[1].attributes == {"cost": 3.0}
    # w failed its gate, so one_of [w, u] needs u: x u = 6.0.
    assert picked(top_combinations([left, right], [Rule(one_of=["left/w", "right/u"])], k=1)) == [
        (1, ("x", "u"))
    ]
    # At (0.6, 0.4) y v is best; at (1, 0) z v (z 3 + v 4 beats x u 5 + 1 and y v 2 + 4); at
    # (0, 1) y u (5 + 5), which is neither candidate.
    weights = np.array([[0.6, 0.4], [1.0, 0.0], [0.0, 1.0]])
    assert robustness([left, right], rules, [], found, weights) == pytest.approx([1 / 3, 1 / 3])
