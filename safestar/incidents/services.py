"""Recognition (认定): only a county-level department that shares the incident field, or the county
political-legal committee's evaluators, may recognise an incident or withdraw a recognition.
Both are conditional updates, so two people acting at once cannot both succeed."""

from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone

from safestar.audit.log import record

from .models import Incident


# Sent inside the recognising transaction (sender: Incident; incident=, user=): the annual evaluation
# withdraws the star of a village whose incident of a recognised year is recognised late.
incident_recognised = Signal()
# Sent inside the withdrawing transaction (same arguments): a star withdrawn because of the incident
# is given back when the village passes without it.
recognition_withdrawn = Signal()


def recognise(incident, user) -> bool:
    with transaction.atomic():
        changed = Incident.objects.filter(pk=incident.pk, recognised=False, deleted_at__isnull=True).update(
            recognised=True, recognised_at=timezone.now(), recognised_by=user, recognising_department=user.department,
            withdrawal_reason="", version=F("version") + 1,
        )
        if changed:
            record("update", incident, actor=user, object_repr=f"认定案事件：{incident}", changes={"recognised": ["否", "是"]})
            incident_recognised.send(Incident, incident=incident, user=user)
    return bool(changed)


def withdraw(incident, user, reason) -> bool:
    with transaction.atomic():
        changed = Incident.objects.filter(pk=incident.pk, recognised=True).update(
            recognised=False, withdrawal_reason=reason, updated_by=user, version=F("version") + 1
        )
        if changed:
            record("update", incident, actor=user, object_repr=f"撤销认定：{incident}", changes={"recognised": ["是", "否"], "withdrawal_reason": [None, reason]})
            recognition_withdrawn.send(Incident, incident=incident, user=user)
    return bool(changed)
