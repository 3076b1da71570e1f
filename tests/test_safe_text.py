"""Text from files, made safe once for each output (issue 14, class 3): ``appraise/safe_text.py``.

Two layers: validation refuses control and invisible formatting characters in names and notes,
at their place; each output form escapes whatever still gets through (a file name, a quoted
key). The hostile strings below are the issue's: a screen clear, a window-title sequence, BEL, a
bidi override that makes a name read backwards, a newline that would start a Markdown heading,
raw HTML, and a spreadsheet formula that runs a program.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from appraise.cli import app
from appraise.safe_text import csv_text, markdown_text, printable, refused_text, unsafe_characters
from tests.conftest import THREE_OPTIONS, TWO_CRITERIA

runner = CliRunner()

CLEAR = "\x1b[2J"
TITLE = "\x1b]0;pwned\x07"
RTL = "\u202e"
FORMULA = "=cmd|' /C calc'!A0"
RAW = ("\x1b", "\x07", "\u202e", "\x9b")  # none of these may reach a screen or a file raw


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args])


def assert_nothing_raw(*texts: str) -> None:
    for text in texts:
        for char in RAW:
            assert char not in text, repr(text)


# --- the rules, worked by hand -------------------------------------------------------------


def test_unsafe_characters_are_named_as_escapes_once_each():
    assert unsafe_characters(f"A{CLEAR}B{CLEAR}") == ["\\x1b"]
    assert unsafe_characters(f"x{TITLE}") == ["\\x1b", "\\x07"]
    assert unsafe_characters(f"evil{RTL}txt.exe") == ["\\u202e"]
    assert unsafe_characters("zero\u200bwidth") == ["\\u200b"]
    assert unsafe_characters("line\nbreak") == ["\\n"]  # not in a name
    assert unsafe_characters("line\nbreak\ttab", free_text=True) == []  # a note may
    assert unsafe_characters("Café ≥ 中文 and an emoji 🏥") == []  # ordinary text is fine
    assert refused_text("fine") is None


def test_printable_escapes_what_acts_on_a_screen_and_keeps_line_breaks():
    assert printable(f"A{CLEAR}B") == "A\\x1b[2JB"
    assert printable(f"a{RTL}b\nc") == "a\\u202eb\nc"
    assert printable("\udcff.yaml") == "\\udcff.yaml"  # a file name's undecodable byte


def test_markdown_text_cannot_break_the_line_the_cell_or_open_html_or_a_link():
    assert markdown_text("Demo\n# Heading") == "Demo # Heading"
    assert markdown_text("a|b") == "a\\|b"
    assert markdown_text("<script>x</script>") == "&lt;script&gt;x&lt;/script&gt;"
    assert markdown_text("[Approved](https://example.org)") == "[Approved]\\(https://example.org)"
    assert markdown_text("options[3].scores") == "options[3].scores"  # not a link: kept


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (FORMULA, "'" + FORMULA),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("+44 20", "'+44 20"),
        ("-x", "'-x"),
        ("\tTAB", "'\tTAB"),
        ("-0.5", "-0.5"),  # text that reads as a number stays a number
        (-0.5, -0.5),
        ("Plain", "Plain"),
    ],
)
def test_csv_text_neutralises_formulas_but_not_numbers(value, expected):
    assert csv_text(value) == expected


# --- validation: refused at the place, named as an escape ----------------------------------


def _demo(tmp_path: Path, scores: str, criteria: str = TWO_CRITERIA) -> Path:
    (tmp_path / "two.yaml").write_text(criteria)
    path = tmp_path / "demo.yaml"
    path.write_text(scores)
    return path


@pytest.mark.parametrize(
    ("where", "old", "new"),
    [  # YAML escapes in double quotes: \e is ESC, \a BEL, \u202e the right-to-left override
        ("options[0].name", "Option X", '"X\\e[2J"'),
        ("options[1].name", "Option Y", '"Y\\e]0;pwned\\a"'),
        ("name", "Demo group", '"Demo\\u202epuorg"'),
        ("name", "Demo group", '"Demo\\n# Heading"'),
        ("options[0].notes", "{id: x,", '{id: x, notes: "see\\e[2J",'),
        ("options[2].dissent[0]", "{id: z,", '{id: z, dissent: ["no\\u200bte"],'),
        # A noncharacter XML cannot hold: a workbook with it in a name did not open.
        ("options[0].name", "Option X", '"Best \\ufffe"'),
    ],
)
def test_control_characters_in_names_and_notes_are_refused_at_their_place(
    tmp_path, where, old, new
):
    path = _demo(tmp_path, THREE_OPTIONS.replace(old, new))
    for command in ("rank", "check"):
        result = run(command, path)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert_nothing_raw(result.stdout, result.stderr)
    assert "holds a control or invisible formatting character" in run("rank", path).stderr
    problems = json.loads(run("check", path, "-f", "json").stdout)["problems"]
    assert [(p["where"], p["message"][:49]) for p in problems] == [
        (where, "holds a control or invisible formatting character")
    ]


def test_a_note_may_hold_line_breaks(tmp_path):
    path = _demo(tmp_path, THREE_OPTIONS.replace("{id: x,", '{id: x, notes: "one\\ntwo",'))
    assert run("check", path).exit_code == 0


def test_a_criterion_name_with_a_title_sequence_is_refused_in_the_criteria_file(tmp_path):
    """Given beside the scores file that names it, the criteria file's problem is listed once."""
    criteria = TWO_CRITERIA.replace("Criterion A", '"A\\e]0;pwned\\a"')
    path = _demo(tmp_path, THREE_OPTIONS, criteria)
    result = run("check", path, tmp_path / "two.yaml", "-f", "json")
    assert result.exit_code == 1
    assert [(p["where"], p["message"]) for p in json.loads(result.stdout)["problems"]] == [
        (
            "criteria[0].name",
            "holds a control or invisible formatting characters (\\x1b, \\x07) that could "
            "change how the text shows on a screen or in a document; remove it",
        )
    ]
    assert_nothing_raw(result.stdout, result.stderr, run("rank", path).stderr)


