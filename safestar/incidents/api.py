from ninja import Router, Schema, Status

from safestar.core.edge import Id
from safestar.core.ledger_api import Errors
from safestar.core.scope import get_visible_or_404, require

from .models import Incident, IncidentKind
from .services import recognise, withdraw

router = Router(tags=["案事件台账"])


class KindOut(Schema):
    id: int
    code: str
    name: str
    zero_category: str
    active: bool


@router.get("/incident-kinds/", response=list[KindOut], url_name="incident-kinds", summary="案事件类别（incidents.kind 取其 id）")
def incident_kinds(request):
    return IncidentKind.objects.all()


class Result(Schema):
    id: int
    recognised: bool
    changed: bool


class WithdrawIn(Schema):
    reason: str


@router.post("/incidents/{pk}/recognise", response=Result, url_name="incidents-recognise", summary="认定（县级部门或县政法委）")
def recognise_incident(request, pk: Id):
    require(Incident.flow.may(request.auth, "recognise"))
    incident = get_visible_or_404(Incident.objects.alive(), request.auth, pk=pk)
    changed = recognise(incident, request.auth)
    return {"id": pk, "recognised": True, "changed": changed}


@router.post("/incidents/{pk}/withdraw", response={200: Result, 422: Errors}, url_name="incidents-withdraw", summary="撤销认定（须说明原因）")
def withdraw_recognition(request, pk: Id, payload: WithdrawIn):
    require(Incident.flow.may(request.auth, "withdraw"))
    incident = get_visible_or_404(Incident.objects.alive(), request.auth, pk=pk)
    if not payload.reason.strip():
        return Status(422, {"detail": "须说明撤销认定的原因", "errors": {"reason": ["必填"]}})
    changed = withdraw(incident, request.auth, payload.reason.strip()[:200])
    return Status(200, {"id": pk, "recognised": False, "changed": changed})
