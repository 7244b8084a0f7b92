"""Each metric on a small hand-made dataset, with the arithmetic spelled out, in exactly one query.

Villages evaluated: 长岗村 (V1), 杨庄村 (V2) and 李庄村 (V3, never given records). A record in 平岗村,
outside the evaluated villages, is added to every dataset and must never be counted. Deleted records
are never counted either.
"""

import datetime

import pytest
from django.utils import timezone

from conftest import PINGGANG_VILLAGE, VILLAGE1, VILLAGE2, make_record
from safestar.core.metrics import METRICS, compute
from safestar.disputes import metrics
from safestar.org.models import Division

D = datetime.date
VILLAGE3 = "411422100203"  # 李庄村


@pytest.fixture
def villages(world):
    return Division.objects.filter(code__in=[VILLAGE1, VILLAGE2, VILLAGE3])


@pytest.fixture
def ids(world):
    return {code: pk for code, pk in Division.objects.values_list("code", "pk")}


def deleted(slug, code, **values):
    obj = make_record(slug, code, **values)
    obj.deleted_at = timezone.now()
    obj.save()
    return obj


def one_query(django_assert_num_queries, name, year, villages):
    with django_assert_num_queries(1):
        return compute(name, year, villages)


def test_the_metrics_are_registered_with_their_units():
    units = {name: m.unit for name, m in METRICS.items() if name.startswith(("disputes.", "petitions."))}
    assert units == {
        "disputes.legal_advisors": "人",
        "disputes.mediators": "人",
        "disputes.received": "件",
        "disputes.resolution_rate": "%",
        "disputes.overdue": "件",
        "disputes.stability_meetings": "次",
        "petitions.received": "件",
        "petitions.backlog_unsettled": "件",
    }
    assert all(METRICS[name].description for name in units)
    # a village without disputes has no resolution rate ("no data"); for the counts absent is 0
    assert [name for name in units if not METRICS[name].absent_as_zero] == ["disputes.resolution_rate"]


def test_legal_advisors(villages, ids, django_assert_num_queries):
    make_record("legal-advisors", VILLAGE1, active=True, appointed_on=D(2023, 1, 10))  # counted
    make_record("legal-advisors", VILLAGE1, active=False, appointed_on=D(2021, 3, 1))  # term ended: no
    make_record("legal-advisors", VILLAGE1, active=True, appointed_on=D(2024, 2, 1))  # appointed after 2023: no
    deleted("legal-advisors", VILLAGE1, active=True, appointed_on=D(2022, 5, 1))  # deleted: no
    make_record("legal-advisors", VILLAGE2, active=True, appointed_on=D(2021, 3, 1))  # counted
    make_record("legal-advisors", VILLAGE2, active=True, appointed_on=D(2023, 12, 31))  # counted (on the last day)
    make_record("legal-advisors", PINGGANG_VILLAGE, active=True)  # not evaluated
    # V1: 1; V2: 1 + 1 = 2; V3: none, absent (read as 0: the seed's "≥ 1" fails there)
    assert one_query(django_assert_num_queries, "disputes.legal_advisors", 2023, villages) == {ids[VILLAGE1]: 1, ids[VILLAGE2]: 2}


def test_mediators(villages, ids, django_assert_num_queries):
    make_record("mediators", VILLAGE1, role="director", active=True, appointed_on=D(2022, 1, 1))  # counted
    make_record("mediators", VILLAGE1, role="grid", active=True, appointed_on=D(2023, 6, 1))  # counted
    make_record("mediators", VILLAGE1, role="member", active=False, appointed_on=D(2022, 1, 1))  # not in post: no
    make_record("mediators", VILLAGE1, role="mediator", active=True, appointed_on=D(2024, 1, 1))  # after 2023: no
    deleted("mediators", VILLAGE1, role="mediator", active=True, appointed_on=D(2022, 1, 1))  # deleted: no
    make_record("mediators", VILLAGE2, role="director", active=False, appointed_on=D(2022, 1, 1))  # no
    make_record("mediators", PINGGANG_VILLAGE, active=True)
    # V1: 2; V2: 0 active, absent; V3: absent
    assert one_query(django_assert_num_queries, "disputes.mediators", 2023, villages) == {ids[VILLAGE1]: 2}


def dispute(code, received, deadline=None, stage="mediating", closed=None):
    return make_record("disputes", code, received_on=received, deadline=deadline or received + datetime.timedelta(days=30),
                       stage=stage, closed_on=closed)


def test_disputes_received(villages, ids, django_assert_num_queries):
    dispute(VILLAGE1, D(2023, 1, 1))  # counted
    dispute(VILLAGE1, D(2023, 12, 31), stage="resolved", closed=D(2024, 1, 5))  # counted, whatever its stage
    dispute(VILLAGE1, D(2022, 12, 31))  # 2022: no
    deleted("disputes", VILLAGE1, received_on=D(2023, 5, 1))  # deleted: no
    dispute(VILLAGE2, D(2023, 6, 1), stage="referred", closed=D(2023, 6, 3))  # counted
    dispute(PINGGANG_VILLAGE, D(2023, 6, 1))
    # V1: 2; V2: 1; V3: absent
    assert one_query(django_assert_num_queries, "disputes.received", 2023, villages) == {ids[VILLAGE1]: 2, ids[VILLAGE2]: 1}


