"""The HCE workbook at scale: the same file however its cells are written, and what changes
for a large group is on its sheet.

Long tables go straight to XlsxWriter (``put_row``) rather than through openpyxl; a formula
that needs no ``_xlfn.`` prefix skips XlsxWriter's regular expressions; a panel too large to
lay out scorer by scorer is shown as its scores used; rank acceptability shows 50 ranks and
the rest together; a chart draws the first 50 options. The sizes are made small here by
setting the limits low, so each case is a bundled file whose figures are worked out apart.
"""

from __future__ import annotations

import json
import math
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill
from typer.testing import CliRunner
from xlsxwriter.worksheet import Worksheet as StockSheet

from appraise.analysis.scoring import rank
from appraise.analysis.sensitivity import SmaaOptions, analyse
from appraise.cli import app
from appraise.io import load_inputs
from appraise.io.xlsx_cells import put_formula, put_number, put_row, put_text
from appraise.io.xlsx_write import _OutputSheet, save_workbook
from appraise.model import Settings
from appraise.present import workbook as wb
from tests.test_export import URGENT_CARE, rank_json
from tests.test_workbook_results import assert_same_results, formula_cells, saved_values


def parts(path: Path) -> dict[str, bytes]:
    """A saved workbook's parts, but for the creation time in docProps/core.xml."""
    with zipfile.ZipFile(path) as book:
        return {n: book.read(n) for n in book.namelist() if n != "docProps/core.xml"}


CELLS = [  # row, column, value, kind: what each test writes one way and then the other
    (1, 1, "Option", "text"),
    (1, 2, '=HYPERLINK("x")', "text"),  # a formula typed as a name stays text, quoted
    (1, 3, "", "text"),
    (2, 1, 2.5, "number"),
    (2, 2, math.nan, "number"),
    (2, 3, 7.0, "number"),
    (3, 1, 0.25, "=A2/10"),
    (3, 2, math.nan, '=IF(COUNT(B2)=0,"",B2)'),
    (3, 3, 3.5, "=SUM(A2:C2)"),
]


def write_cells(sheet, straight: bool) -> None:
    """``CELLS`` a row at a time with ``put_row``, or a cell at a time through openpyxl."""
    wrap = Alignment(wrap_text=True, vertical="top")
    shade = PatternFill("solid", fgColor="F8CBAD")
    text, numbers, formulas = ([c for c in CELLS if c[0] == row] for row in (1, 2, 3))
    if straight:
        put_row(sheet, 1, 1, [c[2] for c in text], alignment=wrap)
        put_row(sheet, 2, 1, [c[2] for c in numbers], "0.00")
        put_row(sheet, 3, 1, [c[2] for c in formulas], "0.0%", [c[3] for c in formulas])
        put_row(sheet, 4, 2, [1.5, "shaded"], fill=shade)
        return
    put_number(sheet, 4, 2, 1.5).fill = shade
    put_text(sheet, 4, 3, "shaded").fill = shade
    for _, column, value, _ in text:
        put_text(sheet, 1, column, value).alignment = wrap
    for _, column, value, _ in numbers:
        put_number(sheet, 2, column, value, "0.00")
    for _, column, value, formula in formulas:
        put_formula(sheet, 3, column, formula, "" if math.isnan(value) else value, "0.0%")


def test_a_row_written_straight_is_the_same_file_as_cells_written_through_openpyxl(tmp_path):
    """Text (with alignment and the quote prefix), numbers, blanks, formulas with results, and
    cells shaded."""
    books = []
    for straight in (False, True):
        book = Workbook()
        write_cells(book.active, straight)
        path = tmp_path / f"{straight}.xlsx"
        save_workbook(book, path)
        books.append(path)
    assert parts(books[0]) == parts(books[1])
    sheet = openpyxl.load_workbook(books[1])["Sheet"]
    assert sheet["B1"].value == '=HYPERLINK("x")'
    assert sheet["B1"].data_type == "s"
    assert sheet["B1"].quotePrefix
    assert sheet["A1"].alignment.wrap_text
    assert sheet["C3"].value == "=SUM(A2:C2)"
    assert sheet["B2"].value is None
    assert sheet["C4"].fill.fgColor.rgb == "FFF8CBAD"


