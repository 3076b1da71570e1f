"""Every formula in a written workbook carries its result, and the results are the right ones.

A viewer that does not recalculate (a mail preview, a phone, ``pandas.read_excel``, openpyxl
with ``data_only=True``) reads the result saved beside each formula; LibreOffice, set to
recalculate on every load, gives its own arithmetic. The two must agree on every formula cell
of every sheet, and a scorer's score corrected in the workbook must move the totals exactly as
``appraise rank`` moves them for the corrected file.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from appraise.analysis.scoring import rank
from appraise.analysis.sensitivity import SmaaOptions, analyse
from appraise.cli import app
from appraise.io import load_inputs
from appraise.io.elicitation import make_elicitation_workbook
from appraise.model import Settings
from appraise.present import workbook as wb
from tests.test_export import ROOT, URGENT_CARE, live_results, rank_json

ELICITATION = ROOT / "examples" / "elicitation-cp-2016.yaml"


def formula_cells(path: Path) -> dict[tuple[str, str], str]:
    """(sheet, cell) -> formula, for every formula cell of every sheet."""
    book = openpyxl.load_workbook(path)
    return {
        (ws.title, c.coordinate): str(c.value)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    }


def saved_values(path: Path) -> dict[tuple[str, str], object]:
    """(sheet, cell) -> the value a non-recalculating reader sees."""
    book = openpyxl.load_workbook(path, data_only=True)
    return {
        (ws.title, c.coordinate): c.value
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
    }


def assert_same_results(saved: dict, recalculated: dict, formulas: dict) -> None:
    """Every formula's saved result equals LibreOffice's recalculated one (numbers to 1e-9)."""
    assert formulas, "no formulas to compare"
    for key, formula in formulas.items():
        mine, theirs = saved[key], recalculated[key]
        if isinstance(theirs, (int, float)) and not isinstance(theirs, bool):
            assert isinstance(mine, (int, float)), (key, formula, mine, theirs)
            assert math.isclose(mine, theirs, rel_tol=0, abs_tol=1e-9), (key, mine, theirs)
        else:  # text, or an empty result ("" is read back as no value)
            assert (mine or None) == (theirs or None), (key, formula, mine, theirs)


@pytest.fixture(scope="module")
def panel_books(tmp_path_factory) -> list[Path]:
    """The bundled panel exported with a Sensitivity sheet: under the defaults, and under
    median, conflicted scores left out and the status quo's score for gaps."""
    out = tmp_path_factory.mktemp("books")
    books = []
    for k, settings in enumerate(
        (Settings(), Settings(aggregate="median", exclude_conflicted=True, missing="baseline"))
    ):
        (ranking,) = [rank(s, settings) for s in load_inputs([URGENT_CARE], settings)]
        result = analyse(ranking, sampling=SmaaOptions(samples=500, seed=3))
        books.append(
            wb.write_hce_workbook([ranking], out / f"hce-{k}.xlsx", sensitivities=[result])
        )
    return books


@pytest.mark.parametrize("which", [0, 1])
def test_every_formula_is_saved_with_the_result_libreoffice_computes(
    panel_books, recalculated, which
):
    book = panel_books[which]
    formulas = formula_cells(book)
    saved = saved_values(book)
    assert all(saved[key] is not None or "IF(" in formulas[key] for key in formulas)
    sheets = {sheet for sheet, _ in formulas}
    assert {"Summary", "Criteria", "Scores", "Totals", "Sensitivity"} <= sheets
    assert_same_results(saved, saved_values(recalculated(book)), formulas)


def test_the_median_and_left_out_scorers_are_in_the_formulas(panel_books):
    """gp-lead declared interests in rural-hubs and hubs-and-miiu: left out of their cells."""
    book = openpyxl.load_workbook(panel_books[1])["Scores"]
    rows = {(r[0].value, r[1].value): r[0].row for r in book.iter_rows(min_row=wb.HEADER_ROW + 1)}
    used = book.cell(rows["used (median)", "rural-hubs"], wb.SCORES_FIRST_LEAF_COL).value
    gp = rows["gp-lead", "rural-hubs"]
    counted = [int(r) for r in re.findall(r"D(\d+)", used.split("MEDIAN(")[1])]
    scorers = [rows[s, "rural-hubs"] for s in ("ed-consultant", "patient-rep", "finance-lead")]
    # Nobody scored the cell: the status quo's score used (--missing baseline).
    fallback = f"D{rows['used (median)', 'status-quo']}"
    cells = counted_text(scorers)
    assert used == f"=IF(COUNT({cells})=0,{fallback},MEDIAN({cells}))"
    assert gp not in counted
    status_quo = book.cell(rows["used (median)", "status-quo"], wb.SCORES_FIRST_LEAF_COL).value
    first, last = rows["ed-consultant", "status-quo"], rows["finance-lead", "status-quo"]
    assert status_quo == f'=IF(COUNT(D{first}:D{last})=0,"",MEDIAN(D{first}:D{last}))'


