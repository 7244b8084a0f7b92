from safestar.core.ledger import Ledger, register

from .models import Incident


@register
class IncidentLedger(Ledger):
    slug = "incidents"
    model = Incident
    title = "案事件台账"
    fields = ("kind", "occurred_on", "title", "severity", "description", "department")
    readonly = ("recognised", "recognised_at", "recognised_by", "recognising_department", "withdrawal_reason")
    list_display = ("occurred_on", "kind", "title", "severity", "recognised")
    search_fields = ("title", "description")
    date_field = "occurred_on"
    kind_field = "kind"
    status_field = "recognised"
    example = {"kind": "telecom_fraud", "occurred_on": "2023-05-12", "title": "村民王某被冒充客服诈骗", "severity": "general"}

    @staticmethod
    def detail_actions(obj, user):
        from django.urls import reverse

        if obj.deleted_at:
            return []
        # the incident's steps from its transition table: one that needs a reason opens its form page
        return [(step.label, reverse(f"incident-{step.name}", args=[obj.pk]), "get" if step.reason else "post")
                for step in Incident.flow.allowed(obj, user)]
