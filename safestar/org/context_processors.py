from django.conf import settings

from safestar.core.panels import menus
from safestar.core.panels import navigation as registered_navigation


def navigation(request):
    """The menu a user sees: only what their role can use. The entries are registered by the apps
    (their panels.py, core/panels.py), the ledgers by their declarations (grouped by field)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.division_id:
        return {"demo_banner": settings.SAFESTAR_DEMO_BANNER}
    # Worked out once per request: a page renders its parts (the village page's panels, the home
    # page's cards) each with the request, and every such rendering runs the context processors.
    found = request.__dict__.get("_navigation")
    if found is None:
        found = request._navigation = {"nav_items": registered_navigation(user), "nav_menus": menus(user),
                                       "demo_banner": settings.SAFESTAR_DEMO_BANNER}
    return found
