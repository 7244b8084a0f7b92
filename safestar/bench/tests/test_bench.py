"""`safestar bench`: the generator and the timing run, at a tiny scale. It is only checked that they
complete and report, and that every ledger and every metric has data in the benchmark; speed is
measured by the benchmark itself (docs/benchmarks.md), never here."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safestar.core.ledger import LEDGERS
from safestar.core.metrics import METRICS
from safestar.org.models import Division


def _bench(*args):
    out = StringIO()
    call_command("bench", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_generate_and_evaluate_tiny():
    output = _bench("generate", "--towns", "2", "--villages-per-town", "3")
    villages = Division.objects.filter(level="village")
    assert villages.count() == 6
    assert Division.objects.filter(level="town").count() == 2586  # the whole Henan tree is loaded
    generated = json.loads(output.strip().splitlines()[-1])
    assert generated["villages"] == 6 and generated["records"] > 6 * 50
    assert generated["rows"]["security.SecurityProfile"] == 6
    first = villages.order_by("code").first()
    assert first.code.endswith("201") and first.path.endswith(f"/{first.code}/")

    output = _bench("evaluate", "--repeat", "2")
    report = json.loads(output.strip().splitlines()[-1])
    assert report["villages"] == 6 and report["repeat"] == 2 and len(report["full_runs_s"]) == 2
    assert report["bare_median_s"] > 0 and report["full_median_s"] > 0
    assert report["full_min_s"] == min(report["full_runs_s"]) and report["bare_min_s"] == min(report["bare_runs_s"])
    assert report["min_ratio"] > 0
    assert report["ratio"] > 0 and isinstance(report["target_met"], bool)
    assert report["same_sql_as_gather"] is True
    assert report["bare_queries"] > 0 and report["full_queries"] > report["bare_queries"]
    assert "完整评查 / 裸聚合" in output and "按最小值" in output

    county = first.parent.parent
    output = _bench("dashboard", "--division", county.code, "--repeat", "1")
    report = json.loads(output.strip().splitlines()[-1])
    assert report["villages"] == villages.filter(path__startswith=county.path).count() > 0
    assert report["rows"] >= 1 and report["queries"] > 0 and report["median_s"] > 0


def test_evaluate_repeats_seven_times_by_default():
    """3 repeats gave 1.46× and then 1.17× a minute apart: the default must be at least 7."""
    from safestar.bench.management.commands.bench import Command

    parser = Command().create_parser("safestar", "bench")
    assert parser.parse_args(["evaluate"]).repeat >= 7



@pytest.mark.django_db
def test_generate_refuses_existing_data():
    _bench("generate", "--towns", "1", "--villages-per-town", "1")
    with pytest.raises(CommandError, match="已有 1 个村"):
        _bench("generate", "--towns", "1", "--villages-per-town", "1")


def test_refuses_a_database_with_accounts(world):
    villages = Division.objects.filter(level="village").count()
    with pytest.raises(CommandError, match="演示账号 town"):
        _bench("generate", "--towns", "1")
    with pytest.raises(CommandError, match="不是专用的基准测试数据库"):
        _bench("evaluate", "--repeat", "1")
    assert Division.objects.filter(level="village").count() == villages


@pytest.mark.django_db
def test_every_ledger_and_every_metric_has_data_in_the_benchmark():
    """The generator applies the apps' data recipes (records() in their demo_data.py, org/demo.py):
    a ledger without one, or a metric reading only what no recipe makes, would escape the benchmark."""
    generated = json.loads(_bench("generate", "--towns", "1").strip().splitlines()[-1])
    filled = {apps.get_model(label)._meta.db_table for label, rows in generated["rows"].items() if rows}
    missing = [slug for slug, ledger in LEDGERS.items() if ledger.model._meta.db_table not in filled]
    assert not missing, f"台账没有基准数据（其应用的 demo_data.py 缺少 records()）：{missing}"
    villages = Division.objects.filter(level="village")
    unread = []
    for name, metric in METRICS.items():
        with CaptureQueriesContext(connection) as queries:
            metric.compute(2023, villages)
        sql = " ".join(query["sql"] for query in queries.captured_queries)
        if not any(f'"{table}"' in sql for table in filled):
            unread.append(name)
    assert not unread, f"指标读取的记录在基准数据中都没有：{unread}"


@pytest.mark.django_db
def test_the_benchmark_has_about_5_key_persons_a_village_visited_about_6_times_a_year():
    """Key-person metrics face a realistic registry in the benchmark: besides the named persons of the
    first two villages, every village has 3–7 (about 5), visited about every two months."""
    import datetime

    from django.db.models import Count

    from safestar.keypersons.models import KeyPerson, Visit

    _bench("generate", "--towns", "2", "--villages-per-town", "12")
    per_village = dict(KeyPerson.objects.values("division__code").annotate(n=Count("id")).values_list("division__code", "n"))
    others = [n for code, n in per_village.items() if not code.endswith(("201", "202"))]
    assert len(others) == 20 and all(3 <= n <= 7 for n in others) and 4 <= sum(others) / len(others) <= 6
    year_long = KeyPerson.objects.filter(registered_on__lt=datetime.date(2023, 1, 1)).exclude(division__code__endswith="201")
    visits = Visit.objects.filter(person__in=year_long, visited_on__year=2023).count()
    assert year_long.count() > 20 and 5 <= visits / year_long.count() <= 7.5
    assert KeyPerson.objects.values("id_number_hash").distinct().count() == KeyPerson.objects.count()


@pytest.mark.django_db(transaction=True)
def test_page_benchmark_tiny(live_server):
    """bench pages' parts on a tiny generated database: its accounts see their pages (no error page
    measured by mistake), the SQL of each is counted, and the load clients' requests succeed."""
    from urllib.parse import urlsplit

    from conftest import delete_world, restore_migration_data
    from django.db import transaction

    from safestar.bench import pages

    with transaction.atomic():  # a transactional test starts with the world committed; the benchmark wants none
        delete_world()
        restore_migration_data()  # gone if a transactional test ran before this one in the same worker
    _bench("generate", "--towns", "1", "--villages-per-town", "3")
    setup = pages.prepare((Path(settings.BASE_DIR).parent / "schemes/changgang-2023-pingan.yaml").read_text(), 2023)
    assert setup.round.entries.count() == 3  # the county's villages confirmed and in the round
    page_list = pages.pages(setup)
    clients = pages.sessions(setup)
    counted = pages.queries(clients, page_list)
    assert {label: status for label, (status, *_) in counted.items()} == {page.label: 200 for page in page_list}
    assert all(sql > 0 for label, (_, sql, _) in counted.items() if not label.startswith("参考"))
    port = urlsplit(live_server.url).port
    scorecard = next(page for page in page_list if page.key == "scorecard")  # signed in as the town
    run = pages.load(port, scorecard.path, pages.cookie_of(clients[scorecard.account]), 2, 0.2)
    assert run.errors == 0 and len(run.latencies) >= 2 and run.percentile(95) >= run.percentile(50) > 0
    # --writes: records added in the county's villages meanwhile, each its own village's (the generation of all stays)
    from safestar.disputes.models import Dispute
    from safestar.schemes import cache

    writer, before, generation = pages.Writer(setup, 50), Dispute.objects.count(), cache.generation()
    run = pages.load(port, scorecard.path, pages.cookie_of(clients[scorecard.account]), 1, 0.3, writer=writer)
    assert run.errors == 0 and writer.done >= 1 and Dispute.objects.count() == before + writer.done
    assert cache.generation() == generation
    # --pages: the named pages only, after the reference every share is reported against; a wrong name is refused
    assert [page.key for page in pages.chosen(page_list, ["scorecard", "ledger"])] == ["login", "scorecard", "ledger"]
    assert pages.chosen(page_list, []) == page_list
    with pytest.raises(pages.BenchError, match="没有这些页面：ledgers"):
        pages.chosen(page_list, ["ledgers"])
    assert pages.prepare((Path(settings.BASE_DIR).parent / "schemes/changgang-2023-pingan.yaml").read_text(), 2023).round == setup.round


