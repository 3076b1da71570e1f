"""An elicitation file checked against the criteria tree it weighs: every problem at once.

A family is ``top`` (the top-level criteria) or a criterion with sub-criteria. Each body states
a family by one method, naming every member (swing and points) or judging every pair once
(pairwise); swings run from 0 to 100, points are not negative, judgements from 1/9 to 9.
"""

from __future__ import annotations

from itertools import combinations

from appraise.data import CriteriaTree
from appraise.errors import Problem
from appraise.model import BodySpec, ElicitationFile
from appraise.validate.criteria import repeats, unknown_criterion

TOP = "top"
METHODS = ("swing", "points", "pairwise")
MAX_PAIRWISE = 10  # Saaty's random index is tabled for up to 10 items


def families(tree: CriteriaTree) -> dict[str, list[str]]:
    """Each family's members in the tree's order: ``top`` first, then each criterion's subs."""
    found = {TOP: [c.id for c in tree.spec.criteria]}
    found |= {c.id: [s.id for s in c.sub] for c in tree.spec.criteria if c.sub}
    return found


def ratio(value: float) -> float:
    """A judgement's value (the model has already turned ``1/3`` into its number)."""
    return float(value)


def check_elicitation(spec: ElicitationFile, tree: CriteriaTree, path: str) -> list[Problem]:
    """Every problem in the file, in file order, each at its YAML path."""
    problems = [
        Problem(path, f"bodies[{later}].id", f"body '{spec.bodies[later].id}' is given twice")
        for later in repeats([b.id for b in spec.bodies])
    ]
    known = families(tree)
    for i, body in enumerate(spec.bodies):
        problems += _check_body(body, f"bodies[{i}]", known, path)
    return problems


def _check_body(
    body: BodySpec, where: str, known: dict[str, list[str]], path: str
) -> list[Problem]:
    problems: list[Problem] = []
    stated: dict[str, str] = {}
    for method in METHODS:
        for family, given in getattr(body, method).items():
            place = f"{where}.{method}.{family}"
            if family not in known:
                problems.append(Problem(path, place, _no_family(family, known)))
                continue
            if family in stated:
                problems.append(
                    Problem(
                        path,
                        place,
                        f"family '{family}' is stated twice by body '{body.id}' "
                        f"({stated[family]} and {method}); keep one",
                    )
                )
                continue
            stated[family] = method
            members = known[family]
            if method == "pairwise":
                problems += _check_pairs(given, members, place, path)
            else:
                problems += _check_values(method, given, members, place, path)
    return problems


def _no_family(family: str, known: dict[str, list[str]]) -> str:
    if family in {m for members in known.values() for m in members}:
        return f"criterion '{family}' has no sub-criteria, so no family to weigh"
    return unknown_criterion(family, list(known)).replace("criterion", "family", 1)


def _check_values(
    method: str, given: dict[str, float], members: list[str], place: str, path: str
) -> list[Problem]:
    problems = [
        Problem(path, f"{place}.{key}", unknown_criterion(key, members))
        for key in given
        if key not in members
    ]
    missing = [m for m in members if m not in given]
    if missing:
        problems.append(
            Problem(path, place, f"judged incompletely: no {method} for {', '.join(missing)}")
        )
    for key, value in given.items():
        if method == "swing" and not 0 <= value <= 100:
            message = f"a swing runs from 0 to 100 (the most important is 100), found {value:g}"
            problems.append(Problem(path, f"{place}.{key}", message))
        if method == "points" and value < 0:
            message = f"points are 0 or more, found {value:g}"
            problems.append(Problem(path, f"{place}.{key}", message))
    if not missing and all(v == 0 for v in given.values()):
        problems.append(Problem(path, place, f"every {method} is 0: at least one must be above 0"))
    return problems


def _check_pairs(
    judgements: list[tuple[str, str, float]], members: list[str], place: str, path: str
) -> list[Problem]:
    problems: list[Problem] = []
    if len(members) > MAX_PAIRWISE:
        message = f"pairwise judges at most {MAX_PAIRWISE} criteria at once; use swing or points"
        return [Problem(path, place, message)]
    seen: dict[frozenset[str], int] = {}
    for j, (a, b, value) in enumerate(judgements):
        at = f"{place}[{j}]"
        bad = [x for x in (a, b) if x not in members]
        for x in bad:
            problems.append(Problem(path, at, unknown_criterion(x, members)))
        if a == b:
            problems.append(Problem(path, at, f"'{a}' is judged against itself"))
        v = ratio(value)
        if not 1 / 9 - 1e-12 <= v <= 9 + 1e-12:
            shown = f"{value:g}"
            problems.append(Problem(path, at, f"a judgement runs from 1/9 to 9, found {shown}"))
        if bad or a == b:
            continue
        pair = frozenset((a, b))
        if pair in seen:
            problems.append(
                Problem(path, at, f"{a} and {b} are judged twice (first at {place}[{seen[pair]}])")
            )
        else:
            seen[pair] = j
    missing = [f"{a}/{b}" for a, b in combinations(members, 2) if frozenset((a, b)) not in seen]
    if missing:
        problems.append(
            Problem(path, place, f"judged incompletely: no judgement for {', '.join(missing)}")
        )
    return problems
