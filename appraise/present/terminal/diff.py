"""What changed between two rounds: options, scores, weights and the panel."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from appraise.present.records import DiffRecord
from appraise.present.terminal.tables import titled

MAX_SCORE_ROWS = 40


def diff_view(record: DiffRecord, names: dict[str, str]) -> RenderableType:
    """What changed between two rounds: options, ranks and totals, scores, weights.

    The figures come from ``present.diff``: one precision per table, and changes that agree with
    the printed totals.
    """
    from appraise.present.diff import (
        arrow,
        option_figures,
        panel_legend,
        panel_rows,
        score_figures,
        status_text,
        weight_figures,
    )

    title = Text(f"{record['name']} ", style="bold")
    title.append(f"({record['group']}): ", style="dim")
    title.append(
        f"round '{record['old']['round'] or record['old']['file']}' → "
        f"'{record['new']['round'] or record['new']['file']}', compared at {record['compared_at']}"
    )
    parts: list[RenderableType] = [title]
    parts += [Text(f"• {sentence}") for sentence in record["summary"]]
    options = titled("Options")
    for heading, justify in (
        ("Option", "left"),
        ("Status", "left"),
        ("Rank", "right"),
        ("Total", "right"),
        ("Change", "right"),
        ("From scores", "right"),
        ("From weights", "right"),
    ):
        options.add_column(heading, justify=justify)  # type: ignore[arg-type]
    for o, shown in zip(record["options"], option_figures(record["options"]), strict=True):
        options.add_row(
            Text(o["name"]),
            status_text(o),
            arrow(o["old_rank"], o["new_rank"]),
            shown["total"],
            shown["change"],
            shown["from_scores"],
            shown["from_weights"],
        )
    parts.append(options)
    if record["scores"]:
        scores = titled("Score changes")
        for heading in ("Option", "Criterion", "Scorer", "Score"):
            scores.add_column(heading)
        shown_scores = record["scores"][:MAX_SCORE_ROWS]
        for c, text in zip(shown_scores, score_figures(shown_scores), strict=True):
            scores.add_row(
                Text(c["option"]),
                Text(names.get(c["criterion"], c["criterion"])),
                Text(c["scorer"] or "panel"),
                text,
            )
        parts.append(scores)
        hidden = len(record["scores"]) - MAX_SCORE_ROWS
        if hidden > 0:
            parts.append(Text(f"  and {hidden} more (all in --format json)", style="dim"))
    if record["weights"]:
        weights = titled("Weight changes")
        weights.add_column("Criterion")
        weights.add_column("Weight", justify="right")
        for w, text in zip(record["weights"], weight_figures(record["weights"]), strict=True):
            weights.add_row(Text(names.get(w["criterion"], w["criterion"])), text)
        parts.append(weights)
    if record["panel"]:
        panel = titled("Panel changes")
        for heading in ("Scorer", "Change", "Option", "Scores"):
            panel.add_column(heading)
        previous = None
        rows = panel_rows(record)
        for row in rows[:MAX_SCORE_ROWS]:
            first = row["scorer"] != previous  # name the scorer once, over their options
            previous = row["scorer"]
            panel.add_row(
                Text(row["scorer"] if first else ""),
                Text(row["change"] if first else ""),
                Text(row["option"]),
                Text(row["scores"]),
            )
        parts.append(panel)
        if len(rows) > MAX_SCORE_ROWS:
            more = f"  and {len(rows) - MAX_SCORE_ROWS} more (all in --format json)"
            parts.append(Text(more, style="dim"))
        parts += [Text(line, style="dim") for line in panel_legend(record)]
    return Group(*parts)
