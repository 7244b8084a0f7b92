from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from safestar.audit.log import record
from safestar.core import edge
from safestar.core.lists import paginate
from safestar.core.pages import stored
from safestar.core.scope import can_read, get_visible_or_404, require
from safestar.core.sheets import Column, write_xlsx, xlsx_response
from safestar.org.models import Division
from safestar.org.roles import can

from .kinds import describe_rule, manual_codes
from .loading import names as read_names
from .models import Scheme
from .services import above_town, results, save_manual_score, scheme_villages, town_summary, village_result


def scheme_list(request):
    require(can_read(Scheme, request.user))
    schemes = Scheme.objects.visible_to(request.user).select_related("issuer")
    return render(request, "schemes/scheme_list.html", {"schemes": schemes, "results": can(request.user, "schemes.view_results")})


def _table(scheme, names):
    rows = []
    for category in scheme.spec.categories:
        for i, indicator in enumerate(category.indicators):
            rows.append({
                "category": category.title if i == 0 else "",
                "span": len(category.indicators) if i == 0 else 0,
                "category_points": category.points,
                "indicator": indicator,
                "method": describe_rule(indicator.rule, indicator.points, names),
            })
    return rows


def scheme_detail(request, pk):
    scheme = get_visible_or_404(Scheme.objects.select_related("issuer"), request.user, pk=pk)
    names = read_names()
    vetoes = [(v, names.incidents(v.kinds), names.severity(v.severities)) for v in scheme.spec.vetoes]
    return render(request, "schemes/scheme_detail.html", {"scheme": scheme, "rows": _table(scheme, names), "vetoes": vetoes,
                                                          "results": can(request.user, "schemes.view_results")})


EXPORT_COLUMNS = (
    Column("category", "类别", width=22),
    Column("code", "编号", width=8),
    Column("title", "指标", width=50),
    Column("points", "分值", width=8),
    Column("method", "评分方法", width=50),
    Column("source", "数据来源", width=22),
    Column("department", "评分部门", width=14),
)


def scheme_export(request, pk):
    scheme = get_visible_or_404(Scheme.objects.select_related("issuer"), request.user, pk=pk)
    names = read_names()
    rows = [
        (category.title, i.code, i.title, i.points, describe_rule(i.rule, i.points, names), i.source, i.department)
        for category in scheme.spec.categories
        for i in category.indicators
    ]
    rows += [("一票否决", v.code, v.title, "", "年度内发生经认定的" + names.incidents(v.kinds) + (f"（严重程度：{names.severity(v.severities)}）" if v.severities else "") + "案事件即否决", "案事件台账", "县委政法委") for v in scheme.spec.vetoes]
    record("export", scheme, object_repr=f"导出创建方案：{scheme}")
    content = write_xlsx(title=scheme.name, columns=EXPORT_COLUMNS, rows=rows, unit=scheme.issuer.name, period=f"{scheme.year}年")
    return xlsx_response(content, f"{scheme.name}.xlsx")


@stored
def scheme_results(request, pk):
    """The ranking of the villages under a division (default: the user's own) by the scheme. Above a
    town (a county, a city) one row per town, each drilling down to that town's villages
    (?division=town); a town's villages a page at a time. The whole division is evaluated either way
    (the stored results, cache.py), so the queries do not grow with the villages."""
    require(can(request.user, "schemes.view_results"))
    scheme = get_visible_or_404(Scheme.objects.select_related("issuer"), request.user, pk=pk)
    own = request.user.division
    default = scheme.issuer if scheme.issuer.path.startswith(own.path) else own  # the county reads a town's scheme for that town
    division = get_visible_or_404(Division.objects.select_related("parent"), request.user, code=request.GET.get("division") or default.code)
    villages = scheme_villages(scheme, division, Division.objects.visible_to(request.user))
    ranked = results(scheme, villages)
    context = {"scheme": scheme, "division": division, "results": ranked}
    if above_town(division):
        towns = town_summary(ranked, villages, [b.name for b in scheme.spec.bands])
        context |= {"towns": paginate(request, towns), "summary": True, "bands": bool(scheme.spec.bands)}
    else:
        context |= {"page": paginate(request, ranked)}
        # the way back up, for a user who drilled down from the county
        up = division.parent if division.parent_id and division.parent.path.startswith(own.path) else None
        context["up"] = up if up is not None and above_town(up) and up.path.startswith(scheme.issuer.path) else None
    return render(request, "schemes/results.html", context)


@stored
@require_http_methods(["GET", "POST"])
def scorecard(request, pk, code):
    """One village's scorecard: every indicator with what was measured, the target and the points
    lost, every veto with the incidents behind it; evaluators give the manual indicators here."""
    require(can(request.user, "schemes.view_results"))
    scheme = get_visible_or_404(Scheme.objects.select_related("issuer"), request.user, pk=pk)
    village = get_visible_or_404(Division.objects.filter(level="village"), request.user, code=code)
    scorer = can(request.user, "schemes.score") and scheme.is_latest()
    if request.method == "POST":
        require(scorer)
        if (points := edge.number(request.POST.get("points", ""))) is None:
            messages.error(request, "得分应为数字")
        else:
            try:
                save_manual_score(scheme, village, request.POST.get("indicator", ""), points, request.POST.get("reason", ""), request.user)
                messages.success(request, "已保存人工评分。")
            except ValidationError as exc:
                messages.error(request, exc.messages[0])
        return redirect("scorecard", pk=scheme.pk, code=village.code)
    result = village_result(request, scheme, village)
    manual = manual_codes(scheme.spec)
    return render(request, "schemes/scorecard.html", {"scheme": scheme, "village": village, "result": result, "manual": manual, "scorer": scorer})
