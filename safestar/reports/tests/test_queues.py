"""Work reports in 我的待办 and the notifications, on frozen dates: the village cadre (or the
department) is told of a report due within 30 days or overdue and not submitted, and of a report
returned with its reason; the town office (the county for what it required) of the submitted reports
waiting for its review. Each once, for nobody outside its scope, gone when done; the page's queries do
not grow with the requirements and reports."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import CHANGGANG, VILLAGE1, VILLAGE2
from safestar.notices import services as notices
from safestar.notices.models import Notice
from safestar.org.models import Division, User
from safestar.reports import services
from safestar.reports.models import Requirement
from safestar.reports.tests.factories import requirement

YEAR = 2024  # after the demo's year: its 2023 reports are there too, and stay what they are


def user(name):
    return User.objects.get(username=name)


def _queues(login, username):
    response = login(username).get("/creation/todo/")
    assert response.status_code == 200
    return {q.key: q for q in response.context["queues"]}, response.content.decode()


def _keys(login, username, queue):
    found = _queues(login, username)[0].get(queue)
    return [i.key for i in found.items] if found else []


def test_a_report_due_then_overdue_then_submitted(login, world, freeze_today):
    required = requirement(CHANGGANG, year=YEAR)  # quarterly, due 5 days after each quarter: Q1 by 04-05
    due = ("reports.requirement", f"{required.pk}-1")
    freeze_today(datetime.date(YEAR, 2, 1))
    assert due not in _keys(login, "village1", "reports-due")  # more than 30 days ahead
    freeze_today(datetime.date(YEAR, 3, 20))
    queues, page = _queues(login, "village1")
    listed = [i for i in queues["reports-due"].items if i.key == due]
    assert len(listed) == 1 and not listed[0].late
    assert listed[0].label == f"{YEAR}年第一季度平安建设工作季报" and f"报送期限 {YEAR}-04-05" in listed[0].note
    assert listed[0].url == f"/reports/{required.pk}/?period=1"  # where the village opens its report
    assert page.count(f"/reports/{required.pk}/?period=1") == 1
    assert due in _keys(login, "village2", "reports-due")  # the village next door has its own to file
    for outsider in ("village3", "grid1", "town", "county", "town2"):  # other town; no submit; the reviewers
        assert due not in _keys(login, outsider, "reports-due"), outsider

    people = list(User.objects.filter(username__in=["village1", "village2", "village3", "town", "grid1"]).select_related("division"))
    notices.collect(people)
    freeze_today(datetime.date(YEAR, 4, 6))
    late = next(i for i in _queues(login, "village1")[0]["reports-due"].items if i.key == due)
    assert late.late
    notices.collect(people)
    notices.collect(people)
    key = f"reports-due:reports.requirement:{required.pk}-1"
    assert sorted(Notice.objects.filter(key__startswith=key).values_list("recipient__username", "key")) == [
        ("village1", f"{key}:late"), ("village1", f"{key}:open"), ("village2", f"{key}:late"), ("village2", f"{key}:open")]

    # opened (a draft): still due, now linking to the report; submitted: gone for the village, waiting for the town
    report = services.open_report(required, Division.objects.get(code=VILLAGE1), 1, user("village1"))
    item = next(i for i in _queues(login, "village1")[0]["reports-due"].items if i.key == due)
    assert item.url == f"/reports/filed/{report.pk}/" and "已填报，未报送" in item.note
    services.submit(report, user("village1"))
    assert due not in _keys(login, "village1", "reports-due")
    waiting = ("reports.report", report.pk)
    assert waiting in _keys(login, "town", "reports-to-review")
    for outsider in ("town2", "county", "village1", "taskforce"):  # the other town; the county did not require it; no review
        assert waiting not in _keys(login, outsider, "reports-to-review"), outsider
    notices.collect(list(User.objects.filter(username__in=["town", "town2", "county"]).select_related("division")))
    assert list(Notice.objects.filter(key=f"reports-to-review:reports.report:{report.pk}:open").values_list("recipient__username", flat=True)) == ["town"]


def test_a_returned_report_reaches_the_village_with_its_reason(login, world, freeze_today):
    required = requirement(CHANGGANG, year=YEAR)
    freeze_today(datetime.date(YEAR, 4, 3))
    report = services.open_report(required, Division.objects.get(code=VILLAGE1), 1, user("village1"))
    services.submit(report, user("village1"))
    services.return_report(report, user("town"), "请补充本季度隐患整改情况")
    queues, page = _queues(login, "village1")
    assert [i.key for i in queues["reports-returned"].items].count(("reports.report", report.pk)) == 1
    assert "退回原因：请补充本季度隐患整改情况" in page
    assert ("reports.report", report.pk) not in _keys(login, "town", "reports-to-review")
    assert ("reports.report", report.pk) not in _keys(login, "village2", "reports-returned")
    notices.collect([user("village1"), user("village2")])
    assert list(Notice.objects.filter(key__startswith=f"reports-returned:reports.report:{report.pk}:").values_list(
        "recipient__username", "body")) == [("village1", "退回原因：请补充本季度隐患整改情况")]
    services.submit(report, user("village1"))
    services.accept(report, user("town"))
    assert not _keys(login, "village1", "reports-returned")
    assert ("reports.report", report.pk) not in _keys(login, "town", "reports-to-review")


def test_the_county_reviews_what_it_required_and_departments_report_their_own(login, world, freeze_today):
    county_required = Requirement.objects.create(issuer=user("county").division, title="县平安建设月报", year=YEAR, period="monthly",
                                                 due_days=3, created_by=user("county"))
    town_required = requirement(CHANGGANG, year=YEAR)
    freeze_today(datetime.date(YEAR, 4, 2))
    village = Division.objects.get(code=VILLAGE2)
    to_county = services.open_report(county_required, village, 3, user("village2"))
    to_town = services.open_report(town_required, village, 1, user("village2"))
    for report in (to_county, to_town):
        services.submit(report, user("village2"))
    county = _keys(login, "county", "reports-to-review")
    assert ("reports.report", to_county.pk) in county and ("reports.report", to_town.pk) not in county
    town = _keys(login, "town", "reports-to-review")
    assert ("reports.report", to_county.pk) in town and ("reports.report", to_town.pk) in town
    # the county's monthly requirement: January and February overdue, March due, for 杨庄村's cadre and every village of the county
    due = _keys(login, "village2", "reports-due")
    assert {("reports.requirement", f"{county_required.pk}-{n}") for n in (1, 2)} <= set(due)
    assert ("reports.requirement", f"{county_required.pk}-3") not in due  # submitted
    assert ("reports.requirement", f"{county_required.pk}-3") in _keys(login, "village3", "reports-due")

    departments = requirement(CHANGGANG, year=YEAR, title="部门平安建设工作季报", reporters="departments", ledgers=())
    mine = ("reports.requirement", f"{departments.pk}-1")
    assert mine in _keys(login, "police", "reports-due")  # 长岗派出所
    assert mine not in _keys(login, "village1", "reports-due")  # villages do not report to it


def _page_queries(client):
    with CaptureQueriesContext(connection) as context:
        assert client.get("/creation/todo/").status_code == 200
    return len(context)


@pytest.mark.parametrize("username", ["village1", "town", "police"])
def test_the_todo_page_queries_do_not_grow_with_requirements_and_reports(login, world, freeze_today, django_assert_num_queries, username):
    freeze_today(datetime.date(YEAR, 11, 20))
    requirement(CHANGGANG, year=YEAR)
    requirement(CHANGGANG, year=YEAR, title="部门平安建设工作季报", reporters="departments", ledgers=())
    client = login(username)
    _page_queries(client)  # the first request of the process fills its caches
    few = _page_queries(client)
    for n, title in enumerate(("矛盾纠纷排查月报", "安全生产月报", "宣传工作月报")):
        monthly = requirement(CHANGGANG, year=YEAR, period="monthly", title=title)
        for_departments = requirement(CHANGGANG, year=YEAR, period="monthly", title=title, reporters="departments", ledgers=())
        for number in range(1, 8):
            for code in (VILLAGE1, VILLAGE2):
                report = services.open_report(monthly, Division.objects.get(code=code), number, user({VILLAGE1: "village1"}.get(code, "village2")))
                if number % 2:
                    services.submit(report, user({VILLAGE1: "village1"}.get(code, "village2")))
            report = services.open_report(for_departments, user("police").department, number, user("police"))
            if number % 3:
                services.submit(report, user("police"))
    assert _queues(login, username)[0]
    with django_assert_num_queries(few):
        assert client.get("/creation/todo/").status_code == 200
