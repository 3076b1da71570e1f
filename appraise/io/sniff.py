"""Tell what a file really is from its first bytes, before it is read as YAML or a workbook.

A scores file is often a spreadsheet someone saved in another format, a picture of a table, or
a YAML file renamed. Read as YAML these give "byte 0xd0 is not UTF-8 text"; read as a workbook
"not a zip archive". ``refuse_other_types`` names what the file is and what to do instead, in
one line, reading at most a few kilobytes (and, for a zip archive or an OLE2 compound file,
the list of parts inside, not the parts).

Every loader reads through ``appraise.io.parsing.read_data``, which calls this once per file.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from appraise.errors import InputError
from appraise.io.yaml_io import is_json
from appraise.limits import MAX_JSON_BYTES, MAX_XLSX_BYTES, MAX_YAML_BYTES
from appraise.safe_text import cut

HEAD_BYTES = 8192
"""How much of a file is read to tell its type."""

Family = Literal[
    "text",  # UTF-8 text: read as YAML
    "xlsx",  # an Excel workbook: read as a scores workbook
    "ods",  # an OpenDocument spreadsheet: read as a scores workbook, for its values
    "xls",  # a legacy Excel workbook (BIFF8): read as a scores workbook, for its values
    "spreadsheet",  # a spreadsheet appraise cannot read: save it as .xlsx
    "csv",  # one table as text
    "encrypted",  # a password-protected Office file
    "encoding",  # text in UTF-16 or UTF-32
    "document",  # a document, picture or other file that holds no input
    "archive",  # a zip or other archive to unpack
]


@dataclass(frozen=True)
class Sniffed:
    """What a file's first bytes say it is: a phrase for messages, and its family."""

    what: str
    family: Family


_MAGIC: tuple[tuple[bytes, Sniffed], ...] = (
    (b"\x89PNG\r\n\x1a\n", Sniffed("is a PNG image", "document")),
    (b"\xff\xd8\xff", Sniffed("is a JPEG image", "document")),
    (b"GIF87a", Sniffed("is a GIF image", "document")),
    (b"GIF89a", Sniffed("is a GIF image", "document")),
    (b"II*\x00", Sniffed("is a TIFF image", "document")),
    (b"MM\x00*", Sniffed("is a TIFF image", "document")),
    (b"%PDF-", Sniffed("is a PDF document", "document")),
    (b"{\\rtf", Sniffed("is a Rich Text (RTF) document", "document")),
    (b"\x1f\x8b", Sniffed("is a gzip archive", "archive")),
    (b"7z\xbc\xaf\x27\x1c", Sniffed("is a 7-Zip archive", "archive")),
    (b"Rar!\x1a\x07", Sniffed("is a RAR archive", "archive")),
    # UTF-32 before UTF-16: FF FE 00 00 also starts with FF FE.
    (b"\xff\xfe\x00\x00", Sniffed("is UTF-32 text", "encoding")),
    (b"\x00\x00\xfe\xff", Sniffed("is UTF-32 text", "encoding")),
    (b"\xff\xfe", Sniffed("is UTF-16 text (what Windows calls 'Unicode')", "encoding")),
    (b"\xfe\xff", Sniffed("is UTF-16 text (what Windows calls 'Unicode')", "encoding")),
)

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
"""An OLE2 compound file: legacy Office (.xls, .doc, .ppt) and encrypted .xlsx/.docx."""

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # a zip's first part, or an empty zip

_OPEN_DOCUMENT = "application/vnd.oasis.opendocument."
ODS = Sniffed("is an OpenDocument spreadsheet (.ods)", "ods")
XLS = Sniffed("is a legacy Excel workbook (.xls)", "xls")
WORKBOOK_FAMILIES: tuple[Family, ...] = ("xlsx", "ods", "xls")
"""What appraise reads as a scoring workbook, each by its own reader, whatever the file's name."""
_WORKBOOK_SUFFIX = {"xlsx": ".xlsx", "ods": ".ods", "xls": ".xls"}
_OPEN_DOCUMENTS = {
    "spreadsheet": ODS,
    "text": Sniffed("is an OpenDocument text document (.odt)", "document"),
    "presentation": Sniffed("is an OpenDocument presentation (.odp)", "document"),
}


