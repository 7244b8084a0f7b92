"""Delivery channels, pluggable like Django's e-mail backends: SAFESTAR_NOTICE_CHANNELS lists them
(short names or dotted paths of classes). The in-app inbox is always there (it is the Notice row
itself); these are the outside channels. A channel's send(delivery) raises on failure; the outbox
retries with backoff (services.deliver)."""

import json
import urllib.request

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string


class EmailChannel:
    """E-mail through Django's configured backend (SMTP in production: EMAIL_HOST etc.). People
    without an e-mail address are skipped."""

    name = "email"

    def wants(self, user):
        return bool(user.email)

    def send(self, delivery):
        send_mail(f"[平安法治星] {delivery.subject}", delivery.text, None, [delivery.recipient.email])


class WebhookChannel:
    """A group robot (企业微信 / 钉钉 style): a JSON POST {"msgtype": "text", "text": {"content": ...}}
    to SAFESTAR_NOTICE_WEBHOOK_URL, naming the person. Any answer other than 2xx (or an errcode ≠ 0
    in the JSON answer, as both robots report errors) is a failure."""

    name = "webhook"

    def wants(self, user):
        return bool(settings.SAFESTAR_NOTICE_WEBHOOK_URL)

    def send(self, delivery):
        person = str(delivery.recipient)
        content = f"【平安法治星】{person}：{delivery.subject}\n{delivery.text}"
        body = json.dumps({"msgtype": "text", "text": {"content": content}}, ensure_ascii=False).encode()
        request = urllib.request.Request(settings.SAFESTAR_NOTICE_WEBHOOK_URL, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=settings.SAFESTAR_NOTICE_WEBHOOK_TIMEOUT) as answer:
            raw = answer.read()
        try:
            errcode = json.loads(raw or b"{}").get("errcode", 0)
        except (ValueError, AttributeError):
            errcode = 0
        if errcode:
            raise RuntimeError(f"机器人返回错误 errcode={errcode}")


SHORT = {"email": EmailChannel, "webhook": WebhookChannel}


def channels():
    """The configured outside channels (instances), by name."""
    out = {}
    for name in settings.SAFESTAR_NOTICE_CHANNELS:
        channel = (SHORT.get(name) or import_string(name))()
        out[channel.name] = channel
    return out
