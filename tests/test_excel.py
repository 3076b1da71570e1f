"""Scoring workbooks: template -> fill -> read gives exactly what YAML gives; errors name cells."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from appraise.cli import app
from appraise.errors import InputError, Problems
from appraise.io import load_scores
from appraise.io.xlsx_read import read_scores_workbook
from appraise.io.xlsx_template import make_template

from .conftest import THREE_OPTIONS, TWO_CRITERIA

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def rank_json(path: Path) -> dict:
    """The ranking, less what names the file itself (its path, and places in it in the notes)."""
    result = invoke("rank", path, "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    data.pop("file")
    data.pop("criteria")
    data["notes"] = len(data["notes"])
    return data


@pytest.fixture
def blank(write, tmp_path) -> Path:
    """A template for the two-criteria table, not yet filled in."""
    write("two.yaml", TWO_CRITERIA)
    out = tmp_path / "demo.xlsx"
    make_template(str(tmp_path / "two.yaml"), out)
    return out


def fill_demo(path: Path, rows: list[list[object]] | None = None) -> Path:
    """Fill a blank two-criteria template as a CWG would: the demo group of conftest."""
    wb = openpyxl.load_workbook(path)
    group = wb["Group"]
    values = {"group": "demo", "name": "Demo group", "scale_min": 1, "scale_max": 5, "round": None}
    for row in range(2, group.max_row + 1):
        key = group.cell(row=row, column=1).value
        if key in values:
            group.cell(row=row, column=2).value = values[key]
    options = wb["Options"]
    for r, (oid, name, sq) in enumerate(
        [("x", "Option X", "no"), ("y", "Option Y", "no"), ("z", "Option Z", "yes")], start=2
    ):
        options.cell(row=r, column=1).value = oid
        options.cell(row=r, column=2).value = name
        options.cell(row=r, column=3).value = sq
    scores = wb["Scores"]
    assert [c.value for c in scores[2]][:5] == ["scorer", "option", "a", "b", "evidence"]
    for r, row in enumerate(rows or [[None, "x", 5, 1], [None, "y", 2, 5], [None, "z", 3, 3]], 3):
        for c, value in enumerate(row, start=1):
            scores.cell(row=r, column=c).value = value
    wb.save(path)
    return path


def test_filled_template_ranks_like_the_hand_worked_yaml(blank, write):
    # x = 0.6*5 + 0.4*1 = 3.4, y = 0.6*2 + 0.4*5 = 3.2, z = 3.0 (conftest).
    workbook = fill_demo(blank)
    from_excel = rank_json(workbook)
    assert [(o["id"], o["rank"]) for o in from_excel["options"]] == [("x", 1), ("y", 2), ("z", 3)]
    assert [o["total"] for o in from_excel["options"]] == pytest.approx([3.4, 3.2, 3.0])
    from_yaml = rank_json(write("demo.yaml", THREE_OPTIONS))
    assert from_excel == from_yaml


def test_hand_typed_quirks_are_handled(blank):
    # Numbers stored as text, stray spaces, a blank row in the middle: all read as meant.
    workbook = fill_demo(
        blank,
        [
            [None, " x ", " 5 ", "1"],
            [None, None, None, None],
            [None, "y", 2, 5.0],
            [None, "z", 3, 3],
        ],
    )
    data, _ = read_scores_workbook(workbook)
    assert [o["scores"] for o in data["options"]] == [
        {"a": 5.0, "b": 1.0},
        {"a": 2.0, "b": 5.0},
        {"a": 3.0, "b": 3.0},
    ]


def test_round_trip_of_a_bundled_per_scorer_file_is_exact(tmp_path):
    source = ROOT / "options" / "urgent-care.yaml"
    out = tmp_path / "uc.xlsx"
    result = invoke("template", ROOT / "criteria" / "cp-2016.yaml", "--scores", source, "-o", out)
    assert result.exit_code == 0, result.output
    yaml_sheet, excel_sheet = load_scores(source), load_scores(out)
    # The same model, field for field, except where the criteria file is named from.
    assert excel_sheet.spec.model_copy(update={"criteria": "x"}) == yaml_sheet.spec.model_copy(
        update={"criteria": "x"}
    )
    assert rank_json(out) == rank_json(source)


def test_errors_name_the_sheet_and_cell(blank):
    workbook = fill_demo(blank, [[None, "x", "high", 1], [None, "y", 7, 5], [None, "z", 3, 3]])
    result = invoke("rank", workbook)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{workbook}: sheet 'Scores', cell C3: expected a number, found 'high'" in result.stderr
    assert "Traceback" not in result.stderr


def test_semantic_errors_name_the_cell_too(blank):
    workbook = fill_demo(blank, [[None, "x", 7, 1], [None, "y", 2, 5], [None, "z", 3, None]])
    with pytest.raises(Problems) as caught:
        load_scores(workbook)
    messages = [str(p) for p in caught.value.errors]
    assert any(
        m.startswith(f"{workbook}: sheet 'Scores', cell C3: ")
        and "score 7 is outside the scale 1..5" in m
        for m in messages
    ), messages
    assert any(f"{workbook}: sheet 'Scores', cell D5: " in m for m in messages), messages


def test_unknown_option_and_merged_cells_are_reported(blank):
    workbook = fill_demo(blank, [[None, "x", 5, 1], [None, "w", 2, 5], [None, "z", 3, 3]])
    wb = openpyxl.load_workbook(workbook)
    wb["Scores"].merge_cells("C5:D5")
    wb.save(workbook)
    with pytest.raises(Problems) as caught:
        read_scores_workbook(workbook)
    messages = [str(p) for p in caught.value.problems]
    assert (
        f"{workbook}: sheet 'Scores', cell B4: option 'w' is not listed on the Options sheet"
        in messages
    )
    assert any("cells C5:D5: merged cells in the data" in m for m in messages), messages


def test_a_formula_without_a_saved_result_is_reported(blank):
    workbook = fill_demo(blank, [[None, "x", "=2+3", 1], [None, "y", 2, 5], [None, "z", 3, 3]])
    with pytest.raises(Problems) as caught:
        read_scores_workbook(workbook)
    (problem,) = caught.value.problems
    assert problem.where == "sheet 'Scores', cell C3"
    assert "formula '=2+3' has no saved result" in problem.message


def test_consensus_and_per_scorer_rows_cannot_mix(blank):
    workbook = fill_demo(blank, [["ann", "x", 5, 1], [None, "y", 2, 5], ["ann", "z", 3, 3]])
    result = invoke("check", workbook, "-f", "json")
    assert result.exit_code == 1
    assert errors_of(workbook) == [
        (
            "sheet 'Scores', cell A4",
            "scorer left blank (consensus scores) where other rows name their scorer; name the "
            "scorer in every row, or leave it blank in every row",
        )
    ]


def test_not_a_zip_and_zip_bomb_and_xxe_are_refused(tmp_path, blank):
    fake = tmp_path / "fake.xlsx"
    fake.write_text("name,score\nx,3\n")
    with pytest.raises(InputError, match=r"fake\.xlsx: not an \.xlsx workbook"):
        read_scores_workbook(fake)

    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 5_000_000)
    with pytest.raises(InputError, match="refusing a possible zip bomb"):
        read_scores_workbook(bomb)

    filled = fill_demo(blank)
    xxe = tmp_path / "xxe.xlsx"
    with zipfile.ZipFile(filled) as src, zipfile.ZipFile(xxe, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + data
            dst.writestr(info, data)
    result = invoke("rank", xxe)
    assert result.exit_code == 1
    assert "unsafe XML refused" in result.stderr
    assert "Traceback" not in result.stderr


def test_template_is_protected_and_validated(blank):
    wb = openpyxl.load_workbook(blank)
    assert wb.sheetnames == [
        "Instructions",
        "Group",
        "Criteria",
        "Options",
        "Scorers",
        "Scores",
        "Interests",
        "Gates",
        "Gate results",
        "Costs",
    ]
    assert wb["Criteria"].protection.sheet
    assert wb["Scores"].protection.sheet
    assert wb["Criteria"]["A2"].protection.locked  # ids and weights cannot be edited
    assert not wb["Scores"]["C3"].protection.locked  # score cells can
    assert wb["Scores"]["A2"].protection.locked  # the header row cannot
    rules = wb["Scores"].data_validations.dataValidation
    scale = next(v for v in rules if v.type == "decimal")
    # The scale is the Group sheet's two cells, so editing them moves the validation too.
    # An omitted operator is "between" (the OOXML default), as XlsxWriter saves it.
    assert (scale.operator or "between", scale.formula1, scale.formula2) == (
        "between",
        "Group!$B$5",
        "Group!$B$6",
    )
    group = wb["Group"]
    assert [tuple(c.value for c in group[r][:2]) for r in (5, 6)] == [
        ("scale_min", 1),
        ("scale_max", 5),
    ]
    assert "C3" in str(scale.sqref)
    assert wb["Scores"].freeze_panes == "C3"
    # The criteria as entered, with global weights: a = 60%, b = 40%.
    rows = list(wb["Criteria"].iter_rows(min_row=2, max_row=3, values_only=True))
    assert [(r[0], r[3], pytest.approx(r[4])) for r in rows] == [("a", 60, 0.6), ("b", 40, 0.4)]


def test_template_writes_safely(tmp_path, blank):
    before = blank.read_bytes()
    again = invoke("template", tmp_path / "two.yaml", "-o", blank)
    assert again.exit_code == 1
    assert "already exists; use --force to replace it" in again.stderr
    assert blank.read_bytes() == before
    assert invoke("template", tmp_path / "two.yaml", "-o", blank, "--force").exit_code == 0

    filled = fill_demo(blank)
    over_input = invoke(
        "template", tmp_path / "two.yaml", "--scores", filled, "-o", filled, "--force"
    )
    assert over_input.exit_code == 1
    assert "is an input file" in over_input.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.xlsx", "two.yaml"]  # no temp files

    wrong = invoke("template", "cp-2016", "-o", tmp_path / "out.yaml")
    assert wrong.exit_code == 2  # a bad command-line value (CONTRACT 4)
    assert "'--output' / '-o'" in wrong.stderr
    assert "give a name ending in .xlsx" in wrong.stderr


def test_bundled_criteria_name_is_kept_in_the_workbook(tmp_path):
    out = tmp_path / "cp.xlsx"
    assert invoke("template", "cp-2016", "-o", out, "--indicative").exit_code == 0
    wb = openpyxl.load_workbook(out)
    group = {r[0]: r[1] for r in wb["Group"].iter_rows(min_row=2, values_only=True)}
    assert group["criteria"] == "cp-2016"
    assert group["round"] == "indicative"
    # Indicative round: the score columns are the four top-level criteria.
    header = [c.value for c in wb["Scores"][2]]
    assert header == [
        "scorer",
        "option",
        "quality",
        "affordability",
        "sustainability",
        "deliverability",
        "evidence",
    ]


def test_text_that_looks_like_a_formula_stays_text(tmp_path, write):
    write("two.yaml", TWO_CRITERIA)
    hostile = THREE_OPTIONS.replace("name: Option X", 'name: \'=HYPERLINK("http://x","y")\'')
    scores = write("hostile.yaml", hostile)
    out = tmp_path / "hostile.xlsx"
    assert invoke("template", tmp_path / "two.yaml", "--scores", scores, "-o", out).exit_code == 0
    cell = openpyxl.load_workbook(out)["Options"]["B2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x","y")'
    # quote-prefixed as the HCE workbook does it (issue 15: the template's copy had drifted),
    # so Excel keeps it text even after someone edits the cell
    assert cell.quotePrefix is True
    assert openpyxl.load_workbook(out)["Options"]["B3"].quotePrefix is False  # "Option Y"
    assert load_scores(out).options[0].name == '=HYPERLINK("http://x","y")'


def test_option_attributes_round_trip_as_extra_columns(tmp_path, write):
    write("two.yaml", TWO_CRITERIA)
    with_attributes = THREE_OPTIONS.replace(
        "{id: x, name: Option X, scores: {a: 5, b: 1}}",
        "{id: x, name: Option X, scores: {a: 5, b: 1}, attributes: {net_capital: 1200.5, beds: -12}}",
    )
    source = write("attrs.yaml", with_attributes)
    out = tmp_path / "attrs.xlsx"
    assert invoke("template", tmp_path / "two.yaml", "--scores", source, "-o", out).exit_code == 0
    header = [c.value for c in openpyxl.load_workbook(out)["Options"][1]]
    assert header == [
        "id",
        "name",
        "status_quo",
        "description",
        "notes",
        "status",
        "status_reason",
        "dissent",
        "net_capital",
        "beds",
    ]
    assert load_scores(out).spec.options[0].attributes == {"net_capital": 1200.5, "beds": -12.0}
    assert load_scores(out).spec.model_copy(update={"criteria": ""}) == load_scores(
        source
    ).spec.model_copy(update={"criteria": ""})


def test_register_fields_round_trip(tmp_path, write):
    write("two.yaml", TWO_CRITERIA)
    registered = THREE_OPTIONS.replace(
        "{id: y, name: Option Y, scores: {a: 2, b: 5}}",
        "{id: y, name: Option Y, scores: {a: 2, b: 5}, status: rejected, status_reason: too costly,"
        " milestones: {senate_stage_1: approved in principle}, dissent: [first, second]}",
    )
    source = write("register.yaml", registered)
    out = tmp_path / "register.xlsx"
    assert invoke("template", tmp_path / "two.yaml", "--scores", source, "-o", out).exit_code == 0
    option = load_scores(out).spec.options[1]
    assert (option.status, option.status_reason) == ("rejected", "too costly")
    assert option.milestones == {"senate_stage_1": "approved in principle"}
    assert option.dissent == ["first", "second"]


def test_written_workbooks_get_normal_permissions(tmp_path, write):
    import os
    import stat

    write("two.yaml", TWO_CRITERIA)
    out = tmp_path / "shared.xlsx"
    umask = os.umask(0o022)
    try:
        make_template(str(tmp_path / "two.yaml"), out)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # readable by colleagues, as open() makes


def test_a_blank_template_says_its_options_have_no_scores_yet(blank):
    """The template's placeholder option (row 2 of Options) has no row on the Scores sheet: one
    message, in workbook words (not the YAML file's 'scores'/'scorers' advice)."""
    result = invoke("check", blank, "-f", "json")
    assert result.exit_code == 1
    messages = [(p["where"], p["message"]) for p in json.loads(result.stdout)["problems"]]
    assert messages == [
        (
            "sheet 'Options', row 2",
            "option 'status-quo' has no rows on the Scores sheet; add a row per scorer (or one "
            "with the scorer left blank, for consensus scores)",
        )
    ]


def test_an_options_sheet_with_no_options_says_so_in_workbook_words(blank):
    wb = openpyxl.load_workbook(blank)
    wb["Options"].delete_rows(2)  # the placeholder row
    wb.save(blank)
    result = invoke("check", blank, "-f", "json")
    assert result.exit_code == 1
    messages = [(p["where"], p["message"]) for p in json.loads(result.stdout)["problems"]]
    assert messages == [
        (
            "sheet 'Options'",
            "the Options sheet lists no options; add one row per option (id, name, status_quo)",
        )
    ]


def test_check_lists_scores_out_of_scale_beside_a_cell_that_is_not_a_number(blank):
    """'high' is a schema error; 9 and 0 are out of the 1..5 scale: one `check` names all three.
    Rows 3-5 of Scores are x, y, z; columns C and D are criteria a and b."""
    workbook = fill_demo(blank, [[None, "x", 5, "high"], [None, "y", 9, 5], [None, "z", 3, 0]])
    result = invoke("check", workbook, "-f", "json")
    assert result.exit_code == 1
    found = [(p["where"], p["message"]) for p in json.loads(result.stdout)["problems"]]
    assert found == [
        ("sheet 'Scores', cell D3", "expected a number, found 'high'"),
        ("sheet 'Scores', cell C4", "option 'y', criterion 'a': score 9 is outside the scale 1..5"),
        ("sheet 'Scores', cell D5", "option 'z', criterion 'b': score 0 is outside the scale 1..5"),
    ]


# --- issue 13: every input cell seen, one message per problem, at its cell ---------------------


def problems_of(path: Path) -> list[tuple[str, str, str]]:
    """`check -f json`'s problems as (severity, where, message), in the order listed."""
    result = invoke("check", path, "-f", "json")
    assert "Traceback" not in result.output
    return [
        (p["severity"], p["where"], p["message"]) for p in json.loads(result.stdout)["problems"]
    ]


def errors_of(path: Path) -> list[tuple[str, str]]:
    return [
        (where, message) for severity, where, message in problems_of(path) if severity == "error"
    ]


@pytest.fixture
def urgent(tmp_path) -> Path:
    """The bundled urgent-care file as a workbook. Its Scores sheet: header in row 2, then per
    scorer rows 3-6 status-quo, 7-10 rural-hubs (ed-consultant, gp-lead, patient-rep,
    finance-lead), ...; criteria from C (best_practice, D safety, E experience, ...)."""
    out = tmp_path / "uc.xlsx"
    scores = ROOT / "options" / "urgent-care.yaml"
    result = invoke("template", ROOT / "criteria" / "cp-2016.yaml", "--scores", scores, "-o", out)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    ws = wb["Scores"]
    assert [ws[f"{c}2"].value for c in "ABCD"] == ["scorer", "option", "best_practice", "safety"]
    assert [(ws[f"A{r}"].value, ws[f"B{r}"].value) for r in (5, 7, 10)] == [
        ("patient-rep", "status-quo"),
        ("ed-consultant", "rural-hubs"),
        ("finance-lead", "rural-hubs"),
    ]
    return out


def edit(path: Path, change) -> Path:
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)
    return path


