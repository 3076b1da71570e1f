"""The HCE workbook: sheets, live formulas (evaluated by LibreOffice), injection, safe writing.

Expected numbers come from the hand-worked demo in conftest.py (x 3.4, y 3.2, z 3.0; under
the 'flip' weights y 3.8, z 3.0, x 2.6) and from `appraise rank --format json`, which the
workbook's formulas must reproduce to 1e-9 once a spreadsheet evaluates them.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from appraise import __version__
from appraise.analysis.scoring import rank
from appraise.analysis.sensitivity import SmaaOptions, analyse
from appraise.cli import app
from appraise.errors import InputError, ParameterError
from appraise.io import load_inputs
from appraise.model import Settings
from appraise.present import workbook as wb
from appraise.present.sensitivity import summary as sensitivity_summary
from tests.conftest import THREE_OPTIONS, TWO_CRITERIA, Write
from tests.libreoffice import SKIP_VARIABLE, find_soffice

ROOT = Path(__file__).resolve().parents[1]
URGENT_CARE = ROOT / "options" / "urgent-care.yaml"
INDICATIVE = ROOT / "examples" / "urgent-care-indicative.yaml"
# --- helpers -------------------------------------------------------------------------------


def rankings(paths: list[Path], settings: Settings | None = None):
    settings = settings or Settings()
    return [rank(sheet, settings) for sheet in load_inputs(list(paths), settings)]


def export(paths: list[Path], out: Path, settings: Settings | None = None, **kw) -> Path:
    return wb.write_hce_workbook(rankings(paths, settings), out, **kw)


def rank_json(paths: list[Path], *options: str) -> list[dict]:
    """`appraise rank ... --format json` as a list of records, one per file."""
    result = CliRunner().invoke(app, ["rank", *map(str, paths), "--format", "json", *options])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return data if isinstance(data, list) else [data]


def live_results(book, title: str) -> dict[str, tuple[float, int]]:
    """Option id -> (total, rank) from the ranked rows of a recalculated Totals sheet."""
    sheet = book[title]
    header = [c.value for c in sheet[wb.HEADER_ROW]]
    total, place = header.index("Total"), header.index("Rank")
    out = {}
    for row in sheet.iter_rows(min_row=wb.TOTALS_FIRST_ROW, values_only=True):
        if row[0] is None:
            break
        out[row[0]] = (row[total], row[place])
    return out


def assert_matches(book, title: str, record: dict) -> None:
    """Every ranked option's recalculated total and rank equal the JSON record's."""
    live = live_results(book, title)
    assert list(live) == [o["id"] for o in record["options"]]
    for option in record["options"]:
        total, place = live[option["id"]]
        assert total == pytest.approx(option["total"], abs=1e-9), option["id"]
        assert place == option["rank"], option["id"]


def texts(sheet) -> list[str]:
    return [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]


def row_values(sheet, first: str) -> list:
    """The values of the first row whose column A holds ``first``."""
    for row in sheet.iter_rows(values_only=True):
        if row[0] == first:
            return list(row)
    raise AssertionError(f"no row starting {first!r} on {sheet.title}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def demo_book(demo: Path, tmp_path: Path) -> Path:
    return export([demo], tmp_path / "hce.xlsx", command_line="appraise export demo.yaml")


@pytest.fixture
def urgent_book(tmp_path: Path) -> Path:
    return export([URGENT_CARE], tmp_path / "urgent.xlsx")


# --- LibreOffice itself --------------------------------------------------------------------


def test_missing_libreoffice_fails_with_the_install_hint(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv(SKIP_VARIABLE, raising=False)
    with pytest.raises(pytest.fail.Exception, match=r"\.ci/run.*libreoffice-calc-nogui"):
        find_soffice()
    monkeypatch.setenv(SKIP_VARIABLE, "1")
    with pytest.raises(pytest.skip.Exception):
        find_soffice()


def test_libreoffice_recalculates_instead_of_trusting_cached_values(tmp_path, recalculated):
    """A formula 2 x 3 saved with a wrong cached result (999) comes back as 6."""
    book = openpyxl.Workbook()
    book.active["A1"], book.active["A2"], book.active["A3"] = 2, 3, "=A1*A2"
    book.save(tmp_path / "plain.xlsx")
    stale = tmp_path / "stale.xlsx"
    with zipfile.ZipFile(tmp_path / "plain.xlsx") as src, zipfile.ZipFile(stale, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>A1*A2</f><v />", b"<f>A1*A2</f><v>999</v>")
                assert b"<v>999</v>" in data
            dst.writestr(item, data)
    values = openpyxl.load_workbook(recalculated(stale), data_only=True).active
    assert values["A3"].value == 6


# --- sheets and their content --------------------------------------------------------------


def test_sheets_in_order(demo_book):
    book = openpyxl.load_workbook(demo_book)
    assert book.sheetnames == ["Summary", "Criteria", "Scores", "Totals", "Validation", "Audit"]


def test_sheets_per_group_have_unique_titles_within_31_characters(write: Write, tmp_path):
    write("two.yaml", TWO_CRITERIA)
    long_id = "a-very-long-working-group-id"
    one = write("one.yaml", THREE_OPTIONS.replace("group: demo", f"group: {long_id}-one"))
    two = write("two-g.yaml", THREE_OPTIONS.replace("group: demo", f"group: {long_id}-two"))
    names = openpyxl.load_workbook(export([one, two], tmp_path / "hce.xlsx")).sheetnames
    assert names == [
        "Summary",
        "Criteria",
        "Scores a-very-long-working-grou",
        "Totals a-very-long-working-grou",
        "Scores a-very-long-working-gr~2",
        "Totals a-very-long-working-gr~2",
        "Validation",
        "Audit",
    ]


def test_summary_names_leader_status_quo_and_robustness(demo_book):
    """x leads y by 3.4 - 3.2 = 0.20 points, 0.2 / (5 - 1) = 5% of the scale."""
    summary = openpyxl.load_workbook(demo_book)["Summary"]
    assert row_values(summary, "Leader at export")[1] == "Option X"
    assert row_values(summary, "Status quo")[1] == "Option Z ranks 3 of 3 at export."
    assert row_values(summary, "Robustness")[1] == (
        "Option X leads Option Y by 0.20 points, 5% of the 1-5 scale; run `appraise "
        "sensitivity` for weight thresholds and simulation."
    )
    assert not any("ILLUSTRATIVE" in t for t in texts(summary))


def test_summary_names_the_gate_failure_with_its_reason(urgent_book):
    summary = openpyxl.load_workbook(urgent_book)["Summary"]
    assert row_values(summary, "Leader at export")[1] == "Rural urgent primary care hubs"
    failed = row_values(summary, "Failed a gate")
    assert failed[1] == "Redevelop Ely and Wisbech as community hospital hubs"
    assert "Needs redevelopment capital that is not in the 2017-2021 envelope" in failed[2]
    assert any(t.startswith("ILLUSTRATIVE SCORES") for t in texts(summary))
    assert len(summary._charts) == 1


def test_summary_ranks_and_totals_are_formulas_on_the_totals_sheet(demo_book):
    summary = openpyxl.load_workbook(demo_book)["Summary"]
    header = next(r for r in range(1, 20) if summary.cell(r, 1).value == "Rank")
    assert summary.cell(header + 1, 1).value == "='Totals'!$H$5"
    assert summary.cell(header + 1, 3).value == "='Totals'!$G$5"


def test_totals_formulas(demo_book):
    totals = openpyxl.load_workbook(demo_book)["Totals"]
    assert [totals.cell(3, c).value for c in (3, 4)] == ["='Criteria'!$I$5", "='Criteria'!$I$6"]
    assert totals["E5"].value == "=SUMPRODUCT($C$3:$C$3,C5:C5)"
    assert totals["G5"].value == "=SUM(E5:F5)"
    assert totals["H5"].value == "=SUMPRODUCT(--($G$5:$G$7>G5+1E-09))+1"


def test_audit_records_inputs_with_sha256_version_and_command_line(demo, demo_book):
    audit = openpyxl.load_workbook(demo_book)["Audit"]
    found = texts(audit)
    criteria = demo.parent / "two.yaml"
    for path in (demo, criteria):
        assert sha256(path) in found
        row = row_values(audit, "scores" if path == demo else "criteria")
        assert row[2:4] == [path.stat().st_size, sha256(path)]
    assert row_values(audit, "appraise version")[1] == __version__
    assert row_values(audit, "Command line")[1] == "appraise export demo.yaml"
    for package in ("numpy", "pandas", "openpyxl", "pydantic", "PyYAML", "Python"):
        assert row_values(audit, package)[1]


def test_extra_inputs_are_audited(demo, tmp_path):
    extra = tmp_path / "rules.yaml"
    extra.write_text("rules: []\n", encoding="utf-8")
    book = export([demo], tmp_path / "hce.xlsx", inputs=[extra])
    assert sha256(extra) in texts(openpyxl.load_workbook(book)["Audit"])


def test_validation_lists_notes_disagreements_and_gate_failures(urgent_book):
    (ranking,) = rankings([URGENT_CARE])
    rows = list(openpyxl.load_workbook(urgent_book)["Validation"].iter_rows(values_only=True))
    messages = [r[5] for r in rows]
    assert ranking.notes
    assert all(note in messages for note in ranking.notes)
    kinds = [r[0] for r in rows]
    assert kinds.count("disagreement") == len(ranking.disagreements) > 0
    (gate,) = [r for r in rows if r[0] == "gate failure"]
    assert gate[3] == "community-hubs"
    assert "Needs redevelopment capital" in gate[5]


def test_excluded_options_are_listed(write: Write, tmp_path):
    write("two.yaml", TWO_CRITERIA)
    scores = write("gap.yaml", THREE_OPTIONS.replace("{a: 2, b: 5}", "{a: 2, b: null}"))
    book = openpyxl.load_workbook(
        export([scores], tmp_path / "x.xlsx", Settings(missing="exclude"))
    )
    assert row_values(book["Summary"], "Excluded")[1:3] == ["Option Y", "no score for b"]
    assert row_values(book["Validation"], "excluded")[3:] == ["y", None, "no score for b"]
    assert "y" not in live_results(book, "Totals")


def test_validation_says_when_there_is_nothing(demo_book):
    rows = list(openpyxl.load_workbook(demo_book)["Validation"].iter_rows(values_only=True))
    assert rows[-1][0] == "none"


def test_criteria_sheet_marks_the_weight_cells_to_edit(urgent_book):
    criteria = openpyxl.load_workbook(urgent_book)["Criteria"]
    assert row_values(criteria, "safety")[:6] == [
        "safety",
        "Impact on patient safety and population health outcomes",
        "sub-criterion",
        "quality",
        26.2,
        26.2,
    ]
    used = next(c for c in criteria["A"] if c.value == "safety").row
    fill = criteria.cell(used, wb.USED_COL).fill.fgColor.rgb
    assert fill.endswith("FFF2CC")
    assert criteria.cell(used, 5).fill.fgColor.rgb != fill
    assert any("Yellow cells (Weight used) are the ones to edit" in t for t in texts(criteria))
    assert any("sum to 99.1" in t for t in texts(criteria))  # the tree's own note


def test_scores_sheet_has_each_scorer_the_score_used_and_the_spread(urgent_book):
    """status-quo, income_expenditure: scorers gave 2, 2, 3, 1 (mean 2, min 1, max 3)."""
    scores = openpyxl.load_workbook(urgent_book, data_only=True)["Scores"]  # saved results
    header = [c.value for c in scores[wb.HEADER_ROW]]
    column = header.index("income_expenditure")
    rows = [r for r in scores.iter_rows(values_only=True) if r[1] == "status-quo"]
    by_label = {r[0]: r[column] for r in rows}
    assert by_label == {
        "ed-consultant": 2,
        "gp-lead": 2,
        "patient-rep": 3,
        "finance-lead": 1,
        "used (mean)": 2,
        "n": 4,
        "min": 1,
        "max": 3,
        "sd": pytest.approx((2 / 3) ** 0.5),  # squared deviations 0, 0, 1, 1 over n - 1 = 3
    }
    used = next(r for r in rows if r[0] == "used (mean)")
    assert "income_expenditure" in used[-2]  # the disagreement column, before interests
    # gp-lead declared an interest in rural-hubs: shown beside those scores.
    gp_row = next(
        r for r in scores.iter_rows(values_only=True) if r[0] == "gp-lead" and r[1] == "rural-hubs"
    )
    assert gp_row[-1] == "Partner in a Wisbech practice that would host a hub."


# --- formulas, evaluated by LibreOffice ----------------------------------------------------


def test_demo_totals_and_ranks_recalculate_to_the_hand_worked_values(demo, demo_book, recalculated):
    book = openpyxl.load_workbook(recalculated(demo_book), data_only=True)
    assert live_results(book, "Totals") == {
        "x": (pytest.approx(3.4, abs=1e-9), 1),
        "y": (pytest.approx(3.2, abs=1e-9), 2),
        "z": (pytest.approx(3.0, abs=1e-9), 3),
    }
    assert_matches(book, "Totals", rank_json([demo])[0])
    summary = book["Summary"]
    assert row_values(summary, "Leader now")[1] == "Option X"
    shortlist = [row_values(summary, place)[:3] for place in (1, 2, 3)]
    assert shortlist == [
        [1, "Option X", pytest.approx(3.4, abs=1e-9)],
        [2, "Option Y", pytest.approx(3.2, abs=1e-9)],
        [3, "Option Z", pytest.approx(3.0, abs=1e-9)],
    ]


@pytest.mark.parametrize(
    ("options", "settings"),
    [
        ((), Settings()),
        (("--weights", "finance"), Settings(weight_set="finance")),
    ],
    ids=["base", "finance"],
)
def test_urgent_care_formulas_reproduce_rank_json(tmp_path, recalculated, options, settings):
    out = export([URGENT_CARE], tmp_path / "hce.xlsx", settings)
    book = openpyxl.load_workbook(recalculated(out), data_only=True)
    (record,) = rank_json([URGENT_CARE], *options)
    assert_matches(book, "Totals", record)
    criteria = book["Criteria"]
    entered_and_used = row_values(criteria, "affordability")[4:6]
    assert entered_and_used == ([25, 40] if settings.weight_set else [25, 25])
    for leaf, weight in record["weights"].items():
        assert row_values(criteria, leaf)[wb.GLOBAL_COL - 1] == pytest.approx(weight, abs=1e-12)
    totals = book["Totals"]
    column = [c.value for c in totals[wb.HEADER_ROW]].index("Total")
    screened = row_values(totals, "community-hubs")
    assert screened[column] == pytest.approx(record["screened_out"][0]["total"], abs=1e-9)


def test_renormalised_missing_score_reproduces_rank_json(write: Write, tmp_path, recalculated):
    """y has no score for b: its weight on a is rescaled to 1, so its total is its a score, 2."""
    write("two.yaml", TWO_CRITERIA)
    scores = write("gap.yaml", THREE_OPTIONS.replace("{a: 2, b: 5}", "{a: 2, b: null}"))
    out = export([scores], tmp_path / "hce.xlsx", Settings(missing="renormalise"))
    written = openpyxl.load_workbook(out, data_only=True)["Totals"]
    assert row_values(written, "y")[2:4] == [2, None]  # y's score for b is left blank
    book = openpyxl.load_workbook(recalculated(out), data_only=True)
    (record,) = rank_json([scores], "--missing", "renormalise")
    assert_matches(book, "Totals", record)
    assert live_results(book, "Totals")["y"] == (pytest.approx(2.0, abs=1e-9), 3)


def test_every_bundled_file_and_the_indicative_round_together(tmp_path, recalculated):
    """The indicative round of urgent care (its tie at rank 2 survives), the other bundled
    groups, a -2..2 scale (stroke rehab) and a safety hurdle (community rehab), in one
    workbook. (One round per group: two of a group are refused, see the test below.)"""
    others = sorted(p for p in (ROOT / "options").glob("*.yaml") if p != URGENT_CARE)
    files = [INDICATIVE, *others]
    out = export(files, tmp_path / "hce.xlsx")
    book = openpyxl.load_workbook(recalculated(out), data_only=True)
    records = rank_json(files)
    for record in records:
        assert_matches(book, f"Totals {record['group']}", record)
    assert [o["rank"] for o in records[0]["options"]][:3] == [1, 2, 2]


def test_editing_a_weight_recalculates_totals_and_ranks(demo, demo_book, tmp_path, recalculated):
    """a 60 -> 40, b 40 -> 60 is the 'flip' set: y 0.4*2+0.6*5 = 3.8, z 3.0, x 0.4*5+0.6*1 = 2.6."""
    book = openpyxl.load_workbook(demo_book)
    criteria = book["Criteria"]
    for leaf, weight in (("a", 40), ("b", 60)):
        row = next(c for c in criteria["A"] if c.value == leaf).row
        criteria.cell(row, wb.USED_COL).value = weight
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    values = openpyxl.load_workbook(recalculated(edited), data_only=True)
    assert live_results(values, "Totals") == {
        "x": (pytest.approx(2.6, abs=1e-9), 3),
        "y": (pytest.approx(3.8, abs=1e-9), 1),
        "z": (pytest.approx(3.0, abs=1e-9), 2),
    }
    (flip,) = rankings([demo], Settings(weight_set="flip"))
    for option in flip.options:
        total, place = live_results(values, "Totals")[option.id]
        assert (total, place) == (pytest.approx(option.total, abs=1e-9), option.rank)
    assert row_values(values["Summary"], "Leader now")[1] == "Option Y"


# --- formula injection ---------------------------------------------------------------------

HOSTILE = """\
group: demo
name: '=HYPERLINK("http://example.com","click")'
criteria: two.yaml
scale: {min: 1, max: 5}
gates: [{id: g, name: "-2+3"}]
options:
  - {id: x, name: "=1+1", notes: "@SUM(A1)", scores: {a: 5, b: 1}}
  - {id: y, name: "+cmd|' /C calc'!A0", scores: {a: 2, b: 5},
     gates: {g: {pass: false, reason: "=2+2"}}}
  - {id: z, name: Option Z, status_quo: true, scores: {a: 3, b: 3}}
