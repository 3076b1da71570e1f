"""``value`` (what each option's benefit costs) and ``brief`` (the board paper)."""

import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from appraise.cli.app import app
from appraise.cli.options import (
    FLAG,
    AggregateOpt,
    ConcentrationOpt,
    ConflictOpt,
    CriteriaOpt,
    DistributionOpt,
    ForceOpt,
    FormatOpt,
    MissingOpt,
    NormaliseOpt,
    QuietOpt,
    RescaleOpt,
    ScoreNoiseOpt,
    ScoresArg,
    SeedOpt,
    SmaaSamplesOpt,
    StatusOpt,
    VerboseOpt,
    WeightOpt,
    WeightsOpt,
    exit_on_input_error,
    rankings_for,
    rules_param,
    settings_from,
)
from appraise.cli.terminal import (
    Format,
    emit,
    err,
    escape_markup,
    one_or_all,
    out,
    print_notes,
    progress_bar,
)
from appraise.safe_text import one_line

if TYPE_CHECKING:
    from appraise.analysis.scoring import Ranking

CostOpt = Annotated[
    str | None,
    typer.Option(
        "--cost",
        "-c",
        metavar="FIGURE",
        help="Which cost figure to set against the benefit (capital, revenue, ...); default: "
        "the first the file names.",
        show_default=False,
    ),
]
AboveOpt = Annotated[
    bool,
    typer.Option(
        "--above-status-quo",
        help="Benefit is each total less the status quo's (the status quo's benefit is 0).",
        metavar=FLAG,
    ),
]


def _with_costs(rankings: "list[Ranking]") -> "list[Ranking]":
    """The groups whose options give costs; of several, the others are named and skipped."""
    from appraise.analysis.value import cost_figures

    costed = [r for r in rankings if cost_figures(r)]
    if not costed or len(rankings) == 1:
        return rankings  # the one file, or none with costs: value says why, naming the file
    skipped = [r.sheet.path for r in rankings if not cost_figures(r)]
    if skipped:
        print_notes([f"no option gives a cost, so not valued: {', '.join(skipped)}"])
    return costed


@app.command()
def value(
    scores: ScoresArg = None,
    cost: CostOpt = None,
    above_status_quo: AboveOpt = False,
    fmt: FormatOpt = Format.table,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            metavar="N",
            min=0,
            max=10_000_000,
            help="Weight draws for the frontier's robustness (SMAA); 0: none.",
        ),
    ] = 10_000,
    seed: SeedOpt = 1,
    distribution: DistributionOpt = "uniform",
    concentration: ConcentrationOpt = 100.0,
    score_noise: ScoreNoiseOpt = "none",
    weights: WeightsOpt = None,
    weight: WeightOpt = None,
    criteria: CriteriaOpt = None,
    normalise: NormaliseOpt = False,
    missing: MissingOpt = "error",
    aggregate: AggregateOpt = "mean",
    status: StatusOpt = None,
    exclude_conflicted: ConflictOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Benefit against cost: the efficient frontier, cost per point, and how robust it is.

    Each option's benefit (its total, as rank gives it) is set against one of its cost
    figures (cost: in the scores file). The frontier holds the options no other beats on both
    (as much benefit or more, for as little or less); each step up it says what an extra point
    costs; an option off it is named with one that beats it. The frontier is found again under
    each weight set, and over weight draws (SMAA). Options with no such figure are listed
    apart, never treated as free. Costs never enter a total.

    Example: appraise value options/urgent-care.yaml
    Example: appraise value urgent-care --cost revenue --above-status-quo
    Example: appraise value urgent-care --samples 0 -f json
    """
    from appraise import api
    from appraise.present.value import value_markdown, value_record, value_rows

    settings = settings_from(
        weights, normalise, missing, aggregate, status, exclude_conflicted, weight, criteria
    )
    records = []
    with exit_on_input_error():
        rankings = rankings_for(scores, settings, "valuing")
        print_notes([n for r in rankings for n in r.notes])
        for ranking in _with_costs(rankings):
            result = api.value(
                ranking,
                cost=cost,
                above_status_quo=above_status_quo,
                samples=samples,
                seed=seed,
                distribution=distribution,
                concentration=concentration,
                score_noise=score_noise,
                progress=progress_bar,
            )
            print_notes(list(result.notes))
            records.append(value_record(result))

    def tables() -> None:
        from appraise.present import terminal

        for record in records:
            out.print(terminal.value_view(record))
            out.print()

    emit(
        fmt,
        lambda: one_or_all(records),
        partial(value_rows, records),
        partial(value_markdown, records),
        tables,
    )


@app.command()
def brief(
    scores: ScoresArg = None,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="FILE", help="The brief to write: .html, or .pdf."),
    ] = Path("brief.html"),
    rules: Annotated[
        Path | None,
        rules_param("Add the preferred combination across the groups under these rules."),
    ] = None,
    rescale: RescaleOpt = False,
    title: Annotated[
        str | None,
        typer.Option("--title", metavar="TEXT", help="The brief's title.", show_default=False),
    ] = None,
    samples: SmaaSamplesOpt = 10_000,
    seed: SeedOpt = 1,
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
    r"""Write the board brief for the HCE: one self-contained HTML page (or its PDF).

    Per group: the shortlist with contributions, how robust it is (in words and charts),
    options set aside and why, dissent and declared interests, and value for money where
    options give costs; across groups (--rules), the preferred combination and the rules that
    shaped it; then the method in plain words and the inputs' SHA-256. Styles and charts are
    inside the file: it opens offline and prints on A4. A .pdf needs WeasyPrint
    (pip install 'appraise\[pdf]').

    Example: appraise brief options/urgent-care.yaml -o urgent-care-brief.html
    Example: appraise brief examples/llr/llr-*.yaml -r examples/llr/rules.yaml
    Example: appraise brief urgent-care -o brief.pdf --force
    """
    import shlex

    from appraise.api import check_brief_output, write_brief

    with exit_on_input_error():
        check_brief_output(output, force)  # before the work, not after
    settings = settings_from(
        weights, normalise, missing, aggregate, status, exclude_conflicted, weight, criteria
    )
    with exit_on_input_error():
        rankings = rankings_for(scores, settings, "briefing on")
        print_notes([n for r in rankings for n in r.notes])
        written = write_brief(
            output,
            rankings,
            rules=rules,
            rescale=rescale,
            samples=samples,
            seed=seed,
            title=title,
            force=force,
            command_line=shlex.join(["appraise", *sys.argv[1:]]),
            progress=progress_bar,
        )
    err.print(f"Wrote {escape_markup(one_line(str(written)))}", highlight=False)
