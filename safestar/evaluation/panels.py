from safestar.core.panels import item, nav_entry, queue, village_panel, work_queue
from safestar.org.roles import Level, can

from .models import Entry, StarRecord


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

    if user.division.level == Level.VILLAGE and can(user, "evaluation.self_assess"):
        rows = entries.filter(status=Entry.Status.RETURNED).order_by("village__code")
        queues.append(queue("returned", "退回修改的自评", rows, lambda e: item(e, note=f"退回原因：{e.return_reason}", late=True)))
    waiting("town-review", "待乡镇初审", "review", lambda e: f"初审截止 {e.round.town_deadline:%Y-%m-%d}")
    waiting("county-review", "待县级评查", "evaluate", lambda e: f"县级评查截止 {e.round.county_deadline:%Y-%m-%d}")
    waiting("to-recognise", "待认定的评查结果", "recognise", lambda e: "县级已评查")
    return queues
