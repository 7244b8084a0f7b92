"""The real-format corpus (tests/data/realformat/, made by make_corpus.py): workbooks laid out the way
township offices keep them import through the pages, with the expected counts per file and per sheet,
the rows that are not records reported as skipped, and nothing written until the confirmation."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import VILLAGE1, VILLAGE2

CORPUS = Path(__file__).resolve().parent / "data" / "realformat"


def upload(client, url, name):
    return client.post(url, {"file": SimpleUploadedFile(name, (CORPUS / name).read_bytes())})


def choose(client, url, response, fills=None, **answers):
    """Answer the mapping step: every unrecognised column as `answers` says (by its label), else 不导入;
    the values asked once for the whole file (a start date the register does not keep) from `fills`."""
    report = response.context["report"]
    data = {"token": response.context["token"], "step": "choose"}
    for key, (label, _guess) in report.unmapped.items():
        data[f"map:{key}"] = answers.get(label, "")
    for key, value in (fills or {}).items():
        data[f"fill:{key}"] = value
    return client.post(url, data)


def commit(client, url, response):
    data = {"token": response.context["token"]}
    if response.context["report"].changes:
        data["confirm_updates"] = "1"
    return client.post(url, data)


def sheets(report):
    return {s.name: (s.counts["create"], dict(s.skipped), s.note) for s in report.sheets}


# (file, persona, import URL, model, records created, {sheet: (created, skipped rows by reason, note)},
#  {column the register does not keep: the value given once on the page})
CASES = [
    ("01_矛盾纠纷排查调处台账.xlsx", "town", "/ledgers/disputes/import/", "disputes.Dispute", 6,
     {"台账": (6, {"分段标题行": 2, "合计行": 1, "表尾": 1}, "")}, {}),
    ("02_安全隐患排查整治台账（分村）.xlsx", "town", "/ledgers/hazards/import/", "safety.Hazard", 7,
     {"长岗村": (3, {"合计行": 1, "表尾": 1}, ""), "杨庄村": (2, {"合计行": 1, "表尾": 1}, ""),
      "李庄村": (2, {"合计行": 1, "表尾": 1}, ""), "汇总": (0, {}, "前20行中没有找到本表的列名，未读取")}, {}),
    ("03_普法宣传台账.xlsx", "village1", "/ledgers/publicity/import/", "publicity.Activity", 5,
     {"2023年": (5, {"合计行": 1, "表尾": 1}, "")}, {}),
    ("05_治安巡逻登记表.xls", "town", "/ledgers/patrols/import/", "security.Patrol", 5,
     {"巡逻登记": (5, {"合计行": 1, "表尾": 1}, "")}, {}),
    ("06_视频监控台账.xlsx", "police", "/ledgers/cameras/import/", "security.Camera", 5,
     {"监控": (5, {"合计行": 1, "表尾": 1}, "")}, {}),
    ("07_信访台账.xlsx", "town", "/ledgers/petitions/import/", "disputes.Petition", 4,
     {"信访": (4, {"合计行": 1, "表尾": 1}, "")}, {}),
    ("08_应急物资台账.xlsx", "village2", "/ledgers/emergency-supplies/import/", "emergency.EmergencySupply", 4,
     {"物资": (4, {"合计行": 1, "表尾": 1}, "")}, {"acquired_on": "2021-05-01"}),
    ("09_宗教活动场所台账.xlsx", "town", "/ledgers/religious-venues/import/", "religion.ReligiousVenue", 3,
     {"场所": (3, {"合计行": 1, "表尾": 1}, "")}, {"known_since": "2016-03-01"}),
    ("10_人民调解员花名册.ods", "village1", "/ledgers/mediators/import/", "disputes.Mediator", 3,
     {"调解员": (3, {"表尾": 1}, "")}, {}),
]


@pytest.mark.parametrize("name, persona, url, model, created, per_sheet, fills", CASES, ids=[c[0][:2] for c in CASES])
def test_a_real_format_workbook_imports(login, name, persona, url, model, created, per_sheet, fills):
    from django.apps import apps

    model = apps.get_model(model)
    client = login(persona)
    before = model.objects.count()
    dry = upload(client, url, name)
    if fills:  # the register has no such column: the page asks for one value for the whole file
        assert [c.key for c in dry.context["report"].fills_needed] == list(fills) and dry.context["step"] == "choose"
        dry = choose(client, url, dry, fills=fills)
    report = dry.context["report"]
    assert [(e.sheet, e.row, e.column, e.value, e.message) for e in report.errors] == []
    assert not report.needs_choices, report.unmapped
    assert report.summary() == f"新增 {created} 行"
    assert sheets(report) == per_sheet
    assert model.objects.count() == before  # the dry run writes nothing
    done = commit(client, url, dry)
    assert done.status_code == 302, done.context and [e.message for e in done.context["report"].errors]
    assert model.objects.count() == before + created
    for key, value in fills.items():
        assert {str(getattr(r, key)) for r in model.objects.order_by("-pk")[:created]} == {value}


def test_disputes_are_read_with_the_clerks_words_dates_and_village_names(login):
    from safestar.disputes.models import Dispute

    client = login("town")
    dry = upload(client, "/ledgers/disputes/import/", "01_矛盾纠纷排查调处台账.xlsx")
    commit(client, "/ledgers/disputes/import/", dry)
    rows = {d.parties: d for d in Dispute.objects.filter(parties__contains="某").select_related("division")}
    first = rows["张某某、李某某"]
    assert (first.division.name, str(first.received_on), first.category, first.stage, str(first.closed_on)) == (
        "长岗村", "2023-01-09", "homestead", "resolved", "2023-01-20")  # 2023.1.9, 宅基地纠纷, 调解成功
    serial = rows["王某某、赵某某"]  # an Excel serial in a General cell, 邻里纠纷, 已化解, 群众来访
    assert (serial.division.name, str(serial.received_on), serial.category, serial.source) == ("杨庄村", "2023-02-14", "neighbour", "reported")
    third = rows["刘某某、刘某"]  # "长岗" for 长岗村, 2023年3月6日, 调解中
    assert (third.division.name, str(third.received_on), third.stage, third.closed_on) == ("长岗村", "2023-03-06", "mediating", None)


def test_hazards_take_each_sheets_village_and_the_usual_grades(login):
    from safestar.safety.models import Hazard

    client = login("town")
    commit(client, "/ledgers/hazards/import/", upload(client, "/ledgers/hazards/import/", "02_安全隐患排查整治台账（分村）.xlsx"))
    found = {h.location: (h.division.name, h.kind, h.risk_level, h.status) for h in Hazard.objects.filter(responsible__in=[
        "王建国", "李志强", "张红", "赵卫东", "孙建设", "陈永福", "刘志刚"], found_on__year=2023, location__in=[
        "村东大坑塘", "村西头废弃民房", "集贸市场东侧", "村北机井旁", "杨庄南桥", "李庄小学", "村口十字路口"])}
    assert found == {
        "村东大坑塘": ("长岗村", "pond", "high", "rectified"),  # 较大 → 高
        "村西头废弃民房": ("长岗村", "house", "major", "in_progress"),
        "集贸市场东侧": ("长岗村", "electricity", "medium", "rectified"),  # 线路老化, 一般 → 中
        "村北机井旁": ("杨庄村", "dry_well", "high", "pending"),
        "杨庄南桥": ("杨庄村", "bridge", "medium", "in_progress"),
        "李庄小学": ("李庄村", "fire", "low", "rectified"),  # 已完成
        "村口十字路口": ("李庄村", "traffic", "high", "pending"),
    }


def test_cameras_with_the_village_merged_down_and_yes_words(login):
    from safestar.security.models import Camera

    client = login("police")
    commit(client, "/ledgers/cameras/import/", upload(client, "/ledgers/cameras/import/", "06_视频监控台账.xlsx"))
    found = {c.location: (c.division.name, c.kind, c.channels, c.networked, c.working) for c in
             Camera.objects.filter(location__in=["村委会门口", "长岗小学门口", "村东入口", "村委会", "南桥路口"], installed_on__gte="2021-01-01")
             .select_related("division") if c.created_by and c.created_by.username == "police"}
    assert found == {
        "村委会门口": ("长岗村", "camera", 4, True, True),  # 球机, 4路, 已联网, 正常
        "长岗小学门口": ("长岗村", "camera", 2, True, True),  # merged 村名, √
        "村东入口": ("长岗村", "camera", 2, False, False),  # 未联网, 损坏
        "村委会": ("杨庄村", "camera", 4, True, True),  # 已接入, 在用
        "南桥路口": ("杨庄村", "alarm", None, True, True),  # 一键报警
    }


def test_numbers_with_units_and_the_users_own_village(login):
    from safestar.emergency.models import EmergencySupply
    from safestar.publicity.models import Activity

    client = login("village1")
    commit(client, "/ledgers/publicity/import/", upload(client, "/ledgers/publicity/import/", "03_普法宣传台账.xlsx"))
    talk = Activity.objects.get(title="“美好生活·民法典相伴”宣讲")
    assert (talk.division.code, talk.topic, talk.channel, talk.participants, talk.materials) == (VILLAGE1, "law", "meeting", 200, 300)
    client = login("village2")
    asked = upload(client, "/ledgers/emergency-supplies/import/", "08_应急物资台账.xlsx")
    commit(client, "/ledgers/emergency-supplies/import/", choose(client, "/ledgers/emergency-supplies/import/", asked, fills={"acquired_on": "2021-05-01"}))
    generator = EmergencySupply.objects.get(spec="3kW 汽油发电机")
    assert (generator.division.code, generator.item, generator.quantity, generator.unit, generator.condition) == (VILLAGE2, "generator", 2, "台", "good")
    assert EmergencySupply.objects.get(spec="LED 强光").unit == "个"  # left blank: the item's usual unit


def test_key_persons_and_their_visit_sheet_from_one_workbook(login):
    from safestar.keypersons.models import KeyPerson, Visit

    name = "04_重点人员登记及走访帮扶台账.xlsx"
    client = login("town")
    first = upload(client, "/key-persons/import/", name)
    report = first.context["report"]
    assert first.context["step"] == "choose"  # 性别 is not a field of the register: the mapping step asks
    assert [label for label, _ in report.unmapped.values()] == ["基本情况·性别"]
    asked = choose(client, "/key-persons/import/", first)
    assert [c.label for c in asked.context["report"].fills_needed] == ["登记日期"]  # the register keeps none
    dry = choose(client, "/key-persons/import/", asked, fills={"registered_on": "2023-01-01"})
    report = dry.context["report"]
    assert [e.message for e in report.errors] == [] and report.summary() == "新增 3 行"
    assert sheets(report)["走访帮扶"] == (0, {}, "走访帮扶记录，请在“导入走访记录”中导入")
    commit(client, "/key-persons/import/", dry)
    released = KeyPerson.objects.get(name="马某某")
    assert (released.division.code, str(released.release_date), released.status, str(released.registered_on)) == (
        VILLAGE1, "2022-11-03", "managed", "2023-01-01")
    assert list(KeyPerson.objects.get(name="欧阳某").categories.values_list("name", flat=True)) == ["吸毒人员"]

    again = upload(client, "/key-persons/import/", name)  # the town's choice is remembered
    assert again.context.get("step") != "choose" and again.context["report"].summary() == "无变化 3 行"

    visits = upload(client, "/key-persons/visits/import/", name)
    report = visits.context["report"]
    assert [(e.row, e.column, e.message) for e in report.errors] == []
    assert sheets(report) == {"重点人员": (0, {}, "重点人员登记表，请在“导入重点人员”中导入"),
                              "走访帮扶": (4, {"合计行": 1, "表尾": 1}, "")}
    commit(client, "/key-persons/visits/import/", visits)
    assert {(v.person.name, str(v.visited_on), v.kind) for v in Visit.objects.filter(person__name__in=["欧阳某", "马某某", "牛某"])} == {
        ("牛某", "2023-06-01", "counsel"), ("欧阳某", "2023-04-12", "visit"), ("欧阳某", "2023-05-15", "check"), ("马某某", "2023-05-20", "help")}
    assert upload(client, "/key-persons/visits/import/", name).context["report"].summary() == "无变化 4 行"


def test_unrecognised_columns_are_mapped_once_per_town(login):
    from safestar.core.models import ImportMapping
    from safestar.disputes.models import Dispute

    url, name = "/ledgers/disputes/import/", "11_矛盾纠纷排查登记表（含其他列）.xlsx"
    client = login("village2")
    first = upload(client, url, name)
    assert first.context["step"] == "choose"
    unmapped = first.context["report"].unmapped
    assert sorted(label for label, _ in unmapped.values()) == ["当事人·联系方式", "调解员"]
    html = first.content.decode()
    assert "不导入" in html and "当事人·联系方式" in html
    dry = choose(client, url, first)
    assert dry.context["report"].summary() == "新增 2 行"
    assert sheets(dry.context["report"])["Sheet1"] == (2, {"表尾": 1}, "未导入的列（按本镇的选择）：当事人·联系方式、调解员")
    commit(client, url, dry)
    assert Dispute.objects.filter(parties__in=["杨某、冯某", "冯某某"], division__code=VILLAGE2).count() == 2
    assert ImportMapping.objects.get(importer="ledger:disputes").columns == {key: "" for key in unmapped}
    other = login("village1")  # the same town: the same file needs no mapping step again
    assert upload(other, url, name).context.get("step") != "choose"


def test_a_workbook_with_mistakes_names_sheet_row_column_and_value(login):
    from safestar.safety.models import Hazard

    client = login("town")
    before = Hazard.objects.count()
    report = upload(client, "/ledgers/hazards/import/", "12_隐患台账（有错误）.xlsx").context["report"]
    errors = [(e.sheet, e.row, e.column, e.value) for e in report.errors]
    assert errors == [("长岗村", 5, "隐患等级", "一般般"), ("长岗村", 5, "排查日期", "2023.13.5")]
    assert "可选：低、中、高、重大" in report.errors[0].message
    assert "没有这一天" in report.errors[1].message and "2023年5月6日" in report.errors[1].message
    assert Hazard.objects.count() == before


def _plain_sheet(title):
    """A sheet with no village column: its village comes from the title, the sheet name or the page."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("Sheet1")
    sheet.write_row(0, 0, [title])
    sheet.write_row(2, 0, ["序号", "巡逻日期", "巡逻人员", "巡逻路线"])
    sheet.write_row(3, 0, [1, "2023.7.1", "李国强", "村委会—学校"])
    book.close()
    return SimpleUploadedFile("巡逻.xlsx", buffer.getvalue())


