"""Imports as background jobs: the upload answers at once with a progress page, the worker checks
and commits, the page then shows the report; the stashed file is encrypted, its uploader's only,
owner-only on disk, and gone after commit, cancel or expiry. No plaintext ID number is left under
the var folder after a check that was never confirmed."""

import os
import re
import stat
import time

import pytest
from django.test import override_settings

from safestar.core import background
from safestar.core.models import Job
from safestar.keypersons.models import KeyPerson
from safestar.keypersons.tests.factories import id_number
from safestar.keypersons.tests.test_registry import _sheet

from conftest import VILLAGE1

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
URL = "/key-persons/import/"


@pytest.fixture
def var(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def _rows(number):
    return [{"division": VILLAGE1, "name": "新登记", "id_number": number, "categories": "吸毒人员",
             "registered_on": "2023-01-05", "status": "在管", "phone": "13912345678"}]


def _run_queued():
    """What `safestar worker` does with each queued task (its own run_task, in this process)."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id="test", excluded_queue_names=[])
    for task in DBTaskResult.objects.ready().order_by("enqueued_at"):
        task.claim("test")
        worker.run_task(task)


def _no_worker_warning(html):
    """Whether the page shows “后台任务进程未运行” (the alert is there, hidden with d-none, either way)."""
    classes = re.search(r'<div class="([^"]*)"[^>]*data-job-noworker', html).group(1)
    return "后台任务进程未运行" in html and "d-none" not in classes.split()


def _files(var):
    return [p for p in var.rglob("*") if p.is_file()]


@override_settings(TASKS=DB_TASKS)
def test_check_and_commit_run_in_the_worker_with_progress_on_the_page(login, world, var):
    client = login("police")
    number = id_number("19900101")
    answer = client.post(URL, {"file": _sheet(_rows(number))})
    assert answer.status_code == 302 and "?job=" in answer.url
    waiting = client.get(answer.url)
    assert waiting.status_code == 200 and 'data-testid="job"' in waiting.text and "检查重点人员" in waiting.text
    assert _no_worker_warning(waiting.text)  # nobody beats: the page says the worker is not running
    background.beat()
    assert not _no_worker_warning(client.get(answer.url).text)  # a worker beats: no warning

    _run_queued()
    checked = client.get(answer.url)
    assert "检查通过：新增 1 行" in checked.text and not KeyPerson.objects.filter(name="新登记").exists()

    committed = client.post(URL, {"token": checked.context["token"]})
    assert committed.status_code == 302
    _run_queued()
    done = client.get(committed.url)
    assert done.status_code == 302 and done.url == "/key-persons/"
    assert KeyPerson.objects.filter(name="新登记").count() == 1
    assert list((var / "imports").iterdir()) == []  # the stash is gone once imported


@override_settings(TASKS=DB_TASKS)
def test_a_job_is_its_users_only(login, world, var):
    answer = login("police").post(URL, {"file": _sheet(_rows(id_number("19900101")))})
    other = login("town").get(answer.url, follow=True)
    assert "没有找到这次导入" in other.text and 'data-testid="job"' not in other.text


def test_no_plaintext_id_number_is_left_after_a_check_without_commit(login, world, var):
    number = id_number("19850303")
    checked = login("police").post(URL, {"file": _sheet(_rows(number))})
    assert "检查通过" in checked.text
    stashes = list((var / "imports").iterdir())
    assert len(stashes) == 1 and stat.S_IMODE(stashes[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((var / "imports").stat().st_mode) == 0o700
    for path in _files(var):  # the stash, job progress files, keys: nothing holds the number in clear
        data = path.read_bytes()
        assert number.encode() not in data and number.encode("utf-16-le") not in data, path
    assert Job.objects.get().result["report"]["counts"] == {"create": 1}


def test_cancel_deletes_the_stash(login, world, var):
    client = login("police")
    checked = client.post(URL, {"file": _sheet(_rows(id_number("19900101")))})
    answer = client.post(URL, {"token": checked.context["token"], "cancel": "1"}, follow=True)
    assert "已取消导入，上传的文件已删除" in answer.text
    assert list((var / "imports").iterdir()) == []


def test_a_stash_opens_only_for_its_uploader(login, world, var):
    from safestar.core.imports import _stash, _unstash
    from safestar.org.models import User

    owner, other = User.objects.get(username="police"), User.objects.get(username="village2")
    name = _stash(b"PK data", owner)
    assert _unstash(name, owner) == b"PK data"
    with pytest.raises(OSError):
        _unstash(name, other)


def test_an_expired_stash_is_refused_and_cleaned_up(login, world, var):
    from safestar.core.tasks import cleanup

    client = login("police")
    checked = client.post(URL, {"file": _sheet(_rows(id_number("19900101")))})
    [stash] = (var / "imports").iterdir()
    old = time.time() - 3601
    os.utime(stash, (old, old))
    cleanup.call()
    assert list((var / "imports").iterdir()) == []
    answer = client.post(URL, {"token": checked.context["token"]}, follow=True)
    assert "导入确认已失效" in answer.text and not KeyPerson.objects.filter(name="新登记").exists()


# ---- a constant number of queries per file (check) and per batch (commit) ---------------------


def _ledger_file(rows):
    from safestar.bench.imports import workbook
    from safestar.core.ledger import LEDGERS
    from safestar.org.models import User

    return workbook(LEDGERS["disputes"], User.objects.get(username="village1"), rows)


def _queries(data, commit, batch=1000):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from safestar.core.ledger import LEDGERS
    from safestar.core.ledger_ops import LedgerImporter
    from safestar.org.models import User

    importer = LedgerImporter(LEDGERS["disputes"], User.objects.get(username="village1"))
    importer.PUBLISH_BATCH = batch
    with CaptureQueriesContext(connection) as queries:
        report = importer.run(data, commit=commit)
    assert report.ok, report.errors[:3]
    return len(queries), report


def test_a_check_reads_a_fixed_number_of_queries_whatever_the_rows(world):
    """The per-row form validates, but the village, the related choices and the user's scope are read
    once per file: the same queries for 5 rows as for 60; and a check writes nothing."""
    from safestar.disputes.models import Dispute

    before = Dispute.objects.count()
    small, report = _queries(_ledger_file(5), commit=False)
    large, _ = _queries(_ledger_file(60), commit=False)
    assert small == large and report.counts["create"] == 5
    assert Dispute.objects.count() == before


def test_a_commit_adds_a_fixed_number_of_queries_per_batch(world):
    """Commit: the same reads as the check, then per batch of new records one short transaction (its
    savepoint, one INSERT of the records, the audit chain's head, one INSERT of their events, its
    release; on PostgreSQL also the chain's lock), then one final transaction publishing them all. N, 3N and 5N rows: the queries grow by
    the same number for every batch added, whatever the rows."""
    from safestar.audit.models import AuditEvent
    from safestar.disputes.models import Dispute

    before, events = Dispute.objects.count(), AuditEvent.objects.count()
    one, _ = _queries(_ledger_file(10), commit=True, batch=10)
    three, _ = _queries(_ledger_file(30), commit=True, batch=10)
    five, report = _queries(_ledger_file(50), commit=True, batch=10)
    from django.db import connection

    per_batch = 5 + (connection.vendor == "postgresql")  # PostgreSQL: the audit chain's advisory lock
    assert three - one == five - three == 2 * per_batch
    assert Dispute.objects.count() == before + 90 and report.counts["create"] == 50
    assert not Dispute._base_manager.filter(staged_import__isnull=False).exists()
    assert AuditEvent.objects.count() == events + 90 + 3  # one per record, one per import
    from safestar.audit.log import verify

    assert verify()[1] is None  # the events written a batch at a time chain like any others
