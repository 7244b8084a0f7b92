"""The creation workflow as people use it: apply, confirm, tasks, inspections, rectification, campaigns.
Every transition is conditional, recorded (from, to, comment, who) and audited; nobody approves
their own submission."""

import datetime
import re

import pytest

from conftest import CHANGGANG, VILLAGE1, VILLAGE2
from safestar.audit.models import AuditEvent
from safestar.clock import today
from safestar.creation import services
from safestar.core.models import Event
from safestar.core.transitions import Refused
from safestar.creation.models import Application, Finding, RectificationPlan, Task
from safestar.creation.tests import factories
from safestar.org.models import Division, User


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def scheme(world):
    return factories.scheme_for(Division.objects.get(code=VILLAGE1))


def test_village_applies_town_confirms_and_the_task_list_follows_the_scheme(login, scheme):
    client = login("village1")
    response = client.post("/creation/applications/new/", {"village": Division.objects.get(code=VILLAGE1).pk, "scheme": scheme.pk, "note": "我村申请"}, follow=True)
    application = Application.objects.get()
    assert application.status == "applied" and application.applied_by.username == "village1"
    assert "已提交创建申请" in response.content.decode()

    client = login("town")
    response = client.post(f"/creation/applications/{application.pk}/decide/", {"decision": "confirm", "reason": "同意"}, follow=True)
    application.refresh_from_db()
    assert application.status == "confirmed" and application.decided_by.username == "town"
    indicators = scheme.spec.indicators()
    tasks = Task.objects.filter(application=application)
    assert tasks.count() == len(indicators) > 20
    assert set(tasks.values_list("indicator", flat=True)) == {i.code for i in indicators}
    assert {t.responsible.username for t in tasks} == {"village1"}
    assert all(t.due_on == (None if t.basis == "outcome" else datetime.date(2023, 11, 30)) for t in tasks)  # 零发案: 全年保持
    page = response.content.decode()
    assert "治安防控严密有效" in page and "分类进度" in page
    event = Event.objects.get(action="confirm")
    assert (event.from_status, event.to_status, event.comment, event.actor.username) == ("applied", "confirmed", "同意", "town")
    audit = AuditEvent.objects.filter(object_type="creation.application", object_id=str(application.pk), action="update").first()
    assert audit.changes["status"] == ["待确认", "已确认"] and audit.changes["comment"] == [None, "同意"]


def test_applying_twice_is_refused_and_writes_nothing(login, scheme):
    factories.application(VILLAGE1, status="applied")
    response = login("village1").post("/creation/applications/new/", {"village": Division.objects.get(code=VILLAGE1).pk, "scheme": scheme.pk})
    assert response.status_code == 200
    assert "不能重复申请" in response.content.decode()
    assert Application.objects.count() == 1


def test_a_village_cadre_cannot_apply_for_the_village_next_door(login, scheme):
    response = login("village1").post("/creation/applications/new/", {"village": Division.objects.get(code=VILLAGE2).pk, "scheme": scheme.pk})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Application.objects.exists()


def test_rejection_needs_a_reason_and_the_village_may_apply_again(login, scheme):
    application = factories.application(VILLAGE1, status="applied")
    client = login("town")
    response = client.post(f"/creation/applications/{application.pk}/decide/", {"decision": "reject", "reason": " "}, follow=True)
    assert "不予确认时须说明理由" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "applied" and not Event.objects.exists()
    client.post(f"/creation/applications/{application.pk}/decide/", {"decision": "reject", "reason": "台账基础薄弱，明年再报"})
    application.refresh_from_db()
    assert application.status == "rejected" and application.reason == "台账基础薄弱，明年再报"
    login("village1").post("/creation/applications/new/", {"village": application.village_id, "scheme": scheme.pk, "note": "已补齐台账"})
    application.refresh_from_db()
    assert application.status == "applied" and application.note == "已补齐台账"
    assert list(Event.objects.values_list("action", flat=True)) == ["reject", "reapply"]


