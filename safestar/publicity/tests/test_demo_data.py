"""The demo publicity activities of 长岗镇 are believable, and another year is loaded on its own (written
once and the same every time: tests/test_demo_data.py)."""

from collections import Counter

from conftest import CHANGGANG
from safestar.core.metrics import compute
from safestar.org.demo import DEMO_YEAR, TOWN, village_code
from safestar.publicity import demo_data
from safestar.publicity.models import Activity


def test_demo_activities_are_believable(world):
    from safestar.org.models import Division

    demo_data.load(DEMO_YEAR)
    activities = list(Activity.objects.select_related("division", "created_by"))
    per_village = Counter(a.division.code for a in activities)
    assert set(per_village) == {village_code(TOWN, i) for i in range(1, 21)}
    assert all(8 <= n <= 30 for n in per_village.values()), per_village
    assert {a.held_on.year for a in activities} == {DEMO_YEAR}
    assert {a.created_by.username for a in activities} == {"grid1"}
    for a in activities:
        a.full_clean()  # every demo record passes the ledger's own validation
    topics = Counter(a.topic for a in activities).most_common()
    assert [t for t, _ in topics[:2]] == ["anti_fraud", "law"]
    # Some villages never covered some topics: the scoring shows the difference.
    villages = Division.objects.filter(parent__code=CHANGGANG, level="village")
    fundraising = compute("publicity.topic.illegal_fundraising", DEMO_YEAR, villages)
    covered = set(Division.objects.filter(pk__in=fundraising).values_list("code", flat=True))
    assert {village_code(TOWN, i) for i in (7, 12, 16)}.isdisjoint(covered)
    assert len(covered) >= 12
    assert compute("publicity.anti_fraud_online", DEMO_YEAR, villages) and compute("publicity.anti_fraud_offline", DEMO_YEAR, villages)


def test_demo_leaves_another_year_alone(world):
    demo_data.load(DEMO_YEAR)
    count = Activity.objects.count()
    demo_data.load(DEMO_YEAR - 1)  # another year is loaded on its own
    assert Activity.objects.filter(held_on__year=DEMO_YEAR - 1).count() == Activity.objects.count() - count > 0
