"""The demo 宗教 records of 长岗镇: believable and valid; another year keeps the venues (written once and
the same every time: tests/test_demo_data.py)."""

from collections import Counter

from conftest import CHANGGANG
from safestar.core.metrics import compute
from safestar.org.demo import DEMO_YEAR, TOWN, village_code
from safestar.org.models import Division
from safestar.religion import demo_data
from safestar.religion.models import CLUE_KINDS, ReligiousActivity, ReligiousVenue


def test_another_year_adds_its_activities_and_keeps_the_venues(world):
    demo_data.load(DEMO_YEAR)
    venues, activities = ReligiousVenue.objects.count(), ReligiousActivity.objects.count()
    demo_data.load(DEMO_YEAR - 1)
    assert ReligiousVenue.objects.count() == venues
    assert ReligiousActivity.objects.filter(held_on__year=DEMO_YEAR - 1).count() == ReligiousActivity.objects.count() - activities > 0


def test_the_demo_records_are_believable_and_valid(world):
    demo_data.load(DEMO_YEAR)
    venues = list(ReligiousVenue.objects.select_related("division", "created_by"))
    activities = list(ReligiousActivity.objects.select_related("division", "venue", "created_by"))
    for record in [*venues, *activities]:
        record.full_clean()  # every demo record passes the ledger's own validation
        assert record.created_by.username == record.updated_by.username == "grid1"
    # Nothing is backdated: the venues count for the demo year because the village knew of them by then.
    assert all(v.known_since.year < DEMO_YEAR for v in venues)
    assert {v.division.parent.code for v in venues} == {TOWN}
    per_village = Counter(v.division.code for v in venues)
    assert all(n <= 2 for n in per_village.values()) and len(per_village) < 10  # most villages have none
    assert [v.division.name for v in venues if v.religion == "christianity"] == ["长岗村"]
    assert sum(v.religion == "folk" and not v.registered for v in venues) >= 3
    assert {v.status for v in venues} == {"normal", "watch", "banned"}

    assert {a.held_on.year for a in activities} == {DEMO_YEAR}
    assert all(a.venue is None or a.venue.division_id == a.division_id for a in activities)
    visits = Counter(a.division.code for a in activities if a.kind == "care_visit")
    assert set(visits) == {village_code(TOWN, i) for i in range(1, 21)} and all(1 <= n <= 4 for n in visits.values())
    clues = [a for a in activities if a.kind in CLUE_KINDS]
    assert 2 <= len(clues) <= 3 and len({a.status for a in clues}) == len(clues)  # varied handling

    villages = Division.objects.filter(parent__code=CHANGGANG, level="village")
    assert sum(compute("religion.venues", DEMO_YEAR, villages).values()) == len(venues) - 1  # one banned
    assert sum(compute("religion.clues_reported", DEMO_YEAR, villages).values()) == len(clues)
    assert sum(compute("religion.clues_open", DEMO_YEAR, villages).values()) == len(clues) - 1
    assert compute("religion.unregistered_venues", DEMO_YEAR, villages)
    assert compute("religion.venues_visited", DEMO_YEAR, villages)
