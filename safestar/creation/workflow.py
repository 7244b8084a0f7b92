"""The one state machine of creation and supervision.

A transition is a conditional update (`filter(pk=, status=from).update(status=to, ...)`: of two
people acting on the same stale page only the first succeeds), an Event row (who, when, from, to,
comment) and an audit record, all in one transaction. Nobody approves their own submission: the
transition itself refuses it, whatever page or API called it.
"""

from django.db import transaction

from safestar.audit.log import record

from .models import Event


class Refused(Exception):
    """A transition that may not happen (the message is for people, in Chinese)."""

    @property
    def message(self):
        return self.args[0]


def division_of(obj):
    return getattr(obj, "village", None) or obj.town


def transition(obj, *, actor, action, label, source, target, comment="", updates=None, not_by=None):
    """Move `obj` from `source` to `target`. `not_by`: the field naming who submitted what is being
    approved (the actor must be someone else). Returns False when the status was no longer `source`
    (somebody else acted first); raises Refused for a self-approval. `obj` is refreshed on success."""
    model = type(obj)
    if not_by is not None and getattr(obj, f"{not_by}_id") == actor.pk:
        raise Refused(f"不能{label}本人提交的事项，须由其他人员办理。")
    choices = dict(model._meta.get_field("status").choices)
    with transaction.atomic():
        rows = model.objects.filter(pk=obj.pk, status=source)
        if not_by is not None:  # the page may be stale: who submitted is checked on the row itself too
            rows = rows.exclude(**{f"{not_by}_id": actor.pk})
        changed = rows.update(status=target, **(updates or {}))
        if not changed:
            if not_by is not None and model.objects.filter(pk=obj.pk, status=source, **{f"{not_by}_id": actor.pk}).exists():
                raise Refused(f"不能{label}本人提交的事项，须由其他人员办理。")
            return False
        Event.objects.create(
            object_type=model._meta.label_lower, object_id=obj.pk, division=division_of(obj), action=action,
            from_status=source, to_status=target, comment=comment[:500], actor=actor,
        )
        changes = {"status": [choices[source], choices[target]]}
        if comment:
            changes["comment"] = [None, comment[:500]]
        record("update", obj, actor=actor, object_repr=f"{label}：{obj}", changes=changes)
    obj.refresh_from_db()
    return True


def history(obj, user):
    """The events of `obj` the user may read, each with the Chinese labels of its statuses."""
    choices = dict(type(obj)._meta.get_field("status").choices)
    events = list(
        Event.objects.visible_to(user)
        .filter(object_type=type(obj)._meta.label_lower, object_id=obj.pk)
        .select_related("actor")
    )
    for event in events:
        event.from_label = choices.get(event.from_status, event.from_status)
        event.to_label = choices.get(event.to_status, event.to_status)
    return events