def test_a_misspelt_heading_is_one_error_at_the_heading(urgent):
    """Issue 13 item 7: 'saftey' at D2 was reported 16 times, at D3...D18."""
    edit(urgent, lambda wb: wb["Scores"].__setitem__("D2", "saftey"))
    assert errors_of(urgent) == [
        (
            "sheet 'Scores', cell D2",
            "heading 'saftey' is not a criterion id: did you mean 'safety'?",
        )
    ]


def test_an_inserted_comment_column_is_one_error_at_its_heading(urgent):
    """Item 7: a comment column gave "expected a number, found 'my note'" at the note."""

    def comment(wb):
        ws = wb["Scores"]
        ws.insert_cols(5)
        ws["E2"], ws["E3"] = "comment", "my note"

    edit(urgent, comment)
    ((where, message),) = errors_of(urgent)
    assert where == "sheet 'Scores', cell E2"
    assert message.startswith("heading 'comment' is not a criterion id (the Criteria sheet lists: ")
    assert message.endswith("put notes in the 'evidence' column, or delete the column")


def test_a_scorer_not_on_the_scorers_sheet_is_an_error_at_the_cell(urgent):
    """Item 6: Scores!A5 'patient-rep' typed 'patient-rep2' became a fifth panel member (a
    warning). Rows 5 and 9 are patient-rep's rows for status-quo and rural-hubs."""

    def mistype(wb):
        wb["Scores"]["A5"] = wb["Scores"]["A9"] = "patient-rep2"

    edit(urgent, mistype)
    assert errors_of(urgent) == [
        (
            "sheet 'Scores', cell A5",
            "scorer 'patient-rep2' is not on the Scorers sheet: did you mean 'patient-rep'? (and 1 "
            "more row below)",
        )
    ]
    result = invoke("rank", urgent)
    assert result.exit_code == 1
    assert "sheet 'Scores', cell A5: scorer 'patient-rep2' is not on the Scorers sheet" in (
        result.stderr
    )


