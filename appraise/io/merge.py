"""One panel from the scores files (workbooks, mostly) that members of a group filled in alone.

Each member's file is read and checked as any scores file is; then the files must agree on
what is not theirs to change: the group, the criteria table (by content, as the Criteria sheet
holds it or the file named resolves to it), the scale, the level scored and the options. Each
file contributes the scorers whose scores it holds; their declared interests, evidence, the
gate results and measures are carried into the panel. Whatever two files say differently is a
conflict naming both files and the places (sheet and cell, or YAML path); every conflict is
listed at once (``Conflicts``).

Merging fills in, never overrides: a gate result, measure, interest or piece of evidence one
file gives and another leaves blank is carried; given differently in two, it is a conflict.
Dissent notes are the one option field joined rather than compared: each member may record
their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from appraise.data import CriteriaTree, Level, ScoreSheet
from appraise.errors import AppraiseError, InputError, Problem, Problems, Refused, setting
from appraise.io.files import is_workbook, resolve_scores_path, shown_path
from appraise.io.inputs import load_scores
from appraise.io.loading import load_scores_once
from appraise.io.parsing import Locate, count_scores, read_data
from appraise.limits import MAX_SCORERS
from appraise.model import GateResult, MeasureSpec, OptionSpec, ScoresFile, Settings
from appraise.notes import Note
from appraise.safe_text import cut, plural
from appraise.validate import build_sheet

READING = Settings(missing="exclude")
"""Gaps are kept as they are: whether a gap stops a ranking is ``rank``'s choice."""

GROUP_FIELDS = {
    "group": "the group",
    "name": "the group's name",
    "round": "the round",
    "illustrative": "illustrative",
    "description": "the group's description",
}
OPTION_FIELDS = {
    "name": "the name",
    "status_quo": "status_quo",
    "description": "the description",
    "notes": "the notes",
    "status": "the status",
    "status_reason": "the status_reason",
}
PANEL_TOPIC = "the panel"  # appraise.validate.sheet's topic for scorers who skipped options
MAX_LISTED = 20  # conflicts listed; the rest are counted


class Conflicts(Problems):
    """Files that disagree on what a panel shares: every conflict, a line each."""

    def lines(self) -> list[str]:
        """Each conflict (they are not in any one file, so ``check`` cannot list them)."""
        found = [str(p) for p in self.errors]
        if len(found) <= MAX_LISTED:
            return found
        rest = len(found) - MAX_LISTED
        return [*found[:MAX_LISTED], f"... and {plural(rest, 'more conflict')}"]


@dataclass(frozen=True)
class Panel:
    """The merged panel: a scores file, checked against its criteria.

    ``spec.criteria`` names the criteria as the first file does (a writer re-expresses a path
    relative to where it writes); ``sheet`` is the panel as ``rank`` takes it.
    """

    spec: ScoresFile
    tree: CriteriaTree
    level: Level
    sheet: ScoreSheet
    sources: tuple[Path, ...]
    """The files read, in the order given."""
    scorers_from: dict[str, str]
    """Each scorer with scores, and the file (as shown) that held them."""
    notes: tuple[str, ...] = ()

    @property
    def files(self) -> tuple[str, ...]:
        """The files read, as messages show them."""
        return tuple(shown_path(p) for p in self.sources)


@dataclass(frozen=True)
class _Member:
    """One file read: its checked sheet, and where each YAML path of it is."""

    path: Path
    shown: str
    sheet: ScoreSheet
    locate: Locate
    criteria_cells: dict[str, str] = field(default_factory=dict)
    by_id: dict[str, OptionSpec] = field(default_factory=dict)

    @property
    def spec(self) -> ScoresFile:
        return self.sheet.spec

    def at(self, yaml_path: str) -> str:
        return self.locate(yaml_path)

    def scorers(self) -> list[str]:
        """The scorers whose scores this file holds, in order of first appearance."""
        return list(dict.fromkeys(s for o in self.spec.options for s in o.scorers or {}))

    def first_row(self, scorer: str) -> str:
        """Where the scorer's first scores are."""
        i = next(i for i, o in enumerate(self.spec.options) if scorer in (o.scorers or {}))
        return self.at(f"options[{i}].scorers.{scorer}")


def _read(reference: str | Path, cache: dict[Path, CriteriaTree], before: int) -> _Member:
    """A file read and checked as any scores file is; a file that fails lists every problem."""
    path = resolve_scores_path(reference)
    data, locate = read_data(path, "scores")
    try:
        sheet = load_scores_once(path, data, locate, READING, cache, before)
    except Refused:
        raise
    except AppraiseError:
        del data
        load_scores(path, READING, cache, before)  # lists each problem, as `check` does
        raise
    cells = getattr(locate, "criteria_cells", None) or {}
    by_id = {o.id: o for o in sheet.spec.options}
    return _Member(path, shown_path(path), sheet, locate, dict(cells), by_id)


