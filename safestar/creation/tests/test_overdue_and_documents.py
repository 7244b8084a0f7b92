"""Overdue lists on frozen dates, the weekly summary, the Word notices, list query counts, the demo."""

import datetime
import io

import pytest
from docx import Document

from conftest import CHANGGANG, PINGGANG_VILLAGE, VILLAGE1, VILLAGE2
from safestar.creation import services
from safestar.core.models import Event
from safestar.creation.models import Application, Finding, RectificationPlan, SpecialCampaign, Task
from safestar.creation.tests import factories
from safestar.org.models import Division, User


@pytest.fixture
def plans(world):
    """长岗村: a plan due 2023-06-30, grid1 responsible; 杨庄村: one due 2023-06-20."""
    own = factories.plan(VILLAGE1, deadline=datetime.date(2023, 6, 30), description="长岗村探头损坏")
    own.responsible = User.objects.get(username="grid1")
    own.measures = "更换"
    own.save()
    other = factories.plan(VILLAGE2, deadline=datetime.date(2023, 6, 20), description="杨庄村灭火器过期")
    return own, other


def todo(login, username):
    """{queue key: [(pk, late)]} of the user's 我的待办."""
    response = login(username).get("/creation/todo/")
    assert response.status_code == 200
    return {q.key: [(i.key[1], i.late) for i in q.items] for q in response.context["queues"]}


def listed(queues, key, late=None):
    return [pk for pk, is_late in queues.get(key, []) if late is None or is_late == late]


def test_a_rectification_is_overdue_the_day_after_its_deadline(login, plans, freeze_today):
    own, other = plans
    freeze_today(datetime.date(2023, 6, 30))
    assert listed(todo(login, "grid1"), "rectify") == [own.pk] and listed(todo(login, "grid1"), "rectify", late=True) == []
    assert listed(todo(login, "town"), "rectify") == [other.pk]  # the town office: the overdue ones of its town

    freeze_today(datetime.date(2023, 7, 1))
    assert listed(todo(login, "grid1"), "rectify", late=True) == [own.pk]
    assert "逾期" in login("grid1").get("/creation/todo/").content.decode()
    assert listed(todo(login, "village1"), "rectify", late=True) == [own.pk]  # the village's cadre sees the village's
    assert listed(todo(login, "village2"), "rectify", late=True) == [other.pk]  # and not the village next door's
    assert listed(todo(login, "town"), "rectify") == [other.pk, own.pk]  # the town office sees the town
    assert listed(todo(login, "village3"), "rectify") == []
    assert listed(todo(login, "town2"), "rectify") == []


def test_a_submitted_or_closed_rectification_is_not_overdue(login, plans, freeze_today):
    own, _ = plans
    services.submit_plan(own, User.objects.get(username="grid1"))
    freeze_today(datetime.date(2023, 7, 5))
    assert listed(todo(login, "grid1"), "rectify") == []
    assert listed(todo(login, "town"), "to-verify") == [own.pk]
    services.reopen_plan(own, User.objects.get(username="town"), "不合格")  # back to the village, past its deadline
    assert listed(todo(login, "grid1"), "rectify", late=True) == [own.pk]


def _unmet(code):
    """The codes of the indicators the village's scorecard does not give full points (the scheme
    engine, independently of the tasks)."""
    from safestar.schemes.services import results

    village = Division.objects.filter(code=code)
    [result] = results(factories.scheme_for(village.get()), village)
    return {i.code for i in result.indicators if i.awarded is None or i.awarded < i.points}


