"""Signing in beyond the password: two-factor authentication (TOTP + recovery codes) and lockouts."""

import base64

import segno
from axes.models import AccessAttempt
from axes.utils import reset
from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import devices_for_user, match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from safestar.audit.log import record
from safestar.core.lists import paginate, render_list
from safestar.core.scope import require

from .models import User

RECOVERY_CODES = 10


class CodeForm(forms.Form):
    token = forms.CharField(
        label="验证码",
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


def _new_recovery_codes(user):
    device, _ = StaticDevice.objects.get_or_create(user=user, name="恢复码")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def throttled(devices):
    """The Chinese refusal when every one of `devices` is locked after wrong codes (django-otp doubles
    the wait after each failure and then checks no code at all, however right), or "" if one is not."""
    until = None
    for device in devices:
        allowed, data = device.verify_is_allowed()
        if allowed or not (data or {}).get("locked_until"):
            return ""
        until = max(until or data["locked_until"], data["locked_until"])
    if until is None:
        return ""
    seconds = max(1, int((until - timezone.now()).total_seconds() + 0.999))
    return (f"验证码错误次数过多，验证已暂停，请于 {seconds} 秒后"
            f"（{timezone.localtime(until):%H:%M:%S} 以后）重新输入；这次输入的验证码没有核对。")


@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """Second step of the login: a code from the authenticator app, or one recovery code."""
    if request.user.is_verified() or not user_has_device(request.user, confirmed=True):
        return redirect("home")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        devices = list(devices_for_user(request.user, confirmed=True))
        if refusal := throttled(devices):
            record("login_failed", request.user, object_repr=f"{request.user}：双因素验证暂停中仍在尝试")
            form.add_error("token", refusal)
            return render(request, "org/otp_verify.html", {"form": form})
        # the devices paused now are not asked at all: say so if the code is not accepted
        paused = [d.name for d in devices if throttled([d])]
        device = match_token(request.user, form.cleaned_data["token"].replace(" ", ""))
        if device is not None:
            otp_login(request, device)
            record("login", request.user, object_repr=f"{request.user}：双因素认证通过（{device.name}）")
            return redirect(request.GET.get("next") or "home")
        record("login_failed", request.user, object_repr=f"{request.user}：双因素验证码错误")
        form.add_error("token", "验证码不正确、已过期或已使用过。" + (
            f"（{'、'.join(paused)}因错误次数过多暂停核对，这次没有核对，请稍后再试。）" if paused else ""))
    return render(request, "org/otp_verify.html", {"form": form})


@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Enrol an authenticator app: scan the QR code (drawn here, no outside service), confirm one
    code, then receive the recovery codes once."""
    user = request.user
    if user_has_device(user, confirmed=True) and not user.is_verified():
        return redirect("otp-verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="手机验证器", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and (refusal := throttled([device])):
        form.add_error("token", refusal)
    elif request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].replace(" ", "")):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user, confirmed=True).delete()  # one authenticator per account
                device.confirmed = True
                device.save()
                codes = _new_recovery_codes(user)
                record("update", user, changes={"two_factor": ["未启用", "已启用"]})
            otp_login(request, device)
            return render(request, "org/otp_codes.html", {"codes": codes})
        form.add_error("token", "验证码不正确，请核对手机时间后重试。")
    return render(
        request,
        "org/otp_setup.html",
        {
            "form": form,
            "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5),
            "secret": base64.b32encode(device.bin_key).decode(),
            "enabled": user_has_device(user, confirmed=True),
        },
    )


@require_POST
def otp_recovery_codes(request):
    """New recovery codes replace the old ones (only after a verified login)."""
    require(request.user.is_verified())
    with transaction.atomic():
        codes = _new_recovery_codes(request.user)
        record("update", request.user, changes={"recovery_codes": ["***", "已重新生成"]})
    return render(request, "org/otp_codes.html", {"codes": codes})


def _attempts_in_scope(user):
    """Lockouts of the accounts this administrator manages, and of names that are no account."""
    require(user.spec.manages_lockouts)
    managed = User.objects.visible_to(user).values("username")
    return AccessAttempt.objects.filter(
        Q(username__in=managed) | ~Q(username__in=User.objects.values("username")) | Q(username__isnull=True)
    ).order_by("-attempt_time")


def lockout_list(request):
    attempts = _attempts_in_scope(request.user)
    now = timezone.now()
    page = paginate(request, attempts)
    for attempt in page:
        attempt.locked = attempt.failures_since_start >= settings.AXES_FAILURE_LIMIT and (
            attempt.attempt_time + settings.AXES_COOLOFF_TIME > now
        )
        attempt.locked_until = attempt.attempt_time + settings.AXES_COOLOFF_TIME
    return render_list(request, "org/lockout_list.html", {"page": page})


@require_POST
def lockout_clear(request, pk):
    from django.http import Http404

    attempt = _attempts_in_scope(request.user).filter(pk=pk).first()
    if attempt is None:
        raise Http404("页面不存在，或不在您的数据范围内。")
    with transaction.atomic():
        count = reset(username=attempt.username) + reset(ip=attempt.ip_address)
        record(
            "update",
            object_repr=f"解除登录锁定：{attempt.username or '—'}，{attempt.ip_address or '—'}",
            changes={"username": attempt.username, "ip": attempt.ip_address, "cleared": count},
        )
    messages.success(request, f"已解除 {attempt.username or attempt.ip_address} 的登录锁定。")
    return redirect("lockouts")
