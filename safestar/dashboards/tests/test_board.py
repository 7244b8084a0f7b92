"""The 创建态势 dashboard: its figures against the same data counted another way, its links, its
constant number of queries, the county's and the city's comparison of the divisions below."""

import datetime
import json
import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import CHANGGANG, PINGGANG, VILLAGE1, VILLAGE2, load_scheme, make_record
from safestar.dashboards.models import Snapshot
from safestar.dashboards.snapshots import take
from safestar.incidents.models import Incident
from safestar.org.models import Division, User
from safestar.schemes.cache import forget
from safestar.schemes.services import results, villages_under

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheme(world):
    return load_scheme()  # 长岗镇 2023


def _incident(code, kind, on, recognised=True):
    return make_record("incidents", code, kind=Incident._meta.get_field("kind").related_model.objects.get(code=kind),
                       occurred_on=on, recognised=recognised)


def test_town_board_shows_each_villages_three_zero_score_and_rank_as_counted_independently(login, scheme, freeze_today):
    freeze_today(datetime.date(2023, 12, 31))
    _incident(VILLAGE1, "criminal_case", datetime.date(2023, 3, 2))
    _incident(VILLAGE1, "telecom_fraud", datetime.date(2023, 5, 2))
    _incident(VILLAGE2, "criminal_case", datetime.date(2023, 6, 2), recognised=False)  # not recognised: no effect
    response = login("town").get("/dashboard/?year=2023")
    assert response.status_code == 200
    data = response.context["data"]
    rows = {r["code"]: r for r in data["rows"]}
    assert len(rows) == 20 and data["at_town"]

    # 三零, counted from the incidents themselves
    for code in rows:
        cases = Incident.objects.filter(division__code=code, recognised=True, occurred_on__year=2023, kind__zero_category="case").count()
        assert rows[code]["zero"]["case"] == cases
    assert rows[VILLAGE1]["zero"]["case"] == 1 and not rows[VILLAGE1]["zero_ok"]
    assert rows[VILLAGE2]["zero_ok"]

    # scores and ranks, from the scheme's own results page computation
    expected = {r.code: r for r in results(scheme, villages_under(Division.objects.get(code=CHANGGANG)))}
    for code, row in rows.items():
        assert (row["total"], row["status"], row["rank"]) == (expected[code].total, expected[code].status, expected[code].rank)
    assert rows[VILLAGE1]["status"] == "否决"  # the telecom fraud vetoes

    # the distribution and the status counts add up to the villages
    assert sum(b["count"] for b in data["distribution"]) == 20
    assert {s["label"]: s["count"] for s in data["statuses"]}["否决"] == sum(1 for r in expected.values() if r.status == "否决")
    # heat map: one share per category, 0–100, and each village links to its scorecard
    assert len(data["categories"]) == len(scheme.spec.categories)
    assert all(len(r["shares"]) == len(data["categories"]) and all(0 <= s <= 100 for s in r["shares"]) for r in rows.values())
    assert rows[VILLAGE1]["url"] == f"/schemes/{scheme.pk}/villages/{VILLAGE1}/"
    page = response.content.decode()
    assert "三零看板" in page and "零案件 1件" in page


def test_overdue_counts_link_to_the_filtered_lists(login, scheme, freeze_today):
    freeze_today(datetime.date(2023, 7, 1))
    make_record("hazards", VILLAGE1, status="pending", rectified_on=None, found_on=datetime.date(2023, 5, 1), deadline=datetime.date(2023, 6, 1))
    make_record("hazards", VILLAGE1, status="pending", rectified_on=None, found_on=datetime.date(2023, 5, 1), deadline=datetime.date(2023, 8, 1))
    make_record("disputes", VILLAGE2, stage="mediating", closed_on=None, result="", received_on=datetime.date(2023, 5, 1), deadline=datetime.date(2023, 6, 1))
    client = login("town")
    data = client.get("/dashboard/?year=2023").context["data"]
    overdue = {o["key"]: o for o in data["overdue"]}
    assert overdue["hazards"]["count"] == 1 and overdue["disputes"]["count"] == 1
    listed = client.get(overdue["hazards"]["url"])
    assert listed.status_code == 200 and listed.context["page"].paginator.count == 1
    assert client.get("/ledgers/hazards/").context["page"].paginator.count == 2
    assert client.get(overdue["disputes"]["url"]).context["page"].paginator.count == 1


