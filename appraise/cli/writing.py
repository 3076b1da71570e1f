"""The commands across groups and rounds, and those that write files.

combine, diff, template, export and examples.
"""

import sys
from functools import partial
from pathlib import Path
from typing import Annotated

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
    ScoresArg,
    SeedOpt,
    SmaaSamplesOpt,
    StatusOpt,
    VerboseOpt,
    WeightOpt,
    WeightsOpt,
    a_name,
    check_scale,
    checked_group_weights,
    checked_limits,
    exit_on_input_error,
    rankings_for,
    rescale_named_as_option,
    rules_param,
    settings_from,
)
from appraise.cli.terminal import (
    Format,
    emit,
    err,
    escape_markup,
    out,
    print_notes,
    progress_bar,
    writing_bar,
)
from appraise.safe_text import one_line


@app.command()
def combine(
    scores: Annotated[
        list[str],
        typer.Argument(
            metavar="SCORES",
            help="One scores file per working group (YAML or .xlsx), all on one criteria file.",
            show_default=False,
        ),
    ],
    rules: Annotated[Path | None, rules_param("Interdependency rules (YAML).")] = None,
    top: Annotated[
        int, typer.Option("--top", "-n", metavar="N", min=1, help="How many combinations to list.")
    ] = 10,
    limit: Annotated[
        list[str] | None,
        typer.Option(
            "--limit",
            metavar="LIMIT",
            help="A cap or floor on a summed option attribute, e.g. 'net_capital<=300000' "
            "(repeatable).",
            show_default=False,
            callback=checked_limits,
        ),
    ] = None,
    group_weight: Annotated[
        list[str] | None,
        typer.Option(
            "--group-weight",
            metavar="GROUP=WEIGHT",
            help="Weight a group's total in the sum, e.g. 'llr-acute=2' (default 1; above 0; "
            "repeatable).",
            show_default=False,
            callback=checked_group_weights,
        ),
    ] = None,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            metavar="N",
            min=0,
            max=100_000,
            help="Simulated weightings for robustness, up to 100,000 (0: none).",
        ),
    ] = 1_000,
    seed: SeedOpt = 1,
    distribution: DistributionOpt = "uniform",
    concentration: ConcentrationOpt = 100.0,
    rescale: RescaleOpt = False,
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
    """The best combinations of options across working groups, one option per group.

    An exact search (branch and bound) for the top combinations by the sum of
    the chosen options' totals (each as `rank` gives it), under the rules
    (requires, excludes, one_of, at_most) and any --limit. Explains the
    preferred combination group by group, naming the rule behind every choice
    that is not the group's own best, and shows how often it stays best under
    each weight set and under simulated weights.

    Groups scored on different scales (1..5 and -2..2, say) cannot be added as
    they are, and are refused; --rescale puts each group's totals on 0-1 of its
    own scale first (0 = the bottom on every criterion, 1 = the top), and every
    figure is then called a "rescaled total".

    Example: appraise combine examples/llr/llr-*.yaml -r examples/llr/rules.yaml
    Example: appraise combine options/*.yaml -r examples/rules.yaml --rescale
    Example: appraise combine options/*.yaml --rescale -f json
    """
    from appraise import api
    from appraise.analysis.combine import parse_group_weights
    from appraise.present.combine import combination_rows, combine_markdown, combine_record

    settings = settings_from(
        weights, normalise, missing, aggregate, status, exclude_conflicted, weight, criteria
    )
    with exit_on_input_error(), rescale_named_as_option():
        result = api.combine(
            rankings_for(scores, settings, "combining"),
            rules or (),
            top=top,
            limits=limit or (),
            group_weights=parse_group_weights(group_weight or []),
            samples=samples,
            seed=seed,
            distribution=distribution,
            concentration=concentration,
            rescale=rescale,
        )
    record = combine_record(result)
    print_notes(list(result.notes))
    rows = partial(combination_rows, record)
    markdown = partial(combine_markdown, record)

    def tables() -> None:
        from appraise.present import terminal

        out.print(terminal.combinations_view(record, out.size.width))

    emit(fmt, lambda: record, rows, markdown, tables)


