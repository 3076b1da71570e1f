"""appraise: multi-criteria option appraisal for health and care service reconfiguration.

The library API is importable without the command line (``appraise.api``; the commands are
its clients)::

    from appraise import load_scores, rank
    ranking = rank(load_scores("options/urgent-care.yaml"), weights="clinical")

Every command has its call here: ``load_criteria``, ``load_scores``, ``scores_from_data``,
``rank``, ``sensitivity``, ``combine``, ``diff``, ``export_workbook``, ``make_template``,
``merge`` and ``merge_panels`` (defined in ``appraise.api``). Where the rest lives:
``appraise.data`` (the validated objects), ``appraise.analysis`` (the analyses),
``appraise.present`` (records, JSON/CSV/Markdown, the HCE workbook, the terminal),
``appraise.io`` (reading inputs, writing files), ``appraise.cli``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AppraiseError",
    "InputError",
    "ParameterError",
    "Settings",
    "__version__",
    "combine",
    "diff",
    "explain",
    "export_workbook",
    "global_weights",
    "load_criteria",
    "load_inputs",
    "load_scores",
    "make_template",
    "merge",
    "merge_panels",
    "rank",
    "scores_from_data",
    "sensitivity",
    "value",
    "write_brief",
]

if TYPE_CHECKING:
    from appraise.api import (
        combine,
        diff,
        explain,
        export_workbook,
        load_criteria,
        load_scores,
        make_template,
        merge,
        merge_panels,
        rank,
        scores_from_data,
        sensitivity,
        value,
        write_brief,
    )
    from appraise.errors import AppraiseError, InputError, ParameterError
    from appraise.io import load_inputs
    from appraise.model import Settings
    from appraise.weights import global_weights

_LAZY = {
    "AppraiseError": "appraise.errors",
    "InputError": "appraise.errors",
    "ParameterError": "appraise.errors",
    "Settings": "appraise.model",
    "combine": "appraise.api",
    "diff": "appraise.api",
    "explain": "appraise.api",
    "export_workbook": "appraise.api",
    "load_criteria": "appraise.api",
    "load_inputs": "appraise.io",
    "load_scores": "appraise.api",
    "make_template": "appraise.api",
    "merge": "appraise.api",
    "merge_panels": "appraise.api",
    "rank": "appraise.api",
    "scores_from_data": "appraise.api",
    "sensitivity": "appraise.api",
    "value": "appraise.api",
    "write_brief": "appraise.api",
    "global_weights": "appraise.weights",
}


def __getattr__(name: str) -> Any:
    """Import the public API on first use, so ``import appraise`` stays light."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'appraise' has no attribute {name!r}")
