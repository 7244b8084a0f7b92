"""The benchmark's data: the bundled Henan division tree, N villages in every town, and one year of
records made by the apps' own data recipes (each ledger app's demo_data.records(), see org/demo.py),
applied to every town as the demo applies them to 长岗镇. So the benchmark has every ledger that has a
recipe, with the demo's rates and its differences between villages, and a new ledger is in it as soon
as its recipe is (tests/test_bench.py fails for a ledger or metric the benchmark leaves empty).

It writes only into a dedicated, empty database: it refuses a database that has accounts or
departments (a demo or a real one) and one that already has villages or records (a benchmark
generated before: drop and recreate the database).
"""

import gc
import multiprocessing
import multiprocessing.util
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, models, transaction
from django.utils import timezone

from safestar.core.crypto import HashField
from safestar.core.tasks import refresh_planner_statistics

PROVINCE = "410000000000"
MAX_VILLAGES_PER_TOWN = 99  # village codes 201..299
CHUNK_TOWNS = 10  # towns whose records are made (and sent to the writing process) at once
BATCH_SIZE = 5000  # rows per INSERT


class BenchError(Exception):
    """A refusal or a wrong argument, with the message for the operator."""


def database_label():
    name = settings.DATABASES["default"]["NAME"]
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}（{name}）"
    if connection.vendor == "postgresql":
        major, rest = divmod(connection.pg_version, 10000)
        return f"PostgreSQL {major}.{rest % 100}（{name}）"
    return f"{connection.vendor}（{name}）"


def recipes():
    """The apps' data recipes: the demo_data modules that have records(town, rng)."""
    from safestar.org.demo import demo_modules

    return [module for module in demo_modules() if hasattr(module, "records")]


# ── Guards ───────────────────────────────────────────────────────────────────────────────────


def ensure_dedicated_database():
    """Refuse a database with accounts or departments: the benchmark must never pollute a real or
    demo database (the generator writes ~50 000 villages and millions of records)."""
    from safestar.org.models import Department, User

    # the page benchmark's own accounts (bench pages) are allowed
    users, departments = User.objects.exclude(username__startswith="bench-").count(), Department.objects.count()
    if users or departments:
        demo = "，其中有演示账号 town" if User.objects.filter(username="town").exists() else ""
        raise BenchError(
            f"拒绝执行：当前数据库 {database_label()} 中已有 {users} 个账号、{departments} 个部门{demo}，"
            "不是专用的基准测试数据库。基准测试会写入约五万个村和数百万条台账记录，绝不能写进真实或演示数据库。"
            "请另建一个空数据库（如 SAFESTAR_VAR=/tmp/bench-sqlite，或 DATABASE_URL=postgres://postgres@127.0.0.1:5432/safestar_bench），"
            "执行 safestar migrate 后再运行。"
        )


def ensure_no_benchmark_data():
    from safestar.core.ledger import LEDGERS
    from safestar.keypersons.models import KeyPerson
    from safestar.org.models import Division

    villages = Division.objects.filter(level="village").count()
    records = sum(model.objects.count() for model in {*(ledger.model for ledger in LEDGERS.values()), KeyPerson})
    if villages or records:
        raise BenchError(
            f"当前数据库 {database_label()} 中已有 {villages} 个村、{records} 条台账记录（可能是此前生成的基准数据）。"
            "生成器不追加也不覆盖数据：如需重新生成，请删除并重建该数据库（SQLite 删除 SAFESTAR_VAR 下的 safestar.sqlite3，"
            "PostgreSQL 用 dropdb/createdb），执行 safestar migrate 后再运行。"
        )


# ── Writing rows ─────────────────────────────────────────────────────────────────────────────


RAW = {models.AutoField, models.BigAutoField, models.CharField, models.TextField, models.IntegerField,
       models.PositiveIntegerField, models.PositiveSmallIntegerField, models.SmallIntegerField, models.BooleanField,
       models.ForeignKey, models.SlugField, HashField}
