"""Work reports: periods, ledger counts pre-filled, the flow, timeliness on frozen dates, the town's
Word summary, list query counts."""

import datetime
import io

import pytest
from docx import Document

from conftest import CHANGGANG, PINGGANG, VILLAGE1, VILLAGE2, make_record
from safestar.core.transitions import Refused
from safestar.org.models import Division, User
from safestar.reports import services
from safestar.reports.models import Report, ReportStatus, Requirement, Timeliness
from safestar.reports.tests import factories


def user(name):
    return User.objects.get(username=name)


def test_periods_and_due_days():
    quarterly = Requirement(year=2023, period="quarterly", due_days=5)
    assert quarterly.count == 4
    assert quarterly.bounds(1) == (datetime.date(2023, 1, 1), datetime.date(2023, 3, 31), datetime.date(2023, 4, 5))
    assert quarterly.bounds(4) == (datetime.date(2023, 10, 1), datetime.date(2023, 12, 31), datetime.date(2024, 1, 5))
    assert quarterly.period_label(3) == "2023年第三季度"
    monthly = Requirement(year=2024, period="monthly", due_days=3)
    assert monthly.bounds(2)[1] == datetime.date(2024, 2, 29) and monthly.period_label(2) == "2024年2月"
    assert Requirement(year=2023, period="half", due_days=10).period_label(2) == "2023年下半年"
    assert Requirement(year=2023, period="yearly", due_days=10).bounds(1)[2] == datetime.date(2024, 1, 10)


def test_a_new_report_counts_the_village_ledger_records_of_the_period(world):
    make_record("disputes", VILLAGE1, received_on=datetime.date(2023, 2, 10))
    make_record("disputes", VILLAGE1, received_on=datetime.date(2023, 3, 31))
    make_record("disputes", VILLAGE1, received_on=datetime.date(2023, 4, 1))  # the second quarter
    make_record("disputes", VILLAGE2, received_on=datetime.date(2023, 2, 10))  # another village
    make_record("cameras", VILLAGE1, installed_on=datetime.date(2023, 1, 10))
    requirement = factories.requirement(CHANGGANG, ledgers=("disputes", "cameras"), title="季报（测试）")
    village = Division.objects.get(code=VILLAGE1)
    report = services.open_report(requirement, village, 1, user("village1"))
    assert report.counts == {"disputes": 2, "cameras": 1}
    assert services.open_report(requirement, village, 2, user("village1")).counts == {"disputes": 1, "cameras": 0}
    # opening the same period again gives the same report, counts as they were saved
    make_record("disputes", VILLAGE1, received_on=datetime.date(2023, 2, 11))
    again = services.open_report(requirement, village, 1, user("grid1"))
    assert again.pk == report.pk and again.counts["disputes"] == 2


def test_the_demo_requirement_has_on_time_late_returned_and_waiting_reports(world):
    from safestar.core.models import Event
    from safestar.reports import demo_data

    demo_data.load(2023)
    demo_data.load(2023)  # idempotent
    requirement = Requirement.objects.get(issuer__code=CHANGGANG, year=2023)
    q1 = {v.code: t for v, r, t in services.standing(requirement, 1, user("town"))}
    assert q1[VILLAGE1] == Timeliness.ON_TIME and q1[VILLAGE2] == Timeliness.LATE
    assert sorted(set(q1.values())) == sorted({Timeliness.ON_TIME, Timeliness.LATE, Timeliness.MISSING})
    q2 = {v.code: r for v, r, t in services.standing(requirement, 2, user("town")) if r}
    assert q2[VILLAGE1].status == ReportStatus.ACCEPTED and q2[VILLAGE2].status == ReportStatus.SUBMITTED
    assert Event.objects.filter(object_type="reports.report", object_id=q2[VILLAGE1].pk, action="return").exists()
    assert Report.objects.filter(requirement=requirement).count() == 4


