"""Each 应急 metric on a small hand-made dataset, with the arithmetic spelled out, in exactly one query.

Villages evaluated: 长岗村 (V1), 杨庄村 (V2) and 李庄村 (V3, never given records); the year is 2023.
A record in 平岗村, outside the evaluated villages, is added to every dataset and must never be
counted. Deleted records are never counted either. Records are entered (录入时间) in 2023 unless
said otherwise, which the metrics never read: a late entry counts by its own dates, and a change
recorded with a later effective day (change_state) leaves 2023 as it was.
"""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from conftest import PINGGANG_VILLAGE, VILLAGE1, VILLAGE2, change_state, make_record
from safestar.core.metrics import METRICS, compute
from safestar.core.models import Attachment
from safestar.org.models import Division, User

D = datetime.date
VILLAGE3 = "411422100203"  # 李庄村
YEAR = 2023


@pytest.fixture
def villages(world):
    return Division.objects.filter(code__in=[VILLAGE1, VILLAGE2, VILLAGE3])


@pytest.fixture
def ids(world):
    return {code: pk for code, pk in Division.objects.values_list("code", "pk")}


def record(slug, code, entered=D(2023, 3, 1), deleted=False, **values):
    """A record entered on `entered` (录入时间), soft-deleted if asked."""
    obj = make_record(slug, code, **values)
    stamp = timezone.make_aware(datetime.datetime.combine(entered, datetime.time(10)))
    type(obj).objects.filter(pk=obj.pk).update(created_at=stamp, deleted_at=timezone.now() if deleted else None)
    return obj


def one_query(django_assert_num_queries, name, villages, year=YEAR):
    with django_assert_num_queries(1):
        return compute(name, year, villages)


def test_the_metrics_are_registered_with_their_units():
    units = {name: m.unit for name, m in METRICS.items() if name.startswith("emergency.")}
    assert units == {
        "emergency.team_size": "人",
        "emergency.party_members": "人",
        "emergency.shelter_capacity": "人",
        "emergency.generators": "台",
        "emergency.flashlights": "个",
        "emergency.extinguishers": "具",
        "emergency.plans": "份",
        "emergency.plans_flood": "份",
        "emergency.plans_evacuation": "份",
        "emergency.plans_with_document": "份",
        "emergency.fire_stations": "个",
        "emergency.drills": "次",
    }
    assert all(METRICS[name].description and METRICS[name].label for name in units)


def test_team_size_and_party_members(villages, ids, django_assert_num_queries):
    slug = "emergency-members"
    record(slug, VILLAGE1, party_member=True, role="captain", joined_on=D(2021, 4, 1))  # team, party
    record(slug, VILLAGE1, party_member=True, joined_on=D(2023, 12, 31))  # team, party (joined on the last day)
    record(slug, VILLAGE1, party_member=False, joined_on=D(2022, 3, 1), entered=D(2024, 1, 10))  # entered late: team
    record(slug, VILLAGE1, party_member=True, active=False)  # not in the team when entered: no
    left = record(slug, VILLAGE1, party_member=True, joined_on=D(2020, 5, 1))  # team, party in 2023 ...
    change_state(left, D(2024, 2, 1), active=False)  # ... left in 2024
    joined_party = record(slug, VILLAGE1, party_member=False, joined_on=D(2022, 1, 1))  # team in 2023 ...
    change_state(joined_party, D(2024, 7, 1), party_member=True)  # ... a party member only from 2024
    record(slug, VILLAGE1, party_member=True, deleted=True)  # deleted: no
    record(slug, VILLAGE1, party_member=True, entered=D(2024, 1, 10), joined_on=D(2024, 1, 5))  # joined in 2024: no
    record(slug, VILLAGE1, party_member=False, entered=D(2023, 12, 20), joined_on=D(2024, 1, 2))  # joins in 2024: no
    record(slug, VILLAGE2, party_member=False, role="captain", entered=D(2023, 12, 31))  # team
    record(slug, VILLAGE2, party_member=False)  # team
    record(slug, PINGGANG_VILLAGE, party_member=True)  # not evaluated
    # team: V1 captain + last day + late entry + left in 2024 + party from 2024 = 5; V2 1 + 1 = 2; V3 absent
    assert one_query(django_assert_num_queries, "emergency.team_size", villages) == {ids[VILLAGE1]: 5, ids[VILLAGE2]: 2}
    # party: V1 captain + last day + left in 2024 = 3; V2 has no party member: absent
    assert one_query(django_assert_num_queries, "emergency.party_members", villages) == {ids[VILLAGE1]: 3}
    # 2024: the one who left no longer counts; the two who joined in January do: 5 - 1 + 2 = 6
    assert one_query(django_assert_num_queries, "emergency.team_size", villages, 2024) == {ids[VILLAGE1]: 6, ids[VILLAGE2]: 2}
    # party 2024: captain + last day + joined 2024-01-05 + party from 2024 = 4
    assert one_query(django_assert_num_queries, "emergency.party_members", villages, 2024) == {ids[VILLAGE1]: 4}