def test_resolution_rate(villages, ids, django_assert_num_queries):
    # V1 received 4 disputes in 2023, of which 1 resolved by the year's end: 1 / 4 × 100 = 25
    dispute(VILLAGE1, D(2023, 1, 10), stage="resolved", closed=D(2023, 2, 1))  # resolved in 2023
    dispute(VILLAGE1, D(2023, 12, 1), stage="resolved", closed=D(2024, 1, 10))  # resolved only in 2024: not yet
    dispute(VILLAGE1, D(2023, 5, 1), stage="referred", closed=D(2023, 5, 2))  # referred is not resolved
    dispute(VILLAGE1, D(2023, 7, 1), stage="mediating")
    dispute(VILLAGE1, D(2022, 7, 1), stage="resolved", closed=D(2022, 7, 5))  # received in 2022: neither
    deleted("disputes", VILLAGE1, received_on=D(2023, 3, 1), stage="resolved", closed_on=D(2023, 3, 2))  # neither
    # V2 received 3, resolved 2: 2 / 3 × 100 = 66.67 (not rounded)
    dispute(VILLAGE2, D(2023, 2, 1), stage="resolved", closed=D(2023, 2, 2))
    dispute(VILLAGE2, D(2023, 3, 1), stage="resolved", closed=D(2023, 3, 20))
    dispute(VILLAGE2, D(2023, 4, 1), stage="accepted")
    dispute(PINGGANG_VILLAGE, D(2023, 4, 1), stage="resolved", closed=D(2023, 4, 2))
    # V3 received none: absent, which means "no data", not 0 %
    rates = one_query(django_assert_num_queries, "disputes.resolution_rate", 2023, villages)
    assert rates == {ids[VILLAGE1]: 25.0, ids[VILLAGE2]: pytest.approx(200 / 3)}
    assert ids[VILLAGE3] not in rates


def test_overdue_at_the_end_of_a_past_year(villages, ids, django_assert_num_queries):
    dispute(VILLAGE1, D(2023, 10, 1), D(2023, 10, 31))  # open, deadline passed: overdue
    dispute(VILLAGE1, D(2023, 12, 1), D(2023, 12, 31))  # deadline = 31 Dec: not yet overdue
    dispute(VILLAGE1, D(2023, 11, 1), D(2023, 11, 30), stage="resolved", closed=D(2023, 12, 15))  # closed in time: no
    dispute(VILLAGE1, D(2023, 11, 1), D(2023, 11, 30), stage="resolved", closed=D(2024, 1, 10))  # still open on 31 Dec: overdue
    dispute(VILLAGE1, D(2022, 5, 1), D(2022, 6, 1), stage="screening")  # from 2022, still open: overdue
    dispute(VILLAGE1, D(2024, 1, 5), D(2024, 1, 20))  # received after 2023: no
    deleted("disputes", VILLAGE1, received_on=D(2023, 1, 1), deadline=D(2023, 1, 31), stage="mediating", closed_on=None)  # no
    dispute(VILLAGE2, D(2023, 12, 20), D(2024, 1, 19), stage="accepted")  # deadline in 2024: no
    dispute(PINGGANG_VILLAGE, D(2023, 1, 1), D(2023, 1, 31))
    # V1: 3 (10-01, the one closed in 2024, the one from 2022); V2 and V3: absent
    expected = {ids[VILLAGE1]: 3}
    assert one_query(django_assert_num_queries, "disputes.overdue", 2023, villages) == expected
    with django_assert_num_queries(1):
        assert metrics.overdue(2023, villages, today=D(2024, 3, 1)) == expected  # a later evaluation agrees


def test_overdue_during_the_current_year_is_counted_on_today(villages, ids, django_assert_num_queries):
    dispute(VILLAGE1, D(2023, 10, 1), D(2023, 10, 31))  # overdue on 15 Nov
    dispute(VILLAGE1, D(2023, 11, 1), D(2023, 11, 30))  # deadline still ahead on 15 Nov: no
    dispute(VILLAGE1, D(2022, 5, 1), D(2022, 6, 1))  # overdue
    dispute(VILLAGE1, D(2023, 10, 1), D(2023, 10, 20), stage="resolved", closed=D(2023, 11, 20))  # open on 15 Nov: overdue
    dispute(VILLAGE2, D(2023, 11, 20), D(2023, 11, 21))  # received after 15 Nov: no
    # on 15 Nov 2023 (the year still running): V1 3 (10-01, 2022, closed only on 11-20); V2 absent
    with django_assert_num_queries(1):
        assert metrics.overdue(2023, villages, today=D(2023, 11, 15)) == {ids[VILLAGE1]: 3}
    # at the year's end: V1 3 + 1 (deadline 11-30 passed) − 1 (closed on 11-20) = 3; V2 1 (deadline 11-21 passed)
    with django_assert_num_queries(1):
        assert metrics.overdue(2023, villages, today=D(2024, 1, 1)) == {ids[VILLAGE1]: 3, ids[VILLAGE2]: 1}


