"""Villages under a town: the add page, the xlsx import (dry run, all or nothing) and the export."""

import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import CHANGGANG, PINGGANG, VILLAGE1
from safestar.audit.models import AuditEvent
from safestar.core.sheets import read_xlsx
from safestar.org.forms import VILLAGE_COLUMNS
from safestar.org.models import Division


def xlsx(rows, header=("所属乡镇代码", "村级区划代码", "村名称")):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    for r, row in enumerate([header, *rows]):
        for c, value in enumerate(row):
            sheet.write_string(r, c, str(value))
    book.close()
    return SimpleUploadedFile("villages.xlsx", buffer.getvalue())


def upload(client, file):
    return client.post("/divisions/import/", {"file": file})


def confirm(client, dry_run_response):
    return client.post("/divisions/import/", {"token": dry_run_response.context["token"]})


def test_town_adds_a_village(login):
    client = login("town")
    response = client.post(f"/divisions/{CHANGGANG}/villages/new/", {"town_code": CHANGGANG, "code": "411422100221", "name": "新建村"})
    assert response.status_code == 302
    village = Division.objects.get(code="411422100221")
    assert village.parent.code == CHANGGANG and village.level == "village"
    assert village.path.endswith(f"/{CHANGGANG}/411422100221/")
    event = AuditEvent.objects.get(action="create", object_id=str(village.pk))
    assert event.actor_name == "town" and event.changes["name"] == [None, "新建村"]


