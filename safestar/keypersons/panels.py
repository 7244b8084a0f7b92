"""The village page's key-person panel: how many are managed and how many visits are overdue, for
those who may see the registry (counts only; no names)."""

from safestar.clock import today
from safestar.core.metrics import Counts, counted
from safestar.core.panels import home_part, nav_entry, village_panel
from safestar.core.scope import can_read

from .models import KeyPerson, Status
from .overdue import home_overdue, overdue_on


def _persons(user, village):
    return KeyPerson.objects.visible_to(user).alive().filter(division=village)


def _managed(user, village):
    return _persons(user, village).filter(status=Status.MANAGED)


def _overdue(user, village, day):
    return overdue_on(_persons(user, village), day)


@village_panel
def key_person_panel(request, village):
    if not can_read(KeyPerson, request.user):
        return None
    # read with the page's other counts (core/panels.py render_panels: one query)
    user, day = request.user, today()
    counts = Counts(village.pk, total=counted(_persons, village.pk, user=user), managed=counted(_managed, village.pk, user=user),
                    overdue=counted(_overdue, village.pk, day, user=user))
    return "keypersons/panel.html", {"village": village, "counts": counts}


nav_entry(40, "重点人员登记簿", "key-persons", lambda user: can_read(KeyPerson, user), menu="台账", group="重点人员")
nav_entry(100, "重点人员类别", "key-person-categories", lambda user: user.spec.manages_departments)


@home_part("todo", order=20)
def overdue_card(request):
    """The visits overdue, in the home page's 我的待办 card (creation's)."""
    count = home_overdue(request.user)
    return ("keypersons/home_overdue.html", {"key_person_overdue": count}) if count is not None else None


def _documented_imports():
    from safestar.core.import_docs import document

    from .exports import VisitImporter, export_columns, visit_columns
    from .models import Visit

    document("重点人员登记表（重点人员 › 从 Excel 导入）", export_columns, KeyPerson)
    document(f"{VisitImporter.title}（重点人员 › 导入走访记录）", visit_columns, Visit)


_documented_imports()
