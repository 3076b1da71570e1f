"""The ``appraise`` console script: the command line, with Ctrl-C at any moment a quiet exit.

Kept apart from ``appraise.cli`` so that an interrupt while the command line's own modules are
still being imported (the first tenth of a second) is caught too: one line, exit code 130,
never a traceback.
"""

from __future__ import annotations

import sys

INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def main() -> None:
    """Start the command line; an interrupt before or after a command's own handling is one line."""
    try:
        from appraise.cli import main as run

        run()
    except KeyboardInterrupt:
        sys.stderr.write("interrupted; nothing was written\n")
        raise SystemExit(INTERRUPTED) from None
