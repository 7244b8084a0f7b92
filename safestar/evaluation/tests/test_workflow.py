"""The annual evaluation workflow: who may take each step, conditional steps, no self-approval,
adjustments fed to the engine, locking and unlocking, stars and their withdrawal."""

import datetime

import pytest

from conftest import CHANGGANG, PINGGANG, VILLAGE1, VILLAGE2, make_record
from safestar.audit.models import AuditEvent
from safestar.evaluation import services
from safestar.evaluation.models import Entry, Line, StarRecord
from safestar.org.models import Division
from safestar.schemes.engine import PASSED, UNDETERMINED, VETOED
from safestar.schemes.services import results

from .conftest import run_to_county, settle

S = Entry.Status


def entry_of(round, code):
    return Entry.objects.select_related("round__scheme", "village").get(round=round, village__code=code)


def test_a_round_covers_the_villages_the_scheme_applies_to_with_a_line_per_indicator(open_round, users):
    round = open_round()
    assert list(round.entries.values_list("village__code", flat=True)) == list(
        Division.objects.filter(parent__code=CHANGGANG).order_by("code").values_list("code", flat=True))
    assert round.entries.count() == 20
    assert Line.objects.filter(entry__round=round).count() == 20 * len(round.scheme.spec.indicators())
    assert AuditEvent.objects.filter(object_type="evaluation.round", action="create").count() == 1
    # A village is evaluated for a star once a year: a county round of the same scheme is refused.
    with pytest.raises(services.Refused, match="已在本年度“平安法治星”的其他评查轮次中"):
        open_round(area="411422000000")


def test_a_county_round_of_a_town_scheme_covers_only_that_towns_villages(open_round, users):
    county = open_round(area="411422000000")
    assert county.entries.count() == 20 and not county.entries.filter(village__parent__code=PINGGANG).exists()


def test_only_the_county_evaluator_opens_a_round(open_round, users):
    from conftest import load_scheme

    with pytest.raises(services.Refused):
        d = datetime.date(2024, 1, 31)
        services.open_round(load_scheme(), Division.objects.get(code=CHANGGANG), d, d, d, users["town"])


def test_the_full_round_with_every_step_in_the_audit_log(open_round, users):
    round = open_round(pass_mark=40)
    entry = entry_of(round, VILLAGE1)
    # Self-assessment: the village explains; nobody else's points yet.
    services.save_line(entry, "C1.5", users["village1"], explanation="4路在用，2路维修中")
    assert services.submit(entry, users["village1"])
    entry.refresh_from_db()
    assert entry.status == S.SUBMITTED and entry.submitted_by == users["village1"]
    proposal = services.proposal(entry)
    line = entry.lines.get(indicator="C1.5")
    assert line.proposed == next(i.awarded for i in proposal.indicators if i.code == "C1.5")
    # After submitting, the village cannot change its explanation.
    with pytest.raises(services.Refused):
        services.save_line(entry, "C1.5", users["village1"], explanation="改")
    # The town adjusts (with a reason), and the engine's total moves by exactly the difference.
    before = services.entry_result(entry).total
    with pytest.raises(services.Refused, match="理由"):
        services.save_line(entry, "C1.5", users["town"], points=1, reason="")
    services.save_line(entry, "C1.5", users["town"], points=4, reason="现场核查6路在用")
    after = services.entry_result(entry)
    assert after.total == pytest.approx(before - line.proposed + 4)
    c15 = next(i for i in after.indicators if i.code == "C1.5")
    assert c15.awarded == 4
    settle(entry, users)
    assert services.review(entry, users["taskforce"])
    # The town forwards only when every village is reviewed.
    with pytest.raises(services.Refused, match="19 个村未完成"):
        services.forward_town(round, Division.objects.get(code=CHANGGANG), users["town"])
    run_to_county(round, users, skip=[VILLAGE1])
    assert services.forward_town(round, Division.objects.get(code=CHANGGANG), users["town"])
    assert set(round.entries.values_list("status", flat=True)) == {S.FORWARDED}
    entry.refresh_from_db()
    # County: the police bureau scores 公安 indicators only; the evaluator any.
    services.save_line(entry, "C1.5", users["county_police"], points=3, reason="1路未联网")
    with pytest.raises(services.Refused):
        services.save_line(entry, "C5.3", users["county_police"], points=0, reason="不是公安的指标")
    services.save_line(entry, "C5.3", users["county"], points=1, reason="走访记录不全")
    result = services.entry_result(entry)
    assert next(i for i in result.indicators if i.code == "C1.5").awarded == 3
    assert next(i for i in result.indicators if i.code == "C1.5").reason == "县级评查：1路未联网"
    assert services.evaluate(entry, users["county"])
    assert services.recognise(entry, users["county"])
    entry.refresh_from_db()
    assert entry.status == S.RECOGNISED and entry.total == result.total and entry.result == PASSED
    assert StarRecord.objects.get(village=entry.village).action == StarRecord.Action.AWARDED
    # Every step is in the audit log, about this entry or its lines.
    reprs = list(AuditEvent.objects.filter(object_type="evaluation.entry", object_id=str(entry.pk)).values_list("object_repr", flat=True))
    assert [r.split("：")[0] for r in reprs] == ["提交自评", "乡镇初审通过", "县级评查完成", "认定评查结果"]
    assert AuditEvent.objects.filter(object_type="evaluation.line", object_repr__contains="长岗村 C1.5").count() == 3  # explanation, town, county
    assert AuditEvent.objects.filter(object_type="evaluation.round", object_repr__startswith="长岗镇报送").count() == 1
    assert AuditEvent.objects.filter(object_type="evaluation.starrecord").count() == 1