def test_shelter_capacity(villages, ids, django_assert_num_queries):
    enlarged = record("shelters", VILLAGE1, capacity=300, opened_on=D(2022, 5, 1))  # counted with 300 ...
    change_state(enlarged, D(2024, 5, 1), capacity=400)  # ... 400 only from 2024
    record("shelters", VILLAGE1, capacity=150, opened_on=D(2021, 6, 1), entered=D(2024, 1, 15))  # entered late: counted
    closed = record("shelters", VILLAGE1, capacity=120, opened_on=D(2020, 1, 1))  # counted in 2023 ...
    change_state(closed, D(2024, 3, 1), active=False)  # ... closed in 2024
    record("shelters", VILLAGE1, capacity=80, opened_on=D(2020, 1, 1), active=False)  # not in use when entered: no
    record("shelters", VILLAGE1, capacity=200, deleted=True)  # deleted: no
    record("shelters", VILLAGE1, capacity=500, entered=D(2024, 2, 1), opened_on=D(2024, 1, 20))  # opened in 2024: no
    record("shelters", VILLAGE2, capacity=250, opened_on=D(2023, 12, 31))  # counted
    record("shelters", PINGGANG_VILLAGE, capacity=999)  # not evaluated
    # V1: 300 + 150 + 120 = 570; V2: 250; V3 has no shelter: absent
    assert one_query(django_assert_num_queries, "emergency.shelter_capacity", villages) == {ids[VILLAGE1]: 570, ids[VILLAGE2]: 250}
    # 2024: 400 + 150 + 500 (the closed one no longer) = 1050
    assert one_query(django_assert_num_queries, "emergency.shelter_capacity", villages, 2024) == {ids[VILLAGE1]: 1050, ids[VILLAGE2]: 250}


