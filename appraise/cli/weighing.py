"""The command that turns each body's judgements into weights: weigh."""

from pathlib import Path
from typing import Annotated

import typer

from appraise.choices import POOLINGS, Pooling
from appraise.cli.app import app
from appraise.cli.options import (
    ForceOpt,
    FormatOpt,
    QuietOpt,
    VerboseOpt,
    a_name,
    exit_on_input_error,
)
from appraise.cli.terminal import Format, emit, err, escape_markup, out, print_notes
from appraise.safe_text import one_line


@app.command()
def weigh(
    elicitation: Annotated[
        str,
        typer.Argument(
            metavar="ELICITATION",
            help="The bodies' judgements (YAML, see 'Input files' in the README) or a bundled "
            "example's name.",
            show_default=False,
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write a criteria file (.yaml): the pooled weights as its weights, each body's "
            "as a weight set.",
            show_default=False,
        ),
    ] = None,
    scores: Annotated[
        str | None,
        typer.Option(
            "--scores",
            "-s",
            metavar="SCORES",
            help="Say who leads this scores file under each body's weights.",
            callback=a_name,
        ),
    ] = None,
    combine: Annotated[
        Pooling | None,
        typer.Option(
            "--combine",
            metavar="POOL",
            help=f"Pool the bodies' weights by {', '.join(POOLINGS[:-1])} or {POOLINGS[-1]} "
            "(default: the file's choice, else mean).",
            show_default=False,
        ),
    ] = None,
    workbook: Annotated[
        Path | None,
        typer.Option(
            "--workbook",
            metavar="FILE",
            help="Also write the judgements as a weighting workbook (.xlsx), a sheet per body, "
            "to edit and weigh again.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    force: ForceOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Weights from each body's judgements (swing, points or pairwise), side by side and pooled.

    Each body states its view per family of criteria; a pairwise family gets Saaty's
    consistency ratio, and above 0.10 the judgement most at odds with the rest is named with
    the value the others imply. A family a body does not state keeps the criteria file's
    weights, and the output says so. -o writes the criteria file that `rank`, `sensitivity`
    and `export` read, so each body's view is a weight set beside the pooled weights.

    Example: appraise weigh examples/elicitation-cp-2016.yaml
    Example: appraise weigh elicitation-cp-2016 --scores options/urgent-care.yaml
    Example: appraise weigh elicitation-cp-2016 --combine geometric -o weighed.yaml
    Example: appraise weigh elicitation-cp-2016 --workbook workshop.xlsx
    Example: appraise weigh workshop.xlsx   (a weighting workbook, filled in)
    Example: appraise sensitivity options/urgent-care.yaml   (after -o, with it named)
    """
    from appraise import api
    from appraise.present.elicitation import weigh_record, weigh_rows
    from appraise.present.formats import to_markdown

    with exit_on_input_error():
        result = api.weigh(elicitation, combine=combine)
        leaders = option_names = None
        if scores is not None:
            sheet = api.load_scores(scores)
            leaders = api.leaders_by_body(result, sheet)
            option_names = {o.id: o.name for o in sheet.options}
        # Both outputs are checked before either is written: a refused one leaves nothing behind.
        from appraise.io.safe_write import check_output_path, require_suffix

        for target, suffix, what in (
            (output, ".yaml", "a criteria file"),
            (workbook, ".xlsx", "the elicitation workbook"),
        ):
            if target is not None:
                require_suffix(target, suffix, what)
                check_output_path(target, [], force)
        written = (
            api.write_weighed(result, output, elicitation=elicitation, force=force)
            if output is not None
            else None
        )
        book = (
            api.make_elicitation_workbook(workbook, elicitation=elicitation, force=force)
            if workbook is not None
            else None
        )
    print_notes(list(result.tree.notes))
    record = weigh_record(result, leaders, option_names)

    def tables() -> None:
        from appraise.present import terminal

        tree = result.tree
        names = {n: tree.name(n) for n in (*tree.top_ids, *tree.leaf_ids)}
        title = f"Weights of {tree.spec.title}, from {len(result.bodies)} bodies' judgements"
        out.print(terminal.weigh_view(record, names, title, out.size.width))

    emit(
        fmt,
        lambda: record,
        lambda: weigh_rows(record),
        lambda: to_markdown(weigh_rows(record)),
        tables,
    )
    for done in (written, book):
        if done is not None:
            err.print(f"Wrote {escape_markup(one_line(str(done)))}", highlight=False)
