"""``appraise examples``: copy the bundled files into a folder, so the README's tour runs there."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from appraise import bundled
from appraise.io.safe_write import OutputError, default_mode, output_faults, temporary_prefix

FOLDERS: tuple[bundled.Kind, ...] = ("criteria", "options", "examples")


def copy_examples(target: Path) -> list[Path]:
    """Copy the bundled criteria, options and examples folders into ``target``.

    ``target`` must not exist yet, or be an empty folder: nothing is ever written over. The
    copy is made in a temporary folder beside it and moved into place in one step, so an
    interruption leaves no half-filled folder. Returns the folders made.
    """
    with output_faults(target):
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise OutputError(
                target, "", "already exists and is not an empty folder; name a new one"
            )
        parent = target.absolute().parent
        if not parent.is_dir():
            raise OutputError(target, "", f"folder '{parent}' does not exist")
        staging = Path(tempfile.mkdtemp(prefix=temporary_prefix(target), dir=parent))
        try:
            staging.chmod(default_mode(folder=True))  # mkdtemp makes it private; a normal one not
            for kind in FOLDERS:
                shutil.copytree(bundled.folder(kind), staging / kind)
            if target.exists():
                target.rmdir()  # empty, checked above
            staging.rename(target)  # fails, rather than merging, if a racing run made it meanwhile
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return [target / kind for kind in FOLDERS]
