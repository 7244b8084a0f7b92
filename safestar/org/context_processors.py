from django.conf import settings
from django.urls import reverse

from safestar.core.scope import can_read

from .models import Department, Division, User
from .roles import can


def navigation(request):
    """The menu a user sees: only what their role can use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.division_id:
        return {"demo_banner": settings.SAFESTAR_DEMO_BANNER}
    from safestar.audit.models import AuditEvent

    items = [("首页", reverse("home"))]
    if can_read(Division, user):
        items.append(("区划与村", reverse("my-division")))
    if can_read(Department, user):
        items.append(("部门", reverse("departments")))
    from safestar.schemes.models import Scheme

    if can_read(Scheme, user):
        items.append(("创建方案", reverse("schemes")))
    from safestar.keypersons.models import KeyPerson

    if can_read(KeyPerson, user):
        items.append(("重点人员", reverse("key-persons")))
    from safestar.creation.models import Application, SpecialCampaign

    if can_read(Application, user):
        items.append(("创建督导", reverse("applications")))
    if can_read(Application, user) or can_read(SpecialCampaign, user):
        items.append(("我的待办", reverse("my-todo")))
    if can(user, "evaluation.view"):
        items.append(("年度评查", reverse("evaluation-rounds")))
    if can_read(User, user):
        items.append(("账号管理", reverse("accounts")))
    if user.spec.manages_departments:
        items.append(("案事件类别", reverse("incident-kinds")))
        items.append(("重点人员类别", reverse("key-person-categories")))
    if user.spec.manages_lockouts:
        items.append(("登录锁定", reverse("lockouts")))
    if can_read(AuditEvent, user):
        items.append(("审计日志", reverse("audit-events")))
    from safestar.core.ledger import LEDGERS

    ledgers = [(ledger.title, reverse("ledger-list", args=[slug])) for slug, ledger in LEDGERS.items() if can_read(ledger.model, user)]
    return {"nav_items": items, "nav_ledgers": ledgers, "demo_banner": settings.SAFESTAR_DEMO_BANNER}
