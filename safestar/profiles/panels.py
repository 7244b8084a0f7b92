from dataclasses import dataclass

from safestar.clock import today
from safestar.core import compiled
from safestar.core.ledger import LEDGERS
from safestar.core.metrics import METRICS, batched, records_in, year_end
from safestar.core.states import read_as_of
from safestar.core.panels import village_panel
from safestar.core.scope import can_read

from .metrics import RATE_METRICS
from .models import VillageProfile


def _begun(model, village, day, since):
    """The village's records of `model` that had begun by `day` (their `since` date)."""
    return compiled.rows(_Begun(model, since), village.pk, day)


@dataclass(frozen=True)
class _Begun:
    model: type
    since: str

    def __call__(self, user, village, day):
        return records_in(self.model, [village]).filter(**{f"{self.since}__lte": day}).order_by("pk")


def village_profile(village, day, user):
    """The village as it stood on `day`: (its profile, every tracked field as of then, or None when it
    has none or it was established later; the 一村一警 officer or None; the legal advisers). The officer
    and the advisers come from their own ledgers (not typed again in the profile), each only when
    `user` may read that ledger. The tracked fields of all these records are read as of `day` from
    their changes in one query (states.read_as_of)."""
    profile = next(iter(_begun(VillageProfile, village, day, "established_on")), None)
    security, legal = LEDGERS.get("security-profiles"), LEDGERS.get("legal-advisors")
    stations = _begun(security.model, village, day, "established_on")[:1] if security and can_read(security.model, user) else []
    advisers = _begun(legal.model, village, day, "appointed_on") if legal and can_read(legal.model, user) else []
    read_as_of([*([profile] if profile else []), *stations, *advisers], day)
    if profile is not None:
        for name in VillageProfile.tracked_fields:
            setattr(profile, name, getattr(profile, f"asof_{name}"))
    officer = (stations[0].asof_police_officer or None) if stations else None
    return profile, officer, [f"{a.name}（{a.organisation}）" for a in advisers if a.asof_active]


def _year(request):
    value = request.GET.get("profile_year", "")
    if value.isascii() and value.isdigit() and 2000 <= int(value) <= today().year:
        return int(value)
    return None


class _Rates:
    """[(label, unit, rate per 1,000 residents)] of the counts [(Metric, {village id: n})], worked out
    when the template shows them: their counts are read then (core/metrics.py batched())."""

    def __init__(self, village, people, counts):
        self.village, self.people, self.counts = village, people, counts

    def __bool__(self):
        return bool(self.counts)

    def __iter__(self):
        for m, found in self.counts:
            yield m.label, m.unit, round(found.get(self.village, 0) * 1000 / self.people, 2) if self.people else None


@village_panel
def profile_panel(request, village):
    """村基本情况 on the village page: as it is today, or as it stood at the end of `?profile_year=`."""
    if not can_read(VillageProfile, request.user):
        return None
    year = _year(request)
    day = year_end(year) if year else today()
    profile, officer, advisers = village_profile(village, day, request.user)
    rates = []
    if profile is not None and profile.population:
        shown = year or day.year
        one = [village.pk]  # an id, not a query of divisions: SQLite then reads each table through its village index
        # the population as the profile stood on `day` (the end of the year shown, or today), as the population metric reads it
        people = profile.population
        with batched():  # the four counts in one query (on the village page, with its other panels' counts)
            rates = _Rates(village.pk, people, [(METRICS[name], METRICS[name].compute(shown, one)) for name in RATE_METRICS if name in METRICS])
    return "profiles/panel.html", {
        "profile": profile, "village": village, "day": day, "year": year, "officer": officer, "advisers": advisers, "rates": rates,
        "committee": [line.strip() for line in (profile.committee if profile else "").splitlines() if line.strip()],
        "sites": [line.strip() for line in (profile.key_sites if profile else "").splitlines() if line.strip()],
        "years": list(range(today().year, today().year - 4, -1)), "ledger": LEDGERS["village-profiles"],
    }
