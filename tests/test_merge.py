"""appraise merge: members' workbooks, each filled in alone, become one panel.

The workbooks are made as a CWG makes them: ``appraise template cp-2016`` once, a copy per
member, each filled in with openpyxl as a member would. Expected figures come from rank of
the same scorers written as YAML by hand here (so from the ranking kernel, not from merge),
and from a hand-worked two-criteria case.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from typer.testing import CliRunner

import appraise
from appraise.cli import app
from appraise.errors import AppraiseError, ParameterError
from appraise.io import load_scores
from appraise.io.files import shown_path
from appraise.io.merge import Conflicts, merge_panels

from .conftest import TWO_CRITERIA

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()

LEAVES = [
    "best_practice",
    "safety",
    "experience",
    "inequalities",
    "access",
    "income_expenditure",
    "transition_costs",
    "workforce",
    "future_demand",
    "stakeholder_support",
    "ease_speed",
    "policy_alignment",
]
OPTIONS = [  # id, name, status quo, description
    ("status-quo", "Keep the current units", "yes", "Three minor injury units as today."),
    ("hub", "Rural hubs", "no", "The units become hubs with primary care."),
    ("relocate", "Relocate the unit", "no", None),
    ("new-build", "A new-build hub", "no", "One new site, built for it."),
]
# Each member's scores, a row of the 12 sub-criteria (in LEAVES order) per option.
SCORES = {
    "clin": {
        "status-quo": [3, 3, 3, 3, 4, 2, 5, 2, 2, 3, 5, 2],
        "hub": [4, 4, 4, 4, 4, 4, 4, 3, 4, 4, 4, 5],
        "relocate": [5, 5, 4, 3, 3, 4, 3, 4, 4, 4, 3, 4],
        "new-build": [4, 4, 5, 4, 5, 3, 1, 3, 5, 4, 1, 5],
    },
    "pat": {
        "status-quo": [3, 3, 3, 3, 4, 3, 5, 3, 2, 4, 5, 2],
        "hub": [4, 4, 4, 4, 3, 3, 4, 3, 4, 3, 4, 4],
        "relocate": [4, 4, 3, 2, 2, 4, 3, 3, 3, 2, 3, 3],
        "new-build": [4, 4, 5, 4, 5, 3, 2, 3, 4, 5, 1, 4],
    },
    "fin": {
        "status-quo": [2, 3, 3, 3, 4, 1, 5, 2, 1, 3, 5, 2],
        "hub": [3, 4, 4, 4, 4, 3, 4, 2, 4, 4, 3, 4],
        "relocate": [4, 4, 3, 3, 3, 5, 3, 4, 4, 3, 3, 4],
        "new-build": [3, 4, 4, 4, 4, 2, 1, 3, 4, 4, 1, 4],
    },
}
NAMES = {"clin": "Clinician", "pat": "Patient representative", "fin": "Finance lead"}
INTEREST = ("clin", "hub", "Works at the practice that would host the hub.")
GATE = ("capital", "Capital within the envelope", "Agreed by the CWG.")
# Gate results: (option, pass, reason) as each member's copy records them. The hub's is in two
# copies alike; the new build's fail only in the finance lead's, and must still be carried.
RESULTS = {
    "clin": [("status-quo", "pass", None), ("hub", "pass", "Fits existing buildings.")],
    "pat": [("status-quo", "pass", None)],
    "fin": [
        ("status-quo", "pass", None),
        ("hub", "pass", "Fits existing buildings."),
        ("new-build", "fail", "Needs capital not in the envelope."),
    ],
}
EVIDENCE = ("fin", "relocate", "Saves a lease (estates report, p. 4).")


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def ok(result) -> None:
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output


def put(ws, row: int, values: list[object]) -> None:
    for col, value in enumerate(values, start=1):
        ws.cell(row=row, column=col).value = value


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch) -> None:
    """Run where the members' copies are, so messages name them as a user would see them."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    """The blank scoring workbook for the bundled C&P criteria, as `appraise template` makes it."""
    out = tmp_path_factory.mktemp("template") / "blank.xlsx"
    ok(invoke("template", "cp-2016", "-o", out))
    return out