def test_the_adjusted_points_are_what_the_engine_scores(open_round, users):
    """The round's numbers are the engine's, with the lines as manual points: nothing computes a score a second way."""
    round = open_round()
    run_to_county(round, users)
    entry = entry_of(round, VILLAGE2)
    services.save_line(entry, "C1.5", users["county"], points=2.5, reason="2路损坏")
    villages = services.round_villages(round)
    ours = {r.code: (r.total, r.status) for r in services.round_results(round, villages)}
    engine = {r.code: (r.total, r.status) for r in results(round.scheme, villages, manual=services.given_points(round, villages))}
    assert ours == engine
    assert ours[VILLAGE2][0] == pytest.approx(services.proposal(entry).total - entry.lines.get(indicator="C1.5").proposed + 2.5
                                              + sum(i.points for i in services.proposal(entry).indicators if i.awarded is None))


def test_two_stale_attempts_only_one_succeeds(open_round, users):
    round = open_round()
    first, second = entry_of(round, VILLAGE1), entry_of(round, VILLAGE1)
    assert services.submit(first, users["village1"]) is True
    assert services.submit(second, users["town"]) is False
    first, second = entry_of(round, VILLAGE1), entry_of(round, VILLAGE1)
    assert services.review(first, users["town"]) is True
    assert services.return_to_village(second, users["taskforce"], "重新核实") is False
    assert entry_of(round, VILLAGE1).status == S.REVIEWED
    assert AuditEvent.objects.filter(object_type="evaluation.entry", object_repr__startswith="退回").count() == 0


def test_nobody_approves_their_own_submission(open_round, users):
    round = open_round()
    entry = entry_of(round, VILLAGE1)
    assert services.submit(entry, users["town"])  # 镇代填
    with pytest.raises(services.Refused, match="自己"):
        services.review(entry, users["town"])
    with pytest.raises(services.Refused, match="自己"):
        services.return_to_village(entry, users["town"], "退回")
    # Nor may the submitter adjust the points in review.
    with pytest.raises(services.Refused):
        services.save_line(entry, "C1.5", users["town"], points=4, reason="自己改")
    assert services.review(entry, users["taskforce"])
    assert entry_of(round, VILLAGE1).reviewed_by == users["taskforce"]


def test_returned_entries_go_back_to_the_village_with_the_reason(open_round, users):
    round = open_round()
    entry = entry_of(round, VILLAGE1)
    services.submit(entry, users["village1"])
    with pytest.raises(services.Refused, match="原因"):
        services.return_to_village(entry, users["town"], " ")
    assert services.return_to_village(entry, users["town"], "佐证材料不全")
    entry.refresh_from_db()
    assert entry.status == S.RETURNED and entry.return_reason == "佐证材料不全"
    services.save_line(entry, "C1.5", users["village1"], explanation="已补充照片")
    assert services.submit(entry, users["village1"])


