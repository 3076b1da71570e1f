"""The ``appraise`` console script: the command line, with Ctrl-C at any moment a quiet exit.

Kept apart from ``appraise.cli`` so that an interrupt while the command line's own modules are
still being imported (the first tenth of a second) is caught too: one line, exit code 130,
never a traceback.
"""

from __future__ import annotations

import sys

from appraise.stopping import interruption, stop

# The simulations count chunks on every core themselves (``analysis.parallel``); a BLAS library
# that also starts a thread per core for each small matrix product would only fight them. Set
# before numpy is first imported; a value the user set is kept.
ONE_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def interrupt_again(unraisable: sys.UnraisableHookArgs) -> None:
    """An interrupt that landed where Python cannot raise it is raised again, in the main thread.

    Ctrl-C while an import releases its lock lands in a weakref callback, where Python prints
    "Exception ignored ... KeyboardInterrupt" with a traceback and carries on as if nothing had
    happened. Here it is raised again in the main thread a moment later (from another thread:
    raised from here it would land in this hook, and be ignored again), so it ends the run as
    any other interrupt does: one line, exit code 130. Anything else is printed as ever.
    """
    if unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt):
        import _thread
        import threading

        again = threading.Timer(0.01, _thread.interrupt_main)
        again.daemon = True  # never keeps a finished run waiting
        again.start()
        return
    sys.__unraisablehook__(unraisable)


def main() -> None:
    """Start the command line; an interrupt before or after a command's own handling is one line."""
    import os
    import signal

    sys.unraisablehook = interrupt_again
    for signal_ in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signal_ is not None:
            signal.signal(signal_, stop)

    for name in ONE_THREAD:
        os.environ.setdefault(name, "1")
    # pydantic looks for plugins among every installed package's entry points the first time a
    # model is built (15 ms a command); the command line uses none. A value set is kept.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")
    try:
        from appraise.cli import main as run

        run()
    except KeyboardInterrupt as stopped:
        said, code = interruption(stopped)
        sys.stderr.write(said + "\n")
        raise SystemExit(code) from None
    finally:
        _quiet_exit()


def _quiet_exit() -> None:
    """Ctrl-C once the command is over (Python's exit handlers running) is ignored.

    The work is done or already said to be interrupted; an interrupt now would only print a
    traceback from some exit handler (CI caught one in logging's).
    """
    import signal

    for signal_ in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signal_ is not None:
            signal.signal(signal_, signal.SIG_IGN)