def fill(blank: Path, out: Path, scorers: list[str], blank_rows: tuple[str, ...] = ()) -> Path:
    """A copy of the template as ``scorers`` fill it in (their scores, interests, gate results).

    ``blank_rows``: options a scorer's row is left with no scores in.
    """
    shutil.copy(blank, out)
    wb = openpyxl.load_workbook(out)
    group = wb["Group"]
    for row in range(2, group.max_row + 1):
        key = group.cell(row=row, column=1).value
        values = {"group": "urgent-care", "name": "Urgent care"}
        if key in values:
            group.cell(row=row, column=2).value = values[key]
    for r, option in enumerate(OPTIONS, start=2):
        put(wb["Options"], r, list(option))
    put(wb["Gates"], 2, list(GATE))
    scores = wb["Scores"]
    assert [c.value for c in scores[2]][:3] == ["scorer", "option", "best_practice"]
    row = results = interests = 2
    for k, scorer in enumerate(scorers):
        put(wb["Scorers"], 2 + k, [scorer, NAMES[scorer]])
        for option_id, cells in SCORES[scorer].items():
            row += 1
            evidence = EVIDENCE[2] if (scorer, option_id) == EVIDENCE[:2] else None
            given = [None] * len(cells) if option_id in blank_rows else cells
            put(scores, row, [scorer, option_id, *given, evidence])
        for result in RESULTS[scorer]:
            put(wb["Gate results"], results, [result[0], GATE[0], result[1], result[2]])
            results += 1
        if scorer == INTEREST[0]:
            put(wb["Interests"], interests, list(INTEREST))
            interests += 1
    wb.save(out)
    return out


@pytest.fixture
def members(blank, tmp_path) -> list[Path]:
    """Three members' copies of the template, each with its own scorer."""
    return [fill(blank, tmp_path / f"{s}.xlsx", [s]) for s in ("clin", "pat", "fin")]


def by_hand(path: Path) -> Path:
    """The same three scorers as one YAML scores file, written here without merge."""
    results: dict[str, dict[str, object]] = {}
    for scorer in ("clin", "pat", "fin"):
        for option_id, passed, reason in RESULTS[scorer]:
            result = {"pass": passed == "pass", **({"reason": reason} if reason else {})}
            results.setdefault(option_id, {})[GATE[0]] = result
    data = {
        "group": "urgent-care",
        "name": "Urgent care",
        "criteria": "cp-2016",
        "scale": {"min": 1, "max": 5},
        "round": "rescore",
        "scorers": {s: {"name": NAMES[s]} for s in ("clin", "pat", "fin")},
        "gates": [dict(zip(("id", "name", "description"), GATE, strict=True))],
        "options": [
            {
                "id": option_id,
                "name": name,
                "status_quo": status_quo == "yes",
                **({"description": description} if description else {}),
                "gates": results.get(option_id, {}),
                "scorers": {
                    s: dict(zip(LEAVES, SCORES[s][option_id], strict=True))
                    for s in ("clin", "pat", "fin")
                },
            }
            for option_id, name, status_quo, description in OPTIONS
        ],
    }
    data["scorers"]["clin"]["interests"] = {INTEREST[1]: INTEREST[2]}
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def ranking(path: Path) -> dict:
    """rank --format json, less what names the file (its path, and places in its notes)."""
    result = invoke("rank", path, "-f", "json")
    ok(result)
    data = json.loads(result.stdout)
    for key in ("file", "criteria", "notes"):
        data.pop(key, None)
    return data


def totals(data: dict) -> dict[str, float]:
    return {o["id"]: o["total"] for o in data["options"]}


# --- the panel ranks as the same scorers written by hand ------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".yaml"])
def test_the_merged_panel_ranks_as_the_same_scorers_written_by_hand(members, tmp_path, suffix):
    out = tmp_path / f"panel{suffix}"
    result = invoke("merge", *members, "-o", out)
    ok(result)
    assert result.stderr.splitlines()[-1] == (
        f"Wrote {out}: the urgent-care panel, 3 scorers from 3 files"
    )
    merged, hand = ranking(out), ranking(by_hand(tmp_path / "hand.yaml"))
    assert totals(merged) == pytest.approx(totals(hand), abs=1e-12, rel=0)
    assert [(o["id"], o["rank"]) for o in merged["options"]] == [
        (o["id"], o["rank"]) for o in hand["options"]
    ]
    assert merged["weights"] == pytest.approx(hand["weights"], abs=1e-12, rel=0)
    for a, b in zip(merged["options"], hand["options"], strict=True):
        assert a["contributions"] == pytest.approx(b["contributions"], abs=1e-12, rel=0)
    assert "new-build" not in totals(merged)  # it fails the gate one member's copy records


