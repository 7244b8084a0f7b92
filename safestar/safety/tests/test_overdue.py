"""The overdue rule on frozen dates (every `today` is given explicitly): a hazard is overdue on a
day when it was found by then, was not rectified by then, and its deadline lies before that day.
The model method and the queryset helper agree."""

import datetime

import pytest

from conftest import VILLAGE1, make_record
from safestar.safety.models import Hazard

D = datetime.date


@pytest.fixture
def hazards(world):
    # found 05-08, deadline 06-08 for all three
    base = {"found_on": "2023-05-08", "deadline": "2023-06-08"}
    return {
        "pending": make_record("hazards", VILLAGE1, **base, status="pending", rectified_on=None),
        "in_progress": make_record("hazards", VILLAGE1, **base, status="in_progress", rectified_on=None),
        "late": make_record("hazards", VILLAGE1, **base, status="rectified", rectified_on="2023-06-20"),
        "in_time": make_record("hazards", VILLAGE1, **base, status="rectified", rectified_on="2023-06-01"),
    }


@pytest.mark.parametrize(
    "today, overdue",
    [
        (D(2023, 5, 1), set()),  # not found yet
        (D(2023, 6, 8), set()),  # the deadline day itself is not late
        (D(2023, 6, 9), {"pending", "in_progress", "late"}),  # "late" was still open on 06-09
        (D(2023, 6, 19), {"pending", "in_progress", "late"}),
        (D(2023, 6, 20), {"pending", "in_progress"}),  # rectified on 06-20: no longer overdue that day
        (D(2024, 3, 1), {"pending", "in_progress"}),
    ],
)
def test_overdue_on_a_given_day(hazards, today, overdue):
    assert {name for name, h in hazards.items() if h.is_overdue(today)} == overdue
    by_pk = {h.pk: name for name, h in hazards.items()}
    assert {by_pk[pk] for pk in Hazard.objects.overdue_on(today).values_list("pk", flat=True)} == overdue


def test_open_on_a_given_day(hazards):
    assert not hazards["pending"].is_open(D(2023, 5, 7))
    assert hazards["pending"].is_open(D(2023, 5, 8))
    assert hazards["in_time"].is_open(D(2023, 5, 31)) and not hazards["in_time"].is_open(D(2023, 6, 1))
    assert set(Hazard.objects.open_on(D(2023, 6, 1))) == {hazards["pending"], hazards["in_progress"], hazards["late"]}


def test_rectified_without_a_date_counts_as_open(world):
    # refused by the form, but a row written otherwise must not silently pass as closed
    hazard = make_record("hazards", VILLAGE1, found_on="2023-05-08", deadline="2023-06-08", status="rectified", rectified_on=None)
    assert hazard.is_overdue(D(2023, 7, 1))
    assert list(Hazard.objects.overdue_on(D(2023, 7, 1))) == [hazard]
