"""Key-person metrics for category 7 of the standards, as of the year's end (core/metrics.year_end:
31 December, or today in the current year). Each is ONE grouped query in the database: who was
registered by then (登记日期) and their status, measures, guardian, risk grade and treatment as they
stood then (core/states.py); visits up to then. Categories are read as they are now. No personal
field is decrypted, no person becomes a model object."""

from django.db.models import Exists, OuterRef, Q

from safestar.core.metrics import kept, metric, per_village, records_in, year_end
from safestar.core.states import as_of

from .models import KeyPerson, Status, Treatment
from .overdue import overdue_on

MENTAL = ("mental",)
SAFE_TREATMENT = (Treatment.HOSPITAL, Treatment.COMPULSORY)
MEASURES = ("measures_management", "measures_education", "measures_service")


def registered(villages, day, *tracked):
    """The alive persons of `villages` registered by `day`, with `tracked` fields as of `day`."""
    return as_of(records_in(KeyPerson, villages).filter(registered_on__lte=day), day, *tracked)


@metric("keypersons.unmanaged", "未落实管理的重点人员数", "人")
def unmanaged(year, villages):
    """年底时脱管、漏管的重点人员，加上年底时在管但管理、教育、服务措施有一项未填写的人员。"""
    missing = Q(asof_measures_management="") | Q(asof_measures_education="") | Q(asof_measures_service="")
    persons = registered(villages, year_end(year), "status", *MEASURES)
    return per_village(persons.filter(Q(asof_status__in=[Status.LOST, Status.MISSED]) | Q(asof_status=Status.MANAGED) & missing))


@metric("keypersons.mental_care_gaps", "监护或治疗未落实的严重精神障碍患者数", "人")
def mental_care_gaps(year, villages):
    """年底时在管的严重精神障碍患者中，当时监护人未登记的，或当时危险性评估 3 级及以上而未住院、未强制医疗的。"""
    mental = KeyPerson.categories.through.objects.filter(keyperson=OuterRef("pk"), category__code__in=MENTAL)
    gap = Q(asof_guardian_name="") | Q(asof_risk_grade__gte=3) & ~Q(asof_treatment__in=SAFE_TREATMENT)
    persons = registered(villages, year_end(year), "status", "guardian_name", "risk_grade", "treatment")
    return per_village(persons.filter(Exists(mental), gap, asof_status=Status.MANAGED))


@metric("keypersons.visits_overdue", "走访帮教逾期的重点人员数", "人")
def visits_overdue(year, villages):
    """年底时（当年则今天）在管的重点人员中，已超过本类别走访周期没有走访帮教记录的人数（从上次走访或登记日期起算）。"""
    return per_village(overdue_on(records_in(KeyPerson, villages), year_end(year)))


@kept("key_persons", "重点人员")
def key_persons_kept(year, villages):
    """到年底已登记的重点人员（不论当时状态）。没有时须有“本年度无重点人员”的零报告。"""
    return per_village(records_in(KeyPerson, villages).filter(registered_on__lte=year_end(year)))
