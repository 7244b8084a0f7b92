"""Read-only REST API of creation and supervision: the same scope as the pages (404 outside it)."""

import datetime

from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from safestar.core.scope import can_read, get_visible_or_404, require

from .models import Application, Finding, Inspection, RectificationPlan, SpecialCampaign, Task
from .views import MAX_ID  # larger ids are refused with 422 instead of overflowing the database's integer

router = Router(tags=["创建与督导"])


def _label(obj, name):
    return getattr(obj, f"get_{name}_display")()


class ApplicationOut(Schema):
    id: int
    village: str
    village_name: str
    year: int
    star: str
    scheme: int
    status: str
    status_label: str
    note: str
    applied_at: datetime.datetime
    decided_at: datetime.datetime | None
    reason: str

    @staticmethod
    def resolve_village(obj):
        return obj.village.code

    @staticmethod
    def resolve_village_name(obj):
        return obj.village.name

    @staticmethod
    def resolve_star(obj):
        return obj.scheme.star

    @staticmethod
    def resolve_scheme(obj):
        return obj.scheme_id

    @staticmethod
    def resolve_status_label(obj):
        return _label(obj, "status")


class TaskOut(Schema):
    id: int
    village: str
    application: int | None
    campaign: int | None
    indicator: str
    category: str
    title: str
    responsible: str | None
    due_on: datetime.date
    status: str
    status_label: str
    overdue: bool
    evidence: str
    completed_on: datetime.date | None

    @staticmethod
    def resolve_village(obj):
        return obj.village.code

    @staticmethod
    def resolve_application(obj):
        return obj.application_id

    @staticmethod
    def resolve_campaign(obj):
        return obj.campaign_id

    @staticmethod
    def resolve_responsible(obj):
        return obj.responsible.username if obj.responsible_id else None

    @staticmethod
    def resolve_status_label(obj):
        return _label(obj, "status")


class InspectionOut(Schema):
    id: int
    town: str
    title: str
    planned_on: datetime.date
    held_on: datetime.date | None
    status: str
    status_label: str
    note: str

    @staticmethod
    def resolve_town(obj):
        return obj.town.code

    @staticmethod
    def resolve_status_label(obj):
        return _label(obj, "status")


class FindingOut(Schema):
    id: int
    inspection: int
    village: str
    indicator: str
    description: str
    severity: str
    severity_label: str
    kind: str
    kind_label: str
    found_on: datetime.date
    campaign: int | None

    @staticmethod
    def resolve_inspection(obj):
        return obj.inspection_id

    @staticmethod
    def resolve_village(obj):
        return obj.village.code

    @staticmethod
    def resolve_severity_label(obj):
        return _label(obj, "severity")

    @staticmethod
    def resolve_kind_label(obj):
        return _label(obj, "kind")

    @staticmethod
    def resolve_campaign(obj):
        return obj.campaign_id


class PlanOut(Schema):
    id: int
    finding: int
    village: str
    measures: str
    responsible: str | None
    deadline: datetime.date
    status: str
    status_label: str
    overdue: bool
    closed_on: datetime.date | None

    @staticmethod
    def resolve_finding(obj):
        return obj.finding_id

    @staticmethod
    def resolve_village(obj):
        return obj.village.code

    @staticmethod
    def resolve_responsible(obj):
        return obj.responsible.username if obj.responsible_id else None

    @staticmethod
    def resolve_status_label(obj):
        return _label(obj, "status")


class CampaignOut(Schema):
    id: int
    town: str
    title: str
    department: str
    deadline: datetime.date
    status: str
    status_label: str
    overdue: bool
    description: str

    @staticmethod
    def resolve_town(obj):
        return obj.town.code

    @staticmethod
    def resolve_department(obj):
        return obj.department.name

    @staticmethod
    def resolve_status_label(obj):
        return _label(obj, "status")


