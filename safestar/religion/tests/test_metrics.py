"""The 宗教 metrics on a small hand-made dataset: the arithmetic of each spelled out, one query each,
deleted records and records of other years not counted, villages outside the ones asked absent."""

import datetime

import pytest
from django.utils import timezone

from conftest import PINGGANG_VILLAGE, VILLAGE1, VILLAGE2, change_state, entered_on, make_record
from safestar.core.metrics import METRICS, compute
from safestar.org.models import Division
from safestar.religion.models import ReligiousVenue

YEAR = 2023
D = datetime.date
UNREGISTERED = {"registered": False, "registration_number": ""}


def venue(code, known_since=D(YEAR, 1, 10), entered=None, deleted=False, **fields):
    """A venue known to the village since `known_since` (掌握日期), entered (录入时间) at `entered`, maybe soft-deleted."""
    obj = make_record("religious-venues", code, known_since=known_since, **fields)
    if entered:
        entered_on(obj, entered)
    if deleted:
        ReligiousVenue.objects.filter(pk=obj.pk).update(deleted_at=timezone.now())
    return obj


def activity(code, held_on, kind, deleted=False, **fields):
    fields.setdefault("reported_to", "睢县民族宗教事务局")
    obj = make_record("religious-activities", code, held_on=held_on, kind=kind, **fields)
    if deleted:
        type(obj).objects.filter(pk=obj.pk).update(deleted_at=timezone.now(), delete_reason="重复录入")
    return obj


@pytest.fixture
def data(world):
    """Venues (registered / visited in the year; known since 2023-01-10 unless said otherwise):
    长岗村  A 登记 正常       visited 2023-05-16   → known; visited
              banned from 2024-06-01, visited again 2024-05-01 → 2023 keeps it known and visited
            B 未登记 需关注    visited 2022-11-01   → known, unregistered; not visited in 2023
              registered from 2024-04-01          → 2023 keeps it unregistered
            C 未登记 已取缔    visited 2023-02-01   → not known (banned); visited (whatever its status)
            D 未登记 正常      visited 2023-06-01, DELETED              → nothing
            E 未登记 正常      visited 2024-03-01, known since 2024-02-01 → nothing for 2023
            H 未登记 正常      visited 2022-10-01, known since 2021-05-01, entered 2024-01-15
                                                → a late entry: known, unregistered in 2023 (and 2022)
    杨庄村  F 未登记 正常      visited 2023-08-08   → known, unregistered; visited
    平岗村  G 未登记 正常      visited 2023-04-04   → outside the villages asked: absent

    Activities:
    长岗村  非法宗教活动线索 2023-03-01 办结 2023-04-01   → clue, closed in the year
            邪教线索         2023-06-01 处理中             → clue, open
            宗教干涉村务线索 2023-11-20 办结 2024-01-10   → clue, still open on 31 December
            非法宗教活动线索 2022-12-20 已上报             → another year: nothing
            邪教线索         2023-07-01 已上报, DELETED    → nothing
            关爱走访 2023-02-02, 2023-09-09 (at venue A); 2024-01-05 (another year)
            正常宗教活动 2023-12-24                          → none of these metrics
    杨庄村  宗教干涉村务线索 2023-05-05 办结 2023-05-30   → clue, closed
            关爱走访 2023-10-10
    平岗村  邪教线索 2023-03-03 处理中, 关爱走访 2023-03-04 → outside the villages asked
    """
    a = venue(VILLAGE1, name="A", last_visited_on=D(2023, 5, 16))
    change_state(a, D(2024, 5, 1), last_visited_on=D(2024, 5, 1))
    change_state(a, D(2024, 6, 1), status="banned")
    b = venue(VILLAGE1, name="B", religion="folk", status="watch", last_visited_on=D(2022, 11, 1), **UNREGISTERED)
    change_state(b, D(2024, 4, 1), registered=True, registration_number="豫宗场证字（睢）0456号")
    venue(VILLAGE1, name="C", religion="other", status="banned", last_visited_on=D(2023, 2, 1), **UNREGISTERED)
    venue(VILLAGE1, name="D", religion="folk", last_visited_on=D(2023, 6, 1), deleted=True, **UNREGISTERED)
    venue(VILLAGE1, name="E", religion="folk", last_visited_on=D(2024, 3, 1), known_since=D(2024, 2, 1),
          entered="2024-02-01T09:00", **UNREGISTERED)
    venue(VILLAGE1, name="H", religion="folk", last_visited_on=D(2022, 10, 1), known_since=D(2021, 5, 1),
          entered="2024-01-15T09:00", **UNREGISTERED)
    venue(VILLAGE2, name="F", religion="folk", last_visited_on=D(2023, 8, 8), **UNREGISTERED)
    venue(PINGGANG_VILLAGE, name="G", religion="folk", last_visited_on=D(2023, 4, 4), **UNREGISTERED)

    activity(VILLAGE1, D(2023, 3, 1), "illegal_clue", status="closed", closed_on=D(2023, 4, 1))
    activity(VILLAGE1, D(2023, 6, 1), "cult_clue", status="handling")
    activity(VILLAGE1, D(2023, 11, 20), "interference_clue", status="closed", closed_on=D(2024, 1, 10))
    activity(VILLAGE1, D(2022, 12, 20), "illegal_clue", status="reported")
    activity(VILLAGE1, D(2023, 7, 1), "cult_clue", status="reported", deleted=True)
    activity(VILLAGE1, D(2023, 2, 2), "care_visit", reported_to="", status="registered")
    activity(VILLAGE1, D(2023, 9, 9), "care_visit", reported_to="", status="registered", venue=a)
    activity(VILLAGE1, D(2024, 1, 5), "care_visit", reported_to="", status="registered")
    activity(VILLAGE1, D(2023, 12, 24), "normal", reported_to="", status="registered", venue=a)
    activity(VILLAGE2, D(2023, 5, 5), "interference_clue", status="closed", closed_on=D(2023, 5, 30))
    activity(VILLAGE2, D(2023, 10, 10), "care_visit", reported_to="", status="registered")
    activity(PINGGANG_VILLAGE, D(2023, 3, 3), "cult_clue", status="handling")
    activity(PINGGANG_VILLAGE, D(2023, 3, 4), "care_visit", reported_to="", status="registered")


