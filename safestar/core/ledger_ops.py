"""What can be done to ledger records, shared by the pages, the imports and the API: filter, save
(through the one audited save, core/saving.py), soft delete and restore, export rows, import rows.
Each write is one transaction with its audit event."""

import copy
import dataclasses
import datetime
import functools
import time

from django import forms
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from safestar.audit.log import record
from safestar.clock import today

from . import edge
from .cells import CellError, is_blank, normalise, shown, to_bool, to_choice, to_date, to_number, to_text
from .imports import Importer, RowError, RowRefused, no_collection
from .saving import Locked, save_form
from .sheets import Column
from .states import tracked
from .transitions import Refused as SaveRefused


FILTER_PARAMS = ("q", "village", "year", "start", "end", "kind", "status", "overdue", "deleted", "sort")


def _date(value):
    return edge.day(value.isoformat() if isinstance(value, datetime.date) else value)


def filter_value(field, value):
    """A list filter's value for `field` as the database takes it, or None (not given, or not a
    value the field can hold: the filter is then left out): a choice among the field's choices,
    yes/no for a boolean, a whole number in range for a related record, else the text."""
    if value is None or value == "":
        return None
    if field.choices:
        return edge.choice(str(value), [str(v) for v, _ in field.flatchoices])
    if isinstance(field, models.BooleanField):
        return edge.flag(value)
    if field.many_to_one:
        return edge.whole_number(str(value))
    return str(value)


def filtered(ledger, user, params):
    """The records `user` may see, narrowed by the list's parameters (the same for the page, the
    export and the API): q, village (code), year / start / end, kind, status, overdue=1, deleted=1, sort.
    A value that cannot be one of the field's (kind=abc, year=99999) leaves that filter out; the API
    refuses it before (422, its parameters are typed: ledger_api.filters_schema). overdue=1, for a
    ledger declaring `overdue`: only the records overdue today."""
    qs = ledger.base_queryset().visible_to(user)
    qs = qs.filter(deleted_at__isnull=not edge.flag(params.get("deleted")))
    if code := params.get("village"):
        qs = qs.filter(division__code=str(code))
    if ledger.date_field:
        if (year := edge.year(str(params.get("year") or ""))) is not None:
            qs = qs.filter(**{f"{ledger.date_field}__year": year})
        if start := _date(params.get("start")):
            qs = qs.filter(**{f"{ledger.date_field}__gte": start})
        if end := _date(params.get("end")):
            qs = qs.filter(**{f"{ledger.date_field}__lte": end})
    for param, name in (("kind", ledger.kind_field), ("status", ledger.status_field)):
        if name and (value := filter_value(ledger.field(name), params.get(param))) is not None:
            qs = qs.filter(**{name: value})
    if ledger.overdue is not None and edge.flag(params.get("overdue")):
        qs = ledger.overdue(qs, today())
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
    effective = [""] if tracked(ledger.model) else []  # 变更生效日期: blank, so the file imports back unchanged
    for obj in queryset.iterator(chunk_size=2000):
        yield [obj.pk, obj.division.code, obj.division.name, *(cell(obj, name) for name in ledger.fields), *effective,
               *(cell(obj, name) for name in ledger.readonly)]


