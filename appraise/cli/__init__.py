"""The command line: parse the options, make one ``appraise.api`` call, emit the result.

``app`` (the group, its global options, usage errors made printable), ``options`` (the
options every command shares, and the one place errors become exit codes), ``terminal``
(stdout/stderr, ``emit`` in every format), and the commands in ``ranking`` (rank, check,
criteria, sensitivity, explain), ``writing`` (combine, diff, template, export, examples),
``weighing`` (weigh), ``merging`` (merge), ``charting`` (chart), ``valuing`` (value,
brief) and ``exploring`` (explore, whose view is ``appraise.tui``).
Core modules are imported inside each command so that ``appraise --help`` loads typer and
rich only; ``appraise.launch`` starts it all.
"""

from __future__ import annotations

from appraise.cli import (  # noqa: F401  (their commands join the app)
    charting,
    exploring,
    merging,
    ranking,
    valuing,
    weighing,
    writing,
)
from appraise.cli.app import app, main
from appraise.cli.terminal import OUTPUT_ERRORS, safe_streams

__all__ = ["OUTPUT_ERRORS", "app", "main", "safe_streams"]
