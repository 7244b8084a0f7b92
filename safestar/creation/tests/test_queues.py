"""我的待办 per role: grouped by kind with counts, each item once, only what the person can act on,
with a constant number of queries."""

import datetime

import pytest

from conftest import VILLAGE1, VILLAGE2, make_record
from safestar.creation import services
from safestar.creation.models import RectificationPlan
from safestar.creation.tests import factories
from safestar.incidents.models import Incident
from safestar.org.models import User


def queues(login, username):
    """{queue key: [(model label, pk) of its items]} and the counts, as the page gives them."""
    response = login(username).get("/creation/todo/")
    assert response.status_code == 200
    listed = response.context["queues"]
    return {q.key: [i.key for i in q.items] for q in listed}, {q.key: q.count for q in listed}, response.content.decode()


def test_a_new_finding_reaches_the_village_at_once(login, world):
    finding = factories.finding(VILLAGE1, deadline=datetime.date(2099, 6, 30))
    plan = finding.plan
    assert plan.responsible is not None and plan.responsible.division.code == VILLAGE1  # reaches a person of the village
    for person in ("village1", "grid1"):  # everyone of the village who can act on it, before anything is overdue
        items, counts, page = queues(login, person)
        assert ("creation.rectificationplan", plan.pk) in items["rectify"], person
        assert "本村待整改" in page
    assert "rectify" not in queues(login, "village2")[0]  # not the village next door
    # the town office does not act on it until it is submitted (then it waits for verification) or overdue
    items, _, _ = queues(login, "town")
    assert ("creation.rectificationplan", plan.pk) not in items.get("rectify", [])
    plan.measures = "更换"
    plan.save()
    services.submit_plan(plan, User.objects.get(username="grid1"))
    assert ("creation.rectificationplan", plan.pk) in queues(login, "town")[0]["to-verify"]
    assert "rectify" not in queues(login, "village1")[0]  # submitted: nothing left for the village to do


def test_each_item_is_listed_once(login, world, freeze_today):
    plan = factories.plan(VILLAGE1, deadline=datetime.date(2023, 6, 30))
    freeze_today(datetime.date(2023, 7, 5))
    items, counts, page = queues(login, "village1")
    keys = [key for listed in items.values() for key in listed]
    assert len(keys) == len(set(keys))
    assert keys.count(("creation.rectificationplan", plan.pk)) == 1
    assert page.count(f'/creation/rectifications/{plan.pk}/"') == 1
    assert counts["rectify"] == RectificationPlan.objects.filter(village__code=VILLAGE1, status="open").count()


def test_the_village_sees_tasks_due_within_a_month_and_overdue(login, world, freeze_today):
    application = factories.application(VILLAGE1)
    manual = application.tasks.get(indicator="C1.6")
    freeze_today(datetime.date(2023, 9, 1))
    assert "tasks" not in queues(login, "village1")[0]  # nothing due before 11-30 is near yet
    freeze_today(datetime.date(2023, 11, 10))
    items, _, page = queues(login, "village1")
    listed = {pk for _, pk in items["tasks"]}
    assert manual.pk in listed
    done = [t.pk for t in services.task_states(application.tasks.all()) if t.done]
    assert not listed & set(done)  # a met indicator's task is not listed
    assert not listed & set(application.tasks.filter(basis="outcome").values_list("pk", flat=True))  # 全年保持: no due date
    assert "到期的创建任务" in page and "要求" in page  # an indicator task shows its target
    freeze_today(datetime.date(2023, 12, 2))
    items, _, page = queues(login, "village1")
    assert manual.pk in {pk for _, pk in items["tasks"]} and "逾期" in page
    assert "tasks" not in queues(login, "village2")[0]  # 杨庄村 has no application


