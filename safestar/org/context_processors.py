from django.conf import settings
from django.urls import reverse

from safestar.core.ledger import LEDGERS
from safestar.core.panels import navigation as registered_navigation
from safestar.core.scope import can_read


def navigation(request):
    """The menu a user sees: only what their role can use. The entries are registered by the apps
    (their panels.py, core/panels.py), the ledgers by their declarations."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.division_id:
        return {"demo_banner": settings.SAFESTAR_DEMO_BANNER}
    ledgers = [(ledger.title, reverse("ledger-list", args=[slug])) for slug, ledger in LEDGERS.items() if can_read(ledger.model, user)]
    return {"nav_items": registered_navigation(user), "nav_ledgers": ledgers, "demo_banner": settings.SAFESTAR_DEMO_BANNER}