# --- output: what validation cannot see is escaped where it is shown -----------------------


def test_a_file_name_with_terminal_sequences_is_shown_escaped(tmp_path):
    """The path comes from the command line, not a file's contents: no validation sees it."""
    _demo(tmp_path, THREE_OPTIONS)
    hostile = tmp_path / f"x{CLEAR}{TITLE}.yaml"
    hostile.write_text(THREE_OPTIONS.replace("{id: x,", "{id: x, colour: red,"))
    result = run("rank", hostile)
    assert result.exit_code == 1
    assert "x\\x1b[2J\\x1b]0;pwned" in result.stderr
    assert_nothing_raw(result.stdout, result.stderr)


def test_an_unknown_key_with_an_escape_is_quoted_escaped_in_rank_and_check(tmp_path):
    path = _demo(tmp_path, THREE_OPTIONS.replace("{id: x,", '{id: x, "k\\e[2J": 1,'))
    for command in ("rank", "check"):
        result = run(command, path)
        assert result.exit_code == 1
        assert "k\\x1b[2J" in result.output
        assert_nothing_raw(result.stdout, result.stderr)


HOSTILE_NAMES = THREE_OPTIONS.replace("Option X", f'"{FORMULA}"').replace(
    "Option Y", '"<script>alert(1)</script> | [Approved](https://example.org)"'
)


def test_markdown_keeps_its_table_and_shows_html_and_links_as_typed(tmp_path):
    path = _demo(tmp_path, HOSTILE_NAMES)
    result = run("rank", path, "--format", "markdown")
    assert result.exit_code == 0, result.output
    table = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    cells = [len(line.replace("\\|", "").split("|")) for line in table]
    assert len(set(cells)) == 1, table  # every row has the header's number of cells
    assert "<script>" not in result.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt; \\| [Approved]\\(https://example.org)" in (
        result.stdout
    )


