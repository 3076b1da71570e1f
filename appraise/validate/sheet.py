"""A scores file checked against its criteria and built into a ``ScoreSheet``.

Scores on the scale and against known criteria, gaps by the missing-score policy, gates,
statuses, interests, and the scoring lint (a score far from the rest of the panel).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from appraise.choices import Aggregate
from appraise.data import CriteriaTree, FloatArray, GateFailure, Level, OptionInfo, ScoreSheet
from appraise.errors import Problem, Severity, raise_if_errors, setting
from appraise.kernel import aggregate
from appraise.measures import measure_range, score_of
from appraise.model import OptionSpec, ScoresFile, Settings
from appraise.notes import Note, NoteKind
from appraise.validate.criteria import nearest, repeats, unknown_criterion


def _rows(option: OptionSpec) -> dict[str, dict[str, float | None]]:
    """An option's score rows by scorer ("consensus" for consensus scores)."""
    if option.scores is not None:
        return {"consensus": option.scores}
    return dict(option.scorers or {})


def _score_level(spec: ScoresFile, tree: CriteriaTree) -> Level:
    """Whether the file scores leaves or (indicative round) top-level criteria.

    A file that mixes the two is read at the level most of its keys use; the others are then
    reported as belonging to the wrong level.
    """
    used = {key for option in spec.options for row in _rows(option).values() for key in row}
    leaves, tops = set(tree.leaf_ids), set(tree.top_ids)
    if used <= leaves:
        return "leaves"
    if used <= tops:
        return "criteria"
    return "leaves" if len(used & leaves) >= len(used & tops) else "criteria"


def _where(option_index: int, option: OptionSpec, scorer: str) -> str:
    if option.scores is not None:
        return f"options[{option_index}].scores"
    return f"options[{option_index}].scorers.{scorer}"


def medians_of_the_rest(raw: FloatArray) -> FloatArray:
    """For each score, the median of the other scorers' scores in its cell.

    NaN where this scorer gave no score or nobody else scored the cell.

    ``raw`` is scorers x options x leaves with NaN where a scorer gave no score; the result
    has the same shape and equals ``np.nanmedian(np.delete(raw, k, axis=0), axis=0)`` for
    each scorer k, from one sort instead of one median per scorer. With the cell's n scores
    sorted and this one at position p, the rest are the sorted scores without p: their
    middle one or two (positions (n-2)//2 and (n-1)//2 of the rest) sit at the same sorted
    position when before p, one further on when at or after it. Equal scores may swap
    places; the rest is the same numbers whichever copy is left out.
    """
    if len(raw) == 0:
        return raw.copy()
    order = np.argsort(raw, axis=0, kind="stable")  # NaN sorts last
    ordered = np.take_along_axis(raw, order, axis=0)
    position = np.empty_like(order)
    np.put_along_axis(position, order, np.arange(len(raw)).reshape(-1, 1, 1), axis=0)
    count = np.sum(~np.isnan(raw), axis=0)  # n, per cell
    low, high = (count - 2) // 2, (count - 1) // 2  # the middle of the rest (n - 1 scores)
    last = len(raw) - 1

    def at(q: npt.NDArray[np.intp]) -> FloatArray:
        index = np.clip(np.where(q < position, q, q + 1), 0, last)
        return np.take_along_axis(ordered, index, axis=0)

    rest = (at(np.broadcast_to(low, raw.shape)) + at(np.broadcast_to(high, raw.shape))) / 2
    return np.where(np.isnan(raw) | (count < 2), np.nan, rest)


