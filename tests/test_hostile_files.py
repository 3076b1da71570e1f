"""Hostile pass three (issue 14's promises): workbook packages, the file system, messages.

Found by a tester who had not seen the corpus (tests/hostile/README.md, "Pass three"): each was a
traceback, a workbook limit passed by, or a message that broke the message promises.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest

from appraise.io.xlsx_guard import MAX_ELEMENTS, MAX_OTHER_ELEMENTS
from appraise.io.xlsx_template import make_template
from appraise.limits import MAX_WORKBOOK_CELLS

from .test_hostile import assert_clean, demo, invoke, refused, rewrite, sheet_part

LINE = 600  # no message is longer (place and text): quoted text is cut to 60 characters


def short_lines(text: str, path: Path) -> bool:
    """Every line of ``text`` at most ``LINE`` long, not counting the file's name."""
    return all(len(line.replace(str(path), "")) <= LINE for line in text.splitlines())


@pytest.fixture
def panel(tmp_path) -> Path:
    """The bundled urgent-care group (a panel of four scorers) as a scoring workbook."""
    out = tmp_path / "panel.xlsx"
    make_template("cp-2016", out, scores="urgent-care")
    return out


# --- the zip package ----------------------------------------------------------------------


def test_a_damaged_part_is_one_line_naming_its_sheet(workbook):
    """A bad CRC or bad deflate data in one part was a zipfile/zlib traceback."""
    data = bytearray(workbook.read_bytes())
    with zipfile.ZipFile(workbook) as book:
        info = book.getinfo(sheet_part(workbook, "Scores"))
    name, extra = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name + extra
    data[start + info.compress_size // 2] ^= 0x01
    workbook.write_bytes(bytes(data))
    refused(workbook, "sheet 'Scores'", "the workbook is damaged and cannot be unpacked (")


def test_a_zip_password_is_named(workbook):
    """``zip -e`` on a workbook: zipfile raised RuntimeError ("password required")."""
    data = bytearray(workbook.read_bytes())
    with zipfile.ZipFile(workbook) as book:
        offsets = [info.header_offset + 6 for info in book.infolist()]  # local headers' flags
    offsets += [m.start() + 8 for m in re.finditer(rb"PK\x01\x02", data)]  # the directory's
    for at in offsets:
        data[at] |= 0x01  # "encrypted"
    workbook.write_bytes(bytes(data))
    with zipfile.ZipFile(workbook) as book:
        assert all(info.flag_bits & 1 for info in book.infolist())
    refused(workbook, "", "the workbook's parts are encrypted with a zip password")


def _rename_part(path: Path, old: str, new: str) -> None:
    """Move a part to another name, its relationship and content type following it."""
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    short_old, short_new = old.removeprefix("xl/").encode(), new.removeprefix("xl/").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename in ("[Content_Types].xml", "xl/_rels/workbook.xml.rels"):
                data = data.replace(short_old, short_new)
            out.writestr(new if info.filename == old else info.filename, data)


def _many_cells(xml: bytes, cells: int) -> bytes:
    """``cells`` more cells, of values varied enough to pass the zip-bomb ratio."""
    values = (b"<c><v>%d</v></c>" % (i * 7919 % 100_003) for i in range(cells))
    rows = b"".join(
        b"<row>" + b"".join(next(values) for _ in range(50)) + b"</row>" for _ in range(cells // 50)
    )
    return xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)


def test_a_sheet_part_not_named_xml_is_counted_too(workbook):
    """openpyxl follows the relationships to any part name: a sheet stored as ``.dat`` held
    6.2 million cells past the 500,000-cell limit (54 s, 2.2 GB). Every XML part is counted."""
    part = sheet_part(workbook, "Instructions")
    rewrite(workbook, part, lambda xml: _many_cells(xml, MAX_WORKBOOK_CELLS + 5_000))
    _rename_part(workbook, part, part.replace(".xml", ".dat"))
    assert part.replace(".xml", ".dat") in zipfile.ZipFile(workbook).namelist()
    refused(workbook, "sheet 'Instructions'", "the workbook has more than 500,000 cells")


def test_a_part_in_utf16_is_refused(workbook):
    """The byte patterns that count could not see into UTF-16 (25 s, 1.1 GB); Excel never
    writes it, so it is refused."""
    part = sheet_part(workbook, "Instructions")

    def utf16(xml: bytes) -> bytes:
        text = re.sub(r"^<\?xml[^>]*\?>", "", xml.decode())
        return ('<?xml version="1.0" encoding="UTF-16"?>' + text).encode("utf-16")

    rewrite(workbook, part, utf16)
    refused(
        workbook,
        "sheet 'Instructions'",
        "the XML is saved as UTF-16 or UTF-32 text; Excel saves UTF-8",
    )


def test_a_declared_encoding_other_than_utf8_is_refused(workbook):
    part = sheet_part(workbook, "Instructions")
    declared = b'<?xml version="1.0" encoding="cp500"?>'
    rewrite(workbook, part, lambda xml: declared + re.sub(rb"^<\?xml[^>]*\?>", b"", xml))
    refused(workbook, "sheet 'Instructions'", "the XML is saved as cp500 text")


def test_styles_past_any_scoring_workbook_are_refused(workbook):
    """``xl/styles.xml`` was never scanned: 1.95 million fonts took 53 s and 2.9 GB."""
    fonts = b"".join(b'<font><sz val="%d"/></font>' % i for i in range(MAX_OTHER_ELEMENTS // 2 + 1))
    rewrite(workbook, "xl/styles.xml", lambda xml: re.sub(rb"(<fonts[^>]*>)", rb"\1" + fonts, xml))
    refused(
        workbook,
        "part 'xl/styles.xml'",
        f"more than {MAX_OTHER_ELEMENTS:,} XML elements other than cells and their text",
    )


def test_defined_names_past_any_scoring_workbook_are_refused_before_they_are_parsed(workbook):
    """800,000 defined names in ``xl/workbook.xml``: 15 s; it is now scanned before the sheet
    names are read from it."""
    names = b"".join(
        b'<definedName name="n%d">Scores!$A$1</definedName>' % i
        for i in range(MAX_OTHER_ELEMENTS + 1)
    )

    def add(xml: bytes) -> bytes:
        xml = re.sub(rb"<definedNames\s*/>|<definedNames>.*?</definedNames>", b"", xml, flags=re.S)
        return xml.replace(
            b"</workbook>", b"<definedNames>" + names + b"</definedNames></workbook>"
        )

    rewrite(workbook, "xl/workbook.xml", add)
    refused(
        workbook,
        "part 'xl/workbook.xml'",
        f"more than {MAX_OTHER_ELEMENTS:,} XML elements other than cells and their text",
    )


def test_elements_past_the_total_are_refused(workbook):
    """Text runs are cheap, but not free: a workbook of more than four elements a cell is
    refused whatever they are (here 11 a cell: a string of five runs)."""
    part = sheet_part(workbook, "Instructions")
    cells = MAX_ELEMENTS // 11 + 1_000

    def runs(i: int) -> bytes:
        return b'<c t="inlineStr"><is>' + b"<r><t>%d</t></r>" % i * 5 + b"</is></c>"

    def add(xml: bytes) -> bytes:
        rows = b"".join(
            b"<row>" + b"".join(runs(r * 50 + c) for c in range(50)) + b"</row>"
            for r in range(cells // 50)
        )
        return xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)

    rewrite(workbook, part, add)
    refused(workbook, "sheet 'Instructions'", f"more than {MAX_ELEMENTS:,} XML elements in all")


# --- the file system ----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["rank", "check", "diff", "export"])
def test_an_input_name_too_long_for_the_file_system(write, tmp_path, command):
    """A 300-byte name was an OSError (ENAMETOOLONG) traceback."""
    long = tmp_path / ("x" * 300 + ".yaml")
    args = {"diff": (long, long), "export": (long, "-o", tmp_path / "o.xlsx")}.get(command)
    result, elapsed = invoke(command, *(args or (long,)))
    assert_clean(result, elapsed)
    text = result.stderr + result.stdout
    assert "the name is longer than the file system allows (255 bytes a name)" in text
    assert "Traceback" not in text


@pytest.mark.parametrize("command", ["rank", "check", "combine"])
def test_a_symbolic_link_that_loops(write, tmp_path, command):
    """``check`` and ``combine -r`` gave an ELOOP traceback; the others said "file not found"."""
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    loop = tmp_path / "a.yaml"
    scores = demo(write)
    args = (scores, scores, "-r", loop) if command == "combine" else (loop,)
    result, elapsed = invoke(command, *args)
    assert_clean(result, elapsed)
    assert "the name is a symbolic link that loops back to itself" in (
        result.stderr + result.stdout
    )


@pytest.mark.skipif(not Path("/proc/self/mem").exists(), reason="Linux's /proc only")
@pytest.mark.parametrize("how", ["given", "named as criteria"])
def test_a_read_that_fails_with_an_input_output_error(write, tmp_path, how):
    """Reading /proc/self/mem fails with EIO, as a failing disk does: it was a traceback."""
    if how == "given":
        path = Path("/proc/self/mem")
    else:
        (tmp_path / "mem.yaml").symlink_to("/proc/self/mem")
        path = write("s.yaml", demo(write).read_text().replace("two.yaml", "mem.yaml"))
    result, elapsed = invoke("rank", path)
    assert_clean(result, elapsed)
    assert "could not be read: the disk or device reported an input/output error" in (result.stderr)


@pytest.mark.parametrize("name", ["scores.xlsx", "rules.yaml"])
def test_an_unreadable_file_is_exit_1_with_its_cause(workbook, write, monkeypatch, name):
    """An unreadable workbook was called "not an .xlsx workbook"; ``check`` and ``combine -r``
    let Typer refuse it (exit 2, "path is not readable") where every other command said
    "permission denied" (exit 1). Tests run as root, who may read anything: the denial is
    made here, and Typer's own check (``os.access``) is told no as well."""
    path = workbook if name.endswith(".xlsx") else write(name, "rules: []\n")
    real_open = Path.open

    def denied(self, *args, **kwargs):
        if Path(self) == path:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", denied)
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    commands = [("check", path)]
    if name.endswith(".xlsx"):
        commands.append(("rank", path))
    else:
        scores = demo(write)
        commands.append(("combine", scores, scores, "-r", path))
    for args in commands:
        result, elapsed = invoke(*args)
        assert_clean(result, elapsed)
        assert f"{path}" in result.stderr + result.stdout
        assert "permission denied" in result.stderr + result.stdout


# --- messages -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "cell", "where"),
    [
        ("Scores", "B3", "sheet 'Scores', cell B3: option 'kkk"),
        ("Interests", "A2", "sheet 'Interests', cell A2: scorer 'kkk"),
        ("Scores", "A3", "sheet 'Scores', cell A3: scorer 'kkk"),
        ("Scores", "C2", "sheet 'Scores', cell C2: heading 'kkk"),
    ],
)
def test_text_from_a_cell_is_cut_in_every_message(panel, sheet, cell, where):
    """A 32,000-character value was quoted whole (a 32,000-character line)."""
    book = openpyxl.load_workbook(panel)
    book[sheet][cell].value = "k" * 32_000
    book.save(panel)
    result, elapsed = invoke("rank", panel)
    assert_clean(result, elapsed)
    assert short_lines(result.stderr, panel), result.stderr
    result, _ = invoke("check", panel, "-f", "csv")
    assert short_lines(result.stdout, panel), result.stdout
    assert "(32,000 characters)" in result.stdout
    lines = _check_lines(panel)
    assert all(len(line) <= LINE for line in lines), lines
    assert any(line.startswith(where) for line in lines), lines


def _check_lines(path: Path) -> list[str]:
    result, _ = invoke("check", path, "-f", "json")
    return [f"{p['where']}: {p['message']}" for p in json.loads(result.stdout)["problems"]]


def test_a_long_scorer_id_is_named_where_it_was_typed(panel):
    """A 70-character scorer id typed on the Scores sheet was reported at "sheet 'Scorers',
    row 1" (the header row): the key was cut before its place was looked up."""
    book = openpyxl.load_workbook(panel)
    book["Scores"]["A3"].value = "x" * 70
    book.save(panel)
    result, elapsed = invoke("rank", panel)
    assert_clean(result, elapsed)
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: {panel}: sheet 'Scores', cell A3: scorer 'xxx"), first
    assert "sheet 'Scorers'" not in result.stderr
    assert not any(line.startswith("sheet 'Scorers'") for line in _check_lines(panel))


def test_a_line_break_in_a_file_name_stays_on_one_line(write, tmp_path):
    """``rank $'a\\nb.yaml'`` printed its error over two lines, as did export's "Wrote"."""
    odd = write("a\nb.yaml", "x\n")
    result, elapsed = invoke("rank", odd)
    assert_clean(result, elapsed)
    assert result.stderr.count("\n") == 1
    assert "a\\nb.yaml" in result.stderr
    out = tmp_path / "o\nx.xlsx"
    result, _ = invoke("export", demo(write), "-o", out, "--no-sensitivity")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == f"Wrote {tmp_path}/o\\nx.xlsx"
    assert out.exists()


# --- pass four: a second tester, who had not seen the corpus either ------------------------


def test_one_sheet_part_named_by_many_sheets_is_refused(panel):
    """2,000 extra sheet entries pointing at the Scores part: openpyxl parsed it once for each
    (58 s, 2.2 GB, then exit 0) while the cell count saw it once."""

    def many(xml: bytes) -> bytes:
        rid = re.search(rb'name="Scores" sheetId="\d+"[^>]*r:id="([^"]+)"', xml)
        assert rid is not None
        extra = b"".join(
            b'<sheet name="S%d" sheetId="%d" r:id="%s"/>' % (i, 100 + i, rid.group(1))
            for i in range(2_000)
        )
        return xml.replace(b"</sheets>", extra + b"</sheets>")

    rewrite(panel, "xl/workbook.xml", many)
    refused(panel, "sheet 'S0'", "is the same part as sheet 'Scores'")


def test_a_sheet_whose_part_is_missing_is_refused_not_dropped(panel):
    """openpyxl left out the Gate results sheet when its relationship named a missing part: a
    failed gate went unseen and the option was ranked."""
    rels = "xl/_rels/workbook.xml.rels"
    with zipfile.ZipFile(panel) as book:
        workbook = book.read("xl/workbook.xml")
        rid = re.search(rb'name="Gate results" sheetId="\d+"[^>]*r:id="([^"]+)"', workbook)
    assert rid is not None
    rewrite(
        panel,
        rels,
        lambda xml: re.sub(
            rb'<Relationship [^>]*Id="' + rid.group(1) + rb'"[^>]*>',
            lambda m: re.sub(rb'Target="[^"]*"', b'Target="worksheets/nothing.xml"', m.group()),
            xml,
        ),
    )
    refused(
        panel,
        "sheet 'Gate results'",
        "its part (xl/worksheets/nothing.xml) is missing from the file",
    )


def test_a_chart_drawn_many_times_is_refused(workbook):
    """openpyxl builds a chart again for every frame drawing it: 300 frames of a 1 MB chart ran
    past two minutes and 2.7 GB. Frames times chart elements is bounded."""
    frame = (
        b"<xdr:twoCellAnchor><xdr:from/><xdr:to/><xdr:graphicFrame><a:graphic><a:graphicData>"
        b'<c:chart r:id="rId1"/></a:graphicData></a:graphic></xdr:graphicFrame>'
        b"<xdr:clientData/></xdr:twoCellAnchor>"
    )
    drawing = b'<xdr:wsDr xmlns:xdr="x" xmlns:a="a" xmlns:c="c" xmlns:r="r">' + frame * 40
    drawing += b"</xdr:wsDr>"
    chart = b'<c:chartSpace xmlns:c="c">' + b"<c:pt><c:v>1</c:v></c:pt>" * 5_000
    chart += b"</c:chartSpace>"
    source = zipfile.ZipFile(io.BytesIO(workbook.read_bytes()))
    with zipfile.ZipFile(workbook, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info.filename))
        out.writestr("xl/drawings/drawing1.xml", drawing)
        out.writestr("xl/charts/chart1.xml", chart)
    refused(workbook, "", "its charts are drawn 40 times from 10,001 XML elements")


def test_two_sheets_of_one_name_are_refused(panel):
    """A visible 'Scores ' (trailing space) before the real 'Scores' was read instead, without a
    word: which sheet is read must not depend on the order of the tabs."""
    book = openpyxl.load_workbook(panel)
    copy = book.copy_worksheet(book["Scores"])
    copy.title = "Scores "
    book.move_sheet(copy, offset=-(len(book.sheetnames) - 1))
    book.save(panel)
    refused(panel, "sheet 'Scores'", "two sheets are named Scores ('Scores ', 'Scores')")


@pytest.mark.parametrize("case", ["formula", "criteria ids", "sheet title", "scorer ids"])
def test_text_quoted_from_any_cell_is_cut(panel, case):
    """Pass four: a 6 MB formula, 32,000-character ids listed in other cells' messages, and a
    5,000-character sheet title were quoted whole."""
    book = openpyxl.load_workbook(panel)
    if case == "formula":
        book["Scores"]["C3"].value = "=" + "+".join(["1"] * 20_000)
    elif case == "criteria ids":
        for row in range(3, 8):
            book["Criteria"].cell(row=row, column=1).value = chr(ord("a") + row) * 32_000
    elif case == "sheet title":
        book["Scores"].title = "T" * 31  # openpyxl keeps Excel's 31; written longer below
    else:
        for row in range(2, 6):
            book["Scorers"].cell(row=row, column=1).value = chr(ord("a") + row) * 32_000
    book.save(panel)
    if case == "sheet title":
        rewrite(panel, "xl/workbook.xml", lambda xml: xml.replace(b"T" * 31, b"T" * 5_000))
    result, elapsed = invoke("rank", panel)
    assert_clean(result, elapsed)
    assert short_lines(result.stderr, panel), result.stderr[:2_000]
    lines = _check_lines(panel)
    assert all(len(line) <= LINE for line in lines), [len(line) for line in lines]


def test_control_characters_never_reach_a_csv_raw(write):
    """``check -f csv`` wrote an unknown key's ESC, BEL, CR and U+202E to the terminal raw; the
    table, Markdown and JSON forms escaped them."""
    write("two.yaml", "title: T\ncriteria:\n  - {id: a, name: A, weight: 100}\n")
    path = write("esc.yaml", "x")
    path.write_text(  # the key in double quotes: YAML's own escapes, so the parser takes it
        "group: g\nname: G\ncriteria: two.yaml\nscale: {min: 1, max: 5}\n"
        '"k\\e[2J\\e]0;pwned\\a\\u202e\\r": 1\n'
        "options:\n  - {id: x, name: X, scores: {a: 3}}\n",
        encoding="utf-8",
    )
    result, _ = invoke("check", path, "-f", "csv")
    assert result.exit_code == 1
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", result.stdout), repr(result.stdout)
    assert "k\\x1b[2J\\x1b]0;pwned\\x07\\u202e" in result.stdout


def test_ctrl_c_while_starting_is_one_line_and_exit_130(tmp_path):
    """Pass four: an interrupt in the first tenth of a second (modules still importing) printed
    a KeyboardInterrupt traceback; a little later, exit 130 with nothing said."""
    import signal
    import subprocess
    import sys
    import time

    said = []
    for delay in (0.05, 0.1, 0.2, 0.3):
        child = subprocess.Popen(
            [sys.executable, "-m", "appraise", "sensitivity", "urgent-care"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        time.sleep(delay)
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=60)
        assert "Traceback" not in stderr, stderr
        if child.returncode == 130:
            lines = [line for line in stderr.splitlines() if not line.startswith("note:")]
            said.append(lines)
        else:  # the interpreter had not started, or the run had finished
            assert child.returncode in (-signal.SIGINT, 0), (child.returncode, stderr)
    assert said, "no run was interrupted"
    assert all(lines[-1:] == ["interrupted; nothing was written"] for lines in said), said


def test_an_interrupt_python_could_not_raise_is_raised_again_in_the_main_thread(
    capsys, monkeypatch
):
    """CI caught Ctrl-C landing in importlib's module-lock weakref callback: Python printed
    "Exception ignored ... Traceback ... KeyboardInterrupt" and the run went on. The hook raises
    it again at the main thread's next step, where launch turns it into one line and 130."""
    import sys
    import time

    from appraise.launch import interrupt_again

    class Raises:  # an exception raised where Python cannot raise it: in __del__
        def __init__(self, exc: BaseException) -> None:
            self.exc = exc

        def __del__(self) -> None:
            raise self.exc

    def dropped_then_a_moment(exc: BaseException) -> None:
        Raises(exc)  # collected at once; its exception goes to sys.unraisablehook
        time.sleep(1)  # the interrupt is raised again well within this

    monkeypatch.setattr(sys, "unraisablehook", interrupt_again)
    with pytest.raises(KeyboardInterrupt):
        dropped_then_a_moment(KeyboardInterrupt())
    assert capsys.readouterr().err == ""
    Raises(ValueError("kept"))  # anything else is printed as Python prints it
    assert "ValueError: kept" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_run_stopped_by_a_signal_leaves_no_part_file_and_keeps_the_old_output(tmp_path, name):
    """SIGTERM or SIGHUP while the workbook is written left an empty '.part' file beside the
    output; now the run unwinds as Ctrl-C does: one line, exit 128 + the signal's number, and
    the file being replaced (--force) is as it was."""
    import signal
    import subprocess
    import sys
    import time

    from benchmarks import scale_bench

    path, _ = scale_bench.generate(tmp_path, n_options=1_500, n_scorers=5)
    out = tmp_path / "hce.xlsx"
    out.write_bytes(b"the earlier workbook")
    child = subprocess.Popen(
        [sys.executable, "-m", "appraise", "export", str(path), "-o", str(out), "--force"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.5)  # started, read the file, writing (the whole run takes over 5 s)
    number = getattr(signal, name)
    child.send_signal(number)
    _, stderr = child.communicate(timeout=60)
    assert child.returncode == 128 + number, stderr
    lines = [line for line in stderr.splitlines() if not line.startswith(("note:", "      "))]
    assert lines == [f"stopped ({name}); nothing was written"]
    assert out.read_bytes() == b"the earlier workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "criteria.yaml",
        "hce.xlsx",
        "scores.json",
    ]
