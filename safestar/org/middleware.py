import time
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.middleware import SessionMiddleware
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django_otp import device_classes

from safestar.core import compiled

# The only pages a user may reach at each step.
VERIFYING = {"otp-verify", "logout"}
ENROLLING = {"otp-setup", "logout"}
CHANGING_PASSWORD = {"password-change", "logout"}


# A session is stored with an expiry SESSION_COOKIE_AGE (30 minutes) after it was last saved. Rather
# than saving it on every request (3 queries each), an unchanged session is saved again only when its
# last save is SAFESTAR_SESSION_RENEW_AFTER (60) seconds old or more: it then ends between 29 and 30 idle
# minutes after the last request, never later (docs/security.md “会话超时”). A login stamps the session.
SAVED_AT = "_saved_at"  # in the session: when it was last saved (seconds since the epoch)


class RenewingSessionMiddleware(SessionMiddleware):
    """Django's session middleware, saving a session when it changed or when its last save is a minute
    old (instead of SESSION_SAVE_EVERY_REQUEST)."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if session.modified or now - session.get(SAVED_AT, 0) >= settings.SAFESTAR_SESSION_RENEW_AFTER:
                stamp_session(session)  # marks it modified: saved below, with a new expiry
        return super().process_response(request, response)


def stamp_session(session):
    """Record in `session` that it is being saved now (at login: its first save)."""
    session[SAVED_AT] = int(time.time())


def _device_exists(user_ref):
    """Whether the user has a confirmed authenticator of any kind, as one SQL condition."""
    return reduce(or_, (Exists(model.objects.filter(user=user_ref, confirmed=True)) for model in device_classes()))


class AccountBackend(ModelBackend):
    """Django's ModelBackend, loading the signed-in user of each request in one query with their division
    and whether they have a confirmed authenticator (AccountGate asks on every page)."""

    def get_user(self, user_id):
        """The query is made once per process (core/compiled.py): building its EXISTS conditions cost
        about as much CPU as running it, on every signed-in request."""
        found = compiled.rows(_account, int(user_id))  # Django gives the primary key as its field's Python value
        return found[0] if found and self.user_can_authenticate(found[0]) else None


def _account(user, pk):
    manager = get_user_model()._default_manager  # as ModelBackend.get_user
    return manager.select_related("division").annotate(_has_device=_device_exists(OuterRef("pk"))).filter(pk=pk)


def has_confirmed_device(user):
    """Whether `user` has a confirmed authenticator: known from the request's user load (AccountBackend),
    else one query for all kinds of device."""
    known = getattr(user, "_has_device", None)
    if known is None:
        known = type(user)._default_manager.filter(pk=user.pk).filter(_device_exists(user.pk)).exists()
    return known


class AccountGate:
    """What a signed-in user must do before anything else, in this order:
    1. enter a one-time code, when they have an authenticator (or their role requires one);
    2. enrol an authenticator, when their role requires two-factor authentication;
    3. change their password, when it was set by an account manager or is older than 90 days.
    The API (bearer tokens) is not gated: tokens are issued by an operator for a given account."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self.tell_why_a_session_ended(request)
        return self.get_response(request)

    @staticmethod
    def tell_why_a_session_ended(request):
        """A browser whose session a newer login ended (org/signals.py) lands on the login page with
        the reason, once: its cookie still names the ended session."""
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if not key or request.user.is_authenticated or request.path_info.startswith("/api/"):
            return
        from .models import UserSession

        if UserSession.objects.filter(session_key=key, ended_at__isnull=False).delete()[0]:
            messages.warning(request, f"您的账号已在其他地方登录（同时在线不超过 {settings.SAFESTAR_MAX_SESSIONS} 处），本处的登录已结束。"
                                      "请重新登录；如不是您本人登录，请立即修改密码。")

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.path_info.startswith("/api/"):
            return None
        name = request.resolver_match.url_name
        if not user.is_verified():
            if has_confirmed_device(user):
                return None if name in VERIFYING else redirect("otp-verify")
            if user.spec.requires_2fa and settings.SAFESTAR_REQUIRE_2FA:
                return None if name in ENROLLING else redirect("otp-setup")
        if user.password_expired() and name not in CHANGING_PASSWORD:
            if user.password_changed_at is None:
                messages.warning(request, "这是您第一次登录，或密码已由管理员重设：请先设置自己的新密码。")
            else:
                messages.warning(request, "您的密码已使用超过90天，请先修改密码。")
            return redirect("password-change")
        return None
