"""Recognition (认定): who may, what it locks, withdrawal with a reason, and what counts."""

import datetime

import pytest
from django.utils import timezone

from conftest import PINGGANG_VILLAGE, VILLAGE1, VILLAGE2, make_record
from safestar.audit.models import AuditEvent
from safestar.incidents.metrics import three_zero
from safestar.incidents.models import Incident, IncidentKind
from safestar.org.models import Department, Division, User
from safestar.org.roles import can


@pytest.fixture
def county_police(world):
    """A user of 睢县公安局, a county-level department that shares the incident field."""
    return User.objects.create(
        username="countypolice", role="department", division=Division.objects.get(code="411422000000"),
        department=Department.objects.get(name="睢县公安局"), password_changed_at=timezone.now(),
    )


def test_who_may_recognise(world, county_police):
    for action in ("incidents.recognise", "incidents.withdraw"):
        assert can(county_police, action)
        assert can(User.objects.get(username="county"), action)
        for name in ["town", "police", "village1", "admin", "auditor", "taskforce"]:
            assert not can(User.objects.get(username=name), action), name  # 长岗派出所 is town level


def test_county_police_recognises_and_the_record_is_locked(login, county_police):
    incident = make_record("incidents", VILLAGE1)
    client = login("countypolice")
    assert "认定" in client.get(f"/ledgers/incidents/{incident.pk}/").content.decode()
    assert client.post(f"/ledgers/incidents/{incident.pk}/recognise/").status_code == 302
    incident.refresh_from_db()
    assert incident.recognised and incident.recognised_by == county_police
    assert incident.recognising_department.name == "睢县公安局" and incident.recognised_at
    assert AuditEvent.objects.filter(object_repr__startswith="认定案事件", actor_name="countypolice").exists()
    # a recognised incident can no longer be edited or deleted by the village
    village = login("village1")
    data = {"division": incident.division_id, "kind": incident.kind_id, "occurred_on": "2023-05-12", "title": "改", "severity": "general", "version": incident.version}
    response = village.post(f"/ledgers/incidents/{incident.pk}/edit/", data)
    assert "已认定，不能修改或删除" in response.content.decode()
    assert "已认定，不能修改或删除" in village.post(f"/ledgers/incidents/{incident.pk}/delete/", {"reason": "x"}).content.decode()
    incident.refresh_from_db()
    assert incident.title != "改" and incident.deleted_at is None


def api_get(pk):
    from django.test import Client

    from safestar.org.models import ApiToken

    token = ApiToken.issue(User.objects.get(username="grid1"))[1]
    return Client().get(f"/api/v1/incidents/{pk}", headers={"Authorization": f"Bearer {token}"}).json()


def test_withdrawal_needs_a_reason_and_is_recorded(login, county_police):
    incident = make_record("incidents", VILLAGE1, recognised=True, recognised_at=timezone.now())
    client = login("county")
    assert "这个字段是必填项" in client.post(f"/ledgers/incidents/{incident.pk}/withdraw/", {"reason": ""}).content.decode()
    assert client.post(f"/ledgers/incidents/{incident.pk}/withdraw/", {"reason": "经复核不属实"}).status_code == 302
    incident.refresh_from_db()
    assert not incident.recognised and incident.withdrawal_reason == "经复核不属实"
    # Withdrawn: the record no longer names a recogniser (the history keeps who did it and when).
    assert incident.recognised_at is None and incident.recognised_by is None and incident.recognising_department is None
    body = login("grid1") and api_get(incident.pk)
    assert body["recognised"] is False and body.get("recognised_at") is None and body.get("recognised_by") in (None, "")
    history = client.get(f"/ledgers/incidents/{incident.pk}/history/").content.decode()
    assert "经复核不属实" in history


def test_two_recognitions_at_once_only_one_changes_anything(world, county_police):
    from safestar.incidents.services import recognise

    incident = make_record("incidents", VILLAGE1)
    assert recognise(incident, county_police) is True
    assert recognise(incident, User.objects.get(username="county")) is False
    incident.refresh_from_db()
    assert incident.recognised_by == county_police


def test_recognition_through_the_api(api, county_police):
    incident = make_record("incidents", VILLAGE1)
    from django.test import Client

    from safestar.org.models import ApiToken

    client, token = Client(), ApiToken.issue(county_police)[1]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post(f"/api/v1/incidents/{incident.pk}/recognise", headers=auth).json() == {"id": incident.pk, "recognised": True, "changed": True}
    assert client.post(f"/api/v1/incidents/{incident.pk}/recognise", headers=auth).json()["changed"] is False
    bad = client.post(f"/api/v1/incidents/{incident.pk}/withdraw", {"reason": " "}, content_type="application/json", headers=auth)
    assert bad.status_code == 422
    ok = client.post(f"/api/v1/incidents/{incident.pk}/withdraw", {"reason": "误报"}, content_type="application/json", headers=auth)
    assert ok.json()["recognised"] is False
    assert api("town")(f"/incidents/{incident.pk}").json()["withdrawal_reason"] == "误报"


