"""Deadlines that mean something (issue 17), on frozen dates: each stage's deadline is reminded (a
notice once per person, only to the people who take the step that ends the stage and see the entry;
once more when it has passed); after it passes, the town (self-assessments) and the county (the
towns' forwarding) choose per round whether a late submission is accepted with the 逾期 mark or
waits for their consent; the choice is audited, every late submission is marked on the entry, its
event, the pages, the summary sheet and the API."""

import datetime

import pytest
from django.apps import apps
from django.urls import reverse

from conftest import CHANGGANG, PINGGANG_VILLAGE, VILLAGE1, VILLAGE2
from safestar.audit.models import AuditEvent
from safestar.core.models import Event
from safestar.core.sheets import read_xlsx
from safestar.core.transitions import Refused
from safestar.evaluation import reports, services
from safestar.evaluation.models import Entry, Late, Line, Round
from safestar.notices import services as notices
from safestar.notices.models import Notice
from safestar.org.models import Division

SELF, TOWN, COUNTY = datetime.date(2024, 1, 15), datetime.date(2024, 1, 31), datetime.date(2024, 2, 29)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def round(open_round, freeze_today):
    freeze_today(datetime.date(2024, 1, 2))
    return open_round(deadlines=(SELF, TOWN, COUNTY))


def entry(round, code=VILLAGE1):
    return Entry.objects.select_related("round__scheme", "round__area", "village").get(round=round, village__code=code)


def reminded(kind):
    """{(recipient, entry id, late)} of the deadline notices of `kind`."""
    rows = Notice.objects.filter(kind=kind).values_list("recipient__username", "key", "late")
    return {(who, int(key.split(":")[2]), late) for who, key, late in rows}


def assert_in_scope():
    for notice in Notice.objects.select_related("recipient"):
        _, label, pk, _ = notice.key.split(":")
        model = apps.get_model(label)
        assert model.objects.visible_to(notice.recipient).filter(pk=int(pk)).exists(), (notice.recipient, notice.key)


def test_each_stage_deadline_is_reminded_once_to_its_people_and_nobody_outside(round, users, freeze_today, settings):
    settings.SAFESTAR_DEADLINE_REMINDER_DAYS = 3
    one, two = entry(round), entry(round, VILLAGE2)
    freeze_today(SELF - 4 * DAY)
    notices.collect()
    assert reminded("self-deadline") == set()  # not yet: four days before

    freeze_today(SELF - 3 * DAY)
    assert notices.collect() > 0
    assert notices.collect() == 0  # de-duplicated
    mine = {(who, pk) for who, pk, late in reminded("self-deadline")}
    assert ("village1", one.pk) in mine and ("village2", two.pk) in mine
    assert ("village1", two.pk) not in mine and ("village2", one.pk) not in mine  # not the village next door
    assert not any(who in ("village3", "grid1", "town", "town2", "county") for who, _ in mine)  # 平岗村; who cannot submit; not the town's to submit
    notice = Notice.objects.get(kind="self-deadline", recipient=users["village1"])
    assert notice.url == one.get_absolute_url() and "村自评2024-01-15截止，还有 3 天" in notice.body and not notice.late
    assert_in_scope()

    assert services.submit(one, users["village1"])  # on time: no 逾期 mark
    assert not entry(round).submitted_late
    freeze_today(SELF + DAY)
    notices.collect()
    notices.collect()
    late = {(who, pk) for who, pk, late in reminded("self-deadline") if late}
    assert ("village2", two.pk) in late and ("village1", one.pk) not in late  # passed: told once more, only who is still late
    assert "逾期提交将标记“逾期”" in Notice.objects.get(kind="self-deadline", recipient=users["village2"], late=True).body

    freeze_today(TOWN - 3 * DAY)
    notices.collect()
    town = {(who, pk) for who, pk, _ in reminded("town-deadline")}
    assert town == {("town", one.pk), ("taskforce", one.pk)}  # the town's reviewers of the submitted entry; not 平岗镇's
    assert Notice.objects.get(kind="town-deadline", recipient=users["town"]).url == one.get_absolute_url()

    freeze_today(TOWN + DAY)  # passed: back in 待乡镇初审, marked 逾期 — one more notice each
    notices.collect()
    late = Notice.objects.filter(kind="town-review", late=True, key__contains=f"evaluation.entry:{one.pk}:")
    assert sorted(late.values_list("recipient__username", flat=True)) == ["taskforce", "town"]
    assert services.review(one, users["taskforce"])
    notices.collect()
    assert {(who, pk) for who, pk, _ in reminded("forward-deadline")} == {("town", one.pk)}  # reviewed, not forwarded yet

    Entry.objects.filter(pk=one.pk).update(status=Entry.Status.FORWARDED)  # (the other villages are not ready: put it forward)
    freeze_today(COUNTY - 2 * DAY)
    notices.collect()
    assert {(who, pk) for who, pk, _ in reminded("county-deadline")} == {("county", one.pk)}
    for kind in ("self-deadline", "town-deadline", "forward-deadline", "county-deadline"):  # once per person, event and state
        keys = list(Notice.objects.filter(kind=kind).values_list("recipient", "key"))
        assert len(keys) == len(set(keys))
    assert_in_scope()


