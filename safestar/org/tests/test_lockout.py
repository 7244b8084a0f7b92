"""Five wrong passwords lock the account and the address for 30 minutes; the administrator clears it."""

import datetime

from axes.models import AccessAttempt
from django.utils import timezone

from conftest import PASSWORD
from safestar.audit.models import AuditEvent


def attempt(client, username, password="wrong-Pass1", ip="10.1.1.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_account_with_a_chinese_message(client, world):
    for _ in range(4):
        assert attempt(client, "town").status_code == 200
    fifth = attempt(client, "town")  # the fifth wrong password locks
    assert fifth.status_code == 429
    assert "登录已被暂时锁定" in fifth.content.decode() and "30 分钟" in fifth.content.decode()
    assert attempt(client, "town", PASSWORD).status_code == 429  # even the right password now
    # the account is locked from another address too
    assert attempt(client, "town", PASSWORD, ip="10.2.2.2").status_code == 429
    assert AuditEvent.objects.filter(action="login_failed", changes__username="town").count() >= 5


def test_five_failures_lock_the_address_for_other_accounts(client, world):
    for name in ["nobody1", "nobody2", "nobody3", "nobody4", "nobody5"]:
        attempt(client, name)
    assert attempt(client, "grid1", PASSWORD).status_code == 429
    assert attempt(client, "grid1", PASSWORD, ip="10.3.3.3").status_code == 302


def test_the_lock_ends_after_30_minutes(client, world):
    for _ in range(5):
        attempt(client, "town")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))
    assert attempt(client, "town", PASSWORD).status_code == 302


def test_four_failures_then_success_resets_the_count(client, world):
    for _ in range(4):
        attempt(client, "town")
    assert attempt(client, "town", PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(4):
        attempt(client, "town")
    assert attempt(client, "town", PASSWORD).status_code == 302


def test_the_administrator_sees_and_clears_a_lockout(client, login, world):
    for _ in range(5):
        attempt(client, "town")
    admin = login("admin")
    page = admin.get("/accounts/lockouts/")
    assert "锁定至" in page.content.decode()
    row = AccessAttempt.objects.get(username="town")
    assert admin.post(f"/accounts/lockouts/{row.pk}/clear/").status_code == 302
    assert not AccessAttempt.objects.filter(username="town").exists()
    assert AuditEvent.objects.filter(actor_name="admin", object_repr__contains="解除登录锁定").exists()
    admin.logout()
    assert attempt(client, "town", PASSWORD).status_code == 302


def test_an_administrator_of_another_town_does_not_see_the_lockout(client, login, world):
    for _ in range(5):
        attempt(client, "village1")
    assert "village1" not in login("admin2").get("/accounts/lockouts/").content.decode()
