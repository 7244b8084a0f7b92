"""Property tests: any cell of any type in any column of any import gives a value or a Chinese
error about that cell (never an exception), and a whole file either imports completely or writes
nothing (never a 500, never a partial write)."""

import datetime
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings, strategies as st

from safestar.core.cells import CellError
from safestar.core.ledger import LEDGERS

WORDS = ["是", "否", "√", "×", "在用", "停用", "已联网", "未接入", "有", "无", "是的", "一般", "较大", "重大", "调解成功", "长岗村", "杨庄",
         "411422100201", "411422101201", "2023.5.6", "2023年5月6日", "2023/5/6", "2023-13-01", "2023.10", "2023年10月", "约200人",
         "10台", "500条", "3.5小时", "-1", "0", "1e9", "合计", "小计", "填表人：王某", "一季度", "示例", "=1+1", "'=SUM(A1)", "　", "\n",
         "１２３", "２０２３年５月６日", "NaN", "inf", "13800000000", "吸毒人员", "在管", "411422198001011234"]

cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(2100, 1, 1)),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(2100, 1, 1)),
    st.sampled_from(WORDS),
    st.text(max_size=40),
)


def field_cases():
    for slug, ledger in sorted(LEDGERS.items()):
        for name in ledger.fields:
            if not ledger.field(name).many_to_one:
                yield pytest.param(slug, name, id=f"{slug}.{name}")


@pytest.mark.parametrize("slug, name", list(field_cases()))
@settings(max_examples=60, deadline=None)
@given(value=cells)
def test_any_cell_converts_or_is_refused_in_chinese(slug, name, value):
    from safestar.core.ledger_ops import cell_to_form

    ledger = LEDGERS[slug]
    try:
        cell_to_form(ledger.field(name), value, ledger.field_units(name), month=name in ledger.month_fields)
    except CellError as exc:
        message = str(exc)
        assert message and any("\u4e00" <= ch <= "\u9fff" for ch in message)


def workbook(labels, rows):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_string(0, 0, "随机台账")
    for c, label in enumerate(labels):
        sheet.write_string(1, c, label)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, (int, float)):
                sheet.write_number(r, c, value)
            elif isinstance(value, datetime.datetime):
                sheet.write_datetime(r, c, value, date)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date)
            else:
                sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def check_file(client, url, model, content):
    before = model.objects.count()
    response = client.post(url, {"file": SimpleUploadedFile("随机.xlsx", content)})
    assert response.status_code == 200
    assert model.objects.count() == before  # the dry run never writes
    report = response.context["report"]
    if report is not None and report.ok and "token" in response.context:
        data = {"token": response.context["token"], "confirm_updates": "1"}
        done = client.post(url, data)
        assert done.status_code in (200, 302)
        if done.status_code == 302:
            assert model.objects.count() == before + report.counts["create"]  # all of it
        else:
            assert model.objects.count() == before  # or none of it


@pytest.mark.parametrize("slug", sorted(LEDGERS))
def test_random_sheets_never_crash_or_half_write(login, slug):
    ledger = LEDGERS[slug]
    labels = [c.label for c in ledger.columns()]
    client = login("town")

    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
    @given(rows=st.lists(st.lists(cells, min_size=len(labels), max_size=len(labels)), min_size=1, max_size=3))
    def run(rows):
        check_file(client, f"/ledgers/{slug}/import/", ledger.model, workbook(labels, rows))

    run()


@pytest.mark.parametrize("url, model, columns", [
    ("/key-persons/import/", "keypersons.KeyPerson", "safestar.keypersons.exports.export_columns"),
    ("/key-persons/visits/import/", "keypersons.Visit", "safestar.keypersons.exports.visit_columns"),
])
def test_random_registers_and_visit_sheets_never_crash_or_half_write(login, url, model, columns):
    from django.apps import apps
    from django.utils.module_loading import import_string

    labels = [c.label for c in import_string(columns)()]
    model = apps.get_model(model)
    client = login("town")

    @settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
    @given(rows=st.lists(st.lists(cells, min_size=len(labels), max_size=len(labels)), min_size=1, max_size=3))
    def run(rows):
        check_file(client, url, model, workbook(labels, rows))

    run()
