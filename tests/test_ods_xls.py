"""Scoring workbooks as LibreOffice's .ods and legacy .xls (issue 18, part 4).

The files are LibreOffice's own: a filled template (.xlsx, made by `appraise template`) saved
as .ods and as .xls ("MS Excel 97") by `soffice --headless --convert-to`, once per session.
Each must give what the .xlsx gives, and the .xlsx what the hand-worked YAML gives; hostile
copies must be refused in one line, naming the file, with exit code 1.
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from appraise.cli import app

from .conftest import TWO_CRITERIA
from .libreoffice import find_soffice
from .test_excel import fill_demo

ROOT = Path(__file__).resolve().parent.parent
URGENT_CARE = ROOT / "options" / "urgent-care.yaml"
CP_2016 = ROOT / "criteria" / "cp-2016.yaml"
SECONDS = 10.0  # every refusal here takes well under a second
ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
runner = CliRunner()


def invoke(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def convert(sources: list[Path], target: str, outdir: Path, profile: Path) -> None:
    """LibreOffice saves each source as ``target`` (a --convert-to filter) in ``outdir``."""
    command = [
        find_soffice(),
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        *map(str, sources),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    for source in sources:
        suffix = "." + target.split(":", maxsplit=1)[0]
        assert (outdir / source.with_suffix(suffix).name).is_file(), f"not converted:\n{result}"


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Workbooks by name (``uc.xlsx``, ``uc.ods``, ``uc.xls``, ...), converted once.

    ``uc``: the bundled urgent-care scores (four scorers, measured and nested criteria) as a
    template pre-filled by `appraise template --scores`. ``demo``: the two-criteria template
    filled as conftest's demo group (x 5/1, y 2/5, z 3/3). ``bad``: the demo with a 7 on a
    1..5 scale at Scores!C3. ``hidden``: the demo with its Options sheet hidden. ``rows``: the
    demo with row 4 (y's scores) and column D (criterion b) of the Scores sheet hidden.
    ``merged``: the demo with Scores!C3:C4 merged (y's score for a left blank). ``sparse``:
    eight sheets, each with a value in A1 and IV65536 (a 9 KB .xls that took calamine 10 s and
    4.7 GB).
    """
    folder = tmp_path_factory.mktemp("ods-xls")
    (folder / "two.yaml").write_text(TWO_CRITERIA, encoding="utf-8")
    result = invoke("template", CP_2016, "--scores", URGENT_CARE, "-o", folder / "uc.xlsx")
    assert result.exit_code == 0, result.output
    for name in ("demo", "bad", "hidden", "rows", "merged"):
        result = invoke("template", folder / "two.yaml", "-o", folder / f"{name}.xlsx")
        assert result.exit_code == 0, result.output
        fill_demo(folder / f"{name}.xlsx")
    edit(folder / "bad.xlsx", lambda wb: wb["Scores"].__setitem__("C3", 7))
    edit(folder / "hidden.xlsx", lambda wb: setattr(wb["Options"], "sheet_state", "hidden"))
    edit(folder / "rows.xlsx", hide_row_and_column)
    edit(folder / "merged.xlsx", lambda wb: wb["Scores"].merge_cells("C3:C4"))
    sparse = openpyxl.Workbook()
    for i in range(8):
        sheet = sparse.active if i == 0 else sparse.create_sheet(f"S{i}")
        sheet["A1"], sheet["IV65536"] = 1, 2
    sparse.save(folder / "sparse.xlsx")
    sources = [folder / f"{n}.xlsx" for n in ("uc", "demo", "bad", "hidden", "rows", "merged")]
    profile = tmp_path_factory.mktemp("libreoffice-profile")
    convert(sources, "ods", folder, profile)
    convert([*sources, folder / "sparse.xlsx"], "xls:MS Excel 97", folder, profile)
    return {p.name: p for p in folder.iterdir() if p.suffix in (".xlsx", ".ods", ".xls")}


def hide_row_and_column(wb) -> None:
    scores = wb["Scores"]
    scores.row_dimensions[4].hidden = True
    columns = scores.column_dimensions
    for dimension in list(columns.values()):  # XlsxWriter saves equal widths as one range (C:D)
        if dimension.min and dimension.min < 4 <= dimension.max:
            columns["D"].width, dimension.max = dimension.width, 3
    columns["D"].hidden = True


def edit(path: Path, change) -> None:
    wb = openpyxl.load_workbook(path)
    change(wb)
    wb.save(path)