def villages():
    """长岗村 and 杨庄村, as the scoring engine passes them: a queryset (not evaluated)."""
    return Division.objects.filter(code__in=[VILLAGE1, VILLAGE2])


def by_code(result):
    codes = dict(Division.objects.values_list("pk", "code"))
    return {codes[pk]: n for pk, n in result.items()}


def values(name, year=YEAR):
    """{village code: value} for 长岗村 and 杨庄村."""
    return by_code(compute(name, year, villages()))


EXPECTED = {
    # 长岗村: A, B and H (C banned, D deleted, E known only from 2024); 杨庄村: F
    "religion.venues": {VILLAGE1: 3, VILLAGE2: 1},
    # of those, not registered at the year's end: 长岗村 B and H (A is registered); 杨庄村 F
    "religion.unregistered_venues": {VILLAGE1: 2, VILLAGE2: 1},
    # 长岗村: the three clues of 2023 (not the one of 2022, not the deleted one); 杨庄村: 1
    "religion.clues_reported": {VILLAGE1: 3, VILLAGE2: 1},
    # 长岗村: 3 clues − the one closed on 2023-04-01 = 2 (closed 2024-01-10 is still open on 31 Dec);
    # 杨庄村: its only clue was closed in May, so the village is absent (0)
    "religion.clues_open": {VILLAGE1: 2},
    # 长岗村: 2023-02-02 and 2023-09-09 (not 2024-01-05); 杨庄村: 2023-10-10
    "religion.care_visits": {VILLAGE1: 2, VILLAGE2: 1},
    # 长岗村: A (2023-05-16 at the year's end) and C (2023-02-01; banned, but visited); not B, H (2022),
    # D (deleted), E (2024);
    # 杨庄村: F
    "religion.venues_visited": {VILLAGE1: 2, VILLAGE2: 1},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metric_on_the_hand_made_data(data, django_assert_num_queries, name):
    scope = villages()
    with django_assert_num_queries(1):
        result = compute(name, YEAR, scope)
    assert by_code(result) == EXPECTED[name]


def test_the_year_after(data):
    """2024: E is known from 2024 and counts (and was visited then), A was banned, B registered; the
    clues and visits of 2023 do not count, the care visit of 2024-01-05 does."""
    assert values("religion.venues", 2024) == {VILLAGE1: 3, VILLAGE2: 1}  # B, E, H
    assert values("religion.unregistered_venues", 2024) == {VILLAGE1: 2, VILLAGE2: 1}  # E, H
    assert values("religion.venues_visited", 2024) == {VILLAGE1: 2}  # A (2024-05-01), E (2024-03-01)
    assert values("religion.clues_reported", 2024) == {}
    assert values("religion.clues_open", 2024) == {}
    assert values("religion.care_visits", 2024) == {VILLAGE1: 1}
    # 2022: only H was known (entered late); the clue of 2022-12-20 (reported, never closed) counts
    assert values("religion.venues", 2022) == {VILLAGE1: 1}
    assert values("religion.clues_reported", 2022) == values("religion.clues_open", 2022) == {VILLAGE1: 1}


def test_the_metrics_are_declared_with_their_units():
    units = {name: m.unit for name, m in METRICS.items() if name.startswith("religion.")}
    assert units == {
        "religion.venues": "处", "religion.unregistered_venues": "处", "religion.clues_reported": "条",
        "religion.clues_open": "条", "religion.care_visits": "次", "religion.venues_visited": "处",
    }
    assert all(METRICS[name].label and METRICS[name].description for name in units)
