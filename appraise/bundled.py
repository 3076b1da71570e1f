"""Where the shipped criteria, options and examples live, installed or in a checkout.

A wheel carries them under ``appraise/_bundled/`` (hatch ``force-include``); a source checkout
or an editable install has them at the top of the repository. Only this module knows which.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import Literal

Kind = Literal["criteria", "options", "examples"]
DEFAULT_CRITERIA = "cp-2016"
DEFAULT_EXAMPLE = "urgent-care"


def installed() -> bool:
    """Whether the bundled files are the installed package's (not a checkout's folders)."""
    return (Path(str(files("appraise"))) / "_bundled").is_dir()


def folder(kind: Kind) -> Path:
    """The folder of one kind of bundled file."""
    if installed():
        return Path(str(files("appraise"))) / "_bundled" / kind
    return Path(__file__).resolve().parent.parent / kind


def names(kind: Kind) -> list[str]:
    """Names of the bundled YAML files of one kind, without suffix."""
    here = folder(kind)
    return sorted(p.stem for p in here.glob("*.yaml")) if here.is_dir() else []


def find(kind: Kind, name: str) -> Path | None:
    """A bundled file by name (``cp-2016`` or ``cp-2016.yaml``), or None."""
    if "/" in name or "\\" in name or name.startswith("."):
        return None
    stem = name.removesuffix(".yaml").removesuffix(".yml")
    candidate = folder(kind) / f"{stem}.yaml"
    return candidate if candidate.is_file() else None


def label(path: Path) -> str | None:
    """``cp-2016 (bundled)`` for a bundled file, so messages need not show where it is installed."""
    resolved = path.resolve()
    for kind in ("criteria", "options", "examples"):
        base = folder(kind).resolve()
        if resolved.is_relative_to(base):
            name = resolved.relative_to(base).with_suffix("").as_posix()
            return f"{name} (bundled)"
    return None
