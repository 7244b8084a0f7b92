"""The dashboards' scheduled work (core/background.py `periodic`), run by `safestar worker`."""

import datetime

from django.db import IntegrityError
from django.tasks import task

from safestar.core.background import periodic

from . import snapshots


@periodic(every=datetime.timedelta(hours=1))
@task()
def monthly_snapshot():
    """The month's snapshot of every village's live result (the trend), when due (snapshots.due):
    the first run of a month, and once more on its last day from 22:00. Any other run does nothing,
    so repeating it is harmless; two workers taking it at the same moment leave one set of rows."""
    try:
        recorded = snapshots.monthly()
    except IntegrityError:  # another worker stored this month's rows at the same moment: they stand
        return {"villages": None, "skipped": "concurrent"}
    return {"villages": recorded}
