"""Early warning: the signs are data checked like a scheme, and each sign finds what it says, on
frozen dates, naming its source records; a user who cannot read a sign's data is not shown it."""

import datetime

import pytest

from conftest import CHANGGANG, VILLAGE1, VILLAGE2, load_scheme, make_record
from safestar.dashboards import board, signs
from safestar.incidents.models import IncidentKind
from safestar.keypersons.tests.factories import key_person, visit
from safestar.org.models import Division, User
from safestar.schemes.validate import SchemeError

pytestmark = pytest.mark.django_db

DAY = datetime.date(2023, 7, 1)


def test_the_shipped_signs_are_valid_and_cover_every_kind():
    declared = signs.declared()
    assert {s.kind for s in declared} == set(signs.KINDS)
    assert all(s.level in signs.LEVELS and s.title for s in declared)
    repeated = next(s for s in declared if s.kind == "repeated_disputes")
    assert repeated.params == {"min": 2, "days": 365}


@pytest.mark.parametrize("text, message", [
    ("signs:\n  - {code: W1, kind: nosuch, title: x, level: 高}\n", "signs.0.kind：未知的信号种类“nosuch”"),
    ("signs:\n  - {code: W1, kind: disputes_overdue, title: x, level: 紧急}\n", "signs.0.level：等级应为高、中、低之一"),
    ("signs:\n  - {code: W1, kind: disputes_overdue, title: x, level: 高, min: 0}\n", "signs.0.min：至少几件应在 1 到 1000 之间，实际为 0"),
    ("signs:\n  - {code: W1, kind: disputes_overdue, title: x, level: 高, days: 30}\n", "种类“disputes_overdue”没有参数“days”"),
    ("signs:\n  - {code: W1, kind: disputes_overdue, title: x, level: 高, min: 两件}\n", "signs.0.min：应为整数，实际为“两件”"),
    ("signs:\n  - {code: W1, kind: hazards_overdue, title: x, level: 高}\n  - {code: W1, kind: petition_backlog, title: y, level: 低}\n",
     "w.yaml:3: signs.1.code：编号“W1”重复"),
    ("signs:\n  - {kind: hazards_overdue, level: 高}\n", "signs.0：缺少必填项“code”"),
    ("signs: []\n", "至少要有一条信号"),
    ("signs: [\n", "YAML 格式错误"),
])
def test_a_bad_signs_file_is_refused_naming_the_line_and_the_problem(text, message):
    with pytest.raises(SchemeError) as caught:
        signs.parse(text, "w.yaml")
    assert any(message in e for e in caught.value.errors), caught.value.errors


@pytest.fixture
def town(world, freeze_today):
    freeze_today(DAY)
    load_scheme()
    return User.objects.get(username="town")


def _found(user, code=None, year=2023):
    villages = board.villages_below(user, Division.objects.get(code=CHANGGANG))
    evaluated = board.evaluated(user, villages, year)
    found = signs.warnings(user, villages, year, evaluated)
    for village in villages:  # each village's page reads its own, through kept statements (core/compiled.py): the same
        own = {village.pk: evaluated[village.pk]} if village.pk in evaluated else {}
        assert signs.warnings(user, village, year, own).get(village.pk, []) == found.get(village.pk, [])
    by_code = {Division.objects.get(pk=v).code: w for v, w in found.items()}
    return by_code if code is None else {w.sign.code: w for w in by_code.get(code, [])}


def _kind(code):
    return IncidentKind.objects.get(code=code)


def test_an_unrecognised_incident_of_a_veto_kind_warns_before_it_is_recognised(town):
    fraud = make_record("incidents", VILLAGE1, kind=_kind("telecom_fraud"), occurred_on=datetime.date(2023, 6, 20), title="冒充客服诈骗")
    make_record("incidents", VILLAGE2, kind=_kind("criminal_case"), occurred_on=datetime.date(2023, 6, 20), severity="general")  # V7 needs 重大
    found = _found(town, VILLAGE1)
    assert "W01" in found and found["W01"].sign.level == "高"
    assert [s.url for s in found["W01"].sources] == [f"/ledgers/incidents/{fraud.pk}/"] and "冒充客服诈骗" in found["W01"].sources[0].label
    assert "W01" not in _found(town, VILLAGE2)
    type(fraud).objects.filter(pk=fraud.pk).update(recognised=True)
    assert "W01" not in _found(town, VILLAGE1)  # recognised: now a veto, no longer a warning