MEMO = (models.DecimalField, models.DateField)  # few distinct values (DateTimeField is a DateField)


class _Table:
    """One model's rows of one chunk of towns, each record's values as the model's own fields prepare
    them for the database (encrypted fields encrypted, hash fields computed). Inserted straight with
    executemany by `_Writer`, without compiling an INSERT per batch (bulk_create spends ~90 % of its
    time there, which at millions of rows is tens of minutes). The primary keys are given here, from
    1 in each chunk, so that a record can refer to another one of the same town (a patrol to its
    hazard, a visit to its key person); `_Writer` shifts them past the rows written before.

    Each field's way from the record to the row is chosen once per model (`_reader`), not per row:
    at ten million rows the per-row generic path (pre_save, get_cached_value, get_db_prep_save of a
    value already converted a million times) was the generator's largest cost."""

    def __init__(self, model, stamp):
        self.model, self.stamp = model, stamp
        self.fields = [f for f in model._meta.concrete_fields]
        self.next_pk = 1
        self.memos = []
        self.readers = [self._reader(f) for f in self.fields]
        self.rows = []

    def _reader(self, f):
        """record → the field's database value, as `get_db_prep_save(pre_save(record, True))` gives it."""
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            stamp = f.get_db_prep_save(self.stamp, connection)  # 录入时间 / 修改时间: when generated (no metric reads them)
            return lambda record: stamp
        if f.many_to_one:  # the related record's key as it is now (given by its own table, earlier)
            name, attname = f.name, f.attname

            def related(record):
                cached = record._state.fields_cache.get(name)
                return cached.pk if cached is not None else record.__dict__[attname]

            return related
        if type(f).pre_save is models.Field.pre_save or (isinstance(f, models.DateField) and type(f).pre_save in (
                models.DateField.pre_save, models.DateTimeField.pre_save)):
            attname = f.attname
            value = lambda record: record.__dict__[attname]  # noqa: E731
        else:  # a field that computes its value on save (HashField)
            value = lambda record: f.pre_save(record, True)  # noqa: E731
        if type(f) in RAW:  # the driver takes the Python value as it is
            return value
        if isinstance(f, MEMO):
            cache = {}
            self.memos.append(cache)

            def memo(record):
                v = value(record)
                try:
                    return cache[v]
                except KeyError:
                    converted = cache[v] = f.get_db_prep_save(v, connection)
                    return converted

            return memo
        return lambda record: f.get_db_prep_save(value(record), connection)  # encrypted fields

    def add(self, record):
        record.pk = self.next_pk
        self.next_pk += 1
        self.rows.append([read(record) for read in self.readers])

    def take(self, generated):
        """This chunk's rows, the column of the key and the columns that refer to records of this
        chunk ((column, "app.Model")); the table is then empty for the next chunk."""
        rows, self.rows, self.next_pk = self.rows, [], 1
        for cache in self.memos:
            if len(cache) > 100_000:  # date-times: many distinct values
                cache.clear()
        local = [(i, f.remote_field.model._meta.label) for i, f in enumerate(self.fields)
                 if f.many_to_one and f.remote_field.model in generated]
        key = next(i for i, f in enumerate(self.fields) if f.primary_key)
        return self.model._meta.label, rows, key, local


