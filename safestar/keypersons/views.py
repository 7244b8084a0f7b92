"""The key-person pages. Every page answers 404 to a role without access (scope_roles) and for a
person outside the user's scope; lists and the detail page show masked data; the full record is
shown only after a reveal with a reason, recorded in the audit log."""

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Max, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from safestar.audit.log import record
from safestar.core.imports import import_view, template_response
from safestar.core.ledger_ops import cell, restore, soft_delete
from safestar.core.ledger_views import DeleteForm
from safestar.core.lists import paginate, render_list
from safestar.core.reference import reference_edit, reference_list
from safestar.core.saving import Conflict, Locked, posted_version
from safestar.core.models import Attachment
from safestar.core.scope import can_read, can_write, get_visible_or_404, require
from safestar.core.sheets import write_xlsx, xlsx_response
from safestar.core.validators import whole_number
from safestar.incidents.models import Incident
from safestar.org.models import Division
from safestar.org.roles import DepartmentKind, can

from .exports import PersonImporter, VisitImporter, export_columns, export_rows, watermark
from .models import Category, KeyPerson, Status, Visit
from .overdue import due_of, overdue, with_due
from .services import DETAILS, PersonForm, RevealForm, VisitForm, add_visit, link_incident, reveal, save_person


def _persons(user):
    require(can_read(KeyPerson, user))
    return KeyPerson.objects.visible_to(user)


def _filtered(request):
    """The list's rows: search by name, village, category, status; deleted ones on request."""
    params = {k: request.GET.get(k, "").strip() for k in ("q", "village", "category", "status", "deleted")}
    qs = _persons(request.user).filter(deleted_at__isnull=params["deleted"] != "1")
    if params["q"]:
        qs = qs.filter(name__icontains=params["q"])
    if params["village"]:
        qs = qs.filter(division__code=params["village"])
    if whole_number(params["category"]):
        qs = qs.filter(pk__in=KeyPerson.categories.through.objects.filter(category=params["category"]).values("keyperson"))
    if params["status"]:
        qs = qs.filter(status=params["status"])
    return qs, params


def person_list(request):
    qs, params = _filtered(request)
    # Queries: the count, the page of persons (village, 包案人, last visit), their categories.
    qs = (
        qs.select_related("division", "responsible")
        .annotate(last_visit=Max("visits__visited_on", filter=Q(visits__deleted_at__isnull=True)))
        .prefetch_related(Prefetch("categories", queryset=Category.objects.order_by("order")))
        .order_by("division__code", "name", "pk")
    )
    return render_list(request, "keypersons/list.html", {
        "page": paginate(request, qs), "params": params,
        "villages": Division.objects.visible_to(request.user).villages().order_by("code"),
        "categories": Category.objects.all(), "statuses": Status.choices,
        "can_write": can_write(KeyPerson, request.user),
    })


def _detail_context(request, person, revealed):
    visits = list(Visit.objects.visible_to(request.user).alive().filter(person=person).order_by("-visited_on", "-id"))
    due = with_due(KeyPerson.objects.filter(pk=person.pk)).first()
    incidents = [link.incident for link in person.incident_links.select_related("incident__kind")]
    can_link = person.deleted_at is None and KeyPerson.objects.writable_by(request.user).filter(pk=person.pk).exists()
    context = {
        "person": person, "revealed": revealed, "visits": visits,
        "next_due": due_of(due) if due else None,
        "can_write": can_link,
        "can_visit": person.deleted_at is None and can_write(Visit, request.user),
        "incidents": incidents,
        "linkable": Incident.objects.visible_to(request.user).alive().filter(division=person.division_id)
        .exclude(pk__in=[i.pk for i in incidents]).order_by("-occurred_on")[:50] if can_link else [],
        "reveal_form": RevealForm(),
        "visit_form": VisitForm(person=person),
    }
    if revealed:
        files = {}
        for attachment in Attachment.objects.alive().filter(content_type=ContentType.objects.get_for_model(Visit), object_id__in=[v.pk for v in visits]):
            files.setdefault(attachment.object_id, []).append(attachment)
        for visit in visits:
            visit.files = files.get(visit.pk, [])
        context["person_details"] = [
            (KeyPerson._meta.get_field(name).verbose_name, cell(person, name)) for name in DETAILS if cell(person, name) not in (None, "")
        ]
    return context


def person_detail(request, pk):
    person = get_visible_or_404(_persons(request.user).select_related("division", "responsible"), request.user, pk=pk)
    return render(request, "keypersons/detail.html", _detail_context(request, person, revealed=False))


@require_http_methods(["GET", "POST"])
def person_reveal(request, pk):
    """The full record, after the user says why; each reveal is an audit event with the reason."""
    require(can(request.user, "keypersons.reveal"))
    person = get_visible_or_404(_persons(request.user).select_related("division", "responsible"), request.user, pk=pk)
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reveal(person, request.user, form.cleaned_data["reason"])
        context = _detail_context(request, person, revealed=True)
        context["reason"] = form.cleaned_data["reason"]
        return render(request, "keypersons/detail.html", context)
    return render(request, "keypersons/reveal.html", {"person": person, "form": form})


@require_http_methods(["GET", "POST"])
def person_edit(request, pk=None):
    require(can_write(KeyPerson, request.user))
    person = get_visible_or_404(KeyPerson.objects.alive(), request.user, write=True, pk=pk) if pk else None
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = save_person(form, request.user, version=posted_version(request) if pk else None)
        except (Conflict, Locked) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已保存：{person}")
            return redirect("key-person", pk=person.pk)
    elif person is not None and request.method == "GET":  # the form shows the full record
        reveal(person, request.user, "修改记录时查看")
    return render(request, "keypersons/form.html", {"form": form, "person": person})


