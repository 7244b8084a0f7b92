"""Incident metrics: recognised incidents per village in a year, and the 三零 they break."""

import datetime

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from safestar.core.metrics import counted, metric, per_village

from .models import Incident, ZeroCategory


def recognised(year, villages):
    return Incident.objects.alive().filter(recognised=True, occurred_on__year=year, division__in=villages)


@metric("incidents.recognised", "已认定案事件数", "件")
def recognised_count(year, villages):
    """当年经认定的案事件（各类合计）。"""
    return per_village(recognised(year, villages))


for category in ZeroCategory:
    metric(f"incidents.breaks_{category.value}", f"破坏“{category.label}”的已认定案事件数", "件",
           f"当年经认定、类别计入“{category.label}”的案事件。")(
        lambda year, villages, c=category.value: per_village(recognised(year, villages).filter(kind__zero_category=c))
    )


def three_zero(year, villages):
    """{village id: {"case": n, "petition": n, "accident": n}} in one query; all 0 means 三零 achieved."""
    rows = (
        recognised(year, villages)
        .values("division")
        .annotate(**{c.value: Count("id", filter=Q(kind__zero_category=c.value)) for c in ZeroCategory})
    )
    return {row.pop("division"): row for row in rows}


def three_zero_years(year, village):
    """({year: incidents} of every year the village has incidents in, {category: recognised incidents
    of `year` in it} as three_zero() counts them). Counts (metrics.counted): inside batched() they
    are read with the page's other counts, in its one query, when first looked at."""
    years = counted(_years, village.pk, user=None, field="y")
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    counts = {c: counted(build, village.pk, first, last, user=None) for c, build in _BREAKING.items()}
    return years, counts


def _years(user, village):
    return Incident.objects.alive().filter(division=village, occurred_on__isnull=False).annotate(y=ExtractYear("occurred_on"))


def _recognised_between(village, first, last):
    """recognised(year, [village]) with the year as its first and last day (a kept statement's arguments)."""
    return Incident.objects.alive().filter(recognised=True, occurred_on__gte=first, occurred_on__lte=last, division=village)


_BREAKING = {c.value: lambda user, village, first, last, c=c.value: _recognised_between(village, first, last).filter(kind__zero_category=c)
             for c in ZeroCategory}
