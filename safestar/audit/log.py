"""Writing audit events: the one place every change, login and export is recorded.

Call `record(...)` inside the transaction of the change it describes; the request's user, source
address and request id are picked up from the request being served (see middleware.py).
"""

import contextvars
import datetime
import functools
import inspect
import json
import uuid

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

from safestar import inserts
from safestar.clock import today

from .chain import GENESIS, read_checkpoints, sign
from .models import AuditEvent, hash_payload

current_request = contextvars.ContextVar("safestar_request", default=None)


def _lock_chain():
    # Serialise writers so that each event chains onto the one before it. SQLite already runs
    # write transactions one at a time (transaction_mode IMMEDIATE); PostgreSQL needs a lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7421)")


def _who(actor, request):
    """The fields of an event that say who and from where (the same for every event of one batch)."""
    return {
        "actor": actor,
        "actor_name": getattr(actor, "username", "") or "",
        "role": getattr(actor, "role", "") or "",
        "division_path": actor.division.path if getattr(actor, "division_id", None) else "",
        "ip": (request.META.get("REMOTE_ADDR", "") if request else ""),
        "request_id": getattr(request, "request_id", "") if request else "",
    }


def _event(action, obj, *, actor, changes, object_repr, request, prev_hash):
    """One event of `record`, chained to `prev_hash` and hashed (not saved). `record_many` writes the
    same fields and hash for a batch from values prepared ahead (`Prepared`)."""
    event = AuditEvent(
        at=datetime.datetime.now(datetime.UTC),
        **_who(actor, request),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        changes=changes or {},
        prev_hash=prev_hash,
    )
    event.hash = event.compute_hash()
    return event


def _chain_head():
    return AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or GENESIS


def record(action, obj=None, *, actor=None, changes=None, object_repr=None, request=None):
    request = request or current_request.get()
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    with transaction.atomic():
        _lock_chain()
        event = _event(action, obj, actor=actor, changes=changes, object_repr=object_repr, request=request, prev_hash=_chain_head())
        event.save()
    return event


class Prepared:
    """Events of one actor made ready ahead of their write transaction (`prepare_many`): every field's
    database value and the hashed payload around the four values only the write knows: the time, the
    object's id (its INSERT assigns it), its name (which may show the id) and the previous hash."""

    def __init__(self, items, actor, request):
        db = connections[DEFAULT_DB_ALIAS]
        fields = inserts.fields_of(AuditEvent)
        self.objs = [obj for _, obj, _ in items]
        names = [f.name for f in fields]
        self.places = {name: names.index(name) for name in ("at", "object_id", "object_repr", "prev_hash", "hash")}
        who = AuditEvent(**_who(actor, request))  # the same for every event of the batch
        base = {f.attname: getattr(who, f.attname) for f in fields}
        marks = {name: f"\0{uuid.uuid4().hex}\0" for name in SPLICED}  # stand-ins, cut out of the payload
        known = {}  # (field, value) → its database value: all but `changes` repeat from event to event
        self.rows, self.payloads = [], []
        for action, obj, changes in items:
            values = {**base, "action": action, "object_type": obj._meta.label_lower if obj is not None else "",
                      "changes": changes or {}}
            row = []
            for f in fields:
                if f.name in self.places:
                    row.append(None)
                elif f.name == "changes":
                    row.append(f.get_db_prep_save(values["changes"], db))
                else:
                    key = (f.name, values[f.attname])
                    if key not in known:
                        known[key] = f.get_db_prep_save(values[f.attname], db)
                    row.append(known[key])
            self.rows.append(row)
            payload = hash_payload({**{name: values[name] for name in AuditEvent.HASHED_FIELDS}, **marks})
            parts = []
            for name in SPLICED:  # in the payload's (sorted) order
                before, mark, payload = payload.partition(json.dumps(marks[name]))
                if not mark:
                    raise ValueError(f"audit payload without {name}")
                parts.append(before)
            parts.append(payload)
            self.payloads.append(parts)


SPLICED = ("at", "object_id", "object_repr", "prev_hash")  # sorted, as in the hashed payload


def prepare_many(items, *, actor):
    """`record_many`'s events [(action, obj, changes)] prepared before the write transaction: no query,
    no lock; the objects may still be unsaved (their ids are read when the events are recorded)."""
    return Prepared(items, actor, current_request.get())


