"""A workbook's package checked before openpyxl builds anything from it.

openpyxl builds a Python object for every cell, row, style, name and string it reads, so a
small file can cost minutes and gigabytes. Everything here runs first, on the zip archive and
its XML as bytes: size and part counts, the unpacking ratio, encryption, and a pass over every
XML part counting what openpyxl would build, refused past what a scoring workbook could need.
An OpenDocument spreadsheet is a zip of XML too, and goes through the same checks
(``survey_package``, with ``appraise.io.ods_guard`` counting its cells).
"""

from __future__ import annotations

import posixpath
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from openpyxl.workbook.workbook import Workbook

from appraise.errors import InputError
from appraise.io.faults import read_fault, reading
from appraise.io.xlsx_layout import MAX_ROWS
from appraise.limits import (
    MAX_UNZIPPED_BYTES,
    MAX_WORKBOOK_CELLS,
    MAX_XLSX_BYTES,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
)
from appraise.safe_text import cut


def check_container(path: Path) -> None:
    """Refuse files that are not zip workbooks, or that would unpack to something huge."""
    with reading(path):
        size = path.stat().st_size
        with path.open("rb") as stream:  # unreadable is said as such, not "not a zip"
            stream.read(4)
    if size > MAX_XLSX_BYTES:
        raise InputError(path, "", f"workbook is {size:,} bytes; the limit is {MAX_XLSX_BYTES:,}")
    if not zipfile.is_zipfile(path):
        raise InputError(path, "", "not an .xlsx workbook (an .xlsx file is a zip archive)")
    with _damaged(path), zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise InputError(
                path, "", f"workbook has {len(members):,} parts; the limit is {MAX_ZIP_MEMBERS:,}"
            )
        if any(m.flag_bits & 0x1 for m in members):  # zip's own encryption (zip -e)
            raise InputError(
                path,
                "",
                "the workbook's parts are encrypted with a zip password; appraise cannot read "
                "them: save a copy without the password",
            )
        unpacked = sum(m.file_size for m in members)
        if unpacked > MAX_UNZIPPED_BYTES:
            raise InputError(
                path,
                "",
                f"workbook unpacks to {unpacked:,} bytes; the limit is {MAX_UNZIPPED_BYTES:,}",
            )
        for m in members:
            if m.file_size > MAX_ZIP_RATIO * max(m.compress_size, 1) and m.file_size > 1_000_000:
                raise InputError(
                    path,
                    "",
                    f"part '{cut(m.filename)}' unpacks {m.file_size:,} bytes from "
                    f"{m.compress_size:,}; refusing a possible zip bomb",
                )


