"""Reading input files and writing outputs; the only place that touches the file system.

From the bottom up (each module imports only those above it in this list):

- ``files``: paths and bundled names resolved, shown as people read them, file-system faults
  in words; ``yaml_io`` / ``yaml_errors``: YAML and JSON parsed safely; ``sniff``: a file that
  is not what its name says; ``xlsx_layout`` / ``xlsx_guard`` / ``xlsx_read``: the scoring
  workbook's layout, its package checked before openpyxl loads it, and its cells read.
- ``parsing``: a file parsed and validated as one kind (criteria, scores, rules), limits first.
- ``criteria_files``: criteria loaded, and found for the scores file naming them.
- ``loading``: a scores file against its criteria; rules against the groups they join.
- ``checking``: ``check``: every problem in any mix of files.
- ``inputs``: scores files for a command (every problem listed when one fails).
- ``xlsx_template``: the scoring workbook written; ``safe_write``: outputs written atomically;
  ``examples``: the bundled files copied out.
"""

from __future__ import annotations

from appraise.io.checking import CheckResult, check_files
from appraise.io.criteria_files import load_criteria
from appraise.io.files import resolve_scores_path
from appraise.io.inputs import Inputs, load_inputs, load_scores
from appraise.io.loading import load_rules, load_rules_for
from appraise.io.parsing import file_kind

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
