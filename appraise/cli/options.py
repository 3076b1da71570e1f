"""The command line's options, and its error boundary.

Choices, shared option types and their checks, and the boundary that turns the library's
errors into exit codes 1 (input) and 2 (usage).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from appraise.choices import (
    ANALYSES,
    OPTION_STATUSES,
    Aggregate,
    Distribution,
    Missing,
    ScoreNoise,
)
from appraise.cli.terminal import Format, err, escape_markup, said, state
from appraise.errors import FLAG_FOR
from appraise.safe_text import one_line, printable
from appraise.stopping import interruption

if TYPE_CHECKING:
    from appraise.analysis.scoring import Ranking
    from appraise.model import Settings


def choice_enum(name: str, values: tuple[str, ...]) -> type[Enum]:
    """An Enum of ``values`` (``weight-sets`` as member ``weight_sets``).

    For a repeatable option: Typer takes a Literal for one value, not a list of them.
    """
    return Enum(name, [(v.replace("-", "_"), v) for v in values], type=str)  # type: ignore[return-value]


def chosen(items: Sequence[Enum] | None) -> list[str]:
    """The values given to a repeatable choice option, in order."""
    return [str(item.value) for item in items or []]


# Derived from the declared choices (mypy sees only ``type[Enum]``, so not valid as a type).
OptionStatusName = choice_enum("OptionStatusName", OPTION_STATUSES)
AnalysisName = choice_enum("AnalysisName", ANALYSES)


FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", metavar="FORMAT", help="Output: table, json, csv or markdown."),
]
WeightsOpt = Annotated[
    str | None,
    typer.Option(
        "--weights", "-w", metavar="SET", help="Use a named weight set from the criteria file."
    ),
]
WeightOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--weight",
        metavar="ID=POINTS",
        help="A one-off weight in points for a criterion or sub-criterion (repeatable), over the "
        "file's or the weight set's; each family is rescaled to its sum, as a weight set's is.",
        show_default=False,
    ),
]


def rules_param(text: str) -> Any:
    """``--rules FILE`` (``-r``) as every command that takes rules spells it; ``text`` its help.

    An unreadable file is the input's fault, exit 1 as elsewhere, so Typer does not read it.
    """
    return typer.Option(
        "--rules", "-r", metavar="FILE", help=text, show_default=False, readable=False
    )


CriteriaOpt = Annotated[
    str | None,
    typer.Option(
        "--criteria",
        metavar="FILE",
        help="Weigh every scores file by this criteria file (or bundled name) instead of the one "
        "it names: a copy with other weight sets, as weigh -o and explore --save-weights write.",
        show_default=False,
    ),
]
FLAG = ""  # a flag takes no value: show no type placeholder in --help


def _notes(level: str) -> Callable[[bool], None]:
    """Sets how many notes a command prints; --quiet with --verbose is a usage error."""

    def given(value: bool) -> None:
        if not value:
            return
        if state["notes"] not in ("normal", level):
            raise typer.BadParameter("--quiet and --verbose ask for opposite things; give one")
        state["notes"] = level

    return given


ForceOpt = Annotated[
    bool, typer.Option("--force", metavar=FLAG, help="Replace an existing output file.")
]
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        metavar=FLAG,
        callback=_notes("quiet"),
        help='Print no notes (for scripts); JSON still lists them under "notes".',
    ),
]
VerboseOpt = Annotated[
    bool,
    typer.Option(
        "--verbose",
        "-v",
        metavar=FLAG,
        callback=_notes("verbose"),
        help="Print every note. By default the notes that change a figure are printed and the "
        "rest counted.",
    ),
]
NormaliseOpt = Annotated[
    bool,
    typer.Option(
        "--normalise",
        metavar=FLAG,
        help="Rescale weight families that do not sum to 100 (and say so).",
    ),
]
MissingOpt = Annotated[
    Missing,
    typer.Option(
        "--missing",
        metavar="POLICY",
        help="Cells nobody scored: error, or exclude the option, use the status quo's score "
        "(baseline), or rescale the option's other weights (renormalise). Each is reported.",
    ),
]
StatusOpt = Annotated[
    list[OptionStatusName] | None,  # type: ignore[valid-type]
    typer.Option(
        "--status",
        metavar="STATUS",
        help="Rank only options with this register status (repeatable: "
        f"{', '.join(OPTION_STATUSES)}), and the status quo for comparison; rejected options are "
        "always listed apart with their reason.",
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
        metavar="SCORES",
        help="Scores files (YAML or .xlsx workbooks) or bundled names, one per group; none: the "
        "bundled example.",
        show_default=False,
    ),
]
MAX_SEED = 2**32 - 1  # appraise.limits.MAX_SEED (not imported: the CLI starts light)
SeedOpt = Annotated[
    int,
    typer.Option(
        "--seed",
        metavar="N",
        min=0,
        max=MAX_SEED,
        help="Random seed (0 to 2^32 - 1); the same seed repeats.",
    ),
]
DistributionOpt = Annotated[
    Distribution,
    typer.Option(
        "--distribution",
        metavar="DRAW",
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
ScoreNoiseOpt = Annotated[
    ScoreNoise,
    typer.Option(
        "--score-noise",
        metavar="NOISE",
        help="Scores in the simulation: none (fixed), scorers (resample the panel's scorers) or "
        "range (anywhere in each cell's min-max range).",
    ),
]
SmaaSamplesOpt = Annotated[
    int,
    typer.Option(
        "--samples",
        metavar="N",
        min=1,
        max=10_000_000,
        help="Simulation samples (SMAA), 1 to 10,000,000.",
    ),
]
AggregateOpt = Annotated[
    Aggregate,
    typer.Option(
        "--aggregate", metavar="METHOD", help="Combine per-scorer scores by mean or median."
    ),
]


# The command-line option that sets a library parameter, where their names differ.
OPTION_FOR = FLAG_FOR  # the library names its parameters; these options set them


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
        if state["debug"]:
            raise
        raise BadOption(exc.parameter, exc.message) from None
    except AppraiseError as exc:
        if state["debug"]:
            raise
        for line in exc.lines():
            err.print(f"[bold red]error:[/] {escape_markup(one_line(line))}", highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt as stopped:
        said, code = interruption(stopped)
        err.print(said, highlight=False)
        raise typer.Exit(code) from None


def settings_from(
    weights: str | None,
    normalise: bool,
    missing: Missing,
    aggregate: Aggregate,
    statuses: Sequence[Enum] | None = None,
    exclude_conflicted: bool = False,
    weight: Sequence[str] | None = None,
    criteria: str | None = None,
) -> Settings:
    """The library's ``Settings`` from the options every ranking command shares."""
    from appraise.model import Settings

    return Settings(
        weights_given=weights_given(weight or []),
        normalise=normalise,
        missing=missing,
        aggregate=aggregate,
        weight_set=weights,
        exclude_conflicted=exclude_conflicted,
        statuses=tuple(chosen(statuses)),
        criteria=criteria,
    )