def test_an_invalid_option_id_is_named_where_it_is(urgent):
    """Item 7: an invalid id at Options!A3 was never named; instead four errors on the Scores
    sheet (rows 7-10 still name 'rural-hubs') and one on Gate results. Now: the id at its cell,
    and each sheet's rows for the unknown option once (the interest a scorer declared in it too,
    which was not checked at all, and its costs)."""
    edit(urgent, lambda wb: wb["Options"].__setitem__("A3", "Rural Hubs!"))
    assert [(w, m.split(" (")[0]) for w, m in errors_of(urgent)] == [
        ("sheet 'Options', cell A3", "'Rural Hubs!' is not a valid id"),
        ("sheet 'Scores', cell B7", "option 'rural-hubs' is not listed on the Options sheet"),
        ("sheet 'Interests', cell B2", "option 'rural-hubs' is not on the Options sheet"),
        ("sheet 'Gate results', cell A3", "option 'rural-hubs' is not on the Options sheet"),
        ("sheet 'Costs', cell A3", "option 'rural-hubs' is not on the Options sheet"),
    ]
    assert "(and 3 more rows below)" in errors_of(urgent)[1][1]


def test_check_lists_every_workbook_problem_in_one_pass_in_sheet_and_cell_order(urgent):
    """Item 8: with an unknown option in rows 7-10, the scores in those rows were not checked
    (two more errors appeared once the first were fixed). F7 'high' and G8 9 are in them."""

    def spoil(wb):
        wb["Options"]["A3"] = "Rural Hubs!"
        scores = wb["Scores"]
        scores["D2"], scores["A5"], scores["F7"], scores["G8"] = "saftey", "pt-rep2", "high", 9

    edit(urgent, spoil)
    found = errors_of(urgent)
    assert [where for where, _ in found] == [
        "sheet 'Options', cell A3",
        "sheet 'Scores', cell D2",
        "sheet 'Scores', cell A5",
        "sheet 'Scores', cell B7",
        "sheet 'Scores', cell F7",
        "sheet 'Scores', cell G8",
        "sheet 'Interests', cell B2",
        "sheet 'Gate results', cell A3",
        "sheet 'Costs', cell A3",
    ]
    assert found[4][1] == "expected a number, found 'high'"
    assert (
        found[5][1] == "option 'rural-hubs', criterion 'access': score 9 is outside the scale 1..5"
    )

    result = invoke("rank", urgent)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {urgent}: sheet 'Options', cell A3: {found[0][1]}",
        f"error: ... and 8 more problems: run `appraise check {urgent}` to list them all",
    ]


