"""The scope mechanism itself: who sees which divisions, departments and accounts."""

import pytest

from conftest import CHANGGANG, PINGGANG, VILLAGE1, VILLAGE2
from safestar.core.scope import can_read, can_write
from safestar.org.models import Department, Division, User
from safestar.org.roles import Level


def user(name):
    return User.objects.select_related("division", "department").get(username=name)


def visible_villages(name):
    return set(Division.objects.visible_to(user(name)).villages().values_list("code", flat=True))


def changgang_villages():
    return set(Division.objects.filter(parent__code=CHANGGANG).values_list("code", flat=True))


def test_village_cadre_sees_only_its_village(world):
    assert visible_villages("village1") == {VILLAGE1}
    assert visible_villages("village2") == {VILLAGE2}
    assert visible_villages("grid1") == {VILLAGE1}


def test_town_office_sees_every_village_of_its_town_and_no_other(world):
    assert len(changgang_villages()) == 20
    assert visible_villages("town") == changgang_villages()
    assert visible_villages("taskforce") == changgang_villages()
    assert visible_villages("town2").isdisjoint(changgang_villages())
    assert visible_villages("town2") == set(Division.objects.filter(parent__code=PINGGANG).values_list("code", flat=True))


def test_county_sees_both_towns(world):
    assert changgang_villages() < visible_villages("county")
    assert not Division.objects.visible_to(user("county")).filter(level=Level.PROVINCE).exists()


def test_auditor_sees_no_divisions_and_admin_no_business_data(world):
    assert not Division.objects.visible_to(user("auditor")).exists()
    from safestar.org.roles import spec

    assert not spec(user("admin").role).reads_business


def test_department_user_is_limited_to_its_division(world):
    police = user("police")
    assert visible_villages("police") == changgang_villages()
    assert police.department.name == "长岗派出所"


def test_department_user_sees_only_the_fields_its_department_shares(world):
    """A ledger model names its data field; a department that does not share it sees nothing."""

    class Ledger:  # a stand-in carrying the scope attributes a ledger model declares
        scope_read = "reads_business"
        scope_write = "writes_business"
        data_field = "security"

    class Religion(Ledger):
        data_field = "religion"

    assert can_read(Ledger, user("police")) and can_write(Ledger, user("police"))
    assert not can_read(Religion, user("police"))
    assert can_read(Religion, user("town"))
    assert can_read(Religion, user("taskforce")) and not can_write(Religion, user("taskforce"))
    assert not can_read(Ledger, user("admin")) and not can_read(Ledger, user("auditor"))


def test_inactive_user_sees_nothing(world):
    u = user("town")
    u.is_active = False
    assert not Division.objects.visible_to(u).exists()


def test_account_managers_see_only_accounts_they_could_grant(world):
    town = user("town")
    names = set(User.objects.visible_to(town).values_list("username", flat=True))
    assert names == {"taskforce", "village1", "village2", "grid1"}
    assert set(User.objects.visible_to(user("village1")).values_list("username", flat=True)) == {"grid1"}
    assert not User.objects.visible_to(user("grid1")).exists()
    admin = set(User.objects.visible_to(user("admin")).values_list("username", flat=True))
    assert {"county", "town", "town2", "auditor", "village3", "admin2"} <= admin and "admin" not in admin


def test_departments_in_scope(world):
    names = set(Department.objects.visible_to(user("town2")).values_list("name", flat=True))
    county = set(Department.objects.filter(division__code="411422000000").values_list("name", flat=True))
    assert names == {"平岗派出所", "平岗镇司法所"} | county  # its own, and the county's above it
    assert "长岗派出所" not in names
    assert not Department.objects.writable_by(user("admin2")).filter(name="睢县公安局").exists()  # read, never write
    assert not Department.objects.visible_to(user("auditor")).exists()
    assert not Department.objects.writable_by(user("town")).exists()
    assert Department.objects.writable_by(user("admin")).count() == Department.objects.filter(division__path__startswith=user("admin").division.path).count()


@pytest.mark.usefixtures("drawn_pages")
@pytest.mark.parametrize("rows", [3, 30])
def test_division_page_query_count_does_not_grow_with_rows(login, django_assert_num_queries, rows):
    town = Division.objects.get(code=PINGGANG)
    for i in range(rows):
        Division.objects.create(code=f"411422101{300 + i}", name=f"新村{i}", level=Level.VILLAGE, parent=town)
    client = login("town2")
    # session, the user (with their anchor division and whether they have an authenticator), the division
    # (with whether the user may edit it, the divisions above with which are in scope, and the number of
    # its children: org/views.py division_detail), the page of children, the town panels (领导包村: the
    # assignments); the session is not saved (renewed at most once a minute): 5 whatever the row count.
    with django_assert_num_queries(5):
        response = client.get(f"/divisions/{PINGGANG}/")
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [2, 25])
def test_account_list_query_count_does_not_grow_with_rows(login, django_assert_num_queries, rows):
    village = Division.objects.get(code=VILLAGE1)
    for i in range(rows):
        User.objects.create(username=f"grid-extra-{i}", role="grid", division=village)
    client = login("village1")
    # session, user (with anchor division and authenticator flag), count, page (with division and
    # department joined)
    with django_assert_num_queries(4):
        response = client.get("/accounts/")
    assert response.status_code == 200
    assert "grid-extra-1" in response.content.decode()


def test_a_subtree_is_the_same_rows_as_a_path_prefix(world):
    """The scope's subtree condition (a range on SQLite, LIKE on PostgreSQL) picks exactly the paths
    that start with the prefix: for every division's path, and for cuts of it that end inside a code
    ("/410000000000/4114" also takes "/410000000000/411400000000/…") or at the root."""
    from django.db.models import F

    from safestar.core.scope import Under

    paths = list(Division.objects.values_list("path", flat=True))
    prefixes = {"/"} | set(paths) | {p[:cut] for p in paths for cut in (len(p) - 1, len(p) - 4, 14, 18)}
    for prefix in sorted(prefixes):
        assert set(Division.objects.filter(Under(F("path"), prefix)).values_list("path", flat=True)) == {
            p for p in paths if p.startswith(prefix)}, prefix
