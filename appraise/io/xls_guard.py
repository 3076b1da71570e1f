"""A legacy Excel workbook (.xls) checked before python-calamine reads it.

An .xls is an OLE2 compound file ([MS-CFB]) holding a ``Workbook`` stream of BIFF8 records
([MS-XLS]). calamine reads every sheet when it opens the file and trusts what the file says
it holds: it follows sector chains without looking for loops, reserves what a sheet's
DIMENSIONS record and the shared-string count claim, and builds every sheet as a full
rectangle up to its last cell (a 9 KB file of eight sheets, each with a value in A1 and IV65536,
took 10 s and 4.7 GB). So the container is walked here as calamine walks it, every sector it
would read checked to be in the file and every chain to end, and the records counted as it
counts them; anything out of bounds is refused, in one line, before calamine sees the file.
Pure reading, linear in the file's size (at most ``MAX_XLSX_BYTES``).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from appraise.errors import InputError
from appraise.io.faults import reading
from appraise.io.sniff import unreadable
from appraise.io.xlsx_guard import MAX_MERGED, SheetLayout
from appraise.io.xlsx_layout import MAX_ROWS
from appraise.limits import MAX_SHEETS, MAX_WORKBOOK_CELLS, MAX_XLSX_BYTES
from appraise.safe_text import cut

_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_REGULAR = 0xFFFFFFFA  # sector numbers from here on are marks, not sectors
_DIFAT_SECTOR = 0xFFFFFFFC
_END_OF_CHAIN = 0xFFFFFFFE
_MINI_CUTOFF = 4096  # a stream shorter than this lives in the mini stream
_MINI_SECTOR = 64

# BIFF8 record types ([MS-XLS] 2.3) that carry a cell at (row, column) in their first 4 bytes.
# Number, Label, BoolErr, RK, LabelSst, Formula.
_CELLS = {0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x0006}
_MUL_RK = 0x00BD
_STRING = 0x0207  # a formula's text result, at the formula's cell
_DIMENSIONS = 0x0200
_ROW = 0x0208  # its options' bit 5 (fDyZero): the row is hidden
_COLUMNS = 0x007D  # ColInfo: its options' bit 0 (fHidden): the columns are hidden
_MERGED = 0x00E5  # MergeCells: a count, then (first row, last row, first column, last column)
_BOUND_SHEET = 0x0085
_SST = 0x00FC
_CONTINUE = 0x003C
_LABEL_NAME = 0x0018  # Lbl: a defined name
_EXTERN_SHEET = 0x0017
_FORMULA = 0x0006
# Records calamine reads a fixed number of bytes from without looking at their length (an
# index past the end is a Rust panic: its message on stderr, then PanicException): CodePage,
# Date1904, FilePass, BOF, BoundSheet8, ExternSheet.
_AT_LEAST = {0x0042: 2, 0x0022: 2, 0x002F: 2, 0x0809: 2, _BOUND_SHEET: 8, _EXTERN_SHEET: 2}
_NAME_FORMULA = {0x3A: 7, 0x5A: 7, 0x7A: 7, 0x3B: 11, 0x5B: 11, 0x7B: 11}  # PtgRef3d, PtgArea3d
_EOF = 0x000A


class _Damaged(Exception):
    """The container or its records are not what they claim: the file cannot be read."""


def check_xls(path: Path) -> dict[str, SheetLayout]:
    """Refuse an .xls too large, damaged past reading, or holding more than a workbook needs.

    Returns what calamine does not say of each sheet (by name): hidden rows and columns, merges.
    """
    with reading(path):
        size = path.stat().st_size
        if size > MAX_XLSX_BYTES:
            raise InputError(
                path, "", f"workbook is {size:,} bytes; the limit is {MAX_XLSX_BYTES:,}"
            )
        data = path.read_bytes()
    try:
        stream = _workbook_stream(data)
        return _survey_records(path, stream)
    except _Damaged as exc:
        raise unreadable(path, "xls", str(exc)) from None


# --- the compound file, walked as calamine's cfb.rs walks it ---------------------------------


@dataclass
class _Container:
    data: bytes
    sector_size: int

    @property
    def sectors(self) -> int:
        """Whole sectors after the header (which takes the first sector's room)."""
        return max(0, len(self.data) // self.sector_size - 1)

    def sector(self, number: int) -> bytes:
        if number >= self.sectors:
            raise _Damaged(f"sector {number:,} is past the end of the file")
        start = (number + 1) * self.sector_size
        return self.data[start : start + self.sector_size]

    def chain(self, first: int, table: list[int], length: int, unit: int, pool: bytes) -> bytes:
        """The bytes of a chain of sectors (or mini sectors, from ``pool``), loops refused."""
        if length > len(self.data):
            raise _Damaged(f"a stream claims {length:,} bytes, more than the file holds")
        parts: list[bytes] = []
        seen: set[int] = set()
        number = first
        while number != _END_OF_CHAIN:
            if number >= len(table) or number in seen:
                raise _Damaged("a chain of sectors loops or points outside the file")
            seen.add(number)
            if pool:
                if (number + 1) * unit > len(pool):
                    raise _Damaged("a mini sector is past the end of the mini stream")
                parts.append(pool[number * unit : (number + 1) * unit])
            else:
                parts.append(self.sector(number))
            number = table[number]
        joined = b"".join(parts)
        return joined[:length] if length else joined


def _u32s(block: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(block) // 4}I", block[: len(block) // 4 * 4]))


def _workbook_stream(data: bytes) -> bytes:
    """The ``Workbook`` stream (or Excel 5's ``Book``), every sector of the way checked."""
    if len(data) < 512 or not data.startswith(_SIGNATURE):
        raise _Damaged("the file is shorter than its header")
    sector_shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if sector_shift not in (9, 12) or mini_shift != 6:
        raise _Damaged("its header is not a compound file's")
    directory_sectors, fat_sectors, directory_start = struct.unpack_from("<III", data, 40)
    mini_fat_start, mini_fat_sectors, difat_start = struct.unpack_from("<III", data, 60)
    container = _Container(data, 1 << sector_shift)
    # calamine reserves room from these header fields before reading anything.
    # calamine reserves room for a count it reads from bytes 62-65 (which straddle two fields).
    reserved = struct.unpack_from("<I", data, 62)[0]
    if max(directory_sectors, fat_sectors, mini_fat_sectors) > container.sectors or (
        reserved > 1 << 26
    ):
        raise _Damaged("its header claims more sectors than the file holds")
    fat = _allocation_table(container, difat_start)
    size = container.sector_size
    directory = container.chain(directory_start, fat, directory_sectors * size, size, b"")
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries:
        raise _Damaged("its directory is empty")
    lengths = [_length(entry, size) for entry in entries]
    mini_pool, mini_fat = b"", []
    if mini_fat_sectors > 0:
        root_start = struct.unpack_from("<I", entries[0], 116)[0]
        mini_pool = container.chain(root_start, fat, lengths[0], size, b"")
        mini_fat = _u32s(container.chain(mini_fat_start, fat, mini_fat_sectors * size, size, b""))
    names = [_name(entry) for entry in entries]
    for wanted in ("Workbook", "Book"):
        if wanted in names:
            i = names.index(wanted)
            start, length = struct.unpack_from("<I", entries[i], 116)[0], lengths[i]
            if length < _MINI_CUTOFF:
                if not mini_pool:
                    raise _Damaged(f"its {wanted} stream is empty")
                return container.chain(start, mini_fat, length, _MINI_SECTOR, mini_pool)
            return container.chain(start, fat, length, size, b"")
    raise _Damaged("it holds no Workbook stream")


def _allocation_table(container: _Container, difat_start: int) -> list[int]:
    """The FAT: its sectors listed in the header's 109 entries and the DIFAT's own chain."""
    difat = _u32s(container.data[76:512])
    seen: set[int] = set()
    number = difat_start
    while number < _MAX_REGULAR:  # each DIFAT sector's last entry is the next one
        if number in seen:
            raise _Damaged("the chain of allocation sectors loops")
        seen.add(number)
        difat.extend(_u32s(container.sector(number)))
        number = difat.pop()
    fat: list[int] = []
    for number in difat:
        if number < _DIFAT_SECTOR:
            fat.extend(_u32s(container.sector(number)))
    return fat


def _length(entry: bytes, sector_size: int) -> int:
    if sector_size == 512:
        return int(struct.unpack_from("<I", entry, 120)[0])
    return int(struct.unpack_from("<Q", entry, 120)[0])


def _name(entry: bytes) -> str:
    return entry[:64].decode("utf-16-le", "replace").split("\0")[0]


# --- the BIFF records, counted as calamine's xls.rs reads them -------------------------------


@dataclass
class _Sheet:
    """One sheet's cells as calamine builds them: a rectangle from A1 padded to the last."""

    layout: SheetLayout
    cells: int = 0
    last_row: int = 0  # 1-based; 0 for a sheet with no cell
    last_column: int = 0
    dimensions: int = 0  # what its DIMENSIONS record has calamine reserve

    def read(self, kind: int, data: bytes) -> None:
        """Count one record of the sheet."""
        if (  # a formula shorter than 20 bytes calamine reports itself
            kind == _FORMULA
            and len(data) >= 20
            and (len(data) < 22 or 22 + struct.unpack_from("<H", data, 20)[0] > len(data))
        ):
            raise _Damaged("a formula runs past its record")
        if kind in _CELLS and len(data) >= 4:
            row, column = struct.unpack_from("<HH", data)
            self.add(row, column, column)
        elif kind == _MUL_RK and len(data) >= 6:
            row, first = struct.unpack_from("<HH", data)
            self.add(row, first, first + max(0, (len(data) - 6) // 6 - 1))
        elif kind == _DIMENSIONS and len(data) in (10, 14):
            self.dimensions = _dimensions(data)
        elif kind == _ROW and len(data) >= 14 and data[12] & 0x20:
            row = struct.unpack_from("<H", data)[0] + 1
            self.layout.hidden_rows.append((row, row))
        elif kind == _COLUMNS and len(data) >= 10 and data[8] & 0x01:
            first, last = struct.unpack_from("<HH", data)
            self.layout.hidden_columns.append((first + 1, last + 1))
        elif kind == _MERGED and len(data) >= 2:
            count = struct.unpack_from("<H", data)[0]
            if len(data) < 2 + 8 * count:
                raise _Damaged("a sheet's merged cells run past their record")
            for i in range(count):
                first_row, last_row, first, last = struct.unpack_from("<HHHH", data, 2 + 8 * i)
                self.layout.merged.append((first_row + 1, first + 1, last_row + 1, last + 1))

    def add(self, row: int, first: int, last: int) -> None:
        self.cells += last - first + 1
        self.last_row = max(self.last_row, row + 1)
        self.last_column = max(self.last_column, last + 1)

    @property
    def area(self) -> int:
        return self.last_row * self.last_column


_HEADER = struct.Struct("<HH")


def _records(stream: bytes, start: int) -> Iterator[tuple[int, bytes, int]]:
    """The records from ``start`` to the first EOF, as calamine reads them.

    Each is (type, its own data, its length with the CONTINUE records that follow it): calamine
    reads a cell from the record's own data, and a count of strings against them all. Nothing
    is copied but each record's own data.
    """
    unpack, size = _HEADER.unpack_from, len(stream)
    at = start
    while at < size:
        if at + 4 > size:
            raise _Damaged("a record is cut short")
        kind, length = unpack(stream, at)
        end = at + 4 + length
        if end > size:
            raise _Damaged("a record runs past the end of the stream")
        data = stream[at + 4 : end]
        while end + 4 <= size and unpack(stream, end)[0] == _CONTINUE:
            end += 4 + unpack(stream, end)[1]
            if end > size:
                raise _Damaged("a record runs past the end of the stream")
        yield kind, data, end - at
        at = end
        if kind == _EOF:
            return


def _survey_records(path: Path, stream: bytes) -> dict[str, SheetLayout]:
    """Refuse a workbook whose sheets, cells or claimed sizes pass what calamine should build."""
    positions: list[tuple[int, str]] = []
    for kind, data, length in _records(stream, 0):
        _check_global(kind, data)
        if kind == _BOUND_SHEET:
            positions.append((struct.unpack_from("<I", data)[0], _sheet_name(data)))
            if len(positions) > MAX_SHEETS:
                raise InputError(
                    path, "", f"more than {MAX_SHEETS:,} sheets; a scoring workbook needs ten"
                )
        elif kind == _SST and len(data) >= 8:
            count = struct.unpack_from("<i", data, 4)[0]
            if count < 0 or count > length // 3:  # each string takes 3 bytes at least
                raise _Damaged(f"its shared strings claim {count:,} strings in {length:,} bytes")
    walked = 0
    total = 0
    layout: dict[str, SheetLayout] = {}
    merged = 0
    for position, name in sorted(positions):
        if position >= len(stream):
            raise _Damaged(f"sheet '{name}' starts past the end of the stream")
        sheet = _Sheet(SheetLayout())
        layout[name] = sheet.layout
        for kind, data, length in _records(stream, position):
            walked += length
            sheet.read(kind, data)
        if walked > len(stream):  # sheets that overlap would be read again and again
            raise _Damaged("two sheets share the same records")
        merged += len(sheet.layout.merged)
        if merged > MAX_MERGED:
            raise InputError(
                path,
                f"sheet '{cut(name)}'",
                f"more than {MAX_MERGED:,} merged ranges; a scoring workbook needs far fewer: "
                "unmerge them and save",
            )
        total += max(sheet.area, sheet.dimensions)
        where = f"sheet '{cut(name)}'"
        if sheet.last_row > MAX_ROWS:
            raise InputError(
                path,
                where,
                f"more than {MAX_ROWS:,} rows (a value in row {sheet.last_row:,}); the limit is "
                f"{MAX_ROWS:,}: delete the rows below the data and save",
            )
        if total > MAX_WORKBOOK_CELLS:
            raise InputError(
                path,
                where,
                f"the workbook has more than {MAX_WORKBOOK_CELLS:,} cells from A1 to the last "
                f"value of each sheet (here row {sheet.last_row:,}, column "
                f"{sheet.last_column:,}); delete unused rows and columns and save",
            )
    return layout


def _check_global(kind: int, data: bytes) -> None:
    """Refuse a workbook-level record shorter than what calamine reads from it unchecked."""
    if len(data) < _AT_LEAST.get(kind, 0):
        raise _Damaged(f"a record of type 0x{kind:04X} is {len(data)} bytes, too short")
    if kind == _EXTERN_SHEET and struct.unpack_from("<H", data)[0] * 6 > len(data) - 2:
        raise _Damaged("its list of sheet references runs past its record")
    if kind == _LABEL_NAME:
        if len(data) < 14 or len(data) < 15 + data[3]:
            raise _Damaged("a defined name runs past its record")
        size = struct.unpack_from("<H", data, 4)[0]
        formula = data[len(data) - size :] if size else b""
        if size > len(data) or (formula and len(formula) < _NAME_FORMULA.get(formula[0], 3)):
            raise _Damaged("a defined name's formula runs past its record")


def _sheet_name(data: bytes) -> str:
    """A BoundSheet8's name ([MS-XLS] 2.4.28), for messages: 8-bit or UTF-16 characters."""
    count, wide = data[6], data[7] & 1
    text = data[8 : 8 + count * (2 if wide else 1)]
    return text.decode("utf-16-le" if wide else "latin-1", "replace")


def _dimensions(body: bytes) -> int:
    """The cells calamine reserves for a DIMENSIONS record ([MS-XLS] 2.4.90)."""
    if len(body) == 14:
        first_row, end_row, first_column, end_column = struct.unpack_from("<IIHH", body)
    else:
        first_row, end_row, first_column, end_column = struct.unpack_from("<HHHH", body)
    if end_row < 1 or end_column < 1:
        return 1
    if end_row - 1 < first_row or end_column - 1 < first_column:
        raise _Damaged("a sheet's DIMENSIONS record ends before it starts")
    return int((end_row - first_row) * (end_column - first_column))
