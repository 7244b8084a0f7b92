"""Hostile spreadsheets are refused on the archive itself, before any reader allocates (core/intake.py).

Each crafted file is read in a child process whose address space is capped (RLIMIT_AS): a reader
that trusted the file would be killed or fail; the intake answers with the Chinese message naming
the limit. The same cap reads an ordinary workbook of the corpus, so the cap is not what refuses.
"""

import io
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from hypothesis import given, settings as examples, strategies as st
from django.core.files.uploadedfile import SimpleUploadedFile

CORPUS = Path(__file__).resolve().parents[3] / "tests" / "data" / "realformat"
MEMORY_CAP = 1536 * 1024 * 1024  # address space of the child: far below what the crafted files would take

CHILD = r"""
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
import django
django.setup()
from safestar.core.sheets import SheetError, read_workbook
data = sys.stdin.buffer.read()
try:
    sheets = read_workbook(data)
except SheetError as exc:
    print("REFUSED", exc)
else:
    print("READ", sum(len(s.rows) for s in sheets))
"""


def read_capped(data):
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "safestar.test_settings"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(MEMORY_CAP)], input=data, capture_output=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout.decode().strip()


def xlsx(rewrite=None, extra=None):
    """A small valid workbook; `rewrite(sheet_xml) -> xml` alters its sheet, `extra` adds parts."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["受理日期", "当事人"])
    sheet.write_row(1, 0, ["2023-05-06", "张某"])
    book.close()
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml" and rewrite:
                data = rewrite(data.decode()).encode()
            target.writestr(name, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def test_an_ordinary_workbook_reads_under_the_same_cap():
    assert read_capped((CORPUS / "01_矛盾纠纷排查调处台账.xlsx").read_bytes()).startswith("READ")
    assert read_capped((CORPUS / "05_治安巡逻登记表.xls").read_bytes()).startswith("READ")
    assert read_capped((CORPUS / "10_人民调解员花名册.ods").read_bytes()).startswith("READ")


def test_a_huge_declared_dimension_is_refused():
    data = xlsx(lambda x: x.replace('<dimension ref="A1:B2"/>', '<dimension ref="A1:XFD1048576"/>'))
    assert len(data) < 10_000
    assert read_capped(data) == "REFUSED 工作表（sheet1.xml）声明的行数过多：1048576 行，上限为 100000 行（行数限制）。"


def test_a_cell_far_away_is_refused_whatever_the_dimension_says():
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    data = xlsx(lambda x: x.replace("</sheetData>", far))
    assert read_capped(data).startswith("REFUSED 工作表（sheet1.xml）行数过多：1048576 行")


def test_a_zip_bomb_is_refused():
    bomb = "<row>" + " " * (60 * 1024 * 1024) + "</row></sheetData>"  # 60 MB of blanks, packed to about 60 KB
    data = xlsx(lambda x: x.replace("</sheetData>", bomb))
    assert len(data) < 200_000
    assert "疑似压缩炸弹" in read_capped(data)


@pytest.mark.parametrize("sheets", [10_000])
def test_ten_thousand_sheets_are_refused(sheets):
    extra = {f"xl/worksheets/sheet{n}.xml": "<worksheet/>" for n in range(2, sheets + 1)}
    assert read_capped(xlsx(extra=extra)) == f"REFUSED 工作表过多：{sheets} 个，上限为 100 个（工作表数量限制）。"


def test_deep_xml_and_entities_are_refused():
    deep = "<x>" * 100_000 + "</x>" * 100_000 + "</sheetData>"
    assert "XML 嵌套超过 64 层（XML 深度限制）" in read_capped(xlsx(lambda x: x.replace("</sheetData>", deep)))
    laughs = '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    data = xlsx(lambda x: laughs + x.split("?>", 1)[1])
    assert "DTD/实体声明（XML 实体限制）" in read_capped(data)


def test_an_ods_whose_rows_repeat_a_million_times_is_refused():
    source = zipfile.ZipFile(CORPUS / "10_人民调解员花名册.ods")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "content.xml":
                data = data.replace(b"<table:table-row ", b'<table:table-row table:number-rows-repeated="1048576" ', 1)
            target.writestr(name, data)
    assert "行数过多" in read_capped(out.getvalue())


def test_an_xls_declaring_a_huge_sheet_is_refused():
    data = bytearray((CORPUS / "05_治安巡逻登记表.xls").read_bytes())
    at = data.find(b"\x00\x02\x0e\x00")  # the DIMENSIONS record (0x0200, 14 bytes)
    assert at > 0
    struct.pack_into("<IIHH", data, at + 4, 0, 1_000_000, 0, 255)
    assert read_capped(bytes(data)) == "REFUSED 工作表声明的行数过多：1000000 行，上限为 100000 行（行数限制）。"


def test_the_limits_are_settings_and_the_page_names_the_limit(login, settings):
    settings.SAFESTAR_IMPORT_LIMITS = {"max_rows": 5}
    client = login("town")
    name = "01_矛盾纠纷排查调处台账.xlsx"
    report = client.post("/ledgers/disputes/import/", {"file": SimpleUploadedFile(name, (CORPUS / name).read_bytes())}).context["report"]
    assert [e.message for e in report.errors] == ["工作表（sheet1.xml）声明的行数过多：15 行，上限为 5 行（行数限制）。"]


def test_a_file_that_is_no_spreadsheet_is_refused_by_its_content(login):
    response = login("town").post("/ledgers/disputes/import/", {"file": SimpleUploadedFile("台账.xlsx", b"%PDF-1.4 not a workbook")})
    assert "只接受" in response.context["upload_error"] and "按文件内容识别" in response.context["upload_error"]


# ---- the worksheet scan reads the area the same way on every sheet, with or without its shortcut ----

def _area_as_read_in_full(xml_text, lim):
    """The worksheet counter's answer when every cell reference is read in full: the furthest row and
    column (or the limit's message), checked as they grow. The reference for the shortcut of
    `_XlsxCounter`, which reads only the references that are not a known column in the row's own row."""
    import xml.parsers.expat

    from safestar.core.intake import IntakeError, _cell_position, _Counter

    counter, state = _Counter("sheet1.xml", lim), {"rows": 0, "columns": 0}

    def grow(rows, columns):
        if rows > state["rows"] or columns > state["columns"]:
            state["rows"], state["columns"] = max(state["rows"], rows), max(state["columns"], columns)
            counter.check_area(state["rows"], state["columns"], "工作表（sheet1.xml）")

    def start(tag, attrs):
        local = tag.rsplit(" ", 1)[-1]
        if local == "c" and (position := _cell_position(attrs.get("r"))):
            grow(*position)
        elif local == "row" and (number := attrs.get("r", "")).isdigit():
            grow(int(number), 0)

    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    try:
        parser.Parse(xml_text.encode(), True)
    except IntakeError as exc:
        return str(exc)
    return state["rows"], state["columns"]


def _area_scanned(xml_text, lim):
    import xml.parsers.expat

    from safestar.core.intake import IntakeError, _XlsxCounter

    counter = _XlsxCounter("xl/worksheets/sheet1.xml", lim)
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = counter.start, counter.end
    try:
        parser.Parse(xml_text.encode(), True)
    except IntakeError as exc:
        return str(exc)
    return counter.rows, counter.columns


_letters = st.one_of(st.sampled_from(["A", "B", "Z", "AA", "XFD", "AAAA", "a", ""]),
                     st.text(alphabet="ABCXYZab", min_size=1, max_size=4))
_digits = st.one_of(st.sampled_from(["", "0", "01", "7", "60", "100000"]), st.integers(1, 80).map(str))


@st.composite
def _sheet_xml(draw):
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        r = draw(st.one_of(st.none(), _digits, st.sampled_from(["x", "-1"])))
        cells = []
        for _ in range(draw(st.integers(0, 5))):
            digits = draw(st.one_of(st.just(r or ""), _digits))  # mostly the row's own number, as Excel writes
            ref = draw(st.one_of(st.builds(str.__add__, _letters, st.just(digits)), st.none(), st.just("A1x")))
            cells.append("<c/>" if ref is None else f'<c r="{ref}"><v>1</v></c>')
        attr = "" if r is None else f' r="{r}"'
        rows.append(f"<row{attr}>{''.join(cells)}</row>")
        if draw(st.booleans()):
            rows.append(f'<c r="{draw(_letters)}{draw(_digits)}"/>')  # a cell outside any row
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    return f"<worksheet {ns}><sheetData>{''.join(rows)}</sheetData></worksheet>"


@examples(max_examples=400, deadline=None)
@given(_sheet_xml())
def test_the_worksheet_scan_finds_the_area_as_a_full_reading_does(xml_text):
    lim = {"max_xml_depth": 64, "max_rows": 60, "max_columns": 30, "max_cells": 900}
    assert _area_scanned(xml_text, lim) == _area_as_read_in_full(xml_text, lim)