"""
# Input text that fills a whole cell (names, notes, the group heading, the command line) ...
HOSTILE_CELLS = (
    "=1+1",
    "@SUM(A1)",
    "+cmd|' /C calc'!A0",
    '=HYPERLINK("http://example.com","click") (demo)',
    "=cmd --evil",
)
# ... and fragments that must never reach a formula, wherever they appear.
HOSTILE_FRAGMENTS = ("1+1", "SUM(A1)", "cmd", "2+2", "-2+3", "HYPERLINK")


@pytest.fixture
def hostile_book(write: Write, tmp_path: Path) -> Path:
    write("two.yaml", TWO_CRITERIA)
    scores = write("hostile.yaml", HOSTILE)
    return export([scores], tmp_path / "hce.xlsx", command_line="=cmd --evil")


def _stored_formulas(path: Path) -> list[str]:
    """Every formula as stored in the file's sheet XML."""
    with zipfile.ZipFile(path) as archive:
        xml = "".join(
            archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")
        )
    return re.findall(r"<f>(.*?)</f>", xml)


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "plain"])
def test_put_text_never_writes_a_formula(tmp_path, text):
    book = openpyxl.Workbook()
    cell = wb.put_text(book.active, 1, 1, text)
    assert cell.data_type == "s"
    assert cell.quotePrefix == (text != "plain")
    book.save(tmp_path / "t.xlsx")
    back = openpyxl.load_workbook(tmp_path / "t.xlsx").active["A1"]
    # XML reads a carriage return back as a line feed; the cell is text either way
    assert (back.value, back.data_type) == (text.replace("\r", "\n"), "s")


