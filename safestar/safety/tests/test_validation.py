"""What the safety ledgers refuse, with the Chinese messages people see: a rectified hazard needs
its date, not before the day it was found; a patrol follows only a hazard of its own village; a
joint check cannot rectify more problems than it found; quantities are not negative."""

import datetime

import pytest

from conftest import VILLAGE1, VILLAGE2, make_record
from safestar.clock import today
from safestar.safety.models import ControlledGoods, Hazard, HazardInspection, SafetyCheck


@pytest.fixture
def post(client, world):
    """post("grid1", "/hazards/", payload) → the API's answer to that persona's create."""
    from safestar.org.models import ApiToken, User

    def _post(username, path, payload):
        _, token = ApiToken.issue(User.objects.get(username=username))
        return client.post(f"/api/v1{path}", payload, content_type="application/json", headers={"Authorization": f"Bearer {token}"})

    return _post


HAZARD = {
    "village": VILLAGE1, "kind": "dry_well", "location": "村北废弃机井", "description": "井口无盖板",
    "risk_level": "high", "responsible": "王建国", "found_on": "2023-05-08", "deadline": "2023-05-20", "status": "pending",
}


def errors(response):
    assert response.status_code == 422, response.content.decode()
    return response.json()["errors"]


def test_a_rectified_hazard_needs_its_rectification_date(post):
    response = post("grid1", "/hazards/", HAZARD | {"status": "rectified"})
    assert errors(response) == {"rectified_on": ["整改状态为“已整改”时，须填写整改完成日期"]}
    assert not Hazard.objects.exists()


def test_the_rectification_cannot_precede_the_finding(post):
    response = post("grid1", "/hazards/", HAZARD | {"status": "rectified", "rectified_on": "2023-05-07"})
    assert errors(response) == {"rectified_on": ["整改完成日期不能早于发现日期（2023-05-08）"]}
    same_day = post("grid1", "/hazards/", HAZARD | {"status": "rectified", "rectified_on": "2023-05-08"})
    assert same_day.status_code == 201, same_day.content.decode()


def test_a_hazard_not_rectified_has_no_rectification_date(post):
    response = post("grid1", "/hazards/", HAZARD | {"status": "in_progress", "rectified_on": "2023-05-10"})
    assert errors(response) == {"rectified_on": ["尚未整改完成的隐患不填写整改完成日期；如已整改，请将整改状态改为“已整改”"]}


def test_the_deadline_may_lie_ahead_but_not_before_the_finding(post):
    ahead = (today() + datetime.timedelta(days=30)).isoformat()
    assert post("grid1", "/hazards/", HAZARD | {"deadline": ahead}).status_code == 201
    assert errors(post("grid1", "/hazards/", HAZARD | {"deadline": "2023-05-01"})) == {"deadline": ["整改期限不能早于发现日期（2023-05-08）"]}
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    assert errors(post("grid1", "/hazards/", HAZARD | {"found_on": tomorrow, "deadline": ahead})) == {"found_on": ["日期不能晚于今天"]}


def test_the_form_page_shows_the_message(login):
    client = login("grid1")
    from safestar.org.models import Division

    data = {key: value for key, value in HAZARD.items() if key != "village"}
    data |= {"division": Division.objects.get(code=VILLAGE1).pk, "status": "rectified", "rectified_on": ""}
    page = client.post("/ledgers/hazards/new/", data).content.decode()
    assert "整改状态为“已整改”时，须填写整改完成日期" in page
    assert not Hazard.objects.exists()


def test_a_patrol_follows_only_a_hazard_of_its_own_village(post):
    own = make_record("hazards", VILLAGE1)
    next_door = make_record("hazards", VILLAGE2, location="杨庄村南生产桥")
    patrol = {"village": VILLAGE1, "inspected_on": "2023-07-10", "inspector": "李志强", "route": "村东坑塘", "finding": "复查"}
    # the town sees both villages: the hazard is one it may choose, but not for a patrol of 长岗村
    response = post("town", "/hazard-inspections/", patrol | {"hazard": next_door.pk})
    assert errors(response) == {"hazard": ["所选隐患属于杨庄村，不是本村的隐患；只能跟踪本村登记的隐患"]}
    # for the village cadre the hazard next door is not even a choice (out of scope)
    assert list(errors(post("grid1", "/hazard-inspections/", patrol | {"hazard": next_door.pk}))) == ["hazard"]
    assert not HazardInspection.objects.exists()
    created = post("grid1", "/hazard-inspections/", patrol | {"hazard": own.pk})
    assert created.status_code == 201 and created.json()["hazard"] == own.pk
    assert post("grid1", "/hazard-inspections/", patrol).status_code == 201  # following no hazard is fine


def test_the_patrol_form_offers_only_the_hazards_in_scope(login):
    make_record("hazards", VILLAGE1, location="长岗村东大坑塘")
    make_record("hazards", VILLAGE2, location="杨庄村南生产桥")
    deleted = make_record("hazards", VILLAGE1, location="已删除的枯井")
    Hazard.objects.filter(pk=deleted.pk).update(deleted_at=datetime.datetime.now(datetime.UTC))
    page = login("grid1").get("/ledgers/hazard-inspections/new/").content.decode()
    assert "长岗村：长岗村东大坑塘坑塘隐患" in page
    assert "杨庄村南生产桥" not in page and "已删除的枯井" not in page


def test_a_patrol_naming_its_hazard_exports_and_reimports_unchanged(login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    hazard = make_record("hazards", VILLAGE1)
    make_record("hazard-inspections", VILLAGE1, hazard=hazard)
    client = login("village1")
    exported = client.get("/ledgers/hazard-inspections/export.xlsx").content
    report = client.post("/ledgers/hazard-inspections/import/", {"file": SimpleUploadedFile("x.xlsx", exported)}).context["report"]
    assert report.ok and report.summary() == "无变化 1 行"


def test_a_joint_check_rectifies_no_more_problems_than_it_found(post):
    check = {"village": VILLAGE1, "checked_on": "2023-09-20", "area": "fire", "departments": "镇应急办", "findings": "灭火器过期"}
    response = post("grid1", "/safety-checks/", check | {"problems_found": 2, "problems_rectified": 3})
    assert errors(response) == {"problems_rectified": ["已整改问题数（3）不能大于发现问题数（2）"]}
    assert "problems_found" in errors(post("grid1", "/safety-checks/", check | {"problems_found": -1, "problems_rectified": 0}))
    assert not SafetyCheck.objects.exists()
    assert post("grid1", "/safety-checks/", check | {"problems_found": 3, "problems_rectified": 3}).status_code == 201


def test_a_quantity_is_not_negative(post):
    goods = {"village": VILLAGE1, "category": "pesticide", "holder": "丰收农资店", "item": "草甘膦水剂", "unit": "瓶",
             "storage": "专柜加锁", "checked_on": "2023-06-15", "result": "passed"}
    assert errors(post("grid1", "/controlled-goods/", goods | {"quantity": "-1"})) == {"quantity": ["数量不能小于 0"]}
    assert not ControlledGoods.objects.exists()
    assert post("grid1", "/controlled-goods/", goods | {"quantity": "0"}).status_code == 201
