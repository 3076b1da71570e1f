"""The Typer application and the console script's entry point.

The command group, its global options (--debug, --version), and usage errors made printable.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperCommand, TyperGroup

from appraise.cli.options import FLAG
from appraise.cli.terminal import err, file_size_limit_as_error, out, safe_streams, state
from appraise.stopping import interruption

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
            # Typer checks a Literal choice with a pydantic-style validator: its words go
            message = message.replace("Value error, ", "")
            exc.message = printable(message)  # type: ignore[attr-defined]
        raise


class _SafeGroup(TyperGroup):
    """The command group, with usage errors made printable (``_printable_usage_errors``)."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _printable_usage_errors(), _said_when_interrupted():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        from appraise.errors import command_line_words

        with _printable_usage_errors(), command_line_words(), _said_when_interrupted():
            return super().invoke(ctx)


F = TypeVar("F", bound=Callable[..., Any])


def reflowed(text: str | None) -> str | None:
    """A docstring's paragraphs each on one line, for the help to wrap between words.

    Typer's rich help keeps a docstring's line breaks, so a paragraph wrapped at 100 columns
    in the source breaks mid-sentence in an 80-column terminal. Paragraphs stay apart (blank
    lines); a paragraph of ``Example:`` lines becomes ``Examples:`` with a command a line,
    indented, each short enough to stay whole at 80 columns (tested).
    """
    if not text:
        return text
    paragraphs = []
    for paragraph in inspect.cleandoc(text).split("\n\n"):
        lines = [line.strip() for line in paragraph.splitlines()]
        if all(line.startswith("Example:") for line in lines):
            commands = [f"  {line.removeprefix('Example:').strip()}" for line in lines]
            paragraphs.append("\n".join(["Examples:", *commands]))
        else:
            paragraphs.append(" ".join(lines))
    return "\n\n".join(paragraphs)


class _Command(TyperCommand):
    """A command whose --help shows each option's placeholder and nothing of Python's types.

    Typer's help adds a type column (``<list[str]>``, ``<path>``, ``<bool>`` even on flags and
    arguments already named by their placeholder) and bounds such as ``[0<=x<=4294967295]``,
    which squeeze the help text to a few words a line at 80 columns. Here an option shows its
    placeholder (``N``, ``FILE``, ``POLICY``), a flag or an argument nothing more, and each
    option's help says its range in words.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = reflowed(self.help)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        for param in self.get_params(ctx):
            placeholder = (
                getattr(param, "metavar", None) if not getattr(param, "is_flag", False) else None
            )
            shown = None if isinstance(param, typer.core.TyperArgument) else placeholder
            # Instance attributes over Typer's methods, for this help only (tested at 80 columns).
            setattr(param, "display_type_rich", lambda ctx, shown=shown: shown)  # noqa: B010
            setattr(param, "_get_number_range_help_str", lambda: None)  # noqa: B010
        super().format_help(ctx, formatter)


class _Typer(typer.Typer):
    """The application, whose commands are ``_Command``."""

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        kwargs.setdefault("cls", _Command)
        return super().command(*args, **kwargs)


@contextmanager
def _said_when_interrupted() -> Iterator[None]:
    """Ctrl-C anywhere in a command: one line and exit code 130 (Typer's own exit is silent)."""
    try:
        yield
    except KeyboardInterrupt as stopped:
        said, code = interruption(stopped)
        err.print(said, highlight=False)
        raise typer.Exit(code) from None


app = _Typer(
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
    state["debug"] = debug
    state["notes"] = "normal"  # each command's --quiet or --verbose, read after this runs


def main() -> None:
    """Entry point of the ``appraise`` console script."""
    safe_streams()
    file_size_limit_as_error()
    every = app.registered_commands
    chosen = [c for c in every if len(sys.argv) > 1 and _name(c) == sys.argv[1]]
    # Typer reads every command's options to build the group; a command named first needs only
    # its own (50 ms less). Anything else (--help, a typo, --debug first) builds them all.
    app.registered_commands = chosen or every
    try:
        app()
    finally:
        app.registered_commands = every


def _name(command: Any) -> str:
    """A command's name as typed: its own, or its function's with dashes."""
    return str(command.name or command.callback.__name__.replace("_", "-"))
