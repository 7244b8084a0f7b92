from safestar.core.panels import home_card, home_part, nav_entry, village_panel
from safestar.core.scope import can_read

from . import services
from .models import Report, Requirement


@village_panel
def reports_panel(request, village):
    """The village's work reports of this year's requirements: each period's timeliness and status."""
    if not can_read(Report, request.user):
        return None
    rows = []
    for requirement, number, label, _ in services.timeliness_summary(request.user):
        for row_village, report, timeliness in services.standing(requirement, number, request.user):
            if row_village.pk == village.pk:
                rows.append((requirement, label, report, timeliness))
    return ("reports/panel.html", {"rows": rows}) if rows else None


nav_entry(55, "工作汇报", "report-requirements", lambda user: can_read(Requirement, user))

home_card("reports", "工作汇报", order=25, testid="home-reports")


@home_part("reports")
def reports_card(request):
    """Timeliness of the villages for each requirement's period now due (按时 / 逾期 / 未报 / 待报)."""
    summary = services.timeliness_summary(request.user)
    return ("reports/home_card.html", {"summary": summary}) if summary else None