@require_http_methods(["GET", "POST"])
def person_delete(request, pk):
    require(can_write(KeyPerson, request.user))
    person = get_visible_or_404(KeyPerson.objects.alive(), request.user, write=True, pk=pk)
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        soft_delete(KeyPerson, person, request.user, form.cleaned_data["reason"])
        messages.success(request, f"已删除：{person}。记录仍保留，可在“已删除”中查看和恢复。")
        return redirect("key-persons")
    return render(request, "keypersons/delete.html", {"person": person, "form": form})


@require_POST
def person_restore(request, pk):
    require(can_write(KeyPerson, request.user))
    person = get_visible_or_404(KeyPerson.objects.filter(deleted_at__isnull=False), request.user, write=True, pk=pk)
    try:
        restore(KeyPerson, person, request.user)
    except ValidationError as exc:
        messages.error(request, f"不能恢复：{exc.messages[0]}")
        return redirect("key-person", pk=pk)
    messages.success(request, f"已恢复：{person}")
    return redirect("key-person", pk=pk)


@require_POST
def visit_add(request, pk):
    require(can_write(Visit, request.user))
    person = get_visible_or_404(_persons(request.user).alive(), request.user, pk=pk)
    form = VisitForm(request.POST, person=person)
    if form.is_valid():
        add_visit(form, request.user)
        messages.success(request, "已记录走访帮教。")
    else:
        errors = "；".join(f"{form.fields[k].label if k in form.fields else ''}：{m}" for k, v in form.errors.items() for m in v)
        messages.error(request, f"走访记录未保存：{errors}")
    return redirect("key-person", pk=pk)


@require_POST
def incident_link(request, pk):
    require(can_write(KeyPerson, request.user))
    person = get_visible_or_404(KeyPerson.objects.alive(), request.user, write=True, pk=pk)
    incident = Incident.objects.visible_to(request.user).alive().filter(division=person.division_id, pk=whole_number(request.POST.get("incident")) or 0).first()
    if incident is None:
        messages.error(request, "请选择本村的案事件。")
    elif link_incident(person, incident, request.user):
        messages.success(request, f"已关联肇事肇祸案事件：{incident}。该案事件经认定后计入“重点人员肇事肇祸”。")
    return redirect("key-person", pk=pk)


def overdue_list(request):
    """Visits overdue for the people this user is responsible for (the town office: the whole town)."""
    rows = overdue(_persons(request.user).alive())
    return render(request, "keypersons/overdue.html", {"rows": rows, "page": paginate(request, rows)})


@require_http_methods(["GET", "POST"])
def export(request):
    """The full register as xlsx, for the roles that manage it, with the exporter and time on every
    page (watermark) and the reason in the audit log."""
    require(can_write(KeyPerson, request.user))
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        qs, params = _filtered(request)
        qs = qs.select_related("division", "responsible").prefetch_related("categories").order_by("division__code", "name", "pk")
        mark = watermark(request.user)
        record("export", object_repr=f"重点人员导出（{qs.count()} 人）", changes={"reason": form.cleaned_data["reason"], "filter": params, "watermark": mark})
        content = write_xlsx(title="重点人员登记表", columns=export_columns(), rows=export_rows(qs), unit=request.user.division.full_name(),
                             watermark=mark, sheet_name="重点人员")
        return xlsx_response(content, "重点人员登记表.xlsx")
    return render(request, "keypersons/export.html", {"form": form})


def import_persons(request):
    require(can_write(KeyPerson, request.user))
    return import_view(request, PersonImporter(request.user), back_url=reverse("key-persons"), template_url=reverse("key-persons-template"))


def import_template(request):
    require(can_write(KeyPerson, request.user))
    return template_response(PersonImporter(request.user))


def import_visits(request):
    """Visit sheets (走访帮扶记录) of the people the user may see, by ID number or name."""
    require(can_write(Visit, request.user))
    return import_view(request, VisitImporter(request.user), back_url=reverse("key-persons"), template_url=reverse("key-person-visits-template"))


def visits_template(request):
    require(can_write(Visit, request.user))
    return template_response(VisitImporter(request.user))


class CategoryForm(forms.ModelForm):
    departments = forms.MultipleChoiceField(label="负责部门类型", choices=DepartmentKind.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple, help_text="这些类型的部门可以查看、管理本类人员；都不选则只有镇平安办")
    required_details = forms.MultipleChoiceField(
        label="必填的专项信息", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(name, KeyPerson._meta.get_field(name).verbose_name) for name in DETAILS[:DETAILS.index("measures_management")]],
    )

    class Meta:
        model = Category
        fields = ["code", "name", "visit_interval_days", "departments", "required_details", "active", "order"]

    def clean_visit_interval_days(self):
        days = self.cleaned_data["visit_interval_days"]
        if not 1 <= days <= 366:
            raise forms.ValidationError("走访周期应在 1 到 366 天之间")
        return days


def category_list(request):
    return reference_list(
        request, Category, add_url="key-person-category-add", edit_url="key-person-category-edit",
        columns=[("代码", lambda c: c.code), ("名称", lambda c: c.name), ("走访周期", lambda c: f"{c.visit_interval_days} 天"),
                 ("负责部门", lambda c: c.department_labels()), ("状态", lambda c: "启用" if c.active else "停用")],
        note="类别决定哪些部门能看到本类人员、登记时必填哪些专项信息、多久须走访一次。停用的类别不能再用于新登记的人员。",
    )


@require_http_methods(["GET", "POST"])
def category_edit(request, pk=None):
    return reference_edit(request, CategoryForm, pk, back="key-person-categories")