def _recipe_records(town, seed):
    """Every record the recipes make for `town`, in order, each as (model, its values as the
    generator's table writes them, its related records as cached), plain from the recipes."""
    import random

    from safestar.bench import generate

    made = []
    for module in generate.recipes():
        for batch in module.records(town, random.Random(f"{seed}-{module.__name__}")):
            made += [(batch.model, record) for record in batch.records]
    return made


@pytest.mark.django_db
def test_the_fast_generator_writes_exactly_what_the_recipes_make():
    """The generator makes the recipes' records with a lighter constructor than Model.__init__ and
    reads each field by a way chosen once per model: the same seed must still give the same rows,
    field by field, as Django's own constructor and its generic save path (pre_save, then
    get_db_prep_save) give for the same records."""
    from django.db import models

    from safestar.bench import generate
    from safestar.core.crypto import EncryptedTextField, decrypt
    from safestar.org.demo import Town

    _bench("generate", "--towns", "1", "--villages-per-town", "20")
    villages = list(Division.objects.filter(level="village").order_by("code"))
    town = Town(villages=villages, year=2023, serial=7)
    plain = _recipe_records(town, "same")
    with generate._LightConstruction(generate.recipes()) as light:
        assert light.models  # the recipes' models are made light while generating …
        fast = _recipe_records(town, "same")
    assert all(model.__init__ is models.Model.__init__ for model in light.models)  # … and only then
    assert len(plain) == len(fast) > 20 * 100

    def now_dependent(f):  # 录入时间 and the like are when the record is made
        return isinstance(f, models.DateTimeField)

    tables = {}
    for (model, a), (model_b, b) in zip(plain, fast):
        assert model is model_b and type(a) is type(b)
        fields = model._meta.concrete_fields
        for f in fields:
            if now_dependent(f):
                assert (getattr(a, f.attname) is None) == (getattr(b, f.attname) is None), f
            elif f.many_to_one:
                related_a, related_b = f.get_cached_value(a, None), f.get_cached_value(b, None)
                assert type(related_a) is type(related_b) and getattr(a, f.attname) == getattr(b, f.attname), f
                if isinstance(related_a, Division):
                    assert related_a is related_b, f
            else:
                assert getattr(a, f.attname) == getattr(b, f.attname), f
        assert a._state.adding == b._state.adding and a._state.db == b._state.db

        # the generator's row for the light record == Django's generic way for the plain one
        table = tables.get(model) or tables.setdefault(model, generate._Table(model, stamp=None))
        table.add(b)
        a.pk = b.pk
        row = table.rows[-1]
        for f, value in zip(fields, row):
            if now_dependent(f) or f.many_to_one:
                continue
            expected = f.get_db_prep_save(f.pre_save(a, True), connection)
            if isinstance(f, EncryptedTextField) and expected:  # a fresh nonce each time
                value, expected = decrypt(value), decrypt(expected)
            assert value == expected, (model, f.name)


