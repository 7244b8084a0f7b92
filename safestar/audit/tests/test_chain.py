"""The audit log is a hash chain: `safestar audit verify` finds any event altered, removed or moved."""

import io

import pytest
from django.core.management import call_command

from safestar.audit.log import GENESIS, record, verify
from safestar.audit.models import AuditEvent


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
