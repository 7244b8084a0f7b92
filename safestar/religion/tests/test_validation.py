"""What the 宗教 ledgers refuse, and how they say it (in Chinese): through the page, the API and the
import, which all validate with the ledger's one form."""

import io

import pytest
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from conftest import VILLAGE1, VILLAGE2, make_record
from conftest import form_errors as errors
from conftest import post_record as post
from safestar.audit.models import AuditEvent
from safestar.core.ledger import LEDGERS
from safestar.core.sheets import read_xlsx
from safestar.religion.models import ReligiousActivity, ReligiousVenue

VENUE = {
    "name": "长岗村基督教聚会点", "religion": "christianity", "registered": "on", "registration_number": "睢宗场登字第041号",
    "person_in_charge": "李秀英", "phone": "13937012345", "address": "长岗村东街12号", "regular_attendees": "35",
    "known_since": "2018-04-01", "last_visited_on": "2023-05-16", "status": "normal",
}
ACTIVITY = {
    "held_on": "2023-03-12", "kind": "illegal_clue", "venue": "", "content": "外地人员在民房内私设聚会点传教",
    "participants": "15", "reported_to": "睢县民族宗教事务局", "status": "reported", "closed_on": "", "result": "",
}


def token(username):
    from safestar.org.models import ApiToken, User

    return {"Authorization": f"Bearer {ApiToken.issue(User.objects.get(username=username))[1]}"}


# ── 宗教活动场所 ─────────────────────────────────────────────────────────────────────────────


def test_a_registered_venue_needs_its_registration_number(login):
    client = login("grid1")
    response = post(client, "religious-venues", VENUE | {"registration_number": "  "})
    assert errors(response, "registration_number") == "依法登记的场所必须填写登记证号"
    assert "依法登记的场所必须填写登记证号" in response.content.decode()
    assert not ReligiousVenue.objects.exists()
    assert post(client, "religious-venues", VENUE).status_code == 302
    assert ReligiousVenue.objects.get().registration_number == "睢宗场登字第041号"


def test_an_unregistered_venue_has_no_registration_number(login):
    client = login("grid1")
    unregistered = {k: v for k, v in VENUE.items() if k != "registered"} | {"name": "长岗村土地庙", "religion": "folk"}
    response = post(client, "religious-venues", unregistered)
    assert "未依法登记的场所不应填写登记证号" in errors(response, "registration_number")
    assert post(client, "religious-venues", unregistered | {"registration_number": ""}).status_code == 302
    assert ReligiousVenue.objects.get().registered is False


def test_a_bad_phone_and_negative_attendees_are_refused(login):
    response = post(login("grid1"), "religious-venues", VENUE | {"phone": "1234567", "regular_attendees": "-3"})
    assert errors(response, "phone") == "请输入有效的手机号或固定电话号码"
    assert "请输入有效的手机号或固定电话号码" in response.content.decode()
    assert errors(response, "regular_attendees")  # Django's own: 确保该值大于或等于0
    assert not ReligiousVenue.objects.exists()


def test_the_phone_is_encrypted_at_rest_and_masked_in_the_audit_log(login):
    assert post(login("grid1"), "religious-venues", VENUE).status_code == 302
    venue = ReligiousVenue.objects.get()
    assert venue.phone == "13937012345"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM religion_religiousvenue WHERE id = %s", [venue.pk])
        stored = cursor.fetchone()[0]
    assert "13937012345" not in stored
    event = AuditEvent.objects.get(action="create", object_type="religion.religiousvenue")
    assert event.changes["phone"] == [None, "139****2345"]


# ── 宗教活动与线索 ───────────────────────────────────────────────────────────────────────────


