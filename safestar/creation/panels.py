from safestar.core.panels import home_card, home_part, nav_entry, village_panel
from safestar.core.scope import can_read

from . import services
from .models import Application, PlanStatus, RectificationPlan, SpecialCampaign


@village_panel
def creation_panel(request, village):
    """The village's creation: its applications with task progress, overdue tasks, open rectifications."""
    if not can_read(Application, request.user):
        return None
    applications = services.live_progress(  # the tasks' live state: indicator tasks are done while met
        Application.objects.visible_to(request.user).filter(village=village).select_related("scheme").order_by("-year")[:3]
    )
    latest = next((a for a in applications if a.n_tasks), None)
    categories = services.progress_by_category(latest, latest.task_list) if latest else []
    plans = RectificationPlan.objects.visible_to(request.user).filter(village=village).exclude(status=PlanStatus.CLOSED)
    return "creation/panel.html", {"applications": applications, "village": village, "open_plans": plans.count(), "latest": latest, "categories": categories,
                                   "overdue_plans": plans.filter(RectificationPlan.overdue_q()).count()}


nav_entry(50, "创建督导", "applications", lambda user: can_read(Application, user))
nav_entry(60, "我的待办", "my-todo", lambda user: can_read(Application, user) or can_read(SpecialCampaign, user))


home_card("todo", "我的待办", order=20, testid="home-todo")  # key persons add their overdue visits


@home_part("todo", order=10)
def todo_card(request):
    todo = services.home_todo(request.user)
    return ("creation/home_todo.html", {"todo": todo}) if todo else None
