"""The command line: parse, load, compute, render. The only place errors become exit codes.

Core modules are imported inside each command so that ``appraise --help`` loads typer and
rich only.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import Enum
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook, RichCast
from rich.segment import Segment
from typer.core import TyperGroup

if TYPE_CHECKING:
    from appraise.model import Settings
    from appraise.scoring import Ranking

# Typer's own base of usage errors (it vendors click): found from a public class.
_USAGE_ERROR: type[Exception] = next(
    c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException"
)


@contextmanager
def _printable_usage_errors() -> Iterator[None]:
    r"""A usage error quoting what was typed shows its control characters as escapes.

    ``--weights $'\x1b[2J'`` or an unknown option holding ESC would otherwise clear the screen
    from the error panel, which Typer draws itself.
    """
    from appraise.safe_text import printable

    try:
        yield
    except _USAGE_ERROR as exc:
        message = getattr(exc, "message", None)
        if isinstance(message, str):
            exc.message = printable(message)  # type: ignore[attr-defined]
        raise


class _SafeGroup(TyperGroup):
    """The command group, with usage errors made printable (``_printable_usage_errors``)."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _printable_usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _printable_usage_errors():
            return super().invoke(ctx)


app = typer.Typer(
    cls=_SafeGroup,
    name="appraise",
    help=(
        "Multi-criteria option appraisal for health and care service reconfiguration.\n\n"
        "Load weighted criteria and working-group scores (YAML or Excel), validate them strictly, "
        "rank the options, test how robust the ranking is, search combinations across groups, "
        "and write the HCE workbook.\n\n"
        "Example: appraise rank options/urgent-care.yaml"
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


class _Printable:
    r"""A renderable whose text, as drawn, shows control characters as escapes (``\x1b``).

    Rich keeps styles apart from text until it writes, so escaping each segment's text here
    catches whatever came from a file or the command line (a name, a path, a quoted key) in
    every table, note and error line, and leaves rich's own colours alone.
    """

    def __init__(self, renderable: ConsoleRenderable | RichCast | str) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        from appraise.safe_text import printable

        for segment in console.render(self.renderable, options):
            if segment.control or segment.text.isprintable():
                yield segment
            else:
                yield Segment(printable(segment.text), segment.style)


class _PrintableHook(RenderHook):
    """Every renderable a console prints goes through ``_Printable``."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Printable(r) for r in renderables]


out = Console(soft_wrap=False)
err = Console(stderr=True, soft_wrap=True)
for _console in (out, err):
    _console.push_render_hook(_PrintableHook())
_state = {"debug": False}


class Format(str, Enum):
    """Output formats shared by every command."""

    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"


class MissingPolicy(str, Enum):
    """What to do with a cell nobody scored."""

    error = "error"
    exclude = "exclude"
    baseline = "baseline"
    renormalise = "renormalise"


class AnalysisName(str, Enum):
    """The analyses ``sensitivity`` can run."""

    thresholds = "thresholds"
    within = "within"
    scores = "scores"
    weight_sets = "weight-sets"
    leave_one_out = "leave-one-out"
    smaa = "smaa"


class DistributionName(str, Enum):
    """How SMAA samples weights."""

    uniform = "uniform"
    family = "family"
    dirichlet = "dirichlet"


class ScoreNoiseName(str, Enum):
    """How SMAA perturbs scores."""

    none = "none"
    scorers = "scorers"
    range = "range"


class OptionStatusName(str, Enum):
    """Option register statuses."""

    viable = "viable"
    long_listed = "long-listed"
    shortlisted = "shortlisted"
    preferred = "preferred"
    rejected = "rejected"


class AggregateMethod(str, Enum):
    """How per-scorer scores are combined cell by cell."""

    mean = "mean"
    median = "median"


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
WeightsOpt = Annotated[
    str | None,
    typer.Option("--weights", "-w", help="Use a named weight set from the criteria file."),
]
FLAG = ""  # a flag takes no value: show no type placeholder in --help
NormaliseOpt = Annotated[
    bool,
    typer.Option(
        "--normalise",
        metavar=FLAG,
        help="Rescale weight families that do not sum to 100 (and say so).",
    ),
]
MissingOpt = Annotated[
    MissingPolicy,
    typer.Option(
        "--missing",
        help="Cells nobody scored: error, or exclude the option, use the status quo's score "
        "(baseline), or rescale the option's other weights (renormalise). Each is reported.",
    ),
]
StatusOpt = Annotated[
    list[OptionStatusName] | None,
    typer.Option(
        "--status",
        help="Rank only options with this register status (repeatable), and the status quo for "
        "comparison; rejected options are always listed apart with their reason.",
        show_default=False,
    ),
]
ConflictOpt = Annotated[
    bool,
    typer.Option(
        "--exclude-conflicted",
        metavar=FLAG,
        help="Leave out each scorer's scores for the options they declared an interest in.",
    ),
]
ScoresArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Scores files (YAML or .xlsx workbooks) or bundled names, one per group; none: the "
        "bundled example.",
        show_default=False,
    ),
]
# The largest seed: most tools take seeds this size, and the workbook's Audit sheet records a
# seed exactly only below 2^53 (a spreadsheet number is a double).
MAX_SEED = 2**32 - 1
SeedOpt = Annotated[
    int,
    typer.Option(
        "--seed", metavar="N", min=0, max=MAX_SEED, help="Random seed; the same seed repeats."
    ),
]
DistributionOpt = Annotated[
    DistributionName,
    typer.Option(
        "--distribution",
        help="Simulated weights: uniform (no preferences), family (per criterion, then per "
        "sub-criterion) or dirichlet (centred on today's weights).",
    ),
]
ConcentrationOpt = Annotated[
    float,
    typer.Option(
        "--concentration",
        metavar="X",
        min=0.001,
        max=1e6,  # at 1e6 a sampled weight stays within 0.05 points (1 sd) of today's
        help="Dirichlet spread: larger stays closer to today (0.001 to 1e6).",
    ),
]
SmaaSamplesOpt = Annotated[
    int,
    typer.Option(
        "--samples", metavar="N", min=1, max=10_000_000, help="Simulation samples (SMAA)."
    ),
]
AggregateOpt = Annotated[
    AggregateMethod,
    typer.Option("--aggregate", help="Combine per-scorer scores by mean or median."),
]


def _version(value: bool) -> None:
    if value:
        from appraise import __version__

        out.print(f"appraise {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[
        bool, typer.Option("--debug", metavar=FLAG, help="Show a traceback for input errors.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", metavar=FLAG, callback=_version, is_eager=True, help="Show the version."
        ),
    ] = False,
) -> None:
    _state["debug"] = debug


# The command-line option that sets a library parameter, where their names differ.
OPTION_FOR = {
    "weight_set": "weights",
    "out": "output",
    "k": "top",
    "limits": "limit",
    "group_weights": "group_weight",
    "statuses": "status",
}


class BadOption(typer.BadParameter):
    """A ``ParameterError`` as Typer's usage error: exit 2, naming the option that was wrong.

    The option is found by name among the command's parameters once Typer has attached the
    context (when the message is shown), so the hint reads as Typer's own ('--top' / '-n').
    """

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        name = parameter.lstrip("-").replace("-", "_")  # older core code names the flag
        self.option = OPTION_FOR.get(name, name)

    def format_message(self) -> str:
        """Typer's "Invalid value for '--option': message"."""
        if self.param_hint is None:
            params = self.ctx.command.params if self.ctx else []
            opts = next((p.opts for p in params if p.name == self.option), None)
            self.param_hint = [*opts] if opts else f"'--{self.option.replace('_', '-')}'"
        return super().format_message()


@contextmanager
def exit_on_input_error() -> Iterator[None]:
    """Turn the tool's own errors into a message on stderr and exit code 1.

    A wrong value for an option (``ParameterError``) is a usage error instead: exit code 2,
    naming the option.
    """
    from appraise.errors import AppraiseError, ParameterError

    try:
        yield
    except ParameterError as exc:
        if _state["debug"]:
            raise
        raise BadOption(exc.parameter, exc.message) from None
    except AppraiseError as exc:
        if _state["debug"]:
            raise
        for line in exc.lines():
            err.print(f"[bold red]error:[/] {_escape(line)}", highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written")
        raise typer.Exit(130) from None


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def _notes(notes: list[str]) -> None:
    for note in dict.fromkeys(notes):  # each once, in order
        err.print(f"[yellow]note:[/] {_escape(note)}", highlight=False)


def _emit_text(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _emit_json(data: object) -> None:
    """Write ``data`` to stdout as JSON, piece by piece as it is made.

    A ranking of a million cells is never held whole. ASCII-only (non-ASCII as JSON escapes)
    where stdout is not Unicode, and for any piece holding a file name that is not UTF-8
    (Python holds its bytes as lone surrogates): escaped, still the same JSON.
    """
    import codecs

    from appraise import report
    from appraise.safe_text import ascii_json

    encoding = codecs.lookup(getattr(sys.stdout, "encoding", None) or "utf-8").name
    unicode = encoding.startswith("utf")
    for piece in report.iter_json(data, ascii_only=not unicode):
        try:
            piece.encode("utf-8")
        except UnicodeEncodeError:
            sys.stdout.write(ascii_json(piece))
        else:
            sys.stdout.write(piece)
    sys.stdout.write("\n")


def _emit_plain(
    fmt: Format,
    data: object,
    rows: Callable[[], list[dict[str, object]]],
    markdown: Callable[[], str],
) -> bool:
    """Print the JSON, CSV or Markdown form; False when the rich table is wanted instead."""
    from appraise import report

    if fmt is Format.json:
        _emit_json(data)
    elif fmt is Format.csv:
        _emit_text(report.to_csv(rows()))
    elif fmt is Format.markdown:
        _emit_text(markdown())
    else:
        return False
    return True


def _settings(
    weights: str | None,
    normalise: bool,
    missing: MissingPolicy,
    aggregate: AggregateMethod,
    statuses: list[OptionStatusName] | None = None,
    exclude_conflicted: bool = False,
) -> Settings:
    from appraise.model import Settings

    return Settings(
        normalise=normalise,
        missing=missing.value,
        aggregate=aggregate.value,
        weight_set=weights,
        exclude_conflicted=exclude_conflicted,
        statuses=tuple(s.value for s in statuses or []),
    )


def _rankings(scores: list[str] | None, settings: Settings, doing: str) -> list[Ranking]:
    """Load and rank each scores file; with none, the bundled example, saying so."""
    from appraise import bundled, io, scoring

    if not scores:
        scores = [bundled.DEFAULT_EXAMPLE]
        err.print(
            f"No scores file given: {doing} the bundled example '{bundled.DEFAULT_EXAMPLE}' "
            "(illustrative scores). Give files to use your own.",
            highlight=False,
        )
    return [scoring.rank(sheet, settings) for sheet in io.load_inputs(list(scores), settings)]


@app.command()
def rank(
    scores: ScoresArg = None,
    fmt: FormatOpt = Format.table,
    top: Annotated[
        int | None,
        typer.Option("--top", "-n", metavar="N", min=1, help="Show only the top N options."),
    ] = None,
    weights: WeightsOpt = None,
    normalise: NormaliseOpt = False,
    missing: MissingOpt = MissingPolicy.error,
    aggregate: AggregateOpt = AggregateMethod.mean,
    status: StatusOpt = None,
    exclude_conflicted: ConflictOpt = False,
) -> None:
    """Print the ranked shortlist of each scores file, with each criterion's contribution.

    Options that fail a gate are listed apart with the reason; the status quo is marked.
    Notes (rescaled weights, substituted scores) go to stderr and, in JSON, to "notes".

    Example: appraise rank options/urgent-care.yaml --top 3
    Example: appraise rank options/*.yaml --weights equal --format json
    Example: appraise rank   (the bundled example)
    """
    from appraise import report

    settings = _settings(weights, normalise, missing, aggregate, status, exclude_conflicted)
    with exit_on_input_error():
        rankings = _rankings(scores, settings, "ranking")
    _notes([n for r in rankings for n in r.notes])
    if fmt is not Format.table:
        records = [report.ranking_record(r, top) for r in rankings]
        data = records[0] if len(records) == 1 else records
        rows = partial(report.ranking_rows, records)
        _emit_plain(fmt, data, rows, partial(report.ranking_markdown, records))
        return
    from appraise import render

    for ranking in rankings:  # the table shows TABLE_ROWS options unless --top says otherwise
        names = {c: ranking.sheet.tree.name(c) for c in ranking.sheet.tree.top_ids}
        record = report.ranking_record(ranking, top or render.TABLE_ROWS)
        total = len(ranking.options)
        table = render.ranking_table(record, names, total, out.size.width, capped=top is None)
        out.print(table)
        out.print()


@app.command()
def check(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Criteria, scores or rules files (YAML), scoring workbooks (.xlsx), or "
            "bundled names.",
            show_default=False,
        ),
    ],
    fmt: FormatOpt = Format.table,
    strict: Annotated[
        bool, typer.Option("--strict", metavar=FLAG, help="Treat warnings as errors.")
    ] = False,
    normalise: NormaliseOpt = False,
    missing: MissingOpt = MissingPolicy.error,
) -> None:
    """Validate files and list every problem found, not just the first. Exit 1 on any error.

    Rules files are checked against the groups of the scores files given alongside them.
    Warnings (no status-quo option, a scorer who skipped a cell, scoring lint such as a score far
    from the rest of the panel) do not fail unless --strict.

    Example: appraise check options/urgent-care.yaml
    Example: appraise check criteria/cp-2016.yaml options/*.yaml examples/rules.yaml
    Example: appraise check scores.xlsx --strict   (warnings fail too)
    """
    from appraise import io, report

    settings = _settings(None, normalise, missing, AggregateMethod.mean)
    with exit_on_input_error():
        result = io.check_files(files, settings)
    _notes(result.notes)
    problems = [report.problem_record(p) for p in result.problems]
    failed = any(p.severity == "error" or strict for p in result.problems)
    if fmt is Format.json:
        _emit_json({"ok": not failed, "files": result.files, "problems": problems})
    elif fmt in (Format.csv, Format.markdown):
        rows = problems or [{"file": "", "where": "", "severity": "", "message": ""}][:0]
        _emit_text(
            report.to_csv(rows)
            if fmt is Format.csv
            else report.to_markdown(rows)
            if rows
            else "No problems found."
        )
    else:
        from appraise import render

        if problems:
            out.print(render.problems_table(problems))
        n_err = sum(p.severity == "error" for p in result.problems)
        n_warn = len(result.problems) - n_err
        verdict = "[bold red]FAILED[/]" if failed else "[bold green]OK[/]"
        kinds = ", ".join(f"{f['file']} ({f['kind']})" for f in result.files)
        out.print(
            f"{verdict}: {n_err} error(s), {n_warn} warning(s) in {len(result.files)} file(s): "
            + _escape(kinds),
            highlight=False,
        )
    if failed:
        raise typer.Exit(1)


@app.command()
def criteria(
    file: Annotated[
        str | None,
        typer.Argument(
            help="Criteria file or bundled name (default: the bundled C&P 2016 table).",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
    normalise: NormaliseOpt = False,
) -> None:
    """Show the criteria tree with local and global weights, and any printed figures that differ.

    Global weight of a sub-criterion = criterion share x sub-criterion share within its family.

    Example: appraise criteria   (the bundled C&P 2016 table)
    Example: appraise criteria my-criteria.yaml --format csv
    """
    from appraise import bundled, io, report

    with exit_on_input_error():
        tree = io.load_criteria(file or bundled.DEFAULT_CRITERIA, normalise)
    record = report.criteria_record(tree)
    _notes(list(tree.notes))
    if not _emit_plain(
        fmt,
        record,
        partial(report.criteria_rows, record),
        partial(report.criteria_markdown, record),
    ):
        from appraise import render

        out.print(render.criteria_table(record))


@app.command()
def sensitivity(
    scores: ScoresArg = None,
    fmt: FormatOpt = Format.table,
    only: Annotated[
        list[AnalysisName] | None,
        typer.Option(
            "--only",
            help="Run only these analyses (repeat the option); default: all.",
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
    distribution: DistributionOpt = DistributionName.uniform,
    concentration: ConcentrationOpt = 100.0,
    score_noise: Annotated[
        ScoreNoiseName,
        typer.Option(
            "--score-noise",
            help="SMAA scores: fixed (none), resample the panel's scorers, or anywhere in each "
            "cell's min-max range.",
        ),
    ] = ScoreNoiseName.none,
    weights: WeightsOpt = None,
    normalise: NormaliseOpt = False,
    missing: MissingOpt = MissingPolicy.error,
    aggregate: AggregateOpt = AggregateMethod.mean,
    status: StatusOpt = None,
    exclude_conflicted: ConflictOpt = False,
) -> None:
    """How far the ranking can be trusted: thresholds, weight sets, leave-one-out, simulation.

    Exact one-way weight thresholds for every criterion and sub-criterion (closed form), score
    changes that would let an option draw level, the ranking under each named weight set,
    leaving out each criterion and scorer, and SMAA-2 simulation (rank acceptability, central
    weights, confidence). Each analysis ends in one plain sentence.

    Example: appraise sensitivity options/urgent-care.yaml
    Example: appraise sensitivity options/urgent-care.yaml --only smaa --samples 1000000 --seed 7
    Example: appraise sensitivity options/stroke-rehab.yaml --score-noise scorers -f json
    """
    from appraise import api, sensitivity_report
    from appraise.sensitivity import ANALYSES, check_size

    settings = _settings(weights, normalise, missing, aggregate, status, exclude_conflicted)
    what = [a.value for a in only] if only else list(ANALYSES)
    records = []
    with exit_on_input_error():
        rankings = _rankings(scores, settings, "testing")
        for ranking in rankings:
            check_size(ranking)  # every file, before a minute is spent on the first
        _notes([n for r in rankings for n in r.notes])
        for ranking in rankings:
            result = api.sensitivity(
                ranking,
                samples=samples,
                seed=seed,
                distribution=distribution.value,
                concentration=concentration,
                score_noise=score_noise.value,
                top=top,
                only=what,
                progress=_progress,
            )
            _notes(list(result.notes))
            records.append(sensitivity_report.sensitivity_record(result))
    data = records[0] if len(records) == 1 else records
    rows = partial(sensitivity_report.threshold_rows, records)
    markdown = partial(sensitivity_report.sensitivity_markdown, records)
    if not _emit_plain(fmt, data, rows, markdown):
        from appraise import render

        for ranking, record in zip(rankings, records, strict=True):
            tree = ranking.sheet.tree
            names = {c: tree.name(c) for c in tree.leaf_ids + tree.top_ids}
            option_names = {o.id: o.name for o in ranking.options}
            out.print(render.sensitivity_view(record, option_names, names, out.size.width))
            out.print()


@contextmanager
def _progress(total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr for long simulations (a terminal only); yields a callback."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    if total < 200_000 or not err.is_terminal:
        yield lambda done: None
        return
    with Progress(
        TextColumn("simulating"),
        BarColumn(),
        TextColumn("{task.completed:,}/{task.total:,}"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("smaa", total=total)
        yield lambda done: bar.update(task, completed=done)


@contextmanager
def _usage_error() -> Iterator[None]:
    """In an option's callback: a ``ParameterError`` is Typer's usage error (exit 2)."""
    from appraise.errors import ParameterError

    try:
        yield
    except ParameterError as exc:
        raise typer.BadParameter(exc.message) from None


def _a_name(value: str | None) -> str | None:
    """An option naming a file: empty text names none (it would read as the folder '.')."""
    if value is not None and not value.strip():
        raise typer.BadParameter(f"expected a file name, found {value!r}")
    return value


def _checked_limits(values: list[str] | None) -> list[str] | None:
    """``--limit``: each must read as a limit, refused before any file is read."""
    from appraise.combine import Limit

    with _usage_error():
        for text in values or []:
            Limit.parse(text)
    return values


def _checked_group_weights(values: list[str] | None) -> list[str] | None:
    """``--group-weight``: GROUP=NUMBER, each group once, refused before any file is read."""
    from appraise.combine import parse_group_weights

    with _usage_error():
        parse_group_weights(values or [])
    return values


RescaleOpt = Annotated[
    bool,
    typer.Option(
        "--rescale",
        metavar=FLAG,
        help="Groups on different scales: put each group's totals on 0-1 of its own scale "
        "(0 = bottom, 1 = top) before adding them; figures are then rescaled totals.",
    ),
]


@app.command()
def combine(
    scores: Annotated[
        list[str],
        typer.Argument(
            help="One scores file per working group (YAML or .xlsx), all on one criteria file.",
            show_default=False,
        ),
    ],
    rules: Annotated[
        Path | None,
        typer.Option("--rules", "-r", help="Interdependency rules (YAML).", show_default=False),
    ] = None,
    top: Annotated[
        int, typer.Option("--top", "-n", metavar="N", min=1, help="How many combinations to list.")
    ] = 10,
    limit: Annotated[
        list[str] | None,
        typer.Option(
            "--limit",
            help="A cap or floor on a summed option attribute, e.g. 'net_capital<=300000' "
            "(repeatable).",
            show_default=False,
            callback=_checked_limits,
        ),
    ] = None,
    group_weight: Annotated[
        list[str] | None,
        typer.Option(
            "--group-weight",
            help="Weight a group's total in the sum, e.g. 'llr-acute=2' (default 1; above 0; "
            "repeatable).",
            show_default=False,
            callback=_checked_group_weights,
        ),
    ] = None,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            metavar="N",
            min=0,
            max=100_000,
            help="Simulated weightings for robustness (0: none).",
        ),
    ] = 1_000,
    seed: SeedOpt = 1,
    distribution: DistributionOpt = DistributionName.uniform,
    concentration: ConcentrationOpt = 100.0,
    rescale: RescaleOpt = False,
    fmt: FormatOpt = Format.table,
    weights: WeightsOpt = None,
    normalise: NormaliseOpt = False,
    missing: MissingOpt = MissingPolicy.error,
    aggregate: AggregateOpt = AggregateMethod.mean,
    status: StatusOpt = None,
    exclude_conflicted: ConflictOpt = False,
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
    from appraise import api, combine_report
    from appraise.combine import parse_group_weights

    settings = _settings(weights, normalise, missing, aggregate, status, exclude_conflicted)
    with exit_on_input_error(), _rescale_named_as_option():
        result = api.combine(
            _rankings(scores, settings, "combining"),
            rules or (),
            top=top,
            limits=limit or (),
            group_weights=parse_group_weights(group_weight or []),
            samples=samples,
            seed=seed,
            distribution=distribution.value,
            concentration=concentration,
            rescale=rescale,
        )
    record = combine_report.combine_record(result)
    _notes(list(result.notes))
    rows = partial(combine_report.combination_rows, record)
    markdown = partial(combine_report.combine_markdown, record)
    if not _emit_plain(fmt, record, rows, markdown):
        from appraise import render

        out.print(render.combinations_view(record, out.size.width))


@contextmanager
def _rescale_named_as_option() -> Iterator[None]:
    """Groups on different scales: the message names ``--rescale``, not the library's parameter."""
    from appraise.combine_report import MixedScales

    try:
        yield
    except MixedScales as exc:
        raise exc.spelled("add --rescale") from None


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="The earlier round's scores file (YAML or .xlsx).")],
    new: Annotated[str, typer.Argument(help="The later round's scores file.")],
    fmt: FormatOpt = Format.table,
    weights: WeightsOpt = None,
    normalise: NormaliseOpt = False,
    missing: MissingOpt = MissingPolicy.error,
    aggregate: AggregateOpt = AggregateMethod.mean,
    status: StatusOpt = None,
    exclude_conflicted: ConflictOpt = False,
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
    from appraise import api, diff_report, io

    settings = _settings(weights, normalise, missing, aggregate, status, exclude_conflicted)
    with exit_on_input_error():
        before, after = (api.rank(s, settings) for s in io.load_inputs([old, new], settings))
        result = api.diff(before, after)
    record = diff_report.diff_record(result)
    _notes(record["notes"])
    markdown = partial(diff_report.diff_markdown, record)
    if not _emit_plain(fmt, record, partial(diff_report.diff_rows, record), markdown):
        from appraise import render

        tree = after.sheet.tree
        names = {c: tree.name(c) for c in tree.leaf_ids + tree.top_ids}
        out.print(render.diff_view(record, names))


@app.command()
def template(
    criteria: Annotated[
        str,
        typer.Argument(help="Criteria file or bundled name (e.g. cp-2016).", show_default=False),
    ],
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The workbook to write (.xlsx).", show_default=False),
    ],
    scores: Annotated[
        str | None,
        typer.Option(
            "--scores",
            "-s",
            help="Pre-fill the group, options, scorers and scores from this file.",
            callback=_a_name,
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
    force: Annotated[
        bool, typer.Option("--force", metavar=FLAG, help="Replace an existing output file.")
    ] = False,
) -> None:
    """Make a scoring workbook a working group fills in, then `appraise rank` reads it back.

    Sheets: Instructions, Group, Criteria (locked), Options, Scorers, Scores (one row per scorer
    and option; only numbers on the Group sheet's scale), Interests, Gates, Gate results.
    The Criteria sheet holds the whole table, so the workbook still reads when moved.

    Example: appraise template cp-2016 -o urgent-care.xlsx
    Example: appraise template cp-2016 --scale -2 2 -o stroke.xlsx
    Example: appraise template criteria/cp-2016.yaml --scores options/urgent-care.yaml -o uc.xlsx
    Then:    appraise rank urgent-care.xlsx
    """
    from appraise.api import make_template

    if scale is not None:
        _check_scale(scale)
    with exit_on_input_error():
        written = make_template(
            output, criteria, scores=scores, indicative=indicative, scale=scale, force=force
        )
    err.print(f"Wrote {_escape(str(written))}", highlight=False)


def _check_scale(scale: tuple[float, float]) -> None:
    """``--scale MIN MAX``: numbers a scores file may hold (model.py), MIN below MAX."""
    from appraise.model import MAX_MAGNITUDE, shown_number

    got = f"(got {shown_number(scale[0])} {shown_number(scale[1])})"
    if not all(-MAX_MAGNITUDE <= end <= MAX_MAGNITUDE for end in scale):  # NaN fails too
        raise typer.BadParameter(
            f"MIN and MAX must be numbers from -1e12 to 1e12 {got}", param_hint="'--scale'"
        )
    if not scale[0] < scale[1]:
        raise typer.BadParameter(f"MIN must be below MAX {got}", param_hint="'--scale'")


@app.command()
def export(
    scores: ScoresArg = None,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The workbook to write (.xlsx)."),
    ] = Path("appraisal.xlsx"),
    weights: WeightsOpt = None,
    normalise: NormaliseOpt = False,
    missing: MissingOpt = MissingPolicy.error,
    aggregate: AggregateOpt = AggregateMethod.mean,
    status: StatusOpt = None,
    exclude_conflicted: ConflictOpt = False,
    force: Annotated[
        bool, typer.Option("--force", metavar=FLAG, help="Replace an existing output file.")
    ] = False,
    sensitivity: Annotated[
        bool,
        typer.Option(
            "--sensitivity/--no-sensitivity",
            metavar=FLAG,
            help="Add the sensitivity sheets (thresholds, weight sets, leave-one-out, simulation).",
        ),
    ] = True,
    samples: SmaaSamplesOpt = 10_000,
    seed: SeedOpt = 1,
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules", "-r", help="Add a Combinations sheet for these groups under these rules."
        ),
    ] = None,
    rescale: RescaleOpt = False,
    previous: Annotated[
        str | None,
        typer.Option(
            "--previous",
            help="An earlier round of the (one) group: add a Rounds sheet of what changed.",
            callback=_a_name,
        ),
    ] = None,
) -> None:
    """Write the HCE workbook: the same results `rank` and `sensitivity` show, live formulas.

    Sheets: Summary (shortlist, leader, status quo, gate failures, chart), Criteria (weights an
    HCE member may change), Scores (per scorer, spread, disagreements), Totals (formulas that
    recompute when a weight changes), Validation (every note), Audit (inputs with SHA-256,
    versions, command line), and per group a Sensitivity sheet (thresholds with a line chart,
    weight sets, leave-one-out, rank acceptability with a chart). Written whole or not at all;
    never over an input file.

    Example: appraise export options/urgent-care.yaml -o urgent-care-hce.xlsx
    Example: appraise export options/*.yaml --weights clinical -o all-groups.xlsx --force
    Example: appraise export options/*.yaml -r examples/rules.yaml --rescale -o cag.xlsx
    Example: appraise export options/urgent-care.yaml --previous round1.yaml -o uc.xlsx
    """
    import shlex

    from appraise.api import export_workbook
    from appraise.io.safe_write import require_suffix
    from appraise.validate import one_file_per_group

    with exit_on_input_error():
        require_suffix(output, ".xlsx", "the HCE workbook")  # before the work, not after
    settings = _settings(weights, normalise, missing, aggregate, status, exclude_conflicted)
    with exit_on_input_error(), _rescale_named_as_option():
        rankings = _rankings(scores, settings, "exporting")
        one_file_per_group([r.sheet for r in rankings])  # refused before the notes are shown
        _notes([n for r in rankings for n in r.notes])
        done = export_workbook(
            output,
            rankings,
            rules=rules,
            previous=previous,
            sensitivity=sensitivity,
            samples=samples,
            seed=seed,
            rescale=rescale,
            force=force,
            command_line=shlex.join(["appraise", *sys.argv[1:]]),
            progress=_progress,
        )
    _notes(list(done.notes))
    written = done.path
    err.print(f"Wrote {_escape(str(written))}", highlight=False)


@app.command()
def examples(
    folder: Annotated[
        Path,
        typer.Argument(help="A new (or empty) folder to copy them into.", show_default=True),
    ] = Path("appraise-examples"),
) -> None:
    """Copy the bundled criteria, options and examples into a folder, to follow the README there.

    After a plain `pip install` the README's commands (`appraise rank options/urgent-care.yaml`,
    `appraise combine examples/llr/llr-*.yaml ...`) need these folders; this makes them. It
    never writes into a folder that already holds anything.

    Example: appraise examples tour && cd tour && appraise rank options/urgent-care.yaml
    """
    from appraise.io.examples import copy_examples

    with exit_on_input_error():
        made = copy_examples(folder)
    err.print(f"Copied {', '.join(p.name + '/' for p in made)} into {folder}", highlight=False)


# What a terminal that cannot show a character gets instead: one ASCII character for each
# symbol appraise draws, so tables stay aligned (rich draws its own boxes in ASCII there).
_LOOKALIKES = {
    "→": ">",
    "█": "#",
    "░": "-",
    "·": ".",
    "•": "*",
    "◆": "*",
    "▲": "^",
    "≠": "!",
    "Σ": "S",
    "…": ".",
    "–": "-",  # noqa: RUF001
    "—": "-",
    "‘": "'",  # noqa: RUF001
    "’": "'",  # noqa: RUF001
    "“": '"',
    "”": '"',
    "≥": ">",
    "≤": "<",
    "×": "x",  # noqa: RUF001
}
OUTPUT_ERRORS = "appraise.lookalike"


def _lookalike(error: UnicodeError) -> tuple[str | bytes, int]:
    r"""Encoding error handler: a character the stream's encoding lacks, as ASCII.

    A symbol gets its look-alike, a letter its base (é as e), a byte of a file name that was
    not text goes out as that byte (as ``surrogateescape`` writes it), and anything else its
    escape (``\u4e2d``), so nothing is lost silently and nothing stops the output.
    """
    if not isinstance(error, UnicodeEncodeError):
        raise error
    import unicodedata

    char = error.object[error.start]
    if 0xDC80 <= ord(char) <= 0xDCFF:
        return bytes([ord(char) - 0xDC00]), error.start + 1
    if char in _LOOKALIKES:
        return _LOOKALIKES[char], error.start + 1
    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS"):
        line = "-" if "HORIZONTAL" in name and "VERTICAL" not in name else "|"
        return line if "AND" not in name else "+", error.start + 1
    base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
    if base.isprintable() and base:
        return base, error.start + 1
    return char.encode("ascii", "backslashreplace").decode(), error.start + 1


def safe_streams() -> None:
    """Make stdout and stderr print whatever the terminal's encoding (LANG=C, a latin-1 pipe).

    Python writes stdout in the locale's encoding and stops at the first character it lacks
    (a name with é under LANG=C); with this, such characters are written as ``_lookalike``
    says. JSON is written ASCII-only there instead (``_json``), so it stays exact.
    """
    import codecs
    import io

    codecs.register_error(OUTPUT_ERRORS, _lookalike)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors=OUTPUT_ERRORS)


def main() -> None:
    """Entry point of the ``appraise`` console script."""
    safe_streams()
    _file_size_limit_as_error()
    app()


def _file_size_limit_as_error() -> None:
    """Past a file-size limit (``ulimit -f``) a write fails with EFBIG, which appraise reports.

    By default the signal SIGXFSZ kills the process there, mid-write, without a word.
    """
    import signal

    if hasattr(signal, "SIGXFSZ"):  # POSIX only
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