def test_the_town_office_cannot_confirm_what_it_applied_for_itself(login, scheme):
    client = login("town")
    client.post("/creation/applications/new/", {"village": Division.objects.get(code=VILLAGE1).pk, "scheme": scheme.pk, "note": "代村申请"})
    application = Application.objects.get()
    response = client.post(f"/creation/applications/{application.pk}/decide/", {"decision": "confirm"}, follow=True)
    assert "不能确认创建申请本人提交的事项" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "applied" and not application.tasks.exists() and not Event.objects.exists()


def test_two_stale_confirmations_only_one_succeeds_and_tasks_are_generated_once(world, scheme):
    application = factories.application(VILLAGE1, status="applied")
    first, second = Application.objects.get(pk=application.pk), Application.objects.get(pk=application.pk)
    town = User.objects.get(username="town")
    assert services.confirm(first, town, "同意") is True
    assert services.reject(second, town, "不同意") is False  # the page it was on said 待确认; it no longer is
    second.refresh_from_db()
    assert second.status == "confirmed"
    assert Event.objects.filter(object_id=application.pk).count() == 1
    assert application.tasks.count() == len(scheme.spec.indicators())


def _submitted_plan():
    plan = factories.plan(VILLAGE1)
    plan.measures = "维修探头"
    plan.save()
    services.submit_plan(plan, User.objects.get(username="village1"), "已维修")
    return plan


def test_two_stale_decisions_on_a_submitted_rectification_only_one_succeeds(world):
    plan = _submitted_plan()
    a, b = RectificationPlan.objects.get(pk=plan.pk), RectificationPlan.objects.get(pk=plan.pk)
    town = User.objects.get(username="town")
    assert services.verify_plan(a, town, "验收合格") is True
    assert services.reopen_plan(b, town, "还没修好") is False
    plan.refresh_from_db()
    assert plan.status == "closed" and plan.closed_on is not None
    assert list(Event.objects.filter(object_type="creation.rectificationplan").values_list("action", "from_status", "to_status", "comment")) == [
        ("submit", "open", "submitted", "已维修"), ("verify", "submitted", "closed", "验收合格"),
    ]
    audited = AuditEvent.objects.filter(object_type="creation.rectificationplan", action="update").values_list("changes", flat=True)
    assert [c["status"] for c in audited] == [["整改中", "待验收"], ["待验收", "已销号"]]


def test_nobody_verifies_the_rectification_they_submitted(login, world):
    plan = factories.plan(VILLAGE1)
    plan.measures = "维修探头"
    plan.save()
    client = login("town")
    client.post(f"/creation/rectifications/{plan.pk}/transition/", {"action": "submit", "comment": "镇里代报"})
    plan.refresh_from_db()
    assert plan.status == "submitted" and plan.submitted_by.username == "town"
    response = client.post(f"/creation/rectifications/{plan.pk}/transition/", {"action": "verify"}, follow=True)
    assert "不能验收销号本人提交的事项" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "submitted"
    with pytest.raises(Refused):
        services.reopen_plan(plan, User.objects.get(username="town"), "退回")


def test_rectification_round_trip_with_a_return(login, world):
    plan = factories.plan(VILLAGE1)
    village = login("village1")
    response = village.post(f"/creation/rectifications/{plan.pk}/transition/", {"action": "submit"}, follow=True)
    assert "请先填写整改措施" in response.content.decode()
    village.post(f"/creation/rectifications/{plan.pk}/edit/", {"measures": "更换探头2路", "responsible": User.objects.get(username="grid1").pk})
    village.post(f"/creation/rectifications/{plan.pk}/progress/", {"text": "已联系运营商"})
    village.post(f"/creation/rectifications/{plan.pk}/transition/", {"action": "submit", "comment": "已更换"})
    town = login("town")
    response = town.post(f"/creation/rectifications/{plan.pk}/transition/", {"action": "reopen", "comment": ""}, follow=True)
    assert "退回整改时须说明理由" in response.content.decode()
    town.post(f"/creation/rectifications/{plan.pk}/transition/", {"action": "reopen", "comment": "村东仍有1路不亮"})
    plan.refresh_from_db()
    assert plan.status == "open" and plan.responsible.username == "grid1"
    assert plan.progress.get().text == "已联系运营商"
    assert list(Event.objects.filter(object_type="creation.rectificationplan").values_list("to_status", flat=True)) == ["submitted", "open"]


