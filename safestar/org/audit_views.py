"""The audit log viewer of the 安全审计员 role, beside the other pages of account security (the audit
trail itself, safestar/audit, lies below every app: each writes to it, it reads none of them)."""

import datetime

from django.db.models import Q
from django.utils import timezone

from safestar.audit.log import record
from safestar.audit.models import Action, AuditEvent
from safestar.core import edge
from safestar.core.lists import paginate, render_list
from safestar.core.scope import can_read, require, scope_filter
from safestar.core.sheets import Column, write_xlsx, xlsx_response

from .roles import Role


def _parse_date(value):
    return edge.day(value)  # within SAFESTAR_YEARS: 9999-12-31 plus a day would overflow


def filtered_events(request):
    """The audit role's events in its scope, narrowed by the filter form's parameters."""
    events = scope_filter(AuditEvent.objects.all(), request.user)  # the scope mechanism, as visible_to() applies it
    params = request.GET
    if user := params.get("user", "").strip():
        events = events.filter(actor_name__icontains=user)
    if params.get("action") in Action.values:
        events = events.filter(action=params["action"])
    if obj := params.get("object", "").strip():
        events = events.filter(Q(object_repr__icontains=obj) | Q(object_type__icontains=obj))
    tz = timezone.get_current_timezone()
    if start := _parse_date(params.get("start")):
        events = events.filter(at__gte=datetime.datetime.combine(start, datetime.time.min, tz))
    if end := _parse_date(params.get("end")):
        events = events.filter(at__lt=datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tz))
    return events.order_by("-id")


def event_list(request):
    require(can_read(AuditEvent, request.user))
    return render_list(
        request,
        "audit/event_list.html",
        {"page": paginate(request, filtered_events(request), per_page=50), "actions": Action.choices, "params": request.GET},
    )


EXPORT_COLUMNS = (
    Column("id", "序号", width=8),
    Column("at", "时间", width=20),
    Column("actor", "账号", width=14),
    Column("role", "角色", width=14),
    Column("ip", "来源地址", width=16),
    Column("action", "操作", width=12),
    Column("object", "对象", width=30),
    Column("changes", "变更内容", width=50),
    Column("request_id", "请求编号", width=34),
)


def event_export(request):
    require(can_read(AuditEvent, request.user))
    events = filtered_events(request)
    roles = dict(Role.choices)
    rows = (
        (
            e.id,
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            e.actor_name,
            roles.get(e.role, e.role),
            e.ip,
            e.get_action_display(),
            e.object_repr,
            str(e.changes) if e.changes else "",
            e.request_id,
        )
        for e in events.iterator()
    )
    content = write_xlsx(title="审计日志", columns=EXPORT_COLUMNS, rows=rows, unit=request.user.division.name)
    record("export", object_repr="审计日志导出")
    return xlsx_response(content, "审计日志.xlsx")
