"""The ledger (台账) machinery: one base model and one declaration class, reused by every ledger.

A ledger app defines its model on `LedgerRecord` and declares it with a `Ledger` subclass in its
`ledgers.py`, decorated with `@register`. From that declaration the same code gives every ledger
its list (search, filters, sorting, paging), detail, forms with optimistic locking, soft delete and
restore, attachments, history, xlsx template / import / export and the REST API. Nothing of it
is copied per ledger.
"""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q

from safestar import clock
from . import edge
from .scope import ScopedQuerySet
from .sheets import Column
from .states import EFFECTIVE_HELP, EFFECTIVE_LABEL, tracked
from .widgets import DateInput

LEDGERS = {}  # slug → Ledger, filled by @register when the apps' ledgers.py are imported


class LedgerQuerySet(ScopedQuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class PublishedManager(models.Manager):
    """A ledger's default manager: only published records. The rows a long import has written but
    not yet published (`staged_import` set, core/imports.py) exist for nobody until its last short
    transaction clears the mark; the import itself, its cleanup and backups reach them through
    `_base_manager`."""

    def get_queryset(self):
        return super().get_queryset().filter(staged_import__isnull=True)


def ledger_manager(queryset_class=None):
    """The default manager of a ledger model (with the model's own queryset methods, if any)."""
    return PublishedManager.from_queryset(queryset_class or LedgerQuerySet)()


class LedgerRecord(models.Model):
    """Fields every ledger record has: its village, who wrote it and when, a version for optimistic
    locking, and a soft delete (a deleted record is hidden, kept, and can be restored)."""

    division = models.ForeignKey(
        "org.Division", models.PROTECT, related_name="+", verbose_name="村", limit_choices_to={"level": "village"}
    )
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False, verbose_name="录入人"
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False, verbose_name="修改人"
    )
    deleted_at = models.DateTimeField("删除时间", null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", editable=False, verbose_name="删除人"
    )
    delete_reason = models.CharField("删除原因", max_length=200, blank=True, editable=False)
    # The import that wrote this row and has not published it yet (None: a published record). Such a
    # row is seen by nobody (PublishedManager); an import killed mid-way leaves only such rows, which
    # the scheduled cleanup removes (core/tasks.py).
    staged_import = models.UUIDField("待发布的导入", null=True, blank=True, editable=False, db_index=True)

    objects = ledger_manager()
    scope_path = "division__path"
    scope_read = "reads_business"
    scope_write = "writes_business"
    data_field = None  # each ledger names its field of data (DataField); departments see theirs
    future_date_fields = ()  # date fields that may lie ahead (deadlines); others may not
    planned_date_fields = ()  # of those, dates planned years ahead (a plan's next revision): ten years, not one
    has_attachments = True

    class Meta:
        abstract = True

    @property
    def village(self):
        return self.division.code

    @property
    def village_name(self):
        return self.division.name

    def locked_reason(self):
        """Why the record may not be edited or deleted now (e.g. a recognised incident), or None."""
        return None


