"""Spreadsheets in the shape people already use: the one xlsx writer and reader of SafeStar.

Exports are laid out like a paper 台账: a title row, a row naming the unit and the period, the
header row, then the data. Imports find the header row by its column titles, so an exported file
(title rows and all) or the blank template both read back.
"""

import datetime
import re
import decimal
import io
from dataclasses import dataclass
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from python_calamine import CalamineWorkbook
import xlsxwriter

from .edge import clean_text

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
    synonyms: tuple = ()  # the names clerks give the column (受理日期: 受理时间, 登记日期 …)
    kind: str = "text"  # "text", "date", "bool", "choice", "number": the template's cell format and check
    options: tuple = ()  # the allowed values of a choice column, as written
    example: object = ""  # the template's example row


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
    moment_fmt = book.add_format({"border": 1, "num_format": "yyyy-mm-dd hh:mm", "font_name": "宋体"})
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
            elif isinstance(value, datetime.datetime):
                # Excel has no time zones: a moment is written as the local time people read on pages.
                local = timezone.localtime(value) if timezone.is_aware(value) else value
                sheet.write_datetime(r, c, local.replace(tzinfo=None), moment_fmt)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(r, c, value, date_fmt)
            else:
                sheet.write_string(r, c, escape_cell(clean_text(str(value))), cell_fmt)  # no control characters
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


# ── Reading ─────────────────────────────────────────────────────────────────────────────────

SPREADSHEETS = ("xlsx", "xls", "ods")
HEADER_ROWS = 20  # the header is looked for in the first rows (title, unit and date lines above it)
NOTES_SHEETS = ("填写说明", "说明", "填表说明")


@dataclass
class Sheet:
    name: str
    rows: list  # rows of cell values; a merged range carries its value in every cell it covers
    spans: set  # (row, column) of cells covered by a range merged across columns (a section title)
    hidden: bool = False


def read_workbook(data: bytes):
    """Every sheet of an xlsx, xls or ods file, after the hard limits (intake.py) passed. Raises
    SheetError in Chinese when the file is refused or unreadable."""
    from .intake import IntakeError, check_workbook
    from .uploads import sniff

    kind = sniff(data)
    if kind not in SPREADSHEETS:
        raise SheetError("无法读取文件：请上传 Excel 或 WPS 表格文件（.xlsx、.xls、.ods）。")
    try:
        check_workbook(data, kind)
    except IntakeError as exc:
        raise SheetError(str(exc)) from None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for index, meta in enumerate(book.sheets_metadata):
            hidden = "Visible" not in str(meta.visible) or "WorkSheet" not in str(meta.typ)
            sheet = book.get_sheet_by_index(index)
            rows = [] if hidden else sheet.to_python(skip_empty_area=False)
            merged = (sheet.merged_cell_ranges or []) if not hidden else []
            sheets.append(_filled(meta.name, rows, merged, hidden))
    except SheetError:
        raise
    except Exception as exc:  # calamine raises several types for a corrupt file
        raise SheetError("无法读取文件：文件已损坏，或不是 Excel/WPS 表格文件（.xlsx、.xls、.ods）。") from exc
    return sheets


def _filled(name, rows, merged, hidden):
    """Copy each merged range's value into every cell it covers: a two-row header's top label over
    its sub-columns, a village written once and merged down over its rows."""
    rows = [list(row) for row in rows]
    spans = set()
    for (top, left), (bottom, right) in merged:
        if top >= len(rows) or bottom - top > 100_000 or right - left > 1000:
            continue
        value = rows[top][left] if left < len(rows[top]) else ""
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            for c in range(left, right + 1):
                if c < len(rows[r]):
                    rows[r][c] = value
                    if right > left:
                        spans.add((r, c))
    return Sheet(name, rows, spans, hidden)


@dataclass
class Header:
    row: int  # index of the header's last row; data starts after it
    positions: dict  # column index → key
    labels: dict  # column index → the label as written in the file (two rows joined with "·")
    unknown: dict  # column index → label of a column no field claims
    title: list  # the text of the lines above the header (title, unit, date)
    score: tuple = (0, 0)  # columns recognised, of which by a sub-label (a two-row header wins a tie)


def label_key(text):
    """A header label compared: no spaces or line breaks, full-width folded, no * or ：."""
    from .cells import normalise

    return normalise(text).strip("*＊:：").replace("*", "")


def _bare(key):
    return re.sub(r"[（(][^）)]*[）)]", "", key)


def find_header(rows, lookup, ignored=()):
    """The header in the first rows: one row, or two (a merged top label over sub-labels). `lookup`
    maps label keys (label_key) to column keys. Returns a Header, or None when no row names at
    least two known columns."""
    best = None
    for i in range(min(HEADER_ROWS, len(rows))):
        for height in (1, 2):
            if i + height > len(rows):
                continue
            header = _match(rows, i, height, lookup, ignored)
            if header and (best is None or header.score > best.score):
                best = header
    if best is None or len(set(best.positions.values())) < min(2, len(set(lookup.values()))):
        return None
    while best.row + 1 < len(rows) and [_text(v) for v in rows[best.row + 1]] == [_text(v) for v in rows[best.row]]:
        best.row += 1  # a header merged down over two rows: the data starts under both
    return best


