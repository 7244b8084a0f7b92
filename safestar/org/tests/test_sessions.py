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

    assert settings.SESSION_COOKIE_AGE == 1800
    session = client.session
    first_expiry = session.get_expiry_date()
    assert 1790 <= session.get_expiry_age() <= 1800
    client.get("/")
    assert client.session.get_expiry_date() >= first_expiry


def _stored(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies["sessionid"].value)


def _age_the_last_save(client, seconds):
    """Make the session's last save `seconds` older than it was (in the stored data and expiry)."""
    import datetime

    from safestar.org.middleware import SAVED_AT

    stored = _stored(client)
    data = stored.get_decoded()
    data[SAVED_AT] -= seconds
    store = client.session
    stored.session_data = store.encode(data)
    stored.expire_date -= datetime.timedelta(seconds=seconds)
    stored.save()


@pytest.fixture
def renewal(settings):
    settings.SAFESTAR_SESSION_RENEW_AFTER = RENEW_AFTER  # as in production (the tests' settings turn it off)


RENEW_AFTER = 60


def test_production_renews_sessions_once_a_minute():
    from safestar import settings as production

    assert production.SAFESTAR_SESSION_RENEW_AFTER == RENEW_AFTER and not production.SESSION_SAVE_EVERY_REQUEST


def test_an_unchanged_session_is_renewed_at_most_once_a_minute(world, renewal):
    c = signed_in("grid1")
    expiry = _stored(c).expire_date
    assert c.get("/").status_code == 200
    assert _stored(c).expire_date == expiry  # within the minute: not saved again, no Set-Cookie
    _age_the_last_save(c, RENEW_AFTER)
    aged = _stored(c).expire_date
    response = c.get("/")
    assert response.status_code == 200 and "sessionid" in response.cookies
    assert _stored(c).expire_date > aged  # renewed: 30 minutes from now again


def test_a_session_idle_for_30_minutes_since_its_last_save_is_ended(world, renewal):
    c = signed_in("grid1")
    assert c.get("/").status_code == 200
    _age_the_last_save(c, 30 * 60 - 5)  # 5 seconds left: a request now keeps it (and renews it)
    assert c.get("/").status_code == 200
    _age_the_last_save(c, 30 * 60 + 1)  # idle past its expiry: signed out
    page = c.get("/", follow=True)
    assert page.redirect_chain[-1][0].startswith("/login/")


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
