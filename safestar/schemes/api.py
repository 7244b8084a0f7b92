from django.http import Http404
from ninja import Router, Schema

from safestar.core.edge import Id, Limit, Offset, Year
from safestar.core.scope import get_visible_or_404, require
from safestar.org.models import Division
from safestar.org.roles import can

from .loading import applicable
from .models import Scheme
from .services import as_json, results, scheme_villages

router = Router(tags=["评分"])


class IndicatorOut(Schema):
    code: str
    title: str
    category: str
    points: float
    awarded: float | None
    measured: str
    target: str
    reason: str


class VetoIncidentOut(Schema):
    id: int
    kind: str
    kind_name: str
    severity: str
    title: str
    date: str


class VetoOut(Schema):
    code: str
    title: str
    incidents: list[VetoIncidentOut]


class PendingOut(Schema):
    incident: VetoIncidentOut
    vetoes: list[str]  # the veto codes it would trigger once recognised
    indicators: list[str]  # the indicators whose points it would cost
    consequence: str  # "待认定，认定后将否决（V1 发生电信诈骗案件）"


class ResultOut(Schema):
    village: str
    name: str
    total: float
    status: str
    band: str
    rank: int | None
    undetermined: list[str]
    indicators: list[IndicatorOut]
    vetoes: list[VetoOut]
    pending: list[PendingOut]  # recorded, not yet recognised incidents of the year that would count


class EvaluationOut(Schema):
    scheme: int
    scheme_name: str
    year: int
    division: str
    count: int  # the villages in the caller's scope; `results` holds `limit` of them from `offset`, in the ranking's order
    results: list[ResultOut]


@router.get("/evaluations/{year}/", response=EvaluationOut, url_name="evaluations",
            summary="某年度某区划下各村的评分（division=区划代码，可选 scheme=方案编号、star=星级；按排名分页）")
def evaluations(request, year: Year, division: str, scheme: Id | None = None, star: str = "平安法治星", limit: Limit = 100,
                offset: Offset = 0):
    user = request.auth
    require(can(user, "schemes.view_results"))
    place = get_visible_or_404(Division, user, code=division)
    if scheme is not None:
        chosen = get_visible_or_404(Scheme, user, pk=scheme, year=year)
    else:
        chosen = next((s for s in applicable(place, year) if s.star == star), None)
        if chosen is None:
            raise Http404(f"{place.name}在{year}年没有适用的“{star}”创建方案")
    ranked = results(chosen, scheme_villages(chosen, place, Division.objects.visible_to(user)))
    return {"scheme": chosen.pk, "scheme_name": chosen.name, "year": year, "division": place.code, "count": len(ranked),
            "results": [as_json(r) for r in ranked[offset:offset + limit]]}
