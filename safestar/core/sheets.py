"""Spreadsheets in the shape people already use: the one xlsx writer and reader of SafeStar.

Exports are laid out like a paper 台账: a title row, a row naming the unit and the period, the
header row, then the data. Imports find the header row by its column titles, so an exported file
(title rows and all) or the blank template both read back.
"""

import datetime
import decimal
import io
from dataclasses import dataclass
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from python_calamine import CalamineWorkbook
import xlsxwriter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell that starts with one of these would be read by Excel as a formula (CSV/DDE injection).
FORMULA_PREFIXES = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = True
    width: int = 16
    help: str = ""


def escape_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def unescape_cell(value):
    if isinstance(value, str) and value.startswith("'") and value[1:2] in FORMULA_PREFIXES and value[1:2]:
        return value[1:]
    return value


def write_xlsx(*, title, columns, rows, unit="", period="", sheet_name="台账", watermark=""):
    """rows: iterable of sequences in column order. Returns the file's bytes.

    watermark: who exported it and when (sensitive registers): written under the title, in the
    header and footer of every printed page, and in the file's properties."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"constant_memory": True, "in_memory": True})
    sheet = book.add_worksheet(sheet_name[:31])
    if watermark:
        book.set_properties({"title": title, "author": watermark, "comments": watermark})
        sheet.set_header(f"&C{watermark}")
        sheet.set_footer(f"&C{watermark}　第 &P 页 共 &N 页")
    title_fmt = book.add_format({"bold": True, "font_size": 16, "align": "center", "font_name": "宋体"})
    info_fmt = book.add_format({"font_size": 10, "font_name": "宋体"})
    head_fmt = book.add_format({"bold": True, "border": 1, "align": "center", "bg_color": "#D9E1F2", "font_name": "宋体"})
    cell_fmt = book.add_format({"border": 1, "font_name": "宋体"})
    date_fmt = book.add_format({"border": 1, "num_format": "yyyy-mm-dd", "font_name": "宋体"})
    last = max(len(columns) - 1, 0)
    for i, column in enumerate(columns):
        sheet.set_column(i, i, column.width)
    sheet.merge_range(0, 0, 0, last, title, title_fmt) if last else sheet.write_string(0, 0, title, title_fmt)
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    info = "　".join(p for p in [f"填报单位：{unit}" if unit else "", f"期间：{period}" if period else "", f"导出时间：{generated}", watermark] if p)
    sheet.write_string(1, 0, info, info_fmt)
    for i, column in enumerate(columns):
        sheet.write_string(2, i, column.label, head_fmt)
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            if value is None or value == "":
                sheet.write_blank(r, c, None, cell_fmt)
            elif isinstance(value, bool):
                sheet.write_string(r, c, "是" if value else "否", cell_fmt)
            elif isinstance(value, (int, float, decimal.Decimal)):
                sheet.write_number(r, c, float(value), cell_fmt)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(r, c, value, date_fmt)
            else:
                sheet.write_string(r, c, escape_cell(str(value)), cell_fmt)
    book.close()
    return buffer.getvalue()


def download_response(content: bytes, filename: str, content_type: str) -> HttpResponse:
    """A file download with its Chinese name (RFC 5987) and an ASCII fallback for old clients."""
    response = HttpResponse(content, content_type=content_type)
    extension = filename.rsplit(".", 1)[-1]
    response["Content-Disposition"] = f"attachment; filename=\"export.{extension}\"; filename*=UTF-8''{quote(filename)}"
    return response


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return download_response(content, filename, XLSX)


class SheetError(Exception):
    pass


def read_xlsx(data: bytes, columns):
    """Yield (row number as Excel shows it, {key: value}) for each non-empty data row.

    Raises SheetError (in Chinese) when the file is not a readable workbook or lacks a column.
    """
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several types for a corrupt or non-xlsx file
        raise SheetError("无法读取文件：请上传由本系统模板填写的 Excel（.xlsx）文件。") from exc
    labels = {c.label: c for c in columns}
    header_index = None
    for i, row in enumerate(rows[:20]):
        cells = [str(v).strip() for v in row]
        if sum(1 for v in cells if v in labels) >= min(2, len(columns)):  # a title row matches none
            header_index = i
            break
    if header_index is None:
        names = "、".join(c.label for c in columns)
        raise SheetError(f"找不到表头行：前20行中没有包含这些列名的行：{names}")
    header = [str(v).strip() for v in rows[header_index]]
    missing = [c.label for c in columns if c.required and c.label not in header]
    if missing:
        raise SheetError(f"缺少必需的列：{'、'.join(missing)}")
    positions = {labels[name].key: i for i, name in enumerate(header) if name in labels}
    for offset, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        values = {}
        for key, i in positions.items():
            value = row[i] if i < len(row) else ""
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            value = unescape_cell(value.strip() if isinstance(value, str) else value)
            values[key] = value
        if all(v in ("", None) for v in values.values()):
            continue
        yield offset, values
