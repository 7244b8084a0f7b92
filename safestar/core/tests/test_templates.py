"""The import template a clerk downloads: 序号, one grey example row that the import ignores,
drop-down lists for every choice and yes/no column, dates formatted as dates, a 填写说明 sheet
and an info line that reads as one."""

import io
import re
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from safestar.core.ledger import LEDGERS
from safestar.org.models import User


def test_the_template_has_numbers_an_example_drop_downs_and_instructions(login):
    ledger = LEDGERS["cameras"]
    content = login("town").get("/ledgers/cameras/template.xlsx").content
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names == ["台账", "填写说明"]
    rows = book.get_sheet_by_name("台账").to_python()
    assert rows[0][0] == "技防设施台账"
    assert rows[1][0].startswith("填报单位：") and "带 * 的为必填列：安装位置" in rows[1][0] and "示例" in rows[1][0]
    header = rows[2]
    assert header[:4] == ["序号", "村级区划代码", "村名称", "安装位置 *"]  # no 系统编号 in a template: new rows only
    assert rows[3][:4] == ["示例", "", "长岗村", "村委会门口"]
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    lists = re.findall(r'<dataValidation type="list"[^>]*sqref="([A-Z]+)5:[A-Z]+1005"[^>]*>.*?<formula1>(.*?)</formula1>', sheet)
    by_column = {header[ord(col) - 65]: formula for col, formula in lists}
    assert by_column == {"类别": '"视频监控,报警器,硬质隔离,其他"', "已与公安联网": '"是,否"', "在用": '"是,否"'}
    assert 'type="date"' in sheet  # the date column checks for a date
    notes = book.get_sheet_by_name("填写说明").to_python()
    assert notes[1] == ["列名", "是否必填", "填写要求 / 可选值", "示例"]
    lines = {row[0]: row for row in notes[2:] if row[0]}
    assert lines["安装位置"][1] == "必填" and lines["类别"][2].startswith("从下拉列表选择：视频监控、报警器、硬质隔离、其他")
    assert "也认列名：点位名称" in lines["安装位置"][2] and lines["安装日期"][3] == "2023-06-01"
    assert list(lines)[:8] == ["村级区划代码", "村名称", *(ledger.label(name) for name in ledger.fields)]  # every column


def test_a_blank_template_imports_nothing_and_a_filled_one_imports_its_rows(login):
    from safestar.security.models import Camera

    client = login("village1")
    content = client.get("/ledgers/cameras/template.xlsx").content
    report = client.post("/ledgers/cameras/import/", {"file": SimpleUploadedFile("模板.xlsx", content)}).context["report"]
    assert [e.message for e in report.errors] == ["文件中没有数据行。"]
    assert report.sheets[0].skipped == {"模板中的示例行": 1} and report.sheets[1].note == "填写说明，未读取"
    import xlsxwriter  # a clerk fills row 5 under the example (village left blank: village1's own)

    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    rows = book.get_sheet_by_name("台账").to_python()
    buffer = io.BytesIO()
    out = xlsxwriter.Workbook(buffer)
    sheet = out.add_worksheet("台账")
    for r, row in enumerate(rows[:4]):
        sheet.write_row(r, 0, row)
    sheet.write_row(4, 0, [1, "", "", "村西口", "视频监控", "2路", "√", "在用", "2023年3月2日"])
    out.close()
    dry = client.post("/ledgers/cameras/import/", {"file": SimpleUploadedFile("填好的.xlsx", buffer.getvalue())})
    assert dry.context["report"].summary() == "新增 1 行"
    client.post("/ledgers/cameras/import/", {"token": dry.context["token"]})
    camera = Camera.objects.get(location="村西口")
    assert (camera.division.name, camera.channels, camera.networked, str(camera.installed_on)) == ("长岗村", 2, True, "2023-03-02")


def test_a_related_column_s_example_is_its_name_in_the_template(login):
    """The incidents ledger's example kind is 电信诈骗, the name the drop-down and the import take (not
    its code, telecom_fraud), in the example row and in the notes."""
    content = login("town").get("/ledgers/incidents/template.xlsx").content
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    rows = book.get_sheet_by_name("台账").to_python()
    example = dict(zip(rows[2], rows[3]))
    assert example["类别 *"] == "电信诈骗"
    lines = {row[0]: row for row in book.get_sheet_by_name("填写说明").to_python()[2:] if row[0]}
    assert lines["类别"][3] == "电信诈骗"


def test_every_related_example_is_an_option_the_import_takes_by_name(world):
    """A ledger's example of a related column (the template's example row, the notes) is one of the
    names the template's drop-down offers and the import reads: never a code or a number."""
    from safestar.core.ledger_ops import LedgerImporter

    user = User.objects.get(username="town")
    checked = 0
    for slug, ledger in LEDGERS.items():
        importer = LedgerImporter(ledger, user)
        for name in ledger.fields:
            if ledger.field(name).many_to_one and name in ledger.example:
                assert str(ledger.example[name]) in importer.options[name], (slug, name, ledger.example[name])
                checked += 1
    assert checked >= 2  # incidents' kind, clues' receiving department


def test_a_related_column_without_an_example_has_none_and_a_named_one_keeps_its_name(login):
    """A related column without an example has none (not some option); one with an example shows it."""
    client = login("town")
    for slug, field, expected in (("hazard-inspections", "hazard", ""), ("religious-activities", "venue", ""),
                                  ("clues", "reported_to", "长岗派出所")):
        rows = CalamineWorkbook.from_filelike(io.BytesIO(client.get(f"/ledgers/{slug}/template.xlsx").content)).get_sheet_by_name("台账").to_python()
        example = {str(label).removesuffix(" *"): value for label, value in zip(rows[2], rows[3])}
        assert example[LEDGERS[slug].label(field)] == expected, slug
