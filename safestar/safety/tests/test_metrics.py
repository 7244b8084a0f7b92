"""Each safety metric on a small hand-made dataset, in exactly one query. Year 2023, so the year's
end is 2023-12-31. The villages asked for are those of 长岗镇 (平岗村 is outside them).

Hazards (found / deadline / status, rectified on):

    长岗村  a  2023-03-01  2023-04-01  已整改 2023-03-20    found; closed
            b  2023-06-01  2023-07-01  整改中               found; open; overdue
            c  2023-12-10  2024-01-20  待整改               found; open; deadline next year: not overdue
            d  2023-10-01  2023-11-01  已整改 2024-01-05    found; open at the year's end; overdue
            e  2022-11-01  2022-12-01  待整改               found the year before; open; overdue
            f  2022-05-01  2022-06-01  已整改 2022-05-20    nothing
            g  2023-05-01  2023-06-01  待整改   deleted     nothing
            h  2024-01-10  2024-02-01  待整改               found after the year: nothing
            i  2023-08-01  2023-12-31  整改中               found; open; deadline is the last day: not overdue
    杨庄村  j  2023-04-01  2023-05-01  已整改 2023-04-15    found; closed
            k  2023-09-01  2023-10-01  待整改               found; open; overdue
    平岗村  l  2023-02-01  2023-03-01  待整改               not among the villages asked for

Patrols:  长岗村 2023-01-05, 2023-06-30, 2023-12-31; 2023-07-07 deleted; 2022-12-31.
          杨庄村 2023-02-02; 2024-01-01.          平岗村 2023-03-03.
Controlled goods (last checked on):
          长岗村 2023-01-01, 2023-12-31 (checked); 2022-12-31, 2021-06-01 (unchecked);
                 2024-02-01 (checked after the year: neither); 2023-05-05 and 2022-01-01 deleted.
          杨庄村 2023-06-01.                      平岗村 2022-06-01.
Joint checks: 长岗村 2023-03-15, 2023-11-11; 2023-05-05 deleted; 2022-10-10.
          杨庄村 2023-09-09.                      平岗村 2023-04-04.
"""

import pytest
from django.utils import timezone

from conftest import CHANGGANG, PINGGANG_VILLAGE, VILLAGE1, VILLAGE2, make_record
from safestar.core.metrics import METRICS, compute


def record(slug, code, deleted=False, **values):
    obj = make_record(slug, code, **values)
    if deleted:
        type(obj).objects.filter(pk=obj.pk).update(deleted_at=timezone.now(), delete_reason="重复录入")
    return obj


def hazard(code, found_on, deadline, status, rectified_on=None, deleted=False):
    return record("hazards", code, deleted, found_on=found_on, deadline=deadline, status=status, rectified_on=rectified_on)