def test_the_todo_page_lists_the_deadline_with_its_note(round, users, login, freeze_today):
    freeze_today(SELF - DAY)
    page = login("village1").get("/creation/todo/")
    queues = {q.key: q for q in page.context["queues"]}
    assert [i.key[1] for i in queues["self-deadline"].items] == [entry(round).pk]
    assert "村自评截止提醒" in page.content.decode() and "还有 1 天" in page.content.decode()
    assert "self-deadline" not in {q.key for q in login("village3").get("/creation/todo/").context["queues"]}


def test_a_late_self_assessment_is_accepted_with_the_mark_by_default(round, users, login, freeze_today):
    freeze_today(SELF + DAY)
    one = entry(round)
    assert services.late_policy(round, "self", one.village.parent_id) == Late.ACCEPT
    assert [s.name for s in services.steps(one, users["village1"])] == ["submit"]
    with pytest.raises(Refused, match="直接"):
        services.submit(one, users["village1"], "submit_late")
    assert services.submit(one, users["village1"])
    one = entry(round)
    assert one.status == Entry.Status.SUBMITTED and one.submitted_late
    event = Event.objects.filter(object_type="evaluation.entry", object_id=one.pk, action="submit").get()
    assert "逾期提交自评（截止 2024-01-15）" in event.comment
    assert "逾期：逾期提交自评" in login("village1").get(one.get_absolute_url()).content.decode()
    assert "逾期：逾期提交自评" in login("town").get(round.get_absolute_url()).content.decode()
    sheet = login("town").get(f"/evaluation/{round.pk}/summary.xlsx")
    rows = {values["code"]: values for _, values in read_xlsx(sheet.content, reports.SUMMARY_COLUMNS)}
    assert rows[VILLAGE1]["late"] == "逾期提交自评" and not rows[VILLAGE2]["late"]


def test_the_api_shows_the_mark(round, users, api, freeze_today):
    freeze_today(SELF + DAY)
    assert services.submit(entry(round), users["village1"])
    data = api("town")(f"/evaluation-entries/{entry(round).pk}").json()
    assert data["submitted_late"] is True and data["forwarded_late"] is False
    results = api("town")(f"/evaluation-rounds/{round.pk}").json()["results"]
    assert [r["submitted_late"] for r in results if r["entry"] == entry(round).pk] == [True]


def test_the_town_asks_for_its_consent_and_the_choice_is_audited(round, users, login, freeze_today):
    client = login("town")
    response = client.post(reverse("evaluation-round-late", args=[round.pk, "self"]), {"policy": "approve"}, follow=True)
    assert "已设定逾期的处理：逾期提交须经同意" in response.content.decode()
    round.refresh_from_db()
    town = Division.objects.get(code=CHANGGANG)
    assert services.late_policy(round, "self", town.pk) == Late.APPROVE
    audit = AuditEvent.objects.filter(object_type="evaluation.round", object_id=str(round.pk)).latest("id")
    assert audit.actor == users["town"] and audit.changes == {"self_late": ["逾期可提交，标记逾期", "逾期提交须经同意"]}
    assert "长岗镇村自评逾期提交</strong>：逾期提交须经同意" in login("village1").get(round.get_absolute_url()).content.decode()

    one = entry(round)
    assert [s.name for s in services.steps(one, users["village1"])] == ["submit"]  # before the deadline: as usual
    freeze_today(SELF + DAY)
    page = login("village1").get(one.get_absolute_url()).content.decode()
    assert "逾期提交自评（须乡镇同意）" in page and ">提交自评<" not in page
    with pytest.raises(Refused, match="须经乡镇同意"):  # the plain submission is refused now
        services.submit(one, users["village1"])
    assert login("village1").post(reverse("evaluation-entry-action", args=[one.pk, "submit"]), {"confirmed": "1"}).status_code == 302
    assert entry(round).status == Entry.Status.SELF

    assert services.submit(one, users["village1"], "submit_late")
    one = entry(round)
    assert one.status == Entry.Status.LATE and one.submitted_late
    assert Line.objects.get(entry=one, indicator="C1.5").locked_reason()  # the evidence is closed as on a submission
    assert services.line_level(one, users["taskforce"], None) is None  # not the town's to score before it consents
    queues = {q.key: [i.key[1] for i in q.items] for q in login("town").get("/creation/todo/").context["queues"]}
    assert queues["late-self"] == [one.pk]
    with pytest.raises(Refused):
        services.admit(one, users["taskforce"])  # the safety office consents, not the task force
    with pytest.raises(Refused, match="未完成乡镇初审"):
        services.forward_town(round, town, users["town"])
    assert services.admit(one, users["town"])
    one = entry(round)
    assert one.status == Entry.Status.SUBMITTED and one.submitted_late
    assert services.review(one, users["taskforce"])
    assert [e.action for e in Event.objects.filter(object_type="evaluation.entry", object_id=one.pk).order_by("id")] == [
        "submit_late", "admit", "review"]