def test_generators_flashlights_and_extinguishers_in_good_condition(villages, ids, django_assert_num_queries):
    def supply(code, item, quantity, condition="good", **kw):
        return record("emergency-supplies", code, item=item, quantity=quantity, condition=condition, **kw)

    supply(VILLAGE1, "generator", 2)  # counted
    scrapped = supply(VILLAGE1, "generator", 1)  # counted in 2023 ...
    change_state(scrapped, D(2024, 2, 1), condition="scrapped")  # ... scrapped in 2024
    supply(VILLAGE1, "generator", 1, "repair")  # needs repair: no
    supply(VILLAGE1, "generator", 1, "scrapped")  # scrapped: no
    supply(VILLAGE1, "flashlight", 10)  # counted
    supply(VILLAGE1, "flashlight", 5, storage_location="村卫生室")  # counted (another store)
    used = supply(VILLAGE1, "extinguisher", 8)  # counted with 8 ...
    change_state(used, D(2024, 4, 1), quantity=6)  # ... 6 from 2024
    supply(VILLAGE1, "extinguisher", 2, "repair")  # no
    supply(VILLAGE1, "extinguisher", 5, deleted=True)  # deleted: no
    supply(VILLAGE1, "extinguisher", 4, entered=D(2024, 1, 3), acquired_on=D(2023, 5, 1))  # entered late: counted
    supply(VILLAGE1, "extinguisher", 7, acquired_on=D(2024, 1, 3), checked_on=D(2024, 1, 3))  # acquired in 2024: no
    supply(VILLAGE1, "tent", 3)  # another item: no
    supply(VILLAGE2, "generator", 1, "repair")  # V2's only generator needs repair: no
    supply(VILLAGE2, "extinguisher", 12)  # counted
    supply(PINGGANG_VILLAGE, "generator", 9)  # not evaluated
    # generators: V1 2 + 1 = 3; V2 none in good condition: absent (the seed's small generator is missing there)
    assert one_query(django_assert_num_queries, "emergency.generators", villages) == {ids[VILLAGE1]: 3}
    assert one_query(django_assert_num_queries, "emergency.generators", villages, 2024) == {ids[VILLAGE1]: 2}
    # flashlights: V1 10 + 5 = 15
    assert one_query(django_assert_num_queries, "emergency.flashlights", villages) == {ids[VILLAGE1]: 15}
    # extinguishers: V1 8 + 4 = 12; V2 12; in 2024 V1 6 + 4 + 7 = 17
    assert one_query(django_assert_num_queries, "emergency.extinguishers", villages) == {ids[VILLAGE1]: 12, ids[VILLAGE2]: 12}
    assert one_query(django_assert_num_queries, "emergency.extinguishers", villages, 2024) == {ids[VILLAGE1]: 17, ids[VILLAGE2]: 12}


@pytest.fixture
def plans(world):
    """V1: flood 2021 and its 2023 revision, evacuation 2022, fire 2023-12-31, flood approved 2024,
    a deleted evacuation plan; V2: evacuation 2023. Returned by name for the attachments."""
    slug = "emergency-plans"
    return {
        "flood_2021": record(slug, VILLAGE1, kind="flood", approved_on=D(2021, 5, 1)),
        "flood_2023": record(slug, VILLAGE1, kind="flood", approved_on=D(2023, 4, 20)),
        "evacuation_2022": record(slug, VILLAGE1, kind="evacuation", approved_on=D(2022, 6, 1)),
        "fire_2023": record(slug, VILLAGE1, kind="fire", approved_on=D(2023, 12, 31)),
        "flood_2024": record(slug, VILLAGE1, kind="flood", approved_on=D(2024, 3, 1), entered=D(2024, 3, 2)),
        "deleted": record(slug, VILLAGE1, kind="evacuation", approved_on=D(2023, 1, 5), deleted=True),
        "v2_evacuation": record(slug, VILLAGE2, kind="evacuation", approved_on=D(2023, 7, 1)),
        "pinggang": record(slug, PINGGANG_VILLAGE, kind="flood", approved_on=D(2023, 7, 1)),
    }


def test_plans_by_kind(plans, villages, ids, django_assert_num_queries):
    # all kinds: V1 flood 2021 + flood 2023 + evacuation 2022 + fire 2023 = 4 (2024's and the deleted one not); V2 1
    assert one_query(django_assert_num_queries, "emergency.plans", villages) == {ids[VILLAGE1]: 4, ids[VILLAGE2]: 1}
    # flood: V1 2021 + 2023 = 2; V2 none: absent
    assert one_query(django_assert_num_queries, "emergency.plans_flood", villages) == {ids[VILLAGE1]: 2}
    # evacuation: V1 2022 = 1 (the deleted one not); V2 1
    assert one_query(django_assert_num_queries, "emergency.plans_evacuation", villages) == {ids[VILLAGE1]: 1, ids[VILLAGE2]: 1}
    # in 2022 only V1's flood 2021 and evacuation 2022 had been approved: 2
    assert one_query(django_assert_num_queries, "emergency.plans", villages, 2022) == {ids[VILLAGE1]: 2}


