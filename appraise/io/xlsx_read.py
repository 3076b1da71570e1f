"""Read a filled scoring workbook into the mapping a YAML scores file parses to.

Reading builds the same mapping a YAML scores file parses to, plus a map from each YAML path
to the sheet and cell it came from, so every validation message names the cell. What is wrong
is gathered (``Locations.problems``), not raised, so ``check`` lists a workbook's every problem
in one pass. The package is checked first (``appraise.io.xlsx_guard``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from appraise.errors import Problems
from appraise.io.workbooks import open_values
from appraise.io.xlsx_layout import (
    CONSENSUS,
    GROUP_KEYS,
    MEASURES,
    MILESTONE,
    TABLES,
    YES_WORDS,
    points_of,
)
from appraise.io.xlsx_places import Locations, sort_problems
from appraise.io.xlsx_sheet import (
    Reader,
    number_of,
    quoted,
    sheet_place,
    unknown_headings,
)
from appraise.model import SLUG_PATTERN
from appraise.safe_text import cut, some_names
from appraise.validate import nearest


def _group(r: Reader) -> dict[str, Any]:
    ws = r.sheet("Group")
    data: dict[str, Any] = {}
    if ws is None:
        return data
    if str(r.cell(ws, 1, 1)).casefold() == "key":  # the template's header: nothing beside it
        r.unheaded(ws, 1)
    seen: dict[str, int] = {}
    for row in range(1, ws.max_row + 1):
        key = r.cell(ws, row, 1)
        if not isinstance(key, str) or key.casefold() in {"key", ""}:
            continue
        key = key.casefold()
        if key in seen:
            r.error(
                sheet_place(ws.title, row, 1),
                f"{quoted(key)} given twice (first in row {seen[key]})",
            )
            continue
        seen[key] = row
        value = r.cell(ws, row, 2)
        place = sheet_place(ws.title, row, 2)
        if key in {"scale_min", "scale_max"}:
            data.setdefault("scale", {})[key.removeprefix("scale_")] = number_of(value)
            r.where[f"scale.{key.removeprefix('scale_')}"] = place
            r.where.setdefault("scale", place)
        elif key == "illustrative":
            data[key] = r.flag(ws.title, row, key, value, "illustrative")
            r.where[key] = place
        elif key in {k for k, _ in GROUP_KEYS}:
            if value is not None:
                data[key] = value if isinstance(value, str) else str(value)
            r.where[key] = place
        else:
            data[key] = value  # an unknown key is reported by validation, at its cell
            r.where[key] = sheet_place(ws.title, row, 1)
    return data


def _options(r: Reader) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = []
    for row, rec in r.records("Options", "id", required=True):
        i = len(options)
        option: dict[str, Any] = {"id": rec.get("id"), "name": rec.get("name")}
        if rec.get("status_quo") is not None:
            option["status_quo"] = r.flag(
                "Options", row, "status_quo", rec["status_quo"], "status_quo"
            )
        for key in ("description", "notes", "status", "status_reason"):
            if rec.get(key) is not None:
                option[key] = str(rec[key])
        if rec.get("dissent") is not None:
            option["dissent"] = [
                line.strip() for line in str(rec["dissent"]).splitlines() if line.strip()
            ]
        extra = {h: v for h, v in rec.items() if h not in TABLES["Options"] and v is not None}
        for h, v in extra.items():
            if h.startswith(MILESTONE):
                key = h.removeprefix(MILESTONE).strip()
                option.setdefault("milestones", {})[key] = str(v)
                r.where[f"options[{i}].milestones.{key}"] = r.at("Options", row, h)
            else:
                option.setdefault("attributes", {})[h] = number_of(v)
                r.where[f"options[{i}].attributes.{h}"] = r.at("Options", row, h)
        options.append(option)
        r.where[f"options[{i}]"] = sheet_place("Options", row)
        for key in TABLES["Options"]:
            r.where[f"options[{i}].{key}"] = r.at("Options", row, key)
    ws = r.sheet("Options", required=False)
    if ws is not None:
        r.where["options"] = f"sheet '{ws.title}'"
        if not options:
            r.error(
                f"sheet '{ws.title}'",
                "the Options sheet lists no options; add one row per option (id, name, status_quo)",
            )
    return options


_SCORES_KEYS = {"scorer", "option", "evidence", "notes"}
_STAND_IN = "@stand-in"
_MIXED = (
    "scorer left blank (consensus scores) where other rows name their scorer; name the scorer "
    "in every row, or leave it blank in every row"
)


@dataclass(frozen=True)
class _Ids:
    """The criteria ids the Criteria sheet lists, by level (empty when there is no such sheet)."""

    leaves: tuple[str, ...] = ()
    tops: tuple[str, ...] = ()
    names: dict[str, str] = field(default_factory=dict)
    measured: frozenset[str] = frozenset()
    """Leaves with a value function: given on the Measures sheet, not on Scores."""


def _criterion_columns(
    r: Reader, ws: Worksheet, row: int, headings: dict[str, int], ids: _Ids
) -> dict[str, int]:
    """The Scores sheet's criterion columns (id -> column), each heading checked once, here.

    Checked against the Criteria sheet, so a misspelt heading is one message at the heading, not
    one per score below it. A heading one slip from a criterion is read as that criterion, so its
    scores are still checked and the criterion is not also reported missing (the heading's
    error stops the run all the same); a heading that is no criterion is not read.
    """
    given = {h: c for h, c in headings.items() if h not in _SCORES_KEYS}
    if not ids.leaves:
        return given
    leaves, tops = set(ids.leaves), set(ids.tops)
    level = ids.leaves if len(given.keys() & leaves) >= len(given.keys() & tops) else ids.tops
    other = ids.tops if level is ids.leaves else ids.leaves
    columns = {h: c for h, c in given.items() if h in level}
    unknown: list[tuple[str, object, int]] = []  # (where, heading shown, column)
    for heading, col in given.items():
        if heading in level:
            continue
        shown = ws.cell(row=row, column=col).value
        where = sheet_place(ws.title, row, col)
        meant = nearest(heading, [i for i in level if i not in columns])
        if heading in other:
            word = "top-level criterion" if heading in tops else "sub-criterion"
            r.error(
                where,
                f"{quoted(shown)} is a {word}, but this sheet scores "
                f"{'sub-criteria' if level is ids.leaves else 'top-level criteria'}; a sheet "
                "scores one level throughout (see the Criteria sheet)",
            )
        elif meant is not None:
            r.error(
                where,
                f"heading {quoted(shown)} is not a criterion id: did you mean {quoted(meant)}?",
            )
            columns[meant] = col
        else:
            unknown.append((where, shown, col))
    unknown_headings(r, row, unknown, level)
    missing = [i for i in level if i not in columns and i not in ids.measured]
    merged = any(m.min_row <= row <= m.max_row for m in ws.merged_cells.ranges)
    if missing and merged:  # the merged heading is the problem, and is reported as such
        r.missing_columns = True
    elif missing:
        r.error(
            sheet_place(ws.title, row),
            f"no column for {some_names([quoted(i) for i in missing])}; add a column headed with "
            f"{'its id' if len(missing) == 1 else 'each id'} (see the Criteria sheet)",
        )
        r.missing_columns = True
    return columns


def _listed(
    r: Reader,
    title: str,
    row: int,
    option_id: Any,
    index: dict[str, int],
    unknown: dict[tuple[str, str], list[str]],
) -> int | None:
    """The option's place on the Options sheet; None, its cell kept for ``_once``, if absent."""
    if str(option_id) in index:
        return index[str(option_id)]
    meant = nearest(str(option_id), list(index)) if option_id is not None else None
    hint = f": did you mean {quoted(meant)}?" if meant else ""
    message = f"option {quoted(option_id)} is not on the Options sheet{hint}"
    unknown.setdefault(("option", message), []).append(r.at(title, row, "option"))
    return None


