"""Pending incidents in view: an incident recorded but not recognised does not count, but where it
would veto or cost points once recognised it is shown beside the result (待认定) on the scorecard,
the ranking, the API; the county's recognition queue (待认定案事件) lists it with its age, and the
home page's 我的待办 counts it."""

import datetime

import pytest
from django.utils import timezone

from conftest import CHANGGANG, VILLAGE1, VILLAGE2, load_scheme, make_record
from safestar.incidents.models import Incident, IncidentKind
from safestar.org.models import Division
from safestar.schemes.engine import VETOED
from safestar.schemes.services import results


def village(code=VILLAGE1):
    (result,) = results(load_scheme(), Division.objects.filter(code=code))
    return result


def test_an_unrecognised_telecom_fraud_is_pending_not_counted(world):
    fraud = IncidentKind.objects.get(code="telecom_fraud")
    make_record("incidents", VILLAGE1, kind=fraud, occurred_on=datetime.date(2023, 4, 1), title="未认定的诈骗", recognised=False)
    result = village()
    assert result.status != VETOED and not result.vetoes
    (pending,) = result.pending
    assert pending.incident.title == "未认定的诈骗"
    assert [v.code for v in pending.vetoes] == ["V1"] and [i.code for i in pending.indicators] == ["C3.7"]
    assert pending.consequence == "待认定，认定后将否决（V1 发生电信诈骗案件），并失分（C3.7 5分）"


def test_only_incidents_that_would_count_are_pending(world):
    minor = IncidentKind.objects.create(code="lost_cattle", name="走失耕牛")
    make_record("incidents", VILLAGE1, kind=minor, occurred_on=datetime.date(2023, 4, 1), severity="general")
    make_record("incidents", VILLAGE1, kind=minor, occurred_on=datetime.date(2022, 4, 1), severity="major")  # another year
    assert village().pending == []
    make_record("incidents", VILLAGE1, kind=minor, occurred_on=datetime.date(2023, 6, 1), severity="major", title="重大走失")
    (pending,) = village().pending
    assert pending.consequence == "待认定，认定后将否决（V7 发生重大案事件）"


def test_pending_on_the_scorecard_the_ranking_and_the_api(login, api):
    scheme = load_scheme()
    fraud = IncidentKind.objects.get(code="telecom_fraud")
    make_record("incidents", VILLAGE2, kind=fraud, occurred_on=datetime.date(2023, 4, 1), title="未认定的诈骗")
    card = login("town").get(f"/schemes/{scheme.pk}/villages/{VILLAGE2}/").content.decode()
    assert "未认定的诈骗" in card and "待认定，认定后将否决（V1 发生电信诈骗案件）" in card
    ranking = login("town").get(f"/schemes/{scheme.pk}/results/").content.decode()
    assert "“未认定的诈骗”待认定，认定后将否决" in ranking
    body = api("town")(f"/evaluations/2023/?division={CHANGGANG}").json()
    shown = {r["village"]: r["pending"] for r in body["results"]}
    assert shown[VILLAGE1] == []
    (pending,) = shown[VILLAGE2]
    assert pending["vetoes"] == ["V1"] and pending["indicators"] == ["C3.7"] and pending["incident"]["title"] == "未认定的诈骗"


def test_the_county_queue_lists_what_waits_with_its_age_and_the_home_page_counts_it(login, freeze_today):
    make_record("incidents", VILLAGE1, title="等待认定的案件", occurred_on=datetime.date(2023, 4, 1))
    make_record("incidents", VILLAGE2, title="已认定的案件", recognised=True)
    Incident.objects.filter(title="等待认定的案件").update(created_at=timezone.make_aware(datetime.datetime(2023, 4, 2, 9)))
    freeze_today(datetime.date(2023, 5, 2))
    client = login("county")
    page = client.get("/incidents/pending/")
    rows = page.context["rows"]
    assert [(x.title, age) for x, age in rows] == [("等待认定的案件", 30)]
    assert "30 天" in page.content.decode()
    home = client.get("/").content.decode()
    assert 'data-testid="home-incident-queue"' in home and "1 件" in home
    assert client.post(f"/ledgers/incidents/{rows[0][0].pk}/recognise/", {"confirmed": "1"}).status_code == 302
    assert client.get("/incidents/pending/").context["rows"] == []
    assert "0 件" in client.get("/").content.decode()
    assert 'data-testid="home-incident-queue"' not in login("town").get("/").content.decode()  # a town does not recognise


@pytest.mark.parametrize("extra", [0, 40])
def test_the_queue_issues_the_same_queries_for_few_or_many(login, django_assert_num_queries, extra):
    village = Division.objects.get(code=VILLAGE1)
    kind = IncidentKind.objects.first()
    Incident.objects.bulk_create([Incident(division=village, kind=kind, occurred_on=datetime.date(2023, 1, 1), title=f"案{i}") for i in range(3 + extra)])
    client = login("county")
    client.get("/incidents/pending/")
    with django_assert_num_queries(QUEUE_QUERIES):
        client.get("/incidents/pending/")


# session, the user (with their division and whether they have a two-factor device), the count, one
# page of incidents (with village and kind); the session is not saved (renewed at most once a minute).
QUEUE_QUERIES = 4