def test_the_town_filling_in_for_a_village_consents_by_submitting(round, users, freeze_today):
    services.set_late_policy(round, "self", users["town"], Late.APPROVE)
    freeze_today(SELF + DAY)
    two = entry(round, VILLAGE2)
    assert [s.name for s in services.steps(two, users["town"])] == ["submit"]
    assert services.submit(two, users["town"])
    two = entry(round, VILLAGE2)
    assert two.status == Entry.Status.SUBMITTED and two.submitted_late


def test_the_town_may_also_return_a_late_self_assessment(round, users, freeze_today):
    services.set_late_policy(round, "self", users["town"], Late.APPROVE)
    freeze_today(SELF + DAY)
    assert services.submit(entry(round), users["village1"], "submit_late")
    assert services.return_to_village(entry(round), users["town"], "逾期理由不充分，补充材料后再报")
    assert entry(round).status == Entry.Status.RETURNED


def test_only_the_right_office_chooses(round, users, login):
    with pytest.raises(Refused):
        services.set_late_policy(round, "self", users["county"], Late.APPROVE)  # the town chooses for its villages
    with pytest.raises(Refused):
        services.set_late_policy(round, "self", users["taskforce"], Late.APPROVE)
    with pytest.raises(Refused):
        services.set_late_policy(round, "town", users["town"], Late.APPROVE)  # the county chooses for the towns
    with pytest.raises(Refused):
        services.set_late_policy(round, "self", users["town2"], Late.APPROVE)  # 平岗镇 has no village in it
    with pytest.raises(Refused, match="处理方式"):
        services.set_late_policy(round, "town", users["county"], "whatever")
    assert login("town").post(reverse("evaluation-round-late", args=[round.pk, "town"]), {"policy": "approve"}).status_code == 404
    assert login("village1").post(reverse("evaluation-round-late", args=[round.pk, "self"]), {"policy": "approve"}).status_code == 404
    round.refresh_from_db()
    assert round.self_late == {} and round.town_late == ""
    assert not AuditEvent.objects.filter(object_type="evaluation.round", object_id=str(round.pk), action="update").exists()


def _reviewed(round, users):
    from .conftest import settle

    for one in round.entries.select_related("village", "round__scheme"):
        assert services.submit(one, users["town"])
        settle(one, users)
        assert services.review(one, users["taskforce"])


def test_a_late_forwarding_is_accepted_with_the_mark_by_default(round, users, freeze_today):
    _reviewed(round, users)
    freeze_today(TOWN + DAY)
    assert services.forward_town(round, Division.objects.get(code=CHANGGANG), users["town"])
    assert set(round.entries.values_list("status", "forwarded_late")) == {(Entry.Status.FORWARDED, True)}
    assert set(Event.objects.filter(object_type="evaluation.entry", action="forward").values_list("comment", flat=True)) == {
        "逾期报送（截止 2024-01-31）"}


def test_the_county_asks_for_its_consent_to_a_late_forwarding(round, users, login, freeze_today):
    response = login("county").post(reverse("evaluation-round-late", args=[round.pk, "town"]), {"policy": "approve"}, follow=True)
    assert "已设定逾期的处理" in response.content.decode()
    audit = AuditEvent.objects.filter(object_type="evaluation.round", object_id=str(round.pk)).latest("id")
    assert audit.actor == users["county"] and audit.changes == {"town_late": ["逾期可提交，标记逾期", "逾期提交须经同意"]}
    _reviewed(round, users)
    assert {e.submitted_late for e in round.entries.all()} == {False}  # submitted in time
    freeze_today(TOWN + DAY)
    assert "本次报送标记“逾期”，须经县级同意" in login("town").get(round.get_absolute_url()).content.decode()
    assert services.forward_town(round, Division.objects.get(code=CHANGGANG), users["town"])
    assert set(round.entries.values_list("status", "forwarded_late")) == {(Entry.Status.LATE_FORWARDED, True)}
    one = entry(round)
    assert services.line_level(one, users["county"], None) is None  # not scored before the county consents
    queues = {q.key: [i.key[1] for i in q.items] for q in login("county").get("/creation/todo/").context["queues"]}
    assert one.pk in queues["late-forward"]
    with pytest.raises(Refused):
        services.admit_forward(one, users["town"])
    assert [s.name for s in services.steps(one, users["county"])] == ["admit_forward"]
    assert services.admit_forward(one, users["county"])
    one = entry(round)
    assert one.status == Entry.Status.FORWARDED and one.forwarded_late
    assert "乡镇逾期报送" in login("county").get(one.get_absolute_url()).content.decode()
    assert services.evaluate(one, users["county"])