def _queries(get, url):
    """The queries of one GET (`get`: a client's get, or the api fixture's for one persona)."""
    with CaptureQueriesContext(connection) as captured:
        assert get(url).status_code == 200
    return len(captured)


def test_the_dashboard_costs_the_same_queries_for_5_and_50_villages(login, world, freeze_today, drawn_pages):
    """平岗镇 has 5 villages; 45 more (with records) must not add a query to the page or the API."""
    freeze_today(datetime.date(2023, 12, 31))
    load_scheme(issuer=PINGGANG)
    town2 = Division.objects.get(code=PINGGANG)
    client = login("town2")
    url = f"/dashboard/?division={PINGGANG}&year=2023"
    small = _queries(client.get, url)
    small_warnings = _queries(client.get, url.replace("/dashboard/", "/dashboard/warnings/"))
    for i in range(45):
        village = Division.objects.create(code=f"4114221013{i:02d}", name=f"新村{i}", level="village", parent=town2)
        make_record("hazards", village.code, status="pending", rectified_on=None, deadline=datetime.date(2023, 6, 8))
        make_record("disputes", village.code, stage="mediating", closed_on=None, result="", deadline=datetime.date(2023, 4, 5))
    take(2023)
    assert Division.objects.filter(parent=town2).count() == 50
    forget()  # the facts that take() gathered: gathered again, as for the first count
    assert _queries(client.get, url) == small
    assert _queries(client.get, url.replace("/dashboard/", "/dashboard/warnings/")) == small_warnings


def test_county_and_city_compare_the_divisions_below_and_drill_down(login, scheme, freeze_today):
    freeze_today(datetime.date(2023, 12, 31))
    load_scheme(issuer=PINGGANG)
    county = login("county").get("/dashboard/?year=2023").context["data"]
    towns = {r["code"]: r for r in county["rows"]}
    assert set(towns) == {CHANGGANG, PINGGANG}  # the towns of 睢县 with villages
    assert towns[CHANGGANG]["villages"] == 20 and towns[PINGGANG]["villages"] == 5
    assert towns[CHANGGANG]["url"] == f"/dashboard/?division={CHANGGANG}&year=2023"  # the drill-down keeps the year
    expected = [r.total for r in results(scheme, villages_under(Division.objects.get(code=CHANGGANG)))]
    assert towns[CHANGGANG]["average"] == round(sum(expected) / len(expected), 1)
    assert sum(towns[CHANGGANG]["statuses"].values()) == 20

    client = login("city")
    city = client.get("/dashboard/?year=2023").context["data"]
    assert [(r["name"], r["villages"]) for r in city["rows"]] == [("睢县", 25), ("宁陵县", 1)]
    assert city["rows"][1]["average"] is None and city["rows"][1]["statuses"]["达标"] == 0  # no scheme there: no score
    drill = client.get(f"/dashboard/?division={CHANGGANG}&year=2023")
    assert drill.status_code == 200 and drill.context["data"]["at_town"]


def test_the_api_answers_a_token_the_figures_the_page_s_charts_draw(login, api, scheme, freeze_today):
    freeze_today(datetime.date(2023, 12, 31))
    response = login("taskforce").get("/dashboard/?year=2023")
    page = response.context["data"]
    answer = api("taskforce")(f"/dashboard/?division={CHANGGANG}&year=2023").json()
    # the charts draw the data embedded in the page: exactly what the API answers
    embedded = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    assert json.loads(embedded.group(1)) == answer and len(answer["rows"]) == 20
    assert [(r["code"], r["total"], r["status"]) for r in answer["rows"]] == [(r["code"], r["total"], r["status"]) for r in page["rows"]]
    assert answer["distribution"] == page["distribution"] and answer["overdue"] == page["overdue"]
    token = api("town")(f"/dashboard/?division={CHANGGANG}&year=2023")
    assert token.status_code == 200 and len(token.json()["rows"]) == 20


