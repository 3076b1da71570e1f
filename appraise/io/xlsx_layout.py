"""The scoring workbook's layout, declared once: the template writes it, the reader reads it.

Layout (one long table of scores, so any number of scorers fits without new sheets):

- ``Instructions``: how to fill the workbook in.
- ``Group``: ``key | value`` rows: group, name, criteria, scale_min, scale_max, round,
  illustrative, description.
- ``Criteria``: the criteria with weights, read-only (protected).
- ``Options``: ``id | name | status_quo | description | notes``.
- ``Scorers``: ``id | name | role | organisation``.
- ``Scores``: a row of criterion names, then the header row ``scorer | option | <leaf ids> |
  evidence``, then one row per scorer and option (scorer left blank for consensus scores).
- ``Measures`` (only when the criteria measure a leaf): a row of criterion names and units,
  then ``option | <measured leaf ids>``, one row per option; a measured leaf has no column on
  ``Scores``. The ``Criteria`` sheet gives each value function (``unit``, ``points``).
- ``Interests``: ``scorer | option | interest``.
- ``Gates``: ``id | name | description``; ``Gate results``: ``option | gate | pass | reason``.
- ``Costs``: ``option | unit | <figure>...`` (capital, revenue, ...): an option's cost figures
  in one unit (CONTRACT 1.5), one row per option; a blank figure is not given.

Reading builds the same mapping a YAML scores file parses to, plus a map from each YAML path
to the sheet and cell it came from, so every validation message names the cell.
"""

from __future__ import annotations

from appraise.limits import MAX_SHEET_ROWS

MAX_ROWS = MAX_SHEET_ROWS
TEMPLATE_ROWS = 200
CONSENSUS = "consensus"
MILESTONE = "milestone:"

GROUP_KEYS = (
    ("group", "Working group id: lowercase letters, digits, '-' and '_' (e.g. urgent-care)"),
    ("name", "Working group name as people say it"),
    ("criteria", "The criteria file: a path relative to this workbook, or a bundled name"),
    ("scale_min", "Lowest score on the scale (e.g. 1, or -2)"),
    ("scale_max", "Highest score on the scale (e.g. 5, or 2)"),
    ("round", "Scoring round: indicative (top-level criteria) or rescore (sub-criteria)"),
    ("illustrative", "yes if the scores are invented for illustration"),
    ("description", "What the group is deciding (optional)"),
)
TABLES = {
    "Options": (
        "id",
        "name",
        "status_quo",
        "description",
        "notes",
        "status",
        "status_reason",
        "dissent",
    ),
    "Scorers": ("id", "name", "role", "organisation"),
    "Interests": ("scorer", "option", "interest"),
    "Gates": ("id", "name", "description"),
    "Gate results": ("option", "gate", "pass", "reason"),
    "Costs": ("option", "unit"),
}
COST_FIGURES = ("capital", "revenue")  # the columns a template without costs offers
GROUP_KEY_NAMES = [k for k, _ in GROUP_KEYS]
MEASURES = "Measures"
CRITERIA_COLUMNS = ("id", "name", "criterion", "weight", "global weight", "unit", "points")


def points_text(points: list[tuple[float, float]]) -> str:
    """A value function's points as the Criteria sheet writes them: ``15:5, 30:4, 60:1``."""
    return ", ".join(f"{x:g}:{y:g}" for x, y in points)


def points_of(text: str) -> list[list[float]] | None:
    """``15:5, 30:4`` back to ``[[15, 5], [30, 4]]``; None when it is not written that way."""
    try:
        pairs = [part.split(":") for part in text.split(",")]
        return [[float(x), float(y)] for x, y in pairs]
    except ValueError:
        return None


YES_WORDS = {"yes", "y", "true", "1", "x", "pass", "passed"}
NO_WORDS = {"no", "n", "false", "0", "", "fail", "failed"}