class _Writer:
    """Writes the chunks' rows in the order of the towns: each chunk's keys (and its references to
    records of the same chunk) shifted past the rows already written, so the keys are exactly those
    of writing town after town in one process, whichever process made the chunk."""

    def __init__(self):
        self.next_pk, self.sql, self.copy, self.count = {}, {}, {}, {}  # "app.Model" → …

    def _table(self, label):
        from django.apps import apps

        model = apps.get_model(label)
        self.next_pk[label] = (model.objects.aggregate(top=models.Max("pk"))["top"] or 0) + 1
        qn = connection.ops.quote_name
        fields = model._meta.concrete_fields
        columns = ", ".join(qn(f.column) for f in fields)
        self.sql[label] = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        self.copy[label] = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
        self.count[label] = 0

    def write(self, chunk):
        for label, *_ in chunk:
            if label not in self.next_pk:
                self._table(label)
        shift = {label: self.next_pk[label] - 1 for label, *_ in chunk}
        with connection.cursor() as cursor:
            for label, rows, key, local in chunk:
                by, columns = shift[label], [(i, shift[target]) for i, target in local if shift.get(target)]
                if by or columns:
                    for row in rows:
                        row[key] += by
                        for i, target_by in columns:
                            if row[i] is not None:
                                row[i] += target_by
                if connection.vendor == "postgresql":
                    # COPY: psycopg's executemany adapts and sends each row on its own (its CPU made this
                    # process the slowest). COPY is not one of the statements the results cache's hook
                    # sees, but nothing is missed: this transaction has written divisions before
                    # (schemes/cache.py bumps the generation in the transaction of the first write).
                    with cursor.cursor.copy(self.copy[label]) as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    for start in range(0, len(rows), BATCH_SIZE):
                        cursor.executemany(self.sql[label], rows[start:start + BATCH_SIZE])
                self.next_pk[label] += len(rows)
                self.count[label] += len(rows)

    @property
    def rows(self):
        return sum(self.count.values())


def _light_init(model):
    """A constructor for `model(**fields)` that leaves the instance exactly as Model.__init__ does
    (every field's default, the given values, related records set through their descriptor so that
    they are cached and their key copied) without Model.__init__'s generic per-field loop, signals
    and checks. Model.__init__ was about a third of the generator's time: the recipes make every
    record as a model instance (the demo saves those instances; the benchmark only reads their
    values). Anything else (positional values as from the database, a keyword that is no field)
    goes to Model.__init__."""
    from django.db.models.base import ModelState
    from django.db.models.query_utils import DeferredAttribute

    fields = [f for f in model._meta.fields if f.column is not None and not f.generated]
    relations = {f.name for f in fields if f.is_relation}
    # many-to-one relations to a key: what their descriptor's __set__ does on a fresh instance
    # (without database routers: the instance takes the related record's database)
    direct = {} if settings.DATABASE_ROUTERS else {
        f.name: (f.attname, f.remote_field.model._meta.concrete_model, f.related_fields[0][1].attname)
        for f in fields if f.many_to_one and f.remote_field.multiple and len(f.related_fields) == 1
    }
    plain = set()  # names set straight into __dict__: no descriptor with __set__ of their own
    for f in fields:
        descriptor = model.__dict__.get(f.attname) or getattr(model, f.attname, None)
        if f.is_relation or type(descriptor) is DeferredAttribute:
            plain.add(f.attname)  # a fresh instance has no cached related record to forget
    constants, calls = {}, []
    for f in fields:
        if f.has_default() and callable(f.default):
            calls.append((f.attname, f.get_default))
        else:
            constants[f.attname] = f.get_default()
    known = relations | {f.attname for f in fields}
    original = models.Model.__init__

    def __init__(self, *args, **kwargs):
        if args or not known.issuperset(kwargs):
            return original(self, *args, **kwargs)
        self._state = ModelState()
        values = self.__dict__
        values.update(constants)
        for attname, default in calls:
            values[attname] = default()
        for key, value in kwargs.items():
            if key in direct:
                attname, related_model, target = direct[key]
                if value is None:
                    values[attname] = None
                elif isinstance(value, related_model):
                    values[attname] = getattr(value, target)
                    state = self._state
                    if state.db is None:
                        state.db = value._state.db or DEFAULT_DB_ALIAS
                    if value._state.db is None:
                        value._state.db = state.db
                else:
                    setattr(self, key, value)  # the descriptor's own error
                    continue
                self._state.fields_cache[key] = value
            elif key in relations or key not in plain:
                setattr(self, key, value)
            else:
                values[key] = value

    return __init__


