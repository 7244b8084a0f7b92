from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django_otp import user_has_device

# The only pages a user may reach at each step.
VERIFYING = {"otp-verify", "logout"}
ENROLLING = {"otp-setup", "logout"}
CHANGING_PASSWORD = {"password-change", "logout"}


def gate_passed(user):
    """Whether a signed-in user has done everything AccountGate asks (for the API's session
    authentication: a page's script may read the API only once its user could open the page)."""
    if not user.is_verified():
        if user_has_device(user, confirmed=True):
            return False
        if user.spec.requires_2fa and settings.SAFESTAR_REQUIRE_2FA:
            return False
    return not user.password_expired()


class AccountGate:
    """What a signed-in user must do before anything else, in this order:
    1. enter a one-time code, when they have an authenticator (or their role requires one);
    2. enrol an authenticator, when their role requires two-factor authentication;
    3. change their password, when it was set by an account manager or is older than 90 days.
    The API (bearer tokens) is not gated: tokens are issued by an operator for a given account."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.path_info.startswith("/api/"):
            return None
        name = request.resolver_match.url_name
        if not user.is_verified():
            if user_has_device(user, confirmed=True):
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
