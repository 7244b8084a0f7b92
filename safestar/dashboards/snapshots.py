"""The monthly snapshot of every village's live result (the dashboard's trend). Taken by the
scheduled background task `dashboards.tasks.monthly_snapshot` (`monthly()`, idempotent per month),
or by hand with `safestar snapshot` (docs/dashboards.md). Taking it again in the same month replaces
that month's rows: the last run of the month stands."""

import calendar
import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from safestar.clock import today
from safestar.org.models import Division
from safestar.org.roles import Level
from safestar.schemes.models import Scheme

from .board import evaluated
from .models import Snapshot


def live_results(year):
    """{village id: (Scheme, VillageResult)} of every village (the system's own record, not a user's view)."""
    return evaluated(None, Division.objects.filter(level=Level.VILLAGE), year)


def take(year=None, day=None, found=None):
    """Snapshot each village's live result for `year` (default: this year) as of `day` (today).
    Returns the number of villages recorded. The engine runs once per scheme. A past year's snapshot
    is that year's last month (the year as it closed, recorded late), not today's month: a trend
    only has months of its own year."""
    day = day or today()
    year = year or day.year
    if year > day.year:
        raise ValueError(f"{year} 年还没有开始，不能记录快照")
    month = day.replace(day=1) if year == day.year else datetime.date(year, 12, 1)
    found = live_results(year) if found is None else found
    rows = [Snapshot(village_id=v, scheme=scheme, year=year, month=month, taken_on=day, total=r.total, status=r.status, band=r.band)
            for v, (scheme, r) in found.items()]
    with transaction.atomic():
        Snapshot.objects.filter(year=year, month=month).delete()
        Snapshot.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


CLOSING_HOUR = 22  # on a month's last day, the month's closing snapshot is taken from this hour (local time) on


def due(day, hour, taken_on):
    """Whether the scheduled snapshot is due on `day` at `hour`, this month's stored one (if any)
    having been taken on `taken_on`: the month has none yet (its first run: the month is in the
    trend at once, and a month whose last day the worker missed still has one), or it is the
    month's last day from CLOSING_HOUR on and the stored one is older (the month as it closed)."""
    if taken_on is None:
        return True
    last_day = day.day == calendar.monthrange(day.year, day.month)[1]
    return last_day and hour >= CLOSING_HOUR and taken_on < day


def monthly(day=None, hour=None):
    """The scheduled snapshot: take this month's when due(), else nothing. Idempotent per month:
    however often it runs, a month is taken at most twice (its first run, its last evening) and
    holds one row per village. Returns the number of villages recorded, or None when not due."""
    day = day or today()
    hour = timezone.localtime().hour if hour is None else hour
    taken_on = Snapshot.objects.filter(year=day.year, month=day.replace(day=1)).aggregate(last=Max("taken_on"))["last"]
    if not due(day, hour, taken_on):
        return None
    if not Scheme.objects.filter(year=day.year).exists():  # no scheme this year yet: nothing to score (cheaply)
        return None
    return take(day.year, day)
