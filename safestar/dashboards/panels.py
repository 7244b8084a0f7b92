from safestar.core.panels import nav_entry, village_panel
from safestar.core.validators import whole_number
from safestar.org.models import Division
from safestar.org.roles import can
from safestar.schemes.services import village_result

from . import board, signs


@village_panel
def warnings_panel(request, village):
    """预测预警 of one village on its page, for those who run the campaign (dashboards.view)."""
    if not can(request.user, "dashboards.view"):
        return None
    chosen = whole_number(request.GET.get("year"), 2000, 2100)
    villages = Division.objects.filter(pk=village.pk)
    # the village's live result by the scheme of that year: the one the scorecard panel shows (computed once per request);
    # without ?year=, the scheme of the default year is read with the year, in one query
    scheme = board.schemes_for([village], chosen or board.default_year_sql(request.user), request.user).get(village.pk)
    year = chosen or (scheme.year if scheme is not None else board.default_year(request.user))
    evaluated = {village.pk: (scheme, village_result(request, scheme, village))} if scheme is not None else {}
    found = signs.warnings(request.user, villages, year, evaluated).get(village.pk, [])
    return "dashboards/warnings_panel.html", {"warnings": found, "village": village, "year": year}


nav_entry(5, "创建态势", "dashboard", lambda user: can(user, "dashboards.view"))
nav_entry(6, "预测预警", "dashboard-warnings", lambda user: can(user, "dashboards.view"))