def test_a_clue_needs_to_whom_it_was_reported(login):
    client = login("grid1")
    for kind, label in [("illegal_clue", "非法宗教活动线索"), ("cult_clue", "邪教线索"), ("interference_clue", "宗教干涉村务线索")]:
        response = post(client, "religious-activities", ACTIVITY | {"kind": kind, "reported_to": " "})
        assert errors(response, "reported_to") == f"{label}必须填写上报单位"
    assert not ReligiousActivity.objects.exists()
    # a care visit or a normal activity is not reported anywhere
    for kind in ("care_visit", "normal"):
        assert post(client, "religious-activities", ACTIVITY | {"kind": kind, "reported_to": ""}).status_code == 302
    assert post(client, "religious-activities", ACTIVITY).status_code == 302
    assert ReligiousActivity.objects.count() == 3


def test_a_closed_record_needs_its_closing_date_and_only_then(login):
    client = login("grid1")
    response = post(client, "religious-activities", ACTIVITY | {"status": "closed"})
    assert errors(response, "closed_on") == "已办结时必须填写办结日期"
    response = post(client, "religious-activities", ACTIVITY | {"closed_on": "2023-04-01"})
    assert errors(response, "closed_on") == "尚未办结，不应填写办结日期"
    response = post(client, "religious-activities", ACTIVITY | {"status": "closed", "closed_on": "2023-03-01"})
    assert errors(response, "closed_on") == "办结日期不能早于该记录的日期"
    assert post(client, "religious-activities", ACTIVITY | {"status": "closed", "closed_on": "2023-04-01"}).status_code == 302


def test_a_venue_of_another_village_is_refused(login):
    yangzhuang = make_record("religious-venues", VILLAGE2, name="杨庄村土地庙", religion="folk", registered=False, registration_number="")
    changgang = make_record("religious-venues", VILLAGE1)
    # The town sees both venues: the record's own rule refuses the one of the other village.
    client = login("town")
    response = post(client, "religious-activities", ACTIVITY | {"venue": yangzhuang.pk})
    assert errors(response, "venue") == "所选场所“杨庄村土地庙”不在本村，请选择本村的宗教活动场所"
    assert "不在本村，请选择本村的宗教活动场所" in response.content.decode()
    assert post(client, "religious-activities", ACTIVITY | {"venue": changgang.pk}).status_code == 302
    assert ReligiousActivity.objects.get().venue == changgang
    # 长岗村's grid worker is not even offered 杨庄村's venue, and cannot name it by its id.
    client = login("grid1")
    offered = list(client.get("/ledgers/religious-activities/new/").context["form"].fields["venue"].queryset)
    assert offered == [changgang]
    response = post(client, "religious-activities", ACTIVITY | {"venue": yangzhuang.pk})
    assert errors(response, "venue") == "所选宗教活动场所不存在、已删除或不在您的管辖范围内"


def test_the_api_refuses_the_same_in_chinese(client, world):
    yangzhuang = make_record("religious-venues", VILLAGE2, name="杨庄村土地庙", religion="folk", registered=False, registration_number="")
    payload = {"village": VILLAGE1, "held_on": "2023-06-01", "kind": "cult_clue", "content": "集市散发邪教传单", "status": "reported"}
    response = client.post("/api/v1/religious-activities/", payload, content_type="application/json", headers=token("town"))
    assert response.status_code == 422
    assert response.json()["errors"] == {"reported_to": ["邪教线索必须填写上报单位"]}
    payload |= {"reported_to": "长岗派出所", "venue": yangzhuang.pk}
    response = client.post("/api/v1/religious-activities/", payload, content_type="application/json", headers=token("town"))
    assert response.json()["errors"] == {"venue": ["所选场所“杨庄村土地庙”不在本村，请选择本村的宗教活动场所"]}
    venue = {"village": VILLAGE1, "name": "长岗观音堂", "religion": "buddhism", "registered": True, "person_in_charge": "王桂兰",
             "phone": "0370-12345", "address": "长岗村西街", "regular_attendees": 10, "known_since": "2020-01-01", "status": "normal"}
    response = client.post("/api/v1/religious-venues/", venue, content_type="application/json", headers=token("grid1"))
    assert response.status_code == 422
    assert response.json()["errors"] == {"registration_number": ["依法登记的场所必须填写登记证号"], "phone": ["请输入有效的手机号或固定电话号码"]}