@pytest.mark.parametrize(
    "code, message",
    [
        ("4114221002", "区划代码应为12位数字"),
        ("411422101221", "村级代码应以所属乡镇代码前9位 411422100 开头"),
        ("411422100000", "末3位不能为000"),
        (VILLAGE1, f"区划代码 {VILLAGE1} 已被使用"),
    ],
)
def test_a_bad_village_code_is_refused_in_chinese(login, code, message):
    before = Division.objects.count()
    response = login("town").post(f"/divisions/{CHANGGANG}/villages/new/", {"town_code": CHANGGANG, "code": code, "name": "坏村"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Division.objects.count() == before


def test_cannot_add_a_village_to_another_town_by_changing_the_hidden_field(login):
    response = login("town").post(f"/divisions/{CHANGGANG}/villages/new/", {"town_code": PINGGANG, "code": "411422101221", "name": "越权村"})
    assert response.status_code == 200
    assert "村级代码应以所属乡镇代码前9位 411422100 开头" in response.content.decode()
    assert not Division.objects.filter(code="411422101221").exists()


def test_import_dry_run_then_commit(login):
    client = login("town")
    dry = upload(client, xlsx([(CHANGGANG, "411422100221", "前进村"), (CHANGGANG, "411422100222", "胜利村")]))
    assert dry.status_code == 200
    assert "检查通过：新增 2 行" in dry.content.decode()
    assert not Division.objects.filter(code="411422100221").exists()  # the dry run wrote nothing
    done = confirm(client, dry)
    assert done.status_code == 302
    assert set(Division.objects.filter(code__in=["411422100221", "411422100222"]).values_list("name", flat=True)) == {"前进村", "胜利村"}
    assert AuditEvent.objects.filter(action="import").exists()


def test_an_import_with_one_bad_row_writes_nothing_and_names_row_and_column(login):
    client = login("town")
    before = Division.objects.count()
    response = upload(
        client,
        xlsx([
            (CHANGGANG, "411422100221", "前进村"),
            (CHANGGANG, "41142210022X", "坏代码村"),
            (PINGGANG, "411422101221", "别镇村"),
            (CHANGGANG, "411422100221", "重复村"),
            (CHANGGANG, "411422100223", ""),
        ]),
    )
    text = response.content.decode()
    assert "未导入任何数据" in text
    errors = [(e.row, e.column, e.message) for e in response.context["report"].errors]
    assert (3, "村级区划代码", "区划代码应为12位数字") in errors
    assert (4, "所属乡镇代码", f"乡镇 {PINGGANG} 不存在或不在您的管辖范围内") in errors
    assert (5, "村级区划代码", "代码 411422100221 在文件中重复出现") in errors
    assert (6, "村名称", "这个字段是必填项。") in errors
    assert "token" not in response.context
    assert Division.objects.count() == before


@pytest.mark.parametrize("content", [b"not a workbook", b"\x89PNG\r\n\x1a\n0000", b"%PDF-1.7 ..."])
def test_a_file_that_is_not_a_workbook_is_refused_by_its_content(login, content):
    response = upload(login("town"), SimpleUploadedFile("villages.xlsx", content))
    assert "文件类型不符：只接受 Excel（.xlsx）" in response.content.decode()


def test_a_word_file_named_xlsx_is_refused(login):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    response = upload(login("town"), SimpleUploadedFile("villages.xlsx", buffer.getvalue()))
    assert "文件类型不符" in response.content.decode()


def test_a_file_too_large_is_refused(login, monkeypatch):
    monkeypatch.setattr("safestar.core.imports.MAX_UPLOAD_BYTES", 10)
    response = upload(login("town"), xlsx([(CHANGGANG, "411422100221", "前进村")]))
    assert "文件过大" in response.content.decode()


def test_a_missing_column_is_named(login):
    response = upload(login("town"), xlsx([(CHANGGANG, "411422100221")], header=("所属乡镇代码", "村级区划代码")))
    assert "缺少必需的列：村名称" in response.content.decode()


def test_a_forged_confirmation_token_is_refused(login):
    client = login("town")
    response = client.post("/divisions/import/", {"token": "forged"}, follow=True)
    assert "导入确认已失效" in response.content.decode()


def test_export_reimports_unchanged(login):
    client = login("town")
    exported = client.get(f"/divisions/{CHANGGANG}/villages.xlsx")
    assert exported.status_code == 200
    assert "filename*=UTF-8''" in exported["Content-Disposition"]
    rows = list(read_xlsx(exported.content, VILLAGE_COLUMNS))
    assert len(rows) == 20
    assert rows[0] == (4, {"town_code": CHANGGANG, "code": VILLAGE1, "name": "长岗村"})
    dry = upload(client, SimpleUploadedFile("export.xlsx", exported.content))
    assert dry.context["report"].ok
    assert dry.context["report"].summary() == "无变化 20 行"


def test_import_renames_an_existing_village_of_the_same_town(login):
    client = login("town")
    dry = upload(client, xlsx([(CHANGGANG, VILLAGE1, "长岗社区")]))
    assert dry.context["report"].summary() == "更新 1 行"
    confirm(client, dry)
    assert Division.objects.get(code=VILLAGE1).name == "长岗社区"


def test_export_escapes_formula_like_names(login):
    Division.objects.filter(code=VILLAGE1).update(name="=HYPERLINK(1)")
    content = login("town").get(f"/divisions/{CHANGGANG}/villages.xlsx").content
    from python_calamine import CalamineWorkbook

    cells = [c for row in CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python() for c in row]
    assert "'=HYPERLINK(1)" in cells
    rows = dict((v["code"], v["name"]) for _, v in read_xlsx(content, VILLAGE_COLUMNS))
    assert rows[VILLAGE1] == "=HYPERLINK(1)"  # and it reads back as it was


def test_village_cadre_export_holds_only_its_village(login):
    content = login("village1").get(f"/divisions/{VILLAGE1}/villages.xlsx").content
    assert [v["code"] for _, v in read_xlsx(content, VILLAGE_COLUMNS)] == [VILLAGE1]
    assert AuditEvent.objects.filter(action="export", actor_name="village1").exists()


def test_template_download_reads_back_as_empty(login):
    content = login("town").get("/divisions/import/template.xlsx").content
    assert list(read_xlsx(content, VILLAGE_COLUMNS)) == []
