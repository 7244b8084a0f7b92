import datetime

from django.conf import settings
from django.db.models import Q

from safestar import clock
from safestar.core.panels import QueueItem, item, nav_entry, queue, village_panel, work_queue
from safestar.org.roles import Level, can

from .models import Entry, Late, Round, StarRecord


@village_panel
def evaluation_panel(request, village):
    """The village's entries in evaluation rounds and its star history."""
    if not can(request.user, "evaluation.view"):
        return None
    entries = list(Entry.objects.visible_to(request.user).filter(village=village).select_related("round__scheme", "round__area"))
    stars = list(StarRecord.objects.visible_to(request.user).filter(village=village).select_related("incident"))
    if not entries and not stars:
        return None
    return "evaluation/panel.html", {"entries": entries, "stars": stars, "village": village}


nav_entry(70, "年度评查", "evaluation-rounds", lambda user: can(user, "evaluation.view"))


@work_queue(order=10)
def evaluation_queues(user):
    """我的待办 of the evaluation: the village's returned self-assessments, the town's entries to
    review, the county's entries to evaluate and to recognise; each step asked of the transition
    table (its action, and never what the user handled: `not_by`)."""
    queues = []
    entries = Entry.objects.visible_to(user).select_related("round__scheme", "round__area", "village")

    def waiting(key, title, step, note):
        transition = Entry.flow[step]
        if not can(user, transition.action):
            return
        rows = entries.filter(status__in=transition.source)
        for handler in transition.not_by:
            rows = rows.exclude(**{handler: user})
        queues.append(queue(key, title, rows.order_by("round__town_deadline", "village__code"), lambda e: item(e, note=note(e))))

    queues.extend(deadline_queues(user, entries))
    waiting("late-self", "待同意的逾期自评", "admit", lambda e: f"村自评截止 {e.round.self_deadline:%Y-%m-%d}，逾期提交，须本镇同意后进入初审")
    waiting("late-forward", "待同意的逾期报送", "admit_forward",
            lambda e: f"乡镇初审截止 {e.round.town_deadline:%Y-%m-%d}，逾期报送，须县级同意后进入县级评查")
    if user.division.level == Level.VILLAGE and can(user, "evaluation.self_assess"):
        rows = entries.filter(status=Entry.Status.RETURNED).order_by("village__code")
        queues.append(queue("returned", "退回修改的自评", rows, lambda e: item(e, note=f"退回原因：{e.return_reason}", late=True)))
    waiting("town-review", "待乡镇初审", "review", lambda e: f"初审截止 {e.round.town_deadline:%Y-%m-%d}")
    waiting("county-review", "待县级评查", "evaluate", lambda e: f"县级评查截止 {e.round.county_deadline:%Y-%m-%d}")
    waiting("to-recognise", "待认定的评查结果", "recognise", lambda e: "县级已评查")
    return queues


# The deadline of each stage, reminded to whoever takes the step that ends it: (queue key, title,
# the step, the round's deadline field, the stage's name, the level the person sits at or None).
DEADLINES = (
    ("self-deadline", "村自评截止提醒", "submit", "self_deadline", "村自评", Level.VILLAGE),
    ("town-deadline", "乡镇初审截止提醒", "review", "town_deadline", "乡镇初审", None),
    ("forward-deadline", "报送县级截止提醒", "forward", "town_deadline", "乡镇报送县级评查", Level.TOWN),
    ("county-deadline", "县级评查截止提醒", "evaluate", "county_deadline", "县级评查", None),
)
DEADLINE_LABEL = "evaluation.entry-deadline"  # the items' key: an entry's reminder is an event of its own, besides its queue


def deadline_queues(user, entries):
    """The entries in the user's scope whose stage ends with a step the user takes, and whose round's
    deadline for that stage is at most SAFESTAR_DEADLINE_REMINDER_DAYS away (one notice each) or has
    passed (a second notice, marked 逾期): one query for all the stages."""
    today = clock.today()
    soon = today + datetime.timedelta(days=settings.SAFESTAR_DEADLINE_REMINDER_DAYS)
    stages, where = [], Q()
    for key, title, step, field, stage, level in DEADLINES:
        transition = Entry.flow[step]
        if (level is not None and user.division.level != level) or not can(user, transition.action):
            continue
        condition = Q(status__in=transition.source, **{f"round__{field}__lte": soon})
        for handler in transition.not_by:
            condition &= ~Q(**{handler: user})
        stages.append((key, title, transition, field, stage))
        where |= condition
    if not stages:
        return []
    rows = list(entries.filter(where, round__status=Round.Status.OPEN).order_by("round__self_deadline", "village__code"))
    queues = []
    for key, title, transition, field, stage in stages:
        mine = [e for e in rows if e.status in transition.source]
        mine.sort(key=lambda e: (getattr(e.round, field), e.village.code))
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
    return QueueItem((DEADLINE_LABEL, entry.pk), str(entry), entry.get_absolute_url(), note, deadline < today)
