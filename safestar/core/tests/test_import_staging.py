"""A long import commits in bounded batches, each a short transaction of its own, so other writers
wait at most for one batch (SQLite has one writer at a time); the rows it has written are seen by
nobody until one short final transaction publishes them. All rows or none still holds: an import
that fails between batches removes what it staged, and one killed mid-way (no clean-up of its own)
leaves only invisible rows, which the scheduled cleanup removes."""

import datetime

import pytest
from django.utils import timezone

from safestar.audit.log import verify
from safestar.audit.models import AuditEvent
from safestar.core.ledger import LEDGERS
from safestar.core.ledger_ops import LedgerImporter
from safestar.core.sheets import read_workbook
from safestar.core.tasks import JOB_SILENT, cleanup
from safestar.disputes.models import Dispute
from safestar.org.models import User

from safestar.core.tests.test_import_jobs import _ledger_file

PARTIES = "张某某、李某某"  # the bench workbook's rows (disputes ledger) are this, numbered


class Killed(BaseException):
    """The process dying: not an Exception, so nothing in the import catches it."""


def _importer(batch=10):
    importer = LedgerImporter(LEDGERS["disputes"], User.objects.get(username="village1"))
    importer.PUBLISH_BATCH = batch
    return importer


def _visible(login):
    """What people see of the imported rows: the model's records, the village user's scope, the list page."""
    user = User.objects.get(username="village1")
    client = login("village1")
    listed = client.get("/ledgers/disputes/?q=" + PARTIES)
    exported = read_workbook(client.get("/ledgers/disputes/export.xlsx?q=" + PARTIES).content)[0].rows
    return (Dispute.objects.filter(parties__startswith=PARTIES).count(),
            Dispute.objects.visible_to(user).filter(parties__startswith=PARTIES).count(),
            listed.text.count(PARTIES) - listed.text.count(f"value=\"{PARTIES}\""),
            sum(1 for row in exported if any(PARTIES in str(cell) for cell in row)))


def _stop_after_first_batch(monkeypatch, error):
    """Make the import die right after its first batch was committed."""
    from safestar.audit import log

    calls = {"n": 0}
    real = log.record_many

    def record_many(items, *, actor):
        calls["n"] += 1
        if calls["n"] == 2:
            raise error
        return real(items, actor=actor)

    monkeypatch.setattr(log, "record_many", record_many)


@pytest.fixture
def data(world):
    Dispute.objects.filter(parties__startswith=PARTIES).delete()
    return _ledger_file(35)


def test_staged_batches_are_published_together(login, data):
    report = _importer().run(data, commit=True)
    assert report.ok and report.counts["create"] == 35
    assert _visible(login) == (35, 35, 20, 35)  # the list page shows its first 20
    assert not Dispute._base_manager.filter(staged_import__isnull=False).exists()
    assert verify()[1] is None


def test_a_failure_between_batches_leaves_nothing(login, data, monkeypatch):
    writes = AuditEvent.objects.filter(action__in=["create", "delete"])
    events = writes.count()
    _stop_after_first_batch(monkeypatch, RuntimeError("disk full"))
    with pytest.raises(RuntimeError):
        _importer().run(data, commit=True)
    assert _visible(login) == (0, 0, 0, 0)
    assert not Dispute._base_manager.filter(parties__startswith=PARTIES).exists()  # the staged batch was removed
    assert writes.count() == events + 10 + 1  # the first batch's creation events stay, with the removal
    removal = AuditEvent.objects.filter(action="delete").order_by("-id").first()
    assert removal.changes["removed"] == 10 and "未完成的导入" in removal.object_repr
    assert verify()[1] is None


def test_a_refused_publish_leaves_nothing(login, data, monkeypatch):
    """The final transaction refuses (the staged rows were cleaned up meanwhile): nothing is imported."""
    importer = _importer()
    real = importer.stage_rows

    def stage_then_lose(pending):
        real(pending)
        Dispute._base_manager.filter(staged_import=importer.import_id, pk__in=Dispute._base_manager.filter(
            staged_import=importer.import_id).values("pk")[:5]).delete()

    importer.stage_rows = stage_then_lose
    report = importer.run(data, commit=True)
    assert not report.ok and "未导入任何数据" in report.errors[0].message
    assert _visible(login) == (0, 0, 0, 0)
    assert not Dispute._base_manager.filter(parties__startswith=PARTIES).exists()


def test_an_import_killed_midway_shows_nothing_and_the_cleanup_removes_its_rows(login, data, monkeypatch):
    _stop_after_first_batch(monkeypatch, Killed())
    monkeypatch.setattr(LedgerImporter, "discard", lambda self: None)  # a killed process cleans up nothing
    with pytest.raises(Killed):
        _importer().run(data, commit=True)
    monkeypatch.undo()
    residue = Dispute._base_manager.filter(parties__startswith=PARTIES)
    assert residue.count() == 10 and residue.filter(staged_import__isnull=False).count() == 10
    assert _visible(login) == (0, 0, 0, 0)  # nobody sees the staged rows

    cleanup.call()  # a running import writes a batch every few seconds: recent rows are left alone
    assert residue.count() == 10
    residue.update(created_at=timezone.now() - JOB_SILENT - datetime.timedelta(minutes=1))
    assert cleanup.call()["abandoned_rows"] == 10
    assert not residue.exists() and _visible(login) == (0, 0, 0, 0)
    removal = AuditEvent.objects.filter(action="delete").order_by("-id").first()
    assert removal.changes["removed"] == 10 and "未完成的导入" in removal.object_repr
    assert verify()[1] is None
    # and the same file imports afterwards, whole
    report = _importer().run(data, commit=True)
    assert report.ok and _visible(login)[0] == 35
