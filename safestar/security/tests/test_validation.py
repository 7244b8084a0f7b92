"""What the 治安防控 ledgers refuse, and how they say it: through the page, the API and the import
(all three validate with the ledger's one form)."""

import datetime
import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection
from django.utils import timezone

from conftest import VILLAGE1, VILLAGE2, make_record
from conftest import form_errors as errors
from conftest import post_record as post
from safestar.audit.models import AuditEvent
from safestar.clock import today
from safestar.core.ledger import LEDGERS
from safestar.core.sheets import read_xlsx
from safestar.security.models import ONE_PROFILE_PER_VILLAGE, Camera, Clue, SecurityProfile

PROFILE = {
    "police_officer": "王建军", "police_phone": "13837012345", "patrol_team": "长岗村治安巡逻队",
    "full_time_members": "2", "part_time_members": "6", "patrol_members": "李国强、张卫东", "key_site_guards": "1",
    "mutual_watch_shops": "12", "entry_registration": "on", "established_on": "2021-01-01",
    "updated_on": "2023-03-15",
}
CAMERA = {"location": "村东入口", "kind": "camera", "channels": "2", "networked": "on", "working": "on", "installed_on": "2023-06-01"}
CLUE = {"reported_on": "2023-04-20", "category": "vice", "content": "废弃厂房夜间聚赌", "reported_to": "", "status": "reported", "result": ""}

# A date after today but inside the date window (core/edge.py): the field's "not after today" rule answers.
AHEAD = (today() + datetime.timedelta(days=30)).isoformat()


def soft_delete(record):
    type(record).objects.filter(pk=record.pk).update(deleted_at=timezone.now(), delete_reason="重复录入")


# ── 村治安防控概况: one per village ─────────────────────────────────────────────────────────────


def test_a_second_profile_for_the_village_is_refused_on_the_village_field(login):
    make_record("security-profiles", VILLAGE1)
    response = post(login("grid1"), "security-profiles", PROFILE)
    assert errors(response, "division") == ONE_PROFILE_PER_VILLAGE
    assert "该村已有治安防控概况记录（每村一条），请在原记录上修改" in response.content.decode()
    assert SecurityProfile.objects.count() == 1


def test_the_village_profile_can_be_edited_and_a_deleted_one_does_not_block_a_new_one(login):
    profile = make_record("security-profiles", VILLAGE1)
    client = login("grid1")
    assert post(client, "security-profiles", PROFILE | {"patrol_team": "长岗村义务巡逻队", "version": 1}, pk=profile.pk).status_code == 302
    profile.refresh_from_db()
    assert profile.patrol_team == "长岗村义务巡逻队" and profile.version == 2
    soft_delete(profile)
    assert post(client, "security-profiles", PROFILE).status_code == 302
    assert SecurityProfile.objects.alive().get().pk != profile.pk


def test_each_village_has_its_own_profile(login):
    make_record("security-profiles", VILLAGE1)
    assert post(login("town"), "security-profiles", PROFILE, code=VILLAGE2).status_code == 302
    assert SecurityProfile.objects.alive().count() == 2


def test_a_second_profile_is_refused_by_the_api_and_the_import_too(login, client):
    from safestar.org.models import ApiToken, User

    make_record("security-profiles", VILLAGE1)
    auth = {"Authorization": f"Bearer {ApiToken.issue(User.objects.get(username='grid1'))[1]}"}
    payload = {"village": VILLAGE1, "updated_on": "2023-05-01", "full_time_members": 1, "part_time_members": 3,
               "key_site_guards": 0, "mutual_watch_shops": 4}
    response = client.post("/api/v1/security-profiles/", payload, content_type="application/json", headers=auth)
    assert response.status_code == 422 and response.json()["errors"]["village"] == [ONE_PROFILE_PER_VILLAGE]

    # The export of 长岗村's profile, its 编号 removed: a new row for a village that has one.
    client = login("village1")
    exported = client.get("/ledgers/security-profiles/export.xlsx").content
    columns = LEDGERS["security-profiles"].columns()
    (_, row), = read_xlsx(exported, columns)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [c.label for c in columns])
    sheet.write_row(1, 0, ["" if c.key == "id" else _cell(row[c.key]) for c in columns])
    book.close()
    upload = SimpleUploadedFile("x.xlsx", buffer.getvalue())
    report = client.post("/ledgers/security-profiles/import/", {"file": upload}).context["report"]
    assert [(e.row, e.column, e.message) for e in report.errors] == [(2, "村级区划代码", ONE_PROFILE_PER_VILLAGE)]
    assert SecurityProfile.objects.count() == 1


def _cell(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    return value.isoformat() if hasattr(value, "isoformat") else value


def test_restoring_a_profile_when_the_village_has_a_new_one_is_refused_in_chinese(login):
    old = make_record("security-profiles", VILLAGE1)
    soft_delete(old)
    make_record("security-profiles", VILLAGE1)
    response = login("village1").post(f"/ledgers/security-profiles/{old.pk}/restore/", follow=True)
    assert response.status_code == 200 and "该村已有治安防控概况记录" in response.content.decode()
    old.refresh_from_db()
    assert old.deleted_at is not None


def test_the_database_itself_keeps_one_alive_profile_per_village(world):
    from django.db import transaction

    make_record("security-profiles", VILLAGE1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_record("security-profiles", VILLAGE1)


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"police_phone": "1383701234"}, "police_phone", "请输入有效的手机号或固定电话号码"),
        ({"police_phone": "电话13837012345"}, "police_phone", "请输入有效的手机号或固定电话号码"),
        ({"police_officer": ""}, "police_officer", "填写了民警联系电话，请同时填写一村一警民警姓名"),
        ({"full_time_members": "-1"}, "full_time_members", "确保该值大于或等于0"),
        ({"mutual_watch_shops": ""}, "mutual_watch_shops", "这个字段是必填项"),
        ({"updated_on": AHEAD}, "updated_on", "日期不能晚于今天"),
    ],
)
def test_bad_profile_input_is_refused_in_chinese(login, overrides, field, message):
    response = post(login("grid1"), "security-profiles", PROFILE | overrides)
    assert message in errors(response, field).replace(" ", "")
    assert not SecurityProfile.objects.exists()


