"""What can be done to ledger records, shared by the pages, the imports and the API: filter, save
(through the one audited save, core/saving.py), soft delete and restore, export rows, import rows.
Each write is one transaction with its audit event."""

import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from safestar.audit.log import record

from .imports import Importer
from .saving import Locked, save_form
from .sheets import Column


FILTER_PARAMS = ("q", "village", "year", "start", "end", "kind", "status", "deleted", "sort")


def _date(value):
    try:
        return datetime.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        return None


def filtered(ledger, user, params):
    """The records `user` may see, narrowed by the list's parameters (the same for the page, the
    export and the API): q, village (code), year / start / end, kind, status, deleted=1, sort."""
    qs = ledger.base_queryset().visible_to(user)
    qs = qs.filter(deleted_at__isnull=params.get("deleted") != "1")
    if code := params.get("village"):
        qs = qs.filter(division__code=code)
    if ledger.date_field:
        year = str(params.get("year") or "")
        if year.isdigit():
            qs = qs.filter(**{f"{ledger.date_field}__year": int(year)})
        if start := _date(params.get("start")):
            qs = qs.filter(**{f"{ledger.date_field}__gte": start})
        if end := _date(params.get("end")):
            qs = qs.filter(**{f"{ledger.date_field}__lte": end})
    for param, name in (("kind", ledger.kind_field), ("status", ledger.status_field)):
        if name and params.get(param) not in (None, ""):
            qs = qs.filter(**{name: params[param]})
    if (q := str(params.get("q") or "").strip()) and ledger.search_fields:
        condition = Q()
        for name in ledger.search_fields:
            condition |= Q(**{f"{name}__icontains": q})
        qs = qs.filter(condition)
    sort = str(params.get("sort") or "")
    if sort.lstrip("-") in ledger.sortable():
        return qs.order_by(sort.replace("division", "division__code"), "-id")
    return qs.order_by(*ledger.ordering())


def audit_fields(ledger):
    return ["division", *ledger.fields, *ledger.readonly]


def save(ledger, form, user, version=None):
    """A ledger record through the one audited save (core/saving.py): the version check, the lock,
    the field-level audit of the declared fields."""
    return save_form(form, user, audit_fields(ledger), version=version)


def soft_delete(model, obj, user, reason):
    """Hide the record (kept, restorable) with the reason; False if it was already deleted.
    For any model with LedgerRecord's fields (ledgers, the key-person registry)."""
    if reason_locked := obj.locked_reason():
        raise Locked(reason_locked)
    with transaction.atomic():
        changed = model.objects.filter(pk=obj.pk, deleted_at__isnull=True).update(
            deleted_at=timezone.now(), deleted_by=user, delete_reason=reason, version=F("version") + 1
        )
        if changed:
            record("delete", obj, actor=user, changes={"delete_reason": [None, reason]})
    return bool(changed)


def restore(model, obj, user):
    """Bring a deleted record back, unless that would break a rule (e.g. one profile per village):
    then ValidationError with the rule's message, and nothing changes."""
    with transaction.atomic():
        candidate = model.objects.select_for_update().get(pk=obj.pk)
        candidate.deleted_at = None
        candidate.validate_constraints()
        changed = model.objects.filter(pk=obj.pk, deleted_at__isnull=False).update(
            deleted_at=None, deleted_by=None, delete_reason="", updated_by=user, version=F("version") + 1
        )
        if changed:
            record("update", obj, actor=user, object_repr=f"恢复已删除的记录：{obj}", changes={"deleted": [True, False]})
    return bool(changed)


def cell(obj, name):
    """A field's value as a person reads it: choice labels, related names, dates, 是/否."""
    field = obj._meta.get_field(name)
    if field.choices:
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name)
    if field.many_to_one:
        return str(value) if value is not None else ""
    return value


def export_columns(ledger):
    return (*ledger.columns(), *(Column(name, ledger.label(name), required=False) for name in ledger.readonly))


def export_rows(ledger, queryset):
    for obj in queryset.iterator(chunk_size=2000):
        yield [obj.pk, obj.division.code, obj.division.name, *(cell(obj, name) for name in (*ledger.fields, *ledger.readonly))]


YES = {"是", "有", "true", "True", "1", 1, True}


class LedgerImporter(Importer):
    """Rows of a ledger's spreadsheet: a row with a 编号 updates that record (when the user may
    write it), a row without one is new. Values are read as the export writes them."""

    def __init__(self, ledger, user):
        super().__init__(user)
        self.ledger = ledger
        self.key = f"ledger:{ledger.slug}"
        self.title = ledger.title
        self.columns = ledger.columns()
        self.form_class = ledger.form_class()
        probe = self.form_class(user=user)
        self.related = {}  # field → {shown name: pk}; a name shown twice cannot be chosen by name
        for name in ledger.fields:
            field = ledger.field(name)
            if field.many_to_one:
                names = {}
                for option in probe.fields[name].queryset:
                    names[str(option)] = None if str(option) in names else option.pk
                self.related[name] = names

    def make_form(self, values):
        data = {"division": str(values.get("division", "")).strip()}
        for name in self.ledger.fields:
            data[name] = self._value(name, values.get(name, ""))
        instance = None
        if raw_id := values.get("id"):
            instance = self.ledger.model.objects.writable_by(self.user).alive().filter(pk=_int(raw_id)).first()
            if instance is None:
                return RefusedRow("id", f"编号 {raw_id} 的记录不存在、已删除或不在您的管辖范围内")
        form = self.form_class(data=data, instance=instance, user=self.user)
        division = form.fields["division"]
        division.to_field_name = "code"  # the sheet names villages by code
        if instance is not None:
            form.initial["division"] = instance.division  # so that has_changed compares codes
        division.error_messages["invalid_choice"] = f"村 {data['division']} 不存在或不在您的管辖范围内"
        return form

    def _value(self, name, value):
        field = self.ledger.field(name)
        value = value.strip() if isinstance(value, str) else value
        if field.many_to_one and value != "":
            pk = self.related[name].get(str(value))
            return pk if pk is not None else f"无此选项：{value}"
        return cell_to_form(field, value)

    def save(self, form):
        return save_row(form, lambda: save(self.ledger, form, self.user))


def cell_to_form(field, value):
    """A spreadsheet cell as the form takes it, read as the export writes it: 是/否, choice labels,
    dates as YYYY-MM-DD."""
    if isinstance(value, str):
        value = value.strip()
    if field.get_internal_type() == "BooleanField":
        return value in YES
    if field.choices:
        labels = {str(label): key for key, label in field.flatchoices}
        return labels.get(str(value), value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def save_row(form, write):
    """An imported row: nothing written when it changes nothing; else `write()`. Returns what the
    import report counts: "unchanged", "create" or "update"."""
    if form.instance.pk and not form.has_changed():
        return "unchanged"
    created = form.instance.pk is None
    write()
    return "create" if created else "update"


class RefusedRow:
    """A row refused before its form is built (its 编号 names a record the user may not write, its
    ID number repeats an earlier row's)."""

    def __init__(self, field, message):
        self.errors = {field: [message]}

    def is_valid(self):
        return False


def _int(value):
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return None
