"""Reading input files and writing outputs; the only place that touches the file system."""

from __future__ import annotations

from appraise.io.checking import CheckResult, check_files
from appraise.io.loading import (
    Inputs,
    file_kind,
    load_criteria,
    load_inputs,
    load_rules,
    load_rules_for,
    load_scores,
    resolve_scores_path,
)

__all__ = [
    "CheckResult",
    "Inputs",
    "check_files",
    "file_kind",
    "load_criteria",
    "load_inputs",
    "load_rules",
    "load_rules_for",
    "load_scores",
    "resolve_scores_path",
]
