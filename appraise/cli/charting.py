"""The command that draws pictures: chart."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypedDict

import typer

from appraise.choices import CHART_KINDS, ChartKind
from appraise.cli.app import app
from appraise.cli.options import (
    FLAG,
    AggregateOpt,
    BadOption,
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
from appraise.cli.terminal import err, escape_markup, print_notes, progress_bar
from appraise.safe_text import one_line

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from appraise.analysis.scoring import Ranking

SAMPLES = {"acceptability": 10_000, "value": 10_000, "combinations": 1_000}
TOP = 5  # combinations drawn by default: more make a long list of letters under the chart
# Which options only one kind of chart reads: given with another, they are refused.
ONLY_FOR = {
    "criterion": "sensitivity",
    "cost": "value",
    "above_status_quo": "value",
    "rules": "combinations",
    "top": "combinations",
    "rescale": "combinations",
}


@app.command()
def chart(
    kind: Annotated[
        ChartKind,
        typer.Argument(metavar="KIND", help=f"What to draw: {', '.join(CHART_KINDS)}."),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="The picture to write: a name ending in .png or .svg.",
            show_default=False,
        ),
    ],
    scores: ScoresArg = None,
    criterion: Annotated[
        str | None,
        typer.Option(
            "--criterion",
            metavar="ID",
            help="sensitivity: the criterion or sub-criterion whose weight runs from 0% to 100% "
            "(default: the one whose threshold lies nearest today's weight).",
            show_default=False,
        ),
    ] = None,
    cost: Annotated[
        str | None,
        typer.Option(
            "--cost",
            metavar="NAME",
            help="value: the cost figure to set benefit against (default: the file's first).",
            show_default=False,
        ),
    ] = None,
    above_status_quo: Annotated[
        bool,
        typer.Option(
            "--above-status-quo",
            metavar=FLAG,
            help="value: benefit as each total less the status quo's.",
        ),
    ] = False,
    rules: Annotated[
        Path | None, rules_param("combinations: the interdependency rules (YAML); required.")
    ] = None,
    top: Annotated[
        int,
        typer.Option(
            "--top",
            "-n",
            metavar="N",
            min=1,
            max=50,
            help="combinations: how many of the best combinations to draw (1 to 50).",
        ),
    ] = TOP,
    rescale: RescaleOpt = False,
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples",
            metavar="N",
            min=1,
            max=10_000_000,
            help="Simulated weightings: acceptability and value 10,000 by default (at most "
            "10,000,000), combinations 1,000 (at most 100,000).",
            show_default=False,
        ),
    ] = None,
    seed: SeedOpt = 1,
    distribution: DistributionOpt = "uniform",
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
    """Draw a chart as a picture (PNG, or SVG for a page), with its sources in a footnote.

    contributions: each option's total as bars of its criteria's contributions. sensitivity:
    each option's total as one weight runs from 0% to 100%, today's weight and the crossings
    marked. acceptability: how often each option takes each rank over simulated weightings.
    value: benefit against cost, with the efficient frontier. combinations: how often each of
    the best combinations across groups stays best over simulated weightings (--rules).

    Colour-blind-safe colours with hatching, so it reads in greyscale; the footnote names each
    input with its SHA-256, the weights, and the seed and samples of any simulation.

    Example: appraise chart contributions options/urgent-care.yaml -o uc.svg
    Example: appraise chart sensitivity urgent-care --criterion quality -o uc.png
    Example: appraise chart acceptability urgent-care --seed 7 -o ranks.png
    Example: appraise chart value costed.yaml --above-status-quo -o value.svg
    Example: appraise chart combinations llr-*.yaml -r rules.yaml -o best.png
    """
    from appraise.io.safe_write import check_output_path
    from appraise.present.charts import check_chart_name, save_chart

    given = {
        "criterion": criterion is not None,
        "cost": cost is not None,
        "above_status_quo": above_status_quo,
        "rules": rules is not None,
        "top": top != TOP,
        "rescale": rescale,
    }
    _check_kind(kind, given, rules, scores)
    settings = settings_from(
        weights, normalise, missing, aggregate, status, exclude_conflicted, weight, criteria
    )
    with exit_on_input_error():
        check_chart_name(output)
        check_output_path(output, [Path(s) for s in scores or []], force)  # before the work
    with exit_on_input_error(), rescale_named_as_option():
        rankings = rankings_for(scores, settings, "charting")
        if kind != "combinations":  # combine's result repeats the rankings' notes
            print_notes([n for r in rankings for n in r.notes])
        figure = _figure(
            kind,
            rankings,
            criterion=criterion,
            cost=cost,
            above_status_quo=above_status_quo,
            rules=rules,
            top=top,
            rescale=rescale,
            samples=samples or SAMPLES.get(kind, 0),
            seed=seed,
            distribution=distribution,
            concentration=concentration,
        )
        inputs = [r.sheet.file for r in rankings] + [rankings[0].sheet.tree.file]
        written = save_chart(figure, output, force, inputs=[*inputs, *([rules] if rules else [])])
    err.print(f"Wrote {escape_markup(one_line(str(written)))} ({kind} chart)", highlight=False)


def _check_kind(
    kind: str, given: dict[str, bool], rules: Path | None, scores: list[str] | None
) -> None:
    """Refuse an option the chart asked for does not read, and what the kind needs."""
    for name, was_given in given.items():
        if was_given and ONLY_FOR[name] != kind:
            raise BadOption(name, f"is for the {ONLY_FOR[name]} chart, not {kind}")
    if kind == "combinations" and rules is None:
        raise BadOption("rules", "the combinations chart needs the rules: give --rules FILE")
    if kind != "combinations" and scores and len(scores) > 1:
        raise typer.BadParameter(
            f"the {kind} chart draws one group: give one scores file (combinations takes several)",
            param_hint="SCORES",
        )


class _Random(TypedDict):
    """The simulation's settings, as ``api.sensitivity``, ``value`` and ``combine`` take them."""

    samples: int
    seed: int
    distribution: str
    concentration: float


def _figure(
    kind: str,
    rankings: "list[Ranking]",
    *,
    criterion: str | None,
    cost: str | None,
    above_status_quo: bool,
    rules: Path | None,
    top: int,
    rescale: bool,
    samples: int,
    seed: int,
    distribution: str,
    concentration: float,
) -> "Figure":
    """The chart of ``kind``, computing what it needs through ``appraise.api``."""
    from appraise import api
    from appraise.present import charts

    ranking = rankings[0]
    random = _Random(
        samples=samples, seed=seed, distribution=distribution, concentration=concentration
    )
    if kind == "contributions":
        return charts.contributions_chart(ranking)
    if kind == "sensitivity":
        return charts.sensitivity_chart(ranking, criterion)
    if kind == "acceptability":
        result = api.sensitivity(ranking, only=["smaa"], progress=progress_bar, **random)
        print_notes(list(result.notes))
        assert result.smaa is not None  # asked for, on a ranking of at least one option
        return charts.acceptability_chart(ranking, result.smaa)
    if kind == "value":
        value = api.value(
            ranking,
            cost=cost,
            above_status_quo=above_status_quo,
            weight_sets=False,
            progress=progress_bar,
            **random,
        )
        print_notes(list(value.notes))
        return charts.value_chart(value)
    combined = api.combine(rankings, rules or (), top=top, rescale=rescale, **random)
    print_notes(list(combined.notes))
    return charts.combinations_chart(combined, rules)