def test_a_moved_workbook_reads_its_criteria_sheet(tmp_path, write):
    """Item 11: the Group sheet names '../criteria/two.yaml'; moved elsewhere, the workbook reads
    from its Criteria sheet, ranks as before (x 3.4, y 3.2, z 3.0) and says so."""
    write("criteria/two.yaml", TWO_CRITERIA)
    (tmp_path / "made").mkdir()
    made = tmp_path / "made" / "demo.xlsx"
    make_template(str(tmp_path / "criteria" / "two.yaml"), made)
    assert openpyxl.load_workbook(made)["Group"]["B4"].value == "../criteria/two.yaml"
    fill_demo(made)
    (tmp_path / "moved" / "deeper").mkdir(parents=True)
    moved = made.rename(tmp_path / "moved" / "deeper" / "demo.xlsx")
    result = invoke("rank", moved, "-f", "json")
    assert result.exit_code == 0, result.output
    totals = [(o["id"], o["total"]) for o in json.loads(result.stdout)["options"]]
    assert totals == [("x", pytest.approx(3.4)), ("y", pytest.approx(3.2)), ("z", 3.0)]
    assert (
        f"note: {moved}: the workbook's Criteria sheet is used: the criteria file "
        "'../criteria/two.yaml' named at sheet 'Group', cell B4 is not there; weight sets (and "
        "any gates) kept only in the criteria file do not apply"
    ) in " ".join(result.stderr.split())