def test_a_village_may_not_verify_its_own_rectification(login, world):
    plan = _submitted_plan()
    assert login("village1").post(f"/creation/rectifications/{plan.pk}/transition/", {"action": "verify"}).status_code == 404
    plan.refresh_from_db()
    assert plan.status == "submitted"


def test_task_completion_needs_evidence_and_the_town_may_return_it(login, world):
    task = factories.task(VILLAGE1)
    village = login("village1")
    response = village.post(f"/creation/tasks/{task.pk}/transition/", {"action": "complete", "comment": ""}, follow=True)
    assert "请填写完成情况" in response.content.decode()
    village.post(f"/creation/tasks/{task.pk}/transition/", {"action": "complete", "comment": "已配备民警"})
    task.refresh_from_db()
    assert task.status == "done" and task.completed_by.username == "village1" and task.evidence == "已配备民警"
    assert login("village1").post(f"/creation/tasks/{task.pk}/transition/", {"action": "reopen", "comment": "x"}).status_code == 404
    login("town").post(f"/creation/tasks/{task.pk}/transition/", {"action": "reopen", "comment": "缺少佐证"})
    task.refresh_from_db()
    assert task.status == "open" and task.completed_on is None


def test_a_task_links_only_ledger_records_of_its_own_village(login, world):
    from conftest import make_record

    task = factories.task(VILLAGE1)
    own, other = make_record("cameras", VILLAGE1), make_record("cameras", VILLAGE2)
    client = login("village1")
    data = {"responsible": User.objects.get(username="grid1").pk, "link_ledger": "cameras"}
    response = client.post(f"/creation/tasks/{task.pk}/edit/", data | {"link_id": other.pk})
    assert response.status_code == 200 and "所选记录不是本村该台账中的记录" in response.content.decode()
    task.refresh_from_db()
    assert task.links == [] and task.responsible.username == "village1"
    client.post(f"/creation/tasks/{task.pk}/edit/", data | {"link_id": own.pk})
    task.refresh_from_db()
    assert task.links == [{"ledger": "cameras", "id": own.pk, "label": f"技防设施台账：{own}"[:100]}]
    assert task.responsible.username == "grid1" and task.title and task.due_on == datetime.date(2023, 11, 30)  # the village cannot move them
    page = client.get(f"/creation/tasks/{task.pk}/").content.decode()
    assert f"/ledgers/cameras/{own.pk}/" in page


def test_the_evidence_picker_lists_the_records_of_the_chosen_ledger_of_the_task_village(login, world):
    from conftest import make_record

    task = factories.task(VILLAGE1)
    own, other = make_record("cameras", VILLAGE1), make_record("cameras", VILLAGE2)
    client = login("village1")
    page = client.get(f"/creation/tasks/{task.pk}/edit/").content.decode()
    assert 'hx-get="/creation/tasks/' in page and "（先选择台账）" in page
    # what htmx fetches when the ledger changes: the form again, its record list filled
    picked = client.get(f"/creation/tasks/{task.pk}/edit/?link_ledger=cameras", HTTP_HX_REQUEST="true").content.decode()
    options = re.search(r'<select name="link_id"[^>]*id="id_link_id"[^>]*>(.*?)</select>', picked, re.S).group(1)
    assert f'value="{own.pk}"' in options and f'value="{other.pk}"' not in options
    assert f"{own.installed_on:%Y-%m-%d} {own}" in options
    client.post(f"/creation/tasks/{task.pk}/edit/", {"responsible": User.objects.get(username="village1").pk,
                                                     "link_ledger": "cameras", "link_id": own.pk})
    task.refresh_from_db()
    assert task.links[0]["id"] == own.pk