@pytest.mark.django_db
def test_the_rows_do_not_depend_on_how_the_towns_are_chunked(monkeypatch):
    """The records are made in chunks of towns (by worker processes with --jobs), each numbering its
    records from 1, and the writer shifts the keys and the references within a chunk past the rows
    written before: town by town or all towns at once, the same rows with the same keys."""
    from django.db import models, transaction

    from safestar.bench import generate
    from safestar.core.crypto import EncryptedTextField, decrypt

    class Rollback(Exception):
        pass

    original = generate._Writer.write

    def written(chunk_towns):
        rows = {}

        def spy(writer, chunk):
            original(writer, chunk)
            for label, chunk_rows, *_ in chunk:
                rows.setdefault(label, []).extend(list(row) for row in chunk_rows)

        monkeypatch.setattr(generate, "CHUNK_TOWNS", chunk_towns)
        monkeypatch.setattr(generate._Writer, "write", spy)
        with pytest.raises(Rollback), transaction.atomic():
            generate.generate(villages_per_town=4, towns=3, jobs=2)
            codes = dict(Division.objects.values_list("id", "code"))  # ids differ after a rollback (PostgreSQL sequences)
            raise Rollback
        for label, label_rows in rows.items():
            for i, f in enumerate(apps.get_model(label)._meta.concrete_fields):
                if f.many_to_one and f.remote_field.model is Division:
                    for row in label_rows:
                        row[i] = codes.get(row[i])
        return rows

    one_by_one, at_once = written(1), written(100)
    assert one_by_one.keys() == at_once.keys() and "keypersons.Visit" in at_once
    for label, rows in at_once.items():
        fields = apps.get_model(label)._meta.concrete_fields
        for a, b in zip(one_by_one[label], rows, strict=True):
            for f, x, y in zip(fields, a, b):
                if isinstance(f, models.DateTimeField):  # when generated
                    continue
                if isinstance(f, EncryptedTextField) and x:  # a fresh nonce each time
                    x, y = decrypt(x), decrypt(y)
                assert x == y, (label, f.name)
    keys = [row[0] for row in at_once["keypersons.Visit"]]
    assert keys == list(range(1, len(keys) + 1))