def test_a_criteria_file_changed_since_is_named_and_the_sheet_used(blank, tmp_path):
    """Item 11: the scorers saw a 60/40 table; the file now says 50/50. The sheet is used
    (x = 0.6*5 + 0.4*1 = 3.4, not 0.5*5 + 0.5*1 = 3.0) and a note names the difference."""
    workbook = fill_demo(blank)
    criteria = tmp_path / "two.yaml"
    criteria.write_text(criteria.read_text().replace("60}", "50}").replace("40}", "50}"))
    result = invoke("rank", workbook, "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["options"][0]["total"] == pytest.approx(3.4)
    note = " ".join(result.stderr.split())
    assert "the workbook's Criteria sheet is used: it differs from " in note
    assert "(the weight of 'a' is 60 on the sheet, 50 in the file)" in note


def test_a_moved_bundled_group_workbook_ranks_as_its_yaml(urgent, tmp_path):
    """Item 11: cp-2016 rescales a family summing to 99.1 (normalise: true); the Criteria sheet
    records that, so the moved workbook's totals are the YAML file's."""
    edit(urgent, lambda wb: wb["Group"].__setitem__("B4", "../nowhere/cp-2016.yaml"))
    assert (
        rank_json(urgent)["options"] == rank_json(ROOT / "options" / "urgent-care.yaml")["options"]
    )


def test_template_scale_option_and_the_validation_follows_the_group_sheet(tmp_path, write):
    """Item 11: `--scale -2 2` writes the scale on the Group sheet (B5, B6), which the Scores
    sheet's validation refers to, so a scale changed there later is followed too."""
    write("two.yaml", TWO_CRITERIA)
    out = tmp_path / "s.xlsx"
    result = invoke("template", tmp_path / "two.yaml", "--scale", "-2", "2", "-o", out)
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    assert (wb["Group"]["B5"].value, wb["Group"]["B6"].value) == (-2, 2)
    rule = next(v for v in wb["Scores"].data_validations.dataValidation if v.type == "decimal")
    assert (rule.formula1, rule.formula2) == ("Group!$B$5", "Group!$B$6")

    bad = invoke("template", tmp_path / "two.yaml", "--scale", "2", "-2", "-o", tmp_path / "b.xlsx")
    assert bad.exit_code == 2
    assert "--scale" in bad.stderr
    assert not (tmp_path / "b.xlsx").exists()
    scores = write("demo.yaml", THREE_OPTIONS)
    other = invoke(
        "template",
        tmp_path / "two.yaml",
        "-s",
        scores,
        "--scale",
        "-2",
        "2",
        "-o",
        tmp_path / "c.xlsx",
    )
    assert other.exit_code == 1
    assert "the scale is 1..5, and a template pre-filled from this file keeps its scale" in (
        " ".join(other.stderr.split())
    )


def test_libreoffice_reads_the_scale_validation_as_the_group_sheets_cells(tmp_path, write):
    """Item 11, checked in LibreOffice: its own reading of the validation names Group.B5:B6."""
    from tests.libreoffice import find_soffice

    write("two.yaml", TWO_CRITERIA)
    out = tmp_path / "s.xlsx"
    make_template(str(tmp_path / "two.yaml"), out, scale=(-2, 2))
    profile = tmp_path / "profile"
    subprocess.run(
        [
            find_soffice(),
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "ods",
            "--outdir",
            str(tmp_path / "ods"),
            str(out),
        ],
        capture_output=True,
        timeout=300,
        check=False,
    )
    with zipfile.ZipFile(tmp_path / "ods" / "s.ods") as ods:
        content = ods.read("content.xml").decode()
    assert "cell-content-is-between([$Group.$B$5],[$Group.$B$6])" in content


def test_evidence_in_a_row_with_no_option_is_named_not_dropped(blank):
    """Rows 3-5 are x, y, z; row 6 has only evidence (column E), which would go unread."""
    rows = [[None, "x", 5, 1], [None, "y", 2, 5], [None, "z", 3, 3], [None, None, None, None, "?"]]
    workbook = fill_demo(blank, rows)
    assert errors_of(workbook) == [("sheet 'Scores', cell B6", "evidence with no option id")]


def test_a_value_beside_the_group_sheets_table_is_named_not_dropped(blank):
    """The Group sheet is read from columns A and B (C is help): D5 would go unread."""
    workbook = fill_demo(blank)
    edit(workbook, lambda wb: wb["Group"].__setitem__("D5", "0 to 10 really"))
    assert errors_of(workbook) == [
        (
            "sheet 'Group', cell D5",
            "'0 to 10 really' is in a column with no heading in row 1; add a heading, or clear "
            "the cell",
        )
    ]


def test_a_criterion_no_scorer_scored_is_named_at_the_options_scores_rows(urgent):
    """Rows 3-6 are status-quo's four scorers; with safety (D) blank in all four, the error
    points at the option's first row on the Scores sheet (it pointed at the Options sheet)."""

    def blank_safety(wb):
        for row in range(3, 7):
            wb["Scores"].cell(row=row, column=4).value = None

    edit(urgent, blank_safety)
    assert errors_of(urgent) == [
        (
            "sheet 'Scores', row 3",
            "option 'status-quo' has no score for 'safety' (choose --missing "
            "exclude|baseline|renormalise to proceed)",
        )
    ]


# --- silent misreading (issue 14, class 6): read it right, or refuse it at the cell ------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("3,5", "expected a number, found '3,5': write decimals with a point: 3.5"),
        ("0,5", "expected a number, found '0,5': write decimals with a point: 0.5"),
        ("1_000", "expected a number, found '1_000': write it without '_': 1000"),
        ("4.0.1", "expected a number, found '4.0.1'"),
    ],
)
def test_a_decimal_comma_or_a_python_spelling_is_refused_at_its_cell(blank, typed, message):
    """Was: '3,5' read as 35 (the comma taken for a thousands separator), '1_000' as 1000."""
    workbook = fill_demo(blank, [[None, "x", typed, 1], [None, "y", 2, 5], [None, "z", 3, 3]])
    assert errors_of(workbook) == [("sheet 'Scores', cell C3", message)]


