"""The Typer application and the console script's entry point.

The command group, its global options (--debug, --version), and usage errors made printable.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from appraise.cli.options import FLAG
from appraise.cli.terminal import err, file_size_limit_as_error, out, safe_streams, state

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
        with _printable_usage_errors(), _said_when_interrupted():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        from appraise.errors import command_line_words

        with _printable_usage_errors(), command_line_words(), _said_when_interrupted():
            return super().invoke(ctx)


@contextmanager
def _said_when_interrupted() -> Iterator[None]:
    """Ctrl-C anywhere in a command: one line and exit code 130 (Typer's own exit is silent)."""
    try:
        yield
    except KeyboardInterrupt:
        err.print("interrupted; nothing was written", highlight=False)
        raise typer.Exit(130) from None


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
    app()