def test_a_hand_worked_panel_of_two(write, tmp_path):
    """Two criteria, 60/40. Member 1 scores x (5, 1), y (2, 5), z (3, 3); member 2 x (3, 3),
    y (4, 5), z (3, 3). The panel's means: x (4, 2) -> 0.6*4 + 0.4*2 = 3.2; y (3, 5) ->
    1.8 + 2.0 = 3.8; z 3.0. Either member alone ranks x first (3.4, 3.0 with y 3.2, 4.4)."""
    write("two.yaml", TWO_CRITERIA)
    ok(invoke("template", tmp_path / "two.yaml", "-o", tmp_path / "blank.xlsx"))
    rows = {"m1": {"x": (5, 1), "y": (2, 5), "z": (3, 3)}, "m2": {"x": (3, 3), "y": (4, 5)}}
    rows["m2"]["z"] = (3, 3)
    copies = []
    for scorer, scores in rows.items():
        copy = shutil.copy(tmp_path / "blank.xlsx", tmp_path / f"{scorer}.xlsx")
        wb = openpyxl.load_workbook(copy)
        put(wb["Group"], 2, ["group", "demo"])
        put(wb["Group"], 3, ["name", "Demo"])
        for r, (oid, sq) in enumerate([("x", "no"), ("y", "no"), ("z", "yes")], start=2):
            put(wb["Options"], r, [oid, f"Option {oid.upper()}", sq])
        put(wb["Scorers"], 2, [scorer])
        for r, (oid, (a, b)) in enumerate(scores.items(), start=3):
            put(wb["Scores"], r, [scorer, oid, a, b])
        wb.save(copy)
        copies.append(copy)
    ok(invoke("merge", *copies, "-o", tmp_path / "panel.xlsx"))
    assert totals(ranking(tmp_path / "panel.xlsx")) == pytest.approx(
        {"y": 3.8, "x": 3.2, "z": 3.0}, abs=1e-12
    )


def test_a_workbook_may_hold_several_scorers(blank, tmp_path):
    two = fill(blank, tmp_path / "two.xlsx", ["clin", "pat"])
    one = fill(blank, tmp_path / "one.xlsx", ["fin"])
    panel = merge_panels([two, one])
    assert panel.sheet.scorer_ids == ("clin", "pat", "fin")
    assert panel.scorers_from == {"clin": "two.xlsx", "pat": "two.xlsx", "fin": "one.xlsx"}
    hand = appraise.rank(load_scores(by_hand(tmp_path / "hand.yaml")))
    assert [r.total for r in appraise.rank(panel.sheet).options] == pytest.approx(
        [r.total for r in hand.options], abs=1e-12, rel=0
    )


def test_the_bundled_members_merge_into_the_bundled_panel(tmp_path):
    """examples/panel holds options/urgent-care.yaml's four scorers, one a file."""
    members = sorted((ROOT / "examples" / "panel").glob("member-*.yaml"))
    panel = merge_panels(members)
    whole = load_scores(ROOT / "options" / "urgent-care.yaml")
    assert panel.spec.model_copy(update={"criteria": "x"}) == whole.spec.model_copy(
        update={"criteria": "x"}
    )
    ok(invoke("merge", *members, "-o", tmp_path / "panel.yaml"))
    assert ranking(tmp_path / "panel.yaml") == ranking(ROOT / "options" / "urgent-care.yaml")


# --- what is carried --------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xlsx", ".yaml"])
def test_interests_gate_results_and_evidence_survive_in_the_written_panel(
    members, tmp_path, suffix
):
    out = tmp_path / f"panel{suffix}"
    ok(invoke("merge", *members, "-o", out))
    spec = load_scores(out).spec
    assert spec.scorers["clin"].interests == {"hub": INTEREST[2]}
    assert [s for s, info in spec.scorers.items() if info.interests] == ["clin"]
    gates = {o.id: {g: (r.passed, r.reason) for g, r in o.gates.items()} for o in spec.options}
    assert gates == {
        "status-quo": {"capital": (True, None)},
        "hub": {"capital": (True, "Fits existing buildings.")},
        "relocate": {},
        "new-build": {"capital": (False, "Needs capital not in the envelope.")},
    }
    assert [g.model_dump() for g in spec.gates] == [
        {"id": "capital", "name": GATE[1], "description": GATE[2]}
    ]
    relocate = next(o for o in spec.options if o.id == "relocate")
    assert relocate.evidence == {"fin": EVIDENCE[2]}
    assert {s: info.name for s, info in spec.scorers.items()} == NAMES
    # --exclude-conflicted acts on the carried interest: the hub is scored without clin.
    result = invoke("rank", out, "-f", "json", "--exclude-conflicted")
    ok(result)


