"""Pages of work reports. Every object comes through the scope mechanism; every status change through
services (→ core.transitions.perform); the buttons come from the report's transition table."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from safestar.audit.log import record
from safestar.core.lists import paginate, render_list, search
from safestar.core.models import Attachment
from safestar.core.saving import Conflict, posted_version
from safestar.core.scope import can_read, get_visible_or_404, require
from safestar.core.transitions import Refused, history
from safestar.org.models import Division
from safestar.org.roles import Level, can

from . import documents, services
from .forms import ReportForm, RequirementForm
from .models import EDITABLE, Report, Reporters, Requirement, Timeliness


def requirement_list(request):
    require(can_read(Requirement, request.user))
    queryset = Requirement.objects.visible_to(request.user).select_related("issuer")
    queryset, q = search(queryset, request, ["title"])
    return render_list(request, "reports/requirement_list.html", {
        "page": paginate(request, queryset), "q": q, "may_define": can(request.user, "reports.define"),
    })


@require_http_methods(["GET", "POST"])
def requirement_add(request):
    require(can_read(Requirement, request.user) and can(request.user, "reports.define"))
    form = RequirementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            requirement = services.define(form, request.user)
        except Refused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已下达：{requirement}")
            return redirect(requirement)
    return render(request, "reports/requirement_form.html", {"form": form})


def _number(requirement, request):
    value = request.GET.get("period", "")
    if value.isascii() and value.isdigit() and 1 <= int(value) <= requirement.count:
        return int(value)
    return services.current_number(requirement)


def requirement_detail(request, pk):
    requirement = get_visible_or_404(Requirement.objects.select_related("issuer"), request.user, pk=pk)
    number = _number(requirement, request)
    rows = services.standing(requirement, number, request.user)
    start, end, due = requirement.bounds(number)
    own = services.own_reporter(request.user, requirement)
    towns = []  # the towns whose summary the user may download
    if can(request.user, "reports.define"):
        towns = Division.objects.visible_to(request.user).filter(level=Level.TOWN, path__startswith=requirement.issuer.path).order_by("code")
    return render(request, "reports/requirement_detail.html", {
        "requirement": requirement, "number": number, "label": requirement.period_label(number), "start": start, "end": end,
        "due": due, "rows": rows, "tally": services.tally(rows), "kinds": Timeliness, "periods": requirement.periods(),
        "ledgers": [(slug, services.ledger_title(slug)) for slug in requirement.ledgers],
        "may_fill": own is not None and can(request.user, "reports.write"), "own": own, "towns": towns,
    })


@require_POST
def report_start(request, pk, number):
    """A village cadre or grid worker (or a department) opens its report of a period (a draft, a village's with its counts filled in)."""
    requirement = get_visible_or_404(Requirement.objects.select_related("issuer"), request.user, pk=pk)
    reporter = services.own_reporter(request.user, requirement)
    require(reporter is not None and can(request.user, "reports.write"))
    try:
        report = services.open_report(requirement, reporter, number, request.user)
    except Refused as exc:
        messages.error(request, exc.message)
        return redirect(requirement)
    return redirect(report)


def _report(request, pk, write=False):
    return get_visible_or_404(Report.objects.select_related("requirement__issuer", "village", "department", "submitted_by", "reviewed_by"),
                              request.user, write=write, pk=pk)


def report_detail(request, pk):
    report = _report(request, pk)
    steps = {step.name for step in Report.flow.allowed(report, request.user)}
    writer = report.status in EDITABLE and Report.objects.writable_by(request.user).filter(pk=pk).exists()
    return render(request, "reports/report_detail.html", {
        "report": report, "counts": [(services.ledger_title(slug), value) for slug, value in report.counts.items()],
        "label": report.requirement.period_label(report.number), "steps": steps, "can_write": writer,
        "attachments": Attachment.objects.alive().of(report).select_related("uploaded_by"), "events": history(report, request.user),
    })


@require_http_methods(["GET", "POST"])
def report_edit(request, pk):
    report = get_visible_or_404(Report.objects.select_related("requirement", "village", "department"), request.user, write=True, pk=pk,
                                status__in=EDITABLE)
    form = ReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit(report, form, request.user, posted_version(request), form.counts())
        except (Conflict, Refused) as exc:
            messages.warning(request, exc.message)
        else:
            messages.success(request, "已保存工作汇报。")
        return redirect("report", pk=pk)
    return render(request, "reports/report_form.html", {"form": form, "report": report,
                                                        "label": report.requirement.period_label(report.number)})


@require_POST
def report_transition(request, pk):
    report = _report(request, pk)
    action = request.POST.get("action")
    comment = request.POST.get("comment", "").strip()
    texts = {"submit": "已报送，等待镇平安办审核。", "accept": "已采纳。", "return": "已退回，村里修改后可再次报送。"}
    functions = {"submit": services.submit, "accept": services.accept, "return": services.return_report}
    if action not in functions:
        messages.error(request, "未知的操作。")
        return redirect(report)
    if action == "submit":
        report = _report(request, pk, write=True)
    else:
        require(Report.flow.may(request.user, action))
    try:
        done = functions[action](report, request.user, comment)
    except Refused as exc:
        messages.error(request, exc.message)
    else:
        if done:
            messages.success(request, texts[action])
        else:
            messages.warning(request, "状态已被他人更改，本次操作未执行，请查看最新状态。")
    return redirect(report)


def town_summary(request, pk, number, code):
    """The town's summary of its villages' reports for one period, to the county, as Word."""
    requirement = get_visible_or_404(Requirement.objects.select_related("issuer"), request.user, pk=pk)
    require(can(request.user, "reports.define") and 1 <= number <= requirement.count)
    town = get_visible_or_404(Division, request.user, code=code, level=Level.TOWN)
    if not town.path.startswith(requirement.issuer.path):
        raise Http404("页面不存在，或不在您的数据范围内。")
    rows = [row for row in services.standing(requirement, number, request.user)
            if (row[0].division if requirement.reporters == Reporters.DEPARTMENTS else row[0]).path.startswith(town.path)]
    record("export", requirement, object_repr=f"导出工作汇报汇总：{town.name}{requirement.period_label(number)}{requirement.title}")
    return documents.summary_response(requirement, number, town, rows)