class Ledger:
    """The declaration of one ledger. Subclass, set the attributes, decorate with @register."""

    slug = ""  # URL and API name, e.g. "incidents"
    model = None
    title = ""  # e.g. "案事件台账"
    fields = ()  # editable fields, in form / import / export order (the village comes first)
    list_display = ()  # table columns (after the village)
    search_fields = ()
    date_field = None  # the record's date: period filter, default ordering, the year of metrics
    group = ""  # its field in the 台账 menu: one of core/panels.py LEDGER_GROUPS (治安防控, 矛盾纠纷 …)
    kind_field = None  # filter "类别"
    status_field = None  # filter "状态"
    overdue = None  # (queryset, day) -> the records overdue on that day: the list's filter "仅看逾期" (?overdue=1)
    readonly = ()  # fields shown but not edited by the form (set by workflow actions)
    example = {}  # one plausible record, for tests, the API description and the import template
    # How clerks name the columns in their own sheets, beside the field's label: {field: (names…)}.
    # The words they write in choice columns are declared with the choices (cells.clerk_words).
    synonyms = {}
    units = {}  # units a number may be written with (10台, 约200人): {field: (units…)}; a unit in the
    # field's label (覆盖人数（人次）) and 人 for a count of people (…人数) are understood without it
    month_fields = ()  # date fields that hold a month: 2023.10 and 2023年10月 are accepted there
    fill_once = ()  # start dates registers often lack (配备日期 …): asked once for a file without the column

    @classmethod
    def verbose_name(cls):
        return cls.model._meta.verbose_name

    @classmethod
    def field(cls, name):
        return cls.model._meta.get_field(name)

    @classmethod
    def divisions(cls):
        """All divisions (a queryset of org's Division, which the records' village field points to:
        core lies below org and names its models only through such fields, never by import)."""
        return cls.field("division").related_model.objects.all()

    @classmethod
    def label(cls, name):
        return "村" if name == "division" else str(cls.field(name).verbose_name)

    @classmethod
    def ordering(cls):
        return [f"-{cls.date_field}", "-id"] if cls.date_field else ["-id"]

    @classmethod
    def sortable(cls):
        return ("division", *cls.list_display)

    @classmethod
    def form_class(cls):
        return forms.modelform_factory(cls.model, form=LedgerForm, fields=["division", *cls.fields])

    @classmethod
    def columns(cls):
        """Spreadsheet columns: the record's system number (only in exports: a row with it updates
        that record), the village (by code or by name), the fields, and 变更生效日期 where the record
        has tracked fields (core/states.py)."""
        return (*VILLAGE_COLUMNS, *(field_column(cls.model, name, cls.synonyms.get(name, ()), cls.example.get(name), cls.field_units(name))
                                    for name in cls.fields),
                *([EFFECTIVE_COLUMN] if tracked(cls.model) else []))

    @classmethod
    def field_units(cls, name):
        return tuple(cls.units.get(name, ())) or default_units(cls.field(name))

    @classmethod
    def select_related(cls):
        related = [name for name in ("division", *cls.list_display) if cls.field(name).many_to_one]
        return list(dict.fromkeys(related))

    @classmethod
    def base_queryset(cls):
        return cls.model.objects.select_related(*cls.select_related())


VILLAGE_COLUMNS = (
    Column("id", "系统编号（勿改）", required=False, width=10, synonyms=("系统编号",),
           help="本系统导出的文件才有：有系统编号的行修改该记录，新记录留空；不是序号"),
    Column("division", "村级区划代码", required=False, width=16, synonyms=("区划代码", "村代码", "村级代码"),
           help="12 位村级区划代码；可不填，填村名即可"),
    Column("division_name", "村名称", required=False, width=12,
           synonyms=("村", "村名", "村别", "所属村", "所在村", "村（社区）", "行政村", "村居", "村委会", "村(居)"),
           help="如“长岗村”；村干部、网格员可不填（默认本村）", example="长岗村"),
)


# When the changes of a row's tracked fields (在队, 在用, 状况 …) took effect: blank is today.
EFFECTIVE_COLUMN = Column("effective_on", EFFECTIVE_LABEL, required=False, width=12, synonyms=("生效日期", "变更日期"),
                          kind="date", help=EFFECTIVE_HELP)

def field_column(model, name, synonyms=(), example=None, units=None):
    """The spreadsheet column of a model field: its label, whether the file must have it (a field
    that may be blank or has a default need not), its kind and options for the template."""
    field = model._meta.get_field(name)
    kind = "text"
    options = ()
    field_help = str(field.help_text or "")
    if field.get_internal_type() == "BooleanField":
        kind = "bool"
    elif field.choices:
        kind, options = "choice", tuple(str(label) for _, label in field.flatchoices)
        example = dict((str(k), str(v)) for k, v in field.flatchoices).get(str(example), example)
    elif field.get_internal_type() == "DateField":
        kind = "date"
        example = datetime.date.fromisoformat(example) if isinstance(example, str) else example
    elif isinstance(field, (models.IntegerField, models.DecimalField)):
        kind = "number"
    elif field.many_to_one and not field.help_text:
        field_help = f"填写{field.related_model._meta.verbose_name}的名称（模板中有下拉列表）"
    units = units or default_units(field)
    return Column(name, str(field.verbose_name), required=not field.blank and not field.has_default(), width=_width(field),
                  synonyms=tuple(synonyms), kind=kind, options=options, example="" if example is None else example,
                  help="、".join(units) if kind == "number" else field_help)


