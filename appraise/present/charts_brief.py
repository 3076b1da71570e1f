"""The charts the board brief shows, as inline SVG: (caption, SVG text) pairs.

Drawn by ``present.charts`` (matplotlib, imported only here and there); empty until charts are
available.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def group_charts(ranking: Any, sensitivity: Any, values: Sequence[Any]) -> list[tuple[str, str]]:
    """A group's charts: contributions, the binding weight, rank acceptability, value."""
    return []


def combination_charts(result: Any) -> list[tuple[str, str]]:
    """The preferred combination's robustness."""
    return []
