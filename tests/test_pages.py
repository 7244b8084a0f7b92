"""What every page carries: the security headers, the nonce on scripts, Chinese error pages."""

import re

import pytest
from django.test import override_settings

from conftest import VILLAGE2


def test_strict_csp_and_nonce_on_every_script(login):
    response = login("town").get("/")
    csp = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert "style-src 'self';" in csp  # no inline styles allowed
    html = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert "style=" not in html
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert len(response["X-Request-ID"]) == 32


def test_the_login_page_is_chinese_and_needs_no_login(client, db):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html and "登录名" in html and "密码" in html


@override_settings(DEBUG=False)
def test_out_of_scope_answers_the_chinese_404_without_the_objects_name(login):
    response = login("village1").get(f"/divisions/{VILLAGE2}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在" in html and "杨庄村" not in html


@pytest.mark.parametrize("username", ["village1", "grid1", "police", "auditor", "admin"])
def test_navigation_offers_only_what_the_role_can_use(login, username):
    from safestar.org.models import User
    from safestar.org.roles import spec

    s = spec(User.objects.get(username=username).role)
    html = login(username).get("/").content.decode()
    assert ('href="/accounts/"' in html) == bool(s.grants)
    assert ('href="/audit/"' in html) == s.reads_audit
    assert ('href="/divisions/"' in html) == s.reads_org


def test_demo_is_idempotent(world):
    from safestar.org.demo import load_demo
    from safestar.org.models import Department, Division, User

    counts = (Division.objects.count(), Department.objects.count(), User.objects.count())
    load_demo()
    assert (Division.objects.count(), Department.objects.count(), User.objects.count()) == counts
    assert Division.objects.filter(parent__code="411422100000").count() == 20
    assert Division.objects.filter(parent__code="411422101000").count() == 5


def test_argon2_hashes_passwords_in_the_real_settings():
    from safestar import settings

    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_htmx_gets_the_table_alone_but_history_restore_gets_the_whole_page(login):
    client = login("town")
    partial = client.get("/divisions/411422100000/", {"q": "杨庄"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and "杨庄村" in partial.content.decode()
    assert "HX-Request" in partial["Vary"]
    restored = client.get(
        "/divisions/411422100000/", {"q": "杨庄"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restored.content.decode() and "杨庄村" in restored.content.decode()
    full = client.get("/divisions/411422100000/", {"q": "杨庄"})
    assert "<html" in full.content.decode() and "HX-Request" in full["Vary"]


def test_select_boxes_offer_a_chinese_blank_choice(login):
    html = login("admin").get("/accounts/new/").content.decode()
    assert "请选择" in html and "Select an option" not in html and "---------" not in html


def test_a_form_posted_without_the_csrf_token_is_refused(world):
    from django.test import Client

    from conftest import PASSWORD

    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "town", "password": PASSWORD})
    assert response.status_code == 403
    assert "请求已失效" in response.content.decode()
    page = client.get("/login/")
    token = page.cookies["csrftoken"].value
    assert client.post("/login/", {"username": "town", "password": PASSWORD, "csrfmiddlewaretoken": token}).status_code == 302
