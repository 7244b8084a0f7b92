"""Hard limits on an uploaded spreadsheet, checked on the file itself before any reader allocates.

A 1.6 KB xlsx whose sheet declares `A1:XFD1048576`, a zip that unpacks to gigabytes, ten thousand
sheets or XML nested a million deep must be refused, not read. `check_workbook(data)` looks at the
archive (xlsx, ods: the zip directory and a streaming scan of each sheet's XML with expat, never a
tree) or the compound file (xls: its sector chains and BIFF records), and raises `IntakeError` with
a Chinese message naming the limit that was passed. Only then does python-calamine see the file.

The limits are the setting `SAFESTAR_IMPORT_LIMITS` (any key may be overridden; see LIMITS below
and docs/security.md).
"""

import io
import re
import struct
import zipfile
import xml.parsers.expat

from django.conf import settings

LIMITS = {
    "max_bytes": 20 * 1024 * 1024,  # the uploaded file
    "max_uncompressed": 200 * 1024 * 1024,  # all parts of an xlsx/ods archive, unpacked
    "max_ratio": 100,  # unpacked / packed size of any part (a zip bomb is thousands)
    "max_sheets": 100,
    "max_rows": 100_000,  # per sheet
    "max_columns": 200,  # per sheet
    "max_cells": 4_000_000,  # rows × columns of a sheet's area (what a reader allocates)
    "max_xml_depth": 64,  # nesting of XML elements (a sheet needs about 6)
}

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
COLUMN = re.compile(r"([A-Z]{1,3})(\d+)")


class IntakeError(Exception):
    """The file passes a hard limit: the message (Chinese) names it."""


def limits():
    return LIMITS | getattr(settings, "SAFESTAR_IMPORT_LIMITS", {})


def check_workbook(data: bytes, kind: str):
    """Refuse `data` (of kind "xlsx", "ods" or "xls") if it passes any limit; else return None."""
    lim = limits()
    if len(data) > lim["max_bytes"]:
        raise IntakeError(f"文件过大：{_mb(len(data))}，上限为 {_mb(lim['max_bytes'])}（文件大小限制）。")
    if kind == "xls":
        return _check_xls(data, lim)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise IntakeError("文件已损坏或不是 Excel/WPS 表格文件，无法读取。") from None
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > lim["max_ratio"] * max(info.compress_size, 1):
            raise IntakeError(
                f"文件压缩比异常（{info.filename} 解压后是压缩时的 {info.file_size // max(info.compress_size, 1)} 倍，"
                f"上限 {lim['max_ratio']} 倍），疑似压缩炸弹，拒绝读取。"
            )
    if total > lim["max_uncompressed"]:
        raise IntakeError(f"文件解压后过大：{_mb(total)}，上限为 {_mb(lim['max_uncompressed'])}（解压后大小限制）。")
    if kind == "ods":
        return _check_parts(archive, [n for n in archive.namelist() if n in ("content.xml", "styles.xml")], lim, _OdsCounter)
    sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    if len(sheets) > lim["max_sheets"]:
        raise IntakeError(f"工作表过多：{len(sheets)} 个，上限为 {lim['max_sheets']} 个（工作表数量限制）。")
    others = [n for n in ("xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml") if n in archive.namelist()]
    _check_parts(archive, others, lim, _Counter)
    _check_parts(archive, sheets, lim, _XlsxCounter)


def _mb(size):
    return f"{size / 1024 / 1024:.1f} MB"


def _check_parts(archive, names, lim, counter_class):
    for name in names:
        counter = counter_class(name, lim)
        parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = counter.start
        parser.EndElementHandler = counter.end
        parser.StartDoctypeDeclHandler = counter.doctype  # no DTD, so no entity can expand
        parser.EntityDeclHandler = counter.doctype
        try:
            with archive.open(name) as stream:
                while chunk := stream.read(256 * 1024):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
        except xml.parsers.expat.ExpatError:
            raise IntakeError(f"文件已损坏（{name} 不是有效的 XML），无法读取。") from None
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
            raise IntakeError("文件已损坏或不是 Excel/WPS 表格文件，无法读取。") from None
        counter.finish()


class _Counter:
    """Depth and DTD checks for any XML part."""

    def __init__(self, name, lim):
        self.name, self.lim, self.depth = name, lim, 0

    def start(self, tag, attrs):
        self.depth += 1
        if self.depth > self.lim["max_xml_depth"]:
            raise IntakeError(f"文件结构异常：XML 嵌套超过 {self.lim['max_xml_depth']} 层（XML 深度限制），拒绝读取。")

    def end(self, tag):
        self.depth -= 1

    def doctype(self, *args):
        raise IntakeError("文件结构异常：含有 DTD/实体声明（XML 实体限制），Excel 文件不会有，拒绝读取。")

    def finish(self):
        pass

    def check_area(self, rows, columns, where):
        lim = self.lim
        if rows > lim["max_rows"]:
            raise IntakeError(f"{where}行数过多：{rows} 行，上限为 {lim['max_rows']} 行（行数限制）。")
        if columns > lim["max_columns"]:
            raise IntakeError(f"{where}列数过多：{columns} 列，上限为 {lim['max_columns']} 列（列数限制）。")
        if rows * columns > lim["max_cells"]:
            raise IntakeError(f"{where}区域过大：{rows} 行 × {columns} 列，上限为 {lim['max_cells']} 个单元格（单元格数量限制）。")