class LedgerImporter(Importer):
    """Rows of a ledger's spreadsheet: a row with a 系统编号 updates that record (only when the user
    may write it and it belongs to the row's village), a row without one is new. Cells are read by
    core/cells.py; related records by name, from a table read once per file."""

    uses_village = True
    staged = True
    # Rows per staged batch: each batch holds SQLite's write lock for one short transaction (its values
    # prepared before it: about 0.2 s for 500 rows on a loaded two-core machine, docs/benchmarks.md);
    # others wait at most that.
    PUBLISH_BATCH = 500
    BATCH_PAUSE = 0.05  # at most this long between two batches (as long as the batch held the lock)

    def __init__(self, ledger, user):
        super().__init__(user)
        self.ledger = ledger
        self.key = f"ledger:{ledger.slug}"
        self.title = ledger.title
        self.columns = ledger.columns()
        self.fill_once = ledger.fill_once
        self.ignored = tuple(ledger.label(name) for name in ledger.readonly)  # set by workflow actions, not imports
        self.form_class = _import_form(ledger.form_class())
        self.choices = {}  # field → {value: option}: each choice field's options, read once per file
        self.ids = {}  # system number → the row that named it
        self.readers = {}  # field → its cell_reader, made once per file
        probe = self.form_class(user=user)
        self.related = {}  # field → {shown name: pk}; a name shown twice cannot be chosen by name
        options = {}  # field → the names as shown, for the template's drop-down and messages
        for name in ledger.fields:
            if ledger.field(name).many_to_one:
                names, shown_names = {}, {}
                for option in probe.fields[name].queryset:
                    key = normalise(str(option))
                    names[key] = None if key in names else option.pk
                    shown_names[key] = str(option)
                self.related[name] = names
                options[name] = tuple(shown_names[k] for k, pk in names.items() if pk is not None)
        self.options = options
        self.columns = tuple(dataclasses.replace(c, kind="choice", options=options[c.key]) if c.key in options else c for c in self.columns)

    def job_args(self):
        return [self.ledger.slug]

    @classmethod
    def rebuild(cls, user, slug):
        from .ledger import LEDGERS

        return cls(LEDGERS[slug], user)

    def make_form(self, values):
        errors = {}
        instance = None
        if not is_blank(raw := values.get("id")):
            instance, message = self._record(raw, values.get("division"))
            if message:
                return RefusedRow("id", message)
        current = forms.model_to_dict(instance) if instance is not None else {}
        data = {"division": values.get("division", "")}
        for name in self.ledger.fields:
            if name not in values and instance is not None:
                data[name] = current.get(name)  # a column the file does not have leaves the record as it is
                continue
            try:
                data[name] = self._value(name, values.get(name))
            except CellError as exc:
                errors[name] = str(exc)
                data[name] = current.get(name, "")
        if tracked(self.ledger.model):
            try:
                data["effective_on"] = cell_to_form(EFFECTIVE_FIELD, values.get("effective_on"))
            except CellError as exc:
                errors["effective_on"] = str(exc)
        if instance is None:
            form = self._new_row_form(data)
        else:
            form = self._prepare(self.form_class(data=data, instance=instance, user=self.user, preselect=False))
            form.initial["division"] = instance.division  # so that has_changed compares codes
        form.cell_errors = errors
        return form

    def _prepare(self, form):
        day = today()  # once per file: the date window of every date field (edge.check_date)
        for name, field in form.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                field.to_python = functools.partial(self._option, name, field)
            elif type(field).to_python is forms.DateField.to_python:
                field.to_python = _iso_date(field.to_python)
            if isinstance(field, forms.DateField):
                field.validators = [edge.on_day(v, day) for v in field.validators]
        form.day = day  # LedgerForm.clean: no date after today
        division = form.fields["division"]
        division.to_field_name = "code"  # rows name their village by code (resolved from a name by the import)
        division.error_messages["invalid_choice"] = "村 %(value)s 不存在或不在您的管辖范围内"
        return form

    def _new_row_form(self, data):
        """The form of a new record's row. Its fields (scoped querysets, option tables) are prepared
        once per file: building a ModelForm deep-copies every field and builds every related
        field's queryset again, about three quarters of the time per row (docs/benchmarks.md). Each
        row gets a shallow copy of that prepared form with its own data, instance and errors; the
        fields are shared, and validating a row does not change them."""
        prepared = getattr(self, "_prepared", None)
        if prepared is None:
            prepared = self._prepared = self._prepare(self.form_class(data={}, user=self.user, preselect=False))
        form = copy.copy(prepared)
        form.data = data
        form.initial = dict(prepared.initial)
        form.instance = self._blank_record()
        form._errors = None
        form._bound_fields_cache = {}
        form.fields = dict(prepared.fields)
        return form

    def _blank_record(self):
        """A new unsaved record, as `model()` makes it: a copy of one made once per file when that is
        the same (Django's own __init__, no init signals, no default computed per record)."""
        from django.db.models.base import ModelState
        from django.db.models.signals import post_init, pre_init

        model = self.ledger.model
        blank = getattr(self, "_blank", None)
        if blank is None:
            same = (model.__init__ is models.Model.__init__ and not pre_init.has_listeners(model)
                    and not post_init.has_listeners(model)
                    and not any(f.has_default() and callable(f.default) for f in model._meta.concrete_fields))
            blank = self._blank = model() if same else False
        if blank is False:
            return model()
        obj = model.__new__(model)
        obj.__dict__.update(blank.__dict__)  # the fields' defaults: immutable values
        obj._state = ModelState()
        return obj

    def _option(self, name, field, value):
        """ModelChoiceField.to_python from a table of the field's (scoped) options read once per file,
        instead of one query per row."""
        if value in field.empty_values:
            return None
        key = field.to_field_name or "pk"
        if name not in self.choices:
            self.reading_tables = True  # read once per file: not a query of the row (Importer.validating)
            try:
                self.choices[name] = {str(getattr(option, key)): option for option in field.queryset}
            finally:
                self.reading_tables = False
        option = self.choices[name].get(str(value.pk if isinstance(value, models.Model) else value))
        if option is None:
            raise forms.ValidationError(field.error_messages["invalid_choice"], code="invalid_choice",
                                        params={"value": value})
        return option

    def _record(self, raw, village):
        """The record a 系统编号 names, if the user may change it from this row; else a message."""
        pk = _int(raw)
        if pk is None or pk <= 0 or str(raw).strip().lstrip("0") == "":
            return None, f"系统编号“{shown(raw)}”不是本系统的记录编号：新记录请把这一列留空（序号请写在序号列）"
        if pk in self.ids:
            return None, f"系统编号 {pk} 与第 {self.ids[pk]} 行重复"
        self.ids[pk] = self.row
        instance = self.ledger.model.objects.writable_by(self.user).alive().select_related("division").filter(pk=pk).first()
        if instance is None:
            return None, f"系统编号 {pk} 的记录不存在、已删除或不在您的管辖范围内"
        if village and instance.division.code != village:
            return None, (f"系统编号 {pk} 的记录属于{instance.division.name}，不是本行的村；"
                          "系统编号只用于修改本村原有的记录，新记录请留空")
        return instance, None

    def _value(self, name, value):
        field = self.ledger.field(name)
        if is_blank(value):
            return blank_value(field)
        if field.many_to_one:
            pk = self.related[name].get(normalise(to_text(value)))
            if pk is None:
                options = self.options[name]
                listed = "、".join(options[:12]) + ("等" if len(options) > 12 else "")
                raise CellError(f"“{shown(value)}”不是可选的{field.verbose_name}" + (f"，可选：{listed}" if options else ""))
            return pk
        reader = self.readers.get(name)
        if reader is None:
            reader = self.readers[name] = cell_reader(field, self.ledger.field_units(name), month=name in self.ledger.month_fields)
        return reader(value)

    def save(self, form):
        return save_row(form, lambda: save(self.ledger, form, self.user))

    def outcome(self, form):
        if form.instance.pk is None:
            return "create"
        return "update" if form.has_changed() else "unchanged"

    def stage(self, form):
        """A new record is kept as its unsaved object only (not its form: 20 000 forms take hundreds of
        MB); a changed record keeps its form, which the audited save needs."""
        return form.save(commit=False) if form.instance.pk is None else form

    def checked_rows(self):
        """The new records the check validated, as their fields' values, when validating them asked the
        database nothing but the tables read once per file (villages, related records' options) and
        no row changes an existing record (Importer.checked_rows)."""
        if self.asked_database or any(not isinstance(item, models.Model) for item, _, _ in self.pending):
            return None
        names = [f.attname for f in self.ledger.model._meta.concrete_fields if not f.primary_key]
        return [(sheet, row, {name: getattr(obj, name) for name in names}) for obj, sheet, row in self.pending]

    def restore(self, rows, report):
        """The checked rows as unsaved records again. What the database may have changed since the
        check is checked again, with the same scoped options the check used (one query per related
        field): each row's village and related records must still be ones the user may choose (not
        deleted, still in scope). The first row that fails refuses the whole import."""
        form, model = self._new_row_form({}), self.ledger.model
        options = [(name, model._meta.get_field(name).attname, {option.pk: option for option in field.queryset})
                   for name, field in form.fields.items() if isinstance(field, forms.ModelChoiceField)]
        pending = []
        attnames = [f.attname for f in model._meta.concrete_fields]
        positional = not model._meta.pk.has_default()  # every other field is given: as model(**values), faster
        for sheet, row, values in rows:
            obj = model(*[values.get(name) for name in attnames]) if positional else model(**values)
            for name, attname, allowed in options:
                if values.get(attname) is None:
                    continue
                if (option := allowed.get(values[attname])) is None:
                    label = "村" if name == "division" else self.label(name)
                    report.errors.append(RowError(row, label, f"检查之后{label}已有变化：这一行的{label}现在不能选择"
                                                  "（已删除或不在您的管辖范围内）。未导入任何数据，请重新上传文件检查。", sheet))
                    return []
                setattr(obj, name, option)  # the option as read (the audit names it without a query per row)
            pending.append((obj, sheet, row))
        return pending

    def stage_rows(self, pending):
        """New records in batches of PUBLISH_BATCH, each batch one short transaction: one INSERT of the
        records, the audit chain's head and one INSERT of their events (chained like record()). All
        that can be is prepared before the transaction, outside the write lock: the records' database
        values (each field's pre_save, as bulk_create), the audit snapshots and events
        (audit.log.prepare_many); inside it only the INSERTs, the objects' names and the hash chain.
        The records carry this import's identity (`staged_import`): nobody sees them until `publish`."""
        from safestar import inserts
        from safestar.audit.log import diff, prepare_many, record_many, snapshot

        fields = audit_fields(self.ledger)
        model = self.ledger.model
        columns = inserts.fields_of(model)
        new = [item for item, _, _ in pending if isinstance(item, models.Model)]
        for obj in new:
            obj.created_by = obj.updated_by = self.user
            obj.staged_import = self.import_id
        self.staged_count, self.longest_batch_s, total = 0, 0.0, len(pending)
        batches = [new[start:start + self.PUBLISH_BATCH] for start in range(0, len(new), self.PUBLISH_BATCH)]

        def prepared(batch):
            return (inserts.prepare(batch, columns),
                    prepare_many([("create", obj, diff({}, snapshot(obj, fields))) for obj in batch], actor=self.user))

        ready = prepared(batches[0]) if batches else None
        for number, batch in enumerate(batches):
            rows, events = ready
            began = time.perf_counter()
            with no_collection(), transaction.atomic():
                inserts.insert(model, columns, rows, batch)
                record_many(events, actor=self.user)
            held = time.perf_counter() - began
            self.longest_batch_s = max(self.longest_batch_s, held)  # for the benchmark
            self.staged_count += len(batch)
            if number + 1 < len(batches):
                # Leave the lock free for a moment: a writer waiting for it (SQLite retries a busy lock
                # every few tens of milliseconds) gets in between two batches instead of after many.
                # The next batch is prepared in that moment; only what is left of it is slept.
                freed = time.perf_counter()
                ready = prepared(batches[number + 1])
                time.sleep(max(0.0, min(held, self.BATCH_PAUSE) - (time.perf_counter() - freed)))
            if self.progress is not None:
                self.progress.progress(self.staged_count, total, f"正在写入：{self.staged_count} / {total} 行")

    def publish(self, pending):
        """The final short transaction: the changed records one by one through the audited save
        (refused if someone changed them since the check), then one UPDATE makes the staged new
        records visible (refused unless all of them are still there)."""
        for form, sheet, row in pending:
            if isinstance(form, models.Model):
                continue
            try:
                save(self.ledger, form, self.user, version=form.instance.version)
            except SaveRefused as exc:
                raise RowRefused(f"这一行要修改的记录现在不能修改：{exc}", sheet, row) from None
        staged = getattr(self, "staged_count", 0)
        if staged:
            shown_ = self.ledger.model._base_manager.filter(staged_import=self.import_id).update(staged_import=None)
            if shown_ != staged:
                raise RowRefused(f"暂存的 {staged} 行只剩 {shown_} 行（导入中断后已被清理）")

    def discard(self):
        """Remove the rows staged for this import (it failed or was refused), with an audit event
        saying so: their creation events stay in the chain."""
        if getattr(self, "staged_count", 0):
            discard_staged(self.ledger.model, self.import_id, self.user)
            self.staged_count = 0