def ranked(path: Path) -> dict:
    """`rank --format json`, less what names the file itself (its path, and notes naming it)."""
    result = invoke("rank", path, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    data.pop("file")
    data["notes"] = [note.replace(str(path), "FILE") for note in data["notes"]]
    return data


def problems(path: Path) -> list[tuple[str, str, str]]:
    """`check --format json`'s problems: (severity, where, message)."""
    result = invoke("check", path, "--format", "json")
    found = json.loads(result.stdout)["problems"]
    return [(p["severity"], p["where"], p["message"]) for p in found]


def refused(path: Path) -> str:
    """`rank` and `check` refuse ``path`` in one line naming it (exit 1, no traceback)."""
    for command in ("check", "rank"):  # rank's stderr is read below
        start = time.monotonic()
        result = invoke(command, path)
        assert time.monotonic() - start < SECONDS
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.stdout + result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(f"error: {path}: "), errors[0]
    return errors[0].removeprefix(f"error: {path}: ")


# --- the same model, the same messages ---------------------------------------------------------


@pytest.mark.parametrize("suffix", [".ods", ".xls"])
def test_rank_of_libreoffices_copy_equals_the_xlsx(books, suffix):
    """Every weight, total, contribution and rank of the urgent-care panel, to 1e-12."""
    expected, found = ranked(books["uc.xlsx"]), ranked(books[f"uc{suffix}"])
    assert [o["id"] for o in found["options"]] == [o["id"] for o in expected["options"]]
    assert [o["rank"] for o in found["options"]] == [o["rank"] for o in expected["options"]]
    for mine, theirs in zip(found["options"], expected["options"], strict=True):
        assert mine["total"] == pytest.approx(theirs["total"], abs=1e-12)
        assert mine["contributions"] == pytest.approx(theirs["contributions"], abs=1e-12)
    assert found["weights"] == pytest.approx(expected["weights"], abs=1e-12)
    assert found == expected  # nothing else differs either (notes, spread, measures)


@pytest.mark.parametrize("name", ["demo.xlsx", "demo.ods", "demo.xls"])
def test_the_demo_ranks_as_worked_by_hand(books, name):
    """a 60, b 40: x = 0.6*5 + 0.4*1 = 3.4, y = 0.6*2 + 0.4*5 = 3.2, z = 3 (conftest)."""
    options = ranked(books[name])["options"]
    assert [o["id"] for o in options] == ["x", "y", "z"]
    assert [o["total"] for o in options] == pytest.approx([3.4, 3.2, 3.0], abs=1e-12)


@pytest.mark.parametrize("suffix", [".ods", ".xls"])
def test_a_bad_score_is_named_at_the_same_cell_in_the_same_words(books, suffix):
    expected = problems(books["bad.xlsx"])
    assert ("error", "sheet 'Scores', cell C3") in [(s, w) for s, w, _ in expected]
    assert problems(books[f"bad{suffix}"]) == expected


@pytest.mark.parametrize("suffix", [".ods", ".xls"])
def test_a_hidden_sheet_is_refused_as_in_the_xlsx(books, suffix):
    """What is ranked must be what reviewers can see: LibreOffice keeps the sheet hidden."""
    expected = problems(books["hidden.xlsx"])
    assert ("sheet 'Options'", "the sheet is hidden") in [(w, m[:19]) for _, w, m in expected]
    assert problems(books[f"hidden{suffix}"]) == expected


@pytest.mark.parametrize("suffix", [".ods", ".xls"])
def test_hidden_rows_and_columns_holding_data_are_refused_as_in_the_xlsx(books, suffix):
    """calamine does not say what is hidden: the guards read it, and the reader refuses it."""
    expected = problems(books["rows.xlsx"])
    assert {w for _, w, _ in expected} >= {"sheet 'Scores', row 4", "sheet 'Scores', column D"}
    assert problems(books[f"rows{suffix}"]) == expected


@pytest.mark.parametrize("suffix", [".ods", ".xls"])
def test_merged_cells_in_the_data_are_refused_as_in_the_xlsx(books, suffix):
    """A merged score reads as one score and a blank: refused, as calamine would not say."""
    expected = problems(books["merged.xlsx"])
    assert "sheet 'Scores', cells C3:C4" in {w for _, w, _ in expected}
    assert problems(books[f"merged{suffix}"]) == expected


@pytest.mark.parametrize(
    ("source", "named"),
    [("uc.ods", "uc-ods.xls"), ("uc.ods", "uc-ods.xlsx"), ("uc.xls", "uc-xls.ods")],
)
def test_the_reader_is_chosen_by_content_not_name(books, tmp_path, source, named):
    path = tmp_path / named
    path.write_bytes(books[source].read_bytes())
    assert ranked(path) == ranked(books[source])


def test_a_workbook_named_yaml_is_told_its_right_name(books, tmp_path):
    for source, proper in (("uc.ods", ".ods"), ("uc.xls", ".xls")):
        path = tmp_path / "scores.yaml"
        path.write_bytes(books[source].read_bytes())
        what = {".ods": "an OpenDocument spreadsheet (.ods)", ".xls": "a legacy Excel workbook"}
        assert refused(path).startswith(f"this file is {what[proper]}"), refused(path)
        assert refused(path).endswith(f", though named '.yaml': rename it to 'scores{proper}'")


def test_diff_reads_them_as_any_command_does(books):
    """The .ods and the .xls of one round: nothing changed between them."""
    result = invoke("diff", books["demo.ods"], books["demo.xls"], "--format", "json")
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)
    assert not changes["scores"], changes


