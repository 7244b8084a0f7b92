"""The outbox: one Notice per event and person (its `key` de-duplicates), read in the in-app inbox;
one Delivery per notice (or daily digest) and outside channel (e-mail, webhook), retried with backoff."""

from django.conf import settings
from django.db import models


class Notice(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices", verbose_name="接收人")
    key = models.CharField("事件", max_length=200)  # kind:model:pk:state — one notice per event and person
    kind = models.CharField("类别", max_length=40)
    title = models.CharField("标题", max_length=200)
    body = models.CharField("说明", max_length=500, blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    late = models.BooleanField("逾期", default=False)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读于", null=True, blank=True)
    # When the item left the person's 我的待办 (done, cleared): if it comes back (a report returned a
    # second time, a warning sign that clears and returns), that is a new event and notifies again.
    ended_at = models.DateTimeField("事件结束于", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], condition=models.Q(ended_at__isnull=True),
                                               name="notice_once_per_open_event_and_person")]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待发送"
        SENT = "sent", "已发送"
        FAILED = "failed", "发送失败"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="接收人")
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries")
    digest_on = models.DateField("摘要日期", null=True, blank=True)  # a daily digest (notice is empty)
    channel = models.CharField("渠道", max_length=40)
    subject = models.CharField("标题", max_length=200)
    text = models.TextField("内容")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_try_at = models.DateTimeField("下次尝试", null=True, blank=True)
    last_error = models.CharField("最后错误", max_length=500, blank=True)
    sent_at = models.DateTimeField("发送于", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "通知发送"
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel"], name="delivery_once_per_notice_channel"),
            models.UniqueConstraint(fields=["recipient", "digest_on", "channel"], name="digest_once_per_day_channel"),
        ]
        indexes = [models.Index(fields=["status", "next_try_at"])]
