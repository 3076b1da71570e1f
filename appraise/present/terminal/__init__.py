"""Rich tables for the command line, drawn from the same records as every other form.

One module per result (``ranking`` also draws the criteria and ``check``'s findings); no
computation here. The only part of ``appraise`` that imports rich (``tests/test_layering.py``).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

# Each view is imported when first used, so a command loads only its own (and not, say, the
# value and explain modules' analyses for ``sensitivity``).
_HOME = {
    "TABLE_ROWS": "ranking",
    "combinations_view": "combine",
    "criteria_table": "ranking",
    "diff_view": "diff",
    "explain_view": "explain",
    "problems_table": "ranking",
    "ranking_table": "ranking",
    "sensitivity_view": "sensitivity",
    "thresholds_table": "sensitivity",
    "value_view": "value",
    "weigh_view": "elicitation",
    "weight_chart_view": "charts",
}

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


def __getattr__(name: str) -> Any:
    """A view, imported from its module on first use (PEP 562)."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_HOME[name]}"), name)
