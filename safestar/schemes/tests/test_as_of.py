"""Scores that match the facts, from the plan's wording: a year is evaluated from the state of the
villages on 31 December, whatever day the facts were entered and whatever changed afterwards.

Two villages of 长岗镇 have the same 2023: 长岗村 entered it during 2023, 杨庄村 only in January 2024
(a town that starts using SafeStar late, or enters last year's data after the year). A third, 李庄村,
has the same facts as 长岗村 and then changes in 2024: members leave, a camera is removed, a supply
is scrapped, a key person is released, a venue is banned.
"""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from conftest import VILLAGE1, VILLAGE2, change_state, load_scheme, make_record
from safestar.core.ledger import LEDGERS
from safestar.keypersons.models import Status
from safestar.keypersons.tests.factories import key_person, visit
from safestar.org.models import Division
from safestar.schemes.services import results

D = datetime.date
VILLAGE3 = "411422100203"  # 李庄村
STATE_METRICS = ["security.camera_channels", "security.has_police_officer", "emergency.team_size", "emergency.generators",
                 "emergency.shelter_capacity", "religion.venues", "disputes.legal_advisors", "keypersons.visits_overdue"]


def at(moment):
    """Records saved inside are entered (录入时间, created_at) at `moment`."""
    return mock.patch("django.utils.timezone.now", return_value=timezone.make_aware(datetime.datetime.fromisoformat(moment)))


def write_2023(code, entered):
    """The village's 2023: one record of every ledger (dated in 2023 or before), seven more team
    members, two more cameras, a generator, a key person visited in October (overdue at the year's
    end) and one visited in December; and, recorded later but effective in 2023, one member who left
    in October. All entered at `entered`."""
    with at(entered):
        records = {slug: make_record(slug, code) for slug in LEDGERS}
        for n in range(7):
            make_record("emergency-members", code, name=f"队员{n}", joined_on=D(2022, 1, 1 + n))
        for location in ("村东口", "村西口"):
            make_record("cameras", code, location=location, channels=2, installed_on=D(2022, 8, 1))
        make_record("emergency-supplies", code, item="generator", quantity=1, unit="台", acquired_on=D(2023, 2, 1))
        visit(key_person(code, categories=("drugs",), registered=D(2023, 2, 1)), D(2023, 10, 1))
        visit(key_person(code, categories=("drugs",), registered=D(2023, 2, 1)), D(2023, 12, 20))
        left = make_record("emergency-members", code, name="离队队员", joined_on=D(2021, 1, 1))
        change_state(left, D(2023, 10, 1), active=False)
    return records


def outcome(scheme, codes):
    villages = Division.objects.filter(code__in=codes).order_by("code")
    return {r.code: r for r in results(scheme, villages)}


def scores(result):
    return [(i.code, i.awarded, i.measured, i.reason) for i in result.indicators], result.total, result.status


@pytest.fixture
def scheme(world, freeze_today):
    freeze_today(D(2024, 1, 20))  # evaluating 2023 after its end
    return load_scheme()


def test_a_year_entered_in_january_after_scores_as_one_entered_during_the_year(scheme):
    write_2023(VILLAGE1, "2023-06-30T10:00")
    write_2023(VILLAGE2, "2024-01-15T10:00")
    found = outcome(scheme, [VILLAGE1, VILLAGE2])
    assert scores(found[VILLAGE2]) == scores(found[VILLAGE1])
    # not two empty villages: the standing records count for both
    facts = {i.code: i for i in found[VILLAGE2].indicators}
    assert facts["C1.5"].measured == "8路" and facts["C1.1"].awarded == facts["C1.1"].points  # 4 + 2 + 2 channels; 一村一警
    assert facts["C6.1"].measured == "8人"  # the example member and seven more; the one who left in October not
    assert facts["C7.3"].measured == "1人"  # the key person visited in October is overdue on 31 December


def test_the_state_metrics_agree_for_the_late_village(scheme):
    from safestar.core.metrics import compute

    write_2023(VILLAGE1, "2023-06-30T10:00")
    write_2023(VILLAGE2, "2024-01-15T10:00")
    ids = dict(Division.objects.filter(code__in=[VILLAGE1, VILLAGE2]).values_list("code", "pk"))
    villages = Division.objects.filter(code__in=[VILLAGE1, VILLAGE2])
    for name in STATE_METRICS:
        values = compute(name, 2023, villages)
        assert values.get(ids[VILLAGE1]) == values.get(ids[VILLAGE2]) is not None, name


def test_changes_in_2024_leave_2023_as_it_was(scheme, freeze_today, login):
    records = write_2023(VILLAGE3, "2023-06-30T10:00")
    write_2023(VILLAGE1, "2023-06-30T10:00")  # the same 2023, never changed: the yardstick
    before = scores(outcome(scheme, [VILLAGE3])[VILLAGE3])

    freeze_today(D(2024, 3, 1))
    with at("2024-03-01T10:00"):
        # a member leaves through the ledger page, on the day it is recorded (变更生效日期 left empty)
        member = records["emergency-members"]
        form = {k: ("on" if v is True else "" if v in (None, False) else v) for k, v in {
            "division": member.division_id, "name": member.name, "party_member": member.party_member, "role": member.role,
            "skills": member.skills, "phone": member.phone, "joined_on": member.joined_on.isoformat(), "version": member.version,
        }.items()}
        assert login("town").post(f"/ledgers/emergency-members/{member.pk}/edit/", {k: v for k, v in form.items() if v != ""}).status_code == 302
        camera = records["cameras"]
        change_state(camera, D(2024, 2, 10), working=False)  # removed in February
        from safestar.emergency.models import EmergencySupply
        from safestar.keypersons.models import KeyPerson
        from safestar.religion.models import ReligiousVenue

        for supply in EmergencySupply.objects.filter(division__code=VILLAGE3, item="generator"):
            change_state(supply, D(2024, 2, 20), condition="scrapped")
        for person in KeyPerson.objects.filter(division__code=VILLAGE3):
            change_state(person, D(2024, 1, 10), status=Status.RELEASED)
        for venue in ReligiousVenue.objects.filter(division__code=VILLAGE3):
            change_state(venue, D(2024, 2, 1), status="banned")

    after = outcome(scheme, [VILLAGE3, VILLAGE1])
    assert scores(after[VILLAGE3]) == before == scores(after[VILLAGE1])  # 2023 unchanged, as the untouched village
    from safestar.core.metrics import compute

    villages = Division.objects.filter(code__in=[VILLAGE3, VILLAGE1])
    ids = dict(villages.values_list("code", "pk"))
    for name in ("security.camera_channels", "emergency.team_size", "emergency.generators", "religion.venues"):
        now = compute(name, 2024, villages)  # 2024 (to 1 March) sees the changes
        assert now.get(ids[VILLAGE3], 0) < now[ids[VILLAGE1]], name
    assert compute("keypersons.visits_overdue", 2024, villages).get(ids[VILLAGE3]) is None  # released: no longer managed
