"""State as of a date: the one mechanism for record fields whose value changes over time.

A record is a fact about time in two ways. Its own dates say when it began (入队日期, 安装日期,
启用日期, 登记日期 …): a metric keeps out records that began after the day it reads. Its *status*
fields (在队, 在用, 状况, 管控状态, 措施, 监护人 …) change later, and a metric of 2023 must read them
as they stood on 31 December 2023, not as they are when someone evaluates 2023 in March 2024.

A model lists those fields in `tracked_fields`. The one audited save (`core/saving.save_form`) calls
`record_changes()` when a tracked field changes: one `StateChange` per field with the old and the
new value and the day the change took effect (the form's 变更生效日期, today when left empty). A
metric reads a tracked field through `value_on(model, field, day)`, an expression of the field's
own type, or `as_of(queryset, day, *fields)`, which annotates `asof_<field>`:

- the new value of the latest change effective on or before `day`;
- else, when every change took effect after `day`, the old value of the earliest one (the value as
  first entered);
- else, with no change at all, the field itself.

It is correlated subqueries inside the metric's one query, so a metric stays one query whatever the
number of villages. Nothing reads `created_at`: when a record was *entered* says nothing about the
village; late entries for a past year count, changes effective after the year's end do not.
"""

import datetime
from functools import lru_cache

from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Subquery, When
from django.db.models.functions import Cast, Coalesce

from safestar.clock import today

EFFECTIVE_LABEL = "变更生效日期"
EFFECTIVE_HELP = "修改在队、在用、状况、管控状态等随时间变化的项目时，填写变化实际发生的日期；不填即为今天"


def tracked(model):
    return tuple(getattr(model, "tracked_fields", ()))


def record_type(model):
    return model._meta.label_lower  # "emergency.emergencymember"


def encode(value):
    """A field value as StateChange stores it: text the database can cast back to the field's type."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def record_changes(before, after, user, effective_on=None):
    """After `after` (the saved record) replaced `before` (the same record as it was): one
    StateChange per tracked field whose value changed, effective on `effective_on` (today when
    None). Returns {field: [old, new]} of the changes, for the audit event."""
    from .models import StateChange

    effective_on = effective_on or today()
    rows, changed = [], {}
    for name in tracked(type(after)):
        old, new = encode(getattr(before, name)), encode(getattr(after, name))
        if old != new:
            changed[name] = [old, new]
            rows.append(StateChange(
                record_type=record_type(type(after)), record_id=after.pk, field=name, old=old, new=new,
                effective_on=effective_on, recorded_by=user,
            ))
    StateChange.objects.bulk_create(rows)
    return changed


def _plain(field):
    """A bare field of the same database type (no choices, no validators) for Cast."""
    if isinstance(field, models.BooleanField):
        return models.BooleanField()
    if isinstance(field, models.DateField):
        return models.DateField()
    if isinstance(field, models.IntegerField):
        return models.IntegerField()
    if isinstance(field, (models.CharField, models.TextField)):
        return models.TextField()
    raise ValueError(f"{field} cannot be tracked (only text, choices, numbers, yes/no and dates)")


@lru_cache(maxsize=1024)
def value_on(model, name, day):
    """The value of `model`'s tracked field `name` on `day`, as an expression for the model's queries.
    Built once per (model, field, day) in a process: an expression is never changed by the queries
    it is used in (they resolve copies of it), and building its two correlated subqueries cost about
    a quarter of gathering a village's facts."""
    from .models import StateChange

    field = model._meta.get_field(name)
    if name not in tracked(model):
        raise ValueError(f"{model.__name__}.{name} is not a tracked field")
    plain = _plain(field)
    changes = StateChange.objects.filter(record_type=record_type(model), record_id=OuterRef("pk"), field=name)
    latest = changes.filter(effective_on__lte=day).order_by("-effective_on", "-id")
    earliest = changes.filter(effective_on__gt=day).order_by("effective_on", "id")
    new = Cast(Subquery(latest.values("new")[:1]), plain)
    first = Cast(Subquery(earliest.values("old")[:1]), plain)
    own = Cast(F(name), plain) if isinstance(plain, models.TextField) else F(name)
    if not field.null:  # a change never stores NULL: the first non-NULL of the three is the value
        return Coalesce(new, first, own, output_field=plain)
    # A nullable field may have been changed to or from NULL: ask whether a change exists.
    return Case(When(Exists(latest), then=new), When(Exists(earliest), then=first), default=own, output_field=plain)


def as_of(queryset, day, *names):
    """`queryset` annotated with `asof_<name>`: each tracked field's value on `day`."""
    return queryset.annotate(**{f"asof_{name}": value_on(queryset.model, name, day) for name in names})


def read_as_of(records, day):
    """Set `asof_<field>` on each of `records` (already read; of one model or several) for every tracked
    field of its model: the values as_of() gives, worked out here from the records' changes, read in
    one plain query for all of them. For a few records (one village's page), where building as_of()'s
    two correlated subqueries per field costs more than running them. Returns the records."""
    from django.db.models import Q

    from .models import StateChange

    wanted = {}
    for record in records:
        wanted.setdefault(type(record), []).append(record.pk)
    wanted = {model: ids for model, ids in wanted.items() if tracked(model)}
    if not wanted:
        return records
    changes = {}
    which = Q()
    for model, ids in wanted.items():
        which |= Q(record_type=record_type(model), record_id__in=ids, field__in=tracked(model))
    rows = StateChange.objects.filter(which).order_by("effective_on", "id").values_list(
        "record_type", "record_id", "field", "effective_on", "old", "new")
    for kind, record_id, name, effective_on, old, new in rows:
        changes.setdefault((kind, record_id, name), []).append((effective_on, old, new))
    for record in records:
        model = type(record)
        for name in tracked(model):
            field = model._meta.get_field(name)
            found = changes.get((record_type(model), record.pk, name), ())
            latest = next((c for c in reversed(found) if c[0] <= day), None)  # its new value
            later = next((c for c in found if c[0] > day), None)  # the earliest after the day: its old value
            if field.null:  # as value_on's Case: whether such a change exists decides
                text = latest[2] if latest else later[1] if later else _OWN
            else:  # as value_on's Coalesce: the first that is not NULL
                text = next((t for t in (latest and latest[2], later and later[1]) if t is not None), _OWN)
            setattr(record, f"asof_{name}", getattr(record, name) if text is _OWN else _plain(field).to_python(text))
    return records


_OWN = object()


def history(obj):
    """The dated changes of a record's tracked fields, oldest first (for its detail page)."""
    from .models import StateChange

    return StateChange.objects.filter(record_type=record_type(type(obj)), record_id=obj.pk).order_by("effective_on", "id")