def test_a_deleted_venue_is_not_offered_but_an_activity_that_names_it_stays_editable(login):
    from django.utils import timezone

    venue = make_record("religious-venues", VILLAGE1)
    activity = make_record("religious-activities", VILLAGE1, venue=venue)
    ReligiousVenue.objects.filter(pk=venue.pk).update(deleted_at=timezone.now(), delete_reason="重复录入")
    client = login("grid1")
    assert list(client.get("/ledgers/religious-activities/new/").context["form"].fields["venue"].queryset) == []
    response = post(client, "religious-activities", ACTIVITY | {"venue": venue.pk, "content": "修改", "version": 1}, pk=activity.pk)
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.content == "修改" and activity.venue_id == venue.pk


def test_activities_with_venues_export_and_reimport_unchanged(login):
    """The generic round trip runs without a venue; here each row names one, by name and village."""
    ledger = LEDGERS["religious-activities"]
    folk = dict(religion="folk", registered=False, registration_number="")
    v1 = make_record("religious-venues", VILLAGE1, name="土地庙", **folk)
    v2 = make_record("religious-venues", VILLAGE2, name="土地庙", **folk)  # the same name in another village
    make_record("religious-activities", VILLAGE1, venue=v1)
    make_record("religious-activities", VILLAGE2, venue=v2, kind="care_visit", reported_to="")
    client = login("town")
    exported = client.get("/ledgers/religious-activities/export.xlsx").content
    rows = list(read_xlsx(exported, ledger.columns()))
    assert sorted(r[1]["venue"] for r in rows) == ["土地庙（杨庄村）", "土地庙（长岗村）"]
    report = client.post("/ledgers/religious-activities/import/", {"file": SimpleUploadedFile("x.xlsx", exported)}).context["report"]
    assert report.ok and report.summary() == "无变化 2 行"

    # A new row naming the other village's venue is refused on that row.
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [c.label for c in ledger.columns()])
    values = {"division": VILLAGE1, "held_on": "2023-08-01", "kind": "关爱走访信教群众", "venue": "土地庙（杨庄村）",
              "content": "走访信教群众", "status": "已登记"}
    sheet.write_row(1, 0, [values.get(c.key, "") for c in ledger.columns()])
    book.close()
    response = client.post("/ledgers/religious-activities/import/", {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())})
    errors = [(e.row, e.column, e.message) for e in response.context["report"].errors]
    assert errors == [(2, "宗教活动场所", "所选场所“土地庙”不在本村，请选择本村的宗教活动场所")]
    assert ReligiousActivity.objects.count() == 2


@pytest.mark.usefixtures("drawn_pages")
def test_activities_with_venues_list_in_the_same_queries_for_few_or_many_rows(login):
    """The generic query-count test runs without a venue; each row here names one, shown with its
    village's name: the venue and its village come in the list's own query (select_related)."""
    from django.test.utils import CaptureQueriesContext

    from safestar.org.models import ApiToken, User

    client = login("town")
    auth = {"Authorization": f"Bearer {ApiToken.issue(User.objects.get(username='town'))[1]}"}

    def add(n):
        for code in (VILLAGE1, VILLAGE2):
            venue = make_record("religious-venues", code, name=f"土地庙{ReligiousVenue.objects.count()}",
                                religion="folk", registered=False, registration_number="")
            for _ in range(n):
                make_record("religious-activities", code, venue=venue)

    def queries():
        counts = []
        for url, headers in [("/ledgers/religious-activities/", {}), ("/api/v1/religious-activities/", auth)]:
            with CaptureQueriesContext(connection) as context:
                assert client.get(url, headers=headers).status_code == 200
            counts.append(len(context))
        return counts

    add(1)
    few = queries()
    add(15)
    assert queries() == few
    assert "土地庙" in client.get("/ledgers/religious-activities/").content.decode()
