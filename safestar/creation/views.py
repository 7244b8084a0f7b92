"""Pages of creation and supervision. Every object comes through the scope mechanism; every status
change through services (→ core.transitions.perform); the buttons come from the models' transition tables."""

import datetime

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from safestar.audit.log import record
from safestar.clock import today
from safestar.core.lists import paginate, render_list, search
from safestar.core.models import Attachment
from safestar.core.panels import my_queues
from safestar.core.saving import STALE, Conflict
from safestar.core.scope import can_read, can_write, get_visible_or_404, require
from safestar.core.transitions import Refused, history
from safestar.core.sheets import Column, write_xlsx, xlsx_response
from safestar.core.validators import whole_number
from safestar.org.models import Division
from safestar.org.roles import Level, can

from . import notices, services
from .forms import (
    DECISIONS, ApplyForm, CampaignForm, CommentForm, DecideForm, FindingForm, HoldForm, InspectionForm, LeadershipForm, PlanForm,
    ProgressForm, TaskEditForm, TaskForm,
)
from .models import (
    PLAN_EDITABLE, TASK_EDITABLE, Application, ApplicationStatus, CampaignStatus, Finding, FindingKind, Inspection, InspectionStatus,
    Leadership,
    PlanStatus, Progress, RectificationPlan, SpecialCampaign, Task, TaskBasis, TaskStatus,
)


def _attachments(obj):
    return Attachment.objects.alive().of(obj).select_related("uploaded_by")


def _refused(request, exc):
    messages.error(request, exc.message)


def _steps(obj, user):
    """The names of the steps `user` may take on `obj` now, from its transition table (the page's buttons)."""
    return {step.name for step in type(obj).flow.allowed(obj, user)}


def _stale(request):
    messages.warning(request, STALE)


def _save(request, write, done):
    """An edit through the audited save: the message `done`, or the conflict's when the record moved on meanwhile."""
    try:
        write()
    except Conflict as exc:
        messages.warning(request, str(exc))
    else:
        messages.success(request, done)


# -- applications (创建申请与创建主体) ------------------------------------------------------------

def _applications(request):
    queryset = (
        Application.objects.visible_to(request.user)
        .select_related("village", "scheme")
        .order_by("-year", "village__code")
    )
    year = whole_number(request.GET.get("year"), 2000, 2100)
    if year:
        queryset = queryset.filter(year=year)
    year = year or ""
    status = request.GET.get("status", "")
    if status in ApplicationStatus.values:
        queryset = queryset.filter(status=status)
    return queryset, year, status


def application_list(request):
    require(can_read(Application, request.user))
    queryset, year, status = _applications(request)
    queryset, q = search(queryset, request, ["village__name", "village__code"])
    page = paginate(request, queryset)
    services.live_progress(page.object_list)  # sets the counts on the page's rows (a list from here on)
    return render_list(request, "creation/application_list.html", {
        "page": page, "q": q, "year": year, "status": status, "statuses": ApplicationStatus.choices,
        "may_apply": can(request.user, "creation.apply"), "may_confirm": Application.flow.may(request.user, "confirm"),
    })


APPLICATION_COLUMNS = (
    Column("village", "村", width=14), Column("code", "村级区划代码", width=16), Column("year", "年度", width=8),
    Column("star", "星级", width=14), Column("status", "状态", width=10), Column("applied_at", "申请日期", width=12),
    Column("decided_at", "确认日期", width=12), Column("tasks", "任务数", width=8), Column("done", "已完成", width=8),
    Column("overdue", "逾期", width=8),
)


def application_export(request):
    """The town's list of 创建主体 (and pending applications) as xlsx."""
    require(can_read(Application, request.user))
    queryset, year, _ = _applications(request)
    rows = (
        (a.village.name, a.village.code, a.year, a.scheme.star, a.get_status_display(), a.applied_at.date(),
         a.decided_at.date() if a.decided_at else None, a.n_tasks, a.n_done, a.n_overdue)
        for a in services.live_progress(queryset)
    )
    record("export", None, object_repr="导出创建主体名单")
    content = write_xlsx(title="平安法治星创建主体名单", columns=APPLICATION_COLUMNS, rows=rows, unit=request.user.division.name,
                         period=f"{year}年" if year else "", sheet_name="创建主体")
    return xlsx_response(content, "创建主体名单.xlsx")


