"""The command line: parse, load, compute, render. The only place errors become exit codes.

Core modules are imported inside each command so that ``appraise --help`` loads typer and
rich only.
"""

from __future__ import annotations

from appraise.cli import ranking, writing  # noqa: F401  (their commands join the app)
from appraise.cli.app import app, main
from appraise.cli.terminal import OUTPUT_ERRORS, safe_streams

__all__ = ["OUTPUT_ERRORS", "app", "main", "safe_streams"]
