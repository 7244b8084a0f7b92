"""The evaluation pages as people use them, and fixed query counts on the list pages."""

import re

import pytest
from django.urls import reverse

from conftest import CHANGGANG, PINGGANG, VILLAGE1
from safestar.evaluation import services
from safestar.evaluation.models import Entry, StarRecord

from .conftest import run_to_county


def test_the_county_opens_a_round_from_the_form(login, users):
    from conftest import load_scheme

    scheme = load_scheme()
    client = login("county")
    page = client.get("/evaluation/new/").content.decode()
    assert "评查范围" in page and "平岗镇" in page
    response = client.post("/evaluation/new/", {"scheme": scheme.pk, "area": users["town"].division.pk, "self_deadline": "2024-01-15",
                                                "town_deadline": "2024-01-10", "county_deadline": "2024-02-28"})
    assert "截止日期应依次为" in response.content.decode()
    form = {"scheme": scheme.pk, "area": users["town"].division.pk, "self_deadline": "2024-01-15",
            "town_deadline": "2024-01-31", "county_deadline": "2024-02-28"}
    assert "没有已确认的“平安法治星”创建村" in client.post("/evaluation/new/", form).content.decode()  # nobody applied yet
    from safestar.creation.tests.factories import application

    application("411422100201")  # 长岗村 applies and the town confirms
    assert client.post("/evaluation/new/", form).status_code == 302
    assert list(Entry.objects.filter(round__area__code=CHANGGANG).values_list("village__name", flat=True)) == ["长岗村"]


def test_village_explains_submits_and_sees_the_town_adjustment(open_round, users, login):
    round = open_round()
    entry = Entry.objects.get(round=round, village__code=VILLAGE1)
    client = login("village1")
    page = client.get(f"/evaluation/entries/{entry.pk}/").content.decode()
    assert "保存说明" in page and "提交自评" in page and "初审通过" not in page
    client.post(reverse("evaluation-entry-line", args=[entry.pk, "C1.5"]), {"explanation": "6路在用，见照片"})
    client.post(reverse("evaluation-entry-action", args=[entry.pk, "submit"]), {"confirmed": "1"})
    page = client.get(f"/evaluation/entries/{entry.pk}/").content.decode()
    assert "6路在用，见照片" in page and "待乡镇初审" in page and "保存说明" not in page
    town = login("town")
    page = town.get(f"/evaluation/entries/{entry.pk}/").content.decode()
    assert "初审通过" in page and "退回村修改" in page and 'data-testid="adjust-C1.5"' in page
    town.post(reverse("evaluation-entry-line", args=[entry.pk, "C1.5"]), {"points": "2", "reason": "2路损坏"})
    response = town.post(reverse("evaluation-entry-action", args=[entry.pk, "return"]), {"reason": "请补充照片"}, follow=True)
    assert "已退回村修改" in response.content.decode()
    page = login("village1").get(f"/evaluation/entries/{entry.pk}/").content.decode()
    assert "退回原因：请补充照片" in page and "2 分：2路损坏" in page


def test_a_department_sees_only_the_adjust_forms_of_its_field(open_round, users, client):
    round = open_round()
    run_to_county(round, users)
    entry = Entry.objects.get(round=round, village__code=VILLAGE1)
    client.force_login(users["county_police"])
    page = client.get(f"/evaluation/entries/{entry.pk}/").content.decode()
    assert 'data-testid="adjust-C1.5"' in page  # 公安
    assert 'data-testid="adjust-C5.3"' not in page  # 民宗
    assert "认定并锁定" not in page and "县级评查完成" not in page


