"""Background jobs (core/background.py): a job's life and progress, the page's poll, the heartbeat,
the schedule, the cleanup — and the real `safestar worker` process running a job on SQLite."""

import datetime
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from conftest import once_per_run

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
                                 created_at=timezone.now() - datetime.timedelta(days=8), started_at=timezone.now())
    died = Job.objects.create(user=user, title="进程被杀", task="x", status=Job.Status.RUNNING,
                              started_at=timezone.now() - datetime.timedelta(minutes=30))
    background.Progress(died).progress(5, 10, force=True)
    old_progress = time.time() - 20 * 60
    os.utime(var / "jobs" / f"{died.pk}.json", (old_progress, old_progress))
    cleanup.call()
    died.refresh_from_db()
    assert died.status == Job.Status.FAILED and "后台任务进程中断" in died.message
    assert Job.objects.get(pk=running.pk).status == Job.Status.RUNNING  # started just now: still running
    assert sorted(p.name for p in (var / "imports").iterdir()) == [fresh]
    assert not Job.objects.filter(pk=done.pk).exists() and Job.objects.filter(pk=running.pk).exists()


# ---- the real worker process -----------------------------------------------------------------

ENQUEUE = """
from safestar.core.background import start
from safestar.core.tests.test_background import count_to
from safestar.org.models import User
user = User.objects.get(username="town")
print(start(user, count_to, "数一数", n=5).pk)
"""


def _env(var):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    return env | {"SAFESTAR_VAR": str(var), "DJANGO_SETTINGS_MODULE": "safestar.settings"}


def _safestar(*args, var, **kwargs):
    return subprocess.run([sys.executable, "-m", "safestar", *args], env=_env(var), capture_output=True, text=True,
                          timeout=300, **kwargs)


@pytest.fixture(scope="module")
def site(request, tmp_path_factory):
    """A SQLite database of its own for the worker tests, with a town, a village and the town's
    account: migrated once a test run (conftest.once_per_run: about 30 s on the CI machine) and
    copied for each xdist worker that runs these tests."""
    with once_per_run(request.config, tmp_path_factory, "site") as (made, first):
        if first:
            migrated = _safestar("migrate", "--noinput", var=made)
            assert migrated.returncode == 0, migrated.stderr
            filled = _safestar("shell", "-c", SITE, var=made)
            assert filled.returncode == 0, filled.stderr
    var = tmp_path_factory.mktemp("site")
    shutil.copytree(made, var, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".made"))
    return var


SITE = """
from safestar.org.models import Division, User
town = Division.objects.create(code="411422100000", name="长岗镇", level="town")
Division.objects.create(code="411422100201", name="长岗村", level="village", parent=town)
User.objects.create(username="town", role="town", division=town)
"""

IMPORT = """
import io, sys, xlsxwriter
from safestar.core.background import start
from safestar.core.imports import _stash, import_job
from safestar.core.ledger import LEDGERS
from safestar.core.ledger_ops import LedgerImporter
from safestar.org.models import User
rows, commit = %d, %s
user = User.objects.get(username="town")
ledger = LEDGERS["disputes"]
columns = [c for c in LedgerImporter(ledger, user).columns if c.key not in ("id", "division")]
buffer = io.BytesIO(); book = xlsxwriter.Workbook(buffer); sheet = book.add_worksheet("长岗村")
sheet.write_row(0, 0, [c.label for c in columns])
example = dict(ledger.example, division_name="长岗村")
for r in range(1, rows + 1):
    sheet.write_row(r, 0, [("是" if v else "否") if isinstance(v, bool) else v for v in (example.get(c.key, "") for c in columns)])
book.close()
job = start(user, import_job, "导入", importer="safestar.core.ledger_ops.LedgerImporter", args=["disputes"], user=user.pk,
            file=_stash(buffer.getvalue(), user), choices={"mapping": {}, "villages": {}, "fills": {}}, commit=commit)
print(str(job.pk).replace("-", ""))
"""

# Saves a record again and again with a busy timeout of 1 s: a save that has to wait longer for the
# write lock fails with "database is locked" and is counted.
SAVER = """
import sys, time
from django.db import OperationalError, connection, transaction
from safestar.org.models import Division
connection.settings_dict["OPTIONS"]["timeout"] = 1
saved = failed = 0
end = time.monotonic() + %d
print("saving", flush=True)
while time.monotonic() < end:
    try:
        with transaction.atomic():
            Division.objects.filter(code="411422100201").update(name="长岗村")
        saved += 1
    except OperationalError:
        failed += 1
    time.sleep(0.25)
print(saved, failed)
"""