def test_the_county_evaluator_sees_incidents_to_recognise_not_village_tasks(login, world, freeze_today):
    factories.application(VILLAGE1)
    incident = make_record("incidents", VILLAGE2, occurred_on=datetime.date(2023, 5, 1))
    freeze_today(datetime.date(2023, 12, 2))
    items, counts, page = queues(login, "county")
    assert ("incidents.incident", incident.pk) in items["to-recognise-incidents"]
    waiting = Incident.objects.filter(recognised=False, deleted_at__isnull=True).count()
    assert counts["to-recognise-incidents"] == waiting and "待认定案事件" in page
    assert "tasks" not in items and "rectify" not in items  # the county does not act on village tasks
    # the town office and the village do not recognise incidents
    assert "to-recognise-incidents" not in queues(login, "town")[0]
    assert "to-recognise-incidents" not in queues(login, "village1")[0]
    from safestar.incidents import services as incident_services

    incident_services.recognise(incident, User.objects.get(username="county"))
    assert ("incidents.incident", incident.pk) not in queues(login, "county")[0].get("to-recognise-incidents", [])


def test_the_town_office_decides_applications_it_did_not_file(login, world):
    from safestar.org.models import Division

    village = Division.objects.get(code=VILLAGE2)
    own = services.apply(village, factories.scheme_for(village), User.objects.get(username="town"), "代村申请")
    other = factories.application(VILLAGE1, status="applied")
    items, _, _ = queues(login, "town")
    assert ("creation.application", other.pk) in items["to-decide"]
    assert ("creation.application", own.pk) not in items["to-decide"]  # not_by: it cannot confirm its own filing
    assert "to-decide" not in queues(login, "village1")[0]


def test_the_grid_worker_gets_quick_entry_for_the_ledgers_they_fill_most(login, world):
    client = login("grid1")
    from conftest import example_values
    from safestar.core.ledger import LEDGERS

    for _ in range(3):
        data = {k: v for k, v in example_values(LEDGERS["drills"]).items()}
        from conftest import post_record

        assert post_record(client, "drills", data).status_code == 302
    _, _, page = queues(login, "grid1")
    buttons = page.split('data-testid="queue-quick-entry"')[1].split("</section>")[0]
    assert buttons.index("/ledgers/drills/new/") == buttons.index("/ledgers/")  # the one filled most comes first
    assert buttons.count("btn ") == 6
    assert 'data-testid="queue-quick-entry"' not in queues(login, "town")[2]  # villages' ledgers, entered in the village


def _many(n):
    """n findings in 长岗村 (individual: a plan each), n unrecognised incidents, an application."""
    factories.application(VILLAGE1)
    for i in range(n):
        factories.finding(VILLAGE1, deadline=datetime.date(2099, 1, 1), description=f"问题{i}")
        make_record("incidents", VILLAGE1, occurred_on=datetime.date(2023, 5, 1))


# Each page: BASE (session; user with division and authenticator flag: see test_overdue_and_documents).
BASE = 2


@pytest.mark.parametrize("rows", [2, 12])
@pytest.mark.parametrize("username, queries, evaluations", [
    # evaluation deadlines near or passed; returned self-assessments; rectify, tasks due soon (none yet: no evaluation);
    # the villages the user leads (none); the work-report requirements (none); audit counts for quick entry
    ("village1", 7, 0),
    # incidents to recognise; evaluation deadlines; late forwardings to consent to; entries to evaluate, to recognise;
    # the villages the user leads (none); reports to review
    ("county", 7, 0),
    # evaluation deadlines; late self-assessments to consent to; entries to review; to decide, to verify, overdue plans,
    # overdue task candidates + their applications (scheme and village joined), one evaluation, stored (7 queries besides
    # the facts: the stored result looked up, the generation, the village's generation, the manual scores, the store's
    # savepoint, upsert and release); overdue campaigns; the villages the user leads (none); reports to review; the
    # warning signs (dashboards/panels.py: the year, the villages, their schemes, the dashboard's stored results read
    # (the generation comes with the result just stored), the villages' generations, and written, a query per sign (the
    # two dispute signs share one, so do the two key-person signs), the villages' names) with a second evaluation (the
    # dashboard's, cold here)
    ("town", 34, 2),
])
def test_queue_query_counts_do_not_grow_with_rows(login, world, django_assert_num_queries, freeze_today, rows, username, queries,
                                                  evaluations):
    from safestar.creation.tests.test_overdue_and_documents import facts_plan

    _many(rows)
    freeze_today(datetime.date(2023, 12, 2) if username == "town" else datetime.date(2023, 6, 1))
    client = login(username)
    with django_assert_num_queries(BASE + queries + evaluations * facts_plan()):
        assert client.get("/creation/todo/").status_code == 200
