"""How a run that is stopped ends: Ctrl-C, or SIGTERM and SIGHUP unwound the same way.

Shared by the console script (``appraise.launch``), which installs ``stop`` for SIGTERM and
SIGHUP before anything else is imported, and the command line, which says ``interruption``'s
line when a command is stopped. No imports: it is loaded first.
"""

from __future__ import annotations

INTERRUPTED = 130  # 128 + SIGINT, as shells report it


class Stopped(KeyboardInterrupt):
    """A stop asked for by a signal other than Ctrl-C's: ended as an interrupt is."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


def stop(number: int, frame: object) -> None:
    """SIGTERM or SIGHUP (a closed terminal, a job killed): unwound as Ctrl-C unwinds.

    So an output being written is removed, never left half-written beside the real one.
    """
    raise Stopped(number)


def interruption(stopped: KeyboardInterrupt) -> tuple[str, int]:
    """The line an interrupted run ends with, and its exit code (128 + the signal's number)."""
    if isinstance(stopped, Stopped):
        import signal

        name = signal.Signals(stopped.number).name
        return f"stopped ({name}); nothing was written", 128 + stopped.number
    return "interrupted; nothing was written", INTERRUPTED
