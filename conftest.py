"""The test harness every app reuses: the persona world, logged-in clients, API clients.

The world is the demo itself (睢县 with 长岗镇 and 平岗镇, departments, one account per role), so
every test also proves the demo, plus a few accounts that only tests need (a village cadre in the
other town, a system administrator anchored at the other town).

It is built once per test run (django_db_setup below: each xdist worker works on a copy) and every
test runs inside a transaction rolled back at its end, so a test sees the world as built whatever
the tests before it did. A transactional test (the browser tests) empties the database when it ends;
the next test that asks for the world builds it again.
"""

import contextlib
import fcntl
import itertools
import json
import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be allowed.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

_TEST_NUMBER = itertools.count()
PASSWORD = "Test@2023pass"
CHANGGANG = "411422100000"
PINGGANG = "411422101000"
VILLAGE1 = "411422100201"  # 长岗村, village1's and grid1's
VILLAGE2 = "411422100202"  # 杨庄村, village2's
PINGGANG_VILLAGE = "411422101201"  # 平岗村
OTHER_COUNTY_VILLAGE = "411423101201"  # 宁陵县张弓镇, outside every persona's scope but the province's


def build_world():
    """The persona world, unless it is there already."""
    if world_is_built():
        return
    from safestar.org.demo import load_demo
    from safestar.org.models import Department, Division, User
    from safestar.org.roles import Role

    from safestar.org.services import BUNDLED_CSV, load_divisions, read_division_csv, subtree

    restore_migration_data()
    load_demo(password=PASSWORD)
    load_divisions(subtree(read_division_csv(BUNDLED_CSV), "411423000000"))  # 宁陵县, the county next door
    Division.objects.create(
        code=OTHER_COUNTY_VILLAGE, name="张弓村", level="village", parent=Division.objects.get(code="411423101000")
    )
    pinggang = Division.objects.get(code=PINGGANG)
    for username, role, code in [
        ("village3", Role.VILLAGE, PINGGANG_VILLAGE),
        ("admin2", Role.SYSADMIN, PINGGANG),
    ]:
        user = User(username=username, role=role, division=Division.objects.get(code=code))
        user.set_password(PASSWORD)
        user.save()
    Department.objects.get_or_create(name="平岗镇司法所", division=pinggang, defaults={"kind": "justice", "fields": ["disputes"]})


def restore_migration_data():
    """The rows the data migrations write (incident kinds, key-person categories): a transactional
    test empties every table when it ends, these included."""
    import importlib

    from django.apps import apps

    importlib.import_module("safestar.incidents.migrations.0002_incident_kinds").add_kinds(apps, None)
    importlib.import_module("safestar.keypersons.migrations.0002_categories").add_categories(apps, None)


def world_is_built():
    from safestar.org.models import User

    return User.objects.filter(username="admin2").exists()  # the last account build_world() adds


def _tables_with_rows():
    from django.db import connection

    filled = set()
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True, include_views=False):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone():
                filled.add(table)
    return filled


WORLD_TABLES = set()  # the tables the world writes to, beyond what the migrations wrote


@contextlib.contextmanager
def once_per_run(config, tmp_path_factory, name):
    """(directory, first) for what a test run makes once and its xdist workers copy: under xdist the
    directory is common to the run's workers and held under a file lock while the block runs, and
    `first` says whether this worker is the first to get here (and so makes it). Without xdist: a
    directory of this run, first. A block that fails leaves it to the next worker to make."""
    if getattr(config, "workerinput", None) is None:
        yield tmp_path_factory.mktemp(name), True
        return
    shared = tmp_path_factory.getbasetemp().parent / name  # this run's, common to its workers
    shared.mkdir(exist_ok=True)
    with open(f"{shared}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = shared / ".made"
        yield shared, not made.exists()
        made.touch()


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, tmp_path_factory):
    """The test database, migrated, with the persona world built once and committed.

    Under xdist every worker has a database of its own. Migrating and building the world take
    20–45 s on the CI machine, so they are done once (once_per_run): the first worker to get here
    makes the test database, then each worker copies it (SQLite: the file; PostgreSQL: CREATE
    DATABASE … TEMPLATE) and works on its copy, dropped at its end. The first database is kept as it
    is until the next run makes it again."""
    from django.conf import settings
    from django.db import connection

    worker = getattr(request.config, "workerinput", None)
    original = connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        with once_per_run(request.config, tmp_path_factory, "test-database") as (shared, first):
            if first:
                _make_test_database()
                (shared / "world-tables.json").write_text(json.dumps(sorted(WORLD_TABLES)))
            else:
                settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = connection.creation._get_test_db_name()
                WORLD_TABLES.update(json.loads((shared / "world-tables.json").read_text()))
            if worker is not None:
                connection.close()  # SQLite: the last connection's close writes its WAL into the file copied
                connection.creation.clone_test_db(suffix=worker["workerid"], verbosity=0, autoclobber=True)
        if worker is not None:
            copy = connection.creation.get_test_db_clone_settings(worker["workerid"])["NAME"]
            settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = copy
        yield
        connection.creation.destroy_test_db(original, verbosity=0)


