"""Statements made once per process (core/compiled.py): a kept statement gives the rows the ORM gives,
for every value of its arguments; a query whose shape depends on a value, that reads the database
while it is built, or that changes its text argument is never kept and still answers right; a user's
statement is never another scope's, nor another day's."""

import datetime

import pytest
from django.db.models import Count
from django.db.models.sql.compiler import SQLCompiler

from conftest import VILLAGE1, VILLAGE2, load_scheme, make_record
from safestar.core import compiled
from safestar.core.metrics import batched, counted, per_village
from safestar.disputes.models import Dispute
from safestar.org.models import Division, User

pytestmark = pytest.mark.django_db

DAYS = (datetime.date(2023, 3, 1), datetime.date(2023, 7, 1), datetime.date(2024, 1, 1))


def _disputes(user, village, day):
    return (Dispute.objects.visible_to(user).alive().filter(division=village, received_on__lte=day)
            .select_related("division").annotate(n=Count("id")).order_by("id"))


def _shown(disputes):
    return [(d.pk, d.division.name, d.received_on, d.deadline, d.parties, d.n, str(d)) for d in disputes]


@pytest.fixture
def disputes(world):
    made = []
    for code in (VILLAGE1, VILLAGE2):
        for received in (datetime.date(2023, 2, 1), datetime.date(2023, 5, 1), datetime.date(2023, 9, 1)):
            made.append(make_record("disputes", code, received_on=received, deadline=received + datetime.timedelta(days=30),
                                    parties=f"张三、{code[-3:]}"))
    return made


def test_a_kept_statement_gives_the_orms_rows_for_every_village_and_day(disputes):
    town = User.objects.get(username="town")
    seen = 0
    for code in (VILLAGE1, VILLAGE2):
        village = Division.objects.get(code=code).pk
        for day in DAYS:
            kept = compiled.rows(_disputes, village, day, user=town)
            assert _shown(kept) == _shown(_disputes(town, village, day))
            seen += len(kept)
    assert seen == 2 * (1 + 2 + 3)
    assert compiled.stats["kept"] == 1 and compiled.stats["run"] == 6  # built once, run six times


def test_a_users_statement_is_not_another_scopes(disputes):
    village = Division.objects.get(code=VILLAGE1).pk
    own, neighbour = User.objects.get(username="village1"), User.objects.get(username="village2")
    assert len(compiled.rows(_disputes, village, DAYS[-1], user=own)) == 3
    assert compiled.rows(_disputes, village, DAYS[-1], user=neighbour) == []  # the village next door sees none of them
    assert compiled.stats["kept"] == 2


def _year_of(user, village, year):
    return Dispute.objects.filter(division=village, received_on__year=year).order_by("id")


def _named(user, text):
    return Division.objects.filter(name__contains=text).order_by("code")


def _reads(user, village):
    return Dispute.objects.filter(division=Division.objects.get(pk=village).pk).order_by("id")


@pytest.mark.parametrize("build, args, expected", [
    (_year_of, lambda v: (v, 2023), 3),  # the year becomes two computed dates
    (_named, lambda v: ("%",), 0),  # LIKE escapes the text: a kept statement would match every name
    (_named, lambda v: ("长岗",), None),
    (_reads, lambda v: (v,), 3),  # reads the database while built
])
def test_a_query_whose_shape_depends_on_a_value_is_not_kept_and_answers_as_the_orm(disputes, build, args, expected):
    village = Division.objects.get(code=VILLAGE1).pk
    for _ in range(2):
        found = compiled.rows(build, *args(village))
        assert found == list(build(None, *args(village)))
        assert expected is None or len(found) == expected
    assert compiled.stats["kept"] == 0 and compiled.stats["refused"] == 1 and compiled.stats["orm"] == 2


def test_the_day_is_part_of_the_key(disputes, freeze_today):
    def overdue(user, village):
        from safestar.clock import today

        return Dispute.objects.filter(division=village, deadline__lt=today()).order_by("id")

    village = Division.objects.get(code=VILLAGE1).pk
    freeze_today(datetime.date(2023, 4, 1))
    assert len(compiled.rows(overdue, village)) == 1
    freeze_today(datetime.date(2023, 12, 1))
    assert len(compiled.rows(overdue, village)) == 3
    assert compiled.stats["kept"] == 2


