"""Demo incidents for 长岗镇 in the demo year: a few, as a real town has, some recognised."""

import datetime

from django.db import transaction
from django.utils import timezone

from safestar.org.demo import TOWN, village_code
from safestar.org.models import Department, Division, User

from .models import Incident, IncidentKind

# (village index, kind, month, day, title, severity, recognised)
INCIDENTS = [
    (2, "telecom_fraud", 4, 18, "村民李某遭冒充公检法电信诈骗", "general", True),
    (5, "safety_accident", 7, 9, "坑塘溺水险情（已救起）", "general", False),
    (8, "criminal_case", 3, 2, "村民家中电动车被盗", "general", True),
    (11, "gambling", 2, 10, "春节期间聚众赌博被查处", "serious", True),
    (14, "illegal_petition", 9, 20, "村民赴京非正常上访", "general", False),
    (3, "telecom_fraud", 11, 5, "网购退款诈骗未遂", "general", False),
]


@transaction.atomic
def load(year):
    if Incident.objects.filter(division__parent__code=TOWN, occurred_on__year=year).exists():
        return
    police = Department.objects.get(name="长岗派出所")
    county_police = Department.objects.get(name="睢县公安局")
    recorder = User.objects.get(username="police")
    for index, kind, month, day, title, severity, recognised in INCIDENTS:
        Incident.objects.create(
            division=Division.objects.get(code=village_code(TOWN, index)),
            kind=IncidentKind.objects.get(code=kind),
            occurred_on=datetime.date(year, month, day),
            title=title,
            severity=severity,
            department=police,
            created_by=recorder,
            updated_by=recorder,
            recognised=recognised,
            recognised_at=timezone.now() if recognised else None,
            recognising_department=county_police if recognised else None,
        )
