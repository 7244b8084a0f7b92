"""The audit log is a keyed hash chain anchored by checkpoints outside the database:
`safestar audit verify` finds any event altered, removed or moved, the last events cut off, and a
chain rewritten and re-signed after the checkpoint."""

import io

import pytest
from django.core.management import call_command

import base64
import hashlib
import json
import os
import stat

from safestar.audit.chain import GENESIS, checkpoint, key
from safestar.audit.log import record, verify
from safestar.audit.models import AuditEvent
from safestar.clock import today


@pytest.fixture
def chain(db):
    for i in range(5):
        record("update", object_repr=f"事件{i}", changes={"n": [i, i + 1]})
    return list(AuditEvent.objects.order_by("id"))


def run_verify(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=err)
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


# ── The key and the checkpoints ──────────────────────────────────────────────────────────────


def _resign_from(events, start, secret):
    """What an attacker does after editing or deleting: recompute every hash from `start` on, with
    `secret` as the key (None: the old plain SHA-256)."""
    prev = events[start - 1].hash if start else GENESIS
    for event in events[start:]:
        event.prev_hash = prev
        data = {f: getattr(event, f) for f in AuditEvent.HASHED_FIELDS}
        payload = json.dumps({**data, "at": data["at"].isoformat()}, ensure_ascii=False, sort_keys=True,
                             separators=(",", ":")).encode()
        import hmac

        event.hash = hmac.new(secret, payload, "sha256").hexdigest() if secret else hashlib.sha256(payload).hexdigest()
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash, object_repr=event.object_repr)
        prev = event.hash


def test_the_key_lives_outside_the_database_in_a_private_file(db, settings, tmp_path):
    settings.SAFESTAR_AUDIT_KEY = ""
    settings.SAFESTAR_AUDIT_KEY_FILE = tmp_path / "audit_key"
    secret = key()
    assert len(secret) == 32 and stat.S_IMODE(os.stat(tmp_path / "audit_key").st_mode) == 0o600
    event = record("update", object_repr="一条")
    assert base64.b64encode(secret).decode() not in json.dumps(list(AuditEvent.objects.values()), default=str)
    # another key (a database moved to another installation, a forger's guess) does not verify it
    settings.SAFESTAR_AUDIT_KEY = base64.b64encode(b"k" * 32).decode()
    assert verify()[1] == event.pk


def test_an_edit_resigned_without_the_key_is_detected_even_without_a_checkpoint(chain):
    chain[2].object_repr = "伪造"
    _resign_from(chain, 2, secret=None)  # what the old plain SHA-256 chain let anyone do
    count, bad_id, reason = verify()
    assert (count, bad_id) == (2, chain[2].pk) and "密钥" in reason


def test_a_clean_chain_verifies_against_its_checkpoints(chain):
    first = checkpoint()
    record("update", object_repr="检查点之后")
    second = checkpoint()
    assert (first["id"], first["hash"]) == (chain[-1].pk, chain[-1].hash)
    assert second["id"] > first["id"]
    assert run_verify(f"--checkpoint={first['id']}:{first['hash']}") == (0, "审计链完整：共校验 6 条事件。\n")


def test_the_checkpoint_command_prints_the_head_for_the_operator(chain, settings):
    out = io.StringIO()
    call_command("audit", "checkpoint", stdout=out)
    assert f"{chain[-1].pk}:{chain[-1].hash}" in out.getvalue()
    line = json.loads(settings.SAFESTAR_AUDIT_CHECKPOINTS.read_text().splitlines()[-1])
    assert (line["id"], line["hash"]) == (chain[-1].pk, chain[-1].hash)
    assert stat.S_IMODE(os.stat(settings.SAFESTAR_AUDIT_CHECKPOINTS).st_mode) == 0o600


