"""Two-factor authentication (TOTP) for 系统管理员, 安全审计员, 县政法委评查员 and 镇平安办."""

import datetime

import pytest
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import PASSWORD
from safestar.audit.models import AuditEvent


@pytest.fixture(autouse=True)
def required(settings):
    settings.SAFESTAR_REQUIRE_2FA = True


def sign_in(client, username):
    return client.post("/login/", {"username": username, "password": PASSWORD}, follow=True)


def code(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrol(client, username):
    response = sign_in(client, username)
    assert response.redirect_chain[-1][0] == "/account/2fa/"
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    done = client.post("/account/2fa/", {"token": code(device)})
    assert done.status_code == 200
    return device, done


@pytest.mark.parametrize("username", ["admin", "auditor", "county", "town"])
def test_these_roles_must_enrol_before_anything_else(client, world, username):
    response = sign_in(client, username)
    assert response.redirect_chain[-1][0] == "/account/2fa/"
    html = response.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code is drawn by the server, no outside service
    assert client.get("/").status_code == 302
    assert client.get("/divisions/").status_code == 302


@pytest.mark.parametrize("username, landing", [("village1", "/"), ("grid1", "/"), ("police", "/"), ("taskforce", "/dashboard/")])
def test_other_roles_are_not_forced(client, world, username, landing):
    assert sign_in(client, username).redirect_chain[-1][0] == landing  # the task force lands on its dashboard


def test_enrolment_confirms_a_code_and_shows_ten_recovery_codes_once(client, world):
    device, done = enrol(client, "town")
    device.refresh_from_db()
    assert device.confirmed
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/").status_code == 200  # verified in this session
    assert AuditEvent.objects.filter(actor_name="town", changes__two_factor=["未启用", "已启用"]).exists()


def test_a_wrong_code_does_not_enrol(client, world):
    sign_in(client, "town")
    response = client.post("/account/2fa/", {"token": "000000"})
    assert "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.filter(user__username="town", confirmed=True).exists()


def test_next_login_asks_for_the_code_and_accepts_a_recovery_code_once(client, world):
    device, done = enrol(client, "town")
    recovery = done.context["codes"][0]
    client.post("/logout/")
    response = sign_in(client, "town")
    assert response.redirect_chain[-1][0] == "/login/verify/"
    assert client.get("/account/2fa/").status_code == 302  # cannot enrol a second authenticator unverified
    wrong = client.post("/login/verify/", {"token": "123456"})
    assert "验证码不正确" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="login_failed", object_repr__contains="双因素验证码错误").exists()
    # a wrong code throttles the devices: even the right code is refused until the delay has passed
    assert client.post("/login/verify/", {"token": recovery}).status_code == 200
    a_while_ago = timezone.now() - datetime.timedelta(minutes=5)
    TOTPDevice.objects.update(throttling_failure_timestamp=a_while_ago)
    StaticDevice.objects.update(throttling_failure_timestamp=a_while_ago)
    assert client.post("/login/verify/", {"token": recovery}).status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout/")
    sign_in(client, "town")
    page = client.post("/login/verify/", {"token": recovery}).content.decode()
    assert "验证码不正确" in page  # used up


def _lock(model, failures=5):
    """As after `failures` wrong codes just now: django-otp waits 2^(failures-1) seconds (16 s)."""
    model.objects.update(throttling_failure_count=failures, throttling_failure_timestamp=timezone.now())


def test_a_throttled_login_says_so_even_for_the_right_code(client, world):
    device, done = enrol(client, "town")
    client.post("/logout/")
    sign_in(client, "town")
    _lock(TOTPDevice)
    _lock(StaticDevice)
    recovery = done.context["codes"][0]  # right for sure (the app's current code was spent enrolling)
    page = client.post("/login/verify/", {"token": recovery}).content.decode()
    assert "验证码错误次数过多，验证已暂停，请于" in page and "秒后" in page and "这次输入的验证码没有核对" in page
    assert "验证码不正确" not in page
    assert AuditEvent.objects.filter(action="login_failed", object_repr__contains="验证暂停中仍在尝试").exists()
    # only the app paused: the recovery code is still checked, and the answer says the app was not
    StaticDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    page = client.post("/login/verify/", {"token": "wrong123"}).content.decode()
    assert "验证码不正确" in page and "手机验证器因错误次数过多暂停核对，这次没有核对" in page
    _lock(StaticDevice)
    TOTPDevice.objects.update(throttling_failure_timestamp=timezone.now() - datetime.timedelta(minutes=5))
    StaticDevice.objects.update(throttling_failure_timestamp=timezone.now() - datetime.timedelta(minutes=5))
    assert client.post("/login/verify/", {"token": recovery}).status_code == 302  # the pause over


def test_a_throttled_enrolment_says_so_even_for_the_right_code(client, world):
    sign_in(client, "town")
    client.post("/account/2fa/", {"token": "000000"})
    device = TOTPDevice.objects.get(user__username="town", confirmed=False)
    _lock(TOTPDevice)
    page = client.post("/account/2fa/", {"token": code(device)}).content.decode()
    assert "验证码错误次数过多" in page and "请核对手机时间" not in page
    assert not TOTPDevice.objects.filter(user__username="town", confirmed=True).exists()


def test_a_user_who_enrolled_voluntarily_is_asked_too(client, world, settings):
    enrol_response = sign_in(client, "grid1")
    assert enrol_response.redirect_chain[-1][0] == "/"
    device = TOTPDevice.objects.create(user=enrol_response.context["user"], name="x", confirmed=True)
    client.post("/logout/")
    assert sign_in(client, "grid1").redirect_chain[-1][0] == "/login/verify/"
    assert client.post("/login/verify/", {"token": code(device)}).status_code == 302


def test_the_administrator_resets_a_lost_authenticator(client, world, login):
    enrol(client, "town")
    client.post("/logout/")
    from safestar.org.models import User

    town = User.objects.get(username="town")
    admin = login("admin")
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    admin_device = StaticDevice.objects.create(user=User.objects.get(username="admin"), name="t")
    session = admin.session
    session[DEVICE_ID_SESSION_KEY] = admin_device.persistent_id
    session.save()
    data = {"username": "town", "full_name": town.full_name, "role": "town", "division": town.division_id,
            "is_active": "on", "reset_2fa": "on"}
    assert admin.post(f"/accounts/{town.pk}/edit/", data).status_code == 302
    assert not TOTPDevice.objects.filter(user=town).exists()
    admin.logout()
    assert sign_in(client, "town").redirect_chain[-1][0] == "/account/2fa/"


def test_the_demo_relaxes_it_behind_a_banner(client, world, settings):
    settings.SAFESTAR_REQUIRE_2FA = False
    settings.SAFESTAR_DEMO_BANNER = True
    response = sign_in(client, "town")
    assert response.redirect_chain[-1][0] == "/dashboard/"  # the town office's landing page
    assert "双因素认证在演示环境中不强制" in response.content.decode()
