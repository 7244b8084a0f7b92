from django.urls import reverse

from safestar.core.panels import QueueItem, nav_entry, queue, village_panel, work_queue
from safestar.core.validators import whole_number
from safestar.org.roles import Level, can
from safestar.schemes.services import default_year, village_result, village_schemes

from . import board, signs


@village_panel
def warnings_panel(request, village):
    """预测预警 of one village on its page, for those who run the campaign (dashboards.view)."""
    if not can(request.user, "dashboards.view"):
        return None
    scheme, year = scheme_and_year(request, village, whole_number(request.GET.get("year"), 2000, 2100))
    # the village's live result by that scheme: the one the scorecard panel shows (computed once per request)
    evaluated = {village.pk: (scheme, village_result(request, scheme, village))} if scheme is not None else {}
    found = signs.warnings(request.user, village, year, evaluated).get(village.pk, [])
    return "dashboards/warnings_panel.html", {"warnings": found, "village": village, "year": year}


def scheme_and_year(request, village, chosen=None):
    """The year of the village's warnings (`chosen`, else the user's default year) and the scheme that
    applies to the village in it, as board.schemes_for() chooses it, or None: from the village's schemes
    that the scorecard panel reads too (schemes.services.village_schemes, once per request)."""
    schemes = village_schemes(request, village)
    year = chosen or (schemes[0].default_year if schemes else default_year(request.user))
    return next((s for s in schemes if s.year == year and s.readable), None), year


nav_entry(5, "创建态势", "dashboard", lambda user: can(user, "dashboards.view"))
nav_entry(6, "预测预警", "dashboard-warnings", lambda user: can(user, "dashboards.view"))


@work_queue(order=50)
def warning_queue(user):
    """预测预警 in the town office's 我的待办 (hence its notifications): one item per village of the
    town and sign it shows now, linking to the village on the town's warning page. For those who hold
    dashboards.view at town level (镇平安办, 镇工作专班); the signs they cannot read are left out as on
    the page. Computed for the whole town in one go (signs.warnings: one query per sign, the engine
    once per scheme), so its queries do not grow with the villages or the records."""
    if user.division.level != Level.TOWN or not can(user, "dashboards.view"):
        return []
    year = default_year(user)
    villages = board.villages_below(user, user.division)
    found = signs.warnings(user, villages, year, board.evaluated(user, villages, year))
    if not found:
        return []
    page = reverse("dashboard-warnings") + f"?division={user.division.code}&year={year}"
    rows = [(signs.LEVELS.index(w.sign.level), code, w.sign.code, pk, name, w)
            for pk, name, code in villages.filter(pk__in=list(found)).values_list("id", "name", "code") for w in found[pk]]
    items = [QueueItem(("org.division", f"{pk}-{w.sign.code}-{year}"), f"{name}：{w.sign.title}", f"{page}#v{code}",
                       f"{w.sign.level}级预警。{w.explanation}")
             for _, code, _, pk, name, w in sorted(rows, key=lambda row: row[:3])]  # highest level first, as on the page
    return [queue("warnings", "村的预警信号", items, lambda i: i, page)]