def discard_staged(model, import_id, actor=None):
    """Delete the unpublished rows of one import (in one short transaction) and record it; returns how many."""
    with transaction.atomic():
        _, counts = model._base_manager.filter(staged_import=import_id).delete()
        removed = counts.get(model._meta.label, 0)
        if removed:
            record("delete", actor=actor, object_repr=f"{model._meta.verbose_name}：未完成的导入暂存的 {removed} 行已删除",
                   changes={"staged_import": str(import_id), "removed": removed})
    return removed


def remove_abandoned_imports(idle):
    """The scheduled cleanup: delete the rows of every import whose newest staged row is older than
    `idle` (a running import writes a batch every few seconds; one killed mid-way never publishes).
    Returns how many rows were removed."""
    from django.apps import apps
    from django.db.models import Max

    from .ledger import LedgerRecord

    cutoff, removed = timezone.now() - idle, 0
    for model in apps.get_models():
        if not issubclass(model, LedgerRecord):
            continue
        staged = (model._base_manager.filter(staged_import__isnull=False).values("staged_import")
                  .annotate(newest=Max("created_at")).filter(newest__lt=cutoff))
        for import_id in [row["staged_import"] for row in staged]:
            removed += discard_staged(model, import_id)
    return removed


def _import_form(form_class):
    """The ledger's form for imported rows: its related fields are checked against the scoped options
    (LedgerImporter._option), so the model's own check of each foreign key (one query per field
    and row) is left out; uniqueness and constraints are still checked with every field."""
    related = {f.name for f in form_class._meta.model._meta.concrete_fields if f.many_to_one}
    model_fields = form_class._meta.model._meta.fields
    shapes = {}  # the form's fields (name, field object) → (always excluded, checked per row, may be excluded when empty)

    def _get_validation_exclusions(self):
        # Django's ModelForm._get_validation_exclusions, with what depends only on the form's fields
        # worked out once per set of fields (a file's rows share them) instead of three times a row.
        key = tuple(self.fields.items())  # kept alive by the table: an id is never reused for another field
        shape = shapes.get(key)
        if shape is None:
            opts, always, checked, optional = self._meta, set(), [], set()
            for f in model_fields:
                name = f.name
                if (name not in self.fields or (opts.fields and name not in opts.fields)
                        or (opts.exclude and name in opts.exclude)):
                    always.add(name)
                    continue
                checked.append(name)
                form_field = self.fields[name]
                if not f.blank and not form_field.required:
                    optional.add(name)
            if len(shapes) > 64:
                shapes.clear()
            shape = shapes[key] = (frozenset(always), tuple(checked), frozenset(optional))
        always, checked, optional = shape
        exclude = set(always)
        errors, cleaned, fields = self._errors, self.cleaned_data, self.fields
        for name in checked:
            if name in errors or (name in optional and cleaned.get(name) in fields[name].empty_values):
                exclude.add(name)
        return exclude if getattr(self, "_whole", False) else {*exclude, *related}

    def _whole(check):
        def run(self):
            self._whole = True
            try:
                return check(self)
            finally:
                self._whole = False

        return run

    def _clean_fields(self):
        # Django's Form._clean_fields without building a BoundField per field and row: for a field
        # that is not disabled and cleans the bound field Django's way, the bound field's data is
        # exactly its widget's value_from_datadict under the field's html name.
        for name, field in self.fields.items():
            own = field.disabled or type(field)._clean_bound_field is not forms.Field._clean_bound_field
            try:
                if own:
                    self.cleaned_data[name] = field._clean_bound_field(self[name])
                else:
                    self.cleaned_data[name] = field.clean(
                        field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name)))
                if hasattr(self, "clean_%s" % name):
                    self.cleaned_data[name] = getattr(self, "clean_%s" % name)()
            except ValidationError as e:
                self.add_error(name, e)

    return type(form_class.__name__, (form_class,), {
        "_clean_fields": _clean_fields,
        "_get_validation_exclusions": _get_validation_exclusions,
        "validate_unique": _whole(form_class.validate_unique),
        "validate_constraints": _whole(form_class.validate_constraints),
    })


