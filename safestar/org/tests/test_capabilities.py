"""Who may act is decided in one place: the named actions on the roles in org/roles.py, asked with
`can(user, action, obj)`. Nothing else compares roles: a scan of the source fails on the first
`Role.X`, on a role compared with a role's name, and on a template that tests `user.role`."""

import ast
import re
from pathlib import Path

import pytest

from safestar.org.roles import ACTIONS, SPECS, Role, can, holders

ROOT = Path(__file__).resolve().parents[2]  # the safestar package
ROLE_NAMES = {r.value for r in Role}
# Where a role may be named: its declaration, and the demo's accounts (data: who each persona is).
ALLOWED = {ROOT / "org" / "roles.py", ROOT / "org" / "demo.py"}


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts or "tests" in path.parts or path in ALLOWED:
            continue
        yield path


def _role_names(node):
    """The role names a constant (or a tuple / list / set of constants) spells out."""
    items = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
    return {i.value for i in items if isinstance(i, ast.Constant) and i.value in ROLE_NAMES}


def _is_role_of_user(node):
    if isinstance(node, ast.Attribute) and node.attr == "role":
        return True
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "role")


def role_comparisons(source, filename="<source>"):
    """[(line, what)] for every place `source` decides by role instead of asking can()."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Role" and node.attr.isupper():
            found.append((node.lineno, f"Role.{node.attr}"))
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_role_of_user(side) for side in sides) and any(_role_names(side) for side in sides):
                found.append((node.lineno, "a role compared with a role's name"))
        elif isinstance(node, ast.keyword) and node.arg in ("role", "role__in") and _role_names(node.value):
            found.append((node.lineno, "accounts filtered by a role's name"))
    return found


def test_the_scan_finds_what_it_looks_for():
    assert role_comparisons("if user.role == Role.TOWN: pass")
    assert role_comparisons("ok = getattr(user, 'role', None) in ('village', 'grid')")
    assert role_comparisons("people = User.objects.filter(role__in=['village'])")
    assert role_comparisons("scope_roles = (Role.TOWN,)")
    assert not role_comparisons("if self.role == TeamRole.CAPTAIN: pass")  # a team member's post, not an account's role
    assert not role_comparisons("labels = dict(Role.choices)")


@pytest.mark.parametrize("path", list(_sources()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_role_comparison_outside_org_roles(path):
    found = role_comparisons(path.read_text(encoding="utf-8"), str(path))
    assert not found, f"{path.relative_to(ROOT)}: ask can(user, action, obj) instead (org/roles.py): {found}"


def test_no_template_decides_by_role():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\.role\s*(==|!=|\bin\b)", text), f"{path.relative_to(ROOT)} tests a role: pass what can() says instead"


def test_every_action_a_role_holds_is_declared_and_every_declared_action_is_held():
    held = {action for spec in SPECS.values() for action in spec.actions}
    assert held <= set(ACTIONS)
    assert set(ACTIONS) <= held, f"declared but held by no role: {set(ACTIONS) - held}"


def test_an_undeclared_action_fails_loudly(world):
    from safestar.org.models import User

    with pytest.raises(KeyError, match="undeclared action"):
        can(User.objects.get(username="town"), "creation.confirm_aplication")


def test_a_role_holds_its_actions_and_a_deactivated_or_anonymous_user_none(world):
    from django.contrib.auth.models import AnonymousUser

    from safestar.org.models import User

    town = User.objects.get(username="town")
    assert can(town, "creation.confirm_application") and not can(town, "evaluation.recognise")
    assert not can(User.objects.get(username="taskforce"), "creation.confirm_application")
    assert not can(AnonymousUser(), "evaluation.view")
    town.is_active = False
    assert not can(town, "creation.confirm_application")
    assert holders("creation.be_responsible") == (Role.VILLAGE, Role.GRID)


def test_the_town_decides_late_self_assessments_and_the_county_late_forwarding(world):
    from safestar.org.models import User

    people = {u.username: u for u in User.objects.filter(username__in=["town", "taskforce", "county", "village1", "town2"])}
    assert [name for name, u in sorted(people.items()) if can(u, "evaluation.late_self")] == ["town", "town2"]
    assert [name for name, u in sorted(people.items()) if can(u, "evaluation.late_town")] == ["county"]


def test_the_city_role_reads_the_whole_city_and_does_nothing(world):
    """市委政法委 (demo account city): the dashboards and the results of every village of the city, read only."""
    from safestar.keypersons.models import KeyPerson
    from safestar.org.models import Division, User
    from safestar.core.scope import can_read, can_write
    from safestar.incidents.models import Incident

    city = User.objects.get(username="city")
    assert city.division.level == "city" and city.division.name == "商丘市"
    assert all(can(city, a) for a in ("dashboards.view", "schemes.view_results", "evaluation.view"))
    held = [a for a in ACTIONS if can(city, a)]
    assert sorted(held) == ["dashboards.view", "evaluation.view", "schemes.view_results"]
    assert can_read(Incident, city) and not can_write(Incident, city)
    assert not can_read(KeyPerson, city)
    villages = Division.objects.visible_to(city).filter(level="village")
    assert villages.filter(code="411422100201").exists() and villages.filter(code="411423101201").exists()  # 睢县 and 宁陵县
    assert not can(User.objects.get(username="village1"), "dashboards.view")


def test_conditions_look_at_the_department_and_the_object(world):
    """A department holds an action under a condition: the campaign it leads, the evaluation field, the county level."""
    from django.utils import timezone

    from safestar.creation.tests.factories import campaign
    from safestar.org.models import Department, Division, User

    police = User.objects.get(username="police")  # 长岗派出所: town level, no evaluation field
    led = campaign("411422100000")  # led by 长岗派出所
    other = Department.objects.create(name="长岗镇司法所（测试）", division=police.division, kind="justice", fields=["disputes"])
    assert can(police, "creation.run_campaign", led)
    led.department = other
    assert not can(police, "creation.run_campaign", led)
    assert not can(police, "evaluation.view") and not can(police, "incidents.recognise")
    bureau = User.objects.create(username="countypolice", role="department", division=Division.objects.get(code="411422000000"),
                                 department=Department.objects.get(name="睢县公安局"), password_changed_at=timezone.now())
    assert can(bureau, "evaluation.view") and can(bureau, "incidents.recognise") and not can(bureau, "evaluation.recognise")
