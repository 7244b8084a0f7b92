"""What the 应急 ledgers refuse, and how they say it (the page, the API and the import all validate
with the ledger's one form); and who may see them: departments sharing "应急" only."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from conftest import VILLAGE1, VILLAGE2, form_errors, make_record
from conftest import post_record as post
from safestar.audit.models import AuditEvent
from safestar.clock import today
from safestar.emergency.models import (
    ONE_CAPTAIN,
    Drill,
    EmergencyMember,
    EmergencyPlan,
    EmergencySupply,
    FireStation,
    Shelter,
)

MEMBER = {"name": "王建国", "party_member": "on", "role": "member", "skills": "电工", "phone": "13837012345",
          "joined_on": "2023-03-01", "active": "on"}
SHELTER = {"name": "长岗村小学操场", "location": "村小学院内", "capacity": "300", "area": "1200", "facilities": "应急照明",
           "opened_on": "2023-05-10", "active": "on"}
SUPPLY = {"item": "generator", "spec": "3kW 汽油发电机", "quantity": "2", "unit": "台", "storage_location": "村委会应急物资室",
          "acquired_on": "2022-04-01", "checked_on": "2023-06-15", "condition": "good"}
PLAN = {"kind": "flood", "title": "长岗村防汛救灾应急预案", "approved_on": "2023-04-20", "approved_by": "长岗村村民委员会",
        "next_revision_on": "2026-04-20"}
STATION = {"name": "长岗村微型消防站", "established_on": "2023-03-18", "location": "村委会东侧", "members": "6",
           "equipment": "手抬机动泵", "on_duty_24h": "on"}
DRILL = {"held_on": "2023-06-10", "scenario": "fire", "title": "长岗村消防应急演练", "participants": "45", "description": ""}

# A date after today but inside the date window (core/edge.py: the window's own message is for years
# like 2999): the field's "not after today" rule answers.
AHEAD = (today() + datetime.timedelta(days=30)).isoformat()


def errors(response, field):
    return form_errors(response, field).replace(" ", "")


def test_each_ledger_accepts_a_good_record_from_the_page(login):
    client = login("grid1")
    for slug, data, model in [
        ("emergency-members", MEMBER, EmergencyMember), ("shelters", SHELTER, Shelter),
        ("emergency-supplies", SUPPLY, EmergencySupply), ("emergency-plans", PLAN, EmergencyPlan),
        ("fire-stations", STATION, FireStation), ("drills", DRILL, Drill),
    ]:
        assert post(client, slug, data).status_code == 302, slug
        assert model.objects.get().created_by.username == "grid1"


# ── 应急队伍队员 ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"phone": "1383701234"}, "phone", "请输入有效的手机号或固定电话号码"),
        ({"phone": ""}, "phone", "这个字段是必填项"),
        ({"name": ""}, "name", "这个字段是必填项"),
        ({"role": "leader"}, "role", "选择一个有效的选项"),
        ({"joined_on": AHEAD}, "joined_on", "日期不能晚于今天"),
    ],
)
def test_bad_member_input_is_refused_in_chinese(login, overrides, field, message):
    response = post(login("grid1"), "emergency-members", MEMBER | overrides)
    assert message in errors(response, field)
    assert not EmergencyMember.objects.exists()


@pytest.mark.parametrize("slug, data, field, model", [
    ("emergency-members", MEMBER, "joined_on", EmergencyMember),
    ("shelters", SHELTER, "opened_on", Shelter),
    ("emergency-supplies", SUPPLY, "acquired_on", EmergencySupply),
])
def test_a_standing_record_needs_the_day_it_began(login, slug, data, field, model):
    """The metrics count a member, a shelter, a supply from this day (入队、启用、配备日期): it cannot be left out."""
    assert "这个字段是必填项" in errors(post(login("grid1"), slug, data | {field: ""}), field)
    assert not model.objects.exists()


def test_a_village_team_has_one_active_captain(login):
    captain = make_record("emergency-members", VILLAGE1, role="captain")
    client = login("grid1")
    assert errors(post(client, "emergency-members", MEMBER | {"role": "captain"}), "role") == ONE_CAPTAIN.replace(" ", "")
    assert post(client, "emergency-members", MEMBER | {"role": "deputy"}).status_code == 302  # deputies may be several
    assert post(client, "emergency-members", MEMBER | {"role": "deputy", "name": "李卫东"}).status_code == 302
    # the captain himself can be edited; a former captain (在队 unticked) does not block a new one
    edited = post(client, "emergency-members", MEMBER | {"role": "captain", "name": "张志刚", "version": 1}, pk=captain.pk)
    assert edited.status_code == 302
    assert post(client, "emergency-members", MEMBER | {"role": "captain", "active": ""}).status_code == 302
    EmergencyMember.objects.filter(pk=captain.pk).update(active=False)
    assert post(client, "emergency-members", MEMBER | {"role": "captain", "name": "刘海涛"}).status_code == 302


def test_a_deleted_captain_or_another_villages_captain_does_not_block(login):
    make_record("emergency-members", VILLAGE1, role="captain", deleted_at=timezone.now())
    make_record("emergency-members", VILLAGE2, role="captain")
    assert post(login("grid1"), "emergency-members", MEMBER | {"role": "captain"}).status_code == 302


def test_the_phone_is_encrypted_in_the_database_and_masked_in_the_audit_log(login):
    post(login("grid1"), "emergency-members", MEMBER)
    assert EmergencyMember.objects.get().phone == "13837012345"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {EmergencyMember._meta.db_table}")
        (stored,) = cursor.fetchone()
    assert "13837012345" not in stored
    event = AuditEvent.objects.get(action="create", object_type="emergency.emergencymember")
    assert event.changes["phone"] == [None, "138****2345"]


# ── 避难场所、物资、预案、消防站、演练 ───────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "slug, data, overrides, field, message",
    [
        ("shelters", SHELTER, {"capacity": "0"}, "capacity", "可容纳人数应大于0"),
        ("shelters", SHELTER, {"capacity": ""}, "capacity", "这个字段是必填项"),
        ("shelters", SHELTER, {"area": "0"}, "area", "面积应大于0平方米"),
        ("emergency-supplies", SUPPLY, {"quantity": "-1"}, "quantity", "确保该值大于或等于0"),
        ("emergency-supplies", SUPPLY, {"item": "other", "spec": ""}, "spec", "物资类别为“其他”时，请填写物资名称及规格"),
        ("emergency-supplies", SUPPLY, {"item": "other", "spec": "铁锹", "unit": ""}, "unit", "请填写单位"),
        ("emergency-supplies", SUPPLY, {"condition": "lost"}, "condition", "选择一个有效的选项"),
        ("emergency-supplies", SUPPLY, {"checked_on": AHEAD}, "checked_on", "日期不能晚于今天"),
        ("emergency-plans", PLAN, {"next_revision_on": "2023-04-20"}, "next_revision_on", "下次修订日期应晚于审批日期"),
        ("emergency-plans", PLAN, {"approved_on": AHEAD, "next_revision_on": ""}, "approved_on", "日期不能晚于今天"),
        ("emergency-plans", PLAN, {"kind": "war"}, "kind", "选择一个有效的选项"),
        ("fire-stations", STATION, {"members": "-2"}, "members", "确保该值大于或等于0"),
        ("fire-stations", STATION, {"established_on": ""}, "established_on", "这个字段是必填项"),
        ("drills", DRILL, {"participants": "0"}, "participants", "参加人数应大于0"),
        ("drills", DRILL, {"held_on": AHEAD}, "held_on", "日期不能晚于今天"),
        ("drills", DRILL, {"scenario": ""}, "scenario", "这个字段是必填项"),
    ],
)
def test_bad_input_is_refused_in_chinese(login, slug, data, overrides, field, message):
    from safestar.core.ledger import LEDGERS

    response = post(login("grid1"), slug, data | overrides)
    assert message in errors(response, field)
    assert not LEDGERS[slug].model.objects.exists()


def test_a_plans_next_revision_may_lie_in_the_future(login):
    assert post(login("grid1"), "emergency-plans", PLAN | {"next_revision_on": (today() + datetime.timedelta(days=3 * 365)).isoformat()}).status_code == 302


def test_a_supply_without_unit_gets_the_items_usual_unit(login):
    client = login("grid1")
    for item, unit in [("generator", "台"), ("flashlight", "个"), ("extinguisher", "具"), ("sandbag", "袋")]:
        assert post(client, "emergency-supplies", SUPPLY | {"item": item, "unit": ""}).status_code == 302
        assert EmergencySupply.objects.latest("id").unit == unit


def test_zero_quantity_is_allowed_for_a_supply_used_up(login):
    assert post(login("grid1"), "emergency-supplies", SUPPLY | {"quantity": "0"}).status_code == 302


def test_the_api_validates_in_chinese_too(client, world):
    from safestar.org.models import ApiToken, User

    auth = {"Authorization": f"Bearer {ApiToken.issue(User.objects.get(username='grid1'))[1]}"}
    payload = {"village": VILLAGE1, "held_on": "2023-06-10", "scenario": "fire", "title": "消防演练", "participants": 0}
    response = client.post("/api/v1/drills/", payload, content_type="application/json", headers=auth)
    assert response.status_code == 422 and response.json()["errors"]["participants"] == ["参加人数应大于 0"]
    payload = {"village": VILLAGE1, "kind": "flood", "title": "防汛预案", "approved_on": "2023-04-20",
               "approved_by": "村委会", "next_revision_on": "2023-01-01"}
    response = client.post("/api/v1/emergency-plans/", payload, content_type="application/json", headers=auth)
    assert response.status_code == 422 and response.json()["errors"]["next_revision_on"] == ["下次修订日期应晚于审批日期"]


# ── 谁能看 ───────────────────────────────────────────────────────────────────────────────────


@pytest.fixture
def emergency_office(world):
    """An account of 长岗镇应急管理办公室, a department that shares 应急."""
    from safestar.org.models import Department, User

    office = Department.objects.get(name="长岗镇应急管理办公室")
    return User.objects.create(
        username="emergency1", role="department", division=office.division, department=office, password_changed_at=timezone.now()
    )


def test_the_police_station_does_not_share_emergency_and_gets_404(login, api):
    drill = make_record("drills", VILLAGE1)
    client = login("police")
    assert client.get("/ledgers/drills/").status_code == 404
    assert client.get(f"/ledgers/drills/{drill.pk}/").status_code == 404
    assert client.get("/ledgers/emergency-members/").status_code == 404
    assert api("police")("/drills/").status_code == 404


def test_the_towns_emergency_office_sees_the_towns_drills(login, emergency_office):
    make_record("drills", VILLAGE1, title="长岗村消防演练")
    make_record("drills", VILLAGE2, title="杨庄村防汛演练")
    make_record("drills", "411422101201", title="平岗村防溺水演练")  # 平岗镇: outside the office's town
    response = login("emergency1").get("/ledgers/drills/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "长岗村消防演练" in page and "杨庄村防汛演练" in page and "平岗村防溺水演练" not in page
