from safestar.clock import today
from safestar.core.ledger import LEDGERS
from safestar.core.metrics import METRICS, batched, standing, year_end
from safestar.core.panels import village_panel
from safestar.core.scope import can_read

from .metrics import RATE_METRICS
from .models import VillageProfile


def profile_on(village, day):
    """The village's profile as it stood on `day`, every tracked field as of then, or None (no profile,
    or established later)."""
    fields = VillageProfile.tracked_fields
    profile = standing(VillageProfile, [village], day, "established_on", *fields).first()
    if profile is not None:
        for name in fields:
            setattr(profile, name, getattr(profile, f"asof_{name}"))
    return profile


def linked_people(village, day, user):
    """The 一村一警 officer and the legal advisers on `day`, from their own ledgers (not typed again
    in the profile), each only when the user may read that ledger."""
    officer, advisers = None, []
    security, legal = LEDGERS.get("security-profiles"), LEDGERS.get("legal-advisors")
    if security and can_read(security.model, user):
        row = standing(security.model, [village], day, "established_on", "police_officer").first()
        officer = (row.asof_police_officer or None) if row else None
    if legal and can_read(legal.model, user):
        advisers = [f"{a.name}（{a.organisation}）" for a in standing(legal.model, [village], day, "appointed_on", "active")
                    if a.asof_active]
    return officer, advisers


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
    profile = profile_on(village, day)
    officer, advisers = linked_people(village, day, request.user)
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