def test_put_formula_refuses_text():
    with pytest.raises(ValueError, match="not a formula"):
        wb.put_formula(openpyxl.Workbook().active, 1, 1, "SUM(A1)", 0.0)


def test_input_text_is_written_as_text(hostile_book):
    book = openpyxl.load_workbook(hostile_book)
    cells = [c for s in book.worksheets for row in s.iter_rows() for c in row]
    for text in HOSTILE_CELLS:
        found = [c for c in cells if c.value == text]
        assert found, text
        assert all(c.data_type == "s" for c in found), text
    formulas = [c.value for c in cells if c.data_type == "f"]
    stored = _stored_formulas(hostile_book)
    assert formulas
    assert len(stored) == len(formulas)
    for formula in (*formulas, *stored):
        assert not any(bad in formula for bad in HOSTILE_FRAGMENTS)


def test_input_text_stays_text_after_libreoffice(hostile_book, recalculated):
    converted = recalculated(hostile_book)
    values = openpyxl.load_workbook(converted, data_only=True)
    found = {c.value for s in values.worksheets for row in s.iter_rows() for c in row}
    assert set(HOSTILE_CELLS) <= found
    assert row_values(values["Summary"], "Leader at export")[1] == "=1+1"
    formulas = openpyxl.load_workbook(converted)
    for sheet in formulas.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value in HOSTILE_CELLS:
                    assert cell.data_type == "s", (sheet.title, cell.coordinate)


