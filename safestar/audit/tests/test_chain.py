"""The audit log is a hash chain: `safestar audit verify` finds any event altered, removed or moved."""

import io

import pytest
from django.core.management import call_command

from safestar.audit.log import GENESIS, record, verify
from safestar.audit.models import AuditEvent
from safestar.clock import today


@pytest.fixture
def chain(db):
    for i in range(5):
        record("update", object_repr=f"事件{i}", changes={"n": [i, i + 1]})
    return list(AuditEvent.objects.order_by("id"))


def run_verify():
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
        return 0, out.getvalue() + err.getvalue()
    except SystemExit as exc:
        return exc.code, out.getvalue() + err.getvalue()


def test_an_intact_chain_verifies(chain):
    assert chain[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(chain, chain[1:]))
    assert run_verify() == (0, "审计链完整：共校验 5 条事件。\n")


def test_an_altered_event_is_named(chain):
    AuditEvent.objects.filter(pk=chain[2].pk).update(object_repr="被篡改")
    code, output = run_verify()
    assert code == 1
    assert f"id={chain[2].pk}" in output and "被篡改" in output


def test_a_removed_event_is_found(chain):
    AuditEvent.objects.filter(pk=chain[1].pk).delete()
    code, output = run_verify()
    assert code == 1 and f"id={chain[2].pk}" in output and "删除或调换顺序" in output


def test_reordered_events_are_found(chain):
    a, b = chain[1], chain[3]
    fields = [f for f in AuditEvent.HASHED_FIELDS if f != "actor_id"] + ["hash"]
    AuditEvent.objects.filter(pk=a.pk).update(hash="x" * 64)  # free the unique hash while swapping
    AuditEvent.objects.filter(pk=b.pk).update(**{f: getattr(a, f) for f in fields})
    AuditEvent.objects.filter(pk=a.pk).update(**{f: getattr(b, f) for f in fields})
    assert verify()[1] == a.pk


def test_an_event_rewritten_with_a_fresh_hash_still_breaks_the_next_link(chain):
    event = AuditEvent.objects.get(pk=chain[2].pk)
    event.object_repr = "伪造"
    event.hash = event.compute_hash()
    AuditEvent.objects.filter(pk=event.pk).update(object_repr=event.object_repr, hash=event.hash)
    assert verify()[1] == chain[3].pk


def _age(events, days):
    """Rewrite events as if written `days` ago, re-chaining them (a test-only fixture step)."""
    import datetime

    from django.utils import timezone

    prev = GENESIS
    for event in AuditEvent.objects.order_by("id"):
        if event.pk in {e.pk for e in events}:
            event.at = timezone.now() - datetime.timedelta(days=days)
        event.prev_hash = prev
        event.hash = event.compute_hash()
        AuditEvent.objects.filter(pk=event.pk).update(at=event.at, prev_hash=event.prev_hash, hash=event.hash)
        prev = event.hash


def test_prune_keeps_the_rest_verifiable_and_is_itself_recorded(chain):
    import datetime

    _age(chain[:3], days=400)
    call_command("audit", "prune", "--before", (today() - datetime.timedelta(days=200)).isoformat(), stdout=io.StringIO())
    remaining = list(AuditEvent.objects.order_by("id"))
    assert [e.object_repr for e in remaining[:2]] == ["事件3", "事件4"]
    assert remaining[-1].action == "prune" and remaining[-1].changes["deleted"] == 3
    assert run_verify()[0] == 0
    # deleting one more event by hand is still found
    AuditEvent.objects.filter(pk=remaining[0].pk).delete()
    assert verify()[1] == remaining[1].pk


def test_prune_refuses_to_cut_into_the_last_180_days(chain):
    import datetime

    from django.core.management.base import CommandError

    recent = (today() - datetime.timedelta(days=100)).isoformat()
    with pytest.raises(CommandError, match="至少保留180天"):
        call_command("audit", "prune", "--before", recent)
    assert AuditEvent.objects.count() == 5