@contextmanager
def _damaged(path: Path, where: str = "") -> Iterator[None]:
    """A part that does not unpack (bad CRC, bad compressed data, cut short) as one line."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(
            path,
            where,
            f"the workbook is damaged and cannot be unpacked ({cut(first)}): a file that was not "
            "fully downloaded or copied? Open it in Excel, repair it and save",
        ) from None
    except OSError as exc:
        raise read_fault(path, exc) from None


_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"  # spreadsheetml may carry a namespace prefix (x:row)
_ROW = re.compile(_PREFIX + rb"row(?=[\s/>])([^>]*)>")
_ROW_INDEX = re.compile(rb'\sr\s*=\s*"(\d+)"')
_CELL = re.compile(_PREFIX + rb"c(?=[\s/>])")
_CELL_ROW = re.compile(_PREFIX + rb'c\s[^>]*?\br\s*=\s*"[A-Za-z]{1,3}(\d+)"')
_FORMULA = re.compile(_PREFIX + rb"f(?=[\s/>])")
_CHUNK = 1 << 20
MAX_MERGED = 1_000
"""Merged ranges in a workbook (an .ods or .xls is held to the same)."""
# Things openpyxl builds a Python object for, one each, that no cell count bounds: counted in
# the same pass and refused past what a scoring workbook could need (merged tables are refused
# anyway; a template has no hyperlinks or comments).
_COUNTED = {
    "merged ranges": (re.compile(_PREFIX + rb"mergeCell(?=[\s/>])"), MAX_MERGED),
    "hyperlinks": (re.compile(_PREFIX + rb"hyperlink(?=[\s/>])"), 10_000),
    "comments": (re.compile(_PREFIX + rb"comment(?=[\s/>])"), 10_000),
    "shared strings": (re.compile(_PREFIX + rb"si(?=[\s/>])"), MAX_WORKBOOK_CELLS),
}
# Every element openpyxl reads becomes an object or a step of work, so all of them are counted,
# in every part it may read, whatever the part is called. Cells and their text (rows, cells,
# values, formulas, strings and their runs) are bounded by the cell limit and cost least; any
# other element (a style, a defined name, a validation rule) costs more, and a scoring workbook
# needs a few thousand of them: 1.95 million fonts took 53 s and 2.9 GB.
MAX_ELEMENTS = 4 * MAX_WORKBOOK_CELLS
MAX_OTHER_ELEMENTS = 300_000
_ELEMENT = re.compile(rb"<[A-Za-z_]")
_CELL_TEXT_NAMES = (
    rb"row|c|v|f|is|t|si|r|rPr|rPh|b|i|u|sz|color|rFont|family|scheme|strike|vertAlign|"
    rb"charset|outline|shadow|condense|extend"
)
_OTHER_IN_CELLS = re.compile(
    rb"<(?>(?:[A-Za-z_][\w.-]*:)?)(?!(?:" + _CELL_TEXT_NAMES + rb")[\s/>])[A-Za-z_]"
)
_FRAME = re.compile(_PREFIX + rb"graphicFrame(?=[\s/>])")
_CHART_PART = re.compile(r"xl/charts/")
_DECLARED = re.compile(rb'\s*<\?xml[^>]*?\bencoding\s*=\s*["\']([^"\']*)["\']')
_READ_ENCODINGS = {"utf-8", "utf8", "us-ascii", "ascii", "iso-8859-1", "latin-1", "latin1"}


@dataclass
class SheetLayout:
    """What calamine does not say of a sheet, read by the .ods and .xls guards.

    Hidden rows and columns as runs (first, last), and merged ranges as (first row, first
    column, last row, last column), all counted from 1. The scoring workbook's reader refuses
    hidden rows and columns that hold data, and merged cells in a table, as in an .xlsx.
    """

    hidden_rows: list[tuple[int, int]] = field(default_factory=list)
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass(frozen=True)
class CellPart:
    """How to count a part that holds cells in a package other than an .xlsx (an .ods).

    ``other``: elements other than cells and their text (as ``_OTHER_IN_CELLS`` for an
    .xlsx). ``feed``: called with each run of whole tags read, in order; it raises
    ``InputError`` once what it counts passes a limit.
    """

    other: re.Pattern[bytes]
    feed: Callable[[bytes], None]


@dataclass
class _Part:
    """What a quick pass over one part's XML found, before openpyxl builds anything."""

    name: str
    cells_part: bool = True  # a worksheet or the shared strings: cells and text expected
    other_in_cells: re.Pattern[bytes] = _OTHER_IN_CELLS
    feed: Callable[[bytes], None] | None = None
    rows: int = 0
    last_row: int = 0
    formulas: bool = False
    counted: dict[str, int] = field(default_factory=dict)

    def over(self) -> tuple[str, int] | None:
        """The first kind of thing counted past its limit, and the limit."""
        for what, (_, limit) in _COUNTED.items():
            if self.counted.get(what, 0) > limit:
                return what, limit
        return None


@dataclass
class _Totals:
    """What every part scanned so far holds, against the workbook's limits."""

    cells: int = 0
    elements: int = 0
    other: int = 0
    frames: int = 0  # charts drawn (graphic frames), each built again by openpyxl
    chart_elements: int = 0

    def over(self) -> str | None:
        """Why the workbook is refused, once a limit on it as a whole is passed."""
        if self.elements > MAX_ELEMENTS:
            return (
                f"more than {MAX_ELEMENTS:,} XML elements in all (cells, rows, styles, names); "
                "a scoring workbook needs far fewer: save a copy holding only the sheets "
                "`appraise template` makes"
            )
        if self.other > MAX_OTHER_ELEMENTS:
            return (
                f"more than {MAX_OTHER_ELEMENTS:,} XML elements other than cells and their text "
                "(styles, defined names, formats, validation rules); a scoring workbook needs "
                "a few thousand: save a copy holding only the sheets `appraise template` makes"
            )
        return None


