"""The ledger machinery through its pages, on the incident ledger."""

import datetime

import pytest

from conftest import PINGGANG_VILLAGE, VILLAGE1, VILLAGE2, make_record
from safestar.audit.models import AuditEvent
from safestar.incidents.models import Incident, IncidentKind


def form_data(**overrides):
    data = {
        "division": "",
        "kind": IncidentKind.objects.get(code="telecom_fraud").pk,
        "occurred_on": "2023-05-12",
        "title": "村民被冒充客服诈骗",
        "severity": "general",
        "description": "",
        "department": "",
    }
    data.update(overrides)
    return data


def village_pk(code):
    from safestar.org.models import Division

    return Division.objects.get(code=code).pk


def test_the_list_shows_only_what_the_persona_may_see(login):
    mine = make_record("incidents", VILLAGE1, title="长岗村的事")
    neighbour = make_record("incidents", VILLAGE2, title="杨庄村的事")
    elsewhere = make_record("incidents", PINGGANG_VILLAGE, title="平岗村的事")
    seen = lambda name: {o.pk for o in login(name).get("/ledgers/incidents/").context["page"]}  # noqa: E731
    assert seen("village1") == {mine.pk}
    assert seen("town") == {mine.pk, neighbour.pk}
    assert seen("police") == {mine.pk, neighbour.pk}  # 长岗派出所 shares the incident field
    assert seen("county") == {mine.pk, neighbour.pk, elsewhere.pk}


def test_a_department_that_does_not_share_the_field_gets_404(login):
    from safestar.org.models import Department, Division, User

    justice = Department.objects.get(name="长岗镇司法所")  # disputes, publicity, key persons
    user = User.objects.create(username="justice1", role="department", division=Division.objects.get(code="411422100000"),
                               department=justice, password_changed_at=datetime.datetime.now(datetime.UTC))
    assert user.pk
    client = login("justice1")
    assert client.get("/ledgers/incidents/").status_code == 404
    assert client.get("/api/v1/incidents/").status_code == 401  # (session is not a token)


def test_grid_worker_records_an_incident_for_its_village(login):
    response = login("grid1").post("/ledgers/incidents/new/", form_data(division=village_pk(VILLAGE1)))
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert incident.division.code == VILLAGE1 and incident.created_by.username == "grid1" and incident.version == 1
    event = AuditEvent.objects.get(action="create", object_type="incidents.incident")
    assert event.changes["title"] == [None, "村民被冒充客服诈骗"] and event.changes["kind"] == [None, "电信诈骗"]


