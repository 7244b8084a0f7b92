"""The register as a spreadsheet, in and out: the departments' existing sheets import (deduplicated
by ID number: a row whose ID number is already registered updates that person), and the export
reads back as "无变化". Exports carry the exporter and time (watermark)."""

from django.utils import timezone

from safestar.core.crypto import keyed_hash
from safestar.core.imports import Importer
from safestar.core.cells import CellError, normalise, shown, to_text
from safestar.core.ledger import EFFECTIVE_COLUMN, VILLAGE_COLUMNS, field_column
from safestar.core.ledger_ops import EFFECTIVE_FIELD, RefusedRow, cell, cell_to_form, save_row
from safestar.core.sheets import Column
from safestar.core.validators import normalise_id_number

from .models import Category, KeyPerson
from .services import PERSON_FIELDS, PersonForm, responsible_choices

SEPARATOR = "、"


# How the departments' own registers name the columns.
SYNONYMS = {
    "name": ("姓名", "人员姓名", "重点人员姓名"),
    "id_number": ("身份证号码", "公民身份号码", "身份证", "身份证件号码"),
    "phone": ("电话", "联系方式", "手机号", "手机号码", "本人电话"),
    "address": ("住址", "家庭住址", "现居住地", "居住地址", "现住地址"),
    "categories": ("类别", "人员类别", "人员类型", "重点人员类别", "类型"),
    "status": ("状态", "管控情况", "管理状态"),
    "responsible": ("包案人账号", "包保责任人", "帮教责任人"),
    "risk_grade": ("风险等级", "危险性评估", "危险等级"),
    "registered_on": ("登记时间", "列管日期", "列管时间", "纳入管理日期", "建档日期"),
}
EXAMPLE = {"name": "张某某", "id_number": "411422198001011234", "phone": "13800000000", "address": "长岗村东街",
           "categories": "刑满释放人员", "status": "managed", "release_date": "2022-03-01"}


VISIT_SYNONYMS_ELSEWHERE = ("走访时间", "帮扶时间", "走访人", "走访人员", "走访情况", "帮扶措施", "走访帮扶情况", "帮扶人", "走访方式")


def export_columns():
    columns = []
    for name in PERSON_FIELDS:
        if name == "categories":
            columns.append(Column(name, "类别（多个用“、”分隔）", width=14, synonyms=SYNONYMS[name],
                                  help="多个类别用“、”分隔", example=EXAMPLE[name]))
            continue
        column = field_column(KeyPerson, name, SYNONYMS.get(name, ()), EXAMPLE.get(name))
        required = name in ("name", "id_number", "registered_on")
        columns.append(Column(column.key, column.label, required, 20 if name in ("id_number", "address") else 14, column.help,
                              column.synonyms, column.kind, column.options, column.example))
    return (*VILLAGE_COLUMNS[1:], *columns, EFFECTIVE_COLUMN)


def _value(person, name):
    if name == "categories":
        return SEPARATOR.join(c.name for c in person.categories.all())
    if name == "responsible":
        return person.responsible.username if person.responsible_id else ""
    return cell(person, name)


def export_rows(queryset):
    for person in queryset:
        yield [person.division.code, person.division.name, *(_value(person, name) for name in PERSON_FIELDS), ""]


def watermark(user):
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    return f"{user.full_name or user.username}（{user.username}）{when} 导出 · 涉密个人信息，仅限工作使用，严禁外传"


class PersonImporter(Importer):
    key = "keypersons"
    title = "重点人员"
    uses_village = True
    # a visits sheet in the same workbook goes to the visits import
    elsewhere = ({"走访日期", *VISIT_SYNONYMS_ELSEWHERE}, "走访帮扶记录，请在“导入走访记录”中导入")
    fill_once = ("registered_on",)

    def __init__(self, user):
        super().__init__(user)
        self.columns = export_columns()
        categories = list(Category.objects.all())
        self.categories = {normalise(c.name): c.pk for c in categories}
        self.categories |= {normalise(c.name.removesuffix("人员").removesuffix("对象")): c.pk for c in categories if len(c.name) > 4}
        self.category_names = [c.name for c in categories]
        self.users = dict(responsible_choices(user).values_list("username", "pk"))
        self.ids = {}  # hash of an ID number → the row that first named it

    def make_form(self, values):
        data = {"division": str(values.get("division", "")).strip()}
        errors = {}
        for name in PERSON_FIELDS:
            try:
                data[name] = self._convert(name, values.get(name, ""))
            except CellError as exc:
                errors[name], data[name] = str(exc), ""
        try:
            data["effective_on"] = cell_to_form(EFFECTIVE_FIELD, values.get("effective_on", ""))
        except CellError as exc:
            errors["effective_on"], data["effective_on"] = str(exc), ""
        number = normalise_id_number(data["id_number"])
        instance = None
        if number:
            digest = keyed_hash(number)
            if digest in self.ids:
                return RefusedRow("id_number", f"身份证号与第 {self.ids[digest]} 行重复")
            self.ids[digest] = self.row
            instance = KeyPerson.objects.writable_by(self.user).alive().filter(id_number_hash=digest).first()
        if instance is not None:
            for name in self.fill_once:
                if name not in values:  # a file without the column keeps the person's own date
                    data[name] = getattr(instance, name)
        form = PersonForm(data=data, instance=instance, user=self.user)
        form.fields["division"].to_field_name = "code"
        form.fields["division"].error_messages["invalid_choice"] = "村 %(value)s 不存在或不在您的管辖范围内"
        if instance is not None:
            form.initial["division"] = instance.division
        form.cell_errors = errors
        return form

    def _convert(self, name, value):
        if name == "categories":
            text = to_text(value)
            names = [n.strip() for n in text.replace("，", SEPARATOR).replace(",", SEPARATOR).replace("/", SEPARATOR).split(SEPARATOR) if n.strip()]
            unknown = [n for n in names if normalise(n) not in self.categories]
            if unknown:
                raise CellError(f"“{unknown[0]}”不是重点人员类别，可选：{'、'.join(self.category_names)}")
            return [self.categories[normalise(n)] for n in names]
        if name == "responsible":
            text = to_text(value)
            if text and text not in self.users:
                raise CellError(f"“{shown(value)}”不是可作包案人的村干部账号（填写其登录名）")
            return self.users.get(text, "")
        return cell_to_form(KeyPerson._meta.get_field(name), value)

    def save(self, form):
        from .services import save_person

        return save_row(form, lambda: save_person(form, self.user))