# A part whose name starts so tells the file (checked in this order: an .xlsb has xl/ too).
_ZIP_PARTS = (
    ("xl/workbook.bin", Sniffed("is an Excel binary workbook (.xlsb)", "spreadsheet")),
    ("xl/", Sniffed("is an Excel workbook (.xlsx)", "xlsx")),
    ("word/", Sniffed("is a Word document (.docx)", "document")),
    ("ppt/", Sniffed("is a PowerPoint presentation (.pptx)", "document")),
    ("Index/Document.iwa", Sniffed("is an Apple Numbers, Pages or Keynote file", "spreadsheet")),
)


def _zip_type(path: Path) -> Sniffed:
    """An Office Open XML, OpenDocument or iWork file, or another zip, from its list of parts."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            mimetype = b""
            info = archive.getinfo("mimetype") if "mimetype" in names else None
            # OpenDocument stores its mimetype first, uncompressed: read only that kind.
            if info is not None and info.compress_type == zipfile.ZIP_STORED:
                with archive.open(info) as stream:
                    mimetype = stream.read(100)
    except (zipfile.BadZipFile, EOFError):
        return Sniffed(
            "is a damaged or incomplete zip archive (a workbook that was not fully downloaded "
            "or copied?)",
            "archive",
        )
    media = mimetype.decode("ascii", "replace").strip()
    if media.startswith(_OPEN_DOCUMENT):
        sub = media.removeprefix(_OPEN_DOCUMENT).split("-")[0]
        return _OPEN_DOCUMENTS.get(sub, Sniffed(f"is an OpenDocument file ({media})", "document"))
    for prefix, found in _ZIP_PARTS:
        if any(name.startswith(prefix) for name in names):
            return found
    return Sniffed("is a zip archive", "archive")


# Streams that tell one kind of OLE2 file from another (names as in [MS-CFB] directories).
_OLE2_STREAMS = (
    ("EncryptedPackage", Sniffed("is a password-protected (encrypted) Office file", "encrypted")),
    ("Workbook", XLS),
    ("Book", Sniffed("is a legacy Excel workbook (.xls, Excel 5 or older)", "spreadsheet")),
    ("WordDocument", Sniffed("is a legacy Word document (.doc)", "document")),
    ("PowerPoint Document", Sniffed("is a legacy PowerPoint presentation (.ppt)", "document")),
)
_OLE2_DIRECTORY_SECTORS = 16  # enough for the streams above in any Office file seen
_END_OF_CHAIN = 0xFFFFFFFA  # sector numbers at or above this mark the end of a chain


def _ole2_streams(path: Path, head: bytes) -> set[str]:
    """The names in the first directory sectors of an OLE2 compound file ([MS-CFB] 2.2, 2.6).

    Follows the directory's chain through the allocation table for a few sectors: a handful of
    small reads, however large the file.
    """
    if len(head) < 512:
        return set()
    sector_size = 1 << struct.unpack_from("<H", head, 30)[0]
    if sector_size not in (512, 4096):
        return set()
    sector = struct.unpack_from("<I", head, 48)[0]
    fat_sectors = struct.unpack_from("<109I", head, 76)  # the first 109 allocation sectors
    per_fat = sector_size // 4
    names: set[str] = set()
    with path.open("rb") as stream:
        for _ in range(_OLE2_DIRECTORY_SECTORS):
            if sector >= _END_OF_CHAIN:
                break
            stream.seek((sector + 1) * sector_size)
            block = stream.read(sector_size)
            for entry in range(0, len(block) - 127, 128):
                length = struct.unpack_from("<H", block, entry + 64)[0]
                if 2 <= length <= 64:
                    names.add(block[entry : entry + length - 2].decode("utf-16-le", "replace"))
            fat_index = sector // per_fat
            if fat_index >= len(fat_sectors) or fat_sectors[fat_index] >= _END_OF_CHAIN:
                break
            stream.seek((fat_sectors[fat_index] + 1) * sector_size + (sector % per_fat) * 4)
            entry_bytes = stream.read(4)
            if len(entry_bytes) < 4:
                break
            sector = struct.unpack("<I", entry_bytes)[0]
    return names


def _ole2_type(path: Path, head: bytes) -> Sniffed:
    names = _ole2_streams(path, head)
    for stream, found in _OLE2_STREAMS:
        if stream in names:
            return found
    return Sniffed("is a legacy Microsoft Office file (.xls, .doc or .ppt)", "spreadsheet")


_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")  # not tab, newlines, ESC
_SEPARATORS = (("\t", "tabs"), (";", "semicolons"), (",", "commas"))
# A line that is YAML structure: a key (no separator in it) and ':', a list item, a flow
# collection, a document marker or a directive.
_YAML_LINE = re.compile(
    r"""^\s*(?:
        (?:-\s+)?(?:"[^"]*"|'[^']*'|[^\s,;\t:#"'][^,;\t:]*?)\s*:(?:\s|$)
        | -(?:\s|$) | [\[{] | --- | \.\.\. | % | \?\s
    )""",
    re.VERBOSE,
)


def _utf16_without_bom(head: bytes) -> bool:
    """Text in UTF-16 with no byte-order mark: a zero byte in every other place."""
    sample = head[:1024]
    if len(sample) < 8:
        return False
    even, odd = sample[0::2], sample[1::2]
    return (even.count(0) > 0.4 * len(even)) != (odd.count(0) > 0.4 * len(odd))


def _text_type(head: bytes, whole: bool) -> Sniffed:
    """UTF-16 without its mark, binary data, a web page, XML, CSV or (the usual) plain text."""
    if _utf16_without_bom(head):
        return Sniffed("looks like UTF-16 text (what Windows calls 'Unicode')", "encoding")
    if len(_CONTROL.findall(head)) > 0.1 * len(head) and len(head) >= 16:
        return Sniffed("holds binary data, not text", "document")
    text = head.decode("utf-8-sig", "replace")
    lines = text.splitlines()
    if not whole:
        lines = lines[:-1]  # the last line read may be cut short
    return _markup_type(text) or _csv_type(lines) or Sniffed("is text", "text")


def _markup_type(text: str) -> Sniffed | None:
    """A web page or XML file, and whether Excel saved it (a table Excel can save as .xlsx)."""
    start = text.lstrip()[:200].lower()
    excel = any(
        mark in text.lower()
        for mark in ("urn:schemas-microsoft-com:office:excel", "excel.sheet", "office:spreadsheet")
    )
    if start.startswith(("<!doctype html", "<html")):
        if excel:
            return Sniffed("is a web page (HTML) saved by Excel", "spreadsheet")
        return Sniffed("is a web page (HTML)", "document")
    if start.startswith("<?xml"):
        if excel:
            return Sniffed("is an Excel 2003 XML spreadsheet", "spreadsheet")
        return Sniffed("is an XML file", "document")
    return None


def _csv_type(lines: list[str]) -> Sniffed | None:
    """CSV (or tab- or semicolon-separated) text: a separator on every line, and no YAML."""
    rows = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not rows or any(_YAML_LINE.match(row) for row in rows):
        return None
    for separator, named in _SEPARATORS:
        if all(separator in row for row in rows) and (
            len(rows) > 1 or rows[0].count(separator) > 1
        ):
            return Sniffed(f"looks like CSV text (values separated by {named})", "csv")
    return None


def sniff(path: Path) -> Sniffed | None:
    """What a file is, from its first bytes; None when it cannot be read (the reader says why)."""
    try:
        with path.open("rb") as stream:
            head = stream.read(HEAD_BYTES + 1)
    except OSError:  # permission denied and kin: the reader names it
        return None
    whole = len(head) <= HEAD_BYTES
    head = head[:HEAD_BYTES]
    if head.startswith(_ZIP):
        return _zip_type(path)
    if head.startswith(OLE2):
        return _ole2_type(path, head)
    for magic, found in _MAGIC:
        if head.startswith(magic):
            return found
    text = _text_type(head, whole)
    if text.family == "text" and path.suffix.lower() in {".csv", ".tsv"}:
        # A spreadsheet's CSV export of a sheet with one column (or of prose) has no
        # separators to find; its name still says what it is.
        return Sniffed(f"is a {path.suffix[1:].upper()} file (text exported from a sheet)", "csv")
    return text


_READS = {
    "criteria": "a criteria file is YAML text (see 'Input files' in the README)",
    "rules": "a rules file is YAML text (see 'Input files' in the README)",
    "elicitation": "an elicitation file is YAML text (see 'Input files' in the README)",
}
_TEMPLATE = "a workbook made by 'appraise template CRITERIA -o FILE.xlsx'"
_SAVE_AS_UTF8 = (
    "open it in a text editor and save it with the encoding UTF-8 (Notepad: File > Save as, "
    "Encoding: UTF-8)"
)
_RENAME = "{this}, though named '{suffix}': rename it to '{stem}{proper}'"
_ADVICE: dict[Family, str] = {
    # read as YAML, but a workbook: the name is wrong
    "xlsx": _RENAME,
    "ods": _RENAME,
    "xls": _RENAME,
    # read as a workbook, but text: the name is wrong
    "text": "{this}, not an Excel workbook: if it holds YAML, rename it to '{stem}.yaml'",
    "encoding": "{this}{reads}: " + _SAVE_AS_UTF8,
    "spreadsheet": "{this}: open it in Excel or LibreOffice and save it as .xlsx (Excel Workbook)",
    "encrypted": "{this}, which appraise cannot open: open it, remove the password (Excel: "
    "File > Info > Protect Workbook > Encrypt with Password, clear the box), and save",
    "csv": "{this}, which appraise cannot read: copy the values into {template}, or into a "
    "YAML file",
    "archive": "{this}: unpack it, or download or copy it again, and give the file itself",
    "document": "{this}, which holds nothing appraise can read: give the YAML file, or "
    "{template}, that the figures came from",
}
_YAML_ONLY: dict[Family, str] = {  # for a criteria or rules file, which only YAML can be
    "xlsx": "{this}, not YAML text: {yaml_only}",
    "ods": "{this}, not YAML text: {yaml_only}",
    "xls": "{this}, not YAML text: {yaml_only}",
    "spreadsheet": "{this}, not YAML text: {yaml_only}",
    "csv": "{this}, which appraise cannot read: {yaml_only}",
    "document": "{this}, which holds nothing appraise can read: {yaml_only}",
}


def _advice(path: Path, found: Sniffed, workbook: bool, kind: str | None) -> str:
    """What to do with a file of the wrong type, read as a workbook or (else) as YAML."""
    yaml_only = _READS.get(kind or "")
    template = (_YAML_ONLY.get(found.family) if yaml_only else None) or _ADVICE[found.family]
    return template.format(
        this=f"this file {found.what}",
        suffix=path.suffix,
        stem=path.stem,
        proper=_WORKBOOK_SUFFIX.get(found.family, ""),
        reads="" if workbook else "; appraise reads UTF-8",
        template=_TEMPLATE,
        yaml_only=yaml_only,
    )


_UNREADABLE = (
    "this file {what}, but it could not be read ({reason}): download or copy it again, or open "
    "it in Excel or LibreOffice and save it as .xlsx (Excel Workbook)"
)


def unreadable(path: Path, family: Literal["ods", "xls"], reason: str) -> InputError:
    """An .ods or .xls its reader could not read, named for what it is, with what to do."""
    what = (ODS if family == "ods" else XLS).what
    return InputError(path, "", _UNREADABLE.format(what=what, reason=cut(reason, 120)))


def workbook_format(path: Path) -> Literal["xlsx", "ods", "xls"]:
    """Which reader a workbook needs, from its content, whatever its name says.

    An .ods (a zip whose ``mimetype`` says so) and an .xls (an OLE2 file with a ``Workbook``
    stream) have their own; anything else goes to the .xlsx reader, whose guards say what is
    wrong with it.
    """
    found = sniff(path)
    return "ods" if found is ODS else "xls" if found is XLS else "xlsx"


def refuse_other_types(path: Path, workbook: bool, kind: str | None = None) -> None:
    """Raise ``InputError`` when a file's content is not what it is about to be read as.

    ``workbook``: the file is about to be read as a workbook (else as YAML or JSON): an .xlsx,
    .ods or .xls workbook is then read by its content's reader, whatever its name says.
    ``kind``: the kind of file wanted (``criteria``, ``scores``, ``rules``), None for any; it
    only shapes the advice (only a scores file can be a workbook). Size limits come first, as
    everywhere: a file over its reader's limit is left to the reader to refuse.
    """
    limit = MAX_XLSX_BYTES if workbook else MAX_JSON_BYTES if is_json(path) else MAX_YAML_BYTES
    if not path.is_file() or path.stat().st_size > limit:
        return  # the reader names a missing file, a folder, or a file over its size limit
    found = sniff(path)
    if found is None or (found.family in WORKBOOK_FAMILIES if workbook else found.family == "text"):
        return
    raise InputError(path, "", _advice(path, found, workbook, kind))