def test_an_option_a_member_left_unscored_is_noted(blank, tmp_path):
    copies = [
        fill(blank, tmp_path / "clin.xlsx", ["clin"]),
        fill(blank, tmp_path / "pat.xlsx", ["pat"], blank_rows=("hub",)),
    ]
    result = invoke("merge", *copies, "-o", tmp_path / "panel.yaml")
    ok(result)
    said = " ".join(result.stderr.split())
    assert "note: panel.yaml: scorer 'pat' scored 3 of 4 options; not: 'Rural hubs'" in said
    hub = next(o for o in load_scores(tmp_path / "panel.yaml").spec.options if o.id == "hub")
    assert list(hub.scorers or {}) == ["clin"]


def test_an_option_nobody_scored_is_noted_and_kept(blank, tmp_path):
    copies = [
        fill(blank, tmp_path / f"{s}.xlsx", [s], blank_rows=("relocate",)) for s in ("clin", "pat")
    ]
    result = invoke("merge", *copies, "-o", tmp_path / "panel.yaml")
    ok(result)
    said = " ".join(result.stderr.split())
    assert "note: nobody scored 'Relocate the unit'; a ranking of the panel needs --missing" in said
    assert invoke("rank", tmp_path / "panel.yaml").exit_code == 1
    ok(invoke("rank", tmp_path / "panel.yaml", "--missing", "exclude"))


# --- conflicts: exit 1, one line naming both files and both cells -----------------------------


def _same_scorer(wb) -> None:
    """The patient representative's copy filed under the clinician's id (and name)."""
    put(wb["Scorers"], 2, ["clin", NAMES["clin"]])
    for row in range(3, 7):
        wb["Scores"].cell(row=row, column=1).value = "clin"


def _criteria_weight(wb) -> None:
    wb["Criteria"].protection.sheet = False
    wb["Criteria"]["D4"] = 30  # safety, 26.2 in the table


def _status_quo(wb) -> None:
    wb["Options"]["C2"] = "no"
    wb["Options"]["C4"] = "yes"


def _gate_result(wb) -> None:
    put(wb["Gate results"], 3, ["hub", "capital", "fail", "No capital."])


CONFLICTS = {
    "same scorer": (
        _same_scorer,
        "pat.xlsx: sheet 'Scores', row 3: scorer 'clin' also has scores in clin.xlsx "
        "(sheet 'Scores', row 3); each scorer's scores come from one file",
    ),
    "option renamed": (
        lambda wb: put(wb["Options"], 3, ["hub", "Hubs"]),
        "pat.xlsx: sheet 'Options', cell B3: the name of option 'hub' is 'Hubs' here, "
        "'Rural hubs' in clin.xlsx (sheet 'Options', cell B3)",
    ),
    "description changed": (
        lambda wb: wb["Options"].cell(row=5, column=4, value="Two sites."),
        "pat.xlsx: sheet 'Options', cell D5: the description of option 'new-build' is "
        "'Two sites.' here, 'One new site, built for it.' in clin.xlsx (sheet 'Options', cell D5)",
    ),
    "status quo moved": (
        _status_quo,
        "pat.xlsx: sheet 'Options', cell C2: status_quo of option 'status-quo' is no here, yes "
        "in clin.xlsx (sheet 'Options', cell C2)\n"
        "pat.xlsx: sheet 'Options', cell C4: status_quo of option 'relocate' is yes here, no "
        "in clin.xlsx (sheet 'Options', cell C4)",
    ),
    "scale changed": (
        lambda wb: wb["Group"].cell(row=6, column=2, value=10),
        "pat.xlsx: sheet 'Group', cell B6: the scale is 1..10 here, 1..5 in clin.xlsx "
        "(sheet 'Group', cell B6)",
    ),
    "another group": (
        lambda wb: wb["Group"].cell(row=2, column=2, value="stroke"),
        "pat.xlsx: sheet 'Group', cell B2: the group is 'stroke' here, 'urgent-care' in "
        "clin.xlsx (sheet 'Group', cell B2)",
    ),
    "criteria weight": (
        _criteria_weight,
        "pat.xlsx: sheet 'Criteria', cell D4: the criteria differ: the weight of criterion "
        "'safety' is 30 here, 26.2 in clin.xlsx (sheet 'Criteria', cell D4)",
    ),
    "gate result": (
        _gate_result,
        "pat.xlsx: sheet 'Gate results', cell C3: the result of option 'hub' for gate 'capital' "
        "is fail ('No capital.') here, pass ('Fits existing buildings.') in clin.xlsx "
        "(sheet 'Gate results', cell C3)",
    ),
}


