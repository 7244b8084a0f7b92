"""The monthly snapshot of every village's live result (the dashboard's trend): run once a month by
`safestar snapshot` (cron, or the background scheduler once there is one; docs/dashboards.md).
Taking it again in the same month replaces that month's rows: the last run of the month stands."""

from django.db import transaction

from safestar.clock import today
from safestar.org.models import Division
from safestar.org.roles import Level

from .board import evaluated
from .models import Snapshot


def live_results(year):
    """{village id: (Scheme, VillageResult)} of every village (the system's own record, not a user's view)."""
    return evaluated(None, Division.objects.filter(level=Level.VILLAGE), year)


def take(year=None, day=None, found=None):
    """Snapshot each village's live result for `year` (default: this year) as of `day` (today).
    Returns the number of villages recorded. The engine runs once per scheme."""
    day = day or today()
    year = year or day.year
    month = day.replace(day=1)
    found = live_results(year) if found is None else found
    rows = [Snapshot(village_id=v, scheme=scheme, year=year, month=month, taken_on=day, total=r.total, status=r.status, band=r.band)
            for v, (scheme, r) in found.items()]
    with transaction.atomic():
        Snapshot.objects.filter(year=year, month=month).delete()
        Snapshot.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