@pytest.mark.parametrize(
    "rows",
    [[(1, 1, [1.0, 2.0, 3.0]), (1, 2, [4.0])], [(1, 2, [1.0]), (1, 2, [2.0])]],
    ids=["overlapping", "at the same place"],
)
def test_a_place_written_twice_is_refused(tmp_path, rows):
    """By an openpyxl cell and a recorded row, or by two recorded rows."""
    book = Workbook()
    put_number(book.active, 1, 9, 1.0)
    put_row(book.active, 1, 8, [1.0, 2.0])
    with pytest.raises(ValueError, match="row 1 column 9: written twice"):
        save_workbook(book, tmp_path / "x.xlsx")
    book = Workbook()
    for row, column, values in rows:
        put_row(book.active, row, column, values)
    with pytest.raises(ValueError, match="row 1 column 2: written twice"):
        save_workbook(book, tmp_path / "y.xlsx")


def test_a_row_takes_any_number_and_none_as_put_number_does(tmp_path):
    """numpy's numbers, ints and bools are numbers; None is a blank (with its format)."""
    values = [np.float32(0.5), np.int64(3), 2, True, None]
    books = []
    for straight in (False, True):
        book = Workbook()
        if straight:
            put_row(book.active, 1, 1, values, "0.00")
        else:
            for column, value in enumerate(values, start=1):
                put_number(book.active, 1, column, None if value is None else float(value), "0.00")
        books.append(tmp_path / f"{straight}.xlsx")
        save_workbook(book, books[-1])
    assert parts(books[0]) == parts(books[1])
    row = next(openpyxl.load_workbook(books[1]).active.iter_rows(values_only=True))
    assert row == (0.5, 3, 2, 1, None)


def test_every_formula_is_prepared_as_xlsxwriter_prepares_it(tmp_path):
    """Every formula of a whole export, and formulas that do need XlsxWriter's prefixes."""
    out = tmp_path / "hce.xlsx"
    (ranking,) = [rank(s) for s in load_inputs([URGENT_CARE], Settings())]
    result = analyse(ranking, sampling=SmaaOptions(samples=200, seed=1))
    wb.write_hce_workbook([ranking], out, sensitivities=[result])
    formulas = list(formula_cells(out).values())
    formulas += [
        "=FILTER(A1:A3,B1:B3>0)",
        "=SINGLE(A1:A3)",
        "=_xlfn.XLOOKUP(1,A:A,B:B)",
        "{=SUM(A1:A3*B1:B3)}",
        "=STDEV.S(A1:A3)+XLOOKUP(1,A:A,B:B)",
        "=SUM(A1:A3)",
    ]
    assert len(formulas) > 500
    ours, stock = _OutputSheet(), StockSheet()
    for formula in formulas:
        assert ours._prepare_formula(formula) == stock._prepare_formula(formula), formula
    assert ours._prepare_formula("=XLOOKUP(1,A:A,B:B)") == "_xlfn.XLOOKUP(1,A:A,B:B)"


def panel_means(path: Path) -> dict[str, list[float]]:
    """Each option's mean score per sub-criterion over the scorers who gave one, from YAML."""
    data = yaml.safe_load(path.read_text())
    leaves = list(data["options"][0]["scorers"]["ed-consultant"])
    means = {}
    for option in data["options"]:
        given = [[s.get(leaf, np.nan) for leaf in leaves] for s in option["scorers"].values()]
        means[option["id"]] = list(np.nanmean(np.array(given, dtype=float), axis=0))
    return means


@pytest.fixture
def compact_book(tmp_path, monkeypatch) -> Path:
    """The bundled panel exported as if too large to lay out scorer by scorer."""
    monkeypatch.setattr("appraise.present.workbook.context.MAX_EXPORT_CELLS", 100)
    (ranking,) = [rank(s) for s in load_inputs([URGENT_CARE], Settings())]
    result = analyse(ranking, sampling=SmaaOptions(samples=300, seed=2))
    return wb.write_hce_workbook([ranking], tmp_path / "hce.xlsx", sensitivities=[result])