# --- safe writing --------------------------------------------------------------------------


def test_refuses_to_overwrite_without_force(demo, tmp_path):
    out = tmp_path / "hce.xlsx"
    out.write_bytes(b"earlier results")
    with pytest.raises(InputError, match="already exists; use force=True"):
        export([demo], out)
    assert out.read_bytes() == b"earlier results"
    export([demo], out, force=True)
    assert openpyxl.load_workbook(out).sheetnames[0] == "Summary"


@pytest.mark.parametrize("which", ["scores", "criteria"])
def test_never_writes_over_an_input_even_with_force(demo, which):
    target = demo if which == "scores" else demo.parent / "two.yaml"
    before = target.read_bytes()
    with pytest.raises(InputError, match="is an input file"):
        export([demo], target, force=True)
    assert target.read_bytes() == before


def test_never_writes_over_an_extra_input(demo, tmp_path):
    workbook_input = tmp_path / "scoring.xlsx"
    workbook_input.write_bytes(b"a filled-in scoring workbook")
    with pytest.raises(InputError, match="is an input file"):
        export([demo], workbook_input, force=True, inputs=[workbook_input])
    assert workbook_input.read_bytes() == b"a filled-in scoring workbook"


def test_refuses_a_name_that_is_not_xlsx(demo, tmp_path):
    with pytest.raises(ParameterError, match=r"^out: give a name ending in \.xlsx"):
        export([demo], tmp_path / "hce.csv")
    assert not (tmp_path / "hce.csv").exists()


@pytest.fixture
def failing_audit(monkeypatch) -> None:
    """The last sheet fails, after every other sheet was written."""

    def boom(self, sheet, context):
        raise RuntimeError("disk full, say")

    monkeypatch.setattr(wb.AuditSection, "write", boom)


@pytest.mark.usefixtures("failing_audit")
def test_a_failure_midway_leaves_no_file_and_no_temporary(demo, tmp_path):
    before = sorted(tmp_path.iterdir())
    with pytest.raises(RuntimeError, match="disk full"):
        export([demo], tmp_path / "hce.xlsx")
    assert sorted(tmp_path.iterdir()) == before


@pytest.mark.usefixtures("failing_audit")
def test_a_failure_midway_leaves_the_old_file_untouched(demo, tmp_path):
    out = tmp_path / "hce.xlsx"
    out.write_bytes(b"earlier results")
    with pytest.raises(RuntimeError):
        export([demo], out, force=True)
    assert out.read_bytes() == b"earlier results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo.yaml", "hce.xlsx", "two.yaml"]