def _match(rows, i, height, lookup, ignored):
    top = [_text(v) for v in rows[i]]
    sub = [_text(v) for v in rows[i + 1]] if height == 2 else top
    width = max(len(top), len(sub))
    top, sub = top + [""] * (width - len(top)), sub + [""] * (width - len(sub))
    if height == 2 and not any(s and s != t for s, t in zip(sub, top)):
        return None  # no sub-label: a one-row header
    if height == 2 and len({t for t in top if t}) == 1 and sum(1 for t in top if t) > 1:
        return None  # one text merged across: a title or a 填报单位 line above the header, not group labels
    labels, candidates = {}, {}
    for c in range(width):
        t, s = top[c], sub[c]
        if not (t or s):
            continue
        labels[c] = s if (not t or s == t) else (t if not s else f"{t}·{s}")
        options = [label_key(t + s), label_key(s), label_key(t)] if height == 2 and s != t else [label_key(t or s)]
        candidates[c] = [o for o in options if o]
    positions, taken, by_sub = {}, set(), 0
    for rank in range(3):  # the most specific reading first: 当事人·姓名 before 当事人
        for c, options in candidates.items():
            if c in positions or rank >= len(options):
                continue
            key = lookup.get(options[rank]) or lookup.get(_bare(options[rank]))
            if key and key not in taken:
                positions[c] = key
                taken.add(key)
                by_sub += len(options) == 3 and rank < 2
    if not positions or (height == 2 and not by_sub):
        return None  # a second row that names nothing is data, not sub-labels
    unknown = {c: labels[c] for c in candidates if c not in positions
               and not any(o in ignored or _bare(o) in ignored for o in candidates[c])}
    title = [" ".join(_text(v) for v in row if _text(v)) for row in rows[:i]]
    return Header(i + height - 1, positions, labels, unknown, [t for t in title if t], (len(positions), by_sub))


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# Rows that are not records: totals, the signature lines under the table, section titles.
TOTAL_WORDS = ("合计", "小计", "总计", "累计", "共计")
FOOTER_WORDS = ("填表人", "填报人", "制表人", "审核人", "审核", "负责人", "填报日期", "填表日期", "制表日期", "报送日期",
                "联系电话", "单位负责人", "分管领导", "记录人", "统计人", "经办人", "审批人", "签字", "签名", "盖章",
                "说明", "注", "备注")
SECTION = re.compile(r"^(第?[一二三四五六七八九十\d]+(季度|月份?|周|批|阶段)|[上下]半年|全年|[一二三四五六七八九十]+[、.．]\S*|"
                     r"\d{4}年(\d{1,2}月份?)?)$")
EXAMPLE_MARKS = ("示例", "例", "样例", "填写示例")


def skip_reason(cells, spans_row=False):
    """Why a data row is not a record (合计, a footer, a section title, blank), or None."""
    texts = []  # distinct (a merged cell counts once); five are enough: a row with five is no footer or section
    for value in cells:
        if text := _text(value):
            key = label_key(text)
            if key not in texts:
                texts.append(key)
                if len(texts) == 5:
                    break
    if not texts:
        return "空行"
    first = texts[0]
    if any(t.startswith(w) for t in texts[:3] for w in TOTAL_WORDS):
        return f"合计行（“{first[:20]}”）"
    if first in EXAMPLE_MARKS:
        return "模板中的示例行"
    if len(texts) <= 4 and any(re.match(rf"^({'|'.join(FOOTER_WORDS)})[:：]", t) or t in FOOTER_WORDS for t in texts):
        return f"表尾（“{first[:20]}”）"
    if len(texts) == 1 and (SECTION.match(first) or spans_row):
        return f"分段标题行（“{first[:20]}”）"
    return None


def read_xlsx(data: bytes, columns):
    """The first sheet's rows as (row number as Excel shows it, {key: value}): blank rows and the
    template's example row left out. For reading back our own exports (tests, round trips); imports
    read every sheet through core/imports.py."""
    sheets = read_workbook(data)
    lookup = {}
    for column in columns:
        for name in (column.label, *column.synonyms):
            lookup.setdefault(label_key(name), column.key)
    header = find_header(sheets[0].rows, lookup) if sheets else None
    if header is None:
        raise SheetError(f"找不到表头行：前20行中没有包含这些列名的行：{'、'.join(c.label for c in columns)}")
    missing = [c.label for c in columns if c.required and c.key not in header.positions.values()]
    if missing:
        raise SheetError(f"缺少必需的列：{'、'.join(missing)}")
    for r, row in enumerate(sheets[0].rows[header.row + 1:], start=header.row + 2):
        values = {}
        for c, key in header.positions.items():
            value = row[c] if c < len(row) else ""
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            values[key] = unescape_cell(value.strip() if isinstance(value, str) else value)
        if all(v in ("", None) for v in values.values()) or skip_reason(row) == "模板中的示例行":
            continue
        yield r, values