class _Shown(str):
    """A value already written as a conflict shows it (not quoted again)."""


def _shown(value: Any) -> str:
    """A value as a conflict quotes it: text quoted and cut, numbers as typed, blank as such."""
    if isinstance(value, _Shown):
        return value
    if value is None or value in ([], {}):
        return "blank"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        text = f"{value:g}"
        return text if float(text) == value else repr(value)
    return f"'{cut(str(value))}'"


class _Merge:
    """The conflicts found so far, each naming the file it is in and the first file."""

    def __init__(self, first: _Member) -> None:
        self.first = first
        self.found: list[Problem] = []

    def differ(
        self,
        member: _Member,
        where: str,
        subject: str,
        values: tuple[Any, Any],
        there: str,
        other: _Member | None = None,
    ) -> None:
        """``subject`` is ``values[0]`` in ``member`` (at ``where``), ``values[1]`` in ``other``.

        ``other`` is the first file unless named.
        """
        other = other or self.first
        mine, theirs = (_shown(v) for v in values)
        message = f"{subject} is {mine} here, {theirs} in {other.shown} ({there})"
        self.found.append(Problem(member.shown, where, message))

    def say(self, member: _Member, where: str, message: str) -> None:
        self.found.append(Problem(member.shown, where, message))


# --- what every file must share ---------------------------------------------------------------


def _same_file(merge: _Merge, member: _Member) -> bool:
    """Group, scale, level scored and criteria as the first file has them.

    False when the file is another group's: its options are then not compared, one by one.
    """
    first = merge.first
    for key, subject in GROUP_FIELDS.items():
        mine, theirs = getattr(member.spec, key), getattr(first.spec, key)
        if mine != theirs:
            merge.differ(member, member.at(key), subject, (mine, theirs), first.at(key))
    scale, first_scale = member.spec.scale, first.spec.scale
    if scale != first_scale:
        end = "min" if scale.min != first_scale.min else "max"
        merge.say(
            member,
            member.at(f"scale.{end}"),
            f"the scale is {scale} here, {first_scale} in {first.shown} "
            f"({first.at(f'scale.{end}')})",
        )
    if member.sheet.level != first.sheet.level:
        words = {"leaves": "the sub-criteria", "criteria": "the top-level criteria"}
        merge.say(
            member,
            member.at("options[0].scorers"),
            f"this file scores {words[member.sheet.level]}, {first.shown} "
            f"({first.at('options[0].scorers')}) {words[first.sheet.level]}; a panel scores "
            "one level",
        )
    _same_criteria(merge, member)
    return member.spec.group == first.spec.group


Row = tuple[str, tuple[Any, ...]]  # (YAML path in the criteria table, what the sheet shows)


def _measure(measure: MeasureSpec | None) -> str | None:
    if measure is None:
        return None
    points = ", ".join(f"{x:g}:{y:g}" for x, y in measure.points)
    return f"{measure.unit} {points}"


def _criteria_rows(tree: CriteriaTree) -> list[Row]:
    """The table as the Criteria sheet shows it: id, name, parent, weight, value function."""
    rows: list[Row] = []
    for i, c in enumerate(tree.spec.criteria):
        rows.append((f"criteria[{i}]", (c.id, c.name, None, c.weight, _measure(c.measure))))
        rows += [
            (f"criteria[{i}].sub[{j}]", (s.id, s.name, c.id, s.weight, _measure(s.measure)))
            for j, s in enumerate(c.sub or [])
        ]
    return rows


def _criteria_place(member: _Member, key: str) -> str:
    """Where a part of the criteria table is: its Criteria sheet cell, or its file and path."""
    if member.criteria_cells:
        row = key.rsplit(".", 1)[0] if key.endswith((".id", ".name", ".weight")) else key
        return member.criteria_cells.get(key) or member.criteria_cells.get(row) or key
    return f"{member.at('criteria')}, {member.sheet.tree.path}: {key}"


