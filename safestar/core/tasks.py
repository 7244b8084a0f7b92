"""Scheduled work of core (enqueued by the worker, core/background.py)."""

import datetime

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from .background import _jobs_dir, periodic

JOB_KEEP = datetime.timedelta(days=7)  # finished jobs (and their encrypted results) are kept this long


@periodic(every=datetime.timedelta(minutes=5))
@task()
def cleanup():
    """Remove import files left behind (older than SAFESTAR_STASH_MAX_AGE), progress files of jobs
    that ended, and finished jobs and task records older than a week. Harmless to repeat."""
    from django_tasks_db.models import DBTaskResult

    from .imports import remove_expired_stashes
    from .models import Job

    removed = remove_expired_stashes()
    live = {str(pk) for pk in Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).values_list("pk", flat=True)}
    for path in _jobs_dir().glob("*.json"):
        if path.stem not in live:
            path.unlink(missing_ok=True)
    cutoff = timezone.now() - JOB_KEEP
    Job.objects.filter(created_at__lt=cutoff).exclude(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).delete()
    DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return {"stashes": removed, "max_age": int(getattr(settings, "SAFESTAR_STASH_MAX_AGE", 3600))}
