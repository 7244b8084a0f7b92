from safestar.core.panels import village_panel
from safestar.core.scope import can_read

from . import services
from .models import Application, PlanStatus, RectificationPlan


@village_panel
def creation_panel(request, village):
    """The village's creation: its applications with task progress, overdue tasks, open rectifications."""
    if not can_read(Application, request.user):
        return None
    applications = list(
        Application.objects.visible_to(request.user).filter(village=village).select_related("scheme")
        .with_progress().order_by("-year")[:3]
    )
    latest = next((a for a in applications if a.n_tasks), None)
    categories = services.progress_by_category(latest) if latest else []  # one query
    plans = RectificationPlan.objects.visible_to(request.user).filter(village=village).exclude(status=PlanStatus.CLOSED)
    return "creation/panel.html", {"applications": applications, "village": village, "open_plans": plans.count(), "latest": latest, "categories": categories,
                                   "overdue_plans": plans.filter(RectificationPlan.overdue_q()).count()}
