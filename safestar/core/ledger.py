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

from . import clock
from .scope import ScopedQuerySet
from .sheets import Column

LEDGERS = {}  # slug → Ledger, filled by @register when the apps' ledgers.py are imported


class LedgerQuerySet(ScopedQuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


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

    objects = LedgerQuerySet.as_manager()
    scope_path = "division__path"
    scope_read = "reads_business"
    scope_write = "writes_business"
    data_field = None  # each ledger names its field of data (DataField); departments see theirs
    future_date_fields = ()  # date fields that may lie ahead (deadlines); others may not
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
    kind_field = None  # filter "类别"
    status_field = None  # filter "状态"
    readonly = ()  # fields shown but not edited by the form (set by workflow actions)
    example = {}  # one plausible record, for tests and the API description

    @classmethod
    def verbose_name(cls):
        return cls.model._meta.verbose_name

    @classmethod
    def field(cls, name):
        return cls.model._meta.get_field(name)

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
        """Spreadsheet columns: the record number (blank for new rows), the village, the fields."""
        return (
            Column("id", "编号", required=False, width=8),
            Column("division", "村级区划代码", width=16),
            Column("division_name", "村名称", required=False, width=12),
            *(
                Column(name, cls.label(name), required=not cls.field(name).blank, width=_width(cls.field(name)))
                for name in cls.fields
            ),
        )

    @classmethod
    def select_related(cls):
        related = [name for name in ("division", *cls.list_display) if cls.field(name).many_to_one]
        return list(dict.fromkeys(related))

    @classmethod
    def base_queryset(cls):
        return cls.model.objects.select_related(*cls.select_related())


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
    return ledger


def ledger_for_model(model):
    return next((ledger for ledger in LEDGERS.values() if ledger.model is model), None)


class LedgerForm(forms.ModelForm):
    """The form of every ledger, for pages, imports and the API alike: the village must be one the
    user may write to, and dates cannot lie in the future."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from safestar.org.models import Division

        self.user = user
        villages = Division.objects.visible_to(user).filter(level="village")  # its own, in its scope
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
                field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            elif isinstance(field.widget, forms.Textarea):
                field.widget.attrs["rows"] = 3
        if villages.count() == 1 and not self.instance.pk:
            self.initial.setdefault("division", villages.first().pk)

    def clean(self):
        data = super().clean()
        today = clock.today()  # China time, whatever the server's clock zone
        for name, value in list(data.items()):
            if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
                if value > today and name not in getattr(self.Meta.model, "future_date_fields", ()):
                    self.add_error(name, "日期不能晚于今天")
        return data
