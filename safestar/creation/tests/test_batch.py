"""The town office confirms the waiting applications at once, after a page listing what will change."""

import datetime

from django.urls import reverse

from conftest import VILLAGE1, VILLAGE2
from safestar.audit.models import AuditEvent
from safestar.core.models import Event
from safestar.creation import services
from safestar.creation.models import Application, Task
from safestar.creation.tests import factories
from safestar.org.models import Division, User

URL = reverse("applications-confirm")


def _waiting():
    """长岗村 and 杨庄村 applied by their cadres; a third 长岗镇 village applied by the town office itself."""
    one, two = factories.application(VILLAGE1, status="applied"), factories.application(VILLAGE2, status="applied")
    third = Division.objects.filter(parent__code="411422100000", level="village").exclude(code__in=[VILLAGE1, VILLAGE2]).order_by("code").first()
    own = services.apply(third, factories.scheme_for(third), User.objects.get(username="town"), "代村申请")
    return one, two, own


def test_the_confirmation_page_lists_what_will_change_and_confirming_does_it_for_all(login, world):
    one, two, own = _waiting()
    client = login("town")
    assert 'data-testid="confirm-all"' in client.get("/creation/applications/").content.decode()
    response = client.get(URL)
    assert sorted(response.context["ids"]) == sorted([one.pk, two.pk])
    page = response.content.decode()
    n = len(one.scheme.spec.indicators())
    assert page.count("待确认 → 已确认") == 2 and f"生成 {n} 项任务（其中全年保持 7 项）" in page
    assert f"{own}：不能确认创建申请本人提交的事项" in page  # left out, and why
    assert not Task.objects.exists() and Application.objects.filter(status="confirmed").count() == 0  # the GET changed nothing

    response = client.post(URL, {"ids": response.context["ids"], "reason": "同意"}, follow=True)
    assert "已确认 2 个村为创建主体" in response.content.decode()
    assert set(Application.objects.filter(status="confirmed").values_list("pk", flat=True)) == {one.pk, two.pk}
    assert Application.objects.get(pk=own.pk).status == "applied"
    assert Task.objects.filter(application=one).count() == Task.objects.filter(application=two).count() == n
    assert Event.objects.filter(object_type="creation.application", action="confirm").count() == 2
    audit = AuditEvent.objects.filter(object_repr="批量确认创建申请：2 个村").get()
    assert "长岗村" in str(audit.changes["applications"]) and "杨庄村" in str(audit.changes["applications"])
    assert {a.decided_by.username for a in Application.objects.filter(status="confirmed")} == {"town"}


def test_a_list_that_changed_meanwhile_confirms_nothing(login, world):
    one, two, _ = _waiting()
    client = login("town")
    ids = client.get(URL).context["ids"]
    services.reject(Application.objects.get(pk=two.pk), User.objects.get(username="town"), "材料不全")  # decided meanwhile
    response = client.post(URL, {"ids": ids}, follow=True)
    assert "待确认的创建申请已有变化，本次未确认，请重新确认" in response.content.decode()
    assert not Application.objects.filter(status="confirmed").exists() and not Task.objects.exists()
    assert client.get(URL).context["ids"] == [one.pk]


def test_late_in_the_year_the_page_warns_how_many_tasks_start_overdue(login, world, freeze_today):
    one, two, _ = _waiting()
    freeze_today(datetime.date(2023, 12, 10))
    page = login("town").get(URL).content.decode()
    assert 'data-testid="batch-warning"' in page and "共有 82 项任务的完成期限已过" in page  # 41 dated tasks × 2


def test_only_the_town_office_confirms_and_only_in_its_town(login, world):
    factories.application("411422101201", status="applied")  # 平岗村, in 平岗镇
    _waiting()
    assert login("village1").get(URL).status_code == 404
    assert login("taskforce").get(URL).status_code == 404
    assert login("town").get(URL).context["ids"] and all(
        a.village.parent.code == "411422100000" for a in Application.objects.filter(pk__in=login("town").get(URL).context["ids"]))
    response = login("town").post(URL, {"ids": [Application.objects.get(village__code="411422101201").pk]}, follow=True)
    assert "已有变化" in response.content.decode() and Application.objects.get(village__code="411422101201").status == "applied"