def test_disputes_past_their_deadline_warn_from_the_day_after(town, freeze_today):
    dispute = make_record("disputes", VILLAGE1, stage="mediating", closed_on=None, result="", received_on=datetime.date(2023, 6, 1),
                          deadline=DAY, parties="张三、李四")
    assert "W02" not in _found(town, VILLAGE1)  # on the deadline itself: not yet overdue
    freeze_today(DAY + datetime.timedelta(days=1))
    found = _found(town, VILLAGE1)["W02"]
    assert found.sources[0].url == f"/ledgers/disputes/{dispute.pk}/" and "张*、李*" in found.sources[0].label
    assert "张三" not in found.sources[0].label  # names masked


def test_repeated_disputes_between_the_same_parties_warn_within_the_window(town):
    for received in (datetime.date(2022, 5, 1), datetime.date(2023, 3, 1)):
        make_record("disputes", VILLAGE1, received_on=received, deadline=received + datetime.timedelta(days=30),
                    closed_on=received + datetime.timedelta(days=10), parties="王五、赵六")
    make_record("disputes", VILLAGE1, received_on=datetime.date(2023, 5, 1), deadline=datetime.date(2023, 6, 1),
                closed_on=datetime.date(2023, 5, 10), parties="王五，孙七")
    found = _found(town, VILLAGE1)["W03"]
    # within 365 days before 1 July 2023: 王五 twice (1 March, 1 May); 赵六 once (the 2022 dispute is outside)
    assert len(found.sources) == 2 and all("王*" in s.label for s in found.sources)


def test_key_persons_overdue_for_a_visit_or_unstable_warn(town):
    late = key_person(VILLAGE1, registered=datetime.date(2023, 1, 5))
    visit(late, datetime.date(2023, 5, 1))  # drugs: every 30 days → due 31 May, overdue on 1 July
    fine = key_person(VILLAGE1)
    visit(fine, datetime.date(2023, 6, 20))
    lost = key_person(VILLAGE2, status="lost")
    visit(lost, datetime.date(2023, 6, 25))
    risky = key_person(VILLAGE2, categories=("mental",), risk_grade=4, guardian_name="王芳", guardian_relation="母亲", treatment="home")
    visit(risky, datetime.date(2023, 6, 25))
    found = _found(town)
    assert [s.url for s in {w.sign.code: w for w in found[VILLAGE1]}["W04"].sources] == [f"/key-persons/{late.pk}/"]
    unstable = {w.sign.code: w for w in found[VILLAGE2]}["W05"]
    assert sorted(s.url for s in unstable.sources) == sorted([f"/key-persons/{lost.pk}/", f"/key-persons/{risky.pk}/"])
    assert "W04" not in {w.sign.code for w in found.get(VILLAGE2, [])}
    # the taskforce may not read key persons: neither sign is shown to it
    taskforce = _found(User.objects.get(username="taskforce"))
    assert not {"W04", "W05"} & {w.sign.code for ws in taskforce.values() for w in ws}


def test_hazards_open_past_their_deadline_warn(town):
    hazard = make_record("hazards", VILLAGE1, status="pending", rectified_on=None, found_on=datetime.date(2023, 5, 1), deadline=datetime.date(2023, 6, 1))
    make_record("hazards", VILLAGE2, status="pending", rectified_on=None, found_on=datetime.date(2023, 5, 1), deadline=datetime.date(2023, 8, 1))
    found = _found(town)
    assert [s.url for s in {w.sign.code: w for w in found[VILLAGE1]}["W06"].sources] == [f"/ledgers/hazards/{hazard.pk}/"]
    assert "W06" not in {w.sign.code for w in found.get(VILLAGE2, [])}


