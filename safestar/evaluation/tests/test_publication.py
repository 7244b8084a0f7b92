"""Frozen publication: publishing stores the results (scores, results, ranks, when, who); the
publication page and document always show them — the .docx is the same file after a later 摘星 —
while what changed afterwards (摘星, unlocks, re-recognitions) is listed beside it, and an unlocked
village is marked. Objections (异议) during the publication period are recorded and decided."""

import datetime

import pytest
from django.urls import reverse

from conftest import CHANGGANG, VILLAGE1, make_record
from safestar.audit.models import AuditEvent
from safestar.evaluation import services
from safestar.evaluation.models import Entry, Objection, StarRecord
from safestar.evaluation.tests.conftest import fetch_document, run_to_county
from safestar.incidents.models import IncidentKind
from safestar.incidents.services import recognise as recognise_incident

START, END = datetime.date(2024, 3, 1), datetime.date(2024, 3, 7)


@pytest.fixture
def published(open_round, users, freeze_today):
    freeze_today(datetime.date(2024, 3, 2))
    round = open_round(pass_mark=40)
    run_to_county(round, users)
    for entry in round.entries.select_related("round__scheme", "village"):
        services.evaluate(entry, users["county"])
        services.recognise(entry, users["county"])
    assert services.publish(round, users["county"], START, END)
    round.refresh_from_db()
    return round


def test_publishing_stores_the_results_as_published(published, users):
    rows = {row["code"]: row for row in published.snapshot}
    assert len(rows) == 20 and published.published_by == users["county"] and published.published_at is not None
    live = {r.code: r for r in services.round_results(published, services.Division.objects.filter(pk__in=published.entries.values("village")))}
    for code, row in rows.items():
        assert (row["total"], row["status"], row["band"], row["county_rank"], row["town_rank"]) == (
            live[code].total, live[code].status, live[code].band, live[code].county_rank, live[code].town_rank)


def test_the_document_stays_the_same_file_after_a_later_star_withdrawal_and_the_page_lists_the_change(published, users, login, api):
    client = login("county")
    before = fetch_document(client, f"/evaluation/{published.pk}/publication.docx").content
    published_row = next(r for r in published.snapshot if r["code"] == VILLAGE1)
    assert published_row["status"] == "达标"
    fraud = make_record("incidents", VILLAGE1, kind=IncidentKind.objects.get(code="telecom_fraud"), occurred_on=datetime.date(2023, 11, 5),
                        title="村民被冒充客服诈骗")
    assert recognise_incident(fraud, users["county"])  # 摘星: the village is now vetoed
    assert [s.action for s in StarRecord.objects.filter(round=published, village__code=VILLAGE1).order_by("id")] == ["awarded", "withdrawn"]
    after = fetch_document(client, f"/evaluation/{published.pk}/publication.docx").content
    assert after == before  # byte for byte: the publication as published
    page = client.get(f"/evaluation/{published.pk}/")  # the county's summary: the changes and objections, no village list
    html = page.content.decode()
    assert page.context["published"] == [] and 'data-testid="published"' not in html
    town = client.get(reverse("evaluation-round-town", args=[published.pk, CHANGGANG]))  # the town's part of the list
    shown = {p["code"]: p for p in town.context["published"]}
    assert shown[VILLAGE1]["status"] == "达标" and not shown[VILLAGE1]["unlocked"]
    assert [(name, what) for _, name, what, _ in page.context["changes"]] == [("长岗村", "摘星")]
    assert "村民被冒充客服诈骗" in html and 'data-testid="publication-changes"' in html
    body = api("county")(f"/evaluation-rounds/{published.pk}").json()
    assert {p["code"]: p["status"] for p in body["published"]}[VILLAGE1] == "达标"
    assert [(c["village"], c["change"]) for c in body["changes_after_publication"]] == [("长岗村", "摘星")]
    assert {r["result"]["village"]: r["result"]["status"] for r in body["results"]}[VILLAGE1] == "否决"  # the live result


def test_an_unlocked_village_is_marked_on_the_published_list_and_its_re_recognition_listed(published, users, login):
    entry = Entry.objects.select_related("round__scheme", "village", "recognised_by__division").get(round=published, village__code=VILLAGE1)
    assert services.unlock(entry, users["county"], "群众反映探头数量不实，重新核查")
    page = login("town").get(f"/evaluation/{published.pk}/")
    shown = {p["code"]: p for p in page.context["published"]}
    assert shown[VILLAGE1]["unlocked"] and not any(p["unlocked"] for code, p in shown.items() if code != VILLAGE1)
    assert "已解锁，重新评查中" in page.content.decode()
    entry.refresh_from_db()
    services.evaluate(entry, users["county"])
    services.recognise(entry, users["county"])
    changes = [(name, what, detail) for _, name, what, detail in login("town").get(f"/evaluation/{published.pk}/").context["changes"]]
    assert changes[:2] == [("长岗村", "解锁", "群众反映探头数量不实，重新核查"), ("长岗村", "摘星", "解锁重新评查：群众反映探头数量不实，重新核查")]
    assert [(name, what) for name, what, _ in changes] == [("长岗村", "解锁"), ("长岗村", "摘星"), ("长岗村", "重新认定"), ("长岗村", "授星")]


def test_an_objection_is_recorded_in_the_period_and_decided_with_its_outcome(published, users, login):
    client = login("county")
    village = published.entries.get(village__code=VILLAGE1).village
    response = client.post(f"/evaluation/{published.pk}/objections/",
                           {"village": village.pk, "raised_by": "村民李某", "received_on": "2024-03-02", "content": "巡逻次数记录不实"})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert (objection.raised_by, objection.recorded_by, objection.status) == ("村民李某", users["county"], "open")
    assert AuditEvent.objects.filter(object_type="evaluation.objection", action="create").count() == 1
    # Outside the publication period: refused, nothing written.
    client.post(f"/evaluation/{published.pk}/objections/",
                {"village": village.pk, "raised_by": "村民王某", "received_on": "2024-02-20", "content": "x"})
    assert Objection.objects.count() == 1
    page = client.get(f"/evaluation/{published.pk}/").content.decode()
    assert "不在公示期（2024-03-01 至 2024-03-07）内" in page and "巡逻次数记录不实" in page
    # A decision needs its outcome; the town may not decide (404).
    assert client.post(f"/evaluation/objections/{objection.pk}/reject/", {"reason": " "}).status_code == 302
    objection.refresh_from_db()
    assert objection.status == "open"
    assert login("town").post(f"/evaluation/objections/{objection.pk}/reject/", {"reason": "x"}).status_code == 404
    client = login("county")
    assert client.post(f"/evaluation/objections/{objection.pk}/reject/", {"reason": "经核查巡逻记录属实，维持原结果"}).status_code == 302
    objection.refresh_from_db()
    assert (objection.status, objection.outcome) == ("rejected", "经核查巡逻记录属实，维持原结果")
    assert "异议不成立" in client.get(f"/evaluation/{published.pk}/").content.decode()


def test_no_objection_before_publication(open_round, users):
    round = open_round()
    with pytest.raises(services.Refused, match="尚未公示"):
        services.record_objection(round, round.entries.first().village, users["county"], raised_by="张某", received_on=START, content="x")
