"""What can be done in creation and supervision: applying, deciding, tasks, inspections, findings,
rectifications, campaigns (each status change a transition), and the overdue rules. Who may do
what is asked of `can()` (safestar/org/roles.py)."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from safestar.audit.log import record
from safestar.clock import today
from safestar.core import compiled
from safestar.core.saving import STALE, Conflict, save_form
from safestar.core.scope import can_read
from safestar.core.transitions import Refused, check, guard, perform, perform_all
from safestar.org.roles import can
from safestar.schemes.kinds import EPSILON, kind_of

from .models import (
    PLAN_EDITABLE, TASK_EDITABLE, Application, ApplicationStatus, CampaignStatus, Finding, FindingKind, PlanStatus,
    RectificationPlan, SpecialCampaign, Task, TaskBasis, TaskStatus,
)

def _require(user, action, refusal):
    if not can(user, action):
        raise Refused(refusal)


TASK_DUE = (11, 30)  # generated tasks are due before the year-end evaluation (年度评查)
PLAN_DAYS = 30  # default rectification deadline after the finding


# -- applications --------------------------------------------------------------------------------

def apply(village, scheme, user, note=""):
    """A new application (or a rejected one applied for again). Returns the application; raises
    Refused when the village already applied (also when two people apply at the same moment) or
    when the rejected application changed meanwhile."""
    _require(user, "creation.apply", Application.flow["reapply"].refusal(None))
    with transaction.atomic():
        existing = Application.objects.filter(village=village, scheme=scheme).first()
        if existing is not None:
            if existing.status != ApplicationStatus.REJECTED:
                raise Refused(f"{village.name}已申请{scheme.year}年{scheme.star}创建（{existing.get_status_display()}），不能重复申请。")
            # one conditional update: the new applicant, time and note, and the old decision cleared
            done = perform(existing, "reapply", user, comment=note,
                           updates={"applied_by": user, "applied_at": timezone.now(), "note": note,
                                    "decided_by": None, "decided_at": None, "reason": ""})
            if not done:
                raise Refused(f"{village.name}的创建申请状态已被他人更改，本次申请未提交，请查看最新状态。")
            return existing
        try:
            with transaction.atomic():  # a savepoint: someone else's application may have been saved since the check
                application = Application.objects.create(
                    village=village, scheme=scheme, year=scheme.year, note=note, applied_by=user, applied_at=timezone.now(), created_by=user
                )
        except IntegrityError:
            raise Refused(f"{village.name}已申请{scheme.year}年{scheme.star}创建（刚由他人提交），不能重复申请。") from None
        record("create", application, actor=user, changes={"status": [None, ApplicationStatus.APPLIED.label], "note": [None, note]})
    return application


def confirm(application, user, reason=""):
    """Confirm (the village becomes a 创建主体) and generate its task list from the scheme."""
    with transaction.atomic():
        done = perform(application, "confirm", user, comment=reason,
                       updates={"decided_by": user, "decided_at": timezone.now(), "reason": reason})
        if done:
            generate_tasks(application, user)
    return done


def confirm_batch_of(user):
    """(applications `user` may confirm now, [(application, why not)]) in the user's scope: waiting
    ones, less those the user filed (the step's `not_by`, which perform_all does not check)."""
    step = Application.flow["confirm"]
    waiting = list(Application.objects.writable_by(user).filter(status__in=step.source).select_related("village", "scheme")
                   .order_by("year", "village__code"))
    own = [a for a in waiting if any(getattr(a, f"{h}_id") == user.pk for h in step.not_by)]
    return [a for a in waiting if a not in own], [(a, step.own_refusal) for a in own]


def confirm_all(user, expected, reason=""):
    """Confirm every application the town office saw on the confirmation page (`expected`: their
    ids) through perform_all, all or none, and generate each one's task list; Refused when the list
    changed meanwhile."""
    step = Application.flow["confirm"]
    _require(user, step.action, step.refusal(None))
    reason = reason.strip()[:200]
    with transaction.atomic():
        ready, _ = confirm_batch_of(user)
        if not expected or sorted(a.pk for a in ready) != sorted(expected):
            raise Refused("待确认的创建申请已有变化，本次未确认，请重新确认。")
        moved = perform_all(Application.objects.filter(pk__in=expected), "confirm", user, subject=user.division,
                            describe=f"批量确认创建申请：{len(ready)} 个村",
                            changes=lambda moved: {"applications": [None, "、".join(str(a) for a in ready)]},
                            updates={"decided_by": user, "decided_at": timezone.now(), "reason": reason})
        if moved != len(ready):
            raise Refused("待确认的创建申请已有变化，本次未确认，请重新确认。")
        for application in ready:
            application.refresh_from_db()
            generate_tasks(application, user)
    return moved


def reject(application, user, reason):
    return perform(application, "reject", user, comment=reason,
                   updates={"decided_by": user, "decided_at": timezone.now(), "reason": reason})


def task_basis(indicator):
    """How the task for a scheme indicator is completed: a manual indicator by a person with evidence,
    an outcome (零发案) is kept all year, any other computed indicator by being met."""
    kind = kind_of(indicator.rule)
    if kind.manual:
        return TaskBasis.MANUAL
    return TaskBasis.OUTCOME if kind.outcome else TaskBasis.INDICATOR


def task_due(application):
    return datetime.date(application.year, *TASK_DUE)


def generate_tasks(application, user):
    """One task per indicator of the scheme, due before the year's evaluation (an outcome task has
    no due date: 全年保持); the applying village cadre is responsible until the village names
    someone else."""
    if application.tasks.filter(indicator__gt="").exists():
        return 0
    responsible = application.applied_by if application.applied_by.spec.allows("creation.be_responsible") else None
    due = task_due(application)
    tasks = []
    for category in application.scheme.spec.categories:
        for indicator in category.indicators:
            basis = task_basis(indicator)
            tasks.append(Task(village=application.village, application=application, indicator=indicator.code, category=category.title,
                              title=indicator.title, basis=basis, responsible=responsible,
                              due_on=None if basis == TaskBasis.OUTCOME else due, created_by=user))
    Task.objects.bulk_create(tasks)
    record("create", application, actor=user, object_repr=f"生成创建任务：{application}", changes={"tasks": [0, len(tasks)]})
    return len(tasks)


def starting_overdue(application):
    """(tasks that would be overdue the day they are generated, tasks due within 30 days): what
    confirming the application now means, warned before the town office confirms late in the year.
    Outcome tasks have no due date and are never counted."""
    due = task_due(application)
    dated = sum(1 for i in application.scheme.spec.indicators() if task_basis(i) != TaskBasis.OUTCOME)
    now = today()
    if due < now:
        return dated, 0
    return 0, dated if (due - now).days <= 30 else 0


@dataclass(frozen=True)
class State:
    """An indicator's live state for one village: met (None: undetermined), what was measured, the target."""

    met: bool | None
    measured: str
    target: str
    reason: str = ""


def task_states(tasks):
    """Set `live` (a State) on every indicator and outcome task of `tasks` (Task objects), from each
    village's live result by the task's scheme (schemes.services.results: reused while nothing it
    reads has changed, else one evaluation per scheme over the villages concerned, with the facts'
    one query plan). The number of queries does not grow with the number of tasks or villages.
    Returns `tasks`."""
    from safestar.org.models import Division
    from safestar.schemes.services import results

    tasks = list(tasks)
    wanted = [t for t in tasks if t.basis != TaskBasis.MANUAL and t.application_id and t.indicator]
    if not wanted:
        return tasks
    # the applications with their schemes and villages (names for the results), in one query
    applications = {a.pk: a for a in compiled.rows(_applications, *sorted({t.application_id for t in wanted}))}
    by_scheme = {}
    for t in wanted:
        by_scheme.setdefault(applications[t.application_id].scheme_id, []).append(t)
    for group in by_scheme.values():
        scheme = applications[group[0].application_id].scheme
        villages = {applications[t.application_id].village for t in group}
        rows = sorted((v.pk, v.code, v.name) for v in villages)
        found = {r.village: {i.code: i for i in r.indicators}
                 for r in results(scheme, Division.objects.filter(pk__in=[row[0] for row in rows]), rows=rows)}
        for t in group:
            indicator = found[applications[t.application_id].village_id].get(t.indicator)
            if indicator is None:
                t.live = State(None, "", "", f"方案中已没有指标 {t.indicator}")
                continue
            met = None if indicator.awarded is None else indicator.awarded >= indicator.points - EPSILON
            t.live = State(met, indicator.measured, indicator.target, indicator.reason)
    return tasks


def _applications(user, *ids):
    return Application.objects.select_related("scheme", "village").filter(pk__in=ids)


def _tasks(user, *applications):
    return Task.objects.filter(application__in=applications).order_by("indicator", "id")


def live_progress(applications):
    """Set n_tasks, n_done, n_overdue and `task_list` (the tasks with their live state) on each of
    `applications`: one query for their tasks, then task_states (one evaluation per scheme)."""
    applications = list(applications)
    tasks = task_states(compiled.rows(_tasks, *(a.pk for a in applications)) if applications else [])
    per = {}
    for t in tasks:
        per.setdefault(t.application_id, []).append(t)
    for a in applications:
        a.task_list = per.get(a.pk, [])
        a.n_tasks = len(a.task_list)
        a.n_done = sum(t.done for t in a.task_list)
        a.n_overdue = sum(t.overdue for t in a.task_list)
    return applications


def progress_by_category(application, tasks=None):
    """[(category, done, total)] in the scheme's order: indicator and outcome tasks count as done
    while met (their live state; `tasks`: the application's tasks with it, else fetched)."""
    if tasks is None:
        tasks = task_states(application.tasks.all())
    counts = {}
    for t in tasks:
        done, total = counts.get(t.category, (0, 0))
        counts[t.category] = (done + t.done, total + 1)
    order = [c.title for c in application.scheme.spec.categories] + sorted(set(counts) - {c.title for c in application.scheme.spec.categories})
    return [(name or "镇平安办布置", *counts[name]) for name in order if name in counts]


# -- tasks -----------------------------------------------------------------------------------------

def complete_task(task, user, evidence):
    check(task, "complete", user)  # who first: a village is told a campaign's task is not its to complete
    if task.basis != TaskBasis.MANUAL:
        raise Refused(automatic_refusal(task))
    if not evidence.strip() and not task.links:
        raise Refused("请填写完成情况，或关联台账记录、上传佐证材料后再标记完成。")
    return perform(task, "complete", user, comment=evidence,
                   updates={"completed_by": user, "completed_on": today(), "evidence": evidence})


def automatic_refusal(task):
    """Why an indicator or outcome task is not marked done by hand, with its live state."""
    state = task_states([task])[0].live
    now = f"目前{state.measured or '无数据'}，要求{state.target}" if state and state.target else "目前无法计算"
    if task.basis == TaskBasis.OUTCOME:
        return f"该任务为全年保持（{task.get_basis_display()}）：指标{task.indicator}随年度内经认定的案事件自动判断（{now}），不能人工标记完成。"
    return f"该任务随指标{task.indicator}达标自动完成（{now}），不能人工标记完成；请补充台账记录使指标达标。"


def reopen_task(task, user, comment):
    check(task, "reopen", user, comment)
    with transaction.atomic():
        if task.campaign_id is not None:
            # the campaign row is locked as complete_campaign locks it: a task is not reopened under a campaign being closed
            campaign = SpecialCampaign.objects.select_for_update().get(pk=task.campaign_id)
            if campaign.status == CampaignStatus.COMPLETED:
                raise Refused(f"专项整治“{campaign.title}”已完成，不能退回其中的任务。")
        return perform(task, "reopen", user, comment=comment, updates={"completed_on": None})


TASK_FIELDS = ["title", "responsible", "due_on"]  # what the audit log records of a task's edits


def add_task(application, form, user):
    """The town office's own task on a confirmed application's list (TaskForm)."""
    _require(user, "creation.assign_task", "只有镇平安办可以布置任务。")
    return save_form(form, user, TASK_FIELDS, values={"village": application.village, "application": application})


def edit_task(task, form, user):
    """The responsible person, a linked ledger record, and (the town office) title and deadline
    (TaskEditForm): only while the task is open, so a task completed meanwhile stays completed."""
    link = form.cleaned_data["link"]
    values = {"links": [*task.links, link]} if link and link not in task.links else None
    return save_form(form, user, TASK_FIELDS, where={"status__in": TASK_EDITABLE}, values=values,
                     changes={"links": [None, link["label"]]} if link else None)


# -- inspections, findings, plans ------------------------------------------------------------------

def plan_inspection(form, user):
    """An inspection the town office plans in its town (InspectionForm)."""
    _require(user, "creation.inspect", "只有镇平安办可以安排督导检查。")
    return save_form(form, user, ["title", "planned_on", "villages", "departments"], values={"town": user.division})


def hold_inspection(inspection, user, held_on, note):
    return perform(inspection, "hold", user, comment=note, updates={"held_on": held_on, "note": note})


def add_finding(inspection, user, *, village, description, severity, kind, indicator="", deadline=None, measures=""):
    """A finding; an individual one gets its rectification plan at once (deadline default 30 days)."""
    _require(user, "creation.inspect", "只有镇平安办可以登记督导发现的问题。")
    with transaction.atomic():
        finding = Finding.objects.create(
            inspection=inspection, village=village, description=description, severity=severity, kind=kind,
            indicator=indicator, found_on=inspection.held_on or today(), created_by=user,
        )
        record("create", finding, actor=user, changes={"description": [None, description], "kind": [None, finding.get_kind_display()]})
        if kind == FindingKind.INDIVIDUAL:
            plan = RectificationPlan.objects.create(
                finding=finding, village=village, measures=measures, responsible=village_responsible(village),
                deadline=deadline or finding.found_on + datetime.timedelta(days=PLAN_DAYS), created_by=user,
            )
            record("create", plan, actor=user, changes={"deadline": [None, str(plan.deadline)],
                                                        "responsible": [None, str(plan.responsible or "")]})
    return finding


def village_responsible(village):
    """Who a new rectification plan reaches at once: the village's cadre who applied for its latest
    confirmed application, else its first active cadre (the village names someone else on the plan's page).
    The plan is in every village worker's 我的待办 (本村待整改) either way."""
    from safestar.org.models import User
    from safestar.org.roles import holders

    people = User.objects.filter(division=village, is_active=True, role__in=holders("creation.apply")).filter(
        role__in=holders("creation.be_responsible"))
    applicant = (Application.objects.filter(village=village, status=ApplicationStatus.CONFIRMED, applied_by__in=people)
                 .order_by("-year").values_list("applied_by", flat=True).first())
    return people.filter(pk=applicant).first() if applicant else people.order_by("id").first()


def edit_plan(plan, form, user):
    """The village's measures and responsible person (PlanForm), while the plan is being rectified."""
    return save_form(form, user, ["measures", "responsible"], where={"status__in": PLAN_EDITABLE})


def report_progress(plan, form, user):
    """A progress report (ProgressForm) on a plan still being rectified."""
    with transaction.atomic():
        if not guard(plan, PLAN_EDITABLE):
            raise Conflict(message=STALE)
        return save_form(form, user, ["text"], values={"plan": plan, "village_id": plan.village_id},
                         describe=lambda progress: f"整改进展：{plan}")


def submit_plan(plan, user, comment=""):
    check(plan, "submit", user, comment)
    if not plan.measures.strip():
        raise Refused("请先填写整改措施，再提交验收。")
    return perform(plan, "submit", user, comment=comment, updates={"submitted_by": user})


def verify_plan(plan, user, comment=""):
    return perform(plan, "verify", user, comment=comment, updates={"closed_on": today()})


def reopen_plan(plan, user, comment):
    return perform(plan, "reopen", user, comment=comment)


# -- campaigns ---------------------------------------------------------------------------------------

def create_campaign(user, *, town, title, department, villages, deadline, description="", findings=()):
    """A campaign, one task per village, and the chosen common findings (only those no other campaign
    took meanwhile: otherwise nothing is created and Refused says so)."""
    _require(user, "creation.deploy_campaign", "只有镇平安办可以部署专项整治。")
    finding_ids = sorted(f.pk for f in findings)
    with transaction.atomic():
        campaign = SpecialCampaign.objects.create(town=town, title=title, department=department, deadline=deadline,
                                                  description=description, created_by=user)
        campaign.villages.set(villages)
        taken = Finding.objects.filter(pk__in=finding_ids, campaign__isnull=True).update(campaign=campaign)
        if taken != len(finding_ids):
            raise Refused("所选的共性问题中有的已列入其他专项整治，本次未部署，请刷新后重新选择。")
        Task.objects.bulk_create([
            Task(village=v, campaign=campaign, title=f"专项整治：{title}", due_on=deadline, created_by=user) for v in villages
        ])
        changes = {"villages": [None, "、".join(v.name for v in villages)], "department": [None, department.name],
                   "deadline": [None, str(deadline)]}
        if finding_ids:
            changes["findings"] = [None, finding_ids]
        record("create", campaign, actor=user, changes=changes)
    return campaign


def complete_campaign(campaign, user, comment=""):
    check(campaign, "complete", user, comment)
    with transaction.atomic():
        # lock the campaign row (reopen_task locks it too), then count the open tasks under the lock
        SpecialCampaign.objects.select_for_update().filter(pk=campaign.pk).first()
        if Task.objects.filter(campaign=campaign, status=TaskStatus.OPEN).exists():
            raise Refused("还有村的整治任务未完成，不能结束专项整治。")
        return perform(campaign, "complete", user, comment=comment, updates={"completed_on": today()})


# -- leadership (领导包村) -------------------------------------------------------------------------------

def assign_leader(form, user):
    """A town leader assigned to a village (LeadershipForm), audited."""
    _require(user, "creation.assign_leaders", "只有镇平安办可以安排领导包村。")
    try:
        with transaction.atomic():
            return save_form(form, user, ["village", "leader", "position", "since"])
    except IntegrityError:  # the same assignment saved by someone else a moment ago
        data = form.cleaned_data
        raise Refused(f"{data['leader']}已包{data['village'].name}（刚由他人安排），不能重复安排。") from None


def remove_leader(leadership, user):
    """The assignment ended: deleted, the audit log keeps who covered the village until when."""
    _require(user, "creation.assign_leaders", "只有镇平安办可以安排领导包村。")
    with transaction.atomic():
        record("delete", leadership, actor=user, changes={"leader": [str(leadership.leader), None], "position": [leadership.position, None],
                                                          "until": [None, str(today())]})
        leadership.delete()


# -- overdue ------------------------------------------------------------------------------------------

def overdue_tasks(queryset):
    """The overdue candidates as a query (open, past the due date): the API's filter. The pages use
    late_tasks, which also drops the indicator tasks whose indicator is met."""
    return queryset.filter(Task.overdue_q())


def late_tasks(queryset, limit=200):
    """[Task] of `queryset` overdue now, live: an indicator task is not overdue while met."""
    return [t for t in task_states(overdue_tasks(queryset)[:limit]) if t.overdue]


def pending_tasks(queryset, limit=200):
    """[Task] of `queryset` still to be done, live: open manual tasks, unmet indicator tasks (an
    outcome task is kept all year and listed only when broken)."""
    return [t for t in task_states(queryset.filter(status=TaskStatus.OPEN)[:limit]) if not t.done]


def overdue_plans(queryset):
    return queryset.filter(RectificationPlan.overdue_q())


def overdue_campaigns(queryset):
    return queryset.filter(SpecialCampaign.overdue_q())


def home_todo(user):
    """The home page's flags: [(label, count, is_overdue)] of what waits for the user, or [] when the
    role has no creation work (two to three counting queries)."""
    if not can_read(Task, user):
        return []
    tasks = Task.objects.visible_to(user)
    own = pending_tasks(tasks.filter(responsible=user), limit=1000)
    mine = {"n": len(own), "late": sum(t.overdue for t in own), "scope_late": len(late_tasks(tasks, limit=1000))}
    plans = RectificationPlan.objects.visible_to(user).aggregate(
        n=Count("id", filter=Q(responsible=user, status=PlanStatus.OPEN)),
        late=Count("id", filter=RectificationPlan.overdue_q()),
        waiting=Count("id", filter=Q(status=PlanStatus.SUBMITTED)),
    )
    rows = [("由我负责的任务", mine["n"], False), ("其中逾期", mine["late"], True), ("由我负责的整改", plans["n"], False),
            ("范围内逾期的任务", mine["scope_late"], True), ("范围内逾期的整改", plans["late"], True)]
    if can(user, "creation.verify_rectification"):
        rows.append(("待验收的整改", plans["waiting"], False))
    return rows