@require_http_methods(["GET", "POST"])
def application_add(request):
    require(can(request.user, "creation.apply"))
    form = ApplyForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.apply(form.cleaned_data["village"], form.cleaned_data["scheme"], request.user, form.cleaned_data["note"])
        except Refused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已提交创建申请：{application}，等待镇平安办确认。")
            return redirect(application)
    return render(request, "creation/application_form.html", {"form": form})


def application_detail(request, pk):
    application = get_visible_or_404(Application.objects.select_related("village", "scheme", "applied_by", "decided_by"), request.user, pk=pk)
    tasks = services.task_states(application.tasks.select_related("responsible").order_by("indicator", "id"))
    decider = bool(_steps(application, request.user) & set(DECISIONS))
    late, soon = services.starting_overdue(application) if decider and application.status == ApplicationStatus.APPLIED else (0, 0)
    return render(request, "creation/application_detail.html", {
        "application": application,
        "tasks": tasks,
        "progress": services.progress_by_category(application, tasks),
        "decider": decider, "starting_late": late, "starting_soon": soon,
        "decide_form": DecideForm(),
        "add_task": can(request.user, "creation.assign_task") and application.status == ApplicationStatus.CONFIRMED,
        "events": history(application, request.user),
    })


@require_POST
def application_decide(request, pk):
    require(any(Application.flow.may(request.user, name) for name in DECISIONS))
    application = get_visible_or_404(Application, request.user, write=True, pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(f"{form.fields[name].label}：{e}" for name, errors in form.errors.items() for e in errors))
        return redirect(application)
    reason = form.cleaned_data["reason"].strip()
    try:
        if form.cleaned_data["decision"] == "confirm":
            late, _ = services.starting_overdue(application)
            done = services.confirm(application, request.user, reason)
            message = f"已确认{application.village.name}为创建主体，已按创建方案生成任务清单。"
            if late:
                message += f"注意：其中{late}项任务的完成期限已过，一生成即为逾期。"
        else:
            done = services.reject(application, request.user, reason)
            message = f"已不予确认{application.village.name}的创建申请。"
    except Refused as exc:
        _refused(request, exc)
    else:
        messages.success(request, message) if done else _stale(request)
    return redirect(application)


@require_http_methods(["GET", "POST"])
def application_confirm_all(request):
    """The town office confirms the waiting applications at once: the page lists every village that
    becomes a 创建主体 and the tasks it gets (and warns how many start overdue); confirming takes the
    step for all of them or none."""
    require(Application.flow.may(request.user, "confirm"))
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("ids") if x.isdigit()]
        try:
            moved = services.confirm_all(request.user, ids, request.POST.get("reason", ""))
        except Refused as exc:
            messages.error(request, exc.message)
            return redirect("applications-confirm")
        messages.success(request, f"已确认 {moved} 个村为创建主体，已按创建方案生成各村的任务清单。")
        return redirect(reverse("applications") + "?status=confirmed")
    ready, skipped = services.confirm_batch_of(request.user)
    rows, late = [], 0
    for application in ready:
        starting, _ = services.starting_overdue(application)
        late += starting
        indicators = application.scheme.spec.indicators()
        kept = sum(1 for i in indicators if services.task_basis(i) == TaskBasis.OUTCOME)
        note = f"生成 {len(indicators)} 项任务（其中全年保持 {kept} 项）" + (f"，{starting} 项一生成即逾期" if starting else "")
        rows.append((application.village.name, application.get_absolute_url(),
                     f"{application.get_status_display()} → {ApplicationStatus.CONFIRMED.label}（{application.year}年{application.scheme.star}）", note))
    return render(request, "core/batch_confirm.html", {
        "title": "批量确认创建申请", "subject_label": "村", "rows": rows, "ids": [a.pk for a in ready],
        "intro": "以下各村将一起确认为创建主体（全部成功或全部不执行），并按创建方案各自生成任务清单。",
        "warning": f"注意：共有 {late} 项任务的完成期限已过，一生成即为逾期。" if late else "",
        "reason_label": "确认意见（可不填）", "skipped": [(str(a), why) for a, why in skipped], "button": "确认为创建主体",
        "none": "没有待您确认的创建申请。", "back": reverse("applications"),
    })