def test_numbers_typed_as_text_as_a_spreadsheet_shows_them_are_read_right(blank, write):
    """Thousands separators in a well-formed group, spaces, exponents: each the number meant."""
    workbook = fill_demo(
        blank, [[None, "x", " 5 ", "1e0"], [None, "y", "2.", ".5e1"], [None, "z", "3", "3"]]
    )
    data, _ = read_scores_workbook(workbook)
    assert [o["scores"] for o in data["options"]] == [
        {"a": 5.0, "b": 1.0},
        {"a": 2.0, "b": 5.0},
        {"a": 3.0, "b": 3.0},
    ]
    from appraise.io.xlsx_sheet import number_of

    assert [number_of(t) for t in ("300,000", "1,000.5", "-2", "12,3456", "1,00")] == [
        300000.0,
        1000.5,
        -2.0,
        "12,3456",
        "1,00",
    ]


def test_text_a_template_cell_cannot_hold_is_refused_not_cut(tmp_path, write):
    """Four dissent entries of 9,990 characters go into one cell, a line each: 39,963 characters,
    past Excel's 32,767. Was: cut to 32,767 and read back as three and a bit entries."""
    write("two.yaml", TWO_CRITERIA)
    long = THREE_OPTIONS.replace(
        "{id: y,", "{id: y, dissent: [" + ", ".join([f"{c * 9990}" for c in "defg"]) + "],"
    )
    scores = write("long.yaml", long)
    out = tmp_path / "long.xlsx"
    result = invoke("template", tmp_path / "two.yaml", "--scores", scores, "-o", out)
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {scores}: options[1].dissent: 39,963 characters, more than a workbook cell "
        "holds (32,767); a template would cut it: shorten it, or keep this group's scores in YAML"
    )
    assert not out.exists()