def test_recognised_results_are_locked_and_unlocked_only_by_the_county_with_a_reason(open_round, users):
    round = open_round(pass_mark=40)
    run_to_county(round, users)
    entry = entry_of(round, VILLAGE1)
    services.evaluate(entry, users["county"])
    assert services.recognise(entry, users["county"])
    entry.refresh_from_db()
    total = services.entry_result(entry).total
    # Locked: nobody changes a point.
    for who in ("county", "county_police", "town", "village1"):
        with pytest.raises(services.Refused):
            services.save_line(entry, "C1.5", users[who], points=0, reason="改", explanation="改")
    assert services.entry_result(entry).total == total
    # Unlocking: not by the town, not without a reason.
    with pytest.raises(services.Refused):
        services.unlock(entry, users["town"], "要改")
    with pytest.raises(services.Refused, match="原因"):
        services.unlock(entry, users["county"], "")
    assert services.unlock(entry, users["county"], "群众反映C1.5有误")
    assert services.unlock(entry, users["county"], "再来一次") is False
    entry.refresh_from_db()
    assert entry.status == S.FORWARDED and entry.result == "" and entry.total is None  # back to the county's evaluation
    assert list(StarRecord.objects.filter(village=entry.village).values_list("action", flat=True)) == ["awarded", "withdrawn"]
    before = next(i.awarded for i in services.entry_result(entry).indicators if i.code == "C1.5")
    line = services.save_line(entry, "C1.5", users["county"], points=1, reason="复核：2路探头损坏")  # points can change again
    assert line.county_points == 1 and services.entry_result(entry).total == total - before + 1
    assert AuditEvent.objects.filter(object_type="evaluation.entry", object_repr__startswith="解锁", changes__reason=[None, "群众反映C1.5有误"]).exists()


def test_an_undetermined_result_cannot_be_recognised(open_round, users):
    round = open_round()
    for entry in round.entries.select_related("village", "round__scheme"):
        services.submit(entry, users["town"])
        services.review(entry, users["taskforce"])  # the manual indicators were never scored
    services.forward_town(round, Division.objects.get(code=CHANGGANG), users["town"])
    entry = entry_of(round, VILLAGE1)
    services.evaluate(entry, users["county"])
    assert services.entry_result(entry).status == UNDETERMINED
    with pytest.raises(services.Refused, match="待定"):
        services.recognise(entry, users["county"])


def test_publication_only_when_every_village_is_recognised(open_round, users):
    round = open_round(pass_mark=40)
    run_to_county(round, users)
    start, end = datetime.date(2024, 3, 1), datetime.date(2024, 3, 7)
    with pytest.raises(services.Refused, match="未认定"):
        services.publish(round, users["county"], start, end)
    for entry in round.entries.select_related("round__scheme", "village"):
        services.evaluate(entry, users["county"])
        services.recognise(entry, users["county"])
    with pytest.raises(services.Refused):
        services.publish(round, users["county"], end, start)
    assert services.publish(round, users["county"], start, end)
    assert services.publish(round, users["county"], start, end) is False
    round.refresh_from_db()
    assert (round.status, round.publish_start, round.publish_end) == ("published", start, end)
    assert StarRecord.objects.filter(round=round, action="awarded").count() == 20


