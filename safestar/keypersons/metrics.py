"""Key-person metrics for category 7 of the standards. The registry is a current state, so these
read it as it stands (visits: as of the year's end, or today in the current year)."""

import datetime
from collections import Counter

from django.db.models import Q

from safestar.core.clock import today
from safestar.core.metrics import metric, per_village

from .models import KeyPerson, Status, Treatment
from .overdue import overdue

MENTAL = ("mental",)
SAFE_TREATMENT = (Treatment.HOSPITAL, Treatment.COMPULSORY)


def _persons(villages):
    return KeyPerson.objects.alive().filter(division__in=villages)


@metric("keypersons.unmanaged", "未落实管理的重点人员数", "人")
def unmanaged(year, villages):
    """脱管、漏管的重点人员，加上在管但管理、教育、服务措施有一项未填写的人员。"""
    missing = Q(measures_management="") | Q(measures_education="") | Q(measures_service="")
    return per_village(_persons(villages).filter(Q(status__in=[Status.LOST, Status.MISSED]) | Q(status=Status.MANAGED) & missing))


@metric("keypersons.mental_care_gaps", "监护或治疗未落实的严重精神障碍患者数", "人")
def mental_care_gaps(year, villages):
    """在管的严重精神障碍患者中，监护人未登记的，或危险性评估 3 级及以上而未住院、未强制医疗的。"""
    gap = Q(guardian_name="") | Q(risk_grade__gte=3) & ~Q(treatment__in=SAFE_TREATMENT)
    persons = _persons(villages).filter(status=Status.MANAGED, categories__code__in=MENTAL).filter(gap)
    return per_village(KeyPerson.objects.filter(pk__in=persons.values("pk")))


@metric("keypersons.visits_overdue", "走访帮教逾期的重点人员数", "人")
def visits_overdue(year, villages):
    """在管的重点人员中，到年底（当年则到今天）已超过本类别走访周期没有走访帮教记录的人数。"""
    as_of = min(datetime.date(year, 12, 31), today())
    return dict(Counter(due.person.division_id for due in overdue(_persons(villages), as_of)))
