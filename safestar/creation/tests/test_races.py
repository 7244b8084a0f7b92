"""Two people at the same moment: every check that guards a write holds when the write happens
(re-application, first application, closing a campaign, assigning findings to a campaign)."""

import datetime

import pytest
from django.db.models import QuerySet

from conftest import CHANGGANG, VILLAGE1, VILLAGE2
from safestar.audit.models import AuditEvent
from safestar.core.transitions import Refused
from safestar.creation import services
from safestar.creation.models import Application, SpecialCampaign
from safestar.creation.tests import factories
from safestar.org.models import Department, Division, User


def _rejected():
    application = factories.application(VILLAGE1, status="applied")
    services.reject(application, User.objects.get(username="town"), "材料不全")
    application.refresh_from_db()
    return application


def test_applying_again_after_a_rejection_clears_the_old_decision(world):
    application = _rejected()
    assert application.decided_by.username == "town" and application.reason == "材料不全"
    grid_cadre = User.objects.get(username="village1")
    again = services.apply(application.village, application.scheme, grid_cadre, "已补齐材料")
    again.refresh_from_db()
    assert again.status == "applied" and again.note == "已补齐材料" and again.applied_by == grid_cadre
    assert again.decided_by is None and again.decided_at is None and again.reason == ""


def test_applying_again_on_a_stale_rejection_writes_nothing_and_says_so(world, monkeypatch):
    application = _rejected()
    monkeypatch.setattr(services, "perform", lambda *args, **kwargs: False)  # someone else re-applied first
    with pytest.raises(Refused, match="状态已被他人更改"):
        services.apply(application.village, application.scheme, User.objects.get(username="town"), "镇里代为申请")
    application.refresh_from_db()
    assert application.note == "申请" and application.applied_by.username == "village1" and application.reason == "材料不全"


def test_two_first_applications_at_the_same_moment_give_a_message_not_an_error(world, monkeypatch):
    village = Division.objects.get(code=VILLAGE1)
    scheme = factories.scheme_for(village)
    services.apply(village, scheme, User.objects.get(username="village1"), "第一份")
    first = QuerySet.first
    # the second request checked before the first one saved
    monkeypatch.setattr(QuerySet, "first", lambda self: None if self.model is Application else first(self))
    with pytest.raises(Refused, match=f"{village.name}已申请"):
        services.apply(village, scheme, User.objects.get(username="town"), "第二份")
    monkeypatch.undo()
    assert list(Application.objects.values_list("note", flat=True)) == ["第一份"]


def test_a_task_of_a_completed_campaign_is_not_reopened(world, freeze_today):
    freeze_today(datetime.date(2023, 7, 1))
    campaign = factories.campaign(CHANGGANG)
    police = User.objects.get(username="police")
    for task in campaign.tasks.all():
        services.complete_task(task, police, "已宣传")
    assert services.complete_campaign(campaign, police, "完成") is True
    task = campaign.tasks.first()
    with pytest.raises(Refused, match="已完成，不能退回其中的任务"):
        services.reopen_task(task, User.objects.get(username="town"), "复查未通过")
    task.refresh_from_db()
    assert task.status == "done"


def test_a_campaign_is_not_closed_while_a_task_is_open(world):
    campaign = factories.campaign(CHANGGANG)
    with pytest.raises(Refused, match="还有村的整治任务未完成"):
        services.complete_campaign(campaign, User.objects.get(username="police"))
    campaign.refresh_from_db()
    assert campaign.status == "active"


def test_a_finding_taken_by_another_campaign_meanwhile_is_not_taken_again(world, freeze_today):
    freeze_today(datetime.date(2023, 7, 1))
    common = factories.finding(VILLAGE2, kind="common", description="反诈宣传不足")
    town, user = Division.objects.get(code=CHANGGANG), User.objects.get(username="town")
    police = Department.objects.get(name="长岗派出所")
    villages = [Division.objects.get(code=VILLAGE2)]
    first = services.create_campaign(user, town=town, title="反诈专项", department=police, villages=villages,
                                     deadline=datetime.date(2023, 8, 31), findings=[common])
    audit = AuditEvent.objects.get(object_type="creation.specialcampaign", object_id=str(first.pk), action="create")
    assert audit.changes["findings"] == [None, [common.pk]]
    with pytest.raises(Refused, match="已列入其他专项整治"):
        services.create_campaign(user, town=town, title="反诈专项（重复）", department=police, villages=villages,
                                 deadline=datetime.date(2023, 8, 31), findings=[common])
    common.refresh_from_db()
    assert common.campaign == first and list(SpecialCampaign.objects.values_list("title", flat=True)) == ["反诈专项"]
