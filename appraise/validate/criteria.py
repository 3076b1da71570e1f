"""A criteria file checked whole: ids unique, weights adding up, weight sets, printed figures."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from fractions import Fraction

from appraise.data import CriteriaTree
from appraise.errors import Problem, raise_if_errors, setting
from appraise.model import CriteriaFile
from appraise.notes import Note
from appraise.safe_text import plural
from appraise.weights import exact, printed_discrepancies, sum_text, sums_to_100


def nearest(key: str, known: Sequence[str]) -> str | None:
    """The id ``key`` was probably meant to be (one slip of the keyboard away), if any."""
    if len(key) > 2 * max((len(k) for k in known), default=0):  # too long to be a slip
        return None
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    return close[0] if close else None


def unknown_criterion(key: str, known: Sequence[str], listed: bool = True) -> str:
    """``unknown criterion 'acess': did you mean 'access'? (expected one of: ...)``."""
    meant = nearest(key, known)
    hint = f": did you mean '{meant}'?" if meant else ""
    expected = f" (expected one of: {', '.join(known)})" if listed else ""
    return f"unknown criterion '{key}'{hint}{expected}"


def repeats(ids: list[str]) -> dict[int, int]:
    """Index of each repeated id -> index of its first occurrence."""
    first: dict[str, int] = {}
    out: dict[int, int] = {}
    for i, node_id in enumerate(ids):
        if node_id in first:
            out[i] = first[node_id]
        else:
            first[node_id] = i
    return out


def check_criteria(
    spec: CriteriaFile, path: str, normalise: bool = False
) -> tuple[list[Problem], list[str]]:
    """Problems with a criteria file, and notes on what was rescaled or does not reconcile."""
    problems: list[Problem] = []
    notes: list[str] = []
    rescale = normalise or spec.normalise
    why = setting("normalise") if normalise else "normalise: true in the file"

    all_ids = [c.id for c in spec.criteria] + [s.id for c in spec.criteria for s in c.sub or []]
    places = [f"criteria[{i}]" for i in range(len(spec.criteria))] + [
        f"criteria[{i}].sub[{j}]"
        for i, c in enumerate(spec.criteria)
        for j in range(len(c.sub or []))
    ]
    for later, first in repeats(all_ids).items():
        problems.append(
            Problem(
                path,
                f"{places[later]}.id",
                f"duplicate id '{all_ids[later]}' (first at {places[first]})",
            )
        )

    families: list[tuple[str, str, str, list[float]]] = [
        (
            "criteria",
            "top-level criteria weights",
            "the top-level weights",
            [c.weight for c in spec.criteria],
        )
    ]
    families += [
        (
            f"criteria[{i}].sub",
            f"criteria '{c.name}': sub-criteria weights",
            f"{c.name}'s sub-criteria weights",
            [s.weight for s in c.sub],
        )
        for i, c in enumerate(spec.criteria)
        if c.sub
    ]
    for where, label, short, weights in families:
        total = sum((exact(w) for w in weights), Fraction(0))
        if total == 0:
            problems.append(
                Problem(path, where, f"{label} sum to 0; at least one must be positive")
            )
        elif not sums_to_100(total):
            message = f"{label} sum to {sum_text(total)}, expected 100"
            if rescale:
                notes.append(f"{path}: {short} sum to {sum_text(total)}; rescaled to 100 ({why})")
            else:
                problems.append(
                    Problem(path, where, message + f" (use {setting('normalise')} to rescale)")
                )

    for i, c in enumerate(spec.criteria):
        if c.sub and c.measure is not None:
            problems.append(
                Problem(
                    path,
                    f"criteria[{i}].measure",
                    f"'{c.id}' has sub-criteria: measure them, not the criterion above them",
                )
            )
    problems += _check_weight_sets(spec, path, set(all_ids))
    for later, first in repeats([g.id for g in spec.gates]).items():
        problems.append(
            Problem(path, f"gates[{later}].id", f"duplicate gate id (first at gates[{first}])")
        )

    mismatches = printed_discrepancies(spec)
    if mismatches:
        notes.append(
            Note(
                f"{path}: {plural(len(mismatches), 'printed figure')} "
                f"{'does' if len(mismatches) == 1 else 'do'} not reconcile with the weights; "
                "appraise computes from the weights (see `appraise criteria`)",
                "info",
                "the criteria table's printed figures",
            )
        )
    return problems, notes


def _check_weight_sets(spec: CriteriaFile, path: str, known: set[str]) -> list[Problem]:
    """Weight sets must name known ids and leave every family some weight."""
    problems = []
    families = [[c.id for c in spec.criteria]] + [
        [s.id for s in c.sub] for c in spec.criteria if c.sub
    ]
    base = {c.id: c.weight for c in spec.criteria} | {
        s.id: s.weight for c in spec.criteria for s in c.sub or []
    }
    for set_name, overrides in spec.weight_sets.items():
        problems += [
            Problem(
                path,
                f"weight_sets.{set_name}.{node_id}",
                unknown_criterion(node_id, sorted(known), listed=False),
            )
            for node_id in overrides
            if node_id not in known
        ]
        problems += [
            Problem(
                path,
                f"weight_sets.{set_name}",
                f"weight set '{set_name}' gives {', '.join(family)} a total weight of 0",
            )
            for family in families
            if sum(overrides.get(i, base[i]) for i in family) == 0
        ]
    return problems


def build_tree(spec: CriteriaFile, path: str, normalise: bool = False) -> CriteriaTree:
    """Validate a criteria file and return the tree, or raise every problem at once."""
    problems, notes = check_criteria(spec, path, normalise)
    raise_if_errors(problems)
    return CriteriaTree(spec, path, tuple(notes))
