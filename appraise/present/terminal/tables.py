"""What every terminal table shares: the table itself, titled on the left, without a frame."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text

Record = dict[str, Any]
PALETTE = ["cyan", "magenta", "yellow", "green", "blue", "red", "bright_cyan", "bright_magenta"]
BAR_WIDTH = 28
FILLS = ("█", "▓", "▒", "░")  # a fill per segment, so a bar reads without colour (then cycled)


def titled(title: str | Text | None, **columns: Any) -> Table:
    """A table as every view draws one: title on the left, no outer edge or padding."""
    return Table(title=title, title_justify="left", show_edge=False, pad_edge=False, **columns)


def group_title(name: str, group: str, illustrative: bool) -> Text:
    """``Name (group)``, and ``ILLUSTRATIVE SCORES`` when the scores file says they are invented."""
    title = Text(f"{name} ", style="bold")
    title.append(f"({group})", style="dim")
    if illustrative:
        title.append("  ILLUSTRATIVE SCORES", style="bold yellow")
    return title


def bullets(sentences: Sequence[str]) -> RenderableType:
    """A bullet per sentence, each wrapping under its own text."""
    grid = Table.grid(padding=(0, 1, 0, 0))
    grid.add_column(no_wrap=True)
    grid.add_column()
    for sentence in sentences:
        grid.add_row("•", sentence)
    return grid


def fill(i: int) -> str:
    """The fill of a bar's ``i``-th segment (and of its legend entry)."""
    return FILLS[i % len(FILLS)]


def stacked_bar(parts: Sequence[float], scale_width: float, width: int = BAR_WIDTH) -> Text:
    """A bar whose segments are each criterion's share of the distance from the scale's bottom.

    The bar's length is always the sum of the parts (the total's distance from the bottom). A
    part can be negative when an option's weights were renormalised over the cells it was
    scored on (a criterion left unscored lifts nothing); it draws nothing, and the positive
    parts shrink in proportion so that a lower total never draws a longer bar.
    """
    positive = sum(max(part, 0.0) for part in parts)
    shrink = max(sum(parts), 0.0) / positive if positive > 0 else 0.0
    bar = Text()
    cumulative, drawn = 0.0, 0
    for i, part in enumerate(parts):
        cumulative += max(part, 0.0) * shrink
        end = round(min(cumulative / scale_width, 1.0) * width)
        if end > drawn:
            bar.append(fill(i) * (end - drawn), style=PALETTE[i % len(PALETTE)])
            drawn = end
    bar.append("·" * (width - drawn), style="grey39")
    return bar