def _same_criteria(merge: _Merge, member: _Member) -> None:
    """The criteria table compared by content: the first row where it differs, in words."""
    first = merge.first
    ours, theirs = member.sheet.tree, first.sheet.tree
    if ours.spec.normalise != theirs.spec.normalise:
        merge.differ(
            member,
            _criteria_place(member, "normalise"),
            "normalise (on the criteria)",
            (ours.spec.normalise, theirs.spec.normalise),
            _criteria_place(first, "normalise"),
        )
        return
    mine, other = _criteria_rows(ours), _criteria_rows(theirs)
    words = ("the id", "the name", "the criterion above", "the weight", "the value function")
    keys = ("id", "name", "id", "weight", "")
    for (key, a), (other_key, b) in zip(mine, other, strict=False):
        for k, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                at = f"{key}.{keys[k]}" if keys[k] else key
                there = f"{other_key}.{keys[k]}" if keys[k] else other_key
                subject = f"{words[k]} of criterion '{b[0]}'" if k else "a criterion's id"
                merge.differ(
                    member,
                    _criteria_place(member, at),
                    f"the criteria differ: {subject}",
                    (x, y),
                    _criteria_place(first, there),
                )
                return
    if len(mine) != len(other):
        merge.say(
            member,
            _criteria_place(member, "criteria"),
            f"the criteria differ: {plural(len(mine), 'criterion', 'criteria')} and "
            f"sub-criteria here, {len(other)} in {first.shown} "
            f"({_criteria_place(first, 'criteria')})",
        )


def _same_options(merge: _Merge, member: _Member) -> None:
    """The same options (by id), each with the same fields; what is missing either way."""
    first = merge.first
    mine = {o.id: i for i, o in enumerate(member.spec.options)}
    theirs = {o.id: i for i, o in enumerate(first.spec.options)}
    for option_id, i in theirs.items():
        if option_id not in mine:
            merge.say(
                member,
                member.at("options"),
                f"option '{option_id}' is not listed here; {first.shown} lists it "
                f"({first.at(f'options[{i}]')})",
            )
    for option_id, j in mine.items():
        if option_id not in theirs:
            merge.say(
                member,
                member.at(f"options[{j}]"),
                f"option '{option_id}' is not listed in {first.shown} ({first.at('options')})",
            )
            continue
        i = theirs[option_id]
        a, b = member.spec.options[j], first.spec.options[i]
        for key, word in OPTION_FIELDS.items():
            x, y = getattr(a, key), getattr(b, key)
            if x != y:
                merge.differ(
                    member,
                    member.at(f"options[{j}].{key}"),
                    f"{word} of option '{option_id}'",
                    (x, y),
                    first.at(f"options[{i}].{key}"),
                )
        for key, word in (("attributes", "attribute"), ("milestones", "milestone"), _COST):
            x_map, y_map = _facts(a, key), _facts(b, key)
            for name in dict.fromkeys([*y_map, *x_map]):
                if x_map.get(name) != y_map.get(name):
                    merge.differ(
                        member,
                        member.at(f"options[{j}].{key}.{name}"),
                        f"{word} '{name}' of option '{option_id}'",
                        (x_map.get(name), y_map.get(name)),
                        first.at(f"options[{i}].{key}.{name}"),
                    )


_COST = ("cost", "cost figure")


def _facts(option: OptionSpec, key: str) -> dict[str, Any]:
    """An option's attributes, milestones or cost (its figures and unit) by name."""
    if key == "cost":
        cost = option.cost
        return {} if cost is None else {**cost.figures, "unit": cost.unit}
    facts: dict[str, Any] = getattr(option, key)
    return facts


# --- what files carry, and must not contradict -------------------------------------------------


@dataclass(frozen=True)
class _Given:
    """A value carried into the panel, and the file and place it came from."""

    value: Any
    member: _Member
    where: str
    shown: _Shown | None = None
    """What a conflict shows of the value (the value itself unless given)."""


Held = dict[str, dict[str, _Given]]
"""Values carried, by what they belong to (an option, a scorer, a gate), then by name."""


def _carry(merge: _Merge, held: Held, key: tuple[str, str], given: _Given, subject: str) -> None:
    """Keep the first value given for ``key``; another file giving a different one conflicts."""
    if given.value is None:
        return
    before = held.setdefault(key[0], {}).setdefault(key[1], given)
    if before.value != given.value:
        values = (given.shown or given.value, before.shown or before.value)
        merge.differ(given.member, given.where, subject, values, before.where, before.member)


def _gate_text(result: GateResult) -> _Shown:
    """A gate result as a conflict shows it: pass or fail, and its reason."""
    word = "pass" if result.passed else "fail"
    return _Shown(f"{word} ('{cut(result.reason)}')" if result.reason else word)