def _worker(var):
    return subprocess.Popen([sys.executable, "-m", "safestar", "worker", "--no-startup-delay", "--interval", "0.2"],
                            env=_env(var), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _stop(worker):
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _wait(db, job_id, until, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = db.execute("SELECT status, done, total FROM core_job WHERE id = ?", [job_id]).fetchone()
        if until(row):
            return row
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} stayed {row}")


@pytest.mark.slow
def test_a_check_does_not_block_other_writers(site):
    """On SQLite: while the worker checks a 600-row file, another process saves every 0.25 s with a
    busy timeout of 1 s and none of its saves fails (the check holds the write lock one row at a
    time), and the check writes nothing. The other process is saving before the worker starts and
    still saving when the check is done (a check takes well under a second: waiting to see it
    running could miss it). (A commit killed mid-way: the next test.)"""
    checking = _safestar("shell", "-c", IMPORT % (600, False), var=site)
    assert checking.returncode == 0, checking.stderr
    check_id = checking.stdout.strip().splitlines()[-1]
    db = sqlite3.connect(site / "safestar.sqlite3", timeout=30)
    saver = subprocess.Popen([sys.executable, "-m", "safestar", "shell", "-c", SAVER % 12], env=_env(site),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in saver.stdout:  # the shell's own lines first
        if line.strip() == "saving":
            break
    worker = _worker(site)
    try:
        status = _wait(db, check_id, lambda row: row[0] in ("done", "failed"))
        assert status[0] == "done"
        assert saver.poll() is None, "the check ended after the other process stopped saving"
        out, err = saver.communicate(timeout=120)
        saved, failed = map(int, out.strip().splitlines()[-1].split())
        assert failed == 0 and saved > 5, err
        assert db.execute("SELECT count(*) FROM disputes_dispute").fetchone() == (0,)  # a check writes nothing
    finally:
        _stop(worker)
        if saver.poll() is None:
            saver.kill()
    db.execute("UPDATE org_division SET name = name")  # and the database is not left locked
    db.commit()
    db.close()


def test_a_commit_killed_between_its_batches_shows_nothing_and_the_cleanup_removes_its_rows(site):
    """On SQLite, for real: the worker commits a 1 000-row file in batches of 100 and is killed
    (SIGKILL) once some batches are in the database. Nothing of the import is visible (the rows are
    all still marked as staged), no import event was written; the scheduled cleanup then removes
    the rows, says so in the audit log, and the chain still verifies."""
    db = sqlite3.connect(site / "safestar.sqlite3", timeout=30)
    visible = "SELECT count(*) FROM disputes_dispute WHERE staged_import IS NULL"
    staged = "SELECT count(*) FROM disputes_dispute WHERE staged_import IS NOT NULL"
    before = db.execute(visible).fetchone()[0]
    committing = _safestar("shell", "-c", IMPORT % (1000, True), var=site)
    assert committing.returncode == 0, committing.stderr
    worker = _worker(site)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not db.execute(staged).fetchone()[0]:
            time.sleep(0.02)
        worker.kill()  # SIGKILL between two batches (or inside one): no chance to clean up
        worker.wait()
    finally:
        if worker.poll() is None:
            _stop(worker)
    residue = db.execute(staged).fetchone()[0]
    assert 0 < residue < 1000 and residue % 100 == 0  # whole batches only
    assert db.execute(visible).fetchone()[0] == before
    assert db.execute("SELECT count(*) FROM audit_auditevent WHERE action = 'import'").fetchone() == (0,)
    db.execute("UPDATE disputes_dispute SET created_at = '2000-01-01 00:00:00' WHERE staged_import IS NOT NULL")
    db.commit()  # as if the import had been silent for longer than the cleanup waits
    cleaned = _safestar("shell", "-c", "from safestar.core.tasks import cleanup; from safestar.audit.log import verify; "
                        "print(cleanup.call()['abandoned_rows'], verify()[1])", var=site)
    assert cleaned.returncode == 0, cleaned.stderr
    assert cleaned.stdout.split()[-2:] == [str(residue), "None"]
    assert db.execute(staged).fetchone() == (0,) and db.execute(visible).fetchone()[0] == before
    db.close()


def test_the_worker_process_runs_a_job_and_beats(site):
    """`safestar worker` on its own SQLite database: picks up a queued job, reports progress, beats,
    and enqueues the scheduled cleanup; then stops on SIGTERM."""
    tmp_path = site
    queued = _safestar("shell", "-c", ENQUEUE, var=tmp_path)
    assert queued.returncode == 0, queued.stderr
    job_id = queued.stdout.strip().splitlines()[-1].replace("-", "")
    db = sqlite3.connect(tmp_path / "safestar.sqlite3")
    assert db.execute("SELECT status FROM core_job WHERE id = ?", [job_id]).fetchone() == ("queued",)
    worker = _worker(tmp_path)
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
        assert cleaned >= 1  # the heartbeat thread enqueued the periodic cleanup, and the worker ran it
        assert time.time() - (tmp_path / "worker.beat").stat().st_mtime < 30
    finally:
        _stop(worker)
        db.close()