def test_a_late_incident_that_costs_points_is_counted_though_the_village_submitted_before(open_round, users):
    """Zero-incident items are recounted: the village's submitted proposal does not freeze them."""
    from safestar.incidents.models import IncidentKind
    from safestar.incidents.services import recognise

    round = open_round(pass_mark=40)
    run_to_county(round, users)
    entry = entry_of(round, VILLAGE1)
    services.evaluate(entry, users["county"])
    services.recognise(entry, users["county"])
    c17 = next(i for i in services.entry_result(entry).indicators if i.code == "C1.7")
    total = services.entry_result(entry).total
    assert c17.awarded == c17.points
    case = make_record("incidents", VILLAGE1, kind=IncidentKind.objects.get(code="criminal_case"), occurred_on=datetime.date(2023, 8, 1),
                       title="入户盗窃", severity="general")  # a general criminal case: points lost, no veto
    assert recognise(case, users["county"])
    after = services.entry_result(entry)
    assert next(i for i in after.indicators if i.code == "C1.7").awarded < c17.points and after.total < total
    assert after.status == PASSED  # pass mark 40: still passed, so the star stays
    assert [s.action for s in StarRecord.objects.filter(village=entry.village)] == ["awarded"]


def test_a_late_recognised_incident_withdraws_the_star_and_the_history_keeps_both(open_round, users, login):
    from safestar.incidents.models import IncidentKind
    from safestar.incidents.services import recognise

    round = open_round(pass_mark=40)
    run_to_county(round, users)
    entry = entry_of(round, VILLAGE1)
    services.evaluate(entry, users["county"])
    services.recognise(entry, users["county"])
    assert services.current_star(entry.village_id, 2023) is not None
    # An incident of another year takes nothing away.
    other_year = make_record("incidents", VILLAGE1, kind=IncidentKind.objects.get(code="telecom_fraud"), occurred_on=datetime.date(2024, 2, 1))
    assert recognise(other_year, users["county"])
    assert StarRecord.objects.filter(village=entry.village).count() == 1
    # A telecom fraud of 2023, recognised after the star was given: 摘星.
    fraud = make_record("incidents", VILLAGE1, kind=IncidentKind.objects.get(code="telecom_fraud"), occurred_on=datetime.date(2023, 11, 5),
                        title="村民被冒充客服诈骗")
    assert recognise(fraud, users["county"])
    history = list(StarRecord.objects.filter(village=entry.village).order_by("id"))
    assert [s.action for s in history] == ["awarded", "withdrawn"]
    assert history[1].incident == fraud and "发生电信诈骗案件" in history[1].reason
    assert services.current_star(entry.village_id, 2023) is None
    assert services.entry_result(entry).status == VETOED
    # The entry keeps the result as recognised; both records show on the village's pages.
    entry.refresh_from_db()
    assert entry.result == PASSED
    page = login("village1").get(f"/evaluation/entries/{entry.pk}/").content.decode()
    assert "授星" in page and "摘星" in page and "村民被冒充客服诈骗" in page
    stars = login("town").get("/evaluation/stars/").content.decode()
    assert stars.count("长岗村") == 2
    # The recognition was wrong and is withdrawn: the village passes again and gets its star back.
    from safestar.incidents.services import withdraw

    assert withdraw(fraud, users["county"], "经复查系外地发生，误录本村")
    history = list(StarRecord.objects.filter(village=entry.village).order_by("id"))
    assert [s.action for s in history] == ["awarded", "withdrawn", "awarded"] and "撤销对" in history[2].reason
    assert services.current_star(entry.village_id, 2023) is not None


def test_evidence_is_the_village_sides_and_only_until_submission(open_round, users, client):
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.uploadedfile import SimpleUploadedFile

    round = open_round()
    entry = entry_of(round, VILLAGE1)
    line = entry.lines.get(indicator="C1.5")
    url = f"/files/{ContentType.objects.get_for_model(Line).pk}/{line.pk}/upload/"

    def upload(who):
        client.force_login(users[who])
        return client.post(url, {"file": SimpleUploadedFile("现场.png", b"\x89PNG\r\n\x1a\n" + bytes(64))})

    assert upload("county_police").status_code == 404  # a county department scores, it does not add the village's evidence
    assert upload("village1").status_code == 302
    services.submit(entry, users["village1"])
    assert upload("village1").status_code == 404  # submitted: the evidence is what the town reviews


def test_a_return_reason_is_at_most_200_characters(open_round, users):
    round = open_round()
    entry = entry_of(round, VILLAGE1)
    services.submit(entry, users["village1"])
    with pytest.raises(services.Refused, match="不能超过 200 字"):
        services.return_to_village(entry, users["taskforce"], "理由" * 101)
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED
