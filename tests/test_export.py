"""The HCE workbook: sheets, live formulas (evaluated by LibreOffice), injection, safe writing.

Expected numbers come from the hand-worked demo in conftest.py (x 3.4, y 3.2, z 3.0; under
the 'flip' weights y 3.8, z 3.0, x 2.6) and from `appraise rank --format json`, which the
workbook's formulas must reproduce to 1e-9 once a spreadsheet evaluates them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from appraise import __version__
from appraise.cli import app
from appraise.errors import InputError
from appraise.io import load_inputs
from appraise.io import workbook as wb
from appraise.model import Settings
from appraise.scoring import rank
from tests.conftest import THREE_OPTIONS, TWO_CRITERIA, Write

ROOT = Path(__file__).resolve().parents[1]
URGENT_CARE = ROOT / "options" / "urgent-care.yaml"
INDICATIVE = ROOT / "examples" / "urgent-care-indicative.yaml"
SKIP_VARIABLE = "APPRAISE_SKIP_LIBREOFFICE"
INSTALL_HINT = (
    "LibreOffice (soffice) is needed to evaluate the HCE workbook's formulas; `.ci/run` installs "
    "it (apt-get install -y --no-install-recommends libreoffice-calc-nogui). Set "
    f"{SKIP_VARIABLE}=1 to skip these tests on purpose."
)
# LibreOffice's default for Excel files is "never recalculate": a formula with a cached value
# keeps it. OOXMLRecalcMode 0 ("always") in the private profile makes every load recalculate,
# so the values read back are LibreOffice's own arithmetic, never something a writer stored.
RECALC_ALWAYS = """\
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">\
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

Convert = Callable[[Path], Path]


# --- helpers -------------------------------------------------------------------------------


def find_soffice() -> str:
    """The LibreOffice binary; a failure (not a silent skip) when it is missing."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get(SKIP_VARIABLE) == "1":
        pytest.skip(f"LibreOffice not installed and {SKIP_VARIABLE}=1")
    pytest.fail(INSTALL_HINT)


@pytest.fixture(scope="session")
def recalculated(tmp_path_factory: pytest.TempPathFactory) -> Convert:
    """A function that has LibreOffice open, recalculate and save a copy of a workbook."""
    soffice = find_soffice()
    profile = tmp_path_factory.mktemp("libreoffice-profile")
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")

    def convert(path: Path) -> Path:
        outdir = tmp_path_factory.mktemp("recalculated")
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(outdir),
            str(path),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        converted = outdir / path.name
        assert converted.is_file(), f"LibreOffice did not convert {path}:\n{result}"
        return converted

    return convert


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
    scores = openpyxl.load_workbook(urgent_book)["Scores"]
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
    assert "income_expenditure" in used[-1]


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
    written = openpyxl.load_workbook(out)["Totals"]
    assert row_values(written, "y")[2:4] == [2, None]  # y's score for b is left blank
    book = openpyxl.load_workbook(recalculated(out), data_only=True)
    (record,) = rank_json([scores], "--missing", "renormalise")
    assert_matches(book, "Totals", record)
    assert live_results(book, "Totals")["y"] == (pytest.approx(2.0, abs=1e-9), 3)


def test_every_bundled_file_and_the_indicative_round_together(tmp_path, recalculated):
    """Both rounds of urgent care (sheets ~2; the indicative tie at rank 2 survives), a -2..2
    scale (stroke rehab) and a safety hurdle (community rehab), in one workbook."""
    files = [URGENT_CARE, INDICATIVE, *sorted((ROOT / "options").glob("*.yaml"))]
    files = list(dict.fromkeys(files))
    out = export(files, tmp_path / "hce.xlsx")
    book = openpyxl.load_workbook(recalculated(out), data_only=True)
    records = rank_json(files)
    seen: list[str] = []
    for record in records:
        title = f"Totals {record['group']}" + ("~2" if record["group"] in seen else "")
        seen.append(record["group"])
        assert_matches(book, title, record)
    assert [o["rank"] for o in records[1]["options"]][:3] == [1, 2, 2]


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
        wb.put_formula(openpyxl.Workbook().active, 1, 1, "SUM(A1)")


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
    with pytest.raises(InputError, match="already exists; use --force"):
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
    with pytest.raises(InputError, match=r"ending \.xlsx"):
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
        wb.put_formula(sheet, 1, 2, "=" + context.weight_cells["a"])

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
