"""Password policy (等保2.0 身份鉴别): strength, history, forced change at first login and after 90 days."""

import datetime

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from conftest import PASSWORD, VILLAGE1
from safestar.org.models import Division, User


@pytest.mark.parametrize(
    "password, message",
    [
        ("Ab1!", "至少要包含 8 个字符"),
        ("abcdefgh1", "至少3类"),  # two classes
        ("ABCDEFGH!", "至少3类"),
        ("xGrid1@village1", "不能包含登录名"),
    ],
)
def test_weak_passwords_are_refused(world, password, message):
    user = User.objects.get(username="village1")
    with pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    assert any(message in m for m in exc.value.messages), exc.value.messages


@pytest.mark.parametrize("password", ["Xqzvbnm7", "qzvbnmx7!", "QZVB7!XNM", "长岗镇平安2023a"])
def test_three_classes_of_eight_characters_pass(world, password):
    validate_password(password, User.objects.get(username="village1"))


def change(client, old, new):
    return client.post("/password/", {"old_password": old, "new_password1": new, "new_password2": new})


def test_the_last_five_passwords_cannot_be_reused(login):
    client = login("grid1")
    passwords = [PASSWORD] + [f"Round{i}@pass" for i in range(1, 6)]
    for old, new in zip(passwords, passwords[1:]):
        assert change(client, old, new).status_code == 302, new
    # the current one and the four before it are refused; the sixth back is allowed again
    for reused in passwords[2:]:
        response = change(client, passwords[-1], reused)
        assert "不能使用最近5次用过的密码" in response.content.decode(), reused
    assert change(client, passwords[-1], passwords[0]).status_code == 302


def test_a_password_set_by_an_account_manager_must_be_changed_at_first_login(client, login):
    manager = login("village1")
    manager.post(
        "/accounts/new/",
        {"username": "grid9", "role": "grid", "division": Division.objects.get(code=VILLAGE1).pk,
         "is_active": "on", "password1": "Grid@2023x", "password2": "Grid@2023x"},
    )
    manager.logout()
    response = client.post("/login/", {"username": "grid9", "password": "Grid@2023x"}, follow=True)
    assert response.redirect_chain[-1][0] == "/password/"
    assert "请先设置自己的新密码" in response.content.decode()
    assert client.get(f"/divisions/{VILLAGE1}/").status_code == 302  # nothing else until it is changed
    assert change(client, "Grid@2023x", "Mine@2023x").status_code == 302
    assert client.get(f"/divisions/{VILLAGE1}/").status_code == 200


def test_a_password_older_than_90_days_must_be_changed(login):
    User.objects.filter(username="grid1").update(password_changed_at=timezone.now() - datetime.timedelta(days=91))
    client = login("grid1")
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/password/"
    assert "超过90天" in response.content.decode()
    User.objects.filter(username="grid1").update(password_changed_at=timezone.now() - datetime.timedelta(days=89))
    assert client.get("/").status_code == 200


def test_the_api_is_not_held_up_by_an_expired_password(api):
    get = api("grid1")
    User.objects.filter(username="grid1").update(password_changed_at=None)
    assert get("/me").status_code == 200