class _LightConstruction:
    """While generating: the recipes' models are made with `_light_init` (restored afterwards)."""

    def __init__(self, modules):
        from django.apps import apps
        from django.db.models.signals import post_init, pre_init

        configs = {apps.get_containing_app_config(module.__name__) for module in modules} - {None}
        self.models = [
            model for config in configs for model in config.get_models(include_auto_created=True)
            if model.__init__ is models.Model.__init__ and not pre_init.has_listeners(model) and not post_init.has_listeners(model)
        ]

    def __enter__(self):
        for model in self.models:
            model.__init__ = _light_init(model)
        return self

    def __exit__(self, *exc):
        for model in self.models:
            del model.__init__


# ── Generator ────────────────────────────────────────────────────────────────────────────────

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
PLACE_SUFFIXES = "庄 楼 寨 集 店 营 屯 岗 湾 洼 桥 口 园 堂 铺 湖 河 坡 沟 岭 台 坊 阁 洲".split()


@dataclass
class Generated:
    divisions: int = 0
    towns: int = 0
    villages: int = 0
    rows: dict = field(default_factory=dict)  # "app.Model" → rows inserted
    seconds: dict = field(default_factory=dict)  # phase → seconds
    jobs: int = 1  # processes that made the records
    cpu: float = 0.0  # this process's CPU seconds for the records (the writing, and the making when jobs is 1)

    @property
    def records(self):
        return sum(self.rows.values())


@dataclass
class _Run:
    """What every chunk of towns is made from (inherited by the worker processes when they fork)."""

    town_rows: list  # (id, code, path) of the towns that get villages, by code
    by_town: dict  # town id → its villages
    year: int
    seed: int
    stamp: object  # 录入时间 of every record
    modules: list  # the recipes


_RUN = None
_TABLES = {}  # model → _Table, in the process that makes the chunks (kept from chunk to chunk)
_INHERITED = []  # a worker's database connections inherited from the parent: never used nor closed


def _make(chunk):
    """The rows of the towns `chunk` (serials), made by the recipes as `generate` would town by town."""
    from safestar.org.demo import Town

    run = _RUN
    for serial in chunk:
        town_id, code, _ = run.town_rows[serial]
        town = Town(villages=run.by_town.get(town_id, []), year=run.year, serial=serial)
        for module in run.modules:
            town_rng = random.Random(f"safestar-bench-{run.seed}-{run.year}-{module.__name__}-{code}")
            for batch in module.records(town, town_rng):
                table = _TABLES.get(batch.model) or _TABLES.setdefault(batch.model, _Table(batch.model, run.stamp))
                add = table.add
                for record in batch.records:
                    add(record)
    made = [table.take(_TABLES) for table in _TABLES.values()]
    return [entry for entry in made if entry[1]]


def _worker_start():
    """In a forked worker: its own database connection (a recipe may read, e.g. the key-person
    categories), never the parent's, which is in the middle of its write transaction."""
    from django.db import connections

    for alias in connections:
        _INHERITED.append(connections[alias])  # kept referenced: closing it here would act on the parent's
        del connections[alias]
    _TABLES.clear()
    gc.disable()
    multiprocessing.util.Finalize(None, connections.close_all, exitpriority=10)


@contextmanager
def _chunks(jobs, chunks):
    """The chunks' rows in order: made here, or by `jobs` forked processes while this one writes."""
    _TABLES.clear()
    if jobs == 1:
        try:
            yield map(_make, chunks)
        finally:
            _TABLES.clear()
        return
    pool = multiprocessing.get_context("fork").Pool(jobs, initializer=_worker_start)
    try:
        yield pool.imap(_make, chunks)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()


def village_names(rng, count):
    names = [s + p for s in SURNAMES for p in PLACE_SUFFIXES]
    return [name + "村" for name in rng.sample(names, count)]


