"""Write output files whole or not at all, never over an input, never over a file by surprise.

Every file or folder appraise writes goes through here, so two promises hold for all of them:

- A fault of the file system (read-only, full, no permission, a name too long, a file-size
  limit) is one ``OutputError`` naming the path and the cause in plain words, with nothing left
  behind: the temporary file or folder is removed whatever happens.
- Without ``force``, an existing output is never replaced, even by a run racing this one: the
  finished file is given its final name with ``os.link``, which fails if the name exists, in one
  step of the file system (a check followed by ``os.replace`` could be overtaken between the two).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from appraise.errors import InputError, ParameterError, setting

# Plain words for the faults a person can meet while appraise writes a file.
_CAUSES = {
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "no permission to write there",
    errno.EPERM: "no permission to write there",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file would be larger than this system allows (a file-size limit, ulimit -f)",
    errno.ENAMETOOLONG: "the name is longer than the file system allows (255 bytes a name)",
    errno.ENOENT: "the folder does not exist",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "it is a folder",
    errno.ELOOP: "the path has too many symbolic links (a loop?)",
    errno.EMLINK: "the folder holds too many entries",
    errno.EIO: "the disk reported an input/output error",
    errno.ETXTBSY: "the file is in use",
}
_TEMPORARY_NAME_BYTES = 100  # of the output's name, in its temporary's: room for the rest


class OutputError(InputError):
    """The output could not be written (a fault of the file system, or a name refused)."""


def cause(error: OSError) -> str:
    """An ``OSError`` in words a person can act on."""
    if error.errno in _CAUSES:
        return _CAUSES[error.errno]
    return error.strerror or str(error)


@contextlib.contextmanager
def output_faults(out: Path) -> Iterator[None]:
    """Turn a file-system fault while writing ``out`` into an ``OutputError`` naming it.

    ``shutil.copytree`` gathers its faults into one ``shutil.Error`` (a list of them); the first
    is named.
    """
    try:
        yield
    except shutil.Error as exc:
        first = exc.args[0][0] if exc.args and isinstance(exc.args[0], list) else None
        why = first[2] if first and len(first) == 3 else str(exc)
        raise OutputError(out, "", f"could not be written: {why}") from None
    except OSError as exc:
        raise OutputError(out, "", f"could not be written: {cause(exc)}") from None


def require_suffix(out: Path, suffix: str, what: str) -> None:
    """Refuse an output name that does not end in ``suffix`` (the kind of file ``what`` is).

    Raises:
        ParameterError: On ``out``: the name asks for another kind of file.
    """
    if out.suffix.lower() != suffix:
        raise ParameterError("out", f"give a name ending in {suffix} for {what}, not '{out.name}'")


def _exists() -> str:
    """The message for an output that exists, naming ``force`` as the caller spells it."""
    return f"already exists; use {setting('force')} to replace it"


def check_output_path(out: Path, inputs: Iterable[Path], force: bool) -> None:
    """Refuse an output path that is an input file, or an existing file without ``force``.

    Also refused: a folder, anything that exists and is not a regular file (a device such as
    ``/dev/full``, a pipe: replacing it would remove it), and a folder that does not exist.
    """
    with output_faults(out):
        target = out.resolve()
        for source in inputs:
            if source.exists() and target.exists() and os.path.samefile(source, target):
                raise OutputError(
                    out, "", "is an input file; appraise never writes over its inputs"
                )
            if source.resolve() == target:
                raise OutputError(
                    out, "", "is an input file; appraise never writes over its inputs"
                )
        if out.is_dir():
            example = f"results{out.suffix}" if out.suffix else "results.xlsx"
            raise OutputError(out, "", f"is a folder; give a file name such as {example}")
        if out.exists() and not stat.S_ISREG(out.stat().st_mode):
            raise OutputError(out, "", "exists and is not a regular file; give a new file name")
        if out.exists() and not force:
            raise OutputError(out, "", _exists())
        if not out.parent.is_dir():
            raise OutputError(out, "", f"folder '{out.parent}' does not exist")
        if len(os.fsencode(out.name)) > 255:
            raise OutputError(out, "", f"could not be written: {_CAUSES[errno.ENAMETOOLONG]}")


def temporary_prefix(out: Path) -> str:
    """``.name.`` for the output's temporary, cut so a name near 255 bytes still has room."""
    name = os.fsencode(out.name)[:_TEMPORARY_NAME_BYTES]
    return f".{name.decode(sys.getfilesystemencoding(), 'ignore')}."  # whole characters only


@contextlib.contextmanager
def _temporary_beside(out: Path) -> Iterator[Path]:
    """A temporary file in the output's folder (so the final move is atomic), removed on failure."""
    handle, name = tempfile.mkstemp(prefix=temporary_prefix(out), suffix=".part", dir=out.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def _claim(temporary: Path, out: Path, force: bool) -> None:
    """Give the finished ``temporary`` the name ``out``: replacing it only with ``force``.

    Without ``force``, ``os.link`` makes the name in one step and fails if it exists, so of two
    runs racing to a new name exactly one wins. A file system without hard links gets the name
    claimed by creating it exclusively (``O_EXCL``), then filled by ``os.replace``; between the
    two, a reader sees an empty file, never another run's.
    """
    if force:
        os.replace(temporary, out)
        return
    try:
        os.link(temporary, out)
    except FileExistsError:
        raise OutputError(out, "", _exists()) from None
    except OSError as exc:
        if exc.errno not in {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK}:
            raise
        try:
            os.close(os.open(out, os.O_CREAT | os.O_EXCL | os.O_WRONLY, default_mode()))
        except FileExistsError:
            raise OutputError(out, "", _exists()) from None
        os.replace(temporary, out)


def write_atomically(
    out: Path, write: Callable[[Path], None], inputs: Iterable[Path] = (), force: bool = False
) -> Path:
    """Call ``write(temporary_path)``, then move the finished file onto ``out`` in one step.

    An interruption or error at any point leaves ``out`` as it was (absent or untouched) and no
    temporary file behind; a fault of the file system is an ``OutputError`` naming ``out``.
    """
    inputs = list(inputs)
    check_output_path(out, inputs, force)
    with output_faults(out), _temporary_beside(out) as temporary:
        write(temporary)
        os.chmod(temporary, default_mode())  # mkstemp makes it private; a normal file is not
        _claim(temporary, out, force)
    return out


def default_mode(folder: bool = False) -> int:
    """The mode a new file (0o666) or folder (0o777) gets, less the process umask."""
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if folder else 0o666) & ~umask