def test_cutting_off_the_last_events_is_detected_against_the_checkpoint(chain):
    checkpoint()
    assert verify()[1] is None
    AuditEvent.objects.filter(pk__in=[chain[3].pk, chain[4].pk]).delete()  # what remains is a valid chain
    code, output = run_verify()
    assert code == 1
    assert f"末尾的事件被删除：检查点（audit-" in output and f"id={chain[4].pk}，库中最后一条是 id={chain[2].pk}" in output


def test_an_edit_resigned_with_the_key_is_detected_against_the_checkpoint(chain):
    """Someone who has the key too (it is on the server) rewrites an event and re-signs the rest."""
    checkpoint()
    chain[1].object_repr = "伪造"
    _resign_from(chain, 1, secret=key())
    count, bad_id, reason = verify(extra=[])
    assert count == 5  # the chain itself is consistent again ...
    assert bad_id == chain[4].pk and "被改写后重新计算了哈希链" in reason  # ... but not the checkpointed head


def test_an_operator_kept_checkpoint_catches_what_the_checkpoint_file_no_longer_shows(chain, settings):
    kept = checkpoint()
    settings.SAFESTAR_AUDIT_CHECKPOINTS.unlink()  # the file lost (or someone with the server wiped it)
    AuditEvent.objects.filter(pk=chain[4].pk).delete()
    assert run_verify()[0] == 0  # without any checkpoint the truncation cannot be seen (docs say so)
    code, output = run_verify("--checkpoint", f"{kept['id']}:{kept['hash']}")
    assert code == 1 and "命令行给出的检查点" in output and "末尾的事件被删除" in output


def test_a_malformed_operator_checkpoint_is_refused_in_chinese(chain):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="检查点格式应为"):
        call_command("audit", "verify", "--checkpoint", "12:abc")
    with pytest.raises(CommandError, match="不存在"):
        call_command("audit", "verify", "--checkpoint-file", "/nonexistent/cp.jsonl")


def test_a_checkpoint_of_pruned_events_still_verifies(chain):
    import datetime

    from safestar.audit.chain import append_checkpoint

    _age(chain[:3], days=400)
    aged = list(AuditEvent.objects.order_by("id"))
    append_checkpoint({"id": aged[1].pk, "hash": aged[1].hash})  # an event the prune will remove
    checkpoint()
    call_command("audit", "prune", "--before", (today() - datetime.timedelta(days=200)).isoformat(), stdout=io.StringIO())
    assert verify() == (3, None, "")


def _migration():
    import importlib

    return importlib.import_module("safestar.audit.migrations.0004_keyed_chain")


def _old_chain(n, start=GENESIS):
    """Events as the plain SHA-256 chain before the key wrote them."""
    migration, prev, events = _migration(), start, []
    for i in range(n):
        event = record("update", object_repr=f"旧事件{i}")
        event.prev_hash = prev
        event.hash = migration._old_hash(event)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        prev = event.hash
        events.append(event)
    return events


def test_the_migration_re_signs_an_intact_old_chain_and_says_so(db):
    from django.apps import apps

    _old_chain(3)
    assert verify()[1] is not None  # the old hashes are not keyed
    _migration().rechain(apps, None)
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.object_repr for e in events[:3]] == ["旧事件0", "旧事件1", "旧事件2"]
    assert events[-1].action == "rechain" and "3 条事件；改签前的哈希链完整" in events[-1].object_repr
    assert verify() == (4, None, "")


def test_the_migration_keeps_the_evidence_of_an_old_chain_already_broken(db):
    from django.apps import apps

    old = _old_chain(3)
    AuditEvent.objects.filter(pk=old[1].pk).update(object_repr="改过")  # tampered before the upgrade
    _migration().rechain(apps, None)
    last = AuditEvent.objects.order_by("-id").first()
    assert f"改签前的哈希链已损坏（id={old[1].pk} 的内容与其哈希不符）" in last.object_repr
    assert last.changes["old_chain_intact"] is False
    assert verify()[1] is None  # re-signed, but the log itself says where the old chain was broken


def test_the_migration_leaves_an_empty_log_empty(db):
    from django.apps import apps

    _migration().rechain(apps, None)
    assert not AuditEvent.objects.exists()