def test_csv_cells_a_spreadsheet_would_run_start_with_a_quote(tmp_path):
    path = _demo(tmp_path, HOSTILE_NAMES)
    result = run("rank", path, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    names = {row["id"]: row["name"] for row in rows}
    assert names["x"] == "'" + FORMULA
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row.values())
    assert float(rows[0]["total"]) == pytest.approx(3.4)  # figures stay figures (conftest)


def test_the_workbook_keeps_formula_like_names_as_text_and_every_part_parses(tmp_path):
    path = _demo(tmp_path, HOSTILE_NAMES)
    out = tmp_path / "hce.xlsx"
    result = run("export", path, "-o", out, "--samples", "100")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                ElementTree.fromstring(archive.read(name))  # raises on malformed XML
    sheet = load_workbook(out)["Summary"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == FORMULA]
    assert cells, "the formula-like name is on the Summary sheet"
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_json_escapes_c1_and_invisible_characters_and_reads_back_equal():
    """JSON escapes C0 itself but wrote C1 and bidi characters raw (a path can hold them)."""
    from appraise.present.formats import to_json

    data = {"file": f"a{RTL}b\x9bc\u200bd", "figures": [1.5, -2.0]}
    text = to_json(data)
    assert_nothing_raw(text)
    assert "\u200b" not in text
    assert '"file": "a\\u202eb\\u009bc\\u200bd"' in text
    assert json.loads(text) == data


def test_ascii_json_escapes_beyond_ascii_as_json_reads_it_back():
    """Non-ASCII (é, a character beyond U+FFFF, a file name's lone surrogate) as JSON escapes."""
    from appraise.safe_text import ascii_json

    text = json.dumps({"name": "Café 🏥", "file": "x\udcff.yaml"}, ensure_ascii=False)
    escaped = ascii_json(text)
    assert escaped == '{"name": "Caf\\u00e9 \\ud83c\\udfe5", "file": "x\\udcff.yaml"}'
    assert json.loads(escaped) == json.loads(text)


@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["rank", "--weights", "\x1b[2J"], "no weight set '\\x1b[2J'"),
        (["rank", "--\x1b]0;owned\x07"], "No such option: --\\x1b]0;owned\\x07"),
        (["combine", "x.yaml", "--limit", "\x9bq<=3"], "found '\\x9bq<=3'"),
    ],
)
def test_usage_errors_show_what_was_typed_escaped(argv, shown):
    """A value typed on the command line is quoted back in the error panel, which Typer
    draws itself: its control characters are escapes there too (exit 2 as before)."""
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2
    text = " ".join(result.output.replace("│", " ").split())
    assert shown in text
    assert not any(c in result.output for c in "\x1b\x07\x9b")


def test_every_format_character_and_blank_filler_is_refused_in_names():
    """Fresh hostile pass: tag characters (U+E0041, "ASCII smuggling"), U+206A-206F, U+FFF9,
    U+180E, the soft hyphen, U+034F and the Hangul filler U+3164 passed validation and reached
    the terminal raw. Every Unicode format (Cf) character is now refused, checked against the
    Unicode database, and named by an escape Python reads back."""
    import sys
    import unicodedata

    from appraise.safe_text import UNSAFE_IN_NAMES, escaped

    cf = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert [hex(ord(c)) for c in cf if not UNSAFE_IN_NAMES.search(c)] == []
    for blank in "\u034f\u3164\u115f\u1160\uffa0":
        assert UNSAFE_IN_NAMES.search(blank)
    assert escaped("\U000e0041") == "\\U000e0041"
    assert escaped("\U000e0041").encode().decode("unicode_escape") == "\U000e0041"
    assert unsafe_characters("A\U000e0041B") == ["\\U000e0041"]


def test_json_escapes_an_invisible_character_beyond_u_ffff_as_a_surrogate_pair():
    from appraise.safe_text import escape_invisible

    text = json.dumps({"note": "A\U000e0041B\u00ad"}, ensure_ascii=False)
    escaped_text = escape_invisible(text)
    assert escaped_text == '{"note": "A\\udb40\\udc41B\\u00ad"}'
    assert json.loads(escaped_text) == {"note": "A\U000e0041B\u00ad"}
