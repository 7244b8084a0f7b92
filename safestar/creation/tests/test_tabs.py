"""The creation pages' tabs link only to pages the user can open (the police station saw four that answered 404)."""

import re

import pytest

from conftest import CHANGGANG
from safestar.creation.tests import factories

PERSONAS = ["county", "town", "taskforce", "police", "village1", "grid1"]


def tab_links(page):
    block = re.search(r'data-testid="creation-tabs">(.*?)</ul>', page, re.S)
    return re.findall(r'href="([^"]+)"', block[1]) if block else []


def test_the_police_station_sees_only_the_campaign_tab(login, world):
    campaign = factories.campaign(CHANGGANG)
    page = login("police").get(f"/creation/campaigns/{campaign.pk}/").content.decode()
    # campaigns it runs, and 领导包村 (who covers which village is read by every business reader of the town)
    assert tab_links(page) == ["/creation/campaigns/", "/creation/leaders/"]
    assert "/creation/applications/" not in page and "/creation/inspections/" not in page


@pytest.mark.parametrize("username", PERSONAS)
def test_every_tab_shown_opens(login, world, username):
    campaign = factories.campaign(CHANGGANG)
    client = login(username)
    for start in ("/creation/campaigns/", f"/creation/campaigns/{campaign.pk}/", "/creation/applications/"):
        response = client.get(start)
        if response.status_code == 404:
            continue
        links = tab_links(response.content.decode())
        assert links, (username, start)
        for link in links:
            assert client.get(link).status_code == 200, (username, start, link)