# --- one criteria table per workbook, and extensions ---------------------------------------


def test_files_with_different_weights_are_refused_naming_the_second(write: Write, tmp_path):
    write("two.yaml", TWO_CRITERIA)
    write("other.yaml", TWO_CRITERIA.replace("weight: 60", "weight: 70").replace("40}", "30}", 1))
    first = write("first.yaml", THREE_OPTIONS)
    second = write("second.yaml", THREE_OPTIONS.replace("two.yaml", "other.yaml"))
    with pytest.raises(InputError, match=r"second\.yaml: criteria: its weights") as caught:
        export([first, second], tmp_path / "hce.xlsx")
    assert "first.yaml" in str(caught.value)
    assert not (tmp_path / "hce.xlsx").exists()


def test_rankings_under_different_weight_sets_are_refused(demo, tmp_path):
    base = rankings([demo])
    flip = rankings([demo], Settings(weight_set="flip"))
    with pytest.raises(InputError, match="weight set flip"):
        wb.write_hce_workbook([*base, *flip], tmp_path / "hce.xlsx")


def test_extra_sections_go_before_validation_and_can_use_the_weight_cells(demo, tmp_path):
    def fill(sheet, context):
        wb.put_text(sheet, 1, 1, "weight of a")
        wb.put_formula(sheet, 1, 2, "=" + context.weight_cells["a"], 0.6)

    extra = wb.SheetSection("Sensitivity", fill)
    book = openpyxl.load_workbook(export([demo], tmp_path / "hce.xlsx", extra_sections=[extra]))
    assert book.sheetnames[-3:] == ["Sensitivity", "Validation", "Audit"]
    assert book["Sensitivity"]["B1"].value == "='Criteria'!$I$5"


def test_extra_section_titles_must_be_unique_and_valid(demo, tmp_path):
    for title in ("summary", "x" * 32, "a/b"):
        with pytest.raises(ValueError, match="sheet"):
            export(
                [demo],
                tmp_path / "hce.xlsx",
                extra_sections=[wb.SheetSection(title, lambda s, c: None)],
            )
    assert not (tmp_path / "hce.xlsx").exists()


def test_no_rankings_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError, match="no rankings"):
        wb.write_hce_workbook([], tmp_path / "hce.xlsx")


# --- sensitivity sheets --------------------------------------------------------------------
# Worked by hand from conftest's demo (a 60, b 40; x = (5, 1), y = (2, 5), z = (3, 3)). With
# weight t on a and 1 - t on b: x = 1 + 4t, y = 5 - 3t, z = 3, so x stays first while
# t >= 4/7 and y leads below; b's weight is 1 - t, so x stays first while b <= 3/7.
# Score thresholds: y is 3.4 - 3.2 = 0.2 behind, so 0.2 / 0.6 = 1/3 more on a (2 -> 7/3), and
# 0.2 / 0.4 = 0.5 more on b would pass the scale's 5; z is 0.4 behind: 2/3 on a (3 -> 11/3),
# 1 on b (3 -> 4).

HEADER_RGB = "305496"


def table(sheet, heading: str) -> tuple[list, list[list]]:
    """The header and rows of the table under ``heading`` (rows end at a blank column A)."""
    start = next(c.row for c in sheet["A"] if c.value == heading)
    header_row = next(
        r
        for r in range(start + 1, start + 4)
        if str(sheet.cell(r, 1).fill.fgColor.rgb).endswith(HEADER_RGB)
    )
    width = max(c.column for c in sheet[header_row] if c.value is not None)
    header = [sheet.cell(header_row, c).value for c in range(1, width + 1)]
    rows = []
    for r in range(header_row + 1, sheet.max_row + 1):
        if sheet.cell(r, 1).value is None:
            break
        rows.append([sheet.cell(r, c).value for c in range(1, width + 1)])
    return header, rows


def by_first(rows: list[list]) -> dict:
    return {row[0]: row for row in rows}


@pytest.fixture
def demo_sensitivity(demo: Path):
    (ranking,) = rankings([demo])
    return ranking, analyse(ranking, sampling=SmaaOptions(samples=2000, seed=5))


@pytest.fixture
def sensitivity_book(demo_sensitivity, tmp_path: Path) -> Path:
    ranking, result = demo_sensitivity
    return wb.write_hce_workbook(
        [ranking],
        tmp_path / "hce.xlsx",
        sensitivities=[result],
        command_line="appraise export demo.yaml --sensitivity",
    )


def test_no_sensitivities_is_todays_workbook(demo, tmp_path):
    out = export([demo], tmp_path / "hce.xlsx", sensitivities=())
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Summary", "Criteria", "Scores", "Totals", "Validation", "Audit"]
    assert not any("Sensitivity analyses" in t for t in texts(book["Audit"]))


def test_the_sensitivity_sheet_goes_before_validation(sensitivity_book):
    assert openpyxl.load_workbook(sensitivity_book).sheetnames == [
        "Summary",
        "Criteria",
        "Scores",
        "Totals",
        "Sensitivity",
        "Validation",
        "Audit",
    ]


def test_sensitivity_sheet_opens_with_the_summary_sentences(demo_sensitivity, sensitivity_book):
    _, result = demo_sensitivity
    sheet = openpyxl.load_workbook(sensitivity_book)["Sensitivity"]
    found = texts(sheet)
    sentences = sensitivity_summary(result)
    assert sentences[0].startswith("Option X is first today but in only")  # Y wins 4/7
    start = found.index("In brief")
    assert found[start + 1 : start + 1 + len(sentences)] == sentences


