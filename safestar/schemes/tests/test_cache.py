"""Evaluation results reused (cache.py): a stored result is exactly the engine's; every write to what
the facts read makes it stale, whatever path the write takes; the date expires it."""

import datetime
import random
import re

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from conftest import CHANGGANG, PINGGANG, VILLAGE1, VILLAGE2, load_scheme, make_record
from safestar.core.ledger import LEDGERS
from safestar.core.ledger_ops import restore, soft_delete
from safestar.incidents.models import Incident, IncidentKind
from safestar.org.models import Division, User
from safestar.schemes import cache
from safestar.schemes.facts import gather
from safestar.schemes.models import CachedResult
from safestar.schemes.services import as_json, results, save_manual_score, villages_under

TABLE = re.compile(r'\b(?:FROM|JOIN)\s+"?([A-Za-z0-9_]+)', re.I)


def fresh(scheme, villages):
    """Computed afresh: an explicit (empty) manual is never reused nor stored."""
    return [as_json(r) for r in results(scheme, villages, manual={})]


def served(scheme, villages):
    return [as_json(r) for r in results(scheme, villages)]


def test_a_stored_result_is_exactly_the_engines_and_is_reused(world):
    scheme = load_scheme()
    villages = villages_under(Division.objects.get(code=CHANGGANG))
    make_record("incidents", VILLAGE1, kind=IncidentKind.objects.get(code="telecom_fraud"), occurred_on=datetime.date(2023, 4, 1),
                title="已认定的诈骗", recognised=True)
    make_record("incidents", VILLAGE2, kind=IncidentKind.objects.get(code="telecom_fraud"), occurred_on=datetime.date(2023, 5, 1),
                title="未认定的诈骗", recognised=False)
    expected = fresh(scheme, villages)
    assert any(r["vetoes"] for r in expected) and any(r["pending"] for r in expected)  # the payload's every part is exercised
    assert served(scheme, villages) == expected  # computed, stored
    assert CachedResult.objects.filter(scheme=scheme).count() == villages.count()
    with CaptureQueriesContext(connection) as warm:
        assert served(scheme, villages) == expected  # read back
    # The village list, the stored results (read with the generation): nothing of the facts.
    assert len(warm) == 2, [q["sql"] for q in warm]
    # A ranking of many villages shows none of their indicators: a stored result's indicator rows are
    # parsed only when read (a county's 400 villages × 48 indicators otherwise cost most of its page).
    read_back = results(scheme, villages)
    assert not any("indicators" in vars(r) for r in read_back)
    assert [as_json(r) for r in read_back] == expected


def _tables(context):
    return {t.lower() for q in context for t in TABLE.findall(q["sql"])}


def _tables_read(scheme, villages):
    with CaptureQueriesContext(connection) as context:
        gather(scheme.spec, scheme.year, villages)
        results(scheme, villages, manual={})
    return _tables(context)


def generations():
    """The generation of all and each village's."""
    from safestar.schemes.models import VillageGeneration

    return cache.generation(), dict(VillageGeneration.objects.values_list("village", "n"))


def facts_token():
    from safestar.schemes.models import ResultGeneration

    return ResultGeneration.objects.get(pk=1).facts


@pytest.mark.parametrize("path", ["schemes/changgang-2023-pingan.yaml", "schemes/suixian-2023-pingan-village.yaml"])
def test_every_table_the_facts_read_is_watched_and_any_write_to_it_makes_results_stale(world, path):
    """Every table facts.plan() and results() read: none is exempt from invalidation, and a bare
    QuerySet.update() on it (no signal, no audit) moves the generation of all or of the row's villages on."""
    scheme = load_scheme(path=path)
    villages = villages_under(Division.objects.get(code=CHANGGANG))
    tables = _tables_read(scheme, villages)
    assert "incidents_incident" in tables and "schemes_manualscore" in tables
    assert not tables & cache.UNWATCHED
    with CaptureQueriesContext(connection) as context:
        gather(scheme.spec, scheme.year, villages)
        gather(scheme.spec, scheme.year, list(villages.values_list("pk", flat=True)), together=True)
    assert not [t for t in _tables(context) if cache.facts_unread(t)]  # a write to those leaves the gathered facts valid
    from django.apps import apps

    models = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    for table in sorted(tables):
        model = models[table]
        row = model.objects.order_by("pk").first()
        if row is None:
            continue
        before, token = generations(), facts_token()
        model._base_manager.filter(pk=row.pk).update(**{model._meta.pk.attname: row.pk})
        assert generations() != before, table  # the generation of all, or of the row's villages, moved on
        assert facts_token() != token, table


