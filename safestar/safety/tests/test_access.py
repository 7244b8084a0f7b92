"""Who sees the safety ledgers: the field "safety" is shared by 长岗镇应急管理办公室 but not by
长岗派出所, so the police answer 404 (as for anything outside their scope) while the emergency
office sees the town's records."""

import pytest
from django.utils import timezone

from conftest import VILLAGE1, make_record

SLUGS = ["hazards", "hazard-inspections", "controlled-goods", "safety-checks"]


@pytest.fixture
def emergency(world):
    from safestar.org.models import Department, Division, User

    return User.objects.create(
        username="emergency", role="department", division=Division.objects.get(code="411422100000"),
        department=Department.objects.get(name="长岗镇应急管理办公室"), password_changed_at=timezone.now(),
    )


def test_the_police_get_404_on_the_hazard_ledger(login):
    hazard = make_record("hazards", VILLAGE1)
    client = login("police")
    assert client.get("/ledgers/hazards/").status_code == 404
    assert client.get(f"/ledgers/hazards/{hazard.pk}/").status_code == 404
    assert client.get("/ledgers/hazards/export.xlsx").status_code == 404


@pytest.mark.parametrize("slug", SLUGS)
def test_the_police_get_404_on_every_safety_ledger_and_its_api(login, api, slug):
    record = make_record(slug, VILLAGE1)
    assert login("police").get(f"/ledgers/{slug}/").status_code == 404
    get = api("police")
    assert get(f"/{slug}/").status_code == 404
    assert get(f"/{slug}/{record.pk}").status_code == 404


@pytest.mark.parametrize("slug", SLUGS)
def test_the_emergency_office_sees_the_town_s_records(login, emergency, slug):
    record = make_record(slug, VILLAGE1)
    client = login("emergency")
    assert client.get(f"/ledgers/{slug}/").status_code == 200
    assert client.get(f"/ledgers/{slug}/{record.pk}/").status_code == 200
