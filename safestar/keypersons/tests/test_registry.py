"""The key-person registry as its users meet it: who sees it, masking until a reveal, the audit of
reveals and exports, encryption at rest, overdue visits on frozen dates, imports and the API."""

import datetime
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from conftest import PINGGANG_VILLAGE, VILLAGE1, VILLAGE2
from safestar.audit.models import AuditEvent
from safestar.core.sheets import read_xlsx
from safestar.incidents.models import Incident, IncidentKind
from safestar.keypersons.exports import export_columns
from safestar.keypersons.metrics import mental_care_gaps, unmanaged, visits_overdue
from safestar.keypersons.models import KeyPerson
from safestar.org.models import Division

from .factories import id_number, key_person, visit

NAME, ID = "欧阳振华", "41142219800101103X"  # a valid ID number (check character X)


@pytest.fixture
def person(world):
    return key_person(VILLAGE1, name=NAME, id_number=ID, phone="13912345678", address="长岗村三组18号", categories=("drugs",))


def test_lists_are_masked_and_the_full_record_needs_a_reason(login, person):
    town = login("town")
    listing = town.get("/key-persons/").content.decode()
    assert "欧**华" in listing and "4114**********103X" in listing
    assert NAME not in listing and ID not in listing
    detail = town.get(f"/key-persons/{person.pk}/").content.decode()
    assert NAME not in detail and ID not in detail and "13912345678" not in detail and "三组18号" not in detail

    refused = town.post(f"/key-persons/{person.pk}/reveal/", {"reason": "看"})
    assert "请写明查看原因" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="view").exists()

    revealed = town.post(f"/key-persons/{person.pk}/reveal/", {"reason": "走访前核对住址"}).content.decode()
    assert NAME in revealed and ID in revealed and "13912345678" in revealed and "长岗村三组18号" in revealed
    event = AuditEvent.objects.get(action="view")
    assert event.actor_name == "town" and event.changes == {"reason": "走访前核对住址"}
    assert NAME not in event.object_repr and ID not in event.object_repr  # the log itself shows it masked


@pytest.mark.parametrize("username", ["grid1", "taskforce", "county", "auditor", "admin", "village2"])
def test_roles_without_access_get_404_everywhere(login, person, username):
    client = login(username)
    for url in ["/key-persons/", f"/key-persons/{person.pk}/", f"/key-persons/{person.pk}/reveal/", "/key-persons/overdue/",
                "/key-persons/export/", "/key-persons/import/"]:
        if username == "village2" and url in ("/key-persons/", "/key-persons/overdue/"):
            continue  # a village cadre who is 包案人 of nobody here sees an empty list, checked below
        assert client.get(url).status_code == 404, url


def test_a_village_cadre_sees_only_the_persons_they_are_responsible_for(login, world):
    mine = key_person(VILLAGE1, name="包案一")
    other = key_person(VILLAGE1, name="别人包", responsible=None)
    client = login("village1")
    assert client.get(f"/key-persons/{mine.pk}/").status_code == 200
    assert client.get(f"/key-persons/{other.pk}/").status_code == 404
    assert client.get("/key-persons/export/").status_code == 404  # only the roles that manage the register export
    assert client.get(f"/key-persons/{mine.pk}/edit/").status_code == 404


def test_departments_see_their_categories_only(login, world):
    drugs = key_person(VILLAGE1, categories=("drugs",))
    mental = key_person(VILLAGE1, categories=("mental",), guardian_name="王芳", guardian_relation="母亲", guardian_phone="13900002222", risk_grade=1, treatment="home")
    police = login("police")  # 长岗派出所: drug users yes; mental patients are 卫健's and the police's too
    assert police.get(f"/key-persons/{drugs.pk}/").status_code == 200
    assert police.get(f"/key-persons/{mental.pk}/").status_code == 200
    correction = key_person(VILLAGE1, categories=("correction",), correction_start=datetime.date(2023, 1, 1), correction_end=datetime.date(2024, 1, 1))
    assert police.get(f"/key-persons/{correction.pk}/").status_code == 404  # 社区矫正 is the justice bureau's


def test_id_number_and_phones_are_not_in_the_database_file(person):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_number_hash FROM keypersons_keyperson WHERE id = %s", [person.pk])
        stored = " ".join(str(v) for v in cursor.fetchone())
    assert ID not in stored and ID.lower() not in stored and "13912345678" not in stored
    assert KeyPerson.objects.get(pk=person.pk).id_number == ID


def test_the_same_id_number_cannot_be_registered_twice(login, person):
    response = login("town").post("/key-persons/new/", {
        "division": Division.objects.get(code=VILLAGE1).pk, "name": "另一人", "id_number": ID.lower(),
        "categories": [person.categories.first().pk], "registered_on": "2023-01-05", "status": "managed",
    })
    assert "该身份证号的人员已登记" in response.content.decode()
    assert KeyPerson.objects.count() == 1


