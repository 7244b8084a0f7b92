from safestar.core.panels import nav_entry, village_panel
from safestar.org.roles import can

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
