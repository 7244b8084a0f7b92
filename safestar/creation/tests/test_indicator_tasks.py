"""Tasks tied to indicators: a task generated from a computed indicator is complete exactly while the
indicator is met (live, from the evaluation's facts), an outcome task (零发案) is kept all year
without a due date, a manual one keeps its manual completion; confirming late warns."""

import datetime

import pytest

from conftest import VILLAGE1, VILLAGE2
from safestar.core.transitions import Refused
from safestar.creation import services
from safestar.creation.models import Application, Task, TaskBasis
from safestar.creation.tests import factories
from safestar.org.models import Division, User
from safestar.publicity.models import Activity

C31 = "C3.1"  # 宣传台账中“防范非法集资”至少1条 (records rule)


def fundraising_talk(client, village=VILLAGE1, day="2023-06-15"):
    """A 防范非法集资 publicity record entered on the ledger page, as a grid worker would."""
    response = client.post("/ledgers/publicity/new/", {
        "division": Division.objects.get(code=village).pk, "held_on": day, "topic": "illegal_fundraising", "channel": "meeting",
        "title": "防范非法集资宣传会", "audience": "全体村民", "participants": "40", "app_installs": "0", "materials": "30",
        "organiser": "长岗村村委会", "content": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    return Activity.objects.filter(topic="illegal_fundraising", title="防范非法集资宣传会").latest("id")


def task_page(client, task):
    response = client.get(f"/creation/tasks/{task.pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def village_tasks(world):
    """长岗村 confirmed, without any 防范非法集资 record of 2023 (the demo's removed)."""
    Activity.objects.filter(division__code=VILLAGE1, topic="illegal_fundraising").delete()
    application = factories.application(VILLAGE1)
    return application, application.tasks.get(indicator=C31)


def test_generated_tasks_follow_the_kind_of_their_indicator(village_tasks):
    application, _ = village_tasks
    basis = dict(application.tasks.values_list("indicator", "basis"))
    assert basis["C1.6"] == basis["C5.3"] == TaskBasis.MANUAL  # 人工评分
    assert basis["C1.7"] == basis["C3.7"] == basis["C7.4"] == TaskBasis.OUTCOME  # 零发案
    assert basis["C1.5"] == basis[C31] == TaskBasis.INDICATOR  # threshold, records
    outcome = application.tasks.filter(basis=TaskBasis.OUTCOME)
    assert outcome.count() == 7 and not outcome.exclude(due_on=None).exists()  # no mid-year due date
    assert not application.tasks.exclude(basis=TaskBasis.OUTCOME).filter(due_on=None).exists()


def test_an_indicator_task_turns_complete_with_a_ledger_record_and_back_when_it_is_deleted(login, village_tasks):
    application, task = village_tasks
    grid, town = login("grid1"), login("town")
    page = task_page(grid, task)
    assert "未完成（指标未达标）" in page and "实际 0条，要求 不少于1条" in page

    record = fundraising_talk(grid)
    page = task_page(grid, task)
    assert "已完成（指标已达标）" in page and "实际 1条，要求 不少于1条" in page
    detail = town.get(f"/creation/applications/{application.pk}/").content.decode()
    row = detail.split(f'data-indicator="{C31}"')[1].split("</tr>")[0]
    assert "已完成（指标已达标）" in row and "1条 / 不少于1条" in row

    response = grid.post(f"/ledgers/publicity/{record.pk}/delete/", {"reason": "录入错误"})
    assert response.status_code == 302
    assert "未完成（指标未达标）" in task_page(grid, task)
    task.refresh_from_db()
    assert task.status == "open"  # nothing stored changed: the state is the indicator's


def test_an_indicator_task_is_not_overdue_while_met_and_cannot_be_marked_done_by_hand(login, village_tasks, freeze_today):
    application, task = village_tasks
    freeze_today(datetime.date(2023, 12, 5))  # after the 11-30 due date
    assert task.pk in [t.pk for t in services.late_tasks(Task.objects.filter(application=application))]
    with pytest.raises(Refused, match="随指标C3.1达标自动完成（目前0条，要求不少于1条）"):
        services.complete_task(task, User.objects.get(username="village1"), "已宣传")
    response = login("village1").post(f"/creation/tasks/{task.pk}/transition/", {"action": "complete", "comment": "已宣传"}, follow=True)
    assert "不能人工标记完成" in response.content.decode()
    assert "标记完成</button>" not in task_page(login("village1"), task)

    fundraising_talk(login("grid1"))
    assert task.pk not in [t.pk for t in services.late_tasks(Task.objects.filter(application=application))]
    page = task_page(login("town"), task)
    assert "逾期" not in page.split('data-testid="due"')[1].split("</dd>")[0]


def test_outcome_tasks_show_kept_all_year_and_are_never_overdue(login, village_tasks, freeze_today):
    application, _ = village_tasks
    outcome = application.tasks.get(indicator="C3.7")
    freeze_today(datetime.date(2023, 12, 20))
    page = task_page(login("village1"), outcome)
    assert "全年保持" in page.split('data-testid="due"')[1].split("</dd>")[0]
    assert "全年保持：目前保持" in page and "实际 0件，要求 0件" in page
    late = {t.indicator for t in services.late_tasks(Task.objects.filter(application=application))}
    assert not late & {"C1.7", "C2.8", "C3.7", "C4.6", "C5.5", "C6.11", "C7.4"}
    assert "C1.6" in late  # a manual task still open is overdue as before


def test_manual_tasks_keep_manual_completion_with_evidence(village_tasks):
    application, _ = village_tasks
    manual = application.tasks.get(indicator="C1.6")
    cadre = User.objects.get(username="village1")
    with pytest.raises(Refused, match="请填写完成情况"):
        services.complete_task(manual, cadre, "")
    assert services.complete_task(manual, cadre, "已建立制度")
    assert manual.done and manual.state_label == "已完成"


def test_the_progress_counts_follow_the_indicators(login, village_tasks):
    application, task = village_tasks
    before = dict((name, done) for name, done, _ in services.progress_by_category(application))
    fundraising_talk(login("grid1"))
    after = dict((name, done) for name, done, _ in services.progress_by_category(application))
    assert after[task.category] == before[task.category] + 1
    assert {k: v for k, v in after.items() if k != task.category} == {k: v for k, v in before.items() if k != task.category}
    listed = login("town").get("/creation/applications/").context["page"].object_list
    row = next(a for a in listed if a.pk == application.pk)
    assert row.n_done == sum(after.values())


def test_task_states_take_one_query_plan_however_many_villages(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    factories.application(VILLAGE1)
    factories.application(VILLAGE2)
    from safestar.schemes.models import CachedResult

    one, both = list(Task.objects.filter(village__code=VILLAGE1)), list(Task.objects.all())
    with CaptureQueriesContext(connection) as few:
        services.task_states(one)
    CachedResult.objects.all().delete()  # cold again: the villages' results computed, not read back
    with CaptureQueriesContext(connection) as more:
        services.task_states(both)
    assert len(few) == len(more)  # the scheme's facts for the villages concerned, not a query per task
    with CaptureQueriesContext(connection) as warm:
        services.task_states(both)
    assert len(warm) == 2  # the applications (scheme and village joined), the stored results (schemes/cache.py)
    assert all(t.live is not None for t in both if t.basis != TaskBasis.MANUAL)


@pytest.mark.parametrize("day, late, soon", [
    (datetime.date(2023, 3, 1), 0, 0),
    (datetime.date(2023, 11, 10), 0, 41),  # 48 indicators, 7 outcome: 41 due within 30 days
    (datetime.date(2023, 12, 10), 41, 0),  # after the due date: all 41 start overdue
])
def test_confirming_late_in_the_year_warns_how_many_tasks_start_overdue(login, world, freeze_today, day, late, soon):
    village = Division.objects.get(code=VILLAGE2)
    application = services.apply(village, factories.scheme_for(village), User.objects.get(username="village2"), "申请")
    freeze_today(day)
    assert services.starting_overdue(application) == (late, soon)
    page = login("town").get(f"/creation/applications/{application.pk}/").content.decode()
    assert ('data-testid="late-warning"' in page) == bool(late or soon)
    if late:
        assert f"有 {late} 项的完成期限" in page
        response = login("town").post(f"/creation/applications/{application.pk}/decide/", {"decision": "confirm", "reason": ""}, follow=True)
        assert f"其中{late}项任务的完成期限已过" in response.content.decode()
        assert len(services.late_tasks(Application.objects.get(pk=application.pk).tasks.all())) <= late
    assert login("village2").get(f"/creation/applications/{application.pk}/").content.decode().count("late-warning") == 0
