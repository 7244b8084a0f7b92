"""Recognition (认定): only a county-level department that shares the incident field, or the county
political-legal committee's evaluators, may recognise an incident or withdraw a recognition
("incidents.recognise", "incidents.withdraw"). Both are steps of the incident's transition table
(models.py), conditional updates, so two people acting at once cannot both succeed."""

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from safestar.core.transitions import perform

from .models import Incident


# Sent inside the recognising transaction (sender: Incident; incident=, user=): the annual evaluation
# withdraws the star of a village whose incident of a recognised year is recognised late.
incident_recognised = Signal()
# Sent inside the withdrawing transaction (same arguments): a star withdrawn because of the incident
# is given back when the village passes without it.
recognition_withdrawn = Signal()


def recognise(incident, user) -> bool:
    with transaction.atomic():
        changed = perform(incident, "recognise", user, where={"deleted_at__isnull": True},
                          updates={"recognised_at": timezone.now(), "recognised_by": user,
                                   "recognising_department": user.department, "withdrawal_reason": ""})
        if changed:
            incident_recognised.send(Incident, incident=incident, user=user)
    return changed


def withdraw(incident, user, reason) -> bool:
    with transaction.atomic():
        # Who recognised it and when stay in the transition log; the record no longer claims it is recognised.
        changed = perform(incident, "withdraw", user, comment=reason,
                          updates={"withdrawal_reason": reason.strip(), "updated_by": user,
                                   "recognised_at": None, "recognised_by": None, "recognising_department": None})
        if changed:
            recognition_withdrawn.send(Incident, incident=incident, user=user)
    return changed


def pending_recognition(user):
    """The alive incidents in `user`'s scope recorded but not recognised (待认定): one queryset, for
    the queue page and the count in 我的待办."""
    return Incident.objects.visible_to(user).alive().filter(recognised=False)
