"""The evaluation's part of 我的待办 (returned self-assessments, entries waiting for the town and the
county), and the county's batch evaluation of a town's entries with its confirmation page."""

from django.urls import reverse

from conftest import CHANGGANG, PINGGANG, VILLAGE1
from safestar.core.models import Event
from safestar.evaluation import services
from safestar.evaluation.models import Entry

from .conftest import run_to_county


def queues(login, username):
    response = login(username).get("/creation/todo/")
    assert response.status_code == 200
    return {q.key: [i.key[1] for i in q.items] for q in response.context["queues"]}, response.content.decode()


def test_a_returned_self_assessment_waits_for_the_village(open_round, users, login):
    round = open_round()
    entry = Entry.objects.get(round=round, village__code=VILLAGE1)
    assert services.submit(entry, users["village1"])
    items, _ = queues(login, "town")
    assert entry.pk in items["town-review"]
    assert entry.pk not in queues(login, "village1")[0].get("returned", [])
    assert services.return_to_village(entry, users["town"], "请补充照片")
    items, page = queues(login, "village1")
    assert items["returned"] == [entry.pk] and "退回原因：请补充照片" in page
    assert entry.pk in queues(login, "grid1")[0]["returned"]  # the grid worker fills in the self-assessment too
    assert "returned" not in queues(login, "village2")[0]  # not the village next door
    assert entry.pk not in queues(login, "town")[0].get("town-review", [])


def test_the_county_evaluator_sees_the_entries_waiting_for_the_county(open_round, users, login):
    round = open_round()
    assert "county-review" not in queues(login, "county")[0]
    run_to_county(round, users)
    waiting = set(Entry.objects.filter(round=round, status="forwarded").values_list("pk", flat=True))
    items, page = queues(login, "county")
    assert set(items["county-review"]) == waiting and "待县级评查" in page
    assert "county-review" not in queues(login, "town")[0]  # the town forwarded them: not its to evaluate


def _confirmation(client, round, town=CHANGGANG):
    response = client.get(reverse("evaluation-round-evaluate-town", args=[round.pk, town]))
    assert response.status_code == 200
    return response


def test_the_county_evaluates_a_towns_villages_at_once_after_confirming_what_changes(open_round, users, login):
    round = open_round()
    run_to_county(round, users)
    client = login("county")
    page = client.get(f"/evaluation/{round.pk}/").content.decode()
    n = Entry.objects.filter(round=round, status="forwarded").count()
    assert f"批量完成县级评查：长岗镇（{n} 个村）" in page
    response = _confirmation(client, round)
    listed = response.context["ids"]
    assert sorted(listed) == sorted(Entry.objects.filter(round=round, status="forwarded").values_list("pk", flat=True))
    html = response.content.decode()
    assert html.count("待县级评查 → 县级已评查") == n and "长岗村" in html and "当前得分" in html
    assert Entry.objects.filter(round=round, status="evaluated").count() == 0  # the GET changed nothing

    response = client.post(reverse("evaluation-round-evaluate-town", args=[round.pk, CHANGGANG]), {"ids": listed}, follow=True)
    assert f"已完成长岗镇 {n} 个村的县级评查" in response.content.decode()
    assert Entry.objects.filter(round=round, status="evaluated").count() == n
    assert Event.objects.filter(object_type="evaluation.entry", action="evaluate").count() == n  # an event for each
    assert set(Entry.objects.filter(round=round).values_list("evaluated_by__username", flat=True)) == {"county"}
    assert "county-review" not in queues(login, "county")[0]


def test_a_list_that_changed_since_the_confirmation_changes_nothing(open_round, users, login):
    round = open_round()
    run_to_county(round, users)
    client = login("county")
    listed = _confirmation(client, round).context["ids"]
    one = Entry.objects.get(pk=listed[0])
    assert services.evaluate(one, users["county"])  # someone evaluated one village meanwhile
    response = client.post(reverse("evaluation-round-evaluate-town", args=[round.pk, CHANGGANG]), {"ids": listed}, follow=True)
    assert "待县级评查的村已有变化，本次未执行，请重新确认" in response.content.decode()
    assert Entry.objects.filter(round=round, status="evaluated").count() == 1  # all or none
    assert sorted(_confirmation(client, round).context["ids"]) == sorted(set(listed) - {one.pk})


def test_the_batch_is_the_county_evaluators_and_within_its_scope(open_round, users, login):
    round = open_round()
    run_to_county(round, users)
    url = reverse("evaluation-round-evaluate-town", args=[round.pk, CHANGGANG])
    assert login("town").get(url).status_code == 404  # the town does not evaluate for the county
    assert login("village1").post(url, {"ids": [1]}).status_code == 404
    assert login("county").get(reverse("evaluation-round-evaluate-town", args=[round.pk, PINGGANG])).context["rows"] == []


def test_an_entry_the_evaluator_handled_is_left_out_and_says_why(open_round, users, login):
    username = "county"
    round = open_round()
    entry = Entry.objects.get(round=round, village__code=VILLAGE1)
    Entry.objects.filter(pk=entry.pk).update(status="forwarded", submitted_by=users[username])
    response = _confirmation(login(username), round)
    assert entry.pk not in response.context["ids"]
    assert "长岗村：不能评查自己提交或经手的评查材料" in response.content.decode()