def test_overdue_metric_and_is_overdue_agree(villages, ids):
    records = [
        dispute(VILLAGE1, D(2023, 10, 1), D(2023, 10, 31)),
        dispute(VILLAGE1, D(2023, 12, 1), D(2023, 12, 31)),
        dispute(VILLAGE1, D(2023, 11, 1), D(2023, 11, 30), stage="referred", closed=D(2024, 1, 10)),
        dispute(VILLAGE1, D(2023, 11, 1), D(2023, 11, 30), stage="resolved", closed=D(2023, 12, 1)),
    ]
    for day in (D(2023, 11, 1), D(2023, 12, 1), D(2023, 12, 31)):
        expected = sum(r.is_overdue(today=day) for r in records)
        assert metrics.overdue(2023, villages, today=day).get(ids[VILLAGE1], 0) == expected, day


def test_stability_meetings(villages, ids, django_assert_num_queries):
    make_record("stability-meetings", VILLAGE1, held_on=D(2023, 1, 20))
    make_record("stability-meetings", VILLAGE1, held_on=D(2023, 6, 28), kind="special")
    make_record("stability-meetings", VILLAGE1, held_on=D(2022, 12, 28))  # 2022: no
    deleted("stability-meetings", VILLAGE1, held_on=D(2023, 3, 25))  # deleted: no
    make_record("stability-meetings", VILLAGE2, held_on=D(2023, 3, 25))
    make_record("stability-meetings", PINGGANG_VILLAGE, held_on=D(2023, 3, 25))
    # V1: 2; V2: 1; V3: absent
    assert one_query(django_assert_num_queries, "disputes.stability_meetings", 2023, villages) == {ids[VILLAGE1]: 2, ids[VILLAGE2]: 1}


def test_petitions_received(villages, ids, django_assert_num_queries):
    make_record("petitions", VILLAGE1, received_on=D(2023, 4, 11))
    make_record("petitions", VILLAGE1, received_on=D(2023, 12, 31), status="handling", settled_on=None)
    make_record("petitions", VILLAGE1, received_on=D(2022, 4, 11))  # 2022: no
    deleted("petitions", VILLAGE1, received_on=D(2023, 5, 1))  # deleted: no
    make_record("petitions", PINGGANG_VILLAGE, received_on=D(2023, 5, 1))
    # V1: 2; V2 and V3: absent
    assert one_query(django_assert_num_queries, "petitions.received", 2023, villages) == {ids[VILLAGE1]: 2}


def backlog(code, received, status="handling", settled=None, is_backlog=True):
    return make_record("petitions", code, received_on=received, is_backlog=is_backlog, status=status, settled_on=settled)


def test_backlog_unsettled(villages, ids, django_assert_num_queries):
    backlog(VILLAGE1, D(2021, 4, 6))  # a backlog case from 2021, still handled: counted
    backlog(VILLAGE1, D(2022, 11, 3), "settled", D(2023, 9, 26))  # settled in 2023: no
    backlog(VILLAGE1, D(2022, 11, 3), "settled", D(2024, 2, 1))  # settled only in 2024: counted
    backlog(VILLAGE1, D(2023, 3, 1), "concluded")  # concluded but the petitioner did not settle: counted
    backlog(VILLAGE1, D(2023, 3, 1), is_backlog=False)  # not a backlog case: no
    backlog(VILLAGE1, D(2024, 1, 10))  # registered after 2023: no
    deleted("petitions", VILLAGE1, received_on=D(2021, 1, 1), is_backlog=True, status="handling", settled_on=None)  # no
    backlog(VILLAGE2, D(2022, 1, 1), "settled", D(2023, 1, 2))  # settled: no
    backlog(PINGGANG_VILLAGE, D(2022, 1, 1))
    # V1: 3 (2021, settled in 2024, concluded); V2, V3: absent, i.e. 0 as the seed wants
    assert one_query(django_assert_num_queries, "petitions.backlog_unsettled", 2023, villages) == {ids[VILLAGE1]: 3}
    # at the end of 2024 the one settled in February no longer counts, the one of January 2024 does: 3 − 1 + 1
    with django_assert_num_queries(1):
        assert compute("petitions.backlog_unsettled", 2024, villages) == {ids[VILLAGE1]: 3}


def test_the_year_end_is_today_while_the_year_runs():
    assert metrics.year_end(2023, today=D(2023, 6, 30)) == D(2023, 6, 30)
    assert metrics.year_end(2023, today=D(2024, 6, 30)) == D(2023, 12, 31)