@dataclass
class _SheetCheck:
    """The checks of one scores file against its criteria, each adding to ``problems``."""

    spec: ScoresFile
    path: str
    tree: CriteriaTree
    problems: list[Problem] = field(default_factory=list)
    # (option, scorer) rows with a mistyped key: the criteria those keys were meant to be.
    meant: dict[tuple[int, str], set[str]] = field(default_factory=dict)
    measured: dict[str, dict[str, float]] = field(default_factory=dict)

    def add(self, where: str, message: str, severity: Severity = "error", topic: str = "") -> None:
        self.problems.append(Problem(self.path, where, message, severity, topic))

    def warn(self, where: str, message: str, topic: str) -> None:
        """A warning, counted under ``topic`` where a run's notes are summarised."""
        self.add(where, message, "warning", topic)

    def option(self, i: int) -> str:
        """An option as a note names it: its name, quoted."""
        return f"'{self.spec.options[i].name}'"

    def criteria(self, leaf_ids: Iterable[str]) -> str:
        """Criteria as a note names them: their names, quoted."""
        return ", ".join(f"'{self.tree.name(c)}'" for c in leaf_ids)

    def options(self) -> None:
        ids = [o.id for o in self.spec.options]
        for later, first in repeats(ids).items():
            self.add(
                f"options[{later}].id",
                f"duplicate option id '{ids[later]}' (first at options[{first}])",
            )
        status_quo = [i for i, o in enumerate(self.spec.options) if o.status_quo]
        for i in status_quo[1:]:
            self.add(f"options[{i}].status_quo", "more than one option is marked status_quo")
        self.costs()
        if not status_quo:
            self.warn(
                "options",
                "no option is marked status_quo: true (the current configuration)",
                "the status quo",
            )

    def costs(self) -> None:
        """One unit of cost per file (CONTRACT 1.5): figures in two units cannot be compared."""
        first: tuple[int, str] | None = None
        for i, option in enumerate(self.spec.options):
            if option.cost is None:
                continue
            if first is None:
                first = (i, option.cost.unit)
            elif option.cost.unit != first[1]:
                other = self.spec.options[first[0]].id
                self.add(
                    f"options[{i}].cost.unit",
                    f"cost in '{option.cost.unit}', but option '{other}' gives its cost in "
                    f"'{first[1]}': one unit for every cost in a file",
                )

    def scorers(self) -> tuple[list[str], bool]:
        """Scorer ids in order of first appearance, and whether scores are per scorer."""
        ids = list(dict.fromkeys(s for o in self.spec.options for s in o.scorers or {}))
        if not ids:
            return ["consensus"], False
        if any(o.scores is not None for o in self.spec.options):
            self.add(
                "options", "mixes consensus 'scores' and per-scorer 'scorers'; use one throughout"
            )
            ids.append("consensus")  # so the consensus rows are still checked, cell by cell
        known = self.spec.scorers
        for scorer in known:
            if scorer not in ids:
                self.warn(f"scorers.{scorer}", f"scorer '{scorer}' scored no option", "the panel")
        for scorer in ids:
            if known and scorer not in known and scorer != "consensus":
                # An error, not a warning: a mistyped id would count as one more panel member.
                first = next(
                    i for i, o in enumerate(self.spec.options) if scorer in (o.scorers or {})
                )
                meant = nearest(scorer, list(known))
                hint = f": did you mean '{meant}'?" if meant else f" (listed: {', '.join(known)})"
                self.add(
                    f"options[{first}].scorers.{scorer}",
                    f"scorer '{scorer}' is not listed under 'scorers'{hint}",
                )
        option_ids = {o.id for o in self.spec.options}
        for scorer, info in known.items():
            for option_id in info.interests:
                if option_id not in option_ids:
                    self.add(
                        f"scorers.{scorer}.interests.{option_id}", f"unknown option '{option_id}'"
                    )
        return ids, True

    def scores(self, level: Level, scorer_ids: list[str]) -> FloatArray:
        """Scores per scorer x option x leaf (NaN where not given), checking every key and value.

        Each row is placed with one numpy assignment, and keys are checked one by one only in
        a row holding one that is not a criterion of this level: a large valid file costs one
        dict lookup per cell.
        """
        leaf_ids = self.tree.leaves(level)
        column = {key: j for j, key in enumerate(leaf_ids)}
        layer = {scorer: k for k, scorer in enumerate(scorer_ids)}
        raw = np.full((len(scorer_ids), len(self.spec.options), len(leaf_ids)), np.nan)
        for i, option in enumerate(self.spec.options):
            for scorer, row in _rows(option).items():
                known = row
                if not row.keys() <= column.keys():
                    known = {key: value for key, value in row.items() if key in column}
                    meant = self._unknown_keys(_where(i, option, scorer), row, level)
                    self.meant[i, scorer] = meant
                if known:
                    raw[layer[scorer], i, [column[key] for key in known]] = np.array(
                        list(known.values()), dtype=float
                    )  # None (a cell left blank) becomes NaN
        self._out_of_scale(raw, leaf_ids, scorer_ids)
        self.measured = self._measures(raw, leaf_ids)
        return raw

    def _measures(self, raw: FloatArray, leaf_ids: tuple[str, ...]) -> dict[str, dict[str, float]]:
        """Each measured leaf's score from its option's measure, in every scorer's cell.

        A measured leaf takes a measure, not a score; a measure outside its value function's
        range, or a value function with a score off this file's scale, is an error.
        """
        functions = self.tree.measures()
        measured: dict[str, dict[str, float]] = {}
        scale = self.spec.scale
        for leaf, function in functions.items():
            off = [y for _, y in function.points if not scale.min <= y <= scale.max]
            if leaf in leaf_ids and off:
                self.add(
                    "scale",
                    f"the value function of '{self.tree.name(leaf)}' gives scores "
                    f"{', '.join(f'{y:g}' for y in off)}, off this file's scale "
                    f"{scale.min:g}..{scale.max:g}",
                )
        column = {key: j for j, key in enumerate(leaf_ids)}
        for i, option in enumerate(self.spec.options):
            for leaf, value in option.measures.items():
                where = f"options[{i}].measures.{leaf}"
                if leaf not in functions:
                    measured_ids = ", ".join(functions) or "none"
                    self.add(
                        where, f"'{leaf}' is not a measured criterion (measured: {measured_ids})"
                    )
                    continue
                function = functions[leaf]
                score = score_of(function, value)
                if score is None:
                    low, high = measure_range(function)
                    self.add(
                        where,
                        f"{self.option(i)} measures {value:g} {function.unit} on "
                        f"'{self.tree.name(leaf)}', outside its value function's range "
                        f"{low:g} to {high:g} {function.unit} (never extrapolated)",
                    )
                    continue
                if leaf not in column:  # an indicative round scores the criterion above it
                    self.warn(
                        where,
                        f"'{leaf}' is measured, but this round scores the top-level criteria: "
                        "its measure is checked and not used",
                        "measures not used",
                    )
                    continue
                j = column[leaf]
                given = ~np.isnan(raw[:, i, j])
                if given.any():
                    self.add(
                        where,
                        f"'{leaf}' is measured ({function.unit}): give its measure, not a score",
                    )
                raw[:, i, j] = score
                measured.setdefault(option.id, {})[leaf] = value
            for leaf in functions:
                if leaf in column and leaf not in option.measures:
                    for scorer, row in _rows(option).items():
                        if row.get(leaf) is not None:
                            self.add(
                                f"{_where(i, option, scorer)}.{leaf}",
                                f"'{leaf}' is measured ({functions[leaf].unit}): give "
                                f"measures: {{{leaf}: ...}} for the option, not a score",
                            )
        return measured

    def _unknown_keys(self, where: str, row: dict[str, float | None], level: Level) -> set[str]:
        """An error for each key of a row that is not a criterion scored at this level.

        Returns the criteria the mistyped keys were most likely meant to be: their cells are
        not also reported as skipped or missing.
        """
        meant = set()
        leaf_ids = self.tree.leaves(level)
        other = self.tree.leaves("criteria" if level == "leaves" else "leaves")
        level_word = "sub-criteria" if level == "leaves" else "top-level criteria"
        for key in row:
            if key in leaf_ids:
                continue
            if key in other:
                self.add(
                    f"{where}.{key}",
                    f"'{key}' is not one of the {level_word} this file scores against; "
                    "a file scores one level throughout",
                )
            else:
                self.add(f"{where}.{key}", unknown_criterion(key, leaf_ids))
                meant.add(nearest(key, leaf_ids) or key)
        return meant

    def _out_of_scale(
        self, raw: FloatArray, leaf_ids: tuple[str, ...], scorer_ids: list[str]
    ) -> None:
        """Every score outside the scale, by option, scorer and criterion."""
        scale = self.spec.scale
        with np.errstate(invalid="ignore"):
            outside = (raw < scale.min) | (raw > scale.max)  # NaN (not given) compares False
        for i, k, j in np.argwhere(outside.transpose(1, 0, 2)):
            option = self.spec.options[i]
            self.add(
                f"{_where(i, option, scorer_ids[k])}.{leaf_ids[j]}",
                f"option '{option.id}', criterion '{leaf_ids[j]}': score {raw[k, i, j]:g} "
                f"is outside the scale {scale}",
            )

    def gaps(self, raw: FloatArray, level: Level, scorer_ids: list[str], missing: str) -> None:
        """Cells a scorer skipped (warning); cells nobody scored (error unless a policy is set)."""
        leaf_ids = self.tree.leaves(level)
        blank = np.isnan(raw)
        nobody = np.all(blank, axis=0)
        skips = np.any(blank & ~nobody, axis=2)  # scorer x option: a cell others scored
        flagged = np.any(skips, axis=0) | (np.any(nobody, axis=1) & (missing == "error"))
        for i in np.flatnonzero(flagged).tolist():  # a full, valid sheet skips the loop
            option = self.spec.options[i]
            typo = set().union(*(v for (row, _), v in self.meant.items() if row == i))
            for k, scorer in enumerate(scorer_ids):
                meant = self.meant.get((i, scorer), set())
                skipped = [
                    leaf_ids[j]
                    for j in np.nonzero(np.isnan(raw[k, i]) & ~nobody[i])[0]
                    if leaf_ids[j] not in meant  # reported as the typo it is
                ]
                if option.scorers and scorer in option.scorers and skipped:
                    self.warn(
                        _where(i, option, scorer),
                        f"scorer '{scorer}' gave no score for {self.criteria(skipped)} of "
                        f"{self.option(i)}; the other scorers' scores are used",
                        SKIPPED,
                    )
            if missing != "error":
                continue
            functions = self.tree.measures()
            for j in np.nonzero(nobody[i])[0]:
                if leaf_ids[j] in typo:
                    continue  # a key one slip away from it is reported as unknown
                if leaf_ids[j] in functions:
                    self._no_measure(i, option, leaf_ids[j], functions[leaf_ids[j]].unit)
                    continue
                self.add(
                    f"{_where(i, option, scorer_ids[0])}.{leaf_ids[j]}"
                    if option.scores is not None
                    else f"options[{i}].scorers",
                    f"option '{option.id}' has no score for '{leaf_ids[j]}' "
                    f"(choose {setting('missing', 'exclude|baseline|renormalise')} to proceed)",
                )

    def _no_measure(self, i: int, option: OptionSpec, leaf: str, unit: str) -> None:
        """A measured leaf an option gives no (usable) measure for; a bad one is reported."""
        given = option.measures.keys()
        if leaf in given or nearest(leaf, [k for k in given if k not in self.tree.measures()]):
            return  # its measure is out of range, or mistyped: already reported
        self.add(
            f"options[{i}].measures",
            f"option '{option.id}' has no measure for '{leaf}' ({unit}); give "
            f"measures: {{{leaf}: ...}}",
        )

    def gates(self) -> list[tuple[GateFailure, ...]]:
        """Gate results per option: unknown gates are errors, unrecorded ones warnings."""
        defined = {g.id: g for g in self.tree.spec.gates}
        for j, gate in enumerate(self.spec.gates):
            if gate.id in defined:
                self.add(
                    f"gates[{j}].id", f"gate '{gate.id}' is already defined in the criteria file"
                )
        defined.update({g.id: g for g in self.spec.gates})
        failures = []
        for i, option in enumerate(self.spec.options):
            failed = []
            for gate_id, result in option.gates.items():
                if gate_id not in defined:
                    self.add(f"options[{i}].gates.{gate_id}", f"unknown gate '{gate_id}'")
                elif not result.passed:
                    failed.append(GateFailure(gate_id, defined[gate_id].name, result.reason or ""))
            for gate_id in defined.keys() - option.gates.keys():
                self.warn(
                    f"options[{i}].gates",
                    f"{self.option(i)} has no result for gate '{defined[gate_id].name}'; "
                    "it is not screened out by it",
                    "gates with no result",
                )
            failures.append(tuple(failed))
        return failures

    # --- lint: scores that are valid but look like a data-entry or panel problem -------------

    def lint(
        self, raw: FloatArray, level: Level, scorer_ids: list[str], per_scorer: bool, how: Aggregate
    ) -> None:
        """Warnings on a valid sheet: flat scorers, look-alike options, absences, outliers."""
        leaf_ids = self.tree.leaves(level)
        if per_scorer:
            self.lint_flat_scorers(raw, scorer_ids)
        self.lint_same_options(aggregate(raw, how)[0], leaf_ids)
        if per_scorer:
            self.lint_absent_scorers(scorer_ids)
            self.lint_outliers(raw, leaf_ids, scorer_ids)

    def _scorer_where(self, scorer: str) -> str:
        """Where a finding about a scorer across options points: their entry, if listed."""
        return f"scorers.{scorer}" if scorer in self.spec.scorers else "options"

    def lint_flat_scorers(self, raw: FloatArray, scorer_ids: list[str]) -> None:
        """A scorer whose every option has the same row was likely copied down, not scored."""
        for k, scorer in enumerate(scorer_ids):
            rows = raw[k][~np.all(np.isnan(raw[k]), axis=1)]
            if len(rows) >= 2 and all(np.array_equal(r, rows[0], equal_nan=True) for r in rows):
                self.warn(
                    self._scorer_where(scorer),
                    f"scorer '{scorer}' gave every option the same scores; "
                    "check the scores were entered per option",
                    "the panel",
                )

    def lint_same_options(self, combined: FloatArray, leaf_ids: tuple[str, ...]) -> None:
        """Two options with one name or description are probably one option entered twice.

        Names and descriptions are compared ignoring case and spacing.
        """
        options = self.spec.options
        same: dict[tuple[int, int], list[str]] = {}
        for key in ("name", "description"):
            given = [i for i, o in enumerate(options) if getattr(o, key)]
            texts = ["".join(str(getattr(options[i], key)).split()).casefold() for i in given]
            for later, first in repeats(texts).items():
                same.setdefault((given[later], given[first]), []).append(key)
        for (later, first), keys in sorted(same.items()):
            gap = np.abs(combined[later] - combined[first])
            differ = [j for j in np.argsort(-gap, kind="stable") if gap[j] > 1e-9]
            if differ:
                listed = ", ".join(
                    f"{round(float(gap[j]), 2):g} on {leaf_ids[j]}" for j in differ[:3]
                )
                extra = len(differ) - 3
                more = f" and {extra} more {'criterion' if extra == 1 else 'criteria'}"
                more = more if extra > 0 else ""
                scored = f" but their combined scores differ by {listed}{more}"
            else:
                scored = " and are scored the same"
            self.warn(
                f"options[{later}].{keys[0]}",
                f"options '{options[first].id}' and '{options[later].id}' look like the same "
                f"option (same {' and '.join(keys)}){scored}; keep one, or say how they differ",
                "options that look alike",
            )

    def lint_absent_scorers(self, scorer_ids: list[str]) -> None:
        """A scorer who scored some options but not others (cells skipped are gaps, not this)."""
        options = self.spec.options
        for scorer in scorer_ids:
            absent = [i for i, o in enumerate(options) if scorer not in (o.scorers or {})]
            if not absent or len(absent) == len(options):
                continue
            self.warn(
                f"options[{absent[0]}].scorers" if len(absent) == 1 else self._scorer_where(scorer),
                f"scorer '{scorer}' scored {len(options) - len(absent)} of {len(options)} "
                f"options; not: {', '.join(self.option(i) for i in absent)}; the other scorers' "
                "scores stand for those",
                ABSENT,
            )

    def lint_outliers(
        self, raw: FloatArray, leaf_ids: tuple[str, ...], scorer_ids: list[str], limit: int = 20
    ) -> None:
        """A score at least half the scale from the median of the rest of a panel of 3 or more.

        Only the farthest scorer in a cell is named: in a panel of 3 (5, 5, 1) the median of
        the others is 3 for each 5, which would otherwise flag the two who agree.
        """
        half = (self.spec.scale.max - self.spec.scale.min) / 2
        panel = np.sum(~np.isnan(raw), axis=0) >= 3
        rest = medians_of_the_rest(raw)
        gap = np.abs(raw - rest)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # cells nobody or one person scored
            farthest = gap >= np.nanmax(gap, axis=0) - 1e-9
        far = panel & farthest & (gap >= half - 1e-9)  # NaN compares False: unscored cells
        found = np.argwhere(far.transpose(1, 2, 0))  # ordered by option, criterion, scorer
        for i, j, k in found[:limit]:
            self.warn(
                f"options[{i}].scorers.{scorer_ids[k]}.{leaf_ids[j]}",
                f"{self.option(i)} on {self.criteria([leaf_ids[j]])}: scorer "
                f"'{scorer_ids[k]}' gave {raw[k, i, j]:g}, the rest of the panel's median is "
                f"{rest[k, i, j]:g} (at least half the scale apart)",
                OUTLIERS,
            )
        if len(found) > limit:
            self.warn(
                "options",
                f"{len(found) - limit:,} more outliers like these are not listed (the first "
                f"{limit} are)",
                OUTLIERS,
            )