def record_many(items, *, actor):
    """Record many events of one actor at once (an import's new records): [(action, obj, changes)],
    or what `prepare_many` made of them; chained in order like `record` does one by one (the same
    fields, the same hash), written with one query per batch. Inside the transaction only the time,
    the objects' ids and names and the chain are filled in."""
    prepared = items if isinstance(items, Prepared) else prepare_many(items, actor=actor)
    places, field = prepared.places, AuditEvent._meta.get_field
    with transaction.atomic(savepoint=False):  # no savepoint of its own: one batch, one transaction
        _lock_chain()
        at = datetime.datetime.now(datetime.UTC)
        at_db = field("at").get_db_prep_save(at, connection)
        at_json = json.dumps(at.isoformat())
        last, rows = _chain_head(), []
        for obj, row, parts in zip(prepared.objs, prepared.rows, prepared.payloads):
            object_id = str(obj.pk) if obj is not None else ""
            object_repr = str(obj)[:200] if obj is not None else ""
            values = (at_json, json.dumps(object_id, ensure_ascii=False), json.dumps(object_repr, ensure_ascii=False),
                      json.dumps(last))
            last_hash = sign("".join(part for pair in zip(parts, (*values, "")) for part in pair).encode())
            row = list(row)
            row[places["at"]], row[places["object_id"]], row[places["object_repr"]] = at_db, object_id, object_repr
            row[places["prev_hash"]], row[places["hash"]] = last, last_hash
            rows.append(row)
            last = last_hash
        inserts.insert(AuditEvent, inserts.fields_of(AuditEvent), rows)


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
            labels = _labels(type(obj), field)
            value = getattr(obj, f"get_{name}_display")() if labels is None else _label(labels, getattr(obj, field.attname))
        else:
            value = getattr(obj, name)
        if name in masked and value:
            value = masked[name](value)
        out[name] = value if isinstance(value, (str, int, float, bool, list, dict, type(None))) else str(value)
    return out


@functools.cache
def _labels(model, field):
    """{value: label} of a choice field whose get_FOO_display is Django's own (None when the model
    defines its own, or the choices are not a fixed list): the table Django builds on every call, built once."""
    own = inspect.getattr_static(model, f"get_{field.name}_display", None)
    if not isinstance(field.choices, (list, tuple)) or not isinstance(own, functools.partialmethod):
        return None
    return dict(make_hashable(field.flatchoices))


def _label(labels, value):
    """What Django's get_FOO_display returns, from the table."""
    return force_str(labels.get(make_hashable(value), value), strings_only=True)


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


def verify(extra=()):
    """Walk the chain in id order, then hold it against its checkpoints; return
    (number of events checked, first bad event id or None, reason in Chinese).

    The chain starts at GENESIS, or, after pruning, at the hash of the last pruned event that a
    prune event (itself part of the chain) vouches for. The checkpoints are those of the checkpoint
    file (chain.read_checkpoints) plus `extra`, [(id, hash, where)] an operator kept: each must
    still be in the chain with the same hash, unless it was pruned. See docs/security.md for what
    this does and does not detect."""
    try:
        marks = [*read_checkpoints(), *extra]
    except ValueError as exc:
        return 0, 0, str(exc)
    wanted = {mark[0] for mark in marks}
    seen = {}
    starts, pruned_upto = {GENESIS}, 0
    for changes in AuditEvent.objects.filter(action="prune").values_list("changes", flat=True):
        starts.add(changes.get("last_pruned_hash"))
        pruned_upto = max(pruned_upto, int(changes.get("last_pruned_id") or 0))
    prev = first_id = None
    count = last_id = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        expected_ok = event.prev_hash in starts if prev is None else event.prev_hash == prev
        if not expected_ok:
            return count, event.id, "与上一条事件的哈希不衔接（事件被删除或调换顺序）"
        if event.compute_hash() != event.hash:
            return count, event.id, "事件内容与其哈希不符（事件被篡改，或不是用本系统的审计密钥签名的）"
        if event.id in wanted:
            seen[event.id] = event.hash
        prev, last_id = event.hash, event.id
        first_id = first_id or event.id
        count += 1
    for mark_id, mark_hash, where in marks:
        if mark_id == 0 or (mark_id <= pruned_upto and (first_id is None or mark_id < first_id)):
            continue  # the empty log, or an event pruned by a recorded prune
        if mark_id > last_id:
            return count, mark_id, (
                f"审计链末尾的事件被删除：检查点（{where}）记录到事件 id={mark_id}，库中最后一条是 id={last_id}"
            )
        if mark_id not in seen:
            return count, mark_id, f"检查点（{where}）记录的事件 id={mark_id} 已不存在（事件被删除）"
        if seen[mark_id] != mark_hash:
            return count, mark_id, (
                f"事件 id={mark_id} 的哈希与检查点（{where}）不符：该事件或更早的事件被改写后重新计算了哈希链"
            )
    return count, None, ""
