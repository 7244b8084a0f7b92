from safestar.core.ledger import Ledger, register

from .models import Incident


@register
class IncidentLedger(Ledger):
    slug = "incidents"
    model = Incident
    title = "案事件台账"
    group = "治安防控"
    fields = ("kind", "occurred_on", "title", "severity", "description", "department")
    readonly = ("recognised", "recognised_at", "recognised_by", "recognising_department", "withdrawal_reason")
    list_display = ("occurred_on", "kind", "title", "severity", "recognised")
    search_fields = ("title", "description")
    date_field = "occurred_on"
    kind_field = "kind"
    status_field = "recognised"
    example = {"kind": "电信诈骗", "occurred_on": "2023-05-12", "title": "村民王某被冒充客服诈骗", "severity": "general"}
    synonyms = {
        "kind": ("案件类别", "事件类别", "案事件类别", "类型"),
        "occurred_on": ("发案时间", "发生时间", "案发日期", "发案日期", "案发时间"),
        "title": ("案件名称", "案事件名称", "事件"),
        "severity": ("等级", "性质", "案件性质"),
        "description": ("简要案情", "基本情况", "案情", "情况简介"),
        "department": ("报送部门", "办理部门"),
    }

    @staticmethod
    def detail_actions(obj, user):
        from django.urls import reverse

        if obj.deleted_at:
            return []
        # the incident's steps from its transition table: one that needs a reason opens its form page
        return [(step.label, reverse(f"incident-{step.name}", args=[obj.pk]), "get" if step.reason else "post", step.confirm)
                for step in Incident.flow.allowed(obj, user)]