def test_a_category_asks_for_its_details(login, world):
    from safestar.keypersons.models import Category

    response = login("town").post("/key-persons/new/", {
        "division": Division.objects.get(code=VILLAGE1).pk, "name": "新患者", "id_number": id_number(),
        "categories": [Category.objects.get(code="mental").pk], "registered_on": "2023-01-05", "status": "managed",
    })
    page = response.content.decode()
    assert "“严重精神障碍患者”须填写监护人姓名" in page and "“严重精神障碍患者”须填写危险性评估等级" in page
    assert not KeyPerson.objects.filter(name="新患者").exists()


def test_export_is_for_managing_roles_watermarked_and_audited(login, person):
    client = login("town")
    response = client.post("/key-persons/export/", {"reason": "报送县政法委年度汇总"})
    assert response.status_code == 200
    rows = {values["id_number"]: values for _, values in read_xlsx(response.content, export_columns())}
    assert rows[ID]["name"] == NAME  # the export is the full register
    from python_calamine import CalamineWorkbook

    info = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()[1][0]
    assert "（town）" in info and "严禁外传" in info
    event = AuditEvent.objects.get(action="export")
    assert event.changes["reason"] == "报送县政法委年度汇总" and "（town）" in event.changes["watermark"]


def test_export_reimports_unchanged(login, world):
    from safestar.keypersons.demo_data import load

    load(2023)  # six persons of several categories, details and all
    client = login("town")
    exported = client.post("/key-persons/export/", {"reason": "核对后导回"}).content
    report = client.post("/key-persons/import/", {"file": SimpleUploadedFile("x.xlsx", exported)}).context["report"]
    assert report.ok, [(e.row, e.column, e.message) for e in report.errors]
    assert report.summary() == "无变化 6 行"


def _sheet(rows):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    columns = export_columns()
    sheet.write_row(0, 0, [c.label for c in columns])
    for r, values in enumerate(rows, start=1):
        sheet.write_row(r, 0, [values.get(c.key, "") for c in columns])
    book.close()
    return SimpleUploadedFile("登记表.xlsx", buffer.getvalue())


def test_import_deduplicates_by_id_number(login, person):
    client = login("police")
    new = id_number("19900101")
    rows = [
        {"division": VILLAGE1, "name": NAME, "id_number": ID.lower(), "categories": "吸毒人员", "registered_on": "2023-01-05", "status": "在管", "address": "长岗村新址"},
        {"division": VILLAGE1, "name": "新登记", "id_number": new, "categories": "吸毒人员", "registered_on": "2023-01-05", "status": "在管"},
    ]
    dry = client.post("/key-persons/import/", {"file": _sheet(rows)})
    assert [(e.row, e.column, e.message) for e in dry.context["report"].errors] == []
    assert dry.context["report"].summary() == "新增 1 行，更新 1 行"
    (change,) = dry.context["report"].changes  # the update is listed, masked, before anything is written
    assert change.row == 2 and ("现住址", "长岗村三组18号", "长岗村新址") in change.changes
    unconfirmed = client.post("/key-persons/import/", {"token": dry.context["token"]})
    assert "勾选确认" in unconfirmed.context["confirm_error"]
    assert KeyPerson.objects.filter(name="新登记").count() == 0  # updates are confirmed separately: nothing written
    client.post("/key-persons/import/", {"token": dry.context["token"], "confirm_updates": "1"})
    person.refresh_from_db()
    assert person.address == "长岗村新址" and KeyPerson.objects.filter(name="新登记").count() == 1


def test_an_import_with_a_repeated_or_bad_id_number_writes_nothing(login, world):
    client = login("town")
    new = id_number("19900101")
    rows = [
        {"division": VILLAGE1, "name": "甲", "id_number": new, "categories": "吸毒人员", "registered_on": "2023-01-05", "status": "在管"},
        {"division": VILLAGE1, "name": "乙", "id_number": new, "categories": "吸毒人员", "registered_on": "2023-01-05", "status": "在管"},
        {"division": VILLAGE2, "name": "丙", "id_number": "411422198001011234", "categories": "吸毒人员", "registered_on": "2023-01-05", "status": "在管"},
        {"division": PINGGANG_VILLAGE, "name": "丁", "id_number": id_number(), "categories": "无此类", "registered_on": "2023-01-05", "status": "在管"},
    ]
    report = client.post("/key-persons/import/", {"file": _sheet(rows)}).context["report"]
    errors = [(e.row, e.column, e.message) for e in report.errors]
    assert (3, "身份证号", "身份证号与第 2 行重复") in errors
    assert any(row == 4 and column == "身份证号" for row, column, _ in errors)  # wrong check character
    assert (5, "村级区划代码", f"村 {PINGGANG_VILLAGE} 不存在或不在您的管辖范围内") in errors
    assert KeyPerson.objects.count() == 0