# -- tasks ------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def task_add(request, pk):
    """The town office adds a task of its own to a village's list."""
    require(can(request.user, "creation.assign_task"))
    application = get_visible_or_404(Application.objects.select_related("village"), request.user, write=True, pk=pk,
                                     status=ApplicationStatus.CONFIRMED)
    form = TaskForm(request.user, application.village, request.POST or None)
    if request.method == "POST" and form.is_valid():
        task = services.add_task(application, form, request.user)
        messages.success(request, f"已布置任务：{task.title}")
        return redirect(application)
    return render(request, "creation/task_form.html", {"form": form, "application": application})


def task_detail(request, pk):
    task = get_visible_or_404(Task.objects.select_related("village", "application", "campaign", "responsible", "completed_by"),
                              request.user, pk=pk)
    writer = can_write(Task, request.user) and Task.objects.writable_by(request.user).filter(pk=pk).exists()
    services.task_states([task])
    # a village's part of a campaign is recorded complete by whoever runs the campaign, not by the village itself;
    # an indicator or outcome task is complete when its indicator is met, never by hand
    steps = _steps(task, request.user) if not task.automatic else set()
    return render(request, "creation/task_detail.html", {
        "task": task, "attachments": _attachments(task), "can_write": writer and task.status in TASK_EDITABLE,
        "may_complete": writer and "complete" in steps and _campaign_active(task), "may_reopen": "reopen" in steps,
        "comment_form": CommentForm(), "events": history(task, request.user),
    })


@require_http_methods(["GET", "POST"])
def task_edit(request, pk):
    """The village names the responsible person, and links ledger records as evidence."""
    task = get_visible_or_404(Task.objects.select_related("village"), request.user, write=True, pk=pk, status__in=TASK_EDITABLE)
    form = TaskEditForm(request.user, task.village, request.POST or None, instance=task, current=task.responsible_id,
                        initial={"link_ledger": request.GET.get("link_ledger", "")})
    form.fields["link_ledger"].widget.attrs["hx-get"] = request.path
    if not can(request.user, "creation.assign_task"):  # the village does not move its own deadline or rename the town's task
        form.fields["title"].disabled = form.fields["due_on"].disabled = True
    if request.method == "POST" and form.is_valid():
        _save(request, lambda: services.edit_task(task, form, request.user), "已保存。")
        return redirect(task)
    return render(request, "creation/task_form.html", {"form": form, "task": task})


@require_POST
def task_transition(request, pk):
    task = get_visible_or_404(Task, request.user, pk=pk)
    action = request.POST.get("action")
    comment = request.POST.get("comment", "").strip()[:500]
    try:
        if action == "complete":
            task = get_visible_or_404(Task.objects.select_related("campaign__department"), request.user, write=True, pk=pk)
            done = services.complete_task(task, request.user, comment)
        elif action == "reopen":
            require(Task.flow.may(request.user, "reopen"))
            done = services.reopen_task(task, request.user, comment)
        else:
            messages.error(request, "未知的操作。")
            return redirect(task)
    except Refused as exc:
        _refused(request, exc)
    else:
        messages.success(request, "已标记完成。" if action == "complete" else "已退回任务。") if done else _stale(request)
    return redirect(task)


# -- inspections and findings ---------------------------------------------------------------------