def _once(r: Reader, found: dict[tuple[str, str], list[str]]) -> None:
    """One error per unknown id, at its first cell, saying where else it is."""
    for (_, message), places in found.items():
        rest = len(places) - 1
        also = f" (and {rest} more row{'s' if rest > 1 else ''} below)" if rest else ""
        r.error(places[0], message + also)


def _scores(r: Reader, options: list[dict[str, Any]], scorers: dict[str, Any], ids: _Ids) -> None:
    ws = r.sheet("Scores")
    if ws is None:
        return
    top, headings = r.header(ws, "option")
    if not top:
        return
    index = {str(o["id"]): i for i, o in enumerate(options) if o.get("id") is not None}
    leaf_cols = _criterion_columns(r, ws, top, headings, ids)
    listed = list(scorers)
    unknown: dict[tuple[str, str], list[str]] = {}
    first_row: dict[tuple[str, int], int] = {}
    scorer_col = headings.get("scorer", 0)
    per_scorer = bool(scorer_col) and any(
        ws.cell(row=row, column=scorer_col).value not in (None, "")
        for row in range(top + 1, ws.max_row + 1)
    )
    for row in range(top + 1, ws.max_row + 1):
        option_id = r.cell(ws, row, headings["option"])
        scorer = r.cell(ws, row, headings["scorer"]) if "scorer" in headings else None
        cells = {leaf: r.cell(ws, row, col) for leaf, col in leaf_cols.items()}
        evidence_col = headings.get("evidence", headings.get("notes"))
        evidence = r.cell(ws, row, evidence_col) if evidence_col else None
        if option_id is None:
            given = [scorer, *cells.values()]
            what = "scores" if any(v is not None for v in given) else "evidence"
            if what == "scores" or evidence is not None:
                r.error(sheet_place(ws.title, row, headings["option"]), f"{what} with no option id")
            continue
        i = _option_index(
            r,
            str(option_id),
            sheet_place(ws.title, row, headings["option"]),
            options,
            index,
            unknown,
        )
        key = str(scorer) if scorer is not None else CONSENSUS
        if (key, i) in first_row:
            r.error(
                sheet_place(ws.title, row),
                f"a second row for option {quoted(option_id)} and "
                f"{'scorer ' + quoted(key) if scorer is not None else 'consensus scores'} "
                f"(first in row {first_row[key, i]})",
            )
            continue
        first_row[key, i] = row
        scorer_cell = sheet_place(ws.title, row, headings.get("scorer", 1))
        if scorer is None and per_scorer:
            unknown.setdefault(("scorer", _MIXED), []).append(scorer_cell)
            scorer = CONSENSUS  # read as a scorer, so the rest is checked as one kind of row
        if scorer is not None and listed and key not in listed:
            if key != CONSENSUS:
                _unlisted(r, key, listed, scorer_cell, unknown)
            scorers.setdefault(key, {})  # reported here, so not again as unlisted
        base = f"options[{i}].scores" if scorer is None else f"options[{i}].scorers.{key}"
        _store(r, options[i], base, key, {leaf: number_of(v) for leaf, v in cells.items()})
        if evidence is not None:
            options[i].setdefault("evidence", {})[key] = str(evidence)
            r.where[f"options[{i}].evidence.{key}"] = sheet_place(ws.title, row, evidence_col)
        r.where[base] = sheet_place(ws.title, row)
        r.where.setdefault(base.rsplit(".", 1)[0] if scorer else base, sheet_place(ws.title, row))
        for leaf, col in leaf_cols.items():
            r.where[f"{base}.{leaf}"] = sheet_place(ws.title, row, col)
    _once(r, unknown)
    for option in options:
        option.pop(_STAND_IN, None)
    _unscored(r, options)


