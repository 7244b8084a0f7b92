from safestar.core.panels import nav_entry, village_panel
from safestar.core.scope import can_read
from safestar.org.roles import can

from .models import Scheme
from .services import village_result, village_schemes


@village_panel
def scorecard_panel(request, village):
    """The village's score by each scheme that applies to it (the newest two years)."""
    if not can(request.user, "schemes.view_results"):
        return None
    schemes = village_schemes(request, village)
    if not schemes:
        return None
    schemes = [s for s in schemes if s.year >= schemes[0].year - 1]
    items = [(scheme, village_result(request, scheme, village)) for scheme in schemes]
    return "schemes/panel.html", {"items": items, "village": village}


nav_entry(30, "创建方案", "schemes", lambda user: can_read(Scheme, user))
