"""Who sees the 宗教 ledgers: the county's 民族宗教事务局 the whole county, a department that does not
share the field (长岗派出所) nothing at all."""

import pytest
from django.utils import timezone

from conftest import OTHER_COUNTY_VILLAGE, PINGGANG_VILLAGE, VILLAGE1, VILLAGE2, make_record
from safestar.org.models import Department, Division, User

FOLK = {"religion": "folk", "registered": False, "registration_number": ""}


@pytest.fixture
def county_religion(world):
    """A user of 睢县民族宗教事务局, a county-level department that shares the field 宗教."""
    return User.objects.create(
        username="countyreligion", role="department", division=Division.objects.get(code="411422000000"),
        department=Department.objects.get(name="睢县民族宗教事务局"), password_changed_at=timezone.now(),
    )


@pytest.fixture
def venues(world):
    return {
        code: make_record("religious-venues", code, name=name, **FOLK)
        for code, name in [
            (VILLAGE1, "长岗村土地庙"), (VILLAGE2, "杨庄村奶奶庙"), (PINGGANG_VILLAGE, "平岗村关帝庙"), (OTHER_COUNTY_VILLAGE, "张弓村土地庙"),
        ]
    }


def test_the_police_station_does_not_share_the_field_and_gets_404(login, venues):
    activity = make_record("religious-activities", VILLAGE1)
    client = login("police")
    assert client.get("/ledgers/religious-venues/").status_code == 404
    assert client.get(f"/ledgers/religious-venues/{venues[VILLAGE1].pk}/").status_code == 404
    assert client.get("/ledgers/religious-activities/").status_code == 404
    assert client.get(f"/ledgers/religious-activities/{activity.pk}/").status_code == 404


def test_the_county_religion_bureau_sees_the_venues_of_both_towns(login, api, county_religion, venues):
    page = login("countyreligion").get("/ledgers/religious-venues/")
    assert page.status_code == 200
    html = page.content.decode()
    for name in ["长岗村土地庙", "杨庄村奶奶庙", "平岗村关帝庙"]:
        assert name in html
    assert "张弓村土地庙" not in html  # 宁陵县: another county
    items = api("countyreligion")("/religious-venues/").json()["items"]
    assert sorted(i["name"] for i in items) == ["平岗村关帝庙", "杨庄村奶奶庙", "长岗村土地庙"]
    assert api("countyreligion")(f"/religious-venues/{venues[OTHER_COUNTY_VILLAGE].pk}").status_code == 404


def test_a_village_sees_its_own_venues_only(api, venues):
    items = api("village1")("/religious-venues/").json()["items"]
    assert [i["name"] for i in items] == ["长岗村土地庙"]
    assert api("village1")(f"/religious-venues/{venues[VILLAGE2].pk}").status_code == 404