def inspection_list(request):
    require(can_read(Inspection, request.user))
    queryset = (
        Inspection.objects.visible_to(request.user).select_related("town")
        .annotate(n_findings=Count("findings", distinct=True), n_villages=Count("villages", distinct=True))
        .order_by("-planned_on", "-id")
    )
    queryset, q = search(queryset, request, ["title"])
    return render_list(request, "creation/inspection_list.html", {
        "page": paginate(request, queryset), "q": q, "may_add": can(request.user, "creation.inspect"),
    })


@require_http_methods(["GET", "POST"])
def inspection_add(request):
    require(can(request.user, "creation.inspect"))
    form = InspectionForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        inspection = services.plan_inspection(form, request.user)
        messages.success(request, f"已安排督导检查：{inspection.title}")
        return redirect(inspection)
    return render(request, "creation/inspection_form.html", {"form": form})


def _indicators(town):
    """The indicators of the schemes that apply in the town (the newest year)."""
    from safestar.schemes.loading import applicable

    schemes = applicable(town)
    if not schemes:
        return []
    seen, out = set(), []
    for scheme in schemes:
        if scheme.year != schemes[0].year:
            continue
        for indicator in scheme.spec.indicators():
            if indicator.code not in seen:
                seen.add(indicator.code)
                out.append(indicator)
    return out


def inspection_detail(request, pk):
    inspection = get_visible_or_404(Inspection.objects.select_related("town"), request.user, pk=pk)
    findings = (
        Finding.objects.visible_to(request.user).filter(inspection=inspection)
        .select_related("village", "plan", "campaign").order_by("village__code", "id")
    )
    return render(request, "creation/inspection_detail.html", {
        "inspection": inspection, "findings": findings,
        "departments": inspection.departments.order_by("name"), "villages": inspection.villages.order_by("code"),
        "may_hold": "hold" in _steps(inspection, request.user), "hold_form": HoldForm(initial={"held_on": today()}),
        "may_add_finding": can(request.user, "creation.inspect") and inspection.status == InspectionStatus.HELD,
        "events": history(inspection, request.user),
    })


@require_POST
def inspection_hold(request, pk):
    require(Inspection.flow.may(request.user, "hold"))
    inspection = get_visible_or_404(Inspection, request.user, write=True, pk=pk)
    form = HoldForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    elif services.hold_inspection(inspection, request.user, form.cleaned_data["held_on"], form.cleaned_data["note"]):
        messages.success(request, "已记录督导检查开展情况，可以登记发现的问题。")
    else:
        _stale(request)
    return redirect(inspection)