def test_the_task_form_shows_its_deadline_as_the_browser_reads_it_and_saves_it_unchanged(login, world):
    task = factories.task(VILLAGE1)
    client = login("town")
    page = client.get(f"/creation/tasks/{task.pk}/edit/").content.decode()
    field = re.search(r'<input type="date" name="due_on"[^>]*>', page).group(0)
    assert f'value="{task.due_on:%Y-%m-%d}"' in field  # ISO: 2023/11/30 would be blank in the browser
    values = dict(re.findall(r'<input type="(?:text|date)" name="(\w+)" value="([^"]*)"', page))
    response = client.post(f"/creation/tasks/{task.pk}/edit/", values | {"responsible": ""})
    assert response.status_code == 302
    due = task.due_on
    task.refresh_from_db()
    assert task.due_on == due


def test_an_attachment_of_a_task_takes_the_user_back_to_the_task(login, world):
    task = factories.task(VILLAGE1)
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile

    ct = ContentType.objects.get_for_model(Task).pk
    response = login("village1").post(f"/files/{ct}/{task.pk}/upload/", {"file": SimpleUploadedFile("照片.pdf", b"%PDF-1.7\n%%EOF\n")})
    assert response.status_code == 302 and response["Location"] == f"/creation/tasks/{task.pk}/"
    assert login("village2").post(f"/files/{ct}/{task.pk}/upload/", {"file": SimpleUploadedFile("x.pdf", b"%PDF-1.7\n")}).status_code == 404


def test_town_inspects_and_records_findings(login, scheme):
    client = login("town")
    villages = Division.objects.filter(code__in=[VILLAGE1, VILLAGE2])
    from safestar.org.models import Department

    police = Department.objects.get(name="长岗派出所")
    response = client.post("/creation/inspections/new/", {"title": "三季度督导", "planned_on": "2023-09-01", "villages": [v.pk for v in villages], "departments": [police.pk]}, follow=True)
    inspection = response.context["inspection"]
    assert inspection.town.code == CHANGGANG
    response = client.post(f"/creation/inspections/{inspection.pk}/hold/", {"held_on": (today() + datetime.timedelta(days=30)).isoformat()}, follow=True)
    assert "开展日期不能晚于今天" in response.content.decode()
    client.post(f"/creation/inspections/{inspection.pk}/hold/", {"held_on": "2023-09-02", "note": "总体良好"})
    inspection.refresh_from_db()
    assert inspection.status == "held"

    before = (Finding.objects.count(), RectificationPlan.objects.count(), AuditEvent.objects.count())
    not_visited = Division.objects.get(code="411422100203").pk
    for bad, message in (({"village": villages[0].pk, "description": "", "severity": "general", "kind": "individual"}, "这个字段是必填项"),
                         ({"village": villages[0].pk, "description": "x", "severity": "huge", "kind": "individual"}, "选择一个有效的选项"),
                         ({"village": villages[0].pk, "description": "x", "severity": "general", "kind": "individual", "deadline": "2023-08-01"},
                          "整改期限不能早于督导日期"),
                         ({"village": villages[0].pk, "description": "x", "severity": "general", "kind": "individual", "deadline": "2023-13-01"},
                          "输入一个有效的日期"),
                         ({"village": not_visited, "description": "x", "severity": "general", "kind": "individual"}, "选择一个有效的选项")):
        response = client.post(f"/creation/inspections/{inspection.pk}/findings/new/", bad)
        assert response.status_code == 200 and message in response.content.decode()
    assert (Finding.objects.count(), RectificationPlan.objects.count(), AuditEvent.objects.count()) == before

    client.post(f"/creation/inspections/{inspection.pk}/findings/new/", {"village": villages[0].pk, "indicator": "C1.5", "description": "探头损坏",
                                                                         "severity": "serious", "kind": "individual"})
    plan = RectificationPlan.objects.get()
    assert plan.village.code == VILLAGE1 and plan.deadline == datetime.date(2023, 10, 2)  # 30 days after the visit
    client.post(f"/creation/inspections/{inspection.pk}/findings/new/", {"village": villages[1].pk, "description": "反诈宣传不足",
                                                                         "severity": "general", "kind": "common"})
    assert RectificationPlan.objects.count() == 1 and Finding.objects.filter(kind="common").count() == 1


