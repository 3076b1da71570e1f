"""Scores files loaded for a command: one at a time, or several sharing criteria and limits.

A file with several problems raises them all, as ``check`` lists them.
"""

from __future__ import annotations

import traceback
from dataclasses import replace
from pathlib import Path
from typing import Any

from appraise.data import CriteriaTree, ScoreSheet
from appraise.errors import AppraiseError, Problems, Refused
from appraise.io.checking import check_files
from appraise.io.files import is_workbook, resolve_scores_path
from appraise.io.loading import load_scores_once
from appraise.io.parsing import FileKind, Locate, count_scores, read_data, same_place
from appraise.model import Settings


def load_scores(
    reference: str | Path,
    settings: Settings | None = None,
    cache: dict[Path, CriteriaTree] | None = None,
    scores_before: int = 0,
) -> ScoreSheet:
    """Load a scores file, the criteria it names, and validate one against the other.

    A file with several problems raises them all, as ``check`` lists them (so the count a
    command gives is the count ``check`` lists), each naming where it is. ``scores_before``
    is how many scores the files read before this one hold (``load_inputs``): all together
    are held to ``MAX_SCORES``, so memory stays bounded however many files a command reads.
    """
    settings = settings or Settings()
    path = resolve_scores_path(reference)
    workbook: tuple[Any, Locate] | None = None
    data: Any = None
    locate: Locate = same_place
    try:
        data, locate = read_data(path, "scores")
        if is_workbook(path):  # bounded by the cell limits; reading it again takes seconds
            workbook = data, _fresh(locate)
        return load_scores_once(path, data, locate, settings, cache, scores_before)
    except Refused:
        raise
    except AppraiseError as exc:
        first = exc
        traceback.clear_frames(exc.__traceback__)  # its frames hold the first reading: free it
    # Outside the handler, so that the first reading of a YAML or JSON file (five million
    # scores, say) is freed before ``check`` reads it again to list every problem; a
    # workbook's reading is handed to ``check`` instead.
    data, locate = None, same_place
    read: dict[Path, tuple[FileKind, Any, Locate]] | None = None
    if workbook is not None:
        read = {path: ("scores", *workbook)}
    every = [p for p in check_files([path], settings, read).problems if p.severity == "error"]
    if len(every) <= 1:
        raise first
    raise Problems(every)


def _fresh(locate: Locate) -> Locate:
    """A workbook's locations as reading left them, before loading adds its warnings."""
    from appraise.io.xlsx_places import Locations

    return replace(locate, warnings=[]) if isinstance(locate, Locations) else locate


def load_inputs(references: list[str | Path], settings: Settings | None = None) -> list[ScoreSheet]:
    """Load several scores files, sharing criteria files, at most ``MAX_SCORES`` in all."""
    cache: dict[Path, CriteriaTree] = {}
    sheets: list[ScoreSheet] = []
    before = 0
    for ref in references:
        sheets.append(load_scores(ref, settings, cache, before))
        before += count_scores(sheets[-1].spec)
    return sheets


Inputs = list[ScoreSheet]