# --- hostile copies: one line, exit 1 ----------------------------------------------------------


def repacked(ods: Path, out: Path, content: bytes | None = None, **parts: bytes) -> Path:
    """``ods`` with content.xml (and any named part) replaced, the mimetype first and stored."""
    with zipfile.ZipFile(ods) as source:
        names = {i.filename: source.read(i) for i in source.infolist()}
    if content is not None:
        names["content.xml"] = content
    names.update({k.replace("__", "/"): v for k, v in parts.items()})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", names.pop("mimetype"), compress_type=zipfile.ZIP_STORED)
        for name, data in names.items():
            archive.writestr(name, data)
    out.write_bytes(buffer.getvalue())
    return out


def table(rows: str) -> bytes:
    """content.xml holding one sheet, 'Scores', of the given rows."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        '<office:body><office:spreadsheet><table:table table:name="Scores">'
        f"{rows}</table:table></office:spreadsheet></office:body></office:document-content>"
    ).encode()


VALUE = (
    '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p>'
    "</table:table-cell>"
)
VALUES = VALUE.replace(
    "<table:table-cell", '<table:table-cell table:number-columns-repeated="1000"'
)
EMPTIES = '<table:table-cell table:number-columns-repeated="999999999"/>'


def test_a_zip_bomb_content_xml_is_refused_before_unpacking(books, tmp_path):
    """Spaces in content.xml, a few hundred kilobytes packed: refused on the zip's own sizes
    (the whole unpacked, or one part's ratio), as an .xlsx is, before anything is unpacked."""
    bomb = repacked(books["demo.ods"], tmp_path / "bomb.ods", b" " * 200_000_000)
    message = refused(bomb)
    assert message.startswith("workbook unpacks to 200,"), message
    assert message.endswith("bytes; the limit is 104,857,600"), message
    ratio = repacked(books["demo.ods"], tmp_path / "ratio.ods", b" " * 50_000_000)
    message = refused(ratio)
    assert message.startswith("part 'content.xml' unpacks 50,000,000 bytes from "), message
    assert message.endswith("; refusing a possible zip bomb"), message


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (  # 797 bytes that asked calamine for a billion cells
            f'<table:table-row table:number-rows-repeated="1000000">{VALUES}</table:table-row>',
            "sheet 'Scores': more than 20,000 rows (a value in row 1,000,000, repeated rows "
            "included); the limit is 20,000: delete the rows below the data and save",
        ),
        (  # one value a billion columns to the right of another
            f"<table:table-row>{VALUE}{EMPTIES}{VALUE}</table:table-row>",
            "sheet 'Scores': the workbook has more than 500,000 cells from A1 to the last value "
            "of each sheet (here row 1, column 1,000,000,001, repeated cells included); delete "
            "unused rows and columns and save",
        ),
        (  # a billion spaces in 40 bytes
            '<table:table-row><table:table-cell office:value-type="string"><text:p>a'
            '<text:s text:c="1000000000"/></text:p></table:table-cell></table:table-row>',
            "sheet 'Scores': more than 1,000,000 spaces written as repeats (text:s); a scoring "
            "workbook's text needs far fewer",
        ),
        (
            '<table:table-row table:number-rows-repeated="many"/>',
            "sheet 'Scores': a count of repeated rows is 'many', not a whole number; the "
            "spreadsheet is damaged: open it in LibreOffice and save it again",
        ),
    ],
    ids=["repeated rows", "repeated columns", "repeated spaces", "not a count"],
)
def test_repeats_are_counted_before_calamine_expands_them(books, tmp_path, rows, message):
    path = repacked(books["demo.ods"], tmp_path / "repeats.ods", table(rows))
    assert refused(path) == message