def _parts(archive: zipfile.ZipFile, path: Path) -> tuple[dict[str, str], set[str]]:
    """Worksheet part -> sheet name, and the parts read as cells (sheets, shared strings)."""
    try:
        workbook = SafeElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = SafeElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except DefusedXmlException as exc:
        raise InputError(path, "", f"unsafe XML refused ({type(exc).__name__}: {exc})") from None
    except (KeyError, ParseError):
        return {}, set()  # not where Excel puts them: openpyxl finds them, or says what is wrong
    targets: dict[str | None, str] = {}
    cell_parts = set()
    for rel in rels:
        if rel.tag.endswith("Relationship"):
            target = rel.get("Target", "")
            part = posixpath.normpath(
                target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            )
            targets[rel.get("Id")] = part
            if rel.get("Type", "").endswith(("/sharedStrings", "/worksheet")):
                cell_parts.add(part)
    try:  # openpyxl finds the shared strings by their content type
        types = list(SafeElementTree.fromstring(archive.read("[Content_Types].xml")))
    except (KeyError, ParseError):
        types = []
    for override in types:
        if override.get("ContentType", "").endswith(("sharedStrings+xml", "worksheet+xml")):
            cell_parts.add(posixpath.normpath(override.get("PartName", "").lstrip("/")))
    names: dict[str, str] = {}
    held = set(archive.namelist())
    for sheet in workbook.iter():
        if sheet.tag.endswith("}sheet"):
            rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            title = cut(sheet.get("name", "?"))
            part = targets.get(rel_id, "")
            # openpyxl reads a part once for every sheet naming it (2,000 names: 58 s, 2.2 GB),
            # and leaves out, without a word, a sheet whose part is missing (the Gate results,
            # say: a failed gate then goes unseen). Excel writes neither.
            if part in names:
                raise InputError(
                    path,
                    f"sheet '{title}'",
                    f"is the same part as sheet '{cut(names[part])}' ({cut(part)}); the "
                    "workbook is damaged: open it in Excel, repair it and save",
                )
            if part not in held:
                raise InputError(
                    path,
                    f"sheet '{title}'",
                    f"its part ({cut(part) or 'none named'}) is missing from the file; the "
                    "workbook is damaged: open it in Excel, repair it and save",
                )
            names[part] = sheet.get("name", part)
    return names, cell_parts


