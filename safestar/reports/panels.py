import datetime

from django.urls import reverse

from safestar.clock import today
from safestar.core import compiled
from safestar.core.panels import SOON, QueueItem, home_card, home_part, item, nav_entry, queue, village_panel, work_queue
from safestar.core.scope import can_read
from safestar.org.roles import can

from . import services
from .models import Report, Reporters, ReportStatus, Requirement, judge


def _requirements(user, year):
    return Requirement.objects.visible_to(user).filter(year=year, reporters=Reporters.VILLAGES).select_related("issuer")


@village_panel
def reports_panel(request, village):
    """The village's work reports of this year's requirements, each at the period now due: timeliness and status."""
    if not can_read(Report, request.user):
        return None
    day = today()
    requirements = [r for r in compiled.rows(_requirements, day.year, user=request.user) if village.path.startswith(r.issuer.path)]
    if not requirements:
        return None
    numbers = {r.pk: services.current_number(r, day) for r in requirements}
    reports = {(r.requirement_id, r.number): r for r in Report.objects.visible_to(request.user).filter(village=village, requirement__in=requirements)}
    rows = []
    for requirement in requirements:
        number = numbers[requirement.pk]
        report = reports.get((requirement.pk, number))
        rows.append((requirement, requirement.period_label(number), report,
                     judge(report.first_submitted_on if report else None, requirement.bounds(number)[2], day)))
    return "reports/panel.html", {"rows": rows}


nav_entry(55, "工作汇报", "report-requirements", lambda user: can_read(Requirement, user))

home_card("reports", "工作汇报", order=25, testid="home-reports")


@home_part("reports")
def reports_card(request):
    """Timeliness of the villages for each requirement's period now due (按时 / 逾期 / 未报 / 待报)."""
    summary = services.timeliness_summary(request.user)
    return ("reports/home_card.html", {"summary": summary}) if summary else None


# -- 我的待办 (core/panels.py work queues, hence notifications) ---------------------------------------

@work_queue(order=40)
def report_queues(user):
    """The reporter (a village cadre, a department): its reports due within SOON days or overdue and
    not yet submitted, and those returned to it with the reason. The reviewer (the town office; the
    county for what it required): the submitted reports waiting for its review. Each step asked of the
    transition table (its action; never what the user submitted: `not_by`). A few queries, however
    many requirements, periods or reports."""
    queues = []
    if Report.flow.may(user, "submit") and can_read(Report, user):
        queues.extend(_to_report(user))
    review = Report.flow["accept"]
    if can(user, review.action):
        rows = (Report.objects.visible_to(user).filter(status__in=review.source)
                .select_related("requirement__issuer", "village", "department").order_by("first_submitted_on", "id"))
        for handler in review.not_by:
            rows = rows.exclude(**{handler: user})
        rows = [r for r in rows if can(user, review.action, r)]  # the county reviews only what it required
        queues.append(queue("reports-to-review", "待审核的工作汇报", rows, lambda r: item(
            r, note=f"{r.first_submitted_on:%Y-%m-%d} 报送（{r.timeliness.label}），报送期限 {r.due_on:%Y-%m-%d}"),
                            reverse("report-requirements")))
    return queues


def _same(queue_item):
    return queue_item


def _to_report(user):
    """[Queue] of what the user reports for (their village or department) to the requirements of this
    year and last (a yearly report is due in January): the periods due within SOON days or overdue
    with no report submitted, and the reports returned to them (two queries)."""
    day = today()
    horizon = day + datetime.timedelta(days=SOON)
    requirements = [
        r for r in Requirement.objects.visible_to(user).filter(year__in=(day.year - 1, day.year), issuer__code__in=user.division.ancestor_codes())
        .select_related("issuer").order_by("year", "id")
        if services.own_reporter(user, r) is not None
    ]
    if not requirements:
        return []
    mine = {"department": user.department_id} if user.department_id else {"village": user.division_id}
    reports = {(r.requirement_id, r.number): r for r in Report.objects.filter(requirement__in=requirements, **mine)}
    due, returned = [], []
    for requirement in requirements:
        for number, label, _, _, due_on in requirement.periods():
            if due_on > horizon:
                break
            report = reports.get((requirement.pk, number))
            if report is not None and report.status == ReportStatus.RETURNED:
                returned.append((requirement, label, report))
            elif report is None or report.status == ReportStatus.DRAFT:
                due.append((requirement, number, label, due_on, report))
    queues = []
    if due:
        items = [QueueItem(("reports.requirement", f"{requirement.pk}-{number}"), f"{label}{requirement.title}",
                           report.get_absolute_url() if report else f"{requirement.get_absolute_url()}?period={number}",
                           f"报送期限 {due_on:%Y-%m-%d}" + ("（已填报，未报送）" if report else ""), late=due_on < day)
                 for requirement, number, label, due_on, report in due]
        queues.append(queue("reports-due", "待报送的工作汇报", items, _same, reverse("report-requirements")))
    if returned:
        queues.append(queue("reports-returned", "退回修改的工作汇报", [
            item(report, label=f"{label}{requirement.title}", note=f"退回原因：{report.reason or '（未说明）'}")
            for requirement, label, report in returned], _same))
    return queues