def test_writes_by_every_path_make_the_served_result_the_fresh_one(world, freeze_today):
    """A seeded random walk of writes (ledger records created, edited, soft-deleted and restored,
    incidents recognised and withdrawn by a bare update, manual scores, bulk creation, deletion):
    after each, the served result equals a fresh computation."""
    freeze_today(datetime.date(2023, 12, 20))
    scheme = load_scheme()
    villages = villages_under(Division.objects.get(code=CHANGGANG))
    both = list(Division.objects.filter(code__in=[VILLAGE1, VILLAGE2]))
    user = User.objects.get(username="county")
    kinds = list(IncidentKind.objects.all())
    manual = [i for i in scheme.spec.indicators() if i.rule.type == "manual"]
    rng = random.Random(19)
    slugs = sorted(LEDGERS)
    made = []

    def create():
        slug = rng.choice(slugs)
        extra = {}
        if slug == "incidents":
            extra = {"kind": rng.choice(kinds), "recognised": rng.random() < 0.5, "occurred_on": datetime.date(2023, rng.randint(1, 12), 1),
                     "severity": rng.choice(["general", "major"])}
        made.append((slug, make_record(slug, rng.choice([VILLAGE1, VILLAGE2]), **extra)))

    def delete_soft():
        if made:
            slug, obj = rng.choice(made)
            if obj.deleted_at is None:
                soft_delete(LEDGERS[slug].model, obj, user, "录入错误")
            else:
                restore(LEDGERS[slug].model, obj, user)
            obj.refresh_from_db()

    def recognise():
        incident = Incident.objects.order_by("?").first()
        if incident:
            Incident.objects.filter(pk=incident.pk).update(recognised=not incident.recognised)

    def score():
        if manual:
            indicator = rng.choice(manual)
            save_manual_score(scheme, rng.choice(both), indicator.code, rng.choice([0, indicator.points / 2, indicator.points]), "抽查扣分", user)

    def bulk():
        slug = rng.choice(slugs)
        ledger = LEDGERS[slug]
        template = make_record(slug, VILLAGE1)
        template.pk = None
        template.division = rng.choice(both)
        ledger.model.objects.bulk_create([template])

    def hard_delete():
        if made:
            slug, obj = made.pop(rng.randrange(len(made)))
            LEDGERS[slug].model.all_objects.filter(pk=obj.pk).delete() if hasattr(LEDGERS[slug].model, "all_objects") else obj.delete()

    steps = [create, create, create, delete_soft, recognise, score, bulk, hard_delete]
    served(scheme, villages)
    for n in range(24):
        step = rng.choice(steps)
        step()
        assert served(scheme, villages) == fresh(scheme, villages), (n, step.__name__)


def test_results_expire_with_the_day(world, freeze_today):
    scheme = load_scheme()
    villages = villages_under(Division.objects.get(code=PINGGANG))
    freeze_today(datetime.date(2023, 6, 30))
    served(scheme, villages)
    assert set(CachedResult.objects.values_list("day", flat=True)) == {datetime.date(2023, 6, 30)}
    freeze_today(datetime.date(2023, 7, 1))
    assert served(scheme, villages) == fresh(scheme, villages)
    assert set(CachedResult.objects.values_list("day", flat=True)) == {datetime.date(2023, 7, 1)}


def test_a_login_does_not_make_results_stale(login):
    before = cache.generation()
    page = login("county").get("/")
    assert page.status_code == 200
    assert cache.generation() == before


def _warm_count(client, url, capture):
    client.get(url)  # computes and stores
    with capture() as context:
        assert client.get(url).status_code == 200
    return len(context)


@pytest.mark.usefixtures("drawn_pages")
def test_the_scorecard_costs_a_fixed_small_number_of_queries_when_warm(login, django_assert_num_queries):
    """Warm: the stored result is read, not the facts. The same number of queries with few and with
    many records in the village (records do not reach the page one by one)."""
    scheme = load_scheme()
    client = login("county")
    card = f"/schemes/{scheme.pk}/villages/{VILLAGE1}/"

    def capture():
        return CaptureQueriesContext(connection)

    counts = [_warm_count(client, card, capture)]
    fraud = IncidentKind.objects.get(code="telecom_fraud")
    for n in range(30):
        make_record("incidents", VILLAGE1, kind=fraud, occurred_on=datetime.date(2023, 1 + n % 12, 1), title=f"诈骗{n}", recognised=n % 2 == 0)
        make_record(sorted(LEDGERS)[n % len(LEDGERS)], VILLAGE1)
    counts.append(_warm_count(client, card, capture))
    assert counts[0] == counts[1] <= 20, counts
    # Session, user, scheme, village, is_latest, then results(): village list, stored results (with the generation); the template's own.
    with django_assert_num_queries(counts[0]):
        client.get(card)