# ── 走访帮扶 (visits) ─────────────────────────────────────────────────────────────────────────

VISIT_SYNONYMS = {
    "name": ("姓名", "被走访人", "帮扶对象", "重点人员姓名", "人员姓名"),
    "id_number": ("身份证号码", "公民身份号码", "身份证"),
    "visited_on": ("走访时间", "帮扶时间", "帮教日期", "走访帮扶时间", "日期", "时间"),
    "kind": ("走访方式", "帮扶方式", "形式", "方式"),
    "visitor": ("走访人员", "帮扶人", "帮扶责任人", "包保人", "走访干部", "帮教人"),
    "findings": ("走访帮扶情况", "帮扶措施", "现实表现", "近期表现", "走访内容", "帮扶情况", "帮教情况", "走访记录"),
}


def visit_columns():
    from .models import Visit

    person = {c.key: c for c in export_columns()}
    return (
        Column("name", "姓名", required=False, width=10, synonyms=VISIT_SYNONYMS["name"], help="与身份证号一起用来找到人员", example="张某某"),
        Column("id_number", "身份证号", required=False, width=20, synonyms=VISIT_SYNONYMS["id_number"],
               help="按身份证号找到登记的人员；不填时按姓名（须只有一人同名）", example=person["id_number"].example),
        *(field_column(Visit, name, VISIT_SYNONYMS[name], example) for name, example in
          (("visited_on", "2023-06-20"), ("kind", "visit"), ("visitor", "李某某"), ("findings", "在家务农，情绪稳定，告知近期注意事项"))),
    )


class VisitImporter(Importer):
    """Visit sheets (走访帮扶记录): each row names a registered person (ID number, or a name only
    one person visible to the user has) and one visit. A visit already recorded (same person, day
    and way) is "无变化", so the same sheet can be imported again."""

    key = "keyperson-visits"
    title = "重点人员走访帮扶记录"

    def __init__(self, user):
        super().__init__(user)
        from .models import Visit

        self.columns = visit_columns()
        self.elsewhere = ({c.label for c in export_columns() if c.key not in ("name", "id_number")} | {"类别", "人员类别", "管控状态"},
                          "重点人员登记表，请在“导入重点人员”中导入")
        persons = KeyPerson.objects.visible_to(user).alive().only("id", "name", "id_number_hash", "division_id")
        self.by_hash = {p.id_number_hash: p for p in persons}
        self.by_name = {}
        for p in persons:
            self.by_name.setdefault(normalise(p.name), []).append(p)
        self.recorded = set(Visit.objects.filter(person__in=persons).values_list("person_id", "visited_on", "kind"))

    def make_form(self, values):
        from .services import VisitForm

        errors = {}
        person = None
        try:
            person = self._person(values)
        except CellError as exc:
            errors["id_number" if values.get("id_number") else "name"] = str(exc)
        data = {}
        from .models import Visit

        for name in ("visited_on", "kind", "visitor", "findings"):
            try:
                data[name] = cell_to_form(Visit._meta.get_field(name), values.get(name, ""))
            except CellError as exc:
                errors[name], data[name] = str(exc), ""
        if person is None and not errors:
            errors["name"] = "请填写身份证号或姓名，以找到登记的重点人员"
        form = VisitForm(data=data, person=person)
        form.cell_errors = errors
        return form

    def _person(self, values):
        number = normalise_id_number(to_text(values.get("id_number", "")))
        name = to_text(values.get("name", ""))
        if number:
            person = self.by_hash.get(keyed_hash(number))
            if person is None:
                raise CellError("没有登记这个身份证号的重点人员，或不在您的管辖范围内；请先在重点人员登记簿中登记")
            return person
        if name:
            found = self.by_name.get(normalise(name), [])
            if len(found) > 1:
                raise CellError(f"有 {len(found)} 名重点人员叫“{name}”，请填写身份证号")
            if not found:
                raise CellError(f"没有登记名为“{name}”的重点人员，或不在您的管辖范围内")
            return found[0]
        return None

    def save(self, form):
        from .services import add_visit

        person = form.person
        key = (person.pk, form.cleaned_data["visited_on"], form.cleaned_data["kind"])
        if key in self.recorded:
            return "unchanged"
        self.recorded.add(key)
        add_visit(form, self.user)
        return "create"
