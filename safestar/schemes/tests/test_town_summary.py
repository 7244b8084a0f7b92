"""The county's ranking page: one row per town, each drilling down to that town's villages a page
at a time; the same number of queries however many villages the county has."""

import pytest

from conftest import CHANGGANG, PINGGANG, load_scheme, more_villages

COUNTY = "411422000000"
COUNTY_SCHEME = "schemes/suixian-2023-pingan-village.yaml"


def test_the_county_sees_one_row_per_town_and_drills_down_to_its_villages(login):
    scheme = load_scheme(COUNTY, COUNTY_SCHEME)
    client = login("county")
    page = client.get(f"/schemes/{scheme.pk}/results/")
    html = page.content.decode()
    towns = page.context["towns"]
    assert [(t["code"], t["name"], t["villages"]) for t in towns] == [(CHANGGANG, "长岗镇", 20), (PINGGANG, "平岗镇", 5)]
    for t in towns:  # the counts per result add up to the town's villages
        assert sum(n for _, n in t["counts"]) == t["villages"]
    assert 'data-testid="town-summary"' in html and 'data-testid="results"' not in html
    assert "/villages/" not in html  # no village row, no scorecard link: the villages are one click down
    assert f'?division={CHANGGANG}"' in html
    town = client.get(f"/schemes/{scheme.pk}/results/", {"division": CHANGGANG})
    rows = town.context["page"]
    assert rows.paginator.count == 20 and len(rows.object_list) == 20
    assert town.content.decode().count(f"/schemes/{scheme.pk}/villages/") == 20
    assert f'?division={COUNTY}"' in town.content.decode()  # the way back up
    # the town's ranking is the town's: 1…n among its ranked villages
    ranks = [r.rank for r in rows.object_list if r.rank is not None]
    assert ranks == list(range(1, len(ranks) + 1))


def test_the_town_still_sees_its_villages(login):
    scheme = load_scheme(COUNTY, COUNTY_SCHEME)
    page = login("town").get(f"/schemes/{scheme.pk}/results/")
    assert page.context["division"].code == CHANGGANG and "towns" not in page.context
    assert page.content.decode().count(f"/schemes/{scheme.pk}/villages/") == 20
    assert 'data-testid="up"' not in page.content.decode()  # the town cannot go up to the county


def test_a_big_town_is_paged(login):
    scheme = load_scheme(COUNTY, COUNTY_SCHEME)
    (town,) = more_villages(towns=1, per_town=45)
    client = login("county")
    first = client.get(f"/schemes/{scheme.pk}/results/", {"division": town})
    assert first.context["page"].paginator.count == 45
    assert first.content.decode().count(f"/schemes/{scheme.pk}/villages/") == 20
    last = client.get(f"/schemes/{scheme.pk}/results/", {"division": town, "page": 3})
    assert last.content.decode().count(f"/schemes/{scheme.pk}/villages/") == 5
    summary = client.get(f"/schemes/{scheme.pk}/results/").context["towns"]
    assert [t["villages"] for t in summary if t["code"] == town] == [45]


@pytest.mark.usefixtures("drawn_pages")
@pytest.mark.parametrize("bigger", [False, True])
def test_the_county_pages_cost_the_same_queries_with_more_villages(login, django_assert_num_queries, bigger):
    """The world's 25 villages in 2 towns, or 205 in 8: the same count, warm (the stored results). Per
    request: session, the user (with division and authenticator flag); the scheme (with
    its issuer); the division asked for (with its parent); the villages; the stored results, read with
    the results' generation (cache.py reused()); the villages' towns (summary only)."""
    scheme = load_scheme(COUNTY, COUNTY_SCHEME)
    if bigger:
        more_villages(towns=6, per_town=30)
    client = login("county")
    for query, expected in [({}, SUMMARY_QUERIES), ({"division": CHANGGANG}, TOWN_QUERIES)]:
        client.get(f"/schemes/{scheme.pk}/results/", query)  # warm the session and the stored results
        with django_assert_num_queries(expected):
            assert client.get(f"/schemes/{scheme.pk}/results/", query).status_code == 200


SUMMARY_QUERIES = 7
TOWN_QUERIES = 6


def test_the_api_gives_the_county_its_results_a_page_at_a_time(api):
    scheme = load_scheme(COUNTY, COUNTY_SCHEME)
    get = api("county")
    whole = get(f"/evaluations/2023/?division={COUNTY}&scheme={scheme.pk}").json()
    assert whole["count"] == 25 and len(whole["results"]) == 25
    page = get(f"/evaluations/2023/?division={COUNTY}&scheme={scheme.pk}&limit=10&offset=20").json()
    assert page["count"] == 25 and [r["village"] for r in page["results"]] == [r["village"] for r in whole["results"][20:]]
    assert get(f"/evaluations/2023/?division={COUNTY}&scheme={scheme.pk}&limit=0").status_code == 422
