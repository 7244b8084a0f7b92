"""The register as a spreadsheet, in and out: the departments' existing sheets import (deduplicated
by ID number: a row whose ID number is already registered updates that person), and the export
reads back as "无变化". Exports carry the exporter and time (watermark)."""

from django.utils import timezone

from safestar.core.crypto import keyed_hash
from safestar.core.imports import Importer
from safestar.core.ledger_ops import RefusedRow, cell, cell_to_form, save_row
from safestar.core.sheets import Column
from safestar.core.validators import normalise_id_number

from .models import Category, KeyPerson
from .services import PERSON_FIELDS, PersonForm, responsible_choices

SEPARATOR = "、"


def export_columns():
    labels = {name: str(KeyPerson._meta.get_field(name).verbose_name) for name in PERSON_FIELDS}
    required = {"name", "id_number", "categories"}
    return (
        Column("division", "村级区划代码", width=16),
        Column("division_name", "村名称", required=False, width=12),
        *(Column(name, labels[name] + ("（多个用“、”分隔）" if name == "categories" else ""), required=name in required,
                 width=20 if name in ("id_number", "address") else 14) for name in PERSON_FIELDS),
    )


def _value(person, name):
    if name == "categories":
        return SEPARATOR.join(c.name for c in person.categories.all())
    if name == "responsible":
        return person.responsible.username if person.responsible_id else ""
    return cell(person, name)


def export_rows(queryset):
    for person in queryset:
        yield [person.division.code, person.division.name, *(_value(person, name) for name in PERSON_FIELDS)]


def watermark(user):
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return f"{user.full_name or user.username}（{user.username}）{when} 导出 · 涉密个人信息，仅限工作使用，严禁外传"


class PersonImporter(Importer):
    key = "keypersons"
    title = "重点人员"

    def __init__(self, user):
        super().__init__(user)
        self.columns = export_columns()
        self.categories = {c.name: c.pk for c in Category.objects.all()}
        self.users = dict(responsible_choices(user).values_list("username", "pk"))
        self.ids = {}  # hash of an ID number → the row that first named it

    def make_form(self, values):
        data = {"division": str(values.get("division", "")).strip()}
        for name in PERSON_FIELDS:
            data[name] = self._convert(name, values.get(name, ""))
        number = normalise_id_number(data["id_number"])
        instance = None
        if number:
            digest = keyed_hash(number)
            if digest in self.ids:
                return RefusedRow("id_number", f"身份证号与第 {self.ids[digest]} 行重复")
            self.ids[digest] = self.row
            instance = KeyPerson.objects.writable_by(self.user).alive().filter(id_number_hash=digest).first()
        form = PersonForm(data=data, instance=instance, user=self.user)
        form.fields["division"].to_field_name = "code"
        form.fields["division"].error_messages["invalid_choice"] = f"村 {data['division']} 不存在或不在您的管辖范围内"
        if instance is not None:
            form.initial["division"] = instance.division
        return form

    def _convert(self, name, value):
        if name == "categories":
            names = [n.strip() for n in str(value).replace("，", SEPARATOR).replace(",", SEPARATOR).split(SEPARATOR) if n.strip()]
            return [self.categories.get(n, f"无此类别：{n}") for n in names]
        if name == "responsible":
            value = str(value).strip()
            return self.users.get(value, f"无此账号：{value}") if value else ""
        return cell_to_form(KeyPerson._meta.get_field(name), value)

    def save(self, form):
        from .services import save_person

        return save_row(form, lambda: save_person(form, self.user))