def test_the_town_forwards_from_the_round_page_once_all_are_reviewed(open_round, users, login):
    round = open_round()
    run_to_county(round, users, skip=[VILLAGE1])
    town = login("town")
    page = town.get(f"/evaluation/{round.pk}/").content.decode()
    assert "还有 1 个村未完成初审" in page and 'type="submit">报送县级评查' not in page
    response = town.post(reverse("evaluation-round-forward", args=[round.pk, CHANGGANG]), {"confirmed": "1"}, follow=True)
    assert "还有 1 个村未完成乡镇初审" in response.content.decode()
    entry = Entry.objects.select_related("round__scheme", "village").get(round=round, village__code=VILLAGE1)
    services.submit(entry, users["village1"])
    from .conftest import settle

    settle(entry, users)
    services.review(entry, users["town"])
    page = town.get(f"/evaluation/{round.pk}/").content.decode()
    assert 'type="submit">报送县级评查' in page and 'data-confirm="报送后本镇已初审的村交县级评查' in page
    asked = town.post(reverse("evaluation-round-forward", args=[round.pk, CHANGGANG]))  # asked first, listing the villages
    listed = re.findall(r"<li>(.*?)</li>", asked.content.decode().split('data-testid="confirm-items"')[1].split("</ul>")[0])
    assert listed == list(round.entries.order_by("village__code").values_list("village__name", flat=True))
    assert "forwarded" not in set(round.entries.values_list("status", flat=True))
    town.post(reverse("evaluation-round-forward", args=[round.pk, CHANGGANG]), {"confirmed": "1"})
    assert set(round.entries.values_list("status", flat=True)) == {"forwarded"}
    # every step of the village's entry is in its history, who and when, as the creation pages show theirs
    page = login("village1").get(reverse("evaluation-entry", args=[entry.pk]))
    assert [(e.action, e.from_label, e.to_label, e.actor.username) for e in page.context["events"]] == [
        ("submit", "村自评中", "待乡镇初审", "village1"), ("review", "待乡镇初审", "乡镇已初审", "town"), ("forward", "乡镇已初审", "待县级评查", "town")]
    assert 'data-testid="events"' in page.content.decode()


def test_the_results_page_ranks_within_the_town_and_the_county(open_round, users, login):
    round = open_round(area="411422000000")  # the county's round of 长岗镇's scheme
    county = login("county")
    page = county.get(f"/evaluation/{round.pk}/")
    html = page.content.decode()
    assert "evaluation/entries/" not in html  # the county sees one row per town, and drills down
    assert [(t["name"], t["villages"], t["stages"][0]) for t in page.context["towns_summary"]] == [("长岗镇", 20, 20)]
    town = county.get(reverse("evaluation-round-town", args=[round.pk, CHANGGANG]))
    assert town.content.decode().count("evaluation/entries/") == 20
    assert [r.county_rank for r, _ in town.context["rows"]] == [r.town_rank for r, _ in town.context["rows"]]  # one town in the round
    village = login("village1").get(f"/evaluation/{round.pk}/").content.decode()
    assert "长岗村" in village and "杨庄村" not in village


def test_village_page_shows_the_entry_and_the_star_history(open_round, users, login):
    round = open_round(pass_mark=40)
    run_to_county(round, users)
    entry = Entry.objects.select_related("round__scheme", "village").get(round=round, village__code=VILLAGE1)
    services.evaluate(entry, users["county"])
    services.recognise(entry, users["county"])
    page = login("village1").get(f"/divisions/{VILLAGE1}/").content.decode()
    assert 'data-testid="evaluation-panel"' in page and "已认定（锁定）" in page and "授星" in page


# -- query counts ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("drawn_pages")
@pytest.mark.parametrize("town, user", [(PINGGANG, "town2"), (CHANGGANG, "town")])
def test_round_page_queries_do_not_grow_with_the_villages(open_round, users, login, django_assert_num_queries, town, user):
    """平岗镇 has 5 villages, 长岗镇 20: the same number of queries. Per request: session, the user
    (with their division and whether they have an authenticator); the round (with scheme and area); the round's
    villages and their towns; the villages the user may see; the villages' names; the stored results,
    read with the data generation (schemes/cache.py reused(): warm, neither the facts nor the
    round's given points are read); the entries; the town's progress; the round's towns for its late
    policies (the session is not saved: renewed at most once a minute)."""
    round = open_round(area=town, issuer=town)
    client = login(user)
    client.get(f"/evaluation/{round.pk}/")  # warm the session and the stored results
    with django_assert_num_queries(ROUND_PAGE_QUERIES):
        assert client.get(f"/evaluation/{round.pk}/").status_code == 200


ROUND_PAGE_QUERIES = 10


@pytest.mark.parametrize("n", [1, 25])
def test_star_list_queries_do_not_grow(open_round, users, login, django_assert_num_queries, n):
    """Session, user (with division and authenticator flag), count, one page of records (with
    village, incident and who)."""
    import datetime

    from safestar.org.models import Division

    round = open_round()
    villages = list(Division.objects.filter(parent__code=CHANGGANG).order_by("code"))
    StarRecord.objects.bulk_create([StarRecord(village=villages[i % 20], year=2023, round=round, star="平安法治星", action="awarded",
                                               on=datetime.date(2024, 3, 1), by=users["county"]) for i in range(n)])
    client = login("town")
    client.get("/evaluation/stars/")
    with django_assert_num_queries(STAR_LIST_QUERIES):
        client.get("/evaluation/stars/")


