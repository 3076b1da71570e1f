"""Rules checked against the groups they join, and one file per group."""

from __future__ import annotations

from collections.abc import Sequence

from appraise.data import ScoreSheet
from appraise.errors import Problem, raise_if_errors
from appraise.model import Rule, RulesFile


def one_file_per_group(sheets: Sequence[ScoreSheet]) -> None:
    """Refuse a group given twice (an old copy of its file beside the new one, say).

    For whatever sets groups side by side in one result (combinations, the HCE workbook); two
    rounds of one group are for ``diff``.

    Raises:
        Problems: One line per repeat, at the later file, naming the group and the earlier file.
    """
    first: dict[str, ScoreSheet] = {}
    problems = []
    for sheet in sheets:  # the same sheet twice (a list joined to itself) is given twice too
        if sheet.group not in first:
            first[sheet.group] = sheet
            continue
        earlier = first[sheet.group]
        if earlier.file.resolve() == sheet.file.resolve():
            message = f"this file is given twice (group '{sheet.group}'); one file per group"
        else:
            message = (
                f"group '{sheet.group}' is given twice, here and in {earlier.path}; "
                "one file per group"
            )
        problems.append(Problem(sheet.path, "group", message))
    raise_if_errors(problems)


def _links_one_group(rule: Rule) -> bool:
    """Whether a requires/excludes rule ties options that can never be chosen together.

    ``requires: [a, b, c]`` reads "choosing a needs b or c", so b and c may share a group;
    only a sharing a group with one of them is a mistake. ``excludes`` ties every pair.
    """
    groups = [r.split("/")[0] for r in rule.refs]
    if rule.kind == "requires":
        return groups[0] in groups[1:]
    return rule.kind == "excludes" and len(set(groups)) < len(groups)


NEVER_BINDS = "rules that never bind"


def check_rules(
    spec: RulesFile, path: str, sheets: list[ScoreSheet]
) -> tuple[list[Problem], list[str]]:
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
                problems.append(
                    Problem(
                        path, where, f"unknown group '{group}' (known: {', '.join(sorted(groups))})"
                    )
                )
            elif option not in groups[group]:
                problems.append(Problem(path, where, f"group '{group}' has no option '{option}'"))
        if _links_one_group(rule):
            problems.append(
                Problem(
                    path,
                    f"rules[{i}]",
                    f"'{rule.kind}' links options of the same group, "
                    "but only one option per group is chosen",
                    "warning",
                )
            )
        if rule.at_most is not None and rule.of is not None and rule.at_most >= len(rule.of):
            problems.append(
                Problem(
                    path,
                    f"rules[{i}].at_most",
                    f"at_most {rule.at_most} of {len(rule.of)} options never binds",
                    "warning",
                    NEVER_BINDS,
                )
            )
    return problems, []
