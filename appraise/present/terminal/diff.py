"""What changed between two rounds: options, scores, weights and the panel."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from appraise.present.records import DiffRecord, ScoreChangeRecord
from appraise.present.terminal.tables import bullets, group_title, titled

MAX_SCORE_ROWS = 40


STATUS_APART = 100  # from this width an option's status has a column of its own


def diff_view(record: DiffRecord, names: dict[str, str], width: int = 120) -> RenderableType:
    """What changed between two rounds: options, ranks and totals, scores, weights.

    The figures come from ``present.diff``: one precision per table, and changes that agree with
    the printed totals. Options are named as in the later round (the earlier, if removed); a
    change ``3.80 → 3.78`` is never split. Below ``STATUS_APART`` columns a status other than
    ``kept`` follows the option's name instead of taking a column.
    """
    rounds = Text(
        f"Round '{record['old']['round'] or record['old']['file']}' → "
        f"'{record['new']['round'] or record['new']['file']}', compared at {record['compared_at']}"
    )
    title = group_title(record["name"], record["group"], record["illustrative"])
    parts: list[RenderableType] = [title, rounds, bullets(record["summary"])]
    parts.append(_options_table(record, width >= STATUS_APART))
    option_names = {o["id"]: o["name"] for o in record["options"]}
    if record["scores"]:
        parts += _scores_table(record, option_names, names)
    if record["weights"]:
        parts.append(_weights_table(record, names))
    if record["panel"]:
        parts += _panel_table(record, option_names)
    return Group(*parts)


def _options_table(record: DiffRecord, status_apart: bool) -> RenderableType:
    from appraise.present.diff import arrow, option_figures, status_text

    options = titled("Options")
    options.add_column("Option", ratio=1, min_width=12)
    if status_apart:
        options.add_column("Status")
    for heading in ("Rank", "Total", "Change", "From scores", "From weights"):
        options.add_column(heading, justify="right", no_wrap=heading in ("Rank", "Total"))
    for o, shown in zip(record["options"], option_figures(record["options"]), strict=True):
        name = Text(o["name"])
        status = status_text(o)
        if not status_apart and status != "kept":  # "removed (was rejected)": one bracket
            name.append(f" ({status.replace(' (', ', ').rstrip(')')})", style="dim")
        options.add_row(
            name,
            *([status] if status_apart else []),
            arrow(o["old_rank"], o["new_rank"]),
            shown["total"],
            shown["change"],
            shown["from_scores"],
            shown["from_weights"],
        )
    return options


def _scores_table(
    record: DiffRecord, option_names: dict[str, str], names: dict[str, str]
) -> list[RenderableType]:
    from appraise.present.diff import score_figures

    scores = titled("Score changes")
    for heading in ("Option", "Criterion", "Scorer", "Score"):
        scores.add_column(heading, no_wrap=heading == "Score")
    shown_scores = record["scores"][:MAX_SCORE_ROWS]
    previous = None
    for c, text in zip(shown_scores, score_figures(shown_scores), strict=True):
        first = c["option"] != previous  # name the option once, over its criteria
        previous = c["option"]
        scores.add_row(
            Text(option_names.get(c["option"], c["option"]) if first else ""),
            Text(names.get(c["criterion"], c["criterion"])),
            Text(c["scorer"] or "panel"),
            text + _measure_change(c),
        )
    hidden = len(record["scores"]) - MAX_SCORE_ROWS
    if hidden > 0:
        return [scores, Text(f"  and {hidden} more (all in --format json)", style="dim")]
    return [scores]


def _measure_change(change: ScoreChangeRecord) -> str:
    """`` (34 → 30 minutes)`` after a measured leaf's score change; else nothing."""
    measure = change.get("measure")
    if not measure:
        return ""
    from appraise.present.diff import arrow

    old, new = ("-" if x is None else f"{x:g}" for x in (measure["old"], measure["new"]))
    return f" ({arrow(old, new)} {measure['unit']})"


def _weights_table(record: DiffRecord, names: dict[str, str]) -> RenderableType:
    from appraise.present.diff import weight_figures

    weights = titled("Weight changes")
    weights.add_column("Criterion")
    weights.add_column("Weight", justify="right", no_wrap=True)
    for w, text in zip(record["weights"], weight_figures(record["weights"]), strict=True):
        weights.add_row(Text(names.get(w["criterion"], w["criterion"])), text)
    return weights


def _panel_table(record: DiffRecord, option_names: dict[str, str]) -> list[RenderableType]:
    from appraise.present.diff import panel_legend, panel_rows

    panel = titled("Panel changes")
    for heading in ("Scorer", "Change", "Option", "Scores"):
        panel.add_column(heading, no_wrap=heading == "Scores")
    previous = None
    rows = panel_rows(record)
    for row in rows[:MAX_SCORE_ROWS]:
        first = row["scorer"] != previous  # name the scorer once, over their options
        previous = row["scorer"]
        panel.add_row(
            Text(row["scorer"] if first else ""),
            Text(row["change"] if first else ""),
            Text(option_names.get(str(row["option"]), str(row["option"]))),
            Text(row["scores"]),
        )
    parts: list[RenderableType] = [panel]
    if len(rows) > MAX_SCORE_ROWS:
        more = f"  and {len(rows) - MAX_SCORE_ROWS} more (all in --format json)"
        parts.append(Text(more, style="dim"))
    parts += [Text(line, style="dim") for line in panel_legend(record)]
    return parts