def test_only_recognised_incidents_of_the_year_break_three_zero(world):
    kinds = {k.code: k for k in IncidentKind.objects.all()}
    y = datetime.date(2023, 6, 1)
    make_record("incidents", VILLAGE1, kind=kinds["criminal_case"], occurred_on=y, recognised=True)
    make_record("incidents", VILLAGE1, kind=kinds["safety_accident"], occurred_on=y, recognised=False)  # not recognised
    make_record("incidents", VILLAGE1, kind=kinds["illegal_petition"], occurred_on=datetime.date(2022, 6, 1), recognised=True)  # other year
    make_record("incidents", VILLAGE2, kind=kinds["illegal_petition"], occurred_on=y, recognised=True)
    make_record("incidents", VILLAGE2, kind=kinds["telecom_fraud"], occurred_on=y, recognised=True)  # no 三零 category
    deleted = make_record("incidents", VILLAGE2, kind=kinds["safety_accident"], occurred_on=y, recognised=True)
    Incident.objects.filter(pk=deleted.pk).update(deleted_at=timezone.now())
    villages = Division.objects.filter(code__in=[VILLAGE1, VILLAGE2, PINGGANG_VILLAGE])
    result = three_zero(2023, villages)
    v1, v2 = (Division.objects.get(code=c).pk for c in (VILLAGE1, VILLAGE2))
    assert result[v1] == {"case": 1, "petition": 0, "accident": 0}
    assert result[v2] == {"case": 0, "petition": 1, "accident": 0}
    assert Division.objects.get(code=PINGGANG_VILLAGE).pk not in result  # nothing recognised: all zero


def test_the_village_page_shows_three_zero(login):
    kinds = {k.code: k for k in IncidentKind.objects.all()}
    make_record("incidents", VILLAGE1, kind=kinds["criminal_case"], occurred_on=datetime.date(2023, 3, 3), recognised=True)
    html = login("village1").get(f"/divisions/{VILLAGE1}/", {"year": "2023"}).content.decode()
    assert "“三零”创建情况（2023年）" in html and "未达成" in html and "1 件" in html
    html = login("village2").get(f"/divisions/{VILLAGE2}/", {"year": "2023"}).content.decode()
    assert "已达成" in html
    assert "三零" not in login("admin").get(f"/divisions/{VILLAGE1}/").content.decode()  # no business data for the admin


def test_the_three_zero_panel_offers_the_years_with_incidents_and_shows_the_chosen_one(login, freeze_today):
    freeze_today(datetime.date(2025, 3, 1))
    kind = IncidentKind.objects.get(code="criminal_case")
    make_record("incidents", VILLAGE1, kind=kind, occurred_on=datetime.date(2023, 3, 3), recognised=True)
    client = login("village1")
    html = client.get(f"/divisions/{VILLAGE1}/").content.decode()
    assert "“三零”创建情况（2025年）" in html and "已达成" in html  # this year by default
    assert '<option value="2023">2023年</option>' in html and '<option value="2025" selected>' in html
    html = client.get(f"/divisions/{VILLAGE1}/", {"year": "2023"}).content.decode()
    assert "“三零”创建情况（2023年）" in html and "未达成" in html and '<option value="2023" selected>' in html
    assert "“三零”创建情况（2025年）" in client.get(f"/divisions/{VILLAGE1}/", {"year": "²"}).content.decode()  # not a year: this year


def test_the_administrator_adds_a_kind_that_the_ledger_then_offers(login):
    admin = login("admin")
    response = admin.post("/incident-kinds/new/", {"code": "drunk_driving", "name": "醉驾", "zero_category": "case", "order": 200, "active": "on"})
    assert response.status_code == 302
    kind = IncidentKind.objects.get(code="drunk_driving")
    assert kind.zero_category == "case" and kind.active
    assert AuditEvent.objects.filter(action="create", object_type="incidents.incidentkind", actor_name="admin").exists()
    form = login("grid1").get("/ledgers/incidents/new/").content.decode()
    assert "醉驾" in form


def test_kinds_are_listed_for_api_clients(api):
    kinds = api("grid1")("/incident-kinds/").json()
    assert {"code": "telecom_fraud", "name": "电信诈骗", "zero_category": "", "active": True}.items() <= next(
        k for k in kinds if k["code"] == "telecom_fraud"
    ).items()
    assert api()("/incident-kinds/").status_code == 401


def test_a_switched_off_kind_is_refused_for_new_records_but_old_ones_keep_it(login):
    old = make_record("incidents", VILLAGE1, title="旧记录")
    IncidentKind.objects.filter(pk=old.kind_id).update(active=False)
    client = login("grid1")
    data = {"division": old.division_id, "kind": old.kind_id, "occurred_on": "2023-05-12", "title": "新记录", "severity": "general"}
    assert "已停用" in client.post("/ledgers/incidents/new/", data).content.decode()
    assert client.post(f"/ledgers/incidents/{old.pk}/edit/", data | {"title": "旧记录改", "version": 1}).status_code == 302


def test_the_export_writes_the_recognition_moment_in_local_time(login, county_police):
    """Every account whose scope held a recognised incident got a 500 from the export (an aware
    datetime in the sheet); the moment is now written as the local time people read on pages."""
    import io

    from python_calamine import CalamineWorkbook

    moment = datetime.datetime(2023, 5, 12, 1, 30, tzinfo=datetime.UTC)  # 09:30 in 北京
    make_record("incidents", VILLAGE1, title="认定的那件事", recognised=True, recognised_at=moment)
    response = login("village1").get("/ledgers/incidents/export.xlsx")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    header = next(row for row in rows if "认定时间" in row)
    row = next(row for row in rows if "认定的那件事" in row)
    assert row[header.index("认定时间")] == datetime.datetime(2023, 5, 12, 9, 30)
