"""File-system faults met while reading an input, as one line a person can act on.

A missing file, a folder, a permission, a name too long for the file system, a link that loops,
a disk that fails mid-read: each is the input's problem (exit code 1, naming the file), never a
traceback. Writing has its own words (``appraise.io.safe_write``).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from appraise.errors import InputError

_CAUSES = {
    errno.ENOENT: "file not found",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "is a folder, expected a file",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.ENAMETOOLONG: "the name is longer than the file system allows (255 bytes a name)",
    errno.ELOOP: "the name is a symbolic link that loops back to itself (or a chain of too "
    "many links)",
    errno.EIO: "could not be read: the disk or device reported an input/output error",
}


def read_fault(path: str | Path, error: OSError) -> InputError:
    """``error``, met reading ``path``, as an ``InputError`` naming the file."""
    cause = _CAUSES.get(error.errno or 0) or f"could not be read ({error.strerror or error})"
    return InputError(path, "", cause)


@contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """Any ``OSError`` in the block becomes ``read_fault(path, ...)``."""
    try:
        yield
    except OSError as exc:
        raise read_fault(path, exc) from None


def is_there(path: str | Path) -> bool:
    """Whether anything is at ``path``, links followed; any fault but absence raises.

    ``Path.exists`` says False for a link that loops and raises for a name too long: the first
    hides the cause ("file not found"), the second is a traceback.
    """
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except ValueError:  # a NUL in the name: nothing can be there
        return False
    except OSError as exc:
        raise read_fault(path, exc) from None
    return True