def test_a_plan_revised_later_still_counts_for_the_years_before(plans, villages, ids, django_assert_num_queries):
    # The 2022 evacuation plan is revised and approved again in 2024: 审批日期 becomes 2024-03-10.
    change_state(plans["evacuation_2022"], D(2024, 3, 10), approved_on=D(2024, 3, 10))
    assert one_query(django_assert_num_queries, "emergency.plans_evacuation", villages) == {ids[VILLAGE1]: 1, ids[VILLAGE2]: 1}
    assert one_query(django_assert_num_queries, "emergency.plans", villages, 2022) == {ids[VILLAGE1]: 2}


def test_plans_with_document(plans, villages, ids, django_assert_num_queries):
    grid = User.objects.get(username="grid1")

    def attach(obj, deleted=False, owner_type=None):
        Attachment.objects.create(
            content_type=owner_type or ContentType.objects.get_for_model(obj), object_id=obj.pk, name="预案.pdf",
            kind="pdf", size=9, sha256="0" * 64, uploaded_by=grid,
            deleted_at=timezone.now() if deleted else None, deleted_by=grid if deleted else None,
        )

    attach(plans["flood_2023"])  # counted
    attach(plans["flood_2023"])  # a second document of the same plan: still one plan
    attach(plans["evacuation_2022"], deleted=True)  # its only document was deleted: no
    attach(plans["flood_2024"])  # approved in 2024: no
    attach(plans["deleted"])  # the plan is deleted: no
    attach(plans["pinggang"])  # not evaluated
    # an attachment of a drill whose number happens to be that of V2's plan: not V2's plan document
    attach(plans["v2_evacuation"], owner_type=ContentType.objects.get(app_label="emergency", model="drill"))
    ContentType.objects.clear_cache()  # the metric must stay one query with a cold cache too
    # V1: flood 2023 = 1; V2: no document: absent
    assert one_query(django_assert_num_queries, "emergency.plans_with_document", villages) == {ids[VILLAGE1]: 1}


def test_fire_stations(villages, ids, django_assert_num_queries):
    record("fire-stations", VILLAGE1, established_on=D(2020, 8, 1))  # counted
    record("fire-stations", VILLAGE1, established_on=D(2023, 12, 31))  # counted (on the last day)
    record("fire-stations", VILLAGE1, established_on=D(2024, 4, 1), entered=D(2024, 4, 2))  # established in 2024: no
    record("fire-stations", VILLAGE1, established_on=D(2021, 1, 1), deleted=True)  # deleted: no
    record("fire-stations", VILLAGE2, established_on=D(2023, 3, 18))  # counted
    record("fire-stations", PINGGANG_VILLAGE, established_on=D(2023, 3, 18))  # not evaluated
    # V1: 1 + 1 = 2; V2: 1; V3 absent
    assert one_query(django_assert_num_queries, "emergency.fire_stations", villages) == {ids[VILLAGE1]: 2, ids[VILLAGE2]: 1}


def test_drills_held_in_the_year(villages, ids, django_assert_num_queries):
    record("drills", VILLAGE1, held_on=D(2023, 1, 1))  # counted
    record("drills", VILLAGE1, held_on=D(2023, 12, 31))  # counted
    record("drills", VILLAGE1, held_on=D(2022, 12, 31))  # 2022: no
    record("drills", VILLAGE1, held_on=D(2024, 1, 1), entered=D(2024, 1, 1))  # 2024: no
    record("drills", VILLAGE1, held_on=D(2023, 6, 1), deleted=True)  # deleted: no
    record("drills", VILLAGE2, held_on=D(2023, 6, 10))  # counted
    record("drills", PINGGANG_VILLAGE, held_on=D(2023, 6, 10))  # not evaluated
    # V1: 1 + 1 = 2; V2: 1; V3 held none: absent (fails the seed's "at least one a year")
    assert one_query(django_assert_num_queries, "emergency.drills", villages) == {ids[VILLAGE1]: 2, ids[VILLAGE2]: 1}
    # 2022: V1's drill of 31 December 2022 only
    assert one_query(django_assert_num_queries, "emergency.drills", villages, 2022) == {ids[VILLAGE1]: 1}