STAR_LIST_QUERIES = 4


@pytest.mark.parametrize("n", [1, 3])
def test_round_list_queries_do_not_grow(open_round, users, login, django_assert_num_queries, n):
    """Session, user (with division and authenticator flag), count, one page of rounds (with scheme
    and area)."""
    towns = [CHANGGANG, PINGGANG, "411422000000"][:n]
    for town in towns:
        open_round(area=town, issuer=town)  # the county round: the county's own standard
    client = login("county")
    client.get("/evaluation/")
    with django_assert_num_queries(ROUND_LIST_QUERIES):
        client.get("/evaluation/")


ROUND_LIST_QUERIES = 4


# -- the county's summary per town ------------------------------------------------------------------


def test_the_county_drills_down_from_its_town_row_to_the_villages_a_page_at_a_time(open_round, users, login):
    from conftest import more_villages

    (big,) = more_villages(towns=1, per_town=45)
    round = open_round(area="411422000000", issuer="411422000000")  # every village of the county creates
    run_to_county(round, users, skip=[c for c in round.entries.values_list("village__code", flat=True) if not c.startswith(CHANGGANG[:9])])
    from safestar.org.models import Division

    assert services.forward_town(round, Division.objects.get(code=CHANGGANG), users["town"])  # 长岗镇 waits for the county
    county = login("county")
    page = county.get(f"/evaluation/{round.pk}/")
    towns = {t["code"]: t for t in page.context["towns_summary"]}
    assert {code: t["villages"] for code, t in towns.items()} == {CHANGGANG: 20, PINGGANG: 5, big: 45}
    waiting = Entry.Status.values.index("forwarded")
    assert towns[CHANGGANG]["stages"][waiting] == towns[CHANGGANG]["waiting_county"] == 20 and towns[big]["waiting_county"] == 0
    assert sum(n for _, n in towns[big]["counts"]) == 45
    html = page.content.decode()
    assert "evaluation/entries/" not in html
    assert reverse("evaluation-round-town", args=[round.pk, big]) in html
    assert reverse("evaluation-round-evaluate-town", args=[round.pk, CHANGGANG]) in html  # the batch, from the counts
    first = county.get(reverse("evaluation-round-town", args=[round.pk, big]))
    assert first.content.decode().count("evaluation/entries/") == 20 and first.context["page"].paginator.count == 45
    last = county.get(reverse("evaluation-round-town", args=[round.pk, big]), {"page": 3})
    assert last.content.decode().count("evaluation/entries/") == 5
    # the town office still sees its own villages on the round page, all of them
    assert login("town").get(f"/evaluation/{round.pk}/").content.decode().count("evaluation/entries/") == 20


@pytest.mark.usefixtures("drawn_pages")
@pytest.mark.parametrize("bigger", [False, True])
def test_the_county_round_pages_cost_the_same_queries_with_more_villages(open_round, users, login, django_assert_num_queries, bigger):
    """The county's round of all its villages: 25 in 2 towns, or 205 in 8; warm. The summary: session,
    the user (with division and authenticator flag); the round; the round's villages and
    their towns, the villages the user may see, their names, the stored results read with the
    results' generation (round_results); the villages' towns (the summary); the stages and stars by town (one
    grouped query); the towns of the round (what a late submission does, per town). A town's page:
    the town instead of the villages' towns, the page's entries and the number waiting for the county
    (the towns of the round counted as above)."""
    from conftest import more_villages

    if bigger:
        more_villages(towns=6, per_town=30)
    round = open_round(area="411422000000", issuer="411422000000")
    client = login("county")
    for url, expected in [(f"/evaluation/{round.pk}/", COUNTY_ROUND_QUERIES),
                          (reverse("evaluation-round-town", args=[round.pk, CHANGGANG]), TOWN_OF_ROUND_QUERIES)]:
        client.get(url)  # warm the session and the stored results
        with django_assert_num_queries(expected):
            assert client.get(url).status_code == 200


COUNTY_ROUND_QUERIES = 10
TOWN_OF_ROUND_QUERIES = 11