def test_the_county_consents_to_a_towns_late_forwarding_at_once(round, users, login, freeze_today):
    """A town forwards its villages together: the county consents for all of them from the round's
    summary (after a confirmation listing them), all or none, still marked 逾期."""
    services.set_late_policy(round, "town", users["county"], Late.APPROVE)
    _reviewed(round, users)
    freeze_today(TOWN + DAY)
    assert services.forward_town(round, Division.objects.get(code=CHANGGANG), users["town"])
    waiting = round.entries.filter(status=Entry.Status.LATE_FORWARDED).count()
    assert waiting == round.entries.count() > 1
    county = login("county")
    summary = county.get(round.get_absolute_url()).content.decode()
    assert f"同意逾期报送：长岗镇（{waiting} 个村）" in summary
    url = reverse("evaluation-round-admit-forward", args=[round.pk, CHANGGANG])
    with pytest.raises(Refused):
        services.admit_forward_town(round, Division.objects.get(code=CHANGGANG), users["town"])

    asked = county.post(url).content.decode()  # without the script's confirmation: the page asks first
    assert f"长岗镇的 {waiting} 个村逾期报送" in asked and "长岗村" in asked
    assert round.entries.filter(status=Entry.Status.LATE_FORWARDED).count() == waiting

    done = county.post(url, {"confirmed": "1"}, follow=True).content.decode()
    assert f"已同意长岗镇 {waiting} 个村的逾期报送" in done
    assert set(round.entries.values_list("status", "forwarded_late")) == {(Entry.Status.FORWARDED, True)}
    assert Event.objects.filter(object_type="evaluation.entry", action="admit_forward").count() == waiting
    audit = AuditEvent.objects.filter(object_type="evaluation.round", object_id=str(round.pk)).latest("id")
    assert audit.actor == users["county"] and audit.changes == {"villages": [None, waiting]}
    assert "同意逾期报送：长岗镇" not in county.get(round.get_absolute_url()).content.decode()
    again = county.post(url, {"confirmed": "1"}, follow=True).content.decode()
    assert "长岗镇没有待同意的逾期报送" in again


def test_a_forwarding_in_time_is_not_marked_whatever_the_policy(round, users, freeze_today):
    services.set_late_policy(round, "town", users["county"], Late.APPROVE)
    _reviewed(round, users)
    freeze_today(TOWN)
    assert services.forward_town(round, Division.objects.get(code=CHANGGANG), users["town"])
    assert set(round.entries.values_list("status", "forwarded_late")) == {(Entry.Status.FORWARDED, False)}


def test_a_published_round_keeps_its_choice(round, users):
    Round.objects.filter(pk=round.pk).update(status=Round.Status.PUBLISHED)
    round.refresh_from_db()
    with pytest.raises(Refused, match="已公示"):
        services.set_late_policy(round, "town", users["county"], Late.APPROVE)


def test_a_round_of_another_town_is_not_reached(round, users, login):
    assert not Entry.objects.filter(round=round, village__code=PINGGANG_VILLAGE).exists()
    assert login("town2").post(reverse("evaluation-round-late", args=[round.pk, "self"]), {"policy": "approve"}).status_code == 404


def test_the_api_takes_the_late_steps_with_the_same_rules(round, users, client, freeze_today):
    from .test_api import post

    services.set_late_policy(round, "self", users["town"], Late.APPROVE)
    freeze_today(SELF + DAY)
    one = entry(round)
    refused = post(client, users["village1"], f"/evaluation-entries/{one.pk}/submit", {})
    assert refused.status_code == 422 and "须经乡镇同意" in refused.json()["detail"]
    late = post(client, users["village1"], f"/evaluation-entries/{one.pk}/submit_late", {})
    assert late.status_code == 200 and late.json()["stage"] == "late" and late.json()["submitted_late"] is True
    assert post(client, users["taskforce"], f"/evaluation-entries/{one.pk}/admit", {}).status_code == 404  # lacks the action
    admitted = post(client, users["town"], f"/evaluation-entries/{one.pk}/admit", {})
    assert admitted.status_code == 200 and admitted.json()["stage"] == "submitted" and "review" in admitted.json()["steps"]
