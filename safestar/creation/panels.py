import datetime

from django.db.models import Count
from django.urls import reverse

from safestar.audit.models import AuditEvent
from safestar.clock import today
from safestar.core import compiled
from safestar.core.ledger import LEDGERS
from safestar.core.metrics import Counts, counted
from safestar.core.panels import SOON, Queue, QueueItem, home_card, home_part, item, nav_entry, queue, town_panel, village_panel, work_queue
from safestar.core.scope import can_read, can_write
from safestar.org.roles import Level, can

from . import services
from .models import (
    PLAN_EDITABLE, Application, ApplicationStatus, CampaignStatus, Leadership, PlanStatus, RectificationPlan, SpecialCampaign, Task,
)


def _applications(user, village):
    return Application.objects.visible_to(user).filter(village=village).select_related("scheme").order_by("-year")[:3]


def _open_plans(user, village):
    return RectificationPlan.objects.visible_to(user).filter(village=village).exclude(status=PlanStatus.CLOSED)


def _overdue_plans(user, village):
    return _open_plans(user, village).filter(RectificationPlan.overdue_q())  # today's: today is in the kept statement's key


@village_panel
def creation_panel(request, village):
    """The village's creation: its applications with task progress, overdue tasks, open rectifications."""
    if not can_read(Application, request.user):
        return None
    # the tasks' live state: indicator tasks are done while met
    applications = services.live_progress(compiled.rows(_applications, village.pk, user=request.user))
    latest = next((a for a in applications if a.n_tasks), None)
    categories = services.progress_by_category(latest, latest.task_list) if latest else []
    # read with the page's other counts (core/panels.py render_panels: one query)
    plans = Counts(village.pk, open=counted(_open_plans, village.pk, user=request.user, field="village"),
                   overdue=counted(_overdue_plans, village.pk, user=request.user, field="village"))
    return "creation/panel.html", {"applications": applications, "village": village, "plans": plans, "latest": latest,
                                   "categories": categories}


nav_entry(50, "创建督导", "applications", lambda user: can_read(Application, user))
nav_entry(60, "我的待办", "my-todo", lambda user: can_read(Application, user) or can_read(SpecialCampaign, user))


home_card("todo", "我的待办", order=20, testid="home-todo")  # key persons add their overdue visits


@home_part("todo", order=10)
def todo_card(request):
    todo = services.home_todo(request.user)
    return ("creation/home_todo.html", {"todo": todo}) if todo else None


# -- 我的待办: what this person can act on (core/panels.py work queues) -------------------------------

def _due(obj):
    return f"期限 {obj:%Y-%m-%d}" if obj else "全年保持"


@work_queue(order=20)
def creation_queues(user):
    """The town office: applications to confirm, rectifications to verify, what is overdue in its town,
    its overdue campaigns. The village: its open rectifications (the moment a finding is registered)
    and its tasks due within 30 days or overdue. A department: the campaigns it leads."""
    queues = []
    village_level = user.division.level == Level.VILLAGE
    if can(user, "creation.confirm_application"):
        rows = (Application.objects.visible_to(user).filter(status=ApplicationStatus.APPLIED).exclude(applied_by=user)
                .select_related("village", "scheme").order_by("applied_at"))
        queues.append(queue("to-decide", "待确认的创建申请", rows, lambda a: item(a, note=f"申请于 {a.applied_at:%Y-%m-%d}"),
                            reverse("applications") + "?status=applied"))
    if can(user, "creation.verify_rectification"):
        rows = (RectificationPlan.objects.visible_to(user).filter(status=PlanStatus.SUBMITTED).exclude(submitted_by=user)
                .select_related("village", "finding").order_by("deadline", "id"))
        queues.append(queue("to-verify", "待验收的整改", rows, lambda p: item(p, note=_due(p.deadline))))
    if can(user, "creation.submit_rectification") and can_read(RectificationPlan, user):
        plans = RectificationPlan.objects.writable_by(user).filter(status__in=PLAN_EDITABLE).select_related("village", "finding", "responsible")
        if village_level:  # every open plan of the village, from the moment the finding is registered
            title, rows = "本村待整改", plans.order_by("deadline", "id")
        else:  # the town office may report for a village, but acts on the late ones
            title, rows = "逾期的整改", plans.filter(RectificationPlan.overdue_q()).order_by("deadline", "id")
        queues.append(queue("rectify", title, rows, lambda p: item(
            p, note=f"{_due(p.deadline)}，责任人 {p.responsible or '（未指定）'}", late=p.overdue), reverse("rectifications")))
    if can_read(Task, user) and can(user, "creation.write_village_work"):
        tasks = Task.objects.writable_by(user).filter(campaign__isnull=True).select_related("village", "responsible")
        if village_level:
            soon = today() + datetime.timedelta(days=SOON)
            rows = services.pending_tasks(tasks.filter(due_on__lte=soon).order_by("due_on", "indicator", "id"), limit=None)
            title = "到期的创建任务"
        else:
            rows, title = services.late_tasks(tasks.order_by("due_on", "village__code", "id"), limit=None), "逾期的创建任务"
        queues.append(queue("tasks", title, rows, lambda t: item(t, note=_task_note(t), late=t.overdue)))
    if can(user, "creation.deploy_campaign"):
        rows = services.overdue_campaigns(SpecialCampaign.objects.visible_to(user)).select_related("department").order_by("deadline")
        queues.append(queue("campaigns", "逾期的专项整治", rows, lambda c: item(c, note=f"{c.department.name}牵头，{_due(c.deadline)}", late=True)))
    elif can(user, "creation.run_campaign") and user.department_id:
        rows = (SpecialCampaign.objects.visible_to(user).filter(department=user.department_id, status=CampaignStatus.ACTIVE)
                .order_by("deadline"))
        queues.append(queue("campaigns", "本部门牵头的专项整治", rows, lambda c: item(c, note=_due(c.deadline), late=c.overdue)))
    return queues


