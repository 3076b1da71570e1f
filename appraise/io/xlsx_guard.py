"""A workbook's package checked before openpyxl builds anything from it.

openpyxl builds a Python object for every cell, row, style, name and string it reads, so a
small file can cost minutes and gigabytes. Everything here runs first, on the zip archive and
its XML as bytes: size and part counts, the unpacking ratio, encryption, and a pass over every
XML part counting what openpyxl would build, refused past what a scoring workbook could need.
"""

from __future__ import annotations

import posixpath
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from openpyxl.workbook.workbook import Workbook

from appraise.errors import InputError
from appraise.io.xlsx_layout import MAX_ROWS
from appraise.model import (
    MAX_UNZIPPED_BYTES,
    MAX_WORKBOOK_CELLS,
    MAX_XLSX_BYTES,
    MAX_ZIP_MEMBERS,
    MAX_ZIP_RATIO,
)


def check_container(path: Path) -> None:
    """Refuse files that are not zip workbooks, or that would unpack to something huge."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputError(path, "", "file not found") from None
    if size > MAX_XLSX_BYTES:
        raise InputError(path, "", f"workbook is {size:,} bytes; the limit is {MAX_XLSX_BYTES:,}")
    if not zipfile.is_zipfile(path):
        raise InputError(path, "", "not an .xlsx workbook (an .xlsx file is a zip archive)")
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise InputError(
                path, "", f"workbook has {len(members):,} parts; the limit is {MAX_ZIP_MEMBERS:,}"
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
                    f"part '{m.filename}' unpacks {m.file_size:,} bytes from "
                    f"{m.compress_size:,}; refusing a possible zip bomb",
                )


_PREFIX = rb"<(?:[A-Za-z_][\w.-]*:)?"  # spreadsheetml may carry a namespace prefix (x:row)
_ROW = re.compile(_PREFIX + rb"row(?=[\s/>])([^>]*)>")
_ROW_INDEX = re.compile(rb'\sr\s*=\s*"(\d+)"')
_CELL = re.compile(_PREFIX + rb"c(?=[\s/>])")
_CELL_ROW = re.compile(_PREFIX + rb'c\s[^>]*?\br\s*=\s*"[A-Za-z]{1,3}(\d+)"')
_FORMULA = re.compile(_PREFIX + rb"f(?=[\s/>])")
_CHUNK = 1 << 20
# Things openpyxl builds a Python object for, one each, that no cell count bounds: counted in
# the same pass and refused past what a scoring workbook could need (merged tables are refused
# anyway; a template has no hyperlinks or comments).
_COUNTED = {
    "merged ranges": (re.compile(_PREFIX + rb"mergeCell(?=[\s/>])"), 1_000),
    "hyperlinks": (re.compile(_PREFIX + rb"hyperlink(?=[\s/>])"), 10_000),
    "comments": (re.compile(_PREFIX + rb"comment(?=[\s/>])"), 10_000),
    "shared strings": (re.compile(_PREFIX + rb"si(?=[\s/>])"), MAX_WORKBOOK_CELLS),
}


@dataclass
class _Part:
    """What a quick pass over one worksheet's XML found, before openpyxl builds anything."""

    name: str
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


def _sheet_names(archive: zipfile.ZipFile, path: Path) -> dict[str, str]:
    """Worksheet part -> sheet name, from ``xl/workbook.xml`` and its relationships."""
    try:
        workbook = SafeElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = SafeElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except DefusedXmlException as exc:
        raise InputError(path, "", f"unsafe XML refused ({type(exc).__name__}: {exc})") from None
    except (KeyError, ParseError):
        return {}  # not where Excel puts them: openpyxl finds them, or says what is wrong
    targets = {
        rel.get("Id"): rel.get("Target", "") for rel in rels if rel.tag.endswith("Relationship")
    }
    names = {}
    for sheet in workbook.iter():
        if sheet.tag.endswith("}sheet"):
            rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rel_id, "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            names[posixpath.normpath(part)] = sheet.get("name", part)
    return names


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo, part: _Part) -> int:
    """Count a part's rows (and find the last row number) and cells, a megabyte at a time.

    Stops as soon as a limit is passed: a million formatted empty rows cost a fraction of a
    second here, where openpyxl would take minutes and gigabytes to build them.
    """
    cells, tail = 0, b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            text = tail + chunk
            cut = text.rfind(b"<") if chunk else -1  # tags never hold '<': all before are whole
            cut = cut if cut > 0 and len(text) - cut < _CHUNK else len(text)
            text, tail = text[:cut], text[cut:]
            cells += len(_CELL.findall(text))
            part.formulas = part.formulas or _FORMULA.search(text) is not None
            for what, (pattern, _) in _COUNTED.items():
                part.counted[what] = part.counted.get(what, 0) + len(pattern.findall(text))
            if part.over():
                return cells
            for row in _ROW.finditer(text):
                index = _ROW_INDEX.search(row.group(1))
                part.rows += 1
                part.last_row = int(index.group(1)) if index else part.last_row + 1
                if part.rows > MAX_ROWS or part.last_row > MAX_ROWS:
                    return cells
            for cell in _CELL_ROW.finditer(text):
                part.last_row = max(part.last_row, int(cell.group(1)))
            if part.last_row > MAX_ROWS or cells > MAX_WORKBOOK_CELLS or not chunk:
                return cells


def survey(path: Path) -> bool:
    """Refuse a workbook whose sheets are too large to load, before openpyxl loads it.

    Returns whether any cell holds a formula (only then is the workbook read a second time for
    formulas, to name those with no saved result).
    """
    with zipfile.ZipFile(path) as archive:
        names = _sheet_names(archive, path)
        cells, formulas = 0, False
        for member in archive.infolist():
            if not member.filename.lower().endswith(".xml") or member.filename in (
                "xl/workbook.xml",
                "xl/styles.xml",
            ):
                continue
            name = names.get(posixpath.normpath(member.filename), member.filename)
            part = _Part(name)
            cells += _scan(archive, member, part)
            formulas = formulas or part.formulas
            over = part.over()
            if over is not None:
                what, limit = over
                raise InputError(
                    path,
                    f"sheet '{part.name}'" if part.name != member.filename else member.filename,
                    f"more than {limit:,} {what}; a scoring workbook needs far fewer: delete "
                    "them and save",
                )
            if part.rows > MAX_ROWS or part.last_row > MAX_ROWS:
                rows = max(part.rows, part.last_row)
                raise InputError(
                    path,
                    f"sheet '{part.name}'",
                    f"more than {MAX_ROWS:,} rows (row {rows:,} and counting, empty formatted "
                    f"rows included); the limit is {MAX_ROWS:,}: delete the unused rows below "
                    "the data and save",
                )
            if cells > MAX_WORKBOOK_CELLS:
                raise InputError(
                    path,
                    f"sheet '{part.name}'",
                    f"the workbook has more than {MAX_WORKBOOK_CELLS:,} cells (empty formatted "
                    f"cells included); the limit is {MAX_WORKBOOK_CELLS:,}: delete unused rows "
                    "and columns and save",
                )
    return formulas


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
            path, "", f"not a readable .xlsx workbook ({type(exc).__name__}: {first_line})"
        ) from None
