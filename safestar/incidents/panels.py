from safestar.clock import today
from safestar.core import edge
from safestar.core.panels import nav_entry, village_panel
from safestar.core.scope import can_read
from safestar.org.models import Division

from .metrics import three_zero
from .models import Incident, ZeroCategory


@village_panel
def three_zero_panel(request, village):
    """三零 status of the village for a year (?year=, default this year), from recognised incidents."""
    if not can_read(Incident, request.user):
        return None
    year = edge.year(request.GET.get("year")) or today().year
    counts = three_zero(year, Division.objects.filter(pk=village.pk)).get(village.pk, {})
    items = [(c.label, counts.get(c.value, 0)) for c in ZeroCategory]
    return "incidents/three_zero_panel.html", {"year": year, "items": items, "village": village,
                                               "achieved": all(n == 0 for _, n in items)}


nav_entry(90, "案事件类别", "incident-kinds", lambda user: user.spec.manages_departments)