def test_an_unsettled_petition_backlog_warns(town):
    backlog = make_record("petitions", VILLAGE1, is_backlog=True, status="handling", received_on=datetime.date(2023, 2, 1))
    make_record("petitions", VILLAGE2, is_backlog=True, status="settled", received_on=datetime.date(2023, 2, 1), settled_on=datetime.date(2023, 3, 1))
    found = _found(town)
    assert [s.url for s in {w.sign.code: w for w in found[VILLAGE1]}["W07"].sources] == [f"/ledgers/petitions/{backlog.pk}/"]
    assert "W07" not in {w.sign.code for w in found.get(VILLAGE2, [])}


def test_indicators_lost_to_a_recognised_incident_cannot_be_met_this_year(town):
    make_record("incidents", VILLAGE1, kind=_kind("criminal_case"), occurred_on=datetime.date(2023, 3, 2), recognised=True)
    found = _found(town, VILLAGE1)["W08"]
    assert found.sign.level == "低" and found.sources[0].url.endswith(f"/villages/{VILLAGE1}/")
    assert "零案件" in found.sources[0].label


def test_thresholds_are_read_from_the_data(town):
    for deadline in (datetime.date(2023, 6, 1), datetime.date(2023, 6, 2)):
        make_record("hazards", VILLAGE1, status="pending", rectified_on=None, found_on=datetime.date(2023, 5, 1), deadline=deadline)
    strict = signs.parse("signs:\n  - {code: H, kind: hazards_overdue, title: 隐患, level: 中, min: 3}\n")
    villages = board.villages_below(town, Division.objects.get(code=CHANGGANG))
    assert signs.warnings(town, villages, 2023, {}, signs=strict) == {}
    lenient = signs.parse("signs:\n  - {code: H, kind: hazards_overdue, title: 隐患, level: 中, min: 2}\n")
    assert len(signs.warnings(town, villages, 2023, {}, signs=lenient)) == 1


def test_the_warning_page_lists_each_village_with_its_explained_signs(login, town):
    make_record("hazards", VILLAGE1, status="pending", rectified_on=None, found_on=datetime.date(2023, 5, 1), deadline=datetime.date(2023, 6, 1))
    page = login("town").get("/dashboard/warnings/?year=2023").content.decode()
    assert 'id="v411422100201"' in page and "安全隐患超过整改期限仍未整改" in page and "阈值：1 处" in page
    assert login("town2").get(f"/dashboard/warnings/?division={CHANGGANG}").status_code == 404


def test_the_village_page_shows_its_signs_to_those_who_run_the_campaign(login, town):
    make_record("hazards", VILLAGE1, status="pending", rectified_on=None, found_on=datetime.date(2023, 5, 1), deadline=datetime.date(2023, 6, 1))
    page = login("town").get(f"/divisions/{VILLAGE1}/", {"year": "2023"}).content.decode()
    assert "预测预警（2023年）" in page and 'data-sign="W06"' in page
    assert "预测预警" not in login("village1").get(f"/divisions/{VILLAGE1}/").content.decode()  # no dashboards.view
    assert "目前没有预警信号" in login("town").get(f"/divisions/{VILLAGE2}/", {"year": "2023"}).content.decode()


def test_indicators_lost_is_found_with_stored_results_too(town):
    """The second look reads the stored results (schemes/cache.py), which have no scorers: the sign
    reads the indicators, stored or computed, and finds the same."""
    make_record("incidents", VILLAGE1, kind=_kind("criminal_case"), occurred_on=datetime.date(2023, 3, 2), recognised=True)
    first = _found(town, VILLAGE1)["W08"]
    second = _found(town, VILLAGE1)["W08"]
    assert [(s.label, s.url) for s in first.sources] == [(s.label, s.url) for s in second.sources]
    assert first.explanation == second.explanation
