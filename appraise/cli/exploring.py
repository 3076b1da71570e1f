"""``explore``: the live what-if view in the terminal (Textual, imported only here)."""

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from appraise.cli.app import app
from appraise.cli.options import (
    AggregateOpt,
    ConcentrationOpt,
    ConflictOpt,
    CriteriaOpt,
    DistributionOpt,
    ForceOpt,
    MissingOpt,
    NormaliseOpt,
    QuietOpt,
    RescaleOpt,
    ScoresArg,
    SeedOpt,
    SmaaSamplesOpt,
    StatusOpt,
    VerboseOpt,
    WeightOpt,
    WeightsOpt,
    exit_on_input_error,
    rankings_for,
    rescale_named_as_option,
    rules_param,
    settings_from,
)
from appraise.cli.terminal import err, escape_markup, print_notes
from appraise.safe_text import one_line

if TYPE_CHECKING:
    from appraise.analysis.whatif import WhatIf


def interactive() -> str | None:
    """Why this terminal cannot hold a full-screen view, or None when it can."""
    term = os.environ.get("TERM", "")
    if term in ("", "dumb"):
        return f"TERM is {term or 'not set'}"
    # The view reads keys from stdin and draws on stderr (stdout may go to a pipe or file)
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return "its keyboard or screen is not a terminal"
    return None


@app.command()
def explore(
    scores: ScoresArg = None,
    rules: Annotated[
        Path | None,
        rules_param("Add a tab of the best combinations across the groups under these rules."),
    ] = None,
    rescale: RescaleOpt = False,
    save_weights: Annotated[
        Path | None,
        typer.Option(
            "--save-weights",
            metavar="FILE",
            help="On quitting, write the weightings tried as weight sets of a criteria file "
            "(.yaml), each with who led under it.",
            show_default=False,
        ),
    ] = None,
    samples: SmaaSamplesOpt = 10_000,
    seed: SeedOpt = 1,
    distribution: DistributionOpt = "dirichlet",
    concentration: ConcentrationOpt = 100.0,
    weights: WeightsOpt = None,
    weight: WeightOpt = None,
    criteria: CriteriaOpt = None,
    normalise: NormaliseOpt = False,
    missing: MissingOpt = "error",
    aggregate: AggregateOpt = "mean",
    status: StatusOpt = None,
    exclude_conflicted: ConflictOpt = False,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Move the weights and watch the ranking: the what-if view for a meeting, in the terminal.

    Left, the criteria with their points and global per cent: Up/Down choose one, + and -
    move it a point, digits then Enter set it, Right/Left open and close its sub-criteria,
    w chooses a weight set, r goes back to the criteria file's weights. Right, a tab per
    group ranked under the weights in force, redrawn on every change (rank, total,
    contributions, the status quo marked, options set aside apart), with the selected
    criterion's threshold always shown and a leader change announced with the threshold it
    passed. Tab moves to the options: Enter explains one. s runs the simulation (SMAA) for the
    weights in force in the background; Esc cancels it. q quits; --save-weights writes the
    weightings tried, which --criteria FILE --weights explored-N runs again.

    Example: appraise explore options/urgent-care.yaml
    Example: appraise explore examples/llr/llr-*.yaml -r examples/llr/rules.yaml
    Example: appraise explore urgent-care --save-weights explored.yaml
    """
    from appraise.analysis.whatif import WhatIf

    why = interactive()
    if why is not None:
        err.print(
            f"error: explore needs an interactive terminal ({why}); rank, sensitivity and "
            "combine print the same figures",
            highlight=False,
        )
        raise typer.Exit(2)
    settings = settings_from(
        weights, normalise, missing, aggregate, status, exclude_conflicted, weight, criteria
    )
    with exit_on_input_error(), rescale_named_as_option():
        rankings = rankings_for(scores, settings, "exploring")
        print_notes([n for r in rankings for n in r.notes])
        whatif = WhatIf([r.sheet for r in rankings], settings)
        if save_weights is not None:
            from appraise.api import check_explored_output

            check_explored_output(save_weights, whatif, force)
        if rules is not None:  # read and checked now, not first in the view
            from appraise import api

            api.combine(rankings, rules, top=1, samples=0, rescale=rescale)
    from appraise.tui.explore import ExploreApp, Simulation

    view = ExploreApp(
        whatif,
        rules=rules,
        rescale=rescale,
        simulation=Simulation(samples, seed, distribution, concentration),
        command=["appraise", *sys.argv[1:]],
    )
    view.run()
    if save_weights is not None:
        written, count = _save(save_weights, whatif, force)
        err.print(
            f"Wrote {escape_markup(one_line(str(written)))}: {count} weighting"
            f"{'s' if count != 1 else ''} tried, as weight sets explored-1 to explored-{count}",
            highlight=False,
        )


def _save(out: Path, whatif: "WhatIf", force: bool) -> tuple[Path, int]:
    """Write the weightings tried; if the file cannot be written, they go to stdout instead.

    The meeting's work is never lost to a full disk or a folder removed while it ran.
    """
    from appraise.api import explored_text, write_explored

    try:
        with exit_on_input_error():
            return write_explored(out, whatif, force=force)
    except typer.Exit:
        err.print("the weightings tried follow, as the file would have held them", highlight=False)
        sys.stdout.write(explored_text(whatif)[0])
        raise
