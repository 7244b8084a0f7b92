"""村基本情况 metrics and rates per 1,000 residents.

The profile reads as it stood at the year's end (core/metrics.year_end): a profile established (建档日期)
by then, with its numbers as changed up to then (core/states.py). `per_thousand` turns any metric into a
rate per 1,000 residents of that same day, for dashboards that compare villages of different sizes."""

from safestar.core.metrics import METRICS, metric, standing, year_end

from .models import VillageProfile

RATE_METRICS = ("incidents.recognised", "disputes.received", "petitions.received", "safety.hazards_found")  # shown per 1,000 residents


def profiles(year, villages, *fields):
    return standing(VillageProfile, villages, year_end(year), "established_on", *fields)


def _as_of(year, villages, name):
    return {division: value for division, value in profiles(year, villages, name).values_list("division", f"asof_{name}")
            if value is not None}


@metric("profiles.population", "常住人口", "人", absent_as_zero=False)
def population(year, villages):
    """村基本情况中年底时的常住人口（按变更生效日期取当时的数；没有基本情况或建档晚于年底的村无数据）。"""
    return _as_of(year, villages, "population")


@metric("profiles.households", "户数", "户", absent_as_zero=False)
def households(year, villages):
    """村基本情况中年底时的户数。"""
    return _as_of(year, villages, "households")


@metric("profiles.grid_workers", "网格员人数", "人", absent_as_zero=False)
def grid_workers(year, villages):
    """村基本情况中年底时的网格员人数。"""
    return _as_of(year, villages, "grid_workers")


def per_thousand(values, year, villages):
    """{village id: value per 1,000 residents, 2 decimals} of `values` ({village id: number}), by the
    population at the year's end; villages without a population (no profile, or 0) are left out. One
    query besides whatever gave `values`."""
    people = population(year, villages)
    return {village: round(value * 1000 / people[village], 2) for village, value in values.items() if people.get(village)}


def rate(name, year, villages):
    """Metric `name` per 1,000 residents: {village id: rate}, every village with a population (0 when the
    metric has none). Two queries whatever the number of villages."""
    values = METRICS[name].compute(year, villages)
    people = population(year, villages)
    return {village: round(values.get(village, 0) * 1000 / n, 2) for village, n in people.items() if n}