def test_overdue_tasks_for_the_responsible_cadre_and_the_town(login, world, freeze_today):
    application = factories.application(VILLAGE1)
    other = factories.application(VILLAGE2)
    application.tasks.filter(indicator="C1.6").update(due_on=datetime.date(2023, 5, 31))
    services.complete_task(application.tasks.get(indicator="C5.3"), User.objects.get(username="village1"), "已落实")
    freeze_today(datetime.date(2023, 6, 1))
    assert listed(todo(login, "village1"), "tasks", late=True) == [application.tasks.get(indicator="C1.6").pk]
    assert listed(todo(login, "village2"), "tasks") == []
    town = todo(login, "town")
    assert listed(town, "tasks") == [application.tasks.get(indicator="C1.6").pk]
    freeze_today(datetime.date(2023, 12, 1))  # after the year's deadline everything not done is overdue, outcomes never
    outcome = set(application.tasks.filter(basis="outcome").values_list("indicator", flat=True))
    expected = {(VILLAGE1, c) for c in ({"C1.6"} | _unmet(VILLAGE1)) - outcome - {"C5.3"}}
    expected |= {(VILLAGE2, c) for c in ({"C1.6", "C5.3"} | _unmet(VILLAGE2)) - outcome}
    response = login("town").get("/creation/todo/")
    [queue] = [q for q in response.context["queues"] if q.key == "tasks"]
    assert queue.count == len(expected) < 2 * application.tasks.count() - 1  # all listed up to 50, counted in full
    late = set(Task.objects.filter(pk__in=[i.key[1] for i in queue.items if i.late]).values_list("village__code", "indicator"))
    assert len(late) == min(len(expected), 50) and late <= expected
    assert {(t.village.code, t.indicator) for t in services.late_tasks(Task.objects.all())} == expected
    village2 = set(Task.objects.filter(pk__in=listed(todo(login, "village2"), "tasks", late=True)).values_list("indicator", flat=True))
    assert village2 == {c for v, c in expected if v == VILLAGE2}
    get = login("village1")
    from safestar.org.models import ApiToken

    token = ApiToken.issue(User.objects.get(username="village1"))[1]
    data = get.get("/api/v1/tasks/?overdue=true&limit=100", headers={"Authorization": f"Bearer {token}"}).json()
    assert {t["indicator"] for t in data["items"]} == {c for v, c in expected if v == VILLAGE1}
    assert all(t["overdue"] in (True, None) and t["village"] == VILLAGE1 for t in data["items"])
    assert other.tasks.count() == application.tasks.count()


def test_the_weekly_summary_counts_the_week(login, world, freeze_today):
    freeze_today(datetime.date(2023, 5, 16))
    plan = factories.plan(VILLAGE1, deadline=datetime.date(2023, 5, 20))  # found 2023-05-16, a Tuesday
    factories.plan(VILLAGE2, deadline=datetime.date(2023, 5, 31))
    plan.measures = "更换"
    plan.save()
    freeze_today(datetime.date(2023, 5, 22))
    services.submit_plan(plan, User.objects.get(username="village1"))
    services.verify_plan(plan, User.objects.get(username="town"), "合格")
    client = login("town")
    week = client.get(f"/creation/weekly/{CHANGGANG}/?week=2023-05-17").context
    assert (week["start"], week["end"]) == (datetime.date(2023, 5, 15), datetime.date(2023, 5, 21))
    assert len(week["findings"]) == 2 and list(week["closed"]) == []
    week = client.get(f"/creation/weekly/{CHANGGANG}/").context  # this week (today is 2023-05-22)
    assert list(week["findings"]) == [] and [p.pk for p in week["closed"]] == [plan.pk]
    freeze_today(datetime.date(2023, 6, 1))
    week = client.get(f"/creation/weekly/{CHANGGANG}/").context
    assert [p.village.code for p in week["overdue_plans"]] == [VILLAGE2]
    assert client.get(f"/creation/weekly/{CHANGGANG}/?week=garbage").status_code == 200


