"""Tests for appraise/io/sniff.py: a file's type from its first bytes, whatever its name.

The messages each type gets, through every command, are in tests/test_hostile.py ("other file
types"); the files are built there, from the formats' own specifications.
"""

from __future__ import annotations

import pytest

from appraise.errors import InputError
from appraise.io import sniff

from .conftest import THREE_OPTIONS
from .test_hostile import EXCEL_2003, ODS, ole2, png, zipped


@pytest.mark.parametrize(
    ("content", "family"),
    [
        (ole2("Workbook"), "xls"),  # read by python-calamine (appraise.io.calamine_read)
        (ole2("EncryptedPackage"), "encrypted"),
        (ole2("WordDocument"), "document"),
        (ole2("Something else"), "spreadsheet"),  # an OLE2 file of no known kind: still Office
        (zipped({"content.xml": b""}, ODS), "ods"),  # read by python-calamine, too
        (zipped({"xl/workbook.xml": b""}), "xlsx"),
        (zipped({"word/document.xml": b""}), "document"),
        (zipped({"notes.txt": b""}), "archive"),
        (png(), "document"),
        (EXCEL_2003.encode(), "spreadsheet"),
        (THREE_OPTIONS.encode("utf-16"), "encoding"),
        (THREE_OPTIONS.encode(), "text"),
        (b"", "text"),
        (b"a,b\n1,2\n", "csv"),
        (b"# a comment, with a comma\nkey: a, b\n", "text"),  # a key: YAML, not CSV
    ],
)
def test_sniff_tells_the_family(tmp_path, content, family):
    path = tmp_path / "file.yaml"
    path.write_bytes(content)
    found = sniff.sniff(path)
    assert found is not None
    assert found.family == family


def test_only_the_first_bytes_are_read(tmp_path):
    """YAML text for the first HEAD_BYTES, a PNG after: text, since nothing past is read."""
    path = tmp_path / "long.yaml"
    head = ("# padding\n" * (sniff.HEAD_BYTES // 10 + 1)).encode()
    path.write_bytes(head + png())
    found = sniff.sniff(path)
    assert found is not None
    assert found.family == "text"


def test_a_missing_file_or_folder_is_left_to_the_reader(tmp_path):
    sniff.refuse_other_types(tmp_path / "nowhere.yaml", workbook=False)
    sniff.refuse_other_types(tmp_path, workbook=True)


@pytest.mark.parametrize("kind", ["criteria", "rules"])
def test_a_yaml_only_kind_is_never_told_to_save_as_xlsx(tmp_path, kind):
    """Only a scores file can be a workbook: a criteria or rules file is told it is YAML."""
    path = tmp_path / f"{kind}.yaml"
    path.write_bytes(zipped({"xl/workbook.xml": b""}))
    with pytest.raises(InputError) as caught:
        sniff.refuse_other_types(path, workbook=False, kind=kind)
    assert str(caught.value) == (
        f"{path}: this file is an Excel workbook (.xlsx), not YAML text: a {kind} file is YAML "
        "text (see 'Input files' in the README)"
    )


def test_a_csv_export_with_no_separators_is_named_csv_by_its_name(tmp_path):
    """LibreOffice's CSV of a one-column sheet (the template's Instructions) has no separator
    to find and read as YAML slips; its name says it is CSV."""
    path = tmp_path / "copy.csv"
    path.write_text("Instructions\nILLUSTRATIVE SCORES: invented to show the method\n")
    found = sniff.sniff(path)
    assert found is not None
    assert (found.family, found.what) == ("csv", "is a CSV file (text exported from a sheet)")
