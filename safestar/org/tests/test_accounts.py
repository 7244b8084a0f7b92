"""Account management: nobody can grant a role, anchor or department wider than their own."""

import pytest

from conftest import CHANGGANG, PINGGANG_VILLAGE, VILLAGE1, VILLAGE2
from safestar.audit.models import AuditEvent
from safestar.org.models import Department, Division, User


def form(**overrides):
    data = {
        "username": "newuser",
        "full_name": "新账号",
        "phone": "",
        "role": "grid",
        "division": Division.objects.get(code=VILLAGE1).pk,
        "department": "",
        "is_active": "on",
        "password1": "Grid@2023x",
        "password2": "Grid@2023x",
    }
    data.update(overrides)
    return data


def test_village_cadre_creates_a_grid_worker_for_its_village(login):
    response = login("village1").post("/accounts/new/", form())
    assert response.status_code == 302
    user = User.objects.get(username="newuser")
    assert user.role == "grid" and user.division.code == VILLAGE1 and user.check_password("Grid@2023x")
    event = AuditEvent.objects.get(action="create", object_type="org.user", object_id=str(user.pk))
    assert event.actor_name == "village1"
    assert "Grid@2023x" not in str(event.changes)


@pytest.mark.parametrize(
    "persona, overrides, field, message",
    [
        ("village1", {"role": "village"}, "role", "选择一个有效的选项"),
        ("village1", {"division": lambda: Division.objects.get(code=VILLAGE2).pk}, "division", "选择一个有效的选项"),
        ("town", {"role": "town", "division": lambda: Division.objects.get(code=CHANGGANG).pk}, "role", "选择一个有效的选项"),
        ("town", {"role": "county"}, "role", "选择一个有效的选项"),
        ("town", {"role": "village", "division": lambda: Division.objects.get(code=PINGGANG_VILLAGE).pk}, "division", "选择一个有效的选项"),
        ("town", {"role": "taskforce"}, "division", "只能归属到：乡镇（街道）"),
        ("admin", {"role": "department"}, "department", "部门用户必须指定所属部门"),
        (
            "admin",
            {"role": "department", "division": lambda: Division.objects.get(code=CHANGGANG).pk, "department": lambda: Department.objects.get(name="睢县公安局").pk},
            "department",
            "所属部门必须设在该账号的归属区划",
        ),
        ("village1", {"password1": "village1Ab", "password2": "village1Ab", "username": "village1x"}, "password1", "太相似"),
        ("village1", {"password2": "Other@2023x"}, "password2", "两次输入的密码不一致"),
        ("village1", {"username": "grid1"}, "username", "已存在"),
    ],
)
def test_a_grant_wider_than_ones_own_is_refused(login, persona, overrides, field, message):
    data = form(**{k: v() if callable(v) else v for k, v in overrides.items()})
    response = login(persona).post("/accounts/new/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert not User.objects.filter(username=data["username"], full_name="新账号").exists()


def test_sysadmin_creates_a_department_user_at_the_departments_division(login):
    police = Department.objects.get(name="长岗派出所")
    response = login("admin").post(
        "/accounts/new/",
        form(username="police2", role="department", division=police.division.pk, department=police.pk),
    )
    assert response.status_code == 302
    assert User.objects.get(username="police2").department == police


def test_editing_records_a_field_level_diff_and_can_deactivate(login):
    grid = User.objects.get(username="grid1")
    data = form(username="grid1", full_name="改名网格员", password1="", password2="")
    data.pop("is_active")
    response = login("village1").post(f"/accounts/{grid.pk}/edit/", data)
    assert response.status_code == 302
    grid.refresh_from_db()
    assert grid.full_name == "改名网格员" and not grid.is_active
    event = AuditEvent.objects.filter(action="update", object_id=str(grid.pk)).latest("id")
    assert event.changes["full_name"] == ["长岗村网格员", "改名网格员"]
    assert event.changes["is_active"] == [True, False]
    assert "password" not in event.changes


def test_nobody_edits_their_own_account_through_account_management(login):
    town = User.objects.get(username="town")
    assert login("town").get(f"/accounts/{town.pk}/edit/").status_code == 404


def test_a_deactivated_user_cannot_log_in(client, world):
    User.objects.filter(username="grid1").update(is_active=False)
    from conftest import PASSWORD

    response = client.post("/login/", {"username": "grid1", "password": PASSWORD})
    assert response.status_code == 200
    assert "登录名或密码不正确" in response.content.decode()


def test_login_and_failed_login_are_audited(client, world):
    from conftest import PASSWORD

    client.post("/login/", {"username": "town", "password": "wrong"})
    assert AuditEvent.objects.filter(action="login_failed", changes__username="town").exists()
    response = client.post("/login/", {"username": "town", "password": PASSWORD})
    assert response.status_code == 302
    login_event = AuditEvent.objects.get(action="login", actor_name="town")
    assert login_event.ip == "127.0.0.1" and len(login_event.request_id) == 32
    client.post("/logout/")
    assert AuditEvent.objects.filter(action="logout", actor_name="town").exists()


def test_password_change(login):
    client = login("grid1")
    from conftest import PASSWORD

    response = client.post("/password/", {"old_password": PASSWORD, "new_password1": "Changed@2024x", "new_password2": "Changed@2024x"})
    assert response.status_code == 302
    assert User.objects.get(username="grid1").check_password("Changed@2024x")


def test_the_user_model_refuses_a_wrong_anchor(world):
    from django.core.exceptions import ValidationError

    user = User(username="x", role="village", division=Division.objects.get(code=CHANGGANG))
    with pytest.raises(ValidationError, match="只能归属到：行政村"):
        user.full_clean(exclude=["password"])


def test_phone_is_validated_encrypted_at_rest_and_masked_in_the_audit_log(login):
    from django.db import connection

    response = login("village1").post("/accounts/new/", form(phone="12345"))
    assert "请输入有效的手机号或固定电话号码" in " ".join(response.context["form"].errors["phone"])
    assert login("village1").post("/accounts/new/", form(phone="13812345678")).status_code == 302
    user = User.objects.get(username="newuser")
    assert user.phone == "13812345678"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM org_user WHERE id = %s", [user.pk])
        stored = cursor.fetchone()[0]
    assert "13812345678" not in stored and stored.count(":") == 1
    event = AuditEvent.objects.get(action="create", object_id=str(user.pk))
    assert event.changes["phone"] == [None, "138****5678"]