def test_a_report_counts_only_its_own_village_and_dates(world):
    requirement = factories.requirement(CHANGGANG, title="季报（计数）")
    village = Division.objects.get(code=VILLAGE1)
    base = services.ledger_counts(requirement, village, 1)["disputes"]
    make_record("disputes", VILLAGE1, received_on=datetime.date(2023, 1, 1))
    make_record("disputes", VILLAGE1, received_on=datetime.date(2023, 4, 1))
    make_record("disputes", VILLAGE2, received_on=datetime.date(2023, 1, 5))
    assert services.ledger_counts(requirement, village, 1)["disputes"] == base + 1


def test_a_village_cannot_report_for_another_town_or_a_missing_period(world):
    requirement = factories.requirement(PINGGANG)
    with pytest.raises(Refused, match="不在"):
        services.open_report(requirement, Division.objects.get(code=VILLAGE1), 1, user("village1"))
    with pytest.raises(Refused, match="没有第 5 期"):
        services.open_report(factories.requirement(CHANGGANG), Division.objects.get(code=VILLAGE1), 5, user("village1"))
    with pytest.raises(Refused):
        services.open_report(factories.requirement(CHANGGANG), Division.objects.get(code=VILLAGE1), 1, user("town"))


def test_timeliness_on_frozen_dates(world, freeze_today):
    requirement = factories.requirement(CHANGGANG)  # Q1 due 2023-04-05
    freeze_today(datetime.date(2023, 4, 5))
    on_time = factories.report(VILLAGE1, status="submitted")
    freeze_today(datetime.date(2023, 4, 6))
    late = factories.report(VILLAGE2, status="submitted")
    rows = {village.code: (report, t) for village, report, t in services.standing(requirement, 1, user("town"))}
    assert rows[VILLAGE1][1] == Timeliness.ON_TIME and rows[VILLAGE2][1] == Timeliness.LATE
    others = [t for code, (report, t) in rows.items() if code not in (VILLAGE1, VILLAGE2)]
    assert others and set(others) == {Timeliness.MISSING}
    tally = services.tally(services.standing(requirement, 1, user("town")))
    assert (tally[Timeliness.ON_TIME], tally[Timeliness.LATE], tally[Timeliness.MISSING]) == (1, 1, len(others))
    freeze_today(datetime.date(2023, 4, 3))
    assert services.standing(requirement, 1, user("town"))[-1][2] == Timeliness.PENDING  # not yet due
    assert on_time.timeliness == Timeliness.ON_TIME and late.timeliness == Timeliness.LATE


def test_a_returned_report_keeps_the_day_it_first_came_in(world, freeze_today):
    freeze_today(datetime.date(2023, 4, 2))
    report = factories.report(VILLAGE1, status="submitted")
    with pytest.raises(Refused, match="须说明理由"):
        services.return_report(report, user("town"), " ")
    assert services.return_report(report, user("town"), "纠纷数与台账不符，请核对")
    assert report.status == ReportStatus.RETURNED and report.reason == "纠纷数与台账不符，请核对"
    freeze_today(datetime.date(2023, 4, 20))
    assert services.submit(report, user("village1"))
    report.refresh_from_db()
    assert report.first_submitted_on == datetime.date(2023, 4, 2) and report.timeliness == Timeliness.ON_TIME
    assert services.accept(report, user("town"), "同意")
    assert report.status == ReportStatus.ACCEPTED


def test_the_village_fills_in_the_page_and_cannot_edit_once_submitted(login, world):
    report = factories.report(VILLAGE1)
    client = login("village1")
    response = client.post(f"/reports/filed/{report.pk}/edit/", {"version": report.version, "count_disputes": "-1", "text": "x"})
    assert "-1" not in str(response.context["form"].errors) and "大于或等于0" in str(response.context["form"].errors["count_disputes"])
    client.post(f"/reports/filed/{report.pk}/edit/", {"version": report.version, "count_disputes": "7", "text": "本季度排查纠纷7起"})
    report.refresh_from_db()
    assert report.counts == {"disputes": 7} and report.text == "本季度排查纠纷7起"
    client.post(f"/reports/filed/{report.pk}/transition/", {"action": "submit"})
    assert client.get(f"/reports/filed/{report.pk}/edit/").status_code == 404
    page = client.get(f"/reports/filed/{report.pk}/").content.decode()
    assert "待审核" in page and "填写汇报" not in page


