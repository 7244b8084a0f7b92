"""Incident metrics: recognised incidents per village in a year, and the 三零 they break."""

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from safestar.core.metrics import metric, per_village

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
    """(the years the village has incidents in, {"case": n, "petition": n, "accident": n} of `year`
    as three_zero() counts them) in one query: the village's incidents grouped by year, each year's
    row counting the recognised ones of `year` by category."""
    counted = Q(recognised=True, occurred_on__year=year)
    rows = (
        Incident.objects.alive().filter(division=village, occurred_on__isnull=False)
        .annotate(y=ExtractYear("occurred_on")).order_by().values("y")
        .annotate(**{c.value: Count("id", filter=counted & Q(kind__zero_category=c.value)) for c in ZeroCategory})
    )
    years, counts = set(), dict.fromkeys(ZeroCategory.values, 0)
    for row in rows:
        years.add(row.pop("y"))
        for name, n in row.items():
            counts[name] += n
    return years, counts