def _store(r: Reader, option: dict[str, Any], base: str, key: str, cells: dict[str, Any]) -> None:
    """A Scores row's scores (blank cells left out) under its option, as YAML would hold them."""
    values = {leaf: v for leaf, v in cells.items() if v is not None}
    if base.endswith(".scores"):
        option["scores"] = values
    else:
        option.setdefault("scorers", {})[key] = values


def _option_index(
    r: Reader,
    option_id: str,
    place: str,
    options: list[dict[str, Any]],
    index: dict[str, int],
    unknown: dict[tuple[str, str], list[str]],
) -> int:
    """The option a Scores row is for; an option not on the Options sheet is reported once.

    Its rows are read into a stand-in option, so the scores in them are checked in this pass
    too; the error stops every run, so a stand-in never reaches a figure, and what would be said
    of it is said at its first cell (so not said again).
    """
    listed = [k for k, i in index.items() if not options[i].get(_STAND_IN)]
    if option_id in listed:
        return index[option_id]
    meant = nearest(option_id, listed)
    hint = f": did you mean {quoted(meant)}?" if meant else ""
    unknown.setdefault(
        ("option", f"option {quoted(option_id)} is not listed on the Options sheet{hint}"), []
    ).append(place)
    if option_id not in index:
        index[option_id] = len(options)
        r.where[f"options[{len(options)}]"] = place
        options.append({"id": option_id, "name": option_id, _STAND_IN: True})
    return index[option_id]


