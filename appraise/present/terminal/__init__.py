"""Rich tables for the command line, drawn from the same records as every other form.

One module per result (``ranking`` also draws the criteria and ``check``'s findings); no
computation here. The only part of ``appraise`` that imports rich (``tests/test_layering.py``).
"""

from __future__ import annotations

from appraise.present.terminal.charts import weight_chart_view
from appraise.present.terminal.combine import combinations_view
from appraise.present.terminal.diff import diff_view
from appraise.present.terminal.elicitation import weigh_view
from appraise.present.terminal.explain import explain_view
from appraise.present.terminal.ranking import (
    TABLE_ROWS,
    criteria_table,
    problems_table,
    ranking_table,
)
from appraise.present.terminal.sensitivity import sensitivity_view, thresholds_table
from appraise.present.terminal.value import value_view

__all__ = [
    "TABLE_ROWS",
    "combinations_view",
    "criteria_table",
    "diff_view",
    "explain_view",
    "problems_table",
    "ranking_table",
    "sensitivity_view",
    "thresholds_table",
    "value_view",
    "weigh_view",
    "weight_chart_view",
]