@pytest.mark.parametrize("kind", sorted(CONFLICTS))
def test_a_conflict_is_one_line_naming_both_files_and_cells(blank, tmp_path, kind):
    """A line per conflict (moving the status quo is two: the option it left, the one it
    joined), each naming the copy, its cell, the first copy and the cell there."""
    change, message = CONFLICTS[kind]
    first = fill(blank, tmp_path / "clin.xlsx", ["clin"])
    second = fill(blank, tmp_path / "pat.xlsx", ["pat"])
    if kind == "gate result":  # the patient rep's copy records the hub's result too
        RESULTS["pat"].append(("hub", "fail", "No capital."))
        try:
            second = fill(blank, tmp_path / "pat.xlsx", ["pat"])
        finally:
            RESULTS["pat"].pop()
    wb = openpyxl.load_workbook(second)
    change(wb)
    wb.save(second)
    out = tmp_path / "panel.xlsx"
    result = invoke("merge", first, second, "-o", out)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.stderr.splitlines() == [f"error: {line}" for line in message.splitlines()]
    assert not out.exists()


def test_every_conflict_is_listed_at_once(members, tmp_path):
    wb = openpyxl.load_workbook(members[2])
    put(wb["Options"], 3, ["hub", "Hubs"])
    wb["Group"].cell(row=6, column=2, value=10)
    wb.save(members[2])
    with pytest.raises(Conflicts) as caught:
        merge_panels(members)
    assert [(p.path, p.where) for p in caught.value.problems] == [
        ("fin.xlsx", "sheet 'Group', cell B6"),
        ("fin.xlsx", "sheet 'Options', cell B3"),
    ]
    assert isinstance(caught.value, AppraiseError)


def test_copies_that_list_the_whole_panel_each_give_their_own_scorer(blank, tmp_path):
    """A template passed round with every member on its Scorers sheet: each copy lists all
    three and holds one's scores. Listing a scorer is not scoring; a name given differently
    for the same scorer is a conflict."""
    copies = []
    for scorer in ("clin", "pat", "fin"):
        copy = fill(blank, tmp_path / f"{scorer}.xlsx", [scorer])
        wb = openpyxl.load_workbook(copy)
        for row, listed in enumerate(("clin", "pat", "fin"), start=2):
            put(wb["Scorers"], row, [listed, NAMES[listed]])
        wb.save(copy)
        copies.append(copy)
    panel = merge_panels(copies)
    assert panel.scorers_from == {"clin": "clin.xlsx", "pat": "pat.xlsx", "fin": "fin.xlsx"}
    assert {s: info.name for s, info in panel.spec.scorers.items()} == NAMES
    wb = openpyxl.load_workbook(copies[2])
    wb["Scorers"]["B3"] = "Patient rep"
    wb.save(copies[2])
    result = invoke("merge", *copies, "-o", tmp_path / "panel.xlsx")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: fin.xlsx: sheet 'Scorers', cell B3: the name of scorer 'pat' is 'Patient rep' "
        "here, 'Patient representative' in clin.xlsx (sheet 'Scorers', cell B3)"
    ]


def test_a_panel_scores_one_level(tmp_path):
    """The indicative round scores the four top-level criteria, the re-score the subs."""
    member = yaml.safe_load((ROOT / "examples" / "panel" / "member-a.yaml").read_text())
    member["criteria"] = "cp-2016"
    tops = ("quality", "affordability", "sustainability", "deliverability")
    indicative = {
        **member,
        "scorers": {"early": {}},
        "options": [{**o, "scorers": {"early": dict.fromkeys(tops, 3)}} for o in member["options"]],
    }
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(member))
    (tmp_path / "b.yaml").write_text(yaml.safe_dump(indicative))
    result = invoke("merge", "a.yaml", "b.yaml", "-o", "panel.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: b.yaml: options[0].scorers: this file scores the top-level criteria, a.yaml "
        "(options[0].scorers) the sub-criteria; a panel scores one level"
    ]


