"""Checks that need more than one file's shape: weights add up, ids resolve, scores fit.

Every check appends to a list of problems instead of stopping at the first, so ``check``
can report everything wrong with a file in one pass.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from appraise.errors import Problem, raise_if_errors
from appraise.model import CriteriaFile, RulesFile, ScoresFile, Settings
from appraise.scoring import GateFailure, OptionInfo, ScoreSheet
from appraise.weights import CriteriaTree, Level, exact, printed_discrepancies


def _fmt(value: Fraction) -> str:
    return f"{float(value):g}"


def _repeats(ids: list[str]) -> dict[int, int]:
    """Index of each repeated id -> index of its first occurrence."""
    first: dict[str, int] = {}
    out: dict[int, int] = {}
    for i, node_id in enumerate(ids):
        if node_id in first:
            out[i] = first[node_id]
        else:
            first[node_id] = i
    return out


def check_criteria(spec: CriteriaFile, path: str, normalise: bool = False) -> tuple[list[Problem], list[str]]:
    """Problems with a criteria file, and notes on what was rescaled or does not reconcile."""
    problems: list[Problem] = []
    notes: list[str] = []
    rescale = normalise or spec.normalise
    why = "--normalise" if normalise else "normalise: true in the file"

    all_ids = [c.id for c in spec.criteria] + [s.id for c in spec.criteria for s in c.sub or []]
    places = [f"criteria[{i}]" for i in range(len(spec.criteria))] + [
        f"criteria[{i}].sub[{j}]" for i, c in enumerate(spec.criteria) for j in range(len(c.sub or []))
    ]
    for later, first in _repeats(all_ids).items():
        problems.append(
            Problem(path, f"{places[later]}.id", f"duplicate id '{all_ids[later]}' (first at {places[first]})")
        )

    families: list[tuple[str, str, list[float]]] = [
        ("criteria", "top-level criteria weights", [c.weight for c in spec.criteria])
    ]
    families += [
        (f"criteria[{i}].sub", f"criteria '{c.name}': sub-criteria weights", [s.weight for s in c.sub])
        for i, c in enumerate(spec.criteria)
        if c.sub
    ]
    for where, label, weights in families:
        total = sum((exact(w) for w in weights), Fraction(0))
        if total == 0:
            problems.append(Problem(path, where, f"{label} sum to 0; at least one must be positive"))
        elif total != 100:
            message = f"{label} sum to {_fmt(total)}, expected 100"
            if rescale:
                notes.append(f"{path}: {message}; rescaled to 100 ({why})")
            else:
                problems.append(Problem(path, where, message + " (use --normalise to rescale)"))

    known = set(all_ids)
    for set_name, weights in spec.weight_sets.items():
        for node_id in weights:
            if node_id not in known:
                problems.append(
                    Problem(path, f"weight_sets.{set_name}.{node_id}", f"unknown criterion '{node_id}'")
                )
    for later, first in _repeats([g.id for g in spec.gates]).items():
        problems.append(Problem(path, f"gates[{later}].id", f"duplicate gate id (first at gates[{first}])"))

    mismatches = printed_discrepancies(spec)
    if mismatches:
        notes.append(
            f"{path}: {len(mismatches)} printed figure(s) do not reconcile with the weights; "
            "appraise computes from the weights and does not use the printed figures "
            "(see `appraise criteria`)"
        )
    return problems, notes


def build_tree(spec: CriteriaFile, path: str, normalise: bool = False) -> CriteriaTree:
    """Validate a criteria file and return the tree, or raise every problem at once."""
    problems, notes = check_criteria(spec, path, normalise)
    raise_if_errors(problems)
    return CriteriaTree(spec, path, tuple(notes))


def _score_level(spec: ScoresFile, tree: CriteriaTree) -> tuple[Level, list[Problem]]:
    """Whether the file scores leaves or (indicative round) top-level criteria."""
    used = {
        key
        for option in spec.options
        for row in ([option.scores] if option.scores is not None else list((option.scorers or {}).values()))
        for key in row
    }
    leaves, tops = set(tree.leaf_ids), set(tree.top_ids)
    if used <= leaves or not used:
        return "leaves", []
    if used <= tops:
        return "criteria", []
    level: Level = "leaves" if len(used & leaves) >= len(used & tops) else "criteria"
    return level, []


def build_sheet(spec: ScoresFile, path: str, tree: CriteriaTree, settings: Settings) -> ScoreSheet:
    """Check a scores file against its criteria and return its score sheet.

    Raises ``Problems`` listing every error. Warnings (no status-quo option, a scorer who
    skipped a cell) travel with the sheet as notes.
    """
    problems, sheet = check_sheet(spec, path, tree, settings)
    raise_if_errors(problems)
    assert sheet is not None  # no errors, so a sheet was built
    return sheet


def check_sheet(
    spec: ScoresFile, path: str, tree: CriteriaTree, settings: Settings
) -> tuple[list[Problem], ScoreSheet | None]:
    """Every problem with a scores file against its criteria; the sheet when there is no error."""
    problems: list[Problem] = []
    level, _ = _score_level(spec, tree)
    leaf_ids = tree.leaves(level)
    other_level = set(tree.leaves("criteria" if level == "leaves" else "leaves")) - set(leaf_ids)
    level_word = "sub-criteria" if level == "leaves" else "top-level criteria"
    scale = spec.scale

    option_ids = [o.id for o in spec.options]
    for later, first in _repeats(option_ids).items():
        problems.append(
            Problem(path, f"options[{later}].id", f"duplicate option id '{option_ids[later]}' (first at options[{first}])")
        )
    status_quo = [i for i, o in enumerate(spec.options) if o.status_quo]
    if len(status_quo) > 1:
        for i in status_quo[1:]:
            problems.append(
                Problem(path, f"options[{i}].status_quo", "more than one option is marked status_quo")
            )
    if not status_quo:
        problems.append(
            Problem(path, "options", "no option is marked status_quo: true (the current configuration)", "warning")
        )

    gates = {g.id: g for g in [*tree.spec.gates, *spec.gates]}
    for j, gate in enumerate(spec.gates):
        if gate.id in {g.id for g in tree.spec.gates}:
            problems.append(Problem(path, f"gates[{j}].id", f"gate '{gate.id}' is already defined in the criteria file"))

    scorer_ids: list[str] = []
    for option in spec.options:
        for scorer in option.scorers or {}:
            if scorer not in scorer_ids:
                scorer_ids.append(scorer)
    per_scorer = bool(scorer_ids)
    if per_scorer and any(o.scores is not None for o in spec.options):
        problems.append(
            Problem(path, "options", "mixes consensus 'scores' and per-scorer 'scorers'; use one throughout")
        )
    if not per_scorer:
        scorer_ids = ["consensus"]
    for scorer in spec.scorers:
        if scorer not in scorer_ids and per_scorer:
            problems.append(Problem(path, f"scorers.{scorer}", f"scorer '{scorer}' scored no option", "warning"))
    for scorer, info in spec.scorers.items():
        for option_id in info.interests:
            if option_id not in option_ids:
                problems.append(
                    Problem(path, f"scorers.{scorer}.interests.{option_id}", f"unknown option '{option_id}'")
                )

    raw = np.full((len(scorer_ids), len(spec.options), len(leaf_ids)), np.nan)
    options: list[OptionInfo] = []
    for i, option in enumerate(spec.options):
        rows = {"consensus": option.scores} if option.scores is not None else dict(option.scorers or {})
        base = f"options[{i}].scores" if option.scores is not None else f"options[{i}].scorers"
        for scorer, row in rows.items():
            where = base if option.scores is not None else f"{base}.{scorer}"
            if per_scorer and spec.scorers and scorer not in spec.scorers:
                problems.append(
                    Problem(path, where, f"scorer '{scorer}' is not listed under the file's 'scorers'", "warning")
                )
            for key, value in (row or {}).items():
                if key not in leaf_ids:
                    if key in other_level:
                        message = f"'{key}' is not one of the {level_word} this file scores against; a file scores one level throughout"
                    else:
                        message = f"unknown criterion '{key}' (expected one of: {', '.join(leaf_ids)})"
                    problems.append(Problem(path, f"{where}.{key}", message))
                    continue
                if value is None:
                    continue
                if not scale.min <= value <= scale.max:
                    problems.append(
                        Problem(
                            path,
                            f"{where}.{key}",
                            f"option '{option.id}', criterion '{key}': score {value:g} is outside the scale {scale}",
                        )
                    )
                raw[scorer_ids.index(scorer), i, leaf_ids.index(key)] = value
            if per_scorer and len(rows) > 0:
                for key in leaf_ids:
                    if (row or {}).get(key) is None:
                        problems.append(
                            Problem(path, f"{where}", f"scorer '{scorer}' gave no score for '{key}' of option '{option.id}'; the other scorers' scores are used", "warning")
                        )
        failures = []
        for gate_id, result in option.gates.items():
            if gate_id not in gates:
                problems.append(Problem(path, f"options[{i}].gates.{gate_id}", f"unknown gate '{gate_id}'"))
            elif not result.passed:
                failures.append(GateFailure(gate_id, gates[gate_id].name, result.reason or ""))
        for gate_id in gates:
            if gate_id not in option.gates:
                problems.append(
                    Problem(path, f"options[{i}].gates", f"option '{option.id}' has no result for gate '{gate_id}'; treated as not screened out", "warning")
                )
        options.append(
            OptionInfo(option.id, option.name, option.status_quo, option.description, option.notes, tuple(failures))
        )

    missing = np.all(np.isnan(raw), axis=0)
    if settings.missing == "error":
        for i, j in zip(*np.nonzero(missing)):
            option = spec.options[i]
            where = f"options[{i}].scores" if option.scores is not None else f"options[{i}].scorers"
            problems.append(
                Problem(
                    path,
                    f"{where}.{leaf_ids[j]}",
                    f"option '{option.id}' has no score for '{leaf_ids[j]}' (choose --missing exclude|baseline|renormalise to proceed)",
                )
            )
    if any(p.severity == "error" for p in problems):
        return problems, None
    return problems, ScoreSheet(
        path=path,
        spec=spec,
        tree=tree,
        level=level,
        leaf_ids=leaf_ids,
        options=tuple(options),
        scorer_ids=tuple(scorer_ids),
        per_scorer=per_scorer,
        raw=raw,
        notes=tuple(str(p) for p in problems),
    )


def check_rules(spec: RulesFile, path: str, sheets: list[ScoreSheet]) -> tuple[list[Problem], list[str]]:
    """Check every rule reference against the groups given; notes say what could not be checked."""
    problems: list[Problem] = []
    groups = {s.spec.group: {o.id for o in s.options} for s in sheets}
    if not groups:
        return problems, [f"{path}: rule references not checked (give the scores files too)"]
    for i, rule in enumerate(spec.rules):
        key = "of" if rule.kind == "at_most" else rule.kind
        for j, ref in enumerate(rule.refs):
            group, option = ref.split("/", 1)
            where = f"rules[{i}].{key}[{j}]"
            if group not in groups:
                problems.append(Problem(path, where, f"unknown group '{group}' (known: {', '.join(sorted(groups))})"))
            elif option not in groups[group]:
                problems.append(Problem(path, where, f"group '{group}' has no option '{option}'"))
        if rule.kind in {"requires", "excludes"} and len({r.split('/')[0] for r in rule.refs}) < len(rule.refs):
            problems.append(
                Problem(path, f"rules[{i}]", f"'{rule.kind}' links options of the same group, but only one option per group is chosen", "warning")
            )
        if rule.at_most is not None and rule.of is not None and rule.at_most >= len(rule.of):
            problems.append(Problem(path, f"rules[{i}].at_most", f"at_most {rule.at_most} of {len(rule.of)} options never binds", "warning"))
    return problems, []