SKIPPED = "cells a scorer skipped"
ABSENT = "the panel"  # a scorer who scored some options and not others
OUTLIERS = "scores far from their panel"


def _note(warning: Problem) -> Note:
    """A warning as a run's note: file and finding, without the place (``check`` shows it).

    Only a skipped cell or option changes a figure (the rest of the panel's scores stand in).
    """
    kind: NoteKind = "figure" if warning.topic in {SKIPPED, ABSENT} else "check"
    return Note(f"{warning.path}: {warning.message}", kind, warning.topic)


def check_sheet(
    spec: ScoresFile,
    path: str,
    tree: CriteriaTree,
    settings: Settings,
    locate: Callable[[str], str] | None = None,
) -> tuple[list[Problem], ScoreSheet | None]:
    """Every problem with a scores file against its criteria; the sheet when there is no error.

    ``locate`` turns a YAML path into a place in the file as read (a workbook's sheet and cell).
    """
    check = _SheetCheck(spec, path, tree)
    level = _score_level(spec, tree)
    check.options()
    scorer_ids, per_scorer = check.scorers()
    raw = check.scores(level, scorer_ids)
    check.gaps(raw, level, scorer_ids, settings.missing)
    failures = check.gates()
    if not any(p.severity == "error" for p in check.problems):
        check.lint(raw, level, scorer_ids, per_scorer, settings.aggregate)
    if locate is not None:
        check.problems = [replace(p, where=locate(p.where)) for p in check.problems]
    if any(p.severity == "error" for p in check.problems):
        return check.problems, None
    options = tuple(
        OptionInfo(o.id, o.name, o.status_quo, o.description, o.notes, failed)
        for o, failed in zip(spec.options, failures, strict=True)
    )
    sheet = ScoreSheet(
        path=path,
        spec=spec,
        tree=tree,
        level=level,
        leaf_ids=tree.leaves(level),
        options=options,
        scorer_ids=tuple(scorer_ids),
        per_scorer=per_scorer,
        raw=raw,
        notes=tuple(_note(p) for p in check.problems),
        measured=check.measured,
    )
    return check.problems, sheet


def build_sheet(
    spec: ScoresFile,
    path: str,
    tree: CriteriaTree,
    settings: Settings,
    locate: Callable[[str], str] | None = None,
) -> ScoreSheet:
    """Check a scores file against its criteria and return its score sheet.

    Raises ``Problems`` listing every error. Warnings (no status-quo option, a scorer who
    skipped a cell) travel with the sheet as notes.
    """
    problems, sheet = check_sheet(spec, path, tree, settings, locate)
    raise_if_errors(problems)
    assert sheet is not None  # no errors, so a sheet was built
    return sheet
