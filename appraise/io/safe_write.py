"""Write output files whole or not at all, never over an input, never over a file by surprise."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from appraise.errors import InputError, ParameterError


def require_suffix(out: Path, suffix: str, what: str) -> None:
    """Refuse an output name that does not end in ``suffix`` (the kind of file ``what`` is).

    Raises:
        ParameterError: On ``out``: the name asks for another kind of file.
    """
    if out.suffix.lower() != suffix:
        raise ParameterError("out", f"give a name ending in {suffix} for {what}, not '{out.name}'")


def check_output_path(out: Path, inputs: Iterable[Path], force: bool) -> None:
    """Refuse an output path that is an input file, or an existing file without ``force``."""
    target = out.resolve()
    for source in inputs:
        if source.exists() and target.exists() and os.path.samefile(source, target):
            raise InputError(out, "", "is an input file; appraise never writes over its inputs")
        if source.resolve() == target:
            raise InputError(out, "", "is an input file; appraise never writes over its inputs")
    if out.is_dir():
        raise InputError(out, "", "is a folder; give a file name such as results.xlsx")
    if out.exists() and not force:
        raise InputError(out, "", "already exists; use --force to replace it")
    if not out.parent.is_dir():
        raise InputError(out, "", f"folder '{out.parent}' does not exist")


@contextlib.contextmanager
def _temporary_beside(out: Path) -> Iterator[Path]:
    """A temporary file in the output's folder (so the final move is atomic), removed on failure."""
    handle, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def write_atomically(
    out: Path, write: Callable[[Path], None], inputs: Iterable[Path] = (), force: bool = False
) -> Path:
    """Call ``write(temporary_path)``, then move the finished file onto ``out`` in one step.

    An interruption or error at any point leaves ``out`` as it was (absent or untouched).
    """
    inputs = list(inputs)
    check_output_path(out, inputs, force)
    with _temporary_beside(out) as temporary:
        write(temporary)
        os.chmod(temporary, default_mode())  # mkstemp makes it private; a normal file is not
        os.replace(temporary, out)
    return out


def default_mode(folder: bool = False) -> int:
    """The mode a new file (0o666) or folder (0o777) gets, less the process umask."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if folder else 0o666) & ~umask
