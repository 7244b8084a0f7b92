"""The scoring engine, table-driven, with the arithmetic spelled out. No database."""

import datetime

import pytest

from safestar.schemes.engine import FAILED, PASSED, UNDETERMINED, VETOED, Facts, IncidentFact, evaluate, rank
from safestar.schemes.spec import Band, Category, Indicator, Rule, Spec, Veto

V = 1  # the village's id


def spec_with(rule, points=4, pass_mark=None, bands=(), vetoes=()):
    indicator = Indicator("X1", "测试指标", points, rule)
    other = Indicator("X2", "其余", 100 - points, Rule("manual"))
    return Spec("测试方案", "平安法治星", 2023, "411422100000", 100, pass_mark, bands, (Category("C", "类别", (indicator, other)),), vetoes)


def facts(metrics=None, info=None, records=None, incidents=None):
    return Facts(year=2023, metrics=metrics or {}, metric_info=info or {}, records=records or {}, incidents={} if incidents is None else incidents)


def one(spec, f, manual=None):
    manual = {(V, "X2"): (spec.total - spec.indicators()[0].points, "")} | (manual or {})
    (result,) = evaluate(spec, f, [(V, "411422100201", "长岗村")], manual)
    return result


def threshold(op, value=None, deduct=None, **kw):
    return Rule("threshold", metric="m", op=op, value=value, deduct=deduct, **kw)


# (rule, measured value, points awarded out of 4, how)
THRESHOLDS = [
    (threshold(">=", 6), 6, 4, "6 ≥ 6: full"),
    (threshold(">=", 6), 7, 4, "7 ≥ 6: full"),
    (threshold(">=", 6), 5, 0, "5 < 6, all or nothing: 0"),
    (threshold(">=", 6, deduct=1), 3, 1, "3 short by 3, 4 - 3×1 = 1"),
    (threshold(">=", 6, deduct=1), 0, 0, "short by 6, 4 - 6 = -2, floor 0"),
    (threshold(">=", 90, deduct=0.1), 85.5, 3.5, "short by 4.5 → 5 units, 4 - 0.5 = 3.5"),
    (threshold("<=", 0, deduct=1), 2, 2, "2 over 0, 4 - 2×1 = 2"),
    (threshold("<=", 0), 0, 4, "0 ≤ 0: full"),
    (threshold("==", 1), 1, 4, "equal: full"),
    (threshold("==", 1), 2, 0, "not equal: 0"),
    (Rule("threshold", metric="m", op="between", min=10, max=20), 15, 4, "within 10–20: full"),
    (Rule("threshold", metric="m", op="between", min=10, max=20), 21, 0, "above 20: 0"),
]


@pytest.mark.parametrize("rule, value, awarded, how", THRESHOLDS, ids=[t[3] for t in THRESHOLDS])
def test_threshold_arithmetic(rule, value, awarded, how):
    result = one(spec_with(rule), facts({"m": {V: value}}, {"m": ("监控路数", "路", True)}))
    indicator = result.indicators[0]
    assert indicator.awarded == awarded, how
    assert (indicator.reason == "") == (awarded == 4)
    assert result.total == 96 + awarded


def test_a_lost_point_says_what_was_measured_and_what_it_cost():
    result = one(spec_with(threshold(">=", 6, deduct=1)), facts({"m": {V: 4}}, {"m": ("在用监控探头路数", "路", True)}))
    assert result.indicators[0].reason == "在用监控探头路数为4路，要求不少于 6路，差2路，每差1扣1分，扣2分"


@pytest.mark.parametrize(
    "absent_as_zero, if_missing, awarded",
    [(True, "undetermined", 0), (False, "undetermined", None), (False, "zero", 0), (False, "full", 4)],
)
def test_a_village_without_a_value(absent_as_zero, if_missing, awarded):
    rule = threshold(">=", 6, if_missing=if_missing)
    result = one(spec_with(rule, pass_mark=60), facts({"m": {}}, {"m": ("化解率", "%", absent_as_zero)}))
    assert result.indicators[0].awarded == awarded
    assert (result.status == UNDETERMINED) == (awarded is None)


def test_a_metric_that_could_not_be_computed_makes_the_village_undetermined_never_passed():
    result = one(spec_with(threshold(">=", 6), pass_mark=0), facts())
    assert result.status == UNDETERMINED
    assert "未能计算" in result.undetermined[0]


