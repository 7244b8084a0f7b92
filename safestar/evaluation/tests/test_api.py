"""The evaluation API: same scope and the same workflow as the pages."""

import pytest

from conftest import CHANGGANG, PINGGANG, VILLAGE1
from safestar.evaluation.models import Entry


def post(client, user, path, body):
    from safestar.org.models import ApiToken

    token = ApiToken.issue(user)[1]
    return client.post(f"/api/v1{path}", body, content_type="application/json", headers={"Authorization": f"Bearer {token}"})


def test_rounds_and_results_through_the_api(open_round, users, api):
    round = open_round()
    open_round(area=PINGGANG, issuer=PINGGANG)
    listed = api("town")("/evaluation-rounds/").json()
    assert listed["count"] == 1 and listed["items"][0]["area"] == CHANGGANG
    detail = api("village1")(f"/evaluation-rounds/{round.pk}").json()
    assert [r["result"]["village"] for r in detail["results"]] == [VILLAGE1]
    entry = Entry.objects.get(round=round, village__code=VILLAGE1)
    data = api("village1")(f"/evaluation-entries/{entry.pk}").json()
    assert data["stage"] == "self" and len(data["lines"]) == len(round.scheme.spec.indicators())
    assert data["steps"] == ["submit"] and api("grid1")(f"/evaluation-entries/{entry.pk}").json()["steps"] == []


def test_steps_through_the_api_are_conditional_and_refusals_say_why(open_round, users, client):
    round = open_round()
    entry = Entry.objects.get(round=round, village__code=VILLAGE1)
    first = post(client, users["village1"], f"/evaluation-entries/{entry.pk}/submit", {})
    assert first.status_code == 200 and first.json()["stage"] == "submitted" and first.json()["steps"] == []
    assert post(client, users["town"], f"/evaluation-entries/{entry.pk}/nothing", {}).status_code == 404
    assert post(client, users["village1"], f"/evaluation-entries/{entry.pk}/submit", {}).status_code == 409
    refused = post(client, users["town"], f"/evaluation-entries/{entry.pk}/return", {"reason": ""})
    assert refused.status_code == 422 and "原因" in refused.json()["detail"]
    assert post(client, users["village1"], f"/evaluation-entries/{entry.pk}/review", {}).status_code == 404  # not a village's step


@pytest.mark.parametrize("n", [1, 3])
def test_round_list_api_queries_do_not_grow(open_round, users, api, django_assert_num_queries, n):
    """Token lookup, token last-used update, count, one page of rounds (with scheme and area)."""
    for town in [CHANGGANG, PINGGANG, "411422000000"][:n]:
        open_round(area=town, issuer=town)  # the county round: the county's own standard
    get = api("county")
    with django_assert_num_queries(4):
        assert get("/evaluation-rounds/").json()["count"] == n


def test_paging_out_of_range_is_a_422_not_a_crash(open_round, users, api):
    open_round()
    county = api("county")
    assert county("/evaluation-rounds/?limit=-1").status_code == 422
    assert county("/evaluation-rounds/?offset=-3").status_code == 422
    assert county("/evaluation-rounds/?limit=1").json()["count"] == 1


def test_the_round_api_gives_the_results_a_page_at_a_time(open_round, api):
    round = open_round(area="411422000000", issuer="411422000000")  # all 25 villages of the county's world
    get = api("county")
    whole = get(f"/evaluation-rounds/{round.pk}").json()
    assert whole["count"] == 25 and len(whole["results"]) == 25
    page = get(f"/evaluation-rounds/{round.pk}?limit=10&offset=20").json()
    assert page["count"] == 25
    assert [r["result"]["village"] for r in page["results"]] == [r["result"]["village"] for r in whole["results"][20:]]
    assert all(r["entry"] for r in page["results"])
    assert get(f"/evaluation-rounds/{round.pk}?limit=1001").status_code == 422