def test_a_rounds_own_rows_make_results_stale_but_keep_the_facts_token(world):
    """A write to an evaluation round's entries, lines or events, its stars, or any table of the
    creation, the work reports or the dashboards moves the generation on (a round's results show its
    points), of all or of the villages it belongs to, but keeps the facts token: the facts gathered
    before it are kept. No metric comes from those apps (the facts read only what metrics, incidents
    and schemes read), so no fact can be read from their tables."""
    from django.apps import apps

    from safestar.core.metrics import METRICS
    from safestar.core.models import Event

    above = [app.label for app in apps.get_app_configs() if f"{app.label}_".startswith(cache.ABOVE_SCHEMES)]
    assert sorted(above) == ["creation", "dashboards", "evaluation", "reports"]
    assert not [m.name for m in METRICS.values() if m.compute.__module__.split(".")[1] in above]
    models = [Event] + [m for label in above for m in apps.get_app_config(label).get_models()]
    assert {"evaluation_entry", "evaluation_line", "evaluation_starrecord", "creation_application"} <= {m._meta.db_table for m in models}
    for model in models:
        assert cache.facts_unread(model._meta.db_table), model
        before, token = cache.generation(), facts_token()
        table, pk = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            cursor.execute(f'UPDATE "{table}" SET "{pk}" = "{pk}"')  # every row: where they belong is not read
        assert cache.generation() > before and facts_token() == token, model
    assert not cache.facts_unread("disputes_dispute") and not cache.facts_unread("incidents_incident")
    village = Division.objects.get(code=VILLAGE1)
    before, token = generations(), facts_token()
    Event.objects.create(object_type="evaluation.entry", object_id=1, division=village, action="submit", actor=User.objects.get(username="village1"))
    (n, villages) = generations()
    assert n == before[0] and villages[village.pk] == before[1].get(village.pk, 0) + 1 and facts_token() == token


def test_a_write_in_one_village_leaves_the_other_villages_results_stored(world):
    """Only the villages a write belongs to are computed again: a record added, edited, moved to
    another village; a town's nil return (it speaks for all its villages), or a statement whose rows
    cannot be told, makes every result stale."""
    from safestar.core.models import StateChange
    from safestar.disputes.models import Dispute
    from safestar.keypersons.models import IncidentLink, Visit
    from safestar.keypersons.tests.factories import key_person, visit

    scheme = load_scheme()
    town = Division.objects.get(code=CHANGGANG)
    villages = villages_under(town)
    rows = list(villages.values_list("id", "code", "name"))
    v1, v2 = (Division.objects.get(code=c).pk for c in (VILLAGE1, VILLAGE2))
    person = key_person(VILLAGE1)
    incident = make_record("incidents", VILLAGE2, kind=IncidentKind.objects.get(code="telecom_fraud"), occurred_on=datetime.date(2023, 4, 1))
    dispute = make_record("disputes", VILLAGE1)

    def stale_after(write):
        served(scheme, villages)
        n = cache.generation()
        write()
        _, found = cache.reused(scheme, 0, rows)
        assert served(scheme, villages) == fresh(scheme, villages)
        return {pk for pk, _, _ in rows if pk not in found}, cache.generation() > n

    assert stale_after(lambda: make_record("disputes", VILLAGE1)) == ({v1}, False)  # INSERT
    clerk = User.objects.get(username="village1")
    assert stale_after(lambda: soft_delete(Dispute, dispute, clerk, "录入错误")) == ({v1}, False)  # UPDATE
    assert stale_after(lambda: Dispute._base_manager.filter(pk=dispute.pk).update(division=v2)) == ({v1, v2}, False)  # moved
    made = []
    assert stale_after(lambda: made.append(visit(person, division_id=v2))) == ({v1, v2}, False)  # the person's village and the visit's
    assert stale_after(lambda: Visit._base_manager.filter(pk=made[0].pk).update(findings="复查")) == ({v1, v2}, False)
    assert stale_after(lambda: IncidentLink.objects.create(person=person, incident=incident, linked_by=clerk)) == ({v1, v2}, False)
    state = {"record_type": "disputes.dispute", "record_id": dispute.pk, "field": "deadline", "new": "2024-01-01", "effective_on": datetime.date(2023, 6, 1)}
    assert stale_after(lambda: StateChange.objects.create(**state)) == ({v2}, False)  # where its record now is
    other = make_record("disputes", VILLAGE1)
    together = [StateChange(**state), StateChange(**state | {"record_id": other.pk})]
    assert stale_after(lambda: StateChange.objects.bulk_create(together)) == ({v1, v2}, False)
    assert stale_after(lambda: Dispute._base_manager.filter(pk=-1).delete()) == (set(), False)  # nothing written
    everything = ({pk for pk, _, _ in rows}, True)
    assert stale_after(lambda: make_record("nil-returns", CHANGGANG)) == everything  # the town's
    assert stale_after(lambda: Dispute._base_manager.update(summary="改")) == everything  # no WHERE: not read