def _make_test_database():
    """Create and migrate the test database, build the world in it, note the tables the world writes."""
    from django.db import connection

    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    migrated = _tables_with_rows()  # incident kinds, key-person categories, content types, ...
    build_world()
    WORLD_TABLES.update(_tables_with_rows() - migrated)


@pytest.fixture
def world(db):
    """The persona world (see the module docstring): here already, unless a transactional test
    emptied the database before this test."""
    build_world()


@pytest.fixture
def no_world(db):
    """The database as the migrations left it, for this test: the world's rows are deleted inside
    the test's transaction, which is rolled back at its end. A test that asks for the database but
    not for the world gets this (_only_the_world_asked_for below), as when the world was built per test."""
    delete_world()  # foreign keys are checked at commit, which never comes


def delete_world():
    """Delete the world's rows (in a transactional test, wrap it in transaction.atomic(): the
    foreign keys are checked at its commit, when every row is gone)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in sorted(WORLD_TABLES):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


NO_DATABASE, ROLLED_BACK, TRANSACTIONAL = range(3)


def database_kind(node, names):
    """How a test (its node and fixture names) uses the database: not at all, inside a transaction
    rolled back at its end, or committing (transactional: it empties the database when it ends)."""
    marker = node.get_closest_marker("django_db")
    if "transactional_db" in names or "live_server" in names or (marker is not None and marker.kwargs.get("transaction")):
        return TRANSACTIONAL
    return ROLLED_BACK if marker is not None or "db" in names else NO_DATABASE


def pytest_collection_modifyitems(items):
    """The order xdist hands the tests out in: those without a database first, then the rolled-back
    ones, then the transactional ones (pytest-django puts these last, and the tests without a
    database after them), each kind with its `slow` tests first. A long test handed out last keeps
    one worker busy after the others have finished (a minute on the CI machine, DEVELOPERS.md "时间预算")."""
    items.sort(key=lambda item: (database_kind(item, item.fixturenames), item.get_closest_marker("slow") is None))


@pytest.fixture(autouse=True)
def _only_the_world_asked_for(request):
    names = request.fixturenames
    if database_kind(request.node, names) == ROLLED_BACK and "world" not in names:
        request.getfixturevalue("no_world")


@pytest.fixture(autouse=True)
def _no_stored_pages():
    """Each test starts with no stored page (core/pages.py): a page stored in another test's rolled-back
    data may carry the same key (same user, address, day and generations); and with no kept statement
    (core/compiled.py), which may hold another test's settings."""
    from django.core.cache import caches

    from safestar.core import compiled
    from safestar.schemes.cache import _county_path

    caches["pages"].clear()
    _county_path.cache_clear()
    compiled.forget()


@pytest.fixture
def drawn_pages(settings):
    """Every page drawn, none sent from the store: for the tests that count the queries of drawing a
    page (what a stored page costs is counted in core/tests/test_pages.py)."""
    settings.SAFESTAR_STORED_PAGES = False


@pytest.fixture(autouse=True)
def _own_audit_checkpoints(settings, tmp_path_factory):
    """Each test its own (not yet written) audit checkpoint file: a checkpoint a test writes names
    events of its rolled-back transaction, which no other test's database holds."""
    settings.SAFESTAR_AUDIT_CHECKPOINTS = tmp_path_factory.getbasetemp() / f"audit-{os.getpid()}-{next(_TEST_NUMBER)}.jsonl"


@pytest.fixture
def login(client, world):
    """login("town") → the test client logged in as that persona."""
    from safestar.org.models import User

    def _login(username):
        client.force_login(User.objects.get(username=username))
        return client

    return _login


@pytest.fixture
def api(client, world):
    """api("town") → a function get(path) that calls /api/v1/ with that persona's bearer token."""
    from safestar.org.models import ApiToken, User

    def _api(username=None):
        headers = {}
        if username:
            _, token = ApiToken.issue(User.objects.get(username=username))
            headers["Authorization"] = f"Bearer {token}"

        def get(path):
            return client.get(f"/api/v1{path}", headers=headers)

        return get

    return _api


