import datetime

from django.conf import settings
from django.db.models import Q

from safestar import clock
from safestar.core import compiled
from safestar.core.panels import item, nav_entry, queue, village_panel, work_queue
from safestar.org.roles import Level, can

from .models import Entry, Late, Round, StarRecord


def _entries(user, village):
    return Entry.objects.visible_to(user).filter(village=village).select_related("round__scheme", "round__area")


def _stars(user, village):
    return StarRecord.objects.visible_to(user).filter(village=village).select_related("incident")


@village_panel
def evaluation_panel(request, village):
    """The village's entries in evaluation rounds and its star history."""
    if not can(request.user, "evaluation.view"):
        return None
    entries = compiled.rows(_entries, village.pk, user=request.user)
    stars = compiled.rows(_stars, village.pk, user=request.user)
    if not entries and not stars:
        return None
    return "evaluation/panel.html", {"entries": entries, "stars": stars, "village": village}


nav_entry(70, "年度评查", "evaluation-rounds", lambda user: can(user, "evaluation.view"))


@work_queue(order=10)
def evaluation_queues(user):
    """我的待办 of the evaluation: late submissions waiting for the town's or the county's consent,
    the village's returned self-assessments, the stages whose deadline is near (or passed), the
    town's entries to review, the county's entries to evaluate and to recognise; each step asked of
    the transition table (its action, and never what the user handled: `not_by`). An item is listed
    once (core/panels.py my_queues): an entry whose deadline is near shows under its reminder, and
    after the deadline back in its stage's queue, marked 逾期 — three notices in all."""
    queues = []
    today = clock.today()
    entries = Entry.objects.visible_to(user).select_related("round__scheme", "round__area", "village")

    def waiting(key, title, step, note, deadline=None):
        transition = Entry.flow[step]
        if not can(user, transition.action):
            return
        rows = entries.filter(status__in=transition.source)
        for handler in transition.not_by:
            rows = rows.exclude(**{handler: user})
        late = (lambda e: getattr(e.round, deadline) < today) if deadline else (lambda e: False)
        queues.append(queue(key, title, rows.order_by("round__town_deadline", "village__code"),
                            lambda e: item(e, note=note(e), late=late(e))))

    waiting("late-self", "待同意的逾期自评", "admit", lambda e: f"村自评截止 {e.round.self_deadline:%Y-%m-%d}，逾期提交，须本镇同意后进入初审")
    waiting("late-forward", "待同意的逾期报送", "admit_forward",
            lambda e: f"乡镇初审截止 {e.round.town_deadline:%Y-%m-%d}，逾期报送，须县级同意后进入县级评查")
    if user.division.level == Level.VILLAGE and can(user, "evaluation.self_assess"):
        rows = entries.filter(status=Entry.Status.RETURNED).order_by("village__code")
        queues.append(queue("returned", "退回修改的自评", rows, lambda e: item(e, note=f"退回原因：{e.return_reason}", late=True)))
    queues.extend(deadline_queues(user, entries, today))
    waiting("town-review", "待乡镇初审", "review", lambda e: f"初审截止 {e.round.town_deadline:%Y-%m-%d}", "town_deadline")
    waiting("county-review", "待县级评查", "evaluate", lambda e: f"县级评查截止 {e.round.county_deadline:%Y-%m-%d}", "county_deadline")
    waiting("to-recognise", "待认定的评查结果", "recognise", lambda e: "县级已评查")
    return queues


# The deadline of each stage, reminded to whoever takes the step that ends it: (queue key, title,
# the step, the round's deadline field, the stage's name, the level the person sits at or None,
# whether the entries stay here once it has passed — else they go back to their stage's queue, 逾期).
DEADLINES = (
    ("self-deadline", "村自评截止提醒", "submit", "self_deadline", "村自评", Level.VILLAGE, True),
    ("town-deadline", "乡镇初审截止提醒", "review", "town_deadline", "乡镇初审", None, False),
    ("forward-deadline", "报送县级截止提醒", "forward", "town_deadline", "乡镇报送县级评查", Level.TOWN, True),
    ("county-deadline", "县级评查截止提醒", "evaluate", "county_deadline", "县级评查", None, False),
)


def deadline_queues(user, entries, today):
    """The entries in the user's scope whose stage ends with a step the user takes, and whose round's
    deadline for that stage is at most SAFESTAR_DEADLINE_REMINDER_DAYS away (one notice each) or,
    for the stages without a queue of their own, has passed (a second notice, marked 逾期): one
    query for all the stages."""
    soon = today + datetime.timedelta(days=settings.SAFESTAR_DEADLINE_REMINDER_DAYS)
    stages, where = [], Q()
    for key, title, step, field, stage, level, after in DEADLINES:
        transition = Entry.flow[step]
        if (level is not None and user.division.level != level) or not can(user, transition.action):
            continue
        condition = Q(status__in=transition.source, **{f"round__{field}__lte": soon})
        if not after:
            condition &= Q(**{f"round__{field}__gte": today})
        for handler in transition.not_by:
            condition &= ~Q(**{handler: user})
        stages.append((key, title, transition, field, stage))
        where |= condition
    if not stages:
        return []
    rows = list(entries.filter(where, round__status=Round.Status.OPEN).order_by("village__code"))
    queues = []
    for key, title, transition, field, stage in stages:
        mine = sorted((e for e in rows if e.status in transition.source), key=lambda e, field=field: (getattr(e.round, field), e.village.code))
        queues.append(queue(key, title, mine, lambda e, field=field, stage=stage: _deadline_item(e, field, stage, today)))
    return queues


def _deadline_item(entry, field, stage, today):
    deadline = getattr(entry.round, field)
    if deadline >= today:
        left = (deadline - today).days
        note = f"{stage}{deadline:%Y-%m-%d}截止，" + (f"还有 {left} 天" if left else "今天截止")
    else:
        note = f"{stage}已于 {deadline:%Y-%m-%d} 截止，已逾期 {(today - deadline).days} 天"
        if field == "self_deadline":
            approve = (entry.round.self_late or {}).get(str(entry.village.parent_id)) == Late.APPROVE
            note += "；逾期提交须经乡镇同意" if approve else "；逾期提交将标记“逾期”"
        elif field == "town_deadline":
            note += "；逾期报送须经县级同意" if entry.round.town_late == Late.APPROVE else "；逾期报送将标记“逾期”"
    return item(entry, note=note, late=deadline < today)