def test_a_large_panel_is_shown_as_its_scores_used_and_says_so(compact_book):
    book = openpyxl.load_workbook(compact_book)
    scores = book["Scores"]
    note = scores["A2"].value
    # 5 options x (4 scorers + 5 rows) x (12 leaves + 5 columns) = 765 cells
    assert (
        "A panel of 4 scorers x 5 options x 12 criteria is too large to lay out scorer by "
        "scorer here (765 cells): each row is the score used (AVERAGE of the scorers' "
        "scores), as a value; each scorer's scores are in options/urgent-care.yaml" in note
    )
    rows = list(scores.iter_rows(min_row=wb.HEADER_ROW + 1, values_only=True))
    assert [r[0] for r in rows] == ["used (mean)"] * 5
    first, leaves = wb.SCORES_FIRST_LEAF_COL - 1, 12
    means = panel_means(URGENT_CARE)
    for row in rows:
        assert row[first : first + leaves] == pytest.approx(means[row[1]], abs=1e-12)
    assert not any(c.data_type == "f" for r in scores.iter_rows() for c in r)


def test_a_large_panels_totals_are_ranks_and_follow_edits(compact_book, recalculated):
    """Every formula's saved result is LibreOffice's; the totals are rank's."""
    formulas = formula_cells(compact_book)
    saved = saved_values(compact_book)
    assert_same_results(saved, saved_values(recalculated(compact_book)), formulas)
    (record,) = rank_json([URGENT_CARE])
    totals = {o["id"]: o["total"] for o in record["options"]}
    sheet = openpyxl.load_workbook(compact_book, data_only=True)["Totals"]
    header = [c.value for c in sheet[wb.HEADER_ROW]]
    found = {
        r[0]: r[header.index("Total")]
        for r in sheet.iter_rows(min_row=wb.TOTALS_FIRST_ROW, values_only=True)
        if r[0] in totals
    }
    assert found == pytest.approx(totals, abs=1e-12)


def test_rank_acceptability_past_its_columns_puts_the_lower_ranks_together(tmp_path, monkeypatch):
    """Two rank columns of four ranks: 'Rank 3 to 4' is the sum of ranks 3 and 4."""
    monkeypatch.setattr("appraise.present.workbook.charts.RANK_COLUMNS", 2)
    (ranking,) = [rank(s) for s in load_inputs([URGENT_CARE], Settings())]
    result = analyse(ranking, sampling=SmaaOptions(samples=400, seed=5))
    out = wb.write_hce_workbook([ranking], tmp_path / "hce.xlsx", sensitivities=[result])
    sheet = openpyxl.load_workbook(out)["Sensitivity"]
    (header,) = [
        [c.value for c in row]
        for row in sheet.iter_rows()
        if row[0].value == "Option" and row[1].value == "P(first)"
    ]
    assert header[3:7] == ["Rank 1", "Rank 2", "Rank 3 to 4", "Confidence"]
    start = next(r for r in sheet.iter_rows() if r[1].value == "P(first)")[0].row + 1
    shares = result.smaa.rank_acceptability
    for k in range(len(ranking.options)):
        row = [c.value for c in sheet[start + k]]
        assert row[3:5] == pytest.approx(list(shares[k, :2]), abs=1e-15)
        assert row[5] == pytest.approx(shares[k, 2] + shares[k, 3], abs=1e-15)
        assert row[3] + row[4] + row[5] == pytest.approx(1.0, abs=1e-12)
    with zipfile.ZipFile(out) as book:
        charts = [book.read(n) for n in book.namelist() if n.startswith("xl/charts/chart")]
    (acceptability,) = [c for c in charts if b"Rank acceptability" in c]
    assert acceptability.count(b"<c:ser>") == 3