def test_options_missing_either_way_are_named(members, tmp_path):
    wb = openpyxl.load_workbook(members[1])
    put(wb["Options"], 4, ["moved", "Relocate the unit", "no"])
    for row in range(3, 7):
        if wb["Scores"].cell(row=row, column=2).value == "relocate":
            wb["Scores"].cell(row=row, column=2).value = "moved"
    wb.save(members[1])
    result = invoke("merge", *members, "-o", tmp_path / "panel.xlsx")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "error: pat.xlsx: sheet 'Options': option 'relocate' is not listed here; clin.xlsx "
        "lists it (sheet 'Options', row 4)",
        "error: pat.xlsx: sheet 'Options', row 4: option 'moved' is not listed in clin.xlsx "
        "(sheet 'Options')",
    ]


def test_measures_must_agree_and_are_carried(tmp_path):
    """The measured example: access is a measure (minutes), a fact about the option."""
    source = yaml.safe_load((ROOT / "examples" / "measured" / "urgent-care.yaml").read_text())
    source["criteria"] = str(ROOT / "examples" / "measured" / "criteria.yaml")
    files = []
    for scorer in ("ed-consultant", "gp-lead"):
        member = {**source, "scorers": {scorer: source["scorers"][scorer]}}
        member["options"] = [
            {**o, "scorers": {scorer: o["scorers"][scorer]}} for o in source["options"]
        ]
        path = tmp_path / f"{scorer}.yaml"
        path.write_text(yaml.safe_dump(member, sort_keys=False))
        files.append(tmp_path / f"{scorer}.xlsx")
        ok(invoke("template", source["criteria"], "--scores", path, "-o", files[-1]))
    wb = openpyxl.load_workbook(files[1])
    assert wb["Measures"]["A4"].value == source["options"][1]["id"]
    wb["Measures"]["B4"] = None  # left blank in one copy: the other's is carried
    wb.save(files[1])
    panel = merge_panels(files)
    assert [o.measures for o in panel.spec.options] == [o["measures"] for o in source["options"]]
    wb = openpyxl.load_workbook(files[1])
    assert wb["Measures"]["A3"].value == source["options"][0]["id"]
    wb["Measures"]["B3"] = 41
    wb.save(files[1])
    result = invoke("merge", *files, "-o", tmp_path / "panel.xlsx")
    assert result.exit_code == 1
    measure = source["options"][0]["measures"]["access"]
    assert result.stderr.splitlines() == [
        f"error: gp-lead.xlsx: sheet 'Measures', cell B3: the measure of option "
        f"'{source['options'][0]['id']}' on 'access' is 41 here, {measure} in "
        "ed-consultant.xlsx (sheet 'Measures', cell B3)"
    ]


def test_criteria_are_compared_by_content_not_by_the_name_of_their_file(members, tmp_path):
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    shutil.copy(ROOT / "criteria" / "cp-2016.yaml", folder / "criteria.yaml")
    wb = openpyxl.load_workbook(members[1])
    wb["Group"]["B4"] = "elsewhere/criteria.yaml"  # beside the copy, same table
    wb.save(members[1])
    assert merge_panels(members).sheet.scorer_ids == ("clin", "pat", "fin")
    (folder / "criteria.yaml").write_text(
        (folder / "criteria.yaml").read_text().replace("weight: 26.2", "weight: 30")
    )
    wb = openpyxl.load_workbook(members[1])
    wb["Criteria"].protection.sheet = False
    wb["Criteria"]["D4"] = 30
    wb.save(members[1])
    with pytest.raises(Conflicts, match=r"the weight of criterion 'safety' is 30 here, 26\.2"):
        merge_panels(members)


