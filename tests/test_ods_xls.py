""".ods and .xls scoring workbooks: read for their values into the same model, same messages.

The files are the template ``appraise template`` writes, converted by LibreOffice (the
program councils save .ods with), so the .ods and .xls are real ones, not hand-made.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from appraise.cli import app
from appraise.io.xlsx_template import make_template
from tests.libreoffice import find_soffice

ROOT = Path(__file__).resolve().parents[1]
URGENT_CARE = ROOT / "options" / "urgent-care.yaml"


def convert(soffice: str, profile: Path, path: Path, to: str) -> Path:
    """``path`` converted by LibreOffice to ``to`` (ods or xls), beside a copy of it."""
    outdir = path.parent / to
    outdir.mkdir(exist_ok=True)
    command = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        to,
        "--outdir",
        str(outdir),
        str(path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    converted = outdir / f"{path.stem}.{to}"
    assert converted.is_file(), f"LibreOffice did not convert {path}:\n{result}"
    return converted


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """The bundled panel as a template (.xlsx), and LibreOffice's .ods and .xls of it; and the
    same with one score typed as 'high'."""
    soffice = find_soffice()
    folder = tmp_path_factory.mktemp("books")
    profile = tmp_path_factory.mktemp("profile")
    xlsx = make_template(
        str(ROOT / "criteria" / "cp-2016.yaml"), folder / "panel.xlsx", scores=str(URGENT_CARE)
    )
    found = {"xlsx": xlsx}
    book = openpyxl.load_workbook(xlsx)
    book["Scores"]["E4"].value = "high"
    bad = folder / "bad.xlsx"
    book.save(bad)
    found["bad-xlsx"] = bad
    for to in ("ods", "xls"):
        found[to] = convert(soffice, profile, xlsx, to)
        found[f"bad-{to}"] = convert(soffice, profile, bad, to)
    return found


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_rank_of_the_ods_and_xls_is_the_xlsx_rank(books, kind):
    code, out, err = run("rank", books["xlsx"], "--format", "json")
    assert code == 0, err
    expected = json.loads(out)
    code, out, err = run("rank", books[kind], "--format", "json")
    assert code == 0, err
    found = json.loads(out)
    assert [o["id"] for o in found["options"]] == [o["id"] for o in expected["options"]]
    for mine, theirs in zip(found["options"], expected["options"], strict=True):
        assert mine["total"] == pytest.approx(theirs["total"], abs=1e-12)
        assert mine["rank"] == theirs["rank"]
    assert found["scorers"] == expected["scorers"]
    # And the YAML it was made from: the whole round trip keeps every figure.
    code, out, _ = run("rank", URGENT_CARE, "--format", "json")
    yaml_totals = {o["id"]: o["total"] for o in json.loads(out)["options"]}
    assert {o["id"]: o["total"] for o in found["options"]} == pytest.approx(yaml_totals, abs=1e-12)


@pytest.mark.parametrize("kind", ["ods", "xls"])
def test_a_bad_cell_is_named_as_in_the_xlsx(books, kind):
    message = "sheet 'Scores', cell E4: expected a number, found 'high'"
    for path in (books["bad-xlsx"], books[f"bad-{kind}"]):
        code, _, err = run("rank", path)
        assert code == 1
        assert err.strip() == f"error: {path}: {message}"
        code, out, _ = run("check", path)
        assert code == 1
        assert "sheet 'Scores', cell E4" in out
        assert "expected a number, found 'high'" in out


def test_an_ods_is_held_to_the_workbook_limits(tmp_path):
    """A content.xml that unpacks to a gigabyte is refused before any XML is parsed."""
    bomb = tmp_path / "bomb.ods"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED
        )
        archive.writestr("content.xml", b" " * 200_000_000)
    code, _, err = run("rank", bomb)
    assert code == 1
    assert err.startswith(f"error: {bomb}: ")
    assert "Traceback" not in err
    assert "limit" in err


def test_a_damaged_ods_or_xls_is_one_line(books, tmp_path):
    for kind in ("ods", "xls"):
        data = books[kind].read_bytes()
        damaged = tmp_path / f"damaged.{kind}"
        damaged.write_bytes(data[: len(data) // 2])
        code, _, err = run("rank", damaged)
        assert code == 1, kind
        assert "Traceback" not in err
        assert err.startswith(f"error: {damaged}: "), err


def test_a_text_document_named_ods_is_named_for_what_it_is(tmp_path):
    odt = tmp_path / "scores.ods"
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED)
        archive.writestr("content.xml", b"<office:document-content/>")
    code, _, err = run("rank", odt)
    assert code == 1
    assert "is an OpenDocument text document (.odt)" in err