def _encoding(head: bytes) -> str | None:
    """The encoding an XML part declares or shows (a UTF-16 or UTF-32 byte order), if any.

    None for a part that is not XML at all (a picture): openpyxl does not parse those.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")) or (
        len(head) >= 2 and b"\x00" in head[:4] and b"<" in head[:4]
    ):
        return "UTF-16 or UTF-32"
    body = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not body.startswith(b"<"):
        return None
    declared = _DECLARED.match(body)
    return declared.group(1).decode("ascii", "replace") if declared else "utf-8"


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo, part: _Part, totals: _Totals) -> None:
    """Count a part's rows (and its last row number), cells and elements, a megabyte at a time.

    Stops as soon as a limit is passed: a million formatted empty rows cost a fraction of a
    second here, where openpyxl would take minutes and gigabytes to build them.
    """
    tail = b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            text = tail + chunk
            cut_at = text.rfind(b"<") if chunk else -1  # tags never hold '<': all before are whole
            cut_at = cut_at if cut_at > 0 and len(text) - cut_at < _CHUNK else len(text)
            text, tail = text[:cut_at], text[cut_at:]
            totals.cells += len(_CELL.findall(text))
            elements = len(_ELEMENT.findall(text))
            totals.elements += elements
            totals.other += len(part.other_in_cells.findall(text)) if part.cells_part else elements
            if part.feed is not None:
                part.feed(text)
            totals.frames += len(_FRAME.findall(text))
            if _CHART_PART.match(part.name):
                totals.chart_elements += elements
            part.formulas = part.formulas or _FORMULA.search(text) is not None
            for what, (pattern, _) in _COUNTED.items():
                part.counted[what] = part.counted.get(what, 0) + len(pattern.findall(text))
            if part.over() or totals.over():
                return
            for row in _ROW.finditer(text):
                index = _ROW_INDEX.search(row.group(1))
                part.rows += 1
                part.last_row = int(index.group(1)) if index else part.last_row + 1
                if part.rows > MAX_ROWS or part.last_row > MAX_ROWS:
                    return
            for cell in _CELL_ROW.finditer(text):
                part.last_row = max(part.last_row, int(cell.group(1)))
            if part.last_row > MAX_ROWS or totals.cells > MAX_WORKBOOK_CELLS or not chunk:
                return


def survey(path: Path) -> bool:
    """Refuse a workbook whose parts are too large to load, before openpyxl loads it.

    Every part is read (so a damaged one is found here), and every XML part scanned, whatever
    its name: openpyxl follows the workbook's relationships to any part name. A part in another
    encoding than UTF-8 (UTF-16, say) is refused: Excel never writes one, and the byte patterns
    that count could not see into it. Returns whether any cell holds a formula (only then is
    the workbook read a second time for formulas, to name those with no saved result).
    """
    with _damaged(path), zipfile.ZipFile(path) as archive:
        totals = _Totals()
        members = archive.infolist()
        # The workbook part and its relationships are parsed whole to name the sheets: scanned
        # first, so 800,000 defined names are refused before that parse, not after.
        index = [m for m in members if m.filename in _INDEX_PARTS]
        for member in index:
            _survey_part(path, archive, member, {}, set(), totals)
        names, cell_parts = _parts(archive, path)
        formulas = False
        for member in members:
            if member.filename not in _INDEX_PARTS:
                found = _survey_part(path, archive, member, names, cell_parts, totals)
                formulas = formulas or found
        if totals.frames * totals.chart_elements > MAX_OTHER_ELEMENTS:
            # openpyxl builds a chart again for every frame that draws it: 300 frames of one
            # 1 MB chart ran past 2 minutes and 2.7 GB.
            raise InputError(
                path,
                "",
                f"its charts are drawn {totals.frames:,} times from {totals.chart_elements:,} "
                "XML elements; a scoring workbook needs no charts: save a copy without them",
            )
    return formulas


_INDEX_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml")
_CELL_PART = re.compile(r"xl/(worksheets/[^/]+\.xml|sharedStrings\.xml)")


def survey_package(path: Path, cell_parts: Mapping[str, CellPart]) -> None:
    """As ``survey``, for a zip package that is not an .xlsx (an .ods, after ``check_container``).

    Every part is unpacked (so a damaged one is found here), every XML part held to UTF-8 and
    the element limits; ``cell_parts`` names the parts holding cells, and how to count them.
    """
    with _damaged(path), zipfile.ZipFile(path) as archive:
        totals = _Totals()
        for member in archive.infolist():
            _survey_part(path, archive, member, {}, set(), totals, cell_parts.get(member.filename))


def _survey_part(
    path: Path,
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    names: dict[str, str],
    cell_parts: set[str],
    totals: _Totals,
    cells: CellPart | None = None,
) -> bool:
    """Scan one part (see ``survey``); whether it holds a formula."""
    key = posixpath.normpath(member.filename)
    where = f"sheet '{names[key]}'" if key in names else f"part '{cut(member.filename)}'"
    with _damaged(path, where), archive.open(member) as stream:
        encoding = _encoding(stream.read(64))
    if encoding is None:
        with _damaged(path, where), archive.open(member) as stream:
            while stream.read(_CHUNK):  # a picture: unpacked only to check it is whole
                pass
        return False
    if encoding.lower() not in _READ_ENCODINGS:
        raise InputError(
            path,
            where,
            f"the XML is saved as {cut(encoding)} text; Excel saves UTF-8: open the workbook "
            "in Excel or LibreOffice and save it again",
        )
    if cells is not None:
        part = _Part(member.filename, other_in_cells=cells.other, feed=cells.feed)
    else:
        cells_part = key in cell_parts or _CELL_PART.fullmatch(key) is not None
        part = _Part(names.get(key, member.filename), cells_part=cells_part)
    with _damaged(path, where):
        _scan(archive, member, part, totals)
    _refuse_over(path, where, part, totals)
    return part.formulas


def _refuse_over(path: Path, where: str, part: _Part, totals: _Totals) -> None:
    over = part.over()
    if over is not None:
        what, limit = over
        raise InputError(
            path,
            where,
            f"more than {limit:,} {what}; a scoring workbook needs far fewer: delete them and save",
        )
    if part.rows > MAX_ROWS or part.last_row > MAX_ROWS:
        rows = max(part.rows, part.last_row)
        raise InputError(
            path,
            where,
            f"more than {MAX_ROWS:,} rows (row {rows:,} and counting, empty formatted rows "
            f"included); the limit is {MAX_ROWS:,}: delete the unused rows below the data and "
            "save",
        )
    if totals.cells > MAX_WORKBOOK_CELLS:
        raise InputError(
            path,
            where,
            f"the workbook has more than {MAX_WORKBOOK_CELLS:,} cells (empty formatted cells "
            f"included); the limit is {MAX_WORKBOOK_CELLS:,}: delete unused rows and columns "
            "and save",
        )
    message = totals.over()
    if message is not None:
        raise InputError(path, where, message)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: BaseException | None = exc
    while seen is not None:
        yield seen
        seen = seen.__cause__ or seen.__context__


def open_workbook(path: Path, data_only: bool) -> Workbook:
    """Openpyxl's workbook, anything it trips on a one-line ``InputError`` (after ``survey``)."""
    try:
        with warnings.catch_warnings():  # "no stylesheet", "extension not supported": noise
            warnings.simplefilter("ignore", UserWarning)
            return openpyxl.load_workbook(path, data_only=data_only, read_only=False)
    except MemoryError:
        raise
    # openpyxl raises whatever its parser trips on in a damaged part (IndexError without a
    # styles part, AttributeError for a relationship that points nowhere): any of them means
    # the workbook cannot be read, which is the input's fault, not a bug to show as a traceback.
    except Exception as exc:
        unsafe = next((e for e in _causes(exc) if isinstance(e, DefusedXmlException)), None)
        if unsafe is not None:
            raise InputError(
                path, "", f"unsafe XML refused ({type(unsafe).__name__}: {unsafe})"
            ) from None
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise InputError(
            path, "", f"not a readable .xlsx workbook ({type(exc).__name__}: {cut(first_line)})"
        ) from None
