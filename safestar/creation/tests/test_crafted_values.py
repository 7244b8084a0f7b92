"""Crafted query and form values (a superscript digit passes str.isdigit(), ids and dates at the edge
of what Python or the database can hold) answer like any other wrong value, never with a 500."""

from conftest import CHANGGANG
from safestar.creation.tests import factories


def test_crafted_numbers_and_weeks_on_the_pages(login, world):
    client = login("town")
    assert client.get("/creation/applications/?year=²").status_code == 200
    assert client.get("/creation/applications/?year=99999999999999999999999").status_code == 200
    assert client.get("/creation/applications/export.xlsx?year=²").status_code == 200
    assert client.get("/creation/campaigns/new/?finding=²").status_code == 200
    assert client.get("/creation/campaigns/new/?finding=99999999999999999999999").status_code == 200
    for week in ("0001-01-05", "9999-12-31"):
        response = client.get(f"/creation/weekly/{CHANGGANG}/?week={week}")
        assert response.status_code == 200 and response.context["start"].year > 2000


def test_a_crafted_task_of_a_campaign_is_not_found(login, world):
    campaign = factories.campaign(CHANGGANG)
    client = login("town")
    for value in ("²", "99999999999999999999999"):
        assert client.post(f"/creation/campaigns/{campaign.pk}/transition/", {"task": value}).status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == "active" and campaign.tasks.filter(status="open").count() == 2


def test_crafted_ids_in_the_api_are_refused_not_crashed(api, world):
    get = api("town")
    for path in ("/tasks/?application=99999999999999999999999", "/findings/?inspection=99999999999999999999999",
                 "/applications/?year=99999999999999999999999"):
        assert get(path).status_code == 422
    assert get("/tasks/?application=1").status_code == 200