def _days_ahead(days):
    from safestar.clock import today

    return (today() + datetime.timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"division": lambda: village_pk(VILLAGE2)}, "division", "选择一个有效的选项"),
        ({"occurred_on": lambda: _days_ahead(30)}, "occurred_on", "日期不能晚于今天"),
        ({"occurred_on": "2999-01-01"}, "occurred_on", "今天起一年内"),  # outside every date field's window (core/edge.py)
        ({"occurred_on": "0001-01-01"}, "occurred_on", "早于 1949-01-01"),
        ({"occurred_on": "2023-02-30"}, "occurred_on", "输入一个有效的日期"),
        ({"title": ""}, "title", "这个字段是必填项"),
        ({"severity": "apocalyptic"}, "severity", "选择一个有效的选项"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(login, overrides, field, message):
    data = form_data(division=village_pk(VILLAGE1))
    data.update({k: v() if callable(v) else v for k, v in overrides.items()})
    response = login("grid1").post("/ledgers/incidents/new/", data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Incident.objects.exists()


def test_two_people_editing_at_once_the_second_is_told_and_nothing_is_overwritten(login, client):
    incident = make_record("incidents", VILLAGE1, title="原标题")
    first, second = login("grid1"), None
    data = form_data(division=village_pk(VILLAGE1), version=incident.version)
    assert first.post(f"/ledgers/incidents/{incident.pk}/edit/", data | {"title": "甲改的"}).status_code == 302
    from django.test import Client

    from safestar.org.models import User

    second = Client()
    second.force_login(User.objects.get(username="village1"))
    response = second.post(f"/ledgers/incidents/{incident.pk}/edit/", data | {"title": "乙改的"})  # still version 1
    assert response.status_code == 200
    assert "被长岗村网格员修改，您的修改没有保存" in response.content.decode()
    incident.refresh_from_db()
    assert incident.title == "甲改的" and incident.version == 2


def test_soft_delete_needs_a_reason_hides_keeps_and_restores(login):
    incident = make_record("incidents", VILLAGE1, title="误录")
    client = login("village1")
    assert "这个字段是必填项" in client.post(f"/ledgers/incidents/{incident.pk}/delete/", {"reason": ""}).content.decode()
    assert client.post(f"/ledgers/incidents/{incident.pk}/delete/", {"reason": "重复录入"}).status_code == 302
    incident.refresh_from_db()
    assert incident.deleted_at and incident.delete_reason == "重复录入" and incident.deleted_by.username == "village1"
    assert incident not in client.get("/ledgers/incidents/").context["page"]
    assert incident in client.get("/ledgers/incidents/", {"deleted": "1"}).context["page"]
    assert "此记录已于" in client.get(f"/ledgers/incidents/{incident.pk}/").content.decode()
    assert client.get(f"/ledgers/incidents/{incident.pk}/edit/").status_code == 404
    client.post(f"/ledgers/incidents/{incident.pk}/restore/")
    incident.refresh_from_db()
    assert incident.deleted_at is None
    history = client.get(f"/ledgers/incidents/{incident.pk}/history/").content.decode()
    assert "重复录入" in history and "删除" in history


def test_history_lists_each_change_with_before_and_after(login):
    client = login("grid1")
    client.post("/ledgers/incidents/new/", form_data(division=village_pk(VILLAGE1)))
    incident = Incident.objects.get()
    client.post(f"/ledgers/incidents/{incident.pk}/edit/", form_data(division=village_pk(VILLAGE1), title="改过的标题", version=1))
    html = client.get(f"/ledgers/incidents/{incident.pk}/history/").content.decode()
    assert "事件名称：村民被冒充客服诈骗 → 改过的标题" in html


def test_search_filters_and_sorting(login):
    make_record("incidents", VILLAGE1, title="甲事", occurred_on=datetime.date(2023, 3, 1))
    make_record("incidents", VILLAGE1, title="乙事", occurred_on=datetime.date(2022, 3, 1), severity="major")
    make_record("incidents", VILLAGE2, title="丙事", occurred_on=datetime.date(2023, 7, 1))
    client = login("town")
    titles = lambda **p: [o.title for o in client.get("/ledgers/incidents/", p).context["page"]]  # noqa: E731
    assert titles() == ["丙事", "甲事", "乙事"]  # newest first
    assert titles(q="乙") == ["乙事"]
    assert titles(year="2023") == ["丙事", "甲事"]
    assert titles(village=VILLAGE2) == ["丙事"]
    assert titles(start="2023-01-01", end="2023-06-30") == ["甲事"]
    assert titles(status="False") == ["丙事", "甲事", "乙事"]
    assert titles(sort="occurred_on") == ["乙事", "甲事", "丙事"]
    assert titles(sort="-occurred_on") == ["丙事", "甲事", "乙事"]
    assert titles(sort="password") == ["丙事", "甲事", "乙事"]  # unknown sort keys are ignored


@pytest.mark.usefixtures("drawn_pages")
@pytest.mark.parametrize("rows", [5, 60])
def test_list_query_count_is_fixed(login, django_assert_num_queries, rows):
    from safestar.incidents.models import Incident as I
    from safestar.org.models import Division

    village = Division.objects.get(code=VILLAGE1)
    kind = IncidentKind.objects.first()
    I.objects.bulk_create([I(division=village, kind=kind, occurred_on=datetime.date(2023, 1, 1), title=f"事{i}") for i in range(rows)])
    client = login("village1")
    # session, user (with anchor division and authenticator flag), villages for the filter, kinds for
    # the filter, count, page (with village and kind joined)
    with django_assert_num_queries(6):
        assert client.get("/ledgers/incidents/").status_code == 200


def test_related_records_are_offered_only_within_scope(login):
    html = login("village1").get("/ledgers/incidents/new/").content.decode()
    assert "长岗派出所" in html and "睢县公安局" in html  # the departments serving the village
    assert "平岗派出所" not in html  # another town's station is not a choice
    data = form_data(division=village_pk(VILLAGE1))
    from safestar.org.models import Department

    data["department"] = Department.objects.get(name="平岗派出所").pk
    response = login("village1").post("/ledgers/incidents/new/", data)
    assert "选择一个有效的选项" in " ".join(response.context["form"].errors["department"])
