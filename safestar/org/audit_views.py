"""The audit log viewer of the 安全审计员 role, beside the other pages of account security (the audit
trail itself, safestar/audit, lies below every app: each writes to it, it reads none of them)."""

import datetime

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import timezone

from safestar.audit.log import record
from safestar.audit.models import Action, AuditEvent
from safestar.core import edge
from safestar.core.lists import paginate, render_list
from safestar.core.numbers import figure
from safestar.core.scope import can_read, require, scope_filter
from safestar.core.sheets import Column, write_xlsx, xlsx_response

from .roles import Role


# What the changes of events name besides a model's fields (comments of transitions, counts of
# imports, account security), as a person reads them.
CHANGE_NAMES = {
    "comment": "意见", "reason": "理由", "withdrawal_reason": "撤回理由", "return_reason": "退回理由",
    "delete_reason": "删除理由", "deleted": "删除", "links": "关联台账记录", "tasks": "任务", "villages": "村",
    "n": "条数", "count": "条数", "total": "合计", "source": "来源", "filter": "筛选条件", "columns": "列",
    "before": "截止日期", "action": "操作", "password": "密码", "two_factor": "双因素认证", "recovery_codes": "恢复码",
    "current_key": "当前密钥", "publication": "公示", "incident": "案事件", "effective_on": "变更生效日期",
    "points": "得分", "deadline": "期限", "watermark": "水印", "username": "账号", "description": "说明",
    "version": "版本", "division": "区划", "status": "状态", "deleted_rows": "删除条数", "last_pruned_id": "最后删除序号",
    "last_pruned_hash": "最后删除摘要",
}


def _value(value):
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return figure(value)
    if isinstance(value, list):
        return "、".join(_value(v) for v in value) or "（空）"
    if isinstance(value, dict):
        return "；".join(f"{CHANGE_NAMES.get(k, k)}：{_value(v)}" for k, v in value.items())
    return str(value)


def readable_changes(event):
    """[(name, text)] of an event's changes as a person reads them: the field's verbose name (of the
    event's model), [old, new] as “old → new”, no Python values (None, True, lists)."""
    try:
        model = apps.get_model(event.object_type) if event.object_type else None
    except (LookupError, ValueError):
        model = None
    rows = []
    for key, value in (event.changes or {}).items():
        name = CHANGE_NAMES.get(key, key)
        if model is not None:
            try:
                name = str(getattr(model._meta.get_field(key), "verbose_name", name))  # a reverse relation has none
            except FieldDoesNotExist:
                pass
        if isinstance(value, list) and len(value) == 2:
            text = f"{_value(value[0])} → {_value(value[1])}" if value[0] not in (None, "") else _value(value[1])
        else:
            text = _value(value)
        rows.append((name, text))
    return rows


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
    page = paginate(request, filtered_events(request), per_page=50)
    for event in page:
        event.readable = readable_changes(event)
    return render_list(request, "audit/event_list.html", {"page": page, "actions": Action.choices, "params": request.GET})


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
            "；".join(f"{name}：{text}" for name, text in readable_changes(e)),
            e.request_id,
        )
        for e in events.iterator()
    )
    content = write_xlsx(title="审计日志", columns=EXPORT_COLUMNS, rows=rows, unit=request.user.division.name)
    record("export", object_repr="审计日志导出")
    return xlsx_response(content, "审计日志.xlsx")
