"""The worker's hourly audit checkpoint (core/tasks.py `audit_checkpoint`): the chain's head goes to
the checkpoint file outside the database whenever it moved, so deleting the last events is found by
`safestar audit verify` without anyone having set up cron."""

import datetime

import pytest

from safestar.audit.chain import read_checkpoints
from safestar.audit.log import record, verify
from safestar.audit.models import AuditEvent
from safestar.core.background import PERIODIC
from safestar.core.tasks import audit_checkpoint


def test_it_runs_every_hour():
    _, every = PERIODIC["safestar.core.tasks.audit_checkpoint"]
    assert every == datetime.timedelta(hours=1)


@pytest.mark.django_db
def test_the_head_is_checkpointed_when_it_moved_and_only_then():
    record("update", object_repr="台账记录", changes={"n": [1, 2]})
    last = AuditEvent.objects.order_by("-id").first()
    assert audit_checkpoint.call() == {"written": True, "id": last.pk}
    assert [c[:2] for c in read_checkpoints()] == [(last.pk, last.hash)]

    assert audit_checkpoint.call() == {"written": False}  # nothing happened since: no new line
    assert len(read_checkpoints()) == 1

    record("update", object_repr="台账记录", changes={"n": [2, 3]})
    newer = AuditEvent.objects.order_by("-id").first()
    assert audit_checkpoint.call()["written"] is True
    assert [c[:2] for c in read_checkpoints()] == [(last.pk, last.hash), (newer.pk, newer.hash)]


@pytest.mark.django_db
def test_deleting_the_last_events_after_the_hourly_checkpoint_is_reported():
    for i in range(3):
        record("update", object_repr=f"事件{i}", changes={"n": [i, i + 1]})
    audit_checkpoint.call()
    AuditEvent.objects.order_by("-id").first().delete()
    count, bad_id, reason = verify()
    assert count == 2 and "末尾的事件被删除" in reason