def test_threshold_table_holds_the_hand_worked_crossings(sensitivity_book):
    sheet = openpyxl.load_workbook(sensitivity_book)["Sensitivity"]
    header, rows = table(sheet, "Weight thresholds")
    assert header == [
        "Id",
        "Criterion",
        "Level",
        "Weight now",
        "Leader first from",
        "to",
        "Option leading below",
        "Option leading above",
    ]
    a, b = by_first(rows)["a"], by_first(rows)["b"]
    assert a[1:4] == ["Criterion A", "criterion", pytest.approx(0.6, abs=1e-12)]
    assert a[4] == pytest.approx(4 / 7, abs=1e-12)
    assert a[5] == 1  # first up to 100%
    assert a[6] == "Option Y"
    assert b[3:5] == [pytest.approx(0.4, abs=1e-12), 0]  # first down to 0%
    assert b[5] == pytest.approx(3 / 7, abs=1e-12)
    assert b[7] == "Option Y"
    start = next(c.row for c in sheet["A"] if c.value == "a")
    assert [sheet.cell(start, c).number_format for c in (4, 5, 6)] == ["0.0%"] * 3


def weight_block(sheet) -> dict:
    """The weight chart's block: the chosen criterion, the ends table and the grid."""
    start = next(c.row for c in sheet["A"] if c.value == "Criterion (id)")
    value = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(start, start + 6)}
    ends_header = next(r for r in range(start, start + 12) if sheet.cell(r, 1).value == "Option")
    ends = {}
    r = ends_header + 1
    while sheet.cell(r, 1).value is not None:
        ends[sheet.cell(r, 1).value] = (sheet.cell(r, 2).value, sheet.cell(r, 3).value)
        r += 1
    grid = next(c.row for c in sheet["A"] if c.value == "Weight")
    width = max(c.column for c in sheet[grid] if c.value is not None)
    header = [sheet.cell(grid, c).value for c in range(1, width + 1)]
    rows = []
    for r in range(grid + 1, grid + 22):
        rows.append([sheet.cell(r, c).value for c in range(1, width + 1)])
    return {
        "chosen": value["Criterion (id)"],
        "name": sheet.cell(start, 3).value,
        "weight": value["Its global weight today"],
        "title": value["Chart title"],
        "ends": ends,
        "header": header,
        "rows": rows,
    }


def test_chart_data_follows_the_hand_worked_lines(sensitivity_book):
    """x = 1 + 4t, y = 5 - 3t, z = 3 at t = 0, 0.05, ..., 1; at t = 0.5: 3, 3.5, 3."""
    sheet = openpyxl.load_workbook(sensitivity_book, data_only=True)["Sensitivity"]
    block = weight_block(sheet)
    assert (block["chosen"], block["name"]) == ("a", "Criterion A")
    assert block["weight"] == pytest.approx(0.6, abs=1e-12)
    assert block["title"] == "Totals as the weight of Criterion A moves"
    assert block["ends"] == {
        "Option X": (pytest.approx(1.0, abs=1e-12), pytest.approx(5.0, abs=1e-12)),
        "Option Y": (pytest.approx(5.0, abs=1e-12), pytest.approx(2.0, abs=1e-12)),
        "Option Z": (pytest.approx(3.0, abs=1e-12), pytest.approx(3.0, abs=1e-12)),
    }
    header, rows = block["header"], block["rows"]
    assert header[:4] == ["Weight", "Option X", "Option Y", "Option Z"]
    assert [r[0] for r in rows] == [pytest.approx(k / 20, abs=1e-12) for k in range(21)]
    for t, x, y, z, *_ in rows:
        assert (x, y, z) == (
            pytest.approx(1 + 4 * t, abs=1e-12),
            pytest.approx(5 - 3 * t, abs=1e-12),
            pytest.approx(3, abs=1e-12),
        )
    half = next(r for r in rows if r[0] == pytest.approx(0.5))
    assert half[1:4] == [pytest.approx(3), pytest.approx(3.5), pytest.approx(3)]
    today = header.index("Today's weight")
    assert [r[today] for r in rows[:2]] == [pytest.approx(0.6), pytest.approx(0.6)]
    assert [r[today + 1] for r in rows[:2]] == [1, 5]  # lowest and highest total drawn


def test_the_weight_chart_follows_the_criterion_chosen_in_its_cell(
    sensitivity_book, tmp_path, recalculated
):
    """Choose b: with weight t on b, x = 5 - 4t, y = 2 + 3t, z = 3; b weighs 0.4 today."""
    book = openpyxl.load_workbook(sensitivity_book)
    sheet = book["Sensitivity"]
    start = next(c.row for c in sheet["A"] if c.value == "Criterion (id)")
    sheet.cell(start, 2).value = "b"
    edited = tmp_path / "chosen-b.xlsx"
    book.save(edited)
    block = weight_block(
        openpyxl.load_workbook(recalculated(edited), data_only=True)["Sensitivity"]
    )
    assert (block["name"], block["weight"]) == ("Criterion B", pytest.approx(0.4, abs=1e-12))
    assert block["title"] == "Totals as the weight of Criterion B moves"
    for t, x, y, z, *_ in block["rows"]:
        assert (x, y, z) == (
            pytest.approx(5 - 4 * t, abs=1e-12),
            pytest.approx(2 + 3 * t, abs=1e-12),
            pytest.approx(3, abs=1e-12),
        )


def test_the_line_chart_and_the_acceptability_chart_are_on_the_sheet(sensitivity_book):
    with zipfile.ZipFile(sensitivity_book) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        xml = {n: archive.read(n).decode() for n in charts}
    assert len(charts) == 3  # the Summary's contribution chart, and these two
    (line,) = [x for x in xml.values() if "<c:scatterChart>" in x]
    (bars,) = [x for x in xml.values() if 'grouping val="percentStacked"' in x]
    # The line chart's title is the cell that names the chosen criterion, saved with its text.
    assert "<c:f>'Sensitivity'!$B$" in line.split("<c:plotArea>")[0]
    assert "Totals as the weight of Criterion A moves" in line
    assert line.count("<c:ser>") == 4  # x, y, z and today's weight
    assert line.count('<c:symbol val="none"/>') == 4  # straight lines, no markers
    assert bars.count("<c:ser>") == 3  # one per rank
    assert '<c:barDir val="bar"/>' in bars


