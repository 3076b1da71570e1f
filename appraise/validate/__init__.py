"""Checks that need more than one file's shape: weights add up, ids resolve, scores fit.

Every check appends to a list of problems instead of stopping at the first, so ``check``
can report everything wrong with a file in one pass. ``criteria`` checks a criteria file,
``sheet`` a scores file against its criteria (and builds the ``ScoreSheet``), ``rules`` a
rules file against its groups.
"""

from __future__ import annotations

from appraise.validate.criteria import build_tree, check_criteria, nearest, unknown_criterion
from appraise.validate.rules import check_rules, one_file_per_group
from appraise.validate.sheet import build_sheet, check_sheet, medians_of_the_rest

__all__ = [
    "build_sheet",
    "build_tree",
    "check_criteria",
    "check_rules",
    "check_sheet",
    "medians_of_the_rest",
    "nearest",
    "one_file_per_group",
    "unknown_criterion",
]