# (rule, (count, last date), awarded out of 4)
RECORDS = [
    (Rule("records", ledger="patrols", min=24), (24, None), 4),
    (Rule("records", ledger="patrols", min=24), (23, None), 0),
    (Rule("records", ledger="patrols", min=24, deduct=0.25), (20, None), 3),  # 4 short × 0.25 = 1
    (Rule("records", ledger="patrols", min=24, deduct=0.25), (0, None), 0),  # 24 × 0.25 = 6 > 4, floor 0
    (Rule("records", ledger="patrols", within_days=90), (3, datetime.date(2023, 10, 3)), 4),  # 10-03 is day 90 back
    (Rule("records", ledger="patrols", within_days=90), (3, datetime.date(2023, 10, 2)), 0),
    (Rule("records", ledger="patrols", within_days=90), (0, None), 0),
]


@pytest.mark.parametrize("rule, stats, awarded", RECORDS)
def test_record_rules(rule, stats, awarded):
    result = one(spec_with(rule), facts(records={("patrols", None): {V: stats} if stats[0] else {}}))
    assert result.indicators[0].awarded == awarded


def fraud(severity="general", kind="telecom_fraud"):
    return IncidentFact(7, kind, "电信诈骗", severity, "村民被骗", datetime.date(2023, 5, 1))


@pytest.mark.parametrize(
    "severities, incident_severity, awarded",
    [((), "general", 0), (("major",), "general", 4), (("major",), "major", 0)],
)
def test_zero_incidents(severities, incident_severity, awarded):
    rule = Rule("zero_incidents", kinds=("telecom_fraud",), severities=severities)
    result = one(spec_with(rule), facts(incidents={V: [fraud(incident_severity)]}))
    assert result.indicators[0].awarded == awarded
    if awarded == 0:
        assert result.indicators[0].reason == "发生经认定的案事件1件：2023-05-01 电信诈骗：村民被骗"


@pytest.mark.parametrize(
    "given, awarded, status",
    [(None, None, UNDETERMINED), ((3, "记录不全"), 3, PASSED), ((5, ""), None, UNDETERMINED), ((-1, ""), None, UNDETERMINED)],
)
def test_manual_scores(given, awarded, status):
    spec = spec_with(Rule("manual"), pass_mark=90)
    manual = {(V, "X1"): given} if given else {}
    result = one(spec, facts(), manual)
    assert result.indicators[0].awarded == awarded
    assert result.status == status


@pytest.mark.parametrize(
    "reason, shown",
    [
        ("记录不全", "评查意见：记录不全"),
        # The evaluation round hands back the proposal as submitted and the adjustments, already labelled.
        ("评查意见：记录不全", "评查意见：记录不全"),
        ("县级评查：现场核查缺2项", "县级评查：现场核查缺2项"),
        ("乡镇初审：台账不全", "乡镇初审：台账不全"),
    ],
)
def test_a_manual_reason_is_labelled_once(reason, shown):
    result = one(spec_with(Rule("manual"), pass_mark=90), facts(), {(V, "X1"): (3, reason)})
    assert result.indicators[0].reason == shown


def test_a_severity_only_veto_catches_every_kind_of_that_severity():
    spec = spec_with(threshold(">=", 0), pass_mark=0, vetoes=(Veto("V7", "重大案事件", (), ("major",)),))
    for kind in ("telecom_fraud", "key_person_incident", "a_kind_added_later"):
        result = one(spec, facts({"m": {V: 1}}, incidents={V: [fraud("major", kind)]}))
        assert result.status == VETOED and result.vetoes[0].code == "V7", kind
    assert one(spec, facts({"m": {V: 1}}, incidents={V: [fraud("serious")]})).status == PASSED


def test_a_veto_wins_over_everything_and_names_the_incident():
    spec = spec_with(Rule("manual"), pass_mark=0, vetoes=(Veto("V1", "发生电信诈骗案件", ("telecom_fraud",)),))
    result = one(spec, facts(incidents={V: [fraud()]}))  # X1 not scored: it would be 待定
    assert result.status == VETOED
    assert result.vetoes[0].incidents[0].title == "村民被骗"