def test_the_town_cannot_accept_what_it_submitted_and_a_village_cannot_review(login, world):
    report = factories.report(VILLAGE1, status="submitted")
    with pytest.raises(Refused, match="只有镇平安办"):
        services.accept(report, user("village1"))
    response = login("village1").post(f"/reports/filed/{report.pk}/transition/", {"action": "accept"})
    assert response.status_code == 404 and Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_a_stale_edit_is_a_conflict(login, world):
    report = factories.report(VILLAGE1)
    client = login("grid1")
    client.post(f"/reports/filed/{report.pk}/edit/", {"version": report.version, "count_disputes": "1", "text": "一"})
    response = client.post(f"/reports/filed/{report.pk}/edit/", {"version": report.version, "count_disputes": "2", "text": "二"}, follow=True)
    assert "没有保存" in response.content.decode()
    assert Report.objects.get(pk=report.pk).text == "一"


def test_the_town_summary_in_word(login, world, freeze_today):
    requirement = factories.requirement(CHANGGANG)
    freeze_today(datetime.date(2023, 4, 3))
    first = factories.report(VILLAGE1)
    Report.objects.filter(pk=first.pk).update(counts={"disputes": 3}, text="长岗村本季度化解纠纷3起")
    factories.report(VILLAGE1, status="accepted")
    freeze_today(datetime.date(2023, 4, 8))
    second = factories.report(VILLAGE2)
    Report.objects.filter(pk=second.pk).update(counts={"disputes": 2}, text="杨庄村本季度化解纠纷2起")
    factories.report(VILLAGE2, status="accepted")
    response = login("town").get(f"/reports/{requirement.pk}/periods/1/{CHANGGANG}/summary.docx")
    assert response.status_code == 200
    document = Document(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "长岗镇2023年第一季度平安建设工作季报汇总" in text and "睢县平安办：" in text  # the town's summary goes to the county
    assert "按时报送1份、逾期报送1份" in text and "审核采纳2份" in text
    assert "长岗村：长岗村本季度化解纠纷3起" in text and "逾期报送：杨庄村" in text
    totals = document.tables[1].rows[-1]
    assert [c.text for c in totals.cells] == ["合计", "5"]
    # the town next door is not this town's to summarise
    assert login("town").get(f"/reports/{requirement.pk}/periods/1/{PINGGANG}/summary.docx").status_code == 404


def test_the_requirement_form_says_what_is_wrong(login, world):
    client = login("town")
    response = client.post("/reports/new/", {"title": "", "year": "1990", "period": "quarterly", "due_days": "90"})
    errors = response.context["form"].errors
    assert "年度应在" in errors["year"][0] and "60 天" in errors["due_days"][0] and errors["title"]
    response = client.post("/reports/new/", {"title": "综治月报", "year": "2023", "period": "monthly", "reporters": "departments",
                                             "due_days": "3", "ledgers": ["disputes"]})
    assert "部门的汇报不统计村台账" in response.context["form"].errors["ledgers"][0]
    response = client.post("/reports/new/", {"title": "综治月报", "year": "2023", "period": "monthly", "reporters": "villages",
                                             "due_days": "3", "ledgers": ["disputes", "petitions"]})
    requirement = Requirement.objects.get(title="综治月报")
    assert response.status_code == 302 and requirement.issuer.code == CHANGGANG and requirement.ledgers == ["disputes", "petitions"]


def test_the_village_page_and_home_show_timeliness(login, world, freeze_today):
    factories.requirement(CHANGGANG)
    freeze_today(datetime.date(2023, 4, 10))  # Q1 was due 2023-04-05
    factories.report(VILLAGE1, status="submitted")
    page = login("town").get(f"/divisions/{VILLAGE1}/").content.decode()
    assert 'data-testid="reports-panel"' in page and "2023年第一季度：<strong>逾期</strong>" in page
    home = login("town").get("/").content.decode()
    assert "按时 0 · 逾期 1 · 未报" in home


# Each page: session, the user (with their division and whether they have an authenticator), then
# the page's own queries; the session is not saved (renewed at most once a minute).
BASE = 2


@pytest.mark.parametrize("rows", [2, 12])
def test_list_query_counts_do_not_grow_with_rows(login, world, django_assert_num_queries, rows):
    for i in range(rows):
        factories.requirement(CHANGGANG, title=f"汇报{i}")
    client = login("town")
    with django_assert_num_queries(BASE + 2):  # count, page (issuer joined)
        assert client.get("/reports/").status_code == 200


@pytest.mark.parametrize("villages", [0, 10])
def test_the_standing_page_queries_do_not_grow_with_villages(login, world, django_assert_num_queries, villages):
    town = Division.objects.get(code=CHANGGANG)
    for i in range(villages):
        Division.objects.create(parent=town, level="village", code=f"4114221002{60 + i}", name=f"新村{i}")
    requirement = factories.requirement(CHANGGANG)
    for code in (VILLAGE1, VILLAGE2):
        factories.report(code, status="submitted")
    client = login("town")
    # requirement (issuer joined), villages, their reports (village joined), towns for the summary
    with django_assert_num_queries(BASE + 4):
        assert client.get(f"/reports/{requirement.pk}/?period=1").status_code == 200


def test_departments_report_to_the_town_and_read_only_their_own(login, world, freeze_today):
    """A departments' requirement: the police station and the 司法所 of 长岗镇 report; each sees only its
    own report; villages do not see the requirement at all; the town office reviews."""
    freeze_today(datetime.date(2023, 4, 3))
    police_report = factories.department_report(status="submitted")
    requirement = police_report.requirement
    assert police_report.division.code == CHANGGANG and police_report.counts == {}
    rows = {reporter.name: t for reporter, report, t in services.standing(requirement, 1, user("town"))}
    assert rows["长岗派出所"] == Timeliness.ON_TIME and rows["长岗镇司法所"] == Timeliness.PENDING
    assert [r.name for r, _, _ in services.standing(requirement, 1, user("police"))] == ["长岗派出所"]
    police = login("police")
    page = police.get(f"/reports/{requirement.pk}/?period=1").content.decode()
    assert "长岗镇司法所" not in page and "填写本部门" in page
    assert police.get(f"/reports/filed/{police_report.pk}/").status_code == 200
    village_report = factories.report(VILLAGE1)
    assert police.get(f"/reports/filed/{village_report.pk}/").status_code == 404  # the police station does not share creation
    assert login("village1").get(f"/reports/{requirement.pk}/").status_code == 404
    # the police station cannot report for a villages' requirement, nor a village for the departments'
    with pytest.raises(Refused, match="报送对象"):
        services.open_report(factories.requirement(CHANGGANG), police_report.department, 1, user("police"))
    with pytest.raises(Refused, match="报送对象"):
        services.open_report(requirement, Division.objects.get(code=VILLAGE1), 1, user("village1"))
    assert services.accept(police_report, user("town"), "同意")
    freeze_today(datetime.date(2023, 4, 12))
    rows = services.standing(requirement, 1, user("town"))
    response = login("town").get(f"/reports/{requirement.pk}/periods/1/{CHANGGANG}/summary.docx")
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"全镇{len(rows)}个部门应报{len(rows)}份" in text and "长岗派出所" in "".join(c.text for c in document.tables[0]._cells)
    assert "长岗镇司法所" in text.split("未报送：")[1] and "长岗派出所" not in text.split("未报送：")[1]


def test_the_county_reviews_only_what_it_required(world):
    from safestar.org.roles import can

    report = factories.report(VILLAGE1, status="submitted")
    assert not can(user("county"), "reports.review", report)  # 长岗镇's requirement: the town reviews
    county = Division.objects.get(code="411422000000")
    required = Requirement.objects.create(issuer=county, title="县季报", year=2023, period="quarterly", due_days=5, ledgers=[])
    own = services.open_report(required, Division.objects.get(code=VILLAGE1), 1, user("village1"))
    services.submit(own, user("village1"))
    assert can(user("county"), "reports.review", own) and services.accept(own, user("county"))