def test_a_yaml_criteria_path_is_written_relative_to_the_panel(tmp_path):
    members = sorted((ROOT / "examples" / "panel").glob("member-*.yaml"))
    out = tmp_path / "deeper" / "panel.yaml"
    out.parent.mkdir()
    ok(invoke("merge", *members, "-o", out))
    named = yaml.safe_load(out.read_text())["criteria"]
    assert (out.parent / named).resolve() == (ROOT / "criteria" / "cp-2016.yaml").resolve()
    head = out.read_text().splitlines()[:5]
    assert head[0] == (
        f"# The urgent-care panel, merged by `appraise merge` (appraise {appraise.__version__}) "
        "from 4 files (SHA-256):"
    )
    assert head[1:] == [
        f"#   {shown_path(m)}  {hashlib.sha256(m.read_bytes()).hexdigest()}" for m in members
    ]
    ok(invoke("rank", out))


def test_a_table_only_the_workbooks_carry_goes_into_a_workbook_not_yaml(write, tmp_path):
    write("crit/two.yaml", TWO_CRITERIA)
    made = tmp_path / "made"
    made.mkdir()
    copies = []
    for scorer, (a, b) in (("m1", (5, 1)), ("m2", (3, 3))):
        copy = made / f"{scorer}.xlsx"
        ok(invoke("template", tmp_path / "crit" / "two.yaml", "-o", copy))
        wb = openpyxl.load_workbook(copy)
        put(wb["Options"], 2, ["x", "Option X", "yes"])
        put(wb["Scorers"], 2, [scorer])
        put(wb["Scores"], 3, [scorer, "x", a, b])
        wb.save(copy)
        copies.append(shutil.move(copy, tmp_path / f"{scorer}.xlsx"))  # away from crit/
    result = invoke("merge", *copies, "-o", tmp_path / "panel.yaml")
    assert result.exit_code == 1
    assert "a YAML panel can only name a criteria file: write the panel as .xlsx" in result.stderr
    ok(invoke("merge", *copies, "-o", tmp_path / "panel.xlsx"))
    assert totals(ranking(tmp_path / "panel.xlsx")) == pytest.approx({"x": 0.6 * 4 + 0.4 * 2})


def test_consensus_scores_and_a_file_given_twice_are_refused(members, tmp_path):
    result = invoke(
        "merge", members[0], ROOT / "examples" / "urgent-care-indicative.yaml", "-o", "p.yaml"
    )
    assert result.exit_code == 1
    assert "options[0].scores: consensus scores (no scorer named)" in result.stderr
    result = invoke("merge", members[0], members[0], "-o", tmp_path / "p.yaml")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: clin.xlsx: is given twice; give each member's file once"


# --- writing: safe, never over an input ------------------------------------------------------


def test_the_output_is_never_an_input_nor_replaced_without_force(members, tmp_path):
    before = members[0].read_bytes()
    result = invoke("merge", *members, "-o", members[0], "--force")
    assert result.exit_code == 1
    assert "is an input file; appraise never writes over its inputs" in result.stderr
    assert members[0].read_bytes() == before
    out = tmp_path / "panel.xlsx"
    ok(invoke("merge", *members, "-o", out))
    again = invoke("merge", *members, "-o", out)
    assert again.exit_code == 1
    assert "panel.xlsx: already exists; use --force to replace it" in again.stderr
    ok(invoke("merge", *members[:2], "-o", out, "--force"))
    assert load_scores(out).scorer_ids == ("clin", "pat")


def test_without_an_output_or_with_another_kind_it_is_a_usage_error(members, tmp_path):
    missing = invoke("merge", *members)
    assert missing.exit_code == 2
    assert "Missing option '--output' / '-o'" in missing.output
    other = invoke("merge", *members, "-o", tmp_path / "panel.csv")
    assert other.exit_code == 2
    assert "give a name ending in .xlsx or .yaml" in " ".join(other.output.split())
    assert not (tmp_path / "panel.csv").exists()


def test_both_outputs_read_back_as_the_panel_merged(members, tmp_path):
    panel = merge_panels(members)
    for suffix in (".xlsx", ".yaml"):
        done = appraise.merge(tmp_path / f"panel{suffix}", members)
        assert done.path == tmp_path / f"panel{suffix}"
        back = load_scores(done.path).spec
        assert back.model_copy(update={"criteria": "x"}) == panel.spec.model_copy(
            update={"criteria": "x"}
        )
    with pytest.raises(ParameterError) as caught:
        appraise.merge(tmp_path / "panel.txt", members)
    assert caught.value.parameter == "out"
    with pytest.raises(ParameterError):
        appraise.merge_panels(str(members[0]))  # type: ignore[arg-type]