def generate(villages_per_town=20, towns=None, year=2023, seed=1, progress=None, jobs=1):
    """Generate the benchmark data in a dedicated, empty database; returns a Generated report.
    `towns`: only the first N towns (by code) get villages; the whole tree is loaded regardless.
    `jobs`: processes making the records (the writing stays in this one); the data is the same."""
    global _RUN
    from django.apps import apps

    from safestar.org.services import BUNDLED_CSV, load_divisions, read_division_csv
    from safestar.org.models import Division

    if not 1 <= villages_per_town <= MAX_VILLAGES_PER_TOWN:
        raise BenchError(f"每个乡镇的村数应在 1–{MAX_VILLAGES_PER_TOWN} 之间（村级代码末3位为 201–299）")
    if towns is not None and towns < 1:
        raise BenchError("--towns 至少为 1")
    ensure_dedicated_database()
    ensure_no_benchmark_data()
    say = progress or (lambda text: None)
    report, started = Generated(), time.perf_counter()
    rng = random.Random(f"safestar-bench-{seed}-{year}")
    with transaction.atomic():
        t = time.perf_counter()
        report.divisions = load_divisions(read_division_csv(BUNDLED_CSV))
        town_rows = list(Division.objects.filter(level="town").order_by("code").values_list("id", "code", "path"))
        if towns is not None:
            town_rows = town_rows[:towns]
        report.towns = len(town_rows)
        villages = []
        for town_id, code, path in town_rows:
            for index, name in enumerate(village_names(rng, villages_per_town), start=1):
                village = f"{code[:9]}{200 + index:03d}"
                villages.append(Division(code=village, name=name, level="village", parent_id=town_id, path=f"{path}{village}/"))
        Division.objects.bulk_create(villages, batch_size=BATCH_SIZE)
        by_town = {}
        for village in Division.objects.filter(level="village").order_by("code").only("id", "code", "name", "level", "parent_id"):
            by_town.setdefault(village.parent_id, []).append(village)
        report.villages = sum(len(v) for v in by_town.values())
        report.seconds["区划（全省树 + 村）"] = time.perf_counter() - t
        say(f"已载入区划 {report.divisions} 条，在 {report.towns} 个乡镇下新建 {report.villages} 个村（{report.seconds['区划（全省树 + 村）']:.1f} 秒）")

        t, cpu = time.perf_counter(), time.process_time()
        _RUN = _Run(town_rows, by_town, year, seed, timezone.now(), recipes())
        chunks = [range(start, min(start + CHUNK_TOWNS, len(town_rows))) for start in range(0, len(town_rows), CHUNK_TOWNS)]
        writer, shown = _Writer(), 0
        jobs = max(1, min(jobs or 1, len(chunks)))
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            jobs = 1  # another process cannot see an in-memory database (the tests'), and a recipe may read
        collecting = gc.isenabled()
        gc.disable()  # millions of short-lived records and no cycles among them: the collector only costs
        try:
            with _LightConstruction(_RUN.modules), _chunks(jobs, chunks) as made:
                for done, chunk in zip((c.stop for c in chunks), made):
                    writer.write(chunk)
                    if done * 10 // len(town_rows) > shown or done == len(town_rows):
                        shown = done * 10 // len(town_rows)
                        say(f"  台账：{done}/{len(town_rows)} 个乡镇，{writer.rows} 条，{time.perf_counter() - t:.0f} 秒")
        finally:
            _RUN = None
            if collecting:
                gc.enable()
        report.rows = dict(writer.count)
        report.jobs = jobs
        report.cpu = time.process_time() - cpu
        with connection.cursor() as cursor:  # the explicit keys given above: the sequences go past them
            for sql in connection.ops.sequence_reset_sql(no_style(), [apps.get_model(label) for label in writer.count]):
                cursor.execute(sql)
        report.seconds["台账记录"] = time.perf_counter() - t
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # What autovacuum would do soon after a load: statistics and the visibility map.
        t = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        report.seconds["VACUUM ANALYZE"] = time.perf_counter() - t
    elif connection.vendor == "sqlite" and not connection.in_atomic_block:
        # What the worker's daily task does on a running system (core/tasks.py): the planner's statistics.
        t = time.perf_counter()
        refresh_planner_statistics()
        report.seconds["ANALYZE"] = time.perf_counter() - t
    report.seconds["合计"] = time.perf_counter() - started
    return report
