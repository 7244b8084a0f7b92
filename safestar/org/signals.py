from django.contrib.auth import signals
from django.dispatch import receiver

from safestar.audit.log import record


@receiver(signals.user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record("login", user, actor=user, request=request)


@receiver(signals.user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record("logout", user, actor=user, request=request)


@receiver(signals.user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record("login_failed", object_repr=f"登录名：{username}", request=request, changes={"username": username})