def _unlisted(
    r: Reader, scorer: str, listed: list[str], place: str, found: dict[tuple[str, str], list[str]]
) -> None:
    """A scorer not on the Scorers sheet: a mistyped id would be one more panel member, unseen."""
    meant = nearest(scorer, listed)
    hint = (
        f": did you mean {quoted(meant)}?"
        if meant
        else f" (it lists: {some_names([cut(s) for s in listed])})"
    )
    message = f"scorer {quoted(scorer)} is not on the Scorers sheet{hint}"
    found.setdefault(("scorer", message), []).append(place)
    r.where.setdefault(f"scorers.{scorer}", place)


def _unscored(r: Reader, options: list[dict[str, Any]]) -> None:
    """Options with no row on the Scores sheet (the blank template's placeholder, say)."""
    for i, option in enumerate(options):
        valid = isinstance(option.get("id"), str) and re.match(SLUG_PATTERN, option["id"])
        scored = any(k in option for k in ("scores", "scorers", "measures"))
        if not scored and valid:  # else: the id's own error
            r.error(
                r.where[f"options[{i}]"],
                f"option {quoted(option['id'])} has no rows on the Scores sheet; add a row per "
                "scorer (or one with the scorer left blank, for consensus scores)",
            )


def _scorers(r: Reader, options: list[dict[str, Any]]) -> dict[str, Any]:
    scorers: dict[str, Any] = {}
    option_ids = [str(o["id"]) for o in options if o.get("id") is not None]
    for row, rec in r.records("Scorers", "id"):
        scorer_id = rec.get("id")
        if scorer_id is None:
            r.error(r.at("Scorers", row, "id"), "scorer with no id")
            continue
        key = str(scorer_id)
        if key in scorers:
            r.error(r.at("Scorers", row, "id"), f"scorer {quoted(key)} listed twice")
            continue
        scorers[key] = {
            k: str(rec[k]) for k in ("name", "role", "organisation") if rec.get(k) is not None
        }
        r.where[f"scorers.{key}"] = sheet_place("Scorers", row)
        for k in ("name", "role", "organisation"):
            r.where[f"scorers.{key}.{k}"] = r.at("Scorers", row, k)
    for row, rec in r.records("Interests", "scorer"):
        scorer, option = rec.get("scorer"), rec.get("option")
        if scorer is None or str(scorer) not in scorers:
            meant = nearest(str(scorer), list(scorers)) if scorer is not None else None
            hint = f": did you mean {quoted(meant)}?" if meant else ""
            r.error(
                r.at("Interests", row, "scorer"),
                f"scorer {quoted(scorer)} is not on the Scorers sheet{hint}",
            )
            continue
        if option is not None and str(option) not in option_ids:
            meant = nearest(str(option), option_ids)
            hint = f": did you mean {quoted(meant)}?" if meant else ""
            r.error(
                r.at("Interests", row, "option"),
                f"option {quoted(option)} is not on the Options sheet{hint}",
            )
        interests = scorers[str(scorer)].setdefault("interests", {})
        interests[str(option)] = None if rec.get("interest") is None else str(rec["interest"])
        # What can be wrong with an interest is its option: name that cell.
        r.where[f"scorers.{scorer}.interests.{option}"] = r.at("Interests", row, "option")
    return scorers


