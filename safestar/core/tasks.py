"""Scheduled work of core (enqueued by the worker, core/background.py)."""

import datetime

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from .background import _jobs_dir, periodic

JOB_KEEP = datetime.timedelta(days=7)  # finished jobs (and their encrypted results) are kept this long
JOB_SILENT = datetime.timedelta(minutes=10)  # a running job whose progress has not moved for this long has died


@periodic(every=datetime.timedelta(minutes=5))
@task()
def cleanup():
    """Remove import files left behind (older than SAFESTAR_STASH_MAX_AGE), the invisible rows of
    imports killed mid-way (no batch written for JOB_SILENT), progress files of jobs that ended, and
    finished jobs and task records older than a week. Harmless to repeat."""
    from django_tasks_db.models import DBTaskResult

    from .imports import remove_expired_stashes
    from .ledger_ops import remove_abandoned_imports
    from .models import Job

    removed = remove_expired_stashes()
    abandoned = remove_abandoned_imports(JOB_SILENT)
    now = timezone.now()
    for job in Job.objects.filter(status=Job.Status.RUNNING, started_at__lt=now - JOB_SILENT):
        progress = _jobs_dir() / f"{job.pk}.json"
        moved = datetime.datetime.fromtimestamp(progress.stat().st_mtime, datetime.UTC) if progress.exists() else job.started_at
        if now - moved > JOB_SILENT:  # the worker was killed while running it: say so instead of “进行中” forever
            Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
                status=Job.Status.FAILED, finished_at=now,
                message="后台任务进程中断，任务未完成（导入未写入任何数据）；请重新发起。")
    live = {str(pk) for pk in Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).values_list("pk", flat=True)}
    for path in _jobs_dir().glob("*.json"):
        if path.stem not in live:
            path.unlink(missing_ok=True)
    cutoff = timezone.now() - JOB_KEEP
    Job.objects.filter(created_at__lt=cutoff).exclude(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).delete()
    DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return {"stashes": removed, "abandoned_rows": abandoned, "max_age": int(getattr(settings, "SAFESTAR_STASH_MAX_AGE", 3600))}
