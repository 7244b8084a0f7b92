from safestar.clock import today
from safestar.core.panels import home_part, nav_entry, village_panel
from safestar.core.scope import can_read
from safestar.core.validators import whole_number
from safestar.org.models import Division

from .metrics import three_zero
from .models import Incident, ZeroCategory
from .services import pending_recognition


@village_panel
def three_zero_panel(request, village):
    """三零 status of the village for a year (?year=, chosen on the panel; default this year), from
    recognised incidents. The years offered: this year and every year the village has incidents in."""
    if not can_read(Incident, request.user):
        return None
    year = whole_number(request.GET.get("year"), 2000, 2100) or today().year
    years = {d.year for d in Incident.objects.alive().filter(division=village).dates("occurred_on", "year")}
    years = sorted(years | {today().year, year}, reverse=True)
    counts = three_zero(year, Division.objects.filter(pk=village.pk)).get(village.pk, {})
    items = [(c.label, counts.get(c.value, 0)) for c in ZeroCategory]
    return "incidents/three_zero_panel.html", {"year": year, "years": years, "items": items, "village": village,
                                               "achieved": all(n == 0 for _, n in items)}


nav_entry(90, "案事件类别", "incident-kinds", lambda user: user.spec.manages_departments)
nav_entry(35, "待认定案事件", "incident-queue", lambda user: Incident.flow.may(user, "recognise"))


@home_part("todo", order=30)
def recognition_todo(request):
    """The incidents waiting for recognition, in the home page's 我的待办 card (creation's), for those who recognise."""
    if not Incident.flow.may(request.user, "recognise"):
        return None
    return "incidents/home_queue.html", {"pending_incidents": pending_recognition(request.user).count()}