def test_a_rolled_back_write_and_a_later_one_never_share_a_facts_token(world):
    from django.db import transaction

    before = facts_token()
    with transaction.atomic():
        make_record("disputes", VILLAGE1)
        inside = facts_token()
        transaction.set_rollback(True)
    assert facts_token() == before != inside
    make_record("disputes", VILLAGE1)
    assert facts_token() not in (before, inside)  # the counted generation would be inside's again


def test_facts_kept_in_the_process_are_used_only_while_nothing_they_come_from_changed(world, monkeypatch):
    """Scoring a village twice with only a round's rows written in between gathers its facts once; a
    ledger write in between gathers them again, and the result is a fresh computation's."""
    from safestar.schemes import facts as facts_module
    from safestar.schemes.models import ResultGeneration

    scheme = load_scheme()
    village = Division.objects.filter(code=VILLAGE1)
    calls = []
    real = facts_module.gather
    monkeypatch.setattr(facts_module, "gather", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = served(scheme, village)
    ResultGeneration.objects.filter(pk=1).update(n=F("n") + 1)  # results stale, facts token kept
    assert served(scheme, village) == first and len(calls) == 1
    make_record("disputes", VILLAGE1, received_on=datetime.date(2023, 3, 1))
    assert served(scheme, village) == fresh(scheme, village) and len(calls) == 2  # gathered again


def test_a_worker_that_waited_for_another_uses_what_that_one_stored(world, monkeypatch):
    """After a write the workers find the same village stale at once: one computes it, the others wait
    (cache.computing) and then read it stored instead of computing it again."""
    from contextlib import contextmanager

    from safestar.schemes import services

    scheme = load_scheme()
    villages = Division.objects.filter(code__in=[VILLAGE1, VILLAGE2])
    results(scheme, villages)
    make_record("incidents", VILLAGE1, title="新的一条")
    evaluated, inside = [], []
    evaluate = services.evaluate
    monkeypatch.setattr(services, "evaluate", lambda spec, facts, rows, scores: evaluated.append(rows) or evaluate(spec, facts, rows, scores))

    @contextmanager
    def another_worker_first(scheme_, variant):
        if inside:  # the other worker's own turn
            yield False
            return
        inside.append(True)
        results(scheme, villages)  # the other worker computes and stores 长岗村 while this one waits
        yield True

    monkeypatch.setattr(cache, "computing", another_worker_first)
    served = results(scheme, villages)
    assert [[code for _, code, _ in rows] for rows in evaluated] == [[VILLAGE1]]  # once, by the other worker
    monkeypatch.undo()
    assert [as_json(r) for r in served] == [as_json(r) for r in results(scheme, villages, manual={})]  # = computed afresh


def test_one_process_at_a_time_computes_a_schemes_results_outside_a_transaction(db, monkeypatch):
    """cache.computing: while another process holds the scheme's lock, a process waits and is told it
    waited; it stops waiting after cache.WAIT seconds; inside a transaction nobody waits (a waiter might
    hold a lock the store needs)."""
    import fcntl
    import threading
    import time
    from types import SimpleNamespace

    scheme, polling, told = SimpleNamespace(pk=987654), threading.Event(), []

    def sleep(seconds):  # the waiter polls: it is waiting now
        polling.set()
        time.sleep(seconds)

    monkeypatch.setattr(cache, "time", SimpleNamespace(monotonic=time.monotonic, sleep=sleep))

    def worker():
        with cache.computing(scheme, 0) as waited:
            told.append(waited)
        connection.close()

    with open(cache.lock_file(scheme, 0), "a") as other:  # another process computing
        fcntl.flock(other, fcntl.LOCK_EX)
        thread = threading.Thread(target=worker)
        thread.start()
        assert polling.wait(10) and told == []  # waiting for the other
        with cache.computing(scheme, 0) as waited:  # this test's own transaction: does not wait
            assert waited is False and connection.in_atomic_block
        fcntl.flock(other, fcntl.LOCK_UN)
        thread.join()
        assert told == [True]
        fcntl.flock(other, fcntl.LOCK_EX)  # held, and never let go while the waiter waits
        monkeypatch.setattr(cache, "WAIT", 0.05)
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(10)
        assert told == [True, True] and not thread.is_alive()  # it gave up waiting and computed
    thread = threading.Thread(target=worker)  # nobody else computing: no wait
    thread.start()
    thread.join(10)
    assert told == [True, True, False]