def _cell_position(ref):
    match = COLUMN.match(ref or "")
    if not match:
        return None
    letters, row = match.groups()
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - 64
    return int(row), column


class _XlsxCounter(_Counter):
    """A worksheet: its declared dimension (`<dimension ref="A1:XFD1048576">`) and the furthest
    row and cell actually present."""

    def __init__(self, name, lim):
        super().__init__(name, lim)
        self.rows = self.columns = 0
        self.where = f"工作表（{name.rsplit('/', 1)[-1]}）"
        self.max_depth = lim["max_xml_depth"]
        self.row = ""  # the r of the row being read, as written (digits only)
        self.letters = {}  # column letters met in a cell reference (a sheet has few) → column number

    def start(self, tag, attrs):
        # Called for every element of the sheet (a cell is two or three): kept short. The area is
        # checked only when the furthest row or column grows (the checks only grow with them).
        self.depth += 1
        if self.depth > self.max_depth:
            super().start(tag, attrs)  # raises
        if tag[-2:] == " c" or tag == "c":
            ref = attrs.get("r") or ""
            letters = ref.rstrip("0123456789")
            column = self.letters.get(letters)
            if column is None or ref[len(letters):] != self.row:
                # Known letters (the reference without its trailing digits) followed by the row's own
                # number read as before: the same column, and a row already counted (letters with a
                # digit inside read the same position as the first time). Anything else: in full.
                position = _cell_position(ref)
                if position is None:
                    return
                row, column = position
                if len(self.letters) < 1024:
                    self.letters[letters] = column
                if row > self.rows:
                    self.rows = row
                    self.columns = max(self.columns, column)
                    self.check_area(self.rows, self.columns, self.where)
            if column > self.columns:
                self.columns = column
                self.check_area(self.rows, self.columns, self.where)
            return
        if tag[-2:] == " v":
            return
        local = tag.rsplit(" ", 1)[-1]
        if local == "dimension":
            last = (attrs.get("ref") or "").split(":")[-1]
            if position := _cell_position(last):
                self.check_area(*position, f"{self.where}声明的")
        elif local == "row":
            number = attrs.get("r", "")
            self.row = number if number.isdigit() else ""
            if self.row and int(number) > self.rows:
                self.rows = int(number)
                self.check_area(self.rows, self.columns, self.where)


TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"


class _OdsCounter(_Counter):
    """An OpenDocument spreadsheet: every sheet (table:table) is in content.xml; rows and cells may
    say they repeat (number-rows-repeated), which counts where the repeated row or cell has content."""

    def __init__(self, name, lim):
        super().__init__(name, lim)
        self.sheets = 0
        self.row = self.column = self.rows = self.columns = 0
        self.repeat_row = self.repeat_cell = 1
        self.cell_has_content = False

    def start(self, tag, attrs):
        super().start(tag, attrs)
        if not tag.startswith(TABLE):
            if self.depth and self.repeat_cell:
                self.cell_has_content = True  # text inside a cell
            return
        local = tag.rsplit(" ", 1)[-1]
        if local == "table":
            self.sheets += 1
            if self.sheets > self.lim["max_sheets"]:
                raise IntakeError(f"工作表过多：超过 {self.lim['max_sheets']} 个（工作表数量限制）。")
            self.row = 0
        elif local == "table-row":
            self.repeat_row = _int(attrs.get(f"{TABLE} number-rows-repeated"))
            self.column = 0
            self.row_has_content = False
        elif local in ("table-cell", "covered-table-cell"):
            self.repeat_cell = _int(attrs.get(f"{TABLE} number-columns-repeated"))
            self.cell_has_content = any(k.endswith(("value", "formula")) for k in attrs)

    def end(self, tag):
        super().end(tag)
        local = tag.rsplit(" ", 1)[-1] if tag.startswith(TABLE) else ""
        if local in ("table-cell", "covered-table-cell"):
            self.column += self.repeat_cell
            if self.cell_has_content:
                self.row_has_content = True
                self.columns = max(self.columns, self.column)
            self.repeat_cell, self.cell_has_content = 1, False
        elif local == "table-row":
            self.row += self.repeat_row
            if self.row_has_content:
                self.rows = max(self.rows, self.row)
            self.check_area(self.rows, self.columns, "工作表")


def _int(value):
    return int(value) if value and value.isdigit() else 1


# ── .xls (BIFF8 in an OLE2 compound file) ───────────────────────────────────────────────────