def _task_note(task):
    note = _due(task.due_on)
    if task.live is not None and task.live.target:
        note += f"，实际 {task.live.measured or '无数据'}，要求 {task.live.target}"
    return note


@work_queue(order=90)
def quick_entry(user):
    """A village's grid worker or cadre: buttons to the entry forms of the ledgers they fill most
    (their own records in the audit log, one query), then the others they may write."""
    if user.division.level != Level.VILLAGE:
        return []
    writable = {ledger.model._meta.label_lower: ledger for ledger in LEDGERS.values() if can_write(ledger.model, user)}
    if not writable:
        return []
    counts = dict(
        AuditEvent.objects.filter(actor=user, action="create", object_type__in=list(writable))
        .values_list("object_type").annotate(n=Count("id")).values_list("object_type", "n")
    )
    ranked = sorted(writable, key=lambda label: (-counts.get(label, 0), writable[label].title))[:QUICK]
    buttons = [(f"录入{writable[label].title}", reverse("ledger-add", args=[writable[label].slug])) for label in ranked]
    return [Queue("quick-entry", "常用台账录入", buttons=buttons)]


QUICK = 6  # quick-entry buttons


# -- 领导包村 -----------------------------------------------------------------------------------------

def _leaders(user, village):
    return Leadership.objects.visible_to(user).filter(village=village).select_related("leader")


@village_panel
def leaders_panel(request, village):
    """The village's 包村领导 (names and positions), for whoever reads the village's business."""
    if not can_read(Leadership, request.user):
        return None
    leaders = compiled.rows(_leaders, village.pk, user=request.user)
    return "creation/leaders_panel.html", {"leaders": leaders, "village": village}


@town_panel
def town_leaders_panel(request, town):
    """The town's 领导包村 at a glance (town page, dashboard): each leader with the villages they cover."""
    if not can_read(Leadership, request.user):
        return None
    by_leader = {}
    for a in Leadership.objects.visible_to(request.user).filter(village__parent=town).select_related("leader", "village"):
        by_leader.setdefault((a.leader, a.position), []).append(a.village)
    return "creation/town_leaders_panel.html", {"town": town, "leaders": sorted(by_leader.items(), key=lambda kv: kv[0][0].username)}


@work_queue(order=30)
def covered_villages(user):
    """A town leader's 我的待办: the villages they cover, each with what is open there (two queries)."""
    villages = list(Leadership.objects.filter(leader=user).select_related("village").order_by("village__code"))
    if not villages:
        return []
    ids = [a.village_id for a in villages]
    open_plans = dict(
        RectificationPlan.objects.filter(village__in=ids, status__in=PLAN_EDITABLE).values_list("village")
        .annotate(n=Count("id")).values_list("village", "n")
    )
    late = dict(
        RectificationPlan.objects.filter(RectificationPlan.overdue_q(), village__in=ids).values_list("village")
        .annotate(n=Count("id")).values_list("village", "n")
    )
    items = [
        QueueItem(("org.division", a.village_id), a.village.name, reverse("division", args=[a.village.code]),
                  f"{a.position}包村；未销号整改 {open_plans.get(a.village_id, 0)} 项，其中逾期 {late.get(a.village_id, 0)} 项",
                  late=bool(late.get(a.village_id)))
        for a in villages
    ]
    return [Queue("covered-villages", "我包联的村", items, len(items), reverse("leaders"))]