def _scoped(model, request, *related):
    require(can_read(model, request.auth))  # a role that may not read it at all: 404, like the pages
    return model.objects.visible_to(request.auth).select_related(*related).order_by("-id")


@router.get("/applications/", response=list[ApplicationOut], url_name="applications-list", summary="创建申请（创建主体名单），分页")
@paginate(LimitOffsetPagination)
def applications(request, year: int | None = Query(None, ge=2000, le=2100, description="年度"), status: str | None = None):
    queryset = _scoped(Application, request, "village", "scheme")
    if year:
        queryset = queryset.filter(year=year)
    if status:
        queryset = queryset.filter(status=status)
    return queryset


@router.get("/applications/{pk}", response=ApplicationOut, url_name="applications-detail", summary="一份创建申请")
def application(request, pk: int):
    return get_visible_or_404(Application.objects.select_related("village", "scheme"), request.auth, pk=pk)


@router.get("/tasks/", response=list[TaskOut], url_name="tasks-list", summary="创建任务（overdue=true 只列逾期），分页")
@paginate(LimitOffsetPagination)
def tasks(request, application: int | None = Query(None, ge=1, le=MAX_ID, description="创建申请编号"), overdue: bool = False):
    from .services import overdue_tasks

    queryset = _scoped(Task, request, "village", "responsible")
    if application:
        queryset = queryset.filter(application=application)
    return overdue_tasks(queryset) if overdue else queryset


@router.get("/tasks/{pk}", response=TaskOut, url_name="tasks-detail", summary="一项创建任务")
def task(request, pk: int):
    return get_visible_or_404(Task.objects.select_related("village", "responsible"), request.auth, pk=pk)


@router.get("/inspections/", response=list[InspectionOut], url_name="inspections-list", summary="督导检查，分页")
@paginate(LimitOffsetPagination)
def inspections(request):
    return _scoped(Inspection, request, "town")


@router.get("/inspections/{pk}", response=InspectionOut, url_name="inspections-detail", summary="一次督导检查")
def inspection(request, pk: int):
    return get_visible_or_404(Inspection.objects.select_related("town"), request.auth, pk=pk)


@router.get("/findings/", response=list[FindingOut], url_name="findings-list", summary="督导发现的问题，分页")
@paginate(LimitOffsetPagination)
def findings(request, inspection: int | None = Query(None, ge=1, le=MAX_ID, description="督导检查编号")):
    queryset = _scoped(Finding, request, "village")
    if inspection:
        queryset = queryset.filter(inspection=inspection)
    return queryset


@router.get("/findings/{pk}", response=FindingOut, url_name="findings-detail", summary="一个问题")
def finding(request, pk: int):
    return get_visible_or_404(Finding.objects.select_related("village"), request.auth, pk=pk)


@router.get("/rectifications/", response=list[PlanOut], url_name="rectifications-list", summary="整改方案（overdue=true 只列逾期），分页")
@paginate(LimitOffsetPagination)
def rectifications(request, status: str | None = None, overdue: bool = False):
    from .services import overdue_plans

    queryset = _scoped(RectificationPlan, request, "village", "responsible")
    if status:
        queryset = queryset.filter(status=status)
    return overdue_plans(queryset) if overdue else queryset


@router.get("/rectifications/{pk}", response=PlanOut, url_name="rectifications-detail", summary="一份整改方案")
def rectification(request, pk: int):
    return get_visible_or_404(RectificationPlan.objects.select_related("village", "responsible"), request.auth, pk=pk)


@router.get("/campaigns/", response=list[CampaignOut], url_name="campaigns-list", summary="专项整治，分页")
@paginate(LimitOffsetPagination)
def campaigns(request):
    return _scoped(SpecialCampaign, request, "town", "department")


@router.get("/campaigns/{pk}", response=CampaignOut, url_name="campaigns-detail", summary="一项专项整治")
def campaign(request, pk: int):
    return get_visible_or_404(SpecialCampaign.objects.select_related("town", "department"), request.auth, pk=pk)