def test_trailing_empty_repeats_as_libreoffice_writes_them_are_not_counted(books):
    """LibreOffice ends each sheet with ~1,048,000 empty repeated rows of 16,384 empty cells."""
    with zipfile.ZipFile(books["demo.ods"]) as ods:
        content = ods.read("content.xml")
    assert b'table:number-rows-repeated="10485' in content
    assert b'table:number-columns-repeated="163' in content


def test_a_damaged_ods_is_one_line(books, tmp_path):
    data = bytearray(books["demo.ods"].read_bytes())
    at = data.index(b"content.xml") + 200  # inside content.xml's compressed bytes
    data[at : at + 100] = bytes(100)
    damaged = tmp_path / "damaged.ods"
    damaged.write_bytes(bytes(data))
    assert refused(damaged).startswith(
        "part 'content.xml': the workbook is damaged and cannot be unpacked ("
    )
    cut = tmp_path / "cut.ods"
    cut.write_bytes(books["demo.ods"].read_bytes()[:6000])
    assert refused(cut) == (
        "this file is a damaged or incomplete zip archive (a workbook that was not fully "
        "downloaded or copied?): unpack it, or download or copy it again, and give the file "
        "itself"
    )


def test_an_ods_without_its_content_is_named_for_what_it_is(books, tmp_path):
    with zipfile.ZipFile(books["demo.ods"]) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    del parts["content.xml"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    path = tmp_path / "empty.ods"
    path.write_bytes(buffer.getvalue())
    assert refused(path).startswith(
        "this file is an OpenDocument spreadsheet (.ods), but it could not be read ("
    )


def test_a_text_document_named_ods_is_named_a_text_document(books, tmp_path):
    text = b"application/vnd.oasis.opendocument.text"
    odt = repacked(books["demo.ods"], tmp_path / "letter.ods", mimetype=text)
    assert refused(odt) == (
        "this file is an OpenDocument text document (.odt), which holds nothing appraise can "
        "read: give the YAML file, or a workbook made by 'appraise template CRITERIA -o "
        "FILE.xlsx', that the figures came from"
    )


def test_a_truncated_xls_is_one_line(books, tmp_path):
    data = books["demo.xls"].read_bytes()
    for size in (len(data) // 2, len(data) - 512, 600):
        path = tmp_path / f"cut-{size}.xls"
        path.write_bytes(data[:size])
        message = refused(path)
        assert message.startswith("this file is a legacy "), message


def test_a_sparse_xls_is_refused_before_calamine_builds_it(books):
    """Eight sheets with values in A1 and IV65536: 9 KB, refused in well under a second."""
    assert books["sparse.xls"].stat().st_size < 20_000
    assert refused(books["sparse.xls"]) == (
        "sheet 'Sheet': more than 20,000 rows (a value in row 65,536); the limit is 20,000: "
        "delete the rows below the data and save"
    )


def test_an_xls_whose_sector_chain_loops_is_refused(books, tmp_path):
    """The directory's chain pointed back at itself: calamine would read it forever."""
    data = bytearray(books["demo.xls"].read_bytes())
    sector_size = 1 << struct.unpack_from("<H", data, 30)[0]
    directory = struct.unpack_from("<I", data, 48)[0]
    per_sector = sector_size // 4  # FAT entries in one sector; the header lists FAT sectors
    fat_sector = struct.unpack_from("<I", data, 76 + 4 * (directory // per_sector))[0]
    entry = (fat_sector + 1) * sector_size + 4 * (directory % per_sector)
    struct.pack_into("<I", data, entry, directory)
    path = tmp_path / "loop.xls"
    path.write_bytes(bytes(data))
    assert refused(path) == (
        "this file is a legacy Excel workbook (.xls), but it could not be read (a chain of "
        "sectors loops or points outside the file): download or copy it again, or open it in "
        "Excel or LibreOffice and save it as .xlsx (Excel Workbook)"
    )


def test_a_record_calamine_would_panic_on_is_refused_first(books, tmp_path):
    """A CodePage record retyped as a defined name (Lbl) two bytes long: calamine indexes its
    fourth byte unchecked, and Rust prints its panic on stderr before Python sees it. The guard
    refuses it first: stderr is our one line (a fresh Python, as a user runs it)."""
    data = bytearray(books["demo.xls"].read_bytes())
    at = data.index(b"\x42\x00\x02\x00")  # CodePage, 2 bytes of data
    data[at : at + 2] = b"\x18\x00"
    path = tmp_path / "name.xls"
    path.write_bytes(bytes(data))
    result = subprocess.run(
        [sys.executable, "-m", "appraise", "rank", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {path}: this file is a legacy Excel workbook (.xls), but it could not be read "
        "(a defined name runs past its record): download or copy it again, or open it in Excel "
        "or LibreOffice and save it as .xlsx (Excel Workbook)"
    ]