@require_http_methods(["GET", "POST"])
def finding_add(request, pk):
    require(can(request.user, "creation.inspect"))
    inspection = get_visible_or_404(Inspection.objects.select_related("town"), request.user, write=True, pk=pk,
                                    status=InspectionStatus.HELD)
    form = FindingForm(inspection, _indicators(inspection.town), request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        finding = services.add_finding(inspection, request.user, village=data["village"], description=data["description"],
                                       severity=data["severity"], kind=data["kind"], indicator=data["indicator"], deadline=data["deadline"])
        if finding.kind == FindingKind.INDIVIDUAL:
            messages.success(request, f"已登记{finding.village.name}的问题，并为该村生成整改方案。")
        else:
            messages.success(request, "已登记共性问题，可在“专项整治”中交由相关部门整治。")
        return redirect(finding)
    return render(request, "creation/finding_form.html", {"form": form, "inspection": inspection})


def finding_detail(request, pk):
    finding = get_visible_or_404(Finding.objects.select_related("village", "inspection", "campaign"), request.user, pk=pk)
    plan = RectificationPlan.objects.visible_to(request.user).filter(finding=finding).first()
    return render(request, "creation/finding_detail.html", {
        "finding": finding, "plan": plan, "attachments": _attachments(finding),
        "can_write": can(request.user, "creation.inspect"),
    })


def inspection_notice(request, pk):
    inspection = get_visible_or_404(Inspection.objects.select_related("town"), request.user, pk=pk)
    require(inspection.status == InspectionStatus.HELD)
    findings = Finding.objects.visible_to(request.user).filter(inspection=inspection).select_related("village", "plan").order_by("village__code", "id")
    record("export", inspection, object_repr=f"导出督导通报：{inspection}")
    return notices.supervision_notice_response(inspection, findings)


# -- rectification plans --------------------------------------------------------------------------

def plan_list(request):
    require(can_read(RectificationPlan, request.user))
    queryset = RectificationPlan.objects.visible_to(request.user).select_related("village", "finding", "responsible")
    status = request.GET.get("status", "")
    if status in PlanStatus.values:
        queryset = queryset.filter(status=status)
    if request.GET.get("overdue") == "1":
        queryset = services.overdue_plans(queryset)
    queryset, q = search(queryset, request, ["village__name", "finding__description", "measures"])
    return render_list(request, "creation/plan_list.html", {
        "page": paginate(request, queryset), "q": q, "status": status, "statuses": PlanStatus.choices,
        "overdue": request.GET.get("overdue") == "1",
    })


def plan_detail(request, pk):
    plan = get_visible_or_404(
        RectificationPlan.objects.select_related("village", "finding__inspection", "responsible", "submitted_by"), request.user, pk=pk
    )
    writer = RectificationPlan.objects.writable_by(request.user).filter(pk=pk).exists()
    return render(request, "creation/plan_detail.html", {
        "plan": plan, "progress": Progress.objects.visible_to(request.user).filter(plan=plan).select_related("created_by"),
        "attachments": _attachments(plan), "events": history(plan, request.user),
        "can_write": writer and plan.status in PLAN_EDITABLE,
        "may_verify": "verify" in _steps(plan, request.user),
        "progress_form": ProgressForm(), "comment_form": CommentForm(),
    })


@require_http_methods(["GET", "POST"])
def plan_edit(request, pk):
    plan = get_visible_or_404(RectificationPlan.objects.select_related("village", "finding"), request.user, write=True, pk=pk,
                              status__in=PLAN_EDITABLE)
    form = PlanForm(request.user, plan.village, request.POST or None, instance=plan, current=plan.responsible_id)
    if request.method == "POST" and form.is_valid():
        _save(request, lambda: services.edit_plan(plan, form, request.user), "已保存整改方案。")
        return redirect(plan)
    return render(request, "creation/plan_form.html", {"form": form, "plan": plan})


@require_POST
def plan_progress(request, pk):
    plan = get_visible_or_404(RectificationPlan, request.user, write=True, pk=pk, status__in=PLAN_EDITABLE)
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写进展情况（不超过2000字）。")
        return redirect(plan)
    _save(request, lambda: services.report_progress(plan, form, request.user), "已报送整改进展。")
    return redirect(plan)


@require_POST
def plan_transition(request, pk):
    plan = get_visible_or_404(RectificationPlan.objects.select_related("village", "finding"), request.user, pk=pk)
    action = request.POST.get("action")
    comment = request.POST.get("comment", "").strip()[:500]
    texts = {"submit": "已提交验收，等待镇平安办验收。", "verify": "已验收销号。", "reopen": "已退回重新整改。"}
    try:
        if action == "submit":
            plan = get_visible_or_404(RectificationPlan.objects.select_related("village", "finding"), request.user, write=True, pk=pk)
            done = services.submit_plan(plan, request.user, comment)
        elif action in ("verify", "reopen"):
            require(RectificationPlan.flow.may(request.user, action))
            done = (services.verify_plan if action == "verify" else services.reopen_plan)(plan, request.user, comment)
        else:
            messages.error(request, "未知的操作。")
            return redirect(plan)
    except Refused as exc:
        _refused(request, exc)
    else:
        messages.success(request, texts[action]) if done else _stale(request)
    return redirect(plan)


def plan_notice(request, pk):
    plan = get_visible_or_404(RectificationPlan.objects.select_related("village__parent", "finding__inspection", "responsible"),
                              request.user, pk=pk)
    record("export", plan, object_repr=f"导出整改通知书：{plan}")
    return notices.rectification_notice_response(plan)


# -- special campaigns ------------------------------------------------------------------------------

def campaign_list(request):
    require(can_read(SpecialCampaign, request.user))
    queryset = SpecialCampaign.objects.visible_to(request.user).select_related("department", "town").annotate(
        n_villages=Count("villages", distinct=True),
        n_tasks=Count("tasks", distinct=True),
        n_done=Count("tasks", filter=Q(tasks__status=TaskStatus.DONE), distinct=True),
    ).order_by("-id")
    queryset, q = search(queryset, request, ["title", "department__name"])
    return render_list(request, "creation/campaign_list.html", {
        "page": paginate(request, queryset), "q": q, "may_add": can(request.user, "creation.deploy_campaign"),
    })


@require_http_methods(["GET", "POST"])
def campaign_add(request):
    require(can(request.user, "creation.deploy_campaign"))
    initial = {}
    if finding_id := whole_number(request.GET.get("finding")):
        finding = Finding.objects.visible_to(request.user).filter(pk=finding_id, kind=FindingKind.COMMON).first()
        if finding:
            initial = {"findings": [finding.pk], "villages": [finding.village_id]}
    form = CampaignForm(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.create_campaign(request.user, town=request.user.division, title=data["title"], department=data["department"],
                                                villages=list(data["villages"]), deadline=data["deadline"], description=data["description"],
                                                findings=list(data["findings"]))
        except Refused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已部署专项整治：{campaign.title}，由{campaign.department.name}牵头。")
            return redirect(campaign)
    return render(request, "creation/campaign_form.html", {"form": form})


def _campaign_active(task):
    return task.campaign_id is None or task.campaign.status == CampaignStatus.ACTIVE


def _campaign_tasks(campaign, user):
    """The campaign's tasks the user sees: through the scope (a village only its own) for whoever reads
    tasks, else all of them (the leading department runs the campaign without the creation field)."""
    if can_read(Task, user):
        return Task.objects.visible_to(user).filter(campaign=campaign)
    return campaign.tasks.all()


def campaign_detail(request, pk):
    campaign = get_visible_or_404(SpecialCampaign.objects.select_related("department", "town"), request.user, pk=pk)
    runner = "complete" in _steps(campaign, request.user)
    return render(request, "creation/campaign_detail.html", {
        "campaign": campaign, "villages": campaign.villages.order_by("code"),
        "tasks": _campaign_tasks(campaign, request.user).select_related("village", "completed_by").order_by("village__code"),
        "findings": Finding.objects.visible_to(request.user).filter(campaign=campaign).select_related("village"),
        "runner": runner, "events": history(campaign, request.user), "comment_form": CommentForm(),
    })


@require_POST
def campaign_transition(request, pk):
    """Complete a village's part (task=) or the whole campaign; by the town office or the leading department."""
    campaign = get_visible_or_404(SpecialCampaign, request.user, pk=pk)
    require("complete" in _steps(campaign, request.user))
    comment = request.POST.get("comment", "").strip()[:500]
    try:
        if request.POST.get("task"):
            task_id = whole_number(request.POST["task"])
            task = campaign.tasks.select_related("village").filter(pk=task_id).first() if task_id else None
            require(task is not None)
            done = services.complete_task(task, request.user, comment or "已完成专项整治任务")
            text = f"已记录{task.village.name}完成整治。"
        else:
            done = services.complete_campaign(campaign, request.user, comment)
            text = "专项整治已完成。"
    except Refused as exc:
        _refused(request, exc)
    else:
        messages.success(request, text) if done else _stale(request)
    return redirect(campaign)


# -- to-do and weekly summary -------------------------------------------------------------------------

def my_todo(request):
    """我的待办: what this person can act on, grouped by kind with counts, each item once (the work
    queues every app registers: core/panels.py)."""
    queues = my_queues(request.user)
    require(queues or can_read(Task, request.user) or can_read(SpecialCampaign, request.user))
    return render(request, "creation/todo.html", {"today": today(), "queues": queues})


def _late(tasks):
    return {"overdue_tasks": tasks[:200], "overdue_task_count": len(tasks)}


def _week(request):
    """The Monday and Sunday of the week asked for (?week=any day of it), this week when the value is
    not a date of 2000-2100 (the page links to the weeks before and after, which must exist)."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = today()
    if not 2000 <= day.year <= 2100:
        day = today()
    start = day - datetime.timedelta(days=day.weekday())
    return start, start + datetime.timedelta(days=6)


def weekly(request, code):
    """A town's week: new findings, closed rectifications and completed tasks, and what is overdue now."""
    require(can_read(Finding, request.user))
    town = get_visible_or_404(Division.objects.filter(level=Level.TOWN), request.user, code=code)
    start, end = _week(request)
    under = {"village__path__startswith": town.path}
    findings = Finding.objects.visible_to(request.user).filter(found_on__range=(start, end), **under).select_related("village", "inspection")
    plans = RectificationPlan.objects.visible_to(request.user).filter(**under).select_related("village", "finding", "responsible")
    tasks = Task.objects.visible_to(request.user).filter(**under).select_related("village", "responsible")
    return render(request, "creation/weekly.html", {
        "town": town, "start": start, "end": end,
        "previous": start - datetime.timedelta(days=7), "next": start + datetime.timedelta(days=7),
        "findings": findings.order_by("found_on", "village__code"),
        "closed": plans.filter(status=PlanStatus.CLOSED, closed_on__range=(start, end)).order_by("closed_on"),
        "completed": tasks.filter(status=TaskStatus.DONE, completed_on__range=(start, end)).count(),
        "overdue_plans": services.overdue_plans(plans).order_by("deadline"),
        **_late(services.late_tasks(tasks.order_by("due_on", "village__code"), limit=None)),
    })


# -- leadership (领导包村) ------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def leaders(request):
    """A town's 领导包村: every village of the town with the leaders who cover it; the town office
    assigns and removes them here. ?town= for the county (default: the user's own town)."""
    user = request.user
    # the town's page: its villages read their own leaders on the village page (the panel)
    require(can_read(Leadership, user) and user.division.level != Level.VILLAGE)
    code = request.GET.get("town") or (user.division.code if user.division.level == Level.TOWN else None)
    if code is None:  # the county: which town
        towns = Division.objects.visible_to(user).filter(level=Level.TOWN).order_by("code")
        return render(request, "creation/leaders.html", {"towns": towns})
    town = get_visible_or_404(Division.objects.filter(level=Level.TOWN), user, code=code)
    may_assign = can(user, "creation.assign_leaders") and Division.objects.writable_by(user).filter(pk=town.pk).exists()
    form = LeadershipForm(user, town, request.POST or None, initial={"since": today()}) if may_assign else None
    if request.method == "POST":
        require(may_assign)
        if form.is_valid():
            try:
                done = services.assign_leader(form, user)
            except Refused as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"已安排：{done}")
                return redirect(reverse("leaders") + f"?town={town.code}")
    assignments = Leadership.objects.visible_to(user).filter(village__parent=town).select_related("village", "leader")
    by_village = {}
    for a in assignments:
        by_village.setdefault(a.village_id, []).append(a)
    villages = Division.objects.visible_to(user).filter(parent=town, level=Level.VILLAGE).order_by("code")
    return render(request, "creation/leaders.html", {
        "town": town, "rows": [(v, by_village.get(v.pk, [])) for v in villages], "form": form, "may_assign": may_assign,
    })


@require_POST
def leader_remove(request, pk):
    leadership = get_visible_or_404(Leadership.objects.select_related("village", "leader"), request.user, write=True, pk=pk)
    require(can(request.user, "creation.assign_leaders"))
    services.remove_leader(leadership, request.user)
    messages.success(request, f"已取消：{leadership}")
    return redirect(reverse("leaders") + f"?town={leadership.village.parent.code}")
