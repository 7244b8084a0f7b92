"""Demo incidents for 长岗镇 in the demo year: a few, as a real town has, some recognised.
records() is the recipe (org/demo.py: also the benchmark's, for every town); load() applies it."""

import datetime

from django.db import transaction
from django.utils import timezone

from safestar.org.demo import TOWN, Batch, demo_town, write

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
POLICE, COUNTY_POLICE = "长岗派出所", "睢县公安局"  # who records them, who recognises them


def records(town, rng):
    """The recipe: a town's incidents of the year (org.demo.Town; shared with the benchmark)."""
    kinds = IncidentKind.objects.in_bulk(field_name="code")
    police, county_police = town.departments.get(POLICE), town.departments.get(COUNTY_POLICE)
    incidents = [
        Incident(
            division=town.village(index), kind=kinds[kind], occurred_on=datetime.date(town.year, month, day), title=title,
            severity=severity, department=police, recognised=recognised, recognised_at=timezone.now() if recognised else None,
            recognising_department=county_police if recognised else None,
        )
        for index, kind, month, day, title, severity, recognised in INCIDENTS
        if town.village(index) is not None
    ]
    return [Batch(Incident, incidents)]


@transaction.atomic
def load(year):
    if Incident.objects.filter(division__parent__code=TOWN, occurred_on__year=year).exists():
        return
    town = demo_town(year, users=("police",), departments=(POLICE, COUNTY_POLICE))
    for batch in records(town, None):
        write(batch, town.users["police"])
