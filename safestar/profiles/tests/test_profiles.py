"""村基本情况: one per village, read as it stood on a past day, the officer and adviser from their own
ledgers, rates per 1,000 residents, the panel on the village page, the demo's dated change."""

import datetime

import pytest

from conftest import VILLAGE1, VILLAGE2, change_state, make_record, post_record
from safestar.org.models import Division
from safestar.profiles import metrics
from safestar.org.models import User
from safestar.profiles.panels import village_profile

D = datetime.date


def profile_on(village, day):
    return village_profile(village, day, User.objects.get(username="town"))[0]


def linked_people(village, day, user):
    return village_profile(village, day, user)[1:]


def villages(*codes):
    return Division.objects.filter(code__in=codes)


def test_a_past_year_reads_the_profile_as_it_was(world):
    profile = make_record("village-profiles", VILLAGE1, population=2000, households=600, established_on=D(2021, 1, 1))
    change_state(profile, D(2024, 3, 1), population=2100, households=640, committee="王某 党支部书记")
    village = Division.objects.get(code=VILLAGE1)
    then, now = profile_on(village, D(2023, 12, 31)), profile_on(village, D(2024, 6, 1))
    assert (then.population, then.households) == (2000, 600) and "张建国" in then.committee
    assert (now.population, now.households, now.committee) == (2100, 640, "王某 党支部书记")
    assert profile_on(village, D(2020, 12, 31)) is None  # before it was established
    assert metrics.population(2023, villages(VILLAGE1)) == {village.pk: 2000}


def test_rates_per_thousand_residents(world):
    make_record("village-profiles", VILLAGE1, population=2000)
    make_record("village-profiles", VILLAGE2, population=500)
    for day in (D(2023, 2, 1), D(2023, 5, 1), D(2023, 9, 1)):
        make_record("disputes", VILLAGE1, received_on=day)
    make_record("disputes", VILLAGE2, received_on=D(2023, 4, 1))
    ids = dict(villages(VILLAGE1, VILLAGE2).values_list("code", "pk"))
    rates = metrics.rate("disputes.received", 2023, villages(VILLAGE1, VILLAGE2))
    assert rates == {ids[VILLAGE1]: 1.5, ids[VILLAGE2]: 2.0}
    # a village without a profile has no rate; a metric with no records is a rate of 0
    assert metrics.rate("petitions.received", 2023, villages(VILLAGE1, "411422100203")) == {ids[VILLAGE1]: 0.0}
    assert metrics.per_thousand({ids[VILLAGE1]: 7, ids[VILLAGE2]: 1}, 2023, villages(VILLAGE1, VILLAGE2)) == {ids[VILLAGE1]: 3.5, ids[VILLAGE2]: 2.0}


@pytest.mark.parametrize("n", [2, 12])
def test_rates_take_two_queries_whatever_the_number_of_villages(world, django_assert_num_queries, n):
    codes = [f"4114221002{i:02d}" for i in range(1, n + 1)]
    for code in codes:
        make_record("village-profiles", code)
    with django_assert_num_queries(2):  # the metric, the populations
        assert len(metrics.rate("disputes.received", 2023, villages(*codes))) == n


def test_the_officer_and_adviser_come_from_their_own_ledgers_as_of_the_day(world):
    from django.contrib.auth import get_user_model

    security = make_record("security-profiles", VILLAGE1, police_officer="王建军", established_on=D(2021, 1, 1))
    change_state(security, D(2024, 2, 1), police_officer="李卫东")
    adviser = make_record("legal-advisors", VILLAGE1, name="赵律师", appointed_on=D(2022, 5, 1))
    change_state(adviser, D(2024, 1, 15), active=False)
    village, town = Division.objects.get(code=VILLAGE1), get_user_model().objects.get(username="town")
    assert linked_people(village, D(2023, 12, 31), town) == ("王建军", ["赵律师（" + adviser.organisation + "）"])
    assert linked_people(village, D(2024, 3, 1), town) == ("李卫东", [])


def test_the_village_page_panel_now_and_at_a_past_year_end(login, world, freeze_today):
    freeze_today(D(2024, 6, 1))
    profile = make_record("village-profiles", VILLAGE1, population=2000, established_on=D(2021, 1, 1))
    change_state(profile, D(2024, 3, 1), population=2150)
    make_record("security-profiles", VILLAGE1, police_officer="王建军", established_on=D(2021, 1, 1))
    client = login("village1")
    page = client.get(f"/divisions/{VILLAGE1}/").content.decode()
    assert 'data-testid="population">2150 人' in page and "王建军" in page and "村基本情况（现在）" in page
    page = client.get(f"/divisions/{VILLAGE1}/?profile_year=2023").content.decode()
    assert 'data-testid="population">2000 人' in page and "村基本情况（2023年底）" in page
    page = client.get(f"/divisions/{VILLAGE1}/?profile_year=2020").content.decode()
    assert 'data-testid="no-profile"' in page


def test_one_profile_per_village(login, world):
    make_record("village-profiles", VILLAGE1)
    from conftest import example_values
    from safestar.core.ledger import LEDGERS

    data = {k: v for k, v in example_values(LEDGERS["village-profiles"]).items()}
    response = post_record(login("village1"), "village-profiles", data)
    assert "该村已有基本情况记录" in str(response.context["form"].errors)


def test_the_demo_profiles_and_changgang_growth(world):
    from safestar.profiles import demo_data
    from safestar.profiles.models import VillageProfile

    demo_data.load(2023)
    demo_data.load(2023)
    assert VillageProfile.objects.filter(division__parent__code="411422100000").count() == 20
    village = Division.objects.get(code=VILLAGE1)
    june, december = profile_on(village, D(2023, 6, 30)), profile_on(village, D(2023, 12, 31))
    assert december.population == june.population + 46 and december.grid_workers == june.grid_workers + 1