def test_a_chart_draws_the_first_options_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr("appraise.present.workbook.charts.CHART_OPTIONS", 2)
    (ranking,) = [rank(s) for s in load_inputs([URGENT_CARE], Settings())]
    result = analyse(ranking, sampling=SmaaOptions(samples=200, seed=5))
    out = wb.write_hce_workbook([ranking], tmp_path / "hce.xlsx", sensitivities=[result])
    with zipfile.ZipFile(out) as book:
        charts = [book.read(n).decode() for n in book.namelist() if "charts/chart" in n]
    (contributions,) = [c for c in charts if "Contribution per criterion" in c]
    assert "(the first 2 of 4 by rank)" in contributions
    first = wb.TOTALS_FIRST_ROW
    assert f"'Totals'!$B${first}:$B${first + 1}" in contributions
    sheet = openpyxl.load_workbook(out)["Sensitivity"]
    texts = [c.value for r in sheet.iter_rows() for c in r if isinstance(c.value, str)]
    assert (
        "The grid of totals and its chart draw the first 2 options by rank; the table of each "
        "option's totals at 0% and 100% lists all 4." in texts
    )
    (grid,) = [r for r in sheet.iter_rows() if r[0].value == "Weight"]
    names = [o.name for o in ranking.options]
    assert [c.value for c in grid[1:4]] == [*names[:2], None]
    weight_chart = next(c for c in charts if "<c:scatterChart>" in c)
    assert len(re.findall("<c:ser>", weight_chart)) == 3  # two options and today's line


def test_writing_reports_its_progress_in_cells_to_the_estimate(tmp_path):
    """A step per sheet laid out, per sheet saved, and the file packed (as long as saving
    every sheet), ending at the estimate."""
    (ranking,) = [rank(s) for s in load_inputs([URGENT_CARE], Settings())]
    result = analyse(ranking, sampling=SmaaOptions(samples=200, seed=5))
    seen: list[int] = []
    out = wb.write_hce_workbook(
        [ranking], tmp_path / "hce.xlsx", sensitivities=[result], progress=seen.append
    )
    sheets = openpyxl.load_workbook(out).sheetnames
    estimate = wb.estimated_cells([ranking], with_sensitivity=True)
    assert len(seen) == 2 * len(sheets) + 1
    n = len(sheets)
    assert seen[2 * n - 1] == estimate * 2 * n // (3 * n)  # two thirds when the file is packed
    assert seen == sorted(seen)
    assert seen[-1] == estimate
    assert seen[0] > 0


def test_a_large_panels_note_says_which_scores_are_left_out_or_substituted(tmp_path, monkeypatch):
    """Under median, conflicted scorers left out and the status quo for gaps: the note says
    so, and the totals are rank's under the same options."""
    monkeypatch.setattr("appraise.present.workbook.context.MAX_EXPORT_CELLS", 100)
    settings = Settings(aggregate="median", exclude_conflicted=True, missing="baseline")
    (ranking,) = [rank(s, settings) for s in load_inputs([URGENT_CARE], settings)]
    out = wb.write_hce_workbook([ranking], tmp_path / "hce.xlsx")
    note = openpyxl.load_workbook(out)["Scores"]["A2"].value
    assert "(MEDIAN of the scorers' scores), as a value" in note
    assert "Scores of a scorer with a declared interest are left out of that option's." in note
    assert "A cell nobody scored holds the status quo's score used (--missing baseline)." in note
    flags = ("--aggregate", "median", "--exclude-conflicted", "--missing", "baseline")
    (record,) = rank_json([URGENT_CARE], *flags)
    sheet = openpyxl.load_workbook(out, data_only=True)["Totals"]
    header = [c.value for c in sheet[wb.HEADER_ROW]]
    found = {
        r[0]: r[header.index("Total")]
        for r in sheet.iter_rows(min_row=wb.TOTALS_FIRST_ROW, values_only=True)
        if r[0] in {o["id"] for o in record["options"]}
    }
    assert found == pytest.approx({o["id"]: o["total"] for o in record["options"]}, abs=1e-12)


