from safestar.clock import today
from safestar.core.panels import home_card, home_part, nav_entry, village_panel
from safestar.core.scope import can_read

from . import services
from .models import Report, Requirement, judge


@village_panel
def reports_panel(request, village):
    """The village's work reports of this year's requirements, each at the period now due: timeliness and status."""
    if not can_read(Report, request.user):
        return None
    day = today()
    requirements = [r for r in Requirement.objects.visible_to(request.user).filter(year=day.year).select_related("issuer")
                    if village.path.startswith(r.issuer.path)]
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