def test_rank_acceptability_rows_are_the_smaa_result(demo_sensitivity, sensitivity_book):
    _, result = demo_sensitivity
    smaa = result.smaa
    assert smaa is not None
    sheet = openpyxl.load_workbook(sensitivity_book)["Sensitivity"]
    header, rows = table(sheet, "Rank acceptability (simulation)")
    assert header == [
        "Option",
        "P(first)",
        "P(top 3)",
        "Rank 1",
        "Rank 2",
        "Rank 3",
        "Confidence",
    ]
    assert [r[0] for r in rows] == ["Option X", "Option Y", "Option Z"]
    for i, row in enumerate(rows):
        shares = row[3:6]
        assert sum(shares) == pytest.approx(1, abs=1e-12)
        assert shares == [pytest.approx(v, abs=1e-15) for v in smaa.rank_acceptability[i]]
        assert row[1] == pytest.approx(smaa.rank_acceptability[i, 0], abs=1e-15)
        assert row[2] == pytest.approx(1, abs=1e-12)  # three options: always in the top 3
    for rank_column in range(3, 6):
        assert sum(r[rank_column] for r in rows) == pytest.approx(1, abs=1e-12)


def test_alternatives_and_score_thresholds(sensitivity_book):
    """'flip' (a 40, b 60) puts y first; without a, b alone ranks y 5, z 3, x 1."""
    sheet = openpyxl.load_workbook(sensitivity_book)["Sensitivity"]
    _, sets = table(sheet, "Weight sets")
    assert [r[:4] for r in sets] == [
        ["base weights", "Option X", "no", "no"],
        ["weight set 'flip'", "Option Y", "yes", "no"],
    ]
    _, left_out = table(sheet, "Leave one out")
    assert [r[:3] for r in left_out] == [
        ["without Criterion A (a)", "Option Y", "yes"],
        ["without Criterion B (b)", "Option X", "no"],
    ]
    assert left_out[0][4] == "Option Y > Option Z > Option X"
    _, scores = table(sheet, "Score thresholds")
    assert [r[:2] for r in scores] == [
        ["Option Y", "Criterion A"],
        ["Option Z", "Criterion A"],
        ["Option Z", "Criterion B"],
    ]
    expected = [(2, 1 / 3, 7 / 3), (3, 2 / 3, 11 / 3), (3, 1, 4)]
    for row, (score, rise, needed) in zip(scores, expected, strict=True):
        assert row[2:5] == [score, pytest.approx(rise, abs=1e-12), pytest.approx(needed, abs=1e-12)]


def test_score_thresholds_say_when_no_single_score_is_enough(write: Write, tmp_path):
    """y = (1, 1) is 4 behind x = (5, 5): no one score on a 1..5 scale closes that."""
    write("two.yaml", TWO_CRITERIA)
    scores = write(
        "far.yaml",
        THREE_OPTIONS.replace("{a: 5, b: 1}", "{a: 5, b: 5}")
        .replace("{a: 2, b: 5}", "{a: 1, b: 1}")
        .replace("{a: 3, b: 3}", "{a: 4, b: 5}"),
    )
    (ranking,) = rankings([scores])
    result = analyse(ranking, what=["thresholds", "scores"])
    assert wb.binding_threshold(result) is None
    found = wb.chart_line(result)
    assert found is not None
    assert (found[0].criterion, found[1]) == ("a", False)  # the heaviest criterion instead
    out = wb.write_hce_workbook([ranking], tmp_path / "hce.xlsx", sensitivities=[result])
    sheet = openpyxl.load_workbook(out)["Sensitivity"]
    _, rows = table(sheet, "Score thresholds")
    assert ["Option Y", "not possible within the scale"] in [r[:2] for r in rows]
    assert len(sheet._charts) == 1  # the weight chart; no SMAA, no acceptability bars
    assert not any("Rank acceptability" in t for t in texts(sheet))


def test_summary_robustness_opens_with_the_sensitivity_headline(demo_sensitivity, sensitivity_book):
    _, result = demo_sensitivity
    summary = openpyxl.load_workbook(sensitivity_book)["Summary"]
    text = row_values(summary, "Robustness")[1]
    assert text.startswith(sensitivity_summary(result)[0])
    assert "stays first unless the weight of 'Criterion A' falls below 57.1% (now 60.0%)" in text
    assert "'Sensitivity' sheet" in text
    assert "leads Option Y by 0.20 points" not in text


def test_audit_records_the_analyses_and_the_smaa_settings(sensitivity_book):
    audit = openpyxl.load_workbook(sensitivity_book)["Audit"]
    header, rows = table(audit, "Sensitivity analyses")
    assert header == [
        "Group",
        "Analyses run",
        "Shortlist (top N)",
        "SMAA samples",
        "SMAA seed",
        "Distribution",
        "Concentration",
        "Score noise",
    ]
    assert rows == [
        [
            "demo",
            "thresholds, within, scores, weight-sets, leave-one-out, smaa",
            3,
            2000,
            5,
            "uniform",
            "n/a",
            "none",
        ]
    ]


def test_sensitivity_sheets_per_group(write: Write, tmp_path):
    write("two.yaml", TWO_CRITERIA)
    one = write("one.yaml", THREE_OPTIONS.replace("group: demo", "group: one"))
    two = write("two-g.yaml", THREE_OPTIONS.replace("group: demo", "group: two"))
    ranked = rankings([one, two])
    results = [analyse(r, what=["thresholds"]) for r in ranked]
    out = wb.write_hce_workbook(ranked, tmp_path / "hce.xlsx", sensitivities=results)
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[-4:] == ["Sensitivity one", "Sensitivity two", "Validation", "Audit"]
    assert table(book["Audit"], "Sensitivity analyses")[1][1][:4] == [
        "two",
        "thresholds",
        3,
        "not run",
    ]
    # The second group's robustness names its own sheet.
    robustness = [r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0] == "Robustness"]
    assert [("'Sensitivity one'" in t, "'Sensitivity two'" in t) for t in robustness] == [
        (True, False),
        (False, True),
    ]