@app.command()
def diff(
    old: Annotated[
        str,
        typer.Argument(metavar="OLD", help="The earlier round's scores file (YAML or .xlsx)."),
    ],
    new: Annotated[str, typer.Argument(metavar="NEW", help="The later round's scores file.")],
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
    """What changed between two scoring rounds of a group, and what moved the ranking.

    Options added, dropped or renamed; every score change (per cell and, for panels, per
    scorer); weight changes; each option's rank and total before and after, with the change in
    total split into the part from score changes and the part from weight changes; scorers
    added, removed or renamed, with the scores they gave. An indicative round and a re-score
    are compared at the top-level criteria.

    Example: appraise diff examples/urgent-care-indicative.yaml options/urgent-care.yaml
    Example: appraise diff round1.xlsx round2.xlsx --format json
    """
    from appraise import api, io
    from appraise.present.diff import diff_markdown, diff_record, diff_rows

    settings = settings_from(
        weights, normalise, missing, aggregate, status, exclude_conflicted, weight, criteria
    )
    with exit_on_input_error():
        before, after = (api.rank(s, settings) for s in io.load_inputs([old, new], settings))
        result = api.diff(before, after)
    record = diff_record(result)
    print_notes(record["notes"])
    markdown = partial(diff_markdown, record)

    def tables() -> None:
        from appraise.present import terminal

        tree = after.sheet.tree
        names = {c: tree.name(c) for c in tree.leaf_ids + tree.top_ids}
        out.print(terminal.diff_view(record, names, out.size.width))

    emit(fmt, lambda: record, partial(diff_rows, record), markdown, tables)


@app.command()
def template(
    criteria: Annotated[
        str,
        typer.Argument(
            metavar="CRITERIA",
            help="Criteria file or bundled name (e.g. cp-2016).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="The workbook to write (.xlsx).",
            show_default=False,
        ),
    ],
    scores: Annotated[
        str | None,
        typer.Option(
            "--scores",
            "-s",
            metavar="SCORES",
            help="Pre-fill the group, options, scorers and scores from this file.",
            callback=a_name,
        ),
    ] = None,
    indicative: Annotated[
        bool,
        typer.Option(
            "--indicative",
            metavar=FLAG,
            help="Score the top-level criteria (indicative round), not the subs.",
        ),
    ] = False,
    scale: Annotated[
        tuple[float, float] | None,
        typer.Option(
            "--scale",
            metavar="MIN MAX",
            help="The scoring scale of a blank template (default 1 5; e.g. --scale -2 2).",
            show_default=False,
        ),
    ] = None,
    elicitation: Annotated[
        bool,
        typer.Option(
            "--elicitation",
            metavar=FLAG,
            help="Make a weighting workbook instead: a sheet per body (--body) for its swing, "
            "points or pairwise judgements, which `appraise weigh` reads.",
        ),
    ] = False,
    body: Annotated[
        list[str] | None,
        typer.Option(
            "--body",
            metavar="ID",
            help="A body whose view the weighting workbook takes (repeatable; default one).",
            show_default=False,
        ),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Make a scoring workbook a working group fills in, then `appraise rank` reads it back.

    Sheets: Instructions, Group, Criteria (locked), Options, Scorers, Scores (one row per scorer
    and option; only numbers on the Group sheet's scale), Interests, Gates, Gate results.
    The Criteria sheet holds the whole table, so the workbook still reads when moved.

    Example: appraise template cp-2016 -o urgent-care.xlsx
    Example: appraise template cp-2016 --scale -2 2 -o stroke.xlsx
    Example: appraise template cp-2016 --scores options/urgent-care.yaml -o uc.xlsx
    Example: appraise rank urgent-care.xlsx   (once filled in)
    Example: appraise template cp-2016 --elicitation --body cag --body fd-forum -o w.xlsx
    """
    from appraise.api import make_template

    if elicitation:
        from appraise.api import make_elicitation_workbook

        with exit_on_input_error():
            written = make_elicitation_workbook(output, criteria, bodies=body, force=force)
        err.print(f"Wrote {escape_markup(one_line(str(written)))}", highlight=False)
        return
    if scale is not None:
        check_scale(scale)
    with exit_on_input_error():
        written = make_template(
            output, criteria, scores=scores, indicative=indicative, scale=scale, force=force
        )
    err.print(f"Wrote {escape_markup(one_line(str(written)))}", highlight=False)


@app.command()
def export(
    scores: ScoresArg = None,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="FILE", help="The workbook to write (.xlsx)."),
    ] = Path("appraisal.xlsx"),
    weights: WeightsOpt = None,
    weight: WeightOpt = None,
    criteria: CriteriaOpt = None,
    normalise: NormaliseOpt = False,
    missing: MissingOpt = "error",
    aggregate: AggregateOpt = "mean",
    status: StatusOpt = None,
    exclude_conflicted: ConflictOpt = False,
    force: ForceOpt = False,
    no_sensitivity: Annotated[
        bool,
        typer.Option(
            "--no-sensitivity",
            metavar=FLAG,
            help="Leave out the sensitivity sheets (thresholds, weight sets, leave-one-out, "
            "simulation), which are written by default.",
        ),
    ] = False,
    samples: SmaaSamplesOpt = 10_000,
    seed: SeedOpt = 1,
    rules: Annotated[
        Path | None, rules_param("Add a Combinations sheet for these groups under these rules.")
    ] = None,
    rescale: RescaleOpt = False,
    previous: Annotated[
        str | None,
        typer.Option(
            "--previous",
            metavar="FILE",
            help="An earlier round of the (one) group: add a Rounds sheet of what changed.",
            callback=a_name,
        ),
    ] = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Write the HCE workbook: the same results `rank` and `sensitivity` show, live formulas.

    Sheets: Summary (shortlist, leader, status quo, gate failures, chart), Criteria (weights an
    HCE member may change), Scores (per scorer, spread, disagreements), Totals (formulas that
    recompute when a weight changes), Validation (every note), Audit (inputs with SHA-256,
    versions, command line), per group a Sensitivity sheet (thresholds with a line chart,
    weight sets, leave-one-out, rank acceptability with a chart), and a Value sheet where
    options give costs (benefit against each cost figure, the frontier). Written whole or not
    at all; never over an input file.

    Example: appraise export options/urgent-care.yaml -o urgent-care-hce.xlsx
    Example: appraise export options/*.yaml --weights clinical -o all-groups.xlsx --force
    Example: appraise export options/*.yaml -r examples/rules.yaml --rescale -o cag.xlsx
    Example: appraise export urgent-care --previous round1.yaml -o uc.xlsx
    """
    import shlex

    from appraise.api import export_workbook
    from appraise.io.safe_write import require_suffix
    from appraise.validate import one_file_per_group

    with exit_on_input_error():
        require_suffix(output, ".xlsx", "the HCE workbook")  # before the work, not after
    settings = settings_from(
        weights, normalise, missing, aggregate, status, exclude_conflicted, weight, criteria
    )
    with exit_on_input_error(), rescale_named_as_option():
        rankings = rankings_for(scores, settings, "exporting")
        one_file_per_group([r.sheet for r in rankings])  # refused before the notes are shown
        print_notes([n for r in rankings for n in r.notes])
        done = export_workbook(
            output,
            rankings,
            rules=rules,
            previous=previous,
            sensitivity=not no_sensitivity,
            samples=samples,
            seed=seed,
            rescale=rescale,
            force=force,
            command_line=shlex.join(["appraise", *sys.argv[1:]]),
            progress=progress_bar,
            writing=writing_bar,
        )
    print_notes(list(done.notes))
    written = done.path
    err.print(f"Wrote {escape_markup(one_line(str(written)))}", highlight=False)


@app.command()
def examples(
    folder: Annotated[
        Path,
        typer.Argument(
            metavar="FOLDER", help="A new (or empty) folder to copy them into.", show_default=True
        ),
    ] = Path("appraise-examples"),
) -> None:
    """Copy the bundled criteria, options and examples into a folder, to follow the README there.

    After a plain `pip install` the README's commands (`appraise rank options/urgent-care.yaml`,
    `appraise combine examples/llr/llr-*.yaml ...`) need these folders; this makes them. It
    never writes into a folder that already holds anything.

    Example: appraise examples tour && cd tour && appraise rank options/urgent-care.yaml
    """
    from appraise.api import copy_examples

    with exit_on_input_error():
        made = copy_examples(folder)
    err.print(f"Copied {', '.join(p.name + '/' for p in made)} into {folder}", highlight=False)
