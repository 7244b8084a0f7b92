"""Reminders as scheduled background tasks (core/background.py `periodic`), run by `safestar worker`,
never in a web request."""

import datetime

from django.tasks import task
from django.utils import timezone

from safestar.core.background import periodic

from . import services


@periodic(every=datetime.timedelta(minutes=15))
@task()
def remind():
    """Notify each person of what became theirs to act on (due, overdue, returned, waiting), then send."""
    created = services.collect()
    sent, failed = services.deliver()
    return {"created": created, "sent": sent, "failed": failed}


@periodic(every=datetime.timedelta(minutes=1))
@task()
def send():
    """Send (and retry, with backoff) what the outside channels have pending."""
    sent, failed = services.deliver()
    return {"sent": sent, "failed": failed}


@periodic(every=datetime.timedelta(hours=1))
@task()
def daily_digest():
    """Yesterday's digest per person (once: repeating it queues nothing new), then send."""
    made = services.digest(timezone.localdate() - datetime.timedelta(days=1))  # the days notices were created on
    sent, failed = services.deliver()
    return {"digests": made, "sent": sent, "failed": failed}
