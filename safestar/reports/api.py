"""Read-only REST API of work reports, generated from these declarations (core/read_api.py): the same
scope as the pages (404 outside it). The steps are taken on the pages."""

import datetime

from safestar.core.read_api import Filter, Resource, read_router
from safestar.core.validators import MAX_ID

from .models import Report, Requirement

RESOURCES = [
    Resource(
        "report-requirements", Requirement, "工作汇报要求，分页", "一项工作汇报要求",
        fields=("id", "issuer", "title", "year", "period", "due_days", "ledgers", "instructions"),
        computed={"ledgers": (list[str], lambda r: r.ledgers)}, related=("issuer",), schema="RequirementOut",
        filters={"year": Filter(int | None, constraints={"ge": 2000, "le": 2100, "description": "年度"})},
    ),
    Resource(
        "reports", Report, "各村的工作汇报（timeliness：按时 / 逾期 / 未报 / 待报），分页", "一份工作汇报",
        fields=("id", "requirement", "village", "number", "period_label", "status", "counts", "text", "first_submitted_on",
                "due_on", "timeliness", "reason"),
        computed={"period_label": (str, lambda r: r.requirement.period_label(r.number)), "due_on": (datetime.date, lambda r: r.due_on),
                  "counts": (dict[str, int], lambda r: r.counts),
                  "timeliness": (str, lambda r: r.timeliness.label)},
        related=("village", "requirement"), schema="ReportOut",
        filters={"requirement": Filter(int | None, constraints={"ge": 1, "le": MAX_ID, "description": "汇报要求编号"}),
                 "status": Filter(str | None)},
    ),
]

router = read_router(RESOURCES, "工作汇报")
