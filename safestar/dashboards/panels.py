from django.urls import reverse

from safestar.core.panels import QueueItem, nav_entry, queue, village_panel, work_queue
from safestar.core.validators import whole_number
from safestar.org.models import Division
from safestar.org.roles import Level, can
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


@work_queue(order=50)
def warning_queue(user):
    """预测预警 in the town office's 我的待办 (hence its notifications): one item per village of the
    town and sign it shows now, linking to the village on the town's warning page. For those who hold
    dashboards.view at town level (镇平安办, 镇工作专班); the signs they cannot read are left out as on
    the page. Computed for the whole town in one go (signs.warnings: one query per sign, the engine
    once per scheme), so its queries do not grow with the villages or the records."""
    if user.division.level != Level.TOWN or not can(user, "dashboards.view"):
        return []
    year = board.default_year(user)
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