@pytest.fixture
def dataset(world):
    from safestar.org.models import Division

    hazard(VILLAGE1, "2023-03-01", "2023-04-01", "rectified", "2023-03-20")  # a
    hazard(VILLAGE1, "2023-06-01", "2023-07-01", "in_progress")  # b
    hazard(VILLAGE1, "2023-12-10", "2024-01-20", "pending")  # c
    hazard(VILLAGE1, "2023-10-01", "2023-11-01", "rectified", "2024-01-05")  # d
    hazard(VILLAGE1, "2022-11-01", "2022-12-01", "pending")  # e
    hazard(VILLAGE1, "2022-05-01", "2022-06-01", "rectified", "2022-05-20")  # f
    hazard(VILLAGE1, "2023-05-01", "2023-06-01", "pending", deleted=True)  # g
    hazard(VILLAGE1, "2024-01-10", "2024-02-01", "pending")  # h
    hazard(VILLAGE1, "2023-08-01", "2023-12-31", "in_progress")  # i
    hazard(VILLAGE2, "2023-04-01", "2023-05-01", "rectified", "2023-04-15")  # j
    hazard(VILLAGE2, "2023-09-01", "2023-10-01", "pending")  # k
    hazard(PINGGANG_VILLAGE, "2023-02-01", "2023-03-01", "pending")  # l

    for code, day, deleted in [
        (VILLAGE1, "2023-01-05", False), (VILLAGE1, "2023-06-30", False), (VILLAGE1, "2023-12-31", False),
        (VILLAGE1, "2023-07-07", True), (VILLAGE1, "2022-12-31", False),
        (VILLAGE2, "2023-02-02", False), (VILLAGE2, "2024-01-01", False), (PINGGANG_VILLAGE, "2023-03-03", False),
    ]:
        record("hazard-inspections", code, deleted, inspected_on=day)

    for code, day, deleted in [
        (VILLAGE1, "2023-01-01", False), (VILLAGE1, "2023-12-31", False), (VILLAGE1, "2022-12-31", False),
        (VILLAGE1, "2021-06-01", False), (VILLAGE1, "2024-02-01", False), (VILLAGE1, "2023-05-05", True),
        (VILLAGE1, "2022-01-01", True), (VILLAGE2, "2023-06-01", False), (PINGGANG_VILLAGE, "2022-06-01", False),
    ]:
        record("controlled-goods", code, deleted, checked_on=day)

    for code, day, deleted in [
        (VILLAGE1, "2023-03-15", False), (VILLAGE1, "2023-11-11", False), (VILLAGE1, "2023-05-05", True),
        (VILLAGE1, "2022-10-10", False), (VILLAGE2, "2023-09-09", False), (PINGGANG_VILLAGE, "2023-04-04", False),
    ]:
        record("safety-checks", code, deleted, checked_on=day)

    ids = dict(Division.objects.filter(code__in=[VILLAGE1, VILLAGE2]).values_list("code", "pk"))
    villages = Division.objects.filter(parent__code=CHANGGANG, level="village")  # lazy: a subquery of the metric's query
    return ids[VILLAGE1], ids[VILLAGE2], villages


EXPECTED = {
    # a b c d i = 5 (e f of 2022, g deleted, h of 2024); j k = 2
    "safety.hazards_found": (5, 2),
    # b c d e i = 5 (a f rectified in time, g deleted, h found after the year; d rectified only in 2024); k = 1
    "safety.hazards_open": (5, 1),
    # of those, deadline before 12-31: b (07-01) d (11-01) e (2022-12-01) = 3; c (2024) and i (12-31) are not; k = 1
    "safety.hazards_overdue": (3, 1),
    # 01-05 06-30 12-31 = 3 (07-07 deleted, 2022-12-31 another year); 02-02 = 1 (2024-01-01 another year)
    "safety.hazard_inspections": (3, 1),
    # 2023-01-01 and 2023-12-31 = 2 (the deleted 2023-05-05 not); 2023-06-01 = 1
    "safety.controlled_goods_checked": (2, 1),
    # 2022-12-31 and 2021-06-01 = 2 (2024-02-01 cannot tell, the deleted 2022-01-01 not); none in 杨庄村
    "safety.controlled_goods_unchecked": (2, None),
    # 03-15 and 11-11 = 2 (05-05 deleted, 2022-10-10 another year); 09-09 = 1
    "safety.joint_checks": (2, 1),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_metric_on_the_dataset_in_one_query(dataset, django_assert_num_queries, name):
    village1, village2, villages = dataset
    with django_assert_num_queries(1):
        values = compute(name, 2023, villages)
    expected = {pk: n for pk, n in zip((village1, village2), EXPECTED[name]) if n is not None}
    assert values == expected  # 平岗村 is never there; a village without records is absent


def test_every_safety_metric_is_tested_and_has_its_unit():
    names = {name for name in METRICS if name.startswith("safety.")}
    assert names == set(EXPECTED)
    units = {name: METRICS[name].unit for name in names}
    assert units == {
        "safety.hazards_found": "处", "safety.hazards_open": "处", "safety.hazards_overdue": "处",
        "safety.hazard_inspections": "次", "safety.controlled_goods_checked": "项",
        "safety.controlled_goods_unchecked": "项", "safety.joint_checks": "次",
    }
    assert all(METRICS[name].label and METRICS[name].description for name in names)


def test_the_year_before_sees_its_own_state(dataset, django_assert_num_queries):
    """At the end of 2022 长岗村 had e open and overdue (f was rectified in time); 2023's are not there yet."""
    village1, _, villages = dataset
    with django_assert_num_queries(1):
        assert compute("safety.hazards_open", 2022, villages) == {village1: 1}
    with django_assert_num_queries(1):
        assert compute("safety.hazards_overdue", 2022, villages) == {village1: 1}
