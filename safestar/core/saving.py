"""The one audited save: every edit page, import row and API write of a record goes through
`save_form`, so the version check, the conflict message and the field-level audit are written once.

    save_form(form, user, ["title", "responsible", "due_on"], where={"status": "open"})

creates the form's instance, or updates it when the stored row is still what the user started
from: the same `version` (models that have one), still meeting `where` (a task still open), not
deleted, not locked (`locked_reason()`). Otherwise nothing is written and `Conflict` / `Locked`
(both `Refused`, with a Chinese message) says why. Only the fields the form carries (and those its
own save sets, e.g. a password) are written, so a value somebody else changed meanwhile outside
the form is never overwritten with what the page showed. A change of a tracked field is recorded
with the day it took effect (core/states.py).
"""

from django.db import IntegrityError, transaction
from django.utils import timezone

from safestar.audit.log import diff, record, snapshot

from safestar.clock import today
from .states import record_changes
from .validators import whole_number
from .transitions import Refused

STALE = "状态已被他人更改，本次操作未执行，请查看最新状态。"


class Conflict(Refused):
    """Someone else changed the record since it was opened: nothing is overwritten."""

    def __init__(self, current=None, message=None):
        self.current = current
        if message is None:
            who = getattr(current, "updated_by", None) or getattr(current, "created_by", None)
            when = timezone.localtime(current.updated_at).strftime("%Y-%m-%d %H:%M")
            message = f"该记录已于 {when} 被{who or '他人'}修改，您的修改没有保存。请查看最新内容后重新修改。"
        super().__init__(message)


class Locked(Refused):
    """The record is in a state that forbids editing or deleting it (its locked_reason)."""


def posted_version(request):
    """The version an edit page was opened at (its hidden `version` field); -1 when the form does
    not carry a whole number, so that it cannot prove it saw the latest version."""
    version = whole_number(request.POST.get("version", ""), 0)
    return -1 if version is None else version


def _has(model, name):
    return any(f.name == name for f in model._meta.concrete_fields)


def save_form(form, user, fields, *, version=None, where=None, values=None, changes=None, describe=None):
    """Save the valid ModelForm `form` for `user` with its audit event; returns the saved object.

    fields    audited field by field (many-to-many ones too; personal data masked by the model)
    version   the version the user started from: a newer save meanwhile is a Conflict
    where     conditions the stored row must still meet (e.g. {"status": "open"}): else a Conflict
    values    set besides the form's fields (the parent of a new record, a computed list)
    changes   audited besides the fields (e.g. the ledger record just linked)
    describe  the object's name in the audit log, a function of the saved object (default str)
    """
    model = form._meta.model
    with transaction.atomic():
        obj = form.instance
        if obj.pk is None:
            obj = form.save(commit=False)
            for name, value in (values or {}).items():
                setattr(obj, name, value)
            for name in ("created_by", "updated_by"):
                if _has(model, name) and getattr(obj, f"{name}_id") is None:
                    setattr(obj, name, user)
            obj.save()
            form.save_m2m()
            record("create", obj, actor=user, object_repr=describe(obj) if describe else None,
                   changes=diff({}, snapshot(obj, fields)) | (changes or {}))
            return obj
        current = model.objects.select_for_update(of=("self",)).filter(pk=obj.pk, **(where or {})).first()
        if current is None:
            raise Conflict(message=STALE)
        if getattr(current, "deleted_at", None) is not None or (version is not None and current.version != version):
            raise Conflict(current)
        if hasattr(current, "locked_reason") and (reason := current.locked_reason()):
            raise Locked(reason)
        before = snapshot(current, fields)
        concrete = [f for f in model._meta.concrete_fields if not f.primary_key]
        shown = {f.attname: getattr(obj, f.attname) for f in concrete}
        obj = form.save(commit=False)
        for name, value in (values or {}).items():
            setattr(obj, name, value)
        written = {f.name for f in concrete if f.name in form.fields or f.name in (values or {}) or getattr(obj, f.attname) != shown[f.attname]}
        if _has(model, "version"):
            obj.version = current.version + 1
        if _has(model, "updated_by"):
            obj.updated_by = user
        written |= {name for name in ("version", "updated_by", "updated_at") if _has(model, name)}
        try:
            with transaction.atomic():
                obj.save(update_fields=written)
        except IntegrityError:  # a unique value (an ID number) saved by someone else a moment ago
            raise Conflict(current) if _has(model, "updated_at") else Conflict(message=STALE) from None
        form.save_m2m()
        audited = diff(before, snapshot(obj, fields)) | (changes or {})
        # Each change of a tracked field (在队, 在用, 状况 …) is kept with the day it took effect: the
        # form's 变更生效日期, else today (core/states.py), so a past year reads the state it had.
        effective_on = form.cleaned_data.get("effective_on") or today()
        if record_changes(current, obj, user, effective_on):
            audited["effective_on"] = [None, effective_on.isoformat()]
        record("update", obj, actor=user, object_repr=describe(obj) if describe else None, changes=audited)
        return obj