def test_the_trend_reads_the_stored_snapshots_not_a_recomputation(login, scheme, freeze_today):
    freeze_today(datetime.date(2023, 10, 31))
    assert take(2023) == 20
    freeze_today(datetime.date(2023, 11, 30))
    take(2023)
    take(2023)  # again in the same month: replaces that month's rows
    _incident(VILLAGE1, "telecom_fraud", datetime.date(2023, 12, 1))  # later facts do not change the stored months
    trend = login("town").get("/dashboard/?year=2023").context["data"]["trend"]
    assert [p["month"] for p in trend] == ["2023-10", "2023-11"] and all(p["villages"] == 20 for p in trend)
    from safestar.dashboards.models import Snapshot

    stored = Snapshot.objects.filter(month=datetime.date(2023, 11, 1))
    assert round(sum(s.total for s in stored) / 20, 1) == trend[1]["average"]
    assert stored.get(village__code=VILLAGE1).status != "否决"


def test_the_landing_page_is_the_dashboard_for_the_roles_that_run_the_campaign(login):
    for username in ("town", "taskforce", "county", "city"):
        assert login(username).get("/start/")["Location"] == "/dashboard/"
    for username in ("village1", "grid1", "admin"):
        assert login(username).get("/start/")["Location"] == "/"


def test_the_snapshot_command_records_every_village_and_refuses_a_bad_year(scheme, freeze_today):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from safestar.dashboards.models import Snapshot

    freeze_today(datetime.date(2023, 9, 30))
    out = StringIO()
    call_command("snapshot", "--year", "2023", stdout=out)
    assert "已记录 20 个村的月度快照" in out.getvalue()  # 长岗镇's villages: the only town with a 2023 scheme
    assert set(Snapshot.objects.values_list("month", "taken_on")) == {(datetime.date(2023, 9, 1), datetime.date(2023, 9, 30))}
    with pytest.raises(CommandError, match="年度应在 2000 到 2100 之间"):
        call_command("snapshot", "--year", "99")
    with pytest.raises(CommandError, match="2024 年还没有开始"):
        call_command("snapshot", "--year", "2024")


def test_a_past_years_snapshot_is_that_years_december_not_todays_month(login, scheme, freeze_today):
    from safestar.dashboards.models import Snapshot

    freeze_today(datetime.date(2024, 3, 15))  # 2023's result recorded late, in March 2024
    assert take(2023) == 20
    assert set(Snapshot.objects.values_list("year", "month", "taken_on")) == {(2023, datetime.date(2023, 12, 1), datetime.date(2024, 3, 15))}
    trend = login("town").get("/dashboard/?year=2023").context["data"]["trend"]
    assert [p["month"] for p in trend] == ["2023-12"]


def test_bad_query_values_fall_back_or_answer_404_never_500(login, api, scheme):
    client = login("town")
    assert client.get("/dashboard/?year=abc").context["year"] == 2023  # the newest year with a scheme
    assert client.get("/dashboard/?division=nosuch").status_code == 404
    assert client.get(f"/dashboard/?division={VILLAGE1}").status_code == 404  # a village has no dashboard (its town's has it)
    assert api("town")("/dashboard/?year=x%00").status_code == 200


def test_the_api_answers_tokens_only_not_a_signed_in_page(login, scheme):
    """The charts draw the data in the page: the API, like every other, takes a bearer token only."""
    client = login("taskforce")
    assert client.get("/dashboard/?year=2023").status_code == 200
    assert client.get(f"/api/v1/dashboard/?division={CHANGGANG}&year=2023").status_code == 401


COUNTY = "411422000000"  # 睢县: 长岗镇 (20 villages) and 平岗镇 (5)


def _pooled_shares(scheme, town_code):
    """Per category of `scheme`, the share of points 长岗镇's (or another town's) villages hold
    together, from the scheme's own results page computation: Σ awarded / Σ points × 100."""
    held, points = Counter(), Counter()
    for result in results(scheme, villages_under(Division.objects.get(code=town_code))):
        for indicator in result.indicators:
            held[indicator.category] += indicator.awarded or 0
            points[indicator.category] += indicator.points
    return {c.title: round(100 * held[c.title] / points[c.title]) for c in scheme.spec.categories}


