"""Read-only REST API of creation and supervision, generated from these declarations
(core/read_api.py): the same scope as the pages (404 outside it). The steps are taken on the pages."""

from safestar.core.read_api import Filter, Resource, read_router
from safestar.core.validators import MAX_ID  # larger ids are refused with 422 instead of overflowing the database's integer

from .models import Application, Finding, Inspection, RectificationPlan, SpecialCampaign, Task
from .services import late_tasks, overdue_plans

OVERDUE = (bool, lambda obj: obj.overdue)


def _late_tasks(rows):
    """The tasks overdue now, live: an indicator task is overdue only while its indicator is not met
    (one evaluation per scheme, services.task_states)."""
    return rows.filter(pk__in=[t.pk for t in late_tasks(rows, limit=None)])


def _only_overdue(overdue_rows):
    return Filter(bool, False, lambda rows, on: overdue_rows(rows) if on else rows)


RESOURCES = [
    Resource(
        "applications", Application, "创建申请（创建主体名单），分页", "一份创建申请",
        fields=("id", "village", "village_name", "year", "star", "scheme", "status", "note", "applied_at", "decided_at", "reason"),
        computed={"village_name": (str, lambda a: a.village.name), "star": (str, lambda a: a.scheme.star)},
        related=("village", "scheme"), schema="ApplicationOut",
        filters={"year": Filter(int | None, constraints={"ge": 2000, "le": 2100, "description": "年度"}), "status": Filter(str | None)},
    ),
    Resource(
        "tasks", Task, "创建任务（overdue=true 只列逾期，随指标达标的任务按指标实时判断），分页", "一项创建任务",
        fields=("id", "village", "application", "campaign", "indicator", "category", "title", "basis", "responsible", "due_on", "status",
                "overdue", "evidence", "completed_on"),
        # an indicator task's state is its indicator's, evaluated for a set of tasks, not row by row:
        # null here, overdue=true lists the ones overdue now
        computed={"overdue": (bool | None, lambda t: None if t.basis == "indicator" else t.overdue)},
        related=("village", "responsible"), schema="TaskOut",
        filters={"application": Filter(int | None, constraints={"ge": 1, "le": MAX_ID, "description": "创建申请编号"}),
                 "overdue": _only_overdue(_late_tasks)},
    ),
    Resource(
        "inspections", Inspection, "督导检查，分页", "一次督导检查",
        fields=("id", "town", "title", "planned_on", "held_on", "status", "note"), related=("town",), schema="InspectionOut",
    ),
    Resource(
        "findings", Finding, "督导发现的问题，分页", "一个问题",
        fields=("id", "inspection", "village", "indicator", "description", "severity", "kind", "found_on", "campaign"),
        related=("village",), schema="FindingOut",
        filters={"inspection": Filter(int | None, constraints={"ge": 1, "le": MAX_ID, "description": "督导检查编号"})},
    ),
    Resource(
        "rectifications", RectificationPlan, "整改方案（overdue=true 只列逾期），分页", "一份整改方案",
        fields=("id", "finding", "village", "measures", "responsible", "deadline", "status", "overdue", "closed_on"),
        computed={"overdue": OVERDUE}, related=("village", "responsible"), schema="PlanOut",
        filters={"status": Filter(str | None), "overdue": _only_overdue(overdue_plans)},
    ),
    Resource(
        "campaigns", SpecialCampaign, "专项整治，分页", "一项专项整治",
        fields=("id", "town", "title", "department", "deadline", "status", "overdue", "description"),
        computed={"department": (str, lambda c: c.department.name), "overdue": OVERDUE}, related=("town", "department"),
        schema="CampaignOut",
    ),
]

router = read_router(RESOURCES, "创建与督导")