@pytest.mark.parametrize("value", [None, True, 1.5, [1], datetime.datetime(2023, 1, 1)])
def test_only_ints_texts_and_dates_are_arguments(value):
    with pytest.raises(TypeError):
        compiled.rows(_disputes, value, DAYS[0])


def _of_village(user, village):
    return Dispute.objects.alive().filter(division=village)


def test_counts_kept_and_counts_built_are_read_together_in_one_query(disputes, django_assert_num_queries):
    village = Division.objects.get(code=VILLAGE1).pk
    with batched():
        kept = counted(_of_village, village, user=None)
        built = per_village(Dispute.objects.alive().filter(division=village, received_on__gte=DAYS[0]))
        with django_assert_num_queries(1):
            assert (kept[village], built[village]) == (3, 2)
    assert counted(_of_village, village, user=None) == {village: 3}  # outside a batch: at once


def test_a_count_of_a_scope_the_user_has_none_of_is_zero_in_the_batch(disputes):
    village = Division.objects.get(code=VILLAGE1).pk
    with batched():
        none = per_village(Dispute.objects.none())
        unread = counted(_disputes, village, DAYS[-1], user=User.objects.get(username="police"))  # shares no disputes
        some = counted(_of_village, village, user=None)
        assert (dict(none), dict(unread), some[village]) == ({}, {}, 3)


def test_a_warm_village_page_builds_few_queries_through_the_orm(login, monkeypatch, drawn_pages):
    """Drawing a village page compiled some twenty queries (most of its CPU); once another village's
    page has been drawn, only those that are not kept are compiled (the session and the account are
    kept too: org/sessions.py, org/middleware.py): the changes of the profile's records (a list of their
    ids) and the profile's four rates (each metric computes its year's dates; read in the page's one
    count query)."""
    load_scheme()
    for code in (VILLAGE1, VILLAGE2):  # the profile panel's records and rates
        make_record("village-profiles", code, population=1200, established_on=datetime.date(2020, 1, 1))
    assert login("county").get(f"/divisions/{VILLAGE1}/").status_code == 200  # its results stored, by another account
    client = login("town")
    assert client.get(f"/divisions/{VILLAGE2}/").status_code == 200
    compiled, depth = [], [0]
    compile_ = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        if not depth[0]:  # a statement, not a subquery of one
            compiled.append(self.query.model._meta.label)
        depth[0] += 1
        try:
            return compile_(self, *args, **kwargs)
        finally:
            depth[0] -= 1

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    assert client.get(f"/divisions/{VILLAGE1}/").status_code == 200
    assert compiled == ["core.StateChange", "incidents.Incident", "disputes.Dispute", "disputes.Petition", "safety.Hazard"]


def _capped(user, village, n):
    return Dispute.objects.filter(division=village, id__gt=min(n, 1000)).order_by("id")


def test_a_build_that_clamps_a_value_between_the_stand_ins_is_not_kept(disputes):
    """The stand-ins lie below and above the thresholds of years and caps (a build must still not branch
    on or clamp its arguments: a threshold below both stand-ins would not be seen)."""
    village = Division.objects.get(code=VILLAGE1).pk
    for n in (0, 5):
        assert compiled.rows(_capped, village, n) == list(_capped(None, village, n))
    assert compiled.stats["kept"] == 0 and compiled.stats["refused"] == 1


def test_an_integer_outside_its_column_answers_as_the_orm(disputes):
    def in_year(user, village, year):  # Requirement.year: a small integer
        from safestar.reports.models import Requirement

        return Requirement.objects.filter(issuer=village, year=year)

    village = Division.objects.get(code=VILLAGE1).pk
    assert compiled.rows(in_year, village, 2023) == []
    assert compiled.rows(in_year, village, 1 << 40) == [] and compiled.stats["orm"] == 1  # the ORM finds none without asking