def test_overdue_visits_on_frozen_dates(login, world, freeze_today):
    fresh = key_person(VILLAGE1, name="早走访", registered=datetime.date(2023, 1, 1))
    late = key_person(VILLAGE1, name="晚走访", registered=datetime.date(2023, 1, 1))
    key_person(VILLAGE2, name="刘海波", registered=datetime.date(2023, 1, 1))  # never visited: due 2023-01-31
    visit(fresh, datetime.date(2023, 5, 20))
    visit(late, datetime.date(2023, 4, 1))  # drug users: every 30 days, so due by 2023-05-01
    freeze_today(datetime.date(2023, 6, 1))
    page = login("village1").get("/key-persons/overdue/").content.decode()
    assert "晚*访" in page and "早*访" not in page and "2023-05-01" in page and "31 天" in page
    assert "刘*波" not in page  # 杨庄村's overdue person is village2's, not village1's
    town = login("town").get("/key-persons/overdue/").content.decode()
    assert "晚*访" in town and "刘*波" in town
    freeze_today(datetime.date(2023, 5, 1))
    assert "晚*访" not in login("village1").get("/key-persons/overdue/").content.decode()


def test_visits_recorded_by_the_responsible_cadre(login, person, freeze_today):
    freeze_today(datetime.date(2023, 7, 1))
    client = login("village1")
    future = client.post(f"/key-persons/{person.pk}/visits/", {"visited_on": "2023-07-02", "kind": "visit", "visitor": "李主任", "findings": "在家"})
    assert future.status_code == 302 and not person.visits.exists()
    client.post(f"/key-persons/{person.pk}/visits/", {"visited_on": "2023-06-30", "kind": "visit", "visitor": "李主任", "findings": "在家务农"})
    assert person.visits.get().findings == "在家务农"
    assert AuditEvent.objects.filter(action="create", object_type="keypersons.visit", actor_name="village1").exists()


def test_category_seven_metrics(world):
    from safestar.keypersons.demo_data import load

    load(2023)
    villages = Division.objects.filter(code__in=[VILLAGE1, VILLAGE2])
    v1, v2 = (Division.objects.get(code=c).pk for c in (VILLAGE1, VILLAGE2))
    # The demo: 杨庄村 has a 脱管 person without measures and a drug user not visited since September.
    assert unmanaged(2023, villages).get(v2) == 1 and v1 not in unmanaged(2023, villages)
    assert visits_overdue(2023, villages).get(v2) == 1 and v1 not in visits_overdue(2023, villages)
    key_person(VILLAGE1, categories=("mental",), guardian_name="", risk_grade=4, treatment="home")
    assert mental_care_gaps(2023, villages) == {v1: 1}


def test_an_incident_caused_by_a_key_person_counts_against_the_zero_incident_item(login, person, world):
    from conftest import load_scheme
    from safestar.schemes.services import results

    scheme = load_scheme()
    village = Division.objects.get(code=VILLAGE1)
    incident = Incident.objects.create(division=village, kind=IncidentKind.objects.get(code="criminal_case"),
                                       occurred_on=datetime.date(2023, 6, 1), title="持刀伤人", recognised=True)

    def c74():
        (result,) = results(scheme, Division.objects.filter(pk=village.pk))
        return next(line for line in result.indicators if line.code == "C7.4")

    assert c74().awarded == 5
    response = login("town").post(f"/key-persons/{person.pk}/incidents/", {"incident": incident.pk})
    assert response.status_code == 302
    assert c74().awarded == 0


def test_api_is_masked_until_a_reveal(api, person):
    town = api("town")
    listed = {p["id"]: p for p in town("/key-persons/").json()["items"]}
    assert listed[person.pk]["name"] == "欧**华" and listed[person.pk]["id_number"] == "4114**********103X"
    assert town(f"/key-persons/{person.pk}").json()["name"] == "欧**华"
    assert api("grid1")("/key-persons/").status_code == 404


def test_list_query_count_does_not_grow(login, world):
    """Session, account and its devices, the user's division, then: the count, the page of persons
    (village, 包案人, last visit), their categories, and the village and category filters."""
    from django.test.utils import CaptureQueriesContext

    client = login("town")
    for code in (VILLAGE1, VILLAGE2):
        key_person(code)
    client.get("/key-persons/")  # the session is written on the first request

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/key-persons/").status_code == 200
        return len(queries)

    few = count()
    for i in range(25):
        visit(key_person(VILLAGE1 if i % 2 else VILLAGE2, categories=("drugs", "cult")))
    assert count() == few