BOUNDSHEET, DIMENSIONS, EOF_RECORD = 0x0085, 0x0200, 0x000A
CELL_RECORDS = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0201, 0x0204, 0x0205, 0x00BD, 0x00BE, 0x00D6}
MULTI_RECORDS = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, …, last column at the end


def _check_xls(data, lim):
    stream = _ole_stream(data, ("Workbook", "Book"))
    sheets = rows = columns = 0
    offset = 0
    while offset + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, offset)
        body = stream[offset + 4: offset + 4 + length]
        offset += 4 + length
        if kind == BOUNDSHEET:
            sheets += 1
            if sheets > lim["max_sheets"]:
                raise IntakeError(f"工作表过多：超过 {lim['max_sheets']} 个（工作表数量限制）。")
        elif kind == DIMENSIONS and len(body) >= 12:
            last_row, last_column = struct.unpack_from("<I", body, 4)[0], struct.unpack_from("<H", body, 10)[0]
            _Counter("", lim).check_area(last_row, last_column, "工作表声明的")
        elif kind in CELL_RECORDS and len(body) >= 4:
            row, column = struct.unpack_from("<HH", body, 0)
            if kind in MULTI_RECORDS and len(body) >= 6:
                column = struct.unpack_from("<H", body, len(body) - 2)[0]
            rows, columns = max(rows, row + 1), max(columns, column + 1)
            _Counter("", lim).check_area(rows, columns, "工作表")
        elif kind == EOF_RECORD:
            rows = columns = 0  # the next sheet's substream


def _ole_stream(data, names):
    """The bytes of the first stream named in `names` of an OLE2 compound file (enough of the format
    to find the workbook: header, FAT through the DIFAT, the directory, one sector chain)."""
    broken = IntakeError("文件已损坏或不是 Excel/WPS 表格文件，无法读取。")
    if not data.startswith(OLE_MAGIC) or len(data) < 512:
        raise broken
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if shift not in (9, 12) or mini_shift != 6:
        raise broken
    size = 1 << shift
    fat_sectors, directory_start = struct.unpack_from("<I", data, 44)[0], struct.unpack_from("<I", data, 48)[0]
    mini_cutoff, mini_fat_start = struct.unpack_from("<II", data, 56)
    difat_start, difat_count = struct.unpack_from("<II", data, 68)
    sector_count = (len(data) - 512) // size + 1
    if fat_sectors > sector_count:
        raise broken
    difat = list(struct.unpack_from("<109I", data, 76))
    seen = set()
    while difat_start < 0xFFFFFFFA and difat_count:
        if difat_start in seen or difat_start >= sector_count:
            raise broken
        seen.add(difat_start)
        block = _sector(data, difat_start, size)
        values = struct.unpack(f"<{size // 4}I", block)
        difat.extend(values[:-1])
        difat_start, difat_count = values[-1], difat_count - 1
    fat = []
    for sector in difat[:fat_sectors]:
        if sector >= sector_count:
            raise broken
        fat.extend(struct.unpack(f"<{size // 4}I", _sector(data, sector, size)))

    def chain(start, limit):
        out, sector, steps = bytearray(), start, 0
        while sector < 0xFFFFFFFA:
            if sector >= len(fat) or steps > sector_count:
                raise broken
            out += _sector(data, sector, size)
            if len(out) > limit:
                raise broken
            sector, steps = fat[sector], steps + 1
        return bytes(out)

    directory = chain(directory_start, len(data))
    entries = {}
    root_start = None
    for i in range(0, len(directory) - 127, 128):
        name_length = struct.unpack_from("<H", directory, i + 64)[0]
        name = directory[i: i + max(name_length - 2, 0)].decode("utf-16-le", "replace")
        kind = directory[i + 66]
        start, length = struct.unpack_from("<II", directory, i + 116)
        if kind == 5:
            root_start = (start, length)
        elif kind == 2:
            entries[name] = (start, length)
    for name in names:
        if name in entries:
            start, length = entries[name]
            if length > len(data):
                raise broken
            if length < mini_cutoff and root_start is not None:  # a tiny workbook lives in the mini stream
                mini_stream = chain(root_start[0], len(data))
                mini_fat = struct.unpack(f"<{len(chain(mini_fat_start, len(data))) // 4}I", chain(mini_fat_start, len(data))) if mini_fat_start < 0xFFFFFFFA else ()
                out, sector, steps = bytearray(), start, 0
                while sector < 0xFFFFFFFA and len(out) < length:
                    if sector >= len(mini_fat) or steps > len(mini_fat):
                        raise broken
                    out += mini_stream[sector * 64: sector * 64 + 64]
                    sector, steps = mini_fat[sector], steps + 1
                return bytes(out[:length])
            return chain(start, len(data) + size)[:length]
    raise broken


def _sector(data, number, size):
    start = 512 + number * size
    block = data[start: start + size]
    if len(block) < size:
        block = block.ljust(size, b"\0")
    return block
