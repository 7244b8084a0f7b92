from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods

from safestar.audit.log import record
from safestar.core import compiled
from safestar.core.imports import import_view, template_response
from safestar.core.lists import paginate, render_list, search
from safestar.core.pages import stored
from safestar.core.panels import render_home_cards, render_panels, render_town_panels
from safestar.core.saving import save_form
from safestar.core.scope import can_read, can_write, get_visible_or_404, not_found, require
from safestar.core.sheets import write_xlsx, xlsx_response

from .forms import (
    ACCOUNT_AUDIT_FIELDS,
    VILLAGE_COLUMNS,
    AccountForm,
    DepartmentForm,
    DivisionRenameForm,
    VillageImporter,
    VillageRowForm,
)
from .models import Department, Division, User
from .roles import Level
from .services import save_village


def home(request):
    """The duties of the user's role, then the cards the apps register (core/panels.py)."""
    return render(request, "org/home.html", {"spec": request.user.spec, "cards": render_home_cards(request)})


# The most divisions above one: a grid's village, town, county, city and province.
LEVELS_ABOVE = 5


@stored
def division_detail(request, code):
    """A division's page: its path from the province, its panels (a village's or a town's) and its
    children. One query for the division with whether the user may edit it, the divisions above it
    (joined) with whether each is in the user's scope, and the number of its children the user sees
    (the list below is then not counted again)."""
    user = request.user
    (division,) = compiled.rows(_division, code, user=user) or not_found()
    ancestors, above = [division], division
    for n in range(1, LEVELS_ABOVE + 1):
        above = above.parent
        if above is None:
            break
        above.in_scope = getattr(division, f"in_scope_{n}")
        ancestors.insert(0, above)
    children, q = search(Division.objects.visible_to(user).filter(parent=division), request, ["name", "code"])
    # a village has none: not even built (the village page is the one most opened)
    children = children.annotate(n_children=Count("children")).order_by("code") if division.n_below else []
    return render_list(
        request,
        "org/division_detail.html",
        {
            "division": division,
            "ancestors": ancestors,
            "in_scope": {d.code for d in ancestors[:-1] if d.in_scope} | {division.code},
            "page": paginate(request, children, count=None if q else division.n_below),
            "q": q,
            "can_edit": division.editable,
            "panels": render_panels(request, division) if division.level == Level.VILLAGE
            else render_town_panels(request, division) if division.level == Level.TOWN else [],
        },
    )


_LINKS = ["__".join(["parent"] * n) for n in range(1, LEVELS_ABOVE + 1)]


def _division(user, code):
    """The division of `code` in the user's scope, annotated for its page (division_detail)."""
    visible = Division.objects.visible_to(user)
    below = visible.filter(parent=OuterRef("pk")).order_by().values("parent").annotate(n=Count("pk")).values("n")
    return visible.select_related(_LINKS[-1]).filter(code=code).annotate(
        editable=Exists(Division.objects.writable_by(user).filter(pk=OuterRef("pk"))),
        n_below=Coalesce(Subquery(below), 0),
        **{f"in_scope_{n}": Exists(visible.filter(pk=OuterRef(link))) for n, link in enumerate(_LINKS, 1)},
    )


def my_division(request):
    require(can_read(Division, request.user))
    return redirect("division", code=request.user.division.code)


@require_http_methods(["GET", "POST"])
def village_add(request, code):
    town = get_visible_or_404(Division.objects.filter(level=Level.TOWN), request.user, write=True, code=code)
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        data["town_code"] = town.code  # the town is the page's, whatever the form says
    form = VillageRowForm(data, user=request.user)
    form.fields["town_code"].widget = form.fields["town_code"].hidden_widget()
    if form.is_valid():
        with transaction.atomic():
            save_village(form.cleaned_data)
        messages.success(request, f"已新增行政村“{form.cleaned_data['name']}”。")
        return redirect("division", code=town.code)
    return render(request, "org/village_form.html", {"form": form, "town": town})


@require_http_methods(["GET", "POST"])
def division_edit(request, code):
    division = get_visible_or_404(Division.objects.filter(level=Level.VILLAGE), request.user, write=True, code=code)
    form = DivisionRenameForm(request.POST or None, instance=division)
    if request.method == "POST" and form.is_valid():
        save_form(form, request.user, ["name"])
        messages.success(request, "已保存。")
        return redirect("division", code=division.code)
    return render(request, "org/division_edit.html", {"form": form, "division": division})


def villages_import(request):
    require(can_write(Division, request.user))
    return import_view(
        request,
        VillageImporter(request.user),
        back_url=reverse("my-division"),
        template_url=reverse("villages-template"),
    )


def villages_template(request):
    require(can_write(Division, request.user))
    return template_response(VillageImporter(request.user))


def villages_export(request, code):
    division = get_visible_or_404(Division, request.user, code=code)
    villages = (
        Division.objects.visible_to(request.user)
        .filter(level=Level.VILLAGE, path__startswith=division.path)
        .select_related("parent")
        .order_by("code")
    )
    rows = [(v.parent.code, v.code, v.name) for v in villages]
    record("export", division, object_repr=f"{division.name} 行政村名录（{len(rows)} 行）")
    content = write_xlsx(title=f"{division.name}行政村名录", columns=VILLAGE_COLUMNS, rows=rows, unit=division.full_name())
    return xlsx_response(content, f"{division.name}行政村名录.xlsx")


def department_list(request):
    require(can_read(Department, request.user))
    departments = Department.objects.visible_to(request.user).select_related("division")
    departments, q = search(departments, request, ["name", "division__name"])
    return render_list(
        request,
        "org/department_list.html",
        {"page": paginate(request, departments), "q": q, "can_edit": can_write(Department, request.user)},
    )


DEPARTMENT_AUDIT_FIELDS = ["name", "kind", "division", "fields"]


@require_http_methods(["GET", "POST"])
def department_edit(request, pk=None):
    require(can_write(Department, request.user))
    department = get_visible_or_404(Department, request.user, write=True, pk=pk) if pk else Department()
    form = DepartmentForm(request.POST or None, instance=department, user=request.user)
    if request.method == "POST" and form.is_valid():
        department = save_form(form, request.user, DEPARTMENT_AUDIT_FIELDS)
        messages.success(request, f"已保存部门“{department.name}”。")
        return redirect("departments")
    return render(request, "org/department_form.html", {"form": form, "department": department})


def account_list(request):
    require(can_read(User, request.user))
    accounts = User.objects.visible_to(request.user).select_related("division", "department")
    accounts, q = search(accounts, request, ["username", "full_name", "division__name"])
    return render_list(request, "org/account_list.html", {"page": paginate(request, accounts), "q": q})


@require_http_methods(["GET", "POST"])
def account_edit(request, pk=None):
    require(can_write(User, request.user))
    account = get_visible_or_404(User, request.user, write=True, pk=pk) if pk else User()
    form = AccountForm(request.POST or None, instance=account, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = {}
        if form.cleaned_data.get("password1"):
            changes["password"] = ["***", "已重设"]
        if form.cleaned_data.get("reset_2fa"):
            changes["two_factor"] = ["已启用", "已重置"]
        account = save_form(form, request.user, ACCOUNT_AUDIT_FIELDS, changes=changes)
        messages.success(request, f"已保存账号“{account.username}”。")
        return redirect("accounts")
    return render(request, "org/account_form.html", {"form": form, "account": account})


class PasswordChange(auth_views.PasswordChangeView):
    template_name = "org/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        record("update", self.request.user, changes={"password": ["***", "***"]})
        messages.success(self.request, "密码已修改。")
        return response
