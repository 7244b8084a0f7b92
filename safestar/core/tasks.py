"""Scheduled work of core (enqueued by the worker, core/background.py)."""

import datetime

from django.conf import settings
from django.db import connection
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


ANALYSIS_LIMIT = 1000  # rows SQLite samples per index: about a second for the whole province's database


def refresh_planner_statistics():
    """The query planner's statistics, where nothing else keeps them. Returns whether they were refreshed.

    - SQLite: its statistics (sqlite_stat1), from a sample of each index. Without them SQLite guesses,
      and guesses wrong on the ledgers: it reads a ledger through the index on `staged_import` (`IS
      NULL` looks as selective as any equality, yet every published row has it) and so visits the
      whole province's records to list one town's (0.2 s at province scale, 1 ms with statistics;
      docs/benchmarks.md).
    - PostgreSQL: its autovacuum keeps them; only when the server runs with `autovacuum = off` (as
      these machines' test server does) is ANALYZE run here. Without it a table filled since the last
      ANALYZE looks empty: a county's round page, whose 400 entries were added after it, joined them
      row by row with the county's divisions (60 ms instead of 1 ms; docs/benchmarks.md)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        elif connection.vendor == "postgresql":
            cursor.execute("SHOW autovacuum")
            if cursor.fetchone()[0] == "on":
                return False
        else:
            return False
        cursor.execute("ANALYZE")
    return True


@periodic(every=datetime.timedelta(days=1))
@task()
def planner_statistics():
    """Daily (and once as soon as a worker first runs): refresh_planner_statistics()."""
    return {"refreshed": refresh_planner_statistics()}


@periodic(every=datetime.timedelta(hours=1))
@task()
def audit_checkpoint():
    """Hourly: the audit chain's head appended to the checkpoint file outside the database
    (audit/chain.py), when it moved since the last checkpoint. A chain rewritten after that hour no
    longer reaches it, which `safestar audit verify` reports (docs/security.md)."""
    from safestar.audit.chain import checkpoint, head, read_checkpoints

    try:
        last = read_checkpoints()
    except ValueError:  # an unreadable line: verify reports it; a new checkpoint is still worth writing
        last = []
    if last and last[-1][:2] == head():
        return {"written": False}
    return {"written": True, "id": checkpoint("定期")["id"]}
