"""The commands that read and rank one group at a time: rank, check, criteria, sensitivity."""

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from appraise.choices import ANALYSES
from appraise.cli.app import app
from appraise.cli.options import (
    FLAG,
    AggregateOpt,
    AnalysisName,
    BadOption,
    ConcentrationOpt,
    ConflictOpt,
    CriteriaOpt,
    DistributionOpt,
    FormatOpt,
    MissingOpt,
    NormaliseOpt,
    QuietOpt,
    ScoreNoiseOpt,
    ScoresArg,
    SeedOpt,
    SmaaSamplesOpt,
    StatusOpt,
    VerboseOpt,
    WeightOpt,
    WeightsOpt,
    chosen,
    exit_on_input_error,
    rankings_for,
    settings_from,
)
from appraise.cli.terminal import (
    Format,
    emit,
    escape_markup,
    one_or_all,
    out,
    print_notes,
    progress_bar,
)
from appraise.safe_text import one_line, plural

if TYPE_CHECKING:
    from appraise.model import Settings
    from appraise.present.records import RankingRecord

    pass


@app.command()
def rank(
    scores: ScoresArg = None,
    fmt: FormatOpt = Format.table,
    top: Annotated[
        int | None,
        typer.Option("--top", "-n", metavar="N", min=1, help="Show only the top N options."),
    ] = None,
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
    """Print the ranked shortlist of each scores file, with each criterion's contribution.

    Options that fail a gate are listed apart with the reason; the status quo is marked.
    Notes (rescaled weights, substituted scores) go to stderr and, in JSON, to "notes".

    Example: appraise rank options/urgent-care.yaml --top 3
    Example: appraise rank options/*.yaml --weights equal --format json
    Example: appraise rank   (the bundled example)
    """
    from appraise.present.ranking import ranking_markdown, ranking_record, ranking_rows

    settings = settings_from(
        weights, normalise, missing, aggregate, status, exclude_conflicted, weight, criteria
    )
    with exit_on_input_error():
        rankings = rankings_for(scores, settings, "ranking")
    print_notes([n for r in rankings for n in r.notes])

    def records() -> "list[RankingRecord]":
        return [ranking_record(r, top) for r in rankings]

    def tables() -> None:
        from appraise.present import terminal

        for ranking in rankings:  # the table shows TABLE_ROWS options unless --top says so
            tree = ranking.sheet.tree  # names for the legend and for "Scorers far apart"
            names = {c: tree.name(c) for c in (*tree.top_ids, *tree.leaf_ids)}
            record = ranking_record(ranking, top or terminal.TABLE_ROWS)
            total = len(ranking.options)
            out.print(
                terminal.ranking_table(record, names, total, out.size.width, capped=top is None)
            )
            out.print()

    emit(
        fmt,
        lambda: one_or_all(records()),
        lambda: ranking_rows(records()),
        lambda: ranking_markdown(records()),
        tables,
    )


@app.command()
def check(
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILES",
            help="Criteria, scores or rules files (YAML), scoring workbooks (.xlsx), or "
            "bundled names.",
            show_default=False,
            readable=False,  # an unreadable file is the input's fault: exit 1, as elsewhere
        ),
    ],
    fmt: FormatOpt = Format.table,
    strict: Annotated[
        bool, typer.Option("--strict", metavar=FLAG, help="Treat warnings as errors.")
    ] = False,
    normalise: NormaliseOpt = False,
    missing: MissingOpt = "error",
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Validate files and list every problem found, not just the first. Exit 1 on any error.

    Rules files are checked against the groups of the scores files given alongside them.
    Warnings (no status-quo option, a scorer who skipped a cell, scoring lint such as a score far
    from the rest of the panel) do not fail unless --strict.

    Example: appraise check options/urgent-care.yaml
    Example: appraise check criteria/cp-2016.yaml options/*.yaml examples/rules.yaml
    Example: appraise check scores.xlsx --strict   (warnings fail too)
    """
    from appraise import api
    from appraise.present.formats import to_markdown
    from appraise.present.ranking import problem_record

    with exit_on_input_error():
        result = api.check(files, normalise=normalise, missing=missing)
    print_notes(result.notes)
    problems = [problem_record(p) for p in result.problems]
    failed = any(p.severity == "error" or strict for p in result.problems)

    def tables() -> None:
        from appraise.present import terminal

        if problems:
            out.print(terminal.problems_table(problems))
        n_err = sum(p.severity == "error" for p in result.problems)
        n_warn = len(result.problems) - n_err
        verdict = "[bold red]FAILED[/]" if failed else "[bold green]OK[/]"
        kinds = ", ".join(f"{one_line(f['file'])} ({f['kind']})" for f in result.files)
        out.print(
            f"{verdict}: {plural(n_err, 'error')}, {plural(n_warn, 'warning')} in "
            f"{plural(len(result.files), 'file')}: " + escape_markup(kinds),
            highlight=False,
        )

    emit(
        fmt,
        lambda: {"ok": not failed, "files": result.files, "problems": problems},
        lambda: problems,
        lambda: to_markdown(problems) if problems else "No problems found.",
        tables,
    )
    if failed:
        raise typer.Exit(1)


@app.command()
def criteria(
    file: Annotated[
        str | None,
        typer.Argument(
            metavar="CRITERIA",
            help="Criteria file or bundled name (default: the bundled C&P 2016 table).",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    normalise: NormaliseOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Show the criteria tree with local and global weights, and any printed figures that differ.

    Global weight of a sub-criterion = criterion share x sub-criterion share within its family.

    Example: appraise criteria   (the bundled C&P 2016 table)
    Example: appraise criteria my-criteria.yaml --format csv
    """
    from appraise import api, bundled
    from appraise.present.ranking import criteria_markdown, criteria_record, criteria_rows

    with exit_on_input_error():
        tree = api.load_criteria(file or bundled.DEFAULT_CRITERIA, normalise=normalise)
    record = criteria_record(tree)
    print_notes(list(tree.notes))

    def tables() -> None:
        from appraise.present import terminal

        out.print(terminal.criteria_table(record, out.size.width))

    emit(
        fmt,
        lambda: record,
        partial(criteria_rows, record),
        partial(criteria_markdown, record),
        tables,
    )


@app.command()
def sensitivity(
    scores: ScoresArg = None,
    fmt: FormatOpt = Format.table,
    only: Annotated[
        list[AnalysisName] | None,  # type: ignore[valid-type]
        typer.Option(
            "--only",
            metavar="ANALYSIS",
            help=f"Run only these analyses (repeat the option: {', '.join(ANALYSES)}); "
            "default: all.",
            show_default=False,
        ),
    ] = None,
    chart: Annotated[
        str | None,
        typer.Option(
            "--chart",
            metavar="CRITERION",
            help="Draw every option's total as this criterion's (or sub-criterion's) weight runs "
            "from 0% to 100%, today's weight marked, and say where the order changes; "
            "instead of the tables.",
            show_default=False,
        ),
    ] = None,
    top: Annotated[
        int,
        typer.Option(
            "--top", "-n", metavar="N", min=1, help="The shortlist size the analyses watch."
        ),
    ] = 3,
    samples: SmaaSamplesOpt = 10_000,
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
    """How far the ranking can be trusted: thresholds, weight sets, leave-one-out, simulation.

    Exact one-way weight thresholds for every criterion and sub-criterion (closed form), score
    changes that would let an option draw level, the ranking under each named weight set,
    leaving out each criterion and scorer, and SMAA-2 simulation (rank acceptability, central
    weights, confidence). Each analysis ends in one plain sentence.

    Example: appraise sensitivity options/urgent-care.yaml
    Example: appraise sensitivity urgent-care --only smaa --samples 1000000 --seed 7
    Example: appraise sensitivity stroke-rehab --score-noise scorers -f json
    """
    from appraise import api
    from appraise.analysis.sensitivity import check_size
    from appraise.choices import ANALYSES
    from appraise.present.sensitivity import (
        sensitivity_markdown,
        sensitivity_record,
        threshold_rows,
    )

    settings = settings_from(
        weights, normalise, missing, aggregate, status, exclude_conflicted, weight, criteria
    )
    what = chosen(only) or list(ANALYSES)
    if chart is not None:
        _chart(scores, settings, chart, fmt)
        return
    records = []
    with exit_on_input_error():
        rankings = rankings_for(scores, settings, "testing")
        for ranking in rankings:
            check_size(ranking)  # every file, before a minute is spent on the first
        print_notes([n for r in rankings for n in r.notes])
        for ranking in rankings:
            result = api.sensitivity(
                ranking,
                samples=samples,
                seed=seed,
                distribution=distribution,
                concentration=concentration,
                score_noise=score_noise,
                top=top,
                only=what,
                progress=progress_bar,
            )
            print_notes(list(result.notes))
            records.append(sensitivity_record(result))

    def tables() -> None:
        from appraise.present import terminal

        for ranking, record in zip(rankings, records, strict=True):
            tree = ranking.sheet.tree
            names = {c: tree.name(c) for c in tree.leaf_ids + tree.top_ids}
            option_names = {o.id: o.name for o in ranking.options}
            out.print(terminal.sensitivity_view(record, option_names, names, out.size.width))
            out.print()

    emit(
        fmt,
        lambda: one_or_all(records),
        partial(threshold_rows, records),
        partial(sensitivity_markdown, records),
        tables,
    )


def _chart(scores: list[str] | None, settings: "Settings", node: str, fmt: Format) -> None:
    """``sensitivity --chart``: the one-way chart of one weight, for each scores file."""
    from appraise.analysis.sensitivity import weight_chart
    from appraise.present import terminal

    if fmt is not Format.table:
        raise BadOption("chart", "draws for the terminal; leave out --format (or --chart)")
    with exit_on_input_error():
        rankings = rankings_for(scores, settings, "charting")
        charts = [weight_chart(ranking, node) for ranking in rankings]
    print_notes([n for r in rankings for n in r.notes])
    for ranking, drawn in zip(rankings, charts, strict=True):
        out.print(terminal.weight_chart_view(ranking, drawn, out.size.width))
        out.print()


@app.command()
def explain(
    scores: Annotated[
        str,
        typer.Argument(metavar="SCORES", help="The scores file (YAML or .xlsx) or a bundled name."),
    ],
    option: Annotated[
        str, typer.Argument(metavar="OPTION", help="The option to take apart (its id).")
    ],
    against: Annotated[
        str | None,
        typer.Option(
            "--against",
            "-a",
            metavar="OPTION",
            help="Another option to compare with (default: the leader, or the runner-up when "
            "the option leads).",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
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
    """Where an option's total comes from, and what makes its gap to another option.

    Every sub-criterion's weight (as used), score, the panel's range and its part of the
    total; then, against the leader (or --against OTHER), the gap by criterion, largest first.

    Example: appraise explain options/urgent-care.yaml miiu-to-pshft
    Example: appraise explain urgent-care rural-hubs --against hubs-and-miiu
    """
    from appraise import api
    from appraise.present.explain import explain_markdown, explain_record, explain_rows

    settings = settings_from(
        weights, normalise, missing, aggregate, status, exclude_conflicted, weight, criteria
    )
    with exit_on_input_error():
        (ranking,) = rankings_for([scores], settings, "explaining")
        result = api.explain(ranking, option, against=against)
    print_notes(list(ranking.notes))
    record = explain_record(result)

    def tables() -> None:
        from appraise.present import terminal

        out.print(terminal.explain_view(record))

    emit(
        fmt,
        lambda: record,
        lambda: explain_rows(record),
        lambda: explain_markdown([record]),
        tables,
    )