def example_values(ledger):
    """The ledger's example record as model field values (related records found by name, as the
    import finds them)."""
    values = {}
    for name, value in ledger.example.items():
        field = ledger.field(name)
        if field.many_to_one:
            value = field.related_model.objects.get(name=value)
        values[name] = value
    return values


def make_record(slug, village_code, **overrides):
    """One record of a ledger in a village, straight into the database (no form, no audit)."""
    from safestar.core.ledger import LEDGERS
    from safestar.org.models import Division

    ledger = LEDGERS[slug]
    obj = ledger.model(division=Division.objects.get(code=village_code), **(example_values(ledger) | overrides))
    obj.save()
    obj.refresh_from_db()  # values as the database gives them back (dates, not strings)
    return obj


def post_record(client, slug, data, code=VILLAGE1, pk=None):
    """Post a ledger's page form (a new record, or the edit of record `pk`) for the village `code`."""
    from safestar.org.models import Division

    url = f"/ledgers/{slug}/{pk}/edit/" if pk else f"/ledgers/{slug}/new/"
    return client.post(url, {"division": Division.objects.get(code=code).pk, **data})


def form_errors(response, field):
    """The form's messages for `field`, from a page shown again because of them."""
    assert response.status_code == 200, "the form should have been shown again with its errors"
    return " ".join(response.context["form"].errors.get(field, []))


def load_scheme(issuer="411422100000", path="schemes/changgang-2023-pingan.yaml", **replace):
    """A shipped scheme, loaded as if issued by `issuer` (text replacements for variants)."""
    from pathlib import Path

    from safestar.schemes.loading import load

    text = (Path(__file__).parent / path).read_text(encoding="utf-8")
    text = text.replace('issuer: "411422100000"', f'issuer: "{issuer}"').replace('issuer: "411422000000"', f'issuer: "{issuer}"')
    for old, new in replace.items():
        text = text.replace(old, new)
    return load(text, path)[0]


@pytest.fixture
def freeze_today():
    """freeze_today(datetime.date(2023, 6, 30)) → safestar.clock.today() answers that date until the test ends."""
    from safestar import clock

    yield clock.freeze
    clock.freeze(None)


def more_villages(county="411422000000", towns=6, per_town=30):
    """A larger data set for query-count tests: `per_town` new villages in each of the county's first
    `towns` towns that have none (睢县 has 20 towns, the world fills two). Returns the towns' codes."""
    from safestar.org.models import Division

    county = Division.objects.get(code=county)
    empty = list(Division.objects.filter(level="town", path__startswith=county.path).exclude(children__isnull=False).order_by("code")[:towns])
    Division.objects.bulk_create([
        Division(code=f"{town.code[:9]}{200 + i:03d}", name=f"{town.name[:-1]}{i}村", level="village", parent=town,
                 path=f"{town.path}{town.code[:9]}{200 + i:03d}/")
        for town in empty for i in range(1, per_town + 1)
    ])
    return [town.code for town in empty]


def change_state(obj, effective_on, user=None, **values):
    """Change tracked fields of a record as the one save path does (core/states.py): the record gets
    the new values, and each change is recorded as taking effect on `effective_on`."""
    from safestar.core.states import record_changes

    before = type(obj).objects.get(pk=obj.pk)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.save()
    record_changes(before, obj, user, effective_on)
    return obj


def entered_on(obj, moment):
    """Make a record look entered at `moment` ("2024-01-10T09:00"): what a late entry's 录入时间 says."""
    import datetime

    from django.utils import timezone

    stamp = timezone.make_aware(datetime.datetime.fromisoformat(moment))
    type(obj).objects.filter(pk=obj.pk).update(created_at=stamp, updated_at=stamp)
    return obj


def demo_snapshot(models):
    """Every record of `models` as values, sorted: no ids or timestamps (the demo's are "now" or
    backdated), a record it refers to by what it is (one of `models` by its own values, another by
    its str), encrypted values decrypted."""
    from django.db.models import DateTimeField

    def row(obj, follow=True):
        values = []
        for f in obj._meta.concrete_fields:
            if f.primary_key or f.name == "version" or isinstance(f, DateTimeField):
                continue
            if not f.many_to_one:
                values.append(str(getattr(obj, f.attname)))
                continue
            related = getattr(obj, f.name)
            if follow and f.related_model in models:
                values.append(row(related, follow=False) if related is not None else ())
            else:
                values.append(str(related))
        return tuple(values)

    return {model._meta.label: sorted(row(obj) for obj in model.objects.all()) for model in models}