def _gates(r: Reader, options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    gates: list[dict[str, Any]] = []
    for row, rec in r.records("Gates", "id"):
        r.where[f"gates[{len(gates)}]"] = sheet_place("Gates", row)
        for k in ("id", "name", "description"):
            r.where[f"gates[{len(gates)}].{k}"] = r.at("Gates", row, k)
        gates.append({k: rec[k] for k in ("id", "name", "description") if rec.get(k) is not None})
    index = {str(o["id"]): i for i, o in enumerate(options) if o.get("id") is not None}
    unknown: dict[tuple[str, str], list[str]] = {}
    for row, rec in r.records("Gate results", "option"):
        option_id, gate = rec.get("option"), rec.get("gate")
        i = _listed(r, "Gate results", row, option_id, index, unknown)
        if i is None:
            continue
        result: dict[str, Any] = {
            "pass": r.flag("Gate results", row, "pass", rec.get("pass"), "pass")
        }
        if rec.get("reason") is not None:
            result["reason"] = str(rec["reason"])
        options[i].setdefault("gates", {})[str(gate)] = result
        base = f"options[{i}].gates.{gate}"
        r.where[base] = sheet_place("Gate results", row)
        r.where[f"{base}.pass"] = r.at("Gate results", row, "pass")
        r.where[f"{base}.reason"] = r.at("Gate results", row, "reason")
    _once(r, unknown)
    return gates


def _costs(r: Reader, options: list[dict[str, Any]]) -> None:
    """The Costs sheet: each option's figures and unit, as ``cost:`` in a YAML file."""
    index = {str(o["id"]): i for i, o in enumerate(options) if o.get("id") is not None}
    unknown: dict[tuple[str, str], list[str]] = {}
    first: dict[int, int] = {}
    for row, rec in r.records("Costs", "option"):
        option_id = rec.get("option")
        figures = {str(h): v for h, v in rec.items() if h not in TABLES["Costs"] and v is not None}
        if not figures and rec.get("unit") is None:
            continue  # an option listed with nothing filled in gives no cost
        i = _listed(r, "Costs", row, option_id, index, unknown)
        if i is None:
            continue
        if i in first:
            r.error(
                r.at("Costs", row, "option"),
                f"option {quoted(option_id)} has a row on the Costs sheet already (row "
                f"{first[i]}): one row per option",
            )
            continue
        first[i] = row
        cost: dict[str, Any] = {h: number_of(v) for h, v in figures.items()}
        if rec.get("unit") is not None:
            cost["unit"] = str(rec["unit"])
        options[i]["cost"] = cost
        r.where[f"options[{i}].cost"] = sheet_place("Costs", row)
        for heading in (*TABLES["Costs"][1:], *figures):
            r.where[f"options[{i}].cost.{heading}"] = r.at("Costs", row, heading)
    _once(r, unknown)


def _criteria_sheet(r: Reader) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """The Criteria sheet as a criteria file's mapping, and where each part of it is.

    None when there is no such sheet or it does not hold a whole table (an id, name and weight
    on every row, each sub-criterion under a criterion above it): the criteria file named on the
    Group sheet is then the only source. Nothing here is an error: the sheet is locked, and is
    only checked when it is the table used (see ``workbook_criteria``).
    """
    ws = r.sheet("Criteria", required=False)
    if ws is None:
        return None, {}
    top, headings = r.header(ws, "id")
    if not top or not {"id", "name", "criterion", "weight"} <= headings.keys():
        return None, {}
    criteria: list[dict[str, Any]] = []
    where: dict[str, str] = {}
    row = top + 1
    while row <= ws.max_row:
        node_id, name, parent, weight = (
            r.cell(ws, row, headings[k]) for k in ("id", "name", "criterion", "weight")
        )
        if node_id is None:
            break
        if name is None or not isinstance(weight, int | float) or isinstance(weight, bool):
            return None, {}
        node = {"id": str(node_id), "name": str(name), "weight": number_of(weight)}
        measure = _measure_cells(r, ws, row, headings)
        if measure is not None:
            node["measure"] = measure
        if parent is None:
            path = f"criteria[{len(criteria)}]"
            criteria.append(node)
        elif criteria and criteria[-1]["id"] == str(parent):
            subs = criteria[-1].setdefault("sub", [])
            path = f"criteria[{len(criteria) - 1}].sub[{len(subs)}]"
            subs.append(node)
        else:
            return None, {}
        where[path] = sheet_place(ws.title, row)
        for key in ("id", "name", "weight"):
            where[f"{path}.{key}"] = sheet_place(ws.title, row, headings[key])
        row += 1
    if not criteria:
        return None, {}
    table: dict[str, Any] = {"title": f"the Criteria sheet of {r.path.name}", "criteria": criteria}
    _normalise_cell(r, ws, row, table, where)
    where["criteria"] = f"sheet '{ws.title}'"
    return table, where


def _normalise_cell(
    r: Reader, ws: Worksheet, below: int, table: dict[str, Any], where: dict[str, str]
) -> None:
    """The ``normalise | yes`` row under the Criteria sheet's table, if there is one."""
    for row in range(below, ws.max_row + 1):
        key = r.cell(ws, row, 1)
        if isinstance(key, str) and key.casefold() == "normalise":
            table["normalise"] = r.cell(ws, row, 2) in YES_WORDS | {True}
            where["normalise"] = sheet_place(ws.title, row, 2)


def _measure_cells(
    r: Reader, ws: Worksheet, row: int, headings: dict[str, int]
) -> dict[str, Any] | None:
    """A row's value function (``unit`` and ``points`` columns), when it has one."""
    if "unit" not in headings or "points" not in headings:
        return None
    unit, points = r.cell(ws, row, headings["unit"]), r.cell(ws, row, headings["points"])
    if unit is None and points is None:
        return None
    return {"unit": unit, "points": points_of(str(points)) if points is not None else None}


def _ids(table: dict[str, Any] | None) -> _Ids:
    if table is None:
        return _Ids()
    criteria = table["criteria"]
    tops = tuple(c["id"] for c in criteria)
    leaves = tuple(s["id"] for c in criteria for s in c.get("sub") or [c])
    nodes = [n for c in criteria for n in [c, *(c.get("sub") or [])]]
    names = {n["id"]: n["name"] for n in nodes}
    return _Ids(leaves, tops, names, frozenset(n["id"] for n in nodes if "measure" in n))


def _measures(r: Reader, options: list[dict[str, Any]]) -> None:
    """The Measures sheet: each option's measure of each measured leaf, cell by cell."""
    index = {str(o["id"]): i for i, o in enumerate(options) if o.get("id") is not None}
    unknown: dict[tuple[str, str], list[str]] = {}
    for row, rec in r.records(MEASURES, "option"):
        option_id = rec.get("option")
        values = {str(k): number_of(v) for k, v in rec.items() if k != "option" and v is not None}
        if option_id is None:
            if values:
                r.error(r.at(MEASURES, row, "option"), "measures with no option id")
            continue
        i = _listed(r, MEASURES, row, option_id, index, unknown)
        if i is None:
            continue
        options[i]["measures"] = values
        for leaf in values:
            r.where[f"options[{i}].measures.{leaf}"] = r.at(MEASURES, row, leaf)
        r.where[f"options[{i}].measures"] = sheet_place(MEASURES, row)
    _once(r, unknown)


def read_workbook(path: Path) -> tuple[dict[str, Any], Locations]:
    """The mapping a YAML scores file would parse to, and where each part of it came from.

    Problems found while reading travel in ``Locations.problems`` rather than being raised, so
    ``check`` can validate the rest of the workbook in the same pass. Only a file that cannot be
    opened at all raises.
    """
    r = Reader(path, *open_values(path))
    data: dict[str, Any] = _group(r)
    table, criteria_cells = _criteria_sheet(r)
    options = _options(r)
    scorers = _scorers(r, options)
    gates = _gates(r, options)
    _costs(r, options)
    _measures(r, options)
    _scores(r, options, scorers, _ids(table))
    for ws in r.values.worksheets:  # a hidden sheet appraise does not read may feed one it does
        if ws.sheet_state != "visible":
            r.hidden(ws)
    if scorers:
        data["scorers"] = scorers
    if gates:
        data["gates"] = gates
    data["options"] = options
    r.where.setdefault("scorers", sheet_place("Scorers", 1))
    r.where.setdefault("gates", sheet_place("Gates", 1))
    cells = {k: v for k, v in r.where.items() if not k.startswith("@")}
    sheets = tuple(ws.title for ws in r.values.worksheets)
    return data, Locations(
        cells, tuple(r.problems), sheets, table, criteria_cells, r.missing_columns
    )


def read_scores_workbook(path: Path) -> tuple[dict[str, Any], Locations]:
    """As ``read_workbook``, raising ``Problems`` when reading found any."""
    data, where = read_workbook(path)
    if where.problems:
        raise Problems(sort_problems(where.problems, where.sheets))
    return data, where