def weights_given(values: Sequence[str]) -> tuple[tuple[str, float], ...]:
    """``--weight quality=40`` as (id, points) pairs; a malformed one is a usage error."""
    from appraise.limits import MAX_WEIGHT_POINTS

    out: list[tuple[str, float]] = []
    for value in values:
        node, sep, text = value.partition("=")
        try:
            points = float(text) if sep and node.strip() else math.nan
        except ValueError:
            points = math.nan
        if not (math.isfinite(points) and (points == 0 or 1e-12 <= points <= MAX_WEIGHT_POINTS)):
            raise BadOption(
                "weight",
                f"expected ID=POINTS (points 0, or 1e-12 to 1e12), as quality=40; found "
                f"{printable(value)!r}",
            )
        if any(node.strip() == seen for seen, _ in out):
            raise BadOption("weight", f"'{printable(node.strip())}' is given twice")
        out.append((node.strip(), points))
    return tuple(out)


def rankings_for(scores: list[str] | None, settings: Settings, doing: str) -> list[Ranking]:
    """Load and rank each scores file; with none, the bundled example, saying so."""
    from appraise import api, bundled, io

    if not scores:
        scores = [bundled.DEFAULT_EXAMPLE]
        said(
            "note:",
            f"no scores file given: {doing} the bundled example '{bundled.DEFAULT_EXAMPLE}' "
            "(illustrative scores). Give files to use your own.",
            "yellow",
        )
    return [api.rank(sheet, settings) for sheet in io.load_inputs(list(scores), settings)]


@contextmanager
def usage_error() -> Iterator[None]:
    """In an option's callback: a ``ParameterError`` is Typer's usage error (exit 2)."""
    from appraise.errors import ParameterError

    try:
        yield
    except ParameterError as exc:
        raise typer.BadParameter(exc.message) from None


def a_name(value: str | None) -> str | None:
    """An option naming a file: empty text names none (it would read as the folder '.')."""
    if value is not None and not value.strip():
        raise typer.BadParameter(f"expected a file name, found {value!r}")
    return value


def checked_limits(values: list[str] | None) -> list[str] | None:
    """``--limit``: each must read as a limit, refused before any file is read."""
    from appraise.analysis.combine import Limit

    with usage_error():
        for text in values or []:
            Limit.parse(text)
    return values


def checked_group_weights(values: list[str] | None) -> list[str] | None:
    """``--group-weight``: GROUP=NUMBER, each group once, refused before any file is read."""
    from appraise.analysis.combine import parse_group_weights

    with usage_error():
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


@contextmanager
def rescale_named_as_option() -> Iterator[None]:
    """Groups on different scales: the message names ``--rescale``, not the library's parameter."""
    from appraise.analysis.combine.run import MixedScales

    try:
        yield
    except MixedScales as exc:
        raise exc.spelled("add --rescale") from None


def check_scale(scale: tuple[float, float]) -> None:
    """``--scale MIN MAX``: numbers a scores file may hold (model.py), MIN below MAX."""
    from appraise.model import MAX_MAGNITUDE, shown_number

    got = f"(got {shown_number(scale[0])} {shown_number(scale[1])})"
    if not all(-MAX_MAGNITUDE <= end <= MAX_MAGNITUDE for end in scale):  # NaN fails too
        raise typer.BadParameter(
            f"MIN and MAX must be numbers from -1e12 to 1e12 {got}", param_hint="'--scale'"
        )
    if not scale[0] < scale[1]:
        raise typer.BadParameter(f"MIN must be below MAX {got}", param_hint="'--scale'")