def docx_text(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    document = Document(io.BytesIO(response.content))
    text = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            text += [c.text for c in row.cells]
    return "\n".join(text)


def test_the_supervision_notice_names_the_villages_findings_and_deadlines(login, world, freeze_today):
    freeze_today(datetime.date(2023, 5, 20))
    plan = factories.plan(VILLAGE1, deadline=datetime.date(2023, 6, 30), description="村东入口监控探头损坏2路")
    inspection = plan.finding.inspection
    services.add_finding(inspection, User.objects.get(username="town"), village=plan.village, description="反诈宣传不足",
                         severity="general", kind="common")
    text = docx_text(login("town").get(f"/creation/inspections/{inspection.pk}/notice.docx"))
    assert "关于第二季度督导情况的通报" in text and "长岗镇平安建设工作领导小组办公室" in text
    assert "长岗村" in text and "村东入口监控探头损坏2路" in text and "2023年6月30日" in text
    assert "反诈宣传不足" in text and "专项整治" in text
    assert "共发现问题2个，其中个性问题1个、共性问题1个" in text
    assert "2023年5月20日" in text  # signed today


def test_the_rectification_notice_names_the_village_problem_and_deadline(login, world):
    plan = factories.plan(VILLAGE1, deadline=datetime.date(2023, 7, 15), description="村东入口监控探头损坏2路")
    plan.measures = "联系运营商维修"
    plan.save()
    text = docx_text(login("village1").get(f"/creation/rectifications/{plan.pk}/notice.docx"))
    assert "整改通知书" in text and "长岗村党支部、村民委员会" in text
    assert "村东入口监控探头损坏2路" in text and "联系运营商维修" in text
    assert "于2023年7月15日前整改到位" in text and "C1.5" in text
    assert "杨庄村" not in text


def test_a_pasted_control_character_does_not_break_the_notices(login, world):
    """A finding pasted from Word with its manual line break (\\x0b) made both notices answer 500 for
    good; now they open, the break is a line break and other XML-illegal characters are gone."""
    plan = factories.plan(VILLAGE1, description="村东入口\x0b监控探头损坏\x082路")
    plan.measures = "联系运营商\x0c维修\x1f"
    plan.save()
    text = docx_text(login("town").get(f"/creation/inspections/{plan.finding.inspection.pk}/notice.docx"))
    assert "村东入口\n监控探头损坏2路" in text
    text = docx_text(login("village1").get(f"/creation/rectifications/{plan.pk}/notice.docx"))
    assert "村东入口\n监控探头损坏2路" in text and "联系运营商\n维修" in text and "\x1f" not in text


def test_pdf_documents_drop_xml_illegal_characters():
    from safestar.core.documents import html_to_pdf

    assert html_to_pdf("<p>村东\x0b入口\x00</p>").startswith(b"%PDF")


def test_the_town_exports_its_creation_subjects(login, world):
    from safestar.core.sheets import read_xlsx

    factories.application(VILLAGE1)
    factories.application(VILLAGE2, status="applied")
    factories.application(PINGGANG_VILLAGE)
    response = login("town").get("/creation/applications/export.xlsx")
    from safestar.creation.views import APPLICATION_COLUMNS

    rows = [row for _, row in read_xlsx(response.content, APPLICATION_COLUMNS)]
    assert [(r["village"], r["status"]) for r in rows] == [("长岗村", "已确认"), ("杨庄村", "待确认")]


def _many(n):
    """n confirmed applications, n plans and n campaigns in 长岗镇 (villages get added as needed)."""
    from safestar.org.models import Division

    town = Division.objects.get(code=CHANGGANG)
    villages = list(Division.objects.filter(parent=town, level="village").order_by("code")[:n])
    scheme = factories.scheme_for(villages[0])
    cadre, office = User.objects.get(username="village1"), User.objects.get(username="town")
    for village in villages:
        services.confirm(services.apply(village, scheme, cadre), office)
        factories.plan(village.code)
    for _ in range(n):
        factories.campaign(CHANGGANG)


# Each page: session, the user (with their division and whether they have an authenticator), then
# the page's own queries listed per test; the session is not saved (renewed at most once a minute).
BASE = 2


def facts_plan():
    """The queries of gathering the facts of 长岗镇's scheme for a few villages (schemes/cache.py
    gathered(): the facts token, then facts.gather(together=True): one per metric that is not a count,
    one per record group, the incidents and the key-person incidents, each twice (recognised, not
    yet), and the counts read together), whatever the number of villages."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safestar.schemes.cache import gathered

    village = Division.objects.get(code=VILLAGE1)
    scheme = factories.scheme_for(village)
    touch = Division.objects.filter(pk=village.pk)
    touch.update(name=village.name)  # a write: a new facts token, nothing kept under it
    with CaptureQueriesContext(connection) as context:
        gathered(scheme, [village.pk])
    touch.update(name=village.name)  # and another: what was gathered here is not kept for the page
    return len(context)


@pytest.mark.parametrize("rows", [2, 12])
@pytest.mark.parametrize("path, queries, evaluations", [
    # count, page (village and scheme joined), the page's tasks, their applications (scheme and village joined); one
    # evaluation, stored (schemes/services.py results: the stored result looked up, the generation, the village's
    # generation, the manual scores, the store's savepoint, upsert and release)
    ("/creation/applications/", 11, 1),
    ("/creation/inspections/", 2, 0),  # count, page (town joined, findings and villages counted)
    ("/creation/rectifications/", 2, 0),  # count, page (village, finding, responsible joined)
    ("/creation/campaigns/", 2, 0),  # count, page (department and town joined, villages and tasks counted)
    # 我的待办 (its queues: test_queues.py): evaluation deadlines, late self-assessments to consent to, entries to review, applications to decide, plans to verify, overdue plans,
    # overdue task candidates (today is after 2023-11-30: all open ones) + their applications (scheme and village
    # joined), one evaluation, stored (as above); overdue campaigns; the villages the user leads; reports to review; the
    # warning signs (as counted in test_queues.py, the two key-person signs in one query, with a second evaluation:
    # the dashboard's, cold here)
    ("/creation/todo/", 33, 2),
])
def test_list_query_counts_do_not_grow_with_rows(login, world, django_assert_num_queries, rows, path, queries, evaluations):
    _many(rows)
    client = login("town")
    with django_assert_num_queries(BASE + queries + evaluations * facts_plan()):
        assert client.get(path).status_code == 200


@pytest.mark.parametrize("rows", [2, 12])
@pytest.mark.parametrize("path", ["/applications/", "/tasks/", "/inspections/", "/findings/", "/rectifications/", "/campaigns/"])
def test_api_list_query_counts_do_not_grow_with_rows(api, django_assert_num_queries, rows, path):
    get = api("town")
    _many(rows)
    # token lookup (with user, division, department), last-used update, count, page (relations joined)
    with django_assert_num_queries(4):
        response = get(f"{path}?limit=100")
    assert response.status_code == 200 and response.json()["count"] >= rows


def test_the_village_page_shows_task_progress_and_open_rectifications(login, world, freeze_today):
    application = factories.application(VILLAGE1)
    factories.plan(VILLAGE1, deadline=datetime.date(2023, 6, 30))
    first = application.tasks.get(indicator="C1.6")
    services.complete_task(first, User.objects.get(username="village1"), "完成")
    freeze_today(datetime.date(2023, 7, 1))
    met = {i.code for i in application.scheme.spec.indicators()} - _unmet(VILLAGE1)  # the scorecard's full marks
    page = login("village1").get(f"/divisions/{VILLAGE1}/").content.decode()
    assert f"任务完成 <strong>{len(met) + 1} / {application.tasks.count()}</strong>" in page
    assert "未销号整改 1 项" in page and "其中逾期 1 项" in page
    category = application.tasks.filter(category=first.category)
    done = 1 + category.filter(indicator__in=met).count()
    assert f"<td>{first.category}</td><td>{done} / {category.count()}</td>" in page


def test_demo_data_is_believable_and_written_once(world):
    from safestar.creation import demo_data
    from safestar.schemes import demo_data as scheme_demo

    scheme_demo.load(2023)
    demo_data.load(2023)
    counts = [m.objects.count() for m in (Application, Task, Finding, RectificationPlan, SpecialCampaign, Event)]
    demo_data.load(2023)
    assert [m.objects.count() for m in (Application, Task, Finding, RectificationPlan, SpecialCampaign, Event)] == counts
    assert set(Application.objects.values_list("status", flat=True)) == {"confirmed"}
    assert set(RectificationPlan.objects.values_list("status", flat=True)) == {"open", "closed"}
    closed = RectificationPlan.objects.get(status="closed")
    assert closed.closed_on == datetime.date(2023, 6, 12) and closed.village.name == "杨庄村"
    campaign = SpecialCampaign.objects.get()
    assert campaign.department.name == "长岗派出所" and campaign.findings.count() == 2
    assert Task.objects.filter(status="done").exists() and Task.objects.filter(status="open").exists()


def test_the_home_page_flags_overdue_work_for_the_responsible_person_only(login, plans, freeze_today):
    freeze_today(datetime.date(2023, 7, 1))
    page = login("grid1").get("/").content.decode()
    assert "由我负责的整改：<strong>1</strong>" in page and '范围内逾期的整改：<strong class="text-danger">1</strong>' in page
    page = login("village2").get("/").content.decode()
    # a new plan is the village cadre's at once (the village names someone else on the plan's page)
    assert "由我负责的整改：<strong>1</strong>" in page and '范围内逾期的整改：<strong class="text-danger">1</strong>' in page
    page = login("town").get("/").content.decode()
    assert '范围内逾期的整改：<strong class="text-danger">2</strong>' in page
    assert "home-todo" not in login("admin").get("/").content.decode()
    assert "范围内逾期的整改：<strong>0</strong>" in login("village3").get("/").content.decode()  # 平岗村: none of 长岗镇's
