"""/api/v1/evaluation-rounds/…: rounds, their results and one village's entry, with the same scope
as the pages; entry steps (submit, review, …) through the same workflow functions."""

from django.http import Http404
from ninja import Router, Schema
from ninja.errors import HttpError

from safestar.core.edge import Id, Limit, Offset
from safestar.core.scope import get_visible_or_404, require
from safestar.core.transitions import Refused
from safestar.org.roles import can
from safestar.schemes.services import as_json

from . import services
from .models import Entry, Round
from .views import _villages

router = Router(tags=["年度评查"])


class RoundOut(Schema):
    id: int
    scheme: int
    scheme_name: str
    year: int
    area: str
    area_name: str
    status: str
    status_label: str
    self_deadline: str
    town_deadline: str
    county_deadline: str
    publish_start: str | None
    publish_end: str | None


class RoundList(Schema):
    items: list[RoundOut]
    count: int


def _round_json(r):
    return {
        "id": r.pk, "scheme": r.scheme_id, "scheme_name": r.scheme.name, "year": r.scheme.year, "area": r.area.code,
        "area_name": r.area.name, "status": r.status, "status_label": r.get_status_display(),
        "self_deadline": r.self_deadline.isoformat(), "town_deadline": r.town_deadline.isoformat(),
        "county_deadline": r.county_deadline.isoformat(),
        "publish_start": r.publish_start.isoformat() if r.publish_start else None,
        "publish_end": r.publish_end.isoformat() if r.publish_end else None,
    }


@router.get("/evaluation-rounds/", response=RoundList, url_name="evaluation-rounds", summary="年度评查轮次（分页）")
def rounds(request, limit: Limit = 100, offset: Offset = 0):
    user = request.auth
    require(can(user, "evaluation.view"))
    queryset = Round.objects.visible_to(user).select_related("scheme", "area")
    return {"count": queryset.count(), "items": [_round_json(r) for r in queryset[offset:offset + limit]]}


class RoundResultOut(Schema):
    entry: int | None
    stage: str
    stage_label: str
    submitted_late: bool  # 逾期提交自评
    forwarded_late: bool  # 乡镇逾期报送
    town_rank: int | None
    county_rank: int | None
    result: dict


class RoundOutWithResults(RoundOut):
    count: int  # the villages in the caller's scope; `results` (and `published`) hold `limit` of them from `offset`
    results: list[RoundResultOut]
    published_at: str | None  # when the results were published (公示)
    published: list[dict]  # the results as published, frozen (scores, results, ranks; `unlocked` since), in the caller's scope
    changes_after_publication: list[dict]  # 摘星, 授星, unlocks and re-recognitions since: {at, village, change, detail}


@router.get("/evaluation-rounds/{pk}", response=RoundOutWithResults, url_name="evaluation-round",
            summary="一轮评查及调用者范围内各村的结果（得分、结果、否决及原因、镇内和总排名、评查阶段；按总排名分页）")
def round_detail(request, pk: Id, limit: Limit = 100, offset: Offset = 0):
    user = request.auth
    require(can(user, "evaluation.view"))
    r = get_visible_or_404(Round.objects.select_related("scheme", "area"), user, pk=pk)
    villages = _villages(r, user)
    ranked = services.round_results(r, villages)
    shown = ranked[offset:offset + limit]  # a county has hundreds of villages, a province tens of thousands
    entries = {e.village_id: e for e in r.entries.filter(village__in=[result.village for result in shown])}
    out = []
    for result in shown:
        e = entries.get(result.village)
        out.append({"entry": e.pk if e else None, "stage": e.status if e else "", "stage_label": e.get_status_display() if e else "",
                    "submitted_late": bool(e and e.submitted_late), "forwarded_late": bool(e and e.forwarded_late), "town_rank": result.town_rank, "county_rank": result.county_rank, "result": as_json(result)})
    published = r.status == Round.Status.PUBLISHED
    changes = services.publication_changes(r, villages) if published else []
    return _round_json(r) | {
        "count": len(ranked),
        "results": out,
        "published_at": r.published_at.isoformat() if r.published_at else None,
        "published": services.published_rows(r, villages)[offset:offset + limit] if published else [],
        "changes_after_publication": [{"at": at.isoformat(), "village": name, "change": what, "detail": detail} for at, name, what, detail in changes],
    }


class LineOut(Schema):
    indicator: str
    proposed: float | None
    explanation: str
    town_points: float | None
    town_reason: str
    county_points: float | None
    county_reason: str
    awarded: float | None
    reason: str


class EntryOut(Schema):
    id: int
    round: int
    village: str
    name: str
    stage: str
    stage_label: str
    total: float
    status: str
    band: str
    lines: list[LineOut]
    vetoes: list[dict]
    pending: list[dict]  # recorded, not yet recognised incidents of the year that would veto or cost points
    steps: list[str]  # the steps the caller may take now (POST .../{step}), from the entry's transition table
    submitted_late: bool  # 逾期提交自评: submitted after the round's self-assessment deadline
    forwarded_late: bool  # 乡镇逾期报送: forwarded after the round's town deadline


def _entry(user, pk):
    require(can(user, "evaluation.view"))
    return get_visible_or_404(Entry.objects.select_related("round__scheme", "village", "recognised_by__division"), user, pk=pk)


def _entry_json(entry, user):
    result = services.entry_result(entry)
    awarded = {i.code: i for i in result.indicators}
    data = as_json(result)
    return {
        "id": entry.pk, "round": entry.round_id, "village": entry.village.code, "name": entry.village.name,
        "stage": entry.status, "stage_label": entry.get_status_display(), "total": result.total, "status": result.status,
        "band": result.band, "vetoes": data["vetoes"], "pending": data["pending"], "steps": [step.name for step in services.steps(entry, user)],
        "submitted_late": entry.submitted_late, "forwarded_late": entry.forwarded_late,
        "lines": [{"indicator": line.indicator, "proposed": line.proposed, "explanation": line.explanation,
                   "town_points": line.town_points, "town_reason": line.town_reason, "county_points": line.county_points,
                   "county_reason": line.county_reason, "awarded": awarded[line.indicator].awarded if line.indicator in awarded else None,
                   "reason": awarded[line.indicator].reason if line.indicator in awarded else ""}
                  for line in entry.lines.all()],
    }


@router.get("/evaluation-entries/{pk}", response=EntryOut, url_name="evaluation-entry",
            summary="一个村的评查记录：逐项系统建议、村说明、乡镇与县级调整、最终得分")
def entry_detail(request, pk: Id):
    return _entry_json(_entry(request.auth, pk), request.auth)


class StepIn(Schema):
    reason: str = ""


@router.post("/evaluation-entries/{pk}/{action}", response=EntryOut, url_name="evaluation-entry-action",
             summary="评查步骤：submit 提交自评、submit_late 逾期提交（须乡镇同意时）、admit 同意逾期提交、admit_forward 同意逾期报送、"
                     "return 退回（须 reason）、review 初审通过、evaluate 县级评查完成、recognise 认定、unlock 解锁（须 reason）")
def entry_action(request, pk: Id, action: str, body: StepIn):
    user = request.auth
    entry = _entry(user, pk)
    if action not in services.STEPS:
        raise Http404("没有这个评查步骤")
    require(Entry.flow.may(user, action, entry))
    try:
        done = services.take(entry, action, user, body.reason)
    except Refused as exc:
        raise HttpError(422, exc.messages[0])
    if not done:
        raise HttpError(409, "评查材料的状态已经变化，请重新读取")
    entry.refresh_from_db()
    return _entry_json(entry, user)
