"""The command that joins members' scoring workbooks into one panel: merge."""

from pathlib import Path
from typing import Annotated

import typer

from appraise.cli.app import app
from appraise.cli.options import ForceOpt, QuietOpt, VerboseOpt, exit_on_input_error
from appraise.cli.terminal import err, escape_markup, print_notes
from appraise.safe_text import one_line, plural


@app.command()
def merge(
    workbooks: Annotated[
        list[str],
        typer.Argument(
            metavar="WORKBOOK",
            help="The workbooks members filled in, one or more scorers each (.xlsx; YAML scores "
            "files too).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="PANEL",
            help="The panel to write: a scoring workbook (.xlsx) or a scores file (.yaml).",
            show_default=False,
        ),
    ],
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """One panel from the scoring workbooks a group's members filled in, each in their own copy.

    The workbooks must share the group, the criteria (the table itself, not the file's name),
    the scale and the options (ids, names, descriptions, status quo and the rest). Each gives
    the scorers whose scores it holds, with their declared interests and evidence; gate results
    and measures are carried. Whatever two workbooks say differently (a scorer in both, an
    option renamed, a scale or weight changed by hand, a gate result) is an error naming both
    files and cells, and nothing is written. Rank, check or export the panel as any scores file.

    Example: appraise merge alice.xlsx bob.xlsx carol.xlsx -o panel.xlsx
    Example: appraise merge members/*.xlsx -o panel.yaml
    Example: appraise merge members/*.xlsx -o panel.xlsx --force
    Example: appraise rank panel.xlsx   (the merged panel)
    """
    from appraise import api

    with exit_on_input_error():
        done = api.merge(output, workbooks, force=force)
    panel = done.panel
    print_notes(list(done.notes))
    files, scorers = plural(len(panel.sources), "file"), plural(len(panel.scorers_from), "scorer")
    summary = f"the {panel.spec.group} panel, {scorers} from {files}"
    err.print(f"Wrote {escape_markup(one_line(str(done.path)))}: {summary}", highlight=False)