def test_the_village_comes_from_the_title_or_is_chosen_on_the_page(login):
    from safestar.security.models import Patrol

    client = login("town")
    dry = client.post("/ledgers/patrols/import/", {"file": _plain_sheet("杨庄村治安巡逻登记表")})
    assert dry.context["report"].summary() == "新增 1 行"
    commit(client, "/ledgers/patrols/import/", dry)
    assert Patrol.objects.get(members="李国强", route="村委会—学校").division.code == VILLAGE2

    asked = client.post("/ledgers/patrols/import/", {"file": _plain_sheet("长岗镇治安巡逻登记表")})  # the town's name is no village's
    assert asked.context["step"] == "choose" and asked.context["report"].villages_needed == [(0, "Sheet1")]
    assert "工作表“Sheet1”的村" in asked.content.decode()
    chosen = client.post("/ledgers/patrols/import/", {"token": asked.context["token"], "step": "choose", "village:0": VILLAGE1})
    assert chosen.context["report"].summary() == "新增 1 行"
    commit(client, "/ledgers/patrols/import/", chosen)
    assert Patrol.objects.filter(members="李国强", route="村委会—学校", division__code=VILLAGE1).count() == 1


def test_a_system_number_from_another_village_or_a_row_number_is_refused(login):
    import io

    import xlsxwriter

    from conftest import make_record

    mine, theirs = make_record("patrols", VILLAGE1), make_record("patrols", VILLAGE2)
    client = login("town")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["系统编号（勿改）", "村名称", "巡逻日期", "巡逻人员", "巡逻路线"])
    sheet.write_row(1, 0, [theirs.pk, "长岗村", "2023-07-08", "甲", "乙"])  # a record of 杨庄村 on a 长岗村 row
    sheet.write_row(2, 0, [0, "长岗村", "2023-07-08", "甲", "乙"])
    sheet.write_row(3, 0, [mine.pk, "长岗村", "2023-07-08", "改过的人员", mine.route])
    book.close()
    report = client.post("/ledgers/patrols/import/", {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())}).context["report"]
    assert [(e.row, e.column) for e in report.errors] == [(2, "系统编号（勿改）"), (3, "系统编号（勿改）")]
    assert "属于杨庄村，不是本行的村" in report.errors[0].message and "序号请写在序号列" in report.errors[1].message
    theirs.refresh_from_db()
    assert theirs.division.code == VILLAGE2


def test_a_start_date_the_register_does_not_keep_is_asked_once_and_checked(login):
    """应急物资台账 has no 配备日期: the page asks once; a wrong date is refused with the value quoted,
    and the value given is kept in the import's audit event."""
    from safestar.audit.models import AuditEvent
    from safestar.emergency.models import EmergencySupply

    url = "/ledgers/emergency-supplies/import/"
    client = login("village2")
    asked = upload(client, url, "08_应急物资台账.xlsx")
    wrong = choose(client, url, asked, fills={"acquired_on": "2021-13-01"})
    assert [(e.column, e.value) for e in wrong.context["report"].errors] == [("配备日期", "2021-13-01")]
    assert "统一填写的值有误" in wrong.context["report"].errors[0].message
    before = EmergencySupply.objects.count()
    commit(client, url, choose(client, url, upload(client, url, "08_应急物资台账.xlsx"), fills={"acquired_on": "2021年5月1日"}))
    assert EmergencySupply.objects.count() == before + 4
    event = AuditEvent.objects.filter(action="import").latest("id")
    assert event.changes["整份文件统一填写"] == {"配备日期": "2021年5月1日"}
