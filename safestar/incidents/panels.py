from functools import cached_property

from django.urls import reverse

from safestar.clock import today
from safestar.core import edge
from safestar.core.metrics import Counts
from safestar.core.panels import home_part, item, nav_entry, queue, village_panel, work_queue
from safestar.core.scope import can_read

from .metrics import three_zero_years
from .models import Incident, ZeroCategory
from .services import pending_recognition


@village_panel
def three_zero_panel(request, village):
    """三零 status of the village for a year (?year=, chosen on the panel; default this year), from
    recognised incidents. The years offered: this year and every year the village has incidents in."""
    if not can_read(Incident, request.user):
        return None
    year = edge.year(request.GET.get("year")) or today().year
    return "incidents/three_zero_panel.html", {"year": year, "three_zero": _ThreeZero(year, village), "village": village}


class _ThreeZero:
    """The panel's years and counts, read when the template shows them: with the page's other counts,
    in one query (core/panels.py render_panels, metrics.batched)."""

    def __init__(self, year, village):
        self.year = year
        self._years, counts = three_zero_years(year, village)
        self._counts = Counts(village.pk, **counts)

    @cached_property
    def years(self):
        """This year, the chosen one and every year the village has incidents in, newest first."""
        return sorted(set(self._years) | {today().year, self.year}, reverse=True)

    @cached_property
    def items(self):
        return [(c.label, self._counts[c.value]) for c in ZeroCategory]

    @property
    def achieved(self):
        return all(n == 0 for _, n in self.items)


nav_entry(90, "案事件类别", "incident-kinds", lambda user: user.spec.manages_departments)
nav_entry(35, "待认定案事件", "incident-queue", lambda user: Incident.flow.may(user, "recognise"))


@home_part("todo", order=30)
def recognition_todo(request):
    """The incidents waiting for recognition, in the home page's 我的待办 card (creation's), for those who recognise."""
    if not Incident.flow.may(request.user, "recognise"):
        return None
    return "incidents/home_queue.html", {"pending_incidents": pending_recognition(request.user).count()}


@work_queue(order=5)
def recognition_queue(user):
    """待认定案事件: the incidents in the user's scope waiting for the county's recognition (认定),
    for whoever holds the step of the incident's transition table."""
    if not can_read(Incident, user) or not Incident.flow.may(user, "recognise"):
        return []
    rows = (Incident.objects.visible_to(user).alive().filter(recognised=False).select_related("division", "kind")
            .order_by("occurred_on", "id"))
    return [queue("to-recognise-incidents", "待认定案事件", rows,
                  lambda i: item(i, note=f"{i.division.name}，{i.kind.name}，{i.occurred_on:%Y-%m-%d}",
                                 url=reverse("ledger-detail", args=["incidents", i.pk])))]
