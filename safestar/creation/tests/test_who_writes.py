"""Who may write what in creation and supervision: the town office owns inspections and findings,
villages and the town office do the village-level work, county departments sharing the creation
field only read it, a campaign's tasks are completed by whoever runs the campaign, and evidence
stays as it was approved."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import CHANGGANG, PASSWORD, VILLAGE1
from safestar.core.models import Attachment
from safestar.creation import services
from safestar.creation.models import RectificationPlan, Task
from safestar.creation.tests import factories
from safestar.org.models import Department, Division, User
from safestar.org.roles import Role

PDF = b"%PDF-1.7\n%%EOF\n"


def upload(client, obj):
    ct = ContentType.objects.get_for_model(obj).pk
    return client.post(f"/files/{ct}/{obj.pk}/upload/", {"file": SimpleUploadedFile("照片.pdf", PDF)})


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def organization(world):
    """A user of the county 组织部, a department that shares the creation field."""
    department = Department.objects.get(name="中共睢县县委组织部")
    user = User(username="zuzhi", role=Role.DEPARTMENT, division=department.division, department=department)
    user.set_password(PASSWORD)
    user.save()
    return user


def test_the_village_reads_but_does_not_change_the_towns_findings(login, world):
    finding = factories.finding(VILLAGE1)
    assert upload(login("town"), finding).status_code == 302
    attachment = Attachment.objects.get()
    village = login("village1")
    assert village.get(f"/creation/findings/{finding.pk}/").status_code == 200
    assert village.get(f"/files/{attachment.pk}/").status_code == 200
    assert upload(village, finding).status_code == 404
    assert village.post(f"/files/{attachment.pk}/delete/").status_code == 404
    assert Attachment.objects.alive().filter(pk=attachment.pk).exists() and Attachment.objects.count() == 1


def test_evidence_of_a_completed_task_or_a_submitted_rectification_is_kept_as_approved(login, world):
    task = factories.task(VILLAGE1)
    village = login("village1")
    assert upload(village, task).status_code == 302
    attachment = Attachment.objects.get()
    services.complete_task(task, User.objects.get(username="village1"), "已完成")
    assert upload(village, task).status_code == 404
    assert village.post(f"/files/{attachment.pk}/delete/").status_code == 404
    services.reopen_task(task, User.objects.get(username="town"), "佐证不全")
    assert upload(village, task).status_code == 302  # returned: the village adds evidence again

    plan = factories.plan(VILLAGE1)
    RectificationPlan.objects.filter(pk=plan.pk).update(measures="维修探头")
    plan.refresh_from_db()
    services.submit_plan(plan, User.objects.get(username="village1"))
    assert upload(village, plan).status_code == 404
    services.reopen_plan(plan, User.objects.get(username="town"), "还没修好")
    assert upload(village, plan).status_code == 302
    assert Attachment.objects.filter(object_id=plan.pk, content_type=ContentType.objects.get_for_model(plan)).count() == 1


def test_a_county_department_with_the_creation_field_reads_village_work_but_does_not_do_it(login, organization):
    task = factories.task(VILLAGE1)
    plan = factories.plan(VILLAGE1)
    client = login("zuzhi")
    assert client.get(f"/creation/tasks/{task.pk}/").status_code == 200
    assert client.get(f"/creation/rectifications/{plan.pk}/").status_code == 200
    responsible = User.objects.get(username="grid1").pk
    assert client.post(f"/creation/tasks/{task.pk}/edit/", {"responsible": responsible}).status_code == 404
    assert client.post(f"/creation/tasks/{task.pk}/transition/", {"action": "complete", "comment": "已完成"}).status_code == 404
    assert upload(client, task).status_code == 404
    assert client.post(f"/creation/rectifications/{plan.pk}/edit/", {"measures": "维修", "responsible": responsible}).status_code == 404
    assert client.post(f"/creation/rectifications/{plan.pk}/progress/", {"text": "已维修"}).status_code == 404
    task.refresh_from_db(), plan.refresh_from_db()
    assert task.status == "open" and task.responsible.username == "village1" and plan.measures == "" and not plan.progress.exists()


def test_a_county_department_leading_a_campaign_records_the_villages_completions(login, organization, freeze_today):
    freeze_today(datetime.date(2023, 7, 1))
    town = Division.objects.get(code=CHANGGANG)
    villages = list(Division.objects.filter(parent=town, level="village").order_by("code")[:2])
    campaign = services.create_campaign(User.objects.get(username="town"), town=town, title="基层组织整顿", department=organization.department,
                                        villages=villages, deadline=datetime.date(2023, 8, 31))
    client = login("zuzhi")
    for task in campaign.tasks.all():
        response = client.post(f"/creation/campaigns/{campaign.pk}/transition/", {"task": task.pk}, follow=True)
        assert f"已记录{task.village.name}完成整治。" in messages_of(response)
    response = client.post(f"/creation/campaigns/{campaign.pk}/transition/", {"comment": "整顿完成"}, follow=True)
    assert "专项整治已完成。" in messages_of(response)
    campaign.refresh_from_db()
    assert campaign.status == "completed" and not campaign.tasks.filter(status="open").exists()


def test_a_village_does_not_mark_its_own_campaign_task_complete(login, world):
    campaign = factories.campaign(CHANGGANG)
    task = campaign.tasks.get(village__code=VILLAGE1)
    village = login("village1")
    page = village.get(f"/creation/tasks/{task.pk}/")
    assert page.context["may_complete"] is False
    response = village.post(f"/creation/tasks/{task.pk}/transition/", {"action": "complete", "comment": "已宣传"}, follow=True)
    assert "专项整治任务由牵头部门（长岗派出所）或镇平安办记录完成" in " ".join(messages_of(response))
    task.refresh_from_db()
    assert task.status == "open"
    # an ordinary task of the village is still the village's to complete
    own = factories.task(VILLAGE1)
    village.post(f"/creation/tasks/{own.pk}/transition/", {"action": "complete", "comment": "已完成"})
    assert Task.objects.get(pk=own.pk).status == "done"
    # and the town office may complete a campaign task from the task's page
    login("town").post(f"/creation/tasks/{task.pk}/transition/", {"action": "complete", "comment": "镇里核实已完成"})
    assert Task.objects.get(pk=task.pk).status == "done"
