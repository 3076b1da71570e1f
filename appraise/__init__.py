"""appraise: multi-criteria option appraisal for health and care service reconfiguration.

The library API is importable without the command line::

    from appraise import load_scores, rank
    ranking = rank(load_scores("options/urgent-care.yaml"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "AppraiseError",
    "InputError",
    "Settings",
    "__version__",
    "global_weights",
    "load_criteria",
    "load_inputs",
    "load_scores",
    "rank",
]

if TYPE_CHECKING:
    from appraise.errors import AppraiseError, InputError
    from appraise.io import load_criteria, load_inputs, load_scores
    from appraise.model import Settings
    from appraise.scoring import rank
    from appraise.weights import global_weights

_LAZY = {
    "AppraiseError": "appraise.errors",
    "InputError": "appraise.errors",
    "Settings": "appraise.model",
    "load_criteria": "appraise.io",
    "load_inputs": "appraise.io",
    "load_scores": "appraise.io",
    "rank": "appraise.scoring",
    "global_weights": "appraise.weights",
}


def __getattr__(name: str) -> Any:
    """Import the public API on first use, so ``import appraise`` stays light."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'appraise' has no attribute {name!r}")