@dataclass
class _Carried:
    """What the files carry into the panel, by key, each with where it was first given."""

    scorers: dict[str, _Member] = field(default_factory=dict)
    listed: Held = field(default_factory=dict)
    interests: Held = field(default_factory=dict)
    gates: Held = field(default_factory=dict)
    results: Held = field(default_factory=dict)
    measures: Held = field(default_factory=dict)
    evidence: Held = field(default_factory=dict)

    def of(self, held: Held, owner: str) -> dict[str, Any]:
        """The values carried for ``owner`` (an option, a scorer, a gate), by name."""
        return {name: given.value for name, given in held.get(owner, {}).items()}


def _carry_scorers(merge: _Merge, carried: _Carried, member: _Member) -> None:
    """Each scorer's scores from one file only; who they are and their interests, as given."""
    for scorer in member.scorers():
        before = carried.scorers.setdefault(scorer, member)
        if before is not member:
            merge.say(
                member,
                member.first_row(scorer),
                f"scorer '{scorer}' also has scores in {before.shown} "
                f"({before.first_row(scorer)}); each scorer's scores come from one file",
            )
    for scorer, info in member.spec.scorers.items():
        for key in ("name", "role", "organisation"):
            given = _Given(getattr(info, key), member, member.at(f"scorers.{scorer}.{key}"))
            _carry(merge, carried.listed, (scorer, key), given, f"the {key} of scorer '{scorer}'")
        for option_id, text in info.interests.items():
            where = member.at(f"scorers.{scorer}.interests.{option_id}")
            subject = f"the interest scorer '{scorer}' declared in option '{option_id}'"
            given = _Given(text, member, where)
            _carry(merge, carried.interests, (scorer, option_id), given, subject)


def _carry_options(merge: _Merge, carried: _Carried, member: _Member) -> None:
    """Gates, gate results, measures and evidence: carried, and compared where two give them."""
    for j, gate in enumerate(member.spec.gates):
        for key in ("name", "description"):
            given = _Given(getattr(gate, key), member, member.at(f"gates[{j}].{key}"))
            _carry(merge, carried.gates, (gate.id, key), given, f"the {key} of gate '{gate.id}'")
    for i, option in enumerate(member.spec.options):
        base = f"options[{i}]"
        for gate_id, result in option.gates.items():
            where = member.at(f"{base}.gates.{gate_id}.pass")
            given = _Given(result, member, where, _gate_text(result))
            subject = f"the result of option '{option.id}' for gate '{gate_id}'"
            _carry(merge, carried.results, (option.id, gate_id), given, subject)
        for leaf, value in option.measures.items():
            given = _Given(value, member, member.at(f"{base}.measures.{leaf}"))
            subject = f"the measure of option '{option.id}' on '{leaf}'"
            _carry(merge, carried.measures, (option.id, leaf), given, subject)
        for scorer, text in option.evidence.items():
            given = _Given(text, member, member.at(f"{base}.evidence.{scorer}"))
            subject = f"the evidence of scorer '{scorer}' for option '{option.id}'"
            _carry(merge, carried.evidence, (option.id, scorer), given, subject)


def _no_consensus(member: _Member) -> None:
    """A panel joins scorers' own scores: consensus scores (no scorer named) cannot join one."""
    for i, option in enumerate(member.spec.options):
        if option.scores is not None:
            raise InputError(
                member.shown,
                member.at(f"options[{i}].scores"),
                "consensus scores (no scorer named); a panel is merged from each scorer's own "
                "scores: name the scorer of every row",
            )


# --- the panel ----------------------------------------------------------------------------------


def _option(
    members: Sequence[_Member], carried: _Carried, option: OptionSpec, notes: list[str]
) -> dict[str, Any]:
    """An option of the panel: the first file's fields, every file's scorers and what it carries."""
    data = option.model_dump(by_alias=True, exclude_none=True)
    rows: dict[str, dict[str, float | None]] = {}
    dissent: list[str] = []
    for member in members:
        theirs = member.by_id[option.id]
        rows.update(theirs.scorers or {})
        dissent += theirs.dissent
    evidence = carried.of(carried.evidence, option.id)
    # A row left wholly blank where others scored the option is left out, so the panel says
    # the scorer did not score it (rather than naming every criterion they skipped); a row
    # with evidence is kept, and so is every row of an option nobody scored (it stays listed).
    scored = {s: row for s, row in rows.items() if any(v is not None for v in row.values())}
    kept = {s: row for s, row in rows.items() if s in scored or s in evidence} or rows
    if rows and not scored:
        policy = setting("missing", "exclude|baseline|renormalise")
        notes.append(Note(f"nobody scored '{option.name}'; a ranking of the panel needs {policy}"))
    if kept:
        data["scorers"] = kept
    data["dissent"] = list(dict.fromkeys(dissent))
    data["evidence"] = evidence
    data["gates"] = {
        gate: result.model_dump(by_alias=True, exclude_none=True)
        for gate, result in carried.of(carried.results, option.id).items()
    }
    data["measures"] = carried.of(carried.measures, option.id)
    return data


