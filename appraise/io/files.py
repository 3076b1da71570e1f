"""Input files found and named: paths, bundled names, and faults met opening them.

A path given by a person (or named inside a scores file) is resolved here, shown as people read
it (relative to the working folder, or as a bundled name), and anything that is not a saved
file, or that the file system refuses, becomes a one-line ``InputError`` naming it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

from appraise import bundled
from appraise.bundled import Kind
from appraise.errors import InputError, Refused
from appraise.io.faults import is_there


def shown_path(path: Path) -> str:
    """A path as people read it: relative to the working folder when inside it.

    A bundled file is shown by its bundled name, as ``cp-2016 (bundled)``, when it is the
    installed package's (not a path deep inside site-packages) or outside the working folder;
    in a checkout, run from the top, it is ``criteria/cp-2016.yaml`` as in the README.
    """
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute)
    outside = relative.startswith("..")
    label = bundled.label(Path(absolute))
    if label is not None and (outside or bundled.installed()):
        return label
    return os.path.normpath(path) if outside else relative


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls")


def is_workbook(path: Path) -> bool:
    """Whether a path names an Excel workbook (read as a scores file)."""
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def refuse_special_files(path: Path) -> None:
    """Refuse a pipe, device or socket before anything opens it.

    Opening a pipe waits for a writer that may never come, and a device such as /dev/zero (or a
    link to it named ``.xlsx``) never ends: neither is a saved file, and neither has a size to
    check against the limits. ``os.stat`` follows links and opens nothing.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # missing, or unreadable: the reader names it as such
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        kind = (
            "a pipe" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode) else "a device"
        )
        raise Refused(path, "", f"is {kind}, not a saved file; appraise reads saved files only")


CRITERIA_SUFFIXES = (".yaml", ".yml", ".json")


def resolve_criteria_path(
    reference: str, relative_to: Path | None = None, where: str = "criteria"
) -> Path:
    """A criteria reference: a path (relative to the scores file naming it), else a bundled name.

    A scores file is often someone else's, so what it may name is narrow: a bundled criteria
    name, or a path ending ``.yaml``, ``.yml`` or ``.json``, anywhere (``../criteria/x.yaml`` is
    the usual layout), but never the scores file itself and never any other kind of file
    (``/etc/passwd``, ``../../notes.txt``). A path typed on the command line is the user's own
    choice and is read as given.
    """
    available = ", ".join(bundled.names("criteria")) or "none"
    is_path = Path(reference).suffix.lower() in CRITERIA_SUFFIXES
    if relative_to is not None and not is_path and not bundled.find("criteria", reference):
        raise InputError(
            relative_to,
            where,
            f"'{reference}' is neither a bundled criteria name ({available}) nor a path to a "
            f"criteria file ending {', '.join(CRITERIA_SUFFIXES)}",
        )
    candidate = (relative_to.parent / reference) if relative_to else Path(reference)
    there = (is_path or relative_to is None) and is_there(candidate)
    if there and candidate.is_file():
        if relative_to is not None and candidate.resolve() == relative_to.resolve():
            raise InputError(
                relative_to,
                where,
                f"'{reference}' is this scores file itself; name the criteria file it scores "
                "against",
            )
        return candidate
    found = bundled.find("criteria", reference)
    if found:
        return found
    if there:  # a pipe, device or folder
        refuse_special_files(candidate)
        raise InputError(candidate, "", "is a folder, not a criteria file")
    escaped = re.search(r"[\x00-\x1f\x7f]", reference) is not None
    raise InputError(
        relative_to or Path(reference),
        where if relative_to else "",
        f"criteria file '{reference.encode('unicode_escape').decode() if escaped else reference}'"
        " not found"
        + (" next to this file" if relative_to else "")
        + f", and no bundled criteria has that name (bundled: {available})"
        + (
            # "C:\temp\two.yaml" in double quotes: YAML reads \t as a tab
            "; it holds a control character: in double quotes a backslash starts an escape "
            "sequence (\\t is a tab), so write the path in single quotes or with forward slashes"
            if escaped
            else ""
        ),
    )


def resolve_scores_path(reference: str | Path) -> Path:
    """A scores file given on the command line: a path, else a bundled options name."""
    return resolve_given(reference, "options")


def resolve_given(reference: str | Path, kind: Kind) -> Path:
    """A file given on the command line: a path, else the name of a bundled file of ``kind``."""
    path = Path(reference)
    if is_there(path):
        return path
    found = bundled.find(kind, str(reference))
    if found:
        return found
    available = ", ".join(bundled.names(kind)) or "none"
    raise InputError(
        path,
        "",
        f"file not found, and no bundled {kind} file has that name (bundled: {available})",
    )


def resolve_any(reference: str | Path) -> Path:
    """A file for ``check``: a path, else a bundled options or criteria name."""
    path = Path(reference)
    if is_there(path):
        return path
    found = bundled.find("options", str(reference)) or bundled.find("criteria", str(reference))
    return found or path


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes, in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
