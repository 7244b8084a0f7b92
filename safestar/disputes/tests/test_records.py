"""The 矛盾纠纷 ledgers' own rules: closing dates, deadlines, the overdue rule, personal data, and who
may see disputes and petitions."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from conftest import VILLAGE1, VILLAGE2, make_record
from safestar.audit.models import AuditEvent
from safestar.clock import today
from safestar.disputes.models import Dispute, LegalAdvisor, Petition
from safestar.org.models import Department, Division, User

D = datetime.date


def village_pk(code=VILLAGE1):
    return Division.objects.get(code=code).pk


def dispute_form(**overrides):
    data = {
        "division": village_pk(),
        "received_on": "2023-03-06",
        "source": "screening",
        "parties": "张某某、李某某",
        "category": "homestead",
        "summary": "两户因宅基地界墙归属发生争执",
        "stage": "resolved",
        "deadline": "2023-04-05",
        "closed_on": "2023-03-20",
        "result": "签订调解协议",
        "referred_to": "",
    }
    return data | overrides


def petition_form(**overrides):
    data = {
        "division": village_pk(),
        "received_on": "2023-04-11",
        "petitioner": "赵某某",
        "channel": "visit",
        "matter": "反映养殖场污水排入耕地",
        "is_backlog": "on",
        "status": "settled",
        "settled_on": "2023-05-08",
        "result": "督促整改，信访人息诉",
    }
    return data | overrides


def post(client, slug, data):
    """Post a new record; (response, form errors as {field: "all messages"})."""
    response = client.post(f"/ledgers/{slug}/new/", data)
    errors = {} if response.status_code == 302 else {k: " ".join(v) for k, v in response.context["form"].errors.items()}
    return response, errors


# ── Validation, in Chinese ───────────────────────────────────────────────────────────────────


def test_a_complete_dispute_is_saved(login):
    response, errors = post(login("grid1"), "disputes", dispute_form())
    assert response.status_code == 302, errors
    dispute = Dispute.objects.get()
    assert (dispute.stage, dispute.closed_on, dispute.created_by.username) == ("resolved", D(2023, 3, 20), "grid1")


@pytest.mark.parametrize("stage", ["resolved", "referred"])
def test_closed_on_is_required_once_resolved_or_referred(login, stage):
    _, errors = post(login("grid1"), "disputes", dispute_form(stage=stage, closed_on="", referred_to="长岗镇司法所"))
    assert errors == {"closed_on": "纠纷已化解或已移交时必须填写办结日期"}
    assert not Dispute.objects.exists()


@pytest.mark.parametrize("stage", ["accepted", "screening", "mediating"])
def test_an_open_dispute_has_no_closing_date(login, stage):
    client = login("grid1")
    _, errors = post(client, "disputes", dispute_form(stage=stage))
    assert errors == {"closed_on": "纠纷尚未化解或移交，不应填写办结日期"}
    response, _ = post(client, "disputes", dispute_form(stage=stage, closed_on=""))
    assert response.status_code == 302


def test_closed_before_received_is_refused(login):
    _, errors = post(login("grid1"), "disputes", dispute_form(received_on="2023-03-06", closed_on="2023-03-05"))
    assert errors == {"closed_on": "办结日期不能早于受理日期"}
    assert not Dispute.objects.exists()


def test_closed_on_the_day_received_is_fine(login):
    response, errors = post(login("grid1"), "disputes", dispute_form(received_on="2023-03-06", closed_on="2023-03-06"))
    assert response.status_code == 302, errors


def test_the_deadline_may_lie_ahead_but_the_received_date_may_not(login):
    client = login("grid1")
    yesterday = today() - datetime.timedelta(days=1)  # (yesterday: whatever the server's time zone)
    ahead = (today() + datetime.timedelta(days=30)).isoformat()
    response, errors = post(client, "disputes", dispute_form(stage="mediating", closed_on="", received_on=yesterday.isoformat(), deadline=ahead))
    assert response.status_code == 302, errors
    _, errors = post(client, "disputes", dispute_form(stage="mediating", closed_on="", received_on=ahead, deadline=ahead))
    assert errors == {"received_on": "日期不能晚于今天"}
    assert Dispute.objects.count() == 1


def test_the_deadline_may_not_be_before_the_received_date(login):
    _, errors = post(login("grid1"), "disputes", dispute_form(received_on="2023-03-06", deadline="2023-03-01"))
    assert errors == {"deadline": "化解期限不能早于受理日期"}


def test_a_referred_dispute_names_where_it_went(login):
    client = login("grid1")
    _, errors = post(client, "disputes", dispute_form(stage="referred", referred_to=" "))
    assert errors == {"referred_to": "纠纷已移交时必须填写移交单位"}
    response, _ = post(client, "disputes", dispute_form(stage="referred", referred_to="睢县人民法院长岗人民法庭"))
    assert response.status_code == 302


def test_every_problem_is_reported_at_once(login):
    data = dispute_form(stage="referred", closed_on="", referred_to="", received_on="2023-03-06", deadline="2023-03-01")
    _, errors = post(login("grid1"), "disputes", data)
    assert errors == {
        "closed_on": "纠纷已化解或已移交时必须填写办结日期",
        "deadline": "化解期限不能早于受理日期",
        "referred_to": "纠纷已移交时必须填写移交单位",
    }


def test_unknown_stage_and_category_are_refused_in_chinese(login):
    _, errors = post(login("grid1"), "disputes", dispute_form(stage="forgotten", category="feud"))
    assert "选择一个有效的选项" in errors["stage"] and "选择一个有效的选项" in errors["category"]


def test_a_settled_petition_needs_its_settling_date_not_before_it_was_received(login):
    client = login("grid1")
    _, errors = post(client, "petitions", petition_form(settled_on=""))
    assert errors == {"settled_on": "已化解息诉时必须填写化解息诉日期"}
    _, errors = post(client, "petitions", petition_form(received_on="2023-04-11", settled_on="2023-04-10"))
    assert errors == {"settled_on": "化解息诉日期不能早于登记日期"}
    _, errors = post(client, "petitions", petition_form(status="concluded"))
    assert errors == {"settled_on": "尚未化解息诉，不应填写化解息诉日期"}
    assert not Petition.objects.exists()
    response, errors = post(client, "petitions", petition_form())
    assert response.status_code == 302, errors
    assert Petition.objects.get().is_backlog


def test_the_api_refuses_a_resolved_dispute_without_closing_date_in_chinese(api, world):
    from safestar.org.models import ApiToken

    from django.test import Client

    _, token = ApiToken.issue(User.objects.get(username="grid1"))
    payload = {"village": VILLAGE1, "received_on": "2023-03-06", "source": "screening", "parties": "张某某", "category": "debt",
               "summary": "借款未还", "stage": "resolved", "deadline": "2023-04-05"}
    response = Client().post("/api/v1/disputes/", payload, content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"closed_on": ["纠纷已化解或已移交时必须填写办结日期"]}


# ── Personal data ────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("slug", ["legal-advisors", "mediators"])
def test_phones_are_validated_encrypted_at_rest_and_masked_in_the_audit_log(login, slug):
    client = login("grid1")
    data = {"division": village_pk(), "name": "王志强", "organisation": "河南睢州律师事务所", "appointed_on": "2023-01-10",
            "visits_per_month": "2", "active": "on", "role": "director", "party_member": "on", "trained": "on"}
    _, errors = post(client, slug, data | {"phone": "12345"})
    assert errors == {"phone": "请输入有效的手机号或固定电话号码"}
    response, errors = post(client, slug, data | {"phone": "13803701234"})
    assert response.status_code == 302, errors
    from safestar.core.ledger import LEDGERS

    obj = LEDGERS[slug].model.objects.get()
    assert obj.phone == "13803701234"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT phone FROM {obj._meta.db_table} WHERE id = %s", [obj.pk])
        assert "13803701234" not in cursor.fetchone()[0]
    event = AuditEvent.objects.get(action="create", object_id=str(obj.pk), object_type=obj._meta.label_lower)
    assert event.changes["phone"] == [None, "138****1234"]
    assert "13803701234" in client.get(f"/ledgers/{slug}/{obj.pk}/").content.decode()  # shown to those in scope


def test_parties_and_petitioners_are_masked_in_the_audit_log_and_not_in_record_names(login):
    client = login("grid1")
    post(client, "disputes", dispute_form(parties="张建国、李秀英"))
    post(client, "petitions", petition_form(petitioner="王桂兰"))
    dispute, petition = Dispute.objects.get(), Petition.objects.get()
    events = {e.object_type: e for e in AuditEvent.objects.filter(action="create", object_type__startswith="disputes.")}
    assert events["disputes.dispute"].changes["parties"] == [None, "张*****英"]
    assert events["disputes.petition"].changes["petitioner"] == [None, "王*兰"]
    assert str(dispute) == "2023-03-06 宅基地纠纷" and events["disputes.dispute"].object_repr == str(dispute)
    assert str(petition) == "2023-04-11 来访信访（积案）" and "王" not in events["disputes.petition"].object_repr


# ── The overdue rule ─────────────────────────────────────────────────────────────────────────


def dispute(received, deadline, stage="mediating", closed=None):
    return make_record("disputes", VILLAGE1, received_on=received, deadline=deadline, stage=stage, closed_on=closed)


@pytest.mark.parametrize(
    "today, overdue",
    [
        (D(2023, 3, 31), False),  # the deadline day itself: still within the deadline
        (D(2023, 4, 1), True),  # the day after: overdue
        (D(2023, 3, 1), False),  # the day it was received
        (D(2023, 2, 28), False),  # before it was received: not a dispute yet
        (D(2024, 6, 1), True),  # long after, still open
    ],
)
def test_an_open_dispute_is_overdue_once_its_deadline_has_passed(world, today, overdue):
    assert dispute(D(2023, 3, 1), D(2023, 3, 31)).is_overdue(today=today) is overdue


@pytest.mark.parametrize("stage", ["accepted", "screening", "mediating"])
def test_every_open_stage_can_be_overdue(world, stage):
    assert dispute(D(2023, 3, 1), D(2023, 3, 31), stage=stage).is_overdue(today=D(2023, 5, 1))


@pytest.mark.parametrize("stage", ["resolved", "referred"])
def test_a_closed_dispute_is_overdue_only_on_days_before_it_was_closed(world, stage):
    late = dispute(D(2023, 3, 1), D(2023, 3, 31), stage=stage, closed=D(2023, 4, 20))
    assert late.is_overdue(today=D(2023, 4, 10))  # open on 10 April, past its deadline
    assert not late.is_overdue(today=D(2023, 4, 20))  # closed that day
    assert not late.is_overdue(today=D(2024, 1, 1))


def test_is_overdue_uses_the_real_today_by_default(world):
    past = dispute(D(2020, 1, 1), D(2020, 1, 31))
    ahead = dispute(today(), today() + datetime.timedelta(days=30))
    assert past.is_overdue() and not ahead.is_overdue()


# ── Who may see what ─────────────────────────────────────────────────────────────────────────


def department_user(username, department):
    return User.objects.create(
        username=username, role="department", division=Division.objects.get(code="411422100000"),
        department=Department.objects.get(name=department), password_changed_at=timezone.now(),
    )


def test_the_justice_office_sees_disputes_but_not_petitions(login, api):
    department_user("justice1", "长岗镇司法所")  # shares "disputes", not "petitions"
    mine, next_door = make_record("disputes", VILLAGE1), make_record("disputes", VILLAGE2)
    petition = make_record("petitions", VILLAGE1)
    client = login("justice1")
    assert {o.pk for o in client.get("/ledgers/disputes/").context["page"]} == {mine.pk, next_door.pk}
    for slug in ("legal-advisors", "mediators", "stability-meetings"):
        assert client.get(f"/ledgers/{slug}/").status_code == 200
    assert client.get("/ledgers/petitions/").status_code == 404
    assert client.get(f"/ledgers/petitions/{petition.pk}/").status_code == 404
    assert client.get("/ledgers/petitions/new/").status_code == 404
    get = api("justice1")
    assert get("/disputes/").status_code == 200
    assert get("/petitions/").status_code == 404
    assert get(f"/petitions/{petition.pk}").status_code == 404


def test_the_petition_office_sees_petitions_but_not_disputes(login):
    department_user("petition1", "长岗镇信访办公室")  # shares "petitions" only
    petition = make_record("petitions", VILLAGE2)
    client = login("petition1")
    assert [o.pk for o in client.get("/ledgers/petitions/").context["page"]] == [petition.pk]
    for slug in ("disputes", "legal-advisors", "mediators", "stability-meetings"):
        assert client.get(f"/ledgers/{slug}/").status_code == 404


def test_village_cadres_see_their_own_village_only(login):
    make_record("legal-advisors", VILLAGE1, name="甲律师")
    make_record("legal-advisors", VILLAGE2, name="乙律师")
    assert [o.name for o in login("village2").get("/ledgers/legal-advisors/").context["page"]] == ["乙律师"]
    assert LegalAdvisor.objects.count() == 2