def _scorers(members: Sequence[_Member], carried: _Carried) -> dict[str, dict[str, Any]]:
    """Every scorer listed in any file (or with scores), as the files between them give them."""
    listed: dict[str, dict[str, Any]] = {}
    for member in members:
        for scorer in [*member.spec.scorers, *member.scorers()]:
            entry = listed.setdefault(scorer, carried.of(carried.listed, scorer))
            interests = carried.of(carried.interests, scorer)
            if interests:
                entry["interests"] = interests
    return listed


def _gates(members: Sequence[_Member], carried: _Carried) -> list[dict[str, Any]]:
    """Every gate any file defines, in order of first definition."""
    ids = dict.fromkeys(g.id for m in members for g in m.spec.gates)
    return [{"id": gate_id, **carried.of(carried.gates, gate_id)} for gate_id in ids]


def _tree(members: Sequence[_Member]) -> CriteriaTree:
    """The criteria of the panel: a criteria file's (with its weight sets) over a sheet's."""
    return next(
        (m.sheet.tree for m in members if not is_workbook(m.sheet.tree.file)),
        members[0].sheet.tree,
    )


def _panel_notes(sheet: ScoreSheet) -> list[str]:
    """The panel's own notes; those on who scored what change what each option is scored by."""
    return [
        Note(str(n), "figure", n.topic) if isinstance(n, Note) and n.topic == PANEL_TOPIC else n
        for n in sheet.notes
    ]


def _given_once(references: Iterable[str | Path]) -> list[Path]:
    """The files, each once: a file given twice would clash with itself."""
    paths = [resolve_scores_path(r) for r in references]
    seen: dict[Path, Path] = {}
    for path in paths:
        key = path.resolve()
        if key in seen:
            raise InputError(shown_path(path), "", "is given twice; give each member's file once")
        seen[key] = path
    return paths


def merge_panels(references: Sequence[str | Path], label: str = "the panel") -> Panel:
    """Merge members' scores files (workbooks or YAML) into one panel; conflicts raise.

    ``label`` names the panel in its notes (the file it will be written to, say). Raises the
    first file's problems if one fails its own checks, else ``Conflicts`` listing every
    conflict between files.
    """
    if not references:
        raise InputError("", "", "no files to merge; give each member's workbook")
    paths = _given_once(references)
    cache: dict[Path, CriteriaTree] = {}
    members: list[_Member] = []
    before = 0
    for path in paths:
        members.append(_read(path, cache, before))
        before += count_scores(members[-1].spec)
        _no_consensus(members[-1])
    merge = _Merge(members[0])
    carried = _Carried()
    for member in members:
        if member is merge.first or _same_file(merge, member):
            if member is not merge.first:
                _same_options(merge, member)
            _carry_scorers(merge, carried, member)
            _carry_options(merge, carried, member)
    if merge.found:
        raise Conflicts(merge.found)
    return _panel(members, carried, label)


def _panel(members: Sequence[_Member], carried: _Carried, label: str) -> Panel:
    """The panel's scores file from files that agree, checked as one file."""
    first = members[0]
    notes: list[str] = []
    data = first.spec.model_dump(by_alias=True, exclude_none=True)
    data["scorers"] = _scorers(members, carried)
    if len(data["scorers"]) > MAX_SCORERS:
        raise InputError(
            label,
            "",
            f"the files hold {len(data['scorers'])} scorers between them; a panel (a scores "
            f"file) holds at most {MAX_SCORERS}",
        )
    data["gates"] = _gates(members, carried)
    data["options"] = [_option(members, carried, o, notes) for o in first.spec.options]
    for member in members:
        if not member.scorers():
            notes.append(Note(f"{member.shown} holds no scores: it adds no scorer to the panel"))
    spec = ScoresFile.model_validate(data)
    tree = _tree(members)
    sheet = build_sheet(spec, label, tree, READING)
    sheet = replace(sheet, notes=tuple(_panel_notes(sheet)))
    return Panel(
        spec=spec,
        tree=tree,
        level=first.sheet.level,
        sheet=sheet,
        sources=tuple(m.path for m in members),
        scorers_from={s: m.shown for s, m in carried.scorers.items()},
        notes=(*notes, *sheet.notes),
    )
