"""Demo: monthly snapshots of the demo year, replayed honestly.

The demo's records are written all at once, years after the demo year. Each month's snapshot is
what the engine would have given on that month's last day had every record been entered on its own
date: inside a transaction that is rolled back, the clock is set to that day, every ledger record
and incident dated after it is hidden and the manual scores (given at the year's end) are removed;
the engine runs; the result is kept and the transaction undone. Nothing is invented: a snapshot of
a later month sees more records, never different ones. In production the snapshot is taken by the
scheduled task dashboards.tasks.monthly_snapshot (docs/dashboards.md)."""

import calendar
import datetime

from django.db import transaction
from django.utils import timezone

from safestar import clock
from safestar.core.ledger import LEDGERS
from safestar.schemes.models import ManualScore

from .models import Snapshot
from .snapshots import live_results, take

MONTHS = (7, 8, 9, 10, 11, 12)  # the second half of the demo year


class _Undo(Exception):
    pass


def as_on(day, year):
    """The live results of `year` as they stood on `day` (records by their own dates)."""
    before = clock._frozen
    found = {}
    try:
        with transaction.atomic():
            clock.freeze(day)
            for ledger in LEDGERS.values():
                if ledger.date_field:
                    ledger.model.objects.filter(deleted_at__isnull=True, **{f"{ledger.date_field}__gt": day}).update(deleted_at=timezone.now())
            ManualScore.objects.all().delete()
            found.update(live_results(year))
            raise _Undo
    except _Undo:
        pass
    finally:
        clock.freeze(before)
    return found


def load(year):
    if Snapshot.objects.filter(year=year).exists():
        return
    for month in MONTHS:
        day = datetime.date(year, month, calendar.monthrange(year, month)[1])
        take(year, day, found=as_on(day, year))