def test_a_veto_limited_to_major_ignores_a_general_incident():
    spec = spec_with(threshold(">=", 0), pass_mark=90, vetoes=(Veto("V1", "重大", ("telecom_fraud",), ("major",)),))
    result = one(spec, facts({"m": {V: 1}}, incidents={V: [fraud("general")]}))
    assert result.status == PASSED and not result.vetoes


def test_without_incident_data_the_veto_cannot_be_checked_so_the_village_is_undetermined():
    spec = spec_with(threshold(">=", 0), pass_mark=0, vetoes=(Veto("V1", "诈骗", ("telecom_fraud",)),))
    f = facts({"m": {V: 1}})
    f.incidents = None
    result = one(spec, f)
    assert result.status == UNDETERMINED and "无法核查否决事项" in result.undetermined[0]


@pytest.mark.parametrize(
    "value, pass_mark, bands, status, band",
    [
        (6, 100, (), PASSED, ""),  # 96 + 4 = 100 ≥ 100
        (5, 100, (), FAILED, ""),  # 96 + 0 = 96 < 100
        (6, None, (Band("五星", 99), Band("四星", 90)), PASSED, "五星"),  # 100 ≥ 99
        (5, None, (Band("五星", 99), Band("四星", 90)), PASSED, "四星"),  # 96: 90 ≤ 96 < 99
        (5, None, (Band("五星", 99),), FAILED, ""),  # 96 < 99: no band
        (5, 95, (Band("五星", 99), Band("四星", 90)), PASSED, "四星"),  # pass mark decides, band describes
    ],
)
def test_pass_mark_and_star_bands(value, pass_mark, bands, status, band):
    result = one(spec_with(threshold(">=", 6), pass_mark=pass_mark, bands=bands), facts({"m": {V: value}}))
    assert (result.status, result.band) == (status, band)


def test_ranking_shares_places_for_equal_totals_and_leaves_out_vetoed_and_undetermined():
    spec = spec_with(threshold(">=", 6, deduct=1), pass_mark=0, vetoes=(Veto("V1", "诈骗", ("telecom_fraud",)),))
    villages = [(1, "201", "甲"), (2, "202", "乙"), (3, "203", "丙"), (4, "204", "丁"), (5, "205", "戊")]
    f = facts({"m": {1: 6, 2: 4, 3: 6, 4: 6, 5: 6}}, incidents={4: [fraud()]})
    manual = {(i, "X2"): (96, "") for i in (1, 2, 3, 4)}  # 戊 has no manual score: 待定
    ranked = rank(evaluate(spec, f, villages, manual))
    assert [(r.name, r.rank, r.status) for r in ranked] == [
        ("甲", 1, PASSED), ("丙", 1, PASSED), ("乙", 3, PASSED), ("丁", None, VETOED), ("戊", None, UNDETERMINED),
    ]


@pytest.mark.parametrize("given, awarded, reason", [
    ((2, "镇初审：2路探头损坏"), 2, "镇初审：2路探头损坏"),  # lower than computed: the person's points and reason
    ((4, ""), 4, ""),  # the full points over a computed 0
    ((5, "超出"), None, "给定得分 5 超出 0–4 的范围"),  # out of range: undetermined, never passed
])
def test_points_given_for_a_computed_indicator_replace_the_computed_award_and_keep_the_measurement(given, awarded, reason):
    spec = spec_with(threshold(">=", 6), pass_mark=99)
    f = facts({"m": {V: 3 if awarded == 4 else 7}}, {"m": ("监控路数", "路", True)})
    result = one(spec, f, {(V, "X1"): given})
    indicator = result.indicators[0]
    assert indicator.awarded == awarded
    assert indicator.reason == reason
    assert indicator.measured in ("3路", "7路")
    assert result.status == (UNDETERMINED if awarded is None else PASSED if 96 + awarded >= 99 else FAILED)
    assert result.total == 96 + (awarded or 0)
    # Another village with no given points is still computed.
    other, mine = evaluate(spec, f, [(2, "411422100202", "杨庄村"), (V, "411422100201", "长岗村")],
                           {(2, "X2"): (96, ""), (V, "X2"): (96, ""), (V, "X1"): given})
    assert other.indicators[0].awarded == 0 and mine.indicators[0].awarded == awarded