def _table(page, testid):
    """{row code: [cell texts]} of the page's table with data-testid=`testid` (the cells with data-value)."""
    table = re.search(rf'<table[^>]*data-testid="{testid}".*?</table>', page, re.S).group(0)
    return {code: [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td data-value[^>]*>(.*?)</td>", row, re.S)]
            for code, row in re.findall(r'<tr data-code="(\d+)">(.*?)</tr>', table, re.S)}


def _shown(value):
    return "—" if value is None else f"{value:g}"


def test_county_and_city_heat_map_has_one_row_per_town_with_the_share_its_villages_hold(login, api, scheme, freeze_today):
    freeze_today(datetime.date(2023, 12, 31))
    _incident(VILLAGE1, "criminal_case", datetime.date(2023, 3, 2))  # 长岗村 loses points: the shares are not all 100
    pinggang = load_scheme(issuer=PINGGANG)
    client = login("county")
    response = client.get("/dashboard/?year=2023")
    data = response.context["data"]
    assert data["categories"] == [c.title for c in scheme.spec.categories]
    towns = {r["code"]: r for r in data["rows"]}
    for code, town_scheme in ((CHANGGANG, scheme), (PINGGANG, pinggang)):
        expected = _pooled_shares(town_scheme, code)
        assert towns[code]["shares"] == [expected[c] for c in data["categories"]]
    assert any(share < 100 for share in towns[CHANGGANG]["shares"])

    # the table beside the chart prints the chart's numbers (the API's, which the chart draws), each row drills down
    page = response.content.decode()
    assert _table(page, "area-heatmap") == {r["code"]: [_shown(s) for s in r["shares"]] for r in data["rows"]}
    answer = api("county")(f"/dashboard/?division={COUNTY}&year=2023").json()
    assert [(r["code"], r["shares"]) for r in answer["rows"]] == [(r["code"], r["shares"]) for r in data["rows"]]
    assert answer["categories"] == data["categories"] and answer["child_label"] == "乡镇"
    assert f'<a href="/dashboard/?division={CHANGGANG}&amp;year=2023">长岗镇</a>' in page
    assert client.get(towns[CHANGGANG]["url"]).context["data"]["at_town"]

    # the city: one row per county; 睢县's share pools both towns, 宁陵县 (no scheme) has none
    city = login("city").get("/dashboard/?year=2023").context["data"]
    counties = {r["name"]: r for r in city["rows"]}
    held, points = Counter(), Counter()
    for town_scheme, code in ((scheme, CHANGGANG), (pinggang, PINGGANG)):
        for result in results(town_scheme, villages_under(Division.objects.get(code=code))):
            for indicator in result.indicators:
                held[indicator.category] += indicator.awarded or 0
                points[indicator.category] += indicator.points
    assert counties["睢县"]["shares"] == [round(100 * held[c] / points[c]) for c in city["categories"]]
    assert counties["宁陵县"]["shares"] == [None] * len(city["categories"])


def test_county_and_city_trend_has_one_series_per_town_from_the_stored_snapshots(login, scheme, freeze_today):
    load_scheme(issuer=PINGGANG)
    freeze_today(datetime.date(2023, 10, 31))
    take(2023)
    freeze_today(datetime.date(2023, 11, 30))
    take(2023)
    Snapshot.objects.filter(month=datetime.date(2023, 10, 1), village__parent__code=PINGGANG).delete()  # 平岗镇 missed October
    _incident(VILLAGE1, "telecom_fraud", datetime.date(2023, 12, 1))  # later facts do not change the stored months
    client = login("county")
    response = client.get("/dashboard/?year=2023")
    trend = response.context["data"]["area_trend"]
    assert trend["months"] == ["2023-10", "2023-11"]
    series = {s["code"]: s for s in trend["series"]}
    assert list(series) == [r["code"] for r in response.context["data"]["rows"]]  # one series per row of the table

    def average(town, month):
        stored = Snapshot.objects.filter(village__parent__code=town, month=month)
        return round(sum(s.total for s in stored) / len(stored), 1) if stored else None

    for code in (CHANGGANG, PINGGANG):
        assert series[code]["averages"] == [average(code, datetime.date(2023, m, 1)) for m in (10, 11)]
    assert series[PINGGANG]["averages"][0] is None
    assert series[CHANGGANG]["url"] == f"/dashboard/?division={CHANGGANG}&year=2023"
    assert _table(response.content.decode(), "area-trend") == {code: [_shown(v) for v in s["averages"]] for code, s in series.items()}

    city = login("city").get("/dashboard/?year=2023").context["data"]["area_trend"]
    by_name = {s["name"]: s["averages"] for s in city["series"]}
    november = Snapshot.objects.filter(month=datetime.date(2023, 11, 1))
    assert by_name["睢县"][1] == round(sum(s.total for s in november) / 25, 1) and by_name["宁陵县"] == [None, None]


def test_the_county_and_city_dashboards_cost_the_same_queries_for_5_and_50_villages_a_town(login, api, world, freeze_today, drawn_pages):
    """平岗镇 grows from 5 villages to 50 (with records and snapshots): the county's and the city's
    page and API, heat map and trend per town included, make the same number of queries."""
    freeze_today(datetime.date(2023, 12, 31))
    load_scheme()
    load_scheme(issuer=PINGGANG)
    take(2023, datetime.date(2023, 11, 30))
    take(2023)
    town2 = Division.objects.get(code=PINGGANG)
    urls = {"county": f"/dashboard/?division={COUNTY}&year=2023", "city": "/dashboard/?year=2023"}
    urls |= {f"{who}-api": url for who, url in urls.items()}  # the api fixture puts /api/v1 before it
    gets = {"county": login("county").get, "city": login("city").get, "county-api": api("county"), "city-api": api("city")}
    for name, url in urls.items():  # warm: the first request parses the schemes once per process
        _queries(gets[name], url)
    small = {name: _queries(gets[name], url) for name, url in urls.items()}
    for i in range(45):
        village = Division.objects.create(code=f"4114221013{i:02d}", name=f"新村{i}", level="village", parent=town2)
        make_record("hazards", village.code, status="pending", rectified_on=None, deadline=datetime.date(2023, 6, 8))
    take(2023, datetime.date(2023, 11, 30))
    take(2023)
    assert Snapshot.objects.filter(village__parent=town2, month=datetime.date(2023, 11, 1)).count() == 50
    data = gets["county"](urls["county"]).context["data"]
    assert {r["code"]: r["villages"] for r in data["rows"]} == {CHANGGANG: 20, PINGGANG: 50}
    assert all(s["averages"][0] is not None for s in data["area_trend"]["series"]) and data["rows"][1]["shares"]
    assert {name: _queries(gets[name], url) for name, url in urls.items()} == small


@pytest.mark.parametrize("username", ["town", "county", "city", "village1", "police", "auditor"])
def test_the_village_page_s_warnings_take_the_scheme_and_year_the_board_would(world, rf, username):
    """The warnings panel reads the village's schemes with the scorecard panel (one query for both);
    it must choose the same scheme and year as board.schemes_for() and default_year() do, for any year
    asked and any user, whatever issuers and years the schemes have."""
    from safestar.dashboards import board
    from safestar.dashboards.panels import scheme_and_year
    from safestar.schemes.services import default_year

    load_scheme()  # 长岗镇 2023
    load_scheme(issuer="411422000000")  # 睢县 2023: farther than the town's
    load_scheme(**{"year: 2023": "year: 2022"})
    load_scheme(issuer="411422000000", **{"year: 2023": "year: 2025"})  # only the county's in 2025
    load_scheme(**{"year: 2023": "year: 2030"})  # not begun: never the default
    user = User.objects.get(username=username)
    village = Division.objects.get(code=VILLAGE1)
    for chosen in (None, 2021, 2022, 2023, 2025, 2030):
        request = rf.get("/")
        request.user = user
        year = chosen or default_year(user)
        expected = board.schemes_for([village], year, user).get(village.pk)
        assert scheme_and_year(request, village, chosen) == (expected, year), chosen
