"""Sessions: 30 idle minutes, a cap on concurrent sessions, cookies that scripts cannot read."""

import pytest
from django.test import Client

from conftest import PASSWORD
from safestar.org.models import UserSession


def signed_in(username):
    client = Client()
    assert client.post("/login/", {"username": username, "password": PASSWORD}).status_code == 302
    return client


def test_session_cookie_expires_after_30_idle_minutes_and_is_renewed(client, world):
    response = client.post("/login/", {"username": "grid1", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE == 1800 and settings.SESSION_SAVE_EVERY_REQUEST
    session = client.session
    first_expiry = session.get_expiry_date()
    assert 1790 <= session.get_expiry_age() <= 1800
    client.get("/")
    assert client.session.get_expiry_date() >= first_expiry


@pytest.mark.parametrize("limit", [1, 2])
def test_a_new_login_beyond_the_limit_ends_the_oldest_session(world, settings, limit):
    settings.SAFESTAR_MAX_SESSIONS = limit
    clients = [signed_in("grid1") for _ in range(limit + 1)]
    ended = clients[0].get("/", follow=True)  # ended: back to the login page, told why
    assert ended.redirect_chain[-1][0].startswith("/login/")
    assert "您的账号已在其他地方登录" in ended.content.decode()
    assert "您的账号已在其他地方登录" not in clients[0].get("/", follow=True).content.decode()  # said once
    for c in clients[1:]:
        assert c.get("/").status_code == 200
    assert UserSession.objects.filter(user__username="grid1", ended_at__isnull=True).count() == limit


def test_a_session_that_simply_expired_is_not_told_it_was_ended_by_another_login(world):
    c = signed_in("grid1")
    from django.contrib.sessions.models import Session

    Session.objects.all().delete()
    page = c.get("/", follow=True)
    assert page.redirect_chain[-1][0].startswith("/login/") and "其他地方登录" not in page.content.decode()


def test_logout_forgets_the_session(world):
    c = signed_in("grid1")
    c.post("/logout/")
    assert not UserSession.objects.filter(user__username="grid1").exists()
