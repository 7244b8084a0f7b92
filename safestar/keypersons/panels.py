"""The village page's key-person panel: how many are managed and how many visits are overdue, for
those who may see the registry (counts only; no names)."""

from django.db.models import Count, Q

from safestar.core.panels import village_panel
from safestar.core.scope import can_read

from .models import KeyPerson, Status
from .overdue import overdue_on


@village_panel
def key_person_panel(request, village):
    if not can_read(KeyPerson, request.user):
        return None
    persons = KeyPerson.objects.visible_to(request.user).alive().filter(division=village)
    counts = persons.aggregate(total=Count("id"), managed=Count("id", filter=Q(status=Status.MANAGED)))
    return "keypersons/panel.html", {"village": village, "counts": counts, "overdue": overdue_on(persons).count()}