def test_a_common_finding_becomes_a_campaign_the_department_runs(login, world, freeze_today):
    freeze_today(datetime.date(2023, 7, 1))
    common = factories.finding(VILLAGE2, kind="common", description="反诈宣传不足")
    from safestar.org.models import Department

    police = Department.objects.get(name="长岗派出所")
    client = login("town")
    data = {"title": "反诈专项", "department": police.pk, "findings": [common.pk], "villages": [Division.objects.get(code=VILLAGE1).pk], "deadline": "2023-08-31"}
    response = client.post("/creation/campaigns/new/", data)
    assert "所选问题涉及杨庄村" in response.content.decode()
    response = client.post("/creation/campaigns/new/", data | {"deadline": "2023-06-01"})
    assert "完成期限不能早于今天" in response.content.decode()
    client.post("/creation/campaigns/new/", data | {"villages": [Division.objects.get(code=c).pk for c in (VILLAGE1, VILLAGE2)]})
    common.refresh_from_db()
    campaign = common.campaign
    assert campaign.department == police and campaign.tasks.count() == 2

    officer = login("police")
    page = officer.get(f"/creation/campaigns/{campaign.pk}/").content.decode()
    assert "记录完成" in page and "长岗村" in page
    response = officer.post(f"/creation/campaigns/{campaign.pk}/transition/", {"comment": "完成"}, follow=True)
    assert "还有村的整治任务未完成" in response.content.decode()
    for task in campaign.tasks.all():
        officer.post(f"/creation/campaigns/{campaign.pk}/transition/", {"task": task.pk})
    officer.post(f"/creation/campaigns/{campaign.pk}/transition/", {"comment": "入户宣传全覆盖"})
    campaign.refresh_from_db()
    assert campaign.status == "completed" and campaign.completed_on == datetime.date(2023, 7, 1)
    assert Event.objects.filter(object_type="creation.specialcampaign").get().comment == "入户宣传全覆盖"
    # a village reads its town's campaign but does not run it
    assert login("village1").post(f"/creation/campaigns/{campaign.pk}/transition/", {}).status_code == 404


def test_a_decision_with_a_bad_choice_or_a_too_long_reason_changes_nothing(login, scheme):
    application = factories.application(VILLAGE1, status="applied")
    client = login("town")
    response = client.post(f"/creation/applications/{application.pk}/decide/", {"decision": "approve-all"}, follow=True)
    assert "确认结果：选择一个有效的选项" in response.content.decode()
    response = client.post(f"/creation/applications/{application.pk}/decide/", {"decision": "reject", "reason": "长" * 201}, follow=True)
    assert "意见：" in response.content.decode()
    application.refresh_from_db()
    assert application.status == "applied" and not Event.objects.exists()


