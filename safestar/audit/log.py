"""Writing audit events: the one place every change, login and export is recorded.

Call `record(...)` inside the transaction of the change it describes; the request's user, source
address and request id are picked up from the request being served (see middleware.py).
"""

import contextvars
import datetime

from django.db import connection, transaction

from safestar.clock import today

from .models import AuditEvent

GENESIS = "0" * 64
current_request = contextvars.ContextVar("safestar_request", default=None)


def _lock_chain():
    # Serialise writers so that each event chains onto the one before it. SQLite already runs
    # write transactions one at a time (transaction_mode IMMEDIATE); PostgreSQL needs a lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7421)")


def record(action, obj=None, *, actor=None, changes=None, object_repr=None, request=None):
    request = request or current_request.get()
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
        event = AuditEvent(
            at=datetime.datetime.now(datetime.UTC),
            actor=actor,
            actor_name=getattr(actor, "username", "") or "",
            role=getattr(actor, "role", "") or "",
            division_path=actor.division.path if getattr(actor, "division_id", None) else "",
            ip=(request.META.get("REMOTE_ADDR", "") if request else ""),
            request_id=getattr(request, "request_id", "") if request else "",
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
            changes=changes or {},
            prev_hash=last or GENESIS,
        )
        event.hash = event.compute_hash()
        event.save()
    return event


def record_many(items, *, actor):
    """Record many events of one actor at once (an import's new records): [(action, obj, changes)],
    chained in order like `record` does one by one, written with one query per batch."""
    request = current_request.get()
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS
        events = []
        for action, obj, changes in items:
            event = AuditEvent(
                at=datetime.datetime.now(datetime.UTC),
                actor=actor,
                actor_name=getattr(actor, "username", "") or "",
                role=getattr(actor, "role", "") or "",
                division_path=actor.division.path if getattr(actor, "division_id", None) else "",
                ip=(request.META.get("REMOTE_ADDR", "") if request else ""),
                request_id=getattr(request, "request_id", "") if request else "",
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                changes=changes or {},
                prev_hash=last,
            )
            event.hash = last = event.compute_hash()
            events.append(event)
        AuditEvent.objects.bulk_create(events, batch_size=500)
    return events


def snapshot(obj, fields):
    """The values of `fields` on `obj` as a person reads them, JSON-able, for a before/after diff.
    Fields the model lists in `audit_masked` (personal data) are recorded masked."""
    masked = getattr(obj, "audit_masked", {})
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_one:  # as a person reads it: the related record's name, the choice's label
            value = str(getattr(obj, name)) if getattr(obj, field.attname) is not None else None
        elif field.many_to_many:  # the related records' names, e.g. a key person's categories
            value = "、".join(str(related) for related in getattr(obj, name).all())
        elif field.choices:
            value = getattr(obj, f"get_{name}_display")()
        else:
            value = getattr(obj, name)
        if name in masked and value:
            value = masked[name](value)
        out[name] = value if isinstance(value, (str, int, float, bool, list, dict, type(None))) else str(value)
    return out


def diff(before, after):
    """{field: [old, new]} for the fields that changed (before is {} for a creation)."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


RETENTION_DAYS = 180  # 等保2.0: audit records are kept at least six months


def prune(before: datetime.date):
    """Delete the events older than `before` (at least RETENTION_DAYS old), recording the prune as an
    event that carries the hash of the last deleted event: `verify` accepts that hash as the start
    of the remaining chain, so the rest stays verifiable. Returns the number deleted."""
    limit = today() - datetime.timedelta(days=RETENTION_DAYS)
    if before > limit:
        raise ValueError(f"审计事件至少保留{RETENTION_DAYS}天：只能清理 {limit.isoformat()} 之前的事件。")
    cutoff = datetime.datetime.combine(before, datetime.time.min, datetime.UTC)
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.filter(at__lt=cutoff).order_by("-id").first()
        if last is None:
            return 0
        # Everything up to the last old event goes, so that what remains is one unbroken chain.
        count, _ = AuditEvent.objects.filter(id__lte=last.id).delete()
        record("prune", object_repr=f"清理 {before.isoformat()} 之前的审计事件 {count} 条",
               changes={"before": before.isoformat(), "deleted": count, "last_pruned_id": last.id,
                        "last_pruned_hash": last.hash})
    return count


def verify():
    """Walk the chain in id order; return (number checked, first bad event id or None, reason).

    The chain starts at GENESIS, or, after pruning, at the hash of the last pruned event that a
    prune event (itself part of the chain) vouches for."""
    starts = {GENESIS} | {
        changes.get("last_pruned_hash")
        for changes in AuditEvent.objects.filter(action="prune").values_list("changes", flat=True)
    }
    prev = None
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        expected_ok = event.prev_hash in starts if prev is None else event.prev_hash == prev
        if not expected_ok:
            return count, event.id, "与上一条事件的哈希不衔接（事件被删除或调换顺序）"
        if event.compute_hash() != event.hash:
            return count, event.id, "事件内容与其哈希不符（事件被篡改）"
        prev = event.hash
        count += 1
    return count, None, ""
