"""Best combinations of options across working groups: one option per group, under the rules.

The clinical advisory group picks exactly one option in each working group, and options of
different groups are linked by interdependency rules (CONTRACT 1.3). A reference is
``group/option``. What each rule kind means here:

- ``requires: [a, b, c, ...]``: choosing ``a`` needs at least one of the rest chosen ("a needs
  b or c").
- ``excludes: [a, b, ...]``: no two of them are chosen together.
- ``one_of: [a, b, ...]``: exactly one of them is chosen.
- ``at_most: N, of: [...]``: no more than N of them are chosen.
- An option not available in its group (it failed a gate or was excluded for missing scores,
  so it is not in the ranking) is never chosen: every rule counts it as not chosen. So a
  ``requires`` whose other options are all unavailable rules out its first option, and a
  ``one_of`` with none available cannot be met. A reference to an option the group never had
  is an error.
- A ``Limit`` bounds the SUM of a numeric option attribute over the chosen options, ``<=`` or
  ``>=`` a value (an option without the attribute counts 0), within a relative tolerance of
  1e-9 so that decimal figures which add up exactly are not refused over a rounding bit.

A combination's total is the sum over groups of the group weight (1 unless given) times the
chosen option's weighted total. ``top_combinations`` is exact without listing every
combination: a depth-first branch and bound over the groups, those linked by rules first,
options best first, the k best totals found so far setting the cut. Each choice rules out the
options it makes impossible in the groups still open (an ``excludes`` partner, the rest of a
full ``at_most`` or ``one_of``; a group that alone can still meet a ``one_of`` or an active
``requires`` keeps only those options). A branch is cut when a rule or a limit can no longer be
met with the options still allowed, or when its bound falls below the cut. The bound is each
open group's best option still allowed, less what the open rules force some of them to give
up, with a Lagrangian term per limit (and the limit's linear relaxation) so that a tight cap
prunes too. Proving that nothing fits can still take exponential time, so a search gives up
after ``search.MAX_NODES`` steps with ``SearchTooLong`` (set it there, or robustness's
limits in ``weight_samples``, to tune a run; the copies re-exported here are for reading).

When nothing fits, ``Infeasible`` names a minimal conflicting set of rules and limits (a
deletion filter). In text, rules and limits are counted from 1 (rule 1 is ``rules[0]`` of
the rules file); indexes and file locations count from 0.
``robustness`` finds, per weight sample, the best feasible combination exactly, and credits the
candidates that match it.

Ties: totals within 1e-9 of the one before share a rank (competition ranking 1, 1, 3, as
``scoring.rank``), and every combination tied with the k-th is returned too, so a tie at the
cut is never dropped arbitrarily. Within a tie, combinations come in lexicographic order of
their options' places in each group's ranking, groups in the order given. Should more than
``MAX_TIED`` extra combinations tie at the cut (scores copied across many options), the list
stops there.
"""

from __future__ import annotations

from appraise.analysis.combine.checks import violations
from appraise.analysis.combine.data import (
    LIMIT_TOLERANCE,
    Combination,
    GroupExplanation,
    GroupOptions,
    Infeasible,
    Limit,
    SearchTooLong,
    Violation,
    groups_from_rankings,
    limit_text,
    parse_group_weights,
    rule_text,
)
from appraise.analysis.combine.explanations import explain
from appraise.analysis.combine.search import MAX_NODES
from appraise.analysis.combine.top import brute_force, top_combinations
from appraise.analysis.combine.top import search_top as search_top  # benchmarks count its nodes
from appraise.analysis.combine.topk import MARGIN, MAX_TIED
from appraise.analysis.combine.weight_samples import (
    BLOCK_CELLS,
    ENUMERATE_MAX,
    FEASIBLE_MAX,
    POOL_SIZE,
    robustness,
)

__all__ = [
    "BLOCK_CELLS",
    "ENUMERATE_MAX",
    "FEASIBLE_MAX",
    "LIMIT_TOLERANCE",
    "MARGIN",
    "MAX_NODES",
    "MAX_TIED",
    "POOL_SIZE",
    "Combination",
    "GroupExplanation",
    "GroupOptions",
    "Infeasible",
    "Limit",
    "SearchTooLong",
    "Violation",
    "brute_force",
    "explain",
    "groups_from_rankings",
    "limit_text",
    "parse_group_weights",
    "robustness",
    "rule_text",
    "top_combinations",
    "violations",
]
