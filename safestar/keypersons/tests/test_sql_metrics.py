"""The key-person metrics are grouped SQL as of the year's end. On random registers they give what the
Python of before gave, person by person (kept below as the reference, reading the state as of the
day by the rule of core/states.py), on SQLite and PostgreSQL alike; in one query each; without
decrypting anything; and the home page counts with the same SQL.
"""

import datetime
from unittest import mock

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import VILLAGE1, VILLAGE2, change_state
from safestar.core.models import StateChange
from safestar.core.states import encode, record_type
from safestar.keypersons.metrics import mental_care_gaps, unmanaged, visits_overdue
from safestar.keypersons.models import Category, KeyPerson, Status, Treatment, Visit
from safestar.keypersons.overdue import due_on, is_overdue, overdue_q
from safestar.org.models import Division

from .factories import key_person, visit

D = datetime.date
TODAY = D(2024, 3, 15)  # evaluating 2023 after its end, and 2024 while it runs
VILLAGE3 = "411422100203"
MEASURES = ("measures_management", "measures_education", "measures_service")


# ── The reference: the Python of before, over model objects, with the as-of rule spelled out ──────


def state_on(person, name, day, changes):
    """The as-of rule of core/states.py, in Python: the latest change effective by `day`, else the old
    value of the earliest change, else the field as it is."""
    mine = sorted((c for c in changes if c.record_id == person.pk and c.field == name), key=lambda c: (c.effective_on, c.id))
    done = [c for c in mine if c.effective_on <= day]
    if done:
        return done[-1].new
    if mine:
        return mine[0].old
    return encode(getattr(person, name))


def reference(villages, day):
    changes = list(StateChange.objects.filter(record_type=record_type(KeyPerson)))
    result = {"unmanaged": {}, "gaps": {}, "overdue": {}}
    persons = KeyPerson.objects.alive().filter(division__in=villages, registered_on__lte=day).prefetch_related("categories")
    for p in persons:
        status = state_on(p, "status", day, changes)
        measures = [state_on(p, name, day, changes) for name in MEASURES]
        if status in (Status.LOST, Status.MISSED) or status == Status.MANAGED and "" in measures:
            result["unmanaged"][p.division_id] = result["unmanaged"].get(p.division_id, 0) + 1
        if status != Status.MANAGED:
            continue
        codes = {c.code for c in p.categories.all()}
        risk = state_on(p, "risk_grade", day, changes)
        treatment = state_on(p, "treatment", day, changes)
        guardian = state_on(p, "guardian_name", day, changes)
        if "mental" in codes and (guardian == "" or risk is not None and int(risk) >= 3
                                  and treatment not in (Treatment.HOSPITAL, Treatment.COMPULSORY)):
            result["gaps"][p.division_id] = result["gaps"].get(p.division_id, 0) + 1
        # overdue.py before: the last alive visit up to the day, the strictest interval (30 without one),
        # due one interval after the last visit or registration, overdue when due before the day
        visits = [v.visited_on for v in Visit.objects.filter(person=p, deleted_at__isnull=True, visited_on__lte=day)]
        intervals = [c.visit_interval_days for c in p.categories.all()]
        interval = min(intervals) if intervals else 30
        due = (max(visits) if visits else p.registered_on) + datetime.timedelta(days=interval)
        if due < day:
            result["overdue"][p.division_id] = result["overdue"].get(p.division_id, 0) + 1
    return result


# ── Random registers ───────────────────────────────────────────────────────────────────────────


def days(low, high):
    return st.integers(0, (high - low).days).map(lambda n: low + datetime.timedelta(days=n))


# Days on the edges that matter (years' ends, one interval before them, TODAY) and any day at all.
EDGES = [D(2022, 12, 31), D(2023, 1, 1), D(2023, 10, 2), D(2023, 11, 1), D(2023, 11, 16), D(2023, 12, 1),
         D(2023, 12, 17), D(2023, 12, 31), D(2024, 1, 1), D(2024, 2, 14), D(2024, 3, 15)]
WHEN = st.one_of(st.sampled_from(EDGES), days(D(2022, 6, 1), TODAY))
CODES = ["released", "correction", "drugs", "mental", "mental_suspected", "youth", "cult"]
CHANGES = st.one_of(
    st.tuples(st.just("status"), st.sampled_from(list(Status.values))),
    st.tuples(st.just("status"), st.sampled_from(list(Status.values))),  # twice as likely: several changes of one field
    st.tuples(st.sampled_from(MEASURES + ("guardian_name",)), st.sampled_from(["", "已落实"])),
    st.tuples(st.just("risk_grade"), st.one_of(st.none(), st.integers(0, 5))),
    st.tuples(st.just("treatment"), st.sampled_from([""] + list(Treatment.values))),
)
PERSON = st.fixed_dictionaries({
    "village": st.sampled_from([VILLAGE1, VILLAGE2, VILLAGE3]),
    "registered": WHEN,
    "categories": st.lists(st.sampled_from(CODES), max_size=3, unique=True),
    "status": st.sampled_from(list(Status.values)),
    "measures": st.tuples(*(st.sampled_from(["", "有措施"]) for _ in MEASURES)),
    "guardian": st.sampled_from(["", "张秀英"]),
    "risk": st.one_of(st.none(), st.integers(0, 5)),
    "treatment": st.sampled_from([""] + list(Treatment.values)),
    "deleted": st.booleans(),
    "visits": st.lists(st.tuples(WHEN, st.booleans()), max_size=4),
    "changes": st.lists(st.tuples(CHANGES, WHEN), max_size=5),
})