def counted_text(rows: list[int]) -> str:
    """Cells of column D as the formulas list them: a range when adjacent, else one by one."""
    if rows == list(range(rows[0], rows[-1] + 1)):
        return f"D{rows[0]}:D{rows[-1]}"
    return ",".join(f"D{r}" for r in rows)


def test_pandas_reads_the_totals_rank_gives(panel_books):
    totals = pd.read_excel(panel_books[0], sheet_name="Totals", header=wb.HEADER_ROW - 1)
    ranked = totals[totals["Rank"].apply(lambda r: isinstance(r, (int, float)))].dropna(
        subset=["Total"]
    )
    (record,) = rank_json([URGENT_CARE])
    expected = {o["id"]: (o["total"], o["rank"]) for o in record["options"]}
    found = {
        row["Option id"]: (row["Total"], row["Rank"])
        for _, row in ranked.iterrows()
        if row["Option id"] in expected
    }
    assert found.keys() == expected.keys()
    for option, (total, place) in expected.items():
        assert found[option][0] == pytest.approx(total, abs=1e-12)
        assert found[option][1] == place


def test_a_corrected_score_moves_the_totals_as_rank_does(panel_books, recalculated, tmp_path):
    """finance-lead's income_expenditure score for the status quo goes from 1 to 5."""
    book = openpyxl.load_workbook(panel_books[0])
    scores = book["Scores"]
    header = [c.value for c in scores[wb.HEADER_ROW]]
    column = header.index("income_expenditure") + 1
    row = next(
        r[0].row
        for r in scores.iter_rows(min_row=wb.HEADER_ROW + 1)
        if (r[0].value, r[1].value) == ("finance-lead", "status-quo")
    )
    assert scores.cell(row, column).value == 1
    scores.cell(row, column).value = 5
    edited = tmp_path / "edited.xlsx"
    book.save(edited)
    text = URGENT_CARE.read_text(encoding="utf-8")
    old = (
        "      finance-lead: {best_practice: 2, safety: 3, experience: 3, inequalities: 3, "
        "access: 4,\n                     income_expenditure: 1,"
    )
    assert text.count(old) == 1  # the status quo's row
    corrected = tmp_path / "urgent-care.yaml"
    corrected.write_text(
        text.replace(old, old.replace("income_expenditure: 1", "income_expenditure: 5")).replace(
            "criteria: ../criteria/cp-2016.yaml", f"criteria: {ROOT / 'criteria' / 'cp-2016.yaml'}"
        ),
        encoding="utf-8",
    )
    (record,) = rank_json([corrected])
    values = openpyxl.load_workbook(recalculated(edited), data_only=True)
    live = live_results(values, "Totals")
    for option in record["options"]:
        total, place = live[option["id"]]
        assert total == pytest.approx(option["total"], abs=1e-9)
        assert place == option["rank"]
    before = {o["id"]: o["total"] for o in rank_json([URGENT_CARE])[0]["options"]}
    # The mean of four scores rises by 4/4; income and expenditure weighs 34.9% x 50% in the
    # published table (Affordability 34.9, its two sub-criteria equal).
    assert live["status-quo"][0] - before["status-quo"] == pytest.approx(0.349 * 0.5, abs=1e-9)


def test_the_elicitation_workbook_saves_its_reciprocals(tmp_path, recalculated):
    out = make_elicitation_workbook(tmp_path / "weighting.xlsx", elicitation=str(ELICITATION))
    formulas = formula_cells(out)
    assert formulas
    assert all("1/" in f for f in formulas.values())
    assert_same_results(saved_values(out), saved_values(recalculated(out)), formulas)


def test_an_exported_workbook_opens_in_pandas_without_recalculating(tmp_path):
    out = tmp_path / "hce.xlsx"
    result = CliRunner().invoke(app, ["export", str(URGENT_CARE), "-o", str(out)])
    assert result.exit_code == 0, result.output
    summary = pd.read_excel(out, sheet_name="Summary", header=None)
    assert not summary.isna().all(axis=None)
    criteria = pd.read_excel(out, sheet_name="Criteria", header=wb.HEADER_ROW - 1)
    global_weights = criteria.dropna(subset=["Global weight"])
    leaves = global_weights[global_weights["Level"] == "sub-criterion"]
    assert leaves["Global weight"].sum() == pytest.approx(1.0, abs=1e-12)
