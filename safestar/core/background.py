"""Background work: the one way to run something longer than a page should take.

Django's own tasks (`django.tasks`), kept in the database by django-tasks-db and run by the worker
`safestar worker` beside the web server (scripts/run.sh starts both). Two things on top:

**Jobs a user waits for** (an import check, an import, a report): a `Job` row says who started it
and how far it is; the page that started it includes `core/job.html`, which static/js/job.js polls
(`job-status`, only the job's own user) and reloads when it is finished.

    @job_task
    def build_report(progress, entry_id):
        progress.progress(1, 3, "正在汇总")        # shown on the page while it runs
        ...
        return {"file": name}                # kept in job.result for the page to show

    job = start(request.user, build_report, "生成评查报告", entry_id=entry.pk)

Progress is written to a small file (var/jobs/<id>.json), not to the database: a job that holds a
write transaction (an import on SQLite) can still report progress, and nobody waits on a lock to
read it. The Job row is written when the job starts and when it ends (status, result, last progress).

**Scheduled work** (the cleanup of stale import files now; reminders later): a plain task marked
`@periodic(every=timedelta(...))` in an app's `tasks.py`. The worker's heartbeat thread enqueues
each periodic task once its last run is `every` old (read from the task table itself, so nothing
else is stored). Several workers may at worst enqueue the same periodic task twice: periodic tasks
must be harmless to repeat.

**Heartbeat**: the worker touches var/worker.beat every few seconds; `worker_alive()` is what pages
ask before saying “后台任务进程未运行” (a job is queued but nobody will run it).

Tests use Django's ImmediateBackend (test_settings.py): `start()` runs the job at once, in the test.
"""

import datetime
import functools
import json
import os
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, close_old_connections
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

BEAT_SECONDS = 5
PERIODIC = {}  # task module path → (Task, timedelta)


# ---- jobs -------------------------------------------------------------------------------------


def _jobs_dir():
    folder = Path(settings.VAR_DIR) / "jobs"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


class Progress:
    """What a running job hands its function: `progress(done, total, message)` and the Job row."""

    def __init__(self, job):
        self.job = job
        self.path = _jobs_dir() / f"{job.pk}.json"
        self._last = 0.0

    def progress(self, done, total=None, message=None, *, force=False):
        """Record how far the job is; written at most a few times a second unless `force`."""
        job = self.job
        job.done = int(done)
        if total is not None:
            job.total = int(total)
        if message is not None:
            job.message = str(message)[:200]
        now = time.monotonic()
        if force or now - self._last >= 0.2 or job.done == job.total:
            self._last = now
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                json.dump({"done": job.done, "total": job.total, "message": job.message}, f)
            os.replace(tmp, self.path)

    def clear(self):
        self.path.unlink(missing_ok=True)


def job_task(func):
    """Make `func(progress, **kwargs)` a task that runs as a Job: marked running, its return value
    (JSON) kept as the result, marked done — or failed, with a Chinese message, if it raises."""

    @functools.wraps(func)
    def run(job_id, **kwargs):
        from .models import Job

        job = Job.objects.filter(pk=job_id).first()
        if job is None:  # removed meanwhile (the user's cleanup): nothing to do
            return None
        Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
        tracker = Progress(job)
        try:
            result = func(tracker, **kwargs)
        except Exception:
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED, finished_at=timezone.now(), done=job.done, total=job.total,
                message="任务执行出错，未完成；请稍后重试，或联系系统管理员查看后台任务日志。",
            )
            tracker.clear()
            raise
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE, finished_at=timezone.now(), payload=json.dumps(result, ensure_ascii=False) if result is not None else "",
            done=job.total or job.done, total=job.total, message=job.message,
        )
        tracker.clear()
        return None

    return task()(run)


def start(user, job_task_, title, /, **kwargs):
    """Create a Job for `user` and enqueue `job_task_` (made by @job_task) with `kwargs` (JSON)."""
    from .models import Job

    job = Job.objects.create(user=user, title=title[:200], task=job_task_.module_path)
    job_task_.enqueue(str(job.pk), **kwargs)
    job.refresh_from_db()  # an immediate backend has already run it
    return job


def state(job):
    """The job as its page shows it: the row, with the live progress of a running job."""
    data = {"status": job.status, "label": job.get_status_display(), "done": job.done, "total": job.total,
            "message": job.message, "finished": job.finished}
    if job.status == job.Status.RUNNING:
        try:
            data |= json.loads((_jobs_dir() / f"{job.pk}.json").read_text())
        except (OSError, ValueError):
            pass
    data["percent"] = min(100, int(100 * data["done"] / data["total"])) if data["total"] else 0
    data["worker"] = job.finished or worker_alive()
    return data


# ---- heartbeat and schedule --------------------------------------------------------------------


def _beat_path():
    return Path(settings.VAR_DIR) / "worker.beat"


def beat():
    path = _beat_path()
    path.touch(mode=0o600)
    os.utime(path)


def worker_alive():
    """Whether a worker has beaten recently (SAFESTAR_WORKER_STALE seconds)."""
    if "ImmediateBackend" in settings.TASKS.get("default", {}).get("BACKEND", ""):
        return True  # tests: every job runs at once
    try:
        age = time.time() - _beat_path().stat().st_mtime
    except OSError:
        return False
    return age < getattr(settings, "SAFESTAR_WORKER_STALE", 60)


def periodic(every: datetime.timedelta):
    """Mark a task (made with @task()) to be enqueued by the worker every `every`."""

    def register(task_):
        PERIODIC[task_.module_path] = (task_, every)
        return task_

    return register


def enqueue_due(now=None):
    """Enqueue each periodic task whose last run was enqueued `every` ago or more (or never).
    Returns the module paths enqueued."""
    from django_tasks_db.models import DBTaskResult

    autodiscover_modules("tasks")
    now = now or timezone.now()
    enqueued = []
    for path, (task_, every) in PERIODIC.items():
        last = (DBTaskResult.objects.filter(task_path=path).order_by("-enqueued_at")
                .values_list("enqueued_at", flat=True).first())
        if last is None or last + every <= now:
            task_.enqueue()
            enqueued.append(path)
    return enqueued


class Heartbeat(threading.Thread):
    """The worker's second thread: beats every BEAT_SECONDS, enqueues due periodic tasks every minute."""

    def __init__(self, schedule_every=60):
        super().__init__(name="safestar-heartbeat", daemon=True)
        self.schedule_every = schedule_every
        self.stopping = threading.Event()

    def run(self):
        next_schedule = 0.0
        while not self.stopping.is_set():
            beat()
            if time.monotonic() >= next_schedule:
                next_schedule = time.monotonic() + self.schedule_every
                try:
                    enqueue_due()
                except OperationalError:  # the database is busy: next time
                    pass
                finally:
                    close_old_connections()
            self.stopping.wait(BEAT_SECONDS)
