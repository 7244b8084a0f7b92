"""The monthly snapshot as a scheduled background task (dashboards/tasks.py): due on a month's first
run and once more on its last evening, idempotent per month, registered with the worker's schedule;
the `safestar snapshot` command stays for a run by hand."""

import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from conftest import load_scheme
from safestar.core import background
from safestar.dashboards import snapshots, tasks
from safestar.dashboards.models import Snapshot

pytestmark = pytest.mark.django_db

NOV = datetime.date(2023, 11, 1)


def _month(month=NOV):
    return sorted(set(Snapshot.objects.filter(month=month).values_list("taken_on", flat=True))), Snapshot.objects.filter(month=month).count()


@pytest.mark.parametrize("day, hour, taken_on, due", [
    (datetime.date(2023, 11, 10), 3, None, True),                            # the month has none: its first run takes it
    (datetime.date(2023, 11, 10), 23, datetime.date(2023, 11, 1), False),    # taken this month, not its last day
    (datetime.date(2023, 11, 30), 21, datetime.date(2023, 11, 1), False),    # the last day, before 22:00
    (datetime.date(2023, 11, 30), 22, datetime.date(2023, 11, 1), True),     # the last evening: the month as it closed
    (datetime.date(2023, 11, 30), 23, datetime.date(2023, 11, 30), False),   # already taken that evening
    (datetime.date(2024, 2, 29), 22, datetime.date(2024, 2, 3), True),       # a leap year's February ends on the 29th
    (datetime.date(2023, 2, 28), 22, datetime.date(2023, 2, 3), True),
])
def test_when_the_scheduled_snapshot_is_due(day, hour, taken_on, due):
    assert snapshots.due(day, hour, taken_on) is due


def test_the_scheduled_snapshot_takes_each_month_at_most_twice_and_keeps_one_row_per_village(world, freeze_today):
    load_scheme()  # 长岗镇 2023: its 20 villages
    freeze_today(datetime.date(2023, 11, 10))
    assert snapshots.monthly(hour=3) == 20
    assert snapshots.monthly(hour=4) is None and snapshots.monthly(hour=23) is None  # repeated: nothing
    assert _month() == ([datetime.date(2023, 11, 10)], 20)
    freeze_today(datetime.date(2023, 11, 30))
    assert snapshots.monthly(hour=10) is None
    assert snapshots.monthly(hour=22) == 20  # the month as it closed replaces its first-run rows
    assert snapshots.monthly(hour=23) is None
    assert _month() == ([datetime.date(2023, 11, 30)], 20)
    freeze_today(datetime.date(2023, 12, 1))
    assert snapshots.monthly(hour=0) == 20  # the next month's first run; November stands as it closed
    assert _month() == ([datetime.date(2023, 11, 30)], 20)
    assert _month(datetime.date(2023, 12, 1)) == ([datetime.date(2023, 12, 1)], 20)


def test_without_a_scheme_for_the_year_the_scheduled_snapshot_records_nothing(world, freeze_today):
    freeze_today(datetime.date(2023, 11, 10))  # the world has no scheme until one is loaded
    assert snapshots.monthly(hour=3) is None and not Snapshot.objects.exists()


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}})
def test_the_worker_enqueues_the_task_hourly(db):
    """What the worker's heartbeat does (core/background.py enqueue_due), with the real task table."""
    path = "safestar.dashboards.tasks.monthly_snapshot"
    assert path in background.enqueue_due()
    assert path not in background.enqueue_due(now=timezone.now() + datetime.timedelta(minutes=59))
    assert path in background.enqueue_due(now=timezone.now() + datetime.timedelta(minutes=61))


def test_the_task_is_harmless_to_repeat(world, freeze_today):
    load_scheme()
    freeze_today(datetime.date(2023, 11, 10))
    assert tasks.monthly_snapshot.call() == {"villages": 20}
    assert tasks.monthly_snapshot.call() == {"villages": None}  # not the last evening: nothing to do
    assert _month() == ([datetime.date(2023, 11, 10)], 20)