def build(spec):
    person = key_person(
        spec["village"], categories=spec["categories"], registered=spec["registered"], status=spec["status"],
        guardian_name=spec["guardian"], risk_grade=spec["risk"], treatment=spec["treatment"],
        **dict(zip(MEASURES, spec["measures"])),
    )
    for day, deleted in spec["visits"]:
        v = visit(person, day)
        if deleted:
            Visit.objects.filter(pk=v.pk).update(deleted_at=datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC))
    for (name, value), effective in spec["changes"]:  # recorded in any order of their effective days
        change_state(person, effective, **{name: value})
    if spec["deleted"]:
        KeyPerson.objects.filter(pk=person.pk).update(deleted_at=datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC))


@pytest.fixture
def frozen(world, freeze_today):
    freeze_today(TODAY)
    assert Category.objects.filter(code__in=CODES).count() == len(CODES)
    for code, interval in (("youth", 60), ("cult", 45), ("mental_suspected", 14)):  # intervals of all kinds
        Category.objects.filter(code=code).update(visit_interval_days=interval)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(persons=st.lists(PERSON, max_size=8), year=st.sampled_from([2022, 2023, 2024]))
def test_the_sql_metrics_agree_with_the_python_reference(frozen, persons, year):
    with transaction.atomic():
        for spec in persons:
            build(spec)
        villages = Division.objects.filter(code__in=[VILLAGE1, VILLAGE2, VILLAGE3])
        day = min(D(year, 12, 31), TODAY)
        expected = reference(villages, day)
        assert unmanaged(year, villages) == expected["unmanaged"]
        assert mental_care_gaps(year, villages) == expected["gaps"]
        assert visits_overdue(year, villages) == expected["overdue"]
        # the warning signs read who is overdue from due_on()'s annotations, not from overdue_q in SQL
        annotated = due_on(KeyPerson.objects.filter(division__in=villages), day)
        assert ({p.pk for p in annotated if is_overdue(p, day)}
                == set(annotated.filter(overdue_q(day)).values_list("pk", flat=True)))
        transaction.set_rollback(True)


# ── One query, no decryption, the same count on the home page and the village panel ─────────────


@pytest.fixture
def register(frozen):
    """长岗村: 4 overdue in 2023 of 5 (one of them released in 2024), 杨庄村: 1 of 1."""
    for _ in range(4):
        person = key_person(VILLAGE1, categories=("drugs",), registered=D(2023, 1, 5))
        visit(person, D(2023, 10, 1))  # due 2023-10-31: overdue on 31 December
    released = KeyPerson.objects.filter(division__code=VILLAGE1).first()
    change_state(released, D(2024, 1, 20), status=Status.RELEASED)
    visit(key_person(VILLAGE1, categories=("drugs",), registered=D(2023, 1, 5)), D(2023, 12, 20))  # on time
    key_person(VILLAGE2, categories=("mental",), registered=D(2023, 1, 5), guardian_name="张秀英")  # never visited
    return Division.objects.filter(code__in=[VILLAGE1, VILLAGE2])


def test_each_metric_is_one_query_and_decrypts_nothing(register, django_assert_num_queries):
    ids = dict(Division.objects.filter(code__in=[VILLAGE1, VILLAGE2]).values_list("code", "pk"))
    with mock.patch("safestar.core.crypto.decrypt", side_effect=AssertionError("decrypted while counting")):
        for compute in (unmanaged, mental_care_gaps, visits_overdue):
            with django_assert_num_queries(1):  # the one grouped query, whatever the number of villages
                compute(2023, register)
        # released in January 2024: still managed, and overdue, on 31 December 2023
        assert visits_overdue(2023, register) == {ids[VILLAGE1]: 4, ids[VILLAGE2]: 1}
        # on 15 March 2024: the released one no longer counts; the one visited on 20 December is late by now
        assert visits_overdue(2024, register) == {ids[VILLAGE1]: 4, ids[VILLAGE2]: 1}


def test_the_home_page_counts_with_the_same_sql(register, login):
    from safestar.keypersons.overdue import home_overdue
    from safestar.org.models import User

    town, village1 = User.objects.get(username="town"), User.objects.get(username="village1")
    with mock.patch("safestar.core.crypto.decrypt", side_effect=AssertionError("decrypted while counting")):
        # on 15 March 2024: 长岗村 3 visited in October + the one visited on 20 December (the released one
        # no longer counts); 杨庄村's patient never visited
        assert home_overdue(town) == 5 and home_overdue(village1) == 4  # village1 is 包案人 of 长岗村's
    assert ">5 人<" in login("town").get("/").content.decode()
    assert ">4 人<" in login("village1").get("/").content.decode()


def test_overdue_from_the_annotations_at_the_edges(frozen):
    """is_overdue() reads due_on()'s annotations as overdue_q() does in SQL: on the due date itself a
    person is not yet overdue, the day after they are; a released person never is; nor anyone before
    being registered."""
    interval = Category.objects.get(code="drugs").visit_interval_days
    person = key_person(VILLAGE1, categories=("drugs",), registered=D(2023, 1, 5))
    visit(person, D(2023, 5, 1))
    released = key_person(VILLAGE1, categories=("drugs",), registered=D(2023, 1, 5))
    change_state(released, D(2023, 2, 1), status=Status.RELEASED)
    due = D(2023, 5, 1) + datetime.timedelta(days=interval)
    for day, expected in ((due, set()), (due + datetime.timedelta(days=1), {person.pk}), (D(2023, 1, 4), set())):
        annotated = due_on(KeyPerson.objects.filter(division__code=VILLAGE1), day)
        assert {p.pk for p in annotated if is_overdue(p, day)} == expected, day
        assert set(annotated.filter(overdue_q(day)).values_list("pk", flat=True)) == expected, day