@pytest.mark.parametrize("phone", ["13837012345", "0370-8123456", "037081234567"])
def test_mobile_and_landline_numbers_are_accepted(login, phone):
    assert post(login("grid1"), "security-profiles", PROFILE | {"police_phone": phone}).status_code == 302


def test_a_profile_without_officer_is_allowed_the_post_may_be_vacant(login):
    assert post(login("grid1"), "security-profiles", PROFILE | {"police_officer": "", "police_phone": ""}).status_code == 302


def test_the_officers_phone_is_encrypted_in_the_database_and_masked_in_the_audit_log(login):
    post(login("grid1"), "security-profiles", PROFILE)
    profile = SecurityProfile.objects.get()
    assert profile.police_phone == "13837012345"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT police_phone FROM {SecurityProfile._meta.db_table}")
        (stored,) = cursor.fetchone()
    assert "13837012345" not in stored
    event = AuditEvent.objects.get(action="create", object_type="security.securityprofile")
    assert event.changes["police_phone"] == [None, "138****2345"]


# ── 技防设施 ──────────────────────────────────────────────────────────────────────────────────────


def test_video_surveillance_needs_its_channels(login):
    response = post(login("grid1"), "cameras", CAMERA | {"channels": ""})
    assert errors(response, "channels") == "视频监控须填写路数（至少 1 路）"
    assert not Camera.objects.exists()


@pytest.mark.parametrize("kind", ["alarm", "barrier", "other"])
def test_other_facilities_need_no_channels(login, kind):
    assert post(login("grid1"), "cameras", CAMERA | {"kind": kind, "channels": ""}).status_code == 302
    assert Camera.objects.get().channels is None


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"channels": "0"}, "channels", "路数至少为 1"),
        ({"channels": "两路"}, "channels", "输入整数"),
        ({"kind": "drone"}, "kind", "选择一个有效的选项"),
        ({"location": ""}, "location", "这个字段是必填项"),
        ({"installed_on": AHEAD}, "installed_on", "日期不能晚于今天"),
    ],
)
def test_bad_facility_input_is_refused_in_chinese(login, overrides, field, message):
    response = post(login("grid1"), "cameras", CAMERA | overrides)
    assert message in errors(response, field)
    assert not Camera.objects.exists()


def test_the_api_refuses_a_camera_without_channels(client, world):
    from safestar.org.models import ApiToken, User

    auth = {"Authorization": f"Bearer {ApiToken.issue(User.objects.get(username='grid1'))[1]}"}
    body = {"village": VILLAGE1, "location": "村委会大院", "kind": "camera", "working": True, "installed_on": "2023-01-01"}
    response = client.post("/api/v1/cameras/", body, content_type="application/json", headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"] == {"channels": ["视频监控须填写路数（至少 1 路）"]}


def test_a_facility_needs_its_installation_date(client, world):
    """The day a facility was installed is what the metrics count it from: it cannot be left out."""
    from safestar.org.models import ApiToken, User

    auth = {"Authorization": f"Bearer {ApiToken.issue(User.objects.get(username='grid1'))[1]}"}
    body = {"village": VILLAGE1, "location": "村委会大院", "kind": "camera", "channels": 2, "working": True}
    response = client.post("/api/v1/cameras/", body, content_type="application/json", headers=auth)
    assert response.status_code == 422
    assert response.json()["errors"] == {"installed_on": ["这个字段是必填项。"]}
    assert not Camera.objects.exists()


# ── 巡逻记录、线索上报 ─────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"hours": "0.2"}, "hours", "巡逻时长至少 0.5 小时"),
        ({"hours": "两小时"}, "hours", "输入一个数字"),
        ({"route": ""}, "route", "这个字段是必填项"),
        ({"patrolled_on": "2023-02-30"}, "patrolled_on", "输入一个有效的日期"),
    ],
)
def test_bad_patrol_input_is_refused_in_chinese(login, overrides, field, message):
    data = {"patrolled_on": "2023-07-08", "members": "李国强、张卫东", "route": "村委会—学校", "hours": "2", "findings": "", "handled": ""}
    response = post(login("grid1"), "patrols", data | overrides)
    assert message in errors(response, field)


def test_a_closed_clue_needs_its_result(login):
    client = login("grid1")
    response = post(client, "clues", CLUE | {"status": "closed"})
    assert errors(response, "result") == "已办结的线索须填写办理结果"
    assert post(client, "clues", CLUE | {"status": "closed", "result": "派出所查处，治安处罚 3 人"}).status_code == 302
    assert Clue.objects.get().get_status_display() == "已办结"


def test_a_clue_names_its_category_and_the_department_it_went_to(login):
    from safestar.org.models import Department

    police = Department.objects.get(name="长岗派出所")
    client = login("grid1")
    assert errors(post(client, "clues", CLUE | {"category": "theft"}), "category").startswith("选择一个有效的选项")
    assert post(client, "clues", CLUE | {"category": "women_children", "reported_to": police.pk}).status_code == 302
    clue = Clue.objects.get()
    assert clue.reported_to == police and str(clue) == "2023-04-20 侵害妇女儿童线索"