def test_the_administrator_configures_a_category_and_it_takes_effect(login, world):
    from safestar.keypersons.models import Category

    admin = login("admin")
    response = admin.post("/key-person-categories/new/", {
        "code": "gambling", "name": "涉赌人员", "visit_interval_days": 400, "departments": ["police"], "order": 200, "active": "on",
    })
    assert "走访周期应在 1 到 366 天之间" in response.content.decode() and not Category.objects.filter(code="gambling").exists()
    admin.post("/key-person-categories/new/", {
        "code": "gambling", "name": "涉赌人员", "visit_interval_days": 14, "departments": ["police"],
        "required_details": ["sentence"], "order": 200, "active": "on",
    })
    category = Category.objects.get(code="gambling")
    assert category.departments == ["police"] and category.required_details == ["sentence"]
    assert AuditEvent.objects.filter(action="create", object_type="keypersons.category", actor_name="admin").exists()
    assert "涉赌人员" in admin.get("/key-person-categories/").content.decode()

    police = login("police")
    refused = police.post("/key-persons/new/", {"division": Division.objects.get(code=VILLAGE1).pk, "name": "赌某某",
                                                "id_number": id_number(), "categories": [category.pk], "registered_on": "2023-01-05", "status": "managed"})
    assert "“涉赌人员”须填写原判罪名及刑期" in refused.content.decode()
    assert login("town").get("/key-person-categories/").status_code == 404


def test_the_home_page_tells_the_responsible_cadre_of_overdue_visits(login, world, freeze_today):
    key_person(VILLAGE1, name="晚走访", registered=datetime.date(2023, 1, 1))
    freeze_today(datetime.date(2023, 6, 1))
    assert "重点人员走访逾期：" in login("village1").get("/").content.decode()
    assert 'href="/key-persons/overdue/">1 人' in login("village1").get("/").content.decode()
    assert "重点人员走访逾期" not in login("grid1").get("/").content.decode()


def test_a_registration_is_audited_with_its_categories_and_masked_personal_data(login, world):
    from safestar.keypersons.models import Category

    login("town").post("/key-persons/new/", {
        "division": Division.objects.get(code=VILLAGE1).pk, "name": "欧阳振华", "id_number": ID,
        "categories": [Category.objects.get(code="drugs").pk, Category.objects.get(code="cult").pk], "registered_on": "2023-01-05", "status": "managed",
    })
    changes = AuditEvent.objects.get(action="create", object_type="keypersons.keyperson").changes
    assert changes["categories"] == [None, "吸毒人员、涉邪教人员"]
    assert changes["name"] == [None, "欧**华"] and changes["id_number"] == [None, "4114**********103X"]


def test_the_api_reveal_gives_the_full_record_and_is_audited(client, person):
    from safestar.org.models import ApiToken, User

    visit(person, findings="在家务农，情绪稳定")
    token = ApiToken.issue(User.objects.get(username="town"))[1]
    headers = {"Authorization": f"Bearer {token}"}
    short = client.post(f"/api/v1/key-persons/{person.pk}/reveal", {"reason": "看"}, content_type="application/json", headers=headers)
    assert short.status_code == 422
    full = client.post(f"/api/v1/key-persons/{person.pk}/reveal", {"reason": "核对住址"}, content_type="application/json", headers=headers).json()
    assert full["name"] == NAME and full["id_number"] == ID and full["address"] == "长岗村三组18号"
    assert full["visits"][0]["findings"] == "在家务农，情绪稳定" and full["details"]["measures_service"] == "帮助就业"
    assert AuditEvent.objects.filter(action="view", actor_name="town", changes={"reason": "核对住址"}).count() == 1


@pytest.mark.parametrize("version", ["abc", "", "1.5", "²"])
def test_an_edit_page_without_a_proper_version_says_so_in_chinese_and_saves_nothing(login, person, version):
    """The edit page goes through the one audited save: a form that cannot prove which version it
    started from is a conflict with the save's Chinese message, never Python's ValueError text."""
    data = {"division": person.division_id, "name": "改过的名字", "id_number": person.id_number, "registered_on": str(person.registered_on),
            "categories": [c.pk for c in person.categories.all()], "status": "managed", "version": version,
            "measures_management": "包案管理", "measures_education": "法治教育", "measures_service": "帮助就业"}
    response = login("town").post(f"/key-persons/{person.pk}/edit/", data)
    page = response.content.decode()
    assert response.status_code == 200 and "您的修改没有保存" in page and "invalid literal" not in page
    person.refresh_from_db()
    assert person.name == NAME and person.version == 1
    data["version"] = "1"
    assert login("town").post(f"/key-persons/{person.pk}/edit/", data).status_code == 302
    person.refresh_from_db()
    assert person.name == "改过的名字" and person.version == 2
