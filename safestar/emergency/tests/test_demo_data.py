"""The 应急 demo records of 长岗镇 are believable, and a missing ledger is written again alone (written
once, the same every time and valid: tests/test_demo_data.py)."""

import datetime
from collections import Counter

import pytest

from conftest import demo_snapshot
from safestar.core.metrics import compute
from safestar.emergency import demo_data
from safestar.emergency.models import Drill, EmergencyMember, EmergencyPlan, EmergencySupply, FireStation, Shelter
from safestar.org.demo import TOWN, village_code
from safestar.org.models import Division

MODELS = (EmergencyMember, Shelter, EmergencySupply, EmergencyPlan, FireStation, Drill)
YEAR = 2023


@pytest.fixture
def loaded(world):
    demo_data.load(YEAR)


def test_only_a_missing_ledger_is_written_again_the_same_as_before(loaded):
    first = demo_snapshot(MODELS)
    Drill.objects.all().delete()
    demo_data.load(YEAR)  # only the drills are written again, the same as before
    assert demo_snapshot(MODELS) == first


def test_the_demo_is_believable(loaded):
    town_villages = Division.objects.filter(parent__code=TOWN, level="village")
    ids = dict(town_villages.values_list("code", "pk"))
    index = {ids[village_code(TOWN, i)]: i for i in range(1, 21)}

    def value(name):
        return {index[pk]: v for pk, v in compute(name, YEAR, town_villages).items()}

    team, party = value("emergency.team_size"), value("emergency.party_members")
    assert len(team) == 20 and all(15 <= n <= 30 for n in team.values())
    assert {i for i, n in team.items() if n < 20} == demo_data.SMALL_TEAMS
    assert 0.25 <= sum(party.values()) / sum(team.values()) <= 0.45  # roughly a third are party members
    assert all(party[i] >= 2 for i in team)  # the captain and the deputy at least
    roles = Counter(EmergencyMember.objects.filter(active=True).values_list("division", "role"))
    assert all(roles[(pk, "captain")] == 1 for pk in ids.values())

    assert set(value("emergency.shelter_capacity")) == set(range(1, 21)) - demo_data.NO_SHELTER
    assert set(value("emergency.generators")) == set(range(1, 21)) - demo_data.NO_GENERATOR
    assert len(value("emergency.flashlights")) == len(value("emergency.extinguishers")) == 20
    assert set(value("emergency.plans_flood")) == set(range(1, 21))
    assert set(value("emergency.plans_evacuation")) == set(range(1, 21)) - demo_data.NO_EVACUATION_PLAN
    assert not value("emergency.plans_with_document")  # no demo attachments
    assert set(value("emergency.fire_stations")) == set(range(1, 21)) - demo_data.NO_FIRE_STATION
    drills = value("emergency.drills")
    assert set(drills) == set(range(1, 21)) - demo_data.NO_DRILL and all(1 <= n <= 3 for n in drills.values())

    for model in MODELS:
        records = model.objects.all()
        assert records.exists() and not records.exclude(division__in=town_villages).exists()
        assert {r.created_by.username for r in records} == {"grid1"} == {r.updated_by.username for r in records}
    # Nothing is backdated: the standing records count for the demo year by their own start dates.
    end = datetime.date(YEAR, 12, 31)
    assert all(m.joined_on <= end for m in EmergencyMember.objects.all())
    assert all(s.opened_on <= end and s.active for s in Shelter.objects.all())
    assert all(s.acquired_on <= end for s in EmergencySupply.objects.all())