EFFECTIVE_FIELD = models.DateField()


def blank_value(field):
    """An empty cell: the field's default where it has one (在用 stays 是), else empty."""
    if field.has_default():
        default = field.get_default()
        return default if isinstance(default, bool) else str(default)
    return False if field.get_internal_type() == "BooleanField" else ""


INTEGER_FIELDS = {"IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "SmallIntegerField",
                  "BigIntegerField", "PositiveBigIntegerField"}


def cell_to_form(field, value, units=(), month=False):
    """A spreadsheet cell as the form takes it (CellError when it cannot be): yes/no words, choice
    labels and clerk words, dates in every usual form, numbers with their unit, text."""
    return cell_reader(field, units, month)(value)


def cell_reader(field, units=(), month=False):
    """`cell_to_form` for one field, its kind and choices looked at once (an import makes one per
    column and file, not per cell)."""
    kind = field.get_internal_type()
    if kind == "BooleanField":
        convert = _remembered(to_bool)
    elif field.choices:
        choices, label = field.flatchoices, str(field.verbose_name)
        convert = _remembered(lambda value: to_choice(value, choices, label))
    elif kind == "DateField":
        convert = lambda value: to_date(value, month=month).isoformat()  # noqa: E731
    elif kind in INTEGER_FIELDS:
        convert = lambda value: to_number(value, units=units, integer=True)  # noqa: E731
    elif kind == "DecimalField":
        convert = lambda value: to_number(value, units=units, integer=False)  # noqa: E731
    else:
        convert = to_text

    def read(value):
        return blank_value(field) if is_blank(value) else convert(value)

    return read