def test_sensitivities_must_match_the_rankings(demo, write: Write, tmp_path):
    write("two.yaml", TWO_CRITERIA)
    other = write("other.yaml", THREE_OPTIONS.replace("group: demo", "group: other"))
    base = rankings([demo])
    flip = rankings([demo], Settings(weight_set="flip"))
    result = analyse(base[0], what=["thresholds"])
    with pytest.raises(ValueError, match="1 sensitivity results for 2 rankings"):
        wb.write_hce_workbook(
            [*base, *rankings([other])], tmp_path / "hce.xlsx", sensitivities=[result]
        )
    with pytest.raises(ValueError, match="weight set flip"):
        wb.write_hce_workbook(
            flip, tmp_path / "hce.xlsx", sensitivities=[analyse(base[0], what=["thresholds"])]
        )
    # A ranking computed again from the same file and settings is the same ranking.
    again = rankings([demo])
    wb.write_hce_workbook(again, tmp_path / "hce.xlsx", sensitivities=[result])
    assert not list(tmp_path.glob("*.tmp"))


def test_sensitivity_text_from_inputs_stays_text(write: Write, tmp_path):
    write("two.yaml", TWO_CRITERIA)
    scores = write("hostile.yaml", HOSTILE)
    (ranking,) = rankings([scores])
    result = analyse(ranking, sampling=SmaaOptions(samples=200, seed=1))
    out = wb.write_hce_workbook([ranking], tmp_path / "hce.xlsx", sensitivities=[result])
    sheet = openpyxl.load_workbook(out)["Sensitivity"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    hostile = [c for c in cells if c.value == "=1+1"]
    assert hostile
    assert all(c.data_type == "s" for c in hostile)
    # The only formulas are the weight chart's own: over cells, never over input text.
    heading = next(c.row for c in cells if c.value == "Totals as the weight of a criterion moves")
    assert all(c.row > heading for c in cells if c.data_type == "f")
    for formula in _stored_formulas(out):
        assert not any(bad in formula for bad in HOSTILE_FRAGMENTS)


def test_sensitivity_workbook_recalculates_to_rank_json(demo, sensitivity_book, recalculated):
    book = openpyxl.load_workbook(recalculated(sensitivity_book), data_only=True)
    assert_matches(book, "Totals", rank_json([demo])[0])
    _, rows = table(book["Sensitivity"], "Weight thresholds")
    assert by_first(rows)["a"][4] == pytest.approx(4 / 7, abs=1e-12)
    _, rows = table(book["Sensitivity"], "Rank acceptability (simulation)")
    assert all(sum(r[3:6]) == pytest.approx(1, abs=1e-12) for r in rows)


def test_bundled_inputs_are_named_by_label_but_hashed_from_their_file(tmp_path, monkeypatch):
    """Run from a folder outside the checkout: messages, the Summary and the Audit sheet say
    'urgent-care (bundled)', and the Audit's size and SHA-256 (hashlib here) are the real
    file's."""
    from appraise import bundled

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        app, ["export", "urgent-care", "-o", "out.xlsx", "--no-sensitivity"]
    )
    assert result.exit_code == 0, result.output
    assert "note: cp-2016 (bundled):" in result.stderr
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    rows = {r[0]: r for r in book["Audit"].iter_rows(values_only=True) if r and r[0]}
    for role, name, path in (
        ("scores", "urgent-care (bundled)", bundled.find("options", "urgent-care")),
        ("criteria", "cp-2016 (bundled)", bundled.find("criteria", "cp-2016")),
    ):
        assert path is not None
        assert rows[role][1:4] == (
            name,
            path.stat().st_size,
            hashlib.sha256(path.read_bytes()).hexdigest(),
        )
    summary = " ".join(str(c) for r in book["Summary"].iter_rows(values_only=True) for c in r if c)
    assert "urgent-care (bundled)" in summary


# --- one file per group (issue 13, item 10) -------------------------------------------------


def test_a_group_given_twice_is_refused_as_combine_refuses_it(write: Write, tmp_path, monkeypatch):
    """An old copy of urgent-care.yaml beside the new: exit 1, one line naming the group and
    both files (combine's words, from the same check), and no 'Scores urgent-care~2' written."""
    monkeypatch.chdir(ROOT)
    copy = write(
        "old/urgent-care.yaml",
        URGENT_CARE.read_text().replace("../criteria/cp-2016.yaml", "cp-2016"),
    )
    out = tmp_path / "hce.xlsx"
    runner = CliRunner()
    new = "options/urgent-care.yaml"
    result = runner.invoke(app, ["export", new, str(copy), "-o", str(out)])
    expected = (
        f"error: {copy}: group: group 'urgent-care' is given twice, here and in {new}; "
        "one file per group"
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip().replace("\n", " ") == expected
    assert "Traceback" not in result.output
    assert not out.exists()
    combined = runner.invoke(app, ["combine", new, str(copy)])
    assert combined.exit_code == 1
    assert combined.stderr.strip().replace("\n", " ") == expected


def test_the_same_file_twice_is_refused_and_so_is_a_library_call(demo, tmp_path):
    """`export demo.yaml demo.yaml` says the file is given twice; write_hce_workbook (the
    library's entry) refuses two rankings of one group whatever the command line did."""
    from appraise.errors import Problems

    out = tmp_path / "hce.xlsx"
    result = CliRunner().invoke(
        app, ["export", str(demo), str(demo), "-o", str(out), "--no-sensitivity"]
    )
    assert result.exit_code == 1
    assert result.stderr.strip().replace("\n", " ") == (
        f"error: {demo}: group: this file is given twice (group 'demo'); one file per group"
    )
    with pytest.raises(Problems, match="group 'demo'"):
        wb.write_hce_workbook(rankings([demo, demo]), out)
    assert not out.exists()
