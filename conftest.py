"""The test harness every app reuses: the persona world, logged-in clients, API clients.

The world is the demo itself (睢县 with 长岗镇 and 平岗镇, departments, one account per role), so
every test also proves the demo, plus a few accounts that only tests need (a village cadre in the
other town, a system administrator anchored at the other town).
"""

import os

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be allowed.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "Test@2023pass"
CHANGGANG = "411422100000"
PINGGANG = "411422101000"
VILLAGE1 = "411422100201"  # 长岗村, village1's and grid1's
VILLAGE2 = "411422100202"  # 杨庄村, village2's
PINGGANG_VILLAGE = "411422101201"  # 平岗村
OTHER_COUNTY_VILLAGE = "411423101201"  # 宁陵县张弓镇, outside every persona's scope but the province's


def build_world():
    from safestar.org.demo import load_demo
    from safestar.org.models import Department, Division, User
    from safestar.org.roles import Role

    from safestar.org.services import BUNDLED_CSV, load_divisions, read_division_csv, subtree

    # Transactional (browser) tests empty the tables between tests, data migrations included.
    import importlib

    from django.apps import apps

    importlib.import_module("safestar.incidents.migrations.0002_incident_kinds").add_kinds(apps, None)
    importlib.import_module("safestar.keypersons.migrations.0002_categories").add_categories(apps, None)
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


@pytest.fixture
def world(db):
    build_world()


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
    """The ledger's example record as model field values (related records found by code or name)."""
    values = {}
    for name, value in ledger.example.items():
        field = ledger.field(name)
        if field.many_to_one:
            related = field.related_model
            key = "code" if any(f.name == "code" for f in related._meta.fields) else "name"
            value = related.objects.get(**{key: value})
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
    """freeze_today(datetime.date(2023, 6, 30)) → safestar.core.clock.today() answers that date until the test ends."""
    from safestar.core import clock

    yield clock.freeze
    clock.freeze(None)