def test_text_cut_for_a_cell_of_the_hce_workbook_says_so():
    from appraise.io.xlsx_cells import MAX_CELL_TEXT, cell_text

    text = cell_text("n" * 40_000)
    assert len(text) <= MAX_CELL_TEXT
    assert text.endswith(" [cut: 7,300 more characters; the whole text is in the input file]")
    assert text.startswith("n" * 32_000)


def test_an_empty_cell_is_called_empty_not_none(urgent):
    """Group!B6 (scale_max) left empty: was "expected a number, found None"."""
    edit(urgent, lambda wb: wb["Group"]["B6"].__setattr__("value", None))
    assert ("sheet 'Group', cell B6", "expected a number, found nothing (empty)") in errors_of(
        urgent
    )


def test_a_weight_edited_on_the_criteria_sheet_is_a_warning_check_lists(urgent):
    """best_practice (Criteria!D3) 19.1 -> 40: the sheet's table is ranked, so check says so as a
    warning, not only as a note on stderr (it said 'OK: 0 warning(s)')."""
    edit(urgent, lambda wb: wb["Criteria"]["D3"].__setattr__("value", 40))
    assert (
        "warning",
        "sheet 'Criteria'",
        "the Criteria sheet differs from criteria/cp-2016.yaml (the weight of 'best_practice' is "
        "40 on the sheet, 19.1 in the file); the sheet's table is used",
    ) in problems_of(urgent)
