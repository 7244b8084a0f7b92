"""The dashboard pages: 创建态势 (a town's villages, or the divisions below a county or a city) and
预测预警 (each village's leading signs, explained). Read only; the figures come from board.py, the
same function the API answers with; the charts draw the data embedded in the page (board.published),
so a chart and its table agree. Both are stored pages (core/pages.py)."""

from django.shortcuts import redirect, render

from safestar.core.pages import stored
from safestar.core.scope import get_visible_or_404, require
from safestar.core.validators import whole_number
from safestar.incidents.models import ZeroCategory
from safestar.org.models import Division
from safestar.org.roles import Level, can
from safestar.schemes.services import default_year

from . import board, signs


def place_and_year(request, user=None):
    """The division (?division=, default the user's own; a town or above) and the year (?year=)."""
    user = user or request.user
    require(can(user, "dashboards.view"))
    code = request.GET.get("division") or user.division.code
    division = get_visible_or_404(Division.objects.exclude(level__in=[Level.VILLAGE, Level.GRID]), user, code=code)
    year = whole_number(request.GET.get("year"), 2000, 2100) or default_year(user)
    return division, year


def _context(request, division, year):
    ancestors = list(Division.objects.visible_to(request.user).filter(code__in=division.ancestor_codes()).exclude(pk=division.pk).order_by("path"))
    return {"division": division, "year": year, "years": board.years(request.user) or [year], "ancestors": ancestors}


@stored
def dashboard(request):
    division, year = place_and_year(request)
    data = board.compute(request.user, division, year)
    return render(request, "dashboards/dashboard.html", {
        **_context(request, division, year), "data": data, "child_label": data["child_label"],
        "zero_labels": [(c.label, c.value) for c in ZeroCategory],
        "chart_data": board.published(data),  # the charts' data in the page (static/js/dashboard.js): no second computation
    })


@stored
def warning_list(request):
    """预测预警: the villages below the division with their signs, highest level first."""
    division, year = place_and_year(request)
    villages = board.villages_below(request.user, division)
    evaluated = board.evaluated(request.user, villages, year)
    found = signs.warnings(request.user, villages, year, evaluated)
    above_town = division.level != Level.TOWN  # village names repeat between towns: say which town
    named = {pk: (f"{town}{name}" if above_town else name, code)
             for pk, name, code, town in villages.values_list("id", "name", "code", "parent__name")}
    items = sorted(((*named[v], w) for v, w in found.items()), key=lambda x: (signs.LEVELS.index(x[2][0].sign.level), -len(x[2]), x[1]))
    return render(request, "dashboards/warnings.html", {**_context(request, division, year), "items": items, "signs": signs.declared()})


def landing(request):
    """Where a login lands: the dashboard for the roles that run the campaign, the home page for the others."""
    return redirect("dashboard" if can(request.user, "dashboards.view") else "home")
