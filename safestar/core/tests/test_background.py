"""Background jobs (core/background.py): a job's life and progress, the page's poll, the heartbeat,
the schedule, the cleanup — and the real `safestar worker` process running a job on SQLite."""

import datetime
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from safestar.core import background
from safestar.core.background import job_task, start, state
from safestar.core.models import Job

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@job_task
def count_to(progress, n):
    for i in range(1, n + 1):
        progress.progress(i, n, f"第 {i} 步", force=True)
    return {"counted": n}


@job_task
def breaks(progress):
    progress.progress(1, 2, "一半")
    raise RuntimeError("boom")


@pytest.fixture
def var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_a_job_runs_and_keeps_its_result(world, var):
    from safestar.org.models import User

    job = start(User.objects.get(username="town"), count_to, "数一数", n=3)
    assert job.status == Job.Status.DONE and job.result == {"counted": 3}
    assert (job.done, job.total, job.message) == (3, 3, "第 3 步")
    assert list((var / "jobs").iterdir()) == []  # the live progress file is gone once the job ended


def test_a_failing_job_says_so_in_chinese(world, var):
    from safestar.org.models import User

    job = start(User.objects.get(username="town"), breaks, "会出错的任务")
    assert job.status == Job.Status.FAILED and job.result is None
    assert "任务执行出错" in job.message and (job.done, job.total) == (1, 2)


def test_the_result_is_stored_encrypted(world, var):
    from django.db import connection

    from safestar.org.models import User

    job = start(User.objects.get(username="town"), count_to, "数一数", n=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM core_job WHERE id = %s", [job.pk.hex if connection.vendor == "sqlite" else job.pk])
        stored = cursor.fetchone()[0]
    assert "counted" not in stored and job.result == {"counted": 1}


def test_only_the_jobs_user_sees_its_progress(login, world, var):
    from safestar.org.models import User

    job = Job.objects.create(user=User.objects.get(username="town"), title="导入", task="x", status=Job.Status.RUNNING)
    background.Progress(job).progress(40, 100, "正在检查第 41 行", force=True)
    with override_settings(TASKS=DB_TASKS):
        seen = login("town").get(reverse("job-status", kwargs={"pk": job.pk})).json()
        assert (seen["done"], seen["total"], seen["percent"], seen["message"]) == (40, 100, 40, "正在检查第 41 行")
        assert seen["worker"] is False  # nothing beats: the page says the worker is not running
        background.beat()
        assert login("town").get(reverse("job-status", kwargs={"pk": job.pk})).json()["worker"] is True
    assert login("town2").get(reverse("job-status", kwargs={"pk": job.pk})).status_code == 404


@override_settings(TASKS=DB_TASKS)
def test_a_stale_heartbeat_means_no_worker(var):
    assert background.worker_alive() is False
    background.beat()
    assert background.worker_alive() is True
    old = time.time() - 120
    os.utime(var / "worker.beat", (old, old))
    assert background.worker_alive() is False


@override_settings(TASKS=DB_TASKS)
def test_periodic_tasks_are_enqueued_when_due(db):
    from django_tasks_db.models import DBTaskResult

    assert "safestar.core.tasks.cleanup" in background.enqueue_due()
    assert background.enqueue_due() == []  # just enqueued: not due again yet
    later = timezone.now() + datetime.timedelta(minutes=6)
    assert "safestar.core.tasks.cleanup" in background.enqueue_due(now=later)
    assert DBTaskResult.objects.filter(task_path="safestar.core.tasks.cleanup").count() == 2


def test_the_cleanup_removes_expired_stashes_and_old_jobs(world, var):
    from safestar.core.imports import _stash
    from safestar.core.tasks import cleanup
    from safestar.org.models import User

    user = User.objects.get(username="town")
    fresh, stale = _stash(b"new", user), _stash(b"old", user)
    old = time.time() - 3601
    os.utime(var / "imports" / stale, (old, old))
    done = Job.objects.create(user=user, title="旧任务", task="x", status=Job.Status.DONE,
                              created_at=timezone.now() - datetime.timedelta(days=8))
    running = Job.objects.create(user=user, title="进行中", task="x", status=Job.Status.RUNNING,
                                 created_at=timezone.now() - datetime.timedelta(days=8))
    cleanup.call()
    assert sorted(p.name for p in (var / "imports").iterdir()) == [fresh]
    assert not Job.objects.filter(pk=done.pk).exists() and Job.objects.filter(pk=running.pk).exists()


# ---- the real worker process -----------------------------------------------------------------

ENQUEUE = """
from safestar.core.background import start
from safestar.core.tests.test_background import count_to
from safestar.org.models import User
user = User.objects.create(username="worker-test", role="town")
print(start(user, count_to, "数一数", n=5).pk)
"""


def _env(var):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    return env | {"SAFESTAR_VAR": str(var), "DJANGO_SETTINGS_MODULE": "safestar.settings"}


def _safestar(*args, var, **kwargs):
    return subprocess.run([sys.executable, "-m", "safestar", *args], env=_env(var), capture_output=True, text=True,
                          timeout=300, **kwargs)


def test_the_worker_process_runs_a_job_and_beats(tmp_path):
    """`safestar worker` on its own SQLite database: picks up a queued job, reports progress, beats,
    and enqueues the scheduled cleanup; then stops on SIGTERM."""
    migrated = _safestar("migrate", "--noinput", var=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    queued = _safestar("shell", "-c", ENQUEUE, var=tmp_path)
    assert queued.returncode == 0, queued.stderr
    job_id = queued.stdout.strip().splitlines()[-1].replace("-", "")
    db = sqlite3.connect(tmp_path / "safestar.sqlite3")
    assert db.execute("SELECT status FROM core_job WHERE id = ?", [job_id]).fetchone() == ("queued",)
    worker = subprocess.Popen([sys.executable, "-m", "safestar", "worker", "--no-startup-delay", "--interval", "0.2"],
                              env=_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        row = None
        while time.monotonic() < deadline:
            row = db.execute("SELECT status, done, total, message FROM core_job WHERE id = ?", [job_id]).fetchone()
            cleaned = db.execute("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE task_path = "
                                 "'safestar.core.tasks.cleanup' AND status = 'SUCCESSFUL'").fetchone()[0]
            if row[0] == "done" and cleaned:
                break
            time.sleep(0.3)
        assert row == ("done", 5, 5, "第 5 步")
        assert cleaned == 1  # the heartbeat thread enqueued the periodic cleanup, and the worker ran it
        assert time.time() - (tmp_path / "worker.beat").stat().st_mtime < 30
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        db.close()
