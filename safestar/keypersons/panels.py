"""The village page's key-person panel: how many are managed and how many visits are overdue, for
those who may see the registry (counts only; no names)."""

from safestar.core.metrics import Counts, per_village
from safestar.core.panels import home_part, nav_entry, village_panel
from safestar.core.scope import can_read

from .models import KeyPerson, Status
from .overdue import home_overdue, overdue_on


@village_panel
def key_person_panel(request, village):
    if not can_read(KeyPerson, request.user):
        return None
    persons = KeyPerson.objects.visible_to(request.user).alive().filter(division=village)
    # read with the page's other counts (core/panels.py render_panels: one query)
    counts = Counts(village.pk, total=per_village(persons), managed=per_village(persons.filter(status=Status.MANAGED)),
                    overdue=per_village(overdue_on(persons)))
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