def default_units(field):
    from .cells import unit_words

    units = unit_words(field.verbose_name)
    if not units and str(field.verbose_name).endswith("人数"):
        units = ("人", "名", "人次")
    return units


def _width(field):
    if isinstance(field, (models.TextField,)):
        return 40
    if isinstance(field, (models.DateField, models.BooleanField, models.IntegerField)):
        return 12
    return 18


def register(ledger):
    if not ledger.slug or ledger.slug in LEDGERS:
        raise ImproperlyConfigured(f"ledger slug missing or taken: {ledger.slug!r}")
    if ledger.model.data_field is None:
        raise ImproperlyConfigured(f"{ledger.model.__name__} must name its data_field")
    LEDGERS[ledger.slug] = ledger
    # the 台账 menu: under its field, in the order the apps register their ledgers
    from .panels import LEDGER_MENU, nav_entry
    from .scope import can_read

    nav_entry(1000 + len(LEDGERS), ledger.title, "ledger-list", lambda user: can_read(ledger.model, user),
              menu=LEDGER_MENU, group=ledger.group, args=(ledger.slug,))
    return ledger


def ledger_for_model(model):
    return next((ledger for ledger in LEDGERS.values() if ledger.model is model), None)


class EffectiveDateField(forms.DateField):
    """变更生效日期: when the changes of tracked fields took effect (core/states.py). Not a value of
    the record, so it never makes a form "changed" on its own (an imported row stays unchanged)."""

    def has_changed(self, initial, data):
        return False


class LedgerForm(forms.ModelForm):
    """The form of every ledger, for pages, imports and the API alike: the village must be one the
    user may write to, and dates cannot lie in the future. A model with tracked fields (whose
    value changes over time) gets 变更生效日期, the day its changes took effect."""

    day = None  # today, when fixed for a whole file (an import reads it once, not once per row)

    def __init__(self, *args, user, preselect=True, **kwargs):
        super().__init__(*args, **kwargs)
        if tracked(self._meta.model) and self.instance.pk:
            self.fields["effective_on"] = EffectiveDateField(label=EFFECTIVE_LABEL, required=False, help_text=EFFECTIVE_HELP)
        self.user = user
        villages = self.fields["division"].queryset.visible_to(user).villages()  # its own, in its scope
        self.fields["division"].queryset = villages
        self.fields["division"].label_from_instance = lambda d: f"{d.name}（{d.code}）"
        self.fields["division"].empty_label = "请选择村"
        for name, field in self.fields.items():
            # Related records are offered through the same scope: nobody picks what they cannot see.
            # Deleted records are not offered, except the one the record already names.
            if name != "division" and isinstance(field, forms.ModelChoiceField):
                choices = field.queryset
                if hasattr(choices, "visible_to"):
                    choices = choices.visible_to(user)
                if hasattr(choices, "alive"):
                    current = getattr(self.instance, f"{name}_id", None)
                    choices = choices.filter(Q(deleted_at__isnull=True) | Q(pk=current))
                field.queryset = choices
            if isinstance(field, forms.DateField):
                field.widget = DateInput()
                if name in getattr(self.Meta.model, "planned_date_fields", ()):  # planned years ahead: a wider window
                    field.validators = [edge.check_planned_date if v is edge.check_date else v for v in field.validators]
            elif isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3
        if preselect and not self.instance.pk and villages.count() == 1:  # (an imported row names its village)
            self.initial.setdefault("division", villages.first().pk)

    def clean(self):
        data = super().clean()
        today = self.day or clock.today()  # China time, whatever the server's clock zone
        for name, value in list(data.items()):
            if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                if value > today and name not in getattr(self.Meta.model, "future_date_fields", ()):
                    self.add_error(name, "日期不能晚于今天")
        return data
