import datetime

from django.conf import settings
from django.contrib.auth import signals
from django.contrib.sessions.models import Session
from django.dispatch import receiver
from django.utils import timezone

from safestar.audit.log import record

from .middleware import stamp_session
from .models import UserSession


@receiver(signals.user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record("login", user, actor=user, request=request)
    if hasattr(request, "session"):
        stamp_session(request.session)  # saved by the login: no renewal needed for a minute
    _limit_sessions(request, user)


@receiver(signals.user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record("logout", user, actor=user, request=request)
        UserSession.objects.filter(session_key=request.session.session_key).delete()


@receiver(signals.user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record("login_failed", object_repr=f"登录名：{username}", request=request, changes={"username": username})


def _limit_sessions(request, user):
    """Keep at most SAFESTAR_MAX_SESSIONS sessions per account: a new login ends the oldest."""
    if not hasattr(request, "session"):
        return
    if request.session.session_key is None:
        request.session.save()
    now = timezone.now()
    # ended sessions whose browser never came back: their cookie has expired by now
    UserSession.objects.filter(user=user, ended_at__lt=now - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)).delete()
    UserSession.objects.get_or_create(user=user, session_key=request.session.session_key)
    keys = list(UserSession.objects.filter(user=user, ended_at__isnull=True).values_list("session_key", flat=True))
    stale = keys[: max(len(keys) - settings.SAFESTAR_MAX_SESSIONS, 0)]
    if stale:
        Session.objects.filter(session_key__in=stale).delete()
        UserSession.objects.filter(session_key__in=stale).update(ended_at=now)  # its browser is told why when it comes back
        record("logout", user, actor=user, request=request, object_repr=f"{user}：超过同时在线会话上限，结束最早的 {len(stale)} 个会话")