def _remembered(convert, size=256):
    """`convert` remembering what it made of the words met so far in the file: a yes/no or choice column
    holds a few words repeated on every row. Only what it read is kept (a refused word is refused each
    time, with its message), at most `size` words."""
    known = {}

    def read(value):
        key = (type(value), value)
        try:
            return known[key]
        except KeyError:
            pass
        except TypeError:  # unhashable: not kept
            return convert(value)
        result = convert(value)
        if len(known) < size:
            known[key] = result
        return result

    return read


def _iso_date(to_python):
    """A form DateField's to_python that reads the ISO dates the import's cells become (cell_reader)
    at once, and anything else as before (Django tries each input format with strptime)."""
    def read(value):
        if isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        return to_python(value)

    return read


def save_row(form, write):
    """An imported row: nothing written when it changes nothing; else `write()`. Returns what the
    import report counts: "unchanged", "create" or "update"."""
    if form.instance.pk and not form.has_changed():
        return "unchanged"
    created = form.instance.pk is None
    write()
    return "create" if created else "update"


class RefusedRow:
    """A row refused before its form is built (its 系统编号 names a record the user may not change
    from this row, its ID number repeats an earlier row's)."""

    def __init__(self, field, message):
        self.errors = {field: [message]}
        self.cell_errors = {}

    def is_valid(self):
        return False


def _int(value):
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
