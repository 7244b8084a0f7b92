"""org's entries in the menu and its cards on the home page (the registries in core/panels.py)."""

from django.db.models import Count

from safestar.audit.models import AuditEvent
from safestar.core.panels import home_card, home_part, nav_entry
from safestar.core.scope import can_read

from .models import Department, Division, User
from .roles import Level

nav_entry(0, "首页", "home", lambda user: True)
nav_entry(10, "区划与村", "my-division", lambda user: can_read(Division, user))
nav_entry(20, "部门", "departments", lambda user: can_read(Department, user))
nav_entry(80, "账号管理", "accounts", lambda user: can_read(User, user))
nav_entry(110, "登录锁定", "lockouts", lambda user: user.spec.manages_lockouts)
nav_entry(120, "审计日志", "audit-events", lambda user: can_read(AuditEvent, user))


home_card("scope", "您的数据范围", order=10, width=7)
home_card("accounts", "账号管理", order=30)
home_card("audit", "审计", order=40)


@home_part("scope")
def scope_card(request):
    user = request.user
    if not can_read(Division, user):
        return None
    visible = Division.objects.visible_to(user)
    counts = {Level(row["level"]).label: row["n"] for row in visible.values("level").annotate(n=Count("id")).order_by("level")}
    return ("org/home.html#scope", {"level_counts": counts}) if counts else None


@home_part("accounts")
def accounts_card(request):
    if not can_read(User, request.user):
        return None
    return "org/home.html#accounts", {"account_count": User.objects.visible_to(request.user).count()}


@home_part("audit")
def audit_card(request):
    return ("org/home.html#audit", {}) if request.user.spec.reads_audit else None