def test_a_large_panels_gaps_under_baseline_are_formulas_and_interests_are_shown(
    tmp_path, monkeypatch, recalculated
):
    """Nobody scored rural-hubs on access: under --missing baseline the cell reads the status
    quo's score used, as the layout scorer by scorer does; gp-lead's interest is on its row."""
    monkeypatch.setattr("appraise.present.workbook.context.MAX_EXPORT_CELLS", 100)
    data = yaml.safe_load(URGENT_CARE.read_text())
    data["criteria"] = str((URGENT_CARE.parent / data["criteria"]).resolve())
    (hubs,) = [o for o in data["options"] if o["id"] == "rural-hubs"]
    for scores in hubs["scorers"].values():
        del scores["access"]
    path = tmp_path / "gaps.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    settings = Settings(missing="baseline")
    (ranking,) = [rank(s, settings) for s in load_inputs([path], settings)]
    out = wb.write_hce_workbook([ranking], tmp_path / "hce.xlsx")
    sheet = openpyxl.load_workbook(out)["Scores"]
    rows = {r[1].value: r[0].row for r in sheet.iter_rows(min_row=wb.HEADER_ROW + 1)}
    header = [c.value for c in sheet[wb.HEADER_ROW]]
    access = header.index("access") + 1
    letter = openpyxl.utils.get_column_letter(access)
    assert sheet.cell(rows["rural-hubs"], access).value == f"={letter}{rows['status-quo']}"
    formulas = [c.value for r in sheet.iter_rows() for c in r if c.data_type == "f"]
    assert formulas == [f"={letter}{rows['status-quo']}"]  # nothing else is substituted
    saved = openpyxl.load_workbook(out, data_only=True)["Scores"]
    status_quo = panel_means(URGENT_CARE)["status-quo"][access - wb.SCORES_FIRST_LEAF_COL]
    assert saved.cell(rows["rural-hubs"], access).value == pytest.approx(status_quo, abs=1e-12)
    interest = sheet.cell(rows["rural-hubs"], header.index("Declared interest") + 1).value
    assert interest == "gp-lead: Partner in a Wisbech practice that would host a hub."
    assert_same_results(saved_values(out), saved_values(recalculated(out)), formula_cells(out))


def test_the_rounds_sheet_lists_its_first_score_changes_and_says_how_many(tmp_path, monkeypatch):
    """Two scorers' scores changed (three changes with the score used), one listed: the
    heading's note says so and where the rest are."""
    monkeypatch.setattr("appraise.present.workbook.extra.ROUND_ROWS", 1)
    data = yaml.safe_load(URGENT_CARE.read_text())
    data["criteria"] = str((URGENT_CARE.parent / data["criteria"]).resolve())
    data["round"] = "second"
    (hubs,) = [o for o in data["options"] if o["id"] == "rural-hubs"]
    for scorer in ("gp-lead", "patient-rep"):
        hubs["scorers"][scorer]["access"] = 1
    later = tmp_path / "second.yaml"
    later.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "hce.xlsx"
    result = CliRunner().invoke(
        app, ["export", str(later), "--previous", str(URGENT_CARE), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    diff = CliRunner().invoke(app, ["diff", str(URGENT_CARE), str(later), "-f", "json"])
    changes = json.loads(diff.stdout)["scores"]
    assert len(changes) == 3
    sheet = openpyxl.load_workbook(out)["Rounds"]
    texts = [r[0] for r in sheet.iter_rows(values_only=True)]
    heading = texts.index("Score changes")
    assert texts[heading + 1] == (
        "The first 1 of 3: appraise diff with --format json lists every one."
    )
    first = [
        c for c in next(sheet.iter_rows(min_row=heading + 4, max_row=heading + 4, values_only=True))
    ]
    assert first[:5] == [
        changes[0]["option"],
        changes[0]["criterion"],
        changes[0]["scorer"] or "panel",
        changes[0]["old"],
        changes[0]["new"],
    ]
    assert len(texts) == heading + 4  # the heading, its note, the header, one change


def test_text_xml_cannot_hold_is_replaced_in_cells_and_formula_results(tmp_path):
    """U+FFFE and U+FFFF (validation refuses them in names; a library caller may not)."""
    book = Workbook()
    put_text(book.active, 1, 1, "a\uffffb")
    put_formula(book.active, 1, 2, "=A1", "a\ufffeb")
    put_row(book.active, 2, 1, ["c\uffffd"])
    save_workbook(book, tmp_path / "x.xlsx")
    values = openpyxl.load_workbook(tmp_path / "x.xlsx", data_only=True).active
    assert [c.value for c in values[1]] == ["a\ufffdb", "a\ufffdb"]
    assert values["A2"].value == "c\ufffdd"