def test_a_campaign_is_seen_by_the_villages_it_covers_only(login, world):
    from conftest import CHANGGANG
    from safestar.org.models import Division

    from .factories import campaign

    found = campaign(CHANGGANG)  # covers the town's first two villages: 长岗村 and 杨庄村
    found.villages.remove(Division.objects.get(code="411422100202"))
    response = login("village1").get(f"/creation/campaigns/{found.pk}/")
    assert response.status_code == 200
    # the village sees its own part of the campaign, not its neighbour's task (杨庄村 had one made before it was removed)
    assert [t.village.name for t in response.context["tasks"]] == ["长岗村"]
    assert "杨庄村" not in response.content.decode()
    assert login("village2").get(f"/creation/campaigns/{found.pk}/").status_code == 404
    # the town office and the leading department (without the creation field) see every village's task
    for user in ("town", "police"):
        tasks = login(user).get(f"/creation/campaigns/{found.pk}/").context["tasks"]
        assert sorted(t.village.name for t in tasks) == ["杨庄村", "长岗村"]


def test_a_task_completed_while_someone_edits_it_stays_completed(login, world, monkeypatch):
    from safestar.creation.forms import TaskEditForm

    task = factories.task(VILLAGE1)
    clean = TaskEditForm.clean

    def completed_meanwhile(form):  # the town completes the task between the page's read and its save
        Task.objects.filter(pk=task.pk).update(status="done", evidence="已完成", completed_by=User.objects.get(username="town"))
        return clean(form)

    monkeypatch.setattr(TaskEditForm, "clean", completed_meanwhile)
    response = login("village1").post(f"/creation/tasks/{task.pk}/edit/", {"responsible": User.objects.get(username="grid1").pk}, follow=True)
    assert "状态已被他人更改" in " ".join(messages_of(response))
    task.refresh_from_db()
    assert task.status == "done" and task.evidence == "已完成" and task.responsible.username == "village1"
    assert not AuditEvent.objects.filter(object_type="creation.task", action="update").exists()


def test_a_stale_page_does_not_let_the_town_verify_what_it_submitted_itself(world):
    plan = factories.plan(VILLAGE1)
    plan.measures = "维修探头"
    plan.save()
    stale = RectificationPlan.objects.get(pk=plan.pk)  # read before the submission: submitted_by still empty
    town = User.objects.get(username="town")
    services.submit_plan(plan, town, "镇里代为提交")
    with pytest.raises(Refused, match="不能验收销号本人提交的事项"):
        services.verify_plan(stale, town, "合格")
    plan.refresh_from_db()
    assert plan.status == "submitted" and plan.closed_on is None


def test_the_responsible_person_is_chosen_among_the_village_cadres_and_grid_workers(login, world):
    task = factories.task(VILLAGE1)  # generated with the applying cadre village1 responsible
    assert task.responsible.username == "village1"
    response = login("village1").post(f"/creation/tasks/{task.pk}/edit/", {"responsible": task.responsible_id}, follow=True)
    assert "已保存。" in messages_of(response)
    task.refresh_from_db()
    assert task.responsible.username == "village1"
    grid1 = User.objects.get(username="grid1")
    response = login("grid1").post(f"/creation/tasks/{task.pk}/edit/", {"responsible": grid1.pk}, follow=True)
    assert "已保存。" in messages_of(response)
    task.refresh_from_db()
    assert task.responsible == grid1
    # nobody of the village next door
    response = login("village1").post(f"/creation/tasks/{task.pk}/edit/", {"responsible": User.objects.get(username="village2").pk})
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    task.refresh_from_db()
    assert task.responsible == grid1

    plan = factories.plan(VILLAGE1)
    response = login("grid1").post(f"/creation/rectifications/{plan.pk}/edit/", {"measures": "维修探头", "responsible": grid1.pk}, follow=True)
    assert "已保存整改方案。" in messages_of(response)
    response = login("village1").post(f"/creation/rectifications/{plan.pk}/edit/", {"measures": "维修探头并复查", "responsible": grid1.pk}, follow=True)
    plan.refresh_from_db()
    assert plan.responsible == grid1 and plan.measures == "维修探头并复查"
